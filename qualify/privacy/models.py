"""Retention periods as agreed with the works council, one row per data category."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from qualify.core.time import UTCDateTime, utcnow
from qualify.extensions import db


class RetentionRule(db.Model):
    """How many days a category of data is kept; a row overrides the default in the catalogue."""

    __tablename__ = "retention_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(40), unique=True)
    days: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
