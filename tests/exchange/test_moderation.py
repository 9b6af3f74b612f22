"""Moderator actions: each works, is logged, and is refused to everyone who does not moderate the space."""

import re

import pytest

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.exchange import (
    errors,
    following,
    moderation,
    moderation_log,
    moderation_queue,
    moderation_threads,
    posting,
    reading,
    spaces,
)
from qualify.exchange.models import ExchangeLogEntry, ExchangePost
from qualify.extensions import db
from tests.exchange.conftest import as_seen, outbox


def start(space, user, title="Cobots an Linie 4", body="Wie geht es euch mit dem Cobot?", anonymous=False):
    thread = posting.start_thread(space, user, title, body, anonymous=anonymous, now=utcnow())
    db.session.commit()
    return thread


def log_actions(space) -> list[str]:
    db.session.expire_all()
    return [entry.action for entry in moderation_log.log_entries(space)]


def test_reject_sends_the_reason_to_the_author_and_keeps_the_post_from_others(
        space, moderator, author, reader, client_for):
    thread = start(space, author)
    post = thread.posts[0]
    response = client_for(moderator).post(f"/austausch/beitrag/{post.id}/ablehnen",
                                          data=as_seen(post, reason="Bitte keine Liniennummern nennen."))
    assert response.status_code == 302
    (mail,) = outbox(author.email)
    assert "nicht freigegeben" in mail.subject
    assert "Bitte keine Liniennummern nennen." in mail.body_text
    assert client_for(reader).get(f"/austausch/faden/{thread.id}").status_code == 404
    assert "Bitte keine Liniennummern nennen." in client_for(author).get(f"/austausch/faden/{thread.id}").text


def test_reject_without_reason_is_refused(space, moderator, author, client_for):
    post = start(space, author).posts[0]
    client_for(moderator).post(f"/austausch/beitrag/{post.id}/ablehnen", data=as_seen(post, reason="  "))
    db.session.expire_all()
    assert post.status == "pending" and outbox(author.email) == []


def test_rejected_post_can_be_revised_and_goes_back_to_the_queue(space, moderator, author, client_for):
    post = start(space, author).posts[0]
    moderation.reject(post, "Name entfernen", by=moderator, now=utcnow())
    db.session.commit()
    browser = client_for(author)
    page = browser.get(f"/austausch/faden/{post.thread_id}").text
    assert "wurde abgelehnt; Antworten sind erst möglich" in page and "Antwort senden" not in page
    browser.post(f"/austausch/beitrag/{post.id}/bearbeiten", data={"body": "Ohne Namen"})
    db.session.expire_all()
    assert post.status == "pending" and post.body_source == "Ohne Namen"


def test_hide_and_restore_are_logged_with_reason(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    post = start(space, author).posts[0]
    client = client_for(mod)
    client.post(f"/austausch/beitrag/{post.id}/ausblenden", data={"reason": "Beleidigung"})
    db.session.expire_all()
    assert post.status == "hidden"
    (told,) = [mail for mail in outbox(author.email) if "ausgeblendet" in mail.subject]  # as a rejection is
    assert "Beleidigung" in told.body_text and f"#beitrag-{post.id}" in told.body_text
    page = client.get(f"/austausch/faden/{post.thread_id}").text
    assert f'id="wiederherstellen-{post.id}" name="reason" rows="3">' in page  # not required
    client.post(f"/austausch/beitrag/{post.id}/wiederherstellen", data={"reason": "Missverständnis geklärt"})
    db.session.expire_all()
    assert post.status == "published"
    entries = moderation_log.log_entries(space)
    assert [e.action for e in entries][:2] == ["restore", "hide"]
    assert entries[0].reason == "Missverständnis geklärt"
    hide = entries[1]
    assert hide.actor_id == mod.id and hide.reason == "Beleidigung" and hide.post_id == post.id
    assert hide.created_at is not None


def test_opening_a_space_and_changing_its_moderators_are_in_the_audit_log(make_space, make_user):
    from qualify.core.audit import AuditEvent

    admin, helper = make_user(Role.ADMIN), make_user(Role.MODERATOR)
    space = make_space(by=admin, title="Neuer Raum")
    spaces.assign_moderator(space, helper, by=admin, now=utcnow())
    spaces.unassign_moderator(space, helper, by=admin)
    db.session.commit()
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.target_type == "ExchangeSpace",
                                                            AuditEvent.target_id == space.id)
                                .order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("exchange.space_created", admin.id), ("exchange.moderator_assigned", admin.id),
        ("exchange.moderator_unassigned", admin.id)]
    assert events[1].details["user_id"] == helper.id


