"""E-mails of the exchange, queued in the caller's transaction, in the recipient's language.

A post is always named by the label it is shown under (a pseudonym where chosen): no mail ever carries an
author's name, address or id unless it goes to that author.
"""

from flask import current_app
from flask_babel import force_locale, format_date, format_time
from flask_babel import gettext as _

from qualify.core.i18n import locale_for
from qualify.core.mail import absolute_url, queue_mail
from qualify.exchange.reading import author_label, by_former_member, shown_title

EXCERPT_LENGTH = 300


def excerpt(text: str) -> str:
    """The beginning of a post on one line: its own words, not the quote it may open with."""
    own = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))
    flat = " ".join((own if own.strip() else text).split())
    return flat if len(flat) <= EXCERPT_LENGTH else flat[:EXCERPT_LENGTH].rstrip() + " …"


def _render(name: str, **context) -> str:
    # Straight from the Jinja environment: digests are rendered by the scheduler, without a request.
    return current_app.jinja_env.get_template(f"exchange/mail/{name}.txt").render(**context)


def _post_url(post) -> str:
    return absolute_url("exchange.thread", thread_id=post.thread_id) + f"#beitrag-{post.id}"


def notify_new_post(post, readers: list, *, opening=None) -> list:
    """Tell those following the thread at once that a post appeared (`opening`: the thread's opening post, if
    looked up already); return the messages queued. Written by the sending run (see notices.py), without a
    request."""
    url = _post_url(post)
    text = excerpt(post.body_source)
    queued = []
    for reader in readers:
        with force_locale(locale_for(reader.language)):
            # a hidden opening post hides the title here too
            title = shown_title(post.thread, reader, moderator=False, opening=opening)
            subject = _("Neuer Beitrag: %(title)s", title=title)
            body = _render(
                "new_post",
                reader=reader,
                post=post,
                title=title,
                settings_url=absolute_url("exchange.notifications"),
                label=author_label(post),  # in the reader's language: "Ehemaliges Mitglied"
                former=by_former_member(post),
                excerpt=text,
                url=url,
            )
        if (message := queue_mail(reader, subject, body)) is not None:
            queued.append(message)
    return queued


def notify_flag(flag, moderators: list, label: str) -> None:
    """Tell the space's moderators that a post was reported (never by whom)."""
    post = flag.post
    for moderator in moderators:
        with force_locale(locale_for(moderator.language)):
            subject = _("Beitrag gemeldet: %(title)s", title=post.thread.title_shown)
            body = _render("flag", reader=moderator, post=post, label=label, former=by_former_member(post),
                           reason=flag.reason, excerpt=excerpt(post.body_source),
                           url=absolute_url("exchange.moderation_queue"))
        queue_mail(moderator, subject, body)


def notify_minutes_withdrawn(minutes, moderators: list) -> None:
    """Tell the space's moderators that published minutes went back to draft (never who withdrew consent)."""
    for moderator in moderators:
        with force_locale(locale_for(moderator.language)):
            subject = _("Protokoll zurückgezogen: bitte ohne Namen neu freigeben")
            body = _render("minutes_withdrawn", reader=moderator,
                           url=absolute_url("exchange.minutes_form", session_id=minutes.session_id))
        queue_mail(moderator, subject, body)


def _tell_author(post, template: str, subject, **context) -> None:
    """Mail the post's author (nobody once their account is gone), in their language: `subject` a function
    that says it in that language."""
    author = post.author
    if author is None:
        return
    with force_locale(locale_for(author.language)):
        title = shown_title(post.thread, author, moderator=False)
        body = _render(template, reader=author, post=post, title=title, **context)
        queue_mail(author, subject(title), body)


def notify_rejected(post, reason: str) -> None:
    """Send the author their post back with the moderator's reason."""
    _tell_author(post, "rejected", lambda title: _("Ihr Beitrag wurde nicht freigegeben: %(title)s", title=title),
                 reason=reason, url=absolute_url("exchange.edit_post", post_id=post.id))


def notify_change_rejected(post, change: str, reason: str) -> None:
    """Tell the author that their change of a published post was not approved, with the moderator's reason and
    the text they wrote: the post stays as approved, and the change is gone from it."""
    _tell_author(post, "change_rejected",
                 lambda title: _("Ihre Änderung wurde nicht freigegeben: %(title)s", title=title),
                 reason=reason, change=change, url=_post_url(post))


def notify_hidden(post, reason: str) -> None:
    """Tell the author that the moderation took their post down, and why (as a rejection says it)."""
    _tell_author(post, "hidden", lambda title: _("Ihr Beitrag wurde ausgeblendet: %(title)s", title=title),
                 reason=reason, url=_post_url(post))


def notify_restored(post, reason: str) -> None:
    """Tell the author that the moderation shows their hidden post again (with its note, if it wrote one)."""
    _tell_author(post, "restored", lambda title: _("Ihr Beitrag ist wieder sichtbar: %(title)s", title=title),
                 reason=reason, url=_post_url(post))


def notify_revealed(post, reason: str) -> None:
    """Tell the author that an admin looked up who wrote their pseudonymous post, and why."""
    _tell_author(post, "revealed", lambda _title: _("Ihr Pseudonym wurde aufgedeckt"), reason=reason,
                 url=_post_url(post))


def send_digest(reader, threads: list[tuple]) -> None:
    """Send one person the day's new posts in the threads they follow: [(thread, opening post, [(label, post)])]."""
    with force_locale(locale_for(reader.language)):
        subject = _("Ihr Tagesüberblick aus dem Austausch")
        items = [(shown_title(thread, reader, moderator=False, opening=opening),
                  [(label, excerpt(post.body_source), _post_url(post)) for label, post in posts])
                 for thread, opening, posts in threads]
        body = _render("digest", reader=reader, items=items,
                       settings_url=absolute_url("exchange.notifications"))
    queue_mail(reader, subject, body)


def _moment(value) -> str:
    # As other mails name a moment: the date with its full year and the time of day, in Europe/Berlin.
    return f"{format_date(value, 'medium')}, {format_time(value, 'short')}"


def send_moderation_reminder(moderator, spaces: list[tuple]) -> None:
    """Remind a moderator of what waits in their spaces: [(space, waiting.Waiting)]. How many and since when, per
    space – never a post's words, its thread's title or who wrote it: the queue behind the link shows them."""
    with force_locale(locale_for(moderator.language)):
        subject = _("Moderation: In Ihren Räumen wartet etwas")
        items = [(space.title, waiting, _moment(waiting.since)) for space, waiting in spaces]
        body = _render("moderation_reminder", reader=moderator, items=items,
                       url=absolute_url("exchange.moderation_queue"))
    queue_mail(moderator, subject, body)
