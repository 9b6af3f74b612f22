"""The person page: a new address told to both addresses, a reset link sent by an admin, whether someone was
invited at all, and the sessions and courses a person leaves behind when deactivated."""

import html
import io
import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, format_date
from flask_migrate import upgrade
from sqlalchemy import select, text

from qualify.accounts import tokens
from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.core.mail import OutboxMessage
from qualify.core.time import utcnow
from qualify.courses.models import CourseOwner, Module
from qualify.extensions import db
from qualify.privacy.services import purge_expired_data, retention_days
from qualify.workshops.models import WorkshopSession
from tests.conftest import PASSWORD
from tests.test_migrations import scratch_database_url

ADDRESS_CHANGED = "Ihre Anmeldeadresse bei Qualify wurde geändert"
NEW_ADDRESS = "Ihre neue Anmeldeadresse bei Qualify"


def mails_to(address: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)
                                   .order_by(OutboxMessage.id)))


def edited(user, **changes) -> dict:
    return {"display_name": user.display_name, "email": user.email, "personnel_number": "", "unit": "",
            "language": user.language, "roles": sorted(str(r) for r in user.roles), **changes}


def actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# -- a changed address --------------------------------------------------------------------------------------

def test_a_changed_address_is_told_to_the_old_one_and_the_new_one(client, admin, make_user):
    person = make_user(name="Maria Muster", email="maria.muster@example.org")

    page = client.post(f"/verwaltung/personen/{person.id}", data=edited(person, email="m.muster@firma.example"),
                       follow_redirects=True)

    assert "Gespeichert. Die bisherige und die neue Adresse bekommen je eine E-Mail dazu." in page.text
    (notice,) = mails_to("maria.muster@example.org")
    assert notice.subject == ADDRESS_CHANGED and notice.user_id == person.id  # the person's mail, as any other
    text = notice.body_text
    assert "Hallo Maria Muster," in text and "Uhr von der Administration geändert" in text
    assert "m.…@firma.example" in text and "m.muster@firma.example" not in text + notice.body_html  # masked
    assert "wenden Sie sich bitte sofort an die Administration" in text
    (welcome,) = mails_to("m.muster@firma.example")
    assert welcome.subject == NEW_ADDRESS
    assert "Ab jetzt melden Sie sich mit dieser Adresse an: m.muster@firma.example" in welcome.body_text
    assert "http://localhost/anmelden?email=m.muster@firma.example" in welcome.body_text


def test_the_mails_about_a_new_address_are_in_the_persons_language(client, admin, make_user):
    # The English words come with the catalogue; the date already says which language the mail was written in.
    person = make_user(email="old@example.org", language="en")

    def today() -> str:
        with force_locale("en_GB"):
            return format_date(utcnow(), "full")

    days = {today()}
    client.post(f"/verwaltung/personen/{person.id}", data=edited(person, email="new@example.org"))
    days.add(today())  # either side of midnight, should the test run across it

    (notice,), (welcome,) = mails_to("old@example.org"), mails_to("new@example.org")
    assert any(day in notice.body_text and day in welcome.body_text for day in days)


def test_saving_without_a_new_address_mails_nobody(client, admin, make_user):
    person = make_user(email="same@example.org")
    client.post(f"/verwaltung/personen/{person.id}", data=edited(person, display_name="Neuer Name"))
    assert mails_to("same@example.org") == []


def test_a_deactivated_account_gets_no_mail_about_its_new_address(client, admin, make_user):
    # Someone who left: the old work address may be a colleague's by now.
    person = make_user(email="left@example.org", active=False)
    client.post(f"/verwaltung/personen/{person.id}", data=edited(person, email="private@example.org"))
    assert mails_to("left@example.org") == [] and mails_to("private@example.org") == []


def test_someone_invited_gets_the_invitation_at_the_new_address_and_no_notices(client, admin, make_invited):
    invited = make_invited(email="tipfehler@example.org")
    client.post(f"/verwaltung/personen/{invited.id}", data=edited(invited, email="tippfehler@example.org"))
    assert mails_to("tipfehler@example.org") == []  # a typo may be a stranger's address
    assert [mail.subject for mail in mails_to("tippfehler@example.org")] == ["Ihr Zugang zu Qualify"]


def test_an_admin_changing_their_own_address_is_told_to_sign_in_with_it(client, admin, login):
    page = client.post(f"/verwaltung/personen/{admin.id}", data=edited(admin, email="ada@neu.example"),
                       follow_redirects=True)

    assert page.request.path == "/anmelden"
    assert "Ihre Anmeldeadresse ist jetzt ada@neu.example. Bitte melden Sie sich mit der neuen Adresse wieder an." \
        in page.text
    assert 'value="ada@neu.example"' in page.text  # the new address already typed in
    assert "Gespeichert." not in page.text
    assert client.get("/verwaltung/").status_code == 302  # signed out indeed
    db.session.expire_all()
    login(admin)  # with the new address
    assert mails_to("ada@neu.example")[0].subject == NEW_ADDRESS


