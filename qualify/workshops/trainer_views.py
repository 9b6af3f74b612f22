"""The trainers' pages: planning, editing and cancelling sessions, participants and their CSV, requests (the
attendance list: attendance_views).

Registered on the workshops blueprint from the ROUTES table at the end of this file; each checks its session.
"""

from babel.dates import format_skeleton
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from qualify.accounts.roles import Role
from qualify.core import audit
from qualify.core.routing import BOTH, GET, POST, id_argument
from qualify.core.time import to_local, utcnow
from qualify.courses.models import Module
from qualify.extensions import db
from qualify.workshops import access, export, mails, queries, schedule, services
from qualify.workshops.forms import (
    ATTENDANCE_LABELS,
    STATUS_LABELS,
    CancelSessionForm,
    EditSessionForm,
    NewSessionForm,
    ParticipantCancelForm,
    SessionForm,
    parse_dates,
    status_label,
)
from qualify.workshops.models import Booking
from qualify.workshops.schedule import ScheduleError, SessionPlan
from qualify.workshops.services import BookingChanged, BookingError


def _trainer_choices(form: SessionForm, module: Module, current: list) -> dict:
    """Offer those who may lead the module's sessions (and those leading it already); return them by id."""
    people = queries.leader_candidates(module, current)
    form.trainers.choices = [SelectChoice(person.id, person.display_name) for person in people]
    if module.current_version is not None:
        form.for_kind(module.current_version.kind)
    return {person.id: person for person in people}


def _refused(form: SessionForm, error: ScheduleError) -> None:
    """Say what planning refused beside the field to change, with what was typed; else above the form."""
    db.session.rollback()
    if error.part in form:
        form[error.part].errors.append(str(error))
    else:
        flash(str(error), "error")


def new_session(module_id: int):
    """Plan a session, or a weekly series of sessions, for a workshop or exchange module."""
    module = db.get_or_404(Module, module_id)
    if module.archived or module.current_version is None or module.current_version.kind not in \
            schedule.SESSION_KINDS:
        abort(404)
    if not services.can_plan(current_user, module):
        abort(403)
    form = NewSessionForm()
    people = _trainer_choices(form, module, [])
    if request.method == "GET":
        form.capacity.data = schedule.default_capacity(module)
        form.format.data = module.current_version.settings.get("format", "in-person")
        # Only on the first showing: a form sent back keeps what was ticked.
        form.trainers.data = queries.default_leaders(module, current_user, people)
    if form.validate_on_submit():
        try:
            exceptions = parse_dates(form.exceptions.data or "")
            dates = schedule.series_dates(form.day.data, every_weeks=form.every_weeks.data or 0,
                                          until=form.until.data, exceptions=exceptions)
            sessions, created = schedule.plan_sessions(module, form.plan(people), dates, by=current_user,
                                                       now=utcnow())
        except ScheduleError as error:
            _refused(form, error)
        else:
            db.session.commit()
            if not created:  # the same form sent again (a double tap, Back and Speichern): what the first made
                flash(ngettext("Dieser Termin war schon angelegt; er ist nur einmal gespeichert.",
                               "Diese %(num)d Termine waren schon angelegt; sie sind nur einmal gespeichert.",
                               len(sessions)))
                return access.back_to_session(sessions[0].id)
            flash(ngettext("%(num)d Termin angelegt.", "%(num)d Termine angelegt.", len(sessions)))
            _warn_about(sessions)
            return access.back_to_session(sessions[0].id)
    return render_template("workshops/session_form.html", form=form, module=module, session=None)


