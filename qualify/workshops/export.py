"""The participant list as CSV for spreadsheets, safe against formula injection."""

import csv
import io

from flask_babel import gettext as _

from qualify.core import spreadsheets
from qualify.core.time import to_local
from qualify.workshops.forms import ATTENDANCE_LABELS, STATUS_LABELS
from qualify.workshops.models import Booking

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def participants_csv(bookings: list[Booking], positions: dict[int, int], *, personnel_numbers: bool = False) -> str:
    """Write the bookings as CSV with a BOM, separated and dated as the reader's spreadsheet expects; with the
    personnel numbers only for the administration (account data, which trainers – often from outside the
    company – do not see)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=spreadsheets.delimiter(), quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([_("Name"), _("E-Mail"), *([_("Personalnummer")] if personnel_numbers else []), _("Status"),
                     _("Warteliste"), _("Anwesenheit"), _("Gebucht am")])
    for booking in bookings:
        user = booking.user
        writer.writerow([safe_cell(cell) for cell in (
            user.display_name, "" if user.is_stand_in else user.email,
            *([user.personnel_number or ""] if personnel_numbers else []),
            STATUS_LABELS.get(booking.status, booking.status), positions.get(booking.id, ""),
            ATTENDANCE_LABELS.get(booking.attendance, booking.attendance or ""),
            spreadsheets.datetime_cell(to_local(booking.booked_at)))])
    return "\ufeff" + buffer.getvalue()