# -- a reset link sent by the admin -------------------------------------------------------------------------

def test_an_admin_sends_the_reset_link_to_someone_with_a_password(client, admin, make_user):
    person = make_user(name="Vera Vergessen", email="vera@example.org")
    page = client.get(f"/verwaltung/personen/{person.id}").text
    assert "Link zum Zurücksetzen des Passworts senden</button>" in page

    sent = client.post(f"/verwaltung/personen/{person.id}/passwort-link", data={}, follow_redirects=True)

    assert "Der Link zum Zurücksetzen des Passworts ist an vera@example.org unterwegs." in sent.text
    (mail,) = mails_to("vera@example.org")
    assert mail.subject == "Passwort zurücksetzen"  # the mail „Passwort vergessen“ sends
    assert "Die Administration Ihrer Organisation hat Ihnen diesen Link geschickt." in mail.body_text
    assert "nicht angefordert" not in mail.body_text  # the person did not ask: "ignore it" would mislead
    token = re.search(r"/passwort-neu/(\S+)", mail.body_text).group(1)
    assert tokens.user_for_reset_token(token) == person
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.password_reset_link"))
    assert (event.actor_id, event.target_id) == (admin.id, person.id)
    assert "Link zum Zurücksetzen des Passworts gesendet" in client.get("/verwaltung/protokoll").text


def test_a_second_click_sends_no_second_reset_link(client, admin, make_user):
    person = make_user(email="vera@example.org")
    client.post(f"/verwaltung/personen/{person.id}/passwort-link", data={})
    again = client.post(f"/verwaltung/personen/{person.id}/passwort-link", data={}, follow_redirects=True)
    assert "eben erst an vera@example.org gegangen" in again.text
    assert len(mails_to("vera@example.org")) == 1


def test_the_reset_link_needs_the_forms_token(client, admin, make_user):
    person = make_user(email="vera@example.org")
    assert client.post(f"/verwaltung/personen/{person.id}/passwort-link", data={}, csrf=False).status_code == 400
    assert mails_to("vera@example.org") == []


def test_no_reset_link_for_someone_without_a_password_or_deactivated(client, admin, make_user):
    invited, gone = make_user(password=None), make_user(active=False)
    for person in (invited, gone):
        assert "Link zum Zurücksetzen" not in client.get(f"/verwaltung/personen/{person.id}").text
        client.post(f"/verwaltung/personen/{person.id}/passwort-link", data={})
        assert mails_to(person.email) == []


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.ADMIN, Role.ORG_ADMIN}))  # see test_org_admin.py
def test_only_admins_send_reset_links(client, make_user, login, role):
    login(make_user(role))
    target = make_user()
    assert client.post(f"/verwaltung/personen/{target.id}/passwort-link", data={}).status_code == 403
    assert mails_to(target.email) == []


def test_setting_and_changing_a_password_are_in_the_audit_log(client, admin, make_user, new_client, login):
    invited, forgetful = make_user(password=None, name="Ina Invited"), make_user(name="Fred Forgetful")
    for person in (invited, forgetful):
        new_client().post(f"/passwort-neu/{tokens.make_reset_token(person)}",
                          data={"password": "ein ganz neuer Satz 2026", "confirm": "ein ganz neuer Satz 2026"})
    profile = new_client()
    login(forgetful, "ein ganz neuer Satz 2026", via=profile)
    profile.post("/profil/passwort", data={"current": "ein ganz neuer Satz 2026", "password": "noch ein Satz 2027",
                                           "confirm": "noch ein Satz 2027"})

    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.startswith("user.password"))
                                .order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_id, e.target_id, e.details) for e in events] == [
        ("user.password_set", invited.id, invited.id, {"first": True}),
        ("user.password_set", forgetful.id, forgetful.id, {"first": False}),
        ("user.password_changed", forgetful.id, forgetful.id, {})]
    log = html.unescape(client.get("/verwaltung/protokoll?person=Fred").text)
    assert "Passwort über E-Mail-Link gesetzt" in log and "Passwort im Profil geändert" in log
    assert "erstes Passwort: nein" in log


# -- invited or not yet ------------------------------------------------------------------------------------

def new_person(**changes) -> dict:
    return {"display_name": "Nora Neu", "email": "nora@example.org", "personnel_number": "", "unit": "",
            "language": "de", "roles": ["learner"], **changes}


