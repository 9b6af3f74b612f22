"""Anonymous feedback on formats: who may answer, what is stored, and who sees what, from K answers on."""

import csv
import hashlib
import html
import io
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, inspect, select

from qualify.accounts.roles import Role
from qualify.accounts.small_groups import network_k
from qualify.courses.models import CourseOwner
from qualify.extensions import db
from qualify.reports import feedback
from qualify.reports.feedback_models import FormatFeedback, FormatFeedbackGiven
from qualify.reports.rollup import refresh_rollups
from qualify.workshops.models import Booking, WorkshopSession
from tests.reports.conftest import JAN, report_tables, row_of

NOW = datetime(2025, 4, 15, 9, 30, tzinfo=UTC)
FORM = "Anonym: Ihr Name wird nicht gespeichert"
ANSWER = {"usefulness": "4", "difficulty": "2", "would_recommend": "1", "comment": "Gut erklärt"}


@pytest.fixture
def setting(record, make_organisation):
    """An organisation agreeing on K = 3, a published course with a reading module and a workshop."""
    organisation = make_organisation()
    organisation.small_group_threshold = 3
    course = record.course("Hochvolt")
    db.session.commit()
    return organisation, course


@pytest.fixture
def signed_in_finisher(login, make_user, record, setting):
    """A learner of the organisation who finished the first module, signed in through the login form."""
    organisation, course = setting
    learner = make_user(organisation=organisation)
    record.complete_module([learner], course, JAN)
    db.session.commit()
    login(learner)
    return learner


def module_url(course, position: int = 1) -> str:
    return f"/kurse/{course.slug}/module/{course.modules[position - 1].slug}"


def answer(record, organisation, course, n: int, *, position: int = 1, comment="Gut erklärt", **values):
    """Let n people finish the module and answer it, straight through the domain."""
    people = record.people(organisation, None, n)
    record.complete_module(people, course, JAN, position=position)
    module = course.modules[position - 1]
    for person in people:
        feedback.give_feedback(person, module, usefulness=values.get("usefulness", 4),
                               difficulty=values.get("difficulty", 2),
                               would_recommend=values.get("would_recommend", True), comment=comment, now=NOW)
    db.session.commit()
    return people


def own(course, trainer) -> None:
    db.session.add(CourseOwner(course_id=course.id, user_id=trainer.id))
    db.session.commit()


def feedback_count() -> int:
    return db.session.scalar(select(func.count()).select_from(FormatFeedback))


def test_only_people_who_finished_the_module_can_give_feedback(client, login, make_user, setting):
    organisation, course = setting
    login(make_user(organisation=organisation))

    assert FORM not in client.get(module_url(course)).text
    response = client.post(f"/berichte/rueckmeldungen/module/{course.modules[0].id}", data=ANSWER,
                           follow_redirects=True)

    assert "erst nach Abschluss" in response.text
    assert feedback_count() == 0


def test_a_person_gives_feedback_on_a_module_only_once(client, setting, signed_in_finisher):
    _, course = setting
    page = client.get(module_url(course))
    assert FORM in page.text
    assert 'type="radio" id="usefulness-5"' in page.text and 'for="usefulness-5"' in page.text

    first = client.post(f"/berichte/rueckmeldungen/module/{course.modules[0].id}", data=ANSWER,
                        follow_redirects=True)
    second = client.post(f"/berichte/rueckmeldungen/module/{course.modules[0].id}", data=ANSWER,
                         follow_redirects=True)

    assert "Danke für Ihre Rückmeldung" in first.text
    assert "bereits eine Rückmeldung" in second.text
    assert feedback_count() == 1
    assert FORM not in client.get(module_url(course)).text


