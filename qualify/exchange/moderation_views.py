"""The exchange for moderators and admins: the queue, decisions on posts, threads (lock, pin, move, merge), and an
admin's reveal of a pseudonym. Spaces, their log, export and moderators: moderation_space_views; minutes of exchange
sessions: minutes_views.

Registered on the exchange blueprint from the ROUTES table at the end of this file; each checks its object.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms import SelectChoice

from qualify.accounts.roles import Role
from qualify.core.routing import BOTH, GET, POST
from qualify.core.security import is_safe_redirect, role_required
from qualify.core.templating import content_lang_attributes
from qualify.core.time import utcnow
from qualify.exchange import moderation, moderation_log, moderation_threads
from qualify.exchange.access import moderated_post, moderated_space, moderated_thread
from qualify.exchange.errors import ExchangeError, ReasonRefused
from qualify.exchange.forms import MergeForm, MoveForm, ReasonForm
from qualify.exchange.mails import excerpt
from qualify.exchange.models import ExchangePost, ExchangeThread
from qualify.exchange.moderation_queue import (
    earlier_rejections,
    moderated_spaces,
    open_flags,
    pending_posts,
    waiting_minutes,
)
from qualify.exchange.reading import author_label, post_name, quoting_hidden_in_queue, quoting_replies, threads_of
from qualify.extensions import db

# In the queue a longer text shows as an excerpt, the whole of it one click away: a phone screen is short.
QUEUE_CLAMP = 600
# The oldest this many of each kind: 300 waiting posts and 400 reports made one page of a megabyte.
QUEUE_SIZE = 50


def _back(thread: ExchangeThread, post: ExchangePost | None = None):
    target = request.form.get("next")
    if is_safe_redirect(target):
        return redirect(target)
    return redirect(url_for("exchange.thread", thread_id=thread.id) + (f"#beitrag-{post.id}" if post else ""))


def _done(message: str, thread: ExchangeThread, post: ExchangePost | None = None):
    db.session.commit()
    flash(message)
    return _back(thread, post)


def _refused(error: ExchangeError, thread: ExchangeThread, post: ExchangePost | None = None):
    db.session.rollback()
    flash(str(error), "error")
    return _back(thread, post)


def _refused_in_form(error: ExchangeError, form, choice) -> None:
    """A refusal of a form's decision said beside what to change – the reason if it was the reason, else the
    `choice` –, with the form as filled in: nothing to choose or write again."""
    db.session.rollback()
    (form.reason if isinstance(error, ReasonRefused) else choice).errors.append(str(error))


def _ask_again(error: ReasonRefused, post: ExchangePost, label: str, hint: str, *, danger: bool = True):
    """A decision whose reason was missing or too long, asked for again with the text as typed (a phone's text
    area may not count as the server does; nothing is cut short unseen). `hint` says who reads the reason, as the
    decision's own form said it; cancelling goes back where the decision was sent from (the queue, say)."""
    db.session.rollback()
    target = request.form.get("next") if is_safe_redirect(request.form.get("next")) else None
    return render_template("exchange/reason_again.html", post=post, label=label, error=str(error),
                           reason=request.form.get("reason", ""), action=request.path, next=target,
                           seen=request.form.get("seen"), optional=request.endpoint == "exchange.restore",
                           which=post_name(post), hint=hint, danger=danger,
                           back=target or url_for("exchange.thread", thread_id=post.thread_id)
                           + f"#beitrag-{post.id}"), 400


def _quoted_in(post: ExchangePost) -> Markup | None:
    """After hiding a post: the replies that still show its words in a quote, each a link, for the moderator to
    hide them too if need be."""
    replies = quoting_replies(post)
    if not replies:
        return None
    links = Markup(", ").join(
        Markup('<a href="{}">{}</a>').format(
            url_for("exchange.thread", thread_id=reply.thread_id) + f"#beitrag-{reply.id}", post_name(reply))
        for reply in replies)
    # The translation escaped, then the links (built escaped) put in: the message stays HTML in the session.
    return escape(_("Diese Antworten zitieren den ausgeblendeten Beitrag und zeigen seine Worte weiter: "
                    "%(replies)s. Blenden Sie sie bei Bedarf ebenfalls aus.")) % {"replies": links}


@role_required(Role.MODERATOR, Role.ADMIN)
def moderation_queue():
    """Show the posts waiting for approval, the open reports and the minutes waiting for approval, in the spaces I
    moderate."""
    spaces = moderated_spaces(current_user)
    ids = [space.id for space in spaces]
    pending = pending_posts(ids, limit=QUEUE_SIZE + 1)
    flags = open_flags(ids, limit=QUEUE_SIZE + 1)
    minutes = waiting_minutes(ids, limit=QUEUE_SIZE + 1)
    return render_template(
        "exchange/queue.html",
        spaces=spaces,
        pending=pending[:QUEUE_SIZE],
        quoting_hidden=quoting_hidden_in_queue(pending[:QUEUE_SIZE]),
        rejected_before=earlier_rejections(pending[:QUEUE_SIZE]),
        reason_of=moderation_log.shown_reason,
        more_pending=len(pending) > QUEUE_SIZE,
        flags=flags[:QUEUE_SIZE],
        more_flags=len(flags) > QUEUE_SIZE,
        minutes=minutes[:QUEUE_SIZE],
        more_minutes=len(minutes) > QUEUE_SIZE,
        label=author_label,
        post_name=post_name,
        seen_version=moderation.seen_version,
        excerpt=excerpt,
        clamp=QUEUE_CLAMP,
    )


