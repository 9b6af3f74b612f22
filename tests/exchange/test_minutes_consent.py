"""Consent to be named in the minutes as the moderator reads it: "withdrew" apart from "has not answered"; the
space itself shows neither, only the names of those who agree."""



from qualify.core.time import utcnow
from qualify.exchange import minutes, minutes_consent, minutes_text
from qualify.exchange.models import MinutesConsent
from qualify.extensions import db

FIELDS = {"topics": "Einführung des MES", "outcomes": "Schulung vor dem Start gewünscht",
          "open_questions": "Wer wertet die Daten aus?", "next_steps": "Betriebsrat einbeziehen"}
WITHDRAWN = "Zustimmung zurückgezogen: Bruno Brenner"
UNANSWERED = "(Noch) nicht geantwortet: Kowalczyk Anneliese"


def answer(client, session, agree: bool) -> None:
    client.post(f"/austausch/termin/{session.id}/nennung", data={"agree": "1" if agree else "0"})


def form_url(session) -> str:
    return f"/austausch/termin/{session.id}/protokoll"


def test_the_moderator_reads_who_withdrew_apart_from_who_has_not_answered(
        session, moderator, author, reader, client_for):
    answer(client_for(reader), session, True)
    answer(client_for(reader), session, False)  # the reader withdraws; the author never answers

    page = client_for(moderator).post(form_url(session),
                                      data={**FIELDS, "topics": "Bruno und Anneliese berichteten"}).text

    assert WITHDRAWN in page and UNANSWERED in page
    assert "0 von 2 Teilnehmenden haben zugestimmt, genannt zu werden." in page
    assert ("„Bruno“ – könnte Bruno Brenner meinen; diese Person hat die Zustimmung zurückgezogen und darf nicht "
            "genannt werden." in page)
    assert ("„Anneliese“ – könnte Kowalczyk Anneliese meinen; diese Person hat (noch) nicht geantwortet und darf "
            "nicht genannt werden." in page)
    assert minutes_text.minutes_of(session) is None  # asked, nothing saved


def test_saying_no_without_having_agreed_is_no_withdrawal(session, moderator, reader, client_for):
    answer(client_for(reader), session, False)

    page = client_for(moderator).get(form_url(session)).text

    assert "(Noch) nicht geantwortet: Bruno Brenner, Kowalczyk Anneliese" in page and "zurückgezogen" not in page
    assert db.session.query(MinutesConsent).count() == 0


def test_agreeing_again_ends_the_withdrawal_and_names_the_person_again(
        session, space, moderator, reader, client_for):
    participant = client_for(reader)
    answer(participant, session, True)
    record = minutes.save_minutes(session, space, FIELDS, [reader.id], by=moderator, now=utcnow())
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    db.session.commit()
    answer(participant, session, False)
    assert WITHDRAWN in client_for(moderator).get(form_url(session)).text
    assert "Dabei waren unter anderem" not in participant.get(f"/austausch/raum/{space.id}").text

    answer(participant, session, True)

    assert "zurückgezogen" not in client_for(moderator).get(form_url(session)).text
    assert "Dabei waren unter anderem: Bruno Brenner" in participant.get(f"/austausch/raum/{space.id}").text
    db.session.expire_all()
    assert [person.id for person in minutes_consent.consents(session).agreed] == [reader.id]


def test_the_published_minutes_show_neither_state_only_the_names_of_those_who_agree(
        session, space, moderator, author, reader, make_user, client_for):
    answer(client_for(author), session, True)
    answer(client_for(reader), session, True)
    record = minutes.save_minutes(session, space, FIELDS, [author.id, reader.id], by=moderator, now=utcnow())
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    db.session.commit()
    answer(client_for(reader), session, False)

    for someone in (reader, author, moderator, make_user()):
        page = client_for(someone).get(f"/austausch/raum/{space.id}").text
        assert "Dabei waren unter anderem: Kowalczyk Anneliese</p>" in page
        assert "Bruno Brenner" not in page or someone is reader  # the reader's own name is in the header
        assert "zurückgezogen:" not in page and "nicht geantwortet" not in page
