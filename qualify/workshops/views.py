"""Session lists, the session page, booking, planning, the trainer's view, attendance and calendar files."""

from datetime import date

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from qualify.core.database import without_transaction
from qualify.core.time import to_local, utcnow
from qualify.courses import catalogue
from qualify.courses.models import Module
from qualify.extensions import db
from qualify.workshops import calendar, export, mails, queries, schedule, services
from qualify.workshops.forms import FORMAT_LABELS, NewSessionForm, SessionForm, parse_dates
from qualify.workshops.models import ATTENDANCE, Booking, WorkshopSession
from qualify.workshops.schedule import ScheduleError, SessionPlan
from qualify.workshops.services import BookingError

bp = Blueprint("workshops", __name__, url_prefix="/termine")

STATUS_MESSAGES = {
    "confirmed": _l("Ihr Platz ist bestätigt."),
    "waitlisted": _l("Der Termin ist voll – Sie stehen auf der Warteliste."),
    "pending": _l("Ihre Anmeldung wartet auf Freigabe."),
}
STATUS_LABELS = {
    "confirmed": _l("Platz bestätigt"), "waitlisted": _l("Warteliste"), "pending": _l("wartet auf Freigabe"),
    "declined": _l("abgelehnt"), "cancelled": _l("storniert"), "expired": _l("kein Platz frei geworden"),
}
ATTENDANCE_LABELS = {"present": _l("anwesend"), "excused": _l("entschuldigt"), "absent": _l("abwesend")}


def _visible_session(session_id: int) -> WorkshopSession:
    session = queries.session_with_course(session_id)
    if session is None or not services.can_view(current_user, session):
        abort(404)
    return session


def _managed_session(session_id: int) -> WorkshopSession:
    session = _visible_session(session_id)
    if not services.can_manage(current_user, session):
        abort(403)
    return session


def _managed_booking(booking_id: int) -> Booking:
    booking = db.get_or_404(Booking, booking_id)
    _managed_session(booking.session_id)
    return booking


def _to_session(session_id: int):
    return redirect(url_for("workshops.session", session_id=session_id))


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/")
@login_required
@without_transaction
def upcoming():
    """List upcoming sessions of all published courses, filtered by place, format and dates."""
    chosen_format = request.args.get("format", "")
    chosen = queries.SessionFilter(place=request.args.get("ort", "").strip()[:100],
                                   format=chosen_format if chosen_format in FORMAT_LABELS else "",
                                   date_from=_date_arg("von"), date_to=_date_arg("bis"))
    sessions = queries.upcoming_sessions(utcnow(), chosen=chosen)
    return render_template("workshops/upcoming.html", sessions=sessions, chosen=chosen, course=None,
                           counts=services.counts_for([s.id for s in sessions]), formats=FORMAT_LABELS)


@bp.get("/kurs/<slug>")
@login_required
def course_sessions(slug: str):
    """List the upcoming sessions of one course."""
    course = catalogue.course_with_outline(slug)
    if course is None or not catalogue.can_view(current_user, course):
        abort(404)
    sessions = queries.upcoming_sessions(utcnow(), course=course)
    return render_template("workshops/upcoming.html", sessions=sessions, chosen=queries.SessionFilter(),
                           course=course, counts=services.counts_for([s.id for s in sessions]),
                           formats=FORMAT_LABELS)


@bp.get("/meine")
@login_required
@without_transaction
def mine():
    """Show my bookings, the sessions I lead, and my calendar subscription."""
    now = utcnow()
    bookings = queries.bookings_of(current_user, now)
    return render_template("workshops/mine.html", bookings=bookings, now=now,
                           positions={b.id: services.waitlist_position(b) for b in bookings
                                      if b.status == "waitlisted"},
                           led=queries.sessions_led_by(current_user, now),
                           has_feed=calendar.has_feed(current_user),
                           feed_url=None, labels=STATUS_LABELS)


