"""Looks at certificates in the audit log: one entry per visit, and always naming whose data was seen."""

from datetime import timedelta

from sqlalchemy import select

from qualify.core.audit import AuditEvent
from qualify.extensions import db
from tests.admin.test_certificates import certified


def looks() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data.view")
                                   .order_by(AuditEvent.id)))


def ten_minutes_pass() -> None:
    for look in looks():
        look.created_at -= timedelta(minutes=11)
    db.session.commit()


def test_coming_back_to_a_certificate_within_minutes_is_one_look(client, admin, make_user, demo_courses):
    person = make_user(name="Clara Zertifikat")
    code = certified(person, demo_courses["hochvolt-sicherheit"], via={})
    for _ in range(3):
        assert client.get(f"/verwaltung/zertifikate/{code}").status_code == 200
    (look,) = looks()
    assert (look.actor_id, look.target_id, look.details["code"]) == (admin.id, person.id, code)

    ten_minutes_pass()
    client.get(f"/verwaltung/zertifikate/{code}")
    assert len(looks()) == 2


def test_the_certificate_is_logged_even_right_after_a_look_at_its_holder_elsewhere(client, admin, make_user,
                                                                                  demo_courses):
    # The person's page and the search do not show which modules are behind the certificate: that look is logged.
    person = make_user(name="Clara Zertifikat")
    code = certified(person, demo_courses["hochvolt-sicherheit"], via={})
    client.get(f"/verwaltung/personen/{person.id}")
    client.get(f"/verwaltung/zertifikate/{code}")
    assert [look.details.get("code") for look in looks()] == [None, code]


def test_a_search_logs_whom_it_found_by_name(client, admin, make_user, make_organisation, demo_courses):
    organisation = make_organisation()
    course = demo_courses["hochvolt-sicherheit"]
    first = make_user(name="Clara Zertifikat", organisation=organisation)
    second = make_user(name="Carl Zertifikat")
    certified(first, course, via={})
    certified(second, course, via={})

    client.get("/verwaltung/zertifikate/?q=Zertifikat")

    found = looks()
    assert {(look.target_type, look.target_id, look.organisation_id) for look in found} == {
        ("User", first.id, organisation.id), ("User", second.id, None)}
    log = client.get("/verwaltung/protokoll").text
    assert "Clara Zertifikat" in log and "Carl Zertifikat" in log and "Personen: 1" not in log

    client.get("/verwaltung/zertifikate/?q=Clara")  # the same people again, within minutes: no new entry
    assert len(looks()) == 2
