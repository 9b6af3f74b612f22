"""Completing a course: the certificate, its PDF for the holder, and its public check by code."""

import re
from datetime import UTC, datetime

import pytest
from flask import current_app
from sqlalchemy import select

from qualify.extensions import db
from qualify.learning.models import Certificate, Enrolment
from tests.learning.helpers import module, module_of, question_fields, quiz_page, start_quiz

QUIZ = "::Farbe:: Welche Farbe haben Hochvolt-Leitungen? {=orange ~grün}"
CODE = re.compile(r"^QF-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")


def pass_quiz(client, quiz_module) -> int:
    attempt_id = start_quiz(client, quiz_module)
    page = quiz_page(client, attempt_id)
    name = question_fields(page)["Farbe"]
    client.post(f"/lernen/versuche/{attempt_id}/abgeben", data={name: page.option(name, "orange")})
    return attempt_id


@pytest.fixture
def certificate(client, make_user, login, make_course) -> Certificate:
    """A learner named with non-Latin-1 letters who completed a reading and a quiz module."""
    holder = make_user(name="Łucja Şahin-Größer", email="lucja@example.org")
    login(holder)
    course = make_course(module("lesen"), module("test", quiz=QUIZ), title="Hochvolt kompakt")
    client.post(f"/lernen/kurse/{course.slug}/einschreiben")
    client.post(f"/lernen/module/{module_of(course, 'lesen').id}/erledigt")
    db.session.expire_all()
    assert db.session.scalar(select(Certificate)) is None
    pass_quiz(client, module_of(course, "test"))
    db.session.expire_all()
    return db.session.scalar(select(Certificate))


def test_passing_the_last_module_completes_the_course_and_issues_a_certificate(client, certificate):
    assert certificate is not None
    assert CODE.match(certificate.code), certificate.code
    assert certificate.holder_name == "Łucja Şahin-Größer"
    assert certificate.course_title == "Hochvolt kompakt"
    enrolment = db.session.scalar(select(Enrolment))
    assert enrolment.completed_at is not None

    dashboard = client.get("/lernen/").text
    assert "Abgeschlossene Kurse" in dashboard
    assert certificate.code in dashboard
    assert f"/lernen/zertifikate/{certificate.code}.pdf" in dashboard


def test_the_course_page_of_a_completed_course_offers_the_certificate_itself(client, certificate):
    course_page = client.get("/kurse/kurs").text
    assert f"/lernen/zertifikate/{certificate.code}.pdf" in course_page


