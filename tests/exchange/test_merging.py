"""Merging a thread into another: chosen, then confirmed after reading what will happen; the log keeps the
moderator's reason apart from what the code noted."""

import html
import re

import pytest

from qualify.core.time import utcnow
from qualify.exchange import moderation, moderation_log, moderation_threads, posting, spaces
from qualify.exchange.models import ExchangeLogEntry, ExchangeThread
from qualify.extensions import db
from tests.exchange.conftest import assert_no_identity


def start(space, user, title, body="Wie ist es bei euch?"):
    thread = posting.start_thread(space, user, title, body, anonymous=False, now=utcnow())
    db.session.commit()
    return thread


def text_of(page: str) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def log_row(page: str) -> tuple[str, str]:
    """The newest entry of a moderation log page: (what it concerns, its reason), as read on a wide screen (without
    the labels its cells carry for a phone)."""
    page = re.sub(r'<span class="cell-label" aria-hidden="true">[^<]*</span>', "", page)
    concerns, reason = re.search(r"<tr>\s*<th[^>]*>.*?</th>(?:\s*<td>.*?</td>){2}\s*<td>(.*?)</td>\s*<td>(.*?)</td>",
                                 page, re.S).groups()
    return text_of(concerns), text_of(reason)


@pytest.fixture
def duplicate(make_space, author, reader):
    """A space with a thread and a later duplicate of it with a reply: (moderator, original, duplicate)."""
    space = make_space(moderation="post")
    original = start(space, author, "Schichtpläne", body="Original")
    duplicate = start(space, reader, "Schichtplan", body="Doppelt gefragt")
    posting.reply(duplicate, author, "Siehe das andere Gespräch", anonymous=False, now=utcnow())
    db.session.commit()
    return spaces.moderators_of(space)[0], original, duplicate


def test_choosing_the_thread_asks_for_confirmation_saying_what_will_happen_and_changes_nothing(
        duplicate, client_for):
    mod, original, thread = duplicate
    reason = "Dieselbe Frage.\nBitte dort weiterschreiben."

    response = client_for(mod).post(f"/austausch/faden/{thread.id}/zusammenfuehren",
                                    data={"target": original.id, "reason": reason})

    assert response.status_code == 200
    page = response.text
    assert "<title>Zusammenführen bestätigen" in page
    assert ("2 Beiträge aus „Schichtplan“ werden als Antworten an „Schichtpläne“ angehängt; „Schichtplan“ "
            "verschwindet aus der Liste des Raums.") in text_of(page)
    assert "lässt sich nicht rückgängig machen" in page
    assert reason in html.unescape(page)  # shown, as it goes into the log
    # The choice and the reason go with the confirmation, as they were.
    confirmation = page[page.index('aria-labelledby="bestaetigen"'):]
    assert 'name="csrf_token"' in confirmation
    assert f'<input type="hidden" name="target" value="{original.id}">' in confirmation
    assert f'<input type="hidden" name="reason" value="{html.escape(reason)}">' in confirmation
    assert 'name="confirmed" type="submit" value="Ja, zusammenführen"' in confirmation
    assert 'name="back" type="submit" value="Zurück zur Auswahl"' in confirmation
    assert f'href="/austausch/faden/{thread.id}">Abbrechen</a>' in confirmation
    db.session.expire_all()
    assert db.session.get(ExchangeThread, thread.id).merged_into_id is None
    assert db.session.scalar(db.select(db.func.count()).select_from(ExchangeLogEntry)
                             .where(ExchangeLogEntry.action == "merge")) == 0


def test_one_post_is_said_in_the_singular(make_space, author, client_for):
    space = make_space(moderation="post")
    original, thread = start(space, author, "Schichtpläne"), start(space, author, "Schichtplan")
    page = client_for(spaces.moderators_of(space)[0]).post(f"/austausch/faden/{thread.id}/zusammenfuehren",
                                                           data={"target": original.id}).text
    assert "1 Beitrag aus „Schichtplan“ wird als Antwort an „Schichtpläne“ angehängt" in text_of(page)
    assert "Grund (steht im Protokoll" not in page  # none was given


