"""Draw the stylised anatomy images used by the demo hotspot questions.

    uv run python scripts/make_quiz_images.py

Writes lms/demo/media/<name>.png (600 x 600) from the landmarks in lms/demo/quizzes.py.
The target regions are deliberately not drawn: learners must find them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lms.demo.quizzes import IMAGES  # noqa: E402

SIZE = 600
SKIN = (236, 205, 180)
OUTLINE = (120, 85, 60)
BONE = (250, 246, 235)
INK = (33, 37, 41)
BACKGROUND = (244, 248, 247)


def p(x: float, y: float) -> tuple[float, float]:
    return x * SIZE, y * SIZE


def upper_back(draw: ImageDraw.ImageDraw) -> None:
    draw.ellipse([*p(0.40, 0.00), *p(0.60, 0.20)], fill=SKIN, outline=OUTLINE, width=3)  # head
    draw.rectangle([*p(0.44, 0.15), *p(0.56, 0.30)], fill=SKIN)  # neck
    draw.polygon(
        [p(0.44, 0.24), p(0.10, 0.34), p(0.06, 0.42), p(0.12, 1.0), p(0.88, 1.0),
         p(0.94, 0.42), p(0.90, 0.34), p(0.56, 0.24)],
        fill=SKIN, outline=OUTLINE, width=3,
    )  # fmt: skip
    for side in (1, -1):  # scapulae
        cx = 0.5 - side * 0.19
        draw.polygon(
            [p(cx - side * 0.03, 0.40), p(cx + side * 0.10, 0.42), p(cx + side * 0.02, 0.75)],
            fill=BONE, outline=OUTLINE, width=2,
        )  # fmt: skip
        draw.line([p(0.5 - side * 0.08, 0.45), p(0.5 - side * 0.33, 0.37)], fill=OUTLINE, width=4)
    draw.line([p(0.5, 0.22), p(0.5, 1.0)], fill=OUTLINE, width=2)  # spine


def low_back(draw: ImageDraw.ImageDraw) -> None:
    draw.polygon(
        [p(0.18, 0.0), p(0.82, 0.0), p(0.86, 0.60), p(0.92, 1.0), p(0.08, 1.0), p(0.14, 0.60)],
        fill=SKIN, outline=OUTLINE, width=3,
    )  # fmt: skip
    for side in (1, -1):  # 12th ribs
        box = [*p(0.5 - side * 0.5 - 0.3, 0.05), *p(0.5 - side * 0.5 + 0.3, 0.40)]
        start, end = (200, 340) if side == 1 else (-20, 120)
        draw.arc(box, start, end, fill=OUTLINE, width=3)
    draw.arc([*p(0.10, 0.60), *p(0.90, 1.10)], 180, 360, fill=OUTLINE, width=5)  # iliac crests
    draw.polygon([p(0.42, 0.72), p(0.58, 0.72), p(0.50, 0.95)], fill=BONE, outline=OUTLINE)
    for index in range(5):  # lumbar spinous processes
        y = 0.24 + index * 0.10
        draw.rounded_rectangle(
            [*p(0.48, y - 0.02), *p(0.52, y + 0.02)], 4, fill=BONE, outline=OUTLINE
        )
    for side in (1, -1):  # erector spinae
        draw.line(
            [p(0.5 - side * 0.07, 0.05), p(0.5 - side * 0.07, 0.70)], fill=(200, 160, 130), width=3
        )


def hip(draw: ImageDraw.ImageDraw) -> None:
    draw.polygon(
        [p(0.10, 0.05), p(0.90, 0.05), p(0.98, 0.55), p(0.90, 1.0), p(0.10, 1.0), p(0.02, 0.55)],
        fill=SKIN, outline=OUTLINE, width=3,
    )  # fmt: skip
    draw.arc([*p(0.08, 0.12), *p(0.92, 0.70)], 190, 350, fill=OUTLINE, width=5)  # iliac crest
    draw.polygon([p(0.40, 0.30), p(0.60, 0.30), p(0.50, 0.62)], fill=BONE, outline=OUTLINE, width=2)
    for side in (1, -1):
        x = 0.5 - side * 0.34
        draw.ellipse([*p(x - 0.05, 0.50), *p(x + 0.05, 0.60)], fill=BONE, outline=OUTLINE, width=2)
        ix = 0.5 - side * 0.12
        draw.ellipse(
            [*p(ix - 0.04, 0.70), *p(ix + 0.04, 0.78)], fill=BONE, outline=OUTLINE, width=2
        )
    draw.line([p(0.5, 0.80), p(0.5, 1.0)], fill=OUTLINE, width=3)  # gluteal cleft


DRAWERS = {"upper-back": upper_back, "low-back": low_back, "hip": hip}


def main() -> None:
    out = ROOT / "lms" / "demo" / "media"
    out.mkdir(parents=True, exist_ok=True)
    font = ImageFont.load_default(size=16)
    for image in IMAGES:
        canvas = Image.new("RGB", (SIZE, SIZE), BACKGROUND)
        draw = ImageDraw.Draw(canvas)
        DRAWERS[image.name](draw)
        for label, x, y in image.landmarks:
            cx, cy = p(x, y)
            draw.ellipse([cx - 5, cy - 5, cx + 5, cy + 5], fill=INK)
            box = draw.textbbox((0, 0), label, font=font)
            width = box[2] - box[0]
            tx = min(max(4, cx + 8 if x < 0.7 else cx - width - 8), SIZE - width - 4)
            draw.rectangle([tx - 2, cy - 20, tx + width + 2, cy - 2], fill=(255, 255, 255))
            draw.text((tx, cy - 20), label, fill=INK, font=font)
        draw.text((8, SIZE - 24), "R", fill=INK, font=font)  # the patient's right (posterior view)
        draw.text((SIZE - 18, SIZE - 24), "L", fill=INK, font=font)
        canvas.save(out / f"{image.name}.png", optimize=True)
        print(f"wrote {out / (image.name + '.png')}")


if __name__ == "__main__":
    main()
