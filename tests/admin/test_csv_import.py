"""Importing employees from a CSV file: preview first, then all or nothing, and idempotent."""

import html
import io
import re
import time
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from qualify.accounts import csv_file, csv_import
from qualify.accounts.commands import users_cli
from qualify.accounts.models import PendingImport, User
from qualify.accounts.roles import Role, parse_role
from qualify.admin import views
from qualify.core import audit
from qualify.core.audit import AuditEvent
from qualify.core.mail import OutboxMessage
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.privacy.services import purge_expired_data
from tests.admin.conftest import HEADER, confirm, hidden_fields, upload

CLEAN = HEADER + ("anna@example.org;Anna Arndt;1001;Montage;Lernende;de\n"
                  "ben@example.org;Ben Brandt;1002;Logistik;Lernende|Trainer;en\n")
PROBLEM_ROW = re.compile(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td><td>([^<]*)</td></tr>')
CELL_LABEL = re.compile(r'<span class="cell-label" aria-hidden="true">[^<]*</span>')
CHANGE_ROW = re.compile(r'<tr><th scope="row">(\d+)</th>\s*<td>(.*?)</td><td>(.*?)</td>\s*<td>(.*?)</td></tr>', re.S)


@pytest.fixture
def firma(make_organisation):
    return make_organisation("Muster GmbH")


def problems(response) -> list[tuple[str, str, str]]:
    """The rows of the preview's table of problems: (line, column, message), without the labels a phone shows."""
    table = re.search(r'<table id="import-problems"[^>]*>.*?</table>', response.text, re.S)
    rows = PROBLEM_ROW.findall(CELL_LABEL.sub("", table.group(0)) if table else "")
    return [tuple(html.unescape(cell) for cell in row) for row in rows]


def changes(response) -> dict[str, tuple[str, str]]:
    """The rows of the preview's table of changes: line -> (name, change), markup such as <strong> kept."""
    table = re.search(r'<table id="import-changes"[^>]*>.*?</table>', response.text, re.S)
    rows = CHANGE_ROW.findall(CELL_LABEL.sub("", table.group(0)) if table else "")
    return {line: (html.unescape(name), " ".join(html.unescape(change).split())) for line, name, _mail, change in rows}


def hints(response) -> list[str]:
    listing = re.search(r'<ul id="import-hints".*?</ul>', response.text, re.S)
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", listing.group(0) if listing else "")]


def people() -> dict[str, User]:
    return {user.email: user for user in db.session.scalars(select(User))}


def outbox() -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.recipient).order_by(OutboxMessage.id)))


def test_clean_file_is_previewed_then_imported_and_new_people_invited(client, admin, firma):
    preview = upload(client, firma, CLEAN)
    assert "2 neu, 0 geändert, 0 unverändert" in preview.text
    assert set(people()) == {admin.email} and outbox() == []  # the preview writes nothing

    response = confirm(client, hidden_fields(preview), follow_redirects=False)

    assert response.status_code == 302
    anna, ben = people()["anna@example.org"], people()["ben@example.org"]
    assert (anna.display_name, anna.personnel_number, anna.unit.name, anna.language) == ("Anna Arndt", "1001",
                                                                                         "Montage", "de")
    assert anna.organisation_id == firma.id and anna.password_hash is None
    assert ben.roles == {Role.LEARNER, Role.TRAINER} and ben.language == "en"
    assert sorted(outbox()) == ["anna@example.org", "ben@example.org"]
    event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "users.import"))
    assert event_.actor_id == admin.id and event_.details["created"] == 2 and event_.details["updated"] == 0
    assert "2 neu, 0 geändert, 0 unverändert" in client.get("/verwaltung/import").text


def test_invitation_links_let_the_new_person_set_a_password(client, admin, firma):
    confirm(client, hidden_fields(upload(client, firma, CLEAN)))
    body = db.session.scalar(select(OutboxMessage.body_text)
                             .where(OutboxMessage.recipient == "anna@example.org"))
    link = re.search(r"http://localhost(/\S+)", body).group(1)
    assert client.get(link).status_code == 200


def test_malformed_file_lists_every_problem_with_its_line_and_imports_nothing(client, admin, firma,
                                                                              make_organisation, make_user):
    make_user(email="fremd@example.org", organisation=make_organisation("Andere AG"))
    known = make_user(email="bekannt@example.org", name="Bekannt Alt", organisation=firma)
    known.personnel_number = "1000"
    make_user(email="nummer4711@example.org", organisation=firma).personnel_number = "4711"
    db.session.commit()
    before = (set(people()), outbox())
    content = HEADER + (
        '"ok@example.org";"Müller; Hans";1;Montage;Lernende;de\n'  # 2: fine (quoted delimiter)
        ";Ohne Mail;2;;;\n"                                         # 3
        "kaputt;Kaputt;3;;;\n"                                      # 4
        "ohne-name@example.org;;4;;;\n"                             # 5
        "\n"                                                        # 6: blank, ignored
        "einheit@example.org;Einheit;5;Lackiererei;;\n"             # 7
        "rolle@example.org;Rolle;6;;Lernende,Chef;\n"               # 8
        "sprache@example.org;Sprache;7;;;fr\n"                      # 9
        "OK@example.org;Doppelt;8;;;\n"                             # 10
        "nummer@example.org;Nummer;1;;;\n"                          # 11
        "lang@example.org;Lang;12;;;;Notiz\n"                       # 12
        "fremd@example.org;Fremd;9;;;\n"                            # 13
        "bekannt@example.org;Bekannt Neu;4711;;;\n"                 # 14
    )

    response = upload(client, firma, content)

    found = problems(response)
    expected = [("3", "fehlt"), ("4", "keine gültige E-Mail-Adresse"), ("5", "Der Name fehlt"),
                ("7", "Lackiererei"), ("8", "Unbekannte Rolle „Chef“"), ("9", "Unbekannte Sprache „fr“"),
                ("10", "steht schon in Zeile 2"), ("11", "Personalnummer steht schon in Zeile 2"),
                ("12", "7 statt 6 Spalten"), ("13", "außerhalb dieser Organisation"),
                ("14", "gehört einer anderen Person als die E-Mail-Adresse")]
    assert [line for line, _column, _message in found] == [line for line, _text in expected]
    for (line, _column, message), (_line, text) in zip(found, expected, strict=True):
        assert text in message, (line, message)
    assert "11 Probleme" in response.text
    assert "12 Zeilen mit Personen gelesen, davon 11 mit Problemen" in response.text
    assert " neu, " not in response.text  # no figures of what would be created from a file that is not imported
    assert "action" not in hidden_fields(response)
    assert (set(people()), outbox()) == before
    assert people()["bekannt@example.org"].display_name == "Bekannt Alt"


