"""Importing a full HR export on request deactivates the organisation's active people the file lacks: shown in the
preview first, done as by hand, never to administrators, and refused for a file that lacks more than half."""

import html
import re

import pytest
from sqlalchemy import func, select

from qualify.accounts import csv_import
from qualify.accounts.commands import users_cli
from qualify.accounts.models import User, UserRole, UserSession
from qualify.accounts.roles import Role
from qualify.admin import views
from qualify.core.audit import AuditEvent
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.workshops import services as workshops
from qualify.workshops.models import Booking
from tests.admin.conftest import confirm, hidden_fields, upload
from tests.workshops.conftest import make_session, trainer, workshop_module  # noqa: F401 (fixtures)

HEADER = "E-Mail;Name;Personalnummer\n"
CELL_LABEL = re.compile(r'<span class="cell-label" aria-hidden="true">[^<]*</span>')
LEAVER_ROW = re.compile(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td><td>(.*?)</td></tr>')


@pytest.fixture
def firma(make_organisation):
    return make_organisation("Muster GmbH")


@pytest.fixture
def staff(make_user, firma):
    """Five active people of the organisation: Anna, Ben and Carla stay, Dora and Emil have left."""
    montage = next(unit for unit in firma.units if unit.name == "Montage")
    people = {name: make_user(email=f"{name.lower()}@example.org", name=f"{name} Muster", organisation=firma,
                              unit=montage if name == "Dora" else None)
              for name in ("Anna", "Ben", "Carla", "Dora", "Emil")}
    people["Ben"].personnel_number = "1002"
    db.session.commit()
    return people


# The file of the staff that stays: Ben is found by his personnel number although his address changed.
REMAINING = HEADER + ("anna@example.org;Anna Muster;\n"
                      "ben.neu@example.org;Ben Muster;1002\n"
                      "carla@example.org;Carla Muster;\n")


def option_on_the_form(response) -> str:
    return re.search(r'<input[^>]*name="deactivate_missing"[^>]*>', response.text).group(0)


def leavers_listed(response) -> list[tuple[str, str, str]]:
    """The rows of the preview's table of people to be deactivated: (name, e-mail, unit)."""
    table = re.search(r'<table id="import-leavers-table"[^>]*>.*?</table>', response.text, re.S)
    listed = CELL_LABEL.sub("", table.group(0)) if table else ""  # "Einheit: ", said on a phone
    return [tuple(html.unescape(cell) for cell in row) for row in LEAVER_ROW.findall(listed)]


def kept_listed(response) -> list[str]:
    """Who stays active although the file lacks them, each with the roles that keep them."""
    listing = re.search(r'<ul id="import-kept-list">.*?</ul>', response.text, re.S)
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", listing.group(0) if listing else "")]


def active(*users: User) -> list[bool]:
    db.session.expire_all()
    return [db.session.get(User, user.id).active for user in users]


@pytest.fixture
def one_seat_session(make_session):  # noqa: F811 (the fixture, imported above)
    """A workshop in two weeks with a single seat."""
    return make_session(capacity=1)


def book(session, *people: User) -> None:
    for person in people:
        workshops.book(session, person, now=utcnow())
        db.session.commit()


def booking_statuses(session) -> dict[int, str]:
    db.session.expire_all()
    rows = db.session.execute(select(Booking.user_id, Booking.status).where(Booking.session_id == session.id))
    return {user_id: status for user_id, status in rows}


# -- the form and the preview ------------------------------------------------------------------------------------

def test_the_option_is_offered_unticked_with_what_it_does(client, admin):
    page = client.get("/verwaltung/import").text
    checkbox = re.search(r'<input[^>]*name="deactivate_missing"[^>]*>', page).group(0)
    assert 'type="checkbox"' in checkbox and "checked" not in checkbox
    assert 'aria-describedby="deactivate_missing-hint"' in checkbox
    assert "Wer in der Datei fehlt, wird deaktiviert" in page
    assert "Administrationskonten bleiben aktiv" in page


def test_without_the_option_nobody_is_deactivated_and_nothing_is_said_about_it(client, admin, firma, staff):
    preview = upload(client, firma, REMAINING)
    assert 'id="import-leavers"' not in preview.text
    assert "checked" not in option_on_the_form(preview)  # the form for another file makes the same choice

    confirm(client, hidden_fields(preview))

    assert active(*staff.values()) == [True] * 5


def test_preview_lists_who_would_be_deactivated_as_a_warning_and_writes_nothing(client, admin, firma, staff,
                                                                                make_user):
    make_user(email="alt@example.org", name="Alt Ausgeschieden", organisation=firma, active=False)
    make_user(email="fremd@example.org", name="Fremd", organisation=None)

    preview = upload(client, firma, REMAINING, deactivate_missing="y")

    assert leavers_listed(preview) == [("Dora Muster", "dora@example.org", "Montage"),
                                       ("Emil Muster", "emil@example.org", "–")]
    warning = re.search(r'<p id="import-leavers-warning" class="flash flash-warning">(.*?)</p>', preview.text,
                        re.S).group(1)
    assert "2 aktive Personen fehlen in der Datei und werden deaktiviert." in warning
    assert "2 Personen werden deaktiviert." in preview.text  # said again beside the button
    assert "checked" in option_on_the_form(preview)
    assert active(*staff.values()) == [True] * 5  # the preview writes nothing
    assert "0 neu, 1 geändert, 2 unverändert" in preview.text  # Ben's new address


def test_leavers_beyond_the_preview_limit_are_counted(client, admin, firma, make_user, monkeypatch):
    monkeypatch.setattr(views, "PREVIEW_ROWS", 2)
    for n in range(6):
        make_user(email=f"p{n}@example.org", name=f"Person {n}", organisation=firma)
    content = HEADER + "".join(f"p{n}@example.org;Person {n};\n" for n in range(3))

    preview = upload(client, firma, content, deactivate_missing="y")

    assert [name for name, _mail, _unit in leavers_listed(preview)] == ["Person 3", "Person 4"]
    assert "… und 1 weitere." in preview.text
    assert "3 aktive Personen fehlen in der Datei" in preview.text


def test_a_complete_file_says_that_nobody_is_deactivated(client, admin, firma, staff):
    content = REMAINING + "dora@example.org;Dora Muster;\nemil@example.org;Emil Muster;\n"
    preview = upload(client, firma, content, deactivate_missing="y")
    assert "Alle aktiven Personen von Muster GmbH stehen in der Datei; niemand wird deaktiviert." in preview.text
    assert leavers_listed(preview) == []


# -- confirming ----------------------------------------------------------------------------------------------

def test_confirmation_deactivates_the_leavers_as_by_hand(client, admin, firma, staff, login, new_client,
                                                         one_seat_session, make_user):
    dora, waiting = staff["Dora"], make_user(name="Willi Wartet")
    book(one_seat_session, dora, waiting)
    elsewhere = new_client()
    login(dora, via=elsewhere)

    page = confirm(client, hidden_fields(upload(client, firma, REMAINING, deactivate_missing="y"))).text

    assert active(*staff.values()) == [True, True, True, False, False]
    assert "Import abgeschlossen: 0 neu, 1 geändert, 2 unverändert, 2 deaktiviert." in page
    assert "1 gebuchter Platz wurde freigegeben." in page
    # signed out everywhere, the seat gone to the waitlist
    assert db.session.scalar(select(func.count()).select_from(UserSession)
                             .where(UserSession.user_id == dora.id)) == 0
    assert elsewhere.get("/meine-daten/").status_code == 302
    assert booking_statuses(one_seat_session) == {dora.id: "cancelled", waiting.id: "confirmed"}
    # logged as the import's, by the admin who imported
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.deactivate")).all()
    assert sorted(event.target_id for event in events) == sorted([dora.id, staff["Emil"].id])
    assert all(event.actor_id == admin.id and event.details == {"source": "import"} for event in events)
    summary = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "users.import"))
    assert summary.details["deactivated"] == 2 and summary.details["released"] == 1


