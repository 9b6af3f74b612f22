"""The start page shows a learner's next booked session."""

from qualify.core.time import utcnow
from qualify.extensions import db


def test_the_start_page_shows_the_next_booked_session(client, login, make_user, make_session):
    person = make_user()
    session = make_session(booked=[person])
    login(person)
    page = client.get("/").text
    assert "Ihr nächster Termin" in page and f'href="/termine/{session.id}"' in page


def test_a_cancelled_session_is_not_the_next_one(client, login, make_user, make_session):
    person = make_user()
    session = make_session(booked=[person])
    session.status = "cancelled"
    session.cancelled_at = utcnow()
    db.session.commit()
    login(person)
    assert "Ihr nächster Termin" not in client.get("/").text
