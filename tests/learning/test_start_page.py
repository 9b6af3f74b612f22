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
    assert "Weiterlernen" in page and "<strong>Sicher lesen</strong>" in page
    assert '<p class="meta">Hochvolt kompakt</p>' in page
    assert f'href="/kurse/{course.slug}/module/lesen"' in page


def test_without_courses_the_start_page_has_nothing_to_continue_and_shows_where_courses_are(client, learner):
    page = client.get("/").text
    assert "Weiterlernen" not in page
    assert "Kurse finden" in page and 'href="/kurse/"' in page


def test_the_card_shows_the_module_first_and_a_course_title_with_a_colon_below_it(client, learner, make_course):
    course = make_course(module("start", title="Was ist Industrie 4.0?"), module("test", quiz="Farbe? {=orange ~grün}"),
                         title="Digitale Fabrik: Mein Arbeitsplatz im Wandel")
    services.enrol(learner, course, now=utcnow())
    db.session.commit()
    page = client.get("/").text
    assert ("<p><strong>Was ist Industrie 4.0?</strong></p>\n"
            '    <p class="meta">Digitale Fabrik: Mein Arbeitsplatz im Wandel</p>') in page
    assert "Wandel: Was ist" not in page
