"""The exchange for moderators and admins: queue, decisions, threads, spaces, log, export, reveal, minutes.

Registered on the exchange blueprint from the ROUTES table at the end of this file; each checks its object.
"""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms import SelectChoice

from qualify.accounts.models import Organisation, User, UserRole
from qualify.accounts.roles import Role
from qualify.core.database import in_german_order
from qualify.core.routing import BOTH, GET, POST
from qualify.core.security import is_safe_redirect, role_required
from qualify.core.templating import content_lang_attributes
from qualify.core.time import utcnow
from qualify.exchange import minutes, minutes_consent, minutes_names, minutes_text, moderation
from qualify.exchange.access import moderated_post, moderated_space, moderated_thread, space_of_session
from qualify.exchange.errors import ExchangeError, ReasonRefused
from qualify.exchange.forms import (
    MergeForm,
    MinutesForm,
    ModeratorForm,
    MoveForm,
    PublishMinutesForm,
    ReasonForm,
    SpaceForm,
)
from qualify.exchange.mails import excerpt
from qualify.exchange.models import ExchangePost, ExchangeThread
from qualify.exchange.reading import (
    author_label,
    post_name,
    posts_in_space,
    quoting_hidden_in_queue,
    quoting_replies,
    threads_of,
)
from qualify.exchange.spaces import assign_moderator, create_space, moderators_of, unassign_moderator
from qualify.extensions import db

LOG_ACTIONS = {
    "approve": _l("freigegeben"), "reject": _l("abgelehnt"), "hide": _l("ausgeblendet"),
    "restore": _l("wiederhergestellt"), "dismiss_flags": _l("Meldungen erledigt"), "lock": _l("gesperrt"),
    "unlock": _l("entsperrt"), "pin": _l("angeheftet"), "unpin": _l("gelöst"), "move": _l("verschoben"),
    "merge": _l("zusammengeführt"),
    "publish_minutes": _l("Protokoll veröffentlicht"), "approve_change": _l("Änderung freigegeben"),
    "reject_change": _l("Änderung abgelehnt"), "reject_minutes_change": _l("Änderung abgelehnt"),
}

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
    spaces = moderation.moderated_spaces(current_user)
    ids = [space.id for space in spaces]
    pending = moderation.pending_posts(ids, limit=QUEUE_SIZE + 1)
    flags = moderation.open_flags(ids, limit=QUEUE_SIZE + 1)
    waiting_minutes = moderation.waiting_minutes(ids, limit=QUEUE_SIZE + 1)
    return render_template(
        "exchange/queue.html",
        spaces=spaces,
        pending=pending[:QUEUE_SIZE],
        quoting_hidden=quoting_hidden_in_queue(pending[:QUEUE_SIZE]),
        rejected_before=moderation.earlier_rejections(pending[:QUEUE_SIZE]),
        reason_of=moderation.shown_reason,
        more_pending=len(pending) > QUEUE_SIZE,
        flags=flags[:QUEUE_SIZE],
        more_flags=len(flags) > QUEUE_SIZE,
        minutes=waiting_minutes[:QUEUE_SIZE],
        more_minutes=len(waiting_minutes) > QUEUE_SIZE,
        label=author_label,
        post_name=post_name,
        seen_version=moderation.seen_version,
        excerpt=excerpt,
        clamp=QUEUE_CLAMP,
    )


