"""Who may lead a session: the people offered in the form are those who may then open its lists and keep its
attendance, and "Termine, die ich leite" lists the sessions they lead so, each with its course."""

import re
from datetime import time

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.courses.models import CourseOwner, Module
from qualify.exchange import spaces
from qualify.exchange.models import SpaceModerator
from qualify.extensions import db
from qualify.workshops import schedule
from qualify.workshops.models import WorkshopSession
from qualify.workshops.views import plans_sessions
from tests.workshops.conftest import in_days
from tests.workshops.test_planning_fixes import new_form


def offered(page: str) -> set[int]:
    """The ids of the people the form offers to lead the session."""
    choices = re.search(r'<fieldset id="trainers"[^>]*>(.*?)</fieldset>', page, re.S).group(1)
    return {int(value) for value in re.findall(r'value="(\d+)"', choices)}


def ticked(page: str) -> set[int]:
    choices = re.search(r'<fieldset id="trainers"[^>]*>(.*?)</fieldset>', page, re.S).group(1)
    return {int(value) for value in re.findall(r'<input checked[^>]*value="(\d+)"', choices)}


def owner_of(course_id: int, user):
    db.session.add(CourseOwner(course_id=course_id, user_id=user.id))
    db.session.commit()
    return user


def exchange_session(module: Module, leaders: list, by) -> WorkshopSession:
    plan = schedule.SessionPlan(start_time=time(14), end_time=time(15), capacity=10, place="Raum 1",
                                trainers=leaders)
    (session,) = schedule.create_sessions(module, plan, [in_days(7)], by=by, now=utcnow())
    db.session.commit()
    return session


def lists_open_to(client, session) -> dict[str, int]:
    return {page: client.get(f"/termine/{session.id}/{page}").status_code
            for page in ("teilnehmende", "teilnehmende.csv", "anwesenheit")}


EVERY_LIST = {"teilnehmende": 200, "teilnehmende.csv": 200, "anwesenheit": 200}


# ---------------------------------------------------------------- 4. the offer and the check agree

def test_an_exchange_session_is_offered_to_the_moderators_of_its_space_and_the_admins_only(
        client, login, make_user, exchange_module, space_moderator):
    elsewhere = make_user(Role.MODERATOR, name="Moderator Otto")  # moderates another space
    spaces.create_space("Schichtarbeit", "", organisation_id=None, moderation="pre", anonymous="allowed",
                        by=elsewhere, now=utcnow())
    course_trainer = owner_of(exchange_module.course_id, make_user(Role.TRAINER, name="Trainer Theo"))
    other_trainer = make_user(Role.TRAINER)
    admin = make_user(Role.ADMIN)
    login(course_trainer)  # plans the course's dates, but may not keep an exchange's attendance
    page = client.get(f"/termine/modul/{exchange_module.id}/neu").text
    assert offered(page) == {space_moderator.id, admin.id}
    assert ticked(page) == {space_moderator.id}  # not themselves, who are not offered: the space's moderators
    assert "Einen Austausch leiten die Moderatorinnen und Moderatoren seines Raums." in page

    refused = client.post(f"/termine/modul/{exchange_module.id}/neu", data=new_form(
        course_trainer, trainers=[str(elsewhere.id), str(other_trainer.id)]))
    assert refused.status_code == 200 and "Keine gültige Auswahl." in refused.text
    assert db.session.scalar(select(WorkshopSession.id)) is None


def test_a_moderator_planning_their_spaces_session_leads_it_and_opens_every_list(
        client, login, exchange_module, space_moderator):
    login(space_moderator)
    page = client.get(f"/termine/modul/{exchange_module.id}/neu").text
    assert space_moderator.id in offered(page) and ticked(page) == {space_moderator.id}
    client.post(f"/termine/modul/{exchange_module.id}/neu",
                data=new_form(space_moderator, place="Raum 1", capacity="10"))
    session = db.session.scalar(select(WorkshopSession))
    assert [leader.id for leader in session.trainers] == [space_moderator.id]
    assert lists_open_to(client, session) == EVERY_LIST


