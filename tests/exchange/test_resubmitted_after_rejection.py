"""A post sent back and revised by its author comes back to the queue saying so, with the reason it was sent back
for: the moderator sees whether the revision addressed it."""

import html
import re

from qualify.core.time import utcnow
from qualify.exchange import moderation, posting
from qualify.extensions import db

REASON = "Bitte keine Liniennummern nennen.\nUnd bitte ohne Namen."


def queue_item(page: str, post_id: int) -> str:
    item = re.search(rf'<article[^>]*id="beitrag-{post_id}".*?</article>', page, re.S).group(0)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", item).split()))


def test_a_post_revised_after_its_rejection_shows_in_the_queue_with_the_earlier_reason(
        space, moderator, author, client_for):
    post = posting.start_thread(space, author, "Cobots an Linie 4", "Meister Huber an Linie 4 sagt …",
                                anonymous=True, now=utcnow()).posts[0]
    moderation.reject(post, REASON, by=moderator, now=utcnow())
    db.session.commit()
    client_for(author).post(f"/austausch/beitrag/{post.id}/bearbeiten",
                            data={"body": "Ein Kollege sagt …", "title": "Cobots"})
    untouched = posting.start_thread(space, author, "Schichtpläne", "Wie plant ihr?", anonymous=False,
                                     now=utcnow()).posts[0]
    db.session.commit()

    page = client_for(moderator).get("/austausch/moderation").text

    item = queue_item(page, post.id)
    assert "Überarbeitet nach einer Ablehnung am" in item
    assert "Grund der Ablehnung: Bitte keine Liniennummern nennen. Und bitte ohne Namen." in item
    assert "Ein Kollege sagt …" in item
    assert author.display_name not in item  # written under a pseudonym: still only the pseudonym
    assert "Ablehnung" not in queue_item(page, untouched.id)


def test_the_last_rejection_is_the_one_shown(space, moderator, author, client_for):
    post = posting.start_thread(space, author, "Cobots", "Erste Fassung", anonymous=False, now=utcnow()).posts[0]
    moderation.reject(post, "Zu allgemein.", by=moderator, now=utcnow())
    posting.edit_post(post, author, "Zweite Fassung", now=utcnow())
    moderation.reject(post, "Noch immer ohne Beispiel.", by=moderator, now=utcnow())
    posting.edit_post(post, author, "Dritte Fassung, mit Beispiel", now=utcnow())
    db.session.commit()

    item = queue_item(client_for(moderator).get("/austausch/moderation").text, post.id)

    assert "Grund der Ablehnung: Noch immer ohne Beispiel." in item and "Zu allgemein." not in item


def approved_post(space, author, moderator, body="Wir tauschen Schichten über das Brett."):
    post = posting.start_thread(space, author, "Schichttausch", body, anonymous=True, now=utcnow()).posts[0]
    moderation.approve(post, by=moderator, now=utcnow())
    db.session.commit()
    return post


def test_a_change_of_an_approved_post_resubmitted_after_its_rejection_shows_the_earlier_reason(
        space, moderator, author, client_for):
    post = approved_post(space, author, moderator)
    posting.edit_post(post, author, "Meister Huber sagt, wir nehmen die App.", now=utcnow())
    moderation.reject_change(post, REASON, by=moderator, now=utcnow())
    db.session.commit()
    client_for(author).post(f"/austausch/beitrag/{post.id}/bearbeiten", data={"body": "Wir nehmen jetzt die App."})
    untouched = approved_post(space, author, moderator, "Ein anderer Beitrag.")
    posting.edit_post(untouched, author, "Ein anderer Beitrag, geändert.", now=utcnow())
    db.session.commit()

    page = client_for(moderator).get("/austausch/moderation").text

    item = queue_item(page, post.id)
    assert "Änderung eines freigegebenen Beitrags" in item
    assert "Überarbeitet nach einer Ablehnung am" in item
    assert "Grund der Ablehnung: Bitte keine Liniennummern nennen. Und bitte ohne Namen." in item
    assert "Wir nehmen jetzt die App." in item
    assert author.display_name not in item  # written under a pseudonym: still only the pseudonym
    assert "Ablehnung" not in queue_item(page, untouched.id)


def test_a_change_after_an_approved_one_does_not_show_an_older_rejection(space, moderator, author, client_for):
    post = approved_post(space, author, moderator)
    posting.edit_post(post, author, "Erste Änderung", now=utcnow())
    moderation.reject_change(post, "Zu allgemein.", by=moderator, now=utcnow())
    posting.edit_post(post, author, "Zweite Änderung", now=utcnow())
    moderation.approve_change(post, by=moderator, now=utcnow())
    posting.edit_post(post, author, "Dritte Änderung", now=utcnow())
    db.session.commit()

    item = queue_item(client_for(moderator).get("/austausch/moderation").text, post.id)

    assert "Dritte Änderung" in item and "Ablehnung" not in item and "Zu allgemein." not in item
