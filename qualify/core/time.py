"""Time helpers: everything is stored in UTC and shown in Europe/Berlin."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

LOCAL_TZ = ZoneInfo("Europe/Berlin")


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def to_local(value: datetime) -> datetime:
    """Convert an aware (or naive UTC) datetime to Europe/Berlin."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ)


def local_day_start(day: date) -> datetime:
    """Return the moment the day begins in Europe/Berlin, as an aware UTC datetime."""
    return datetime.combine(day, time(0), LOCAL_TZ).astimezone(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC on every database and returned as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