@pytest.mark.parametrize("content, message", [
    ("Mail;Personalnummer\nanna@example.org;1\n", "Pflichtspalte „Name“ fehlt"),
    ("E-Mail;Vorname\nanna@example.org;Anna\n", "Pflichtspalte „Name“ fehlt (oder die Spalten „Vorname“ und"),
    ("E-Mail;Name;email\nanna@example.org;Anna;a@example.org\n", "kommt doppelt vor"),
])
def test_header_problems_are_reported_on_line_one(client, admin, firma, content, message):
    found = problems(upload(client, firma, content))
    assert any(line == "1" and message in text for line, _column, text in found), found
    assert set(people()) == {admin.email}


@pytest.mark.parametrize("data, message", [
    (b"", "Die Datei ist leer"),
    (b"\r\n\r\n  \n", "Die Datei ist leer"),
    (b"E-Mail;Name\n", "nur die Überschriften"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "keine lesbare CSV-Datei"),
])
def test_unusable_files_are_rejected_with_a_reason(client, admin, firma, data, message):
    response = upload(client, firma, data)
    assert any(message in text for _line, _column, text in problems(response)), problems(response)
    assert all(line.isdigit() or line == "ganze Datei" for line, _column, _text in problems(response))
    assert set(people()) == {admin.email}


def test_second_import_of_the_same_file_changes_nothing_and_sends_no_mail(client, admin, firma):
    confirm(client, hidden_fields(upload(client, firma, CLEAN)))
    mails = outbox()

    preview = upload(client, firma, CLEAN)

    assert "0 neu, 0 geändert, 2 unverändert" in preview.text
    assert "nichts zu importieren" in preview.text
    counts = csv_import.apply_import(csv_import.plan_import(CLEAN.encode(), firma))
    db.session.commit()
    assert counts == {"created": 0, "updated": 0, "unchanged": 2}
    assert outbox() == mails


def test_person_is_updated_by_personnel_number_when_the_email_changed(client, admin, firma, make_user):
    person = make_user(email="alt@example.org", name="Anna Alt", organisation=firma)
    person.personnel_number = "1001"
    db.session.commit()

    preview = upload(client, firma, HEADER + "neu@example.org;Anna Neu;1001;Logistik;;\n")
    assert "0 neu, 1 geändert, 0 unverändert" in preview.text
    (_name, change), = changes(preview).values()
    assert change == ("E-Mail-Adresse: <del>alt@example.org</del> → <ins>neu@example.org</ins>; "
                      "Name: <del>Anna Alt</del> → <ins>Anna Neu</ins>; Einheit: <del>–</del> → <ins>Logistik</ins>")
    confirm(client, hidden_fields(preview))

    db.session.refresh(person)
    assert (person.email, person.display_name) == ("neu@example.org", "Anna Neu")
    assert person.unit.name == "Logistik"
    update = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.update"))
    assert update.details["unit_before"] is None and update.details["unit_after"] == person.unit_id
    # No invitation (the person has a password): the notices of the new address, to the old and the new one.
    assert "alt@example.org" not in people() and outbox() == ["alt@example.org", "neu@example.org"]


def test_someone_still_invited_whose_address_the_file_corrects_is_invited_at_the_new_one(
        client, admin, firma, make_invited):
    # The first invitation's link carries the old address and stops working: as a correction by hand does.
    person = make_invited(email="alt@example.org", name="Anna Alt", organisation=firma)
    person.personnel_number = "1001"
    db.session.commit()

    confirm(client, hidden_fields(upload(client, firma, HEADER + "neu@example.org;Anna Alt;1001;;;\n")))

    assert outbox() == ["neu@example.org"]


def test_roles_in_the_file_are_added_and_existing_roles_stay(client, admin, firma, make_user):
    person = make_user(Role.TRAINER, email="tom@example.org", name="Tom", organisation=firma, language="en")
    preview = upload(client, firma, "email,display_name,roles\ntom@example.org,Tom,moderator\n")
    confirm(client, hidden_fields(preview))
    db.session.refresh(person)
    assert person.roles == {Role.TRAINER, Role.MODERATOR}
    assert person.language == "en"  # no language column: stored value kept


