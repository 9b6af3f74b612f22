"""What a moderator is told on the way: that a change of published minutes waits for approval while the space goes on
showing the published version, who reads a reason asked for again and the way back to where the decision was made,
and the way from an exchange session's page to its minutes."""

from datetime import time, timedelta

import pytest

from qualify.core.time import utcnow
from qualify.exchange import minutes, posting
from qualify.extensions import db
from qualify.workshops import schedule
from qualify.workshops import services as workshops

FIELDS = {"topics": "Einführung des MES", "outcomes": "Schulung vor dem Start gewünscht",
          "open_questions": "", "next_steps": ""}
STAYS_VISIBLE = ("Eine gespeicherte Änderung wartet auf Freigabe; bis dahin sehen die Teilnehmenden im Raum weiter "
                 "die veröffentlichte Fassung.")
CHANGE_SAVED = ("Änderung gespeichert. Bis sie freigegeben ist, sehen die Teilnehmenden im Raum weiter die "
                "veröffentlichte Fassung.")


@pytest.fixture
def session(exchange_module, space, moderator, reader):
    """An exchange session in a week, led by the moderator, with the reader booked."""
    plan = schedule.SessionPlan(start_time=time(14), end_time=time(15), capacity=10, trainers=[moderator])
    (session,) = schedule.create_sessions(exchange_module, plan, [(utcnow() + timedelta(days=7)).date()],
                                          by=moderator, now=utcnow())
    workshops.book(session, reader, now=utcnow())
    db.session.commit()
    return session


@pytest.fixture
def published(session, space, moderator):
    record = minutes.save_minutes(session, space, FIELDS, [], by=moderator, now=utcnow())
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    db.session.commit()
    return record


def test_the_form_of_published_minutes_says_a_change_waits_while_the_published_version_stays_visible(
        session, published, moderator, client_for):
    page = client_for(moderator).get(f"/austausch/termin/{session.id}/protokoll").text
    assert f"Das Protokoll ist veröffentlicht. {STAYS_VISIBLE}" in page
    assert 'aria-describedby="aenderung-wartet"' in page  # read out with the button


def test_a_draft_is_not_told_it_would_leave_the_space(session, space, moderator, client_for):
    minutes.save_minutes(session, space, FIELDS, [], by=moderator, now=utcnow())
    db.session.commit()
    mod = client_for(moderator)
    assert STAYS_VISIBLE not in mod.get(f"/austausch/termin/{session.id}/protokoll").text
    saved = mod.post(f"/austausch/termin/{session.id}/protokoll", data={**FIELDS, "topics": "Anderes"},
                     follow_redirects=True).text
    assert "Entwurf gespeichert. Nach der Freigabe sehen ihn alle im Raum." in saved and CHANGE_SAVED not in saved


def test_saving_a_change_to_published_minutes_says_the_published_version_stays_in_the_space(
        session, space, published, moderator, reader, client_for):
    response = client_for(moderator).post(f"/austausch/termin/{session.id}/protokoll",
                                          data={**FIELDS, "next_steps": "Treffen im Januar"}, follow_redirects=True)

    assert f'<p class="flash flash-message">{CHANGE_SAVED}</p>' in response.text
    page = client_for(reader).get(f"/austausch/raum/{space.id}").text
    assert "Schulung vor dem Start" in page and "Treffen im Januar" not in page


@pytest.fixture
def waiting(space, author):
    thread = posting.start_thread(space, author, "Pausen", "Seit dem MES sind die Pausen kürzer.", anonymous=True,
                                  now=utcnow())
    db.session.commit()
    return thread.posts[0]


def test_a_reason_asked_again_says_who_reads_it_and_leads_back_to_the_queue(waiting, moderator, client_for):
    response = client_for(moderator).post(f"/austausch/beitrag/{waiting.id}/ablehnen",
                                          data={"reason": " ", "next": "/austausch/moderation"})

    assert response.status_code == 400
    page = response.text
    assert "Bitte nennen Sie einen Grund." in page
    assert "(geht per E-Mail an die schreibende Person)" in page
    assert '<button type="submit" class="button danger">Ablehnen</button>' in page
    assert '<a class="button" href="/austausch/moderation">Abbrechen</a>' in page


def test_a_reason_asked_again_from_the_thread_leads_back_to_the_post(waiting, moderator, client_for):
    page = client_for(moderator).post(f"/austausch/beitrag/{waiting.id}/ablehnen", data={"reason": ""}).text
    assert (f'<a class="button" href="/austausch/faden/{waiting.thread_id}#beitrag-{waiting.id}">Abbrechen</a>'
            in page)


def test_a_restore_asked_again_keeps_its_plain_button(waiting, space, moderator, client_for):
    from qualify.exchange import moderation

    moderation.approve(waiting, by=moderator, now=utcnow(), seen=moderation.seen_version(waiting))
    moderation.hide(waiting, "Name genannt", by=moderator, now=utcnow())
    db.session.commit()
    page = client_for(moderator).post(f"/austausch/beitrag/{waiting.id}/wiederherstellen",
                                      data={"reason": "x" * 5000}).text
    assert '<button type="submit" class="button">Wiederherstellen</button>' in page
    assert "freiwillig, steht im Protokoll des Raums" in page


def test_the_page_of_an_exchange_session_leads_its_moderator_to_the_minutes(session, moderator, reader, client_for):
    link = f'href="/austausch/termin/{session.id}/protokoll"'
    assert link in client_for(moderator).get(f"/termine/{session.id}").text
    assert link not in client_for(reader).get(f"/termine/{session.id}").text
