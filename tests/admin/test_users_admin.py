"""Creating, editing and deactivating accounts on the administration pages."""

import html
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from qualify.accounts.models import User, UserSession
from qualify.accounts.roles import Role
from qualify.core import audit
from qualify.core.audit import AuditEvent
from qualify.core.mail import OutboxMessage
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.learning.models import Enrolment
from tests.conftest import PASSWORD


def new_person(**changes) -> dict:
    return {"display_name": "Nora Neu", "email": "Nora@Example.org", "personnel_number": "", "unit": "",
            "language": "de", "roles": ["learner"], "send_invitation": "y", **changes}


def test_admin_creates_a_person_in_a_unit_and_invites_them(client, admin, make_organisation):
    organisation = make_organisation()
    unit = organisation.units[0]
    response = client.post("/verwaltung/personen/neu",
                           data=new_person(unit=f"unit:{unit.id}", roles=["learner", "trainer"]))
    assert response.status_code == 302
    person = db.session.scalar(select(User).where(User.email == "nora@example.org"))
    assert (person.organisation_id, person.unit_id, person.password_hash) == (organisation.id, unit.id, None)
    assert person.roles == {Role.LEARNER, Role.TRAINER}
    assert list(db.session.scalars(select(OutboxMessage.recipient))) == ["nora@example.org"]


def test_creating_a_person_without_invitation_sends_no_mail(client, admin):
    client.post("/verwaltung/personen/neu", data={**new_person(), "send_invitation": ""})
    assert db.session.scalar(select(User).where(User.email == "nora@example.org")) is not None
    assert db.session.scalar(select(OutboxMessage)) is None


def test_taken_email_is_reported_at_the_field_and_the_input_kept(client, admin, make_user):
    make_user(email="nora@example.org")
    response = client.post("/verwaltung/personen/neu", data=new_person(display_name="Nora Zwei"))
    assert response.status_code == 200
    assert "bereits vergeben" in response.text and 'id="email-error"' in response.text
    assert 'value="Nora Zwei"' in response.text


@pytest.mark.parametrize("typed", ["jörg.müller@example.org", "jörg.müller@firma"])
def test_an_address_with_an_umlaut_gets_the_helpful_hint_only(client, admin, typed):
    response = client.post("/verwaltung/personen/neu", data=new_person(email=typed))
    error = html.unescape(re.search(r'<p class="error" id="email-error">(.*?)</p>', response.text, re.S).group(1))
    assert error.startswith("Umlaute und andere Sonderzeichen vor dem @") and "z. B. joerg.mueller@" in error
    assert "gültige E-Mail-Adresse an" not in response.text  # however else the address may be wrong
    assert db.session.scalar(select(User).where(User.display_name == "Nora Neu")) is None


def test_admin_changes_name_and_roles(client, admin, make_user):
    person = make_user(Role.LEARNER, Role.TRAINER, email="tom@example.org")
    changes = new_person(display_name="Tom Neu", email="tom@example.org", roles=["moderator"])
    response = client.post(f"/verwaltung/personen/{person.id}", data=changes)
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.display_name == "Tom Neu" and person.roles == {Role.MODERATOR}
    roles_event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.roles",
                                                             AuditEvent.actor_id == admin.id))
    assert roles_event.details == {"added": ["moderator"], "removed": ["learner", "trainer"]}
    update = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.update"))
    assert update.details == {"fields": ["display_name"]}  # which data changed, not their values

    client.post(f"/verwaltung/personen/{person.id}", data=changes)  # saved again, unchanged

    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "user.update")) == 1


def test_editing_cannot_take_another_persons_email(client, admin, make_user):
    make_user(email="taken@example.org")
    person = make_user(email="tom@example.org")
    response = client.post(f"/verwaltung/personen/{person.id}", data=new_person(email="TAKEN@example.org"))
    assert "bereits vergeben" in response.text
    db.session.refresh(person)
    assert person.email == "tom@example.org"


