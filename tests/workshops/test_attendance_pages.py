"""After the session: the attendance list on a phone and for screen readers, what a learner sees once marked,
booking again after a lapsed waitlist place, past sessions a trainer led, declining a request asked once more, and
people who came without a seat.
"""

import csv
import html
import io
import re
from datetime import timedelta

from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.learning.models import ModuleCompletion
from qualify.workshops import services
from qualify.workshops.attendance import mark_attendance
from qualify.workshops.models import WorkshopSession
from tests.workshops.conftest import bookings_of, in_days, outbox, statuses
from tests.workshops.test_budgets import statements_for

BUTTON = re.compile(r"<button\b[^>]*>(.*?)</button>", re.S)


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def button_names(page: str) -> list[str]:
    """What a screen reader reads for each button of the page's content (not the header's): its visible and
    visually hidden text (signs are aria-hidden)."""
    page = page.split('<main', 1)[-1]
    page = re.sub(r'<span[^>]*aria-hidden="true"[^>]*>.*?</span>', "", page, flags=re.S)
    return [text_of(inner) for inner in BUTTON.findall(page)]


def moved(session: WorkshopSession, *, starts_in: timedelta) -> WorkshopSession:
    """Move the session (three hours long) so that it starts `starts_in` from now (negative: in the past)."""
    session = db.session.get(WorkshopSession, session.id)
    session.starts_at = utcnow() + starts_in
    session.ends_at = session.starts_at + timedelta(hours=3)
    db.session.commit()
    return session


def marked(session: WorkshopSession, by, *values: str) -> None:
    for booking, value in zip(bookings_of(session), values, strict=False):
        mark_attendance(booking, value, by=by, now=utcnow())
    db.session.commit()


# --- the attendance list ----------------------------------------------------------------------------------

def test_every_attendance_button_names_its_person(client, login, make_user, make_session, trainer):
    session = moved(make_session(booked=[make_user(name="Anna Auer"), make_user(name="Ben Berg")]),
                    starts_in=timedelta(minutes=30))
    login(trainer)

    page = client.get(f"/termine/{session.id}/anwesenheit").text
    main = page[page.index('<main'):page.index('</main>')]  # not the language switch at the foot
    # Not the buttons that enter someone without a seat, or all still open in one go (test_rest_present).
    names = [name for name in button_names(main)
             if name not in ("Als anwesend eintragen", "Ja, alle 2 als anwesend eintragen", "Nein")]

    assert names == ["anwesend – Anna Auer", "entschuldigt – Anna Auer", "abwesend – Anna Auer",
                     "anwesend – Ben Berg", "entschuldigt – Ben Berg", "abwesend – Ben Berg"]


def test_the_attendance_list_shows_each_mark_and_counts_them(client, login, make_user, make_session, trainer):
    people = [make_user(name=name) for name in ("Anna Auer", "Ben Berg", "Cem Celik", "Dora Dietz")]
    session = moved(make_session(booked=people), starts_in=timedelta(minutes=-30))
    marked(session, trainer, "present", "absent")
    login(trainer)
    booking = bookings_of(session)[2]

    page = client.post(f"/termine/{session.id}/anwesenheit", data={"booking_id": booking.id, "value": "present"},
                       follow_redirects=True).text  # a plain form: no script needed

    counts = text_of(re.search(r'<ul class="attendance-counts"[^>]*>(.*?)</ul>', page, re.S).group(1))
    assert counts == "2 anwesend 1 abwesend 0 entschuldigt 1 offen"
    person = re.search(rf'<li id="b{booking.id}"[^>]*>(.*?)</li>', page, re.S).group(1)
    assert 'class="attendance-mark attendance-present"' in person
    assert re.search(r'value="present" class="button attendance-present" aria-pressed="true"', person)
    assert person.count('aria-pressed="false"') == 2
    assert 'class="attendance-mark attendance-open"' in page  # Dora Dietz: not marked yet


