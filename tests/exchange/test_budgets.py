"""Exchange pages send the same number of statements whether a thread has 2 posts or 12, a queue 1 or 8."""

from datetime import time, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from qualify.accounts.roles import Role
from qualify.core.mail import OutboxMessage, compose_deferred_mail
from qualify.core.time import utcnow
from qualify.exchange import (
    following,
    minutes,
    minutes_consent,
    minutes_names,
    moderation,
    moderation_threads,
    posting,
    spaces,
)
from qualify.extensions import db
from qualify.workshops import schedule
from qualify.workshops import services as workshops
from tests.exchange.conftest import assign


def statements(client, url: str, count_statements) -> int:
    client.get(url)  # warm up what is kept per process
    # A context of its own gives the request its own session: the test's session holds the people already.
    with current_app.app_context(), count_statements() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_a_thread_page_costs_the_same_with_2_and_12_posts_by_as_many_people(make_space, make_user, client_for,
                                                                            count_statements):
    space = make_space(moderation="post")
    reader = make_user()
    few = posting.start_thread(space, make_user(), "Wenige", "Erster Beitrag", anonymous=False, now=utcnow())
    many = posting.start_thread(space, make_user(), "Viele", "Erster Beitrag", anonymous=False, now=utcnow())
    posting.reply(few, make_user(), "Eine Antwort", anonymous=False, now=utcnow())
    for n in range(11):
        posting.reply(many, make_user(), f"Antwort {n}", anonymous=n % 2 == 0, now=utcnow())
    db.session.commit()
    client = client_for(reader)
    with_few = statements(client, f"/austausch/faden/{few.id}", count_statements)
    assert statements(client, f"/austausch/faden/{many.id}", count_statements) == with_few


def test_the_moderation_queue_costs_the_same_with_1_and_8_waiting_posts_and_reports(
        make_space, make_user, client_for, count_statements):
    moderator = make_user(Role.MODERATOR)
    waiting_space = make_space(moderation="pre", by=moderator)
    open_space = make_space(moderation="post", by=moderator, title="Offener Raum")
    client = client_for(moderator)
    counts = []
    for items in (1, 7):
        for n in range(items):
            posting.start_thread(waiting_space, make_user(), f"Faden {n}", "Bitte freigeben", anonymous=False,
                                 now=utcnow())
            shown = posting.start_thread(open_space, make_user(), f"Offen {n}", "Sichtbar", anonymous=n % 2 == 0,
                                         now=utcnow())
            following.flag(shown.posts[0], make_user(), "Bitte ansehen", now=utcnow())
        db.session.commit()
        counts.append(statements(client, "/austausch/moderation", count_statements))
    assert counts[0] == counts[1]


def test_the_space_export_costs_the_same_with_1_and_6_threads(make_space, make_user, client_for, count_statements):
    admin = make_user(Role.ADMIN)
    space = make_space(moderation="post", by=admin)
    client = client_for(admin)
    counts = []
    for threads in (1, 5):
        for n in range(threads):
            thread = posting.start_thread(space, make_user(), f"Faden {n}", "Text", anonymous=False, now=utcnow())
            posting.reply(thread, make_user(), "Antwort", anonymous=False, now=utcnow())
        db.session.commit()
        counts.append(statements(client, f"/austausch/raum/{space.id}/export.json", count_statements))
    assert counts[0] == counts[1]


def test_a_reply_costs_the_same_with_1_and_50_followers_and_leaves_their_mails_to_the_sending_run(
        make_space, make_user, client_for, count_statements):
    space = make_space(moderation="post")
    counts = []
    for followers in (1, 50):
        thread = posting.start_thread(space, make_user(), "Gefolgt", "Erster Beitrag", anonymous=False, now=utcnow())
        for _ in range(followers):
            following.follow(thread, make_user(), mode="immediate", now=utcnow())
        writer = make_user()
        db.session.commit()
        client = client_for(writer)
        with current_app.app_context(), count_statements() as counter:
            response = client.post(f"/austausch/faden/{thread.id}/antworten", data={"body": "Meine Antwort"})
        assert response.status_code == 302
        assert not any("outbox_messages" in statement for statement in counter.statements)
        counts.append(counter.count)
    assert counts[0] == counts[1]
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    compose_deferred_mail(utcnow())  # the next sending run writes them
    # To each thread's opener and its followers: 2 and 51.
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 53