# ---------------------------------------------------------------- posts

def approve(post_id: int):
    """Publish a waiting post, as the moderator saw it."""
    post = moderated_post(post_id)
    try:
        moderation.approve(post, by=current_user, now=utcnow(), seen=request.form.get("seen", ""))
    except ExchangeError as error:
        return _refused(error, post.thread, post)
    return _done(_("Beitrag in „%(title)s“ freigegeben.", title=post.thread.title_shown), post.thread, post)


def reject(post_id: int):
    """Send a waiting post back to its author, with a reason they receive by mail."""
    post = moderated_post(post_id)
    try:
        moderation.reject(post, request.form.get("reason", ""), by=current_user, now=utcnow(),
                          seen=request.form.get("seen", ""))
    except ReasonRefused as error:
        return _ask_again(error, post, pgettext("a post", "Ablehnen"), _("geht per E-Mail an die schreibende Person"))
    except ExchangeError as error:
        return _refused(error, post.thread, post)
    return _done(_("Beitrag in „%(title)s“ abgelehnt. Die Begründung geht per E-Mail an die Person, die ihn "
                   "geschrieben hat.", title=post.thread.title_shown), post.thread)


def approve_change(post_id: int):
    """Put the waiting change of a published post in place, as the moderator saw it."""
    post = moderated_post(post_id)
    try:
        moderation.approve_change(post, by=current_user, now=utcnow(), seen=request.form.get("seen", ""))
    except ExchangeError as error:
        return _refused(error, post.thread, post)
    return _done(_("Die Änderung ist freigegeben."), post.thread, post)


def reject_change(post_id: int):
    """Discard the waiting change of a published post, with a reason its author receives by mail."""
    post = moderated_post(post_id)
    try:
        moderation.reject_change(post, request.form.get("reason", ""), by=current_user, now=utcnow(),
                                 seen=request.form.get("seen", ""))
    except ReasonRefused as error:
        return _ask_again(error, post, _("Änderung ablehnen"), _(
            "geht per E-Mail an die schreibende Person; der Beitrag bleibt, wie er war"))
    except ExchangeError as error:
        return _refused(error, post.thread, post)
    return _done(_("Die Änderung ist abgelehnt; der Beitrag bleibt, wie er war. Die Begründung geht an die Person, "
                   "die ihn geschrieben hat."), post.thread, post)


def hide(post_id: int):
    """Hide a published post, and tell the moderator which replies still quote it."""
    post = moderated_post(post_id)
    try:
        moderation.hide(post, request.form.get("reason", ""), by=current_user, now=utcnow())
    except ReasonRefused as error:
        return _ask_again(error, post, _("Ausblenden"), _("geht per E-Mail an die schreibende Person"))
    except ExchangeError as error:
        return _refused(error, post.thread, post)
    if (quoted_in := _quoted_in(post)) is not None:
        flash(quoted_in, "warning")
    return _done(_("Ausgeblendet."), post.thread, post)


def restore(post_id: int):
    """Show a hidden post again."""
    post = moderated_post(post_id)
    try:
        moderation.restore(post, by=current_user, now=utcnow(), reason=request.form.get("reason", ""))
    except ReasonRefused as error:
        return _ask_again(error, post, _("Wiederherstellen"), _("geht per E-Mail an die schreibende Person"),
                          danger=False)
    except ExchangeError as error:
        return _refused(error, post.thread, post)
    return _done(_("Wieder sichtbar."), post.thread, post)


def dismiss_flags(post_id: int):
    """Keep a reported post and close its reports."""
    post = moderated_post(post_id)
    moderation.dismiss_flags(post, by=current_user, now=utcnow())
    return _done(_("Meldungen erledigt."), post.thread, post)


# ---------------------------------------------------------------- threads

def lock(thread_id: int):
    """Lock a thread against replies, or open it again."""
    thread = moderated_thread(thread_id)
    locked = request.form.get("value") == "1"
    try:
        moderation_threads.set_locked(thread, locked, by=current_user, now=utcnow(),
                                      reason=request.form.get("reason", ""))
    except ExchangeError as error:
        return _refused(error, thread)
    return _done(_("Gespräch gesperrt.") if locked else _("Gespräch wieder offen."), thread)


def pin(thread_id: int):
    """Pin a thread to the top of its space, or release it."""
    thread = moderated_thread(thread_id)
    pinned = request.form.get("value") == "1"
    moderation_threads.set_pinned(thread, pinned, by=current_user, now=utcnow())
    return _done(_("Gespräch angeheftet.") if pinned else _("Gespräch gelöst."), thread)


