"""The outbox sends everything due in one run, not a fixed number per minute."""

from sqlalchemy import func, select

from qualify.core import mail
from qualify.core.mail import OutboxMessage, queue_mail, send_due_mail
from qualify.core.time import utcnow
from qualify.extensions import db


def test_one_run_sends_a_whole_import_s_invitations_and_the_one_queued_after_them(app):
    for number in range(300):
        queue_mail(f"person{number}@werk.example", "Ihr Zugang zu Qualify", "Willkommen")
    queue_mail("erika@werk.example", "Ihr Zugang zu Qualify", "Willkommen")  # invited one by one, after the import
    db.session.commit()

    assert send_due_mail(utcnow()) == 301
    assert db.session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None))) == 0


def test_a_run_stops_in_time_for_the_next_one(app, monkeypatch):
    for number in range(3):
        queue_mail(f"person{number}@werk.example", "Betreff", "Text")
    db.session.commit()
    monkeypatch.setattr(mail, "SENDING_SECONDS_PER_RUN", -1)  # the time is up before the first message
    assert send_due_mail(utcnow()) == 0