def edit_session(session_id: int):
    """Change one session; everyone booked is told and gets an updated calendar entry."""
    session = access.managed_session(session_id)
    if session.is_cancelled:  # said at once, before anything is typed; nothing sent is taken
        return render_template("workshops/session_form.html", form=None, module=session.module,
                               session=session), 200 if request.method == "GET" else 409
    form = EditSessionForm(obj=None if request.method == "POST" else SessionPlan.of(session))
    # A session long past may keep its date, a running one its start.
    form.kept_start = session.starts_at.replace(second=0, microsecond=0)
    people = _trainer_choices(form, session.module, list(session.trainers))
    later = schedule.later_in_series(session, now=utcnow())
    form.later_days = [to_local(other.starts_at).date() for other in later]
    # Weekday and full year ("Mi., 23. Dez. 2026"): "23.12.26" left the trainer to count which dates these are.
    days = [format_skeleton("yMMMEd", day, locale=get_locale()) for day in form.later_days]
    form.also_later.label.text = ngettext(
        "Diese Angaben auch für %(num)d weiteren Termin der Serie übernehmen (am %(dates)s; er behält sein Datum)",
        "Diese Angaben auch für die %(num)d weiteren Termine der Serie übernehmen (%(dates)s; jeder behält sein "
        "Datum)", len(later), dates=" – ".join(dict.fromkeys(days[:1] + days[-1:])))
    if request.method == "GET":
        form.day.data = to_local(session.starts_at).date()
        form.trainers.data = [trainer.id for trainer in session.trainers]
    if form.validate_on_submit():
        try:
            if later and form.also_later.data:
                changed = schedule.update_series(session, form.plan(people), form.day.data, by=current_user,
                                                 now=utcnow())
            else:
                changed = [(session, schedule.update_session(session, form.plan(people), form.day.data,
                                                             by=current_user, now=utcnow()))]
        except ScheduleError as error:
            _refused(form, error)
        else:
            db.session.commit()
            if len(changed) > 1:
                told = sum(update.told for _session, update in changed)
                message = _("%(count)d Termine der Serie sind geändert.", count=len(changed))
                if told:
                    message += " " + ngettext("%(num)d E-Mail an die Angemeldeten ist unterwegs (eine je Person und "
                                              "Termin).", "%(num)d E-Mails an die Angemeldeten sind unterwegs (eine "
                                              "je Person und Termin).", told)
                flash(message)
                _warn_about([changed_session for changed_session, _update in changed])
                return access.back_to_session(session_id)
            update = changed[0][1]
            if update.told:
                flash(_("Der Termin ist geändert; alle Angemeldeten wurden benachrichtigt."))
            elif update.changes:  # nobody booked: nobody to tell
                flash(_("Der Termin ist geändert. Es ist noch niemand angemeldet, der benachrichtigt werden "
                        "müsste."))
            else:
                flash(_("Der Termin ist geändert. Zeit, Ort und Ablauf sind für die Angemeldeten gleich "
                        "geblieben; darüber bekommen sie keine E-Mail."))
            _warn_about([session])
            return access.back_to_session(session_id)
    return render_template("workshops/session_form.html", form=form, module=session.module, session=session,
                           later=later)


def _warn_about(sessions: list) -> None:
    """Say what is allowed but rarely meant: deadlines already past, fewer seats than given, a trainer twice."""
    now = utcnow()
    sessions = [session for session in sessions if session.starts_at > now]  # a running one takes no bookings
    if any(session.booking_deadline_at <= now for session in sessions):
        flash(_("Der Anmeldeschluss ist schon vorbei: Niemand kann diesen Termin buchen. Wenn das nicht gewollt "
                "ist, verkürzen Sie den Anmeldeschluss."), "warning")
    elif any(session.cancellation_deadline_at <= now for session in sessions):
        flash(_("Die Absagefrist ist schon vorbei: Wer jetzt bucht, kann den Platz nicht mehr selbst absagen. Wenn "
                "das nicht gewollt ist, verkürzen Sie die Absagefrist."), "warning")
    for session in sessions:
        taken = services.status_counts(session).get("confirmed", 0)
        if taken > session.capacity:
            flash(_("%(taken)d Plätze sind vergeben, der Termin hat jetzt %(capacity)d. Niemand verliert seinen "
                    "Platz; wer neu bucht, kommt auf die Warteliste, bis wieder Plätze frei sind.",
                    taken=taken, capacity=session.capacity), "warning")
    for trainer, other in queries.trainer_clashes(sessions):
        flash(_("%(name)s leitet zur selben Zeit schon „%(title)s“ (%(when)s).", name=trainer.display_name,
                title=other.title, when=mails.session_when(other)), "warning")


