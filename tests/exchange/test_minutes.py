"""Exchange sessions (planned as workshop sessions) and their minutes: approved before publishing, no names
without consent; taking part marks the module done."""

import re

import pytest
from sqlalchemy import select

from qualify.core.mail import OutboxMessage
from qualify.core.time import utcnow
from qualify.exchange import minutes, minutes_consent, minutes_names, minutes_text, moderation, posting
from qualify.exchange.models import ExchangeLogEntry
from qualify.extensions import db
from qualify.learning import withdrawal
from qualify.learning.models import Certificate
from qualify.learning.services import is_module_done
from qualify.privacy.services import erase_account
from qualify.workshops import services as workshops
from qualify.workshops.attendance import mark_attendance
from tests.exchange.conftest import assert_no_identity
from tests.learning.helpers import everything_else_done

FIELDS = {"topics": "Einführung des MES", "outcomes": "Schulung vor dem Start gewünscht",
          "open_questions": "Wer wertet die Daten aus?", "next_steps": "Betriebsrat einbeziehen"}


def test_minutes_appear_in_the_space_only_after_approval(session, space, moderator, reader, client_for):
    mod = client_for(moderator)
    response = mod.post(f"/austausch/termin/{session.id}/protokoll", data=FIELDS)
    assert response.status_code == 302
    assert "Schulung vor dem Start" not in client_for(reader).get(f"/austausch/raum/{space.id}").text
    mod.post(f"/austausch/termin/{session.id}/protokoll/freigeben", data={})
    page = client_for(reader).get(f"/austausch/raum/{space.id}").text
    assert "Schulung vor dem Start" in page and "Offene Fragen" in page
    assert db.session.scalar(db.select(ExchangeLogEntry).where(ExchangeLogEntry.action == "publish_minutes"))
    log = mod.get(f"/austausch/raum/{space.id}/protokoll").text
    assert re.search(r"Protokoll des Termins am \d\d\.\d\d\.\d{4}", log)  # a date as people write it


def test_the_log_says_which_minutes_were_published_in_the_readers_language(
        session, space, moderator, make_user, client_for):
    from qualify.accounts.roles import Role
    from tests.exchange.conftest import assign

    english = make_user(Role.MODERATOR, language="en")
    assign(space, english)
    record = minutes.save_minutes(session, space, FIELDS, [], by=moderator, now=utcnow())
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    db.session.commit()

    log = client_for(english).get(f"/austausch/raum/{space.id}/protokoll").text

    assert re.search(r"Minutes of the session on \d{1,2} \w+ \d{4}", log) and "Protokoll des Termins" not in log


def test_a_log_entry_written_in_german_before_stays_readable(session, space, moderator, client_for):
    db.session.add(ExchangeLogEntry(space_id=space.id, actor_id=moderator.id, action="publish_minutes",
                                    reason="Protokoll des Termins am 30.11.2026", created_at=utcnow()))
    db.session.commit()
    assert "Protokoll des Termins am 30.11.2026" in client_for(moderator).get(
        f"/austausch/raum/{space.id}/protokoll").text


def test_minutes_written_in_german_have_english_headings_for_an_english_reader(session, space, moderator, reader,
                                                                             client_for):
    mod = client_for(moderator)
    mod.post(f"/austausch/termin/{session.id}/protokoll", data=FIELDS)
    mod.post(f"/austausch/termin/{session.id}/protokoll/freigeben", data={})
    reader.language = "en"
    db.session.commit()
    page = client_for(reader).get(f"/austausch/raum/{space.id}").text
    assert "Open questions" in page and "Offene Fragen" not in page
    assert "Wer wertet die Daten aus?" in page  # what was written stays as written


def test_minutes_naming_a_participant_without_consent_are_refused(session, space, moderator, author):
    fields = {**FIELDS, "outcomes": f"{author.display_name} schlug eine Schulung vor"}
    with pytest.raises(minutes.ExchangeError):
        minutes.save_minutes(session, space, fields, [], by=moderator, now=utcnow())


def test_named_list_only_takes_people_who_agreed(session, space, moderator, author, reader, client_for):
    with pytest.raises(minutes.ExchangeError):
        minutes.save_minutes(session, space, FIELDS, [author.id], by=moderator, now=utcnow())
    client_for(reader).post(f"/austausch/termin/{session.id}/nennung", data={"agree": "1"})
    record = minutes.save_minutes(session, space, {**FIELDS, "topics": f"Bericht von {reader.display_name}"},
                                  [reader.id], by=moderator, now=utcnow())
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    db.session.commit()
    page = client_for(author).get(f"/austausch/raum/{space.id}").text
    assert reader.display_name in page
    assert_no_identity(page, author)


