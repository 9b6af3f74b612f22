"""Many attempts at the same moment: the throttles hold exactly, not two or three times over."""

from sqlalchemy import select

from qualify.core.mail import OutboxMessage, compose_deferred_mail
from qualify.core.time import utcnow
from qualify.extensions import db
from tests.workshops.test_concurrency import run_together


def test_twenty_simultaneous_wrong_passwords_are_checked_only_up_to_the_limit(app, new_client, make_user):
    email = make_user().email  # read here: the threads have no application context to load it in
    answers = []

    def guess(client):
        def task(barrier):
            barrier.wait()
            answers.append(client.post("/anmelden", data={"email": email, "password": "falsch-geraten"},
                                       environ_overrides={"REMOTE_ADDR": f"10.1.{len(answers)}.1"}).status_code)
        return task

    clients = [new_client() for _ in range(20)]
    for client in clients:
        client.csrf_token()  # each its own session and token, fetched before the burst
    assert run_together([guess(client) for client in clients]) == []
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    assert answers.count(200) == limit and answers.count(429) == 20 - limit


def test_ten_simultaneous_reset_requests_send_three_mails(app, new_client, make_user):
    email = make_user().email
    answers = []

    def ask(client):
        def task(barrier):
            barrier.wait()
            answers.append(client.post("/passwort-vergessen", data={"email": email}).status_code)
        return task

    clients = [new_client() for _ in range(10)]
    for client in clients:
        client.csrf_token()
    assert run_together([ask(client) for client in clients]) == []
    assert answers == [302] * 10
    compose_deferred_mail(utcnow())  # as the next sending run does: the mails are written there
    db.session.expire_all()
    sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)).all()
    assert len(sent) == 3
