"""The catalogue, course and module pages: what learners see, who may see drafts, and what pages cost."""

import re

import pytest

from qualify.accounts.roles import Role
from qualify.core import markdown
from qualify.courses.models import CourseOwner
from qualify.extensions import db
from qualify.learning.models import Enrolment, ModuleCompletion

COURSE = "/kurse/hochvolt-sicherheit"
MODULE = "/kurse/hochvolt-sicherheit/module/warum-hochvolt"


def test_catalogue_lists_published_courses(client, demo_courses, learner):
    page = client.get("/kurse/")
    assert page.status_code == 200
    for course in demo_courses.values():
        assert course.title in page.text


def test_the_catalogue_tells_an_english_reader_that_the_courses_are_in_german(client, demo_courses, make_user,
                                                                               login):
    login(make_user(Role.LEARNER, language="en"))
    page = client.get("/kurse/").text
    assert "in German" in page and "For whom?" in page
    assert "in German" in client.get("/kurse/hochvolt-sicherheit").text  # and so does the course's own page


def test_catalogue_search_finds_by_word_and_filters_by_tag(client, demo_courses, learner):
    found = client.get("/kurse/?q=batterie").text
    assert "Antriebsstrang" in found and "Hochvolt-Sicherheit" not in found
    tag = demo_courses["digitale-fabrik"].tags[0]
    filtered = client.get(f"/kurse/?thema={tag}").text
    assert demo_courses["digitale-fabrik"].title in filtered


@pytest.mark.parametrize("typed", ["Weiterbildung", "weiterbildung", "predictive", "verstandlich",
                                   "verstaendlich", "MITBESTIMMUNG"])
def test_catalogue_search_forgives_case_and_umlauts_typed_without_dots(client, demo_courses, learner, typed):
    found = client.get("/kurse/", query_string={"q": typed}).text
    assert demo_courses["digitale-fabrik"].title in found, typed
    assert demo_courses["hochvolt-sicherheit"].title not in found


def found_alone(client, demo_courses, typed: str) -> str | None:
    """The slug of the one demo course a catalogue search finds (None: none, or more than one)."""
    found = client.get("/kurse/", query_string={"q": typed}).text
    slugs = [slug for slug, course in demo_courses.items() if course.title in found]
    return slugs[0] if len(slugs) == 1 else None


@pytest.mark.parametrize(("typed", "slug"), [("Batterien", "elektrischer-antriebsstrang"),
                                             ("elektrischen", "elektrischer-antriebsstrang"),
                                             ("Hochvoltsicherheit", "hochvolt-sicherheit"),
                                             ("Weiterbildungen", "digitale-fabrik")])
def test_catalogue_search_forgives_plurals_endings_and_compounds(client, demo_courses, learner, typed, slug):
    assert found_alone(client, demo_courses, typed) == slug


@pytest.mark.parametrize(("typed", "slug"), [("Sicherheitsregeln", "hochvolt-sicherheit"),
                                             ("Weiterbildungsplan", "digitale-fabrik"),
                                             ("Rekuperation", "elektrischer-antriebsstrang")])
def test_catalogue_search_looks_into_the_titles_of_the_modules(client, demo_courses, learner, typed, slug):
    assert found_alone(client, demo_courses, typed) == slug


def test_course_page_lists_modules_in_order(client, demo_courses, learner):
    page = client.get(COURSE).text
    titles = [m.current_version.title for m in demo_courses["hochvolt-sicherheit"].active_modules]
    outline = page[page.index("module-list"):]
    positions = [outline.index(title) for title in titles]
    assert positions == sorted(positions)


def test_module_page_links_previous_and_next(client, demo_courses, learner):
    page = client.get("/kurse/hochvolt-sicherheit/module/hv-bauteile-erkennen").text
    assert 'rel="prev" href="/kurse/hochvolt-sicherheit/module/warum-hochvolt"' in page
    assert 'rel="next" href="/kurse/hochvolt-sicherheit/module/wer-darf-was"' in page


def test_archived_and_unknown_modules_are_not_found(client, demo_courses, learner):
    course = demo_courses["hochvolt-sicherheit"]
    archived = course.active_modules[1]
    archived.archived = True
    db.session.commit()
    assert client.get(f"{COURSE}/module/{archived.slug}").status_code == 404
    assert client.get(f"{COURSE}/module/gibt-es-nicht").status_code == 404
    assert client.get("/kurse/gibt-es-nicht/module/warum-hochvolt").status_code == 404
    page = client.get(f"{COURSE}/module/{course.active_modules[0].slug}").text
    assert archived.current_version.title not in page  # nor linked as the next module


