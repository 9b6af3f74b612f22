"""A trainer acts on someone's booking from the participant list: cancels it after the person's own deadline (the
seat goes to the first in line), or gives a waitlisted person a seat by hand, overbooking on purpose."""

import re
from datetime import timedelta

from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.workshops import services
from qualify.workshops.attendance import mark_attendance
from tests.workshops.conftest import bookings_of, outbox, statuses
from tests.workshops.test_attendance_pages import button_names, moved, text_of
from tests.workshops.test_budgets import statements_for

PAST_THEIR_DEADLINE = 24 * 30  # hours before the start: the learners' own deadline to cancel is long gone


def participants_url(session) -> str:
    return f"/termine/{session.id}/teilnehmende"


def cancel(client, session, booking, reason: str = ""):
    return client.post(f"/termine/{session.id}/teilnehmende/stornieren",
                       data={"booking_id": booking.id, "reason": reason}, follow_redirects=True)


def give_seat(client, session, booking, *, taken: int):
    return client.post(f"/termine/{session.id}/teilnehmende/platz-geben",
                       data={"booking_id": booking.id, "taken": taken}, follow_redirects=True)


def decision_for(page: str, action: str, booking) -> str:
    """The question asked once more, with its form, that acts on this booking."""
    for asked in re.findall(r'<details class="decision">(.*?)</details>', page, re.S):
        if f'action="{action}"' in asked and f'name="booking_id" value="{booking.id}"' in asked:
            return asked
    raise AssertionError(f"no question for booking {booking.id} at {action}")


def audit_events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- cancelling someone's booking ---------------------------------------------------------------------------

def test_a_trainer_cancels_a_seat_after_the_persons_deadline_and_the_first_in_line_gets_it(
        client, new_client, login, make_user, make_session, trainer):
    anna, ben, cem = (make_user(name=name) for name in ("Anna Auer", "Ben Berg", "Cem Celik"))
    session = make_session(capacity=1, cancellation_hours_before=PAST_THEIR_DEADLINE, booked=[anna, ben, cem])
    learner = new_client()
    login(anna, via=learner)
    page = learner.post(f"/termine/{session.id}/buchung/stornieren", data={}, follow_redirects=True).text
    assert "Bitte wenden Sie sich an die Trainerin oder den Trainer" in page  # she cannot any more herself
    login(trainer)

    page = cancel(client, session, bookings_of(session)[0], reason="Die Teilnahme setzt den Grundkurs voraus.").text

    assert "Storniert: Anna Auer. Die Person ist per E-Mail benachrichtigt." in text_of(page)
    assert "Den freien Platz hat Ben Berg von der Warteliste bekommen" in text_of(page)
    assert [b.status for b in bookings_of(session)] == ["cancelled", "confirmed", "waitlisted"]
    (told,) = outbox(anna.email, "Teilnahme abgesagt")
    assert "Die Leitung des Termins hat Ihre Teilnahme abgesagt." in told.body_text
    assert "Hinweis der Leitung: Die Teilnahme setzt den Grundkurs voraus." in told.body_text
    assert "Grundkurs voraus" in told.body_html
    assert told.attachments[0]["withdrawn"] is True  # out of her calendar
    assert len(outbox(ben.email, "Ein Platz ist frei geworden")) == 1
    (event,) = audit_events("workshops.booking_cancelled_by_trainer")
    assert event.actor_id == trainer.id and event.target_id == bookings_of(session)[0].id
    assert event.details["status"] == "confirmed" and event.details["reason"].startswith("Die Teilnahme")


def test_cancelling_someones_booking_is_asked_once_more_and_names_the_person(client, login, make_user,
                                                                             make_session, trainer):
    anna, ben = make_user(name="Anna Auer"), make_user(name="Ben Berg")
    session = make_session(capacity=1, booked=[anna, ben])
    login(trainer)
    seat, waiting = bookings_of(session)

    page = client.get(participants_url(session)).text

    action = f"/termine/{session.id}/teilnehmende/stornieren"
    asked = decision_for(page, action, seat)
    assert text_of(re.search(r"<summary[^>]*>(.*?)</summary>", asked, re.S).group(1)) == \
        "Platz stornieren … – Anna Auer"
    assert "Den Platz von Anna Auer stornieren? Die Person erfährt es per E-Mail. Der Platz geht sofort an die " \
           "erste Person auf der Warteliste." in text_of(asked)
    assert 'name="csrf_token"' in asked and f'<label for="reason-{seat.id}">' in asked
    assert "Anmeldung stornieren … – Ben Berg" in text_of(decision_for(page, action, waiting))
    names = button_names(page)
    assert "Ja, Platz stornieren – Anna Auer" in names and "Ja, Anmeldung stornieren – Ben Berg" in names
    assert 'class="stacks-on-phone"' in page  # no sideways scrolling on a phone
    assert client.get(action).status_code == 405  # nothing happens without the question answered
    assert statuses(session) == {"confirmed": 1, "waitlisted": 1}