def test_withdrawn_consent_removes_the_name_from_published_minutes(
    session, space, moderator, reader, client_for
):
    client = client_for(reader)
    client.post(f"/austausch/termin/{session.id}/nennung", data={"agree": "1"})
    record = minutes.save_minutes(session, space, FIELDS, [reader.id], by=moderator, now=utcnow())
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    db.session.commit()
    client.post(f"/austausch/termin/{session.id}/nennung", data={"agree": "0"})
    assert reader.display_name not in client.get(f"/austausch/raum/{space.id}").text


def test_published_minutes_that_name_a_person_who_withdraws_go_back_to_the_moderators(
    session, space, moderator, author, reader, client_for
):
    client = client_for(reader)
    client.post(f"/austausch/termin/{session.id}/nennung", data={"agree": "1"})
    record = minutes.save_minutes(session, space, {**FIELDS, "topics": f"Bericht von {reader.display_name}"},
                                  [reader.id], by=moderator, now=utcnow())
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    db.session.commit()
    client.post(f"/austausch/termin/{session.id}/nennung", data={"agree": "0"})
    db.session.expire_all()
    record = minutes_text.minutes_of(session)
    assert record.status == "draft" and minutes_consent.named_people(record) == []
    page = client_for(author).get(f"/austausch/raum/{space.id}").text
    assert reader.display_name not in page and "Schulung vor dem Start" not in page
    with pytest.raises(minutes.ExchangeError):  # approved again only once the name is gone
        minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    [mail] = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.recipient == moderator.email,
                                                               OutboxMessage.subject.contains("zurückgezogen")))
    assert f"/austausch/termin/{session.id}/protokoll" in mail.body_text
    assert reader.display_name not in mail.body_text and reader.email not in mail.body_text


def test_only_participants_may_give_consent(session, make_user, client_for):
    stranger = make_user()
    client_for(stranger).post(f"/austausch/termin/{session.id}/nennung", data={"agree": "1"})
    assert minutes_consent.consenting_ids(session) == set()


def test_minutes_are_refused_to_members_and_other_moderators(
    session, make_space, make_user, author, client_for
):
    from qualify.accounts.roles import Role
    other = make_user(Role.MODERATOR)
    make_space(by=other)
    for person in (author, other):
        client = client_for(person)
        assert client.get(f"/austausch/termin/{session.id}/protokoll").status_code == 403
        assert client.post(f"/austausch/termin/{session.id}/protokoll", data=FIELDS).status_code == 403
    assert minutes_text.minutes_of(session) is None


def test_only_the_moderators_of_its_space_manage_an_exchange_session(
        session, exchange_module, space, moderator, make_user, client_for):
    from qualify.accounts.roles import Role
    other = make_user(Role.MODERATOR)  # moderates no space, or another one
    client = client_for(other)
    for url in (f"/termine/{session.id}/teilnehmende", f"/termine/{session.id}/teilnehmende.csv",
                f"/termine/{session.id}/bearbeiten", f"/termine/{session.id}/absagen",
                f"/termine/modul/{exchange_module.id}/neu"):
        assert client.get(url).status_code == 403, url
    client.post(f"/termine/{session.id}/bearbeiten", data={"online_url": "https://example.org/phish"})
    db.session.expire_all()
    assert session.online_url != "https://example.org/phish" and not session.is_cancelled
    own = client_for(moderator)
    assert own.get(f"/termine/{session.id}/teilnehmende").status_code == 200
    assert own.get(f"/termine/modul/{exchange_module.id}/neu").status_code == 200


def test_a_moderator_taken_off_the_space_no_longer_manages_the_sessions_they_planned(
        session, space, moderator, make_user, client_for):
    from qualify.accounts.roles import Role
    from qualify.exchange import spaces

    spaces.unassign_moderator(space, moderator, by=make_user(Role.ADMIN))
    db.session.commit()
    client = client_for(moderator)  # still listed as the session's trainer
    for url in (f"/termine/{session.id}/teilnehmende", f"/termine/{session.id}/teilnehmende.csv",
                f"/termine/{session.id}/bearbeiten", f"/termine/{session.id}/anwesenheit"):
        assert client.get(url).status_code == 403, url


