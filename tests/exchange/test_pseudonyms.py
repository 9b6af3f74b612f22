"""Pseudonyms: stable within a space, unlinkable across spaces, broken only by a recorded admin reveal."""

import json
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from qualify.core.audit import AuditEvent
from qualify.core.time import LOCAL_TZ, to_local, utcnow
from qualify.exchange import errors, following, moderation, moderation_threads, posting, pseudonyms, spaces
from qualify.exchange.jobs import send_daily_digests
from qualify.exchange.models import ExchangeLogEntry
from qualify.extensions import db
from qualify.learning.models import Certificate
from tests.exchange.conftest import assert_no_identity, outbox
from tests.learning.helpers import everything_else_done

PSEUDONYM = re.compile(r"^[A-ZÄÖÜ][a-zäöüß]+ [A-ZÄÖÜ][a-zäöüß]+ \d{2}$")


def write(space, user, body="Ich mache mir Sorgen um meinen Arbeitsplatz.", title="Sorgen", anonymous=True):
    thread = posting.start_thread(space, user, title, body, anonymous=anonymous, now=utcnow())
    db.session.commit()
    return thread


def test_pseudonym_is_stable_within_a_space(make_space, author):
    space = make_space()
    first = write(space, author, title="Eins").posts[0]
    second = write(space, author, title="Zwei").posts[0]
    assert first.pseudonym == second.pseudonym
    assert PSEUDONYM.match(first.pseudonym)


def test_pseudonyms_differ_across_spaces(make_space, author):
    names = {pseudonyms.pseudonym_for(make_space(title=f"Raum {n}"), author) for n in range(5)}
    assert len(names) == 5


def test_two_people_never_share_a_pseudonym_in_one_space(make_space, make_user):
    space = make_space()
    names = [pseudonyms.pseudonym_for(space, make_user()) for _ in range(30)]
    assert len(set(names)) == 30


def test_pseudonym_depends_on_the_secret_key(app, make_space, make_user):
    space = make_space()
    people = [make_user() for _ in range(5)]
    with_key = [pseudonyms.candidate(space.id, person.id) for person in people]
    saved, app.config["SECRET_KEY"] = app.config["SECRET_KEY"], "ein-anderer-schluessel"
    try:
        assert [pseudonyms.candidate(space.id, person.id) for person in people] != with_key
    finally:
        app.config["SECRET_KEY"] = saved


def test_name_is_shown_when_writing_under_ones_own_name(make_space, author, reader, client_for):
    thread = write(make_space(moderation="post"), author, anonymous=False)
    assert author.display_name in client_for(reader).get(f"/austausch/faden/{thread.id}").text


def test_space_that_forbids_pseudonyms_refuses_anonymous_posts(make_space, author):
    space = make_space(anonymous="forbidden")
    with pytest.raises(errors.ExchangeError):
        write(space, author)


@pytest.fixture
def pseudonymous_scene(space, moderator, author, reader, admin):
    """The author writes a pseudonymous thread and reply; moderator approves; the reader follows and flags."""
    thread = write(space, author, title="Überwachung am Band", body="Die Kamera filmt uns ständig.")
    moderation.approve(thread.posts[0], by=moderator, now=utcnow())
    following.follow(thread, reader, mode="immediate", now=utcnow())
    reply = posting.reply(thread, author, "Und niemand hat uns gefragt.", anonymous=True, now=utcnow())
    db.session.commit()
    moderation.approve(reply, by=moderator, now=utcnow())
    following.flag(reply, reader, "Bitte prüfen", now=utcnow())
    db.session.commit()
    return thread


def test_member_pages_never_show_the_pseudonymous_author(pseudonymous_scene, space, reader, client_for):
    client = client_for(reader)
    pages = [
        client.get(f"/austausch/raum/{space.id}"),
        client.get(f"/austausch/faden/{pseudonymous_scene.id}"),
        client.get(f"/austausch/beitrag/{pseudonymous_scene.posts[1].id}/melden"),
        client.get(f"/austausch/faden/{pseudonymous_scene.id}?zitat={pseudonymous_scene.posts[1].id}"),
        client.get("/austausch/benachrichtigungen"),
    ]
    author = pseudonymous_scene.posts[0].author
    for page in pages:
        assert page.status_code == 200
        assert_no_identity(page.text, author)
    assert pseudonymous_scene.posts[0].pseudonym in pages[1].text


