"""The pages through the HTTP client: booking, the session page, trainers' views, attendance and CSV."""

import csv
import io
import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.core.time import LOCAL_TZ, to_local, utcnow
from qualify.courses.models import CourseOwner
from qualify.extensions import db
from qualify.learning.models import Certificate, ModuleCompletion
from qualify.workshops import schedule
from qualify.workshops.export import safe_cell
from qualify.workshops.forms import parse_dates
from qualify.workshops.mails import session_when
from qualify.workshops.models import WorkshopSession
from tests.learning.helpers import everything_else_done
from tests.workshops.conftest import bookings_of, in_days, outbox


def test_booking_from_the_session_page_confirms_a_seat(client, login, make_user, make_session):
    session = make_session(capacity=1)
    login(make_user())
    page = client.post(f"/termine/{session.id}/buchung", data={}, follow_redirects=True)
    assert "Ihr Platz ist bestätigt" in page.text


def test_full_session_puts_next_person_on_waitlist_with_position(client, login, make_user, make_session):
    session = make_session(capacity=1, booked=[make_user(), make_user()])
    login(make_user())
    page = client.post(f"/termine/{session.id}/buchung", data={}, follow_redirects=True)
    assert "Warteliste" in page.text
    assert "Platz 2 der Warteliste" in page.text


def test_double_click_books_one_seat(client, login, make_user, make_session):
    session = make_session(capacity=5)
    login(make_user())
    client.post(f"/termine/{session.id}/buchung", data={})
    client.post(f"/termine/{session.id}/buchung", data={})
    assert len(bookings_of(session)) == 1


def test_online_link_is_shown_only_to_confirmed_participants(client, new_client, login, make_user,
                                                              make_session):
    seated, waiting = make_user(), make_user()
    session = make_session(capacity=1, format="online", place="", online_url="https://meet.example.org/raum-7",
                           booked=[seated, waiting])
    login(waiting)
    assert "raum-7" not in client.get(f"/termine/{session.id}").text
    other = new_client()
    login(seated, via=other)
    assert "raum-7" in other.get(f"/termine/{session.id}").text


def test_cancelling_from_the_page_frees_the_seat(client, login, make_user, make_session):
    person = make_user()
    session = make_session(booked=[person])
    login(person)
    page = client.post(f"/termine/{session.id}/buchung/stornieren", data={}, follow_redirects=True)
    assert "Ihre Teilnahme ist abgesagt." in page.text
    assert bookings_of(session)[0].status == "cancelled"


def test_my_sessions_lists_my_bookings(client, login, make_user, make_session):
    person = make_user()
    make_session(booked=[person])
    login(person)
    page = client.get("/termine/meine")
    assert page.status_code == 200
    assert "Praxistag am Hochvolt-Schulungsfahrzeug" in page.text and "Sie haben einen Platz" in page.text


def test_upcoming_sessions_filter_by_place(client, login, make_user, make_session):
    make_session(place="Werk Nord")
    make_session(place="Werk Süd", day=in_days(21))
    login(make_user())
    page = client.get("/termine/?ort=nord")
    assert "Werk Nord" in page.text and "Werk Süd" not in page.text
    assert "Werk Süd" in client.get("/termine/kurs/hochvolt-sicherheit").text


def test_module_page_links_to_its_sessions_and_lets_the_trainer_plan(client, login, make_session, trainer):
    session = make_session()
    login(trainer)
    page = client.get("/kurse/hochvolt-sicherheit/module/praxistag-hv-schulungsfahrzeug")
    assert f"/termine/{session.id}" in page.text
    assert "Termin planen" in page.text