def test_someone_created_without_an_invitation_is_shown_as_not_invited_yet(client, admin):
    page = client.post("/verwaltung/personen/neu", data=new_person(), follow_redirects=True).text
    assert "noch nicht eingeladen" in page and "Einladung senden</button>" in page
    assert "Einladung erneut senden" not in page
    listed = client.get("/verwaltung/?q=Nora").text
    assert "<td>noch nicht eingeladen</td>" in listed

    person_id = re.search(r"/verwaltung/personen/(\d+)/einladung", page).group(1)
    sent = client.post(f"/verwaltung/personen/{person_id}/einladung", data={}, follow_redirects=True).text

    assert "Die Einladung ist an nora@example.org unterwegs." in sent
    assert "Einladung erneut senden</button>" in sent and "noch nicht eingeladen" not in sent
    assert "<td>eingeladen</td>" in client.get("/verwaltung/?q=Nora").text
    assert [mail.subject for mail in mails_to("nora@example.org")] == ["Ihr Zugang zu Qualify"]
    again = client.post(f"/verwaltung/personen/{person_id}/einladung", data={}, follow_redirects=True).text
    assert "eben erst an nora@example.org" in again and len(mails_to("nora@example.org")) == 1
    assert "Einladung gesendet" in client.get("/verwaltung/protokoll?aktion=user.invited").text


def test_someone_created_with_the_invitation_is_shown_as_invited(client, admin):
    page = client.post("/verwaltung/personen/neu", data=new_person(send_invitation="y"), follow_redirects=True).text
    assert "Einladung erneut senden</button>" in page and "noch nicht eingeladen" not in page
    assert "<td>eingeladen</td>" in client.get("/verwaltung/?q=Nora").text
    log = client.get("/verwaltung/protokoll?aktion=user.create").text
    assert "Einladung gesendet: ja" in log


def test_correcting_the_address_of_someone_not_invited_yet_sends_no_invitation(client, admin):
    client.post("/verwaltung/personen/neu", data=new_person(email="nora@exmaple.org"))
    person_id = db.session.scalar(select(User.id).where(User.email == "nora@exmaple.org"))
    page = client.post(f"/verwaltung/personen/{person_id}", data=new_person(), follow_redirects=True).text
    assert "Gespeichert." in page and "Einladung ging neu" not in page
    assert mails_to("nora@example.org") == [] and mails_to("nora@exmaple.org") == []
    assert "Einladung senden</button>" in page


def test_not_invited_yet_outlasts_the_log_entry_of_the_accounts_creation(client, admin, login):
    client.post("/verwaltung/personen/neu", data=new_person())
    purge_expired_data(utcnow() + timedelta(days=retention_days("audit") + 1))  # the log's entries are gone
    db.session.commit()
    login(admin)  # the purge ended the session too
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.create")) is None

    assert "<td>noch nicht eingeladen</td>" in client.get("/verwaltung/?q=Nora").text
    person_id = db.session.scalar(select(User.id).where(User.email == "nora@example.org"))
    assert "Einladung senden</button>" in client.get(f"/verwaltung/personen/{person_id}").text