def test_moderator_sees_only_the_pseudonym(pseudonymous_scene, space, moderator, client_for):
    author = pseudonymous_scene.posts[0].author
    client = client_for(moderator)
    reply = write(space, author, title="Noch ein Faden", body="Wartet noch")  # pending, in the queue
    for url in ["/austausch/moderation", f"/austausch/faden/{pseudonymous_scene.id}",
                f"/austausch/faden/{reply.id}", f"/austausch/raum/{space.id}",
                f"/austausch/raum/{space.id}/protokoll"]:
        page = client.get(url)
        assert page.status_code == 200, url
        assert_no_identity(page.text, author)


def test_export_json_carries_pseudonyms_only(pseudonymous_scene, space, moderator, client_for):
    response = client_for(moderator).get(f"/austausch/raum/{space.id}/export.json")
    assert response.is_json
    author = pseudonymous_scene.posts[0].author
    assert_no_identity(response.text, author)
    data = json.loads(response.text)
    posts = data["threads"][0]["posts"]
    assert {p["author"] for p in posts} == {pseudonymous_scene.posts[0].pseudonym}
    assert all(
        set(p) == {"id", "author", "pseudonymous", "status", "created_at", "edited", "text"} for p in posts
    )


def test_a_moderators_own_data_export_tells_what_they_did_not_whom_it_was_about(
        pseudonymous_scene, moderator, reader, client_for):
    # The export shows the moderator's approvals and closed reports; whose posts and whose reports they were
    # would reveal who writes under the pseudonym and who reported, which only a recorded reveal may.
    reply = pseudonymous_scene.posts[1]
    moderation.dismiss_flags(reply, by=moderator, now=utcnow())
    db.session.commit()
    client = client_for(moderator)
    exported = client.get("/meine-daten/export.json")
    data = json.loads(exported.text)
    moderated = data["exchange"]["exchange_posts.moderated_by_id"]
    assert {row["id"] for row in moderated} == {post.id for post in pseudonymous_scene.posts}
    assert all(row["status"] == "published" and row["moderated_at"] for row in moderated)
    (resolved,) = data["exchange"]["exchange_flags.resolved_by_id"]
    assert resolved["post_id"] == reply.id and "flagged_by_id" not in resolved
    author = pseudonymous_scene.posts[0].author
    for page in (exported, client.get("/meine-daten/export")):
        assert page.status_code == 200
        assert_no_identity(page.text, author)
        assert reply.pseudonym not in page.text and "Die Kamera filmt uns" not in page.text
        assert f'"flagged_by_id": {reader.id}' not in page.text


def test_mails_to_others_never_name_the_pseudonymous_author(pseudonymous_scene, reader, moderator, author):
    following.follow(pseudonymous_scene, moderator, mode="digest", now=utcnow())
    db.session.commit()
    thread = pseudonymous_scene
    later = posting.reply(thread, author, "Noch ein Gedanke", anonymous=True, now=utcnow())
    db.session.commit()
    moderation.approve(later, by=moderator, now=utcnow())
    db.session.commit()
    send_daily_digests(utcnow())
    db.session.commit()
    others = [m for m in outbox() if m.recipient != author.email]
    assert {m.recipient for m in others} >= {reader.email, moderator.email}
    assert any("Neuer Beitrag" in m.subject for m in others)
    assert any("Tagesüberblick" in m.subject for m in others)
    for mail in others:
        assert_no_identity(mail.subject + mail.body_text + (mail.body_html or ""), author)


def test_reveal_requires_an_admin(pseudonymous_scene, moderator, reader, client_for):
    post = pseudonymous_scene.posts[0]
    for person in (moderator, reader):
        response = client_for(person).post(
            f"/austausch/beitrag/{post.id}/aufdecken", data={"reason": "Neugier"}
        )
        assert response.status_code == 403
        assert_no_identity(response.text, post.author)


def test_reveal_requires_a_reason(pseudonymous_scene, admin, client_for):
    post = pseudonymous_scene.posts[0]
    response = client_for(admin).post(f"/austausch/beitrag/{post.id}/aufdecken", data={"reason": ""})
    assert post.author.email not in response.text
    assert db.session.scalar(db.select(ExchangeLogEntry).where(ExchangeLogEntry.action == "reveal")) is None