def test_deactivated_person_is_signed_out_and_cannot_sign_in(app, client, admin, make_user, login):
    person = make_user()
    other_browser = app.test_client()
    login(person, via=other_browser)

    client.post(f"/verwaltung/personen/{person.id}/deaktivieren", data={})

    db.session.refresh(person)
    assert person.active is False
    assert db.session.scalar(select(UserSession).where(UserSession.user_id == person.id)) is None
    assert other_browser.get("/profil").status_code == 302
    with pytest.raises(AssertionError, match="login failed"):
        login(person, via=app.test_client())
    # With the right password the person learns why (a guesser with a wrong one learns nothing new).
    told = app.test_client().post("/anmelden", data={"email": person.email, "password": PASSWORD})
    assert "Ihr Konto ist deaktiviert" in told.text
    guessed = app.test_client().post("/anmelden", data={"email": person.email, "password": "falsch-geraten-1"})
    assert "Ihr Konto ist deaktiviert" not in guessed.text and "Passwort ist falsch" in guessed.text


def test_deactivating_asks_once_more_and_says_what_happens(client, admin, make_user):
    person = make_user(name="Dora Dienst")
    page = html.unescape(client.get(f"/verwaltung/personen/{person.id}").text)
    decision = re.search(r'<details class="decision">.*?</details>', page, re.S).group(0)
    assert "Konto deaktivieren …" in decision and "Ja, Konto deaktivieren" in decision
    assert f'action="/verwaltung/personen/{person.id}/deaktivieren"' in decision
    assert "Dora Dienst wird sofort auf allen Geräten abgemeldet" in decision
    assert "jederzeit wieder aktivieren" in decision
    assert page.count(f'action="/verwaltung/personen/{person.id}/deaktivieren"') == 1  # no button that does it at once


def test_a_deactivated_account_is_reactivated_with_one_button(client, admin, make_user):
    person = make_user(active=False)
    page = client.get(f"/verwaltung/personen/{person.id}").text
    assert '<details class="decision">' not in page and "Konto wieder aktivieren</button>" in page


def test_reactivated_person_can_sign_in_again(app, client, admin, make_user, login):
    person = make_user(active=False)
    client.post(f"/verwaltung/personen/{person.id}/aktivieren", data={})
    login(person, via=app.test_client())


def test_admin_cannot_deactivate_themselves(client, admin):
    page = client.post(f"/verwaltung/personen/{admin.id}/deaktivieren", data={}, follow_redirects=True).text
    assert "Ihr eigenes Konto können Sie nicht deaktivieren." in page
    db.session.refresh(admin)
    assert admin.active


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.ADMIN, Role.ORG_ADMIN}))  # see test_org_admin.py
def test_only_admins_reach_the_administration(client, make_user, login, role):
    login(make_user(role))
    target = make_user(email="target@example.org")
    assert client.get("/verwaltung/").status_code == 403
    assert client.get("/verwaltung/personen/neu").status_code == 403
    assert client.post("/verwaltung/personen/neu", data=new_person()).status_code == 403
    assert client.post(f"/verwaltung/personen/{target.id}/deaktivieren", data={}).status_code == 403
    db.session.refresh(target)
    assert target.active


def edited(user, **changes) -> dict:
    return {"display_name": user.display_name, "email": user.email, "personnel_number": "", "unit": "",
            "language": "de", "roles": sorted(str(r) for r in user.roles), **changes}


def test_the_last_admin_cannot_remove_their_own_admin_role(client, admin):
    page = client.post(f"/verwaltung/personen/{admin.id}", data=edited(admin, roles=["learner"]))
    assert page.status_code == 200
    assert "letzte Administrationskonto" in page.text
    db.session.expire_all()
    assert Role.ADMIN in db.session.get(User, admin.id).roles


def test_an_admin_role_can_go_while_another_admin_remains(client, admin, make_user):
    other = make_user(Role.ADMIN)
    client.post(f"/verwaltung/personen/{other.id}", data=edited(other, roles=["learner"]))
    db.session.expire_all()
    assert db.session.get(User, other.id).roles == {Role.LEARNER}


def test_changing_an_email_signs_the_person_out_everywhere(client, admin, make_user, login, app):
    person = make_user(Role.LEARNER)
    other_browser = app.test_client()
    login(person, via=other_browser)
    assert db.session.scalar(select(UserSession).where(UserSession.user_id == person.id)) is not None
    client.post(f"/verwaltung/personen/{person.id}", data=edited(person, email="neu@example.org"))
    assert db.session.scalar(select(UserSession).where(UserSession.user_id == person.id)) is None
    assert other_browser.get("/profil").status_code == 302