def test_before_the_hour_the_attendance_buttons_are_off(client, login, make_user, make_session, trainer):
    session = make_session(booked=[make_user(), make_user()])
    login(trainer)
    page = client.get(f"/termine/{session.id}/anwesenheit").text
    assert page.count(" disabled>") == 7 and "Die Anwesenheit kann ab" in page  # 3 per person, 1 to enter one


# --- the learner's session page once attendance is taken ---------------------------------------------------

def test_a_learner_marked_absent_sees_so_and_is_offered_no_cancellation(client, login, make_user, make_session,
                                                                     trainer):
    person = make_user()
    session = moved(make_session(booked=[person], cancellation_hours_before=0), starts_in=timedelta(minutes=30))
    login(person)
    assert "Teilnahme absagen …" in client.get(f"/termine/{session.id}").text  # before: still possible
    marked(session, trainer, "absent")

    page = client.get(f"/termine/{session.id}").text

    assert "Als abwesend eingetragen" in page
    assert "Platz bestätigt" not in page and "Teilnahme absagen" not in page
    assert "Als abwesend eingetragen" in client.get("/termine/meine").text


def test_a_learner_marked_present_or_excused_sees_it_on_the_session_page(client, new_client, login, make_user,
                                                                        make_session, trainer):
    present, excused = make_user(), make_user()
    session = moved(make_session(booked=[present, excused]), starts_in=timedelta(minutes=-10))
    marked(session, trainer, "present", "excused")
    login(present)
    assert "Als anwesend eingetragen" in client.get(f"/termine/{session.id}").text
    other = new_client()
    login(excused, via=other)
    assert "Als entschuldigt eingetragen" in other.get(f"/termine/{session.id}").text


# --- booking again after a waitlist place lapsed -------------------------------------------------------------

def reopened(session: WorkshopSession) -> WorkshopSession:
    """Bookings closed at the deadline, then the trainer moved the deadline later and a seat came free."""
    session = db.session.get(WorkshopSession, session.id)
    services.close_bookings(session, now=utcnow())
    db.session.commit()
    session.bookings_closed_at = None
    session.booking_deadline_at = session.starts_at - timedelta(hours=1)
    seated = next(b for b in session.bookings if b.status == "confirmed")
    seated.status = "cancelled"
    db.session.commit()
    return session


def test_a_person_whose_waitlist_place_lapsed_can_book_again_once_bookings_reopen(client, login, make_user,
                                                                                 make_session):
    waiting = make_user()
    session = make_session(capacity=1, booked=[make_user(), waiting])
    login(waiting)
    services.close_bookings(db.session.get(WorkshopSession, session.id), now=utcnow())
    db.session.commit()
    closed = client.get(f"/termine/{session.id}").text
    assert "kein Platz frei geworden" in closed and "Platz buchen" not in closed  # nothing to book while closed

    reopened(session)
    page = client.get(f"/termine/{session.id}").text
    assert "Die Anmeldung ist wieder offen" in page and "Platz buchen" in page

    page = client.post(f"/termine/{session.id}/buchung", data={}, follow_redirects=True).text
    assert "Ihr Platz ist bestätigt" in page
    assert statuses(session) == {"confirmed": 1, "cancelled": 1}


def test_a_request_declined_by_the_trainer_is_not_offered_again(client, login, make_user, make_session, trainer):
    person = make_user()
    session = make_session(approval_required=True, booked=[person])
    services.decline(bookings_of(session)[0], by=trainer, now=utcnow())
    db.session.commit()
    login(person)

    page = client.get(f"/termine/{session.id}").text

    assert "Die Leitung hat Ihre Anfrage für diesen Termin abgelehnt" in page
    assert "Anmeldung anfragen" not in page
    refused = client.post(f"/termine/{session.id}/buchung", data={}, follow_redirects=True).text
    assert "Ihre Anfrage für diesen Termin wurde abgelehnt." in refused
    assert bookings_of(session)[0].status == "declined"


