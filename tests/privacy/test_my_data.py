"""Meine Daten: every personal datum is listed, exported and erased; aggregates survive; retention is enforced."""

import json
import re
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import String, Text, func, or_, select

from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.cli import JOBS
from qualify.core.audit import AuditEvent, record
from qualify.core.mail import OutboxMessage, queue_mail
from qualify.core.time import to_local, utcnow
from qualify.courses.models import Module
from qualify.exchange import posting, reading, spaces
from qualify.exchange.models import ExchangePost, ExchangeThread
from qualify.extensions import db
from qualify.learning import mandatory, quiz
from qualify.learning.models import Enrolment, ModuleCompletion, QuizAttempt
from qualify.learning.services import enrol, record_participation
from qualify.privacy import readable, services
from qualify.privacy.catalogue import NOT_PERSONAL, SECRET_COLUMNS, holdings


def test_every_column_pointing_at_a_person_is_in_the_catalogue():
    listed = {(h.table, h.column) for h in holdings()} | set(NOT_PERSONAL)
    pointing = {(table.name, fk.parent.name) for table in db.metadata.sorted_tables for fk in table.foreign_keys
                if fk.column.table.name == "users"}
    assert pointing - listed == set(), "add these columns to qualify/privacy/catalogue.py"
    assert listed - pointing == set(), "the catalogue lists columns that no longer exist"


def test_every_source_and_field_of_the_export_has_a_name_on_the_readable_page():
    unnamed = set()
    for holding in holdings():
        if f"{holding.table}.{holding.column}" not in readable.SOURCE_LABELS:
            unnamed.add(f"{holding.table}.{holding.column}")
        for column in holding.exported or [column.name for column in db.metadata.tables[holding.table].columns]:
            shown = column not in SECRET_COLUMNS and not column.endswith(readable.LEFT_OUT) \
                and column not in readable.TECHNICAL
            if shown and column not in readable.FIELD_LABELS:
                unnamed.add(f"{holding.table}.{column}")
    assert unnamed == set(), "name these in qualify/privacy/readable.py (or leave them out there as technical)"


def test_where_a_person_acted_on_someone_elses_record_the_export_leaves_out_whose_it_was():
    for holding in holdings():
        table = db.metadata.tables[holding.table]
        exported = set(holding.exported or table.columns.keys())
        others = {fk.parent.name for fk in table.foreign_keys if fk.column.table.name == "users"} - {holding.column}
        if holding.on_erase == "detach":  # the rows are someone else's record, or nobody's
            assert exported & others == set(), f"{holding.table}.{holding.column} exports {exported & others}"
    minutes = next(h for h in holdings() if h.table == "exchange_minutes")
    assert "named_user_ids" not in minutes.exported


@pytest.fixture
def active_learner(make_user, make_organisation, demo_courses):
    """A learner with enrolment, a module done, a quiz attempt, a reflection-free history and a mail."""
    organisation = make_organisation()
    learner = make_user(Role.LEARNER, name="Zofia Wiśniewska", email="zofia@example.org",
                        organisation=organisation, unit=organisation.units[0])
    course = demo_courses["hochvolt-sicherheit"]
    enrol(learner, course, now=utcnow())
    workshop = next(m for m in course.active_modules if m.current_version.kind == "workshop")
    record_participation(learner, workshop, via="workshop", now=utcnow())
    with_quiz = next(m for m in course.active_modules if m.current_version.has_quiz)
    quiz.submit_attempt(quiz.start_attempt(learner, with_quiz, now=utcnow()), learner, now=utcnow())
    queue_mail(learner.email, "Hallo", "Text")
    record("user.update", target=learner)
    db.session.commit()
    return learner


def test_the_export_contains_every_category_with_the_persons_rows(active_learner):
    data = services.export_personal_data(active_learner)
    assert data["account"]["users"][0]["email"] == "zofia@example.org"
    assert "invited_at" in data["account"]["users"][0]  # when the account's invitation went out, if it did
    assert len(data["learning"]["enrolments.user_id"]) == 1
    assert len(data["learning"]["module_completions.user_id"]) == 1
    assert len(data["quiz_attempts"]["quiz_attempts.user_id"]) == 1
    assert data["mail"]["outbox_messages"][0]["subject"] == "Hallo"
    assert "password_hash" not in json.dumps(data)
    json.dumps(data)  # plain JSON all the way down


