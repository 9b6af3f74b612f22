"""Minutes waiting for approval – never approved yet, or a change of approved ones – count among what waits for the
moderators: on the start page's tile, beside "Moderation" in the navigation, in the queue (a link to where they are
approved) and in the working-day reminder (how many and since when, never their words or whom they name)."""

from datetime import time, timedelta

from qualify.accounts.roles import Role
from qualify.core.time import to_local, utcnow
from qualify.exchange import minutes, minutes_names, posting
from qualify.exchange.waiting import waiting_by_space, waiting_for
from qualify.extensions import db
from qualify.workshops import schedule
from tests.exchange.conftest import assert_no_identity, assign
from tests.exchange.test_budgets import statements
from tests.exchange.test_moderator_reminders import MONDAY, morning, remind, reminders
from tests.exchange.test_waiting_on_the_start_page import START_PAGE_BUDGET, navigation, tile

TEXT = "Die Spätschicht wünscht sich längere Pausen"
CHANGED = "Die Spätschicht bekommt längere Pausen"


def draft(session, space, moderator, text: str = TEXT, named=(), *, now=None):
    record = minutes.save_minutes(session, space, {"topics": text}, list(named), by=moderator, now=now or utcnow())
    db.session.commit()
    return record


def approved(session, space, moderator, named=()):
    record = draft(session, space, moderator, named=named)
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    db.session.commit()
    return record


def more_sessions(exchange_module, moderator, count: int, *, first_day: int = 14):
    plan = schedule.SessionPlan(start_time=time(14), end_time=time(15), capacity=10, trainers=[moderator])
    days = [(utcnow() + timedelta(days=first_day + 7 * n)).date() for n in range(count)]
    sessions = schedule.create_sessions(exchange_module, plan, days, by=moderator, now=utcnow())
    db.session.commit()
    return sessions


def test_approved_minutes_without_a_change_do_not_wait(session, space, moderator):
    approved(session, space, moderator)
    assert waiting_for(moderator).minutes == 0 and waiting_for(moderator).total == 0
    assert space.id not in waiting_by_space()


def test_a_change_of_approved_minutes_waits_for_the_moderators(session, space, moderator, client_for):
    approved(session, space, moderator)
    draft(session, space, moderator, CHANGED)

    page = client_for(moderator).get("/").text

    assert "<p>1 Protokoll wartet auf Freigabe</p>" in tile(page)
    assert "Zurzeit wartet nichts." not in tile(page)
    assert "(1<span" in navigation(page)


def test_minutes_never_approved_wait_too_and_are_counted_with_the_changes(
        session, exchange_module, space, moderator, client_for):
    approved(session, space, moderator)
    draft(session, space, moderator, CHANGED)
    (later,) = more_sessions(exchange_module, moderator, 1)
    draft(later, space, moderator)

    assert waiting_for(moderator).minutes == 2
    page = client_for(moderator).get("/").text
    assert "<p>2 Protokolle warten auf Freigabe</p>" in tile(page)
    assert "(2<span" in navigation(page)


def test_minutes_are_counted_with_posts_and_only_in_my_spaces(session, space, moderator, author, make_space,
                                                             make_user):
    draft(session, space, moderator)
    elsewhere = make_space(title="Schichtarbeit und Familie")
    posting.start_thread(elsewhere, author, "Kita", "Erst ab sieben.", anonymous=False, now=utcnow())
    posting.start_thread(space, author, "Kantine", "Zu früh zu.", anonymous=False, now=utcnow())
    db.session.commit()

    waiting = waiting_for(moderator)
    assert (waiting.posts, waiting.minutes, waiting.total) == (1, 1, 2)
    assert waiting_for(make_user(Role.MODERATOR)).total == 0  # moderates nothing


def test_an_admin_who_moderates_counts_the_minutes_of_every_space(session, space, moderator, make_user):
    draft(session, space, moderator)
    admin = make_user(Role.MODERATOR, Role.ADMIN, name="Admin Ada")
    assert waiting_for(admin).minutes == 1


