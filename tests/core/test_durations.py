"""Course durations in words a learner takes in at a glance: minutes below an hour, half hours above."""

import pytest
from flask_babel import force_locale

from qualify.core.templating import duration_words


@pytest.mark.parametrize(("minutes", "german", "english"), [
    (1, "1 Minute", "1 minute"), (45, "45 Minuten", "45 minutes"), (60, "1 Stunde", "1 hour"),
    (90, "1½ Stunden", "1½ hours"), (170, "3 Stunden", "3 hours"), (260, "4½ Stunden", "4½ hours"),
    (290, "5 Stunden", "5 hours")])
def test_a_duration_is_said_in_minutes_or_half_hours(app, minutes, german, english):
    with app.test_request_context():
        with force_locale("de"):
            assert duration_words(minutes) == german
        with force_locale("en"):
            assert duration_words(minutes) == english


def test_the_catalogue_says_hours_not_hundreds_of_minutes(client, demo_courses, make_user, login):
    login(make_user())
    page = client.get("/kurse/").text
    assert "ca. 4½ Stunden" in page and "260 Minuten" not in page