@bp.get("/<int:session_id>")
@login_required
@without_transaction
def session(session_id: int):
    """Show a session: when, where, seats, and my booking with its actions."""
    session = _visible_session(session_id)
    booking = services.booking_of(current_user, session)
    now = utcnow()
    manages = services.can_manage(current_user, session)
    return render_template(
        "workshops/session.html", session=session, booking=booking, now=now,
        counts=services.status_counts(session),
        position=services.waitlist_position(booking) if booking else None, manages=manages,
        open=services.bookings_open(session, now), labels=STATUS_LABELS, formats=FORMAT_LABELS,
        show_link=manages or (booking is not None and booking.status == "confirmed"),
        can_attend=services.can_take_attendance(current_user, session))


@bp.post("/<int:session_id>/buchung")
@login_required
def book(session_id: int):
    """Book a seat, a place on the waitlist, or ask for approval."""
    session = _visible_session(session_id)
    try:
        booking = services.book(session, current_user, now=utcnow())
    except BookingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        # Said before the commit, which would expire the booking and the person (two more statements).
        flash(str(STATUS_MESSAGES[booking.status]))
        db.session.commit()
    return _to_session(session_id)


@bp.post("/<int:session_id>/buchung/stornieren")
@login_required
def cancel_booking(session_id: int):
    """Cancel my booking (a seat frees for the waitlist)."""
    session = _visible_session(session_id)
    booking = services.booking_of(current_user, session)
    if booking is None:
        abort(404)
    try:
        services.cancel(booking, now=utcnow())
    except BookingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Ihre Anmeldung ist storniert."))
    return _to_session(session_id)


@bp.get("/<int:session_id>/termin.ics")
@login_required
def session_ics(session_id: int):
    """Download the session as a calendar file (with the online link only for confirmed participants)."""
    session = _visible_session(session_id)
    booking = services.booking_of(current_user, session)
    include_link = services.can_manage(current_user, session) or (booking is not None and
                                                                   booking.status == "confirmed")
    data = calendar.session_ics(session, include_link=include_link,
                                page_url=url_for("workshops.session", session_id=session.id, _external=True))
    response = make_response(data)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="termin-{session.id}.ics"'
    return response


def _trainer_choices(form: SessionForm, module: Module, current: list) -> dict:
    people = queries.trainer_candidates(module, current)
    form.trainers.choices = [(person.id, person.display_name) for person in people]
    return {person.id: person for person in people}


@bp.route("/modul/<int:module_id>/neu", methods=["GET", "POST"])
@login_required
def new_session(module_id: int):
    """Plan a session, or a weekly series of sessions, for a workshop or exchange module."""
    module = db.get_or_404(Module, module_id)
    if module.archived or module.current_version is None or module.current_version.kind not in \
            schedule.SESSION_KINDS:
        abort(404)
    if not services.can_plan(current_user, module):
        abort(403)
    form = NewSessionForm()
    people = _trainer_choices(form, module, [current_user])
    if request.method == "GET":
        form.capacity.data = schedule.default_capacity(module)
        form.format.data = module.current_version.settings.get("format", "in-person")
        form.trainers.data = [current_user.id]
    if form.validate_on_submit():
        try:
            exceptions = parse_dates(form.exceptions.data or "")
            dates = schedule.series_dates(form.day.data, every_weeks=form.every_weeks.data or 0,
                                          until=form.until.data, exceptions=exceptions)
            sessions = schedule.create_sessions(module, form.plan(people), dates, by=current_user,
                                                now=utcnow())
        except ScheduleError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("%(n)d Termin(e) angelegt.", n=len(sessions)))
            return _to_session(sessions[0].id)
    return render_template("workshops/session_form.html", form=form, module=module, session=None)


