"""`qualify exchange rerender`: stored posts, waiting changes, space descriptions and minutes rendered anew from
their words after the renderer changed (task lists stored as disabled checkboxes become ☐/☑)."""

from sqlalchemy import select

from qualify.core.time import utcnow
from qualify.exchange import minutes, moderation, posting
from qualify.exchange.commands import exchange_cli
from qualify.exchange.models import ExchangePost
from qualify.extensions import db

TASKS = "Vor der Schicht:\n\n- [x] Helm aufsetzen\n- [ ] Schuhe an"
AS_STORED_BEFORE = '<ul><li><input type="checkbox" disabled checked> Helm aufsetzen</li></ul>'


def test_posts_and_their_waiting_changes_are_rendered_anew_and_a_deleted_post_stays_empty(
        runner, space, author, moderator):
    thread = posting.start_thread(space, author, "Checkliste", TASKS, anonymous=False, now=utcnow())
    opening = thread.posts[0]
    moderation.approve(opening, by=moderator, now=utcnow())
    posting.edit_post(opening, author, TASKS + "\n- [ ] Handschuhe", now=utcnow())  # waits for approval
    gone = posting.reply(thread, author, "Nur ein Versuch", anonymous=False, now=utcnow())
    posting.delete_post(gone, author, now=utcnow())
    opening.body_html = opening.revision_html = AS_STORED_BEFORE
    db.session.commit()

    result = runner.invoke(exchange_cli, ["rerender"])

    assert result.exit_code == 0, result.output
    assert "2 text(s) rendered anew" in result.output
    db.session.expire_all()
    opening = db.session.get(ExchangePost, opening.id)
    assert "checkbox" not in opening.body_html and "☑" in opening.body_html
    assert "Handschuhe" in opening.revision_html and "Handschuhe" not in opening.body_html
    assert db.session.get(ExchangePost, gone.id).body_html == ""
    assert "0 text(s)" in runner.invoke(exchange_cli, ["rerender"]).output


def test_space_descriptions_and_both_versions_of_minutes_are_rendered_anew(runner, space, session, moderator):
    space.description_source, space.description_html = TASKS, AS_STORED_BEFORE
    record = minutes.save_minutes(session, space, {"topics": TASKS}, [], by=moderator, now=utcnow())
    minutes.publish_minutes(record, session, space, by=moderator, now=utcnow())
    minutes.save_minutes(session, space, {"topics": TASKS + "\n- [ ] Pause"}, [], by=moderator, now=utcnow())
    record.body_html = record.published_html = AS_STORED_BEFORE
    db.session.commit()

    assert "3 text(s) rendered anew" in runner.invoke(exchange_cli, ["rerender"]).output

    db.session.expire_all()
    assert "☑" in space.description_html and "checkbox" not in space.description_html
    record = db.session.scalar(select(type(record)).where(type(record).id == record.id))
    assert record.published_html.startswith('<h3 data-section="topics">') and "Pause" not in record.published_html
    assert "Pause" in record.body_html and "checkbox" not in record.body_html
