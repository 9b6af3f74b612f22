"""Anonymous feedback on formats: what was said, and (apart from it) that someone has said it.

The two tables share nothing: the answer names no person and holds only the month; the marker holds only a
keyed hash of person and module, so one person answers once per module. Answer ids are random, so that the
order of the answers does not line up with the order of the markers.
"""

import secrets
from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qualify.extensions import db

FORMATS = ("in-person", "online", "hybrid", "self-study")


def random_id() -> int:
    return secrets.randbelow(2**62) + 1


class FormatFeedback(db.Model):
    """One anonymous answer about a module: two 1–5 scales, a recommendation, an optional comment."""

    __tablename__ = "format_feedback"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False, default=random_id)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    module_kind: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(20))
    usefulness: Mapped[int]
    difficulty: Mapped[int]
    would_recommend: Mapped[bool]
    comment: Mapped[str | None] = mapped_column(Text)
    month: Mapped[date] = mapped_column(Date)  # the first of the month, never the day or time


class FormatFeedbackGiven(db.Model):
    """That someone gave feedback on a module: HMAC(SECRET_KEY, "user_id:module_id"), nothing else."""

    __tablename__ = "format_feedback_given"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