def test_the_certificate_pdf_downloads_for_its_holder(client, certificate):
    response = client.get(f"/lernen/zertifikate/{certificate.code}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert certificate.code in response.headers["Content-Disposition"]
    assert b"/Lang (de-DE)" in response.data  # for screen readers
    assert pdf_title(response.data) == "Teilnahmezertifikat – Hochvolt kompakt"
    assert response.headers["Content-Disposition"].startswith("inline;")  # opened, not lost in a download folder


def pdf_title(data: bytes) -> str:
    """The document title of a PDF from fpdf2 (UTF-16 in hexadecimal)."""
    return bytes.fromhex(re.search(rb"/Title <feff([0-9a-f]+)>", data).group(1).decode()).decode("utf-16-be")


def test_the_certificate_pdf_links_its_check_and_names_itself_by_its_title(client, certificate):
    data = client.get(f"/lernen/zertifikate/{certificate.code}.pdf").data

    links = re.findall(rb"/S /URI /URI \(([^)]*)\)", data)
    assert [link.decode() for link in links] == [f"{current_app.config['BASE_URL']}/verify/{certificate.code}"]
    assert b"/DisplayDocTitle true" in data  # a reader's window says the title, not "certificate-QF-….pdf"


def test_the_certificate_is_in_the_holders_language(client, certificate):
    client.post("/profil", data={"display_name": certificate.holder_name, "language": "en"})
    response = client.get(f"/lernen/zertifikate/{certificate.code}.pdf")
    assert f'filename="certificate-{certificate.code}.pdf"' in response.headers["Content-Disposition"]
    assert b"/Lang (en-GB)" in response.data
    assert pdf_title(response.data) == "Certificate of participation – Hochvolt kompakt"


def test_nobody_else_gets_the_pdf(new_client, make_user, login, certificate):
    browser = new_client()
    assert browser.get(f"/lernen/zertifikate/{certificate.code}.pdf").status_code == 302  # to the sign-in
    login(make_user(), via=browser)
    assert browser.get(f"/lernen/zertifikate/{certificate.code}.pdf").status_code == 404


def test_verify_shows_name_course_and_date_only_without_signing_in(new_client, certificate):
    response = new_client().get(f"/verify/{certificate.code}")
    assert response.status_code == 200
    assert "Dieses Zertifikat ist echt." in response.text
    assert "Łucja Şahin-Größer" in response.text
    assert "Hochvolt kompakt" in response.text
    assert certificate.issued_at.strftime("%Y") in response.text
    assert "lucja@example.org" not in response.text and "@" not in response.text
    assert "100" not in response.text and "%" not in response.text.split("<main", 1)[1]
    assert "Farbe" not in response.text


def test_verify_forgives_case_and_blanks(new_client, certificate):
    assert new_client().get(f"/verify/%20{certificate.code.lower()}%20").status_code == 200


def test_an_unknown_code_is_a_404_page(new_client, certificate):
    response = new_client().get("/verify/QF-AAAA-BBBB")
    assert response.status_code == 404
    assert "Zu diesem Prüfcode gibt es kein Zertifikat." in response.text
    assert "Łucja" not in response.text


def test_the_certificate_is_issued_once(client, certificate):
    course_quiz = db.session.scalar(select(Enrolment)).course
    pass_quiz(client, module_of(course_quiz, "test"))
    db.session.expire_all()
    assert [c.code for c in db.session.scalars(select(Certificate))] == [certificate.code]


def test_failing_the_last_quiz_does_not_complete_the_course(client, learner, make_course):
    course = make_course(module("test", quiz=QUIZ))
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    name = question_fields(page)["Farbe"]
    client.post(f"/lernen/versuche/{attempt_id}/abgeben", data={name: page.option(name, "grün")})
    db.session.expire_all()
    assert db.session.scalar(select(Certificate)) is None
    assert db.session.scalar(select(Enrolment)).completed_at is None


def test_a_code_typed_from_paper_is_found_with_or_without_hyphens(new_client, certificate):
    browser = new_client()
    assert "Prüfcode vom Zertifikat" in browser.get("/verify/").text  # a form to type the code
    typed = certificate.code.replace("-", "").lower()  # "qf7kx2m9pa"
    response = browser.get("/verify/", query_string={"code": f" {typed[:6]} {typed[6:]} "}, follow_redirects=True)
    assert response.status_code == 200 and "Dieses Zertifikat ist echt." in response.text
    assert browser.get(f"/verify/{certificate.code[3:].replace('-', '')}").status_code == 200
    wrong = browser.get("/verify/QF-AAAA-AAAA")
    assert wrong.status_code == 404 and 'name="code"' in wrong.text


@pytest.mark.parametrize(("minutes", "said"), [
    (60, "1 Stunde"), (61, "1 Stunde 1 Minute"), (90, "1 Stunde 30 Minuten"), (120, "2 Stunden"),
    (1, "1 Minute"), (45, "45 Minuten"), (None, "")])
def test_the_duration_on_the_certificate_is_in_good_german(minutes, said):
    from qualify.learning.certificates import _duration

    assert _duration(minutes) == said


def test_my_learning_gives_the_day_a_course_was_completed_not_the_minute(client, certificate):
    enrolment = db.session.scalar(select(Enrolment))
    enrolment.completed_at = datetime(2026, 3, 5, 14, 7, tzinfo=UTC)
    db.session.commit()

    dashboard = client.get("/lernen/").text

    assert "Abgeschlossen am 05.03.2026</p>" in dashboard
    assert "15:07" not in dashboard