@pytest.mark.parametrize("data", [
    "\ufeffE-Mail;Name;Einheit\r\njuergen@example.org;Jürgen Müller;Gießerei\r\n".encode(),
    "E-Mail;Name;Einheit\r\njuergen@example.org;Jürgen Müller;Gießerei\r\n".encode("cp1252"),
    "email,name,unit\njuergen@example.org,Jürgen Müller,gießerei\n".encode(),
    "E-Mail\tName\tEinheit\njuergen@example.org\tJürgen Müller\tGießerei\n".encode("utf-16"),
], ids=["semicolon-utf8-bom-crlf", "excel-cp1252", "comma-utf8-unit-any-case", "utf16-tabs"])
def test_excel_encodings_and_delimiters_are_read(client, admin, make_organisation, data):
    organisation = make_organisation(units=["Gießerei"])
    preview = upload(client, organisation, data)
    assert "1 neu, 0 geändert, 0 unverändert" in preview.text, problems(preview)
    confirm(client, hidden_fields(preview))
    person = people()["juergen@example.org"]
    assert (person.display_name, person.unit.name) == ("Jürgen Müller", "Gießerei")


def test_the_preview_is_a_page_of_its_own_that_the_back_button_shows_again(client, admin, firma):
    # The answer to the upload is a redirect: going back to the preview (after the import, say) asks for a page,
    # not to send the form again.
    sent = client.post("/verwaltung/import", data={"organisation": firma.slug,
                                                   "file": (io.BytesIO(CLEAN.encode()), "personen.csv")},
                       content_type="multipart/form-data")
    assert sent.status_code == 302 and re.fullmatch(r"/verwaltung/import/[\w-]{40,}", sent.location)

    preview = client.get(sent.location)
    assert "2 neu, 0 geändert, 0 unverändert" in preview.text
    assert 'name="content"' not in preview.text  # the file stays on the server
    confirm(client, hidden_fields(preview))
    again = client.get(sent.location)  # back from the page after the import
    assert again.status_code == 200 and "nichts zu importieren" in again.text


def test_a_changed_fingerprint_shows_the_preview_again_and_imports_nothing(client, admin, firma):
    fields = hidden_fields(upload(client, firma, CLEAN))

    response = confirm(client, fields, fingerprint="x")

    assert "Seit der Vorschau hat sich etwas geändert" in response.text
    assert "2 neu, 0 geändert, 0 unverändert" in response.text
    assert set(people()) == {admin.email} and outbox() == []


def test_another_admin_can_neither_see_nor_confirm_an_upload(client, admin, firma, make_user, new_client, login):
    fields = hidden_fields(upload(client, firma, CLEAN))
    other = new_client()
    login(make_user(Role.ADMIN, name="Admin Bea"), via=other)

    seen = other.get(fields["action"], follow_redirects=True)
    confirmed = confirm(other, fields)

    for page in (seen, confirmed):
        assert "Diese Vorschau gibt es nicht mehr" in page.text and "anna@example.org" not in page.text
    assert "anna@example.org" not in people()
    assert "2 neu" in client.get(fields["action"]).text  # still there for the one who uploaded it


def test_an_upload_expires_after_an_hour_and_is_deleted(app, client, admin, firma):
    fields = hidden_fields(upload(client, firma, CLEAN))
    kept = db.session.scalar(select(PendingImport))
    kept.created_at -= csv_import.PENDING_LIFETIME + timedelta(minutes=1)
    db.session.commit()

    response = confirm(client, fields)

    assert "Diese Vorschau gibt es nicht mehr" in response.text and "anna@example.org" not in people()
    upload(client, firma, CLEAN)  # any later upload deletes the expired ones
    assert db.session.scalar(select(func.count()).select_from(PendingImport)) == 1
    later = utcnow() + csv_import.PENDING_LIFETIME + timedelta(minutes=1)
    purge_expired_data(later)  # and so does the nightly purge
    assert db.session.scalar(select(func.count()).select_from(PendingImport)) == 0


def test_confirmation_shows_a_new_preview_when_the_data_changed_meanwhile(client, admin, firma, make_user):
    fields = hidden_fields(upload(client, firma, CLEAN))
    make_user(email="anna@example.org", name="Anna von nebenan", organisation=firma)

    response = confirm(client, fields)

    assert "Seit der Vorschau hat sich etwas geändert" in response.text
    assert "1 neu, 1 geändert, 0 unverändert" in response.text
    assert "ben@example.org" not in people()


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER, Role.WORKS_COUNCIL, Role.COORDINATOR])
def test_only_admins_may_upload_or_confirm(client, make_user, login, firma, role):
    login(make_user(role))
    assert client.get("/verwaltung/import").status_code == 403
    assert upload(client, firma, CLEAN).status_code == 403
    assert confirm(client, {"action": "/verwaltung/import/irgendein-schluessel", "fingerprint": "x"}).status_code == 403
    assert "anna@example.org" not in people()


def test_guests_are_sent_to_the_login(client, firma):
    assert client.get("/verwaltung/import").status_code == 302
    response = client.post("/verwaltung/import/irgendein-schluessel", data={"fingerprint": "x"})
    assert response.status_code == 302 and "/anmelden" in response.location


def test_cell_content_is_escaped_and_formulas_are_stored_as_text(client, admin, firma):
    name = '<script>alert(1)</script>=HYPERLINK("http://evil.example","klick")'
    preview = upload(client, firma, f'E-Mail;Name\nx@example.org;"{name.replace(chr(34), chr(34) * 2)}"\n')
    assert "<script>alert(1)" not in preview.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in preview.text
    confirm(client, hidden_fields(preview))
    assert people()["x@example.org"].display_name == name


def test_form_with_errors_keeps_the_chosen_organisation_and_ties_the_error_to_the_field(client, admin, firma,
                                                                                       make_organisation):
    other = make_organisation("Zweite AG")
    response = client.post("/verwaltung/import", data={"organisation": other.slug},
                           content_type="multipart/form-data")
    assert f'<option selected value="{other.slug}">' in response.text
    assert 'aria-describedby="file-hint file-error"' in response.text
    assert 'id="file-error"' in response.text


