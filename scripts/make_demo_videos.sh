#!/usr/bin/env bash
# Regenerate the demo lesson clips in lms/demo/media/ (committed, so `make run` needs no
# ffmpeg). Four 20-40 s clips, 640x360, H.264 + AAC sine tone, ~100-300 KB each.
set -euo pipefail
cd "$(dirname "$0")/../lms/demo/media"
command -v ffmpeg >/dev/null || { echo "ffmpeg is needed: apt-get install -y ffmpeg" >&2; exit 1; }
FONT=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
[ -f "$FONT" ] || FONT=""
clip() {  # name seconds source frequency title
  local name=$1 seconds=$2 source=$3 frequency=$4 title=$5
  local font=${FONT:+fontfile=$FONT:}
  ffmpeg -y -loglevel error \
    -f lavfi -i "${source}size=640x360:rate=15:duration=${seconds}" \
    -f lavfi -i "sine=frequency=${frequency}:sample_rate=22050:duration=${seconds}" \
    -vf "drawtext=${font}text='${title}':fontcolor=white:fontsize=30:box=1:boxcolor=black@0.6:boxborderw=12:x=(w-text_w)/2:y=h*0.15,drawtext=${font}text='%{pts\:hms}':fontcolor=white:fontsize=22:box=1:boxcolor=black@0.6:boxborderw=8:x=(w-text_w)/2:y=h*0.8" \
    -c:v libx264 -preset slow -crf 36 -pix_fmt yuv420p -profile:v main -g 60 \
    -c:a aac -b:a 24k -ac 1 -movflags +faststart -shortest "$name"
  echo "$name: $(stat -c %s "$name") bytes"
}
clip anatomy.mp4 30 "color=c=0x1f5f5b:" 330 "Functional anatomy"
clip channels.mp4 24 "smptehdbars=" 392 "Channels and points"
clip palpation.mp4 36 "color=c=0x7a4a1f:" 440 "Palpation sequence"
clip needling.mp4 28 "smptehdbars=" 494 "Needling technique"