@bp.route("/<int:session_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int):
    """Change one session; everyone booked is told and gets an updated calendar entry."""
    session = _managed_session(session_id)
    form = SessionForm(obj=None if request.method == "POST" else SessionPlan.of(session))
    people = _trainer_choices(form, session.module, list(session.trainers))
    if request.method == "GET":
        form.day.data = to_local(session.starts_at).date()
        form.trainers.data = [trainer.id for trainer in session.trainers]
    if form.validate_on_submit():
        try:
            schedule.update_session(session, form.plan(people), form.day.data, by=current_user, now=utcnow())
        except ScheduleError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Der Termin ist geändert; alle Angemeldeten wurden benachrichtigt."))
            return _to_session(session_id)
    return render_template("workshops/session_form.html", form=form, module=session.module, session=session)


@bp.post("/<int:session_id>/absagen")
@login_required
def cancel_session(session_id: int):
    """Cancel a session and tell everyone booked."""
    session = _managed_session(session_id)
    told = schedule.cancel_session(session, by=current_user, now=utcnow())
    db.session.commit()
    flash(_("Der Termin ist abgesagt; %(n)d Person(en) wurden benachrichtigt.", n=told))
    return _to_session(session_id)


@bp.get("/<int:session_id>/teilnehmende")
@login_required
def manage(session_id: int):
    """Show the trainer's view: confirmed seats, requests to approve, and the waitlist."""
    session = _managed_session(session_id)
    bookings = queries.participants(session)
    return render_template("workshops/manage.html", session=session, bookings=bookings, labels=STATUS_LABELS,
                           counts=services.status_counts(session), attendance_labels=ATTENDANCE_LABELS,
                           positions=_positions(bookings),
                           can_attend=services.can_take_attendance(current_user, session))


def _positions(bookings: list[Booking]) -> dict[int, int]:
    waiting = [b for b in bookings if b.status == "waitlisted"]
    return {b.id: n for n, b in enumerate(sorted(waiting, key=lambda b: b.queue_number), start=1)}


@bp.get("/<int:session_id>/teilnehmende.csv")
@login_required
def export_csv(session_id: int):
    """Download the participant list as CSV."""
    session = _managed_session(session_id)
    bookings = queries.participants(session)
    response = make_response(export.participants_csv(bookings, _positions(bookings)))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="teilnehmende-{session.id}.csv"'
    return response


@bp.post("/buchungen/<int:booking_id>/freigeben")
@login_required
def approve(booking_id: int):
    """Approve a request: a seat, or the waitlist when full."""
    booking = _managed_booking(booking_id)
    try:
        services.approve(booking, by=current_user, now=utcnow())
    except BookingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Freigegeben: %(name)s", name=booking.user.display_name))
    return redirect(url_for("workshops.manage", session_id=booking.session_id))


@bp.post("/buchungen/<int:booking_id>/ablehnen")
@login_required
def decline(booking_id: int):
    """Decline a request."""
    booking = _managed_booking(booking_id)
    services.decline(booking, by=current_user, now=utcnow())
    db.session.commit()
    flash(_("Abgelehnt: %(name)s", name=booking.user.display_name))
    return redirect(url_for("workshops.manage", session_id=booking.session_id))


@bp.route("/<int:session_id>/anwesenheit", methods=["GET", "POST"])
@login_required
def attendance(session_id: int):
    """Keep the attendance list; present marks the module done."""
    session = _visible_session(session_id)
    if not services.can_take_attendance(current_user, session):
        abort(403)
    if request.method == "POST":
        booking = db.session.get(Booking, request.form.get("booking_id", type=int) or 0)
        value = request.form.get("value", "")
        if booking is None or booking.session_id != session.id or value not in ATTENDANCE:
            abort(400)
        try:
            services.mark_attendance(booking, value, by=current_user, now=utcnow())
        except BookingError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
        return redirect(url_for("workshops.attendance", session_id=session.id) + f"#b{booking.id}")
    bookings = [b for b in queries.participants(session) if b.status == "confirmed"]
    return render_template("workshops/attendance.html", session=session, bookings=bookings,
                           attendance_labels=ATTENDANCE_LABELS)


@bp.post("/kalender/abo")
@login_required
def create_feed():
    """Create (or renew) my calendar subscription; the address is shown once."""
    token = calendar.create_feed_token(current_user)
    db.session.commit()
    feed_url = url_for("workshops.feed", token=token, _external=True)
    return render_template("workshops/feed.html", feed_url=feed_url)


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


@bp.app_context_processor
def module_sessions_panel():
    """Let the module page list a workshop module's sessions without the courses package importing us."""
    return {"workshop_sessions_for": sessions_for_module}


def sessions_for_module(module: Module, version) -> dict | None:
    if version.kind not in schedule.SESSION_KINDS:
        return None
    sessions = queries.module_sessions(module, utcnow())
    return {"sessions": sessions, "counts": services.counts_for([s.id for s in sessions]),
            "can_plan": services.can_plan(current_user, module)}
