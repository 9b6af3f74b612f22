"""Workshop mails through the outbox and a real local SMTP server: retries, no duplicates, no injection."""

import socket
import threading
from datetime import time, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from qualify.core.mail import build_email, queue_mail, send_due_mail
from qualify.core.time import to_local, utcnow
from qualify.extensions import db
from tests.workshops.conftest import at, outbox


class Collector:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, handler
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nobody listens once the probe is closed


closed_port = free_port


def use_smtp(app, monkeypatch, port: int) -> None:
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "")


def test_failed_delivery_is_retried_later_and_sent_exactly_once(app, monkeypatch, smtp_server, make_session,
                                                               make_user):
    port, received = smtp_server
    person = make_user()
    session = make_session(booked=[person])
    now = at(session, days=-10)

    use_smtp(app, monkeypatch, closed_port())
    assert send_due_mail(now) == 0
    (mail,) = outbox(person.email)
    assert mail.attempts == 1 and mail.sent_at is None and mail.last_error
    assert send_due_mail(now + timedelta(seconds=30)) == 0  # backing off: not tried again yet
    assert outbox(person.email)[0].attempts == 1

    use_smtp(app, monkeypatch, port)
    assert send_due_mail(now + timedelta(minutes=2)) == 1
    assert send_due_mail(now + timedelta(minutes=10)) == 0
    assert len(received.envelopes) == 1
    envelope = received.envelopes[0]
    assert envelope.rcpt_tos == [person.email]
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"].startswith("Platz bestätigt")
    parts = [part.get_content_type() for part in message.walk()]
    assert "text/plain" in parts and "text/html" in parts and "text/calendar" in parts


def test_a_title_with_line_breaks_cannot_inject_headers(app, monkeypatch, smtp_server, make_session,
                                                       make_user, workshop_module):
    port, received = smtp_server
    workshop_module.current_version.title = "Praxistag\r\nBcc: evil@example.org\nX-Evil: 1"
    db.session.commit()
    person = make_user()
    session = make_session(booked=[person])
    (mail,) = outbox(person.email)
    assert "\n" not in mail.subject and "\r" not in mail.subject
    email = build_email(mail, "Qualify <noreply@qualify.invalid>")
    assert email["Bcc"] is None and email["X-Evil"] is None

    use_smtp(app, monkeypatch, port)
    assert send_due_mail(at(session, days=-10)) == 1
    (envelope,) = received.envelopes
    assert envelope.rcpt_tos == [person.email]
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert message["Bcc"] is None and message["X-Evil"] is None


def test_a_subject_with_umlauts_arrives_as_written(app, monkeypatch, smtp_server, make_session, make_user,
                                                  workshop_module):
    # Python 3.11 dropped the space between two encoded words when it folded a header.
    port, received = smtp_server
    workshop_module.current_version.title = "Praxis-Workshop: Gespräche üben"
    db.session.commit()
    person = make_user()
    session = make_session(booked=[person])
    use_smtp(app, monkeypatch, port)
    assert send_due_mail(at(session, days=-10)) == 1
    (envelope,) = received.envelopes
    message = message_from_bytes(envelope.content, policy=policy.default)
    day = to_local(session.starts_at)  # with its date, as Berlin has it
    assert message["Subject"] == f"Platz bestätigt: Praxis-Workshop: Gespräche üben – {day:%d.%m.%Y}"
    assert "Gespräche üben" in message.get_body(("plain",)).get_content()


def test_mails_follow_the_recipients_language(make_session, make_user):
    english, german = make_user(language="en"), make_user(language="de")
    session = make_session(capacity=1, booked=[german, english])
    day = to_local(session.starts_at)
    (to_german,) = outbox(german.email)
    (to_english,) = outbox(english.email)
    assert to_german.subject.startswith("Platz bestätigt")
    assert to_german.body_text.startswith("Hallo")
    assert to_english.subject.startswith("Waitlist") and to_english.subject.endswith(f"{day.day} {day:%b %Y}")
    assert to_english.body_text.startswith("Hello")
    assert "position 1" in to_english.body_text


def test_the_calendar_file_is_made_when_the_mail_is_sent_as_its_text_describes_the_session(
        app, monkeypatch, smtp_server, make_session, make_user):
    port, received = smtp_server
    person = make_user()
    session = make_session(booked=[person])
    (mail,) = outbox(person.email)
    (attachment,) = mail.attachments
    assert {key: attachment[key] for key in ("make", "session_id", "include_link", "personal_sequence", "attendee",
                                             "file_names")} == {
        "make": "workshops.session_ics", "session_id": session.id, "include_link": True, "personal_sequence": 0,
        "attendee": person.email, "file_names": {"request": "termin.ics", "cancel": "absage.ics"}}
    assert "BEGIN:VCALENDAR" not in str(attachment)  # only what the file will say, not the file
    session.place = "Halle 7"  # changed after the booking, before the mail goes out (a change mail follows)
    db.session.commit()

    use_smtp(app, monkeypatch, port)
    assert send_due_mail(at(session, days=-10)) == 1
    message = message_from_bytes(received.envelopes[0].content, policy=policy.default)
    (calendar,) = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert "Ausbildungswerkstatt Halle 4" in message.get_body(("plain",)).get_content()
    assert "LOCATION:Ausbildungswerkstatt Halle 4" in calendar.get_content()  # as the mail says
    assert calendar.get_param("method") == "REQUEST" and message["Date"]


def test_a_mail_about_a_deleted_session_goes_without_its_calendar_file(app, make_session, make_user):
    person = make_user()
    session = make_session(booked=[person])
    (mail,) = outbox(person.email)
    db.session.delete(session)
    db.session.commit()
    email = build_email(db.session.get(type(mail), mail.id), "Qualify <noreply@example.org>")
    assert "text/calendar" not in [part.get_content_type() for part in email.walk()]


@pytest.mark.postgres
def test_two_senders_at_once_send_each_message_once(app, monkeypatch, smtp_server):
    """Should a second sender ever run beside the scheduler's, each message is still sent exactly once."""
    port, received = smtp_server
    use_smtp(app, monkeypatch, port)
    for n in range(30):
        queue_mail(f"person{n}@example.test", f"Nachricht {n}", "Hallo")
    db.session.commit()
    start = threading.Barrier(2)
    counts = []

    def sender():
        with app.app_context():
            start.wait()
            counts.append(send_due_mail(utcnow() + timedelta(minutes=1)))
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(counts) == 30
    recipients = [envelope.rcpt_tos[0] for envelope in received.envelopes]
    assert sorted(recipients) == sorted(f"person{n}@example.test" for n in range(30))


def test_the_change_mail_says_what_changed_and_carries_the_new_note(make_session, make_user, trainer):
    from qualify.workshops import schedule

    person = make_user()
    session = make_session(booked=[person])
    plan = schedule.SessionPlan.of(session)
    plan.place, plan.note = "Halle 7", "Bitte Sicherheitsschuhe mitbringen."
    plan.start_time = time(11)
    day = session.starts_at.astimezone(schedule.LOCAL_TZ).date()
    schedule.update_session(session, plan, day, by=trainer, now=at(session, days=-3))
    db.session.commit()
    (mail,) = outbox(person.email, "Termin geändert")
    assert "Geändert: Zeit, Ort, Hinweis" in mail.body_text
    assert "Hinweis der Leitung: Bitte Sicherheitsschuhe mitbringen." in mail.body_text
