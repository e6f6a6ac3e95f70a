"""What the admin area stores: uploaded bulk-enrolment files between preview and confirm."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.db import TimestampMixin
from lms.extensions import db


class BulkEnrolmentBatch(TimestampMixin, db.Model):
    """An uploaded CSV, kept on the server so the confirm applies exactly what was previewed."""

    __tablename__ = "bulk_enrolment_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # The preview page sends this back; a confirm for other content is refused.
    sha256: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