def test_the_same_confirmation_twice_deactivates_once(client, admin, firma, staff):
    fields = hidden_fields(upload(client, firma, REMAINING, deactivate_missing="y"))
    confirm(client, fields)

    again = confirm(client, fields)

    assert "Diese Datei ist bereits importiert" in again.text
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "user.deactivate")) == 2


# -- administrators ------------------------------------------------------------------------------------------

def test_administrators_missing_from_the_file_are_listed_and_stay_active(client, make_user, login, firma, staff):
    importer = make_user(Role.ADMIN, email="ada@example.org", name="Admin Ada", organisation=firma)
    colleague = make_user(Role.TRAINER, Role.ADMIN, email="olaf@example.org", name="Olaf Office",
                          organisation=firma)
    login(importer)

    preview = upload(client, firma, REMAINING, deactivate_missing="y")

    assert [name for name, _mail, _unit in leavers_listed(preview)] == ["Dora Muster", "Emil Muster"]
    assert kept_listed(preview) == ["Admin Ada (ada@example.org) – Administration",
                                    "Olaf Office (olaf@example.org) – Administration"]
    assert "2 Personen fehlen in der Datei und bleiben aktiv: Ein Import deaktiviert niemanden, der eine der " \
           "genannten Rollen hat." in preview.text
    confirm(client, hidden_fields(preview))
    assert active(importer, colleague, staff["Dora"]) == [True, True, False]


