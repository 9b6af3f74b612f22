"""The administration's page of mandatory courses: standing assignments with their deadline rule, ended after a
question, each step logged – and never a word about who of a unit completed a course or is late."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.learning.models import Enrolment, MandatoryAssignment, MandatoryEnrolment

PAGE = "/verwaltung/pflichtkurse"


@pytest.fixture
def organisation(make_organisation):
    return make_organisation("Muster GmbH")


@pytest.fixture
def line(organisation, make_user):
    unit = organisation.units[0]
    for name in ("Lena Linie", "Max Montage"):
        make_user(Role.LEARNER, organisation=organisation, unit=unit, name=name)
    return unit


@pytest.fixture
def course(demo_courses):
    return demo_courses["hochvolt-sicherheit"]


def assign(client, course, unit, days="") -> str:
    asked = client.post(PAGE, data={"course": course.id, "unit": unit.id, "days_to_complete": days}).text
    assert "Bitte bestätigen" in asked
    form = {"course": course.id, "unit": unit.id, "days_to_complete": days, "confirmed": "1"}
    return client.post(PAGE, data=form, follow_redirects=True).text


def logged(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def text_of(page: str) -> str:
    page = re.sub(r'name="csrf_token" value="[^"]*"', "", page)
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_an_assignment_with_a_deadline_is_confirmed_and_then_listed_with_its_rule(client, admin, line, course):
    asked = client.post(PAGE, data={"course": course.id, "unit": line.id, "days_to_complete": "30"}).text
    assert "Jede Person hat 30 Tage ab ihrer Einschreibung, um den Kurs abzuschließen." in asked
    assert 'name="days_to_complete" value="30"' in asked

    done = client.post(PAGE, data={"course": course.id, "unit": line.id, "days_to_complete": "30",
                                   "confirmed": "1"}, follow_redirects=True).text
    page = text_of(done)

    assert f"Alle 2 aktiven Mitglieder von Muster GmbH · {line.name} sind in" in page
    listed = page.split("Bestehende Pflichtkurse")[1]
    assert course.title in listed and f"Muster GmbH · {line.name}" in listed
    assert "Frist 30 Tage ab der Einschreibung" in listed
    # The same choice stays for the next unit, the deadline with it.
    assert re.search(r'<input[^>]*name="days_to_complete"[^>]*value="30"', done)
    assert f"Seit {utcnow():%d.%m.%Y}" in listed and f"Zugewiesen von {admin.display_name}" in listed
    [event] = logged("enrolments.mandatory")
    assert event.details["days_to_complete"] == 30 and event.details["members"] == 2


def test_without_a_deadline_the_list_says_none(client, admin, line, course):
    listed = text_of(assign(client, course, line)).split("Bestehende Pflichtkurse")[1]
    assert "Frist keine" in listed
    assert db.session.scalar(select(MandatoryAssignment.days_to_complete)) is None


@pytest.mark.parametrize("days", ["0", "366", "zehn"])
def test_a_deadline_out_of_range_is_refused_at_the_field(client, admin, line, course, days):
    page = client.post(PAGE, data={"course": course.id, "unit": line.id, "days_to_complete": days}).text
    assert "Bitte bestätigen" not in page and 'aria-invalid="true"' in page


def test_a_course_mandatory_already_is_said_at_once_and_confirmed_twice_changes_nothing(
        client, admin, line, course):
    assign(client, course, line, "30")

    asked = client.post(PAGE, data={"course": course.id, "unit": line.id}).text
    assert f"„{course.title}“ ist für Muster GmbH · {line.name} bereits ein Pflichtkurs." in asked
    assert "Ja, einschreiben" not in asked
    # The confirmation sent once more (a double tap, the back button): recognised, and nothing is done or logged.
    again = client.post(PAGE, data={"course": course.id, "unit": line.id, "confirmed": "1"}, follow_redirects=True)
    assert f"„{course.title}“ ist für Muster GmbH · {line.name} bereits ein Pflichtkurs." in again.text

    assert len(logged("enrolments.mandatory")) == 1
    assert db.session.scalar(select(func.count()).select_from(MandatoryAssignment)) == 1


def test_ending_asks_first_then_ends_takes_nobody_out_and_is_logged(client, admin, line, course):
    page = assign(client, course, line, "30")
    assignment = db.session.scalar(select(MandatoryAssignment))
    assert "Pflichtkurs beenden …" in page and "Ja, beenden" in page  # the question, behind the button
    assert "Wer eingeschrieben ist, bleibt es." in page

    ended = client.post(f"{PAGE}/{assignment.id}/beenden", data={}, follow_redirects=True).text
    again = client.post(f"{PAGE}/{assignment.id}/beenden", data={}, follow_redirects=True).text  # a double tap

    assert f"„{course.title}“ ist für Muster GmbH · {line.name} kein Pflichtkurs mehr." in ended
    assert "Noch keine Pflichtkurse." in ended and "Noch keine Pflichtkurse." in again
    db.session.expire_all()
    assert db.session.get(MandatoryAssignment, assignment.id).ended_at is not None
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 2  # nobody un-enrolled
    [event] = logged("enrolments.mandatory_ended")
    assert event.actor_id == admin.id
    assert event.details == {"unit_id": line.id, "organisation_id": line.organisation_id}
    assert "Pflichtkurs beendet" in client.get("/verwaltung/protokoll").text


def test_only_admins_end_an_assignment_and_only_by_the_form(client, admin, line, course, make_user, new_client,
                                                            login):
    assign(client, course, line)
    assignment = db.session.scalar(select(MandatoryAssignment))
    assert client.get(f"{PAGE}/{assignment.id}/beenden").status_code == 405
    assert client.post(f"{PAGE}/{assignment.id}/beenden", csrf=False).status_code in (400, 302)
    other = new_client()
    login(make_user(Role.COORDINATOR), via=other)
    assert other.get(PAGE).status_code in (403, 404)
    assert other.post(f"{PAGE}/{assignment.id}/beenden", data={}).status_code in (400, 403, 404)
    assert client.post(f"{PAGE}/999999/beenden", data={}).status_code == 404
    db.session.expire_all()
    assert db.session.get(MandatoryAssignment, assignment.id).ended_at is None


def test_the_page_never_tells_who_completed_or_is_late(client, admin, line, course):
    assign(client, course, line, "30")
    before = text_of(client.get(PAGE).text)
    people = list(db.session.scalars(select(Enrolment).where(Enrolment.course_id == course.id)))

    # One member completes the course, the other's deadline passes.
    people[0].completed_at = utcnow()
    people[1].enrolled_at = utcnow() - timedelta(days=90)
    db.session.execute(update(MandatoryEnrolment).where(MandatoryEnrolment.user_id == people[1].user_id)
                       .values(due_at=utcnow() - timedelta(days=60)))
    db.session.commit()

    after = text_of(client.get(PAGE).text)
    assert after == before
    for name in ("Lena Linie", "Max Montage"):
        assert name not in after
    assert "überfällig" not in after and "abgeschlossen am" not in after
