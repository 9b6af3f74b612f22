"""Feedback sent without a rating: the form comes back with each missing rating named and the rest as given.

The form carries `novalidate`: the browser's own bubble for the radio buttons came in the phone's language, and
a refused answer went back to the module page with the comment lost.
"""

import html
import re

import pytest
from sqlalchemy import func, select

from qualify.extensions import db
from qualify.reports import feedback
from qualify.reports.feedback_models import FormatFeedback
from tests.reports.conftest import JAN

USEFULNESS = "Bitte wählen Sie aus, wie nützlich das Modul für Ihre Arbeit war (1 bis 5)."
DIFFICULTY = "Bitte wählen Sie aus, wie schwierig das Modul war (1 bis 5)."
COMMENT = "Die Beispiele aus der Montage waren gut."


@pytest.fixture
def learner(make_organisation, make_user, login):
    """A learner, signed in."""
    learner = make_user(organisation=make_organisation())
    login(learner)
    return learner


@pytest.fixture
def module(record, learner):
    """The first module of a course, finished by the learner."""
    course = record.course("Hochvolt")
    record.complete_module([learner], course, JAN)
    db.session.commit()
    return course.modules[0]


def give(client, module, **data):
    return client.post(f"/berichte/rueckmeldungen/module/{module.id}", data=data)


def error_of(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1).strip()) if found else ""


def answers() -> int:
    return db.session.scalar(select(func.count()).select_from(FormatFeedback))


def test_the_feedback_form_leaves_checking_to_the_server(client, module):
    page = client.get(f"/kurse/{module.course.slug}/module/{module.slug}").text

    form = re.search(r'<form method="post" action="/berichte/rueckmeldungen/module/\d+"[^>]*>', page).group(0)
    assert "novalidate" in form


def test_feedback_without_ratings_names_both_and_keeps_the_comment(client, learner, module):
    response = give(client, module, would_recommend="1", comment=COMMENT)

    assert response.status_code == 400
    page = response.text
    assert error_of(page, "usefulness") == USEFULNESS and error_of(page, "difficulty") == DIFFICULTY
    assert f'<a href="#usefulness">{USEFULNESS}</a>' in html.unescape(page)
    assert f">{COMMENT}</textarea>" in page
    assert 'id="would_recommend" name="would_recommend" value="1" checked' in page
    assert answers() == 0
    assert feedback.can_give_feedback(learner, module)  # the turn is not used up


def test_feedback_with_one_rating_asks_only_for_the_other_and_keeps_the_one_given(client, module):
    page = give(client, module, usefulness="4", comment=COMMENT).text

    assert error_of(page, "usefulness") == ""
    assert error_of(page, "difficulty") == DIFFICULTY
    assert 'id="usefulness-4" name="usefulness" value="4" required checked' in page
    assert f">{COMMENT}</textarea>" in page

    completed = give(client, module, usefulness="4", difficulty="2", comment=COMMENT)
    assert completed.status_code == 302 and answers() == 1



def test_the_form_sent_back_is_the_page_and_its_heading_the_pages_one(client, module):
    page = give(client, module, comment=COMMENT).text
    module_page = client.get(f"/kurse/{module.course.slug}/module/{module.slug}").text

    assert re.findall(r"<h1[^>]*>(.*?)</h1>", page, re.S) == ["Ihre Rückmeldung zu diesem Modul"]
    assert '<h2 id="feedback-heading">Ihre Rückmeldung zu diesem Modul</h2>' in module_page  # below the module's