# --- past sessions the trainer led ----------------------------------------------------------------------------

def test_sessions_led_in_the_last_30_days_stay_reachable_for_attendance(client, login, make_user, make_session,
                                                                        trainer):
    tomorrow = make_session(day=in_days(1))
    yesterday = moved(make_session(booked=[make_user()]), starts_in=timedelta(hours=-6))
    last_week = moved(make_session(booked=[make_user(), make_user()]), starts_in=timedelta(days=-7))
    marked(last_week, trainer, "present")
    long_ago = moved(make_session(), starts_in=timedelta(days=-40))
    called_off = moved(make_session(), starts_in=timedelta(days=-3))
    called_off.status = "cancelled"
    db.session.commit()
    login(trainer)

    page = client.get("/termine/meine").text

    current, past = page.split("Vergangene Termine (30 Tage)")
    assert f"/termine/{tomorrow.id}/teilnehmende" in current and f"/termine/{yesterday.id}/teilnehmende" in current
    assert '<details class="past-sessions">' in current  # collapsed
    assert f"/termine/{last_week.id}/anwesenheit" in past and "1 Person ohne Eintrag" in past
    for gone in (long_ago, called_off, yesterday):
        assert f"/termine/{gone.id}/" not in past
    assert client.get(f"/termine/{last_week.id}/anwesenheit").status_code == 200


def test_a_learner_sees_no_past_sessions_section(client, login, make_user):
    login(make_user())
    assert "Vergangene Termine" not in client.get("/termine/meine").text


# --- declining a request --------------------------------------------------------------------------------------

def test_declining_a_request_is_asked_once_more_and_names_the_person(client, login, make_user, make_session,
                                                                    trainer):
    person = make_user(name="Anna Anfrage")
    session = make_session(approval_required=True, booked=[person])
    login(trainer)
    booking = bookings_of(session)[0]

    page = client.get(f"/termine/{session.id}/teilnehmende").text

    asked = re.search(r'<details class="decision">(.*?)</details>', page, re.S).group(1)
    assert text_of(re.search(r"<summary[^>]*>(.*?)</summary>", asked, re.S).group(1)) == "Ablehnen … – Anna Anfrage"
    assert f'action="/termine/buchungen/{booking.id}/ablehnen"' in asked and "Ja, Anfrage ablehnen" in asked
    assert "Freigeben – Anna Anfrage" in button_names(page)
    assert 'class="table-scroll"' not in page and 'class="stacks-on-phone"' in page  # no sideways scrolling

    mails = len(outbox(person.email))
    page = client.post(f"/termine/buchungen/{booking.id}/ablehnen", data={}, follow_redirects=True).text
    assert "Abgelehnt: Anna Anfrage" in page and bookings_of(session)[0].status == "declined"
    assert len(outbox(person.email)) == mails + 1  # told at once: why it is asked once more


def test_declining_a_request_someone_approved_a_moment_ago_declines_nothing(client, login, make_user,
                                                                           make_session, trainer):
    person = make_user(name="Anna Anfrage")
    session = make_session(approval_required=True, booked=[person])
    booking = bookings_of(session)[0]
    services.approve(booking, by=trainer, now=utcnow())  # a co-trainer, in another tab
    db.session.commit()
    login(trainer)

    page = client.post(f"/termine/buchungen/{booking.id}/ablehnen", data={}, follow_redirects=True).text

    assert "Die Anfrage von Anna Anfrage war schon entschieden: Platz bestätigt." in page
    assert "Abgelehnt:" not in page and bookings_of(session)[0].status == "confirmed"