def queue_costs_with_1_and_8(make_space, make_user, client_for, count_statements, decide, edited: str):
    """The moderation queue's statements with 1 and then 8 posts that a moderator decided on (`decide(post,
    moderator, n)`) and their authors then edited to `edited` – half of them pseudonymous; and the queue's client."""
    moderator = make_user(Role.MODERATOR)
    space = make_space(moderation="pre", by=moderator)
    client = client_for(moderator)
    counts = []
    for items in (1, 7):
        for n in range(items):
            author = make_user()
            post = posting.start_thread(space, author, f"Faden {n}", "Erste Fassung", anonymous=n % 2 == 0,
                                        now=utcnow()).posts[0]
            decide(post, moderator, n)
            posting.edit_post(post, author, edited, now=utcnow())
        db.session.commit()
        counts.append(statements(client, "/austausch/moderation", count_statements))
    return counts, client


def test_the_moderation_queue_costs_the_same_with_1_and_8_changes_of_approved_posts(
        make_space, make_user, client_for, count_statements):
    def approve(post, moderator, _n):
        moderation.approve(post, by=moderator, now=utcnow())

    counts, _client = queue_costs_with_1_and_8(make_space, make_user, client_for, count_statements, approve,
                                               "Geändert")
    assert counts[0] == counts[1]


def test_the_minutes_form_costs_the_same_with_1_and_20_participants(exchange_module, space, make_user, client_for,
                                                                   count_statements):
    moderator = make_user(Role.MODERATOR)
    assign(space, moderator)
    client = client_for(moderator)
    counts = []
    for day, participants in ((7, 1), (8, 20)):
        plan = schedule.SessionPlan(start_time=time(14), end_time=time(15), capacity=30, trainers=[moderator])
        (session,) = schedule.create_sessions(exchange_module, plan, [(utcnow() + timedelta(days=day)).date()],
                                              by=moderator, now=utcnow())
        people = [make_user() for _ in range(participants)]
        for n, person in enumerate(people):
            workshops.book(session, person, now=utcnow())
            if n % 2 == 0:  # some agree to be named, some did not answer, one took it back
                minutes_names.set_consent(session, person, True, now=utcnow())
            elif n == 1:
                minutes_names.set_consent(session, person, True, now=utcnow())
                minutes_names.set_consent(session, person, False, now=utcnow())
        agreed = sorted(minutes_consent.consenting_ids(session))
        minutes.save_minutes(session, space, {"topics": "Schichtpläne"}, agreed, by=moderator, now=utcnow())
        db.session.commit()
        counts.append(statements(client, f"/austausch/termin/{session.id}/protokoll", count_statements))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("changes_wait", [False, True], ids=["published", "published-with-changes-waiting"])
def test_the_space_page_costs_the_same_with_1_and_4_published_minutes(exchange_module, space, make_user, client_for,
                                                                     count_statements, changes_wait):
    moderator = make_user(Role.MODERATOR)
    assign(space, moderator)
    client = client_for(make_user())
    counts = []
    for first_day, sessions in ((7, 1), (8, 3)):
        plan = schedule.SessionPlan(start_time=time(14), end_time=time(15), capacity=30, trainers=[moderator])
        days = [(utcnow() + timedelta(days=first_day + 7 * n)).date() for n in range(sessions)]
        for session in schedule.create_sessions(exchange_module, plan, days, by=moderator, now=utcnow()):
            named = make_user(name=f"Genannt {session.id}")
            workshops.book(session, named, now=utcnow())
            minutes_names.set_consent(session, named, True, now=utcnow())
            record = minutes.save_minutes(session, space, {"topics": "Schichtpläne"}, [named.id], by=moderator,
                                          now=utcnow())
            minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
            if changes_wait:  # the space keeps showing the published version, names and all
                minutes.save_minutes(session, space, {"topics": "Geändert"}, [], by=moderator, now=utcnow())
        db.session.commit()
        counts.append(statements(client, f"/austausch/raum/{space.id}", count_statements))
    page = client.get(f"/austausch/raum/{space.id}").text
    assert page.count("Dabei waren unter anderem: Genannt") == 4 and "Geändert" not in page
    assert counts[0] == counts[1]