def test_the_audit_log_says_what_happened_in_words(client, admin, make_user):
    person = make_user(Role.LEARNER, Role.TRAINER, name="Tina Trainerin", email="tina@example.org")
    client.post(f"/verwaltung/personen/{person.id}", data=new_person(display_name="Tina Trainerin",
                                                                       email="tina@example.org", roles=["trainer"]))
    log = client.get("/verwaltung/protokoll").text
    assert "Rollen geändert" in log and "Tina Trainerin" in log and "entfernt: Lernende" in log
    assert "['learner']" not in log and "User " not in log and "learner" not in log


def test_the_audit_log_says_from_which_unit_to_which_a_person_moved(client, admin, make_user, make_organisation):
    organisation = make_organisation()
    logistik, montage = organisation.units
    person = make_user(name="Mia Meyer", email="mia@example.org", organisation=organisation, unit=logistik)

    client.post(f"/verwaltung/personen/{person.id}", data=new_person(display_name="Mia Meyer", email="mia@example.org",
                                                                       unit=f"unit:{montage.id}"))

    log = html.unescape(client.get("/verwaltung/protokoll").text)
    assert "Einheit vorher: „Logistik“; Einheit nachher: „Montage“" in log


def test_the_audit_log_names_organisations_and_courses_by_what_they_are_called(client, admin, make_organisation):
    organisation = make_organisation()
    client.post(f"/verwaltung/organisationen/{organisation.id}", data={"name": "Karosseriewerk Nord",
                                                                      "small_group_threshold": "7"})
    assert "Organisation „Karosseriewerk Nord“" in client.get("/verwaltung/protokoll").text


def test_the_audit_log_is_filtered_by_action_and_by_person(client, admin, make_user):
    tina, uwe = make_user(name="Tina Trainerin"), make_user(name="Uwe Umsteiger")
    for person in (tina, uwe):
        client.post(f"/verwaltung/personen/{person.id}/deaktivieren", data={})
    client.get(f"/verwaltung/personen/{tina.id}")  # a look at her data
    about_tina = client.get("/verwaltung/protokoll?person=Tina").text
    assert "<td>Konto deaktiviert</td>" in about_tina and "<td>Personendaten angesehen</td>" in about_tina
    assert "Uwe Umsteiger" not in about_tina
    deactivations = client.get("/verwaltung/protokoll?aktion=user.deactivate").text
    assert "Uwe Umsteiger" in deactivations and "<td>Personendaten angesehen</td>" not in deactivations
    assert client.get("/verwaltung/protokoll?aktion=unbekannt").status_code == 200


def test_the_person_filter_finds_the_events_of_everyone_it_matches(client, admin, make_user):
    # More people of that name than one page of search results: the filter used to look at the first 20 only.
    namesakes = [make_user(name=f"Müller {number:02}") for number in range(25)]
    for person in namesakes:
        client.post(f"/verwaltung/personen/{person.id}/deaktivieren", data={})
    about_them = client.get("/verwaltung/protokoll?person=Müller").text
    assert all(person.display_name in about_them for person in namesakes)


def test_the_audit_log_tells_who_acted_from_whom_it_concerned(app, client, admin, make_user, login):
    tina = make_user(Role.ADMIN, name="Tina Admin")
    uwe = make_user(name="Uwe Umsteiger")
    as_tina = app.test_client()
    login(tina, via=as_tina)
    as_tina.post(f"/verwaltung/personen/{uwe.id}/deaktivieren", data={})
    as_tina.post(f"/verwaltung/personen/{uwe.id}/aktivieren", data={})
    client.post(f"/verwaltung/personen/{tina.id}/deaktivieren", data={})

    def actions(**query):
        page = client.get("/verwaltung/protokoll", query_string={"person": "Tina", **query}).text
        return sorted(set(re.findall(r"<td>(Konto [a-z ]+)</td>", page)))

    assert actions() == ["Konto deaktiviert", "Konto wieder aktiviert"]
    assert actions(rolle="did") == ["Konto deaktiviert", "Konto wieder aktiviert"]  # she did both to Uwe
    page = client.get("/verwaltung/protokoll", query_string={"person": "Tina", "rolle": "concerned"}).text
    assert "Uwe Umsteiger" not in page and page.count("<td>Konto deaktiviert</td>") == 1