def test_reveal_by_admin_is_in_the_audit_log_and_the_author_is_told_but_not_the_moderators(
    pseudonymous_scene, admin, author, moderator, client_for
):
    # In the space's log the minute of the reveal, beside the same minute in the access log of the author's works
    # council, told someone who moderates and sits on a works council which organisation the author belongs to.
    post = pseudonymous_scene.posts[0]
    before = len(outbox(author.email))
    response = client_for(admin).post(f"/austausch/beitrag/{post.id}/aufdecken",
                                      data={"reason": "Drohung gegen eine Kollegin"})
    assert author.email in response.text and author.display_name in response.text
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "exchange.reveal"))
    assert event.actor_id == admin.id and event.details["reason"] == "Drohung gegen eine Kollegin"
    mails = outbox(author.email)[before:]
    assert (
        len(mails) == 1
        and "aufgedeckt" in mails[0].subject
        and "Drohung gegen eine Kollegin" in mails[0].body_text
        and "Moderationsprotokoll" not in mails[0].body_text
    )
    assert db.session.scalar(db.select(ExchangeLogEntry).where(ExchangeLogEntry.action == "reveal")) is None
    log_page = client_for(moderator).get(f"/austausch/raum/{post.thread.space_id}/protokoll").text
    assert "Drohung gegen eine Kollegin" not in log_page and "aufgedeckt" not in log_page
    assert_no_identity(log_page, author)


def test_a_reveal_an_older_version_wrote_into_the_space_log_is_not_shown_there(
        pseudonymous_scene, space, admin, moderator, client_for):
    post = pseudonymous_scene.posts[0]
    db.session.add(ExchangeLogEntry(space_id=space.id, actor_id=admin.id, action="reveal", post_id=post.id,
                                    thread_id=post.thread_id, reason="Drohung gegen eine Kollegin",
                                    created_at=utcnow()))
    db.session.commit()
    for person in (moderator, admin):
        page = client_for(person).get(f"/austausch/raum/{space.id}/protokoll").text
        assert "Drohung gegen eine Kollegin" not in page and "aufgedeckt" not in page


def test_who_sees_what_says_who_learns_of_a_reveal(reader, client_for):
    page = client_for(reader).get("/austausch/wer-sieht-was").text
    assert "Der Betriebsrat Ihrer Organisation sieht in seinem Zugriffsprotokoll" in page
    assert "Die Moderation erfährt davon nichts." in page


def test_moved_thread_keeps_the_pseudonyms_it_was_written_under(make_space, author):
    source = make_space(moderation="post")
    mod = spaces.moderators_of(source)[0]
    target = make_space(moderation="post", by=mod, title="Ziel")
    thread = write(source, author)
    name_in_source = thread.posts[0].pseudonym
    moderation_threads.move(thread, target, by=mod, now=utcnow())
    db.session.commit()
    assert thread.posts[0].pseudonym == name_in_source
    assert pseudonyms.pseudonym_for(target, author) != name_in_source


def anonymous_box(page: str) -> str:
    return re.search(r'<input[^>]*name="anonymous"[^>]*>', page).group(0)


def test_replying_in_a_thread_written_under_a_pseudonym_keeps_the_pseudonym_unless_unticked(
        make_space, author, reader, client_for):
    space = make_space(moderation="post")
    mine = write(space, author)
    theirs = write(space, reader, title="Andere Frage", anonymous=False)
    browser = client_for(author)
    page = browser.get(f"/austausch/faden/{mine.id}").text
    assert "checked" in anonymous_box(page) and "wer hinter dem Pseudonym steht" in page
    assert "checked" not in anonymous_box(browser.get(f"/austausch/faden/{theirs.id}").text)


def test_a_reply_that_is_too_long_comes_back_with_the_text_as_typed(make_space, author, client_for):
    space = make_space(moderation="post")
    thread = write(space, author, anonymous=False)
    text = "Schichtplan " * 2_000  # 24,000 characters
    response = client_for(author).post(f"/austausch/faden/{thread.id}/antworten", data={"body": text})
    assert response.status_code == 400
    assert "Schichtplan Schichtplan" in response.text and 'id="body-error"' in response.text
    db.session.expire_all()
    assert len(thread.posts) == 1