def test_the_last_active_administrator_is_never_deactivated_by_the_command_line(runner, firma, staff, make_user,
                                                                                tmp_path):
    only_admin = make_user(Role.ADMIN, email="ada@example.org", name="Admin Ada", organisation=firma)
    path = tmp_path / "personen.csv"
    path.write_text(REMAINING)

    result = runner.invoke(users_cli, ["import", str(path), "--organisation", firma.slug, "--deactivate-missing"])

    assert result.exit_code == 0, result.output
    assert "Bleibt aktiv (Administration): Admin Ada <ada@example.org>" in result.output
    assert active(only_admin, staff["Dora"]) == [True, False]


# -- the guard against a partial file -------------------------------------------------------------------------

def test_a_file_lacking_more_than_half_of_the_active_people_is_refused(client, admin, firma, staff):
    preview = upload(client, firma, HEADER + "anna@example.org;Anna Muster;\nben@example.org;Ben Muster;\n",
                     deactivate_missing="y")

    assert "Die Datei enthält 1 Problem" in preview.text
    assert ("Die Datei würde 3 von 5 aktiven Personen von Muster GmbH deaktivieren – mehr als die Hälfte. "
            "Meist ist das "
            "ein unvollständiger Export") in html.unescape(preview.text)
    assert "ohne Fehlende deaktivieren zu lassen" in preview.text  # what to do instead
    assert "action" not in hidden_fields(preview)
    checkbox = re.search(r'<input[^>]*name="deactivate_missing"[^>]*>', preview.text).group(0)
    assert "checked" in checkbox  # the form keeps the choice, to be taken back
    assert active(*staff.values()) == [True] * 5


def test_exactly_half_missing_is_still_imported(client, admin, firma, staff, make_user):
    make_user(email="fritz@example.org", name="Fritz Muster", organisation=firma)  # six active people
    content = HEADER + "anna@example.org;Anna Muster;\nben@example.org;Ben Muster;\nfritz@example.org;Fritz Muster;\n"

    preview = upload(client, firma, content, deactivate_missing="y")

    assert "3 aktive Personen fehlen in der Datei und werden deaktiviert." in preview.text
    assert "action" in hidden_fields(preview)


def test_the_guard_is_checked_again_at_the_confirmation(client, admin, firma, staff, make_user):
    fields = hidden_fields(upload(client, firma, REMAINING, deactivate_missing="y"))
    staff["Anna"].active = False  # meanwhile, by hand: now 2 of 4 active are missing …
    db.session.commit()
    make_user(email="neu@example.org", name="Neu", organisation=firma)  # … and with a newcomer 3 of 5

    response = confirm(client, fields)

    assert "3 von 5 aktiven Personen" in html.unescape(response.text)
    assert active(staff["Dora"], staff["Emil"]) == [True, True]


# -- the confirmation checks what the preview showed ----------------------------------------------------------

def test_someone_added_meanwhile_shows_the_preview_again(client, admin, firma, staff, make_user):
    fields = hidden_fields(upload(client, firma, REMAINING, deactivate_missing="y"))
    make_user(email="fritz@example.org", name="Fritz Neu", organisation=firma)

    response = confirm(client, fields)

    assert "Seit der Vorschau hat sich etwas geändert" in response.text
    assert [name for name, _mail, _unit in leavers_listed(response)] == ["Dora Muster", "Emil Muster", "Fritz Neu"]
    assert active(staff["Dora"], staff["Emil"]) == [True, True]


def test_someone_deactivated_meanwhile_shows_the_preview_again(client, admin, firma, staff):
    fields = hidden_fields(upload(client, firma, REMAINING, deactivate_missing="y"))
    staff["Emil"].active = False
    db.session.commit()

    response = confirm(client, fields)

    assert "Seit der Vorschau hat sich etwas geändert" in response.text
    assert [name for name, _mail, _unit in leavers_listed(response)] == ["Dora Muster"]
    assert active(staff["Dora"]) == [True]


def test_someone_made_an_administrator_meanwhile_shows_the_preview_again(client, admin, firma, staff):
    fields = hidden_fields(upload(client, firma, REMAINING, deactivate_missing="y"))
    staff["Emil"].role_rows.append(UserRole(role="admin"))
    db.session.commit()

    response = confirm(client, fields)

    assert "Seit der Vorschau hat sich etwas geändert" in response.text
    assert kept_listed(response) == ["Emil Muster (emil@example.org) – Administration"]
    assert active(staff["Dora"], staff["Emil"]) == [True, True]


