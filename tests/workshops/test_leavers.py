"""Someone who leaves: deactivating the account gives their seats to the waitlist, and they are written to no more."""

from qualify.accounts.roles import Role
from qualify.extensions import db
from tests.workshops.conftest import bookings_of, outbox


def test_deactivating_a_person_gives_their_seat_to_the_first_on_the_waitlist(client, login, make_user,
                                                                              make_session):
    leaver, waiting = make_user(name="Lena Geht"), make_user(name="Willi Wartet")
    session = make_session(capacity=1, booked=[leaver, waiting])
    login(make_user(Role.ADMIN))

    page = client.post(f"/verwaltung/personen/{leaver.id}/deaktivieren", data={}, follow_redirects=True).text

    db.session.expire_all()
    assert {b.user_id: b.status for b in bookings_of(session)} == {leaver.id: "cancelled", waiting.id: "confirmed"}
    assert "1 gebuchter Platz wurde freigegeben." in page
    assert outbox(waiting.email, "Ein Platz ist frei geworden")
    assert not outbox(leaver.email, "abgesagt")  # nothing to a deactivated account


def test_erasing_a_person_says_how_many_seats_went_to_the_waitlist(client, login, make_user, make_session):
    leaver, waiting = make_user(name="Lena Geht"), make_user(name="Willi Wartet")
    session = make_session(capacity=1, booked=[leaver, waiting])
    login(make_user(Role.ADMIN))

    page = client.post(f"/verwaltung/personen/{leaver.id}/loeschen",
                       data={"reason": "Austritt", "posts": "delete", "confirm": "y"}, follow_redirects=True).text

    db.session.expire_all()
    assert "1 gebuchter Platz wurde freigegeben." in page
    assert [b.status for b in bookings_of(session) if b.user_id == waiting.id] == ["confirmed"]