def test_the_audit_log_is_filtered_by_days_and_keeps_them_on_every_page(client, admin, make_user):
    person = make_user(name="Uwe Umsteiger")
    old = audit.record("user.deactivate", actor=admin, target=person)
    old.created_at = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)  # 23:30 in Berlin: still the 2nd of March there
    audit.record("user.reactivate", actor=admin, target=person)
    db.session.commit()

    march = client.get("/verwaltung/protokoll", query_string={"von": "2026-03-02", "bis": "2026-03-02"}).text
    typed = client.get("/verwaltung/protokoll", query_string={"von": "02.03.2026", "bis": "2.3.2026"}).text
    assert "<td>Konto deaktiviert</td>" in march and "<td>Konto wieder aktiviert</td>" not in march
    assert "<td>Konto deaktiviert</td>" in typed
    after = client.get("/verwaltung/protokoll", query_string={"von": "2026-03-03"}).text
    assert "<td>Konto deaktiviert</td>" not in after and "<td>Konto wieder aktiviert</td>" in after

    wrong = client.get("/verwaltung/protokoll", query_string={"von": "März", "seite": "2"}).text
    assert 'value="März" aria-invalid="true"' in wrong and "Dieser Filter ist nicht angewandt." in wrong
    assert "von=M%C3%A4rz" in wrong  # the link to the newest entries keeps what was typed


def test_the_audit_log_offers_older_entries_only_when_there_are_some(client, admin, make_user):
    person = make_user(name="Uwe Umsteiger")
    for _ in range(50):  # exactly one page
        audit.record("user.deactivate", actor=admin, target=person)
    db.session.commit()
    only = {"aktion": "user.deactivate"}
    assert "Ältere" not in client.get("/verwaltung/protokoll", query_string=only).text

    audit.record("user.deactivate", actor=admin, target=person)
    db.session.commit()
    first = client.get("/verwaltung/protokoll", query_string=only).text
    assert first.count("<td>Konto deaktiviert</td>") == 50 and 'rel="next"' in first
    second = client.get("/verwaltung/protokoll", query_string={**only, "seite": 2}).text
    assert second.count("<td>Konto deaktiviert</td>") == 1 and "Ältere" not in second and "Neuere" in second


def test_search_finds_a_personnel_number_in_any_case(client, admin, make_user):
    person = make_user(name="Paula Nummer")
    person.personnel_number = "P-0001"
    db.session.commit()
    assert "Paula Nummer" in client.get("/verwaltung/?q=p-0001").text


def test_absurd_page_numbers_and_ids_show_a_page_not_an_error(client, admin):
    assert client.get("/verwaltung/?organisation=99999999999999999999&rolle=x&status=y").status_code == 200
    page = client.get("/verwaltung/?seite=99999999999999999999")
    assert page.status_code == 200 and "Seite 1 von 1" not in page.text and admin.display_name in page.text
    assert client.get("/verwaltung/protokoll?seite=99999999999999999999").status_code == 200


def test_search_treats_percent_and_underscore_as_plain_characters(client, admin, make_user):
    make_user(Role.LEARNER, name="Anna Beispiel")
    assert "Anna Beispiel" not in client.get("/verwaltung/?q=%25").text
    assert "Anna Beispiel" not in client.get("/verwaltung/?q=_").text