def test_large_file_is_previewed_with_a_bounded_number_of_queries(client, admin, firma, make_user,
                                                                  count_statements):
    for n in range(50):
        make_user(email=f"person{n:05d}@example.org", name=f"Person {n}", organisation=firma)
    rows = "".join(f"person{n:05d}@example.org;Person {n};{n};Montage;Lernende;de\n" for n in range(5000))
    with count_statements() as counter:
        started = time.perf_counter()
        plan = csv_import.plan_import((HEADER + rows).encode(), firma)
        elapsed = time.perf_counter() - started
    assert plan.ok and plan.count("new") == 4950 and plan.count("changed") == 50
    assert counter.count <= 12, counter.statements
    assert elapsed < 10  # seconds: a generous alarm for accidental quadratic work, not a benchmark

    preview = upload(client, firma, HEADER + rows)
    assert "4950 neu, 50 geändert, 0 unverändert" in preview.text
    assert "action" in hidden_fields(preview)  # however large the file: it waits on the server


def test_cli_dry_run_reports_and_writes_nothing(runner, firma, tmp_path):
    path = tmp_path / "personen.csv"
    path.write_text(CLEAN, encoding="utf-8-sig")
    result = runner.invoke(users_cli, ["import", str(path), "--organisation", firma.slug, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "2 neu, 0 geändert, 0 unverändert" in result.output
    assert people() == {} and outbox() == []


def test_cli_imports_invites_with_the_base_url_and_is_idempotent(app, runner, firma, tmp_path):
    path = tmp_path / "personen.csv"
    path.write_bytes(CLEAN.encode("cp1252"))
    result = runner.invoke(users_cli, ["import", str(path), "--organisation", firma.slug])
    assert result.exit_code == 0, result.output
    assert sorted(people()) == ["anna@example.org", "ben@example.org"]
    bodies = list(db.session.scalars(select(OutboxMessage.body_text)))
    assert len(bodies) == 2 and all(app.config["BASE_URL"] + "/" in body for body in bodies)

    again = runner.invoke(users_cli, ["import", str(path), "--organisation", firma.slug])
    assert "0 neu, 0 geändert, 2 unverändert" in again.output
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_cli_refuses_a_file_with_problems_and_names_the_lines(runner, firma, tmp_path):
    path = tmp_path / "personen.csv"
    path.write_text(CLEAN + "kaputt;Kaputt;;;;\n")
    result = runner.invoke(users_cli, ["import", str(path), "--organisation", firma.slug])
    assert result.exit_code == 1
    assert "Zeile 4" in result.output and "keine gültige E-Mail-Adresse" in result.output
    assert people() == {}


def test_cli_rejects_an_unknown_organisation(runner, tmp_path):
    path = tmp_path / "personen.csv"
    path.write_text(CLEAN)
    result = runner.invoke(users_cli, ["import", str(path), "--organisation", "gibt-es-nicht"])
    assert result.exit_code == 2 and "gibt-es-nicht" in result.output


def test_names_and_numbers_from_the_file_stay_on_one_line_without_direction_tricks(client, admin, firma):
    content = HEADER + "eva@example.org;Eva\u2028Hinweis der Verwaltung\u202e;10\u200f01;Montage;Lernende;de\n"
    confirm(client, hidden_fields(upload(client, firma, content)))
    eva = people()["eva@example.org"]
    assert (eva.display_name, eva.personnel_number) == ("Eva Hinweis der Verwaltung", "1001")


# -- files as HR systems and Excel write them ------------------------------------------------------------------

HR_EXPORT = ("Personal-Nr.;Vorname;Nachname;Kostenstelle;Abteilung;E-Mail-Adresse;Eintrittsdatum\r\n"
             "4711;Jörg;Schäfer;4100;Vertrieb Innendienst;joerg.schaefer@muster-antrieb.de;01.04.2019\r\n"
             "4712;Dörte;Weiß;4200;Montage;doerte.weiss@muster-antrieb.de;15.08.2021\r\n")


def test_extra_columns_of_an_hr_export_are_ignored_and_named_once(client, admin, firma):
    preview = upload(client, firma, HR_EXPORT.encode("cp1252"))

    assert problems(preview) == []
    assert "2 neu, 0 geändert, 0 unverändert" in preview.text
    note = "Die Spalten „Kostenstelle“, „Abteilung“, „Eintrittsdatum“ werden nicht übernommen."
    assert html.unescape(preview.text).count(note) == 1
    confirm(client, hidden_fields(preview))
    doerte = people()["doerte.weiss@muster-antrieb.de"]
    assert (doerte.display_name, doerte.personnel_number) == ("Dörte Weiß", "4712")
    assert doerte.unit is None  # "Abteilung" is not read as the unit, although "Montage" is one of firma's


def test_ignored_column_headings_are_shown_as_text(client, admin, firma):
    preview = upload(client, firma, "E-Mail;Name;<b>Bemerkung</b>\nanna@example.org;Anna;x\n")
    assert "<b>Bemerkung</b>" not in preview.text and "&lt;b&gt;Bemerkung&lt;/b&gt;" in preview.text


@pytest.mark.parametrize("header", [
    "Personal-Nr.;E-Mail;Vor- und Nachname",
    "Pers.-Nr.;EMAIL;Name",
    "Pers.Nr.;E-Mail-Adresse;vor- und nachname",
    "Personalnummer;Mail;Anzeigename",
    "PERSONAL NR;e_mail;Name",
])
def test_common_german_headings_are_recognised(firma, header):
    data = f"{header}\r\n4711;joerg.schaefer@muster-antrieb.de;Jörg Schäfer\r\n".encode("utf-8-sig")
    plan = csv_import.plan_import(data, firma)
    assert plan.problems == [] and plan.ignored_columns == []
    row = plan.rows[0]
    assert (row.personnel_number, row.email, row.display_name) == ("4711", "joerg.schaefer@muster-antrieb.de",
                                                                   "Jörg Schäfer")


@pytest.mark.parametrize("content, name, ignored", [
    ("E-Mail;Nachname;Vorname\r\nj@example.org;Schäfer;Jörg\r\n", "Jörg Schäfer", []),
    ("E-Mail;Vorname;Nachname\r\nj@example.org;;Schäfer\r\n", "Schäfer", []),
    # "Name" beside "Vorname" is the surname, as in many German HR exports
    ("Name;Vorname;E-Mail\r\nSchäfer;Jörg;j@example.org\r\n", "Jörg Schäfer", []),
    # a column with the whole name wins over its parts
    ("Name;Vorname;Nachname;E-Mail\r\nJörg Schäfer (Vertrieb);Jörg;Schäfer;j@example.org\r\n",
     "Jörg Schäfer (Vertrieb)", ["Vorname", "Nachname"]),
], ids=["first-and-last", "last-only-in-a-row", "name-and-first-name", "whole-name-wins"])
def test_first_and_last_name_columns_make_the_display_name(firma, content, name, ignored):
    plan = csv_import.plan_import(content.encode("cp1252"), firma)
    assert plan.problems == []
    assert plan.rows[0].display_name == name and plan.ignored_columns == ignored


def test_excel_separator_line_sets_the_delimiter_and_is_skipped(client, admin, firma):
    content = ("sep=,\r\nE-Mail,Name,Rollen\r\nanna@example.org,Anna Arndt,Lernende\r\n"
               "ben@example.org,Ben Brandt,Chef\r\n")

    response = upload(client, firma, content.encode("cp1252"))

    assert problems(response) == [("4", "Rollen", "Unbekannte Rolle „Chef“.")]
    assert "Zeile 2 ist die Überschrift" in response.text
    clean = upload(client, firma, content.replace("Chef", "Trainer").replace(",", ";").encode("cp1252"))
    assert "2 neu, 0 geändert, 0 unverändert" in clean.text, problems(clean)


def test_missing_trailing_cells_count_as_empty_and_surplus_cells_only_if_filled(client, admin, firma, make_user):
    unit = firma.units[0]
    anna = make_user(email="anna@example.org", name="Anna Alt", organisation=firma, unit=unit)
    anna.personnel_number = "1001"
    db.session.commit()
    content = ("E-Mail;Name;Personalnummer;Einheit;Rollen;Sprache\r\n"
               "anna@example.org;Anna Arndt\r\n"              # Excel leaves out the empty cells at the end
               "ben@example.org;Ben Brandt;1002;;;;;;\r\n"     # empty cells beyond the header
               "carl@example.org;Carl;1003;;;;Notiz\r\n")     # a filled one: the row may be shifted
    data = content.encode("utf-8-sig")

    assert problems(upload(client, firma, data)) == [("4", "", "Die Zeile hat 7 statt 6 Spalten.")]

    preview = upload(client, firma, data.replace(b"Notiz", b""))
    assert "2 neu, 1 geändert, 0 unverändert" in preview.text, problems(preview)
    confirm(client, hidden_fields(preview))
    db.session.refresh(anna)
    assert (anna.display_name, anna.personnel_number, anna.unit_id) == ("Anna Arndt", "1001", unit.id)


def test_possible_values_are_listed_once_below_the_problems(client, admin, firma):
    content = HEADER + ("anna@example.org;Anna;1;Chefetage;Chef;fr\n"
                        "ben@example.org;Ben;2;Vorstand;Boss;it\n"
                        "carl@example.org;Carl;3;Keller;Lernende,Kaiser;es\n")

    response = upload(client, firma, content)

    assert len(problems(response)) == 9
    assert not any("öglich" in message for _line, _column, message in problems(response))
    assert hints(response) == [
        "Einheiten von Muster GmbH: Logistik, Montage.",
        "Mögliche Rollen: Lernende, Trainer/in, Moderation, Betriebsrat, Netzwerk-Koordination, "
        "Verwaltung der Organisation, Administration.",
        "Mögliche Sprachen: de, en.",
    ]


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_roles_a_file_may_name_are_the_ones_the_pages_show_in_either_language(app, language):
    with app.test_request_context(), force_locale(language):
        assert {parse_role(role.label) for role in Role} == set(Role)


def test_a_missing_column_lists_the_possible_columns_once(client, admin, firma):
    response = upload(client, firma, "Mail;Personalnummer;Vorname\nanna@example.org;1;Anna\n")
    assert [line for line, _column, _message in problems(response)] == ["1"]
    assert len(hints(response)) == 1 and hints(response)[0].startswith("Mögliche Spalten: E-Mail, Name oder")


def test_preview_names_the_roles_each_person_gets_and_highlights_administration(client, admin, firma, make_user):
    tom = make_user(Role.TRAINER, email="tom@example.org", name="Tom", organisation=firma)
    old = make_user(email="alt@example.org", name="Alt", organisation=firma, active=False)
    content = ("E-Mail;Name;Rollen\r\n"
               "tom@example.org;Tom;Trainer|Administration\r\n"
               "nora@example.org;Nora Neu;Administration\r\n"
               "lea@example.org;Lea Lang;\r\n"
               "alt@example.org;Alt Neu;Trainer\r\n")

    preview = upload(client, firma, content.encode("utf-8-sig"))

    assert changes(preview) == {
        "2": ("Tom", "zusätzliche Rollen: <strong>Administration</strong>"),
        "3": ("Nora Neu", "neu · Rollen: <strong>Administration</strong>"),
        "4": ("Lea Lang", "neu · Rollen: Lernende"),
        "5": ("Alt Neu (deaktiviert)", "Name: <del>Alt</del> → <ins>Alt Neu</ins> · zusätzliche Rollen: Trainer/in"),
    }
    assert "2 Personen erhalten Administrationsrechte." in preview.text
    assert "1 geänderte Person ist deaktiviert" in preview.text
    confirm(client, hidden_fields(preview))
    db.session.refresh(tom)
    db.session.refresh(old)
    assert tom.roles == {Role.TRAINER, Role.ADMIN} and people()["nora@example.org"].roles == {Role.ADMIN}
    assert old.roles == {Role.LEARNER, Role.TRAINER} and not old.active


def test_an_address_changed_by_the_import_is_told_to_the_old_and_the_new_address(client, admin, firma,
                                                                                 make_user, make_invited):
    person = make_user(email="alt@example.org", name="Anna Alt", organisation=firma)  # with a password
    person.personnel_number = "1001"
    invited = make_invited(email="eingeladen@example.org", name="Ina Eingeladen", organisation=firma)
    invited.personnel_number = "1002"
    db.session.commit()

    preview = upload(client, firma, HEADER + "neu@example.org;Anna Alt;1001;;;\n"
                                                       "ina@example.org;Ina Eingeladen;1002;;;\n")
    confirm(client, hidden_fields(preview))

    subjects = {tuple(row) for row in db.session.execute(select(OutboxMessage.recipient, OutboxMessage.subject))}
    assert ("alt@example.org", "Ihre Anmeldeadresse bei Qualify wurde geändert") in subjects
    assert ("neu@example.org", "Ihre neue Anmeldeadresse bei Qualify") in subjects
    # Still invited: the invitation goes to the new address instead, and nothing to the old one.
    assert ("ina@example.org", "Ihr Zugang zu Qualify") in subjects
    assert not any(recipient == "eingeladen@example.org" for recipient, _subject in subjects)


def test_preview_names_the_unit_a_new_person_joins(client, admin, firma):
    preview = upload(client, firma, HEADER + "neu@example.org;Anna Neu;;Logistik;;\nohne@example.org;Otto Ohne;;;;\n")

    assert changes(preview) == {"2": ("Anna Neu", "neu · Einheit: Logistik · Rollen: Lernende"),
                                "3": ("Otto Ohne", "neu · Rollen: Lernende")}


def test_confirmation_grants_no_administration_the_preview_did_not_show(client, admin, firma, make_user):
    person = make_user(Role.TRAINER, Role.ADMIN, email="tom@example.org", name="Tom", organisation=firma)
    preview = upload(client, firma, "E-Mail;Name;Rollen\ntom@example.org;Tom;Trainer|Administration|Moderation\n")
    assert changes(preview)["2"] == ("Tom", "zusätzliche Rollen: Moderation")
    person.role_rows = [row for row in person.role_rows if row.role != "admin"]  # meanwhile, on the person's page
    db.session.commit()

    response = confirm(client, hidden_fields(preview))

    assert "Seit der Vorschau hat sich etwas geändert" in response.text
    assert "1 Person erhält Administrationsrechte." in response.text
    db.session.refresh(person)
    assert person.roles == {Role.TRAINER}


def test_administration_granted_beyond_the_preview_limit_is_still_listed(client, admin, firma, monkeypatch):
    monkeypatch.setattr(views, "PREVIEW_ROWS", 2)
    content = "E-Mail;Name;Rollen\n" + "".join(f"p{n}@example.org;P {n};\n" for n in range(4))
    preview = upload(client, firma, content + "chefin@example.org;Chefin;Administration\n")
    assert list(changes(preview)) == ["2", "3", "6"]
    assert "… und 2 weitere." in preview.text


@pytest.mark.parametrize("content", [
    'E-Mail;Name\r\nanna@example.org;Anna Arndt\r\nx@example.org;"Offen\r\nben@example.org;Ben Brandt\r\n',
    'E-Mail;Name\r\nanna@example.org;Anna Arndt\r\nx@example.org;"Offen\r\n',
    'E-Mail;Name\r\nanna@example.org;Anna Arndt\r\nx@example.org;"Offen\r\nben@example.org;"Ben" Brandt\r\n',
], ids=["in-the-middle", "on-the-last-line", "closed-by-a-later-quote"])
def test_unclosed_quote_is_reported_with_its_line(client, admin, firma, content):
    response = upload(client, firma, content.encode("utf-8-sig"))
    [(line, _column, message)] = problems(response)
    assert line == "3" and "Anführungszeichen" in message
    assert set(people()) == {admin.email}


def test_addresses_with_umlauts_before_the_at_are_refused_with_an_example(client, admin, firma):
    content = "E-Mail;Name\r\njörg.schäfer@muster-antrieb.de;Jörg Schäfer\r\nanna@example.org;Anna\r\n"

    response = upload(client, firma, content.encode("cp1252"))

    assert problems(response) == [("2", "E-Mail-Adresse", "Umlaute und andere Sonderzeichen vor dem @ kann nicht "
                                   "jeder Mailserver zustellen – bitte die Adresse so angeben, wie sie im "
                                   "Mailsystem steht, z. B. joerg.schaefer@muster-antrieb.de.")]
    assert set(people()) == {admin.email}


def test_the_person_form_refuses_umlauts_before_the_at_as_the_import_does(client, admin):
    response = client.post("/verwaltung/personen/neu", data={
        "display_name": "Jörg Schäfer", "email": "jörg.schäfer@muster-antrieb.de", "personnel_number": "",
        "unit": "", "language": "de", "roles": ["learner"], "send_invitation": "y"})
    assert response.status_code == 200 and 'id="email-error"' in response.text
    assert "z. B. joerg.schaefer@muster-antrieb.de" in html.unescape(response.text)
    assert set(people()) == {admin.email} and outbox() == []


def test_stray_empty_headings_at_the_end_do_not_widen_the_rows(make_organisation):
    # Counted, a header of 300,000 separators widened each short row to as many cells (a minute of CPU for a
    # file under the size limit).
    from qualify.accounts import csv_file, csv_import

    assert csv_file.read_header(1, ["E-Mail", "Name", *[""] * 300_000]).width == 2
    rows = "\n".join(f"person{n}@example.org;Person {n}" for n in range(300))
    plan = csv_import.plan_import(("E-Mail;Name" + ";" * 300_000 + "\n" + rows + "\n").encode(), make_organisation())
    assert plan.ok and plan.count("new") == 300


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_role_is_understood_as_the_pages_name_it(app, language):
    from flask_babel import force_locale

    from qualify.accounts.roles import ROLE_LABELS, parse_role

    with app.test_request_context(), force_locale(language):
        understood = {role: parse_role(str(label)) for role, label in ROLE_LABELS.items()}
    assert understood == {role: role for role in ROLE_LABELS}


# -- encodings: never garbled names -------------------------------------------------------------------------

def test_a_utf8_file_with_lines_in_another_encoding_is_refused_naming_those_lines(client, admin, firma):
    utf8 = "E-Mail;Name\r\nanna@example.org;Anna Müller\r\nben@example.org;Ben Brandt\r\n".encode()
    pasted = "joerg@example.org;Jörg Jäger\r\n".encode("cp1252")

    response = upload(client, firma, utf8 + pasted)

    [(line, _column, message)] = problems(response)
    assert line == "4" and "als UTF-8 gespeichert, Zeile 4 aber in einer anderen Zeichenkodierung" in message
    assert "JÃ" not in response.text and "Jörg" not in response.text
    assert set(people()) == {admin.email}


def test_every_line_in_another_encoding_is_named(firma):
    lines = [f"p{n}@example.org;Jörg {n}\n".encode("cp1252" if n % 2 else "utf-8") for n in range(30)]
    plan = csv_import.plan_import(b"\xef\xbb\xbfE-Mail;Name\n" + b"".join(lines), firma)  # a BOM says UTF-8, too
    [problem] = plan.problems
    assert problem.line == 3
    assert "die Zeilen 3, 5, 7, 9, 11, 13, 15, 17, 19, 21 und 5 weitere aber in" in problem.message


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_a_file_wholly_in_windows_1252_or_latin_1_is_read(firma, encoding):
    data = "E-Mail;Name\r\njoerg@example.org;Jörg Jäger-Weiß\r\nanna@example.org;Anna Ærø\r\n".encode(encoding)
    plan = csv_import.plan_import(data, firma)
    assert plan.ok and [row.display_name for row in plan.rows] == ["Jörg Jäger-Weiß", "Anna Ærø"]


def test_a_byte_that_is_no_character_in_windows_1252_is_named_with_its_line_and_position(client, admin, firma):
    # In ISO-8859-1 the bytes 0x81, 0x8D, 0x8F, 0x90 and 0x9D are control characters, in DOS code page 850
    # 0x81 is "ü": read as Latin-1, "M\x81ller" would lose its letter.
    data = b"E-Mail;Name\r\nanna@example.org;Anna Arndt\r\nmueller@example.org;M\x81ller\r\n"

    response = upload(client, firma, data)

    assert problems(response) == [("3", "", "Das Zeichen an Stelle 22 dieser Zeile (Byte 0x81) gibt es weder in "
                                   "UTF-8 noch in Windows-1252: Die Datei hat eine andere Zeichenkodierung. Bitte "
                                   "speichern Sie die Tabelle als „CSV UTF-8“.")]
    assert set(people()) == {admin.email}


# -- delimiters ----------------------------------------------------------------------------------------------

def test_an_unknown_delimiter_is_named_instead_of_a_column_called_like_the_whole_line(client, admin, firma):
    response = upload(client, firma, "E-Mail|Name|Einheit\nanna@example.org|Anna|Montage\n")

    assert problems(response) == [("1", "", "Das Trennzeichen wurde nicht erkannt: Die Spalten sind durch „|“ "
                                   "getrennt, erwartet wird Semikolon, Komma oder Tabulator.")]
    assert "E-Mail|Name|Einheit" not in html.unescape(response.text)  # no column of that name, not ignored either


def test_headings_separated_by_spaces_are_said_to_lack_a_delimiter(firma):
    [problem] = csv_import.plan_import(b"E-Mail Name Einheit\nanna@example.org Anna Montage\n", firma).problems
    assert (problem.line, problem.message) == (1, "Das Trennzeichen wurde nicht erkannt: Zwischen den Spalten wird "
                                                  "Semikolon, Komma oder Tabulator erwartet.")


def test_a_single_unknown_column_is_missing_the_required_ones_not_a_delimiter(firma):
    plan = csv_import.plan_import(b"Adressen\nanna@example.org\n", firma)
    assert [problem.column for problem in plan.problems] == ["E-Mail", "Name"]
    assert plan.ignored_columns == ["Adressen"]


# -- the audit log -------------------------------------------------------------------------------------------

def test_roles_the_import_adds_are_logged_as_a_change_of_roles_as_on_the_persons_page(client, admin, firma,
                                                                                      make_user):
    tom = make_user(Role.TRAINER, email="tom@example.org", name="Tom", organisation=firma)
    ute = make_user(email="ute@example.org", name="Ute", organisation=firma)
    eva = make_user(email="eva@example.org", name="Eva", organisation=firma)
    content = ("E-Mail;Name;Rollen\r\n"
               "tom@example.org;Tom Neu;Administration\r\n"  # name and roles
               "ute@example.org;Ute;Moderation|Lernende\r\n"  # roles only
               "eva@example.org;Eva Neu;\r\n")                # name only

    confirm(client, hidden_fields(upload(client, firma, content)))

    def logged(user):
        return {event.action: event.details for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.target_type == "User", AuditEvent.target_id == user.id,
                                     AuditEvent.action.in_(["user.roles", "user.update"]))
            .order_by(AuditEvent.id))}  # the import's after the roles given at creation
    assert logged(tom) == {"user.update": {"source": "import", "fields": ["display_name"]},
                           "user.roles": {"added": ["admin"], "removed": [], "source": "import"}}
    assert logged(ute) == {"user.roles": {"added": ["moderator"], "removed": [], "source": "import"}}
    assert logged(eva) == {"user.update": {"source": "import", "fields": ["display_name"]}}
    # the log's filter "Rollen geändert" finds the grant of administration
    found = [(event.target_id, event.details["added"]) for event in audit.recent_events(action="user.roles")]
    assert (tom.id, ["admin"]) in found