def test_the_form_kept_for_everyone_carries_each_persons_own_token(app, client, login, make_user, record,
                                                                  setting):
    organisation, course = setting
    anna, ben = make_user(organisation=organisation), make_user(organisation=organisation)
    record.complete_module([anna, ben], course, JAN)
    db.session.commit()
    as_ben = app.test_client()
    login(anna)
    login(ben, via=as_ben)

    tokens = {}
    for name, browser in (("anna", client), ("ben", as_ben)):
        form = re.search(r'<section class="panel feedback-panel".*?</section>', browser.get(module_url(course)).text,
                         re.S).group(0)
        tokens[name] = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert tokens["anna"] != tokens["ben"] and "\x00" not in tokens["anna"]

    sent = as_ben.post(f"/berichte/rueckmeldungen/module/{course.modules[0].id}",
                       data={**ANSWER, "csrf_token": tokens["ben"]}, follow_redirects=True)
    assert "Danke für Ihre Rückmeldung" in sent.text and feedback_count() == 1


def test_answers_outside_the_scale_are_refused(client, setting, signed_in_finisher):
    _, course = setting
    learner = signed_in_finisher

    url = f"/berichte/rueckmeldungen/module/{course.modules[0].id}"
    client.post(url, data={**ANSWER, "usefulness": "9"})
    client.post(url, data={**ANSWER, "comment": "x" * 1001})

    assert feedback_count() == 0
    assert feedback.can_give_feedback(learner, course.modules[0])  # a refused answer does not use up the turn


def test_the_comment_field_does_not_cut_a_longer_comment_off(client, setting, signed_in_finisher):
    # Its maxlength let a browser cut a pasted comment off at 1,000 characters without a word, and store it so.
    _, course = setting
    page = client.get(module_url(course)).text
    comment_field = re.search(r'<textarea[^>]*id="comment"[^>]*>', page).group(0)
    assert "maxlength" not in comment_field
    assert "Höchstens 1000 Zeichen. Bitte keine Namen nennen." in page  # the limit still said beside it


def test_a_comment_too_long_comes_back_with_everything_as_given(client, setting, signed_in_finisher):
    _, course = setting
    module = course.modules[0]
    comment = "Gut erklärt.\r\n" * 80  # 1,040 characters with line breaks counted once: 80 too many
    response = client.post(f"/berichte/rueckmeldungen/module/{module.id}", data={"usefulness": "4", "difficulty": "2",
                                                                "would_recommend": "1", "comment": comment})
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert "Der Text ist zu lang (1.039 Zeichen). Erlaubt sind höchstens 1.000 Zeichen." in page
    assert comment.replace("\r\n", "\n").strip() in page.replace("\r\n", "\n")
    assert 'id="usefulness-4" name="usefulness" value="4" required checked' in page
    assert 'id="would_recommend" name="would_recommend" value="1" checked' in page
    assert feedback_count() == 0


def test_feedback_stores_no_person_and_no_time(record, setting):
    organisation, course = setting
    [person] = answer(record, organisation, course, 1, comment=None)

    columns = {c["name"] for c in inspect(db.engine).get_columns("format_feedback")}
    marker_columns = {c["name"] for c in inspect(db.engine).get_columns("format_feedback_given")}
    assert columns == {"id", "module_id", "module_kind", "format", "usefulness", "difficulty",
                       "would_recommend", "comment", "month"}
    assert marker_columns == {"id", "key_hash"}
    row = db.session.execute(select(FormatFeedback.__table__)).one()._asdict()
    assert row["month"] == date(2025, 4, 1) and not isinstance(row["month"], datetime)
    [key] = db.session.scalars(select(FormatFeedbackGiven.key_hash))
    unkeyed = hashlib.sha256(f"{person.id}:{course.modules[0].id}".encode()).hexdigest()
    assert key == feedback.key_hash(person.id, course.modules[0].id) != unkeyed


def test_workshop_feedback_records_the_format_of_the_attended_session(record, setting):
    organisation, course = setting
    [person] = record.people(organisation, None, 1)
    module = course.modules[1]
    session = WorkshopSession(module_id=module.id, starts_at=JAN, ends_at=JAN, format="online", capacity=5,
                              booking_deadline_at=JAN, cancellation_deadline_at=JAN)
    db.session.add(session)
    db.session.flush()
    db.session.add(Booking(session_id=session.id, user_id=person.id, status="confirmed", queue_number=1,
                           attendance="present"))
    record.complete_module([person], course, JAN, position=2)

    stored = feedback.give_feedback(person, module, usefulness=5, difficulty=3, would_recommend=False,
                                    comment="", now=NOW)

    assert (stored.module_kind, stored.format, stored.comment) == ("workshop", "online", None)


