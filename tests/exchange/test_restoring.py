"""Restoring a hidden post: its author is told, as they were told when it was hidden – once, and nobody else."""

import pytest

from qualify.core.time import utcnow
from qualify.exchange import following, moderation, posting, spaces
from qualify.extensions import db
from tests.exchange.conftest import assert_no_identity, outbox

RESTORED = "Ihr Beitrag ist wieder sichtbar"


@pytest.fixture
def hidden(make_space, author, reader):
    """A post hidden by the moderation, in a thread the reader follows: (moderator, post)."""
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    thread = posting.start_thread(space, reader, "Ton in der Frühschicht", "Wie ist es bei euch?", anonymous=False,
                                  now=utcnow())
    following.follow(thread, reader, mode="immediate", now=utcnow())
    post = posting.reply(thread, author, "Der Schichtleiter brüllt.", anonymous=True, now=utcnow())
    moderation.hide(post, "Nennt eine Person", by=mod, now=utcnow())
    db.session.commit()
    return mod, post


def restored_mails(person) -> list:
    return [mail for mail in outbox(person.email) if RESTORED in mail.subject]


def test_restoring_tells_the_author_with_the_moderators_note_and_a_link(hidden, author, client_for):
    mod, post = hidden
    response = client_for(mod).post(f"/austausch/beitrag/{post.id}/wiederherstellen",
                                    data={"reason": "Missverständnis geklärt"})
    assert response.status_code == 302
    (mail,) = restored_mails(author)
    assert mail.subject == f"{RESTORED}: Ton in der Frühschicht"
    assert mail.body_text.startswith(f"Hallo {author.display_name},")
    assert "wiederhergestellt. Alle im Raum sehen ihn wieder." in mail.body_text
    assert "Anmerkung der Moderation: Missverständnis geklärt" in mail.body_text
    assert f"/austausch/faden/{post.thread_id}#beitrag-{post.id}" in mail.body_text


def test_without_a_note_the_mail_has_none(hidden, author):
    mod, post = hidden
    moderation.restore(post, by=mod, now=utcnow())
    db.session.commit()
    (mail,) = restored_mails(author)
    assert "Anmerkung" not in mail.body_text


def test_a_post_under_a_pseudonym_is_told_to_its_author_only(hidden, author, reader, make_user):
    mod, post = hidden
    before = {mail.id for mail in outbox()}
    moderation.restore(post, by=mod, now=utcnow())
    db.session.commit()
    new = [mail for mail in outbox() if mail.id not in before]
    assert [(mail.recipient, mail.user_id) for mail in new] == [(author.email, author.id)]
    assert post.pseudonym not in new[0].subject  # as the hide mail: the post by its thread, nothing else
    assert restored_mails(reader) == [] and restored_mails(mod) == []
    assert_no_identity(new[0].subject, reader)


def test_restoring_sent_twice_tells_the_author_once(hidden, author, client_for):
    mod, post = hidden
    browser = client_for(mod)
    for _tap in range(2):
        browser.post(f"/austausch/beitrag/{post.id}/wiederherstellen", data={})
    assert len(restored_mails(author)) == 1
    # Hidden and restored once more, it is news again.
    moderation.hide(post, "Doch nicht", by=mod, now=utcnow())
    moderation.restore(post, by=mod, now=utcnow())
    db.session.commit()
    assert len(restored_mails(author)) == 2


def test_nobody_is_told_when_the_authors_account_is_gone_or_deactivated(hidden, author):
    mod, post = hidden
    author.active = False
    moderation.restore(post, by=mod, now=utcnow())
    db.session.commit()
    assert restored_mails(author) == []
    moderation.hide(post, "Noch einmal", by=mod, now=utcnow())
    post.author_id = None
    db.session.flush()
    db.session.expire(post, ["author"])
    moderation.restore(post, by=mod, now=utcnow())
    db.session.commit()
    assert post.status == "published" and restored_mails(author) == []


def test_the_mail_is_written_in_the_authors_language(hidden, author):
    mod, post = hidden
    author.language = "en"
    moderation.restore(post, by=mod, now=utcnow())
    db.session.commit()
    (mail,) = [mail for mail in outbox(author.email) if "Frühschicht" in mail.subject][-1:]
    assert mail.body_text.startswith(f"Hello {author.display_name},") and "To the conversation:" in mail.body_text


def test_the_restore_form_says_its_note_goes_to_the_author(hidden, client_for):
    mod, post = hidden
    page = client_for(mod).get(f"/austausch/faden/{post.thread_id}").text
    label = page[page.index(f'<label for="wiederherstellen-{post.id}">'):]
    assert "geht per E-Mail an die schreibende Person" in label[:label.index("</label>")]


def test_the_mails_about_hiding_and_restoring_go_on_after_the_greeting_in_lower_case(hidden, author):
    # "Hallo Anneliese Kowalczyk," is the start of the sentence, as in every other mail of the exchange.
    mod, post = hidden
    moderation.restore(post, by=mod, now=utcnow())
    db.session.commit()
    mails = [mail for mail in outbox(author.email) if "Frühschicht" in mail.subject]
    assert len(mails) == 2  # hidden, then restored
    for mail in mails:
        assert mail.body_text.startswith(f"Hallo {author.display_name},\n\ndie Moderation hat Ihren ")
