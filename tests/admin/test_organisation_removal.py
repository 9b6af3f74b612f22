"""Deleting an organisation (set up by mistake, or gone from the network) and an empty unit: only once nothing
refers to it that must be kept – people, report figures, running mandatory courses, its own exchange spaces –
after asking once more, audited, by the administration alone."""

import html
from datetime import date

import pytest
from sqlalchemy import select

from qualify.accounts import services
from qualify.accounts.models import Organisation, PendingImport, Unit, User
from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.core.time import utcnow
from qualify.courses.models import Course
from qualify.exchange.models import ExchangeSpace
from qualify.extensions import db
from qualify.learning.models import MandatoryAssignment
from qualify.privacy.services import erase_account
from qualify.reports.models import ParticipationRollup

BASE = "/verwaltung/organisationen"


@pytest.fixture
def firma(make_organisation):
    return make_organisation("Muster GmbH", units=("Montage", "Logistik"))


@pytest.fixture
def course():
    course = Course(slug="hv-sicherheit", title="Hochvolt-Sicherheit", status="published")
    db.session.add(course)
    db.session.commit()
    return course


def text(response) -> str:
    return html.unescape(response.text)


def removed_events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "organisation.removed")))


def still_there(organisation_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(Organisation, organisation_id) is not None


def test_an_empty_organisation_is_deleted_with_its_units_after_asking_and_the_log_keeps_its_name(
        client, admin, firma):
    page = text(client.get(f"{BASE}/{firma.id}"))
    assert "Organisation löschen …" in page and "Ja, Organisation löschen" in page
    assert "Die Organisation „Muster GmbH“ mit ihren 2 Einheiten wirklich löschen?" in page
    firma_id = firma.id

    response = client.post(f"{BASE}/{firma_id}/loeschen", data={})

    assert response.status_code == 302 and response.headers["Location"] == f"{BASE}/"
    assert "Die Organisation „Muster GmbH“ ist gelöscht." in text(client.get(f"{BASE}/"))
    assert not still_there(firma_id)
    assert db.session.scalars(select(Unit).where(Unit.organisation_id == firma_id)).all() == []
    (event,) = removed_events()
    assert (event.actor_id, event.target_type, event.target_id) == (admin.id, "Organisation", firma_id)
    assert event.details == {"name": "Muster GmbH", "slug": firma.slug, "units": ["Logistik", "Montage"]}
    log = text(client.get("/verwaltung/protokoll?aktion=organisation.removed"))
    assert "Organisation gelöscht" in log and "Muster GmbH" in log


def test_an_organisation_with_people_stays_and_the_page_says_how_many_belong_to_it(
        client, admin, firma, make_user):
    make_user(organisation=firma, unit=firma.units[0])
    make_user(organisation=firma, active=False)  # deactivated, and without a unit: still someone of it

    page = text(client.get(f"{BASE}/{firma.id}"))
    assert "Der Organisation gehören noch 2 Personen an." in page
    assert "Ja, Organisation löschen" not in page

    response = client.post(f"{BASE}/{firma.id}/loeschen", data={}, follow_redirects=True)
    assert "Der Organisation gehören noch 2 Personen an." in text(response)
    assert still_there(firma.id) and removed_events() == []


def test_an_organisation_whose_report_figures_were_counted_stays(client, admin, firma):
    db.session.add(ParticipationRollup(organisation_id=firma.id, unit_id=firma.units[0].id, month=date(2026, 3, 1),
                                       metric="enrolled", people=6))
    db.session.commit()

    response = client.post(f"{BASE}/{firma.id}/loeschen", data={}, follow_redirects=True)

    assert "Für die Organisation gibt es Berichtszahlen früherer Monate." in text(response)
    assert still_there(firma.id)
    assert db.session.scalar(select(ParticipationRollup.people)) == 6


def test_a_running_mandatory_course_of_a_unit_is_named_and_ended_ones_go_with_the_organisation(
        client, admin, firma, course):
    running = MandatoryAssignment(course_id=course.id, unit_id=firma.units[0].id)
    ended = MandatoryAssignment(course_id=course.id, unit_id=firma.units[1].id, ended_at=utcnow())
    db.session.add_all([running, ended])
    db.session.commit()

    response = client.post(f"{BASE}/{firma.id}/loeschen", data={}, follow_redirects=True)
    assert ("Für ihre Einheiten ist der Kurs „Hochvolt-Sicherheit“ noch ein Pflichtkurs. Beenden Sie ihn zuerst "
            "unter „Pflichtkurse“.") in text(response)
    assert still_there(firma.id)

    running.ended_at = utcnow()
    db.session.commit()
    client.post(f"{BASE}/{firma.id}/loeschen", data={})
    assert not still_there(firma.id)
    assert db.session.scalars(select(MandatoryAssignment)).all() == []


def test_an_exchange_space_only_for_the_organisation_is_named_and_keeps_it(client, admin, firma):
    db.session.add(ExchangeSpace(title="Schichtwechsel", organisation_id=firma.id))
    db.session.commit()

    page = text(client.get(f"{BASE}/{firma.id}"))
    assert "Der Austauschraum „Schichtwechsel“ ist nur für diese Organisation" in page
    client.post(f"{BASE}/{firma.id}/loeschen", data={})
    assert still_there(firma.id)


def test_waiting_uploads_go_and_an_erased_persons_stand_in_stays_without_the_organisation(
        app, client, admin, firma, make_user):
    leaver = make_user(organisation=firma, unit=firma.units[0])
    erase_account(leaver, keep_posts=True, now=utcnow(), by=admin, reason="Austritt")
    db.session.add(PendingImport(key="k" * 64, uploaded_by_id=admin.id, organisation_id=firma.id, content=b""))
    db.session.commit()
    stand_ins = {user.id for user in db.session.scalars(select(User).where(User.organisation_id == firma.id))}

    client.post(f"{BASE}/{firma.id}/loeschen", data={})

    assert not still_there(firma.id)
    assert db.session.scalars(select(PendingImport)).all() == []
    assert all(db.session.get(User, user_id).organisation_id is None for user_id in stand_ins)


def test_deleting_twice_says_it_is_gone_already(client, admin, firma):
    client.post(f"{BASE}/{firma.id}/loeschen", data={})
    response = client.post(f"{BASE}/{firma.id}/loeschen", data={}, follow_redirects=True)
    assert "Diese Organisation ist bereits gelöscht." in text(response)
    assert len(removed_events()) == 1


def test_without_a_csrf_token_nothing_is_deleted(client, admin, firma):
    assert client.post(f"{BASE}/{firma.id}/loeschen", data={}, csrf=False).status_code == 400
    assert still_there(firma.id)


@pytest.mark.parametrize("role", [Role.ORG_ADMIN, Role.WORKS_COUNCIL, Role.COORDINATOR, Role.LEARNER])
def test_only_the_administration_deletes_organisations(client, make_user, login, firma, role):
    login(make_user(role, organisation=firma))  # the organisation's own administration included
    empty = services.create_organisation("leer", "Leer AG", [])
    db.session.commit()

    assert client.post(f"{BASE}/{empty.id}/loeschen", data={}).status_code == 403
    assert still_there(empty.id) and removed_events() == []


def test_an_empty_unit_with_a_running_mandatory_course_stays(client, admin, firma, course):
    logistik = next(unit for unit in firma.units if unit.name == "Logistik")
    db.session.add(MandatoryAssignment(course_id=course.id, unit_id=logistik.id))
    db.session.commit()

    page = text(client.get(f"{BASE}/{firma.id}/einheiten/{logistik.id}"))
    assert "Für die Einheit „Logistik“ ist der Kurs „Hochvolt-Sicherheit“ noch ein Pflichtkurs." in page
    assert "Ja, Einheit entfernen" not in page

    client.post(f"{BASE}/{firma.id}/einheiten/{logistik.id}/entfernen", data={})
    db.session.expire_all()
    assert db.session.get(Unit, logistik.id) is not None