def test_trainers_of_other_courses_see_nothing(client, login, make_user, record, setting):
    organisation, course = setting
    answer(record, organisation, course, 3, comment="Nur für die eigenen Trainer")
    other = record.course("Batteriechemie")
    trainer = make_user(Role.TRAINER)
    own(other, trainer)
    login(trainer)

    page = client.get("/berichte/rueckmeldungen")

    assert page.status_code == 200
    assert "Hochvolt" not in page.text and "Nur für die eigenen" not in page.text
    assert client.get(f"/berichte/rueckmeldungen?kurs={course.slug}").status_code == 404


def test_learners_may_not_open_the_feedback_page(client, login, make_user, setting):
    login(make_user())

    assert client.get("/berichte/rueckmeldungen").status_code == 403


def test_below_k_answers_only_under_k_is_shown(client, login, make_user, record, setting):
    organisation, course = setting
    answer(record, organisation, course, 2, comment="Zu wenige, um es zu zeigen", usefulness=1)
    trainer = make_user(Role.TRAINER)
    own(course, trainer)
    login(trainer)

    page = client.get(f"/berichte/rueckmeldungen?kurs={course.slug}")

    row = row_of(report_tables(page.text)["tabelle-module"], "Hochvolt – Modul 1")
    assert row[1:] == ["< 3"] * 4
    assert "Zu wenige" not in page.text and "1,0" not in page.text


def test_from_k_answers_means_and_comments_are_shown_without_names_or_dates(client, login, make_user, record,
                                                                           setting):
    organisation, course = setting
    people = answer(record, organisation, course, 3, comment="Praxisnah und verständlich")
    trainer = make_user(Role.TRAINER)
    own(course, trainer)
    login(trainer)

    page = client.get(f"/berichte/rueckmeldungen?kurs={course.slug}")

    row = row_of(report_tables(page.text)["tabelle-module"], "Hochvolt – Modul 1")
    assert row[1:] == ["3", "4,0", "2,0", "100 %"]
    assert page.text.count("Praxisnah und verständlich") == 3
    assert not any(person.display_name in page.text for person in people)
    assert "2025" not in page.text and "April" not in page.text


def name_of(page: str, table_id: str) -> str:
    """The table's accessible name: its caption or the heading it is labelled by, which names the scrolling region
    around it too."""
    found = re.search(rf'<div class="table-scroll"[^>]*aria-labelledby="([^"]+)">\s*'
                      rf'<table class="report-table" id="{table_id}"(?: aria-labelledby="([^"]+)")?>\s*'
                      rf'(?:<caption id="([^"]+)"[^>]*>(.*?)</caption>)?', page, re.S)
    assert found, f"{table_id} has no scrolling region around it"
    region_label, heading_id, caption_id, caption = found.groups()
    assert region_label == (heading_id or caption_id), f"{table_id} and its region are named apart"
    if heading_id:
        caption = re.search(rf'<(h[1-6]) id="{heading_id}">(.*?)</\1>', page, re.S).group(2)
    return html.unescape(" ".join(caption.split()))


