"""A presence marked by mistake completed a course: the administration withdraws the certificate.

The trainer takes "present" back, which cannot undo a completed course; an administrator withdraws the
certificate with the workshop module chosen already; the course is open again, the holder is told why, and
the old code says "withdrawn" to whoever checks it. Once the person really takes part, a new certificate
with a new code is issued.
"""

import re

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.extensions import db
from qualify.learning.models import Certificate, Enrolment, WithdrawnCertificate
from tests.learning.helpers import everything_else_done
from tests.workshops.conftest import bookings_of, in_days, outbox
from tests.workshops.test_pages import module_done, present_now

REASON = "Die Anwesenheit am 12. März war irrtümlich eingetragen."


@pytest.fixture
def mistaken_certificate(client, login, make_user, trainer, workshop_module, make_session):
    """Everything else of the course read, the workshop marked present and then taken back."""
    person = make_user(name="Paul Praktiker", email="paul@example.org")
    session = present_now(make_session(booked=[person]))
    everything_else_done(person, workshop_module, via="read")
    db.session.commit()
    login(trainer)
    booking = bookings_of(session)[0]
    client.post(f"/termine/{session.id}/anwesenheit", data={"booking_id": booking.id, "value": "present"})
    client.post(f"/termine/{session.id}/anwesenheit", data={"booking_id": booking.id, "value": "absent"})
    db.session.expire_all()
    certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == person.id))
    assert certificate is not None and module_done(person, workshop_module)
    return person, session, certificate.code


def checked_boxes(page: str) -> set[str]:
    """The values of the ticked checkboxes of a page."""
    boxes = [tag for tag in re.findall(r"<input\b[^>]*>", page) if 'type="checkbox"' in tag]
    return {re.search(r'value="([^"]*)"', tag).group(1) for tag in boxes if re.search(r"\bchecked\b", tag)}


def test_the_admin_page_suggests_the_workshop_whose_presence_was_taken_back(
    new_client, login, make_user, workshop_module, mistaken_certificate
):
    person, _session, code = mistaken_certificate
    admin = new_client()
    login(make_user(Role.ADMIN), via=admin)
    page = admin.get(f"/verwaltung/zertifikate/{code}").text
    assert "Paul Praktiker" in page
    assert "nicht mehr als anwesend eingetragen" in page
    assert checked_boxes(page) == {str(workshop_module.id)}


def test_the_look_at_the_certificate_is_logged_for_the_holders_organisation_only(
    new_client, login, make_user, make_organisation, mistaken_certificate
):
    person, _session, code = mistaken_certificate
    person.organisation = make_organisation()
    db.session.commit()
    admin = new_client()
    login(make_user(Role.ADMIN), via=admin)
    admin.get(f"/verwaltung/zertifikate/{code}")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "personal_data.view"))
    # The works council of each organisation reads the looks at its own people; without the organisation
    # the entry was shown to every works council.
    assert event.target_id == person.id and event.details["organisation_id"] == person.organisation_id


def test_withdrawing_opens_the_course_again_and_tells_the_holder(
    new_client, login, make_user, workshop_module, mistaken_certificate
):
    person, _session, code = mistaken_certificate
    admin = new_client()
    login(make_user(Role.ADMIN), via=admin)
    page = admin.post(f"/verwaltung/zertifikate/{code}",
                      data={"reason": REASON, "modules": [str(workshop_module.id)]}, follow_redirects=True)
    assert "Das Zertifikat ist zurückgezogen" in page.text
    assert "nicht mehr gültig" in page.text and REASON in page.text

    db.session.expire_all()
    assert db.session.scalar(select(Certificate).where(Certificate.user_id == person.id)) is None
    withdrawn = db.session.scalar(select(WithdrawnCertificate))
    assert (withdrawn.code, withdrawn.user_id, withdrawn.reason) == (code, person.id, REASON)
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == person.id))
    assert enrolment.completed_at is None
    assert not module_done(person, workshop_module)
    others = [m for m in workshop_module.course.active_modules if m.id != workshop_module.id]
    assert all(module_done(person, m) for m in others)  # only the chosen module opens again

    (mail,) = outbox("paul@example.org", "zurückgezogen")
    assert REASON in mail.body_text and code in mail.body_text
    assert workshop_module.current_version.title in mail.body_text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.withdrawn"))
    assert event.target_id == person.id and event.details["reopened"] == [workshop_module.id]
    assert "Anwesenheit" not in str(event.details)  # the reason stays out of the log the works council reads


