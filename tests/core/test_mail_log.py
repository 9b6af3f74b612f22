"""A mail that cannot be sent shows in the log, not only in the outbox table."""

import logging
from datetime import timedelta

from qualify.core import mail
from qualify.core.mail import MAX_ATTEMPTS, queue_mail, send_due_mail
from qualify.core.time import utcnow
from qualify.extensions import db


def refuse(_email, _config):
    raise ConnectionRefusedError("[Errno 111] Connection refused")


def test_each_failed_attempt_is_a_warning_and_giving_up_an_error(monkeypatch, caplog):
    monkeypatch.setattr(mail, "_transport", refuse)
    message = queue_mail("lena.lernende@zulieferer.example", "Ihre Buchung", "Geheimer Inhalt der Mail")
    db.session.commit()
    now = utcnow()
    with caplog.at_level(logging.WARNING, logger="qualify.core.mail"):
        for _ in range(MAX_ATTEMPTS):
            send_due_mail(now)
            now += timedelta(days=1)  # past any backoff
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(warnings) == MAX_ATTEMPTS - 1 and len(errors) == 1
    assert f"Mail {message.id} to …@zulieferer.example failed (attempt 1 of {MAX_ATTEMPTS}" in warnings[0].message
    assert "Connection refused" in warnings[0].message
    assert f"given up after {MAX_ATTEMPTS} attempts" in errors[0].message
    assert "Geheimer Inhalt" not in caplog.text and "Ihre Buchung" not in caplog.text
    assert "lena.lernende" not in caplog.text
