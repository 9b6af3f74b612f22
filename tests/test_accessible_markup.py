"""Markup for keyboard and screen-reader users: error lists that name their fields, messages that can take the
focus, buttons that say which post they act on, scrolling tables each with a name of its own.

The focus itself moves in the browser (static/js/app.js): see tests/browser/test_keyboard.py.
"""

import html
import io
import re
from collections import Counter

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.exchange import posting, spaces
from qualify.extensions import db

SUMMARY = re.compile(r'<div class="form-errors" role="alert" tabindex="-1">(.*?)</div>', re.S)
REGION = re.compile(r'role="region" aria-(label|labelledby)="([^"]+)"')
ACTION = re.compile(r"<(button|summary|a)\b[^>]*>(.*?)</\1>", re.S)
# Inside an "ask once more" disclosure, the button that does it: shown once the disclosure, named by its post, is open.
CONFIRMATION = re.compile(r'(<details class="decision">.*?</summary>).*?</details>', re.S)


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def error_summary(page: str) -> str:
    found = SUMMARY.search(page)
    assert found, "no error summary that can take the focus"
    return found.group(1)


def region_names(page: str) -> list[str]:
    """The accessible name of every role="region" on the page, a caption referred to by its text."""
    names = []
    for kind, value in REGION.findall(page):
        if kind == "labelledby":
            value = text_of(re.search(rf'id="{value}"[^>]*>(.*?)</', page, re.S).group(1))
        names.append(value)
    return names


def names_of(page: str, *labels: str) -> list[str]:
    """The full text (visible and visually hidden) of every button, summary or link starting with one of labels,
    except the buttons inside the disclosures that ask once more."""
    page = CONFIRMATION.sub(r"\1", page)
    return [name for _tag, inner in ACTION.findall(page) if (name := text_of(inner)).startswith(labels)]


def repeated(names: list[str]) -> list[str]:
    return [name for name, count in Counter(names).items() if count > 1]


# --- error summary and messages ------------------------------------------------------------------------------

def test_the_error_summary_links_each_error_to_its_field(client, login, make_user):
    login(make_user())

    page = client.post("/profil", data={"display_name": "", "language": "de"}).text

    summary = error_summary(page)
    assert "markiert" not in summary
    assert "Bitte korrigieren Sie:" in summary
    (link,) = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert link[0] == "display_name" and 'id="display_name"' in page
    assert link[1].startswith("Angezeigter Name: ")


def test_the_error_summary_names_every_field_with_an_error(client, login, make_user):
    login(make_user())

    page = client.post("/profil/passwort", data={"current": "", "password": "kurz", "confirm": "anders"}).text

    targets = re.findall(r'<a href="#([^"]+)">', error_summary(page))
    assert {"current", "password"} <= set(targets)
    assert all(f'id="{target}"' in page for target in targets)


def test_an_import_without_organisation_leads_to_the_organisation(client, login, make_user):
    login(make_user(Role.ADMIN))

    page = client.post("/verwaltung/import", data={"organisation": ""}, content_type="multipart/form-data").text

    assert '<a href="#organisation">Organisation: Bitte wählen Sie eine Organisation.</a>' in error_summary(page)


def test_a_group_of_choices_with_an_error_is_linked_at_its_fieldset(client, login, make_user):
    login(make_user())

    page = client.post("/meine-daten/loeschen", data={"posts": "verschwinden", "password": "x"}).text

    targets = re.findall(r'<a href="#([^"]+)">', error_summary(page))
    assert {"posts", "confirm"} <= set(targets)
    assert '<fieldset id="posts">' in page and 'id="confirm"' in page


def test_a_message_after_an_action_can_take_the_focus(client, login, make_user):
    login(make_user())

    page = client.post("/abmelden", data={}, follow_redirects=True).text

    assert re.search(r'<div class="flashes" tabindex="-1" role="status">\s*<p class="flash flash-success">Sie sind '
                     r"abgemeldet\.</p>", page)
    assert re.search(r'<script src="/static/js/app\.js(\?[^"]*)?" defer></script>', page)


# --- buttons named by their post ----------------------------------------------------------------------------

def test_every_post_in_the_queue_has_buttons_of_its_own(client, login, make_user):
    moderator = make_user(Role.MODERATOR)
    space = spaces.create_space("Schichtarbeit", "", organisation_id=None, moderation="pre", anonymous="allowed",
                                by=moderator, now=utcnow())
    writer = make_user(name="Kowalczyk Anneliese")
    posting.start_thread(space, writer, "Kita", "Erst ab sieben.", anonymous=True, now=utcnow())
    posting.start_thread(space, make_user(name="Bruno Brenner"), "Kantine", "Zu früh zu.", anonymous=False,
                         now=utcnow())
    db.session.commit()
    login(moderator)

    page = client.get("/austausch/moderation").text

    decisions = names_of(page, "Freigeben", "Ablehnen")
    assert len(decisions) == 4 and repeated(decisions) == []
    assert any(name.startswith("Freigeben Beitrag von Bruno Brenner vom ") for name in decisions)
    assert "Kowalczyk" not in page  # the pseudonymous post is named by the pseudonym the queue shows


def test_the_buttons_of_each_post_in_a_thread_name_their_post(client, login, make_user):
    moderator = make_user(Role.MODERATOR)
    space = spaces.create_space("Schichtarbeit", "", organisation_id=None, moderation="post", anonymous="allowed",
                                by=moderator, now=utcnow())
    writer = make_user(name="Kowalczyk Anneliese")
    thread = posting.start_thread(space, writer, "Kita", "Erst ab sieben.", anonymous=True, now=utcnow())
    posting.reply(thread, make_user(name="Bruno Brenner"), "Betriebskita!", anonymous=False, now=utcnow())
    db.session.commit()
    login(moderator)

    page = client.get(f"/austausch/faden/{thread.id}").text

    for label in ("Zitieren", "Melden", "Ausblenden"):
        names = names_of(page, label)
        assert len(names) == 2 and repeated(names) == [], names
        assert any(name.startswith(f"{label} Beitrag von Bruno Brenner vom ") for name in names)
    assert "Kowalczyk" not in page


# --- scrolling tables ---------------------------------------------------------------------------------------

def test_the_tables_of_the_import_preview_have_names_of_their_own(client, login, make_user, make_organisation):
    firma = make_organisation("Muster GmbH")
    login(make_user(Role.ADMIN))
    content = b"E-Mail;Name\nkeine-adresse;Anna Arndt\n"

    page = client.post("/verwaltung/import", data={"organisation": firma.slug, "file": (io.BytesIO(content), "a.csv")},
                       content_type="multipart/form-data").text

    names = region_names(page)
    assert any(name.startswith("Probleme in der Datei") for name in names)
    assert len(names) >= 2 and repeated(names) == []


def test_the_tables_of_the_feedback_overview_have_names_of_their_own(client, login, make_user, demo_courses):
    login(make_user(Role.ADMIN, Role.COORDINATOR))

    page = client.get("/berichte/rueckmeldungen").text

    names = region_names(page)
    assert len(names) >= 2 and repeated(names) == []
