"""Finding dates and seeing one's own: the list reached from "Meine Termine", the marks of what the person booked,
a filter without a match, and the calendar offered once a seat is held."""

import re

import pytest

from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.workshops import services
from tests.workshops.conftest import bookings_of, in_days

COURSE_SESSIONS = "/termine/kurs/hochvolt-sicherheit"
MODULE_PAGE = "/kurse/hochvolt-sicherheit/module/praxistag-hv-schulungsfahrzeug"
LISTS = ("/termine/", COURSE_SESSIONS, MODULE_PAGE)
MY_LIST = "/termine/meine"  # says the same of a booking in the same words
MARKS = ("Sie haben einen Platz", "Auf der Warteliste", "Anfrage gestellt")


def marks_in(page: str) -> list[str]:
    """The texts of the own-booking marks on a page."""
    return [re.sub(r"\s+", " ", text).strip()
            for text in re.findall(r'<strong class="own-booking[^"]*">(.*?)</strong>', page, re.S)]


# ---------------------------------------------------------------- the list, from "Meine Termine"

@pytest.mark.parametrize("has_bookings", [False, True])
def test_my_sessions_always_link_to_all_dates(client, login, make_user, make_session, has_bookings):
    person = make_user()
    make_session(booked=[person] if has_bookings else [])
    login(person)
    page = client.get("/termine/meine").text
    assert re.search(r'<nav class="sub-nav" aria-label="Termine">.*?<a href="/termine/">Alle Termine</a>', page, re.S)
    assert '<a href="/termine/meine" aria-current="page">Meine Termine</a>' in page


def test_the_list_of_all_dates_is_marked_as_the_current_one_and_leads_back(client, login, make_user, make_session):
    make_session()
    login(make_user())
    page = client.get("/termine/").text
    assert '<a href="/termine/" aria-current="page">Alle Termine</a>' in page
    assert '<a href="/termine/meine">Meine Termine</a>' in page


# ---------------------------------------------------------------- marks of one's own bookings

@pytest.mark.parametrize("url", [*LISTS, MY_LIST])
def test_a_seat_is_marked_on_every_list(client, login, make_user, make_session, url):
    person = make_user()
    make_session(booked=[person])
    make_session(day=in_days(21))  # another date, not booked: no mark
    login(person)
    assert marks_in(client.get(url).text) == ["Sie haben einen Platz"]


@pytest.mark.parametrize("url", [*LISTS, MY_LIST])
def test_a_waitlist_place_is_marked_with_its_number(client, login, make_user, make_session, url):
    person = make_user()
    session = make_session(capacity=1, booked=[make_user(), make_user()])
    services.book(session, person, now=utcnow())
    db.session.commit()
    login(person)
    assert marks_in(client.get(url).text) == ["Auf der Warteliste – Platz 2"]


@pytest.mark.parametrize("url", [*LISTS, MY_LIST])
def test_a_request_is_marked(client, login, make_user, make_session, url):
    person = make_user()
    make_session(approval_required=True, booked=[person])
    login(person)
    assert marks_in(client.get(url).text) == ["Anfrage gestellt"]


def test_a_cancelled_booking_and_other_peoples_bookings_are_not_marked(client, login, make_user, make_session):
    person = make_user()
    given_up = make_session(booked=[person])
    services.cancel(bookings_of(given_up)[0], now=utcnow())
    db.session.commit()
    make_session(day=in_days(21), booked=[make_user()])  # someone else's seat
    make_session(day=in_days(28), capacity=1, booked=[make_user(), make_user()])  # someone else waiting
    login(person)
    for url in LISTS:
        page = client.get(url).text
        assert marks_in(page) == [], url
        assert not any(mark in page for mark in MARKS), url


def test_a_declined_request_is_not_marked(client, login, make_user, make_session, trainer):
    person = make_user()
    session = make_session(approval_required=True, booked=[person])
    services.decline(bookings_of(session)[0], by=trainer, now=utcnow())
    db.session.commit()
    login(person)
    assert marks_in(client.get("/termine/").text) == []


# ---------------------------------------------------------------- a filter without a match

def test_a_filter_without_a_match_says_so_and_offers_to_reset_it(client, login, make_user, make_session):
    make_session(place="Werk Nord")
    login(make_user())
    page = client.get("/termine/?ort=Mond").text
    assert "0 Termine" in page
    assert "Kein Termin passt zu den gewählten Filtern." in page
    assert '<a href="/termine/">Filter zurücksetzen und alle Termine zeigen</a>' in page
    assert "Zurzeit sind keine Termine geplant." not in page
    reset = client.get("/termine/").text
    assert "Werk Nord" in reset and "Kein Termin passt" not in reset