def test_editing_published_minutes_needs_approval_again(session, space, moderator, reader, client_for):
    record = minutes.save_minutes(session, space, FIELDS, [], by=moderator, now=utcnow())
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    minutes.save_minutes(
        session, space, {**FIELDS, "outcomes": "Geänderter Text"}, [], by=moderator, now=utcnow()
    )
    db.session.commit()
    page = client_for(reader).get(f"/austausch/raum/{space.id}").text
    assert "Geänderter Text" not in page and "Schulung vor dem Start" in page  # the published version meanwhile


def test_saving_published_minutes_unchanged_keeps_them_published(session, space, moderator, reader, client_for):
    client_for(reader).post(f"/austausch/termin/{session.id}/nennung", data={"agree": "1"})
    mod = client_for(moderator)
    # As a browser sends a textarea back: its line breaks as CR LF.
    fields = {**FIELDS, "outcomes": "Schulung vor dem Start gewünscht\nDanach ein Rückblick"}
    mod.post(f"/austausch/termin/{session.id}/protokoll", data={**fields, "named": [str(reader.id)]})
    mod.post(f"/austausch/termin/{session.id}/protokoll/freigeben", data={})

    response = mod.post(f"/austausch/termin/{session.id}/protokoll", follow_redirects=True, data={
        **fields, "outcomes": fields["outcomes"].replace("\n", "\r\n"), "named": [str(reader.id)]})

    assert "Keine Änderungen – das Protokoll bleibt veröffentlicht." in response.text
    db.session.expire_all()
    assert minutes_text.minutes_of(session).status == "published"
    page = client_for(reader).get(f"/austausch/raum/{space.id}").text
    assert "Danach ein Rückblick" in page and reader.display_name in page


def test_published_minutes_saved_with_other_people_named_need_approval_again(
        session, space, moderator, reader, client_for):
    client_for(reader).post(f"/austausch/termin/{session.id}/nennung", data={"agree": "1"})
    record = minutes.save_minutes(session, space, FIELDS, [reader.id], by=moderator, now=utcnow())
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    db.session.commit()

    response = client_for(moderator).post(f"/austausch/termin/{session.id}/protokoll", data=FIELDS,
                                          follow_redirects=True)  # the same text, nobody named any more

    assert "Änderung gespeichert" in response.text
    db.session.expire_all()
    assert minutes_text.minutes_of(session).status == "draft"
    page = client_for(reader).get(f"/austausch/raum/{space.id}").text  # the published version until approved
    assert "Schulung vor dem Start" in page and f"Dabei waren unter anderem: {reader.display_name}" in page


def test_taking_part_in_the_session_marks_the_module_done(session, exchange_module, moderator, author):
    booking = workshops.booking_of(author, session)
    mark_attendance(booking, "present", by=moderator, now=session.starts_at)
    db.session.commit()
    assert is_module_done(author, exchange_module)


def test_taking_present_back_at_the_session_undoes_the_module_done(session, exchange_module, moderator, author):
    booking = workshops.booking_of(author, session)
    mark_attendance(booking, "present", by=moderator, now=session.starts_at)
    db.session.commit()
    mark_attendance(booking, "absent", by=moderator, now=session.starts_at)
    db.session.commit()
    assert not is_module_done(author, exchange_module)


def test_the_module_stays_done_when_the_person_also_took_part_in_the_space(
        session, space, exchange_module, moderator, author):
    guiding = posting.start_thread(space, moderator, "Leitfrage", "Was ist neu?", anonymous=False, now=utcnow())
    posts = [posting.start_thread(space, author, "Meine Erfahrung", "Bei uns …", anonymous=True, now=utcnow()).posts[0],
             posting.reply(guiding, author, "Antwort eins", anonymous=True, now=utcnow()),
             posting.reply(guiding, author, "Antwort zwei", anonymous=False, now=utcnow())]
    db.session.commit()
    for post in posts:
        moderation.approve(post, by=moderator, now=utcnow())
    booking = workshops.booking_of(author, session)
    mark_attendance(booking, "present", by=moderator, now=session.starts_at)
    db.session.commit()
    mark_attendance(booking, "excused", by=moderator, now=session.starts_at)
    db.session.commit()
    assert is_module_done(author, exchange_module)


