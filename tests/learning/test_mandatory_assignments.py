"""A mandatory course kept for a unit: its members are enrolled now, whoever joins later by the scheduler, each
with a deadline of their own and one reminder a week before it; ending it enrols nobody more and takes nobody out."""

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from qualify.accounts import csv_import
from qualify.accounts import services as accounts
from qualify.accounts.roles import Role
from qualify.cli import JOBS
from qualify.core.audit import AuditEvent
from qualify.core.mail import OutboxMessage
from qualify.core.time import LOCAL_TZ, utcnow
from qualify.extensions import db
from qualify.learning import mandatory
from qualify.learning.jobs import enrol_newcomers_in_mandatory_courses, remind_of_mandatory_deadlines
from qualify.learning.models import Enrolment, MandatoryAssignment, MandatoryEnrolment
from qualify.learning.services import leave, mark_read
from qualify.privacy.services import erase_account
from tests.learning.helpers import module, module_of


@pytest.fixture
def organisation(make_organisation):
    return make_organisation("Muster GmbH")


@pytest.fixture
def line(organisation):
    return organisation.units[0]


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="Alex Admin")


@pytest.fixture
def course(make_course):
    return make_course(module("sicherheit"), slug="pflicht", title="Sicherheit an der Linie")


def enrolled(course) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(select(Enrolment.user_id).where(Enrolment.course_id == course.id)))


def mails_to(person, about: str = "Pflichtkurs") -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == person.email,
                                                               OutboxMessage.subject.contains(about))))


def deadline_of(person, course):
    return db.session.scalar(select(MandatoryEnrolment.due_at).join(MandatoryAssignment).where(
        MandatoryEnrolment.user_id == person.id, MandatoryAssignment.course_id == course.id))


def make_mandatory(course, unit, admin, *, days=None, now=None):
    assignment = mandatory.assign(course, unit, days_to_complete=days, now=now or utcnow(), by=admin)
    db.session.commit()
    return assignment


def test_assigning_keeps_the_assignment_and_enrols_and_tells_the_active_members(
        line, organisation, course, admin, make_user):
    members = [make_user(organisation=organisation, unit=line) for _ in range(2)]
    make_user(organisation=organisation, unit=line, active=False)
    make_user(organisation=organisation, unit=organisation.units[1])

    assignment = make_mandatory(course, line, admin, days=30)

    assert (assignment.course_id, assignment.unit_id, assignment.days_to_complete) == (course.id, line.id, 30)
    assert assignment.created_by_id == admin.id and assignment.ended_at is None
    assert enrolled(course) == {person.id for person in members}
    assert all(len(mails_to(person)) == 1 for person in members)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "enrolments.mandatory"))
    assert event.details == {"unit_id": line.id, "organisation_id": organisation.id, "members": 2,
                             "days_to_complete": 30}
    assert event.organisation_id == organisation.id  # the column its administration's log reads


def test_someone_enrolled_already_gets_the_deadline_and_hears_of_it_but_who_completed_hears_nothing(
        line, organisation, course, admin, make_user):
    started, done = (make_user(organisation=organisation, unit=line) for _ in range(2))
    for person in (started, done):
        db.session.add(Enrolment(user_id=person.id, course_id=course.id, enrolled_at=utcnow() - timedelta(days=99)))
    mark_read(done, module_of(course, "sicherheit"), now=utcnow())
    db.session.commit()

    now = utcnow()
    make_mandatory(course, line, admin, days=30, now=now)

    assert deadline_of(started, course) == now + timedelta(days=30)  # from the day it became mandatory
    assert len(mails_to(started)) == 1 and mails_to(done) == []


@pytest.mark.parametrize("how", ["created", "moved", "reactivated", "imported"])
def test_the_job_enrols_whoever_joins_the_unit_later_and_tells_them_once(
        how, line, organisation, course, admin, make_user):
    make_mandatory(course, line, admin, days=30, now=utcnow() - timedelta(days=10))
    if how == "created":
        newcomer = accounts.create_user("neu@example.org", "Nina Neu", organisation=organisation, unit=line)
    elif how == "moved":
        newcomer = make_user(organisation=organisation, unit=organisation.units[1])
        accounts.update_user(newcomer, email=newcomer.email, display_name=newcomer.display_name,
                             personnel_number=None, language="de", organisation=organisation, unit=line,
                             roles={Role.LEARNER}, actor=admin, now=utcnow())
    elif how == "reactivated":
        newcomer = make_user(organisation=organisation, unit=line, active=False)
        assert enrol_newcomers_in_mandatory_courses(utcnow()) == 0  # not while deactivated
        accounts.reactivate(newcomer, actor=admin)
    else:
        newcomer = imported(organisation, line)
    db.session.commit()
    assert newcomer.id not in enrolled(course)

    now = utcnow()
    assert enrol_newcomers_in_mandatory_courses(now) == 1
    assert enrol_newcomers_in_mandatory_courses(now + timedelta(minutes=10)) == 0  # once

    assert newcomer.id in enrolled(course)
    assert deadline_of(newcomer, course) == now + timedelta(days=30)  # their own, from their enrolment
    [mail] = mails_to(newcomer)
    assert "Sicherheit an der Linie" in mail.subject
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "enrolments.mandatory_newcomers"))
    assert event.actor_id is None and event.details == {"unit_id": line.id, "organisation_id": organisation.id,
                                                        "people": 1}