def test_a_date_range_without_a_match_is_a_filter_too(client, login, make_user, make_session):
    make_session()
    login(make_user())
    far = in_days(400).isoformat()
    page = client.get(f"/termine/?von={far}").text
    assert "Kein Termin passt zu den gewählten Filtern." in page


def test_an_empty_list_without_filters_says_nothing_is_planned(client, login, make_user, workshop_module):
    login(make_user())
    page = client.get("/termine/").text
    assert "Zurzeit sind keine Termine geplant." in page
    assert "Kein Termin passt" not in page and "Filter zurücksetzen" not in page
    # An unknown format is not a filter (it is ignored), so nothing was narrowed.
    assert "Zurzeit sind keine Termine geplant." in client.get("/termine/?format=zeppelin").text


# ---------------------------------------------------------------- the calendar file, once a seat is held

CALENDAR_LINK = "In meinen Kalender eintragen"


def calendar_link_on(client, session) -> bool:
    page = client.get(f"/termine/{session.id}").text
    offered = f'href="/termine/{session.id}/termin.ics"' in page
    assert offered == (CALENDAR_LINK in page)
    assert "In den Kalender (.ics)" not in page  # the old label, which meant nothing to most people
    return offered


def test_the_calendar_file_is_offered_only_with_a_seat(client, login, make_user, make_session):
    person = make_user()
    session = make_session(capacity=1)
    login(person)
    assert not calendar_link_on(client, session)  # before booking
    client.post(f"/termine/{session.id}/buchung", data={})
    assert calendar_link_on(client, session)
    page = client.get(f"/termine/{session.id}").text
    # Plain words for everyone; the file it downloads is said to screen readers.
    assert re.search(r'type="text/calendar">In meinen Kalender eintragen<span class="visually-hidden">'
                     r" – lädt eine Kalenderdatei \(\.ics\)</span></a>", page)


@pytest.mark.parametrize("approval_required", [False, True])
def test_no_calendar_file_while_waiting_or_asking(client, login, make_user, make_session, approval_required):
    person = make_user()
    session = make_session(capacity=1, approval_required=approval_required, booked=[make_user()])
    services.book(session, person, now=utcnow())
    db.session.commit()
    assert bookings_of(session)[-1].status == ("pending" if approval_required else "waitlisted")
    login(person)
    assert not calendar_link_on(client, session)


def test_no_calendar_file_after_giving_up_the_seat_or_for_a_cancelled_session(client, login, make_user,
                                                                              make_session, trainer):
    person = make_user()
    session = make_session(booked=[person])
    login(person)
    assert calendar_link_on(client, session)
    client.post(f"/termine/{session.id}/buchung/stornieren", data={})
    assert not calendar_link_on(client, session)
    other = make_user()
    cancelled = make_session(day=in_days(21), booked=[other])
    cancelled.status = "cancelled"
    db.session.commit()
    login(other)
    assert not calendar_link_on(client, cancelled)


def test_the_trainer_leading_the_session_gets_the_calendar_file(client, login, make_session, trainer):
    session = make_session()
    login(trainer)
    assert calendar_link_on(client, session)


# ---------------------------------------------------------------- the calendar subscription

def test_the_subscription_is_offered_by_webcal_and_as_an_address_to_copy_with_the_way_into_google(client, login,
                                                                                                  make_user):
    login(make_user())
    page = client.post("/termine/kalender/abo", data={}, follow_redirects=True).text
    url = re.search(r'id="feed-url" value="(http[^"]+\.ics)"', page).group(1)
    assert f'href="webcal://{url.split("://", 1)[1]}"' in page
    assert "Im Kalender abonnieren (iPhone, iPad, Mac, Outlook)" in page
    assert "Im Kalender dieses Geräts abonnieren" not in page  # Android has no app for webcal
    assert 'data-copy="feed-url"' in page  # copy.js copies the https address
    assert 'aria-describedby="feed-google"' in page
    assert "„Weitere Kalender“ → „Per URL“" in page
    # Shown once: the address is not on "Meine Termine", where the subscription is only managed.
    assert url not in client.get("/termine/meine").text


def test_the_place_filter_ignores_case_also_of_umlauts(client, login, make_user, make_session):
    make_session(place="Raum Über der Kantine")
    login(make_user())
    assert "Raum Über der Kantine" in client.get("/termine/?ort=raum über").text


def test_dates_typed_the_wrong_way_round_mean_the_days_between(client, login, make_user, make_session):
    make_session(place="Halle 7")  # in 14 days
    login(make_user())
    page = client.get(f"/termine/?von={in_days(20).isoformat()}&bis={in_days(10).isoformat()}").text
    assert "Halle 7" in page and "Kein Termin passt" not in page
