"""E-mails about sessions and bookings, in the recipient's language, queued in the caller's transaction."""

from datetime import datetime
from typing import NamedTuple

from flask import current_app
from flask_babel import force_locale, format_date, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from qualify.accounts.models import User
from qualify.core.i18n import locale_for
from qualify.core.mail import MAX_ATTEMPTS, OutboxMessage, absolute_url, queue_mail
from qualify.core.time import to_local
from qualify.extensions import db
from qualify.workshops import calendar
from qualify.workshops.models import ACTIVE_STATUSES, Booking, WorkshopSession

SUBJECTS = {
    "confirmed": _l("Platz bestätigt: %(title)s"),
    "waitlisted": _l("Warteliste: %(title)s"),
    "pending": _l("Anmeldung wartet auf Freigabe: %(title)s"),
    "promoted": _l("Ein Platz ist frei geworden – Sie sind dabei: %(title)s"),
    "approved": _l("Anmeldung freigegeben: %(title)s"),
    "approved_waitlisted": _l("Anmeldung freigegeben, Warteliste: %(title)s"),
    "declined": _l("Anmeldung abgelehnt: %(title)s"),
    "expired": _l("Anmeldung geschlossen: %(title)s"),
    "request_expired": _l("Anmeldung geschlossen: %(title)s"),
    "reminder": _l("Erinnerung: %(title)s"),
    "changed": _l("Termin geändert: %(title)s"),
    "cancelled": _l("Termin abgesagt: %(title)s"),
    "withdrawn": _l("Teilnahme abgesagt: %(title)s"),
    "removed": _l("Teilnahme abgesagt: %(title)s"),
    "switched": _l("Termin gewechselt: %(title)s"),
}
MESSAGES = {
    "confirmed": _l("Ihr Platz ist bestätigt."),
    "waitlisted": _l("Der Termin ist voll. Sie stehen auf der Warteliste auf Platz %(position)s. "
                     "Wird ein Platz frei, rücken Sie automatisch nach und bekommen eine E-Mail."),
    "pending": _l("Ihre Anmeldung ist eingegangen. Die Trainerin oder der Trainer gibt sie frei; "
                  "Sie bekommen dann eine E-Mail."),
    "promoted": _l("Ein Platz ist frei geworden. Sie sind von der Warteliste nachgerückt: "
                   "Ihr Platz ist bestätigt."),
    "approved": _l("Ihre Anmeldung wurde freigegeben."),
    "approved_waitlisted": _l("Ihre Anmeldung wurde freigegeben. Alle Plätze sind vergeben: Sie stehen auf der "
                              "Warteliste auf Platz %(position)s und rücken automatisch nach, wenn ein Platz frei "
                              "wird."),
    "declined": _l("Ihre Anmeldung wurde leider abgelehnt. Bei Fragen wenden Sie sich an die Trainerin oder "
                   "den Trainer."),
    "expired": _l("Die Anmeldung für diesen Termin ist geschlossen. "
                  "Leider ist für Sie kein Platz frei geworden."),
    "request_expired": _l("Die Anmeldung für diesen Termin ist geschlossen. Über Ihre Anfrage wurde bis dahin "
                          "nicht entschieden; bei Fragen wenden Sie sich bitte an die Leitung des Termins."),
    "reminder": _l("Zur Erinnerung: Ihr Termin beginnt bald."),
    "changed": _l("Dieser Termin wurde geändert. Bitte beachten Sie die neuen Angaben."),
    "cancelled": _l("Dieser Termin wurde abgesagt. Es tut uns leid."),
    "withdrawn": _l("Sie haben Ihre Teilnahme abgesagt, Ihr Platz ist wieder frei. Die angehängte Kalenderdatei "
                    "nimmt den Termin aus Ihrem Kalender."),
    "removed": _l("Die Leitung des Termins hat Ihre Teilnahme abgesagt. Die angehängte Kalenderdatei nimmt den "
                  "Termin aus Ihrem Kalender. Bei Fragen wenden Sie sich bitte an die Leitung."),
    "switched": _l("Sie haben zum Termin am %(new_when)s gewechselt; Ihr Platz an diesem Termin ist wieder frei. "
                   "Die angehängte Kalenderdatei nimmt ihn aus Ihrem Kalender, die Bestätigung des neuen Termins "
                   "kommt mit einer eigenen E-Mail."),
}
# The same, to someone who only waited or whose booking was not yet approved: no seat, no calendar entry.
WITHDRAWN_WITHOUT_SEAT = (_l("Anmeldung zurückgezogen: %(title)s"),
                          _l("Sie haben Ihre Anmeldung für diesen Termin zurückgezogen."))
# A trainer cancelled the booking ("removed"): that of someone with a seat, or of someone waiting or asking.
REMOVED_WITHOUT_SEAT = (_l("Anmeldung storniert: %(title)s"),
                        _l("Die Leitung des Termins hat Ihre Anmeldung für diesen Termin storniert (Warteliste oder "
                           "Anfrage). Bei Fragen wenden Sie sich bitte an die Leitung."))
