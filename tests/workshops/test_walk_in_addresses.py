"""The form for people who came without a seat asks for an address: it must not tell a trainer which addresses
have an account beyond entering the person who is in the room. One answer for every address that names nobody to
enter, the session's state before any look-up, each such answer in the log, and a pause after a handful."""

import re
from datetime import timedelta

from sqlalchemy import select, update

from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.workshops.attendance import WALK_IN_REFUSALS_PER_HOUR
from tests.workshops.conftest import bookings_of
from tests.workshops.test_attendance_pages import moved, text_of

NO_ACCOUNT = "Unter dieser Adresse gibt es kein aktives Konto, das an diesem Termin teilnehmen kann."
PAUSED = "In der letzten Stunde gab es zu viele Adressen ohne passendes Konto."


def enter(client, session, address: str) -> str:
    """Type the address into the form; return what the page then says about it (its error, or the flash)."""
    page = client.post(f"/termine/{session.id}/anwesenheit/ohne-platz", data={"email": address},
                       follow_redirects=True).text
    main = text_of(page[page.index("<main"):page.index("</main>")])
    return re.sub(re.escape(address), "ADDRESS", main)


def refusals() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "workshops.walk_in_refused")))


def test_before_the_hour_and_once_cancelled_every_address_gets_the_same_answer(client, login, make_user,
                                                                               make_session, trainer):
    session = make_session()  # in two weeks: the attendance list is not open yet
    known = make_user(email="bekannt@example.org")
    login(trainer)
    assert enter(client, session, known.email) == enter(client, session, "unbekannt@example.org")
    assert "erst ab einer Stunde vor Beginn" in enter(client, session, "unbekannt@example.org")

    session = moved(session, starts_in=timedelta(minutes=-5))
    session.status, session.cancelled_at = "cancelled", utcnow()
    db.session.commit()
    assert enter(client, session, known.email) == enter(client, session, "unbekannt@example.org")
    assert "abgesagt" in enter(client, session, known.email)
    assert bookings_of(session) == [] and refusals() == []


def test_no_deactivated_or_unknown_account_is_told_apart_and_each_refusal_is_logged_without_the_address(
        client, login, make_user, make_session, trainer):
    session = moved(make_session(), starts_in=timedelta(minutes=-5))
    make_user(email="ehemalig@example.org", active=False)
    login(trainer)

    answers = {enter(client, session, address) for address in ("ehemalig@example.org", "niemand@example.org")}

    assert len(answers) == 1 and NO_ACCOUNT in answers.pop()
    logged = refusals()
    assert [(event.actor_id, event.target_type, event.target_id) for event in logged] == [
        (trainer.id, "WorkshopSession", session.id)] * 2
    assert all("example.org" not in str(event.details) for event in logged)  # no typed address kept


def test_after_ten_addresses_without_an_account_the_form_pauses_for_that_trainer_for_an_hour(
        client, new_client, login, make_user, make_session, trainer):
    session = moved(make_session(), starts_in=timedelta(minutes=-5))
    came = make_user(name="Wanda Walk-in", email="wanda@example.org")
    login(trainer)
    for n in range(WALK_IN_REFUSALS_PER_HOUR):
        assert NO_ACCOUNT in enter(client, session, f"probe{n}@example.org")

    # Paused: no address is looked up any more, not even one that has an account.
    assert PAUSED in enter(client, session, came.email)
    assert PAUSED in enter(client, session, "probe-weiter@example.org")
    assert bookings_of(session) == [] and len(refusals()) == WALK_IN_REFUSALS_PER_HOUR

    # The administration, which sees every account anyway, is not paused.
    admin = make_user(Role.ADMIN)
    by_admin = new_client()
    login(admin, via=by_admin)
    assert "Wanda Walk-in ist als anwesend eingetragen." in enter(by_admin, session, came.email)

    # An hour later the trainer enters people again.
    db.session.execute(update(AuditEvent).where(AuditEvent.action == "workshops.walk_in_refused")
                       .values(created_at=utcnow() - timedelta(hours=1, minutes=1)))
    db.session.commit()
    assert NO_ACCOUNT in enter(client, session, "probe-spaeter@example.org")


def test_the_refusal_has_a_name_in_the_log(client, new_client, login, make_user, make_session, trainer):
    session = moved(make_session(), starts_in=timedelta(minutes=-5))
    login(trainer)
    enter(client, session, "niemand@example.org")
    administration = new_client()
    login(make_user(Role.ADMIN), via=administration)
    log = text_of(administration.get("/verwaltung/protokoll").text)
    assert ("Wer: Trainerin Tina Person ohne Platz nicht eingetragen: Adresse ohne passendes Konto "
            "Objekt: Termin „Praxistag am Hochvolt-Schulungsfahrzeug,") in log