def test_a_person_keeps_their_pseudonym_in_a_thread_moved_to_another_space(make_space, author, client_for):
    source = make_space(moderation="post")
    mod = spaces.moderators_of(source)[0]
    target = make_space(moderation="post", by=mod, title="Ziel")
    thread = write(source, author)
    name_in_thread = thread.posts[0].pseudonym
    moderation_threads.move(thread, target, by=mod, now=utcnow())
    db.session.commit()

    later = posting.reply(thread, author, "Noch ein Gedanke", anonymous=True, now=utcnow())
    db.session.commit()

    assert later.pseudonym == name_in_thread
    assert f"Ihr Pseudonym in diesem Gespräch: {name_in_thread}" in client_for(author).get(
        f"/austausch/faden/{thread.id}").text
    elsewhere = write(target, author, title="Neu im Zielraum").posts[0]
    assert elsewhere.pseudonym == pseudonyms.pseudonym_for(target, author) != name_in_thread


def test_a_moderator_writes_under_their_name_in_the_space_they_moderate(make_space, author, client_for):
    # Their posts need no approval and may stand in a locked thread: a pseudonym would not hide them.
    space = make_space(moderation="pre", anonymous="allowed")
    mod = spaces.moderators_of(space)[0]
    thread = posting.start_thread(space, author, "Frage", "Wie ist es bei euch?", anonymous=False, now=utcnow())
    moderation.approve(thread.posts[0], by=mod, now=utcnow())
    db.session.commit()
    browser = client_for(mod)
    assert 'name="anonymous"' not in browser.get(f"/austausch/faden/{thread.id}").text

    refused = browser.post(f"/austausch/faden/{thread.id}/antworten", data={"body": "Als Gast", "anonymous": "y"})

    assert refused.status_code == 400 and "unter dem eigenen Namen" in refused.text
    db.session.expire_all()
    assert len(thread.posts) == 1


def test_a_reveal_sent_again_is_recorded_and_told_to_the_author_once(pseudonymous_scene, admin, author, client_for):
    # The page that shows the name answers the form: reloading it, or a double click, sends the reveal again.
    post = pseudonymous_scene.posts[0]
    before = len(outbox(author.email))
    client = client_for(admin)
    for _ in range(2):
        response = client.post(f"/austausch/beitrag/{post.id}/aufdecken",
                               data={"reason": "Drohung gegen eine Kollegin"})
        assert author.email in response.text
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "exchange.reveal")).all()
    assert len(events) == 1
    assert len(outbox(author.email)[before:]) == 1


def test_a_module_done_by_pseudonymous_posts_shows_only_the_day_it_was_done(
        space, exchange_module, moderator, author, admin, reader, client_for):
    """The completion is recorded the moment the last post it needs is approved: the minute the space's log notes
    beside that post. Wherever others see the completion, it shows its day alone – the day every reader sees on
    the post itself – so nobody can set the one beside the other to find whose pseudonym it is."""
    everything_else_done(author, exchange_module, via="read")
    approved_at = datetime.combine(date.today() - timedelta(days=2), time(14, 37), tzinfo=LOCAL_TZ).astimezone(UTC)
    written_at = approved_at - timedelta(hours=3)
    guiding = posting.start_thread(space, moderator, "Leitfrage", "Was ist neu?", anonymous=False, now=written_at)
    posts = [posting.start_thread(space, author, "Bei uns", "…", anonymous=True, now=written_at).posts[0],
             posting.reply(guiding, author, "Eins", anonymous=True, now=written_at),
             posting.reply(guiding, author, "Zwei", anonymous=True, now=written_at)]
    for post in posts:
        moderation.approve(post, by=moderator, now=approved_at)
    db.session.commit()
    certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == author.id))
    assert certificate is not None and to_local(certificate.issued_at).strftime("%H:%M") == "14:37"
    assert "14:37" in client_for(moderator).get(f"/austausch/raum/{space.id}/protokoll").text  # the approval

    day = to_local(approved_at).strftime("%d.%m.%Y")
    for client, url in ((client_for(admin), f"/verwaltung/zertifikate/{certificate.code}"),
                        (client_for(admin), f"/verwaltung/zertifikate/?q={author.email}"),
                        (client_for(reader), f"/verify/{certificate.code}")):
        page = client.get(url).text
        assert day in page and "14:37" not in page, url
