"""Withdrawing a certificate without opening its course again – issued to the wrong account, say, or for a course
whose modules cannot open again: the course stays complete, the code is void from then on (the check page says
so and since when), the holder reads why under "Mein Lernen" and by mail, and the log has it."""

import html
import re

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.audit import AuditEvent
from qualify.core.mail import OutboxMessage
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.learning.models import Certificate, Enrolment, ModuleCompletion, WithdrawnCertificate
from qualify.learning.services import check_course_completion
from tests.admin.test_certificates import certified as modules_done_and_certified

PASSWORD = "richtig-gutes-passwort"


@pytest.fixture
def course(demo_courses):
    return demo_courses["digitale-fabrik"]


@pytest.fixture
def holder(make_user):
    return make_user(name="Hanna Halter", email="hanna@example.org", password=PASSWORD)


def certified(person, course, *, via: dict[str, str]) -> str:
    """Every module of the course done, the course complete and its certificate issued, as the last module does it."""
    code = modules_done_and_certified(person, course, via=via)
    check_course_completion(person, course, now=utcnow())
    db.session.commit()
    assert db.session.scalar(select(Enrolment.completed_at).where(Enrolment.user_id == person.id)) is not None
    return code


def text(page: str) -> str:
    page = re.sub(r'name="csrf_token" value="[^"]*"', "", html.unescape(page))
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def done_modules(person) -> int:
    return len(db.session.scalars(select(ModuleCompletion).where(ModuleCompletion.user_id == person.id)).all())


def test_the_certificate_alone_is_withdrawn_and_the_course_stays_complete(client, admin, holder, course):
    code = certified(holder, course, via={})
    modules_done = done_modules(holder)
    page = text(client.get(f"/verwaltung/zertifikate/{code}").text)
    assert "bleibt abgeschlossen: Nur das Zertifikat wird ungültig, ein neues gibt es nicht" in page

    response = client.post(f"/verwaltung/zertifikate/{code}", data={"reason": "An das falsche Konto ausgestellt",
                                                                     "after": "void"}, follow_redirects=True)

    assert "Das Zertifikat ist zurückgezogen; der Kurs bleibt abgeschlossen." in text(response.text)
    db.session.expire_all()
    assert db.session.scalar(select(Certificate).where(Certificate.code == code)) is None
    withdrawn = db.session.scalar(select(WithdrawnCertificate).where(WithdrawnCertificate.code == code))
    assert withdrawn.reason == "An das falsche Konto ausgestellt"
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == holder.id))
    assert enrolment.completed_at is not None and done_modules(holder) == modules_done
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.withdrawn"))
    assert (event.actor_id, event.target_id) == (admin.id, holder.id)
    assert event.details == {"code": code, "course_id": course.id, "reopened": []}
    assert "reason" not in event.details  # the log, which every administrator reads, does not say why
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == holder.email))
    assert "Grund: An das falsche Konto ausgestellt" in mail.body_text
    assert "Der Kurs bleibt als abgeschlossen eingetragen; ein neues Zertifikat wird dafür nicht ausgestellt." \
        in mail.body_text and "wieder offen" not in mail.body_text


def test_the_check_page_says_the_certificate_was_withdrawn_and_when_but_never_why(client, admin, holder, course,
                                                                                  new_client):
    code = certified(holder, course, via={})
    client.post(f"/verwaltung/zertifikate/{code}", data={"reason": "Versehen beim Eintragen", "after": "void"})
    withdrawn_on = db.session.scalar(select(WithdrawnCertificate.withdrawn_at)).astimezone()

    stranger = new_client()
    response = stranger.get(f"/verify/{code}")

    page = text(response.text)
    assert response.status_code == 410
    assert "Dieses Zertifikat wurde zurückgezogen und ist nicht mehr gültig." in page
    assert "Hanna Halter" in page and "Zurückgezogen am" in page
    assert withdrawn_on.strftime("%Y") in page.split("Zurückgezogen am")[1].split("Prüfcode")[0]
    assert "Versehen" not in page


def test_the_holder_reads_under_my_learning_that_the_certificate_was_withdrawn_and_why(
        client, admin, holder, course, new_client, login):
    code = certified(holder, course, via={})
    client.post(f"/verwaltung/zertifikate/{code}", data={"reason": "Doppelt ausgestellt", "after": "void"})

    browser = new_client()
    login(holder, PASSWORD, via=browser)
    page = text(browser.get("/lernen/").text)

    completed = page.split("Abgeschlossene Kurse")[1]
    assert f"Ihr Zertifikat {code} wurde am" in completed and "Grund: Doppelt ausgestellt" in completed
    assert "Zertifikat herunterladen" not in completed
    assert browser.get(f"/lernen/zertifikate/{code}.pdf").status_code == 404


def test_ticked_modules_stay_done_when_the_course_stays_complete(client, admin, holder, course):
    code = certified(holder, course, via={})
    modules_done = done_modules(holder)
    first = db.session.scalar(select(ModuleCompletion.module_id).where(ModuleCompletion.user_id == holder.id))

    client.post(f"/verwaltung/zertifikate/{code}", data={"reason": "Versehen", "after": "void",
                                                         "modules": [str(first)]})

    db.session.expire_all()
    assert done_modules(holder) == modules_done
    assert db.session.scalar(select(WithdrawnCertificate.code)) == code


def test_a_course_whose_modules_cannot_open_again_can_still_lose_its_certificate(client, admin, holder, course):
    # Every module done by passing a quiz, which stays passed: before, the page could not withdraw it at all.
    code = certified(holder, course, via={kind: "quiz" for kind in ("text", "quiz", "workshop", "exchange",
                                                                    "self-study", "video")})
    page = text(client.get(f"/verwaltung/zertifikate/{code}").text)
    assert "Kein Modul dieses Kurses kann wieder geöffnet werden: Der Kurs bleibt abgeschlossen" in page
    assert 'name="after"' not in page

    client.post(f"/verwaltung/zertifikate/{code}", data={"reason": "Prüfung unter fremdem Namen abgelegt"})

    db.session.expire_all()
    assert db.session.scalar(select(WithdrawnCertificate.code)) == code


def test_opening_the_course_again_still_asks_for_a_module(client, admin, holder, course):
    code = certified(holder, course, via={})
    page = text(client.post(f"/verwaltung/zertifikate/{code}", data={"reason": "Versehen", "after": "reopen"}).text)
    assert "Bitte wählen Sie mindestens ein Modul, das erneut erledigt werden muss." in page
    assert db.session.scalar(select(Certificate.code)) == code


def test_an_organisations_administration_withdraws_no_certificate(client, make_user, login, holder, course,
                                                                  make_organisation):
    code = certified(holder, course, via={})
    login(make_user(Role.ORG_ADMIN, organisation=make_organisation()))
    assert client.get(f"/verwaltung/zertifikate/{code}").status_code == 403
    assert client.post(f"/verwaltung/zertifikate/{code}", data={"reason": "x", "after": "void"}).status_code == 403
    assert db.session.scalar(select(Certificate.code)) == code