def test_trainer_plans_a_weekly_series_with_an_exception(client, login, trainer, workshop_module):
    login(trainer)
    first = in_days(10)
    response = client.post(f"/termine/modul/{workshop_module.id}/neu", data={
        "day": first.isoformat(), "start_time": "10:00", "end_time": "13:00", "format": "in-person",
        "place": "Halle 4", "capacity": "8", "booking_hours_before": "0", "cancellation_hours_before": "24",
        "trainers": str(trainer.id), "every_weeks": "1", "until": (first + timedelta(weeks=3)).isoformat(),
        "exceptions": (first + timedelta(weeks=1)).strftime("%d.%m.%Y")})
    assert response.status_code == 302, response.text
    sessions = list(db.session.scalars(select(WorkshopSession).order_by(WorkshopSession.starts_at)))
    assert len(sessions) == 3 and all(s.capacity == 8 for s in sessions)
    assert [s.starts_at.date() for s in sessions][0] == first


def test_exception_dates_are_read_as_typed_in_germany_britain_or_iso():
    assert parse_dates("24.12.2026, 31/12/2026\n2027-01-07") == {date(2026, 12, 24), date(2026, 12, 31),
                                                                  date(2027, 1, 7)}
    with pytest.raises(ValueError):
        parse_dates("12/24/2026")  # month first: no such day 12 of month 24


def test_learners_cannot_plan_sessions(client, login, make_user, workshop_module):
    login(make_user())
    assert client.get(f"/termine/modul/{workshop_module.id}/neu").status_code == 403


def test_trainer_approves_a_request_from_the_trainer_view(client, new_client, login, make_user, make_session,
                                                          trainer):
    person = make_user(name="Anna Anfrage")
    session = make_session(approval_required=True, booked=[person])
    login(trainer)
    page = client.get(f"/termine/{session.id}/teilnehmende")
    assert "Anna Anfrage" in page.text and "Freigeben" in page.text
    booking = bookings_of(session)[0]
    client.post(f"/termine/buchungen/{booking.id}/freigeben", data={})
    assert bookings_of(session)[0].status == "confirmed"


def test_other_people_cannot_see_bookings_or_approve(client, login, make_user, make_session):
    person = make_user()
    session = make_session(approval_required=True, booked=[person])
    login(make_user())
    assert client.get(f"/termine/{session.id}/teilnehmende").status_code == 403
    assert client.get(f"/termine/{session.id}/teilnehmende.csv").status_code == 403
    booking = bookings_of(session)[0]
    assert client.post(f"/termine/buchungen/{booking.id}/freigeben", data={}).status_code == 403
    assert bookings_of(session)[0].status == "pending"


def test_attendance_is_only_for_the_sessions_own_trainers(client, new_client, login, make_user, make_session,
                                                          workshop_module):
    other_trainer = make_user(Role.TRAINER)
    db.session.add(CourseOwner(course_id=workshop_module.course_id, user_id=other_trainer.id))
    db.session.commit()
    session = make_session(booked=[make_user()])
    login(other_trainer)  # owns the course, but does not lead this session
    assert client.get(f"/termine/{session.id}/anwesenheit").status_code == 403
    learner = new_client()
    login(make_user(), via=learner)
    assert learner.get(f"/termine/{session.id}/anwesenheit").status_code == 403
    booking = bookings_of(session)[0]
    assert learner.post(f"/termine/{session.id}/anwesenheit",
                        data={"booking_id": booking.id, "value": "present"}).status_code == 403
    assert bookings_of(session)[0].attendance is None


def test_marking_present_completes_the_workshop_module(client, login, make_user, trainer, workshop_module,
                                                       make_session):
    person = make_user()
    session = make_session(booked=[person])
    login(trainer)
    booking = bookings_of(session)[0]
    page = client.get(f"/termine/{session.id}/anwesenheit")
    assert page.status_code == 200 and person.display_name in page.text
    # Too early: the session is two weeks away. The page says so, its buttons are off, and a post is refused.
    assert "Die Anwesenheit kann ab" in page.text and page.text.count(" disabled>") == 4  # 3 marks, 1 to enter someone
    client.post(f"/termine/{session.id}/anwesenheit", data={"booking_id": booking.id, "value": "present"})
    assert bookings_of(session)[0].attendance is None
    session = db.session.get(WorkshopSession, session.id)
    session.starts_at = utcnow() - timedelta(minutes=5)
    session.ends_at = utcnow() + timedelta(hours=2)
    db.session.commit()
    client.post(f"/termine/{session.id}/anwesenheit", data={"booking_id": booking.id, "value": "present"})
    assert bookings_of(session)[0].attendance == "present"
    completion = db.session.scalar(select(ModuleCompletion).where(
        ModuleCompletion.user_id == person.id, ModuleCompletion.module_id == workshop_module.id))
    assert completion is not None and completion.via == "workshop"


