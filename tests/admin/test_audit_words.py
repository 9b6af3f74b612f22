"""The audit log's details in the reader's words, also where the app stored German query parameters."""

import ast

from flask_babel import force_locale

from qualify.admin.audit_labels import ACTION_LABELS, DETAIL_LABELS, details_text
from qualify.config import PROJECT_ROOT


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
                    # record_access turns its scope into the organisation's number
                    if keyword.arg not in (None, "actor", "target", "by", "by_address", "scope") \
                            and keyword.arg not in DETAIL_LABELS:
                        unnamed.setdefault(keyword.arg, str(path.relative_to(PROJECT_ROOT)))
    assert unnamed == {}


def test_codes_among_the_details_are_said_in_words(app):
    details = {"report": "participation", "format": "print", "source": "import"}
    with app.test_request_context(), force_locale("de"):
        assert details_text(details) == "Bericht: Beteiligung; Format: Druckansicht; Quelle: CSV-Import"
