"""An organisation's administration (its HR): the people of its own organisation, and nothing of the others – its
list, its units, its imports, its mandatory courses and its part of the log; roles only those of a company's
people. Which views it reaches at all: tests/accounts/test_admin_access.py."""

import re

import pytest
from sqlalchemy import select

from qualify.accounts import services
from qualify.accounts.models import PendingImport, User
from qualify.accounts.roles import ORGANISATION_ROLES, Role, reach_of
from qualify.core import audit
from qualify.core.audit import AuditEvent
from qualify.core.mail import OutboxMessage
from qualify.core.time import utcnow
from qualify.courses.models import Course
from qualify.demo import DEMO_ACCOUNTS, load_demo_accounts
from qualify.extensions import db
from qualify.learning import mandatory
from qualify.learning.models import MandatoryAssignment
from tests.admin.conftest import HEADER, fresh, person_form, upload


@pytest.fixture
def org_a(make_organisation):
    return make_organisation("Muster GmbH", units=("Montage", "Logistik"))


@pytest.fixture
def org_b(make_organisation):
    return make_organisation("Beispiel AG", units=("Gießerei", "Lackiererei"))


@pytest.fixture
def hr(make_user, login, org_a):
    """The administration of Muster GmbH, signed in on `client`."""
    user = make_user(Role.ORG_ADMIN, Role.LEARNER, name="Hanna Personal", organisation=org_a,
                     unit=org_a.units[0])
    login(user)
    return user


def text_of(page: str) -> str:
    page = re.sub(r'name="csrf_token" value="[^"]*"', "", page)
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_the_reach_of_each_kind_of_administration():
    class Person:
        def __init__(self, *roles, organisation_id=None):
            self.roles, self.organisation_id = set(roles), organisation_id

        def has_role(self, role):
            return role in self.roles

    assert reach_of(Person(Role.ADMIN)).whole_network
    assert reach_of(Person(Role.ADMIN, Role.ORG_ADMIN, organisation_id=3)).whole_network
    hr = reach_of(Person(Role.ORG_ADMIN, organisation_id=3))
    assert (hr.organisation_id, hr.roles) == (3, ORGANISATION_ROLES)
    assert hr.covers(3) and not hr.covers(4) and not hr.covers(None)
    assert reach_of(Person(Role.ORG_ADMIN)) is None
    assert reach_of(Person(Role.COORDINATOR, Role.WORKS_COUNCIL)) is None
    assert ORGANISATION_ROLES == {Role.LEARNER, Role.TRAINER, Role.MODERATOR}  # the works council's: the network's


# -- the people list and the person page ------------------------------------------------------------------

def test_the_people_list_shows_and_finds_only_the_own_organisation(client, hr, make_user, org_a, org_b):
    make_user(name="Anna Montage", organisation=org_a, unit=org_a.units[0])
    make_user(name="Anton Fremd", organisation=org_b, unit=org_b.units[0])
    make_user(name="Anja Ohne")

    listed = text_of(client.get("/verwaltung/").text)
    found = text_of(client.get("/verwaltung/?q=An").text)
    asked_for_b = text_of(client.get(f"/verwaltung/?organisation={org_b.id}").text)

    assert "Anna Montage" in listed and "Hanna Personal" in listed
    assert "Anton Fremd" not in listed and "Anja Ohne" not in listed
    assert "Anna Montage" in found and "Anton Fremd" not in found
    assert "Anton Fremd" not in asked_for_b and "Anna Montage" in asked_for_b
    assert "Beispiel AG" not in listed  # not even in the filter: the organisation is fixed
    assert 'name="organisation"' not in client.get("/verwaltung/").text


def test_the_person_page_of_a_colleague_is_logged_for_the_works_council(client, hr, make_user, org_a):
    colleague = make_user(name="Carla Kollegin", organisation=org_a, unit=org_a.units[1])

    page = client.get(f"/verwaltung/personen/{colleague.id}")

    assert page.status_code == 200
    look = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "personal_data.view"))
    assert (look.actor_id, look.target_id, look.organisation_id) == (hr.id, colleague.id, org_a.id)
    # What only the administration does is not offered.
    assert "/loeschen" not in page.text and "/verwaltung/zertifikate" not in page.text


def test_the_sub_navigation_offers_only_what_the_organisations_administration_may_use(client, hr):
    nav = re.search(r'<nav class="sub-nav".*?</nav>', client.get("/verwaltung/").text, re.S).group(0)

    assert re.findall(r'href="([^"]+)"', nav) == ["/verwaltung/", "/verwaltung/personen/neu", "/verwaltung/import",
                                                  "/verwaltung/pflichtkurse", "/verwaltung/protokoll"]