def test_admin_enrols_a_whole_unit_in_a_mandatory_course(client, admin, make_user, make_organisation, demo_courses):
    organisation = make_organisation()
    line, office = organisation.units
    on_the_line = [make_user(Role.LEARNER, organisation=organisation, unit=line) for _ in range(3)]
    make_user(Role.LEARNER, organisation=organisation, unit=line, active=False)
    make_user(Role.LEARNER, organisation=organisation, unit=office)
    course = demo_courses["hochvolt-sicherheit"]
    asked = client.post("/verwaltung/pflichtkurse", data={"course": course.id, "unit": line.id}).text
    named = f"{organisation.name} · {line.name}"  # the organisation too: another may have a unit of that name
    assert f"Alle 3 aktiven Mitglieder von {named} werden in „{course.title}“ eingeschrieben" in asked
    assert db.session.scalar(select(Enrolment).where(Enrolment.course_id == course.id)) is None
    page = client.post("/verwaltung/pflichtkurse", data={"course": course.id, "unit": line.id, "confirmed": "1"},
                       follow_redirects=True)
    assert f"Alle 3 aktiven Mitglieder von {named} sind in „{course.title}“ eingeschrieben." in page.text
    assert f'<option selected value="{line.id}">' in page.text  # the choice stays for the next click
    enrolled = set(db.session.scalars(select(Enrolment.user_id).where(Enrolment.course_id == course.id)))
    assert enrolled == {user.id for user in on_the_line}
    told = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject.contains("Pflichtkurs"))))
    assert sorted(m.recipient for m in told) == sorted(user.email for user in on_the_line)
    assert f"/kurse/{course.slug}" in told[0].body_text
    again = client.post("/verwaltung/pflichtkurse", data={"course": course.id, "unit": line.id, "confirmed": "1"},
                        follow_redirects=True)
    assert f"„{course.title}“ ist für {named} bereits ein Pflichtkurs." in again.text
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 3  # nobody told twice


def test_assigning_a_mandatory_course_never_says_how_many_were_enrolled_already(client, admin, make_user,
                                                                                 make_organisation, demo_courses):
    # Otherwise a unit of one (or members moved in and out) would tell the admin who takes which course.
    organisation = make_organisation()
    line = organisation.units[0]
    enrolled_already = make_user(Role.LEARNER, organisation=organisation, unit=line)
    make_user(Role.LEARNER, organisation=organisation, unit=line)
    course = demo_courses["hochvolt-sicherheit"]
    db.session.add(Enrolment(user_id=enrolled_already.id, course_id=course.id, enrolled_at=utcnow()))
    db.session.commit()

    asked = client.post("/verwaltung/pflichtkurse", data={"course": course.id, "unit": line.id}).text
    done = client.post("/verwaltung/pflichtkurse", data={"course": course.id, "unit": line.id, "confirmed": "1"},
                       follow_redirects=True)
    log = client.get("/verwaltung/protokoll").text

    assert "Alle 2 aktiven Mitglieder" in asked and "Alle 2 aktiven Mitglieder" in done.text
    assert "1 Person" not in asked + done.text + log


def test_a_mandatory_course_for_a_unit_without_active_members_is_refused_at_the_field(
        client, admin, make_organisation, demo_courses):
    organisation = make_organisation()
    empty = organisation.units[0]
    course = demo_courses["hochvolt-sicherheit"]
    page = client.post("/verwaltung/pflichtkurse", data={"course": course.id, "unit": empty.id}).text
    assert f"{organisation.name} · {empty.name} hat keine aktiven Mitglieder." in page
    assert "Ja, einschreiben" not in page


def test_an_admin_looking_at_a_person_is_logged_for_the_works_council(client, admin, make_user, make_organisation,
                                                                        login, app):
    organisation = make_organisation()
    person = make_user(Role.LEARNER, organisation=organisation, unit=organisation.units[0])
    council = make_user(Role.WORKS_COUNCIL, organisation=organisation, unit=organisation.units[1])
    assert client.get(f"/verwaltung/personen/{person.id}").status_code == 200
    client.get(f"/verwaltung/personen/{person.id}")  # back on the page after an action: the same visit
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data.view")).all()
    assert (event.actor_id, event.target_id, event.details["organisation_id"]) == (admin.id, person.id,
                                                                                   organisation.id)
    works_council = app.test_client()
    login(council, via=works_council)
    assert "Personendaten angesehen (Administration)" in works_council.get("/berichte/protokoll").text