def cancel_session(session_id: int):
    """Ask first, then cancel a session and tell everyone booked, with the trainer's note."""
    session = access.managed_session(session_id)
    if session.is_cancelled:
        return access.back_to_session(session_id)
    form = CancelSessionForm()
    if form.validate_on_submit():
        try:
            told = schedule.cancel_session(session, by=current_user, now=utcnow(), note=form.note.data or "")
        except ScheduleError as error:  # attendance entered meanwhile: said on the page, nothing sent
            db.session.rollback()
            flash(str(error), "error")
            return access.back_to_session(session_id)
        db.session.commit()
        flash(ngettext("Der Termin ist abgesagt; %(num)d Person wurde benachrichtigt.",
                       "Der Termin ist abgesagt; %(num)d Personen wurden benachrichtigt.", told))
        return access.back_to_session(session_id)
    return render_template("workshops/cancel.html", session=session, form=form,
                           booked=services.status_counts(session),
                           took_place=schedule.TOOK_PLACE if schedule.attendance_taken(session) else None)


def manage(session_id: int):
    """Show the trainer's view: confirmed seats, requests to approve, and the waitlist."""
    return _manage_page(access.managed_session(session_id))


def _manage_page(session, refused: tuple[Booking, ParticipantCancelForm] | None = None):
    """`refused`: a cancellation sent back (its reason too long), with the booking, asked again above the list."""
    bookings = queries.participants(session)
    now = utcnow()
    # Who came without a seat is named so; a cancelled session's people as they stood when it was cancelled, not as
    # holding seats now.
    labels = {b.id: status_label(b, cancelled=session.is_cancelled) for b in bookings}
    return render_template("workshops/manage.html", session=session, bookings=bookings, labels=labels,
                           counts=services.status_counts(session), attendance_labels=ATTENDANCE_LABELS,
                           positions=queries.waitlist_positions(bookings),
                           # A cancelled session has no attendance to take (as on the session's page).
                           can_attend=not session.is_cancelled and services.can_take_attendance(current_user, session),
                           # Bookings are acted on until the session ends (the one who turns up on the day).
                           can_act=not session.is_cancelled and now < session.ends_at,
                           promotes=services.bookings_open(session, now),  # a freed seat goes to the waitlist
                           seat_given_from=services.SEAT_GIVEN_FROM, refused=refused)


def export_csv(session_id: int):
    """Download the participant list as CSV."""
    session = access.managed_session(session_id)
    bookings = queries.participants(session)
    # Written before the export is logged and committed: the commit expires the bookings and their people, and
    # the file then read each of them again (three statements per line).
    body = export.participants_csv(bookings, queries.waitlist_positions(bookings),
                                   personnel_numbers=current_user.has_role(Role.ADMIN), cancelled=session.is_cancelled)
    day = to_local(session.starts_at).date().isoformat()
    # Module and day: a download folder tells them apart.
    filename = _("teilnehmende-%(module)s-%(day)s.csv", module=session.module.slug, day=day)
    # Names and addresses leave the platform in this file: who took them, and when, is logged.
    audit.record("workshops.participants_exported", actor=current_user, target=session, people=len(bookings))
    db.session.commit()
    response = make_response(body)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def approve(booking_id: int):
    """Approve a request: a seat, or the waitlist when full."""
    booking = access.managed_booking(booking_id)
    try:
        services.approve(booking, by=current_user, now=utcnow())
    except BookingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        name, waiting = booking.user.display_name, booking.status == "waitlisted"
        db.session.commit()
        flash(_("Freigegeben: %(name)s – alle Plätze sind vergeben, also auf die Warteliste.", name=name) if waiting
              else _("Freigegeben: %(name)s", name=name))
    return redirect(url_for("workshops.manage", session_id=booking.session_id))


