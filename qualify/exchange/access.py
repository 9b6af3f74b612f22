"""Loading objects for a view, with the access check on every one: post → thread → space → person."""

from flask import abort
from flask_login import current_user

from qualify.exchange.errors import ExchangeError
from qualify.exchange.models import ExchangePost, ExchangeSpace, ExchangeThread
from qualify.exchange.reading import can_read, can_see_thread
from qualify.exchange.spaces import can_see, is_moderator, space_for_module
from qualify.extensions import db
from qualify.workshops.models import WorkshopSession


def visible_space(space_id: int) -> ExchangeSpace:
    """The space, if the current person may enter it (else 404: its existence is nobody else's business)."""
    space = db.get_or_404(ExchangeSpace, space_id)
    if not can_see(current_user, space):
        abort(404)
    return space


def visible_thread(thread_id: int) -> tuple[ExchangeThread, bool]:
    """The thread and whether the current person moderates it, if they may see it."""
    thread = db.get_or_404(ExchangeThread, thread_id)
    space = visible_space(thread.space_id)
    moderator = is_moderator(current_user, space)
    if thread.merged_into_id is None and not can_see_thread(
        current_user, thread, moderator=moderator
    ):
        abort(404)
    return thread, moderator


def visible_post(post_id: int) -> tuple[ExchangePost, bool]:
    """The post and whether the current person moderates it, if they may see it."""
    post = db.get_or_404(ExchangePost, post_id)
    _thread, moderator = visible_thread(post.thread_id)
    if not can_read(current_user, post, moderator=moderator):
        abort(404)
    return post, moderator


def moderated_space(space_id: int) -> ExchangeSpace:
    """The space, if the current person moderates it: 403 to others who may enter it, 404 to the rest (as the
    pages answer, so that nobody learns by trying which ids exist)."""
    space = db.get_or_404(ExchangeSpace, space_id)
    if not is_moderator(current_user, space):
        visible_space(space_id)
        abort(403)
    return space


def moderated_thread(thread_id: int) -> ExchangeThread:
    """The thread, if the current person moderates its space (403 or 404 as for moderated_space)."""
    thread = db.get_or_404(ExchangeThread, thread_id)
    if not is_moderator(current_user, thread.space):
        visible_thread(thread_id)
        abort(403)
    return thread


def moderated_post(post_id: int) -> ExchangePost:
    """The post, if the current person moderates the space of its thread (403 or 404 as for moderated_space)."""
    post = db.get_or_404(ExchangePost, post_id)
    if not is_moderator(current_user, post.thread.space):
        visible_post(post_id)
        abort(403)
    return post


def space_of_session(session_id: int) -> tuple[WorkshopSession, ExchangeSpace]:
    """An exchange session and the space of its module, if the current person may enter it."""
    session = db.get_or_404(WorkshopSession, session_id)
    try:
        space = space_for_module(session.module)
    except ExchangeError:
        abort(404)
    return session, visible_space(space.id)
