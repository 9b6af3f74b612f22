"""Course content keeps its own language on pages in another (WCAG 2.1, 3.1.2 Language of Parts).

Courses are written in German (rarely English), whichever language a person reads the interface in. On an
English page, titles, summaries and questions of a German course carry lang="de", so that screen readers
speak them with a German voice; on a German page they carry nothing that only repeats the page's language.
"""

import html
import re
from datetime import time, timedelta

import pytest
from flask_babel import force_locale
from markupsafe import Markup, escape
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.templating import content_lang, in_language
from qualify.core.time import utcnow
from qualify.courses.models import CourseOwner, Module
from qualify.exchange import following, moderation, posting, spaces
from qualify.exchange.models import ExchangeThread, SpaceModerator
from qualify.exchange.spaces import space_for_module
from qualify.extensions import db
from qualify.learning import services
from qualify.workshops import schedule
from qualify.workshops import services as workshop_services

MODULE = "/kurse/hochvolt-sicherheit/module/hv-bauteile-erkennen"


def test_content_lang_marks_only_a_language_other_than_the_page(app):
    with app.test_request_context():
        with force_locale("en_GB"):
            assert content_lang("de") == Markup(' lang="de"')
            assert content_lang("en") == ""
            assert in_language("Sicher <lesen>", "de") == '<span lang="de">Sicher &lt;lesen&gt;</span>'
            assert in_language("Reading", "en") == "Reading"
        with force_locale("de"):
            assert content_lang("de") == "" and content_lang(None) == ""  # no language stored: German
            assert content_lang("en") == ' lang="en"'
            assert in_language("Tom & Jerry", "de") == "Tom &amp; Jerry"


@pytest.fixture
def course(demo_courses):
    return demo_courses["hochvolt-sicherheit"]


@pytest.fixture
def workshop(course, make_user):
    """A session of the course's workshop module in two weeks."""
    trainer = make_user(Role.TRAINER)
    module = db.session.scalar(select(Module).where(Module.course_id == course.id,
                                                    Module.slug == "praxistag-hv-schulungsfahrzeug"))
    plan = schedule.SessionPlan(start_time=time(10), end_time=time(13), capacity=10, place="Halle 4",
                                trainers=[trainer])
    (session,) = schedule.create_sessions(module, plan, [(utcnow() + timedelta(days=14)).date()], by=trainer,
                                          now=utcnow())
    db.session.commit()
    return session


@pytest.fixture
def reader(course, workshop, make_user, login, new_client):
    """Sign in a learner reading the interface in the given language, enrolled and booked; return the client."""

    def sign_in(language: str):
        person = make_user(Role.LEARNER, language=language)
        services.enrol(person, course, now=utcnow())
        workshop_services.book(workshop, person, now=utcnow())
        db.session.commit()
        client = new_client()
        login(person, via=client)
        return client

    return sign_in


def pages(client, course, workshop) -> dict[str, str]:
    module = db.session.scalar(select(Module).where(Module.course_id == course.id,
                                                    Module.slug == "hv-bauteile-erkennen"))
    started = client.post(f"/lernen/module/{module.id}/quiz", data={})
    assert started.status_code == 302, started.status_code
    urls = {"module": MODULE, "catalogue": "/kurse/", "course": f"/kurse/{course.slug}", "upcoming": "/termine/",
            "session": f"/termine/{workshop.id}", "mine": "/termine/meine", "dashboard": "/lernen/", "start": "/",
            "attempt": started.location}
    found = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        found[name] = response.text
    handed_in = client.post(f"{started.location}/abgeben", data={})
    assert handed_in.status_code == 302, handed_in.status_code
    found["result"] = client.get(started.location).text
    return found