def test_the_json_download_and_the_readable_page_show_the_data(client, login, active_learner):
    login(active_learner)
    download = client.get("/meine-daten/export.json")
    assert download.mimetype == "application/json"
    assert json.loads(download.data)["account"]["users"][0]["display_name"] == "Zofia Wiśniewska"
    page = client.get("/meine-daten/export").text
    assert "Zofia Wiśniewska" in page
    # As a person reads it: named sources and fields, dates in German, yes and no – not the stored names.
    assert "Ihre Quiz-Versuche" in page and "Erledigte Module" in page and "abgegeben am" in page
    assert "quiz_attempts.user_id" not in page and "submitted_at" not in page and "True" not in page
    assert re.search(r"<dd>\d{2}\.\d{2}\.\d{2}, \d{2}:\d{2}</dd>", page)  # e.g. 30.11.26, 07:01
    assert "<dt>Kurs</dt><dd>Hochvolt-Sicherheit" in page and "Kurs (Nummer)" not in page  # named, not numbered
    assert "<dt>Ergebnis</dt><dd>0\xa0%</dd>" in page  # as the result page says it (no "0.0")
    overview = client.get("/meine-daten/").text
    assert "Quiz-Versuche" in overview and "2 Jahre" in overview  # 730 days, as people say it


def test_a_mandatory_course_s_deadline_reads_as_the_course_and_the_day(client, login, make_user, active_learner,
                                                                       demo_courses):
    course = demo_courses["hochvolt-sicherheit"]
    mandatory.assign(course, active_learner.unit, days_to_complete=30, now=utcnow(), by=make_user(Role.ADMIN))
    db.session.commit()
    login(active_learner)

    page = client.get("/meine-daten/export").text

    due = to_local(utcnow() + timedelta(days=30)).strftime("%d.%m.%Y")
    assert "<dt>Pflichtkurs</dt><dd>Hochvolt-Sicherheit" in page and "Zuweisung" not in page
    assert f"<dt>abzuschließen bis</dt><dd>{due}</dd>" in page  # the day, as "Mein Lernen" says it


def answered_quiz(learner, course) -> str:
    """Hand in a quiz of the course with the first answer of its first single-choice question; return that answer."""
    with_quiz = next(m for m in course.active_modules if m.current_version.has_quiz)
    attempt = quiz.start_attempt(learner, with_quiz, now=utcnow())
    question = next(q for q in quiz.attempt_questions(attempt) if q["kind"] == "single_choice")
    chosen = quiz.option_id(attempt, question["key"], 0)
    quiz.submit_attempt(attempt, learner, now=utcnow(), form={f"q-{question['key']}": [chosen]})
    db.session.commit()
    return next(r["chosen"] for r in attempt.results if r["key"] == question["key"])


def test_on_an_english_page_the_courses_titles_and_the_answers_chosen_keep_their_german(
        client, login, active_learner, demo_courses):
    course = demo_courses["hochvolt-sicherheit"]
    chosen = answered_quiz(active_learner, course)
    active_learner.language = "en"
    db.session.commit()
    login(active_learner)

    page = client.get("/meine-daten/export").text

    assert '<html lang="en">' in page
    assert f'<dt>Course</dt><dd><span lang="de">{escape(course.title)}</span> (no. {course.id})</dd>' in page
    assert re.search(r'<dt>Module</dt><dd><span lang="de">[^<]+</span> \(no\. \d+\)</dd>', page)
    assert f'Your answer: <span lang="de">{escape(chosen)}</span>, right: ' in page
    assert "Your answer: –, right: " in page  # nothing chosen: nothing in German
    # A mail's subject was written in the person's language of the day, which is not stored: left as it is.
    assert "<dt>Subject</dt><dd>Hallo</dd>" in page


def test_on_a_german_page_the_course_content_of_the_export_repeats_no_language(
        client, login, active_learner, demo_courses):
    chosen = answered_quiz(active_learner, demo_courses["hochvolt-sicherheit"])
    login(active_learner)

    page = client.get("/meine-daten/export").text

    assert f"Ihre Antwort: {escape(chosen)}, richtig: " in page
    assert page.count('lang="de"') == page.count('<html lang="de">')


def test_the_readable_page_names_posts_and_follows_in_words_and_leaves_out_the_numbers(
        client, login, make_user, demo_courses):
    module = next(m for m in demo_courses["digitale-fabrik"].active_modules if m.current_version.kind == "exchange")
    space = spaces.space_for_module(module)
    space.moderation = "post"
    author = make_user()
    posting.start_thread(space, author, "Schichtwechsel", "Wie läuft es?", anonymous=False, now=utcnow())
    db.session.commit()
    login(author)
    page = client.get("/meine-daten/export").text
    assert "<dt>Status</dt><dd>veröffentlicht</dd>" in page and "<dd>bei jedem neuen Beitrag</dd>" in page
    assert "eröffnet das Gespräch" in page
    for stored in ("thread_id", "is_opening", "published", "immediate", "calendar_sequence", "<dt>Nummer</dt>",
                   "<dt>Ihre Nummer</dt>"):
        assert stored not in page, stored


def _text_columns_containing(needle: str) -> list[str]:
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if columns and db.session.scalar(select(func.count()).select_from(table).where(
                or_(*(c.contains(needle) for c in columns)))):
            found.append(table.name)
    return found


