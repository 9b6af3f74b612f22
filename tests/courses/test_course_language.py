"""A new course is written in the language the trainer chooses for it (German unless chosen), not in the language
they read the pages in: its front matter says so, and the lines Qualify writes into its files are in it."""

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.courses import authoring, starters
from qualify.courses.models import Course, Module
from qualify.extensions import db


def new_course(client, language: str | None, slug: str = "kurs"):
    form = {"slug": slug, "title": "Hochvolt", "summary": ""}
    if language is not None:
        form["language"] = language
    return client.post("/autoren/", data=form)


def course_named(slug: str = "kurs") -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def module_text(course: Course, slug: str) -> str:
    module = db.session.scalar(select(Module).where(Module.course_id == course.id, Module.slug == slug))
    return module.current_version.source


@pytest.fixture
def english_trainer(client, make_user, login):
    """A trainer who reads the pages in English, signed in on `client`."""
    user = make_user(Role.TRAINER, language="en")
    login(user)
    return user


def test_a_course_created_in_english_says_so_and_starts_with_english_text(client, english_trainer):
    assert new_course(client, "en").status_code == 302
    course = course_named()
    assert course.language == "en"
    assert "\nlanguage: en\n" in course.source
    assert course.source.endswith("# Hochvolt\n\nWhat is this course about?\n")


def test_a_german_course_starts_with_german_text_though_its_trainer_reads_english_pages(client, english_trainer):
    assert new_course(client, "de").status_code == 302
    course = course_named()
    assert course.language == "de" and "\nlanguage: de\n" in course.source
    assert course.source.endswith("# Hochvolt\n\nWorum geht es in diesem Kurs?\n")


def test_the_form_offers_german_first_on_english_pages_each_language_named_in_itself(client, english_trainer):
    page = client.get("/autoren/").text
    assert '<option lang="de" selected value="de">Deutsch</option><option value="en">English</option>' in page


def test_a_course_sent_without_a_language_is_german(client, trainer):
    assert new_course(client, None).status_code == 302
    assert course_named().language == "de"


def test_a_refused_form_keeps_the_chosen_language(client, english_trainer):
    page = client.post("/autoren/", data={"slug": "Kein Kürzel", "title": "Hochvolt", "language": "en"})
    assert page.status_code == 200 and course_named("Kein Kürzel") is None
    assert '<option selected value="en">English</option>' in page.text
    assert 'value="Kein Kürzel"' in page.text


def test_a_language_qualify_has_no_courses_in_is_refused(client, trainer):
    page = client.post("/autoren/", data={"slug": "kurs", "title": "Hochvolt", "language": "fr"})
    assert page.status_code == 200 and course_named() is None
    assert 'id="language-error"' in page.text
    with pytest.raises(authoring.AuthoringError, match="language"):
        starters.create_course("kurs", "Hochvolt", "", actor=trainer, language="fr")


@pytest.mark.parametrize(("language", "kind", "heading"), [
    ("en", "self-study", "## Learning objectives"), ("en", "exchange", "## Guiding questions"),
    ("en", "workshop", "## Agenda"), ("de", "self-study", "## Lernziele"), ("de", "workshop", "## Ablauf")])
def test_a_new_module_starts_in_the_course_s_language(client, english_trainer, language, kind, heading):
    new_course(client, language)
    added = client.post("/autoren/kurs/module", data={"number": 1, "slug": "eins", "title": "Eins", "kind": kind})
    assert added.status_code == 302
    assert heading in module_text(course_named(), "eins")
