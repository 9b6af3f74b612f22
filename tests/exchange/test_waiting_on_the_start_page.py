"""The start page's moderation tile and the navigation's "Moderation" say how much waits in the spaces the person
moderates – one statement, however much waits."""

import pytest
from sqlalchemy import delete

from qualify.accounts.models import UserRole
from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.exchange import following, moderation, posting
from qualify.extensions import db
from tests.exchange.conftest import assign

NOTHING_WAITS = "Zurzeit wartet nichts."
# The start page of a moderator: the person with their roles, the courses to continue, the next session, the
# sessions they lead today, and what waits (one statement, for the tile and the navigation both).
START_PAGE_BUDGET = 5


def wait(space, author, n: int = 1, *, start: int = 0) -> None:
    for number in range(start, start + n):
        posting.start_thread(space, author, f"Frage {number}", "Wie ist es bei euch?", anonymous=number % 2 == 0,
                             now=utcnow())
    db.session.commit()


def tile(page: str) -> str:
    """The moderation's card on the start page."""
    start = page.index('<a class="card card-link" href="/austausch/moderation">')
    return page[start:page.index("</a>", start)]


def navigation(page: str) -> str:
    start = page.index('id="hauptnavigation"')
    return page[start:page.index("</nav>", start)]


def test_the_tile_and_the_navigation_count_what_waits_in_my_spaces(space, moderator, author, reader, make_space,
                                                                   client_for):
    wait(space, author, 2)
    published = posting.start_thread(space, reader, "Kantine", "Zu früh zu.", anonymous=False, now=utcnow())
    moderation.approve(published.posts[0], by=moderator, now=utcnow())
    following.flag(published.posts[0], author, "Unfreundlich", now=utcnow())
    posting.edit_post(published.posts[0], reader, "Zu früh zu, leider.", now=utcnow())
    wait(make_space(title="Schichtarbeit und Familie"), author, 5)  # not theirs to moderate
    db.session.commit()

    page = client_for(moderator).get("/").text

    card = tile(page)
    assert "<p>2 Beiträge warten auf Freigabe</p>" in card
    assert "<p>1 Änderung wartet auf Freigabe</p>" in card
    assert "<p>1 Meldung ist offen</p>" in card
    assert NOTHING_WAITS not in card
    assert ('Moderation <span class="nav-count">(4<span class="visually-hidden"> offen</span>)</span>'
            in navigation(page))


def test_the_navigation_keeps_the_count_on_other_pages_and_follows_it(space, moderator, author, client_for):
    wait(space, author, 1)
    mod = client_for(moderator)
    assert "(1<span" in navigation(mod.get("/austausch/").text)

    wait(space, author, 1, start=1)
    assert "(2<span" in navigation(mod.get("/austausch/").text)  # not the navigation kept from before


def test_when_nothing_waits_the_tile_says_so_and_the_navigation_shows_no_count(space, moderator, client_for):
    page = client_for(moderator).get("/").text
    assert NOTHING_WAITS in tile(page)
    assert "nav-count" not in navigation(page)


def test_a_moderator_who_lost_the_role_has_no_tile(space, moderator, author, client_for):
    wait(space, author, 1)
    db.session.execute(delete(UserRole).where(UserRole.user_id == moderator.id, UserRole.role == "moderator"))
    db.session.commit()

    page = client_for(moderator).get("/").text
    assert "/austausch/moderation" not in page and "wartet auf Freigabe" not in page


def test_others_start_page_asks_nothing_about_the_moderation(space, author, reader, client_for, count_statements):
    wait(space, author, 1)
    client = client_for(reader)
    client.get("/")
    with count_statements() as counter:
        page = client.get("/").text
    assert "/austausch/moderation" not in page
    assert not [statement for statement in counter.statements if "exchange_" in statement]


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN])
def test_the_start_page_costs_the_same_with_1_and_50_waiting_posts(role, space, moderator, make_user, author,
                                                                    client_for, count_statements):
    person = moderator
    if role == Role.ADMIN:  # an admin who moderates too: every space counts, as in the queue
        person = make_user(Role.MODERATOR, Role.ADMIN, name="Admin Ada")
        assign(space, person)
    client = client_for(person)

    def cost() -> int:
        client.get("/")  # warm up what is kept per process
        with count_statements() as counter:
            assert client.get("/").status_code == 200
        statements[:] = counter.statements
        return counter.count

    statements = []
    wait(space, author, 1)
    with_one = cost()
    wait(space, author, 49, start=1)
    assert "<p>50 Beiträge warten auf Freigabe</p>" in tile(client.get("/").text)
    assert cost() == with_one
    assert with_one <= START_PAGE_BUDGET, statements