def test_withdrawing_the_certificate_offers_the_exchange_module_until_the_person_posts_enough(
        session, space, exchange_module, moderator, author):
    everything_else_done(author, exchange_module, via="read")
    booking = workshops.booking_of(author, session)
    mark_attendance(booking, "present", by=moderator, now=session.starts_at)
    note = mark_attendance(booking, "absent", by=moderator, now=session.starts_at)
    db.session.commit()
    assert "Verwaltung → Zertifikate" in note
    certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == author.id))
    suggested = {d.module.id for d in withdrawal.done_modules(certificate) if d.suggested}
    assert suggested == {exchange_module.id}

    guiding = posting.start_thread(space, moderator, "Leitfrage", "Was ist neu?", anonymous=False, now=utcnow())
    for post in [posting.start_thread(space, author, "Bei uns", "…", anonymous=True, now=utcnow()).posts[0],
                 posting.reply(guiding, author, "Eins", anonymous=True, now=utcnow()),
                 posting.reply(guiding, author, "Zwei", anonymous=True, now=utcnow())]:
        moderation.approve(post, by=moderator, now=utcnow())
    db.session.commit()
    (done,) = [d for d in withdrawal.done_modules(certificate) if d.module.id == exchange_module.id]
    assert not done.suggested and not done.reopenable  # opened again, the next post would close it at once


def test_an_erased_account_leaves_no_name_in_minutes_not_even_in_a_draft(session, space, moderator, reader,
                                                                          client_for):
    client = client_for(reader)
    client.post(f"/austausch/termin/{session.id}/nennung", data={"agree": "1"})
    named = f"Bericht von {reader.display_name} über Schichtmodelle; {reader.display_name.split()[-1]} fragte."
    record = minutes.save_minutes(session, space, {**FIELDS, "topics": named}, [reader.id], by=moderator,
                                  now=utcnow())
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    db.session.commit()
    client.post(f"/austausch/termin/{session.id}/nennung", data={"agree": "0"})  # back to a draft
    name = reader.display_name
    erase_account(reader, keep_posts=False, now=utcnow())
    db.session.commit()

    db.session.expire_all()
    record = minutes_text.minutes_of(session)
    assert name not in record.topics and name.split()[-1] not in record.topics + record.body_html
    assert record.topics == "Bericht von [Name entfernt] über Schichtmodelle; [Name entfernt] fragte."
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())  # now it may be approved
    db.session.commit()
    assert name not in client_for(moderator).get(f"/austausch/raum/{space.id}").text


# --- A first name or a surname alone: the moderator is asked, the text is kept -------------------------------

def _confirmation_on(page: str, prefix: str = "") -> str:
    return re.search(rf'id="{prefix}confirmation"[^>]*value="([0-9a-f]+)"', page).group(1)


@pytest.fixture
def bernd(session, make_user):
    """A participant whose surname is an everyday word, who has not agreed to be named."""
    person = make_user(name="Bernd Betriebsrat", email="bernd.b@example.org")
    workshops.book(session, person, now=utcnow())
    db.session.commit()
    return person


def test_a_first_name_alone_asks_the_moderator_and_saves_nothing(session, moderator, reader, client_for):
    typed = {**FIELDS, "topics": "Bruno berichtete von der Umstellung auf Schichtmodelle"}
    page = client_for(moderator).post(f"/austausch/termin/{session.id}/protokoll", data=typed)
    assert page.status_code == 200 and minutes_text.minutes_of(session) is None
    assert ("„Bruno“ – könnte Bruno Brenner meinen; diese Person hat (noch) nicht geantwortet und darf nicht "
            "genannt werden." in page.text)
    assert 'href="#topics"' in page.text and 'aria-describedby="topics-hint"' in page.text  # linked to the field
    assert "Bruno berichtete von der Umstellung auf Schichtmodelle</textarea>" in page.text  # nothing lost
    assert "Schulung vor dem Start gewünscht</textarea>" in page.text
    assert re.search(r'<label class="check"><input[^>]*id="names_checked"[^>]*> Ich habe geprüft: damit ist '
                     r"niemand gemeint, der nicht zugestimmt hat, genannt zu werden</label>", page.text)