def test_csv_export_neutralises_formulas(client, login, make_user, make_session, trainer):
    names = ["=HYPERLINK(\"http://evil\")", "+49 123", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "Ruth Normal"]
    people = [make_user() for _name in names]
    for person, name in zip(people, names, strict=True):
        person.display_name = name  # as an import or an admin might have stored it, unstripped
    db.session.commit()
    session = make_session(capacity=10, booked=people)
    login(trainer)
    response = client.get(f"/termine/{session.id}/teilnehmende.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    day = to_local(session.starts_at).date().isoformat()  # the file named by module and day
    assert f'filename="teilnehmende-{session.module.slug}-{day}.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    shown = [row[0] for row in rows[1:]]
    assert shown == ["'" + name for name in names[:-1]] + ["Ruth Normal"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "workshops.participants_exported"))
    assert event.actor_id == trainer.id and event.target_id == session.id and event.details["people"] == 7


def test_csv_export_says_status_and_attendance_in_words(client, login, make_user, make_session, trainer):
    session = present_now(make_session(capacity=1, booked=[make_user(), make_user()]))
    login(trainer)
    seated = bookings_of(session)[0]
    client.post(f"/termine/{session.id}/anwesenheit", data={"booking_id": seated.id, "value": "excused"})
    rows = list(csv.reader(io.StringIO(client.get(f"/termine/{session.id}/teilnehmende.csv").data
                                       .decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Name", "E-Mail", "Status"]  # no personnel numbers: account data, not the trainer's
    assert [(row[2], row[3], row[4]) for row in rows[1:]] == [("Platz bestätigt", "", "entschuldigt"),
                                                              ("Warteliste", "1", "")]


def test_csv_export_is_separated_and_dated_for_the_readers_spreadsheet(client, login, make_user, make_session,
                                                                       trainer):
    # German Excel splits at semicolons and reads 30.11.2026; English Excel wants commas and 2026-11-30.
    session = make_session(capacity=2, booked=[make_user(name="Anna Arndt")])
    trainer.language = "en"
    db.session.commit()
    login(trainer)
    text = client.get(f"/termine/{session.id}/teilnehmende.csv").data.decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text), delimiter=","))
    assert header[0] == "Name" and row[0] == "Anna Arndt"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", row[-1]), row[-1]


def test_safe_cell_leaves_ordinary_text_alone():
    assert safe_cell("Müller, Anna") == "Müller, Anna"
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell(None) == ""


def test_sessions_of_a_draft_course_are_hidden_from_learners(client, login, make_user, make_session,
                                                             workshop_module):
    session = make_session()
    workshop_module.course.status = "draft"
    db.session.commit()
    login(make_user())
    assert client.get(f"/termine/{session.id}").status_code == 404
    assert client.post(f"/termine/{session.id}/buchung", data={}).status_code == 404
    assert "Praxistag" not in client.get("/termine/").text


def test_nonexistent_time_on_the_spring_change_is_refused_by_the_form(client, login, trainer,
                                                                      workshop_module):
    login(trainer)
    response = client.post(f"/termine/modul/{workshop_module.id}/neu", data={
        "day": "2027-03-28", "start_time": "02:30", "end_time": "05:00", "format": "in-person",
        "place": "Halle 4", "capacity": "8", "trainers": str(trainer.id)}, follow_redirects=True)
    assert "Zeitumstellung" in response.text
    assert db.session.scalar(select(WorkshopSession.id)) is None