def test_a_draft_waits_for_every_moderator_of_its_space_its_writer_too_as_its_writer_may_approve_it(
        session, space, moderator, make_user, client_for, count_statements):
    """No second pair of eyes: a moderator approves minutes they wrote as any moderator of the space may, so a draft
    they saved waits for them as for the others – in one statement for either (a space with one moderator would
    otherwise hear of its drafts from nobody)."""
    colleague = make_user(Role.MODERATOR, name="Moderator Max")
    assign(space, colleague)
    record = draft(session, space, moderator)

    costs = []
    for person in (moderator, colleague):
        client = client_for(person)
        client.get("/")  # warm up what is kept per process
        with count_statements() as counter:
            page = client.get("/").text
        assert "<p>1 Protokoll wartet auf Freigabe</p>" in tile(page) and "(1<span" in navigation(page)
        costs.append(counter.count)
    assert costs[0] == costs[1] <= START_PAGE_BUDGET

    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())  # its writer approves it
    db.session.commit()
    assert waiting_for(moderator).total == waiting_for(colleague).total == 0


def test_the_start_page_costs_the_same_with_no_one_and_four_waiting_minutes(
        session, exchange_module, space, moderator, client_for, count_statements):
    client = client_for(moderator)

    def cost() -> int:
        client.get("/")  # warm up what is kept per process
        with count_statements() as counter:
            assert client.get("/").status_code == 200
        return counter.count

    with_none = cost()
    draft(session, space, moderator)
    with_one = cost()
    for later in more_sessions(exchange_module, moderator, 3):
        draft(later, space, moderator)
    assert "<p>4 Protokolle warten auf Freigabe</p>" in tile(client.get("/").text)
    assert with_none == with_one == cost() <= START_PAGE_BUDGET


def test_the_queue_links_each_waiting_minutes_to_where_they_are_approved(
        session, exchange_module, space, moderator, client_for):
    approved(session, space, moderator)
    draft(session, space, moderator, CHANGED)
    (later,) = more_sessions(exchange_module, moderator, 1)
    draft(later, space, moderator)
    (done,) = more_sessions(exchange_module, moderator, 1, first_day=21)
    approved(done, space, moderator)

    page = client_for(moderator).get("/austausch/moderation").text

    section = page[page.index('id="protokolle"'):page.index('id="meldungen"')]
    assert "(2)" in section
    assert f'href="/austausch/termin/{session.id}/protokoll"' in section
    assert "veröffentlicht – eine Änderung wartet auf Freigabe" in section
    assert f'href="/austausch/termin/{later.id}/protokoll"' in section
    assert "Entwurf – noch nicht sichtbar" in section
    assert f"/termin/{done.id}/" not in section
    assert CHANGED not in page and TEXT not in page  # read and approved on the minutes page


def test_the_queue_shows_no_minutes_section_when_none_wait(session, space, moderator, client_for):
    approved(session, space, moderator)
    page = client_for(moderator).get("/austausch/moderation").text
    assert 'id="protokolle"' not in page


def test_the_queue_costs_the_same_with_1_and_4_waiting_minutes(exchange_module, space, make_user, client_for,
                                                               count_statements):
    moderator = make_user(Role.MODERATOR)
    assign(space, moderator)
    client = client_for(moderator)
    counts = []
    for first_day, count in ((7, 1), (8, 3)):
        for later in more_sessions(exchange_module, moderator, count, first_day=first_day):
            draft(later, space, moderator)
        counts.append(statements(client, "/austausch/moderation", count_statements))
    assert client.get("/austausch/moderation").text.count('id="protokoll-') == 4
    assert counts[0] == counts[1]


def test_the_reminder_lists_waiting_minutes_per_space_since_the_oldest_came_to_wait(
        session, exchange_module, space, moderator, reader):
    minutes_names.set_consent(session, reader, True, now=utcnow())
    saved_at = utcnow() - timedelta(days=3)
    draft(session, space, moderator, named=[reader.id], now=saved_at)
    (later,) = more_sessions(exchange_module, moderator, 1)
    draft(later, space, moderator, CHANGED)

    assert remind(morning(MONDAY)) == 1

    (mail,) = reminders(moderator)
    body = mail.body_text
    assert f"== {space.title} ==" in body
    assert "- 2 Protokolle warten auf Freigabe" in body
    assert "Beitrag" not in body and "Meldung" not in body
    assert f"Das Älteste wartet seit {to_local(saved_at):%d.%m.%Y, %H:%M}." in body
    for said in (mail.subject, body):
        assert TEXT not in said and CHANGED not in said and "Spätschicht" not in said
        assert_no_identity(said, reader)  # named in the minutes


def test_nobody_is_reminded_of_minutes_once_approved(session, space, moderator):
    approved(session, space, moderator)
    assert remind(morning(MONDAY)) == 0