def _columns_pointing_at(user_id: int) -> list[str]:
    found = []
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "users" and db.session.scalar(
                    select(func.count()).select_from(table).where(fk.parent == user_id)):
                found.append(f"{table.name}.{fk.parent.name}")
    return found


def test_erasing_leaves_no_personal_data_and_keeps_the_aggregates(active_learner):
    user_id, email, name = active_learner.id, active_learner.email, active_learner.display_name
    unit_id = active_learner.unit_id
    before = (db.session.scalar(select(func.count()).select_from(Enrolment)),
              db.session.scalar(select(func.count()).select_from(ModuleCompletion)))
    services.erase_account(active_learner, keep_posts=True, now=utcnow())
    db.session.commit()
    assert db.session.get(User, user_id) is None
    assert _text_columns_containing(email) == []
    assert _text_columns_containing(name) == []
    assert _columns_pointing_at(user_id) == []
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.target_type == "User",
                                                      AuditEvent.target_id == user_id)) is None
    after = (db.session.scalar(select(func.count()).select_from(Enrolment)),
             db.session.scalar(select(func.count()).select_from(ModuleCompletion)))
    assert after == before
    stand_in = db.session.scalar(select(User).join(Enrolment, Enrolment.user_id == User.id))
    assert (stand_in.display_name, stand_in.active, stand_in.unit_id) == ("ehemaliges Mitglied", False, unit_id)
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0
    # Only the month of each moment is left, which is all the figures count by.
    moments = [*db.session.scalars(select(Enrolment.enrolled_at).where(Enrolment.user_id == stand_in.id)),
               *db.session.scalars(select(ModuleCompletion.completed_at)
                                   .where(ModuleCompletion.user_id == stand_in.id))]
    assert moments and all((to_local(m).day, to_local(m).hour, to_local(m).minute) == (1, 12, 0) for m in moments)
    assert {to_local(m).strftime("%Y-%m") for m in moments} == {to_local(utcnow()).strftime("%Y-%m")}


def test_erasing_needs_the_password_and_signs_out(client, login, active_learner):
    login(active_learner)
    refused = client.post("/meine-daten/loeschen", data={"posts": "keep", "password": "falsch", "confirm": "y"})
    assert refused.status_code == 200 and "nicht richtig" in refused.text
    assert db.session.get(User, active_learner.id) is not None
    done = client.post("/meine-daten/loeschen",
                       data={"posts": "keep", "password": "richtig-gutes-passwort", "confirm": "y"})
    assert done.status_code == 302
    assert client.get("/meine-daten/").status_code == 302  # signed out
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == "zofia@example.org")) is None


def test_retention_deletes_exactly_what_is_due(active_learner, make_user):
    now = utcnow()
    attempt = db.session.scalar(select(QuizAttempt))
    attempt.started_at = now - timedelta(days=731)
    fresh = quiz.start_attempt(active_learner, db.session.get(Module, attempt.module_id), now=now)
    old_event = record("old.event")
    db.session.flush()
    old_event.created_at = now - timedelta(days=1096)
    sent = db.session.scalar(select(OutboxMessage))
    sent.sent_at, sent.created_at = now - timedelta(days=31), now - timedelta(days=31)
    unsent = queue_mail("x@example.org", "wartet", "Text")
    unsent.created_at = now - timedelta(days=31)
    db.session.commit()
    removed = services.purge_expired_data(now)
    db.session.commit()
    assert removed == {"quiz_attempts": 1, "audit": 1, "mail": 1}
    assert [a.id for a in db.session.scalars(select(QuizAttempt))] == [fresh.id]
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.subject == "wartet")) is not None


def test_admins_change_retention_periods_and_others_cannot(client, login, make_user):
    login(make_user(Role.LEARNER))
    assert client.post("/meine-daten/aufbewahrung/quiz_attempts", data={"days": "90"}).status_code == 403
    client.post("/abmelden", data={})
    login(make_user(Role.ADMIN))
    asked = client.post("/meine-daten/aufbewahrung/quiz_attempts", data={"days": "90"}).text
    assert "von 730 auf 90 Tage" in asked and "0 Einträge gelöscht" in asked  # shorter: asked once more
    assert services.retention_days("quiz_attempts") == 730
    client.post("/meine-daten/aufbewahrung/quiz_attempts", data={"days": "90", "confirmed": "1"})
    assert services.retention_days("quiz_attempts") == 90
    assert "90 Tage" in client.get("/meine-daten/aufbewahrung").text
    client.post("/meine-daten/aufbewahrung/quiz_attempts", data={"days": "120"})  # longer keeps more: at once
    assert services.retention_days("quiz_attempts") == 120


