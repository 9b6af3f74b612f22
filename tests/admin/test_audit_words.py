"""The audit log's details in the reader's words, also where the app stored German query parameters."""

import ast
import re
from datetime import UTC, datetime, timedelta

from flask_babel import force_locale

from qualify.admin.audit_labels import ACTION_LABELS, DETAIL_LABELS, details_text
from qualify.config import PROJECT_ROOT
from qualify.core import audit
from qualify.core.time import utcnow
from qualify.courses.models import Course, Module, ModuleVersion
from qualify.extensions import db
from qualify.privacy.services import erase_account
from qualify.workshops.models import WorkshopSession


def text_of(page: str) -> str:
    """The page's text, as read: tags and the labels only a phone shows left out, blanks collapsed."""
    page = re.sub(r'<span class="cell-label"[^>]*>.*?</span>', "", page)
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_report_filters_are_named_in_the_readers_language(app):
    details = {"report": "participation", "filters": {"von": "2026-05", "bis": "2026-10", "kennzahl": "active"}}
    with app.test_request_context(), force_locale("en"):
        text = details_text(details)
    assert "from 2026-05, until 2026-10, Metric " in text and "von" not in text and "kennzahl" not in text
    assert "active" not in text  # the metric by its name, not its code


def test_every_action_the_code_records_has_a_name_in_words():
    recorded = {}
    for path in (PROJECT_ROOT / "qualify").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                    and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("record", "record_access")):
                recorded.setdefault(node.args[0].value, str(path.relative_to(PROJECT_ROOT)))
    assert len(recorded) > 40  # the walk found the calls
    assert {action: where for action, where in recorded.items() if action not in ACTION_LABELS} == {}


def test_every_detail_the_code_records_has_a_name_in_words():
    unnamed = {}
    for path in (PROJECT_ROOT / "qualify").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                    and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("record", "record_access")):
                for keyword in node.keywords:
                    # record_access turns its scope into the organisation's number; accountable is record's own
                    if keyword.arg not in (None, "actor", "target", "by", "by_address", "scope", "accountable") \
                            and keyword.arg not in DETAIL_LABELS:
                        unnamed.setdefault(keyword.arg, str(path.relative_to(PROJECT_ROOT)))
    assert unnamed == {}


def test_codes_among_the_details_are_said_in_words(app):
    details = {"report": "participation", "format": "print", "source": "import"}
    with app.test_request_context(), force_locale("de"):
        assert details_text(details) == "Bericht: Beteiligung; Format: Druckansicht; Quelle: CSV-Import"


# ---------------------------------------------------------------- the log's page: objects by their names

def test_units_courses_modules_and_sessions_in_the_details_are_named_by_what_they_are_called(
        client, admin, make_organisation, make_user):
    organisation = make_organisation()
    unit = organisation.units[0]
    course = Course(slug="hochvolt", title="Hochvolt-Sicherheit", status="published")
    module = Module(course=course, slug="warum", position=1)
    db.session.add_all([course, module])
    db.session.flush()
    starts = datetime(2027, 1, 12, 8, tzinfo=UTC)
    session = WorkshopSession(module_id=module.id, starts_at=starts, ends_at=starts + timedelta(hours=3),
                              capacity=10, booking_deadline_at=starts, cancellation_deadline_at=starts)
    db.session.add(session)
    db.session.flush()
    person = make_user(name="Tina Trainerin")
    audit.record("enrolments.mandatory", actor=admin, course_id=course.id, unit_id=unit.id,
                 organisation_id=organisation.id)
    audit.record("certificate.withdrawn", actor=admin, target=person, course_id=course.id, reopened=[module.id])
    audit.record("workshops.walk_in", actor=admin, target=person, session_id=session.id)
    audit.record("authoring.owner_added", actor=admin, target=course, user_id=person.id)
    db.session.commit()

    log = text_of(client.get("/verwaltung/protokoll").text)

    assert f"Kurs: „Hochvolt-Sicherheit“; Einheit: „{unit.name}“; Organisation: „{organisation.name}“" in log
    assert "wieder geöffnete Module: „warum“" in log
    assert "Termin: „warum, 12.01.2027“" in log
    assert "Person: „Tina Trainerin“" in log
    assert "(Nummer)" not in log


def test_an_object_that_is_gone_is_named_by_its_number(client, admin):
    audit.record("enrolments.mandatory", actor=admin, course_id=999999)
    db.session.commit()
    assert "Kurs (Nummer): 999999" in text_of(client.get("/verwaltung/protokoll").text)


def test_an_erasure_says_it_was_about_an_account_without_naming_it(client, admin, make_user):
    erase_account(make_user(name="Gerd Gone"), keep_posts=False, now=utcnow(), by=admin, reason="Austritt")
    db.session.commit()
    log = text_of(client.get("/verwaltung/protokoll").text)
    assert "Konto gelöscht ein gelöschtes Konto" in log and "Gerd Gone" not in log


def test_a_filter_without_entries_says_so_and_leads_back(client, admin):
    page = client.get("/verwaltung/protokoll?person=Niemand").text
    assert "Keine Einträge für diese Auswahl." in page and "Noch keine Einträge" not in page
    assert '<a href="/verwaltung/protokoll">Alle Einträge zeigen</a>' in page


def test_versions_statuses_and_empty_details_read_as_words(client, admin):
    course = Course(slug="hochvolt", title="Hochvolt-Sicherheit", status="published")
    module = Module(course=course, slug="warum", position=1)
    db.session.add_all([course, module])
    db.session.flush()
    version = ModuleVersion(module_id=module.id, number=8, title="Warum Hochvolt?", kind="self-study",
                            source="", body_html="", content_hash="x")
    db.session.add(version)
    db.session.flush()
    audit.record("authoring.restore", actor=admin, target=version, module="warum", restored=3,
                 versions=[["warum", 8]])
    audit.record("authoring.status", actor=admin, target=course, status="published")
    audit.record("authoring.save", actor=admin, target=course, file="course.md", note="", versions=[])
    db.session.commit()

    log = text_of(client.get("/verwaltung/protokoll").text)

    assert "Modulfassung „Warum Hochvolt?, Version 8“" in log and "ModuleVersion" not in log
    assert "Modulfassungen: warum, Version 8" in log and "[" not in log
    assert "Status: veröffentlicht" in log and "published" not in log
    assert "Notiz" not in log


def test_a_page_beyond_the_last_says_so_and_leads_to_the_newest(client, admin):
    audit.record("enrolments.mandatory", actor=admin)
    db.session.commit()
    page = client.get("/verwaltung/protokoll?seite=999").text
    assert "Keine Einträge auf dieser Seite." in page and "Noch keine Einträge" not in page
