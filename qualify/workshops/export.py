"""The participant list as CSV for spreadsheets, safe against formula injection."""

import csv
import io

from flask_babel import gettext as _

from qualify.core import spreadsheets
from qualify.core.time import to_local
from qualify.workshops.forms import AT_CANCELLING_LABELS, ATTENDANCE_LABELS, STATUS_LABELS, WALK_IN_LABEL
from qualify.workshops.models import Booking

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def participants_csv(bookings: list[Booking], positions: dict[int, int], *, personnel_numbers: bool = False,
                     walk_ins: dict[int, str] | None = None, cancelled: bool = False) -> str:
    """Write the bookings as CSV with a BOM, separated and dated as the reader's spreadsheet expects; with the
    personnel numbers only for the administration (account data, which trainers – often from outside the
    company – do not see).

    `walk_ins` (queries.walk_ins): those who came without a seat are named so, with no booking date unless they
    had booked before; a `cancelled` session's people stand as they did when it was cancelled."""
    walk_ins = walk_ins or {}
    labels = {**STATUS_LABELS, **AT_CANCELLING_LABELS} if cancelled else STATUS_LABELS
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=spreadsheets.delimiter(), quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([_("Name"), _("E-Mail"), *([_("Personalnummer")] if personnel_numbers else []), _("Status"),
                     _("Warteliste"), _("Anwesenheit"), _("Gebucht am")])
    for booking in bookings:
        user = booking.user
        before = walk_ins.get(booking.id)
        status = WALK_IN_LABEL if before is not None else labels.get(booking.status, booking.status)
        # A walk-in's row was made when they were entered: that is no booking date.
        booked = "" if before == "none" else spreadsheets.datetime_cell(to_local(booking.booked_at))
        writer.writerow([safe_cell(cell) for cell in (
            user.display_name, "" if user.is_stand_in else user.email,
            *([user.personnel_number or ""] if personnel_numbers else []),
            status, positions.get(booking.id, ""),
            ATTENDANCE_LABELS.get(booking.attendance, booking.attendance or ""), booked)])
    return "\ufeff" + buffer.getvalue()
