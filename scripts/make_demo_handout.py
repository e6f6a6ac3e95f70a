"""Write lms/demo/media/handout.pdf: a one-page PDF handout, with no dependency.

Run: uv run python scripts/make_demo_handout.py
"""

from pathlib import Path

LINES = [
    ("F2", 18, "Trigger-point release: palpation checklist"),
    ("F1", 11, "Meridian Trigger Point Institute - demo handout"),
    ("F1", 11, ""),
    ("F1", 12, "1. Position the patient so the muscle is slightly stretched."),
    ("F1", 12, "2. Flat or pincer palpation across the fibres to find the taut band."),
    ("F1", 12, "3. Locate the most tender nodule along the band."),
    ("F1", 12, "4. Confirm the referral pattern the patient recognises."),
    ("F1", 12, "5. Note the nearby acupoints and the needling cautions."),
    ("F1", 12, "6. Re-assess range of motion and pain after treatment."),
    ("F1", 11, ""),
    ("F1", 10, "Needling depth and direction follow your board's scope of practice."),
]


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def build() -> bytes:
    y, commands = 770, []
    for font, size, text in LINES:
        commands.append(f"BT /{font} {size} Tf 56 {y} Td ({escape(text)}) Tj ET")
        y -= size + 10
    stream = "\n".join(commands).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


if __name__ == "__main__":
    target = Path(__file__).resolve().parents[1] / "lms" / "demo" / "media" / "handout.pdf"
    target.write_bytes(build())
    print(f"{target}: {target.stat().st_size} bytes")
