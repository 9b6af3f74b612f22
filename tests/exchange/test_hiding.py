"""Hiding a post: the moderator learns which replies still show its words in a quote, and sees what is hidden."""

import re

import pytest

from qualify.core.time import utcnow
from qualify.exchange import moderation, posting, reading, spaces
from qualify.extensions import db

SHOUTED = "Der Schichtleiter hat gestern wieder die ganze Linie angebrüllt."


@pytest.fixture
def quoted(make_space, author, reader, make_user):
    """A post, a reply quoting it as "Zitieren" prefills, and a reply that does not quote it."""
    space = make_space(moderation="post")
    thread = posting.start_thread(space, author, "Ton in der Frühschicht", SHOUTED, anonymous=True, now=utcnow())
    post = thread.posts[0]
    quoting = posting.reply(thread, reader, reading.quote(post) + "Genau so war es.", anonymous=False, now=utcnow(),
                            reply_to=post)
    other = posting.reply(thread, make_user(), "Bei uns ist es ruhig.", anonymous=False, now=utcnow())
    db.session.commit()
    return space, post, quoting, other


def test_hiding_a_post_names_the_replies_that_quote_it_with_links(quoted, client_for):
    space, post, quoting, other = quoted
    mod = spaces.moderators_of(space)[0]

    page = client_for(mod).post(f"/austausch/beitrag/{post.id}/ausblenden", data={"reason": "Beleidigung"},
                                follow_redirects=True).text

    warning = re.search(r'<p class="flash flash-warning">(.*?)</p>', page, re.DOTALL).group(1)
    assert "zitieren den ausgeblendeten Beitrag" in warning
    assert f'href="/austausch/faden/{post.thread_id}#beitrag-{quoting.id}"' in warning
    assert f"#beitrag-{other.id}" not in warning
    # And on the thread, for the moderators, the reply says so until it is dealt with.
    assert page.count("Zitiert einen ausgeblendeten Beitrag") == 1


def test_members_do_not_see_which_reply_quotes_a_hidden_post(quoted, reader, client_for):
    space, post, _quoting, _other = quoted
    moderation.hide(post, "Beleidigung", by=spaces.moderators_of(space)[0], now=utcnow())
    db.session.commit()
    assert "Zitiert einen ausgeblendeten Beitrag" not in client_for(reader).get(
        f"/austausch/faden/{post.thread_id}").text


def test_hiding_a_post_nobody_quoted_says_nothing_more(quoted, client_for):
    space, _post, _quoting, other = quoted
    page = client_for(spaces.moderators_of(space)[0]).post(
        f"/austausch/beitrag/{other.id}/ausblenden", data={"reason": "Werbung"}, follow_redirects=True).text
    assert "Ausgeblendet." in page and "flash-warning" not in page


def test_a_quote_is_found_by_its_words_not_by_a_short_line_others_write_too(quoted, make_user):
    _space, post, quoting, _other = quoted
    thread = post.thread
    by_hand = posting.reply(thread, make_user(), f"> {SHOUTED}\n\nDas stimmt nicht.", anonymous=False,
                            now=utcnow())  # copied without "Zitieren": a long line of it
    thanks = posting.reply(thread, make_user(), "Danke!", anonymous=False, now=utcnow())
    just_thanks = posting.reply(thread, make_user(), "> Danke!\n\nGern.", anonymous=False, now=utcnow())
    emptied = posting.reply(thread, make_user(), "Ganz ohne Zitat.", anonymous=False, now=utcnow(), reply_to=post)
    db.session.commit()
    assert reading.quotes(quoting, post) and reading.quotes(by_hand, post)
    assert not reading.quotes(emptied, post)  # answers it, shows none of its words
    assert not reading.quotes(just_thanks, thanks)  # a line anybody writes, without "Zitieren"'s header
    assert [reply.id for reply in reading.quoting_replies(post)] == [quoting.id, by_hand.id]


def test_the_moderators_thread_list_marks_a_thread_whose_first_post_is_hidden(quoted, reader, client_for):
    space, post, _quoting, _other = quoted
    mod = spaces.moderators_of(space)[0]
    moderation.hide(post, "Beleidigung", by=mod, now=utcnow())
    db.session.commit()
    item = re.search(r'Ton in der Frühschicht</a>\s*<span class="meta">(.*?)</span>\s*</li>',
                     client_for(mod).get(f"/austausch/raum/{space.id}").text, re.DOTALL).group(1)
    assert '<span class="status status-draft">ausgeblendet</span>' in item
    members_page = client_for(reader).get(f"/austausch/raum/{space.id}").text
    assert "Gespräch ausgeblendet" in members_page and ">ausgeblendet</span>" not in members_page


def test_the_queue_marks_a_waiting_reply_that_quotes_a_hidden_post(make_space, author, reader, make_user,
                                                                   client_for):
    # Approved from the queue, the reply would show the hidden words again; the moderator who hid the post was told,
    # another moderator reading the queue later was not.
    space = make_space(moderation="pre")
    mod = spaces.moderators_of(space)[0]
    thread = posting.start_thread(space, author, "Ton in der Frühschicht", "Wie ist es bei Ihnen?", anonymous=False,
                                  now=utcnow())
    moderation.approve(thread.posts[0], by=mod, now=utcnow())
    shouted = posting.reply(thread, make_user(), SHOUTED, anonymous=True, now=utcnow())
    moderation.approve(shouted, by=mod, now=utcnow())
    quoting = posting.reply(thread, reader, reading.quote(shouted) + "Genau so war es.", anonymous=False,
                            now=utcnow(), reply_to=shouted)
    posting.reply(thread, make_user(), "Bei uns ist es ruhig.", anonymous=False, now=utcnow())
    moderation.hide(shouted, "Beleidigung", by=mod, now=utcnow())
    db.session.commit()

    page = client_for(mod).get("/austausch/moderation").text

    assert page.count("Zitiert einen ausgeblendeten Beitrag") == 1
    item = page[page.index(f'id="beitrag-{quoting.id}"'):]
    assert item.index("Zitiert einen ausgeblendeten Beitrag") < item.index("</article>")
    assert f'href="/austausch/faden/{thread.id}#beitrag-{shouted.id}"' in item
