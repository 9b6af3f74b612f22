"""The exchange for members: spaces, threads, writing, following, reporting.

The moderators' views are registered here from their own modules: moderation_views, moderation_space_views,
minutes_views."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from qualify.core.errors import error_page
from qualify.core.routing import add_signed_in_routes, id_argument, page_number
from qualify.core.time import utcnow
from qualify.courses import catalogue
from qualify.courses.models import Module
from qualify.exchange import (
    following,
    minutes,
    minutes_views,
    moderation,
    moderation_space_views,
    moderation_views,
    posting,
    pseudonyms,
    reading,
)
from qualify.exchange.access import space_of_session, visible_post, visible_space, visible_thread
from qualify.exchange.errors import ExchangeError, NotModerator
from qualify.exchange.forms import EditForm, EditOpeningForm, FollowForm, PostForm, ReasonForm, ThreadForm
from qualify.exchange.minutes_consent import my_consents, named_people_of
from qualify.exchange.minutes_names import set_consent
from qualify.exchange.minutes_text import in_readers_language
from qualify.exchange.models import ExchangePost, ExchangePseudonym, ExchangeSpace, ExchangeThread
from qualify.exchange.spaces import ensure_module_spaces, is_moderator, space_for_module, visible_spaces
from qualify.extensions import db
from qualify.learning import services as learning_services

bp = Blueprint("exchange", __name__, url_prefix="/austausch")


THREADS_PER_PAGE = 50

@bp.errorhandler(NotModerator)
def _not_moderator(error):
    return error_page(403)


def to_thread(thread: ExchangeThread, post: ExchangePost | None = None):
    anchor = f"#beitrag-{post.id}" if post is not None else ""
    return redirect(url_for("exchange.thread", thread_id=thread.id) + anchor)


def my_pseudonym(space: ExchangeSpace) -> str | None:
    """The current person's pseudonym in the space, if they have one yet (shown to them alone)."""
    return db.session.scalar(
        select(ExchangePseudonym.name).where(
            ExchangePseudonym.space_id == space.id, ExchangePseudonym.user_id == current_user.id
        )
    )


# ---------------------------------------------------------------- spaces

@bp.app_template_filter("minutes_in_readers_language")
def minutes_in_readers_language(body_html: str, level: int = 3):
    """The minutes in the reader's language, their section headings at `level` (below the page's heading)."""
    return in_readers_language(body_html, level)


bp.add_app_template_global(reading.title_language, "thread_title_lang")


@bp.app_context_processor
def exchange_panels():
    """Let the module page show how far the person is in the module's space, without importing the exchange."""
    return {"exchange_progress": module_progress}


def module_progress(module: Module) -> dict | None:
    """The person's published threads and replies to others in the module's space, against what completes it."""
    space = db.session.scalar(select(ExchangeSpace).where(ExchangeSpace.module_id == module.id))
    if space is None:
        return None
    threads, replies = posting.participation_in_space(current_user, space)
    return {"threads": threads, "replies": replies, "threads_needed": posting.THREADS_TO_COMPLETE,
            "replies_needed": posting.REPLIES_TO_COMPLETE, "premoderated": space.is_premoderated}


@bp.get("/")
@login_required
def spaces():
    """List the exchange spaces open to me."""
    if ensure_module_spaces():
        db.session.commit()
    return render_template("exchange/spaces.html", spaces=visible_spaces(current_user))


@bp.get("/wer-sieht-was")
@login_required
def privacy():
    """Explain in plain German who sees what in the exchange."""
    return render_template("exchange/privacy.html")


@bp.get("/modul/<int:module_id>")
@login_required
def module_space(module_id: int):
    """Open the space of an exchange module (created on first use)."""
    module = db.get_or_404(Module, module_id)
    if not catalogue.can_view(current_user, module.course):
        abort(404)  # before anything is created: a draft's space is not made by whoever guesses its number
    try:
        space = space_for_module(module)
    except ExchangeError:
        abort(404)
    db.session.commit()
    return redirect(url_for("exchange.space", space_id=visible_space(space.id).id))


@bp.get("/raum/<int:space_id>")
@login_required
def space(space_id: int):
    """Show a space: its guiding questions and rules, its threads, sessions and published minutes."""
    space = visible_space(space_id)
    moderator = is_moderator(current_user, space)
    version = space.module.current_version if space.module_id else None
    sessions = minutes.sessions_of(space)
    # A page of threads: a space of 2,000 threads was one page of 350 KB that took a third of a second.
    page = page_number()
    rows = reading.threads_of(space, current_user, moderator=moderator, limit=THREADS_PER_PAGE + 1,
                              offset=(page - 1) * THREADS_PER_PAGE)
    published = minutes.published_minutes(space)
    return render_template(
        "exchange/space.html",
        space=space,
        moderator=moderator,
        shown_title=reading.shown_title,
        version=version,
        rows=rows[:THREADS_PER_PAGE],
        page=page,
        has_next=len(rows) > THREADS_PER_PAGE,
        sessions=sessions,
        my_consents=my_consents(sessions, current_user),
        minutes=published,
        named_people=named_people_of([record for _session, record in published], published=True),
    )