def test_the_choice_stays_with_the_uploaded_file_whatever_the_confirmation_sends(client, admin, firma, staff):
    fields = hidden_fields(upload(client, firma, REMAINING))
    response = confirm(client, fields, deactivate_missing="y")
    assert "Import abgeschlossen: 0 neu, 1 geändert, 2 unverändert." in response.text
    assert active(*staff.values()) == [True] * 5


# -- the number of statements --------------------------------------------------------------------------------

def test_a_large_file_with_the_option_is_checked_with_a_bounded_number_of_queries(firma, make_user,
                                                                                  count_statements):
    for n in range(120):
        make_user(email=f"person{n:05d}@example.org", name=f"Person {n}", organisation=firma)
    rows = "".join(f"person{n:05d}@example.org;Person {n};{n}\n" for n in range(50, 5000))
    with count_statements() as counter:
        plan = csv_import.plan_import((HEADER + rows).encode(), firma, deactivate_missing=True)
    assert plan.ok and len(plan.leavers) == 50 and plan.count("changed") == 70
    assert counter.count <= 12, counter.statements


def test_the_preview_costs_the_same_statements_for_few_leavers_and_many(client, admin, firma, make_user,
                                                                        count_statements):
    for n in range(60):
        make_user(email=f"p{n}@example.org", name=f"Person {n}", organisation=firma,
                  unit=firma.units[n % 2])

    def statements_for_a_file_lacking(missing: int) -> int:
        content = HEADER + "".join(f"p{n}@example.org;Person {n};\n" for n in range(missing, 60))
        with count_statements() as counter:
            preview = upload(client, firma, content, deactivate_missing="y")
        assert len(leavers_listed(preview)) == missing
        return counter.count

    # the first request after signing in reads more
    upload(client, firma, HEADER + "p0@example.org;Person 0;\n", deactivate_missing="y")
    assert statements_for_a_file_lacking(25) == statements_for_a_file_lacking(2)


# -- the command line ----------------------------------------------------------------------------------------

def test_cli_dry_run_lists_who_would_be_deactivated_and_writes_nothing(runner, firma, staff, tmp_path):
    path = tmp_path / "personen.csv"
    path.write_text(REMAINING)

    result = runner.invoke(users_cli, ["import", str(path), "--organisation", firma.slug, "--deactivate-missing",
                                       "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "Wird deaktiviert (fehlt in der Datei): Dora Muster <dora@example.org> · Montage" in result.output
    assert "Wird deaktiviert (fehlt in der Datei): Emil Muster <emil@example.org>" in result.output
    assert "Probelauf: 0 neu, 1 geändert, 2 unverändert, 2 zu deaktivieren; nichts importiert." in result.output
    assert active(*staff.values()) == [True] * 5


def test_cli_deactivates_the_leavers_and_releases_their_seats(runner, firma, staff, tmp_path, one_seat_session,
                                                              make_user):
    waiting = make_user(name="Willi Wartet")
    book(one_seat_session, staff["Emil"], waiting)
    path = tmp_path / "personen.csv"
    path.write_text(REMAINING)

    result = runner.invoke(users_cli, ["import", str(path), "--organisation", firma.slug, "--deactivate-missing"])

    assert result.exit_code == 0, result.output
    assert "Importiert: 0 neu, 1 geändert, 2 unverändert, 2 deaktiviert (1 gebuchte Plätze freigegeben)." \
           in result.output
    assert active(*staff.values()) == [True, True, True, False, False]
    assert booking_statuses(one_seat_session) == {staff["Emil"].id: "cancelled", waiting.id: "confirmed"}
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.deactivate")).all()
    assert len(events) == 2 and all(event.actor_id is None and event.details == {"source": "import"}
                                    for event in events)


def test_cli_without_the_flag_deactivates_nobody(runner, firma, staff, tmp_path):
    path = tmp_path / "personen.csv"
    path.write_text(REMAINING)
    result = runner.invoke(users_cli, ["import", str(path), "--organisation", firma.slug])
    assert result.exit_code == 0, result.output
    assert "deaktiv" not in result.output
    assert active(*staff.values()) == [True] * 5


def test_cli_refuses_a_file_lacking_more_than_half(runner, firma, staff, tmp_path):
    path = tmp_path / "personen.csv"
    path.write_text(HEADER + "anna@example.org;Anna Muster;\n")

    result = runner.invoke(users_cli, ["import", str(path), "--organisation", firma.slug, "--deactivate-missing"])

    assert result.exit_code == 1
    assert "Die Datei würde 4 von 5 aktiven Personen von Muster GmbH deaktivieren" in result.output
    assert "nichts importiert" in result.output
    assert active(*staff.values()) == [True] * 5