def decline(booking_id: int):
    """Decline a request."""
    booking = access.managed_booking(booking_id)
    session_id = booking.session_id
    services.decline(booking, by=current_user, now=utcnow())
    # Read before the commit, which would expire the booking and the person.
    name, status = booking.user.display_name, booking.status
    db.session.commit()
    if status == "declined":
        flash(_("Abgelehnt: %(name)s", name=name))
    else:  # decided a moment ago by someone else (another trainer approved it): nothing declined
        flash(_("Die Anfrage von %(name)s war schon entschieden: %(status)s.", name=name,
                status=STATUS_LABELS.get(status, status)), "warning")
    return redirect(url_for("workshops.manage", session_id=session_id))


def _on_booking(session_id: int, act):
    """Act on a booking of the session named in the posted form and go back to its row in the participant list.

    `act(booking)` does it in the domain and returns what to say, as (message, category) pairs – said before the
    commit, which expires what they name. A booking changed meanwhile (a double click) or refused says so, and
    nothing is kept.
    """
    session = access.managed_session(session_id)
    booking = access.booking_in_form(session)
    booking_id, name = booking.id, booking.user.display_name  # read now: a refusal rolls back and expires them
    try:
        said = act(booking)
    except BookingChanged as changed:
        db.session.rollback()
        flash(_("Die Anmeldung von %(name)s hat sich inzwischen geändert (jetzt: %(status)s); es wurde nichts "
                "verändert.", name=name, status=STATUS_LABELS.get(changed.status, changed.status)), "warning")
    except BookingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        for message, category in said:
            flash(message, category)
    return redirect(url_for("workshops.manage", session_id=session_id) + f"#b{booking_id}")


def cancel_participant(session_id: int):
    """Cancel someone's seat, waitlist place or request (asked once more on the page), whatever their deadline;
    they are told, with the reason, and a freed seat goes to the first on the waitlist.

    A reason too long is not cut (the person would read half a sentence): nothing is cancelled, and the page asks
    again with the text to shorten."""
    form = ParticipantCancelForm()
    if not form.validate():
        session = access.managed_session(session_id)
        return _manage_page(session, refused=(access.booking_in_form(session), form))
    reason = (form.reason.data or "").strip()

    def cancel(booking):
        name = booking.user.display_name
        promoted = services.cancel_by_trainer(booking, by=current_user, reason=reason, now=utcnow())
        said = [(_("Storniert: %(name)s. Die Person ist per E-Mail benachrichtigt.", name=name), "message")]
        if promoted:
            said.append((_("Den freien Platz hat %(names)s von der Warteliste bekommen und ist benachrichtigt.",
                           names=", ".join(each.user.display_name for each in promoted)), "message"))
        return said

    return _on_booking(session_id, cancel)


def give_seat(session_id: int):
    """Give a waitlisted person a seat by hand, beyond the capacity if need be (asked once more, saying so)."""
    seen_taken = id_argument(request.form.get("taken"))

    def give(booking):
        name, capacity = booking.user.display_name, booking.session.capacity
        taken = services.give_seat(booking, by=current_user, now=utcnow(), seen_taken=seen_taken)
        said = [(_("%(name)s hat einen Platz bekommen und ist per E-Mail benachrichtigt.", name=name), "message")]
        if taken > capacity:
            said.append((_("Der Termin ist jetzt mit %(taken)d von %(capacity)d Plätzen überbucht.", taken=taken,
                           capacity=capacity), "warning"))
        return said

    return _on_booking(session_id, give)


# Registered by the blueprint's module with core.routing.add_signed_in_routes.
ROUTES = (
    ("/modul/<int:module_id>/neu", new_session, BOTH),
    ("/<int:session_id>/bearbeiten", edit_session, BOTH),
    ("/<int:session_id>/absagen", cancel_session, BOTH),
    ("/<int:session_id>/teilnehmende", manage, GET),
    ("/<int:session_id>/teilnehmende.csv", export_csv, GET),
    ("/buchungen/<int:booking_id>/freigeben", approve, POST),
    ("/buchungen/<int:booking_id>/ablehnen", decline, POST),
    ("/<int:session_id>/teilnehmende/stornieren", cancel_participant, POST),
    ("/<int:session_id>/teilnehmende/platz-geben", give_seat, POST),
)