def test_trainer_moves_a_session_and_everyone_booked_gets_the_update(client, login, make_user, make_session,
                                                                     trainer):
    from icalendar import Calendar

    from tests.workshops.conftest import outbox

    person = make_user()
    session = make_session(booked=[person])
    login(trainer)
    form = client.get(f"/termine/{session.id}/bearbeiten")
    assert form.status_code == 200 and 'value="10:00"' in form.text
    response = client.post(f"/termine/{session.id}/bearbeiten", data={
        "day": in_days(15).isoformat(), "start_time": "11:00", "end_time": "14:00", "format": "in-person",
        "place": "Halle 5", "capacity": "10", "booking_hours_before": "0", "cancellation_hours_before": "24",
        "trainers": str(trainer.id)})
    assert response.status_code == 302, response.text
    (mail,) = outbox(person.email, "Termin geändert")
    event = Calendar.from_ical(mail.made_attachments()[0]["data"]).walk("VEVENT")[0]
    assert int(event["SEQUENCE"]) == 1 and str(event["UID"]) == session.uid
    assert str(event["LOCATION"]) == "Halle 5"


def test_trainer_cancels_a_session_after_confirming_with_a_note_for_those_booked(
        client, new_client, login, make_user, make_session, trainer):
    from tests.workshops.conftest import outbox

    person = make_user()
    session = make_session(booked=[person])
    login(trainer)
    asked = client.get(f"/termine/{session.id}/absagen")  # the session page links here: nothing happens yet
    assert asked.status_code == 200 and "Termin absagen?" in asked.text and "1 Person ist angemeldet" in asked.text
    assert db.session.get(WorkshopSession, session.id).status == "scheduled"

    page = client.post(f"/termine/{session.id}/absagen", data={"note": "Die Trainerin ist erkrankt."},
                       follow_redirects=True)
    assert "Der Termin ist abgesagt; 1 Person wurde benachrichtigt." in page.text
    assert "Die Trainerin ist erkrankt." in page.text  # on the session page, for whoever looks there
    (mail,) = outbox(person.email, "Termin abgesagt")
    assert "Die Trainerin ist erkrankt." in mail.body_text and "Die Trainerin ist erkrankt." in mail.body_html
    assert "METHOD:CANCEL" in mail.made_attachments()[0]["data"]
    assert client.post(f"/termine/{session.id}/absagen", data={}).status_code == 302  # a second click: no mail
    assert len(outbox(person.email, "Termin abgesagt")) == 1
    booked = new_client()
    login(person, via=booked)  # what the person booked sees: no seat, no deadline, nothing to do
    theirs = booked.get(f"/termine/{session.id}").text
    assert "Ihre Anmeldung ist damit erledigt" in theirs
    assert "Platz bestätigt" not in theirs and "Absagefrist" not in theirs and "termin.ics" not in theirs


def test_one_date_of_a_module_at_a_time(client, login, make_user, make_session):
    person = make_user()
    first, second = make_session(), make_session(day=in_days(21))
    login(person)
    client.post(f"/termine/{first.id}/buchung", data={})
    page = client.post(f"/termine/{second.id}/buchung", data={}, follow_redirects=True)
    assert "Sie haben für dieses Modul schon einen Platz am" in page.text and "geben Sie den Platz dort" in page.text
    assert [b.status for b in bookings_of(second)] == []
    client.post(f"/termine/{first.id}/buchung/stornieren", data={})
    client.post(f"/termine/{second.id}/buchung", data={})
    assert [b.status for b in bookings_of(second)] == ["confirmed"]


def test_the_session_page_says_so_before_a_second_date_of_the_module_is_booked(client, login, make_user,
                                                                               make_session):
    person = make_user()
    first, second = make_session(booked=[person]), make_session(day=in_days(21))
    login(person)
    page = client.get(f"/termine/{second.id}").text
    assert "schon für einen anderen Termin angemeldet" in page and f'href="/termine/{first.id}"' in page
    assert "Platz buchen" not in page