def test_on_english_pages_the_german_course_content_is_marked_german(reader, course, workshop):
    seen = pages(reader("en"), course, workshop)
    title, session_title, module_title = escape(course.title), escape(workshop.title), "Hochvolt-Bauteile"
    assert '<html lang="en">' in seen["module"]
    assert f'<h1 lang="de">{module_title}' in seen["module"]
    assert f'<h2 lang="de"><a href="/kurse/{course.slug}">{title}</a></h2>' in seen["catalogue"]
    assert f'<p lang="de">{escape(course.summary)}</p>' in seen["catalogue"]
    assert f'<h1 lang="de">{title}</h1>' in seen["course"]
    assert f'<h2><a href="/termine/{workshop.id}"><span lang="de">{session_title}</span>' \
        '<span class="visually-hidden">, ' in seen["upcoming"]  # the title German, the date (for the link) not
    assert f'<p class="meta" lang="de">{title}</p>' in seen["upcoming"]
    assert f'<h1 lang="de">{session_title}</h1>' in seen["session"]
    assert f'<h2><a href="/termine/{workshop.id}"><span lang="de">{session_title}</span>' \
        '<span class="visually-hidden">, ' in seen["mine"]  # as in "upcoming": the date in the link, not German
    assert f'<h3 lang="de"><a href="/kurse/{course.slug}">{title}</a></h3>' in seen["dashboard"]
    assert 'Continue with: <span lang="de">' in seen["dashboard"]
    assert f'<p class="meta" lang="de">{title}</p>' in seen["start"]  # the course below its module, "Weiterlernen"
    assert f'<span lang="de">{session_title}</span> · ' in seen["start"]
    assert 'Quiz: <span lang="de">' in seen["attempt"] and 'class="question-text" id="frage-1-text" lang="de"' in \
        seen["attempt"]
    assert 'Result: <span lang="de">' in seen["result"] and '<div class="question-text" lang="de">' in seen["result"]


def test_on_german_pages_german_content_repeats_no_language(reader, course, workshop):
    seen = pages(reader("de"), course, workshop)
    title, session_title = escape(course.title), escape(workshop.title)
    assert "<h1>Hochvolt-Bauteile" in seen["module"]
    assert f'<h2><a href="/kurse/{course.slug}">{title}</a></h2>' in seen["catalogue"]
    assert f'<h2><a href="/termine/{workshop.id}">{session_title}<span class="visually-hidden">, ' in seen["upcoming"]
    assert f"<h1>{session_title}</h1>" in seen["session"]
    assert f'<h3><a href="/kurse/{course.slug}">{title}</a></h3>' in seen["dashboard"]
    assert "Weiter mit: Warum" in seen["dashboard"]
    for name, page in seen.items():  # only the page itself, and the course text that always says its language
        said = page.count('lang="de"')
        assert said == page.count('<html lang="de">') + page.count('class="prose" lang="de"'), name


def test_an_english_course_is_marked_english_on_german_pages(reader, course, workshop):
    course.language = "en"
    db.session.commit()
    seen = pages(reader("de"), course, workshop)
    assert f'<h2 lang="en"><a href="/kurse/{course.slug}">{escape(course.title)}</a></h2>' in seen["catalogue"]
    assert f'<h1 lang="en">{escape(workshop.title)}</h1>' in seen["session"]
    assert 'Weiter mit: <span lang="en">' in seen["dashboard"]


def test_the_space_of_a_german_exchange_module_is_marked_german_on_english_pages(reader, demo_courses):
    module = next(m for c in demo_courses.values() for m in c.modules
                  if m.current_version and m.current_version.kind == "exchange")
    space = space_for_module(module)
    db.session.commit()
    page = reader("en").get(f"/austausch/raum/{space.id}").text
    assert '<html lang="en">' in page
    assert '<h1 lang="de">' in page and '<div class="prose" lang="de">' in page


def test_a_trainer_reading_english_sees_the_german_course_title_marked_german(course, make_user, login, new_client):
    trainer = make_user(Role.TRAINER, language="en")
    db.session.add(CourseOwner(course_id=course.id, user_id=trainer.id))
    db.session.commit()
    client = new_client()
    login(trainer, via=client)
    title = escape(course.title)
    assert f'<h1 lang="de">{title}</h1>' in client.get(f"/autoren/{course.slug}").text
    assert f'lang="de">{title}</a>' in client.get("/autoren/").text


