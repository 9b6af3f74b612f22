"""The working-day reminder: each moderator is mailed, once a day on Monday to Friday mornings, how much waits in
their spaces and since when – never what was written nor by whom –, and nobody is mailed when nothing waits."""

from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest
from sqlalchemy import delete

from qualify.accounts.models import UserRole
from qualify.accounts.roles import Role
from qualify.core.time import LOCAL_TZ, to_local, utcnow
from qualify.exchange import following, moderation, posting
from qualify.exchange.jobs import JOBS, remind_moderators
from qualify.exchange.models import ExchangePost
from qualify.extensions import db
from tests.exchange.conftest import assert_no_identity, assign, outbox

SUBJECT = "Moderation: In Ihren Räumen wartet etwas"
TEXT = "Seit dem MES sind die Pausen kürzer geworden."
TITLE = "Pausen in der Spätschicht"


def at_seven(day: date) -> datetime:
    """7:00 in Germany on the day, as the job's trigger runs it."""
    return datetime.combine(day, time(7), LOCAL_TZ).astimezone(UTC)


def morning(weekday: int) -> datetime:
    """7:00 on the given weekday (0: Monday) of the next week from next week on with no public holiday in
    Baden-Württemberg (the default state): then Monday and the Tuesday after are working days whenever this runs."""
    today = to_local(utcnow()).date()
    week = today + timedelta(days=7 - today.weekday())  # next Monday
    public_holidays = holidays.country_holidays("DE", subdiv="BW", years=range(today.year, today.year + 2))
    while any(week + timedelta(days=day) in public_holidays for day in range(5)):
        week += timedelta(weeks=1)
    return at_seven(week + timedelta(days=weekday))


MONDAY, SATURDAY = 0, 5


def reminders(user) -> list:
    return [message for message in outbox(user.email) if message.subject.startswith("Moderation")]


def remind(now: datetime) -> int:
    sent = remind_moderators(now)
    db.session.commit()
    return sent


@pytest.fixture
def waiting_post(space, author) -> ExchangePost:
    """A pseudonymous opening post waiting for approval in the moderator's space."""
    thread = posting.start_thread(space, author, TITLE, TEXT, anonymous=True, now=utcnow())
    db.session.commit()
    return thread.posts[0]


def test_the_job_runs_on_working_day_mornings_in_germany():
    job = next(job for job in JOBS if job.name == "exchange.moderation_reminder")
    fields = {field.name: str(field) for field in job.trigger.fields}
    assert fields["day_of_week"] == "mon-fri" and fields["hour"] == "7" and str(job.trigger.timezone) == "Europe/Berlin"


def test_a_moderator_is_told_how_many_posts_wait_and_since_when_with_a_link_to_the_queue(
        waiting_post, space, moderator):
    assert remind(morning(MONDAY)) == 1

    (mail,) = reminders(moderator)
    assert mail.subject == SUBJECT
    body = mail.body_text
    assert body.startswith("Hallo Moderatorin Mia,")
    assert f"== {space.title} ==" in body
    assert "- 1 Beitrag wartet auf Freigabe" in body
    since = to_local(waiting_post.created_at)
    assert f"Das Älteste wartet seit {since:%d.%m.%Y, %H:%M}." in body
    assert "/austausch/moderation" in body


def test_the_mail_carries_no_words_no_title_and_no_author(waiting_post, moderator, author):
    remind(morning(MONDAY))

    (mail,) = reminders(moderator)
    for said in (mail.subject, mail.body_text):
        assert TEXT not in said and "Pausen" not in said
        assert waiting_post.pseudonym not in said
        assert_no_identity(said, author)


def test_reminded_once_a_day_however_often_the_job_runs_and_again_the_next_day(waiting_post, moderator):
    monday = morning(MONDAY)
    assert remind(monday) == 1
    assert remind(monday + timedelta(hours=2)) == 0  # the scheduler restarted, or run once by hand
    assert len(reminders(moderator)) == 1

    assert remind(monday + timedelta(days=1)) == 1  # still waiting on Tuesday: reminded again
    assert len(reminders(moderator)) == 2


def test_nothing_is_sent_when_nothing_waits(space, moderator, waiting_post):
    moderation.approve(waiting_post, by=moderator, now=utcnow())
    db.session.commit()

    assert remind(morning(MONDAY)) == 0
    assert reminders(moderator) == []


def test_nothing_is_sent_at_the_weekend(waiting_post, moderator):
    assert remind(morning(SATURDAY)) == 0
    assert remind(morning(SATURDAY) + timedelta(days=1)) == 0
    assert reminders(moderator) == []


@pytest.mark.parametrize(("day", "sent"), [(date(2026, 12, 25), 0), (date(2027, 1, 6), 0), (date(2027, 1, 7), 1)],
                         ids=["Christmas Day, a Friday", "Epiphany in Baden-Württemberg, a Wednesday",
                              "the Thursday after"])