def test_a_person_waiting_for_a_full_date_switches_to_a_free_seat_at_another_in_one_step(
        client, login, make_user, make_session):
    person, seated = make_user(), make_user()
    full = make_session(capacity=1, booked=[seated, person])  # she waits there
    free = make_session(day=in_days(21))
    login(person)
    page = client.get(f"/termine/{free.id}").text
    assert "Zu diesem Termin wechseln" in page and "Ihre Anmeldung am" in page and "wird zurückgezogen" in page
    page = client.post(f"/termine/{free.id}/buchung/wechseln", data={}, follow_redirects=True).text
    assert "Termin gewechselt: Ihr Platz am" in page and "Ihre Anmeldung am" in page and "ist zurückgezogen" in page
    assert [b.status for b in bookings_of(free)] == ["confirmed"]
    assert {b.user_id: b.status for b in bookings_of(full)} == {seated.id: "confirmed", person.id: "cancelled"}
    given_up, confirmed = outbox(person.email)[-2:]
    assert given_up.subject.startswith("Termin gewechselt") and confirmed.subject.startswith("Platz bestätigt")
    assert f"Sie haben zum Termin am {session_when(free)} gewechselt" in given_up.body_text
    assert given_up.subject.endswith(f" → {free.starts_at.astimezone(LOCAL_TZ):%d.%m.%Y}")  # from the old to the new


def test_a_seat_is_switched_to_another_date_and_the_old_one_goes_to_the_next_in_line(
        client, login, make_user, make_session):
    person, waiting = make_user(), make_user()
    first = make_session(capacity=1, booked=[person, waiting])
    later = make_session(day=in_days(21))
    login(person)
    assert "Ihre Teilnahme am" in client.get(f"/termine/{later.id}").text
    page = client.post(f"/termine/{later.id}/buchung/wechseln", data={}, follow_redirects=True).text
    assert "Termin gewechselt" in page and "ist abgesagt" in page
    assert {b.user_id: b.status for b in bookings_of(first)} == {person.id: "cancelled", waiting.id: "confirmed"}
    assert [b.status for b in bookings_of(later)] == ["confirmed"]
    given_up, confirmed = outbox(person.email)[-2:]
    assert given_up.subject.startswith("Termin gewechselt") and confirmed.subject.startswith("Platz bestätigt")
    assert "Ihr Platz an diesem Termin ist wieder frei" in given_up.body_text
    assert "METHOD:CANCEL" in given_up.made_attachments()[0]["data"]  # out of their calendar


def test_no_switch_to_a_date_without_a_free_seat_and_the_old_booking_stays(client, login, make_user, make_session):
    person = make_user()
    first = make_session(booked=[person])
    full = make_session(day=in_days(21), capacity=1, booked=[make_user()])
    login(person)
    assert "Zu diesem Termin wechseln" not in client.get(f"/termine/{full.id}").text
    page = client.post(f"/termine/{full.id}/buchung/wechseln", data={}, follow_redirects=True).text
    assert "An diesem Termin ist gerade kein Platz frei. Ihre Anmeldung am" in page
    assert [b.status for b in bookings_of(first)] == ["confirmed"]
    assert [b.user_id for b in bookings_of(full)] != [person.id] and len(bookings_of(full)) == 1


def test_the_session_page_warns_of_a_booking_at_the_same_time(client, login, make_user, make_session,
                                                              demo_courses, trainer):
    person = make_user()
    workshop = make_session(booked=[person])
    exchange_module = next(m for m in demo_courses["digitale-fabrik"].active_modules
                           if m.current_version.kind == "exchange")
    plan = schedule.SessionPlan(start_time=time(11), end_time=time(12), capacity=5, trainers=[trainer])
    (same_time,) = schedule.create_sessions(exchange_module, plan, [in_days(14)], by=trainer, now=utcnow())
    db.session.commit()
    login(person)
    page = client.get(f"/termine/{same_time.id}").text
    assert "Zur selben Zeit sind Sie schon angemeldet:" in page and "Praxistag am Hochvolt-Schulungsfahrzeug, " in page
    assert f'href="/termine/{workshop.id}"' in page and "Platz buchen" in page  # a warning, not a refusal