# --- the same on the pages of the exchange, the administration and the trainers --------------------------------

@pytest.fixture
def english_reader(make_user, login, new_client):
    """Sign in a new person with these roles reading the interface in the given language; return (client, person)."""

    def sign_in(*roles: Role, language: str = "en"):
        person = make_user(*roles, language=language)
        client = new_client()
        login(person, via=client)
        return client, person

    return sign_in


@pytest.fixture
def two_spaces(demo_courses, make_user):
    """The space of a German exchange module, and a free-standing space (no language stored: German) whose
    moderator has a post waiting and a report open."""
    module = next(m for c in demo_courses.values() for m in c.modules
                  if m.current_version and m.current_version.kind == "exchange")
    module_space = space_for_module(module)
    founder = make_user(Role.MODERATOR)
    free = spaces.create_space("Schichtarbeit", "", organisation_id=None, moderation="pre", anonymous="allowed",
                               by=founder, now=utcnow())
    open_space = spaces.create_space("Offene Runde", "", organisation_id=None, moderation="post",
                                     anonymous="allowed", by=founder, now=utcnow())
    posting.start_thread(free, make_user(), "Kita", "Erst ab sieben.", anonymous=False, now=utcnow())
    shown = posting.start_thread(open_space, make_user(), "Kantine", "Zu früh zu.", anonymous=False, now=utcnow())
    following.flag(shown.posts[0], make_user(), "Bitte ansehen", now=utcnow())
    db.session.commit()
    return module_space, free, open_space


def moderating_all(person, *spaces_moderated) -> None:
    for space in spaces_moderated:
        db.session.add(SpaceModerator(space_id=space.id, user_id=person.id))
    db.session.commit()


def test_on_english_pages_the_titles_of_exchange_spaces_are_marked_german(english_reader, two_spaces):
    module_space, free, open_space = two_spaces
    client, moderator = english_reader(Role.MODERATOR)
    moderating_all(moderator, *two_spaces)

    listed = client.get("/austausch/").text
    queue = client.get("/austausch/moderation").text

    assert '<html lang="en">' in listed and '<html lang="en">' in queue
    for space in two_spaces:  # a module's space in its course's language; a free-standing one in German
        assert f'<h2 lang="de"><a href="/austausch/raum/{space.id}">{escape(space.title)}</a></h2>' in listed
        assert f'<a href="/austausch/raum/{space.id}" lang="de">{escape(space.title)}</a>' in queue  # "Your spaces"
    assert '<p class="meta"><span lang="de">Schichtarbeit</span> <span aria-hidden="true">›</span> ' in queue
    assert '<p class="meta"><span lang="de">Offene Runde</span> <span aria-hidden="true">›</span> ' in queue


def test_on_german_pages_the_titles_of_exchange_spaces_repeat_no_language(english_reader, two_spaces):
    client, moderator = english_reader(Role.MODERATOR, language="de")
    moderating_all(moderator, *two_spaces)

    for url in ("/austausch/", "/austausch/moderation"):
        page = client.get(url).text
        assert page.count('lang="de"') == page.count('<html lang="de">') + page.count('class="prose" lang="de"'), url
    queue = client.get("/austausch/moderation").text
    assert '<p class="meta">Schichtarbeit <span aria-hidden="true">›</span> ' in queue


