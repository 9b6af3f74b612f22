"""A mandatory course assigned twice – "Ja, einschreiben" tapped twice, both at the same moment: one standing
assignment, one entry in the log, everyone enrolled once and told once, and both requests get a calm answer, never
an error page."""

import pytest
from sqlalchemy import func, select

from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.core.mail import OutboxMessage
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.learning.mandatory import assign
from qualify.learning.models import Enrolment, MandatoryAssignment
from tests.learning.helpers import module
from tests.workshops.test_concurrency import run_together


@pytest.fixture
def line(make_organisation, make_user):
    """A unit with three active members."""
    organisation = make_organisation("Muster GmbH")
    unit = organisation.units[0]
    for _ in range(3):
        make_user(Role.LEARNER, organisation=organisation, unit=unit)
    return unit


@pytest.fixture
def course(make_course):
    return make_course(module("sicherheit"), slug="pflicht", title="Sicherheit an der Linie")


def enrolments(course) -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(select(Enrolment.user_id).where(Enrolment.course_id == course.id)))


def mails() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.subject.contains("Pflichtkurs")))


def test_a_mandatory_course_confirmed_twice_at_the_same_moment_enrols_and_tells_everyone_once(
        line, course, make_user, new_client, login):
    admin = make_user(Role.ADMIN)
    browsers = [new_client(), new_client()]
    for browser in browsers:
        login(admin, via=browser)
    form = {"course": course.id, "unit": line.id, "confirmed": "1"}
    responses = []

    def send(browser):
        data = {**form, "csrf_token": browser.csrf_token()}  # fetched before the burst

        def task(barrier):
            barrier.wait()
            responses.append(browser.post("/verwaltung/pflichtkurse", data=data, follow_redirects=True))
        return task

    assert run_together([send(browser) for browser in browsers]) == []

    assert [response.status_code for response in responses] == [200, 200]
    said = sorted("Alle 3 aktiven Mitglieder von Muster GmbH" in response.text for response in responses)
    assert said == [False, True]  # the first made it, the second says it was so already
    assert any(f"„{course.title}“ ist für Muster GmbH · {line.name} bereits ein Pflichtkurs." in response.text
               for response in responses)
    assert len(enrolments(course)) == 3 and mails() == 3
    assert logged() == 1 and assignments(course) == 1


def logged() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "enrolments.mandatory"))


def assignments(course) -> int:
    return db.session.scalar(select(func.count()).select_from(MandatoryAssignment)
                             .where(MandatoryAssignment.course_id == course.id))


def test_assigning_again_changes_nothing_logs_nothing_and_tells_nobody_a_second_time(line, course, make_user):
    admin = make_user(Role.ADMIN)
    assert assign(course, line, days_to_complete=30, now=utcnow(), by=admin) is not None
    db.session.commit()

    assert assign(course, line, days_to_complete=30, now=utcnow(), by=admin) is None
    db.session.commit()

    assert len(enrolments(course)) == 3 and mails() == 3
    assert logged() == 1 and assignments(course) == 1