# Kinds about a booking given up, by the person (withdrawn) or by a trainer (removed): a CANCEL for a seat held.
# A switch to another date of the module: the booking here given up, the new one confirmed in a mail of its own.
SWITCHED_WITHOUT_SEAT = (_l("Termin gewechselt: %(title)s"),
                         _l("Sie haben zum Termin am %(new_when)s gewechselt; Ihre Anmeldung an diesem Termin "
                            "(Warteliste oder Anfrage) ist zurückgezogen. Die Bestätigung des neuen Termins kommt mit "
                            "einer eigenen E-Mail."))
WITHDRAWAL_KINDS = {"withdrawn": WITHDRAWN_WITHOUT_SEAT, "removed": REMOVED_WITHOUT_SEAT,
                    "switched": SWITCHED_WITHOUT_SEAT}
# Kinds after which a person holding a seat gets the calendar file (a CANCEL when the session was cancelled).
ICS_KINDS = {"confirmed", "promoted", "approved", "reminder", "changed", "cancelled"}
# Kinds about a session the person is booked on (a seat, the waitlist, a request): they carry the trainer's notes,
# e.g. "Bitte Sicherheitsschuhe mitbringen".
NOTE_KINDS = {"confirmed", "waitlisted", "pending", "promoted", "approved", "approved_waitlisted", "reminder",
              "changed"}
# In the change mail to someone who booked before the date or time changed (see Booking.cancellable_until).
CANCEL_UNTIL_START = _l("Sie haben vor der Änderung von Datum oder Uhrzeit gebucht. Passt Ihnen der neue Termin "
                        "nicht, können Sie Ihre Teilnahme bis zum Beginn absagen, auch nach Ablauf der Absagefrist.")

# To the session's trainers: a request to decide on, and a change or cancellation made by someone else.
TRAINER_SUBJECTS = {
    "request": _l("Neue Anfrage: %(title)s"),
    "changed": SUBJECTS["changed"],
    "cancelled": SUBJECTS["cancelled"],
}
TRAINER_MESSAGES = {
    "request": _l("%(name)s möchte an diesem Termin teilnehmen. Die Anmeldung wartet auf Ihre Freigabe."),
    "changed": _l("%(name)s hat diesen Termin geändert, den Sie leiten."),
    "cancelled": _l("%(name)s hat diesen Termin abgesagt, den Sie leiten."),
}


def _render(name: str, context: dict) -> str:
    # Straight from the Jinja environment: the page context processors need a request and a signed-in
    # person, and reminders are rendered by the scheduler, which has neither.
    return current_app.jinja_env.get_template(name).render(**context)


def session_when(session: WorkshopSession) -> str:
    """Name day, date and time span in Europe/Berlin in the current language."""
    span = (f"{format_date(session.starts_at, 'full')}, "
            f"{format_time(session.starts_at, 'short')}–{format_time(session.ends_at, 'short')}")
    if to_local(session.ends_at).date() != to_local(session.starts_at).date():
        return _("%(span)s (bis zum Folgetag)", span=span)
    return span


def moment(value: datetime) -> str:
    """Name a point in time as the mails name dates: the date with its full year, and the time of day
    ("14.12.2026, 10:00"); the short date ("14.12.26") leaves the century to guess."""
    return f"{format_date(value, 'medium')}, {format_time(value, 'short')}"


