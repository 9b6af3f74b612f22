"""A moderator changes published minutes: the change waits for approval, and meanwhile the space goes on showing the
published version – approved, the change takes its place; rejected, the published version stays. A withdrawn
consent reaches the published version at once."""

from datetime import timedelta

import pytest

from qualify.core.mail import OutboxMessage
from qualify.core.time import utcnow
from qualify.exchange import minutes, minutes_names, minutes_text
from qualify.exchange.models import ExchangeLogEntry, ExchangeMinutes
from qualify.extensions import db
from qualify.privacy.services import erase_account

FIELDS = {"topics": "Einführung des MES", "outcomes": "Schulung vor dem Start gewünscht",
          "open_questions": "Wer wertet die Daten aus?", "next_steps": "Betriebsrat einbeziehen"}
CHANGED = {**FIELDS, "outcomes": "Schulung im Januar vereinbart"}
PUBLISHED_TEXT, CHANGED_TEXT = "Schulung vor dem Start gewünscht", "Schulung im Januar vereinbart"


def agree(session, person, agreed: bool = True) -> None:
    minutes_names.set_consent(session, person, agreed, now=utcnow())
    db.session.commit()


def publish(session, space, moderator, fields=FIELDS, named=()):
    record = minutes.save_minutes(session, space, fields, list(named), by=moderator, now=utcnow())
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    db.session.commit()
    return record


def change(session, space, moderator, fields=CHANGED, named=()):
    record = minutes.save_minutes(session, space, fields, list(named), by=moderator, now=utcnow())
    db.session.commit()
    return record


def fresh(session):
    db.session.expire_all()
    return minutes_text.minutes_of(session)


def space_page(client_for, person, space) -> str:
    return client_for(person).get(f"/austausch/raum/{space.id}").text


def test_while_a_change_waits_the_space_shows_the_published_version_with_its_names(
        session, space, moderator, author, reader, client_for):
    agree(session, reader)
    publish(session, space, moderator, named=[reader.id])

    response = client_for(moderator).post(f"/austausch/termin/{session.id}/protokoll", data=CHANGED,
                                          follow_redirects=True)  # nobody named in the change

    assert ("Änderung gespeichert. Bis sie freigegeben ist, sehen die Teilnehmenden im Raum weiter die "
            "veröffentlichte Fassung.") in response.text
    record = fresh(session)
    assert record.status == "draft" and record.has_waiting_change and record.published_at is not None
    page = space_page(client_for, author, space)
    assert PUBLISHED_TEXT in page and CHANGED_TEXT not in page
    assert f"Dabei waren unter anderem: {reader.display_name}" in page


def test_the_minutes_page_shows_the_waiting_change_beside_the_published_version(
        session, space, moderator, reader, client_for):
    agree(session, reader)
    publish(session, space, moderator, named=[reader.id])
    change(session, space, moderator)

    page = client_for(moderator).get(f"/austausch/termin/{session.id}/protokoll").text

    assert "veröffentlicht – eine Änderung wartet auf Freigabe" in page
    preview, published = page.split("Vorschau")[1].split("Veröffentlichte Fassung")
    assert CHANGED_TEXT in preview and PUBLISHED_TEXT not in preview and reader.display_name not in preview
    assert PUBLISHED_TEXT in published and f"Dabei waren unter anderem: {reader.display_name}" in published
    assert "Freigeben und im Raum veröffentlichen" in page and "Änderung ablehnen" in page
    assert f"{CHANGED_TEXT}</textarea>" in page  # the form goes on with the change


def test_before_saving_a_change_the_page_says_the_published_version_stays_visible(
        session, space, moderator, client_for):
    publish(session, space, moderator)

    page = client_for(moderator).get(f"/austausch/termin/{session.id}/protokoll").text

    assert ("Das Protokoll ist veröffentlicht. Eine gespeicherte Änderung wartet auf Freigabe; bis dahin sehen die "
            "Teilnehmenden im Raum weiter die veröffentlichte Fassung.") in page
    assert 'aria-describedby="aenderung-wartet"' in page
    assert "sehen die Teilnehmenden es nicht mehr im Raum" not in page