def test_an_import_invites_and_the_list_says_so_after_the_log_has_gone(client, admin, login, make_organisation):
    firma = make_organisation("Muster GmbH")
    page = client.post("/verwaltung/import", data={"organisation": firma.slug, "file": (
        io.BytesIO(b"E-Mail;Name\nnora@example.org;Nora Neu\n"), "personen.csv")},
        content_type="multipart/form-data", follow_redirects=True).text
    action = re.search(r'action="(/verwaltung/import/[\w-]+)"', page).group(1)
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([^"]*)"', page).group(1)
    client.post(action, data={"fingerprint": fingerprint})
    purge_expired_data(utcnow() + timedelta(days=retention_days("audit") + 1))
    db.session.commit()
    login(admin)

    assert "<td>eingeladen</td>" in client.get("/verwaltung/?q=Nora").text


def test_the_migration_counts_people_as_invited_unless_the_log_says_otherwise(tmp_path, app_on_database):
    # Until the column, the log's entry of the account's creation told; accounts from before the choice was
    # logged counted as invited, as they were shown until then.
    with scratch_database_url(tmp_path) as url, app_on_database(url):
        upgrade(revision="9b3e6f1a7c52")
        with db.engine.begin() as connection:
            for n, name in enumerate(("older", "without", "later", "with_password"), start=1):
                connection.execute(text(
                    "INSERT INTO users (id, email, display_name, language, active, created_at, password_hash) "
                    "VALUES (:id, :email, :name, 'de', :yes, '2026-11-01 08:00:00', :hash)"),
                    {"id": n, "email": f"{name}@example.org", "name": name, "yes": True,
                     "hash": "x" if name == "with_password" else None})
            connection.execute(text(
                "INSERT INTO audit_events (created_at, action, target_type, target_id, details) VALUES "
                """('2026-11-01 08:00:00', 'user.create', 'User', 2, '{"invited": false}'),"""
                """('2026-11-01 08:00:00', 'user.create', 'User', 3, '{"invited": false}'),"""
                """('2026-11-02 08:00:00', 'user.invited', 'User', 3, '{}')"""))

        upgrade(revision="d55125a2edc7")

        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT display_name, invited_at FROM users ORDER BY id")).all()
    assert [(name, invited_at is not None) for name, invited_at in rows] == [
        ("older", True), ("without", False), ("later", True), ("with_password", False)]


# -- sessions and courses of someone deactivated -------------------------------------------------------------

@pytest.fixture
def workshop(demo_courses) -> Module:
    course = demo_courses["hochvolt-sicherheit"]
    return db.session.scalar(select(Module).where(Module.course_id == course.id,
                                                  Module.slug == "praxistag-hv-schulungsfahrzeug"))


def lead(module: Module, trainers, *, days: int, status: str = "scheduled") -> WorkshopSession:
    starts = utcnow() + timedelta(days=days)
    session = WorkshopSession(module=module, starts_at=starts, ends_at=starts + timedelta(hours=3), capacity=10,
                              booking_deadline_at=starts, cancellation_deadline_at=starts, status=status,
                              trainers=list(trainers))
    db.session.add(session)
    db.session.commit()
    return session


def own(course_id: int, *people) -> None:
    db.session.add_all(CourseOwner(course_id=course_id, user_id=person.id) for person in people)
    db.session.commit()


def test_the_person_page_lists_upcoming_sessions_and_courses_nobody_else_edits(
        client, admin, make_user, workshop, demo_courses):
    trainer = make_user(Role.TRAINER, name="Theo Trainer")
    colleague, gone = make_user(Role.TRAINER), make_user(Role.TRAINER, active=False)
    for days in (3, 10, 17):
        lead(workshop, [trainer], days=days)
    lead(workshop, [trainer], days=-5)  # over: not upcoming
    lead(workshop, [trainer], days=24, status="cancelled")
    own(workshop.course_id, trainer, gone)  # the other owner can no longer sign in
    own(demo_courses["digitale-fabrik"].id, trainer, colleague)  # shared: someone else carries on

    page = html.unescape(client.get(f"/verwaltung/personen/{trainer.id}").text)

    section = re.search(r'<section aria-labelledby="duties-heading">.*?</section>', page, re.S).group(0)
    assert "Leitet 3 kommende Termine:" in section and section.count('href="/termine/') == 3
    assert "Außer der Administration kann nur diese Person 1 Kurs bearbeiten:" in section
    assert demo_courses["hochvolt-sicherheit"].title in section
    assert demo_courses["digitale-fabrik"].title not in section
    decision = re.search(r'<details class="decision">.*?</details>', page, re.S).group(0)
    assert ("Theo Trainer leitet 3 kommende Termine. Außer der Administration kann nur Theo Trainer 1 Kurs "
            "bearbeiten.") in decision


def test_a_person_without_sessions_or_courses_gets_no_such_warning(client, admin, make_user):
    page = client.get(f"/verwaltung/personen/{make_user().id}").text
    assert "duties-heading" not in page and "deactivation-duties" not in page


def test_the_person_page_costs_the_same_with_one_session_and_many(app, new_client, login, make_user, workshop,
                                                                   count_statements):
    browser = new_client()  # each request in its own session, as in production
    login(make_user(Role.ADMIN), via=browser)
    trainer = make_user(Role.TRAINER)
    lead(workshop, [trainer], days=3)
    own(workshop.course_id, trainer)

    def cost() -> int:
        browser.get(f"/verwaltung/personen/{trainer.id}")
        with count_statements() as counter:
            assert browser.get(f"/verwaltung/personen/{trainer.id}").status_code == 200
        return counter.count

    with_one = cost()
    for days in range(4, 30):
        lead(workshop, [trainer], days=days)
    assert cost() == with_one
    page = browser.get(f"/verwaltung/personen/{trainer.id}").text
    assert "Leitet 27 kommende Termine:" in page and "und 22 weitere" in page


def test_signing_in_after_the_admin_changed_the_address_works_with_the_new_one(app, client, admin, make_user, login):
    person = make_user(email="before@example.org")
    client.post(f"/verwaltung/personen/{person.id}", data=edited(person, email="after@example.org"))
    db.session.expire_all()
    refused = app.test_client().post("/anmelden", data={"email": "before@example.org", "password": PASSWORD})
    assert refused.status_code == 200
    login(person, via=app.test_client())
