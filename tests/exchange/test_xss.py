"""Hostile input in posts, titles, reasons and minutes is stored and shown inert."""

from qualify.core.time import utcnow
from qualify.exchange import minutes_text, moderation, posting, pseudonyms
from qualify.exchange.text import render_post_body
from qualify.extensions import db

SCRIPT = '<script>alert("x")</script>'
IMG = '<img src=x onerror=alert(1)>'
LINK = "[klick](javascript:alert(1))"


def assert_inert(text: str) -> None:
    assert "<script>" not in text
    assert "<img src=x" not in text
    assert 'href="javascript:' not in text


def test_post_body_is_stored_and_shown_inert(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    thread = posting.start_thread(space, author, "Titel", f"{SCRIPT}\n\n{IMG}\n\n{LINK}", anonymous=False,
                                  now=utcnow())
    db.session.commit()
    assert_inert(thread.posts[0].body_html)
    page = client_for(reader).get(f"/austausch/faden/{thread.id}").text
    assert_inert(page)
    assert "&lt;script&gt;" in page


def test_thread_title_is_escaped_everywhere(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    thread = posting.start_thread(space, author, SCRIPT, "Text", anonymous=False, now=utcnow())
    db.session.commit()
    client = client_for(reader)
    for url in (f"/austausch/faden/{thread.id}", f"/austausch/raum/{space.id}"):
        page = client.get(url).text
        assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_reason_shown_to_the_author_is_escaped(space, moderator, author, client_for):
    thread = posting.start_thread(space, author, "Titel", "Text", anonymous=False, now=utcnow())
    db.session.commit()
    moderation.reject(thread.posts[0], SCRIPT, by=moderator, now=utcnow())
    db.session.commit()
    page = client_for(author).get(f"/austausch/faden/{thread.id}").text
    assert "<script>alert" not in page


def test_pseudonyms_are_plain_words_and_escaped(make_space, make_user, reader, client_for):
    space = make_space(moderation="post")
    names = [pseudonyms.pseudonym_for(space, make_user()) for _ in range(20)]
    assert all(name.replace(" ", "").isalnum() for name in names)
    author = make_user()
    thread = posting.start_thread(space, author, "Titel", "Text", anonymous=True, now=utcnow())
    db.session.commit()
    page = client_for(reader).get(f"/austausch/faden/{thread.id}").text
    assert f">{thread.posts[0].pseudonym}<" in page


def test_space_description_is_rendered_inert(make_space, reader, client_for):
    space = make_space(moderation="post")
    space.description_html = str(render_post_body(SCRIPT + "\n\n" + LINK))
    db.session.commit()
    assert_inert(client_for(reader).get(f"/austausch/raum/{space.id}").text)


def test_minutes_are_rendered_inert():
    html = str(minutes_text.render_minutes({"topics": SCRIPT, "outcomes": IMG, "open_questions": LINK,
                                       "next_steps": "ok"}))
    assert_inert(html)
    assert '<h3 data-section="topics">Besprochene Themen</h3>' in html