# -- creating and changing people -------------------------------------------------------------------------

def test_people_are_created_only_in_the_own_organisation_and_its_units(client, hr, org_a, org_b):
    form = client.get("/verwaltung/personen/neu").text
    offered = re.findall(r'<option value="([^"]*)"', re.search(r'<select id="unit".*?</select>', form, re.S).group(0))
    assert offered == [f"org:{org_a.id}", *(f"unit:{unit.id}" for unit in org_a.units)]

    elsewhere = client.post("/verwaltung/personen/neu", data=person_form(unit=f"unit:{org_b.units[0].id}"))
    nowhere = client.post("/verwaltung/personen/neu", data=person_form(unit=""))
    made = client.post("/verwaltung/personen/neu", data=person_form(unit=f"unit:{org_a.units[1].id}"))

    assert "Keine gültige Auswahl" in elsewhere.text
    assert "Bitte wählen Sie eine Einheit Ihrer Organisation." in nowhere.text
    assert made.status_code == 302
    nora = services.find_user_by_email("nora@example.org")
    assert (nora.organisation_id, nora.unit_id) == (org_a.id, org_a.units[1].id)


def test_only_the_roles_of_a_companys_people_are_offered_and_given(client, hr, make_user, org_a):
    colleague = make_user(name="Carla Kollegin", organisation=org_a)
    page = client.get(f"/verwaltung/personen/{colleague.id}").text
    assert set(re.findall(r'name="roles" type="checkbox" value="(\w+)"', page)) == {
        "learner", "trainer", "moderator"}

    saved = client.post(f"/verwaltung/personen/{colleague.id}",
                        data=person_form(colleague, roles=["learner", "trainer", "moderator"]))

    assert saved.status_code == 302
    assert fresh(colleague).roles == {Role.LEARNER, Role.TRAINER, Role.MODERATOR}
    change = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.roles",
                                                        AuditEvent.actor_id == hr.id))
    assert change.details["added"] == ["moderator", "trainer"]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR, Role.ORG_ADMIN])
def test_an_organisations_administration_never_grants_an_administrations_role(client, hr, make_user, org_a, role):
    colleague = make_user(name="Carla Kollegin", organisation=org_a)

    forged = client.post(f"/verwaltung/personen/{colleague.id}",
                         data=person_form(colleague, roles=["learner", str(role)]))
    created = client.post("/verwaltung/personen/neu",
                          data=person_form(unit=f"org:{org_a.id}", roles=["learner", str(role)]))

    assert forged.status_code == created.status_code == 200
    assert fresh(colleague).roles == {Role.LEARNER}
    assert services.find_user_by_email("nora@example.org") is None
    # And the domain refuses it too, whatever a form lets through.
    with pytest.raises(services.AccountError, match="vergibt nur die Administration"):
        services.create_user("otto@example.org", "Otto", roles={role}, organisation=org_a, actor=hr)


def test_the_own_roles_beyond_reach_stay_and_the_works_council_is_not_self_appointed(client, hr, org_a):
    """As to anybody else: only the administration gives the works council's role (test_works_council_role.py)."""
    page = client.get(f"/verwaltung/personen/{hr.id}").text
    assert "Außerdem: Verwaltung der Organisation (vergibt nur die Administration)." in text_of(page)

    kept = client.post(f"/verwaltung/personen/{hr.id}", data=person_form(hr, roles=["learner", "trainer"]))
    assert kept.status_code == 302
    assert fresh(hr).roles == {Role.ORG_ADMIN, Role.LEARNER, Role.TRAINER}

    refused = client.post(f"/verwaltung/personen/{hr.id}", data=person_form(hr, roles=["learner",
                                                                                      "works_council"]))
    assert "Keine gültige Auswahl." in refused.text  # not offered, as an administration's role
    assert Role.WORKS_COUNCIL not in fresh(hr).roles
    with pytest.raises(services.AccountError, match="vergibt nur die Administration: Betriebsrat"):
        services.update_user(hr, email=hr.email, display_name=hr.display_name, personnel_number=None, language="de",
                             organisation=org_a, unit=hr.unit, roles=hr.roles | {Role.WORKS_COUNCIL}, actor=hr,
                             now=utcnow())


