"""Only the network's administration gives or takes the works council's role: the works council oversees the
employer, and an employer's HR that could give it – to a second account at an address of its own, or to a learner
whose address it changes in the same save – would read the works council's reports and its access log. What the
works council reads of it: tests/reports/test_works_council_role_log.py."""

import re

import pytest
from sqlalchemy import select

from qualify.accounts import services
from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.core.mail import OutboxMessage
from qualify.extensions import db
from tests.admin.conftest import HEADER, fresh, person_form, upload
from tests.admin.test_csv_import import problems


@pytest.fixture
def firm(make_organisation):
    return make_organisation("Muster GmbH", units=("Montage", "Logistik"))


@pytest.fixture
def hr(make_user, login, firm):
    """The administration of Muster GmbH (its HR), signed in on `client`."""
    user = make_user(Role.ORG_ADMIN, Role.LEARNER, name="Hanna Personal", organisation=firm, unit=firm.units[0])
    login(user)
    return user


def roles_error(page: str) -> str:
    return re.search(r'<p class="error" id="roles-error">([^<]*)</p>', page).group(1)


def works_council_members() -> set[str]:
    return {user.email for user in db.session.scalars(select(User)) if Role.WORKS_COUNCIL in user.roles}


# -- the organisation's administration: not at all ----------------------------------------------------------

def test_hr_is_not_offered_the_works_council_for_a_new_person_and_a_forged_one_is_refused(client, hr, firm):
    form = client.get("/verwaltung/personen/neu").text
    assert "works_council" not in re.findall(r'name="roles" type="checkbox" value="(\w+)"', form)

    forged = client.post("/verwaltung/personen/neu",
                         data=person_form(display_name="Zweitkonto HR", email="hr-zweitkonto@example.org",
                                          unit=f"org:{firm.id}", roles=["works_council"]))

    assert forged.status_code == 200
    assert roles_error(forged.text) == "Keine gültige Auswahl."  # as a forged administration's role
    assert services.find_user_by_email("hr-zweitkonto@example.org") is None
    assert db.session.scalars(select(OutboxMessage)).all() == []
    # And the domain refuses it, whatever a form lets through.
    with pytest.raises(services.AccountError, match="vergibt nur die Administration: Betriebsrat"):
        services.create_user("hr-zweitkonto@example.org", "Zweitkonto HR", roles={Role.WORKS_COUNCIL},
                             organisation=firm, actor=hr)


@pytest.mark.parametrize("address", ["lena@example.org", "hr-postfach@example.org"],
                         ids=["same address", "address changed in the same save"])
def test_hr_cannot_make_a_learner_a_member_of_the_works_council(client, hr, make_user, firm, address):
    learner = make_user(name="Lena Lernende", email="lena@example.org", organisation=firm, unit=firm.units[1])
    page = client.get(f"/verwaltung/personen/{learner.id}").text
    assert "works_council" not in re.findall(r'name="roles" type="checkbox" value="(\w+)"', page)

    forged = client.post(f"/verwaltung/personen/{learner.id}",
                         data=person_form(learner, email=address, roles=["learner", "works_council"]))

    assert forged.status_code == 200 and roles_error(forged.text) == "Keine gültige Auswahl."
    assert fresh(learner).roles == {Role.LEARNER} and fresh(learner).email == "lena@example.org"
    assert db.session.scalars(select(OutboxMessage)).all() == []
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.roles",
                                                       AuditEvent.actor_id == hr.id)).all() == []


def test_an_import_by_hr_naming_the_works_council_is_refused_at_its_line_and_imports_nothing(client, hr, make_user,
                                                                                              firm):
    make_user(name="Lena Lernende", email="lena@example.org", organisation=firm)
    lena = services.find_user_by_email("lena@example.org")
    lena.personnel_number = "4711"
    db.session.commit()
    rows = ("nina@example.org;Nina Neu;;Logistik;Lernende;de\n"
            "hr-zweitkonto@example.org;Zweitkonto HR;;Logistik;Betriebsrat;de\n"
            "hr-postfach@example.org;Lena Lernende;4711;;Lernende|Betriebsrat;de\n")  # matched by number, new address

    preview = upload(client, firm, HEADER + rows)

    refused = "Diese Rollen vergibt nur die Administration: Betriebsrat."
    assert problems(preview) == [("3", "Rollen", refused), ("4", "Rollen", refused)]
    assert "Jetzt importieren" not in preview.text
    key = re.search(r"/verwaltung/import/([\w-]+)", preview.request.path).group(1)
    forged = client.post(f"/verwaltung/import/{key}", data={"fingerprint": "forged"},
                         follow_redirects=True)
    assert "Seit der Vorschau hat sich etwas geändert" in forged.text
    assert works_council_members() == set()
    assert services.find_user_by_email("nina@example.org") is None
    assert fresh(lena).email == "lena@example.org"


def test_hr_still_sees_the_works_councils_members_of_its_organisation_but_cannot_change_them(
        client, hr, make_user, firm):
    council = make_user(Role.WORKS_COUNCIL, Role.LEARNER, name="Bernd Betriebsrat", email="bernd@example.org",
                        organisation=firm)

    listed = client.get("/verwaltung/").text
    page = client.get(f"/verwaltung/personen/{council.id}").text
    taken_back = client.post(f"/verwaltung/personen/{council.id}", data=person_form(council, roles=["learner"]))

    assert "Bernd Betriebsrat" in listed
    assert "Dieses Konto verwaltet die Administration" in page and "<fieldset disabled><legend" in page
    assert "Dieses Konto verwaltet die Administration" in taken_back.text
    assert fresh(council).roles == {Role.WORKS_COUNCIL, Role.LEARNER}


# -- the network's administration: gives and takes it ------------------------------------------------------

def test_the_administration_gives_and_takes_the_works_council(client, make_user, login, firm):
    admin = make_user(Role.ADMIN, name="Ada Admin")
    login(admin)
    learner = make_user(name="Lena Lernende", email="lena@example.org", organisation=firm, unit=firm.units[1])
    form = client.get(f"/verwaltung/personen/{learner.id}").text
    assert "works_council" in re.findall(r'name="roles" type="checkbox" value="(\w+)"', form)

    given = client.post(f"/verwaltung/personen/{learner.id}",
                        data=person_form(learner, roles=["learner", "works_council"]))
    assert given.status_code == 302 and fresh(learner).roles == {Role.LEARNER, Role.WORKS_COUNCIL}
    taken = client.post(f"/verwaltung/personen/{learner.id}", data=person_form(fresh(learner), roles=["learner"]))
    assert taken.status_code == 302 and fresh(learner).roles == {Role.LEARNER}

    changes = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.roles",
                                                          AuditEvent.target_id == learner.id)
                                 .order_by(AuditEvent.id)).all()
    assert [(change.actor_id, change.details["added"], change.details["removed"], change.organisation_id)
            for change in changes] == [(admin.id, ["works_council"], [], firm.id),
                                       (admin.id, [], ["works_council"], firm.id)]


def test_the_administration_imports_members_of_the_works_council(client, make_user, login, firm):
    login(make_user(Role.ADMIN, name="Ada Admin"))
    preview = upload(client, firm, HEADER + "bea@example.org;Bea Betriebsrat;;Montage;Lernende|Betriebsrat;de\n")
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([^"]*)"', preview.text).group(1)

    client.post(preview.request.path, data={"fingerprint": fingerprint})

    assert works_council_members() == {"bea@example.org"}