def test_confirming_merges_with_the_reason_kept(duplicate, client_for):
    mod, original, thread = duplicate
    response = client_for(mod).post(f"/austausch/faden/{thread.id}/zusammenfuehren",
                                    data={"target": original.id, "reason": "Dieselbe Frage.", "confirmed": "1"})
    assert response.status_code == 302 and response.location.endswith(f"/austausch/faden/{original.id}")
    db.session.expire_all()
    assert db.session.get(ExchangeThread, thread.id).merged_into_id == original.id
    assert [post.body_source for post in db.session.get(ExchangeThread, original.id).posts] == [
        "Original", "Doppelt gefragt", "Siehe das andere Gespräch"]
    (entry,) = db.session.scalars(db.select(ExchangeLogEntry).where(ExchangeLogEntry.action == "merge"))
    assert moderation_log.shown_reason(entry) == "Dieselbe Frage."


def test_going_back_shows_the_choice_again_with_the_thread_and_the_reason_kept(make_space, author, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    start(space, author, "Schichtpläne")
    original, thread = start(space, author, "Schichten"), start(space, author, "Schichtplan")
    reason = "Dieselbe Frage."

    response = client_for(mod).post(f"/austausch/faden/{thread.id}/zusammenfuehren",
                                    data={"target": original.id, "reason": reason, "back": "Zurück zur Auswahl"})

    page = response.text
    assert response.status_code == 200 and "<title>Gespräch zusammenführen" in page
    assert 'aria-labelledby="bestaetigen"' not in page
    assert re.search(rf'<option selected value="{original.id}">', page)
    assert re.search(rf'<textarea[^>]*name="reason"[^>]*>\s*{reason}</textarea>', page)
    db.session.expire_all()
    assert db.session.get(ExchangeThread, thread.id).merged_into_id is None


def test_a_merge_refused_on_confirming_shows_the_choice_again_with_why(duplicate, author, client_for):
    mod, original, thread = duplicate
    browser = client_for(mod)
    browser.post(f"/austausch/faden/{thread.id}/zusammenfuehren", data={"target": original.id})  # the question
    elsewhere = start(original.space, author, "Schichten")
    moderation_threads.merge(thread, elsewhere, by=mod, now=utcnow())  # meanwhile, in another tab
    db.session.commit()

    response = browser.post(f"/austausch/faden/{thread.id}/zusammenfuehren",
                            data={"target": original.id, "reason": "doppelt", "confirmed": "1"})

    assert response.status_code == 200
    assert "Dieses Gespräch wurde mit einem anderen zusammengeführt." in response.text
    assert re.search(rf'<option selected value="{original.id}">', response.text)
    assert re.search(r'<textarea[^>]*name="reason"[^>]*>\s*doppelt</textarea>', response.text)
    db.session.expire_all()
    assert db.session.get(ExchangeThread, thread.id).merged_into_id == elsewhere.id


def test_the_log_shows_the_threads_merged_beside_the_thread_and_only_the_moderators_words_as_reason(
        duplicate, client_for):
    mod, original, thread = duplicate
    moderation_threads.merge(thread, original, by=mod, now=utcnow(), reason="Dieselbe Frage.")
    db.session.commit()
    url = f"/austausch/raum/{original.space_id}/protokoll"
    assert log_row(client_for(mod).get(url).text) == (
        "„Schichtpläne“ „Schichtplan“ → „Schichtpläne“", "Dieselbe Frage.")

    other = start(original.space, mod, "Noch einmal Schichtpläne")
    moderation_threads.merge(other, original, by=mod, now=utcnow())  # without a reason
    db.session.commit()
    assert log_row(client_for(mod).get(url).text) == (
        "„Schichtpläne“ „Noch einmal Schichtpläne“ → „Schichtpläne“", "")



def test_after_a_merge_the_log_names_the_duplicate_by_its_title_and_the_thread_it_went_into(
        make_space, author, client_for):
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    original = start(space, author, "Schichtpläne")
    duplicate = posting.start_thread(space, author, "Schichtplan", "Unter Pseudonym", anonymous=True, now=utcnow())
    post = duplicate.posts[0]
    moderation_threads.set_pinned(duplicate, True, by=mod, now=utcnow())
    moderation.hide(post, "Bitte sachlich bleiben.", by=mod, now=utcnow())
    db.session.commit()
    moderation_threads.merge(duplicate, original, by=mod, now=utcnow())
    db.session.commit()

    page = client_for(mod).get(f"/austausch/raum/{space.id}/protokoll").text

    rows = [html.unescape(" ".join(re.sub(r"<[^>]+>", "", row).split())) for row in re.findall(
        r"<tr>(.*?)</tr>", page, re.S)]
    (hidden,) = [row for row in rows if "ausgeblendet" in row]
    assert f"„Schichtplan“, zusammengeführt in „Schichtpläne“, Beitrag {post.id}" in hidden
    (pinned,) = [row for row in rows if "angeheftet" in row]
    assert "„Schichtplan“, zusammengeführt in „Schichtpläne“" in pinned
    assert f"Gespräch {duplicate.id}" not in page  # the old number, which no longer says which conversation
    assert f'href="/austausch/faden/{original.id}#beitrag-{post.id}"' in page
    assert post.pseudonym not in page
    assert_no_identity(page, author)


def _article(page: str, post_id: int) -> str:
    return re.search(rf'<article[^>]*id="beitrag-{post_id}".*?</article>', page, re.S).group(0)


def _said_by(page: str, post_id: int) -> str:
    """The name a post stands under on the page."""
    return text_of(re.search(rf'<strong id="beitrag-{post_id}-von">(.*?)</strong>', page, re.S).group(1))


@pytest.mark.parametrize("pseudonymous_into_named", [True, False])
def test_merged_threads_keep_each_posts_label_and_tie_no_pseudonym_to_a_name(
        pseudonymous_into_named, make_space, author, reader, client_for):
    # One person asked twice, once under her name and once under her pseudonym; a moderator merges the two.
    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    named = posting.start_thread(space, author, "Schichtpläne", "Unter meinem Namen", anonymous=False, now=utcnow())
    hidden = posting.start_thread(space, author, "Schichtplan", "Unter Pseudonym", anonymous=True, now=utcnow())
    posting.reply(hidden, reader, "Antwort an das Pseudonym", anonymous=False, now=utcnow())
    db.session.commit()
    duplicate, target = (hidden, named) if pseudonymous_into_named else (named, hidden)
    named_post, pseudonymous_post = named.posts[0], hidden.posts[0]
    pseudonym = pseudonymous_post.pseudonym

    moderation_threads.merge(duplicate, target, by=mod, now=utcnow())
    db.session.commit()

    for person in (reader, mod):
        page = client_for(person).get(f"/austausch/faden/{target.id}").text
        assert f"<h1>{target.title}</h1>" in page  # the one title of the thread kept, whoever opened it
        assert _said_by(page, named_post.id) == author.display_name
        assert _said_by(page, pseudonymous_post.id) == pseudonym
        assert_no_identity(_article(page, pseudonymous_post.id), author)
        assert pseudonym not in _article(page, named_post.id)
        assert "(Ihr Beitrag)" not in _article(page, named_post.id) + _article(page, pseudonymous_post.id)
    # Only the author reads that both are hers, and is told what a reply under her name would give away.
    page = client_for(author).get(f"/austausch/faden/{target.id}").text
    assert "(Ihr Beitrag)" in _article(page, named_post.id) and "(Ihr Beitrag)" in _article(page, pseudonymous_post.id)
    assert f"Ihr Pseudonym in diesem Gespräch: {pseudonym}" in page
    assert "können andere erkennen, wer hinter dem Pseudonym steht" in page
    # Replies keep the choice made for each: the pseudonym of the space, or the name.
    assert posting.reply(target, author, "Noch eine Frage", anonymous=True, now=utcnow()).pseudonym == pseudonym
    assert posting.reply(target, author, "Mit Namen", anonymous=False, now=utcnow()).pseudonym is None
    exported = {post["text"]: post["author"] for post in client_for(mod).get(
        f"/austausch/raum/{space.id}/export.json").json["threads"][0]["posts"]}
    assert exported["Unter Pseudonym"] == exported["Noch eine Frage"] == pseudonym
    assert exported["Unter meinem Namen"] == exported["Mit Namen"] == author.display_name