def test_my_sessions_page_costs_the_same_with_1_and_20_past_sessions_led(new_client, login, make_user, make_session,
                                                                         trainer, count_statements):
    def led(count: int):
        for n in range(count):
            moved(make_session(booked=[make_user()]), starts_in=timedelta(days=-2 - n))
        make_session(day=in_days(2))

    other_trainer = make_user(Role.TRAINER)
    few_client, many_client = new_client(), new_client()
    led(1)
    login(trainer, via=few_client)
    few, _ = statements_for(few_client, count_statements, "GET", "/termine/meine")
    for n in range(20):
        moved(make_session(booked=[make_user()], trainers=[other_trainer]), starts_in=timedelta(days=-2 - n))
    login(other_trainer, via=many_client)
    many, statements = statements_for(many_client, count_statements, "GET", "/termine/meine")
    assert "Vergangene Termine (30 Tage)" in many_client.get("/termine/meine").text
    assert many == few, statements
    # the person with roles, their bookings, the sessions they led with their modules, versions, courses, trainers
    # and the trainers' roles, the unmarked seats of the past ones, the calendar subscription
    assert many <= 10, statements


# --- people who came without a seat ------------------------------------------------------------------------------

def completed(person, session) -> bool:
    return db.session.scalar(db.select(ModuleCompletion).where(
        ModuleCompletion.user_id == person.id, ModuleCompletion.module_id == session.module_id)) is not None


def test_someone_who_came_without_a_booking_is_entered_as_present_beyond_the_capacity(
        client, login, make_user, make_session, trainer):
    session = moved(make_session(capacity=1, booked=[make_user(name="Anna Auer")]), starts_in=timedelta(minutes=-20))
    came = make_user(name="Wanda Walk-in", email="wanda@example.org")
    login(trainer)

    page = client.post(f"/termine/{session.id}/anwesenheit/ohne-platz", data={"email": " Wanda@Example.org "},
                       follow_redirects=True).text

    assert "Wanda Walk-in ist als anwesend eingetragen." in page
    assert [(b.user.display_name, b.status, b.attendance) for b in bookings_of(session)] == [
        ("Anna Auer", "confirmed", None), ("Wanda Walk-in", "confirmed", "present")]
    assert completed(came, session)
    logged = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "workshops.walk_in"))
    assert (logged.target_type, logged.target_id, logged.details["booked_before"]) == ("User", came.id, "none")
    assert outbox(came.email) == []  # no booking mail for a seat taken in the room


def test_a_waitlisted_person_who_came_is_given_the_seat_and_entered_as_present(
        client, login, make_user, make_session, trainer):
    waiting = make_user(email="wartet@example.org")
    session = moved(make_session(capacity=1, booked=[make_user(), waiting]), starts_in=timedelta(minutes=-5))
    login(trainer)
    client.post(f"/termine/{session.id}/anwesenheit/ohne-platz", data={"email": "wartet@example.org"})
    assert [(b.status, b.attendance) for b in bookings_of(session)] == [("confirmed", None), ("confirmed", "present")]


def test_the_participant_list_names_those_who_came_without_a_seat(client, login, make_user, make_session, trainer):
    waiting = make_user(name="Willi Wartend", email="willi@example.org")
    session = moved(make_session(capacity=1, booked=[make_user(name="Anna Auer"), waiting]),
                    starts_in=timedelta(minutes=-20))
    make_user(name="Wanda Walk-in", email="wanda@example.org")
    login(trainer)
    for address in ("wanda@example.org", "willi@example.org"):
        client.post(f"/termine/{session.id}/anwesenheit/ohne-platz", data={"email": address})

    rows = list(csv.reader(io.StringIO(client.get(f"/termine/{session.id}/teilnehmende.csv").data
                                       .decode("utf-8-sig")), delimiter=";"))
    shown = {row[0]: (row[2], row[4], row[5] != "") for row in rows[1:]}  # status, attendance, a booking date
    assert shown == {"Anna Auer": ("Platz bestätigt", "", True),
                     # entered in the room: no booking, so no booking date (the row's date is when she was entered)
                     "Wanda Walk-in": ("ohne Platz gekommen", "anwesend", False),
                     # waited for a seat that did not come: booked, and came without the seat
                     "Willi Wartend": ("ohne Platz gekommen", "anwesend", True)}