def test_approving_the_change_puts_it_in_place_of_the_published_version(
        session, space, moderator, author, reader, client_for):
    agree(session, reader)
    publish(session, space, moderator, named=[reader.id])
    change(session, space, moderator)

    response = client_for(moderator).post(f"/austausch/termin/{session.id}/protokoll/freigeben", data={})

    assert response.status_code == 302
    record = fresh(session)
    assert record.status == "published" and not record.has_waiting_change
    assert record.published_texts["outcomes"] == CHANGED_TEXT and record.published_named_ids == []
    page = space_page(client_for, author, space)
    assert CHANGED_TEXT in page and PUBLISHED_TEXT not in page and "Dabei waren unter anderem" not in page


def test_rejecting_the_change_keeps_the_published_version_and_the_form_returns_to_it(
        session, space, moderator, author, reader, client_for):
    agree(session, reader)
    publish(session, space, moderator, named=[reader.id])
    change(session, space, moderator)
    mod = client_for(moderator)

    response = mod.post(f"/austausch/termin/{session.id}/protokoll/aenderung-ablehnen", data={},
                        follow_redirects=True)

    assert "Die Änderung ist abgelehnt. Im Raum bleibt die veröffentlichte Fassung." in response.text
    assert f"{PUBLISHED_TEXT}</textarea>" in response.text and CHANGED_TEXT not in response.text
    record = fresh(session)
    assert record.status == "published" and record.outcomes == PUBLISHED_TEXT
    assert record.named_user_ids == [reader.id]
    page = space_page(client_for, author, space)
    assert PUBLISHED_TEXT in page and f"Dabei waren unter anderem: {reader.display_name}" in page
    log = mod.get(f"/austausch/raum/{space.id}/protokoll").text
    assert "Änderung abgelehnt" in log and "Protokoll des Termins am" in log

    again = mod.post(f"/austausch/termin/{session.id}/protokoll/aenderung-ablehnen", data={},
                        follow_redirects=True)
    assert "Es wartet keine Änderung des Protokolls mehr." in again.text
    assert len(db.session.scalars(db.select(ExchangeLogEntry).where(
        ExchangeLogEntry.action == "reject_minutes_change")).all()) == 1


def test_a_refused_approval_keeps_the_published_version(session, space, moderator, author, reader, client_for):
    publish(session, space, moderator)
    with pytest.raises(minutes_names.NamesToConfirm) as asked:
        minutes.save_minutes(session, space, {**CHANGED, "topics": "Bruno berichtete"}, [], by=moderator,
                             now=utcnow())
    record = minutes.save_minutes(session, space, {**CHANGED, "topics": "Bruno berichtete"}, [], by=moderator,
                                  now=utcnow(), confirmed=asked.value.confirmation)
    db.session.commit()

    with pytest.raises(minutes_names.NamesToConfirm):  # the approval asks again; not confirmed, nothing changes
        minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    db.session.rollback()

    assert fresh(session).has_waiting_change
    page = space_page(client_for, author, space)
    assert PUBLISHED_TEXT in page and "Bruno berichtete" not in page


def test_saving_the_published_text_again_drops_the_waiting_change(session, space, moderator, author, client_for):
    publish(session, space, moderator)
    change(session, space, moderator)

    response = client_for(moderator).post(f"/austausch/termin/{session.id}/protokoll", data=FIELDS,
                                          follow_redirects=True)

    assert "Keine Änderungen – das Protokoll bleibt veröffentlicht." in response.text
    assert fresh(session).status == "published"


# --- A withdrawn consent reaches the published version at once ---------------------------------------------

def test_who_withdraws_is_no_longer_listed_in_the_published_version_while_a_change_waits(
        session, space, moderator, author, reader, client_for):
    agree(session, reader)
    publish(session, space, moderator, named=[reader.id])
    change(session, space, moderator, named=[reader.id])

    agree(session, reader, False)

    page = space_page(client_for, author, space)
    assert PUBLISHED_TEXT in page and reader.display_name not in page
    assert "Dabei waren unter anderem" not in page


