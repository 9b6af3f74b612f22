"""Following threads: a mail per post or a daily digest; and the module done by taking part."""

from datetime import timedelta

from qualify.accounts.roles import Role
from qualify.core.mail import compose_deferred_mail
from qualify.core.time import utcnow
from qualify.exchange import following, moderation, posting
from qualify.exchange.jobs import send_daily_digests
from qualify.extensions import db
from qualify.learning.services import is_module_done
from tests.exchange.conftest import outbox


def test_follower_is_told_at_once_about_a_new_post(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    thread = posting.start_thread(space, author, "Schichtmodelle", "Wer hat Erfahrung?", anonymous=False,
                                  now=utcnow())
    db.session.commit()
    client_for(reader).post(f"/austausch/faden/{thread.id}/folgen", data={"mode": "immediate"})
    posting.reply(thread, author, "Ergänzung", anonymous=False, now=utcnow())
    db.session.commit()
    (mail,) = outbox(reader.email)
    assert "Schichtmodelle" in mail.subject and "Ergänzung" in mail.body_text


def test_a_deactivated_follower_is_not_written_to(make_space, author, reader):
    # Someone who left: their work address may be someone else's by now (core.mail.queue_mail).
    space = make_space(moderation="post")
    thread = posting.start_thread(space, author, "Schichtmodelle", "Wer hat Erfahrung?", anonymous=False,
                                  now=utcnow())
    following.follow(thread, reader, mode="immediate", now=utcnow())
    reader.active = False
    posting.reply(thread, author, "Ergänzung", anonymous=False, now=utcnow())
    db.session.commit()
    assert outbox(reader.email) == []


def test_pending_posts_notify_nobody_until_approved(space, moderator, author, reader):
    thread = posting.start_thread(space, moderator, "Frage", "Was hat sich verändert?", anonymous=False,
                                  now=utcnow())
    following.follow(thread, reader, mode="immediate", now=utcnow())
    post = posting.reply(thread, author, "Meine Antwort", anonymous=False, now=utcnow())
    db.session.commit()
    assert outbox(reader.email) == []
    moderation.approve(post, by=moderator, now=utcnow())
    db.session.commit()
    assert len(outbox(reader.email)) == 1


def test_unfollow_stops_the_mails(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    thread = posting.start_thread(space, author, "Titel", "Text", anonymous=False, now=utcnow())
    following.follow(thread, reader, mode="immediate", now=utcnow())
    db.session.commit()
    client_for(reader).post(f"/austausch/faden/{thread.id}/entfolgen", data={})
    posting.reply(thread, author, "Noch was", anonymous=False, now=utcnow())
    db.session.commit()
    assert outbox(reader.email) == []


def test_a_reply_that_opens_with_a_quote_is_mailed_with_its_own_words(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    thread = posting.start_thread(space, author, "Schichtmodelle", "Wer hat Erfahrung?", anonymous=False,
                                  now=utcnow())
    following.follow(thread, reader, mode="immediate", now=utcnow())
    posting.reply(thread, author, "> **Kluge Möwe 15:**\n> Wer hat Erfahrung?\n\nWir haben seit Mai vier Schichten.",
                  anonymous=False, now=utcnow())
    db.session.commit()
    (mail,) = outbox(reader.email)
    assert "Wir haben seit Mai vier Schichten." in mail.body_text and "Kluge Möwe" not in mail.body_text


def test_switching_to_the_daily_digest_repeats_no_post_already_mailed(make_space, author, reader):
    space = make_space(moderation="post")
    start = utcnow() - timedelta(hours=3)
    thread = posting.start_thread(space, author, "Tagesthema", "Anfang", anonymous=False, now=start)
    following.follow(thread, reader, mode="immediate", now=start)
    posting.reply(thread, author, "Schon gemailt", anonymous=False, now=start + timedelta(hours=1))
    compose_deferred_mail(start + timedelta(hours=1, minutes=1))  # the sending run a minute later
    following.follow(thread, reader, mode="digest", now=start + timedelta(hours=2))
    posting.reply(thread, author, "Neu im Digest", anonymous=False, now=start + timedelta(hours=2, minutes=5))
    db.session.commit()

    assert send_daily_digests(utcnow()) == 1
    db.session.commit()

    single, digest = outbox(reader.email)
    assert "Schon gemailt" in single.body_text
    assert "Neu im Digest" in digest.body_text and "Schon gemailt" not in digest.body_text


def test_a_post_not_yet_mailed_when_switching_to_the_daily_digest_comes_in_the_digest(make_space, author, reader):
    space = make_space(moderation="post")
    start = utcnow() - timedelta(hours=3)
    thread = posting.start_thread(space, author, "Tagesthema", "Anfang", anonymous=False, now=start)
    following.follow(thread, reader, mode="immediate", now=start)
    compose_deferred_mail(start + timedelta(minutes=1))
    posting.reply(thread, author, "Kurz vor dem Wechsel", anonymous=False, now=start + timedelta(hours=1))
    # Switched in the minute before the sending run: that run mails only those following post by post.
    following.follow(thread, reader, mode="digest", now=start + timedelta(hours=1, seconds=30))
    db.session.commit()
    assert outbox(reader.email) == []

    assert send_daily_digests(utcnow()) == 1
    db.session.commit()

    (digest,) = outbox(reader.email)
    assert "Kurz vor dem Wechsel" in digest.body_text


def test_switching_from_the_daily_digest_to_a_mail_per_post_loses_no_post_and_repeats_none(
        make_space, author, reader):
    space = make_space(moderation="post")
    start = utcnow() - timedelta(hours=3)
    thread = posting.start_thread(space, author, "Tagesthema", "Anfang", anonymous=False, now=start)
    following.follow(thread, reader, mode="digest", now=start)
    posting.reply(thread, author, "Vor dem letzten Digest", anonymous=False, now=start + timedelta(minutes=10))
    assert send_daily_digests(start + timedelta(minutes=30)) == 1
    posting.reply(thread, author, "Seit dem Digest", anonymous=False, now=start + timedelta(hours=1))
    compose_deferred_mail(start + timedelta(hours=1, minutes=1))  # mails those following post by post: not them
    posting.reply(thread, author, "Kurz vor dem Wechsel", anonymous=False, now=start + timedelta(hours=2))
    following.follow(thread, reader, mode="immediate", now=start + timedelta(hours=2, seconds=30))
    posting.reply(thread, author, "Nach dem Wechsel", anonymous=False, now=start + timedelta(hours=2, minutes=5))
    db.session.commit()

    first_digest, last_digest, *singles = outbox(reader.email)

    assert "Vor dem letzten Digest" in first_digest.body_text
    assert "Seit dem Digest" in last_digest.body_text and "Vor dem letzten Digest" not in last_digest.body_text
    assert "Kurz vor dem Wechsel" not in last_digest.body_text  # its sending run mails it, as to all others
    assert [next(text for text in ("Kurz vor dem Wechsel", "Nach dem Wechsel") if text in mail.body_text)
            for mail in singles] == ["Kurz vor dem Wechsel", "Nach dem Wechsel"]
    assert send_daily_digests(utcnow()) == 0


def test_daily_digest_collects_the_days_posts_once(make_space, author, reader):
    space = make_space(moderation="post")
    start = utcnow() - timedelta(hours=3)
    thread = posting.start_thread(space, author, "Tagesthema", "Anfang", anonymous=False, now=start)
    following.follow(thread, reader, mode="digest", now=start)
    for n in range(3):
        posting.reply(
            thread, author, f"Antwort {n}", anonymous=False, now=start + timedelta(hours=1, minutes=n)
        )
    db.session.commit()
    assert outbox(reader.email) == []
    assert send_daily_digests(utcnow()) == 1
    db.session.commit()
    (mail,) = outbox(reader.email)
    assert all(f"Antwort {n}" in mail.body_text for n in range(3))
    assert send_daily_digests(utcnow() + timedelta(days=1)) == 0


def test_notifications_page_lists_followed_threads(make_space, author, client_for):
    space = make_space(moderation="post")
    posting.start_thread(space, author, "Mein Faden", "Text", anonymous=False, now=utcnow())
    db.session.commit()
    assert "Mein Faden" in client_for(author).get("/austausch/benachrichtigungen").text


def test_opening_a_thread_and_two_replies_mark_the_exchange_module_done(
        space, exchange_module, moderator, author, reader):
    other = posting.start_thread(
        space, moderator, "Leitfrage 1", "Was ist neu?", anonymous=False, now=utcnow()
    )
    mine = posting.start_thread(space, author, "Meine Erfahrung", "Bei uns …", anonymous=True, now=utcnow())
    first = posting.reply(other, author, "Antwort eins", anonymous=True, now=utcnow())
    second = posting.reply(other, author, "Antwort zwei", anonymous=False, now=utcnow())
    db.session.commit()
    for post in (mine.posts[0], first):
        moderation.approve(post, by=moderator, now=utcnow())
    db.session.commit()
    assert not is_module_done(author, exchange_module)
    moderation.approve(second, by=moderator, now=utcnow())
    db.session.commit()
    assert is_module_done(author, exchange_module)


def test_the_module_page_shows_how_far_the_person_is_in_the_space(
        space, exchange_module, moderator, author, client_for):
    guiding = posting.start_thread(space, moderator, "Leitfrage", "Was ist neu?", anonymous=False, now=utcnow())
    mine = posting.start_thread(space, author, "Meine Erfahrung", "Bei uns …", anonymous=False, now=utcnow())
    first = posting.reply(guiding, author, "Antwort eins", anonymous=False, now=utcnow())
    db.session.commit()
    for post in (mine.posts[0], first):  # the moderator's own thread needs no approval
        moderation.approve(post, by=moderator, now=utcnow())
    addition = posting.reply(mine, author, "Nachtrag im eigenen Gespräch", anonymous=False, now=utcnow())
    moderation.approve(addition, by=moderator, now=utcnow())  # does not count: not a reply to others
    db.session.commit()
    course = exchange_module.course
    page = client_for(author).get(f"/kurse/{course.slug}/module/{exchange_module.slug}").text
    assert "Eigene Gespräche: 1 von 1" in page and "Antworten auf andere: 1 von 2" in page
    assert "sobald sie freigegeben sind" in page  # pre-moderated: waiting posts do not count yet
    space.moderation = "post"
    db.session.commit()
    page = client_for(author).get(f"/kurse/{course.slug}/module/{exchange_module.slug}").text
    assert "Antworten in Gesprächen anderer." in page and "freigegeben" not in page


def test_the_page_of_followed_threads_costs_the_same_with_1_and_20_threads(
        make_space, author, reader, app, client_for, count_statements):
    space = make_space(moderation="post")

    def open_and_follow(title: str):
        thread = posting.start_thread(space, author, title, "Text", anonymous=False, now=utcnow())
        following.follow(thread, reader, mode="digest", now=utcnow())
        db.session.commit()

    def cost() -> int:
        client.get("/austausch/benachrichtigungen")  # warm up what is cached per process
        with app.app_context(), count_statements() as counter:
            assert client.get("/austausch/benachrichtigungen").status_code == 200
        return counter.count

    client = client_for(reader)
    open_and_follow("Faden 0")
    with_one = cost()
    for n in range(1, 20):
        open_and_follow(f"Faden {n}")
    assert cost() == with_one
    assert "Faden 19" in client.get("/austausch/benachrichtigungen").text


def test_a_moderator_following_a_hidden_thread_still_reads_its_title(make_space, make_user, author, client_for):
    moderator = make_user(Role.MODERATOR, name="Moderatorin Mia")
    space = make_space(moderation="post", by=moderator)
    thread = posting.start_thread(space, author, "Beleidigender Titel", "Text", anonymous=False, now=utcnow())
    following.follow(thread, moderator, mode="digest", now=utcnow())
    moderation.hide(thread.posts[0], "Beleidigung", by=moderator, now=utcnow())
    db.session.commit()
    page = client_for(moderator).get("/austausch/benachrichtigungen").text
    assert "Beleidigender Titel" in page
    assert "Gespräch ausgeblendet" not in page


def test_the_post_that_completes_the_exchange_module_says_so(space, exchange_module, moderator, author, client_for):
    space.moderation = "post"  # published at once: the author's own request completes the module
    other = posting.start_thread(space, moderator, "Leitfrage 1", "Was ist neu?", anonymous=False, now=utcnow())
    posting.start_thread(space, author, "Meine Erfahrung", "Bei uns …", anonymous=False, now=utcnow())
    posting.reply(other, author, "Antwort eins", anonymous=False, now=utcnow())
    db.session.commit()
    page = client_for(author).post(f"/austausch/faden/{other.id}/antworten", data={"body": "Antwort zwei"},
                                   follow_redirects=True).text
    assert f"Das Modul „{exchange_module.current_version.title}“ ist damit erledigt." in page
    assert is_module_done(author, exchange_module)


def test_the_thread_page_shows_the_posts_before_the_folded_notification_settings(make_space, author, client_for):
    # Open above the posts, the settings took the first screen of every thread on a phone.
    space = make_space(moderation="post")
    thread = posting.start_thread(space, author, "Mein Faden", "Erster Beitrag im Faden", anonymous=False,
                                  now=utcnow())
    db.session.commit()
    page = client_for(author).get(f"/austausch/faden/{thread.id}").text
    assert page.index("Erster Beitrag im Faden") < page.index('<details class="panel follow-box">')


def test_on_an_english_page_the_german_titles_of_followed_threads_say_so(space, moderator, author, reader,
                                                                         client_for):
    space.moderation = "post"
    german = posting.start_thread(space, author, "Schichtmodell Werk 2", "Text", anonymous=False, now=utcnow())
    hidden = posting.start_thread(space, author, "Beleidigender Titel", "Text", anonymous=False, now=utcnow())
    for thread in (german, hidden):
        following.follow(thread, reader, mode="digest", now=utcnow())
    moderation.hide(hidden.posts[0], "Beleidigung", by=moderator, now=utcnow())
    reader.language = "en"
    db.session.commit()

    page = client_for(reader).get("/austausch/benachrichtigungen").text

    assert '<html lang="en">' in page
    assert f'<a href="/austausch/faden/{german.id}" lang="de">Schichtmodell Werk 2</a>' in page
    assert 'Notify for “<span lang="de">Schichtmodell Werk 2</span>”' in page
    assert f'<span class="meta"><span lang="de">{space.title}</span> · ' in page
    # The placeholder of a hidden thread is the page's own words, in the page's language.
    assert f'<a href="/austausch/faden/{hidden.id}">Conversation hidden</a>' in page