def test_a_double_post_cancels_once(client, login, make_user, make_session, trainer):
    anna, ben, cem = (make_user(name=name) for name in ("Anna Auer", "Ben Berg", "Cem Celik"))
    session = make_session(capacity=1, booked=[anna, ben, cem])
    login(trainer)
    seat = bookings_of(session)[0]

    cancel(client, session, seat)
    page = cancel(client, session, seat).text

    assert "Die Anmeldung von Anna Auer hat sich inzwischen geändert (jetzt: storniert); es wurde nichts " \
           "verändert." in text_of(page)
    assert [b.status for b in bookings_of(session)] == ["cancelled", "confirmed", "waitlisted"]  # Cem still waits
    assert len(outbox(anna.email, "Teilnahme abgesagt")) == 1
    assert len(audit_events("workshops.booking_cancelled_by_trainer")) == 1


def test_a_trainer_cancels_a_waitlist_place_and_a_request(client, login, make_user, make_session, trainer):
    ben, dora = make_user(name="Ben Berg"), make_user(name="Dora Dietz")
    full = make_session(capacity=1, booked=[make_user(), ben])
    asked = make_session(approval_required=True, booked=[dora])
    login(trainer)

    cancel(client, full, bookings_of(full)[1], reason="Doppelt angemeldet")
    cancel(client, asked, bookings_of(asked)[0])

    assert [b.status for b in bookings_of(full)] == ["confirmed", "cancelled"]
    assert bookings_of(asked)[0].status == "cancelled"  # not declined: she may ask again
    (told,) = outbox(ben.email, "Anmeldung storniert")
    assert "Hinweis der Leitung: Doppelt angemeldet" in told.body_text and not told.attachments
    assert len(outbox(dora.email, "Anmeldung storniert")) == 1


def test_another_trainer_and_a_learner_cannot_act_on_the_bookings(client, login, make_user, make_session):
    anna, ben = make_user(name="Anna Auer"), make_user(name="Ben Berg")
    session = make_session(capacity=1, booked=[anna, ben])
    seat, waiting = bookings_of(session)
    other_trainer = make_user(Role.TRAINER)
    make_session(trainers=[other_trainer])  # leads a session of their own

    for person in (other_trainer, anna):
        login(person)
        assert client.post(f"/termine/{session.id}/teilnehmende/stornieren",
                           data={"booking_id": seat.id}).status_code == 403
        assert client.post(f"/termine/{session.id}/teilnehmende/platz-geben",
                           data={"booking_id": waiting.id, "taken": 1}).status_code == 403

    assert [b.status for b in bookings_of(session)] == ["confirmed", "waitlisted"]
    assert outbox(anna.email, "abgesagt") == [] and outbox(ben.email, "bestätigt") == []


def test_a_booking_of_another_session_in_the_form_is_refused(client, login, make_user, make_session, trainer):
    mine = make_session(capacity=1, booked=[make_user()])
    elsewhere = make_session(capacity=1, booked=[make_user(), make_user()])
    seat, waiting = bookings_of(elsewhere)
    login(trainer)  # manages both: still, each is acted on from its own list only

    assert client.post(f"/termine/{mine.id}/teilnehmende/stornieren",
                       data={"booking_id": seat.id}).status_code == 404
    assert client.post(f"/termine/{mine.id}/teilnehmende/platz-geben",
                       data={"booking_id": waiting.id, "taken": 1}).status_code == 404
    assert client.post(f"/termine/{mine.id}/teilnehmende/stornieren", data={"booking_id": "x"}).status_code == 404
    assert [b.status for b in bookings_of(elsewhere)] == ["confirmed", "waitlisted"]


def test_a_seat_with_attendance_on_record_is_not_cancelled(client, login, make_user, make_session, trainer):
    anna = make_user(name="Anna Auer")
    session = moved(make_session(booked=[anna]), starts_in=timedelta(minutes=-30))
    mark_attendance(bookings_of(session)[0], "absent", by=trainer, now=utcnow())
    db.session.commit()
    login(trainer)

    assert "Platz stornieren" not in client.get(participants_url(session)).text
    page = cancel(client, session, bookings_of(session)[0]).text

    assert "Die Anwesenheit von Anna Auer ist schon eingetragen" in text_of(page)
    assert bookings_of(session)[0].status == "confirmed"


def test_nothing_is_cancelled_once_the_session_is_over(client, login, make_user, make_session, trainer):
    session = moved(make_session(booked=[make_user(name="Anna Auer")]), starts_in=timedelta(hours=-4))
    login(trainer)

    assert "stornieren" not in client.get(participants_url(session)).text
    page = cancel(client, session, bookings_of(session)[0]).text

    assert "Der Termin ist schon vorbei." in page and bookings_of(session)[0].status == "confirmed"