@role_required(Role.MODERATOR, Role.ADMIN)
def new_space():
    """Open a free-standing space on a topic, for one organisation or the whole network."""
    form = SpaceForm()
    organisations = (
        db.session.scalars(db.select(Organisation).order_by(in_german_order(Organisation.name))).all()
        if current_user.has_role(Role.ADMIN)
        else [current_user.organisation]
        if current_user.organisation
        else []
    )
    form.scope.choices = [SelectChoice("network", _("das ganze Netzwerk"))] + [
        SelectChoice(str(o.id), o.name) for o in organisations]
    if form.validate_on_submit():
        organisation_id = None if form.scope.data == "network" else int(form.scope.data)
        space = create_space(
            form.title.data,
            form.description.data or "",
            organisation_id=organisation_id,
            moderation=form.moderation.data,
            anonymous=form.anonymous.data,
            by=current_user,
            now=utcnow(),
        )
        db.session.commit()
        flash(_("Der Raum ist eröffnet. Sie moderieren ihn."))
        return redirect(url_for("exchange.space", space_id=space.id))
    return render_template("exchange/space_form.html", form=form)


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
        moderation.set_locked(thread, locked, by=current_user, now=utcnow(), reason=request.form.get("reason", ""))
    except ExchangeError as error:
        return _refused(error, thread)
    return _done(_("Gespräch gesperrt.") if locked else _("Gespräch wieder offen."), thread)


def pin(thread_id: int):
    """Pin a thread to the top of its space, or release it."""
    thread = moderated_thread(thread_id)
    pinned = request.form.get("value") == "1"
    moderation.set_pinned(thread, pinned, by=current_user, now=utcnow())
    return _done(_("Gespräch angeheftet.") if pinned else _("Gespräch gelöst."), thread)


def move(thread_id: int):
    """Move a thread to another space I moderate: only the spaces that would take it are offered."""
    thread = moderated_thread(thread_id)
    form = MoveForm()
    others = [space for space in moderation.moderated_spaces(current_user) if space.id != thread.space_id]
    open_to, refused = moderation.move_targets(thread, others)
    form.target.choices = [_space_choice(space) for space in open_to]
    if form.is_submitted():
        if form.target.data == thread.space_id:
            # Sent again once it moved (a double tap, a reload): moderation.move finds it done, or says it is there.
            form.target.choices.append(SelectChoice(thread.space_id, thread.space.title))
        elif chosen := next((space for space, _why in refused if space.id == form.target.data), None):
            # Chosen on a page loaded before the thread changed: moderation.move refuses it, saying why.
            form.target.choices.append(_space_choice(chosen))
    if refused and open_to:
        form.target.description = _("Angeboten werden nur Räume, die dieses Gespräch aufnehmen können; die "
                                    "übrigen stehen mit dem Grund unter dem Formular.")
    if form.validate_on_submit():
        target = moderated_space(form.target.data)
        try:
            moderation.move(thread, target, by=current_user, now=utcnow(), reason=form.reason.data or "")
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
                moderation.check_merge(thread, target, by=current_user)
                return render_template("exchange/merge.html", thread=thread, form=form, target=target,
                                       posts=moderation.posts_to_merge(thread))
            moderation.merge(thread, target, by=current_user, now=utcnow(), reason=form.reason.data or "")
        except ExchangeError as error:
            _refused_in_form(error, form, form.target)
        else:
            db.session.commit()
            flash(_("Die Gespräche sind zusammengeführt."))
            return redirect(url_for("exchange.thread", thread_id=target.id))
    return render_template("exchange/merge.html", thread=thread, form=form, target=None)


# ---------------------------------------------------------------- spaces: log, export, moderators

def space_log(space_id: int):
    """Show the space's moderation log (its moderators and admins)."""
    space = moderated_space(space_id)
    entries = moderation.log_entries(space)
    return render_template("exchange/log.html", space=space, entries=entries, threads=moderation.threads_now(entries),
                           actions=LOG_ACTIONS, reason_of=moderation.shown_reason,
                           details_of=moderation.shown_details)


