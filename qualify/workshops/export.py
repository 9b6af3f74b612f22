"""The participant list as CSV for spreadsheets, safe against formula injection."""

import csv
import io

from flask_babel import gettext as _

from qualify.core.time import to_local
from qualify.workshops.forms import ATTENDANCE_LABELS, STATUS_LABELS
from qualify.workshops.models import Booking

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def participants_csv(bookings: list[Booking], positions: dict[int, int]) -> str:
    """Write the bookings as semicolon-separated CSV with a BOM (what German Excel opens correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([_("Name"), _("E-Mail"), _("Personalnummer"), _("Status"), _("Warteliste"),
                     _("Anwesenheit"), _("Gebucht am")])
    for booking in bookings:
        user = booking.user
        writer.writerow([safe_cell(cell) for cell in (
            user.display_name, "" if user.is_stand_in else user.email, user.personnel_number or "",
            STATUS_LABELS.get(booking.status, booking.status), positions.get(booking.id, ""),
            ATTENDANCE_LABELS.get(booking.attendance, booking.attendance or ""),
            to_local(booking.booked_at).strftime("%d.%m.%Y %H:%M"))])
    return "\ufeff" + buffer.getvalue()
