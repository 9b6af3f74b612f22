"""What screen readers say of the workshop pages: links that tell two dates apart, a table with a name, a form
with a way back."""

import html
import re
from datetime import timedelta

from qualify.core.time import utcnow
from tests.workshops.conftest import in_days


def link_names(page: str, href: str) -> list[str]:
    """The full text (visible and visually hidden) of every link to href."""
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", inner)).split())
            for inner in re.findall(rf'<a\b[^>]*\bhref="{re.escape(href)}"[^>]*>(.*?)</a>', page, re.S)]


def test_two_dates_of_one_module_booked_are_told_apart_by_their_links(client, login, make_user, make_session):
    person = make_user()  # went to the module's first date, and comes to the next
    first = make_session(day=in_days(-7), booked=[person], now=utcnow() - timedelta(days=30))
    second = make_session(day=in_days(14), booked=[person])
    login(person)

    page = client.get("/termine/meine").text

    (one,), (other,) = link_names(page, f"/termine/{first.id}"), link_names(page, f"/termine/{second.id}")
    assert one != other and one.startswith(first.title) and other.startswith(second.title)
    assert one.endswith(", 10:00") and other.endswith(", 10:00")  # the date and time, as "Alle Termine" says


def test_the_dates_a_trainer_leads_are_told_apart_by_their_links(client, login, trainer, make_session):
    first, second = make_session(day=in_days(14)), make_session(day=in_days(21))
    login(trainer)

    page = client.get("/termine/meine").text

    names = [name for session in (first, second) for name in link_names(page, f"/termine/{session.id}/teilnehmende")]
    assert len(names) == 2 and names[0] != names[1] and all(name.startswith(first.title) for name in names)


def test_the_list_of_participants_has_a_caption(client, login, trainer, make_user, make_session):
    session = make_session(booked=[make_user()])
    login(trainer)

    page = client.get(f"/termine/{session.id}/teilnehmende").text

    assert '<caption class="visually-hidden">Alle Anmeldungen zu diesem Termin</caption>' in page


def test_editing_a_session_leads_back_to_it(client, login, trainer, make_session):
    session = make_session()
    login(trainer)

    page = client.get(f"/termine/{session.id}/bearbeiten").text

    breadcrumb = re.search(r'<nav class="breadcrumb"[^>]*>(.*?)</nav>', page, re.S).group(1)
    assert link_names(breadcrumb, f"/termine/{session.id}") == [session.title]
    form = page.split('<form method="post" novalidate class="narrow">', 1)[1].split("</form>", 1)[0]
    assert link_names(form, f"/termine/{session.id}") == ["Abbrechen"]


def test_planning_a_session_leads_back_to_the_dates_and_the_module(client, login, trainer, workshop_module):
    login(trainer)

    page = client.get(f"/termine/modul/{workshop_module.id}/neu").text

    breadcrumb = re.search(r'<nav class="breadcrumb" aria-label="Brotkrümelnavigation">(.*?)</nav>', page,
                           re.S).group(1)
    module_page = f"/kurse/{workshop_module.course.slug}/module/{workshop_module.slug}"
    assert link_names(breadcrumb, "/termine/") == ["Termine"]
    assert link_names(breadcrumb, module_page) == [workshop_module.current_version.title]
    assert client.get(module_page).status_code == 200


def test_a_sessions_page_is_titled_with_its_date_and_its_trail_names_where_each_link_leads(client, login, make_user,
                                                                                           make_session):
    first, second = make_session(day=in_days(14)), make_session(day=in_days(21))
    login(make_user())

    pages = [client.get(f"/termine/{session.id}").text for session in (first, second)]

    titles = [html.unescape(re.search(r"<title>(.*?)</title>", page).group(1)) for page in pages]
    assert titles[0] != titles[1] and all(title.startswith(f"{first.title} · ") for title in titles), titles
    breadcrumb = re.search(r'<nav class="breadcrumb"[^>]*>(.*?)</nav>', pages[0], re.S).group(1)
    course, module = first.module.course, first.module
    assert link_names(breadcrumb, f"/kurse/{course.slug}") == [course.title]
    assert link_names(breadcrumb, f"/kurse/{course.slug}/module/{module.slug}") == [first.title]
