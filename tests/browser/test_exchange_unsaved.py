"""A post typed in the exchange is not lost without a word: "Wer sieht was?" beside the field leads to another
page, and the browser asks before the typed text goes with it; sending the post does not ask. A post or an edit
refused and shown again counts as typed."""

from playwright.sync_api import expect

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.exchange import posting, spaces
from qualify.extensions import db
from tests.browser.test_authoring_unsaved import WOULD_ASK


def test_leaving_a_typed_reply_for_the_privacy_page_asks_first_and_sending_it_does_not(
        make_page, make_user, sign_in, assert_accessible):
    moderator = make_user(Role.MODERATOR, name="Moderator Max")
    writer = make_user(name="Bruno Brenner")
    space = spaces.create_space("Schichtarbeit und Familie", "Wie klappt es bei Ihnen?", organisation_id=None,
                                moderation="post", anonymous="allowed", by=moderator, now=utcnow())
    thread = posting.start_thread(space, moderator, "Nachtschicht und Kita", "Wie geht es Ihnen damit?",
                                  anonymous=False, now=utcnow())
    db.session.commit()

    page = make_page()
    sign_in(page, writer)
    page.goto(f"/austausch/faden/{thread.id}")
    assert page.evaluate(WOULD_ASK) is False  # nothing typed yet: the link just leads on
    page.get_by_label("Ihr Beitrag").fill("Bei uns gibt es einen Betriebskindergarten.")
    assert page.evaluate(WOULD_ASK) is True

    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Wer sieht was?").click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    expect(page.get_by_label("Ihr Beitrag")).to_have_value("Bei uns gibt es einen Betriebskindergarten.")
    assert_accessible(page)

    page.get_by_role("button", name="Antwort senden").click()
    expect(page.locator("article").filter(has_text="Betriebskindergarten")).to_be_visible()
    assert asked == ["beforeunload"]  # the post's own form leaves without asking
    assert page.evaluate(WOULD_ASK) is False


def test_a_new_thread_typed_is_guarded_too(make_page, make_user, sign_in):
    moderator = make_user(Role.MODERATOR, name="Moderator Max")
    space = spaces.create_space("Schichtarbeit und Familie", "Wie klappt es bei Ihnen?", organisation_id=None,
                                moderation="post", anonymous="allowed", by=moderator, now=utcnow())
    db.session.commit()
    page = make_page()
    sign_in(page, make_user())
    page.goto(f"/austausch/raum/{space.id}/neu")
    page.get_by_label("Ihr Beitrag").fill("Die Kita öffnet erst um sieben.")
    assert page.evaluate(WOULD_ASK) is True


def test_an_edit_refused_and_shown_again_asks_before_it_is_left(make_page, make_user, sign_in):
    # The text on the page is what was sent and refused, not what is saved: untouched since, it is lost all the same.
    moderator = make_user(Role.MODERATOR, name="Moderator Max")
    writer = make_user(name="Bruno Brenner")
    space = spaces.create_space("Schichtarbeit und Familie", "Wie klappt es bei Ihnen?", organisation_id=None,
                                moderation="post", anonymous="allowed", by=moderator, now=utcnow())
    thread = posting.start_thread(space, writer, "Nachtschicht und Kita", "Die Kita öffnet erst um sieben.",
                                  anonymous=False, now=utcnow())
    db.session.commit()
    page = make_page()
    sign_in(page, writer)
    page.goto(f"/austausch/beitrag/{thread.posts[0].id}/bearbeiten")
    assert page.evaluate(WOULD_ASK) is False  # the saved text: nothing to lose
    typed = "Die Kita öffnet erst um sieben. " * 700  # too long: refused, and shown again as typed
    page.get_by_label("Ihr Beitrag").fill(typed)
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".form-errors")).to_contain_text("Ihr Text ist zu lang")

    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Abbrechen").click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    expect(page.get_by_label("Ihr Beitrag")).to_have_value(typed)