def test_a_session_needs_someone_to_lead_it(client, login, trainer, workshop_module):
    login(trainer)
    page = client.post(f"/termine/modul/{workshop_module.id}/neu", data={
        "day": in_days(10).isoformat(), "start_time": "09:00", "end_time": "12:00", "format": "in-person",
        "place": "Halle 4", "capacity": "8", "booking_hours_before": "0", "cancellation_hours_before": "24",
        "every_weeks": "0"})
    assert page.status_code == 200 and "mindestens eine Trainerin oder einen Trainer" in page.text
    assert 'value="Halle 4"' in page.text
    assert db.session.scalar(select(WorkshopSession)) is None


@pytest.mark.parametrize("choices, message", [
    ({"format": "hybrid", "place": "Halle 4", "online_url": ""}, "Bitte einen Online-Link angeben."),
    ({"format": "online", "place": "", "online_url": ""}, "Bitte einen Online-Link angeben."),
    ({"format": "in-person", "place": ""}, "Bitte einen Ort angeben."),
    ({"format": "in-person", "every_weeks": "1", "until": ""}, "Bitte angeben, bis wann die Serie läuft."),
    ({"format": "in-person", "capacity": "0"}, "Zahl muss zwischen 1 und 500 liegen"),
])
def test_what_the_other_choices_make_necessary_is_asked_for(client, login, trainer, workshop_module,
                                                            choices, message):
    # Empty fields stopped at Optional() before these checks ran: a hybrid session was saved without a link,
    # and a weekly series without an end became one single date.
    login(trainer)
    page = client.post(f"/termine/modul/{workshop_module.id}/neu", data={
        "day": in_days(10).isoformat(), "start_time": "09:00", "end_time": "12:00", "place": "Halle 4",
        "capacity": "8", "booking_hours_before": "0", "cancellation_hours_before": "24", "every_weeks": "0",
        "trainers": [str(trainer.id)], **choices})
    assert page.status_code == 200 and message in page.text
    assert db.session.scalar(select(WorkshopSession)) is None


def test_planning_a_session_whose_cancellation_deadline_has_passed_warns_the_trainer(client, login, trainer,
                                                                                     workshop_module):
    login(trainer)
    page = client.post(f"/termine/modul/{workshop_module.id}/neu", follow_redirects=True, data={
        "day": in_days(1).isoformat(), "start_time": "09:00", "end_time": "12:00", "format": "in-person",
        "place": "Halle 4", "capacity": "8", "booking_hours_before": "0", "cancellation_hours_before": "72",
        "every_weeks": "0", "trainers": [str(trainer.id)]})
    assert "1 Termin angelegt." in page.text and "Die Absagefrist ist schon vorbei" in page.text


def test_a_session_cannot_be_moved_into_the_past_but_a_running_one_can_get_a_new_room(
        client, login, make_session, trainer):
    session = make_session()
    login(trainer)
    form = {"start_time": "09:00", "end_time": "12:00", "format": "in-person", "place": "Halle 4",
            "capacity": "8", "booking_hours_before": "0", "cancellation_hours_before": "24",
            "trainers": [str(trainer.id)]}
    moved = client.post(f"/termine/{session.id}/bearbeiten", data={**form, "day": in_days(-1).isoformat()},
                        follow_redirects=True)
    assert "liegt in der Vergangenheit" in moved.text
    assert db.session.get(WorkshopSession, session.id).starts_at > utcnow()

    running = present_now(session)
    local_start = to_local(running.starts_at)
    client.post(f"/termine/{session.id}/bearbeiten", data={
        **form, "day": local_start.date().isoformat(), "start_time": local_start.strftime("%H:%M"),
        "end_time": to_local(running.ends_at).strftime("%H:%M"), "place": "Halle 7"})
    db.session.expire_all()
    assert db.session.get(WorkshopSession, session.id).place == "Halle 7"


