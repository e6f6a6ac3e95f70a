#!/usr/bin/env bash
# Ensure the Debian system packages the test suite and benchmarks need are present.
# Silent and fast when everything is installed; installs what is missing when run as root,
# otherwise prints the exact sudo command and exits 1.
set -euo pipefail

# "check-path|debian-package" pairs. A check starting with / is a file, else a command name.
CHECKS=(
  "/usr/lib/postgresql/15/bin/initdb|postgresql-15"
  "/usr/bin/chromium|chromium"
  "ffmpeg|ffmpeg"
  "ffprobe|ffmpeg"
  "redis-server|redis-server"
  "wrk|wrk"
  "pdftotext|poppler-utils"
  "zbarimg|zbar-tools"
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf|fonts-dejavu-core"
)

missing=()
for entry in "${CHECKS[@]}"; do
  check="${entry%%|*}"
  pkg="${entry##*|}"
  if [[ "$check" == /* ]]; then
    [[ -e "$check" ]] && continue
  else
    command -v "$check" >/dev/null 2>&1 && continue
  fi
  # De-duplicate (ffmpeg provides two of the checked commands).
  [[ " ${missing[*]-} " == *" $pkg "* ]] || missing+=("$pkg")
done

if ((${#missing[@]})); then
  if [[ "$(id -u)" -eq 0 ]]; then
    echo "ensure-system-deps: installing ${missing[*]}" >&2
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  else
    echo "ensure-system-deps: missing system packages: ${missing[*]}" >&2
    echo "Run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v uv >/dev/null 2>&1; then
  echo "ensure-system-deps: uv not found on PATH, installing it with pip" >&2
  python3 -m pip install --user --quiet uv 2>/dev/null \
    || python3 -m pip install --user --quiet --break-system-packages uv 2>/dev/null \
    || python3 -m pip install --quiet uv
  uv_path="$(python3 -c 'import os, site, sys; print(os.path.join(site.USER_BASE, "bin"))')/uv"
  if [[ -x "$uv_path" ]]; then
    echo "ensure-system-deps: uv installed at $uv_path (add $(dirname "$uv_path") to PATH)" >&2
  else
    echo "ensure-system-deps: uv installed at $(python3 -c 'import shutil; print(shutil.which("uv") or "?")')" >&2
  fi
fi