def test_on_english_pages_a_thread_its_posts_and_the_post_reported_are_marked_german(english_reader, two_spaces):
    _module_space, _free, open_space = two_spaces
    client, reader = english_reader()
    thread = thread_in(open_space)
    post = thread.posts[0]

    page = client.get(f"/austausch/faden/{thread.id}").text
    report = client.get(f"/austausch/beitrag/{post.id}/melden").text

    assert '<html lang="en">' in page and '<html lang="en">' in report
    assert f'<a href="/austausch/raum/{open_space.id}" lang="de">Offene Runde</a></nav>' in page  # the way back
    assert '<h1 lang="de">Kantine</h1>' in page
    assert '<div class="prose post-body" lang="de"><p>Zu früh zu.</p>' in page
    assert f'<a href="/austausch/faden/{thread.id}" lang="de">Kantine</a></nav>' in report
    assert '<blockquote class="prose" lang="de"><p>Zu früh zu.</p>' in report  # the post reported


def test_on_english_pages_the_post_to_edit_is_marked_german(english_reader, two_spaces):
    _module_space, _free, open_space = two_spaces
    client, author = english_reader()
    thread = posting.start_thread(open_space, author, "Pause", "Zu kurz.", anonymous=False, now=utcnow())
    db.session.commit()

    page = client.get(f"/austausch/beitrag/{thread.posts[0].id}/bearbeiten").text

    assert f'<a href="/austausch/faden/{thread.id}" lang="de">Pause</a></nav>' in page
    assert re.search(r'<textarea[^>]*\blang="de"[^>]*>\s*Zu kurz.</textarea>', page)  # the text as written


def test_on_english_pages_the_moderation_queue_marks_titles_and_posts_german(english_reader, two_spaces):
    _module_space, free, open_space = two_spaces
    client, moderator = english_reader(Role.MODERATOR)
    moderating_all(moderator, *two_spaces)
    waiting, reported = thread_in(free), thread_in(open_space)

    queue = client.get("/austausch/moderation").text

    for thread in (waiting, reported):
        post = thread.posts[0]
        assert f'<a href="/austausch/faden/{thread.id}#beitrag-{post.id}" lang="de">{thread.title}</a>' in queue
    assert queue.count('<div class="prose post-body" lang="de">') == 2  # the post waiting, the post reported


def test_a_placeholder_for_a_hidden_thread_title_is_in_the_readers_language(english_reader, two_spaces, make_user):
    _module_space, _free, open_space = two_spaces
    thread = thread_in(open_space)
    moderation.hide(thread.posts[0], "Beleidigend", by=make_user(Role.ADMIN), now=utcnow())
    db.session.commit()
    client, _reader = english_reader()

    page = client.get(f"/austausch/faden/{thread.id}").text

    assert "<h1>Conversation hidden</h1>" in page  # not the space's German
    assert f'<a href="/austausch/faden/{thread.id}">Conversation hidden</a>' in client.get(
        f"/austausch/raum/{open_space.id}").text


def test_on_german_pages_the_thread_and_its_report_repeat_no_language(english_reader, two_spaces):
    _module_space, _free, open_space = two_spaces
    client, _reader = english_reader(language="de")
    thread = thread_in(open_space)

    for url in (f"/austausch/faden/{thread.id}", f"/austausch/beitrag/{thread.posts[0].id}/melden",
                f"/austausch/raum/{open_space.id}"):
        page = client.get(url).text
        assert page.count('lang="de"') == page.count('<html lang="de">'), url
    assert "<h1>Kantine</h1>" in client.get(f"/austausch/faden/{thread.id}").text


def thread_in(space) -> ExchangeThread:
    """The one thread two_spaces opened in the space."""
    return db.session.scalar(select(ExchangeThread).where(ExchangeThread.space_id == space.id))


def test_the_options_of_the_catalogue_filters_are_in_the_language_of_their_courses(english_reader, course):
    client, _person = english_reader()

    page = client.get("/kurse/").text

    assert '<option value="Hochvolt" lang="de">Hochvolt</option>' in page  # a tag
    assert '<option value="Logistik" lang="de">Logistik</option>' in page  # an audience
    assert '<option value="">all</option>' in page and '<option value="kurz">' in page  # the interface's own


