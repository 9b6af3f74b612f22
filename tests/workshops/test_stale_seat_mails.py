"""A mail about a seat still waiting in the outbox when the session is cancelled is not sent: its calendar file,
made when it goes, would be the cancellation, under a text saying the seat is confirmed. The cancellation mail
queued with the cancellation says what is left to say."""

from datetime import timedelta
from email import message_from_bytes, policy

from qualify.core.mail import queue_mail, send_due_mail
from qualify.extensions import db
from qualify.workshops import calendar, schedule, services
from tests.workshops.conftest import at, in_days, outbox
from tests.workshops.test_mail import closed_port, smtp_server, use_smtp  # noqa: F401 (a fixture)


def received_mails(received, person) -> list:
    """The mails the SMTP server took for the person, as their mail program reads them."""
    return [message_from_bytes(envelope.content, policy=policy.default) for envelope in received.envelopes
            if envelope.rcpt_tos == [person.email]]


def calendar_methods(message) -> list[str]:
    return [part.get_param("method") for part in message.walk() if part.get_content_type() == "text/calendar"]


def test_a_promotion_not_yet_sent_when_the_session_is_cancelled_gives_way_to_the_cancellation(
        app, monkeypatch, smtp_server, make_session, make_user, trainer):  # noqa: F811
    port, received = smtp_server
    use_smtp(app, monkeypatch, port)
    seated, waiting = make_user(), make_user()
    session = make_session(capacity=1, booked=[seated, waiting])
    now = at(session, days=-10)
    send_due_mail(now)  # the seat and the waitlist place, told
    services.cancel(services.booking_of(seated, session), now=now)  # promotes the person waiting
    db.session.commit()
    assert len(outbox(waiting.email, "Ein Platz ist frei geworden")) == 1

    schedule.cancel_session(session, by=trainer, now=now + timedelta(seconds=30))  # before the mail went out
    db.session.commit()
    assert outbox(waiting.email, "Ein Platz ist frei geworden") == []
    send_due_mail(now + timedelta(minutes=1))

    waitlisted, cancelled = received_mails(received, waiting)
    assert waitlisted["Subject"].startswith("Warteliste")
    assert cancelled["Subject"].startswith("Termin abgesagt")
    assert "Dieser Termin wurde abgesagt." in cancelled.get_body(("plain",)).get_content()
    assert calendar_methods(cancelled) == ["CANCEL"]


def test_a_confirmation_waiting_for_its_next_try_never_arrives_after_the_cancellation(
        app, monkeypatch, smtp_server, make_session, make_user, trainer):  # noqa: F811
    port, received = smtp_server
    person = make_user()
    session = make_session(booked=[person])
    now = at(session, days=-10)
    use_smtp(app, monkeypatch, closed_port())
    assert send_due_mail(now) == 0  # the mail server is down: tried again in a minute

    schedule.cancel_session(session, by=trainer, now=now + timedelta(seconds=10))
    db.session.commit()
    use_smtp(app, monkeypatch, port)
    send_due_mail(now + timedelta(minutes=5))

    (only,) = received_mails(received, person)
    assert only["Subject"].startswith("Termin abgesagt") and calendar_methods(only) == ["CANCEL"]


def test_only_unsent_seat_mails_about_the_cancelled_session_are_withdrawn(make_session, make_user, trainer):
    sent_before, booked_later, gave_up = make_user(), make_user(), make_user()
    session = make_session(booked=[sent_before])
    now = at(session, days=-10)
    send_due_mail(now)  # no mail server in tests: written to the log, and marked as sent
    for person in (booked_later, gave_up):
        services.book(session, person, now=now)
    services.cancel(services.booking_of(gave_up, session), now=now)
    other = make_session(day=in_days(20))  # a mail about another session, waiting too
    queue_mail(booked_later, "Anderer Termin", "…", None, [calendar.ics_attachment(other, include_link=True)])
    db.session.commit()

    schedule.cancel_session(session, by=trainer, now=now + timedelta(minutes=1))
    db.session.commit()

    def subjects(person):
        return [mail.subject.split(":")[0] for mail in outbox(person.email)]
    assert subjects(sent_before) == ["Platz bestätigt", "Termin abgesagt"]  # what went out stays on record
    assert subjects(booked_later) == ["Anderer Termin", "Termin abgesagt"]
    assert subjects(gave_up) == ["Teilnahme abgesagt"]  # their own cancellation still goes; no seat to cancel
