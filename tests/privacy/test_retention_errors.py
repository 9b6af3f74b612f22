"""A retention period the category does not allow is refused at once, at its field, before anything is asked."""

import html
import re

from qualify.accounts.roles import Role
from qualify.privacy import services
from tests.test_accessible_markup import error_summary, text_of


def days_input(page: str, key: str) -> str:
    return re.search(rf'<input type="number" id="days-{key}"[^>]*>', page).group(0)


def test_too_short_a_period_is_refused_at_its_field_without_asking_to_confirm(client, login, make_user):
    login(make_user(Role.ADMIN))
    response = client.post("/meine-daten/aufbewahrung/audit", data={"days": "30"})
    page = response.text

    assert response.status_code == 400
    assert "Aufbewahrungsfrist verkürzen" not in page and "Einträge gelöscht" not in page  # nothing asked
    assert services.retention_days("audit") == 1095
    field = days_input(page, "audit")
    assert 'value="30"' in field  # what was typed, to correct
    assert 'aria-invalid="true"' in field and 'aria-describedby="days-audit-error"' in field
    error = re.search(r'<p class="error" id="days-audit-error">(.*?)</p>', page, re.S).group(1)
    assert html.unescape(error) == "„Protokoll der Verwaltung“ wird mindestens 365 Tage aufbewahrt."
    summary = error_summary(page)
    assert 'href="#days-audit"' in summary
    assert "Neue Frist in Tagen: „Protokoll der Verwaltung“ wird mindestens 365 Tage aufbewahrt." in text_of(summary)
    # The other rows keep their periods, unmarked.
    assert 'value="730"' in days_input(page, "quiz_attempts")
    assert "aria-invalid" not in days_input(page, "quiz_attempts")


def test_a_missing_or_out_of_range_number_is_refused_at_its_field(client, login, make_user):
    login(make_user(Role.ADMIN))
    for typed in ("", "0", "4000"):
        response = client.post("/meine-daten/aufbewahrung/quiz_attempts", data={"days": typed})
        assert response.status_code == 400
        field = days_input(response.text, "quiz_attempts")
        assert f'value="{typed}"' in field and 'aria-invalid="true"' in field
        assert "Bitte eine Zahl von 1 bis 3650 Tagen angeben." in text_of(error_summary(response.text))
    assert services.retention_days("quiz_attempts") == 730


def test_an_allowed_shorter_period_is_still_asked_once_more(client, login, make_user):
    login(make_user(Role.ADMIN))
    asked = client.post("/meine-daten/aufbewahrung/audit", data={"days": "400"}).text
    assert "von 1095 auf 400 Tage" in asked and "form-errors" not in asked
    assert services.retention_days("audit") == 1095