def test_the_moderator_confirms_and_the_first_name_is_saved(session, moderator, reader, client_for):
    client = client_for(moderator)
    typed = {**FIELDS, "topics": "Bruno berichtete von der Umstellung"}
    page = client.post(f"/austausch/termin/{session.id}/protokoll", data=typed).text
    unticked = client.post(f"/austausch/termin/{session.id}/protokoll",
                           data={**typed, "confirmation": _confirmation_on(page)})
    assert unticked.status_code == 200 and minutes_text.minutes_of(session) is None  # the box is what confirms

    response = client.post(f"/austausch/termin/{session.id}/protokoll",
                           data={**typed, "confirmation": _confirmation_on(page), "names_checked": "y"})
    assert response.status_code == 302
    assert minutes_text.minutes_of(session).topics == "Bruno berichtete von der Umstellung"


def test_a_confirmation_holds_only_for_the_text_it_was_given_for(session, space, moderator, author, reader):
    fields = {**FIELDS, "topics": "Bruno berichtete"}
    with pytest.raises(minutes_names.NamesToConfirm) as asked:
        minutes.save_minutes(session, space, fields, [], by=moderator, now=utcnow())
    changed = {**fields, "outcomes": "Anneliese schlug eine Schulung vor"}
    with pytest.raises(minutes_names.NamesToConfirm) as asked_again:
        minutes.save_minutes(session, space, changed, [], by=moderator, now=utcnow(),
                             confirmed=asked.value.confirmation)
    assert [w.word for w in asked_again.value.warnings] == ["Bruno", "Anneliese"]
    minutes.save_minutes(session, space, changed, [], by=moderator, now=utcnow(),
                         confirmed=asked_again.value.confirmation)


def test_a_surname_that_is_an_everyday_word_warns_instead_of_refusing(session, space, moderator, bernd):
    fields = {**FIELDS, "outcomes": "Der Betriebsrat sollte früh eingebunden werden"}
    with pytest.raises(minutes_names.NamesToConfirm) as asked:
        minutes.save_minutes(session, space, fields, [], by=moderator, now=utcnow())
    assert {(w.word, w.person) for w in asked.value.warnings} == {("Betriebsrat", "Bernd Betriebsrat")}
    assert {w.field for w in asked.value.warnings} == {"outcomes", "next_steps"}  # FIELDS: "Betriebsrat einbeziehen"
    assert minutes_text.minutes_of(session) is None

    record = minutes.save_minutes(session, space, fields, [], by=moderator, now=utcnow(),
                                  confirmed=asked.value.confirmation)
    assert record.outcomes == "Der Betriebsrat sollte früh eingebunden werden"


@pytest.mark.parametrize("written", ["Bernd Betriebsrat", "bernd  BETRIEBSRAT", "Bernd\nBetriebsrat",
                                     "Betriebsrat, Bernd", "bernd.b@example.org"])
def test_a_full_name_is_still_refused_even_when_confirmed(session, space, moderator, bernd, written):
    fields = {**FIELDS, "topics": "Der Betriebsrat fragte nach der Schulung"}
    with pytest.raises(minutes_names.NamesToConfirm) as asked:
        minutes.save_minutes(session, space, fields, [], by=moderator, now=utcnow())
    fields["topics"] += f"; {written} schlug Termine vor"
    with pytest.raises(minutes.ExchangeError) as refused:
        minutes.save_minutes(session, space, fields, [], by=moderator, now=utcnow(),
                             confirmed=asked.value.confirmation)
    assert not isinstance(refused.value, minutes_names.NamesToConfirm) and "Bernd Betriebsrat" in str(refused.value)
    assert minutes_text.minutes_of(session) is None


def test_nobody_who_agreed_is_warned_about(session, space, moderator, reader, make_user, client_for):
    namesake = make_user(name="Bruno Berger", email="bruno.berger@example.org")  # has not agreed
    workshops.book(session, namesake, now=utcnow())
    client_for(reader).post(f"/austausch/termin/{session.id}/nennung", data={"agree": "1"})
    fields = {**FIELDS, "topics": "Brenner fragte nach; Bruno Brenner berichtete von der Umstellung"}
    assert minutes_names.name_warnings(session, fields) == []
    record = minutes.save_minutes(session, space, fields, [reader.id], by=moderator, now=utcnow())
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    assert record.status == "published"


