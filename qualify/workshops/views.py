"""Session lists and page, booking, calendar files and feeds, the module panel (trainers' pages: trainer_views,
the attendance list: attendance_views)."""

from datetime import date

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from qualify.core.database import without_transaction
from qualify.core.routing import add_signed_in_routes
from qualify.core.time import to_local, utcnow
from qualify.courses import catalogue
from qualify.courses.models import Module
from qualify.exchange.spaces import moderates_space_of_module
from qualify.extensions import db
from qualify.workshops import (
    access,
    attendance_views,
    calendar,
    mails,
    queries,
    schedule,
    services,
    trainer_views,
)
from qualify.workshops.forms import FORMAT_LABELS, STATUS_LABELS
from qualify.workshops.models import WorkshopSession
from qualify.workshops.services import BookingError

bp = Blueprint("workshops", __name__, url_prefix="/termine")

STATUS_MESSAGES = {
    "confirmed": _l("Ihr Platz ist bestätigt."),
    "waitlisted": _l("Der Termin ist voll – Sie stehen auf der Warteliste."),
    "pending": _l("Ihre Anmeldung wartet auf Freigabe."),
}
# What a person sees of their own seat once the trainer took attendance (instead of "seat confirmed").
ATTENDANCE_SAID = {
    "present": _l("Als anwesend eingetragen"),
    "excused": _l("Als entschuldigt eingetragen"),
    "absent": _l("Als abwesend eingetragen"),
}
PAST_LED_DAYS = 30  # how far back "my sessions" lists the sessions a trainer led, for attendance typed in later


def _date_arg(name: str) -> date | None:
    try:
        chosen = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return chosen if date(2000, 1, 1) <= chosen <= date(2100, 12, 31) else None  # a day before or after overflows


@bp.get("/")
@login_required
@without_transaction
def upcoming():
    """List upcoming sessions of all published courses, filtered by place, format and dates."""
    chosen_format = request.args.get("format", "")
    date_from, date_to = _date_arg("von"), _date_arg("bis")
    if date_from and date_to and date_from > date_to:  # typed the wrong way round: meant the days between
        date_from, date_to = date_to, date_from
    chosen = queries.SessionFilter(place=request.args.get("ort", "").strip()[:100],
                                   format=chosen_format if chosen_format in FORMAT_LABELS else "",
                                   date_from=date_from, date_to=date_to)
    sessions = queries.upcoming_sessions(utcnow(), chosen=chosen)
    session_ids = [s.id for s in sessions]
    return render_template("workshops/upcoming.html", sessions=sessions, chosen=chosen, course=None,
                           counts=services.counts_for(session_ids), formats=FORMAT_LABELS,
                           own=queries.own_bookings(current_user, session_ids))


@bp.get("/kurs/<slug>")
@login_required
def course_sessions(slug: str):
    """List the upcoming sessions of one course."""
    course = catalogue.course_with_outline(slug)
    if course is None or not catalogue.can_view(current_user, course):
        abort(404)
    sessions = queries.upcoming_sessions(utcnow(), course=course)
    session_ids = [s.id for s in sessions]
    return render_template("workshops/upcoming.html", sessions=sessions, chosen=queries.SessionFilter(),
                           course=course, counts=services.counts_for(session_ids), formats=FORMAT_LABELS,
                           own=queries.own_bookings(current_user, session_ids))


@bp.get("/meine")
@login_required
@without_transaction
def mine():
    """Show my bookings, the sessions I lead, and my calendar subscription."""
    now = utcnow()
    bookings = queries.bookings_of(current_user, now)
    # One statement for the current and the past sessions led, split here.
    led = queries.sessions_led_by(current_user, now, past_days=PAST_LED_DAYS)
    current = [s for s in led if s.ends_at >= now - queries.STILL_CURRENT]
    past = [s for s in reversed(led) if s.ends_at < now - queries.STILL_CURRENT and not s.is_cancelled]
    return render_template("workshops/mine.html", bookings=bookings, now=now,
                           positions={b.id: services.waitlist_position(b) for b in bookings
                                      if b.status == "waitlisted"},
                           clashes=services.clashing_bookings(bookings, now),
                           led=current, led_past=past, past_days=PAST_LED_DAYS,
                           unmarked=queries.unmarked_attendance([s.id for s in past]),
                           has_feed=calendar.has_feed(current_user),
                           feed_url=None, attendance_said=ATTENDANCE_SAID)


