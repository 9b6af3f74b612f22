"""The audit log's details in the reader's words, also where the app stored German query parameters."""

from flask_babel import force_locale

from qualify.admin.audit_labels import details_text


def test_report_filters_are_named_in_the_readers_language(app):
    details = {"report": "participation", "filters": {"von": "2026-05", "bis": "2026-10", "kennzahl": "active"}}
    with app.test_request_context(), force_locale("en"):
        text = details_text(details)
    assert "from 2026-05, until 2026-10, Metric " in text and "von" not in text and "kennzahl" not in text
    assert "active" not in text  # the metric by its name, not its code
