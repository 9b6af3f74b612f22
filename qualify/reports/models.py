"""Rollup tables: how many distinct people did what, per group, course, module kind and month.

Nothing here names a person. The dashboard reads these tables only; `rollup.refresh_rollups` writes them.
"""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qualify.core.time import UTCDateTime, utcnow
from qualify.extensions import db


class ParticipationRollup(db.Model):
    """Distinct people of one unit (None: people without a unit) doing `metric` in one month.

    course_id None means "any course", module_kind None "any kind": distinct counts do not add up across
    courses or kinds, so those totals are counted, not summed. Absent rows mean zero.
    """

    __tablename__ = "participation_rollup"
    __table_args__ = (Index("ix_participation_rollup_lookup", "organisation_id", "course_id", "module_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    module_kind: Mapped[str | None] = mapped_column(String(20))
    month: Mapped[date] = mapped_column(Date, index=True)
    metric: Mapped[str] = mapped_column(String(30))
    people: Mapped[int]


class UnitHeadcount(db.Model):
    """How many people belonged to a unit (None: no unit) of an organisation when the month was counted."""

    __tablename__ = "unit_headcount"
    __table_args__ = (Index("ix_unit_headcount_lookup", "organisation_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)
    people: Mapped[int]


class RollupMonth(db.Model):
    """A month the rollups hold; only complete months are ever reported, older ones are never recounted."""

    __tablename__ = "rollup_months"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WithheldCell(db.Model):
    """A figure of a protected report table that was withheld once: it stays withheld after every later count.

    Protection is decided over all counted months together, so a new month could move a complement and publish
    a figure an earlier view withheld – and the two views together would tell what the first one hid
    (reports/withheld.py). No person here: the coordinates of an aggregate cell only.
    """

    __tablename__ = "report_withheld_cells"
    __table_args__ = (UniqueConstraint("table_key", "month", "cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_key: Mapped[str] = mapped_column(String(40))  # the scope and the family: "organisation 7/courses"
    month: Mapped[date] = mapped_column(Date)
    cell: Mapped[str] = mapped_column(String(100))  # "group|metric|course|kind", "-" for none (all courses, …)
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the count after which it was first withheld
