"""Item statistics: how questions fare over all learners, from five learners on, never per person."""

import pytest

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.courses.models import CourseOwner, Module
from qualify.extensions import db
from qualify.learning import quiz, statistics
from qualify.learning.services import enrol
from tests.learning.helpers import module, module_of

QUIZ = "::Farbe::Welche Farbe haben HV-Leitungen? {=Orange ~Rot ~Gelb}\n\nWas denken Sie? {}\n"


@pytest.fixture
def colour_quiz(make_course) -> Module:
    course = make_course(module("farben", quiz=QUIZ))
    return module_of(course, "farben")


def counted(course):
    """The statistics after the scheduler's count has taken in every attempt handed in so far."""
    statistics.count_answers()
    db.session.commit()
    return statistics.item_statistics(course)


def answer(user, module, option_index: int):
    """Let a learner answer the colour question with the option at option_index and hand in."""
    enrol(user, module.course, now=utcnow())
    attempt = quiz.start_attempt(user, module, now=utcnow())
    question = next(q for q in quiz.attempt_questions(attempt) if q["kind"] == "single_choice")
    chosen = quiz.option_id(attempt, question["key"], option_index)
    quiz.save_answers(attempt, {f"q-{question['key']}": [chosen]}, now=utcnow())
    quiz.submit_attempt(attempt, user, now=utcnow())
    db.session.commit()


def test_questions_answered_by_fewer_than_five_learners_show_no_figures(colour_quiz, make_user):
    for _ in range(4):
        answer(make_user(Role.LEARNER), colour_quiz, 1)
    [item] = counted(colour_quiz.course)
    assert (item.answers, item.shown, item.share_correct, item.common_wrong_answer) == (0, False, None, None)


def test_from_five_learners_trainers_see_share_correct_and_the_common_mistake(colour_quiz, make_user):
    for option in (0, 0, 1, 1, 1):
        answer(make_user(Role.LEARNER), colour_quiz, option)
    [item] = counted(colour_quiz.course)
    assert item.shown and item.answers == 5
    assert item.share_correct == pytest.approx(2 / 5)
    assert item.common_wrong_answer == "Rot"


def test_the_figures_move_only_when_five_more_have_answered(colour_quiz, make_user):
    # Comparing the page before and after one person's hand-in must not tell how that person answered.
    for option in (0, 0, 1, 1, 1):
        answer(make_user(Role.LEARNER), colour_quiz, option)
    before = counted(colour_quiz.course)[0]
    for option in (2, 2, 2, 2):
        answer(make_user(Role.LEARNER), colour_quiz, option)
        now = counted(colour_quiz.course)[0]
        assert (now.answers, now.share_correct, now.common_wrong_answer) == (
            before.answers, before.share_correct, before.common_wrong_answer)
    answer(make_user(Role.LEARNER), colour_quiz, 0)
    [item] = counted(colour_quiz.course)
    assert (item.answers, item.share_correct) == (10, pytest.approx(3 / 10))


def test_only_a_persons_first_attempt_counts(colour_quiz, make_user):
    learners = [make_user(Role.LEARNER) for _ in range(5)]
    for learner in learners:
        answer(learner, colour_quiz, 1)
    answer(learners[0], colour_quiz, 0)  # a second try, right this time
    [item] = counted(colour_quiz.course)
    assert (item.answers, item.share_correct) == (5, 0.0)


def test_attempts_graded_against_other_answers_do_not_count(make_course, make_user):
    course = make_course(module("farben", quiz=QUIZ))
    for _ in range(5):
        answer(make_user(Role.LEARNER), module_of(course, "farben"), 1)  # "Rot": wrong then
    corrected = QUIZ.replace("{=Orange ~Rot ~Gelb}", "{~Orange =Rot ~Gelb}")  # same question, answers changed
    course = make_course(module("farben", quiz=corrected))
    [item] = counted(course)
    assert (item.answers, item.shown) == (0, False)  # "Rot" would otherwise stand as the common mistake
    reworded = corrected.replace("Was denken Sie?", "Was meinen Sie?")  # another question changed: this counts
    for _ in range(5):
        answer(make_user(Role.LEARNER), module_of(course, "farben"), 1)
    course = make_course(module("farben", quiz=reworded))
    [item] = counted(course)
    assert (item.answers, item.share_correct) == (5, 1.0)


def test_reflections_are_never_part_of_the_statistics(colour_quiz, make_user):
    kinds = {item.question["kind"] for item in counted(colour_quiz.course)}
    assert kinds == {"single_choice"}


def test_the_statistics_page_is_for_the_course_owner_only(client, colour_quiz, make_user, login):
    learners = [make_user(Role.LEARNER) for _ in range(5)]
    for learner in learners:
        answer(learner, colour_quiz, 1)
    owner, stranger = make_user(Role.TRAINER), make_user(Role.TRAINER)
    db.session.add(CourseOwner(course_id=colour_quiz.course_id, user_id=owner.id))
    db.session.commit()
    url = f"/lernen/kurse/{colour_quiz.course.slug}/auswertung"
    login(stranger)
    assert client.get(url).status_code == 404
    client.post("/abmelden", data={})
    login(owner)
    statistics.count_answers()
    db.session.commit()
    page = client.get(url)
    assert page.status_code == 200
    assert "Rot" in page.text and "0\u00a0%" in page.text
    assert not any(learner.display_name in page.text or learner.email in page.text for learner in learners)


def statistics_page_after_five_answer(client, make_user, login, course, slug: str, answer: str) -> str:
    """Five learners give the same answer to the one question of a module; its owner opens the statistics."""
    for _ in range(5):
        learner = make_user(Role.LEARNER)
        enrol(learner, course, now=utcnow())
        attempt = quiz.start_attempt(learner, module_of(course, slug), now=utcnow())
        [question] = quiz.attempt_questions(attempt)
        quiz.submit_attempt(attempt, learner, now=utcnow(), form={f"q-{question['key']}": [answer]})
        db.session.commit()
    return statistics_read_by_an_owner(client, make_user, login, course)