def move(thread_id: int):
    """Move a thread to another space I moderate: only the spaces that would take it are offered."""
    thread = moderated_thread(thread_id)
    form = MoveForm()
    others = [space for space in moderated_spaces(current_user) if space.id != thread.space_id]
    open_to, refused = moderation_threads.move_targets(thread, others)
    form.target.choices = [_space_choice(space) for space in open_to]
    if form.is_submitted():
        if form.target.data == thread.space_id:
            # Sent again once it moved (a double tap, a reload): moderation_threads.move finds it done, or says it is
            # there.
            form.target.choices.append(SelectChoice(thread.space_id, thread.space.title))
        elif chosen := next((space for space, _why in refused if space.id == form.target.data), None):
            # Chosen on a page loaded before the thread changed: moderation_threads.move refuses it, saying why.
            form.target.choices.append(_space_choice(chosen))
    if refused and open_to:
        form.target.description = _("Angeboten werden nur Räume, die dieses Gespräch aufnehmen können; die "
                                    "übrigen stehen mit dem Grund unter dem Formular.")
    if form.validate_on_submit():
        target = moderated_space(form.target.data)
        try:
            moderation_threads.move(thread, target, by=current_user, now=utcnow(), reason=form.reason.data or "")
        except ExchangeError as error:
            _refused_in_form(error, form, form.target)
        else:
            return _done(_("Das Gespräch ist verschoben."), thread)
    return render_template("exchange/move.html", thread=thread, form=form, others=others,
                           refused=_by_reason(refused))


def _space_choice(space) -> SelectChoice:
    return SelectChoice(space.id, space.title, render_kw=content_lang_attributes(space.content_language))


def _by_reason(refused: list) -> list[tuple[str, list]]:
    """The spaces a thread may not move to, grouped by why: [(reason, [space, …])], in the order first met."""
    grouped: dict[str, list] = {}
    for space, why in refused:
        grouped.setdefault(why, []).append(space)
    return list(grouped.items())


def merge(thread_id: int):
    """Merge a duplicate thread into another thread of the same space: chosen, then confirmed (or chosen again,
    with the choice and the reason kept)."""
    thread = moderated_thread(thread_id)
    form = MergeForm()
    # Into a thread members can read: a rejected or still pending one would hide the merged posts with it.
    others = [row.thread for row in threads_of(thread.space, current_user, moderator=True)
              if row.thread.id != thread.id and row.opening is not None and row.opening.status == "published"]
    form.target.choices = [SelectChoice(other.id, other.title) for other in others]
    if form.validate_on_submit() and not form.back.data:
        target, confirmed = moderated_thread(form.target.data), form.confirmed.data
        try:
            if not confirmed:  # what will happen, asked once more; nothing changed yet
                moderation_threads.check_merge(thread, target, by=current_user)
                return render_template("exchange/merge.html", thread=thread, form=form, target=target,
                                       posts=moderation_threads.posts_to_merge(thread))
            moderation_threads.merge(thread, target, by=current_user, now=utcnow(), reason=form.reason.data or "")
        except ExchangeError as error:
            _refused_in_form(error, form, form.target)
        else:
            db.session.commit()
            flash(_("Die Gespräche sind zusammengeführt."))
            return redirect(url_for("exchange.thread", thread_id=target.id))
    return render_template("exchange/merge.html", thread=thread, form=form, target=None)


# ---------------------------------------------------------------- identity

@role_required(Role.ADMIN)
def reveal(post_id: int):
    """Show an admin who wrote a pseudonymous post: only with a reason, logged, and the author is told."""
    post = db.get_or_404(ExchangePost, post_id)
    if not post.is_pseudonymous:
        abort(404)
    form = ReasonForm()
    if form.validate_on_submit():
        author = moderation.reveal_author(post, form.reason.data, by=current_user, now=utcnow())
        db.session.commit()
        return render_template("exchange/revealed.html", post=post, author=author)
    return render_template("exchange/reveal.html", post=post, form=form)


# Registered by the blueprint's module with core.routing.add_signed_in_routes.
ROUTES = (
    ("/moderation", moderation_queue, GET),
    ("/beitrag/<int:post_id>/freigeben", approve, POST),
    ("/beitrag/<int:post_id>/ablehnen", reject, POST),
    ("/beitrag/<int:post_id>/aenderung-freigeben", approve_change, POST),
    ("/beitrag/<int:post_id>/aenderung-ablehnen", reject_change, POST),
    ("/beitrag/<int:post_id>/ausblenden", hide, POST),
    ("/beitrag/<int:post_id>/wiederherstellen", restore, POST),
    ("/beitrag/<int:post_id>/meldungen-erledigt", dismiss_flags, POST),
    ("/beitrag/<int:post_id>/aufdecken", reveal, BOTH),
    ("/faden/<int:thread_id>/sperren", lock, POST),
    ("/faden/<int:thread_id>/anheften", pin, POST),
    ("/faden/<int:thread_id>/verschieben", move, BOTH),
    ("/faden/<int:thread_id>/zusammenfuehren", merge, BOTH),
)