def test_a_tag_of_an_english_course_is_marked_english_on_german_pages(english_reader, course):
    course.language = "en"  # "Hochvolt" is its own; "Elektromobilität" it shares with a German course
    db.session.commit()
    client, _person = english_reader(language="de")

    page = client.get("/kurse/").text

    assert '<option value="Hochvolt" lang="en">Hochvolt</option>' in page
    assert '<option value="Elektromobilität">Elektromobilität</option>' in page  # German, the default
    assert '<option value="Logistik">Logistik</option>' in page


def test_the_courses_to_assign_as_mandatory_are_marked_german_on_english_pages(english_reader, demo_courses,
                                                                              make_organisation, make_user):
    draft = demo_courses["digitale-fabrik"]
    draft.status = "draft"
    firma = make_organisation("Muster GmbH", units=("Montage",))
    make_user(organisation=firma, unit=firma.units[0])
    db.session.commit()
    client, _admin = english_reader(Role.ADMIN)

    page = client.get("/verwaltung/pflichtkurse").text

    options = re.findall(r"<option ([^>]*)>([^<]*)</option>", page)
    titles = {html.unescape(text): attributes for attributes, text in options}
    for course in demo_courses.values():
        assert 'lang="de"' in titles[course.title], course.title  # the title alone: no "(Draft)" after it
    drafts = re.search(r'<optgroup label="Draft">(.*?)</optgroup>', page, re.S)  # a draft says so in a group
    assert drafts and html.unescape(drafts.group(1)).count("<option") == 1 and draft.title in html.unescape(
        drafts.group(1))
    course = demo_courses["hochvolt-sicherheit"]
    asked = client.post("/verwaltung/pflichtkurse", data={"course": course.id, "unit": firma.units[0].id}).text
    assert f'“<span lang="de">{escape(course.title)}</span>”' in asked


def test_a_trainer_reading_english_sees_the_german_module_its_text_and_preview_marked_german(course, english_reader):
    client, trainer = english_reader(Role.TRAINER)
    db.session.add(CourseOwner(course_id=course.id, user_id=trainer.id))
    db.session.commit()
    url = f"/autoren/{course.slug}/module/hv-bauteile-erkennen"

    page = client.get(url).text
    fragment = client.post(f"{url}/vorschau", data={"text": "---\ntitle: Neu\n---\n\nText.\n"},
                           headers={"X-Requested-With": "authoring.js"}).text
    history = client.get(f"{url}/versionen").text
    overview = client.get(f"/autoren/{course.slug}").text

    assert '<h1 lang="de">Hochvolt-Bauteile' in page
    assert re.search(r'<textarea[^>]*\blang="de"[^>]*>', page)  # the source
    assert '<div class="prose" lang="de">' in page  # the preview pane, as learners see the text
    assert '<div class="prose" lang="de">' in fragment  # and the preview sent later
    assert re.search(r'<h1>Versions of “<span lang="de">Hochvolt-Bauteile[^<]*</span>”</h1>', history)
    assert f'lang="de">{escape(course.title)}</a>' in history  # the way back, course and module
    assert re.search(r'<a href="[^"]*/module/hv-bauteile-erkennen" lang="de">Hochvolt-Bauteile', history)
    assert re.search(r'<a href="[^"]*/module/hv-bauteile-erkennen" lang="de">Hochvolt-Bauteile', overview)
    assert re.search(r'<span class="visually-hidden">Move “<span lang="de">[^<]+</span>” (up|down)</span>', overview)


def test_a_trainer_reading_german_gets_no_marks_but_the_course_text_says_its_language(course, english_reader):
    client, trainer = english_reader(Role.TRAINER, language="de")
    db.session.add(CourseOwner(course_id=course.id, user_id=trainer.id))
    db.session.commit()

    page = client.get(f"/autoren/{course.slug}/module/hv-bauteile-erkennen").text

    assert "<h1>Hochvolt-Bauteile" in page
    assert not re.search(r'<textarea[^>]*\blang=', page)
    assert page.count('lang="de"') == page.count('<html lang="de">') + page.count('class="prose" lang="de"')
