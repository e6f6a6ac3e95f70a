"""Reading and changing the provider's settings, including its logo and signature images."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from flask import current_app
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from lms.audit import services as audit
from lms.auth.models import User
from lms.errors import DomainError
from lms.extensions import db
from lms.provider.models import SETTINGS_ID, ProviderSettings
from lms.storage import get_storage

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_PIXELS = 4000 * 4000


class InvalidImage(DomainError):
    def __init__(self, what: str) -> None:
        super().__init__(f"The {what} must be a PNG or JPEG image of at most 2 MB.")


@dataclass(frozen=True)
class ProviderDetails:
    name: str
    address: str
    website: str
    signatory_name: str
    signatory_title: str
    nccaom_provider_number: str
    california_cep_number: str
    ce_broker_provider_number: str


def current_settings() -> ProviderSettings:
    """The settings row, or unsaved defaults when nobody has filled them in yet."""
    settings = db.session.get(ProviderSettings, SETTINGS_ID)
    if settings is None:
        settings = ProviderSettings(
            id=SETTINGS_ID,
            name=current_app.config["PROVIDER_NAME"],
            address="",
            website="",
            signatory_name="",
            signatory_title="",
            nccaom_provider_number="",
            california_cep_number="",
            ce_broker_provider_number="",
        )
    return settings


def _normalised_png(data: bytes, what: str) -> bytes:
    """Check an uploaded image and re-encode it as PNG (drops metadata and odd formats)."""
    if not data or len(data) > MAX_IMAGE_BYTES:
        raise InvalidImage(what)
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in {"PNG", "JPEG"}:
                raise InvalidImage(what)
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise InvalidImage(what)
            image.load()
            converted = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
            out = io.BytesIO()
            converted.save(out, format="PNG", optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise InvalidImage(what) from error


def _store_image(kind: str, data: bytes, what: str) -> str:
    png = _normalised_png(data, what)
    key = f"provider/{kind}-{uuid.uuid4().hex}.png"
    get_storage().put(key, png, "image/png")
    return key


def update_settings(
    details: ProviderDetails,
    actor: User | None,
    logo: bytes | None = None,
    signature: bytes | None = None,
) -> ProviderSettings:
    """Save the provider's details; new images replace the old ones (kept in storage)."""
    settings = db.session.scalar(
        select(ProviderSettings).where(ProviderSettings.id == SETTINGS_ID).with_for_update()
    )
    if settings is None:
        settings = ProviderSettings(id=SETTINGS_ID)
        db.session.add(settings)
    before = {name: getattr(settings, name, None) for name in details.__dataclass_fields__}
    for name in details.__dataclass_fields__:
        setattr(settings, name, getattr(details, name).strip())
    if logo:
        settings.logo_key = _store_image("logo", logo, "logo")
    if signature:
        settings.signature_key = _store_image("signature", signature, "signature image")
    db.session.flush()
    changed = {
        name: {"from": before[name], "to": getattr(settings, name)}
        for name in details.__dataclass_fields__
        if before[name] != getattr(settings, name)
    }
    audit.record(
        actor,
        "provider.update",
        settings,
        changed=changed,
        logo=bool(logo),
        signature=bool(signature),
    )
    return settings


def image_bytes(key: str | None) -> bytes | None:
    """An uploaded image, cached per process (keys are never reused for other content)."""
    if not key:
        return None
    cached = _image_cache.get(key)
    if cached is None:
        cached = _image_cache[key] = get_storage().get(key)
    return cached


_image_cache: dict[str, bytes] = {}
