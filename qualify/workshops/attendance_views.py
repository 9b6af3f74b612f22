"""The attendance list a trainer keeps in the room: marks one by one or everyone still open at once, and who came
without a seat – from the waitlist by name, or anyone else by address.

Registered on the workshops blueprint from the ROUTES table at the end of this file; each checks its session.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from qualify.core.routing import BOTH, POST, id_argument
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.workshops import access, queries, services
from qualify.workshops.attendance import (
    ATTENDANCE_OPENS_BEFORE,
    NoAccountHere,
    add_walk_in,
    enter_walk_in,
    mark_attendance,
    mark_rest_present,
)
from qualify.workshops.forms import ATTENDANCE_LABELS, STATUS_LABELS, WALK_IN_LABEL, WalkInForm
from qualify.workshops.models import ATTENDANCE, Booking
from qualify.workshops.services import BookingError


def attendance(session_id: int):
    """Keep the attendance list; present marks the module done."""
    session = _attendance_session(session_id)
    if request.method == "POST":
        booking = db.session.get(Booking, id_argument(request.form.get("booking_id")) or 0)
        value = request.form.get("value", "")
        if booking is None or booking.session_id != session.id or value not in ATTENDANCE:
            abort(400)
        try:
            note = mark_attendance(booking, value, by=current_user, now=utcnow())
        except BookingError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            if note:
                flash(note, "warning")
        return redirect(url_for("workshops.attendance", session_id=session.id) + f"#b{booking.id}")
    return _attendance_page(session, WalkInForm(formdata=None))


def rest_present(session_id: int):
    """Mark everyone still open (as the page showed them) present in one go, asked once more on the page."""
    session = _attendance_session(session_id)
    booking_ids = [id_ for id_ in map(id_argument, request.form.getlist("booking_id")) if id_]
    try:
        count = mark_rest_present(session, booking_ids, by=current_user, now=utcnow())
    except BookingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(ngettext("%(num)d Person als anwesend eingetragen.", "%(num)d Personen als anwesend eingetragen.",
                       count) if count else _("Es war niemand mehr offen; nichts wurde geändert."), "success")
    return redirect(url_for("workshops.attendance", session_id=session.id))


def walk_in(session_id: int):
    """Enter someone who came without a seat as present; on an error the address typed stays in the field."""
    session = _attendance_session(session_id)
    form = WalkInForm()
    if form.validate_on_submit():
        try:
            person, booking, notes = enter_walk_in(session, form.email.data, by=current_user, now=utcnow())
        except NoAccountHere as error:
            db.session.commit()  # the refusal's log entry: nothing else was written
            form.email.errors.append(str(error))
        except BookingError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            return _entered(session, person.display_name, booking.id, notes)
    return _attendance_page(session, form)


def waiting_came(session_id: int):
    """Enter someone from the waitlist, or with a request still open, who came after all: present, by one tap on
    their name instead of typing their address."""
    session = _attendance_session(session_id)
    booking = access.booking_in_form(session)
    try:
        booking, notes = add_walk_in(session, booking.user, by=current_user, now=utcnow())
    except BookingError as error:  # a second tap: already on the list; or the list not open yet
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("workshops.attendance", session_id=session.id))
    return _entered(session, booking.user.display_name, booking.id, notes)


def _entered(session, name: str, booking_id: int, notes: list[str]):
    """Commit a walk-in, say so, and show the person's line of the list (name and id read before the commit,
    which expires them)."""
    db.session.commit()
    flash(_("%(name)s ist als anwesend eingetragen.", name=name), "success")
    for note in notes:
        flash(note, "warning")
    return redirect(url_for("workshops.attendance", session_id=session.id) + f"#b{booking_id}")


def _attendance_session(session_id: int):
    session = access.visible_session(session_id)
    if not services.can_take_attendance(current_user, session):
        abort(403)
    return session


def _attendance_page(session, walk_in_form: WalkInForm):
    participants = queries.participants(session)
    bookings = [b for b in participants if b.status == "confirmed"]
    opens_at = session.starts_at - ATTENDANCE_OPENS_BEFORE
    return render_template("workshops/attendance.html", session=session, bookings=bookings,
                           tally={value: sum(b.attendance == value for b in bookings)
                                  for value in (*ATTENDANCE, None)},  # None: not marked yet
                           attendance_labels=ATTENDANCE_LABELS, opens_at=opens_at if utcnow() < opens_at else None,
                           walk_in_form=walk_in_form, walk_in_label=WALK_IN_LABEL, closed=session.is_cancelled,
                           # Who may come after all: entered by name, without typing an address.
                           waiting=[b for b in participants if b.status in ("waitlisted", "pending")],
                           positions=queries.waitlist_positions(participants), labels=STATUS_LABELS)


# Registered by the blueprint's module with core.routing.add_signed_in_routes.
ROUTES = (
    ("/<int:session_id>/anwesenheit", attendance, BOTH),
    ("/<int:session_id>/anwesenheit/ohne-platz", walk_in, POST),
    ("/<int:session_id>/anwesenheit/alle-offenen", rest_present, POST),
    ("/<int:session_id>/anwesenheit/von-der-warteliste", waiting_came, POST),
)