def test_the_moderators_page_costs_the_same_with_1_and_8_moderators(make_space, make_user, client_for,
                                                                    count_statements):
    admin = make_user(Role.ADMIN)
    space = make_space(by=admin)
    client = client_for(admin)
    counts = []
    for moderators in (1, 7):
        for n in range(moderators):
            assign(space, make_user(Role.MODERATOR, name=f"Moderatorin {moderators}-{n}"))
        counts.append(statements(client, f"/austausch/raum/{space.id}/moderation", count_statements))
    page = client.get(f"/austausch/raum/{space.id}/moderation").text
    assert page.count("Moderatorin 1-0") == 1 and page.count("Moderatorin 7-") == 7
    assert counts[0] == counts[1]


@pytest.mark.parametrize("role", [Role.LEARNER, Role.MODERATOR])
def test_the_followed_threads_cost_the_same_in_1_and_in_6_spaces(role, demo_courses, make_space, make_user,
                                                                 client_for, count_statements):
    admin = make_user(Role.ADMIN)
    module_spaces = [spaces.space_for_module(module) for course in demo_courses.values()
                     for module in course.active_modules if module.current_version.kind == "exchange"]
    free_spaces = [make_space(moderation="post", by=admin, title=f"Raum {n}") for n in range(4)]
    few_person, many_person = make_user(role), make_user(role)
    if role == Role.MODERATOR:  # assigned to some of the spaces they follow
        for space in [*module_spaces, *free_spaces][::2]:
            assign(space, few_person)
            assign(space, many_person)

    def follow_a_thread_in(space, person):
        thread = posting.start_thread(space, make_user(), f"Faden in {space.title}", "Text", anonymous=False,
                                      now=utcnow())
        if thread.posts[0].status == "pending":
            moderation.approve(thread.posts[0], by=admin, now=utcnow())
        following.follow(thread, person, mode="digest", now=utcnow())

    follow_a_thread_in(module_spaces[0], few_person)
    for space in [*module_spaces, *free_spaces]:
        follow_a_thread_in(space, many_person)
    db.session.commit()
    assert len(module_spaces) == 2
    many_client = client_for(many_person)
    page = many_client.get("/austausch/benachrichtigungen").text
    assert all(f"Faden in {space.title}" in page for space in [*module_spaces, *free_spaces])
    assert statements(many_client, "/austausch/benachrichtigungen", count_statements) == statements(
        client_for(few_person), "/austausch/benachrichtigungen", count_statements)


def test_the_moderation_queue_costs_the_same_with_1_and_8_posts_revised_after_a_rejection(
        make_space, make_user, client_for, count_statements):
    def reject(post, moderator, n):
        moderation.reject(post, f"Grund {n}", by=moderator, now=utcnow())

    counts, client = queue_costs_with_1_and_8(make_space, make_user, client_for, count_statements, reject,
                                              "Überarbeitet")
    assert client.get("/austausch/moderation").text.count("Überarbeitet nach einer Ablehnung") == 8
    assert counts[0] == counts[1]


def test_the_moderation_queue_costs_the_same_with_1_and_8_changes_resubmitted_after_a_rejection(
        make_space, make_user, client_for, count_statements):
    def reject_a_change(post, moderator, n):
        moderation.approve(post, by=moderator, now=utcnow())
        posting.edit_post(post, post.author, "Erste Änderung", now=utcnow())
        moderation.reject_change(post, f"Grund {n}", by=moderator, now=utcnow())

    counts, client = queue_costs_with_1_and_8(make_space, make_user, client_for, count_statements,
                                              reject_a_change, "Zweite Änderung")
    assert client.get("/austausch/moderation").text.count("Überarbeitet nach einer Ablehnung") == 8
    assert counts[0] == counts[1]


def test_the_moderation_log_costs_the_same_with_entries_about_1_and_8_threads(
        make_space, make_user, client_for, count_statements):
    moderator = make_user(Role.MODERATOR)
    space = make_space(moderation="post", by=moderator)
    client = client_for(moderator)
    counts = []
    for threads in (1, 7):
        for n in range(threads):
            thread = posting.start_thread(space, make_user(), f"Faden {threads}-{n}", "Text", anonymous=False,
                                          now=utcnow())
            moderation_threads.set_pinned(thread, True, by=moderator, now=utcnow())
        db.session.commit()
        counts.append(statements(client, f"/austausch/raum/{space.id}/protokoll", count_statements))
    assert counts[0] == counts[1]
