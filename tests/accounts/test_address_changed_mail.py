"""A changed sign-in address is mailed to the old address (masked new one, when, what to do) and to the new one."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from qualify.accounts import services
from qualify.accounts.addresses import masked_address
from qualify.accounts.mails import send_address_changed
from qualify.accounts.roles import Role
from qualify.core.mail import OutboxMessage
from qualify.extensions import db

WINTER_AFTERNOON = datetime(2026, 3, 12, 13, 5, tzinfo=UTC)  # 14:05 in Berlin


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.mark.parametrize(("address", "masked"), [
    ("maria.muster@example.org", "ma…@example.org"),
    ("jo@firma.example", "j…@firma.example"),
    ("a@b.example", "a…@b.example"),
    ("kein-at", "…"),
])
def test_the_new_address_is_masked_before_the_at(address, masked):
    assert masked_address(address) == masked


def test_the_old_address_hears_when_and_what_to_do_and_the_new_one_how_to_sign_in(app, make_user):
    person = make_user(name="Maria Muster", email="m.muster@firma.example")

    with app.test_request_context():
        send_address_changed(person, "maria.muster@example.org", WINTER_AFTERNOON)
    db.session.commit()

    notice, welcome = outbox()
    assert (notice.recipient, notice.user_id) == ("maria.muster@example.org", person.id)
    assert notice.subject == "Ihre Anmeldeadresse bei Qualify wurde geändert"
    for body in (notice.body_text, notice.body_html):
        assert "am Donnerstag, 12. März 2026 um 14:05 Uhr von der Administration geändert" in body
        assert "m.…@firma.example" in body and "m.muster@firma.example" not in body
        assert "wenden Sie sich bitte sofort an die Administration Ihrer Organisation" in body
    assert (welcome.recipient, welcome.user_id) == ("m.muster@firma.example", person.id)
    assert welcome.subject == "Ihre neue Anmeldeadresse bei Qualify"
    assert "Ab jetzt melden Sie sich mit dieser Adresse an: m.muster@firma.example. Ihr Passwort bleibt dasselbe." \
        in welcome.body_text
    assert '<a href="http://localhost/anmelden?email=m.muster@firma.example">' in welcome.body_html


def test_the_mails_give_the_time_in_the_persons_language(app, make_user):
    person = make_user(email="new@example.org", language="en")

    with app.test_request_context():
        send_address_changed(person, "old@example.org", WINTER_AFTERNOON)
    db.session.commit()

    for mail in outbox():
        assert "Thursday, 12 March 2026" in mail.body_text and "14:05" in mail.body_text


def test_changing_the_address_in_the_domain_tells_both_addresses_whoever_changes_it(app, make_user):
    # The person page and the CSV import alike call services.update_user or services.change_address, which mail.
    person = make_user(name="Maria Muster", email="maria.muster@example.org")
    admin = make_user(Role.ADMIN)

    with app.test_request_context():
        told = services.update_user(person, email="m.muster@firma.example", display_name=person.display_name,
                                    personnel_number=None, language="de", organisation=None, unit=None,
                                    roles=person.roles, actor=admin, now=WINTER_AFTERNOON)
    db.session.commit()

    assert told == "notices"
    assert [(mail.recipient, mail.subject) for mail in outbox()] == [
        ("maria.muster@example.org", "Ihre Anmeldeadresse bei Qualify wurde geändert"),
        ("m.muster@firma.example", "Ihre neue Anmeldeadresse bei Qualify")]


def test_a_new_address_of_someone_still_invited_or_not_yet_invited_or_deactivated(app, make_user):
    invited, not_yet, gone = (make_user(password=None), make_user(password=None), make_user(active=False))
    invited.invited_at = WINTER_AFTERNOON

    with app.test_request_context():
        told = [services.change_address(person, f"neu{n}@example.org", actor=None, now=WINTER_AFTERNOON)
                for n, person in enumerate((invited, not_yet, gone))]
    db.session.commit()

    assert told == ["invitation", None, None]
    assert [(mail.recipient, mail.subject) for mail in outbox()] == [("neu0@example.org", "Ihr Zugang zu Qualify")]