def test_an_exchange_planned_by_its_courses_trainer_ticks_every_moderator_of_its_space(
        client, login, make_user, exchange_module, space_moderator):
    second = make_user(Role.MODERATOR, name="Moderator Anton")
    db.session.add(SpaceModerator(space_id=spaces.space_for_module(exchange_module).id, user_id=second.id))
    admin = make_user(Role.ADMIN)
    login(owner_of(exchange_module.course_id, make_user(Role.TRAINER)))
    page = client.get(f"/termine/modul/{exchange_module.id}/neu").text
    assert admin.id in offered(page) and ticked(page) == {space_moderator.id, second.id}


def test_an_admin_planning_an_exchange_is_ticked_alone(client, login, make_user, exchange_module, space_moderator):
    admin = make_user(Role.ADMIN)
    login(admin)
    page = client.get(f"/termine/modul/{exchange_module.id}/neu").text
    assert ticked(page) == {admin.id}


def test_a_planning_form_sent_back_keeps_what_was_ticked_not_the_default(
        client, login, make_user, exchange_module, space_moderator):
    admin = make_user(Role.ADMIN)
    trainer = owner_of(exchange_module.course_id, make_user(Role.TRAINER))
    login(trainer)
    url = f"/termine/modul/{exchange_module.id}/neu"
    refused = client.post(url, data=new_form(trainer, trainers=[str(admin.id)], place=""))
    assert refused.status_code == 200 and "Bitte einen Ort angeben." in refused.text
    assert ticked(refused.text) == {admin.id}

    nobody = new_form(trainer)
    del nobody["trainers"]
    refused = client.post(url, data=nobody)
    assert "Bitte wählen Sie mindestens eine Person, die den Termin leitet." in refused.text
    assert ticked(refused.text) == set()
    assert db.session.scalar(select(WorkshopSession.id)) is None


@pytest.mark.parametrize("kind", ["workshop", "exchange"])
def test_everyone_offered_to_lead_a_session_may_then_open_its_lists(
        new_client, login, make_user, trainer, workshop_module, exchange_module, space_moderator, kind):
    module = workshop_module if kind == "workshop" else exchange_module
    make_user(Role.MODERATOR), make_user(Role.TRAINER), make_user(Role.ADMIN)  # others, of every role
    owner_of(exchange_module.course_id, trainer)
    planner = new_client()
    login(trainer, via=planner)
    people = offered(planner.get(f"/termine/modul/{module.id}/neu").text)
    assert people
    for number, person_id in enumerate(people):  # a day each (ids are large on PostgreSQL: not from them)
        planner.post(f"/termine/modul/{module.id}/neu", data=new_form(
            trainer, trainers=[str(person_id)], start_time=f"{8 + len(people)}:00", day=in_days(10 + number)
            .isoformat()))
        session = db.session.scalar(select(WorkshopSession).where(WorkshopSession.module_id == module.id)
                                    .order_by(WorkshopSession.id.desc()))
        assert [leader.id for leader in session.trainers] == [person_id]
        theirs = new_client()
        login(db.session.get(type(trainer), person_id), via=theirs)
        assert lists_open_to(theirs, session) == EVERY_LIST, (kind, person_id)
        assert f'href="/termine/{session.id}/teilnehmende"' in theirs.get("/termine/meine").text


def test_a_moderator_is_not_offered_a_workshop_and_listed_on_one_does_not_lead_it(
        client, new_client, login, make_user, make_session, workshop_module, trainer):
    moderator = make_user(Role.MODERATOR)
    login(trainer)
    assert moderator.id not in offered(client.get(f"/termine/modul/{workshop_module.id}/neu").text)
    session = make_session(trainers=[trainer, moderator])  # written without the form
    theirs = new_client()
    login(moderator, via=theirs)
    assert lists_open_to(theirs, session) == {"teilnehmende": 403, "teilnehmende.csv": 403, "anwesenheit": 403}
    assert f"/termine/{session.id}/teilnehmende" not in theirs.get("/termine/meine").text


def test_a_moderator_taken_off_the_space_no_longer_finds_its_sessions_among_those_they_lead(
        client, login, make_user, exchange_module, space_moderator):
    session = exchange_session(exchange_module, [space_moderator], by=space_moderator)
    login(space_moderator)
    assert f'href="/termine/{session.id}/teilnehmende"' in client.get("/termine/meine").text
    spaces.unassign_moderator(spaces.space_for_module(exchange_module), space_moderator,
                              by=make_user(Role.ADMIN))
    db.session.commit()
    assert f"/termine/{session.id}/teilnehmende" not in client.get("/termine/meine").text  # it would say 403
    assert lists_open_to(client, session)["teilnehmende"] == 403


