"""What the privacy pages say: true to what the platform does, and in proper German."""

import html
import re

from qualify.accounts.roles import Role
from tests.conftest import PASSWORD


def row_of(page: str, key: str) -> str:
    """The text of the annex's row of one category, without markup."""
    row = re.search(rf'<tr id="frist-{key}">(.*?)</tr>', page, re.S).group(1)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())


def test_the_annex_names_the_administration_where_it_sees_learning_and_workshops(client, login, make_user):
    login(make_user())
    annex = client.get("/meine-daten/aufbewahrung").text

    learning = row_of(annex, "learning")
    # The certificate page lists each module behind a certificate with how and when it was done.
    assert "die Administration beim Prüfen oder Zurückziehen eines Zertifikats" in learning
    assert "wie und wann" in learning
    workshops = row_of(annex, "workshops")
    # Administrators open every session's participant and attendance lists.
    assert "die Administration, die Teilnahme- und Anwesenheitslisten jedes Termins öffnen kann" in workshops
    assert "für Trainer/innen einzuspringen" in workshops
    assert "die Administration, um Zertifikate zu finden, zu prüfen" in row_of(annex, "certificates")


def test_shortening_a_retention_period_to_one_day_says_day_not_days(client, login, make_user):
    login(make_user(Role.ADMIN))
    asked = html.unescape(client.post("/meine-daten/aufbewahrung/quiz_attempts", data={"days": "1"}).text)
    assert "„Quiz-Versuche“: von 730 auf 1 Tag." in asked and "1 Tage" not in asked
    two = html.unescape(client.post("/meine-daten/aufbewahrung/quiz_attempts", data={"days": "2"}).text)
    assert "von 730 auf 2 Tage." in two


def test_erasing_ones_account_unconfirmed_says_so_in_a_proper_sentence(client, login, make_user):
    login(make_user())
    page = html.unescape(client.post("/meine-daten/loeschen", data={"posts": "keep", "password": PASSWORD}).text)
    assert ("Ich möchte mein Konto und meine Daten endgültig löschen: Bitte bestätigen Sie, dass Sie Ihr Konto "
            "löschen möchten.") in page
    assert ".:" not in page


def test_erasing_someone_elses_account_unconfirmed_says_so_in_a_proper_sentence(client, login, make_user):
    login(make_user(Role.ADMIN))
    leaver = make_user()
    page = html.unescape(client.post(f"/verwaltung/personen/{leaver.id}/loeschen",
                                     data={"posts": "keep", "reason": "Austritt"}).text)
    assert ("Ich lösche dieses Konto und seine Daten endgültig: Bitte bestätigen Sie, dass Sie dieses Konto "
            "endgültig löschen möchten.") in page
    assert ".:" not in page


def test_the_download_of_ones_own_data_is_named_in_plain_words_on_both_pages(client, login, make_user):
    login(make_user())
    for url in ("/meine-daten/", "/meine-daten/export"):
        page = html.unescape(client.get(url).text)
        link = re.search(r'<a [^>]*href="/meine-daten/export.json"[^>]*>([^<]*)</a>', page).group(1)
        assert link == "Alle Daten als Datei herunterladen (JSON, für Fachleute)", url
        assert "Als JSON herunterladen" not in page and "maschinenlesbar" not in page
    explained = html.unescape(client.get("/meine-daten/export").text)
    assert "Fachleute können die Datei in ein anderes Programm übernehmen." in explained
