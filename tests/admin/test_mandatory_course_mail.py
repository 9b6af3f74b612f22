"""The mail about a mandatory course: how long the course takes, as the catalogue says it, and – for someone who
has not set a password yet – how to get in at all."""

import re

from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.mail import OutboxMessage, compose_deferred_mail
from qualify.core.time import utcnow
from qualify.extensions import db
from tests.accounts.test_passwords import RESET_LINK, set_new_password


def assign(client, course, unit) -> None:
    asked = client.post("/verwaltung/pflichtkurse", data={"course": course.id, "unit": unit.id}).text
    assert "Bitte bestätigen" in asked and "Noch einmal gefragt" not in asked
    client.post("/verwaltung/pflichtkurse", data={"course": course.id, "unit": unit.id, "confirmed": "1"})


def mail_to(person) -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == person.email)
                              .order_by(OutboxMessage.id.desc())).first()


def test_the_mail_says_the_length_as_the_catalogue_does_and_reads_on_after_the_greeting(
        client, admin, make_user, make_organisation, demo_courses):
    organisation = make_organisation()
    person = make_user(Role.LEARNER, name="Mia Montage", organisation=organisation, unit=organisation.units[0])
    course = demo_courses["hochvolt-sicherheit"]  # 290 minutes
    assert "ca. 5 Stunden" in client.get("/kurse/").text

    assign(client, course, organisation.units[0])

    body = mail_to(person).body_text
    assert f"Hallo Mia Montage,\n\nder Kurs „{course.title}“ ist für Ihren Bereich ein Pflichtkurs." in body
    assert "Umfang: ca. 5 Stunden." in body and "Minuten" not in body
    assert "Passwort" not in body  # signs in as ever


def test_someone_without_a_password_is_told_how_to_set_one_and_that_way_works(
        client, admin, make_user, make_organisation, demo_courses, new_client):
    organisation = make_organisation()
    invited = make_user(Role.LEARNER, email="neu@example.org", password=None, organisation=organisation,
                        unit=organisation.units[0])
    course = demo_courses["hochvolt-sicherheit"]

    assign(client, course, organisation.units[0])

    body = mail_to(invited).body_text
    assert "Sie haben noch kein Passwort für Qualify." in body and "Link aus Ihrer Einladung" in body
    assert "unter „Passwort vergessen?“ mit Ihrer E-Mail-Adresse (neu@example.org) einen neuen an" in body
    forgot = re.search(r"http://localhost(/\S+)\n", body.split("Sie haben noch kein Passwort")[1]).group(1)
    assert body.index(forgot) < body.index("Zum Kurs")  # first the way in, then the course

    # The way the mail shows works for someone who never had a password.
    browser = new_client()
    assert browser.get(forgot).status_code == 200
    assert browser.post(forgot, data={"email": invited.email}).status_code == 302
    compose_deferred_mail(utcnow())  # the reset link is written by the next sending run
    set_password = RESET_LINK.search(mail_to(invited).body_text).group(1)
    assert set_new_password(browser, set_password).status_code == 302
    page = browser.get(f"/kurse/{course.slug}")  # signed in now: the course, not the sign-in page
    assert page.status_code == 200 and course.title in page.text