@bp.route("/raum/<int:space_id>/neu", methods=["GET", "POST"])
@login_required
def new_thread(space_id: int):
    """Start a thread in a space."""
    space = visible_space(space_id)
    moderator = is_moderator(current_user, space)
    form = ThreadForm()
    if form.validate_on_submit():
        try:
            thread = posting.start_thread(space, current_user, form.title.data, form.body.data,
                                          anonymous=form.anonymous.data, now=utcnow())
        except ExchangeError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            if space.is_premoderated and not moderator:
                flash(_("Danke! Ihr Beitrag wird von der Moderation geprüft und dann für alle sichtbar."))
            else:
                flash(_("Danke! Ihr Beitrag ist jetzt für alle im Raum sichtbar."), "success")
            _say_what_was_completed()
            return to_thread(thread)
    return render_template("exchange/new_thread.html", space=space, form=form, pseudonym=my_pseudonym(space),
                           moderator=moderator)


# ---------------------------------------------------------------- threads and posts

@bp.get("/faden/<int:thread_id>")
@login_required
def thread(thread_id: int):
    """Show a thread with the posts I may see, and the reply form (prefilled when quoting)."""
    thread, moderator = visible_thread(thread_id)
    if thread.merged_into_id is not None:
        return redirect(url_for("exchange.thread", thread_id=thread.merged_into_id))
    form = PostForm()
    quoted = db.session.get(ExchangePost, id_argument(request.args.get("zitat")) or 0)
    if quoted is not None and quoted.thread_id == thread.id and quoted.status == "published":
        form.body.data, form.reply_to.data = reading.quote(quoted), str(quoted.id)
    return _thread_page(thread, moderator, form)


def _thread_page(thread: ExchangeThread, moderator: bool, form: PostForm):
    posts = reading.posts_for(thread, current_user, moderator=moderator)
    # Whoever wrote here under their pseudonym replies under it too unless they untick it: a reply under
    # their name next to it would tell everyone who the pseudonym is.
    under_pseudonym = any(post.author_id == current_user.id and post.pseudonym for post in posts)
    if under_pseudonym and request.method == "GET":
        form.anonymous.data = True
    thread_pseudonym = pseudonyms.written_under(thread, current_user) if under_pseudonym else None
    return render_template("exchange/thread.html", thread=thread, space=thread.space, moderator=moderator,
                           title=reading.shown_title(thread, current_user, moderator=moderator),
                           posts=posts, form=form, label=reading.author_label, post_name=reading.post_name,
                           now=utcnow(), can_edit=posting.can_edit, following=following.follow_of(thread, current_user),
                           follow_form=FollowForm(), pseudonym=my_pseudonym(thread.space),
                           thread_pseudonym=thread_pseudonym, under_pseudonym=under_pseudonym,
                           seen_version=moderation.seen_version,
                           opening=reading.opening_post(thread),
                           quoting_hidden=reading.quoting_hidden(posts) if moderator else {},
                           replies_closed=posting.reply_refusal(thread, moderator=moderator))


@bp.get("/faden/<int:thread_id>/antworten")
@login_required
def reply_form(thread_id: int):
    """Lead to the thread's reply form: after a refused reply the browser shows this address, and reloading or
    sharing it asks for it."""
    return redirect(url_for("exchange.thread", thread_id=thread_id) + "#antworten")


@bp.post("/faden/<int:thread_id>/antworten")
@login_required
def reply(thread_id: int):
    """Reply in a thread."""
    thread, moderator = visible_thread(thread_id)
    form = PostForm()
    if not form.validate_on_submit():
        return _thread_page(thread, moderator, form), 400  # with the text as typed and the field's error
    reply_to = (
        db.session.get(ExchangePost, id_argument(form.reply_to.data))
        if id_argument(form.reply_to.data)
        else None
    )
    try:
        post = posting.reply(thread, current_user, form.body.data, anonymous=form.anonymous.data, now=utcnow(),
                             reply_to=reply_to)
    except ExchangeError as error:  # say, locked while it was typed: the page again, with the text as typed
        db.session.rollback()
        flash(str(error), "error")
        return _thread_page(thread, moderator, form), 400
    db.session.commit()
    if post.status == "pending":
        flash(_("Danke! Ihre Antwort wird von der Moderation geprüft und dann für alle sichtbar."))
    else:
        flash(_("Danke! Ihre Antwort ist jetzt für alle im Raum sichtbar."), "success")
    _say_what_was_completed()
    return to_thread(thread, post)


def _say_what_was_completed() -> None:
    for message in learning_services.completed_in_this_request(current_user):
        flash(message, "success")


