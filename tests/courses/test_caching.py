"""Pages keep course outlines and catalogue pages per process; every change to a course shows at once."""

import re

from qualify.accounts.roles import Role
from qualify.courses import authoring
from qualify.courses.models import Course
from qualify.extensions import db

COURSE = "/kurse/hochvolt-sicherheit"


def rename_first_module(course: Course, new_title: str, actor) -> str:
    module = course.active_modules[0]
    old_title = module.current_version.title
    text = authoring.text_of(course, module.file_name)
    authoring.save_text(course, module.file_name, text.replace(old_title, new_title),
                        base=authoring.fingerprint(text), actor=actor)
    db.session.commit()
    return old_title


def test_a_saved_module_moves_its_course_forward(demo_courses, make_user):
    course = demo_courses["hochvolt-sicherheit"]
    before = course.updated_at
    rename_first_module(course, "Hochvolt kurz erklärt", make_user(Role.ADMIN))
    db.session.refresh(course)
    assert course.updated_at > before


def test_course_and_module_pages_show_a_new_title_after_they_were_cached(client, demo_courses, learner,
                                                                          make_user):
    course = demo_courses["hochvolt-sicherheit"]
    second = course.active_modules[1]
    old_title = course.active_modules[0].current_version.title
    assert old_title in client.get(COURSE).text  # read and cached
    assert old_title in client.get(f"{COURSE}/module/{second.slug}").text  # the "previous" link

    rename_first_module(course, "Hochvolt kurz erklärt", make_user(Role.ADMIN))

    outline = client.get(COURSE).text.split('class="module-list"')[1]
    assert "Hochvolt kurz erklärt" in outline and old_title not in outline
    previous = re.search(r'<a [^>]*rel="prev"[^>]*>(.*?)</a>', client.get(f"{COURSE}/module/{second.slug}").text)
    assert previous and previous.group(1).endswith("Hochvolt kurz erklärt")


def test_the_catalogue_shows_a_course_as_soon_as_it_is_published(client, demo_courses, learner):
    course = demo_courses["digitale-fabrik"]
    course.status = "draft"
    db.session.commit()
    assert course.title not in client.get("/kurse/").text  # this catalogue page is now kept
    course.status = "published"
    db.session.commit()
    assert course.title in client.get("/kurse/").text


def test_the_catalogue_counts_a_new_module(client, demo_courses, learner, make_user):
    page = client.get("/kurse/?q=hochvolt").text
    course = demo_courses["hochvolt-sicherheit"]
    count = len(course.active_modules)
    assert f"{count} Module" in page
    course.active_modules[-1].archived = True
    db.session.commit()
    assert f"{count - 1} Module" in client.get("/kurse/?q=hochvolt").text