# The works council too: it oversees the employer, whose HR could otherwise take over its accounts (a new
# address, then a reset link); only the network's administration gives, changes and takes back its role.
@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR, Role.ORG_ADMIN, Role.WORKS_COUNCIL])
def test_someone_holding_an_administrations_role_or_the_works_council_is_seen_but_not_changed(
        client, hr, make_user, org_a, role):
    holder = make_user(role, name="Olga Oben", email="olga@example.org", organisation=org_a)
    invited = make_user(role, name="Ines Oben", email="ines@example.org", organisation=org_a, password=None)

    page = client.get(f"/verwaltung/personen/{holder.id}")
    changed = client.post(f"/verwaltung/personen/{holder.id}", data=person_form(
        holder, email="hr-postfach@example.org", roles=[]))
    deactivated = client.post(f"/verwaltung/personen/{holder.id}/deaktivieren", data={}, follow_redirects=True)
    reset = client.post(f"/verwaltung/personen/{holder.id}/passwort-link", data={}, follow_redirects=True)
    invitation = client.post(f"/verwaltung/personen/{invited.id}/einladung", data={}, follow_redirects=True)

    assert page.status_code == 200
    assert "Dieses Konto verwaltet die Administration" in page.text
    assert "<fieldset disabled><legend" in page.text and "/deaktivieren" not in page.text
    assert "Dieses Konto verwaltet die Administration" in changed.text
    for response in (deactivated, reset, invitation):
        assert "Dieses Konto verwaltet die Administration" in response.text
    db.session.expire_all()
    assert db.session.get(User, holder.id).email == "olga@example.org"
    assert db.session.get(User, holder.id).active and fresh(holder).roles == {role}
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_a_colleague_is_deactivated_reactivated_invited_and_sent_a_reset_link(client, hr, make_user, org_a):
    colleague = make_user(name="Carla Kollegin", email="carla@example.org", organisation=org_a)
    newcomer = make_user(name="Nico Neu", email="nico@example.org", organisation=org_a, password=None)

    client.post(f"/verwaltung/personen/{colleague.id}/passwort-link", data={})
    client.post(f"/verwaltung/personen/{newcomer.id}/einladung", data={})
    client.post(f"/verwaltung/personen/{colleague.id}/deaktivieren", data={})
    db.session.expire_all()
    assert not db.session.get(User, colleague.id).active
    client.post(f"/verwaltung/personen/{colleague.id}/aktivieren", data={})

    db.session.expire_all()
    assert db.session.get(User, colleague.id).active
    assert db.session.get(User, newcomer.id).invited_at is not None
    sent = {message.recipient for message in db.session.scalars(select(OutboxMessage))}
    assert sent == {"carla@example.org", "nico@example.org"}
    done = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == hr.id)))
    assert {"user.password_reset_link", "user.invited", "user.deactivate", "user.reactivate"} <= done


# -- the administration grants it -------------------------------------------------------------------------

def test_the_administration_grants_it_only_to_someone_in_an_organisation(client, make_user, login, org_a):
    login(make_user(Role.ADMIN, name="Ada Admin"))
    placed = make_user(name="Petra Personal", organisation=org_a)
    unplaced = make_user(name="Uwe Ohne")
    roles = ["learner", "org_admin"]

    granted = client.post(f"/verwaltung/personen/{placed.id}", data=person_form(placed, roles=roles))
    refused = client.post(f"/verwaltung/personen/{unplaced.id}", data={**person_form(unplaced, roles=roles),
                                                                       "unit": ""})
    created = client.post("/verwaltung/personen/neu", data=person_form(roles=roles))

    assert granted.status_code == 302 and fresh(placed).roles == {Role.LEARNER, Role.ORG_ADMIN}
    message = "Die Verwaltung der Organisation kann nur erhalten, wer einer Organisation angehört."
    assert refused.status_code == created.status_code == 200
    assert message in refused.text and message in created.text
    assert message in re.search(r'<p class="error" id="roles-error">([^<]*)</p>', refused.text).group(1)
    assert fresh(unplaced).roles == {Role.LEARNER}
    assert services.find_user_by_email("nora@example.org") is None


# -- importing --------------------------------------------------------------------------------------------

def test_the_import_is_for_the_own_organisation_only(client, hr, org_a, org_b):
    form = client.get("/verwaltung/import").text
    assert re.findall(r'<option value="([^"]*)"', form) == [org_a.slug]

    refused = upload(client, org_b, HEADER + "nina@example.org;Nina;;Gießerei;;de\n")

    assert db.session.scalars(select(PendingImport)).all() == []
    assert "Keine gültige Auswahl" in refused.text


