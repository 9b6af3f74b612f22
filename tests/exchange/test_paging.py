"""Long lists of the exchange come a page at a time: a space of 2,000 threads was one page of 350 KB."""

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.exchange import posting, views
from qualify.extensions import db


def test_a_space_lists_its_threads_a_page_at_a_time(make_space, make_user, client_for, monkeypatch):
    monkeypatch.setattr(views, "THREADS_PER_PAGE", 3)
    space = make_space(moderation="post")
    author = make_user()
    for n in range(5):
        posting.start_thread(space, author, f"Gespräch Nummer {n}", "Text", anonymous=False, now=utcnow())
    db.session.commit()
    client = client_for(make_user())
    first = client.get(f"/austausch/raum/{space.id}").text
    assert [n for n in range(5) if f"Gespräch Nummer {n}" in first] == [2, 3, 4]  # the latest first
    assert f"/austausch/raum/{space.id}?seite=2#gespraeche" in first
    second = client.get(f"/austausch/raum/{space.id}?seite=2").text
    assert [n for n in range(5) if f"Gespräch Nummer {n}" in second] == [0, 1]
    assert "?seite=3" not in second and "Noch keine Gespräche" not in second


def test_the_followed_threads_come_a_page_at_a_time(make_space, make_user, client_for, monkeypatch):
    monkeypatch.setattr(views, "THREADS_PER_PAGE", 2)
    space = make_space(moderation="post")
    author = make_user()
    for n in range(3):
        posting.start_thread(space, author, f"Gefolgt {n}", "Text", anonymous=False, now=utcnow())
    db.session.commit()
    client = client_for(author)  # who writes follows
    first = client.get("/austausch/benachrichtigungen").text
    second = client.get("/austausch/benachrichtigungen?seite=2").text
    assert sum(f"Gefolgt {n}" in first for n in range(3)) == 2 and "?seite=2" in first
    assert sum(f"Gefolgt {n}" in second for n in range(3)) == 1


def test_the_queue_shows_the_oldest_waiting_posts_and_says_more_wait(make_space, make_user, client_for, monkeypatch):
    from qualify.exchange import moderation_views

    monkeypatch.setattr(moderation_views, "QUEUE_SIZE", 2)
    moderator = make_user(Role.MODERATOR)
    space = make_space(moderation="pre", by=moderator)
    for n in range(3):
        posting.start_thread(space, make_user(), f"Wartet Nummer {n}", "Bitte freigeben", anonymous=False,
                             now=utcnow())
    db.session.commit()
    page = client_for(moderator).get("/austausch/moderation").text
    assert [n for n in range(3) if f"Wartet Nummer {n}" in page] == [0, 1]
    assert "(2+)" in page and "Weitere Beiträge warten" in page
