"""The administration's page of one certificate: what it says about the modules behind it, and the form that
withdraws it."""

import html

import pytest
from sqlalchemy import select

from qualify.core.time import utcnow
from qualify.courses.models import Module, ModuleVersion
from qualify.extensions import db
from qualify.learning.models import Certificate, ModuleCompletion
from qualify.learning.services import enrol, issue_certificate


def certified(person, course, *, via: dict[str, str]) -> str:
    """Record every module of the course as done – read, unless `via` says otherwise by module kind – issue the
    certificate and return its code."""
    enrol(person, course, now=utcnow())
    modules = db.session.execute(select(Module, ModuleVersion.kind)
                                 .join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
                                 .where(Module.course_id == course.id)).all()
    for module, kind in modules:
        db.session.add(ModuleCompletion(user_id=person.id, module_id=module.id, via=via.get(kind, "read"),
                                        completed_at=utcnow(), module_version_id=module.current_version_id))
    certificate = issue_certificate(person, course, now=utcnow())
    db.session.commit()
    return certificate.code


@pytest.fixture
def exchange_course(demo_courses):
    return demo_courses["digitale-fabrik"]


def test_an_exchange_module_that_no_longer_counts_is_not_said_to_lack_a_presence(client, admin, make_user,
                                                                                  exchange_course):
    # Done by posting in the module's space; the posts were hidden since, and nobody marked the person present.
    code = certified(make_user(name="Erik Austausch"), exchange_course, via={"exchange": "exchange"})

    page = html.unescape(client.get(f"/verwaltung/zertifikate/{code}").text)

    assert "Teilnahme am Austausch" in page
    assert "nicht mehr nachgewiesen: weder genug Beiträge noch eine eingetragene Anwesenheit" in page
    assert "nicht mehr als anwesend eingetragen" not in page


def test_the_withdrawal_form_says_both_what_is_missing_after_one_submit(client, admin, make_user, exchange_course):
    code = certified(make_user(), exchange_course, via={})

    response = client.post(f"/verwaltung/zertifikate/{code}", data={"reason": "  "})

    page = html.unescape(response.text)
    assert "Bitte geben Sie einen Grund an." in page
    assert "Bitte wählen Sie mindestens ein Modul, das erneut erledigt werden muss." in page
    assert 'id="reason-error"' in response.text and 'id="modules-error"' in response.text
    assert db.session.scalar(select(Certificate).where(Certificate.code == code)) is not None


def test_what_was_typed_and_ticked_stays_when_the_other_is_missing(client, admin, make_user, exchange_course):
    code = certified(make_user(), exchange_course, via={})
    first = db.session.scalar(select(Module.id).where(Module.course_id == exchange_course.id).order_by(Module.id))

    without_reason = client.post(f"/verwaltung/zertifikate/{code}", data={"modules": [str(first)]}).text
    assert f'<input checked id="modules-0" name="modules" type="checkbox" value="{first}">' in without_reason
    assert "required" not in without_reason.split('id="modules"')[1].split("</fieldset>")[0]  # one box is enough
    without_module = client.post(f"/verwaltung/zertifikate/{code}", data={"reason": "Falsche Person"}).text
    assert "Falsche Person</textarea>" in without_module
