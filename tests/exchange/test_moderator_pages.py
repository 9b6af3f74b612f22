"""What the moderation's pages show and ask: the queue's reports, the limits of a reason, the log's language."""

import html
import re

import pytest

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.exchange import following, moderation_log, moderation_threads, posting, spaces
from qualify.exchange.models import ExchangePost
from qualify.extensions import db
from tests.exchange.conftest import as_seen, outbox


def start(space, user, title="Cobots an Linie 4", body="Wie geht es euch mit dem Cobot?", anonymous=False):
    thread = posting.start_thread(space, user, title, body, anonymous=anonymous, now=utcnow())
    db.session.commit()
    return thread


def test_a_reported_post_written_under_a_pseudonym_is_marked_so_in_the_queue(make_space, author, reader,
                                                                          client_for):
    space = make_space(moderation="post")
    post = start(space, author, anonymous=True).posts[0]
    following.flag(post, reader, "Bitte ansehen", now=utcnow())
    db.session.commit()
    queue = client_for(spaces.moderators_of(space)[0]).get("/austausch/moderation").text
    reports = queue[queue.index('id="meldungen"'):]
    assert f'<strong>{post.pseudonym}</strong> <span class="status">Pseudonym</span>' in reports


def test_no_reason_text_area_of_the_moderation_cuts_a_longer_reason_off(
        space, make_space, moderator, author, client_for):
    # With maxlength a browser cut a pasted reason off at 2,000 without a word, and mailed it so mid-sentence.
    make_space(by=moderator, title="Ein zweiter Raum")  # somewhere to move to
    post = start(space, author).posts[0]
    browser = client_for(moderator)
    for url in ("/austausch/moderation", f"/austausch/faden/{post.thread_id}",
                f"/austausch/faden/{post.thread_id}/verschieben", f"/austausch/faden/{post.thread_id}/zusammenfuehren"):
        page = browser.get(url).text
        assert "maxlength" not in page, url


def test_a_reason_longer_than_the_limit_is_refused_with_the_text_kept(make_space, author, client_for):
    space = make_space(moderation="post")
    post = start(space, author).posts[0]
    reason = "Beleidigend " * 200  # 2,400 characters
    response = client_for(spaces.moderators_of(space)[0]).post(f"/austausch/beitrag/{post.id}/ausblenden",
                                                               data={"reason": reason})
    assert response.status_code == 400 and "höchstens 2.000 Zeichen" in response.text
    assert reason.strip() in response.text and "maxlength" not in response.text  # nothing cut off when sent again
    assert f'action="/austausch/beitrag/{post.id}/ausblenden"' in response.text
    db.session.expire_all()
    assert db.session.get(ExchangePost, post.id).status == "published" and outbox(author.email) == []


def test_a_reason_of_the_limit_counts_line_breaks_as_the_text_area_does(space, moderator, author, client_for):
    post = start(space, author).posts[0]
    reason = "\r\n".join(["Bitte ohne Namen. " * 5 + "x" * 9] * 20)  # 2,018 characters sent, 1,999 counted
    response = client_for(moderator).post(f"/austausch/beitrag/{post.id}/ablehnen", data=as_seen(post, reason=reason))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ExchangePost, post.id).moderation_reason == reason.replace("\r\n", "\n").strip()


@pytest.mark.parametrize(("language", "marks"), [("de", ("„", "“")), ("en", ("“", "”"))])
def test_the_log_names_merged_threads_in_the_readers_quotation_marks(make_space, make_user, author, client_for,
                                                                     language, marks):
    moderator = make_user(Role.MODERATOR, language=language)
    space = make_space(moderation="post", by=moderator)
    original, duplicate = start(space, author, title="Schichtpläne"), start(space, author, title="Schichtplan")
    moderation_threads.merge(duplicate, original, by=moderator, now=utcnow(), reason="doppelt")
    db.session.commit()
    log = client_for(moderator).get(f"/austausch/raum/{space.id}/protokoll").text
    opening, closing = marks
    log = re.sub(r'<span class="cell-label" aria-hidden="true">[^<]*</span>', "", log)  # a phone's labels
    concerns, reason = re.search(r"<tr>\s*<th[^>]*>.*?</th>(?:\s*<td>.*?</td>){2}\s*<td>(.*?)</td>\s*<td>(.*?)</td>",
                                 log, re.S).groups()
    assert f"{opening}Schichtplan{closing} → {opening}Schichtpläne{closing}" in concerns  # beside the thread
    assert reason == "doppelt"  # the moderator's words, nothing the code added


def test_an_older_merge_entry_stays_as_it_was_written(make_space, author, client_for):
    from qualify.exchange.models import ExchangeLogEntry

    space = make_space(moderation="post")
    mod = spaces.moderators_of(space)[0]
    db.session.add(ExchangeLogEntry(space_id=space.id, actor_id=mod.id, action="merge", created_at=utcnow(),
                                    reason="„Schichtplan“ → „Schichtpläne“: doppelt"))
    db.session.commit()
    assert "„Schichtplan“ → „Schichtpläne“: doppelt" in client_for(mod).get(
        f"/austausch/raum/{space.id}/protokoll").text


def test_a_moderators_data_export_reads_what_the_log_noted_in_words_not_as_stored(space, moderator, client_for):
    moderation_log.log(space, "merge", by=moderator, now=utcnow(), facts={"from": "Schichtplan", "to": "Schichten"},
                       reason="doppelt")
    db.session.commit()
    page = client_for(moderator).get("/meine-daten/export").text
    assert html.unescape(page).count("„Schichtplan“ → „Schichten“: doppelt") == 1 and '"facts"' not in page


def test_a_decision_with_a_reason_is_cancelled_with_abbrechen_not_answered_with_nein(space, moderator, author,
                                                                                     client_for):
    # "Ablehnen" beside "Nein": no question stands above the reason to say no to.
    start(space, author)
    queue = client_for(moderator).get("/austausch/moderation").text
    cancel = re.findall(r'<button type="button" class="button decision-cancel" hidden>(\w+)</button>', queue)
    assert cancel and set(cancel) == {"Abbrechen"}


def test_the_space_export_is_named_in_plain_words_and_stays_a_json_file(space, moderator, author, client_for):
    start(space, author)
    client = client_for(moderator)

    page = html.unescape(client.get(f"/austausch/raum/{space.id}").text)

    link = re.search(rf'<a href="/austausch/raum/{space.id}/export.json">([^<]*)</a>', page).group(1)
    assert link == "Alle Gespräche als Datei herunterladen (JSON, für Fachleute)"
    assert "Export (JSON)" not in page
    download = client.get(f"/austausch/raum/{space.id}/export.json")
    assert download.mimetype == "application/json"
    assert download.headers["Content-Disposition"] == f'attachment; filename="austausch-{space.id}.json"'
    assert download.json["threads"][0]["title"] == "Cobots an Linie 4"
