"""Keyboard and screen reader after an action: the focus goes where the action led (a post, a row, the results)
and its message, present when the page loads, is said once more in a live region and shown again beside the focus;
Escape closes a disclosure."""

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.accounts.services import create_organisation
from qualify.core.time import utcnow
from qualify.exchange import posting, spaces
from qualify.exchange.models import ExchangePost
from qualify.extensions import db
from qualify.reports.rollup import refresh_rollups
from qualify.workshops import schedule
from qualify.workshops import services as workshops
from tests.reports.conftest import FEB, JAN, NOW, Record


def announcement(page):
    """The live region app.js fills with what a page says after an action (made only when there is something)."""
    return page.locator("#ansage[role=status][aria-live=polite]")


def shown_beside(page, place: str):
    """The copy of the message app.js puts where the focus is (in a post, or a row of its own before a table's
    row): for eyes only – screen readers hear the message once, from the live region."""
    target = page.locator(f"#{place}")
    inside = target.locator(":scope > .flashes-here")
    copy = inside if inside.count() else target.locator("xpath=preceding-sibling::tr[1][@class='flashes-here-row']")
    expect(copy).to_be_in_viewport()
    expect(copy).to_have_attribute("aria-hidden", "true")
    expect(copy.locator("[role], [aria-live]")).to_have_count(0)
    return copy


def focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def press_button(page, name: str) -> None:
    page.get_by_role("button", name=name).focus()
    page.keyboard.press("Enter")


def fragment(page, pattern: str) -> str:
    """Wait for the page the action led to, at its #place, and return that place's id."""
    page.wait_for_url(re.compile(f"#{pattern}$"))
    return page.url.rsplit("#", 1)[1]


@pytest.fixture
def thread(make_user):
    moderator = make_user(Role.MODERATOR)
    space = spaces.create_space("Schichtarbeit", "", organisation_id=None, moderation="post", anonymous="forbidden",
                                by=moderator, now=utcnow())
    thread = posting.start_thread(space, make_user(name="Kowalczyk Anneliese"), "Kantine", "Zu früh zu.",
                                  anonymous=False, now=utcnow())
    db.session.commit()
    return thread


@pytest.fixture
def workshop(practical_day, make_user):
    """A workshop with one seat in three days, led by Trainerin Tina: Anna has the seat, Ben waits."""
    module = practical_day
    trainer = make_user(Role.TRAINER, name="Trainerin Tina")
    plan = schedule.SessionPlan(start_time=time(10), end_time=time(13), capacity=1, place="Schulungshalle 2",
                                trainers=[trainer])
    (session,) = schedule.create_sessions(module, plan, [(utcnow() + timedelta(days=3)).date()], by=trainer,
                                          now=utcnow())
    anna, ben = make_user(name="Anna Auer"), make_user(name="Ben Berg")
    workshops.book(session, anna, now=utcnow())
    workshops.book(session, ben, now=utcnow())
    db.session.commit()
    return session, trainer


# --- back at the #place an action was about ----------------------------------------------------------------

def test_after_a_reply_the_focus_is_on_the_reply_and_the_thanks_are_said(page, make_user, sign_in, thread,
                                                                        assert_accessible):
    sign_in(page, make_user(name="Bruno Brenner"))
    page.goto(f"/austausch/faden/{thread.id}")
    page.get_by_label("Ihr Beitrag").fill("Bei uns gibt es einen Betriebskindergarten.")
    press_button(page, "Antwort senden")

    reply = fragment(page, r"beitrag-\d+")
    expect(page.locator(f"article#{reply}")).to_be_focused()
    expect(page.locator(f"article#{reply}")).to_contain_text("Betriebskindergarten")
    expect(announcement(page)).to_have_text("Danke! Ihre Antwort ist jetzt für alle im Raum sichtbar.")
    expect(shown_beside(page, reply)).to_have_text("Danke! Ihre Antwort ist jetzt für alle im Raum sichtbar.")
    assert_accessible(page)
    page.keyboard.press("Tab")  # on from the reply, not from the top of the page
    assert page.evaluate("document.activeElement.closest('article')?.id") == reply