def test_guests_are_sent_to_login(client, demo_courses):
    response = client.get(COURSE)
    assert response.status_code == 302 and "/anmelden" in response.location


def test_drafts_are_hidden_from_learners_but_shown_to_their_owner(client, demo_courses, make_user, login):
    course = demo_courses["digitale-fabrik"]
    course.status = "draft"
    owner = make_user(Role.TRAINER)
    db.session.add(CourseOwner(course_id=course.id, user_id=owner.id))
    db.session.commit()
    login(make_user(Role.LEARNER))
    assert client.get("/kurse/digitale-fabrik").status_code == 404
    assert course.title not in client.get("/kurse/").text
    client.post("/abmelden", data={})
    login(owner)
    assert client.get("/kurse/digitale-fabrik").status_code == 200


def test_a_learner_of_a_course_back_in_draft_reads_that_it_is_being_revised(client, demo_courses, make_user, login):
    course = demo_courses["hochvolt-sicherheit"]
    enrolled = make_user(Role.LEARNER)
    db.session.add(Enrolment(user_id=enrolled.id, course_id=course.id))
    course.status = "draft"
    db.session.commit()
    login(enrolled)
    for url in (COURSE, MODULE):  # the links of "Mein Lernen" and of old results
        page = client.get(url)
        assert page.status_code == 404 and "Der Kurs wird gerade überarbeitet" in page.text, url
        assert course.title in page.text
    client.post("/abmelden", data={})
    left = make_user(Role.LEARNER)  # left the course ("Kurs verlassen"), with a module done before
    first = course.active_modules[0]
    db.session.add(ModuleCompletion(user_id=left.id, module_id=first.id, module_version_id=first.current_version_id,
                                    via="read"))
    db.session.commit()
    login(left)
    assert "Der Kurs wird gerade überarbeitet" in client.get(MODULE).text
    client.post("/abmelden", data={})
    login(make_user(Role.LEARNER))
    for url in (COURSE, MODULE):  # the others learn nothing of a draft
        page = client.get(url)
        assert page.status_code == 404 and "überarbeitet" not in page.text and course.title not in page.text


def test_other_trainers_cannot_see_a_draft(client, demo_courses, make_user, login):
    demo_courses["digitale-fabrik"].status = "draft"
    db.session.commit()
    login(make_user(Role.TRAINER))
    assert client.get("/kurse/digitale-fabrik/module/daten-am-arbeitsplatz").status_code == 404


def test_media_are_served_with_their_type_and_a_sandbox(client, demo_courses, learner):
    response = client.get("/kurse/hochvolt-sicherheit/dateien/medien/hv-warnzeichen.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_question_banks_are_never_served(client, demo_courses, learner):
    assert client.get("/kurse/hochvolt-sicherheit/dateien/fragen/hv-notfall.gift").status_code == 404


def test_no_page_request_runs_the_markdown_parser(client, demo_courses, learner, monkeypatch):
    def refuse(*_args):
        raise AssertionError("the Markdown parser ran during a GET request")

    monkeypatch.setattr(markdown, "_parse", refuse)
    for url in ("/", "/kurse/", "/kurse/?q=strom", COURSE, MODULE,
                "/kurse/elektrischer-antriebsstrang/module/laden-ac-und-dc"):
        assert client.get(url).status_code == 200, url


# Signed-in user with roles (1), the page's own data, and the learner's progress on it.
@pytest.mark.parametrize(("url", "budget"), [("/kurse/", 3), (COURSE, 4), (MODULE, 4)])
def test_course_pages_stay_within_their_statement_budget(client, demo_courses, learner, count_statements, url,
                                                         budget):
    client.get(url)  # warm up
    with count_statements() as counter:
        assert client.get(url).status_code == 200
    assert counter.count <= budget, counter.statements


def test_every_id_of_the_course_and_module_pages_is_unique(client, demo_courses, learner):
    client.post("/lernen/kurse/hochvolt-sicherheit/einschreiben", data={})
    for url in (COURSE, MODULE):
        ids = re.findall(r' id="([^"]+)"', client.get(url).text)
        assert sorted({i for i in ids if ids.count(i) > 1}) == [], url
