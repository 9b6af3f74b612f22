"""Loading sessions and bookings for a view, with the access check on every one, and the way back to a session."""

from flask import abort, redirect, request, url_for
from flask_login import current_user

from qualify.core.routing import id_argument
from qualify.extensions import db
from qualify.workshops import queries, services
from qualify.workshops.models import Booking, WorkshopSession


def visible_session(session_id: int) -> WorkshopSession:
    """The session with its module and course, if the current person may see it (else 404)."""
    session = queries.session_with_course(session_id)
    if session is None or not services.can_view(current_user, session):
        abort(404)
    return session


def managed_session(session_id: int) -> WorkshopSession:
    """The session, if the current person leads it or plans its module (else 403)."""
    session = visible_session(session_id)
    if not services.can_manage(current_user, session):
        abort(403)
    return session


def booking_in_form(session: WorkshopSession) -> Booking:
    """The booking named in the posted form, if it is one of this session's (else 404)."""
    booking = db.session.get(Booking, id_argument(request.form.get("booking_id")) or 0)
    if booking is None or booking.session_id != session.id:
        abort(404)
    return booking


def managed_booking(booking_id: int) -> Booking:
    """The booking, if the current person manages its session."""
    booking = db.get_or_404(Booking, booking_id)
    managed_session(booking.session_id)
    return booking


def back_to_session(session_id: int):
    """Redirect to the session's page."""
    return redirect(url_for("workshops.session", session_id=session_id))