def test_an_address_without_an_account_is_said_and_stays_in_the_field(client, login, make_user, make_session, trainer):
    session = moved(make_session(booked=[make_user()]), starts_in=timedelta(minutes=-5))
    make_user(email="ehemalig@example.org", active=False)
    login(trainer)
    for typed in ("niemand@example.org", "ehemalig@example.org"):
        page = client.post(f"/termine/{session.id}/anwesenheit/ohne-platz", data={"email": typed}).text
        assert "Unter dieser Adresse gibt es kein aktives Konto" in page
        assert f'value="{typed}"' in page
    assert len(bookings_of(session)) == 1


def test_entering_someone_twice_keeps_one_seat(client, login, make_user, make_session, trainer):
    session = moved(make_session(), starts_in=timedelta(minutes=-5))
    make_user(name="Doppel Klick", email="doppel@example.org")
    login(trainer)
    url = f"/termine/{session.id}/anwesenheit/ohne-platz"
    client.post(url, data={"email": "doppel@example.org"})
    page = client.post(url, data={"email": "doppel@example.org"}).text
    assert "Doppel Klick steht schon auf der Liste." in page
    assert statuses(session) == {"confirmed": 1}


def test_only_the_sessions_own_trainers_enter_people_and_not_before_the_hour(
        client, new_client, login, make_user, make_session, trainer):
    session = make_session()  # in two weeks
    make_user(email="frueh@example.org")
    login(trainer)
    page = client.post(f"/termine/{session.id}/anwesenheit/ohne-platz", data={"email": "frueh@example.org"}).text
    assert "erst ab einer Stunde vor Beginn" in page
    other_trainer, learner = make_user(Role.TRAINER), make_user()
    moved(session, starts_in=timedelta(minutes=-5))
    for person in (other_trainer, learner):
        other = new_client()
        login(person, via=other)
        assert other.post(f"/termine/{session.id}/anwesenheit/ohne-platz",
                          data={"email": "frueh@example.org"}).status_code in (403, 404)
    assert bookings_of(session) == []


def test_after_a_refused_entry_the_marks_still_go_to_the_attendance_list(client, login, make_user, make_session,
                                                                         trainer):
    session = moved(make_session(booked=[make_user(name="Anna Auer")]), starts_in=timedelta(minutes=-5))
    login(trainer)
    page = client.post(f"/termine/{session.id}/anwesenheit/ohne-platz", data={"email": "niemand@example.org"}).text
    # The page now stands at …/ohne-platz: each mark's form says where it goes.
    assert page.count(f'action="/termine/{session.id}/anwesenheit"') == 1
    client.post(f"/termine/{session.id}/anwesenheit", data={"booking_id": bookings_of(session)[0].id,
                                                             "value": "present"})
    assert bookings_of(session)[0].attendance == "present"


def test_a_trainer_of_the_session_is_not_entered_as_a_participant(client, login, make_session, trainer):
    session = moved(make_session(), starts_in=timedelta(minutes=-5))
    login(trainer)
    page = client.post(f"/termine/{session.id}/anwesenheit/ohne-platz", data={"email": trainer.email}).text
    assert "Wer den Termin leitet" in page and bookings_of(session) == []


def test_someone_waiting_for_another_date_is_told_apart_from_someone_booked_there(
        client, login, make_user, make_session, trainer):
    later = make_session(capacity=1, booked=[make_user(), make_user(name="Wera Warte", email="wera@example.org")])
    now_on = moved(make_session(day=in_days(20)), starts_in=timedelta(minutes=-5))
    login(trainer)
    page = client.post(f"/termine/{now_on.id}/anwesenheit/ohne-platz", data={"email": "wera@example.org"},
                       follow_redirects=True).text
    assert "Wera Warte wartet außerdem auf einen Platz" in page and "der Platz dort bleibt" not in page
    assert bookings_of(later)[1].status == "waitlisted"