def test_a_published_version_whose_text_names_who_withdraws_leaves_the_space_though_the_change_does_not(
        session, space, moderator, author, reader, client_for):
    agree(session, reader)
    publish(session, space, moderator, {**FIELDS, "topics": f"Bericht von {reader.display_name}"}, [reader.id])
    change(session, space, moderator, CHANGED, [reader.id])  # the change no longer names them in its text

    agree(session, reader, False)

    record = fresh(session)
    assert not record.is_shown and record.status == "draft" and record.published_at is None
    assert record.outcomes == CHANGED_TEXT  # the moderators' change is kept, to approve
    page = space_page(client_for, author, space)
    assert reader.display_name not in page and "Bericht von" not in page and CHANGED_TEXT not in page
    assert db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.recipient == moderator.email,
                                                             OutboxMessage.subject.contains("zurückgezogen"))).all()
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())  # the change may be approved
    db.session.commit()
    assert CHANGED_TEXT in space_page(client_for, author, space)


def test_a_waiting_change_that_names_who_withdraws_leaves_the_published_version_shown(
        session, space, moderator, author, reader, client_for):
    agree(session, reader)
    publish(session, space, moderator, named=[reader.id])
    record = change(session, space, moderator, {**CHANGED, "topics": f"Bericht von {reader.display_name}"},
                    [reader.id])

    agree(session, reader, False)

    assert fresh(session).has_waiting_change
    page = space_page(client_for, author, space)
    assert PUBLISHED_TEXT in page and reader.display_name not in page
    with pytest.raises(minutes.ExchangeError):  # the change cannot be approved with the name
        minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())


def test_an_erased_account_takes_down_a_published_version_that_named_it_while_a_change_waits(
        session, space, moderator, author, reader, client_for):
    agree(session, reader)
    publish(session, space, moderator, {**FIELDS, "topics": f"Bericht von {reader.display_name}"}, [reader.id])
    change(session, space, moderator, CHANGED, [reader.id])
    name = reader.display_name

    erase_account(reader, keep_posts=False, now=utcnow())
    db.session.commit()

    record = fresh(session)
    assert not record.is_shown and record.named_user_ids == []
    assert name not in space_page(client_for, author, space)


def test_an_erased_account_named_only_in_the_waiting_change_leaves_the_published_version(
        session, space, moderator, author, reader, client_for):
    agree(session, reader)
    publish(session, space, moderator)
    change(session, space, moderator, {**CHANGED, "topics": f"Bericht von {reader.display_name}"}, [reader.id])

    erase_account(reader, keep_posts=False, now=utcnow())
    db.session.commit()

    record = fresh(session)
    assert record.has_waiting_change and record.topics == "Bericht von [Name entfernt]"
    assert PUBLISHED_TEXT in space_page(client_for, author, space)


def test_the_change_of_minutes_is_refused_to_members_and_other_moderators(
        session, space, moderator, author, make_user, make_space, client_for):
    from qualify.accounts.roles import Role

    publish(session, space, moderator)
    change(session, space, moderator)
    other = make_user(Role.MODERATOR)
    make_space(by=other)
    for person in (author, other):
        response = client_for(person).post(f"/austausch/termin/{session.id}/protokoll/aenderung-ablehnen", data={})
        assert response.status_code == 403
    assert fresh(session).has_waiting_change


# --- The approved version is set and cleared whole ----------------------------------------------------------------

def test_approved_and_taken_down_the_approved_version_is_set_and_cleared_whole():
    """publish and unpublish keep the approved version in one piece: the text the space shows (is_shown) never
    without when and by whom it was approved, nor these without it."""
    approved_at, taken_down_at = utcnow() - timedelta(days=1), utcnow()
    record = ExchangeMinutes(topics="Einführung des MES", body_html="<p>Einführung des MES</p>", named_user_ids=[7],
                             status="draft", waiting_since=approved_at - timedelta(days=1))

    record.publish({"topics": "Einführung des MES"}, by_id=4, now=approved_at)

    assert record.is_shown and record.status == "published" and not record.has_waiting_change
    assert record.waiting_since is None  # nothing waits
    assert (record.published_html, record.published_texts, record.published_named_ids, record.published_at,
            record.published_by_id) == ("<p>Einführung des MES</p>", {"topics": "Einführung des MES"}, [7],
                                        approved_at, 4)

    record.unpublish(now=taken_down_at)

    assert not record.is_shown and record.status == "draft"
    assert record.waiting_since == taken_down_at  # waits for approval again, since it was taken down
    assert (record.published_html, record.published_texts, record.published_named_ids, record.published_at,
            record.published_by_id) == (None, None, None, None, None)
    assert (record.topics, record.body_html) == ("Einführung des MES", "<p>Einführung des MES</p>")  # kept
