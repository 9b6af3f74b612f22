"""The readable data export costs the same statements however much a person wrote and follows, and reads the same
whichever way its values are looked up."""

from datetime import timedelta

from flask import current_app

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.exchange import following, posting, spaces
from qualify.extensions import db
from qualify.privacy import readable

START = utcnow() - timedelta(days=3)


def test_the_readable_export_costs_the_same_with_1_and_50_posts_and_follows(client, login, make_user,
                                                                            count_statements):
    space = spaces.create_space("Schichtarbeit", "Wie klappt es?", organisation_id=None, moderation="post",
                                anonymous="allowed", by=make_user(Role.MODERATOR), now=START)
    person = make_user()
    login(person)
    counts, written = [], 0
    for posts in (1, 50):
        for _ in range(posts - written):
            moment = START + timedelta(minutes=7 * written)
            thread = posting.start_thread(space, make_user(), f"Faden {written}", "Wie ist es bei euch?",
                                          anonymous=False, now=moment)
            posting.reply(thread, person, f"Bei uns **so** ({written}).", anonymous=written % 2 == 0,
                          now=moment + timedelta(minutes=1))  # and follows the thread
            other = posting.start_thread(space, make_user(), f"Nur gefolgt {written}", "Text", anonymous=False,
                                         now=moment)
            following.follow(other, person, mode="digest", now=moment + timedelta(minutes=2))
            written += 1
        db.session.commit()
        client.get("/meine-daten/export")  # warm up what is kept per process
        with current_app.app_context(), count_statements() as counter:
            page = client.get("/meine-daten/export")
        assert page.status_code == 200 and f"Bei uns **so** ({written - 1})." in page.text
        assert page.text.count("<dd>einmal täglich</dd>") == posts
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_a_page_of_rows_reads_each_row_as_a_single_row_is_read(app):
    rows = [{"status": "published", "mode": "digest", "created_at": "2026-11-30T06:01:59+00:00",
             "published_at": "2026-11-30T06:01:01+00:00", "edited_at": "2026-11-30T06:02:00+00:00",
             "is_opening": False, "body_source": "Text"},
            {"status": "hidden", "mode": "immediate", "created_at": "2026-11-30T06:01:30+00:00",
             "published_at": None, "edited_at": "2026-11-3XT06:01:30", "is_opening": True, "body_source": ""}]
    for language in ("de", "en"):
        with app.test_request_context(headers={"Accept-Language": language}):
            page = readable.ReadablePage()
            for row in rows:  # as each value reads on its own
                assert page.shown_fields(row) == [(field, readable.readable(value, field))
                                                  for field, value in row.items()]
            # Seconds apart in the same minute: written alike; the next minute: not.
            shown = dict(page.shown_fields(rows[0]))
            assert shown["created_at"] == shown["published_at"] != shown["edited_at"]