def test_an_administrator_created_by_the_import_or_on_the_form_is_found_among_the_role_changes(
        client, admin, firma):
    content = "E-Mail;Name;Rollen\r\nada@example.org;Ada Neu;Administration\r\nlea@example.org;Lea Neu;\r\n"
    confirm(client, hidden_fields(upload(client, firma, content)))
    client.post("/verwaltung/personen/neu", data={"email": "bea@example.org", "display_name": "Bea Neu",
                                                  "personnel_number": "", "unit": "", "language": "de",
                                                  "roles": ["admin"]})
    granted = {db.session.get(User, event.target_id).email: event.details["added"]
               for event in audit.recent_events(action="user.roles")}
    assert granted["ada@example.org"] == granted["bea@example.org"] == ["admin"]
    assert "lea@example.org" not in granted  # she learns: no grant to find


# -- the preview on a phone and with a screen reader ---------------------------------------------------------

def test_a_file_with_problems_starts_at_its_summary_which_leads_to_the_problems(client, admin, firma):
    response = upload(client, firma, HEADER + "kaputt;Kaputt;1;;;\nanna@example.org;;2;;;\n")

    page = response.text
    summary = re.search(r'<div class="form-errors"[^>]*>(.*?)</div>', page, re.S)  # app.js focuses the first
    assert "2 Probleme" in summary.group(1) and "2 Zeilen mit Personen gelesen" in summary.group(1)
    assert '<a href="#import-problems">' in summary.group(1)
    assert summary.start() < page.index('<table id="import-problems"')
    assert page.count('class="form-errors"') == 1 and 'href="#file"' not in page