def test_locked_thread_refuses_replies(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    thread = start(space, author)
    client_for(mod).post(f"/austausch/faden/{thread.id}/sperren", data={"value": "1"})
    response = client_for(reader).post(f"/austausch/faden/{thread.id}/antworten",
                                       data={"body": "Noch eine Antwort"}, follow_redirects=True)
    assert "gesperrt" in response.text
    db.session.expire_all()
    assert [p.body_source for p in thread.posts] == ["Wie geht es euch mit dem Cobot?"]
    assert "lock" in log_actions(space)


def test_pinned_thread_comes_first(make_space, author, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    older = start(space, author, title="Älterer Faden")
    start(space, author, title="Neuerer Faden")
    client_for(mod).post(f"/austausch/faden/{older.id}/anheften", data={"value": "1"})
    page = client_for(author).get(f"/austausch/raum/{space.id}").text
    assert page.index("Älterer Faden") < page.index("Neuerer Faden")
    assert "pin" in log_actions(space)


def test_the_thread_heading_is_followed_by_its_status_line_only_when_it_has_one(make_space, author, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    thread = start(space, author)
    assert '<p class="meta">' not in client_for(author).get(f"/austausch/faden/{thread.id}").text
    client_for(mod).post(f"/austausch/faden/{thread.id}/anheften", data={"value": "1"})
    page = client_for(author).get(f"/austausch/faden/{thread.id}").text
    assert re.search(r'<p class="meta">\s*<span class="status">angeheftet</span>', page)


def test_move_takes_a_thread_to_another_space_the_moderator_moderates(make_space, author, client_for):
    source = make_space(moderation="post")
    mod = spaces.moderators_of(source)[0]
    target = make_space(moderation="post", by=mod, title="Weiterbildung")
    thread = start(source, author)
    client_for(mod).post(
        f"/austausch/faden/{thread.id}/verschieben", data={"target": target.id, "reason": "passt besser"}
    )
    db.session.expire_all()
    assert thread.space_id == target.id
    assert "move" in log_actions(source) and "move" in log_actions(target)


def test_a_thread_moved_where_a_follower_cannot_go_leaves_their_notifications_page(
        make_space, make_organisation, make_user, author, client_for):
    home, other = make_organisation(), make_organisation()
    source = make_space(moderation="post")
    mod = spaces.moderators_of(source)[0]
    internal = make_space(moderation="post", by=mod, title="Nur intern", organisation_id=home.id)
    outsider = make_user(organisation=other)
    thread = start(source, make_user(organisation=home), title="Schichtmodell Werk 2")  # who may go there
    following.follow(thread, outsider, mode="immediate", now=utcnow())
    db.session.commit()
    assert "Schichtmodell Werk 2" in client_for(outsider).get("/austausch/benachrichtigungen").text

    moderation_threads.move(thread, internal, by=mod, now=utcnow())
    db.session.commit()

    assert "Schichtmodell Werk 2" not in client_for(outsider).get("/austausch/benachrichtigungen").text


def test_move_into_a_space_one_does_not_moderate_is_refused(make_space, author, client_for):
    source = make_space(moderation="post")
    mod = spaces.moderators_of(source)[0]
    foreign = make_space(moderation="post", title="Fremder Raum")
    thread = start(source, author)
    response = client_for(mod).post(f"/austausch/faden/{thread.id}/verschieben", data={"target": foreign.id})
    db.session.expire_all()
    assert response.status_code in (200, 403) and thread.space_id == source.id


def test_merge_offers_only_threads_members_can_read(make_space, author, reader, client_for):
    space = make_space(moderation="pre")
    mod = spaces.moderators_of(space)[0]
    readable, rejected = start(space, author, title="Schichtpläne"), start(space, reader, title="Abgelehnt")
    moderation.approve(readable.posts[0], by=mod, now=utcnow())
    moderation.reject(rejected.posts[0], "Name genannt", by=mod, now=utcnow())
    duplicate = start(space, author, title="Doppelt")
    db.session.commit()
    page = client_for(mod).get(f"/austausch/faden/{duplicate.id}/zusammenfuehren").text
    assert "Schichtpläne" in page and "Abgelehnt" not in page


def test_merge_moves_the_duplicate_posts_into_the_other_thread(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    original = start(space, author, title="Schichtpläne", body="Original")
    duplicate = start(space, reader, title="Schichtplan", body="Doppelt gefragt")
    client_for(mod).post(f"/austausch/faden/{duplicate.id}/zusammenfuehren",
                         data={"target": original.id, "confirmed": "1"})
    db.session.expire_all()
    assert [p.body_source for p in original.posts] == ["Original", "Doppelt gefragt"]
    assert duplicate.merged_into_id == original.id
    response = client_for(reader).get(f"/austausch/faden/{duplicate.id}")
    assert response.status_code == 302 and response.location.endswith(f"/austausch/faden/{original.id}")
    assert "merge" in log_actions(space)


def test_flag_notifies_the_space_moderators_without_naming_who_flagged(
        make_space, make_user, author, reader, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    elsewhere = make_user(Role.MODERATOR, email="andere.moderation@example.org")
    post = start(space, author).posts[0]
    client_for(reader).post(f"/austausch/beitrag/{post.id}/melden", data={"reason": "Enthält einen Namen"})
    (mail,) = outbox(mod.email)
    assert "gemeldet" in mail.subject and "Enthält einen Namen" in mail.body_text
    assert reader.display_name not in mail.body_text and reader.email not in mail.body_text
    assert outbox(elsewhere.email) == []
    queue = client_for(mod).get("/austausch/moderation").text
    assert "Enthält einen Namen" in queue and reader.display_name not in queue


def test_dismissing_flags_is_logged(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    post = start(space, author).posts[0]
    following.flag(post, reader, "Unsicher", now=utcnow())
    db.session.commit()
    client_for(mod).post(f"/austausch/beitrag/{post.id}/meldungen-erledigt", data={})
    assert moderation_queue.open_flags([space.id]) == []
    assert "dismiss_flags" in log_actions(space)


def test_log_is_readable_by_the_space_moderators_and_admins_only(
    make_space, make_user, admin, author, client_for
):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    post = start(space, author).posts[0]
    moderation.hide(post, "Grund im Protokoll", by=mod, now=utcnow())
    db.session.commit()
    url = f"/austausch/raum/{space.id}/protokoll"
    assert "Grund im Protokoll" in client_for(mod).get(url).text
    assert "Grund im Protokoll" in client_for(admin).get(url).text
    assert client_for(author).get(url).status_code == 403
    other_mod = make_user(Role.MODERATOR)
    make_space(by=other_mod, title="Anderer Raum")
    assert client_for(other_mod).get(url).status_code == 403


# Every moderator action, as (method, url template, form data); {post} and {thread} are filled in.
ACTIONS = [
    ("post", "/austausch/beitrag/{post}/freigeben", {}),
    ("post", "/austausch/beitrag/{post}/ablehnen", {"reason": "x"}),
    ("post", "/austausch/beitrag/{published}/ausblenden", {"reason": "x"}),
    ("post", "/austausch/beitrag/{hidden}/wiederherstellen", {}),
    ("post", "/austausch/beitrag/{published}/meldungen-erledigt", {}),
    ("post", "/austausch/faden/{thread}/sperren", {"value": "1"}),
    ("post", "/austausch/faden/{thread}/anheften", {"value": "1"}),
    ("get", "/austausch/faden/{thread}/verschieben", None),
    ("post", "/austausch/faden/{thread}/verschieben", {"target": "{other_space}"}),
    ("get", "/austausch/faden/{thread}/zusammenfuehren", None),
    ("post", "/austausch/faden/{thread}/zusammenfuehren", {"target": "{other_thread}"}),
    ("post", "/austausch/faden/{thread}/zusammenfuehren", {"target": "{other_thread}", "confirmed": "1"}),
    ("get", "/austausch/raum/{space}/protokoll", None),
    ("get", "/austausch/raum/{space}/export.json", None),
    ("get", "/austausch/raum/{space}/moderation", None),
    ("get", "/austausch/beitrag/{pseudonymous}/aufdecken", None),
    ("post", "/austausch/beitrag/{pseudonymous}/aufdecken", {"reason": "x"}),
]

ADMIN_ONLY = {"/austausch/raum/{space}/moderation", "/austausch/beitrag/{pseudonymous}/aufdecken"}


@pytest.fixture
def scene(make_space, make_user, author):
    """A pre-moderated space with posts in each state, and a moderator of another space."""
    space = make_space(moderation="pre")
    mod = spaces.moderators_of(space)[0]
    thread = start(space, mod, title="Faden")
    other_thread = start(space, mod, title="Anderer Faden")
    pending = posting.reply(thread, author, "wartet", anonymous=False, now=utcnow())
    published = posting.reply(thread, mod, "sichtbar", anonymous=False, now=utcnow())
    hidden = posting.reply(thread, mod, "verborgen", anonymous=False, now=utcnow())
    pseudonymous = posting.reply(thread, author, "anonym", anonymous=True, now=utcnow())
    db.session.flush()
    moderation.approve(pseudonymous, by=mod, now=utcnow())
    moderation.hide(hidden, "x", by=mod, now=utcnow())
    other_mod = make_user(Role.MODERATOR, name="Fremde Moderation")
    other_space = make_space(by=other_mod, title="Anderer Raum")
    db.session.commit()
    return {"space": space.id, "thread": thread.id, "other_thread": other_thread.id, "post": pending.id,
            "published": published.id, "hidden": hidden.id, "pseudonymous": pseudonymous.id,
            "other_space": other_space.id, "other_mod": other_mod, "space_obj": space}


def _request(client, method, url, data, scene):
    url = url.format(**scene)
    if method == "get":
        return client.get(url)
    return client.post(url, data={k: v.format(**scene) for k, v in data.items()})


def _state(scene) -> list:
    db.session.expire_all()
    posts = db.session.scalars(db.select(ExchangePost).order_by(ExchangePost.id)).all()
    return [(p.id, p.thread_id, p.status) for p in posts] + [
        db.session.scalar(db.select(db.func.count()).select_from(ExchangeLogEntry))]


@pytest.mark.parametrize(("method", "url", "data"), ACTIONS, ids=[f"{m} {u}" for m, u, _d in ACTIONS])
def test_moderator_actions_are_refused_to_members(scene, author, client_for, method, url, data):
    before = _state(scene)
    response = _request(client_for(author), method, url, data, scene)
    assert response.status_code == 403
    assert _state(scene) == before


@pytest.mark.parametrize(("method", "url", "data"), ACTIONS, ids=[f"{m} {u}" for m, u, _d in ACTIONS])
def test_moderator_actions_are_refused_to_moderators_of_other_spaces(scene, client_for, method, url, data):
    before = _state(scene)
    response = _request(client_for(scene["other_mod"]), method, url, data, scene)
    # Someone else's post waiting for approval is not theirs to know of: not found, as on the pages.
    assert response.status_code == (404 if "{post}" in url else 403)
    assert _state(scene) == before


@pytest.mark.parametrize(("method", "url", "data"), ACTIONS, ids=[f"{m} {u}" for m, u, _d in ACTIONS])
def test_moderator_actions_in_a_space_one_may_not_enter_are_not_found(
        scene, make_organisation, make_user, client_for, method, url, data):
    # The answer to an existing id and to a made-up one is the same: nobody learns by trying what exists.
    space = scene["space_obj"]
    space.organisation_id = make_organisation().id
    db.session.commit()
    stranger = make_user(Role.MODERATOR, organisation=make_organisation())
    before = _state(scene)
    # The administration's pages refuse by role before they look at any id.
    expected = 403 if url in ADMIN_ONLY else 404
    assert _request(client_for(stranger), method, url, data, scene).status_code == expected
    assert _state(scene) == before


def test_moderator_queue_page_is_refused_to_members(author, client_for):
    assert client_for(author).get("/austausch/moderation").status_code == 403


def test_domain_refuses_moderation_by_a_moderator_of_another_space(scene):
    post = db.session.get(ExchangePost, scene["post"])
    with pytest.raises(errors.NotModerator):
        moderation.approve(post, by=scene["other_mod"], now=utcnow())


def test_admin_assigns_a_moderator_who_then_may_moderate(space, admin, make_user, author, client_for):
    mod = make_user(Role.MODERATOR, name="Neue Moderation")
    post = start(space, author).posts[0]
    assert client_for(mod).post(f"/austausch/beitrag/{post.id}/freigeben", data=as_seen(post)).status_code == 404
    client_for(admin).post(f"/austausch/raum/{space.id}/moderation", data={"user_id": mod.id})
    assert client_for(mod).post(f"/austausch/beitrag/{post.id}/freigeben", data=as_seen(post)).status_code == 302
    db.session.expire_all()
    assert post.status == "published"


def test_moderator_without_the_role_any_more_cannot_moderate(space, moderator, author, client_for):
    post = start(space, author).posts[0]
    moderator.role_rows.clear()
    db.session.commit()
    # No longer a moderator, the post waiting for approval is out of sight: not found.
    assert client_for(moderator).post(f"/austausch/beitrag/{post.id}/freigeben", data=as_seen(post)).status_code == 404


@pytest.mark.parametrize("decision", ["freigeben", "ablehnen"])
def test_a_decision_on_a_post_changed_since_the_queue_was_loaded_is_refused(
        space, moderator, author, client_for, decision):
    post = start(space, author, body="harmloser Text").posts[0]
    mod = client_for(moderator)
    assert "harmloser Text" in mod.get("/austausch/moderation").text
    as_shown = as_seen(post, reason="Passt nicht", next="/austausch/moderation")
    posting.edit_post(post, author, "SPAM SPAM SPAM", now=utcnow())
    db.session.commit()

    response = mod.post(f"/austausch/beitrag/{post.id}/{decision}", data=as_shown, follow_redirects=True)

    assert "Der Beitrag wurde inzwischen geändert. Bitte prüfen Sie ihn erneut." in response.text
    assert "SPAM SPAM SPAM" in response.text  # the queue again, with the text as it is now
    db.session.expire_all()
    assert post.status == "pending" and post.published_at is None and outbox() == []


def test_the_queue_shows_a_long_post_as_an_excerpt_with_the_whole_text_one_click_away(
        space, moderator, author, client_for):
    start(space, author, body="Anfang " + "sehr lang " * 1_900 + "ENDE")  # 19,011 characters
    queue = client_for(moderator).get("/austausch/moderation").text
    item = queue[queue.index('class="card queue-item"'):queue.index('id="meldungen"')]
    assert "Anfang sehr lang" in item.split("<details")[0] and "ENDE" not in item.split("<details")[0]
    assert "<summary>Ganzen Beitrag lesen</summary>" in item and "ENDE" in item.split("<details")[1]


def test_moving_a_thread_written_under_pseudonyms_into_a_space_of_names_is_refused(make_space, author, client_for):
    source = make_space(moderation="post")
    mod = spaces.moderators_of(source)[0]
    names_only = make_space(moderation="post", anonymous="forbidden", by=mod, title="Nur mit Namen")
    thread = start(source, mod, title="Sorgen")
    posting.reply(thread, author, "Ich habe Angst um meinen Platz.", anonymous=True, now=utcnow())
    db.session.commit()

    response = client_for(mod).post(f"/austausch/faden/{thread.id}/verschieben", data={"target": names_only.id},
                                    follow_redirects=True)

    assert "unter Pseudonym geschrieben" in response.text
    db.session.expire_all()
    assert thread.space_id == source.id and "move" not in log_actions(source)
    plain = start(source, mod, title="Ohne Pseudonyme")
    moderation_threads.move(plain, names_only, by=mod, now=utcnow())  # a thread of names may go there
    assert plain.space_id == names_only.id


def test_a_hidden_opening_post_stops_replies_as_a_lock_does(make_space, author, reader, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    thread = start(space, author)  # who follows it
    moderation.hide(thread.posts[0], "Beleidigung", by=mod, now=utcnow())
    db.session.commit()
    url = f"/austausch/faden/{thread.id}"
    page = client_for(reader).get(url).text
    assert "Antwort senden" not in page and "Zitieren" not in page and "ausgeblendet" in page

    response = client_for(reader).post(f"{url}/antworten", data={"body": "Trotzdem eine Antwort"})

    assert response.status_code == 400 and "Antworten sind nicht mehr möglich" in response.text
    db.session.expire_all()
    assert len(thread.posts) == 1  # and the follower was told of no reply, only of the hiding:
    assert [mail.subject for mail in outbox(author.email)] == [f"Ihr Beitrag wurde ausgeblendet: {thread.title}"]
    assert "Antwort senden" in client_for(mod).get(url).text  # the moderators may still say something


def test_a_reply_refused_because_the_thread_was_locked_meanwhile_keeps_the_typed_text(
        make_space, author, reader, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    thread = start(space, author)
    browser = client_for(reader)
    browser.get(f"/austausch/faden/{thread.id}")  # the reply is being typed …
    moderation_threads.set_locked(thread, True, by=mod, now=utcnow())
    db.session.commit()

    response = browser.post(f"/austausch/faden/{thread.id}/antworten", data={"body": "Mein langer Text zum Cobot"})

    assert response.status_code == 400
    assert "Dieses Gespräch ist gesperrt" in response.text
    assert re.search(r"<textarea[^>]*readonly>Mein langer Text zum Cobot</textarea>", response.text)


@pytest.mark.parametrize("decision", ["pending", "rejected"])
def test_no_reply_before_the_opening_post_is_published(space, moderator, author, client_for, decision):
    thread = start(space, author)
    if decision == "rejected":
        moderation.reject(thread.posts[0], "Bitte ohne Liniennummer", by=moderator, now=utcnow())
        db.session.commit()
    for person in (author, moderator):
        response = client_for(person).post(f"/austausch/faden/{thread.id}/antworten", data={"body": "Nachtrag"})
        assert response.status_code == 400 and "Antworten sind erst" in response.text
    db.session.expire_all()
    assert len(thread.posts) == 1 and moderation_queue.pending_posts([space.id]) == (
        [thread.posts[0]] if decision == "pending" else [])


def test_one_cannot_report_ones_own_post(make_space, author, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    post = start(space, author).posts[0]
    browser = client_for(author)
    assert browser.get(f"/austausch/beitrag/{post.id}/melden").status_code == 302
    response = browser.post(f"/austausch/beitrag/{post.id}/melden", data={"reason": "Test"}, follow_redirects=True)
    assert "Eigene Beiträge können Sie nicht melden." in response.text
    assert moderation_queue.open_flags([space.id]) == [] and outbox(mod.email) == []
    with pytest.raises(errors.ExchangeError):
        following.flag(post, author, "Test", now=utcnow())


def test_a_post_in_a_locked_thread_can_no_longer_be_edited(make_space, author, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    thread = start(space, author, body="Erste Fassung")
    moderation_threads.set_locked(thread, True, by=mod, now=utcnow())
    db.session.commit()
    browser = client_for(author)
    assert "Bearbeiten" not in browser.get(f"/austausch/faden/{thread.id}").text
    response = browser.post(f"/austausch/beitrag/{thread.posts[0].id}/bearbeiten", data={"body": "Nachher"},
                            follow_redirects=True)
    assert "gesperrt" in response.text
    db.session.expire_all()
    assert thread.posts[0].body_source == "Erste Fassung"


def test_a_thread_sent_twice_is_opened_once(make_space, author, client_for):
    space = make_space(moderation="post")
    browser = client_for(author)
    form = {"title": "Cobots an Linie 4", "body": "Wie geht es euch mit dem Cobot?"}
    first = browser.post(f"/austausch/raum/{space.id}/neu", data=form)
    again = browser.post(f"/austausch/raum/{space.id}/neu", data=form)  # the phone lost the first answer
    assert first.location == again.location
    assert len(reading.threads_of(space, author, moderator=False)) == 1


def test_copies_of_a_reply_and_of_a_new_thread_sent_at_the_same_moment_post_once(
        make_space, author, reader, client_for):
    from tests.workshops.test_concurrency import run_together

    space = make_space(moderation="post")
    thread = start(space, author)
    thread_id, space_id = thread.id, space.id
    browsers = [client_for(reader) for _ in range(4)]
    for browser in browsers:
        browser.csrf_token()  # fetched before the burst

    def send(browser, url, form):
        def task(barrier):
            barrier.wait()
            browser.post(url, data=form)
        return task

    reply = (f"/austausch/faden/{thread_id}/antworten", {"body": "Gleichzeitig!"})
    opening = (f"/austausch/raum/{space_id}/neu", {"title": "Doppelt?", "body": "Einmal bitte."})
    assert run_together([send(browser, *reply) for browser in browsers]) == []
    assert run_together([send(browser, *opening) for browser in browsers]) == []
    db.session.expire_all()
    assert [post.body_source for post in thread.posts[1:]] == ["Gleichzeitig!"]
    assert [row.thread.title for row in reading.threads_of(space, reader, moderator=False)].count("Doppelt?") == 1


def test_a_reply_sent_twice_is_posted_once_but_the_same_words_later_are_a_new_reply(
        make_space, author, reader, client_for):
    space = make_space(moderation="post")
    thread = start(space, author)
    browser = client_for(reader)
    for _attempt in range(2):
        browser.post(f"/austausch/faden/{thread.id}/antworten", data={"body": "Danke!"})
    db.session.expire_all()
    assert [post.body_source for post in thread.posts[1:]] == ["Danke!"]
    assert len(outbox(author.email)) == 1

    posting.reply(thread, reader, "Danke!", anonymous=False, now=utcnow() + posting.RETRY_WINDOW * 2)
    db.session.commit()
    assert [post.body_source for post in thread.posts[1:]] == ["Danke!", "Danke!"]


def test_a_reply_sent_again_under_a_pseudonym_is_refused_and_the_text_kept(make_space, author, reader, client_for):
    # A second post with the same words under the pseudonym, beside the first under the name, would unmask it.
    space = make_space(moderation="post")
    thread = start(space, author)
    browser = client_for(reader)
    browser.post(f"/austausch/faden/{thread.id}/antworten", data={"body": "Bei uns klappt das nicht."})

    again = browser.post(f"/austausch/faden/{thread.id}/antworten",
                         data={"body": "Bei uns klappt das nicht.", "anonymous": "y"})

    assert again.status_code == 400 and "eben schon unter Ihrem Namen gesendet" in again.text
    assert "Bei uns klappt das nicht.</textarea>" in again.text
    db.session.expire_all()
    assert [(post.body_source, post.pseudonym) for post in thread.posts[1:]] == [("Bei uns klappt das nicht.", None)]


def test_moderation_texts_speak_of_conversations(make_space, author, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    thread = start(space, author)
    client = client_for(mod)
    page = client.get(f"/austausch/faden/{thread.id}").text
    assert "Moderation dieses Gesprächs" in page and "Faden" not in page
    response = client.post(f"/austausch/faden/{thread.id}/sperren", data={"value": "1"}, follow_redirects=True)
    assert "Gespräch gesperrt." in response.text and "Faden" not in response.text


def test_admin_can_assign_a_second_moderator_to_a_space(make_space, make_user, client_for):
    # Everyone not signed in once compared equal, so with one moderator assigned nobody else was offered.
    admin = make_user(Role.ADMIN)
    space = make_space(by=admin)
    first = make_user(Role.MODERATOR, name="Erste Moderatorin")
    second = make_user(Role.MODERATOR, name="Zweiter Moderator")
    admin_client = client_for(admin)
    url = f"/austausch/raum/{space.id}/moderation"
    admin_client.post(url, data={"user_id": first.id})
    page = admin_client.get(url).text
    assert "Zweiter Moderator" in page
    admin_client.post(url, data={"user_id": second.id})
    db.session.expire_all()
    assert {first.id, second.id} <= {user.id for user in spaces.moderators_of(space)}


def test_the_log_names_its_actions_in_the_readers_language(make_space, make_user, author, client_for):
    english = make_user(Role.MODERATOR, language="en")
    space = make_space(moderation="post", by=english)
    moderation.hide(start(space, author).posts[0], "Off topic", by=english, now=utcnow())
    db.session.commit()
    page = client_for(english).get(f"/austausch/raum/{space.id}/protokoll").text
    assert "hidden" in page and "ausgeblendet" not in page


def test_the_moderator_choice_costs_the_same_with_3_and_600_other_people(make_space, make_user, client_for,
                                                                        count_statements):
    # Every active person was read and asked for the role (their roles in chunks of 500): seconds at 20,000.
    admin = make_user(Role.ADMIN)
    space = make_space(by=admin)
    make_user(Role.MODERATOR, name="Mögliche Moderatorin")
    admin_client = client_for(admin)
    url = f"/austausch/raum/{space.id}/moderation"
    counts = []
    for people in (3, 597):
        for _ in range(people):
            make_user(password=None)
        admin_client.get(url)
        with count_statements() as counter:
            page = admin_client.get(url).text
        counts.append(counter.count)
    assert "Mögliche Moderatorin" in page
    assert counts[0] == counts[1], counter.statements


def test_a_thread_is_not_moved_where_someone_who_wrote_in_it_cannot_go(
        make_space, make_organisation, make_user, client_for):
    home, other = make_organisation(), make_organisation()
    source = make_space(moderation="post")
    mod = spaces.moderators_of(source)[0]
    internal = make_space(moderation="post", by=mod, title="Nur intern", organisation_id=home.id)
    thread = start(source, make_user(organisation=home))
    posting.reply(thread, make_user(organisation=other), "Bei uns auch", anonymous=False, now=utcnow())
    db.session.commit()

    response = client_for(mod).post(f"/austausch/faden/{thread.id}/verschieben", data={"target": internal.id},
                                    follow_redirects=True)

    assert "1 Person, die in diesem Gespräch geschrieben hat, hat keinen Zugang" in response.text
    db.session.expire_all()
    assert thread.space_id == source.id