def test_at_exactly_k_answers_the_module_and_the_kind_tables_show_them_and_nothing_of_k_minus_one(
        client, login, make_user, record, setting):
    # K is what the organisation agreed (4), not the floor of 3: three answers are still a group too small.
    organisation, hochvolt = setting  # a reading module and a workshop
    organisation.small_group_threshold = 4
    db.session.commit()
    k = network_k()
    assert k == 4
    antrieb = record.course("Antrieb", kinds=("workshop",))
    answer(record, organisation, hochvolt, k - 1, usefulness=5, difficulty=2, comment="Gut erklärt")
    answer(record, organisation, hochvolt, 1, usefulness=5, difficulty=2, would_recommend=False, comment=None)
    answer(record, organisation, antrieb, k, usefulness=4, difficulty=3, comment="Viel geübt")
    answer(record, organisation, hochvolt, k - 1, position=2, usefulness=1, difficulty=1,
           comment="Nur drei haben das gesagt")
    teacher = make_user(Role.TRAINER, Role.COORDINATOR)
    own(hochvolt, teacher)
    own(antrieb, teacher)
    login(teacher)

    page = client.get("/berichte/rueckmeldungen").text

    tables = report_tables(page)
    names = {table_id: name_of(page, table_id) for table_id in ("tabelle-module", "tabelle-netzwerk")}
    assert names == {"tabelle-module": "Rückmeldungen je Modul",
                     "tabelle-netzwerk": "Zufriedenheit je Modulart und Format"}
    assert tables["tabelle-module"] == [
        ["Modul", "Antworten", "Nützlichkeit (1–5)", "Schwierigkeit (1–5)", "würden weiterempfehlen"],
        ["Antrieb – Modul 1", "4", "4,0", "3,0", "100 %"],
        ["Hochvolt – Modul 1", "4", "5,0", "2,0", "75 %"],
        ["Hochvolt – Modul 2", "< 4", "< 4", "< 4", "< 4"],
    ]
    assert tables["tabelle-netzwerk"] == [  # Hochvolt's workshop (K - 1 answers) is not in "Workshop · vor Ort"
        ["Modulart · Format", "Antworten", "Nützlichkeit (1–5)", "Schwierigkeit (1–5)", "würden weiterempfehlen"],
        ["Selbstlernen · Selbstlernen", "4", "5,0", "2,0", "75 %"],
        ["Workshop · vor Ort", "4", "4,0", "3,0", "100 %"],
    ]
    assert "Nur drei haben das gesagt" not in page and "1,0" not in page
    assert page.count("Gut erklärt") == 2 * (k - 1) and page.count("Viel geübt") == 2 * k  # in both sections


def test_coordinator_sees_network_aggregates_per_kind_and_format(client, login, make_user, record, setting,
                                                                  make_organisation):
    organisation, course = setting
    other = make_organisation()
    other.small_group_threshold = 3
    answer(record, organisation, course, 2, usefulness=5)
    answer(record, other, course, 2, usefulness=3)
    refresh_rollups(datetime(2025, 2, 13, tzinfo=UTC))  # completions come from the last counted month: January
    db.session.commit()
    record.complete_module(record.people(other, None, 1), course, JAN)  # recorded after January was counted
    db.session.commit()
    login(make_user(Role.COORDINATOR))

    page = client.get("/berichte/rueckmeldungen")
    dashboard = client.get("/berichte/beteiligung")

    tables = report_tables(page.text)
    assert row_of(tables["tabelle-netzwerk"], "Selbstlernen · Selbstlernen")[1:3] == ["4", "4,0"]
    assert "Abschlüsse je Modulart im Januar 2025" in page.text
    assert row_of(tables["tabelle-abschluesse"], "Selbstlernen")[1] == "4"
    assert row_of(tables["tabelle-abschluesse"], "Workshop")[1] == "geschützt"  # nobody: fewer than K
    assert "„geschützt“ heißt: Die Zahl beschreibt weniger als 3 Personen" in page.text
    assert "/berichte/rueckmeldungen" in dashboard.text


def test_the_networks_completions_of_a_kind_cannot_be_subtracted_from_those_of_all_kinds(
        client, login, make_user, record, setting):
    # 10 finished the reading module, 2 others only the workshop: "all kinds" (12, on the report) minus the 10
    # shown here would be the 2 of the workshop.
    organisation, course = setting
    record.complete_module(record.people(organisation, None, 10), course, JAN, position=1)
    record.complete_module(record.people(organisation, None, 2), course, JAN, position=2)
    refresh_rollups(datetime(2025, 2, 13, tzinfo=UTC))  # January
    db.session.commit()
    login(make_user(Role.COORDINATOR))

    report = client.get("/berichte/beteiligung?von=2025-01&bis=2025-01&kennzahl=modules_completed").text
    page = client.get("/berichte/rueckmeldungen").text
    rows = csv_rows(client.get("/berichte/rueckmeldungen.csv"))

    assert row_of(report_tables(report)["tabelle-verlauf"], organisation.name)[2].startswith("12 ")
    completions = report_tables(page)["tabelle-abschluesse"]
    assert [row_of(completions, kind)[1] for kind in ("Selbstlernen", "Workshop")] == ["geschützt", "geschützt"]
    assert ["Selbstlernen", "geschützt"] in rows and ["Workshop", "geschützt"] in rows