def test_the_log_is_kept_at_least_a_year_and_the_works_council_sees_every_retention_change(
        client, login, make_user, make_organisation, new_client):
    login(make_user(Role.ADMIN, name="Admin Ada"))
    page = client.post("/meine-daten/aufbewahrung/audit", data={"days": "1", "confirmed": "1"}).text
    assert "wird mindestens 365 Tage aufbewahrt" in page
    assert services.retention_days("audit") == 1095
    client.post("/meine-daten/aufbewahrung/audit", data={"days": "400", "confirmed": "1"})
    assert services.retention_days("audit") == 400
    client.post("/meine-daten/aufbewahrung/audit", data={"days": "400", "confirmed": "1"})  # saved unchanged

    works_council = new_client()
    login(make_user(Role.WORKS_COUNCIL, organisation=make_organisation()), via=works_council)
    log = works_council.get("/berichte/protokoll").text
    assert log.count("Aufbewahrungsfrist geändert: Protokoll der Verwaltung, 400 Tage") == 1 and "Admin Ada" in log


@pytest.mark.parametrize("keep_posts", [True, False])
def test_posts_stay_as_a_former_member_or_go_as_the_person_chooses(make_user, demo_courses, keep_posts):
    module = next(m for m in demo_courses["digitale-fabrik"].active_modules if m.current_version.kind == "exchange")
    space = spaces.space_for_module(module)
    author = make_user(Role.LEARNER, name="Dragan Petrović")
    thread = posting.start_thread(space, author, "Mein Werk", "Bei uns kommen Roboter.", anonymous=False,
                                  now=utcnow())
    db.session.commit()
    thread_id = thread.id
    services.erase_account(author, keep_posts=keep_posts, now=utcnow())
    db.session.commit()
    posts = list(db.session.scalars(select(ExchangePost).where(ExchangePost.thread_id == thread_id)))
    if keep_posts:
        assert [reading.author_label(post) for post in posts] == ["ehemaliges Mitglied"]
    else:
        assert posts == [] and db.session.get(ExchangeThread, thread_id) is None
    assert _text_columns_containing("Dragan Petrović") == []


def test_deleting_posts_takes_the_titles_of_threads_one_opened_and_leaves_the_replies_of_others(
    make_user, demo_courses
):
    module = next(m for m in demo_courses["digitale-fabrik"].active_modules if m.current_version.kind == "exchange")
    space = spaces.space_for_module(module)
    space.moderation = "post"  # published at once, so that others can reply
    author, colleague = make_user(Role.LEARNER), make_user(Role.LEARNER)
    answered = posting.start_thread(space, author, "Roboter in Halle 3 bei Dragan", "Bei uns kommen Roboter.",
                                    anonymous=False, now=utcnow())
    posting.reply(answered, colleague, "Bei uns auch.", anonymous=False, now=utcnow())
    alone = posting.start_thread(space, author, "Schichtplan Dragan", "Wer tauscht?", anonymous=False, now=utcnow())
    theirs = posting.start_thread(space, colleague, "Weiterbildung", "Wer macht mit?", anonymous=False, now=utcnow())
    posting.reply(theirs, author, "Ich!", anonymous=False, now=utcnow())
    db.session.commit()
    ids = answered.id, alone.id, theirs.id

    services.erase_account(author, keep_posts=False, now=utcnow())
    db.session.commit()
    db.session.expire_all()
    answered, alone, theirs = (db.session.get(ExchangeThread, thread_id) for thread_id in ids)
    assert answered.title == posting.FORGOTTEN_TITLE
    assert [post.body_source for post in answered.posts] == ["Bei uns auch."]
    assert alone is None  # nothing left in it
    assert theirs.title == "Weiterbildung" and [post.body_source for post in theirs.posts] == ["Wer macht mit?"]
    assert _text_columns_containing("Dragan") == []


def test_the_scheduler_runs_the_retention_purge_every_night():
    job = next(job for job in JOBS if job.name == "privacy.retention")
    assert job.func is services.purge_expired_data


def test_mail_to_an_address_the_person_had_before_is_theirs_in_the_export_and_goes_with_the_account(make_user):
    person = make_user(name="Jürgen Müßig", email="juergen.muessig@example.org")
    queue_mail(person, "Einladung für Jürgen Müßig", "Hallo Jürgen Müßig")  # to the mistyped address…
    person.email = "juergen.muessig@example.com"  # …which the administration then corrected
    queue_mail("someone@example.org", "Nicht für Jürgen", "Anderer Text")
    db.session.commit()

    assert [m["subject"] for m in services.export_personal_data(person)["mail"]["outbox_messages"]] == [
        "Einladung für Jürgen Müßig"]
    services.erase_account(person, keep_posts=False, now=utcnow())
    db.session.commit()

    assert list(db.session.scalars(select(OutboxMessage.subject))) == ["Nicht für Jürgen"]