def test_nothing_is_sent_on_a_public_holiday_of_the_networks_state(waiting_post, moderator, day, sent):
    assert remind(at_seven(day)) == sent
    assert len(reminders(moderator)) == sent


def test_the_holidays_are_those_of_the_state_configured(app, monkeypatch, waiting_post, moderator):
    monkeypatch.setitem(app.config, "HOLIDAY_STATE", "BE")

    assert remind(at_seven(date(2027, 1, 6))) == 1  # Epiphany is no holiday in Berlin
    assert remind(at_seven(date(2027, 3, 8))) == 0  # International Women's Day is, since 2019
    assert len(reminders(moderator)) == 1


def test_who_lost_the_role_or_the_account_is_not_reminded(waiting_post, space, moderator, make_user):
    deactivated = make_user(Role.MODERATOR, name="Moderator Alt")
    assign(space, deactivated)
    deactivated.active = False
    db.session.execute(delete(UserRole).where(UserRole.user_id == moderator.id, UserRole.role == "moderator"))
    db.session.commit()

    assert remind(morning(MONDAY)) == 0
    assert reminders(moderator) == [] and reminders(deactivated) == []


def test_each_moderator_hears_only_of_their_own_spaces(waiting_post, space, moderator, make_space, make_user):
    other = make_space(title="Schichtarbeit und Familie")  # nothing waits there
    other_moderator = make_user(Role.MODERATOR, name="Moderator Otto")
    assign(other, other_moderator)
    assign(other, moderator)

    assert remind(morning(MONDAY)) == 1
    assert reminders(other_moderator) == []
    assert "Schichtarbeit und Familie" not in reminders(moderator)[0].body_text


def test_changes_and_reports_are_counted_per_space_with_the_oldest_of_all(
        space, moderator, author, reader, make_space):
    first = posting.start_thread(space, author, "Cobots", "Wie läuft es?", anonymous=False, now=utcnow())
    moderation.approve(first.posts[0], by=moderator, now=utcnow())
    second = posting.start_thread(space, reader, "Kantine", "Zu früh zu.", anonymous=False, now=utcnow())
    moderation.approve(second.posts[0], by=moderator, now=utcnow())
    reported_at = utcnow() - timedelta(days=2)
    following.flag(second.posts[0], author, "Unfreundlich", now=reported_at)
    posting.edit_post(first.posts[0], author, "Wie läuft es bei euch?", now=utcnow())
    posting.edit_post(second.posts[0], reader, "Zu früh zu, leider.", now=utcnow())
    posting.reply(first, reader, "Gut.", anonymous=False, now=utcnow())
    posting.reply(first, reader, "Sehr gut.", anonymous=False, now=utcnow())
    elsewhere = make_space(title="Schichtarbeit und Familie")
    assign(elsewhere, moderator)
    posting.start_thread(elsewhere, reader, "Kita", "Erst ab sieben.", anonymous=False, now=utcnow())
    db.session.commit()

    remind(morning(MONDAY))

    body = reminders(moderator)[0].body_text
    mine = body[body.index(f"== {space.title} =="):body.index("== Schichtarbeit und Familie ==")]
    assert "- 2 Beiträge warten auf Freigabe" in mine
    assert "- 2 Änderungen warten auf Freigabe" in mine
    assert "- 1 Meldung ist offen" in mine
    assert f"Das Älteste wartet seit {to_local(reported_at):%d.%m.%Y, %H:%M}." in mine  # the report
    theirs = body[body.index("== Schichtarbeit und Familie =="):]
    assert "- 1 Beitrag wartet auf Freigabe" in theirs and "Änderung" not in theirs


def test_a_moderator_who_reads_english_is_reminded_in_english(space, author, make_user):
    english = make_user(Role.MODERATOR, name="Mary Moderator", language="en")
    assign(space, english)
    posting.start_thread(space, author, TITLE, TEXT, anonymous=True, now=utcnow())
    db.session.commit()

    remind(morning(MONDAY))

    (mail,) = reminders(english)
    assert mail.body_text.startswith("Hello Mary Moderator,")


def test_a_space_assigned_after_the_days_reminder_brings_no_second_one_that_day(
        waiting_post, moderator, make_space, reader):
    monday = morning(MONDAY)
    remind(monday)
    later = make_space(title="Schichtarbeit und Familie")
    assign(later, moderator)
    posting.start_thread(later, reader, "Kita", "Erst ab sieben.", anonymous=False, now=utcnow())
    db.session.commit()

    remind(monday + timedelta(hours=3))  # reminds the space's own first moderator, who opened it
    assert len(reminders(moderator)) == 1
    remind(monday + timedelta(days=1))
    assert len(reminders(moderator)) == 2
    assert "== Schichtarbeit und Familie ==" in reminders(moderator)[-1].body_text
