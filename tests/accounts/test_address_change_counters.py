"""A changed sign-in address takes the day's count of reset mails along – the cap is the person's, not the
address's, and the old address, free again, carries nothing to its next holder –, while failed sign-ins stay
with the address they were typed for."""

from datetime import timedelta

import pytest

from qualify.accounts import auth, services
from qualify.core.time import utcnow
from qualify.extensions import db
from tests.accounts.test_reset_mail_caps import WINDOW, ask, mails_to, reset_records_made

OLD, NEW = "alt@example.org", "neu@example.org"


@pytest.fixture
def change(app):
    def change(person, email: str) -> None:
        with app.test_request_context():  # the notices are mails rendered from the pages' templates
            services.change_address(person, email, actor=None, now=utcnow())
        db.session.commit()

    return change


def reset_mails_to(address: str) -> int:
    return sum(mail.subject == "Passwort zurücksetzen" for mail in mails_to(address))


def run_up_to_the_days_cap(client, address: str) -> None:
    for _window in range(4):
        ask(client, address, times=3)
        reset_records_made(ago=WINDOW + timedelta(minutes=1))


def test_a_new_address_gets_no_reset_mails_beyond_what_the_old_one_had_left_today(client, make_user, change):
    person = make_user(email=OLD)
    run_up_to_the_days_cap(client, OLD)
    assert reset_mails_to(OLD) == 10

    change(person, NEW)
    ask(client, NEW)

    assert reset_mails_to(NEW) == 0
    reset_records_made(ago=timedelta(hours=24, minutes=1))  # a day later, mails go again
    ask(client, NEW)
    assert reset_mails_to(NEW) == 1


def test_the_next_holder_of_an_old_address_starts_with_its_own_count(client, make_user, change):
    person = make_user(email=OLD)
    run_up_to_the_days_cap(client, OLD)
    change(person, NEW)
    successor = make_user(email=OLD.upper())  # the address given to someone else, as it was typed

    ask(client, successor.email)

    assert reset_mails_to(OLD) == 11  # the first holder's ten of the day, and the successor's own


def test_failed_sign_ins_stay_with_the_address_they_were_typed_for(app, make_user, change):
    person = make_user(email=OLD)
    with app.test_request_context():
        for _attempt in range(3):
            auth.authenticate(OLD, "falsch-geraten", ip="192.0.2.7", now=utcnow())
    db.session.commit()

    change(person, NEW)

    # The new address starts afresh – so the page's "Noch … Versuche" tells a guesser at the old address nothing
    # about the new one – and an administrator changing the address is a way back in for someone locked out.
    with app.test_request_context():
        limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        assert auth.throttle_state(NEW, "198.51.100.1", utcnow()).attempts_left == limit
        assert auth.throttle_state(OLD, "198.51.100.1", utcnow()).attempts_left == limit - 3
