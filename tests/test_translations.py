"""The English catalogue: complete for every message in the source, valid, and used by the pages.

German is the source language; English comes from qualify/translations/en/LC_MESSAGES/messages.po.
"""

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import render_template_string
from flask_babel import force_locale, get_babel

from qualify.accounts.roles import Role
from qualify.core import i18n

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "qualify" / "translations"
PO_FILE = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO_FILE = PO_FILE.with_suffix(".mo")
# What babel.cfg covers; tests/, courses/, bench/ and .venv/ hold no text of the interface.
SCANNED = ("qualify", "templates")
# As `pybabel extract -k _l -k lazy_gettext -k _`.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")

HOW_TO_FIX = """
To fix, from the repository root:
  .venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _ -o qualify/translations/messages.pot .
  .venv/bin/pybabel update -i qualify/translations/messages.pot -d qualify/translations --ignore-obsolete
then translate the new or changed entries in qualify/translations/en/LC_MESSAGES/messages.po (keep %(name)s
placeholders exactly, fill every plural form, delete the `#, fuzzy` line once the text is checked) and run
`make translations` to compile."""


def _source_messages() -> dict[tuple[str | None, str], tuple[object, str]]:
    """Every message marked for translation, as `pybabel extract` finds it: (context, key) → (msgid, where)."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, filename=str(ROOT / "babel.cfg"))

    def scanned(dirpath: str) -> bool:
        parts = Path(dirpath).relative_to(ROOT).parts
        return bool(parts) and parts[0] in SCANNED and not any(p.startswith((".", "__")) for p in parts)

    messages = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=scanned):
        key = message[0] if isinstance(message, tuple) else message
        if key:
            messages.setdefault((context, key), (message, f"{filename}:{lineno}"))
    return messages


@pytest.fixture(scope="module")
def catalogue():
    with open(PO_FILE, "rb") as po:
        return read_po(po, locale="en")


def _translated(string) -> bool:
    strings = string if isinstance(string, (tuple, list)) else (string,)
    return all(s and s.strip() for s in strings)


def test_every_source_message_has_an_english_translation(catalogue):
    source = _source_messages()
    assert len(source) > 100, f"extraction found only {len(source)} messages: is babel.cfg right?"
    missing, fuzzy, wrong_plural = [], [], []
    for (context, key), (message, where) in sorted(source.items(), key=lambda item: item[1][1]):
        entry = catalogue.get(key, context=context)
        if entry is None or not _translated(entry.string):
            missing.append(f"  {key!r}  ({where})")
        elif entry.fuzzy:
            fuzzy.append(f"  {key!r}  ({where})")
        elif isinstance(message, tuple) != isinstance(entry.id, tuple) or (
                isinstance(message, tuple) and tuple(message[:2]) != tuple(entry.id)):
            wrong_plural.append(f"  {key!r}  ({where}): source has {message!r}, messages.po has {entry.id!r}")
    problems = []
    if missing:
        problems.append(f"{len(missing)} message(s) without an English translation:\n" + "\n".join(missing))
    if fuzzy:
        problems.append(f"{len(fuzzy)} fuzzy translation(s), not shown until checked:\n" + "\n".join(fuzzy))
    if wrong_plural:
        problems.append(f"{len(wrong_plural)} plural form(s) out of date:\n" + "\n".join(wrong_plural))
    assert not problems, "\n\n".join(problems) + "\n" + HOW_TO_FIX


def test_no_fuzzy_or_empty_entries_and_placeholders_match(catalogue):
    problems = []
    for entry in catalogue:
        if not entry.id:
            continue
        key = entry.id[0] if isinstance(entry.id, tuple) else entry.id
        if entry.fuzzy:
            problems.append(f"  {key!r}: marked fuzzy")
        if not _translated(entry.string):
            problems.append(f"  {key!r}: no translation")
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = sorted(set(PLACEHOLDER.findall(" ".join(ids))))
        if isinstance(entry.id, tuple) and len(strings) != catalogue.num_plurals:
            problems.append(f"  {key!r}: {len(strings)} plural forms instead of {catalogue.num_plurals}")
        for string in strings:
            found = sorted(set(PLACEHOLDER.findall(string)))
            if found != expected:
                problems.append(f"  {key!r}: placeholders {found} in {string!r}, expected {expected}")
            if PLACEHOLDER.sub("", ids[0]).count("%") != PLACEHOLDER.sub("", string).count("%"):
                problems.append(f"  {key!r}: literal % signs differ from the German (%% in formatted text)"
                                f" in {string!r}")
    for entry, errors in catalogue.check():  # Babel's own checks: python-format and plural count
        problems.extend(f"  {entry.id!r}: {error}" for error in errors)
    assert not problems, "Problems in messages.po:\n" + "\n".join(problems) + "\n" + HOW_TO_FIX


def test_catalogue_compiles(catalogue):
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    english = Translations(fp=buffer)
    assert english.gettext("Mein Lernen") == "My learning"
    assert english.ngettext("%(num)d Kurs", "%(num)d Kurse", 2) == "%(num)d courses"


# --- The pages ---------------------------------------------------------------------------------------------
# `make test` compiles the catalogue first (target `translations`). Run directly with pytest, the .mo may be
# missing or older than messages.po: compile it then, and drop what the app cached from the old one.

@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue(app, catalogue):
    if not MO_FILE.exists() or MO_FILE.stat().st_mtime < PO_FILE.stat().st_mtime:
        buffer = io.BytesIO()
        write_mo(buffer, catalogue)
        MO_FILE.write_bytes(buffer.getvalue())
        with app.app_context():
            get_babel(app).instance.domain_instance.cache.clear()
        i18n._CATALOGUES.clear()


@pytest.fixture(scope="module")
def english(catalogue):
    """The English text of a German message, checked to differ from the German."""

    def translate(german: str) -> str:
        text = catalogue.get(german).string
        assert text and text != german
        return text

    return translate


def _html_lang(response) -> str:
    return re.search(r'<html[^>]*\blang="([^"]+)"', response.text).group(1)


def test_guest_sees_german_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert _html_lang(response) == "de"
    assert "Lernen für die Arbeit von morgen" in response.text


def test_guest_with_english_browser_sees_english_welcome_page(client, english):
    response = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert response.status_code == 200
    assert _html_lang(response) == "en"
    assert english("Lernen für die Arbeit von morgen") in response.text
    assert "Lernen für die Arbeit von morgen" not in response.text


def test_guest_with_language_cookie_sees_english_sign_in_page(client, english):
    client.set_cookie("lang", "en")
    response = client.get("/anmelden", headers={"Accept-Language": "de"})
    assert response.status_code == 200
    assert _html_lang(response) == "en"
    assert english("Passwort vergessen?") in response.text
    assert english("E-Mail-Adresse") in response.text
    assert "Passwort vergessen?" not in response.text


def test_signed_in_user_with_english_profile_sees_english_navigation(client, login, make_user, english):
    user = make_user(Role.LEARNER, Role.WORKS_COUNCIL, language="en")
    login(user)
    response = client.get("/", headers={"Accept-Language": "de"})
    assert response.status_code == 200
    assert _html_lang(response) == "en"
    nav = re.search(r'<nav id="hauptnavigation" class="main-nav"[^>]*>(.*?)</nav>', response.text, re.S)
    assert nav, "no main navigation on the page"
    assert f'aria-label="{english("Hauptnavigation")}"' in nav.group(0)
    for german in ("Kurse", "Mein Lernen", "Beteiligung"):
        assert english(german) in nav.group(1), f"{german!r} not in English in the navigation"
    for german in ("Mein Lernen", "Beteiligung"):
        assert german not in nav.group(1)


def test_profile_language_wins_over_cookie(client, login, make_user):
    user = make_user(Role.LEARNER, language="de")
    client.set_cookie("lang", "en")
    login(user)
    response = client.get("/", headers={"Accept-Language": "en"})
    assert _html_lang(response) == "de"
    assert "Mein Lernen" in response.text


def test_a_word_with_two_meanings_is_translated_by_where_it_stands(app):
    with app.test_request_context():
        with force_locale("en"):
            assert render_template_string('{{ _("Von") }} – {{ pgettext("saved by", "Von") }}') == "From – By"
        with force_locale("de"):
            assert render_template_string('{{ pgettext("saved by", "Von") }}') == "Von"


def test_no_message_is_marked_inside_an_f_string():
    # The extractor does not look inside f-strings: a message marked there is in no catalogue and stays German
    # on English pages (a CSV header "Newly enrolled (Anteil)", a filter "Kennzahl: Active").
    import ast

    markers = {"_", "_l", "gettext", "ngettext", "lazy_gettext", "pgettext"}
    marked_inside = []
    for path in sorted((ROOT / "qualify").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr) and any(
                    isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in markers
                    for call in ast.walk(node)):
                marked_inside.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert marked_inside == []
