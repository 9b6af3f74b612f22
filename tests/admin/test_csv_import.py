"""Importing employees from a CSV file: preview first, then all or nothing, and idempotent."""

import html
import io
import re
import time

import pytest
from sqlalchemy import func, select

from qualify.accounts import csv_import
from qualify.accounts.commands import users_cli
from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.core.mail import OutboxMessage
from qualify.extensions import db

HEADER = "E-Mail;Name;Personalnummer;Einheit;Rollen;Sprache\n"
CLEAN = HEADER + ("anna@example.org;Anna Arndt;1001;Montage;Lernende;de\n"
                  "ben@example.org;Ben Brandt;1002;Logistik;Lernende|Trainer;en\n")
HIDDEN = re.compile(r'name="(organisation|content|fingerprint)" type="hidden" value="([^"]*)"')
PROBLEM_ROW = re.compile(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td><td>([^<]*)</td></tr>')


@pytest.fixture
def admin(make_user, login):
    user = make_user(Role.ADMIN)
    login(user)
    return user


@pytest.fixture
def firma(make_organisation):
    return make_organisation("Muster GmbH")


def upload(client, organisation, content: str | bytes, filename: str = "personen.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post("/verwaltung/import", data={"organisation": organisation.slug,
                                                   "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def hidden_fields(response) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in HIDDEN.findall(response.text)}


def confirm(client, fields: dict[str, str], **changes):
    return client.post("/verwaltung/import/bestaetigen", data={**fields, **changes})


def problems(response) -> list[tuple[str, str, str]]:
    table = re.search(r'<table id="import-problems">.*?</table>', response.text, re.S)
    rows = PROBLEM_ROW.findall(table.group(0) if table else "")
    return [tuple(html.unescape(cell) for cell in row) for row in rows]


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
        "kurz@example.org;Kurz\n"                                   # 12
        "fremd@example.org;Fremd;9;;;\n"                            # 13
        "bekannt@example.org;Bekannt Neu;4711;;;\n"                 # 14
    )

    response = upload(client, firma, content)

    found = problems(response)
    expected = [("3", "fehlt"), ("4", "keine gültige E-Mail-Adresse"), ("5", "Der Name fehlt"),
                ("7", "Lackiererei"), ("8", "Unbekannte Rolle „Chef“"), ("9", "Unbekannte Sprache „fr“"),
                ("10", "steht schon in Zeile 2"), ("11", "Personalnummer steht schon in Zeile 2"),
                ("12", "2 statt 6 Spalten"), ("13", "außerhalb dieser Organisation"),
                ("14", "gehört einer anderen Person als die E-Mail-Adresse")]
    assert [line for line, _column, _message in found] == [line for line, _text in expected]
    for (line, _column, message), (_line, text) in zip(found, expected, strict=True):
        assert text in message, (line, message)
    assert "11 Probleme" in response.text
    assert "12 Zeilen mit Personen gelesen, davon 11 mit Problemen" in response.text
    assert " neu, " not in response.text  # no figures of what would be created from a file that is not imported
    assert 'action="/verwaltung/import/bestaetigen"' not in response.text
    assert (set(people()), outbox()) == before
    assert people()["bekannt@example.org"].display_name == "Bekannt Alt"


@pytest.mark.parametrize("content, message", [
    ("Mail;Personalnummer\nanna@example.org;1\n", "Pflichtspalte „Name“ fehlt"),
    ("E-Mail;Name;Abteilung\nanna@example.org;Anna;X\n", "Unbekannte Spalte „Abteilung“"),
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
    (b"E-Mail;Name\nanna@example.org;\x81\x8d\n", "keine lesbare CSV-Datei"),
])
def test_unusable_files_are_rejected_with_a_reason(client, admin, firma, data, message):
    response = upload(client, firma, data)
    assert any(message in text for _line, _column, text in problems(response)), problems(response)
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
    confirm(client, hidden_fields(preview))

    db.session.refresh(person)
    assert (person.email, person.display_name) == ("neu@example.org", "Anna Neu")
    assert person.unit.name == "Logistik"
    assert "alt@example.org" not in people() and outbox() == []


def test_roles_in_the_file_are_added_and_existing_roles_stay(client, admin, firma, make_user):
    person = make_user(Role.TRAINER, email="tom@example.org", name="Tom", organisation=firma, language="en")
    preview = upload(client, firma, "email,display_name,roles\ntom@example.org,Tom,moderator\n")
    confirm(client, hidden_fields(preview))
    db.session.refresh(person)
    assert person.roles == {Role.TRAINER, Role.MODERATOR}
    assert person.language == "en"  # no language column: stored value kept


@pytest.mark.parametrize("data", [
    "\ufeffE-Mail;Name;Einheit\r\njürgen@example.org;Jürgen Müller;Gießerei\r\n".encode(),
    "E-Mail;Name;Einheit\r\njürgen@example.org;Jürgen Müller;Gießerei\r\n".encode("cp1252"),
    "email,name,unit\njürgen@example.org,Jürgen Müller,gießerei\n".encode(),
    "E-Mail\tName\tEinheit\njürgen@example.org\tJürgen Müller\tGießerei\n".encode("utf-16"),
], ids=["semicolon-utf8-bom-crlf", "excel-cp1252", "comma-utf8-unit-any-case", "utf16-tabs"])
def test_excel_encodings_and_delimiters_are_read(client, admin, make_organisation, data):
    organisation = make_organisation(units=["Gießerei"])
    preview = upload(client, organisation, data)
    assert "1 neu, 0 geändert, 0 unverändert" in preview.text, problems(preview)
    confirm(client, hidden_fields(preview))
    person = people()["jürgen@example.org"]
    assert (person.display_name, person.unit.name) == ("Jürgen Müller", "Gießerei")


def test_confirmation_checks_a_tampered_file_again_and_imports_nothing(client, admin, firma):
    fields = hidden_fields(upload(client, firma, CLEAN))
    tampered = csv_import.pack(CLEAN + "eve@example.org;Eve;;Chefetage;admin;\n")

    response = confirm(client, fields, content=tampered)

    assert ("4", "Einheit", "Die Einheit „Chefetage“ gibt es bei Muster GmbH nicht.") in problems(response)
    assert 'action="/verwaltung/import/bestaetigen"' not in response.text
    assert set(people()) == {admin.email} and outbox() == []


def test_confirmation_rejects_garbage_in_the_hidden_field(client, admin, firma):
    fields = hidden_fields(upload(client, firma, CLEAN))
    response = confirm(client, fields, content="nicht-komprimiert!")
    assert "beschädigt" in response.text
    assert set(people()) == {admin.email}


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
    fields = {"organisation": firma.slug, "content": csv_import.pack(CLEAN), "fingerprint": "x"}
    assert confirm(client, fields).status_code == 403
    assert "anna@example.org" not in people()


def test_guests_are_sent_to_the_login(client, firma):
    assert client.get("/verwaltung/import").status_code == 302
    response = client.post("/verwaltung/import/bestaetigen", data={"organisation": firma.slug})
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
    assert len(hidden_fields(preview)["content"]) < 450_000


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