def test_the_problems_stack_on_a_phone_each_cell_saying_what_it_is(client, admin, firma):
    response = upload(client, firma, HEADER + "kaputt;Kaputt;1;;;\n")

    table = re.search(r'<table id="import-problems"[^>]*>.*?</table>', response.text, re.S).group(0)
    assert 'class="stacks-on-phone"' in table.partition(">")[0]
    row = re.search(r"<tbody>\s*(<tr>.*?</tr>)", table, re.S).group(1)
    labels = re.findall(r'<span class="cell-label" aria-hidden="true">([^<]*)</span>', row)
    assert labels == ["Zeile ", "Spalte: "]


# -- column names in the reader's language -------------------------------------------------------------------

@pytest.mark.parametrize("language", ["de", "en"])
def test_the_columns_the_messages_name_are_ones_the_file_may_carry(app, language):
    with app.test_request_context(), force_locale(language):
        named = {field: str(heading) for field, heading in csv_file.HEADINGS.items()}
    assert {field: csv_file.COLUMNS.get(csv_file.header_key(heading)) for field, heading in named.items()} == {
        field: field for field in named}


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_missing_column_is_named_as_the_list_of_possible_columns_names_it(app, firma, language):
    with app.test_request_context(), force_locale(language):
        plan = csv_import.plan_import(b"Personalnummer;Vorname\n1;Anna\n", firma)
        headings = {str(heading) for heading in csv_file.HEADINGS.values()}
    [hint] = plan.hints
    for problem in plan.problems:
        quoted_names = re.findall(r"[„“]([^„“”]+)[“”]", problem.message)
        assert quoted_names and set(quoted_names) <= headings, problem.message
        assert all(name in hint for name in quoted_names), (problem.message, hint)
        assert problem.column in headings


def test_the_help_names_only_headings_the_importer_reads(client, admin):
    page = html.unescape(client.get("/verwaltung/import").text)
    table = re.search(r"<caption[^>]*>Spalten der CSV-Datei</caption>.*?</table>", page, re.S).group(0)
    spellings = [spelling.strip() for heading in re.findall(r'<th scope="row">([^<]*)</th>', table)
                 for spelling in re.split(r" / | \+ ", heading)]
    assert len(spellings) > 15
    assert [spelling for spelling in spellings if csv_file.header_key(spelling) not in csv_file.COLUMNS] == []
