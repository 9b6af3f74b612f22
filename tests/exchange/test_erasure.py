"""An account erased with its posts: what others wrote stays readable, nothing of the person does."""

from qualify.core.time import utcnow
from qualify.exchange import posting, reading, spaces
from qualify.exchange.models import ExchangePost
from qualify.extensions import db
from qualify.privacy.services import erase_account


def test_a_thread_others_replied_to_stays_readable_when_its_opener_erases_their_posts(
        make_space, author, reader, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    thread = posting.start_thread(space, author, "Roboter in Halle 3 bei Anneliese", "Bei uns kommen Roboter.",
                                  anonymous=True, now=utcnow())
    posting.reply(thread, reader, "Bei uns auch.", anonymous=False, now=utcnow())
    other = posting.start_thread(space, reader, "Weiterbildung", "Wer macht mit?", anonymous=False, now=utcnow())
    db.session.commit()
    thread_id, identity = thread.id, (author.display_name, author.email)

    erase_account(author, keep_posts=False, now=utcnow())
    db.session.commit()

    for person in (reader, mod):
        browser = client_for(person)
        page = browser.get(f"/austausch/faden/{thread_id}")
        assert page.status_code == 200
        assert posting.FORGOTTEN_TITLE in page.text and "Bei uns auch." in page.text
        assert "gelöscht" in page.text and "Roboter" not in page.text
        for name in identity:
            assert name not in page.text
        listing = browser.get(f"/austausch/raum/{space.id}").text
        assert posting.FORGOTTEN_TITLE in listing and "Roboter" not in listing
    assert client_for(mod).get(f"/austausch/faden/{other.id}/zusammenfuehren").status_code == 200
    assert [post.body_source for post in db.session.scalars(
        db.select(ExchangePost).where(ExchangePost.thread_id == thread_id))] == ["Bei uns auch."]
    assert {row.thread.id for row in reading.threads_of(space, reader, moderator=False)} == {other.id, thread_id}


def opened_by_the_erased(space, author, reader, reply: str):
    """A thread the author opened and the reader answered, after which the author's account (posts too) was erased."""
    thread = posting.start_thread(space, author, "Frühschicht", "Wer noch?", anonymous=False, now=utcnow())
    posting.reply(thread, reader, reply, anonymous=False, now=utcnow())
    db.session.commit()
    erase_account(author, keep_posts=False, now=utcnow())
    db.session.commit()
    return thread


def test_an_english_reader_reads_the_title_left_by_an_erased_account_in_english(make_space, author, make_user,
                                                                              client_for):
    space = make_space(moderation="post")
    reader = make_user(language="en")
    thread = opened_by_the_erased(space, author, reader, "I do.")
    browser = client_for(reader)
    for url in (f"/austausch/faden/{thread.id}", f"/austausch/raum/{space.id}", "/austausch/benachrichtigungen"):
        page = browser.get(url).text
        assert "Topic of a deleted account" in page and posting.FORGOTTEN_TITLE not in page, url


def test_the_others_go_on_talking_in_a_thread_whose_opener_was_erased(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    thread = opened_by_the_erased(space, author, reader, "Ich.")
    browser = client_for(reader)
    page = browser.get(f"/austausch/faden/{thread.id}").text
    assert "mit dem Konto gelöscht worden" in page and "nicht mehr möglich" not in page
    assert browser.post(f"/austausch/faden/{thread.id}/antworten", data={"body": "Und weiter."}).status_code == 302
    assert "Und weiter." in browser.get(f"/austausch/faden/{thread.id}").text


def test_the_erased_persons_own_thread_without_replies_goes_with_them(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    thread = posting.start_thread(space, author, "Nur meins", "Niemand antwortet", anonymous=False, now=utcnow())
    db.session.commit()
    thread_id = thread.id
    erase_account(author, keep_posts=False, now=utcnow())
    db.session.commit()
    assert client_for(reader).get(f"/austausch/faden/{thread_id}").status_code == 404
    page = client_for(reader).get(f"/austausch/raum/{space.id}").text
    assert "Nur meins" not in page and posting.FORGOTTEN_TITLE not in page


def test_replies_in_a_thread_whose_opener_was_erased_still_count_towards_the_module(make_space, author, reader):
    space = make_space(moderation="post")
    thread = posting.start_thread(space, author, "Frage", "Wie ist es bei euch?", anonymous=False, now=utcnow())
    posting.reply(thread, reader, "Gut.", anonymous=False, now=utcnow())
    db.session.commit()
    assert posting.participation_in_space(reader, space) == (0, 1)
    erase_account(author, keep_posts=False, now=utcnow())
    db.session.commit()
    assert posting.participation_in_space(reader, space) == (0, 1)