def test_comments_are_shown_as_text_not_as_markup(client, login, make_user, record, setting):
    organisation, course = setting
    answer(record, organisation, course, 3, comment='<script>alert("x")</script><b>fett</b>')
    trainer = make_user(Role.TRAINER)
    own(course, trainer)
    login(trainer)

    page = client.get("/berichte/rueckmeldungen")

    assert "<script>alert" not in page.text and "<b>fett" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text


def test_the_network_figures_leave_out_modules_whose_answers_are_withheld(client, login, make_user, record,
                                                                         make_organisation):
    # Otherwise "network minus the module its trainer sees" gives away the answers withheld for another module.
    organisation = make_organisation()
    organisation.small_group_threshold = 3
    course = record.course("Hochvolt", kinds=("self-study", "self-study"))
    answer(record, organisation, course, 3, position=1, usefulness=4, comment="Gut erklärt")
    answer(record, organisation, course, 1, position=2, usefulness=1, comment="Mein Meister hat mich gezwungen")
    login(make_user(Role.COORDINATOR))

    page = client.get("/berichte/rueckmeldungen").text

    assert row_of(report_tables(page)["tabelle-netzwerk"], "Selbstlernen · Selbstlernen")[1:3] == ["3", "4,0"]
    assert "Mein Meister" not in page


def test_the_coordinations_look_at_the_network_figures_is_in_every_works_councils_log(
        client, login, make_user, setting, new_client):
    organisation, _course = setting
    login(make_user(Role.COORDINATOR, name="Kim Koordination"))
    assert client.get("/berichte/rueckmeldungen").status_code == 200
    works_council = new_client()
    login(make_user(Role.WORKS_COUNCIL, organisation=organisation), via=works_council)

    log = works_council.get("/berichte/protokoll").text

    assert "Kim Koordination" in log and "Rückmeldungen und Abschlüsse je Modulart angesehen" in log


def test_german_module_titles_on_an_english_page_are_marked_german(client, login, make_user, record, setting):
    # Screen readers speak them with a German voice (WCAG 3.1.2).
    organisation, course = setting
    answer(record, organisation, course, 3, comment="Praxisnah")
    trainer = make_user(Role.TRAINER, language="en")
    own(course, trainer)
    login(trainer)

    page = client.get(f"/berichte/rueckmeldungen?kurs={course.slug}").text

    assert '<th scope="row" lang="de">Hochvolt – Modul 1</th>' in page
    assert '<span lang="de">Hochvolt – Modul 1</span>' in page


def csv_rows(response) -> list[list[str]]:
    assert response.mimetype == "text/csv" and response.text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff")), delimiter=";"))


def test_a_trainer_downloads_the_figures_of_the_page_without_comments(client, login, make_user, record, setting):
    organisation, course = setting
    answer(record, organisation, course, 3, comment="Praxisnah und verständlich")
    answer(record, organisation, course, 2, position=2, comment="Zu wenige, um es zu zeigen", usefulness=1)
    trainer = make_user(Role.TRAINER)
    own(course, trainer)
    login(trainer)
    assert f"/berichte/rueckmeldungen.csv?kurs={course.slug}" in client.get(
        f"/berichte/rueckmeldungen?kurs={course.slug}").text

    rows = csv_rows(client.get(f"/berichte/rueckmeldungen.csv?kurs={course.slug}"))

    assert ["Modul", "Antworten", "Nützlichkeit (1–5)", "Schwierigkeit (1–5)",
            "würden weiterempfehlen (Anteil in %)"] in rows
    assert ["Hochvolt – Modul 1", "3", "4,0", "2,0", "100"] in rows  # a plain number a spreadsheet can add up
    assert ["Hochvolt – Modul 2", "< 3", "< 3", "< 3", "< 3"] in rows
    assert not any("Praxisnah" in cell or "Zu wenige" in cell for row in rows for cell in row)


