"""Reading certificate PDFs back: text, signature, QR code."""

from __future__ import annotations

import io
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


def pdf_text(document: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(document)
        handle.flush()
        result = subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True, text=True
        )
    return result.stdout


def qr_codes(document: bytes) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "c.pdf"
        pdf.write_bytes(document)
        subprocess.run(["pdftoppm", "-png", "-r", "150", str(pdf), f"{folder}/page"], check=True)
        result = subprocess.run(
            [
                "zbarimg",
                "--quiet",
                "--raw",
                *sorted(str(p) for p in Path(folder).glob("page*.png")),
            ],
            capture_output=True,
            text=True,
        )
    return [line for line in result.stdout.splitlines() if line]


def signature_status(document: bytes, trusted_cert_pem: bytes):
    """pyHanko's validation, in a helper thread (it runs its own event loop, which cannot
    nest in the one Playwright keeps running in the test thread once a browser test ran)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_signature_status, document, trusted_cert_pem).result()


def _signature_status(document: bytes, trusted_cert_pem: bytes):
    _, _, der = pem.unarmor(trusted_cert_pem)
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(der)])
    reader = PdfFileReader(io.BytesIO(document))
    assert len(reader.embedded_signatures) == 1
    return validate_pdf_signature(reader.embedded_signatures[0], context)
