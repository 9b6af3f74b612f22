"""What a moderator is told after a decision, and when planning an exchange session: which post, in plain words,
never in the first person."""

from datetime import timedelta

from qualify.core.time import to_local, utcnow
from qualify.exchange import posting
from qualify.extensions import db
from tests.exchange.conftest import as_seen


def waiting(space, author, title: str):
    thread = posting.start_thread(space, author, title, "Seit dem MES sind die Pausen kürzer.", anonymous=True,
                                  now=utcnow())
    db.session.commit()
    return thread.posts[0]


def test_approving_names_the_conversation_of_the_post(space, moderator, author, client_for):
    post = waiting(space, author, "Pausen & Schichten")
    page = client_for(moderator).post(f"/austausch/beitrag/{post.id}/freigeben", data=as_seen(post),
                                      follow_redirects=True).text
    assert "Beitrag in „Pausen &amp; Schichten“ freigegeben." in page


def test_rejecting_names_the_conversation_and_who_gets_the_reason(space, moderator, author, client_for):
    post = waiting(space, author, "Pausen")
    page = client_for(moderator).post(f"/austausch/beitrag/{post.id}/ablehnen",
                                      data=as_seen(post, reason="Bitte ohne Namen."), follow_redirects=True).text
    assert ("Beitrag in „Pausen“ abgelehnt. Die Begründung geht per E-Mail an die Person, die ihn geschrieben hat."
            in page)


def test_an_exception_date_that_cannot_be_read_is_named_with_the_format_to_use(
        exchange_module, space, moderator, client_for):
    first = to_local(utcnow()).date() + timedelta(days=10)
    page = client_for(moderator).post(f"/termine/modul/{exchange_module.id}/neu", data={
        "day": first.isoformat(), "start_time": "14:00", "end_time": "15:00", "format": "online",
        "online_url": "https://example.org/raum", "capacity": "10", "booking_hours_before": "0",
        "cancellation_hours_before": "24", "trainers": str(moderator.id), "every_weeks": "1",
        "until": (first + timedelta(weeks=3)).isoformat(), "exceptions": "31.02.2027"}).text
    assert '<p class="error" id="exceptions-error">„31.02.2027“ lässt sich nicht als Datum lesen. Bitte im Format ' \
           'TT.MM.JJJJ angeben.</p>' in page
    assert "verstehe ich nicht" not in page
    assert "31.02.2027</textarea>" in page  # kept as typed