@bp.route("/beitrag/<int:post_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    """Edit my own post (within 30 minutes, or after the moderation sent it back)."""
    post, moderator = visible_post(post_id)
    title = reading.shown_title(post.thread, current_user, moderator=moderator)
    if (refusal := posting.edit_refusal(current_user, post, now=utcnow())) is not None:
        if request.method == "POST" and (request.form.get("body") or "").strip():
            # Refused while it was typed (the 30 minutes ran out, the thread was locked): the text to copy.
            return render_template("exchange/edit_post.html", post=post, form=None, refusal=refusal,
                                   typed=request.form["body"], thread=post.thread, title=title), 409
        flash(refusal, "error")
        return to_thread(post.thread, post)
    # The title too where it may change – unless the form sent has no title (a page loaded before it had one).
    with_title = posting.title_editable(post) and (request.method == "GET" or "title" in request.form)
    data = {"body": posting.text_to_edit(post), "title": post.thread.title} if request.method == "GET" else None
    form = (EditOpeningForm if with_title else EditForm)(data=data)
    if form.validate_on_submit():
        try:
            posting.edit_post(post, current_user, form.body.data, now=utcnow(),
                              title=form.title.data if with_title else None)
        except ExchangeError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            if post.has_waiting_change:
                # That it waits is said at the post (_post.html), where app.js also shows this message: said
                # there again, it stood three times on the page.
                flash(_("Ihre Änderung ist gespeichert."))
            elif post.status == "pending":
                flash(_("Ihr Beitrag ist geändert und wartet wieder auf Freigabe durch die Moderation."))
            else:
                flash(_("Ihr Beitrag ist geändert."))
            return to_thread(post.thread, post)
    return render_template("exchange/edit_post.html", post=post, form=form, thread=post.thread, moderator=moderator,
                           title=title)


@bp.post("/beitrag/<int:post_id>/loeschen")
@login_required
def delete_post(post_id: int):
    """Delete my own post."""
    post, _moderator = visible_post(post_id)
    try:
        posting.delete_post(post, current_user, now=utcnow())
    except ExchangeError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Ihr Beitrag ist gelöscht."))
    return to_thread(post.thread)


@bp.route("/beitrag/<int:post_id>/melden", methods=["GET", "POST"])
@login_required
def flag_post(post_id: int):
    """Report a post to the moderators of its space."""
    post, moderator = visible_post(post_id)
    if post.status != "published":  # only published posts can be reported; the page would show a hidden text
        abort(404)
    if post.author_id == current_user.id:
        flash(_("Eigene Beiträge können Sie nicht melden."), "error")
        return to_thread(post.thread, post)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            following.flag(post, current_user, form.reason.data, now=utcnow())
        except ExchangeError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Danke. Die Moderation sieht sich den Beitrag an."))
        return to_thread(post.thread, post)
    return render_template("exchange/flag.html", post=post, form=form, label=reading.author_label(post),
                           former=reading.by_former_member(post),
                           title=reading.shown_title(post.thread, current_user, moderator=moderator))


# ---------------------------------------------------------------- following

@bp.post("/faden/<int:thread_id>/folgen")
@login_required
def follow(thread_id: int):
    """Follow a thread: a mail for each new post, or a daily digest."""
    thread, _moderator = visible_thread(thread_id)
    form = FollowForm()
    if form.validate_on_submit():
        following.follow(thread, current_user, mode=form.mode.data, now=utcnow())
        db.session.commit()
        flash(_("Sie folgen diesem Gespräch: eine E-Mail bei jedem neuen Beitrag.") if form.mode.data == "immediate"
              else _("Sie folgen diesem Gespräch: einmal täglich eine E-Mail mit allen neuen Beiträgen."))
    return redirect(request.form.get("next_page") == "notifications" and url_for("exchange.notifications")
                    or url_for("exchange.thread", thread_id=thread.id))


@bp.post("/faden/<int:thread_id>/entfolgen")
@login_required
def unfollow(thread_id: int):
    """Stop following a thread."""
    thread, _moderator = visible_thread(thread_id)
    following.unfollow(thread, current_user)
    db.session.commit()
    flash(_("Sie folgen diesem Gespräch nicht mehr."))
    return redirect(request.form.get("next_page") == "notifications" and url_for("exchange.notifications")
                    or url_for("exchange.thread", thread_id=thread.id))


@bp.get("/benachrichtigungen")
@login_required
def notifications():
    """List the threads I follow and how I am told about them, a page at a time."""
    page = page_number()
    follows, has_next = following.followed_threads(current_user, page=page, per_page=THREADS_PER_PAGE)
    return render_template("exchange/notifications.html", follows=follows, page=page, has_next=has_next)


# ---------------------------------------------------------------- sessions

@bp.post("/termin/<int:session_id>/nennung")
@login_required
def minutes_consent(session_id: int):
    """Agree, or no longer agree, to be named in the minutes of a session I took part in."""
    session, space = space_of_session(session_id)
    try:
        set_consent(session, current_user, request.form.get("agree") == "1", now=utcnow())
    except ExchangeError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Ihre Angabe ist gespeichert."))
    return redirect(url_for("exchange.space", space_id=space.id) + "#termine")


add_signed_in_routes(bp, moderation_views.ROUTES + moderation_space_views.ROUTES + minutes_views.ROUTES)