def export(space_id: int):
    """Export the space's threads as JSON; authors appear as shown (pseudonyms stay pseudonyms)."""
    space = moderated_space(space_id)
    threads = []
    rows = threads_of(space, current_user, moderator=True)
    posts_by_thread = posts_in_space(space)  # with their authors: not two statements per thread and author
    for row in rows:
        posts = [{"id": post.id, "author": author_label(post), "pseudonymous": post.is_pseudonymous,
                  "status": post.status, "created_at": post.created_at.isoformat(),
                  "edited": post.edited_at is not None, "text": post.body_source}
                 for post in posts_by_thread.get(row.thread.id, []) if post.status != "deleted"]
        threads.append({"id": row.thread.id, "title": row.thread.title, "pinned": row.thread.pinned,
                        "locked": row.thread.locked, "posts": posts})
    response = jsonify({"space": {"id": space.id, "title": space.title}, "threads": threads})
    response.headers["Content-Disposition"] = f'attachment; filename="austausch-{space.id}.json"'
    return response


@role_required(Role.ADMIN)
def moderators(space_id: int):
    """Assign people with the moderator role to a space (admins)."""
    space = moderated_space(space_id)
    form = ModeratorForm()
    assigned = moderators_of(space)
    # The moderators only, found by the database: reading every active person to ask each for the role took
    # seconds with twenty thousand people.
    moderators = (db.select(User).join(UserRole, UserRole.user_id == User.id)
                  .where(UserRole.role == Role.MODERATOR.value, User.active.is_(True))
                  .order_by(in_german_order(User.display_name)))
    candidates = [user for user in db.session.scalars(moderators) if user not in assigned]
    form.user_id.choices = [SelectChoice(user.id, f"{user.display_name} ({user.email})") for user in candidates]
    if form.validate_on_submit():
        assign_moderator(
            space, db.get_or_404(User, form.user_id.data), by=current_user, now=utcnow()
        )
        db.session.commit()
        flash(_("Zugewiesen."))
        return redirect(url_for("exchange.moderators", space_id=space.id))
    return render_template("exchange/moderators.html", space=space, form=form, assigned=assigned)


@role_required(Role.ADMIN)
def remove_moderator(space_id: int, user_id: int):
    """Take a moderator off a space (admins)."""
    space = moderated_space(space_id)
    unassign_moderator(space, db.get_or_404(User, user_id), by=current_user)
    db.session.commit()
    flash(_("Die Zuweisung ist aufgehoben."))
    return redirect(url_for("exchange.moderators", space_id=space.id))


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


# ---------------------------------------------------------------- minutes of exchange sessions

def _minutes_form(session, current, *, posted: bool) -> MinutesForm:
    """The form of the minutes: as posted, or filled from the saved minutes."""
    form = MinutesForm() if posted else MinutesForm(formdata=None, obj=current)
    agreed = minutes_consent.consenting_ids(session)
    form.named.choices = [SelectChoice(p.id, p.display_name) for p in minutes_consent.participants(session)
                          if p.id in agreed]
    if not posted and current:
        form.named.data = [i for i in current.named_user_ids or [] if i in agreed]
    return form


def _confirmed(form) -> str | None:
    """The confirmation of the name check the moderator ticked, if they did."""
    return form.confirmation.data if form.names_checked.data else None


def _minutes_page(session, space, current, form, *, name_check=None, publish_refused=None):
    """The minutes page; name_check: the names the posted text warns of; publish_refused: those the draft
    warns of, after an approval without confirming. A draft's warnings stand by its approve button anyway."""
    if name_check is not None:
        form.confirmation.data, form.names_checked.data = name_check.confirmation, False
        for field, warnings in name_check.by_field().items():
            getattr(form, field).description = warnings
    publish_form = PublishMinutesForm(formdata=None, prefix="publish")
    publish_check = publish_refused
    # A draft naming in full someone who has not agreed (or no longer does) is refused outright: the page says so
    # rather than asking whether a word of it could mean them.
    named = []
    if current is not None and current.status == "draft":
        named = minutes_names.unconsented_mentions(session, list(minutes_text.texts_of(current).values()))
        if publish_check is None:
            publish_check = minutes_names.names_to_confirm(session, minutes_text.texts_of(current))
    if publish_check is not None:
        publish_form.confirmation.data = publish_check.confirmation
    return render_template("exchange/minutes_form.html", session=session, space=space, form=form,
                           minutes=current, consents=minutes_consent.consents(session), name_check=name_check,
                           publish_form=publish_form, publish_check=publish_check,
                           publish_refused=publish_refused is not None, named_people=minutes_consent.named_people,
                           named_without_consent=[person.display_name for person in named])