def statistics_read_by_an_owner(client, make_user, login, course, language: str = "de") -> str:
    """A trainer reading the interface in `language` is made an owner of the course and opens its statistics,
    counted just now."""
    owner = make_user(Role.TRAINER, language=language)
    db.session.add(CourseOwner(course_id=course.id, user_id=owner.id))
    db.session.commit()
    login(owner)
    statistics.count_answers()
    db.session.commit()
    return client.get(f"/lernen/kurse/{course.slug}/auswertung").text


def test_a_true_false_mistake_is_shown_in_words(client, make_course, make_user, login):
    course = make_course(module("stimmt", quiz="::Batterie::Die HV-Batterie ist abgeschaltet spannungsfrei. {F}"))
    page = statistics_page_after_five_answer(client, make_user, login, course, "stimmt", "true")
    assert "<td>Richtig</td>" in page and ">true<" not in page


def test_a_numerical_mistake_is_written_as_a_german_number(client, make_course, make_user, login):
    course = make_course(module("rechnen", quiz="::Spannung::Wie viele Volt hat das Bordnetz? {#12}"))
    page = statistics_page_after_five_answer(client, make_user, login, course, "rechnen", "13,5")
    assert "<td>13,5</td>" in page and "13.5" not in page


def test_a_typed_wrong_answer_is_shown_only_if_several_people_gave_it(make_course, make_user):
    course = make_course(module("rechnen", quiz="::Spannung::Wie viele Volt hat das Bordnetz? {#12}"))
    for typed in ("13", "24", "Max Mustermann", "48", "12"):  # one wrote his own name
        learner = make_user(Role.LEARNER)
        enrol(learner, course, now=utcnow())
        attempt = quiz.start_attempt(learner, module_of(course, "rechnen"), now=utcnow())
        [question] = quiz.attempt_questions(attempt)
        quiz.submit_attempt(attempt, learner, now=utcnow(), form={f"q-{question['key']}": [typed]})
        db.session.commit()
    [item] = counted(course)
    assert item.shown and item.common_wrong_answer is None


def test_deleting_a_counted_attempt_changes_no_figure(colour_quiz, make_user):
    # Computed from the attempts, the group of five moved up by one when the first was erased, and the
    # figures showed how the sixth person answered.
    from qualify.privacy.services import erase_account

    learners = [make_user(Role.LEARNER) for _ in range(6)]
    for learner, option in zip(learners, (1, 0, 0, 0, 0, 0), strict=True):
        answer(learner, colour_quiz, option)
    [before] = counted(colour_quiz.course)
    assert (before.answers, before.share_correct) == (5, pytest.approx(4 / 5))

    erase_account(learners[0], keep_posts=False, now=utcnow())
    db.session.commit()
    [after] = counted(colour_quiz.course)
    assert (after.answers, after.share_correct) == (before.answers, before.share_correct)


def test_a_later_attempt_never_takes_the_place_of_a_deleted_first_one(colour_quiz, make_user):
    from sqlalchemy import delete

    from qualify.learning.models import QuizAttempt

    learners = [make_user(Role.LEARNER) for _ in range(5)]
    for learner in learners:
        answer(learner, colour_quiz, 1)
    assert counted(colour_quiz.course)[0].share_correct == 0.0
    db.session.execute(delete(QuizAttempt))  # the retention period ran out for all of them
    for learner in learners:
        answer(learner, colour_quiz, 0)  # and they try again, right this time
    [item] = counted(colour_quiz.course)
    assert (item.answers, item.share_correct) == (5, 0.0)


def test_a_wrong_choice_made_by_one_person_alone_is_not_shown(colour_quiz, make_user):
    for option in (0, 0, 0, 0, 2):  # one chose "Gelb"
        answer(make_user(Role.LEARNER), colour_quiz, option)
    [item] = counted(colour_quiz.course)
    assert item.shown and item.common_wrong_answer is None



def statistics_read_in(language: str, client, colour_quiz, make_user, login) -> str:
    """Five learners answer the colour question, two of them right; an owner reading the interface in `language`
    opens the statistics."""
    for option in (0, 0, 1, 1, 1):
        answer(make_user(Role.LEARNER), colour_quiz, option)
    return statistics_read_by_an_owner(client, make_user, login, colour_quiz.course, language)


def test_on_an_english_page_the_titles_questions_and_answers_of_a_german_course_are_marked_german(
        client, colour_quiz, make_user, login):
    page = statistics_read_in("en", client, colour_quiz, make_user, login)

    assert '<html lang="en">' in page
    assert '<h2 lang="de">Farben</h2>' in page  # the module
    assert '<td lang="de">Farbe</td>' in page  # the question
    assert '<td><span lang="de">Rot</span></td>' in page  # the common mistake
    # The table is named by its caption, the title in it marked as well.
    region = f'role="region" aria-labelledby="auswertung-{colour_quiz.id}-caption"'
    assert region in page and f'id="auswertung-{colour_quiz.id}-caption" class="visually-hidden">Statistics: ' \
        '<span lang="de">Farben</span></caption>' in page


def test_on_a_german_page_the_statistics_repeat_no_language(client, colour_quiz, make_user, login):
    page = statistics_read_in("de", client, colour_quiz, make_user, login)

    assert "<h2>Farben</h2>" in page and "<td>Farbe</td>" in page and "<td>Rot</td>" in page
    assert page.count('lang="de"') == page.count('<html lang="de">')