def test_a_taken_personnel_number_is_reported_at_the_field_not_as_a_server_error(
        client, admin, make_user, make_organisation):
    organisation = make_organisation()
    unit = f"unit:{organisation.units[0].id}"
    make_user(email="erste@example.org", organisation=organisation)
    first = db.session.scalar(select(User).where(User.email == "erste@example.org"))
    first.personnel_number = "P-ÄÖÜ-1"
    db.session.commit()
    created = client.post("/verwaltung/personen/neu", data=new_person(unit=unit, personnel_number="P-ÄÖÜ-1"))
    assert created.status_code == 200 and 'id="personnel_number-error"' in created.text
    assert "bereits vergeben" in created.text and 'value="Nora Neu"' in created.text
    assert db.session.scalar(select(User).where(User.email == "nora@example.org")) is None

    other = make_user(email="zweite@example.org", organisation=organisation)
    edited = client.post(f"/verwaltung/personen/{other.id}",
                         data=new_person(email="zweite@example.org", unit=unit, personnel_number="P-ÄÖÜ-1"))
    assert edited.status_code == 200 and 'id="personnel_number-error"' in edited.text


def test_a_person_keeps_at_least_one_role(client, admin, make_user):
    person = make_user(Role.LEARNER, email="rolf@example.org")
    response = client.post(f"/verwaltung/personen/{person.id}", data=new_person(email="rolf@example.org", roles=[]))
    assert response.status_code == 200 and "mindestens eine Rolle" in response.text
    db.session.refresh(person)
    assert person.roles == {Role.LEARNER}


def test_demo_addresses_on_the_reserved_test_domain_can_be_saved(client, admin, make_user):
    person = make_user(Role.LEARNER, email="lernende@demo.qualify.test")
    response = client.post(f"/verwaltung/personen/{person.id}",
                           data=new_person(display_name="Lena Neu", email=" lernende@demo.qualify.test "))
    assert response.status_code == 302
    db.session.refresh(person)
    assert (person.display_name, person.email) == ("Lena Neu", "lernende@demo.qualify.test")


def test_the_person_list_is_filtered_by_organisation_role_and_status(app, client, admin, make_user, make_invited,
                                                                     make_organisation, count_statements):
    firm = make_organisation()
    make_user(Role.TRAINER, name="Theo Trainer", organisation=firm)
    make_invited(name="Ines Eingeladen", organisation=firm)
    make_user(name="Gerd Gegangen", active=False)
    assert "Theo Trainer" in client.get(f"/verwaltung/?rolle=trainer&organisation={firm.id}").text
    trainers = client.get("/verwaltung/?rolle=trainer").text
    assert "Theo Trainer" in trainers and "Ines Eingeladen" not in trainers
    waiting = client.get("/verwaltung/?status=invited").text
    assert "Ines Eingeladen" in waiting and "Theo Trainer" not in waiting and "<td>eingeladen</td>" in waiting
    assert "Gerd Gegangen" in client.get("/verwaltung/?status=deactivated").text
    def cost() -> int:
        with app.app_context(), count_statements() as counter:  # the request's own session, as in production
            assert client.get("/verwaltung/").status_code == 200
        return counter.count

    with_few = cost()
    for n in range(20):
        make_user(Role.LEARNER, Role.TRAINER, organisation=firm, unit=firm.units[n % 2])
    assert cost() == with_few  # organisation, unit and roles loaded for the whole page at once


def test_search_finds_names_with_umlauts_in_any_case(client, admin, make_user):
    # SQLite's own lower() knows only A-Z: "Öztürk" was found by "ztürk" but not by "Öztürk" or "öztürk".
    make_user(Role.LEARNER, name="Ümit Öztürk")
    for typed in ("Öztürk", "öztürk", "ÖZTÜRK", "ümit"):
        assert "Ümit Öztürk" in client.get(f"/verwaltung/?q={typed}").text, typed


@pytest.mark.parametrize("typed", ["Oeztuerk", "Ozturk", "oztürk", "Öztürk", "Yilmaz", "Yılmaz", "yilmaz umit",
                                   "Öztürk-Yılmaz, Ümit", "oeztuerk yilmaz"])
def test_search_finds_names_typed_without_their_accents_and_in_any_order(client, admin, make_user, typed):
    make_user(Role.LEARNER, name="Ümit Öztürk-Yılmaz", email="u.oy@example.org")
    make_user(Role.LEARNER, name="Umberto Yilmazer", email="umberto@example.org")

    page = client.get("/verwaltung/", query_string={"q": typed}).text

    assert "Ümit Öztürk-Yılmaz" in page
    assert ("Umberto Yilmazer" in page) == (typed.lower() in {"yilmaz", "yılmaz"})


