"""The provider's settings: one row, printed on every certificate."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import utcnow
from lms.extensions import db

SETTINGS_ID = 1


class ProviderSettings(db.Model):
    __tablename__ = "provider_settings"
    # A singleton: the database refuses a second row.
    __table_args__ = (CheckConstraint("id = 1", name="singleton"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=SETTINGS_ID)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    logo_key: Mapped[str | None] = mapped_column(String(300))
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_title: Mapped[str] = mapped_column(String(200), default="")
    signature_key: Mapped[str | None] = mapped_column(String(300))
    nccaom_provider_number: Mapped[str] = mapped_column(String(40), default="")
    california_cep_number: Mapped[str] = mapped_column(String(40), default="")
    ce_broker_provider_number: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
