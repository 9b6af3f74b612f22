"""An erased account gives up its places: the waitlist moves up, and lists keep no address of the stand-in."""

import csv
import io

from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.privacy.services import erase_account
from tests.workshops.conftest import bookings_of, outbox


def test_a_seat_of_an_erased_account_goes_to_the_next_on_the_waitlist(client, login, make_user, make_session,
                                                                      trainer):
    leaving, waiting = make_user(), make_user(email="wartend@example.org")
    session = make_session(capacity=1, booked=[leaving, waiting])
    erase_account(leaving, keep_posts=False, now=utcnow())
    db.session.commit()

    assert [(b.status, b.user_id == waiting.id) for b in bookings_of(session)
            if b.status in ("confirmed", "waitlisted")] == [("confirmed", True)]
    assert outbox("wartend@example.org", "Ein Platz ist frei geworden")
    login(trainer)
    rows = list(csv.reader(io.StringIO(client.get(f"/termine/{session.id}/teilnehmende.csv").data
                                       .decode("utf-8-sig")), delimiter=";"))
    stand_in = [row for row in rows if row[0] == "ehemaliges Mitglied"]
    assert stand_in and stand_in[0][1] == ""  # no made-up address in the list
