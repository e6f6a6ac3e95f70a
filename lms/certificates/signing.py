"""Digital signatures on certificate PDFs: PAdES B-B, checkable offline.

The provider configures a key and certificate (PEM) with CERT_SIGNING_KEY_PATH and
CERT_SIGNING_CERT_PATH. Without them, a self-signed demo certificate is generated once into
the instance folder (`flask lms make-signing-cert` does it ahead of time).

pyHanko writes the PDF signature dictionary and byte ranges. The CMS container inside it is
built here from bytes prepared once per key: pyHanko's generic CMS builder re-encodes the
signer's certificate through asn1crypto on every signature (about 50 ms), which would cap
issuance far below the 40 certificates per second per core the provider needs. The container
holds exactly what PAdES B-B asks for: content-type, message-digest and ESS
signing-certificate-v2 signed attributes, the signer's certificate, no signing-time
attribute (the time is in the signature dictionary's /M).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import logging
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from flask import current_app
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter

log = logging.getLogger(__name__)

SIGNATURE_FIELD = "ProviderSignature"
# Room for the CMS container in the PDF: certificate (~1-2 KB) + attributes + signature.
BYTES_RESERVED = 8192

_OID_DATA = "1.2.840.113549.1.7.1"
_OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
_OID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
_OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
_OID_SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"
_OID_SHA256 = "2.16.840.1.101.3.4.2.1"
_OID_SHA256_RSA = "1.2.840.113549.1.1.11"
_OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2"


class SigningUnavailable(RuntimeError):
    """The configured key or certificate cannot be read."""


# --- minimal DER encoding -------------------------------------------------------------


def _der(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


def _seq(*items: bytes) -> bytes:
    return _der(0x30, b"".join(items))


def _set(*items: bytes) -> bytes:
    return _der(0x31, b"".join(sorted(items)))  # DER: SET OF sorted by encoding


def _oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    body = bytearray([40 * parts[0] + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        part >>= 7
        while part:
            chunk.append(0x80 | (part & 0x7F))
            part >>= 7
        body += bytes(reversed(chunk))
    return _der(0x06, bytes(body))


def _int(value: int) -> bytes:
    raw = value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True)
    return _der(0x02, raw)


def _octets(value: bytes) -> bytes:
    return _der(0x04, value)


# --- the signer ----------------------------------------------------------------------


@dataclass(frozen=True)
class SigningIdentity:
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    certificate_der: bytes

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()


class PadesSigner(signers.Signer):
    """A pyHanko signer whose CMS container is assembled from precomputed parts."""

    def __init__(self, identity: SigningIdentity):
        self.identity = identity
        cert = asn1_x509.Certificate.load(identity.certificate_der)
        super().__init__(signing_cert=cert, cert_registry=None)
        issuer_der = cert["tbs_certificate"]["issuer"].dump()
        serial = _int(cert.serial_number)
        self._issuer_and_serial = _seq(issuer_der, serial)
        ess_cert_id = _seq(
            _octets(hashlib.sha256(identity.certificate_der).digest()),
            _seq(_seq(_der(0xA4, issuer_der)), serial),  # IssuerSerial {GeneralNames, serial}
        )
        self._signing_certificate_attr = _seq(
            _oid(_OID_SIGNING_CERTIFICATE_V2), _set(_seq(_seq(ess_cert_id)))
        )
        self._content_type_attr = _seq(_oid(_OID_CONTENT_TYPE), _set(_oid(_OID_DATA)))
        self._digest_algorithm = _seq(_oid(_OID_SHA256))
        if isinstance(identity.key, rsa.RSAPrivateKey):
            self._signature_algorithm = _seq(_oid(_OID_SHA256_RSA), b"\x05\x00")
        else:
            self._signature_algorithm = _seq(_oid(_OID_ECDSA_SHA256))

    def _raw_signature(self, data: bytes) -> bytes:
        key = self.identity.key
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return key.sign(data, ec.ECDSA(hashes.SHA256()))

    def container(self, data_digest: bytes) -> bytes:
        """The DER of a detached CMS SignedData over a document digest (SHA-256)."""
        attributes = [
            self._content_type_attr,
            _seq(_oid(_OID_MESSAGE_DIGEST), _set(_octets(data_digest))),
            self._signing_certificate_attr,
        ]
        signed_attrs = _set(*attributes)
        signature = self._raw_signature(signed_attrs)
        signer_info = _seq(
            _int(1),
            self._issuer_and_serial,
            self._digest_algorithm,
            b"\xa0" + signed_attrs[1:],  # [0] IMPLICIT: same content, context tag
            self._signature_algorithm,
            _octets(signature),
        )
        signed_data = _seq(
            _int(1),
            _set(self._digest_algorithm),
            _seq(_oid(_OID_DATA)),
            _der(0xA0, self.identity.certificate_der),
            _set(signer_info),
        )
        return _seq(_oid(_OID_SIGNED_DATA), _der(0xA0, signed_data))

    async def async_sign(self, data_digest: bytes, digest_algorithm: str, *args, **kwargs):
        if digest_algorithm.lower() != "sha256":
            raise ValueError("certificate signatures use SHA-256")
        return cms.ContentInfo.load(self.container(data_digest))


def sign_pdf(pdf: bytes, signer: PadesSigner, reason: str, location: str | None = None) -> bytes:
    """Sign a PDF (PAdES B-B, one invisible signature field)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _sign(pdf, signer, reason, location)
    # pyHanko runs its own event loop, which cannot nest in a running one (e.g. a caller
    # driving Playwright or an async server): sign in a helper thread instead.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_sign, pdf, signer, reason, location).result()


