"""Markup for keyboard and screen-reader users: error lists that name their fields, messages that can take the
focus, buttons that say which post they act on, scrolling tables each with a name of its own.

The focus itself moves in the browser (static/js/app.js): see tests/browser/test_keyboard.py.
"""

import html
import io
import re
from collections import Counter
from datetime import time, timedelta

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.exchange import posting, spaces
from qualify.extensions import db
from qualify.learning import withdrawal
from qualify.learning.services import certificate_by_code
from qualify.workshops import schedule
from tests.admin.test_certificates import certified

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
    assert '<fieldset id="posts"' in page and 'id="confirm"' in page


def test_a_group_of_choices_with_an_error_is_described_by_it_and_its_choices_are_marked_invalid(client, login,
                                                                                                   make_user):
    login(make_user())

    page = client.post("/meine-daten/loeschen", data={"posts": "verschwinden", "password": "x"}).text

    assert '<fieldset id="posts" aria-describedby="posts-error">' in page
    assert re.search(r'<p class="error" id="posts-error">[^<]+</p>', page)
    choices = re.findall(r'<input[^>]*name="posts"[^>]*>', page)
    assert len(choices) == 2 and all('aria-invalid="true"' in choice for choice in choices)


def test_a_group_of_choices_without_an_error_is_not_marked(client, login, make_user):
    login(make_user())

    page = client.get("/meine-daten/loeschen").text

    assert '<fieldset id="posts">' in page
    assert "aria-invalid" not in page


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


def test_the_log_links_of_the_moderation_queue_say_whose_log_they_are(client, login, make_user):
    moderator = make_user(Role.MODERATOR)
    for title in ("Schichtarbeit", "Kantine"):
        spaces.create_space(title, "", organisation_id=None, moderation="pre", anonymous="allowed", by=moderator,
                            now=utcnow())
    db.session.commit()
    login(moderator)

    names = names_of(client.get("/austausch/moderation").text, "Protokoll")

    assert sorted(names) == ["Protokoll des Raums „Kantine“", "Protokoll des Raums „Schichtarbeit“"]


# --- signs for the eye only -----------------------------------------------------------------------------------

SIGNS = re.compile(r"[›←→]")


def test_the_arrows_of_breadcrumbs_and_module_pager_are_not_read_out(client, login, make_user, demo_courses):
    course = demo_courses["hochvolt-sicherheit"]
    second = course.active_modules[1]
    login(make_user())

    page = client.get(f"/kurse/{course.slug}/module/{second.slug}").text
    breadcrumb, pager = (re.search(rf'<nav class="{name}".*?</nav>', page, re.S).group(0)
                         for name in ("breadcrumb", "pager"))

    for nav in (breadcrumb, pager):  # "Kurse › Kurs"; "← vorheriges", "nächstes →"
        assert SIGNS.findall(nav) and len(SIGNS.findall(nav)) == len(
            re.findall(r'<span aria-hidden="true">[›←→]</span>', nav)), nav
    read = re.sub(r'<span aria-hidden="true">[^<]*</span>', "", pager)
    pager = names_of(read, "Vorheriges", "Nächstes")  # which way, in words instead of the arrows
    assert pager == [f"Vorheriges Modul: {course.active_modules[0].current_version.title}",
                     f"Nächstes Modul: {course.active_modules[2].current_version.title}"]


def test_no_template_asks_for_a_mouse(app):
    templates = [name for name in app.jinja_env.list_templates() if name.endswith(".html")]
    said = {name: app.jinja_env.loader.get_source(app.jinja_env, name)[0] for name in templates}

    mouse = {name: found for name, text in said.items()
             if (found := re.findall(r"\b(?:[Kk]lick(?:en)?|anklicken)\b", text))}

    assert mouse == {}  # "wählen Sie", not "klicken Sie": keyboards, touch and speech choose too ("Klicks": data)


# --- scrolling tables ---------------------------------------------------------------------------------------

def test_the_tables_of_the_import_preview_have_names_of_their_own(client, login, make_user, make_organisation):
    firma = make_organisation("Muster GmbH")
    login(make_user(Role.ADMIN))
    content = b"E-Mail;Name\nkeine-adresse;Anna Arndt\n"

    page = client.post("/verwaltung/import", data={"organisation": firma.slug, "file": (io.BytesIO(content), "a.csv")},
                       content_type="multipart/form-data", follow_redirects=True).text

    names = region_names(page)
    assert any(name.startswith("Probleme in der Datei") for name in names)
    assert len(names) >= 2 and repeated(names) == []


