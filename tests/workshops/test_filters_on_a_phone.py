"""The filters of the list of dates folded behind "Filter", so that on a phone the first date is in the first
screen: closed while none is chosen, opened and counted once one is; the list of one course has none."""

import re

from tests.workshops.conftest import in_days


def disclosure(page: str) -> str:
    """The list's disclosure of filters, from <details> to </details>."""
    return re.search(r'<details class="filter-disclosure".*?</details>', page, re.S).group(0)


# Named by its summary, which a wide screen hides (see tests/browser/test_filters_on_a_phone.py).
CLOSED = '<details class="filter-disclosure" aria-labelledby="filter-summary">'
OPEN = '<details class="filter-disclosure" aria-labelledby="filter-summary" open>'


def summary(text: str) -> str:
    return f'<summary id="filter-summary">{text}</summary>'


def test_the_filters_and_their_button_are_folded_behind_a_closed_disclosure(client, login, make_user,
                                                                             make_session):
    make_session()
    login(make_user())
    page = client.get("/termine/").text
    folded = disclosure(page)
    assert folded.startswith(CLOSED)  # no "open"
    assert summary("Filter") in folded
    for field in ('id="ort"', 'id="format"', 'id="von"', 'id="bis"', ">Anzeigen</button>"):
        assert field in folded
    # Inside the search form, which names it for screen readers.
    assert re.search(r'<form [^>]*role="search"[^>]*aria-label="Termine filtern">\s*<details', page)


def test_each_chosen_filter_opens_the_disclosure_and_counts(client, login, make_user, make_session):
    make_session(place="Werk Nord")
    login(make_user())
    one = disclosure(client.get("/termine/?ort=Nord").text)
    assert one.startswith(OPEN) and summary("Filter (1 aktiv)") in one
    url = f"/termine/?ort=Nord&format=in-person&von={in_days(1).isoformat()}&bis={in_days(30).isoformat()}"
    assert summary("Filter (4 aktiv)") in disclosure(client.get(url).text)


def test_an_unknown_format_is_not_counted(client, login, make_user, make_session):
    make_session()
    login(make_user())
    folded = disclosure(client.get("/termine/?format=zeppelin").text)  # ignored, as by the list
    assert folded.startswith(CLOSED) and summary("Filter") in folded


def test_the_dates_of_one_course_have_no_filters(client, login, make_user, make_session):
    make_session()
    login(make_user())
    assert "filter-disclosure" not in client.get("/termine/kurs/hochvolt-sicherheit").text