class Before(NamedTuple):
    """What a changed session said before, where it changed (else None): the change mail names the time and place
    it replaces – "Geändert: Zeit" alone leaves the reader to remember the old one, and so to find what moved."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str | None = None


UNCHANGED = Before()


def notify(booking: Booking, kind: str, *, position: int | None = None, had_seat: bool = False,
           changes: tuple = (), before: Before = UNCHANGED, reason: str = "",
           switched_to: WorkshopSession | None = None) -> None:
    """Queue the mail of this kind to the booked person (with the .ics when they hold a seat, or held one
    until they withdrew: had_seat); `changes` names what changed in a changed session and `before` the time and
    place it had, `reason` is a trainer's word on why they cancelled the booking, `switched_to` the date they
    switched to ("switched")."""
    session, user = booking.session, booking.user
    page_url = absolute_url("workshops.session", session_id=session.id)
    holds_seat = booking.status == "confirmed"
    subject, message = SUBJECTS[kind], MESSAGES[kind]
    if kind in WITHDRAWAL_KINDS and not had_seat:
        subject, message = WITHDRAWAL_KINDS[kind]
    with force_locale(locale_for(user.language)):
        attachments = []
        if holds_seat and kind in ICS_KINDS:
            attachments.append(calendar.ics_attachment(session, include_link=True, page_url=page_url,
                                                       personal_sequence=booking.calendar_sequence,
                                                       attendee=user.email))
        elif kind in WITHDRAWAL_KINDS and had_seat:
            attachments.append(calendar.ics_attachment(session, include_link=False, page_url=page_url,
                                                       withdrawn=True, personal_sequence=booking.calendar_sequence,
                                                       attendee=user.email))
        context = {"user": user, "session": session, "booking": booking, "when": session_when(session),
                   "message": str(message) % {"position": position or "–",
                                              "new_when": session_when(switched_to) if switched_to else "–"},
                   "show_link": holds_seat and not session.is_cancelled, "page_url": page_url, "kind": kind,
                   "position": position, "changes": [str(change) for change in changes],
                   "when_before": session_when(before) if before.starts_at is not None else "",
                   "place_before": before.place,
                   "note": session.note if kind in NOTE_KINDS else "", "reason": reason,
                   "cancel_until_start": str(CANCEL_UNTIL_START) if kind == "changed" and holds_seat
                   and booking.cancellable_until > session.cancellation_deadline_at else ""}
        # The date in the subject: someone who switched dates, or booked two workshops, tells the mails apart.
        subject = f"{str(subject) % {'title': session.title}} – {format_date(session.starts_at, 'medium')}"
        if switched_to is not None:  # read in a list of mails, the date left alone would look like the new one
            subject += f" → {format_date(switched_to.starts_at, 'medium')}"
        queue_mail(user, subject, _render("workshops/mail/booking.txt", context),
                   _render("workshops/mail/booking.html", context), attachments)


def notify_session(session: WorkshopSession, kind: str, *, changes: tuple = (), before: Before = UNCHANGED) -> int:
    """Tell everyone with an active booking that the session changed (`before`: the time and place it replaces)
    or was cancelled; return how many.

    A cancellation first withdraws the mails about a seat here still waiting in the outbox (see
    withdraw_unsent_seat_mails): the cancellation mail queued now says all that is left to say."""
    if kind == "cancelled":
        withdraw_unsent_seat_mails(session)
    told = 0
    for booking in session.bookings:
        if booking.status in ACTIVE_STATUSES:
            notify(booking, kind, changes=changes, before=before)
            told += 1
    return told


def withdraw_unsent_seat_mails(session: WorkshopSession) -> int:
    """Take out of the outbox the mails about a seat in the session not sent yet (confirmed, promoted, approved,
    reminder, changed: those with its calendar invitation); return how many.

    Sent after the cancellation – a promotion queued a minute before it, a confirmation waiting for its next try
    while the mail server was down – such a mail said "you have a seat" with the cancellation as its calendar
    file (made when it goes), before or even after the mail saying the session was cancelled.
    """
    people = {booking.user_id for booking in session.bookings}
    if not people:
        return 0
    waiting = db.session.execute(select(OutboxMessage.id, OutboxMessage.attachments).where(
        OutboxMessage.user_id.in_(people), OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS))
    stale = [message_id for message_id, attachments in waiting if any(
        attachment.get("make") == "workshops.session_ics" and attachment.get("session_id") == session.id
        and not attachment.get("withdrawn") for attachment in attachments or ())]
    if not stale:
        return 0
    # sent_at again in the statement: a message being sent this moment is locked, and left once it went out
    return db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(stale),
                                                          OutboxMessage.sent_at.is_(None))).rowcount


# A request is decided on the participants page; a change or cancellation is read on the session's page.
TRAINER_LINKS = {"request": (_l("Anfragen ansehen und entscheiden"), "workshops.manage"),
                 "session": (_l("Alle Angaben zum Termin"), "workshops.session")}


def notify_trainers(session: WorkshopSession, kind: str, *, by: User, trainers=None, changes: tuple = (),
                    before: Before = UNCHANGED) -> int:
    """Tell the session's trainers (or the `trainers` given), except `by`, of a request by `by` to decide on, or of
    a change or cancellation `by` made (`before`: the time and place a change replaces); each in their language.
    Return how many were told."""
    told = 0
    for trainer in session.trainers if trainers is None else trainers:
        if trainer.id == by.id or not trainer.active:
            continue
        link_label, link = TRAINER_LINKS["request" if kind == "request" else "session"]
        with force_locale(locale_for(trainer.language)):
            context = {"user": trainer, "session": session, "when": session_when(session), "kind": kind,
                       "message": str(TRAINER_MESSAGES[kind]) % {"name": by.display_name},
                       "changes": [str(change) for change in changes],
                       "when_before": session_when(before) if before.starts_at is not None else "",
                       "place_before": before.place,
                       "link_label": str(link_label), "link_url": absolute_url(link, session_id=session.id)}
            subject = (f"{str(TRAINER_SUBJECTS[kind]) % {'title': session.title}} – "
                       f"{format_date(session.starts_at, 'medium')}")
            queue_mail(trainer, subject, _render("workshops/mail/trainer.txt", context),
                       _render("workshops/mail/trainer.html", context))
        told += 1
    return told
