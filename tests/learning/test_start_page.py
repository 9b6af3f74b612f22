"""The start page tells a learner where to continue."""

from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.learning import services
from tests.learning.helpers import module


def test_the_start_page_leads_to_the_next_module_of_an_ongoing_course(client, learner, make_course):
    course = make_course(module("lesen", title="Sicher lesen"), module("test", quiz="Farbe? {=orange ~grün}"),
                         title="Hochvolt kompakt")
    services.enrol(learner, course, now=utcnow())
    db.session.commit()
    page = client.get("/").text
    assert "Weiterlernen" in page and "Hochvolt kompakt: Sicher lesen" in page
    assert f'href="/kurse/{course.slug}/module/lesen"' in page


def test_without_courses_the_start_page_has_nothing_to_continue_and_shows_where_courses_are(client, learner):
    page = client.get("/").text
    assert "Weiterlernen" not in page
    assert "Kurse finden" in page and 'href="/kurse/"' in page