def present_now(session):
    session = db.session.get(WorkshopSession, session.id)
    session.starts_at = utcnow() - timedelta(minutes=5)
    session.ends_at = utcnow() + timedelta(hours=2)
    db.session.commit()
    return session


def module_done(person, module) -> bool:
    db.session.expire_all()
    return db.session.scalar(select(ModuleCompletion).where(
        ModuleCompletion.user_id == person.id, ModuleCompletion.module_id == module.id)) is not None


def test_taking_present_back_undoes_the_module_done(client, login, make_user, trainer, workshop_module,
                                                    make_session):
    person = make_user()
    session = present_now(make_session(booked=[person]))
    login(trainer)
    booking = bookings_of(session)[0]
    client.post(f"/termine/{session.id}/anwesenheit", data={"booking_id": booking.id, "value": "present"})
    assert module_done(person, workshop_module)
    client.post(f"/termine/{session.id}/anwesenheit", data={"booking_id": booking.id, "value": "absent"})
    assert bookings_of(session)[0].attendance == "absent"
    assert not module_done(person, workshop_module)


def test_taking_present_back_keeps_the_module_when_the_person_was_present_at_another_session(
    client, login, make_user, trainer, workshop_module, make_session
):
    person = make_user()
    login(trainer)
    first = present_now(make_session(booked=[person]))
    booking = bookings_of(first)[0]
    client.post(f"/termine/{first.id}/anwesenheit", data={"booking_id": booking.id, "value": "present"})
    first.starts_at, first.ends_at = utcnow() - timedelta(days=8), utcnow() - timedelta(days=8, hours=-3)
    db.session.commit()  # a week later the person comes to a second date of the module, by mistake perhaps
    second = present_now(make_session(booked=[person]))
    booking = bookings_of(second)[0]
    client.post(f"/termine/{second.id}/anwesenheit", data={"booking_id": booking.id, "value": "present"})
    client.post(f"/termine/{second.id}/anwesenheit", data={"booking_id": booking.id, "value": "excused"})
    assert module_done(person, workshop_module)


def test_taking_present_back_after_the_course_was_completed_keeps_it_and_says_so(
    client, login, make_user, trainer, workshop_module, make_session
):
    person = make_user()
    session = present_now(make_session(booked=[person]))
    everything_else_done(person, workshop_module, via="quiz")
    db.session.commit()
    login(trainer)
    booking = bookings_of(session)[0]
    client.post(f"/termine/{session.id}/anwesenheit", data={"booking_id": booking.id, "value": "present"})
    assert db.session.scalar(select(Certificate).where(Certificate.user_id == person.id)) is not None
    page = client.post(f"/termine/{session.id}/anwesenheit", data={"booking_id": booking.id, "value": "absent"},
                       follow_redirects=True)
    assert "das Modul bleibt erledigt" in page.text
    assert module_done(person, workshop_module)


def test_a_course_taken_back_to_draft_leaves_its_learners_their_progress_and_their_seats(
        client, new_client, login, make_user, make_session, trainer, workshop_module):
    from qualify.learning.services import enrol

    person = make_user()
    enrol(person, workshop_module.course, now=utcnow())
    session = make_session(booked=[person])
    slug = workshop_module.course.slug
    login(trainer)
    editor = client.get(f"/autoren/{slug}").text  # asked once more, with who would lose the course
    assert "1 Person lernt gerade mit diesem Kurs." in editor and "1 Platz in kommenden Terminen ist gebucht." in editor
    assert client.post(f"/autoren/{slug}/status", data={"status": "draft"}).status_code == 302

    learner = new_client()
    login(person, via=learner)
    dashboard = learner.get("/lernen/").text
    assert "vorübergehend nicht zugänglich" in dashboard and "Weiter mit" not in dashboard
    assert f'href="/kurse/{slug}"' not in dashboard  # no link that leads to "not found"
    assert f"/kurse/{slug}/module/" not in learner.get("/").text  # nor a "continue learning" card
    assert learner.get(f"/termine/{session.id}").status_code == 200  # the booked session, to see and to cancel
    learner.post(f"/termine/{session.id}/buchung/stornieren", data={})
    assert bookings_of(session)[0].status == "cancelled"
    assert learner.get(f"/termine/{session.id}").status_code == 404