def test_after_reporting_a_post_the_focus_is_back_on_that_post(page, make_user, sign_in, thread,
                                                              assert_accessible):
    sign_in(page, make_user(name="Bruno Brenner"))
    page.goto(f"/austausch/faden/{thread.id}")
    page.locator("article").filter(has_text="Zu früh zu.").get_by_role("link", name="Melden").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Grund")).to_be_focused()
    page.keyboard.type("Klingt nach einer bestimmten Kollegin")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    post = fragment(page, r"beitrag-\d+")
    expect(page.locator(f"article#{post}")).to_be_focused()
    expect(page.locator(f"article#{post}")).to_contain_text("Zu früh zu.")
    expect(announcement(page)).to_have_text("Danke. Die Moderation sieht sich den Beitrag an.")
    expect(shown_beside(page, post)).to_have_text("Danke. Die Moderation sieht sich den Beitrag an.")
    assert_accessible(page)


def test_after_giving_a_seat_the_focus_is_on_the_persons_row_and_both_messages_are_said(
        page, sign_in, workshop, assert_accessible):
    session, trainer = workshop
    sign_in(page, trainer)
    page.goto(f"/termine/{session.id}/teilnehmende")
    page.get_by_text("Platz geben …").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Ja, Platz geben")).to_be_focused()
    page.keyboard.press("Enter")

    row = fragment(page, r"b\d+")
    expect(page.locator(f"tr#{row}")).to_be_focused()
    expect(page.locator(f"tr#{row}")).to_contain_text("Ben Berg")
    expect(announcement(page)).to_have_text(
        "Ben Berg hat einen Platz bekommen und ist per E-Mail benachrichtigt. "
        "Der Termin ist jetzt mit 2 von 1 Plätzen überbucht.")
    copy = shown_beside(page, row)
    expect(copy).to_contain_text("Ben Berg hat einen Platz bekommen")
    expect(copy).to_contain_text("überbucht")
    assert_accessible(page)


def test_the_attendance_list_still_returns_to_the_person_just_marked(page, sign_in, workshop):
    session, trainer = workshop
    length = session.ends_at - session.starts_at
    session.starts_at = utcnow() + timedelta(minutes=30)  # attendance opens an hour before the start
    session.ends_at = session.starts_at + length
    db.session.commit()
    sign_in(page, trainer)
    page.goto(f"/termine/{session.id}/anwesenheit")
    page.get_by_role("button", name="anwesend – Anna Auer").focus()
    page.keyboard.press("Enter")

    row = fragment(page, r"b\d+")
    expect(page.locator(f"li#{row}")).to_be_focused()
    expect(page.locator(f"li#{row}").get_by_role("button", name="anwesend")).to_have_attribute(
        "aria-pressed", "true")


def test_a_link_to_a_post_without_a_message_is_left_to_the_browser(page, make_user, sign_in, thread):
    sign_in(page, make_user())
    opening = db.session.scalar(select(ExchangePost.id).where(ExchangePost.thread_id == thread.id))
    page.goto(f"/austausch/faden/{thread.id}#beitrag-{opening}")
    expect(page.locator("body")).to_be_focused()
    expect(announcement(page)).to_have_count(0)


# --- a field with autofocus keeps the focus; the message is said -------------------------------------------

def test_after_signing_out_the_confirmation_is_said_while_the_email_field_has_the_focus(page, make_user, sign_in,
                                                                                      assert_accessible):
    sign_in(page, make_user())
    press_button(page, "Abmelden")

    expect(page).to_have_url(re.compile("/anmelden$"))
    expect(page.get_by_label("E-Mail-Adresse")).to_be_focused()
    expect(announcement(page)).to_have_text("Sie sind abgemeldet.")
    assert_accessible(page)