def test_short_parts_and_particles_of_a_name_are_not_checked_alone(session, space, moderator, make_user):
    person = make_user(name="Jo von Wagner", email="jo.wagner@example.org")
    workshops.book(session, person, now=utcnow())
    fields = {**FIELDS, "topics": "Jo, das Werk von morgen", "outcomes": "Wagner und Koch sollen das klären"}
    assert [(w.field, w.word) for w in minutes_names.name_warnings(session, fields)] == [("outcomes", "Wagner")]


def test_publishing_runs_the_same_check(session, space, moderator, reader, client_for):
    fields = {**FIELDS, "topics": "Bruno berichtete"}
    with pytest.raises(minutes_names.NamesToConfirm) as asked:
        minutes.save_minutes(session, space, fields, [], by=moderator, now=utcnow())
    record = minutes.save_minutes(session, space, fields, [], by=moderator, now=utcnow(),
                                  confirmed=asked.value.confirmation)
    db.session.commit()
    with pytest.raises(minutes_names.NamesToConfirm):
        minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    db.session.rollback()

    client = client_for(moderator)
    page = client.get(f"/austausch/termin/{session.id}/protokoll").text  # asked next to the approve button
    assert "„Bruno“ – könnte Bruno Brenner meinen" in page and 'id="publish-names_checked"' in page
    refused = client.post(f"/austausch/termin/{session.id}/protokoll/freigeben", data={})
    assert refused.status_code == 200 and 'role="alert"' in refused.text and "Nicht freigegeben." in refused.text
    assert "Bruno berichtete</textarea>" in refused.text
    db.session.expire_all()
    assert minutes_text.minutes_of(session).status == "draft"

    response = client.post(f"/austausch/termin/{session.id}/protokoll/freigeben",
                           data={"publish-names_checked": "y",
                                 "publish-confirmation": _confirmation_on(page, "publish-")})
    assert response.status_code == 302
    db.session.expire_all()
    assert minutes_text.minutes_of(session).status == "published"


def test_a_first_name_in_published_minutes_sends_them_back_when_the_person_withdraws(
        session, space, moderator, reader, client_for):
    client = client_for(reader)
    client.post(f"/austausch/termin/{session.id}/nennung", data={"agree": "1"})
    record = minutes.save_minutes(session, space, {**FIELDS, "topics": "Bruno fragte nach"}, [], by=moderator,
                                  now=utcnow())
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    db.session.commit()
    client.post(f"/austausch/termin/{session.id}/nennung", data={"agree": "0"})
    db.session.expire_all()
    assert minutes_text.minutes_of(session).status == "draft"


def test_a_draft_naming_in_full_someone_who_withdrew_says_it_cannot_be_published(
        session, space, moderator, reader, client_for):
    # It said "„Bruno“ – könnte Bruno Brenner meinen" with a box to tick, though the full name is refused outright.
    client_for(reader).post(f"/austausch/termin/{session.id}/nennung", data={"agree": "1"})
    record = minutes.save_minutes(session, space, {**FIELDS, "topics": f"Bericht von {reader.display_name}"},
                                  [reader.id], by=moderator, now=utcnow())
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    db.session.commit()
    client_for(reader).post(f"/austausch/termin/{session.id}/nennung", data={"agree": "0"})

    page = client_for(moderator).get(f"/austausch/termin/{session.id}/protokoll").text

    assert "Das Protokoll nennt Teilnehmende, die nicht zugestimmt haben: Bruno Brenner." in page
    assert "So kann es nicht freigegeben werden" in page
    assert "könnte Bruno Brenner meinen" not in page and 'id="publish-names_checked"' not in page
    assert "Freigeben und im Raum veröffentlichen" not in page


def test_the_sections_of_published_minutes_are_headed_below_the_session_they_belong_to(
        session, space, moderator, reader, client_for):
    record = minutes.save_minutes(session, space, FIELDS, [], by=moderator, now=utcnow())
    db.session.commit()
    preview = client_for(moderator).get(f"/austausch/termin/{session.id}/protokoll").text  # below an h2
    assert '<h3 data-section="topics">Besprochene Themen</h3>' in preview
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    db.session.commit()
    page = client_for(reader).get(f"/austausch/raum/{space.id}").text
    assert re.search(r"<h3>Termin am [^<]+</h3>\s*<div class=\"prose\"><h4 data-section=\"topics\">", page)
    assert '<h3 data-section=' not in page