def test_the_old_code_checks_as_withdrawn_without_the_reason(
    new_client, login, make_user, workshop_module, mistaken_certificate
):
    person, _session, code = mistaken_certificate
    admin = new_client()
    login(make_user(Role.ADMIN), via=admin)
    admin.post(f"/verwaltung/zertifikate/{code}",
               data={"reason": REASON, "modules": [str(workshop_module.id)]})
    check = new_client().get(f"/verify/{code.lower()}")
    assert check.status_code == 410
    assert "zurückgezogen und ist nicht mehr gültig" in check.text and "Paul Praktiker" in check.text
    assert "irrtümlich" not in check.text

    holder = new_client()
    login(person, via=holder)
    dashboard = holder.get("/lernen/").text
    assert f"/lernen/zertifikate/{code}.pdf" not in dashboard
    assert f"Ihr Zertifikat {code} wurde am" in dashboard and REASON in dashboard  # the person sees why
    assert holder.get(f"/lernen/zertifikate/{code}.pdf").status_code == 404


def test_taking_part_for_real_issues_a_new_certificate_with_a_new_code(
    client, new_client, login, make_user, workshop_module, make_session, mistaken_certificate
):
    person, session, code = mistaken_certificate
    admin = new_client()
    login(make_user(Role.ADMIN), via=admin)
    admin.post(f"/verwaltung/zertifikate/{code}",
               data={"reason": REASON, "modules": [str(workshop_module.id)]})
    booking = bookings_of(session)[0]
    client.post(f"/termine/{session.id}/anwesenheit", data={"booking_id": booking.id, "value": "present"})

    db.session.expire_all()
    renewed = db.session.scalar(select(Certificate).where(Certificate.user_id == person.id))
    assert renewed is not None and renewed.code != code
    assert new_client().get(f"/verify/{renewed.code}").status_code == 200
    assert new_client().get(f"/verify/{code}").status_code == 410


def test_a_workshop_the_person_is_still_marked_present_at_is_not_opened_again(
    client, new_client, login, make_user, trainer, workshop_module, make_session, mistaken_certificate
):
    person, session, code = mistaken_certificate
    booking = bookings_of(session)[0]
    client.post(f"/termine/{session.id}/anwesenheit", data={"booking_id": booking.id, "value": "present"})
    admin = new_client()
    login(make_user(Role.ADMIN), via=admin)
    page = admin.get(f"/verwaltung/zertifikate/{code}").text
    assert f'value="{workshop_module.id}"' not in page  # the trainer's record says present: it stands
    assert "als anwesend eingetragen – erst wenn die Leitung das zurücknimmt" in page


def test_after_attendance_is_recorded_another_date_of_the_module_can_be_booked(
    client, new_client, login, make_user, make_session, mistaken_certificate
):
    person, session, _code = mistaken_certificate  # marked present, then absent, at a session still running
    later = make_session(day=in_days(21))
    browser = new_client()
    login(person, via=browser)
    browser.post(f"/termine/{later.id}/buchung", data={})
    assert [b.status for b in bookings_of(later)] == ["confirmed"]


def test_a_search_that_finds_certificates_is_logged_for_the_holders_organisation(
    new_client, login, make_user, make_organisation, mistaken_certificate
):
    person, _session, _code = mistaken_certificate
    person.organisation = make_organisation()
    db.session.commit()
    admin = new_client()
    login(make_user(Role.ADMIN), via=admin)
    admin.get("/verwaltung/zertifikate/?q=nichts-gefunden")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "personal_data.view")) is None
    page = admin.get(f"/verwaltung/zertifikate/?q={person.display_name.split()[0]}").text
    assert person.display_name in page  # names, courses and dates of people: a look at personal data
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "personal_data.view"))
    assert (event.target_id, event.details["organisation_id"]) == (person.id, person.organisation_id)