def minutes_form(session_id: int):
    """Write the structured minutes of a session (a draft until approved)."""
    session, space = space_of_session(session_id)
    moderated_space(space.id)
    current = minutes_text.minutes_of(session)
    form = _minutes_form(session, current, posted=request.method != "GET")
    name_check = None
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data or "" for name, _label in minutes_text.SECTIONS}
        try:
            saved = minutes.save_minutes(session, space, fields, form.named.data or [], by=current_user,
                                         now=utcnow(), confirmed=_confirmed(form))
        except minutes_names.NamesToConfirm as check:  # nothing saved; the form keeps the text and asks
            db.session.rollback()
            name_check = check
        except ExchangeError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            if saved.status == "published":  # sent back as approved: nothing to approve again
                flash(_("Keine Änderungen – das Protokoll bleibt veröffentlicht."))
            elif saved.has_waiting_change:
                flash(_("Änderung gespeichert. Bis sie freigegeben ist, sehen die Teilnehmenden im Raum weiter die "
                        "veröffentlichte Fassung."))
            else:
                flash(_("Entwurf gespeichert. Nach der Freigabe sehen ihn alle im Raum."))
            return redirect(url_for("exchange.minutes_form", session_id=session.id))
    return _minutes_page(session, space, current, form, name_check=name_check)


def _moderated_minutes(session_id: int):
    """The session, its space and its minutes, for a moderator of that space (404 without minutes)."""
    session, space = space_of_session(session_id)
    moderated_space(space.id)
    current = minutes_text.minutes_of(session)
    if current is None:
        abort(404)
    return session, space, current


def publish_minutes(session_id: int):
    """Approve the minutes: they appear in the space."""
    session, space, current = _moderated_minutes(session_id)
    try:
        minutes.publish_minutes(current, session, space, by=current_user, now=utcnow(),
                                confirmed=_confirmed(PublishMinutesForm(prefix="publish")))
    except minutes_names.NamesToConfirm as check:
        db.session.rollback()
        return _minutes_page(session, space, current, _minutes_form(session, current, posted=False),
                             publish_refused=check)
    except ExchangeError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("exchange.minutes_form", session_id=session.id))
    db.session.commit()
    flash(_("Das Protokoll ist veröffentlicht."))
    return redirect(url_for("exchange.space", space_id=space.id) + "#protokolle")


def reject_minutes_change(session_id: int):
    """Reject the change waiting beside published minutes: the published version stays, in the form too."""
    session, space, current = _moderated_minutes(session_id)
    if minutes.reject_change(current, session, space, by=current_user, now=utcnow()):
        db.session.commit()
        flash(_("Die Änderung ist abgelehnt. Im Raum bleibt die veröffentlichte Fassung."))
    else:  # sent twice, or decided on meanwhile: the page shows how the minutes stand
        flash(_("Es wartet keine Änderung des Protokolls mehr."))
    return redirect(url_for("exchange.minutes_form", session_id=session.id))


# Registered by the blueprint's module with core.routing.add_signed_in_routes.
ROUTES = (
    ("/moderation", moderation_queue, GET),
    ("/raum/neu", new_space, BOTH),
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
    ("/raum/<int:space_id>/protokoll", space_log, GET),
    ("/raum/<int:space_id>/export.json", export, GET),
    ("/raum/<int:space_id>/moderation", moderators, BOTH),
    ("/raum/<int:space_id>/moderation/<int:user_id>/entfernen", remove_moderator, POST),
    ("/termin/<int:session_id>/protokoll", minutes_form, BOTH),
    ("/termin/<int:session_id>/protokoll/freigeben", publish_minutes, POST),
    ("/termin/<int:session_id>/protokoll/aenderung-ablehnen", reject_minutes_change, POST),
)