def test_a_name_taken_out_of_minutes_is_said_in_the_readers_language(monkeypatch):
    said = {"[Name entfernt]": "[name removed]", "Ergebnisse": "Outcomes"}
    monkeypatch.setattr(minutes_text, "_", lambda text, **_variables: said.get(text, text))
    html = str(minutes_text.render_minutes({"outcomes": f"{minutes_text.REDACTED} schlug eine Schulung vor"}))
    assert "[Name entfernt]" in html
    shown = str(minutes_text.in_readers_language(html))
    assert "[name removed] schlug eine Schulung vor" in shown and "Outcomes" in shown


# --- The consent as the moderator reads it: the latest answer counts, the preview shows the names as the space
# will, and nobody is said to refuse who has only not answered ------------------------------------------------

def ticked_names(page: str) -> set[int]:
    """The ids ticked under "Namentlich nennen" in the moderator's form."""
    choices = re.search(r'<fieldset id="named"[^>]*>(.*?)</fieldset>', page, re.S).group(1)
    return {int(value) for value in re.findall(r'<input checked[^>]*value="(\d+)"', choices)}


def answer(client, session, agree: bool) -> None:
    client.post(f"/austausch/termin/{session.id}/nennung", data={"agree": "1" if agree else "0"})


def test_a_consent_given_again_is_ticked_again_and_the_name_shown_again(
        session, space, moderator, reader, client_for):
    participant, mod = client_for(reader), client_for(moderator)
    answer(participant, session, True)
    record = minutes.save_minutes(session, space, FIELDS, [reader.id], by=moderator, now=utcnow())
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    db.session.commit()

    answer(participant, session, False)
    assert reader.display_name not in participant.get(f"/austausch/raum/{space.id}").text
    # Saved again meanwhile, without the person (the form no longer offers them), and approved again.
    assert mod.post(f"/austausch/termin/{session.id}/protokoll", data=FIELDS).status_code == 302
    assert mod.post(f"/austausch/termin/{session.id}/protokoll/freigeben", data={}).status_code == 302

    answer(participant, session, True)
    assert ticked_names(mod.get(f"/austausch/termin/{session.id}/protokoll").text) == {reader.id}
    page = participant.get(f"/austausch/raum/{space.id}").text
    assert f"Dabei waren unter anderem: {reader.display_name}" in page
    assert "Sie dürfen im Protokoll genannt werden." in page


def test_the_preview_of_a_draft_lists_the_names_as_the_published_minutes_do(
        session, space, moderator, author, reader, client_for):
    answer(client_for(reader), session, True)
    answer(client_for(author), session, True)
    mod = client_for(moderator)
    mod.post(f"/austausch/termin/{session.id}/protokoll", data={**FIELDS, "named": [str(reader.id), str(author.id)]})
    answer(client_for(author), session, False)  # listed, but no longer agrees

    line = f"Dabei waren unter anderem: {reader.display_name}</p>"
    preview = mod.get(f"/austausch/termin/{session.id}/protokoll").text
    assert line in preview and author.display_name not in preview.split("Vorschau")[1]
    mod.post(f"/austausch/termin/{session.id}/protokoll/freigeben", data={})
    assert line in client_for(reader).get(f"/austausch/raum/{space.id}").text


def test_who_has_not_answered_is_not_named_nor_said_to_refuse(session, moderator, reader, client_for):
    page = client_for(moderator).post(f"/austausch/termin/{session.id}/protokoll",
                                      data={**FIELDS, "topics": "Bruno berichtete"}).text
    assert "Bruno Brenner meinen; diese Person hat (noch) nicht geantwortet und darf nicht genannt werden." in page
    assert "nicht genannt werden möchte" not in page
    assert "Wer nicht geantwortet hat, gilt als nicht einverstanden." in page
    assert 'id="named"' not in page  # nobody to tick: nobody agreed


def test_approving_minutes_sent_twice_publishes_and_logs_them_once(session, space, moderator, client_for):
    mod = client_for(moderator)
    mod.post(f"/austausch/termin/{session.id}/protokoll", data=FIELDS)
    for _ in range(2):
        response = mod.post(f"/austausch/termin/{session.id}/protokoll/freigeben", data={})
        assert response.status_code == 302
    entries = db.session.scalars(db.select(ExchangeLogEntry).where(ExchangeLogEntry.action == "publish_minutes"))
    assert len(entries.all()) == 1