def test_the_tables_of_the_feedback_overview_have_names_of_their_own(client, login, make_user, demo_courses):
    login(make_user(Role.ADMIN, Role.COORDINATOR))

    page = client.get("/berichte/rueckmeldungen").text

    # No module has K answers yet: the network's table is a sentence under its heading, the other keeps its name.
    names = region_names(page)
    assert names == ["Rückmeldungen je Modul"] and 'id="netzwerk-leer"' in page


def test_the_tables_of_the_administration_are_named_by_their_captions(client, login, make_user, make_organisation,
                                                                     demo_courses):
    firma = make_organisation("Muster GmbH")
    course = demo_courses["hochvolt-sicherheit"]
    certified(make_user(name="Greta Gültig"), course, via={})
    taken_back = certificate_by_code(certified(make_user(name="Greta Zurück"), course, via={}))
    reopen = next(d.module.id for d in withdrawal.done_modules(taken_back) if d.reopenable)
    withdrawal.withdraw_certificate(taken_back, reason="Versehen", reopen={reopen}, by=make_user(Role.ADMIN),
                                    now=utcnow())
    db.session.commit()
    login(make_user(Role.ADMIN))

    expected = {"/verwaltung/": ["Personen"], "/verwaltung/import": ["Spalten der CSV-Datei"],
                "/verwaltung/organisationen/": ["Organisationen"],
                f"/verwaltung/organisationen/{firma.id}": ["Einheiten von Muster GmbH"],
                "/verwaltung/zertifikate/?q=Greta": ["Ausgestellte Zertifikate", "Zurückgezogene Zertifikate"]}
    for url, captions in expected.items():
        page = client.get(url).text
        assert "seitlich verschiebbar" not in page, url  # no name every table would share
        assert region_names(page) == captions, url
        assert not re.search(r'role="region" aria-label=', page), url  # each names the caption it shows


# --- titles of pages of a list -------------------------------------------------------------------------------

def title_of(page: str) -> str:
    return html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1))


def test_the_pages_of_a_list_and_its_searches_have_titles_of_their_own(client, login, make_user):
    for n in range(51):  # two pages of them
        make_user(name=f"Nummer {n}")
    login(make_user(Role.ADMIN, language="en"))

    assert title_of(client.get("/verwaltung/").text) == "People · Qualify"
    assert title_of(client.get("/verwaltung/?seite=2").text) == "People – Page 2 · Qualify"
    assert title_of(client.get("/verwaltung/?q=Nummer&seite=2").text) == "People – “Nummer” – Page 2 · Qualify"
    assert title_of(client.get("/verwaltung/protokoll?seite=2").text) == "Log – Page 2 · Qualify"
    assert title_of(client.get("/verwaltung/protokoll?aktion=user.update&person=Anna").text) == \
        "Log – Personal data changed – “Anna” · Qualify"
    assert title_of(client.get("/verwaltung/zertifikate/?q=Q-1234").text) == "Certificates – “Q-1234” · Qualify"


def test_the_title_of_a_searched_page_holds_the_search_as_text(client, login, make_user):
    login(make_user(Role.ADMIN))
    page = client.get("/verwaltung/zertifikate/", query_string={"q": "<b>fett</b>"}).text
    assert "<title>Zertifikate – „&lt;b&gt;fett&lt;/b&gt;“ · Qualify</title>" in page


# --- links that say which session they lead to --------------------------------------------------------------

def test_two_sessions_of_one_module_are_told_apart_by_their_links(client, login, make_user, demo_courses):
    course = demo_courses["hochvolt-sicherheit"]
    module = next(m for m in course.active_modules if m.current_version.kind == "workshop")
    trainer = make_user(Role.TRAINER)
    plan = schedule.SessionPlan(start_time=time(9), end_time=time(12), capacity=10, place="Halle 4",
                                trainers=[trainer])
    days = [(utcnow() + timedelta(days=days)).date() for days in (14, 21)]
    first, second = schedule.create_sessions(module, plan, days, by=trainer, now=utcnow())
    db.session.commit()
    login(make_user(language="en"))

    page = client.get("/termine/").text

    names = names_of(page, first.title)
    assert len(names) == 2 and repeated(names) == [], names
    for day in days:  # e.g. "Praxistag am Hochvolt-Schulungsfahrzeug, 15 Dec 2026, 09:00"
        assert any(re.search(rf", {day.day} \w+ {day.year}, 09:00$", name) for name in names), names
