"""A post kept from an erased account is named in proper German: "Beitrag eines ehemaligen Mitglieds", never
"Beitrag von ehemaliges Mitglied" – in the names screen readers hear, on the report page and in the mails."""

import html

from qualify.core.time import utcnow
from qualify.exchange import following, moderation, posting, spaces
from qualify.extensions import db
from qualify.privacy.services import erase_account
from tests.exchange.conftest import outbox


def readable(page: str) -> str:
    return html.unescape(page)


def test_a_kept_post_of_an_erased_account_is_named_in_the_genitive(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    thread = posting.start_thread(space, reader, "Frühschicht", "Wer noch?", anonymous=False, now=utcnow())
    post = posting.reply(thread, author, "Ich.", anonymous=False, now=utcnow())
    db.session.commit()
    erase_account(author, keep_posts=True, now=utcnow())
    db.session.commit()

    page = readable(client_for(reader).get(f"/austausch/faden/{thread.id}").text)
    assert "Beitrag eines ehemaligen Mitglieds vom " in page
    assert "von ehemaliges Mitglied" not in page and "von Ehemaliges Mitglied" not in page
    assert "Beitrag von Bruno Brenner vom " in page  # the others as ever

    browser = client_for(reader)
    asked = readable(browser.get(f"/austausch/beitrag/{post.id}/melden").text)
    assert "Sie melden einen Beitrag eines ehemaligen Mitglieds." in asked
    browser.post(f"/austausch/beitrag/{post.id}/melden", data={"reason": "Veraltet"})
    (mail,) = outbox(mod.email)
    assert "ein Beitrag eines ehemaligen Mitglieds im Gespräch „Frühschicht“ wurde gemeldet." in mail.body_text

    queue = readable(client_for(mod).get("/austausch/moderation").text)
    assert "Beitrag eines ehemaligen Mitglieds vom " in queue and "von ehemaliges Mitglied" not in queue


def test_a_waiting_post_of_an_erased_account_approved_later_is_mailed_in_the_genitive(
        make_space, author, reader):
    space = make_space(moderation="pre")
    mod = spaces.moderators_of(space)[0]
    thread = posting.start_thread(space, mod, "Frage", "Was hat sich verändert?", anonymous=False, now=utcnow())
    following.follow(thread, reader, mode="immediate", now=utcnow())
    post = posting.reply(thread, author, "Meine Antwort", anonymous=False, now=utcnow())
    db.session.commit()
    erase_account(author, keep_posts=True, now=utcnow())
    db.session.commit()

    moderation.approve(post, by=mod, now=utcnow())
    db.session.commit()
    (mail,) = outbox(reader.email)
    assert "gibt es einen neuen Beitrag eines ehemaligen Mitglieds:" in mail.body_text
    assert "von ehemaliges Mitglied" not in mail.body_text