@bp.get("/<int:session_id>")
@login_required
@without_transaction
def session(session_id: int):
    """Show a session: when, where, seats, and my booking with its actions."""
    session = access.visible_session(session_id)
    now = utcnow()
    mine = services.my_bookings_around(current_user, session, now)
    booking = mine.here
    manages = services.can_manage(current_user, session)
    counts, attended = services.counts_and_attendance(session)
    leads = services.is_trainer_of(current_user, session)
    has_seat = booking is not None and booking.status == "confirmed"
    return render_template(
        "workshops/session.html", session=session, booking=booking, now=now, mine=mine,
        counts=counts, seat_free=not session.approval_required and counts.get("confirmed", 0) < session.capacity
        and not counts.get("waitlisted"),
        position=services.waitlist_position(booking) if booking else None, manages=manages,
        open=services.bookings_open(session, now), labels=STATUS_LABELS, formats=FORMAT_LABELS,
        attendance_said=ATTENDANCE_SAID,
        show_link=not session.is_cancelled and (manages or has_seat),
        # Offered once the date is the person's own: before booking it would put a date in their calendar that
        # they may not get a seat for.
        offers_calendar_file=not session.is_cancelled and (has_seat or leads),
        can_attend=not session.is_cancelled and services.can_take_attendance(current_user, session),
        leads=leads,
        # Once attendance is entered the session took place: not offered for cancelling (schedule.cancel_session).
        took_place=schedule.TOOK_PLACE if attended else None,
        # An exchange session's participants agree to be named in its minutes in the module's space, not here.
        links_space=has_seat and not session.is_cancelled and session.kind == "exchange",
        # The minutes of an exchange session are written by the moderators of its space: one step from here.
        writes_minutes=manages and session.kind == "exchange"
        and moderates_space_of_module(current_user, session.module))


@bp.post("/<int:session_id>/buchung")
@login_required
def book(session_id: int):
    """Book a seat, a place on the waitlist, or ask for approval."""
    return _booked_by(services.book, access.visible_session(session_id))


@bp.post("/<int:session_id>/buchung/wechseln")
@login_required
def switch_booking(session_id: int):
    """Take a free seat here and give up my booking at another date of the module."""
    session = access.visible_session(session_id)
    old = services.my_bookings_around(current_user, session, utcnow()).same_module
    if old is None:
        return _booked_by(services.switch_to, session)
    old_when, had_seat = mails.session_when(old.session), old.status == "confirmed"

    def said(booking) -> str:
        new_when = mails.session_when(booking.session)
        if had_seat:
            return _("Termin gewechselt: Ihr Platz am %(new)s ist bestätigt, Ihre Teilnahme am %(old)s ist abgesagt.",
                     new=new_when, old=old_when)
        return _("Termin gewechselt: Ihr Platz am %(new)s ist bestätigt, Ihre Anmeldung am %(old)s ist "
                 "zurückgezogen.", new=new_when, old=old_when)

    return _booked_by(services.switch_to, session, said=said)


def _booked_by(booking_function, session, said=lambda booking: str(STATUS_MESSAGES[booking.status])):
    session_id = session.id  # read now: a failed booking rolls back, and the session expires with it
    try:
        booking = booking_function(session, current_user, now=utcnow())
    except BookingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        # Said before the commit, which would expire the booking and the person (two more statements).
        flash(said(booking))
        db.session.commit()
    return access.back_to_session(session_id)


@bp.post("/<int:session_id>/buchung/stornieren")
@login_required
def cancel_booking(session_id: int):
    """Cancel my booking (a seat frees for the waitlist)."""
    session = access.visible_session(session_id)
    booking = services.booking_of(current_user, session)
    if booking is None:
        abort(404)
    had_seat = booking.status == "confirmed"
    try:
        services.cancel(booking, now=utcnow())
    except BookingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Ihre Teilnahme ist abgesagt.") if had_seat else _("Ihre Anmeldung ist zurückgezogen."))
    return access.back_to_session(session_id)