def test_the_feedback_csv_is_only_for_those_who_see_the_page(client, login, make_user, setting):
    login(make_user(Role.LEARNER))
    assert client.get("/berichte/rueckmeldungen.csv").status_code == 403
    client.post("/abmelden", data={})
    login(make_user(Role.TRAINER))
    _organisation, course = setting
    assert client.get(f"/berichte/rueckmeldungen.csv?kurs={course.slug}").status_code == 404  # not their course


def test_the_coordinations_download_has_the_network_tables_and_is_in_the_works_councils_log(
        client, login, make_user, record, setting, new_client):
    organisation, course = setting
    answer(record, organisation, course, 3, usefulness=5)
    login(make_user(Role.COORDINATOR, name="Kim Koordination"))

    response = client.get("/berichte/rueckmeldungen.csv")

    rows = csv_rows(response)
    assert ["Selbstlernen · Selbstlernen", "3", "5,0", "2,0", "100"] in rows
    assert 'filename="rueckmeldungen.csv"' in response.headers["Content-Disposition"]
    works_council = new_client()
    login(make_user(Role.WORKS_COUNCIL, organisation=organisation), via=works_council)
    log = works_council.get("/berichte/protokoll").text
    assert "Abschlüsse je Modulart als CSV heruntergeladen" in log


def test_the_feedback_csv_is_written_for_an_english_spreadsheet_on_english_pages(client, login, make_user, record,
                                                                               setting):
    organisation, course = setting
    answer(record, organisation, course, 3)
    trainer = make_user(Role.TRAINER, language="en")
    own(course, trainer)
    login(trainer)

    text = client.get(f"/berichte/rueckmeldungen.csv?kurs={course.slug}").text

    assert ",3,4.0,2.0,100\r\n" in text


def test_while_no_module_reaches_k_the_coordinations_csv_says_so_instead_of_a_heading_over_no_rows(
        client, login, make_user, record, setting):
    organisation, course = setting
    answer(record, organisation, course, 2)  # K is 3
    login(make_user(Role.COORDINATOR))

    rows = csv_rows(client.get("/berichte/rueckmeldungen.csv"))
    page = client.get("/berichte/rueckmeldungen").text

    said = ("Noch keine Zahlen: Mitgezählt werden nur Module mit mindestens 3 Rückmeldungen, und so viele hat noch "
            "keines.")
    satisfaction = rows.index(["Zufriedenheit je Modulart und Format"])
    assert rows[satisfaction + 1] == [said]
    assert not any(row[:1] == ["Modulart · Format"] for row in rows)
    assert ["Abschlüsse je Modulart erscheinen, sobald der erste Monat gezählt ist."] in rows  # nothing counted yet
    assert html.unescape(re.search(r'<p id="netzwerk-leer">(.*?)</p>', page)[1]) == said  # the page says the same


def test_while_no_module_reaches_k_the_page_says_so_in_a_sentence_not_in_a_table_without_rows(
        client, login, make_user, record, setting):
    # A row five columns wide in a table that scrolls sideways: on a phone most of the sentence was out of sight.
    organisation, course = setting
    answer(record, organisation, course, 2)  # K is 3
    login(make_user(Role.COORDINATOR))

    page = client.get("/berichte/rueckmeldungen").text

    assert "tabelle-netzwerk" not in report_tables(page)
    assert 'id="zufriedenheit-heading">Zufriedenheit je Modulart und Format</h3>' in page
    assert 'id="netzwerk-leer">Noch keine Zahlen: Mitgezählt werden nur Module mit mindestens 3' in page


def test_once_a_module_reaches_k_the_csv_has_the_satisfaction_table_and_no_such_line(
        client, login, make_user, record, setting):
    organisation, course = setting
    answer(record, organisation, course, 3)
    login(make_user(Role.COORDINATOR))

    rows = csv_rows(client.get("/berichte/rueckmeldungen.csv"))

    satisfaction = rows.index(["Zufriedenheit je Modulart und Format"])
    assert rows[satisfaction + 1][0] == "Modulart · Format"
    assert not any(cell.startswith("Noch keine Zahlen") for row in rows for cell in row)
