"""The moderator's folded tools above a thread look like something to open, not like a heading, on a desktop and
on a phone."""

import pytest
from playwright.sync_api import expect

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.exchange import posting, spaces
from qualify.extensions import db
from tests.browser.conftest import DESKTOP, PHONE


def marker(summary) -> str:
    return summary.evaluate("element => getComputedStyle(element, '::before').content")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_moderation_box_of_a_thread_shows_it_opens(make_page, make_user, sign_in, assert_accessible, viewport):
    moderator = make_user(Role.MODERATOR, name="Moderatorin Mia")
    space = spaces.create_space("Schichtarbeit und Familie", "Wie klappt es bei Ihnen?", organisation_id=None,
                                moderation="post", anonymous="allowed", by=moderator, now=utcnow())
    thread = posting.start_thread(space, make_user(), "Nachtschicht und Kita", "Die Kita öffnet erst um sieben.",
                                  anonymous=True, now=utcnow())
    db.session.commit()

    page = make_page(viewport=viewport)
    sign_in(page, moderator)
    page.goto(f"/austausch/faden/{thread.id}")
    summary = page.locator(".moderator-tools > summary")
    expect(summary).to_have_text("Moderation dieses Gesprächs")  # the sign is not read out with it
    assert "▸" in marker(summary)
    summary.click()
    expect(page.get_by_role("link", name="Zusammenführen …")).to_be_visible()
    assert "▾" in marker(summary)
    assert_accessible(page)
