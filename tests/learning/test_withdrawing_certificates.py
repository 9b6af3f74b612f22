"""The administration's certificate pages: who may use them, what they refuse, how they find a certificate."""

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.learning.models import Certificate, WithdrawnCertificate
from qualify.privacy.services import erase_account
from tests.learning.helpers import module, module_of
from tests.learning.test_certificates import QUIZ, pass_quiz


@pytest.fixture
def holder(client, make_user, login, make_course):
    """A learner who read one module and passed the quiz of the other: the course is complete."""
    person = make_user(name="Hanna Halter", email="hanna@example.org")
    login(person)
    course = make_course(module("lesen"), module("test", quiz=QUIZ), title="Hochvolt kompakt")
    client.post(f"/lernen/kurse/{course.slug}/einschreiben")
    client.post(f"/lernen/module/{module_of(course, 'lesen').id}/erledigt")
    pass_quiz(client, module_of(course, "test"))
    db.session.expire_all()
    return person, course, db.session.scalar(select(Certificate)).code


@pytest.fixture
def admin(new_client, login, make_user):
    browser = new_client()
    login(make_user(Role.ADMIN), via=browser)
    return browser


def still_issued(code: str) -> bool:
    db.session.expire_all()
    return db.session.scalar(select(Certificate).where(Certificate.code == code)) is not None


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER, Role.WORKS_COUNCIL, Role.COORDINATOR])
def test_only_administrators_see_or_withdraw_certificates(new_client, login, make_user, holder, role):
    _person, course, code = holder
    browser = new_client()
    login(make_user(role), via=browser)
    assert browser.get("/verwaltung/zertifikate/?q=Hanna").status_code == 403
    assert browser.get(f"/verwaltung/zertifikate/{code}").status_code == 403
    reading = module_of(course, "lesen")
    response = browser.post(f"/verwaltung/zertifikate/{code}", data={"reason": "x", "modules": [str(reading.id)]})
    assert response.status_code == 403
    assert still_issued(code)


def test_a_passed_quiz_is_not_offered_to_open_again(admin, holder):
    _person, course, code = holder
    page = admin.get(f"/verwaltung/zertifikate/{code}").text
    assert f'value="{module_of(course, "lesen").id}"' in page
    assert f'value="{module_of(course, "test").id}"' not in page
    assert "ein bestandenes Quiz bleibt bestanden" in page

    sent = admin.post(f"/verwaltung/zertifikate/{code}",
                      data={"reason": "Versehen", "modules": [str(module_of(course, "test").id)]})
    assert sent.status_code == 200 and "Bitte korrigieren Sie:" in sent.text
    assert still_issued(code)


def test_without_a_module_to_do_again_nothing_is_withdrawn_and_the_reason_is_kept(admin, holder):
    _person, _course, code = holder
    page = admin.post(f"/verwaltung/zertifikate/{code}", data={"reason": "Falsche Person eingetragen"})
    assert "mindestens ein Modul" in page.text
    assert "Falsche Person eingetragen</textarea>" in page.text
    assert still_issued(code)


def test_without_a_reason_nothing_is_withdrawn(admin, holder):
    _person, course, code = holder
    page = admin.post(f"/verwaltung/zertifikate/{code}",
                      data={"reason": "  ", "modules": [str(module_of(course, "lesen").id)]})
    assert "Bitte geben Sie einen Grund an" in page.text
    assert still_issued(code)


def test_search_finds_certificates_by_name_e_mail_code_and_course(admin, holder, make_user):
    _person, _course, code = holder
    for query in ("hanna", "HANNA@example", code.lower(), code[3:7].lower(), "kompakt"):
        assert code in admin.get("/verwaltung/zertifikate/", query_string={"q": query}).text, query
    for query in ("%", "_anna", "Bernd"):
        assert code not in admin.get("/verwaltung/zertifikate/", query_string={"q": query}).text, query


def test_withdrawn_certificates_are_listed_and_found(admin, holder):
    _person, course, code = holder
    admin.post(f"/verwaltung/zertifikate/{code}",
               data={"reason": "Versehen", "modules": [str(module_of(course, "lesen").id)]})
    assert not still_issued(code)
    assert code in admin.get("/verwaltung/zertifikate/").text  # the latest withdrawals, without a search
    found = admin.get("/verwaltung/zertifikate/", query_string={"q": "Hanna"}).text
    assert "Keine ausgestellten Zertifikate gefunden." in found and code in found
    page = admin.get(f"/verwaltung/zertifikate/{code}").text
    assert "Versehen" in page and "Zertifikat zurückziehen</button>" not in page


def test_erasing_the_account_deletes_its_withdrawn_certificates(admin, holder):
    person, course, code = holder
    admin.post(f"/verwaltung/zertifikate/{code}",
               data={"reason": "Versehen", "modules": [str(module_of(course, "lesen").id)]})
    erase_account(person, keep_posts=False, now=utcnow())
    db.session.commit()
    assert db.session.scalar(select(WithdrawnCertificate)) is None
    assert admin.get(f"/verify/{code}").status_code == 404


def test_a_search_costs_the_same_with_1_and_12_certificates_found(admin, make_user, make_course, count_statements):
    # The look was logged and committed before the page was drawn, which then read each certificate again.
    from qualify.learning.services import issue_certificate

    course = make_course(module("lesen"), title="Hochvolt kompakt")
    for n in range(12):
        issue_certificate(make_user(name=f"Viele Treffer {n}"), course, now=utcnow())
    issue_certificate(make_user(name="Einzige Treffer"), course, now=utcnow())
    db.session.commit()
    counts = []
    for query in ("Einzige", "Viele"):
        admin.get("/verwaltung/zertifikate/", query_string={"q": query})  # warm up
        with count_statements() as counter:
            page = admin.get("/verwaltung/zertifikate/", query_string={"q": query}).text
        counts.append(counter.count)
    assert page.count("Viele Treffer") == 12
    assert counts[0] == counts[1], counter.statements