def imported(organisation, unit):
    text = f"E-Mail;Name;Einheit\nimport@example.org;Ina Import;{unit.name}\n"
    plan = csv_import.plan_import(text, organisation)
    with current_app.test_request_context():  # the invitations build links
        csv_import.apply_import(plan)
    return accounts.find_user_by_email("import@example.org")


def test_who_left_the_mandatory_course_is_not_enrolled_again_by_the_job(line, organisation, course, admin,
                                                                        make_user):
    person = make_user(organisation=organisation, unit=line)
    make_mandatory(course, line, admin)
    leave(person, course)
    db.session.commit()

    assert enrol_newcomers_in_mandatory_courses(utcnow()) == 0
    assert person.id not in enrolled(course) and len(mails_to(person)) == 1


def test_ending_enrols_nobody_more_takes_nobody_out_and_stops_the_deadlines(line, organisation, course, admin,
                                                                           make_user, client, login):
    person = make_user(organisation=organisation, unit=line)
    assignment = make_mandatory(course, line, admin, days=30)

    assert mandatory.end(assignment, now=utcnow(), by=admin) is True
    assert mandatory.end(assignment, now=utcnow(), by=admin) is False  # sent twice: nothing more
    db.session.commit()
    later = make_user(organisation=organisation, unit=line)

    assert enrol_newcomers_in_mandatory_courses(utcnow()) == 0
    assert enrolled(course) == {person.id} and later.id not in enrolled(course)
    assert remind_of_mandatory_deadlines(utcnow() + timedelta(days=24)) == 0
    login(person)
    assert 'class="mandatory-note"' not in client.get("/lernen/").text
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "enrolments.mandatory_ended")) == 1
    # Ended, it may be assigned anew.
    assert make_mandatory(course, line, admin) is not None


def test_a_reminder_goes_once_a_week_before_the_deadline_in_the_persons_language(
        line, organisation, course, admin, make_user):
    german = make_user(organisation=organisation, unit=line, name="Dora Deutsch")
    english = make_user(organisation=organisation, unit=line, language="en", name="Eve English")
    start = utcnow()
    make_mandatory(course, line, admin, days=30, now=start)

    assert remind_of_mandatory_deadlines(start + timedelta(days=22)) == 0  # eight days before: not yet
    assert remind_of_mandatory_deadlines(start + timedelta(days=23, minutes=1)) == 2
    assert remind_of_mandatory_deadlines(start + timedelta(days=24)) == 0  # once
    assert remind_of_mandatory_deadlines(start + timedelta(days=29)) == 0

    due = start + timedelta(days=30)
    [german_mail] = mails_to(german, "Erinnerung")
    assert german_mail.subject == f"Erinnerung: Pflichtkurs „Sicherheit an der Linie“ bis {local(due, '%d.%m.%Y')} " \
                                  "abschließen"
    assert "Hallo Dora Deutsch," in german_mail.body_text and "/kurse/pflicht" in german_mail.body_text
    # The date as the person's language writes it (the words follow once the catalogue translates them).
    english_mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == english.email)
                                      .order_by(OutboxMessage.id.desc())).first()
    assert local(due, "%-d %b %Y") in english_mail.subject and local(due, "%d.%m.%Y") not in english_mail.subject


def local(moment, pattern: str) -> str:
    return moment.astimezone(LOCAL_TZ).strftime(pattern)


def test_nobody_is_reminded_of_a_course_completed_or_of_a_short_deadline(
        line, organisation, course, admin, make_user, make_course):
    done = make_user(organisation=organisation, unit=line)
    start = utcnow()
    make_mandatory(course, line, admin, days=30, now=start)
    mark_read(done, module_of(course, "sicherheit"), now=start)
    short = make_course(module("kurz"), slug="kurz", title="Kurze Frist")
    make_mandatory(short, line, admin, days=5, now=start)  # the first mail named the day; no second one

    assert remind_of_mandatory_deadlines(start + timedelta(days=2)) == 0
    assert remind_of_mandatory_deadlines(start + timedelta(days=24)) == 0
    assert mails_to(done, "Erinnerung") == []


def test_the_mail_names_the_deadline(line, organisation, course, admin, make_user):
    person = make_user(organisation=organisation, unit=line)
    now = utcnow()
    make_mandatory(course, line, admin, days=30, now=now)
    due = local(now + timedelta(days=30), "%d.%m.%Y")
    assert f"Bitte schließen Sie ihn bis zum {due} ab." in mails_to(person)[0].body_text


def test_without_a_deadline_the_mail_names_none(line, organisation, course, admin, make_user):
    person = make_user(organisation=organisation, unit=line)
    make_mandatory(course, line, admin)
    assert "bis zum" not in mails_to(person)[0].body_text


def test_the_scheduler_runs_both_jobs():
    names = {job.name for job in JOBS}
    assert {"learning.mandatory_newcomers", "learning.mandatory_reminders"} <= names


def test_erasing_an_account_takes_its_deadline_and_keeps_the_assignment_of_an_erased_admin(
        line, organisation, course, admin, make_user):
    person = make_user(organisation=organisation, unit=line)
    assignment = make_mandatory(course, line, admin, days=30)
    other_admin = make_user(Role.ADMIN)

    erase_account(person, keep_posts=False, now=utcnow(), by=other_admin, reason="Austritt")
    erase_account(admin, keep_posts=False, now=utcnow(), by=other_admin, reason="Austritt")
    db.session.commit()

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(MandatoryEnrolment)) == 0
    assert db.session.get(MandatoryAssignment, assignment.id).created_by_id is None