def _sign(pdf: bytes, signer: PadesSigner, reason: str, location: str | None) -> bytes:
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    pdf_signer = signers.PdfSigner(meta, signer=signer)
    output = pdf_signer.sign_pdf(writer, bytes_reserved=BYTES_RESERVED)
    return output.getvalue()


# --- keys: configured, or a generated demo identity -----------------------------------


def generate_self_signed(
    directory: Path, common_name: str, organisation: str, valid_days: int = 3650
) -> tuple[Path, Path]:
    """Write a new RSA key and self-signed certificate (PEM) into `directory` atomically."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    directory.parent.mkdir(parents=True, exist_ok=True)
    # Write into a fresh folder, then rename it into place: two processes generating at
    # once cannot leave a key that does not match its certificate.
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    (staging / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    os.chmod(staging / "key.pem", 0o600)
    (staging / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    try:
        os.rename(staging, directory)
    except OSError:  # someone else won the race (or the folder exists): keep theirs
        for item in staging.iterdir():
            item.unlink()
        staging.rmdir()
    return directory / "key.pem", directory / "cert.pem"


def demo_directory() -> Path:
    return Path(current_app.instance_path) / "signing"


def load_identity(key_path: Path, cert_path: Path) -> SigningIdentity:
    try:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except (OSError, ValueError) as error:
        raise SigningUnavailable(f"Cannot read the signing key or certificate: {error}") from error
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SigningUnavailable("The signing key must be an RSA or EC key.")
    return SigningIdentity(key, certificate, certificate.public_bytes(serialization.Encoding.DER))


_lock = threading.Lock()
_signers: dict[tuple[str, str], PadesSigner] = {}


def key_paths() -> tuple[Path, Path]:
    """The configured key and certificate, or the demo ones (generated on first use)."""
    config = current_app.config
    key_path, cert_path = config.get("CERT_SIGNING_KEY_PATH"), config.get("CERT_SIGNING_CERT_PATH")
    if key_path and cert_path:
        return Path(key_path), Path(cert_path)
    directory = demo_directory()
    if not (directory / "cert.pem").exists():
        log.warning("No CERT_SIGNING_KEY_PATH/CERT_SIGNING_CERT_PATH: generating a demo key.")
        generate_self_signed(
            directory,
            common_name=f"{config['PROVIDER_NAME']} certificate signing (demo)",
            organisation=config["PROVIDER_NAME"],
        )
    return directory / "key.pem", directory / "cert.pem"


def current_signer() -> PadesSigner:
    """The signer for this app, loaded once per process."""
    key_path, cert_path = key_paths()
    cache_key = (str(key_path), str(cert_path))
    with _lock:
        signer = _signers.get(cache_key)
        if signer is None:
            signer = _signers[cache_key] = PadesSigner(load_identity(key_path, cert_path))
        return signer


def signing_certificate_pem() -> bytes:
    """The certificate people need to trust to check signatures offline."""
    return current_signer().identity.certificate.public_bytes(serialization.Encoding.PEM)


__all__ = [
    "PadesSigner",
    "SigningIdentity",
    "SigningUnavailable",
    "current_signer",
    "generate_self_signed",
    "sign_pdf",
    "signing_certificate_pem",
]