def test_the_leaders_already_listed_stay_offered_when_the_session_is_edited(
        client, login, make_user, exchange_module, space_moderator):
    course_trainer = owner_of(exchange_module.course_id, make_user(Role.TRAINER))
    session = exchange_session(exchange_module, [space_moderator, course_trainer], by=space_moderator)
    login(course_trainer)  # saving the form drops nobody it did not show
    page = client.get(f"/termine/{session.id}/bearbeiten").text
    assert ticked(page) == {space_moderator.id, course_trainer.id}


def legend_of(page: str) -> str:
    """What the choice of who leads the session is called on the page."""
    return re.search(r'<fieldset id="trainers"[^>]*>\s*<legend>(.*?)</legend>', page, re.S).group(1).strip()


def test_an_exchange_sessions_leaders_are_not_called_trainers(client, new_client, login, exchange_module,
                                                              space_moderator, workshop_module, trainer):
    # A moderator planning an exchange was asked for "Trainerinnen und Trainer", and refused without one so.
    login(space_moderator)
    url = f"/termine/modul/{exchange_module.id}/neu"
    assert legend_of(client.get(url).text) == "Leitung"
    refused = client.post(url, data=new_form(space_moderator, trainers=[], place="Raum 1")).text
    assert re.search(r'<p class="error" id="trainers-error">\s*Bitte wählen Sie mindestens eine Person, die den '
                     r'Termin leitet\.\s*</p>', refused)
    assert "Leitung: Bitte wählen Sie mindestens eine Person, die den Termin leitet." in refused  # the summary
    assert "Trainer" not in refused[refused.index('class="form-errors"'):refused.index("</form>")]
    plan = schedule.SessionPlan(start_time=time(14), end_time=time(15), capacity=10, place="Raum 1")
    with pytest.raises(schedule.ScheduleError, match="^Bitte wählen Sie mindestens eine Person, die den Termin "):
        schedule.create_sessions(exchange_module, plan, [in_days(7)], by=space_moderator, now=utcnow())
    db.session.rollback()

    theirs = new_client()
    login(trainer, via=theirs)  # a workshop's are its trainers
    assert legend_of(theirs.get(f"/termine/modul/{workshop_module.id}/neu").text) == "Trainerinnen und Trainer"


# ---------------------------------------------------------------- 5. the course beside each session I lead

def test_the_sessions_i_lead_name_their_course_in_its_language(client, login, make_session, trainer,
                                                               workshop_module):
    trainer.language = "en"
    db.session.commit()
    session = make_session()
    login(trainer)
    page = client.get("/termine/meine").text
    (item,) = re.findall(rf'<li><a href="/termine/{session.id}/teilnehmende".*?</li>', page, re.S)
    assert f'<span lang="de">{workshop_module.course.title}</span>' in item


# ---------------------------------------------------------------- 6. where "Termin planen" may be offered

def test_planning_is_offered_for_the_session_modules_of_those_who_may_plan_them(
        app, make_user, trainer, workshop_module, exchange_module, space_moderator):
    from flask_login import login_user

    self_study = db.session.scalar(select(Module).where(Module.course_id == workshop_module.course_id,
                                                        Module.id != workshop_module.id))
    for person, module, expected in [(trainer, workshop_module, True), (trainer, self_study, False),
                                     (space_moderator, exchange_module, True),
                                     (space_moderator, workshop_module, False),
                                     (make_user(), workshop_module, False)]:
        with app.test_request_context():
            login_user(person)
            assert plans_sessions(module) is expected, (person, module.slug)


def test_the_editor_of_a_workshop_module_leads_to_planning_a_session(client, login, trainer, workshop_module):
    course = workshop_module.course
    login(trainer)
    editor = client.get(f"/autoren/{course.slug}/module/{workshop_module.slug}").text
    assert f'<a href="/termine/modul/{workshop_module.id}/neu">Termin planen</a>' in editor
    reading = client.get(f"/autoren/{course.slug}/module/warum-hochvolt").text
    assert "Termin planen" not in reading