def test_search_finds_umlauts_spelt_out_and_spelt_out_names_by_their_umlauts(client, admin, make_user):
    make_user(Role.LEARNER, name="Jürgen Müller", email="j.m@example.org")
    make_user(Role.LEARNER, name="Hans Mueller", email="h.m@example.org")

    for typed in ("Mueller", "Müller", "muller"):
        page = client.get("/verwaltung/", query_string={"q": typed}).text
        assert "Jürgen Müller" in page, typed
        assert ("Hans Mueller" in page) == (typed != "muller"), typed
    assert "Hans Mueller" not in client.get("/verwaltung/", query_string={"q": "Mueller Jürgen"}).text


def test_people_are_listed_in_german_alphabetical_order(client, admin, make_user):
    for name in ("Zoe Zander", "Ömer Öztürk", "Paul Peters", "otto Olm"):
        make_user(Role.LEARNER, name=name)
    page = client.get("/verwaltung/?q=o").text
    positions = [page.index(name) for name in ("Ömer Öztürk", "otto Olm", "Paul Peters", "Zoe Zander")]
    assert positions == sorted(positions)


def test_an_admin_cannot_take_the_administration_from_themselves(client, admin, make_user):
    make_user(Role.ADMIN)  # not the last one
    response = client.post(f"/verwaltung/personen/{admin.id}",
                           data=new_person(display_name=admin.display_name, email=admin.email, roles=["learner"]))
    assert response.status_code == 200 and "nicht selbst nehmen" in response.text
    db.session.refresh(admin)
    assert Role.ADMIN in admin.roles


def test_no_field_of_the_person_form_cuts_a_longer_text_off(client, admin):
    # maxlength let a browser cut a pasted name off without a word; the server says how long it may be.
    assert "maxlength" not in client.get("/verwaltung/personen/neu").text
    page = client.post("/verwaltung/personen/neu", data=new_person(display_name="N" * 201)).text
    assert "Der Text ist zu lang (201 Zeichen). Erlaubt sind höchstens 200 Zeichen." in page
    assert 'value="' + "N" * 201 + '"' in page


def errors_at(page: str) -> dict[str, str]:
    """Each field's error as the page shows it beside the field."""
    return {field: html.unescape(" ".join(text.split()))
            for field, text in re.findall(r'<p class="error" id="([\w-]+)-error">(.*?)</p>', page, re.S)}


def test_every_problem_of_a_new_person_is_shown_at_once_at_its_field(client, admin, make_user, make_organisation):
    organisation = make_organisation()
    taken = make_user(email="nora@example.org", organisation=organisation)
    taken.personnel_number = "4711"
    db.session.commit()

    page = client.post("/verwaltung/personen/neu", data=new_person(
        display_name="", unit=f"org:{organisation.id}", personnel_number="4711")).text

    errors = errors_at(page)
    assert set(errors) == {"display_name", "email", "personnel_number"}
    assert "Die E-Mail-Adresse nora@example.org ist bereits vergeben." in errors["email"]
    assert "Die Personalnummer 4711 ist in" in errors["personnel_number"]
    assert 'value="Nora@Example.org"' in page and 'value="4711"' in page  # what was typed stays
    assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_every_problem_of_a_changed_person_is_shown_at_once_at_its_field(client, admin, make_user):
    make_user(email="nora@example.org")
    person = make_user(email="rolf@example.org", name="Rolf")

    page = client.post(f"/verwaltung/personen/{person.id}", data=new_person(display_name="", roles=[])).text

    assert set(errors_at(page)) == {"display_name", "email", "roles"}
    assert "mindestens eine Rolle" in errors_at(page)["roles"]
    assert page.count('<a href="#') >= 3  # the summary above the form links each of them
    both_refused_by_the_domain = client.post(f"/verwaltung/personen/{person.id}", data=new_person(roles=[])).text
    assert set(errors_at(both_refused_by_the_domain)) == {"email", "roles"}
    db.session.refresh(person)
    assert (person.email, person.display_name, person.roles) == ("rolf@example.org", "Rolf", {Role.LEARNER})