@bp.get("/<int:session_id>/termin.ics")
@login_required
def session_ics(session_id: int):
    """Download the session as a calendar file (with the online link only for confirmed participants)."""
    session = access.visible_session(session_id)
    booking = services.booking_of(current_user, session)
    include_link = services.can_manage(current_user, session) or (booking is not None and
                                                                   booking.status == "confirmed")
    data = calendar.session_ics(session, include_link=include_link, mailed=False,
                                page_url=url_for("workshops.session", session_id=session.id, _external=True),
                                personal_sequence=booking.calendar_sequence if booking is not None else 0)
    response = make_response(data)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    # Module and day, as the participants' list: a download folder tells the dates apart.
    filename = _("termin-%(module)s-%(day)s.ics", module=session.module.slug,
                 day=to_local(session.starts_at).date().isoformat())
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.post("/kalender/abo")
@login_required
def create_feed():
    """Create (or renew) my calendar subscription, then show its address once (after a redirect: reloading the
    page must not replace the address just copied)."""
    token = calendar.create_feed_token(current_user)
    db.session.commit()
    flask_session[NEW_FEED_TOKEN] = token
    return redirect(url_for("workshops.new_feed"))


NEW_FEED_TOKEN = "new_feed_token"  # noqa: S105 (the session key's name, not a secret)


@bp.get("/kalender/abo")
@login_required
def new_feed():
    """Show the address of the subscription just created, once."""
    token = flask_session.pop(NEW_FEED_TOKEN, None)
    if token is None:
        return redirect(url_for("workshops.mine"))
    feed_url = url_for("workshops.feed", token=token, _external=True)
    # webcal: opens the calendar app of a phone or Mac with the subscription filled in.
    webcal_url = "webcal://" + feed_url.split("://", 1)[1] if feed_url.startswith(("https://", "http://")) else None
    response = make_response(render_template("workshops/feed.html", feed_url=feed_url, webcal_url=webcal_url))
    response.headers["Cache-Control"] = "no-store"  # the secret address stays out of caches and history
    return response


@bp.post("/kalender/abo/widerrufen")
@login_required
def revoke_feed():
    """Revoke my calendar subscription address."""
    calendar.revoke_feed(current_user)
    db.session.commit()
    flash(_("Die Kalender-Adresse ist widerrufen und funktioniert nicht mehr."))
    return redirect(url_for("workshops.mine"))


@bp.get("/kalender/<token>.ics")
def feed(token: str):
    """Serve a person's confirmed sessions to their calendar app (the secret address is the key)."""
    user = calendar.user_for_feed_token(token)
    if user is None:
        abort(404)
    sessions = queries.feed_sessions(user, utcnow())
    data = calendar.feed_ics(sessions, name="Qualify",
                             page_url=lambda s: url_for("workshops.session", session_id=s.id, _external=True))
    response = make_response(data)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_filter("session_when")
def session_when(session: WorkshopSession) -> str:
    """Name the day and time span of a session in Europe/Berlin."""
    return mails.session_when(session)


@bp.app_template_filter("moment")
def moment(value) -> str:
    """Name a deadline or other point in time as the workshop mails do, the year in full."""
    return mails.moment(value) if value else ""


@bp.app_template_global("bookable")
def bookable(session: WorkshopSession) -> bool:
    """Whether the session takes bookings now: lists say so rather than count seats nobody can book."""
    return services.bookings_open(session, utcnow())


@bp.app_template_global("plans_sessions")
def plans_sessions(module: Module) -> bool:
    """Whether the signed-in person may plan sessions of the module now: where "Termin planen" is offered (the
    module's page, its editor, a cancelled session's form), it leads to a form that opens."""
    version = module.current_version
    return (not module.archived and version is not None and version.kind in schedule.SESSION_KINDS
            and current_user.is_authenticated and services.can_plan(current_user, module))


@bp.app_context_processor
def module_sessions_panel():
    """Let the module page list a workshop module's sessions without the courses package importing us."""
    return {"workshop_sessions_for": sessions_for_module}


def sessions_for_module(module: Module, version) -> dict | None:
    if version.kind not in schedule.SESSION_KINDS:
        return None
    sessions = queries.module_sessions(module, utcnow())
    session_ids = [s.id for s in sessions]
    return {"sessions": sessions, "counts": services.counts_for(session_ids),
            "own": queries.own_bookings(current_user, session_ids), "can_plan": services.can_plan(current_user, module)}


add_signed_in_routes(bp, trainer_views.ROUTES)
add_signed_in_routes(bp, attendance_views.ROUTES)