# --- Escape closes any disclosure ---------------------------------------------------------------------------

def test_escape_closes_the_disclosure_around_the_focus_and_returns_to_its_summary(page, make_user, sign_in,
                                                                                  thread):
    sign_in(page, make_user())
    page.goto(f"/austausch/faden/{thread.id}")
    follow = page.locator("details.follow-box")
    follow.locator("summary").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(follow.get_by_label("bei jedem neuen Beitrag")).to_be_focused()
    page.keyboard.press("Escape")
    expect(follow).not_to_have_attribute("open", "")
    expect(follow.get_by_label("bei jedem neuen Beitrag")).to_be_hidden()
    expect(follow.locator("summary")).to_be_focused()


# --- the results of a filter --------------------------------------------------------------------------------

def test_after_searching_the_catalogue_the_focus_is_on_the_count_and_it_is_said(page, make_user, sign_in,
                                                                               demo_courses, assert_accessible):
    sign_in(page, make_user())
    page.goto("/kurse/")
    expect(page.locator("body")).to_be_focused()  # a plain visit starts at the top, and says nothing
    expect(announcement(page)).to_have_count(0)

    page.get_by_label("Suche", exact=True).focus()
    page.keyboard.type("Hochvolt")
    page.keyboard.press("Enter")

    count = page.locator("[data-results]")
    expect(count).to_be_focused()
    expect(count).to_have_text("1 Kurs")
    expect(announcement(page)).to_have_text("1 Kurs")
    assert_accessible(page)
    page.keyboard.press("Tab")
    expect(page.locator(".course-list").get_by_role("link").first).to_be_focused()

    page.reload()  # not sent again: a plain visit of the same results
    expect(page.locator("body")).to_be_focused()
    expect(announcement(page)).to_have_count(0)


def test_after_filtering_the_dates_the_focus_is_on_the_count_and_it_is_said(page, make_user, sign_in, workshop,
                                                                           assert_accessible):
    sign_in(page, make_user())
    page.goto("/termine/")
    expect(announcement(page)).to_have_count(0)
    page.get_by_label("Ort").focus()
    page.keyboard.type("Halle")
    page.keyboard.press("Enter")

    count = page.locator("[data-results]")
    expect(count).to_be_focused()
    expect(announcement(page)).to_have_text("1 Termin")
    assert_accessible(page)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name=re.compile("^Praxistag"))).to_be_focused()


def test_after_filtering_the_participation_report_its_notice_is_focused_and_said(page, make_user, sign_in,
                                                                                assert_accessible):
    firma = create_organisation("muster", "Muster Antriebstechnik GmbH", ["Montage", "Labor"])
    record = Record(iter(range(1, 10_000)))
    course = record.course("Hochvolt-Sicherheit")
    for unit, size in zip(firma.units, (20, 3), strict=True):
        people = record.people(firma, unit, size)
        record.enrol(people, course, JAN)
        record.complete_module(people[: size // 2], course, FEB)
    works_council = make_user(Role.WORKS_COUNCIL, organisation=firma)
    db.session.commit()
    refresh_rollups(NOW)
    db.session.commit()
    sign_in(page, works_council)
    page.goto("/berichte/beteiligung")
    expect(page.locator("body")).to_be_focused()
    expect(announcement(page)).to_have_count(0)

    page.get_by_label("Einheit").select_option(label="Labor")
    press_button(page, "Anzeigen")

    notice = page.locator(".report-withheld p").first
    expect(notice).to_be_focused()
    expect(notice).to_contain_text("Alle Zahlen dieser Auswahl sind geschützt.")
    expect(announcement(page)).to_contain_text("Alle Zahlen dieser Auswahl sind geschützt.")
    expect(announcement(page)).to_contain_text("Überblick")
    assert_accessible(page)
