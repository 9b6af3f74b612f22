"""The log says a trainer decided a request to book a workshop – not that someone signed in."""

from qualify.core import audit
from qualify.extensions import db
from tests.admin.test_audit_words import text_of


def test_deciding_a_booking_request_reads_as_such_in_the_log(client, admin):
    audit.record("workshops.booking_approved", actor=admin)
    audit.record("workshops.booking_declined", actor=admin)
    db.session.commit()
    log = text_of(client.get("/verwaltung/protokoll").text)
    assert "Buchungsanfrage freigegeben" in log and "Buchungsanfrage abgelehnt" in log
    assert "Anmeldung freigegeben" not in log and "Anmeldung abgelehnt" not in log
