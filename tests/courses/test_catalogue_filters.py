"""The catalogue's filters on a phone: folded behind "Filter" so that the courses are in the first screen, opened
and counted once one is chosen; the search stays in sight."""

import re


def disclosure(page: str) -> str:
    """The catalogue's disclosure of filters, from <details> to </details>."""
    return re.search(r'<details class="filter-disclosure".*?</details>', page, re.S).group(0)


# Named by its summary, which a wide screen hides (see tests/browser/test_filters_on_a_phone.py).
CLOSED = '<details class="filter-disclosure" aria-labelledby="filter-summary">'
OPEN = '<details class="filter-disclosure" aria-labelledby="filter-summary" open>'


def summary(text: str) -> str:
    return f'<summary id="filter-summary">{text}</summary>'


def test_the_filters_are_folded_behind_a_closed_disclosure_while_none_is_chosen(client, demo_courses, learner):
    folded = disclosure(client.get("/kurse/").text)
    assert folded.startswith(CLOSED)  # no "open"
    assert summary("Filter") in folded
    for name in ("thema", "zielgruppe", "dauer"):
        assert f'<select id="{name}" name="{name}">' in folded


def test_the_search_and_its_button_stay_in_sight(client, demo_courses, learner):
    page = client.get("/kurse/?q=batterie").text
    folded = disclosure(page)
    assert 'id="q"' in page and 'id="q"' not in folded
    assert '<button type="submit" class="button">Anzeigen</button>' not in folded
    assert folded.startswith(CLOSED)  # a search is no filter folded away


def test_chosen_filters_open_the_disclosure_and_are_counted_in_its_summary(client, demo_courses, learner):
    tag = demo_courses["digitale-fabrik"].tags[0]
    one = disclosure(client.get("/kurse/", query_string={"thema": tag}).text)
    assert one.startswith(OPEN)
    assert summary("Filter (1 aktiv)") in one
    two = disclosure(client.get("/kurse/", query_string={"thema": tag, "dauer": "kurz"}).text)
    assert summary("Filter (2 aktiv)") in two


def test_a_duration_that_is_no_choice_of_the_list_is_not_counted(client, demo_courses, learner):
    folded = disclosure(client.get("/kurse/?dauer=ewig").text)  # ignored by the filter, chosen in no option
    assert folded.startswith(CLOSED) and summary("Filter") in folded
