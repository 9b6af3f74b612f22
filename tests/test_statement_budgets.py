"""Statement budgets: what a page costs in SQL stays the same with 1 and with 50 items (no N+1), and small.

Each request runs in an app context of its own, as in production, so that the test's session cannot hide a
lazy load. The budgets count the signed-in user with roles (1 statement) and whatever the page needs.
"""

import re

import pytest
import yaml
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.courses.loader import load_tree
from qualify.courses.models import Course
from qualify.courses.services import import_tree
from qualify.extensions import db
from qualify.learning import services

ATTEMPT_URL = re.compile(r"/lernen/versuche/(\d+)$")
MANY = 50


@pytest.fixture
def client(new_client):
    return new_client()


@pytest.fixture
def learner(make_user, login):
    user = make_user(Role.LEARNER)
    login(user)
    return user


def write_course(folder, slug: str, *, modules: int = 2, questions: int = 1) -> None:
    """Write a course: reading modules, and a last module with a quiz of `questions` questions."""
    course = folder / slug
    course.mkdir(parents=True)
    meta = {"title": f"Kurs {slug}", "summary": "Für Budgets.", "duration_minutes": 60, "status": "published",
            "tags": ["budget"], "audience": ["Montage"]}
    (course / "course.md").write_text(f"---\n{yaml.safe_dump(meta)}---\n\n# Kurs {slug}\n", encoding="utf-8")
    for position in range(1, modules + 1):
        text = f"---\ntitle: Modul {position}\n---\n\n# Modul {position}\n\nLesetext mit **Markdown**.\n"
        if position == modules and questions:
            gift = "\n\n".join(f"::F{n}:: Farbe {n}? {{=orange ~grün ~blau}}" for n in range(questions))
            text += f"\n```quiz\n{gift}\n```\n"
        (course / f"{position:02d}-modul-{position}.md").write_text(text, encoding="utf-8")


def import_courses(folder) -> None:
    tree = load_tree(folder)
    assert tree.ok, [str(problem) for problem in tree.problems]
    import_tree(tree)
    db.session.commit()


def course(slug: str) -> Course:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def statements_for(client, count_statements, method: str, url: str, **kwargs) -> int:
    with count_statements() as counter:
        response = client.open(url, method=method, **kwargs)
        assert response.status_code in (200, 302), (url, response.status_code)
    return counter.count


def get_cost(client, count_statements, url: str) -> int:
    client.get(url)  # warm up what is cached per process
    return statements_for(client, count_statements, "GET", url)


def start_quiz(client, module_id: int) -> int:
    response = client.post(f"/lernen/module/{module_id}/quiz", data={})
    return int(ATTEMPT_URL.search(response.headers["Location"]).group(1))


def quiz_module_id(slug: str) -> int:
    return course(slug).active_modules[-1].id


def test_learner_dashboard_costs_the_same_with_1_and_50_courses(client, learner, tmp_path, count_statements):
    for n in range(MANY):
        write_course(tmp_path / "tree", f"kurs-{n:02d}", modules=3)
    import_courses(tmp_path / "tree")
    courses = list(db.session.scalars(select(Course).order_by(Course.slug)))

    services.enrol(learner, courses[0], now=utcnow())
    db.session.commit()
    with_one = get_cost(client, count_statements, "/lernen/")
    for item in courses[1:]:
        services.enrol(learner, item, now=utcnow())
        services.mark_read(learner, item.active_modules[0], now=utcnow())
    db.session.commit()
    page = client.get("/lernen/").text
    assert page.count("1 von 3 Modulen erledigt") == MANY - 1
    assert get_cost(client, count_statements, "/lernen/") == with_one
    # user with roles, enrolments, their courses, modules, current versions, modules done, certificates
    assert with_one <= 7


def test_catalogue_and_course_page_cost_the_same_with_1_and_50(client, learner, tmp_path, count_statements):
    write_course(tmp_path / "one", "einzeln", modules=1, questions=0)
    import_courses(tmp_path / "one")
    catalogue_with_one = get_cost(client, count_statements, "/kurse/")
    course_with_one = get_cost(client, count_statements, "/kurse/einzeln")
    for n in range(MANY - 1):
        write_course(tmp_path / "many", f"kurs-{n:02d}", modules=1, questions=0)
    write_course(tmp_path / "many", "lang", modules=MANY, questions=0)
    import_courses(tmp_path / "many")
    assert get_cost(client, count_statements, "/kurse/") == catalogue_with_one
    assert get_cost(client, count_statements, "/kurse/lang") == course_with_one


def test_quiz_page_costs_the_same_with_1_and_50_questions(client, learner, tmp_path, count_statements):
    write_course(tmp_path / "tree", "klein", questions=1)
    write_course(tmp_path / "tree", "gross", questions=MANY)
    import_courses(tmp_path / "tree")
    small = start_quiz(client, quiz_module_id("klein"))
    large = start_quiz(client, quiz_module_id("gross"))
    small_cost = get_cost(client, count_statements, f"/lernen/versuche/{small}")
    assert get_cost(client, count_statements, f"/lernen/versuche/{large}") == small_cost
    # user with roles, the attempt, its module, course and version, the reflections
    assert small_cost <= 6, small_cost


def test_quiz_submit_costs_the_same_with_1_and_50_questions(client, learner, tmp_path, count_statements):
    write_course(tmp_path / "tree", "klein", questions=1)
    write_course(tmp_path / "tree", "gross", questions=MANY)
    import_courses(tmp_path / "tree")
    costs = {}
    for slug in ("klein", "gross"):
        attempt = start_quiz(client, quiz_module_id(slug))
        client.get(f"/lernen/versuche/{attempt}")  # the form, as a learner opens it first
        token = client.csrf_token()
        costs[slug] = statements_for(client, count_statements, "POST", f"/lernen/versuche/{attempt}/abgeben",
                                     data={"csrf_token": token})
    assert costs["gross"] == costs["klein"], costs
    assert costs["klein"] <= 8, costs


def test_the_catalogue_shows_a_page_of_courses_and_links_to_the_next(client, learner, tmp_path):
    for n in range(30):
        write_course(tmp_path / "tree", f"kurs-{n:02d}", modules=1, questions=0)
    import_courses(tmp_path / "tree")
    first = client.get("/kurse/?thema=budget").text
    assert first.count('class="card"') == 24 and "30 Kurse" in first
    assert 'rel="next" href="/kurse/?seite=2&amp;thema=budget"' in first
    second = client.get("/kurse/?thema=budget&seite=2").text
    assert second.count('class="card"') == 6 and 'rel="prev"' in second
    assert client.get("/kurse/?seite=999").text.count('class="card"') == 6  # past the end: the last page
