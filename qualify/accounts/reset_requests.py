"""Requests for a reset link, answered when the outbox is sent rather than in the request that asked.

The page "Passwort vergessen" must not tell a known address from an unknown one – not by its answer, and not by
how long it takes: looking the person up, signing a token and rendering a mail made the answer for a known
address measurably slower. So the request only notes the address typed, one row whatever it is, and the sending
run (core/mail.py) turns the notes into mails to the active accounts among them and forgets the rest.
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from qualify.accounts.mails import send_password_reset
from qualify.accounts.models import User
from qualify.accounts.services import normalise_email
from qualify.core.mail import mail_composer
from qualify.core.time import UTCDateTime
from qualify.extensions import db


class ResetRequest(db.Model):
    """An address someone asked a reset link for, kept only until the next sending run (a minute at most)."""

    __tablename__ = "password_reset_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)


def ask_for_reset_link(email: str, now: datetime) -> None:
    """Note that a reset link was asked for: the same single row for a known, an unknown or a deactivated
    address, and nothing looked up."""
    db.session.add(ResetRequest(email=normalise_email(email), requested_at=now))


def forget_requests_for(email: str) -> int:
    """Forget the requests noted for this address (an erased account's), compared as the sending run compares
    them: normalised, so whatever case was typed; return how many."""
    return db.session.execute(delete(ResetRequest).where(ResetRequest.email == normalise_email(email))).rowcount


@mail_composer
def send_requested_reset_links(now: datetime) -> int:
    """Queue a reset mail for each request whose address belongs to an active account; forget every request.
    Return how many mails were queued."""
    requests = list(db.session.scalars(select(ResetRequest).order_by(ResetRequest.id)))
    if not requests:
        return 0
    emails = {request.email for request in requests}
    users = {user.email: user for user in db.session.scalars(select(User).where(User.email.in_(emails)))}
    wanted = [user for request in requests if (user := users.get(request.email)) is not None and user.active]
    if wanted:
        # The mail's templates are the pages' (they expect a request); its links point at the configured address.
        with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
            for user in wanted:
                send_password_reset(user).next_attempt_at = now  # due in the run that composed it
    db.session.execute(delete(ResetRequest).where(ResetRequest.id.in_([request.id for request in requests])))
    return len(wanted)