def test_the_trainer_is_not_offered_a_seat_in_the_session_they_lead(client, login, make_session, trainer):
    session = make_session()
    login(trainer)
    page = client.get(f"/termine/{session.id}").text
    assert "Sie leiten diesen Termin." in page and "Platz buchen" not in page


def test_planning_warns_of_a_past_booking_deadline_fewer_seats_than_given_and_a_trainer_twice(
        client, login, make_user, make_session, trainer, workshop_module):
    booked = make_session(capacity=2, booked=[make_user(), make_user()])  # 10:00–13:00 in 14 days
    login(trainer)
    form = {"day": in_days(14).isoformat(), "start_time": "11:00", "end_time": "12:00", "format": "in-person",
            "place": "Halle 4", "capacity": "8", "booking_hours_before": str(24 * 30),
            "cancellation_hours_before": "24", "every_weeks": "0", "trainers": [str(trainer.id)]}
    page = client.post(f"/termine/modul/{workshop_module.id}/neu", data=form, follow_redirects=True).text
    assert "Der Anmeldeschluss ist schon vorbei" in page
    assert "Trainerin Tina leitet zur selben Zeit schon „Praxistag am Hochvolt-Schulungsfahrzeug“" in page

    edit = {**form, "start_time": "10:00", "end_time": "13:00", "capacity": "1", "booking_hours_before": "0"}
    page = client.post(f"/termine/{booked.id}/bearbeiten", data=edit, follow_redirects=True).text
    assert "2 Plätze sind vergeben, der Termin hat jetzt 1. Niemand verliert seinen Platz" in page


def test_only_the_administration_gets_personnel_numbers_in_the_participant_list(client, login, make_user,
                                                                                make_session, trainer, new_client):
    person = make_user(name="Anna Arndt")
    person.personnel_number = "4711"
    session = make_session(capacity=2, booked=[person])
    login(trainer)
    assert "4711" not in client.get(f"/termine/{session.id}/teilnehmende.csv").data.decode("utf-8-sig")
    admin = new_client()
    login(make_user(Role.ADMIN), via=admin)
    listed = admin.get(f"/termine/{session.id}/teilnehmende.csv").data.decode("utf-8-sig")
    assert "Personalnummer" in listed and "4711" in listed


def test_a_seat_at_an_exchange_session_leads_to_its_space_where_people_agree_to_be_named(
        client, new_client, login, make_user, exchange_module, space_moderator):
    plan = schedule.SessionPlan(start_time=time(16), end_time=time(17), capacity=1, trainers=[space_moderator])
    (session,) = schedule.create_sessions(exchange_module, plan, [in_days(10)], by=space_moderator, now=utcnow())
    db.session.commit()
    seated, waiting = make_user(), make_user()
    waiting_client = new_client()
    for person, via in ((seated, client), (waiting, waiting_client)):
        login(person, via=via)
        via.post(f"/termine/{session.id}/buchung", data={})
    link = f'href="/austausch/modul/{exchange_module.id}#termine"'

    page = client.get(f"/termine/{session.id}").text
    assert link in page and "dort können Sie auch zustimmen, im Protokoll genannt zu werden" in page
    space = client.get(f"/austausch/modul/{exchange_module.id}", follow_redirects=True).text
    assert f'action="/austausch/termin/{session.id}/nennung"' in space  # where the link leads: the consent
    assert link not in waiting_client.get(f"/termine/{session.id}").text  # on the waitlist: nothing to agree to