# --- a seat by hand -----------------------------------------------------------------------------------------

def test_a_waitlisted_person_given_a_seat_overbooks_as_confirmed_and_can_be_marked_present(
        client, login, make_user, make_session, trainer):
    anna, ben = make_user(name="Anna Auer"), make_user(name="Ben Berg")
    session = moved(make_session(capacity=1, booked=[anna, ben]), starts_in=timedelta(minutes=30))
    login(trainer)
    waiting = bookings_of(session)[1]

    asked = decision_for(client.get(participants_url(session)).text,
                         f"/termine/{session.id}/teilnehmende/platz-geben", waiting)
    assert text_of(re.search(r"<summary[^>]*>(.*?)</summary>", asked, re.S).group(1)) == "Platz geben … – Ben Berg"
    assert "Der Termin ist dann mit 2 von 1 Plätzen überbucht." in text_of(asked)
    assert button_names(asked) == ["Ja, Platz geben – Ben Berg", "Nein"]
    page = give_seat(client, session, waiting, taken=1).text

    assert "Ben Berg hat einen Platz bekommen" in text_of(page)
    assert "Der Termin ist jetzt mit 2 von 1 Plätzen überbucht." in text_of(page)
    assert [b.status for b in bookings_of(session)] == ["confirmed", "confirmed"]
    (told,) = outbox(ben.email, "Platz bestätigt")
    assert "Ihr Platz ist bestätigt." in told.body_text and told.attachments  # in his calendar too
    (event,) = audit_events("workshops.seat_given")
    assert event.details == {"session_id": session.id, "status": "waitlisted", "taken": 2, "capacity": 1}

    client.post(f"/termine/{session.id}/anwesenheit", data={"booking_id": waiting.id, "value": "present"})
    assert bookings_of(session)[1].attendance == "present"


def test_the_one_who_turns_up_after_the_waitlist_closed_gets_a_seat(client, login, make_user, make_session,
                                                                      trainer):
    ben = make_user(name="Ben Berg")
    session = moved(make_session(capacity=1, booked=[make_user(), ben]), starts_in=timedelta(minutes=-10))
    services.close_bookings(session, now=utcnow())  # at the deadline: the waitlist lapsed
    db.session.commit()
    login(trainer)
    lapsed = bookings_of(session)[1]
    assert lapsed.status == "expired"

    give_seat(client, session, lapsed, taken=1)

    assert bookings_of(session)[1].status == "confirmed"


def test_no_overbooking_that_was_not_confirmed(client, login, make_user, make_session, trainer):
    ben = make_user(name="Ben Berg")
    session = make_session(capacity=2, booked=[make_user(), make_user(), ben])
    login(trainer)
    waiting = bookings_of(session)[2]

    # Asked when 1 of 2 seats were taken (no word of overbooking); the last seat went before the answer came.
    page = give_seat(client, session, waiting, taken=1).text

    assert "Inzwischen sind 2 von 2 Plätzen belegt; ein weiterer Platz überbucht den Termin." in text_of(page)
    assert bookings_of(session)[2].status == "waitlisted" and outbox(ben.email, "bestätigt") == []


def test_a_double_click_gives_one_seat(client, login, make_user, make_session, trainer):
    ben = make_user(name="Ben Berg")
    session = make_session(capacity=1, booked=[make_user(), ben])
    login(trainer)
    waiting = bookings_of(session)[1]

    give_seat(client, session, waiting, taken=1)
    page = give_seat(client, session, waiting, taken=1).text

    assert "(jetzt: Platz bestätigt); es wurde nichts verändert." in text_of(page)
    assert statuses(session) == {"confirmed": 2}
    assert len(outbox(ben.email, "Platz bestätigt")) == 1 and len(audit_events("workshops.seat_given")) == 1


# --- the statement budget -------------------------------------------------------------------------------------

def test_the_participant_list_costs_the_same_with_3_and_30_bookings(client, login, make_user, make_session,
                                                                    trainer, count_statements):
    few = make_session(capacity=1, booked=[make_user() for _ in range(3)])
    many = make_session(capacity=10, booked=[make_user() for _ in range(30)])
    login(trainer)
    client.get(participants_url(few))  # warm up what is kept per process

    with_few, _ = statements_for(client, count_statements, "GET", participants_url(few))
    with_many, statements = statements_for(client, count_statements, "GET", participants_url(many))

    assert with_many == with_few, statements
    # the person, the session with module and course, the trainers, the bookings, their people and the roles of
    # both, the counts by status
    assert with_few <= 7, statements