def test_an_import_of_the_own_organisation_goes_through(client, hr, org_a):
    preview = upload(client, org_a, HEADER + "nina@example.org;Nina Neu;;Logistik;Lernende|Trainer;de\n")
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([^"]*)"', preview.text).group(1)
    action = re.search(r'<form method="post" action="(/verwaltung/import/[\w-]+)">', preview.text).group(1)

    client.post(action, data={"fingerprint": fingerprint})

    nina = services.find_user_by_email("nina@example.org")
    assert (nina.organisation_id, nina.unit.name, nina.roles) == (org_a.id, "Logistik", {Role.LEARNER, Role.TRAINER})


@pytest.mark.parametrize("role", ["Administration", "Netzwerk-Koordination", "Verwaltung der Organisation"])
def test_an_import_refuses_rows_granting_an_administrations_role(client, hr, org_a, role):
    preview = upload(client, org_a, HEADER + f"nina@example.org;Nina Neu;;Logistik;Lernende|{role};de\n")

    assert f"Diese Rollen vergibt nur die Administration: {role}." in text_of(preview.text)
    assert "Jetzt importieren" not in preview.text


def test_an_import_neither_changes_nor_deactivates_someone_beyond_reach(client, hr, make_user, org_a):
    admin = make_user(Role.ADMIN, name="Olga Oben", email="olga@example.org", organisation=org_a)
    coordinator = make_user(Role.COORDINATOR, name="Kai Koord", email="kai@example.org", organisation=org_a)
    staff = [make_user(name=f"Person {n}", email=f"p{n}@example.org", organisation=org_a) for n in range(4)]
    rows = "".join(f"{person.email};{person.display_name};;;;de\n" for person in staff)

    renamed = upload(client, org_a, HEADER + rows + "olga@example.org;Olga Umbenannt;;;;de\n")
    full = upload(client, org_a, HEADER + rows, deactivate_missing="y")

    assert "Dieses Konto verwaltet die Administration" in text_of(renamed.text)
    kept = re.findall(r"<li>(.*?)</li>", re.search(r'<ul id="import-kept-list">.*?</ul>', full.text, re.S).group(0))
    # Each with the role that keeps them: the coordinator is kept for a role the organisation does not give.
    assert sorted(kept) == [f"Hanna Personal ({hr.email}, Logistik) – Verwaltung der Organisation",
                            "Kai Koord (kai@example.org) – Netzwerk-Koordination",
                            "Olga Oben (olga@example.org) – Administration"]
    assert "Niemand wird deaktiviert." in full.text
    db.session.expire_all()
    assert db.session.get(User, admin.id).display_name == "Olga Oben"
    assert db.session.get(User, coordinator.id).active


def test_an_import_neither_changes_nor_deactivates_a_member_of_the_works_council(client, hr, make_user, org_a):
    council = make_user(Role.WORKS_COUNCIL, name="Bernd Betriebsrat", email="bernd@example.org", organisation=org_a)
    staff = [make_user(name=f"Person {n}", email=f"p{n}@example.org", organisation=org_a) for n in range(4)]
    rows = "".join(f"{person.email};{person.display_name};;;;de\n" for person in staff)

    taken_over = upload(client, org_a, HEADER + rows + "bernd@example.org;Bernd Betriebsrat;4711;;;de\n")
    full = upload(client, org_a, HEADER + rows, deactivate_missing="y")

    assert "Dieses Konto verwaltet die Administration" in text_of(taken_over.text)
    kept = re.search(r'<ul id="import-kept-list">.*?</ul>', full.text, re.S).group(0)
    assert "Bernd Betriebsrat (bernd@example.org) – Betriebsrat" in kept
    db.session.expire_all()
    assert db.session.get(User, council.id).active and db.session.get(User, council.id).personnel_number is None


def test_an_upload_for_an_organisation_left_since_is_gone(client, hr, org_a, org_b):
    preview = upload(client, org_a, HEADER + "nina@example.org;Nina Neu;;Logistik;;de\n")
    address = re.search(r'<form method="post" action="(/verwaltung/import/[\w-]+)">', preview.text).group(1)
    hr.organisation_id = org_b.id  # moved by the administration meanwhile
    db.session.commit()

    again = client.get(address, follow_redirects=True)

    assert "Diese Vorschau gibt es nicht mehr" in again.text


# -- mandatory courses ------------------------------------------------------------------------------------

def test_mandatory_courses_only_for_units_of_the_own_organisation(client, hr, make_user, org_a, org_b,
                                                                   demo_courses):
    course = demo_courses["hochvolt-sicherheit"]
    make_user(organisation=org_b, unit=org_b.units[0])
    make_user(organisation=org_a, unit=org_a.units[0])
    theirs = MandatoryAssignment(course_id=course.id, unit_id=org_b.units[0].id)
    db.session.add(theirs)
    db.session.commit()

    page = client.get("/verwaltung/pflichtkurse").text
    units = re.search(r'<select id="unit".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="(\d+)"', units) == [str(unit.id) for unit in org_a.units]
    assert "Gießerei" not in text_of(page)  # neither in the choice nor among the standing ones
    refused = client.post("/verwaltung/pflichtkurse", data={"course": course.id, "unit": org_b.units[0].id,
                                                           "confirmed": "1"})
    assert refused.status_code == 200
    assert db.session.scalars(select(MandatoryAssignment.unit_id)).all() == [org_b.units[0].id]

    client.post("/verwaltung/pflichtkurse", data={"course": course.id, "unit": org_a.units[0].id,
                                                  "confirmed": "1"})
    assert set(db.session.scalars(select(MandatoryAssignment.unit_id))) == {org_b.units[0].id, org_a.units[0].id}
    assert "Montage" in text_of(client.get("/verwaltung/pflichtkurse").text)


def test_course_drafts_are_not_offered_to_an_organisations_administration(client, hr, demo_courses):
    draft = Course(slug="entwurf", title="Ein Entwurf")
    db.session.add(draft)
    db.session.commit()

    page = client.get("/verwaltung/pflichtkurse").text

    assert "Ein Entwurf" not in page and demo_courses["hochvolt-sicherheit"].title in page


# -- the log ----------------------------------------------------------------------------------------------

def test_the_log_holds_only_entries_about_the_own_organisation(client, hr, make_user, org_a, org_b):
    ours = make_user(name="Anna Montage", organisation=org_a)
    theirs = make_user(name="Anton Fremd", organisation=org_b)
    admin = make_user(Role.ADMIN, name="Ada Admin")
    audit.record("user.deactivate", actor=admin, target=ours)
    audit.record("user.deactivate", actor=admin, target=theirs)
    audit.record("organisation.update", actor=admin, target=org_a, organisation_id=org_a.id)
    audit.record("organisation.update", actor=admin, target=org_b, organisation_id=org_b.id)
    db.session.commit()

    page = text_of(client.get("/verwaltung/protokoll").text)
    searched = text_of(client.get("/verwaltung/protokoll?person=Anton").text)

    assert "Anna Montage" in page and "Muster GmbH" in page
    assert "Anton Fremd" not in page and "Beispiel AG" not in page
    assert "Anton Fremd" not in searched
    assert "Sie sehen die Einträge zu Ihrer Organisation, ihren Einheiten und ihren Personen." in page


def test_the_log_holds_the_mandatory_courses_of_the_own_units_and_not_the_works_councils_reads(
        client, hr, make_user, org_a, org_b, demo_courses):
    admin = make_user(Role.ADMIN, name="Ada Admin")
    course = demo_courses["hochvolt-sicherheit"]
    ours, theirs = org_a.units[0], org_b.units[0]  # Montage, Gießerei
    for unit in (ours, theirs):
        make_user(organisation=unit.organisation, unit=unit)
        mandatory.end(mandatory.assign(course, unit, days_to_complete=30, now=utcnow(), by=admin),
                      now=utcnow(), by=admin)
    mandatory.assign(course, ours, days_to_complete=None, now=utcnow(), by=hr)
    make_user(name="Neu in Montage", organisation=org_a, unit=ours)
    mandatory.take_in_newcomers(now=utcnow())
    audit.record("reports.view", actor=admin, report="participation", organisation_id=org_a.id)
    db.session.commit()

    log = text_of(re.search(r'<table class="stacks-on-phone audit-log">.*?</table>',
                            client.get("/verwaltung/protokoll").text, re.S).group(0))

    assert log.count("Pflichtkurs zugewiesen") == 2 and log.count("Pflichtkurs beendet") == 1
    assert log.count("Neue Mitglieder in Pflichtkurs eingeschrieben") == 1
    assert "Montage" in log and "Gießerei" not in log and "Beispiel AG" not in log
    assert "Bericht angesehen" not in log  # the works council's reads are not the employer's to know


def test_the_demo_has_the_hr_of_one_company(client, login):
    load_demo_accounts()
    db.session.commit()
    hr = services.find_user_by_email("personal@demo.qualify.test")
    login(hr, password=next(account[-1] for account in DEMO_ACCOUNTS if account[0] == hr.email))

    listed = text_of(client.get("/verwaltung/").text)

    assert "Lena Lernende" in listed and "Bernd Betriebsrat" in listed
    assert "Ada Admin" not in listed and "Tom Trainer" not in listed
