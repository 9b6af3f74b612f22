"""The participant list as CSV for spreadsheets, safe against formula injection."""

import csv
import io

from flask_babel import gettext as _

from qualify.core import spreadsheets
from qualify.core.time import to_local
from qualify.workshops.forms import ATTENDANCE_LABELS, status_label
from qualify.workshops.models import Booking

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def participants_csv(bookings: list[Booking], positions: dict[int, int], *, personnel_numbers: bool = False,
                     cancelled: bool = False) -> str:
    """Write the bookings as CSV with a BOM, separated and dated as the reader's spreadsheet expects; with the
    personnel numbers only for the administration (account data, which trainers – often from outside the
    company – do not see).

    Those who came without a seat are named so, with no booking date unless they had booked before; a `cancelled`
    session's people stand as they did when it was cancelled."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=spreadsheets.delimiter(), quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([_("Name"), _("E-Mail"), *([_("Personalnummer")] if personnel_numbers else []), _("Status"),
                     _("Warteliste"), _("Anwesenheit"), _("Gebucht am")])
    for booking in bookings:
        user = booking.user
        # A walk-in's row made when they were entered: that is no booking date.
        booked = "" if booking.booked_on_walking_in else spreadsheets.datetime_cell(to_local(booking.booked_at))
        writer.writerow([safe_cell(cell) for cell in (
            user.display_name, "" if user.is_stand_in else user.email,
            *([user.personnel_number or ""] if personnel_numbers else []),
            status_label(booking, cancelled=cancelled), positions.get(booking.id, ""),
            ATTENDANCE_LABELS.get(booking.attendance, booking.attendance or ""), booked)])
    return "\ufeff" + buffer.getvalue()
