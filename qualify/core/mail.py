"""E-mail through an outbox: written in the same transaction as the change, sent later by the scheduler."""

import itertools
import logging
import smtplib
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import JSON, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from qualify.core.time import UTCDateTime, utcnow
from qualify.extensions import db

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8

# Attachments made when the message is sent rather than when it is queued: {"make": name, ...arguments}
# in the outbox, turned into {"filename", "content_type", "data"} by the maker registered under that name.
# A calendar file costs more than the rest of a booking; the person waits for the booking, not the mail.
ATTACHMENT_MAKERS: dict[str, Callable[[dict], dict | None]] = {}


def attachment_maker(name: str):
    """Register a function that makes a deferred attachment from its arguments (None: leave it out)."""
    def register(make: Callable[[dict], dict | None]):
        ATTACHMENT_MAKERS[name] = make
        return make
    return register


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipient: Mapped[str] = mapped_column(String(320), index=True)  # a person's data export lists their mail
    # Whom it is for, where a person: their mail goes with their account even when sent to an address they had
    # before (the erasure found mail by the current address only, and left the old ones with their name).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)

    def made_attachments(self) -> list[dict]:
        """Return the attachments with their data, making the deferred ones now."""
        made = []
        for attachment in self.attachments:
            if "make" in attachment:
                attachment = ATTACHMENT_MAKERS[attachment["make"]](attachment)
            if attachment is not None:
                made.append(attachment)
        return made


# Mail a feature writes only when the outbox is sent, not in the request that asked for it: where the answer must
# take as long whatever it leads to (a reset link asked for a known address or an unknown one), the request only
# notes what was asked. Each composer queues what its notes call for (and forgets them); every sending run calls
# the composers first, so that such mail goes out in the same run.
MAIL_COMPOSERS: list[Callable[[datetime], object]] = []


def mail_composer(compose: Callable[[datetime], object]):
    """Register a function of `now` that queues deferred mail before each sending run."""
    MAIL_COMPOSERS.append(compose)
    return compose


def absolute_url(endpoint: str, **values) -> str:
    """Build a full link for a mail from BASE_URL, in a request as in the scheduler.

    Never from the request: its Host header is whatever the sender of the request wrote, and a password
    reset asked for with `Host: attacker.example` would mail the person a link that hands the token over.
    """
    base = urlsplit(current_app.config["BASE_URL"])
    urls = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return urls.build(endpoint, values, force_external=True)


def single_line(text: str) -> str:
    """Collapse whitespace so that user-provided titles cannot inject mail headers."""
    return " ".join(text.split())


def queue_mail(recipient, subject: str, body_text: str, body_html: str | None = None,
               attachments: list[dict] | None = None) -> OutboxMessage | None:
    """Add a message to the outbox; it is sent once the surrounding transaction commits. `recipient`: a person
    (their address, and the mail kept as theirs) or an address.

    A deactivated person gets nothing (None): someone who left, or whose account is blocked, is not written
    to about followed conversations, requests to decide or reminders – their work address may be someone
    else's by now.
    """
    if getattr(recipient, "active", True) is False:
        return None
    message = OutboxMessage(
        recipient=single_line(getattr(recipient, "email", recipient)),
        user_id=getattr(recipient, "id", None),
        subject=single_line(subject)[:300],
        body_text=body_text,
        body_html=body_html,
        attachments=attachments or [],
    )
    db.session.add(message)
    return message


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """Turn an outbox row into a MIME message (plain text, optional HTML, attachments)."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="qualify.invalid")
    email["Date"] = formatdate(usegmt=True)  # when it leaves; mail clients sort and show by it
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    for attachment in message.made_attachments():
        # "text/calendar; method=REQUEST": the parameters go on the part's Content-Type (iMIP, RFC 6047).
        mime_type, *parameters = (part.strip() for part in attachment["content_type"].split(";"))
        maintype, subtype = mime_type.split("/", 1)
        email.add_attachment(attachment["data"].encode(), maintype=maintype, subtype=subtype,
                             filename=attachment["filename"],
                             params=dict(parameter.split("=", 1) for parameter in parameters) or None)
    # Headers on one line (up to SMTP's 998 characters): Python 3.11 drops the space between two encoded words
    # when it folds a header ("Gespräche üben" arrived as "Gesprächeüben"). The body is encoded already.
    email.policy = email.policy.clone(max_line_length=998)
    return email


def _transport(email: EmailMessage, config) -> None:
    if config["MAIL_SERVER"]:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(email)
    elif config["MAIL_FILE_DIR"]:
        folder = Path(config["MAIL_FILE_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        name = email["Message-ID"].strip("<>").replace("@", "_")
        (folder / f"{name}.eml").write_bytes(email.as_bytes())
    else:
        log.info("Mail (no SMTP server configured):\n%s", email.as_string())


def backoff(attempts: int) -> timedelta:
    """Wait longer after each failed attempt: 1, 2, 4 … minutes, at most six hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def _log_failure(message: OutboxMessage) -> None:
    # The outbox id and the recipient's domain, never the body: enough to find the row and to see a relay
    # refusing one domain. (The error is the server's own words and may quote the address.)
    domain = message.recipient.rpartition("@")[2] or "?"
    if message.attempts >= MAX_ATTEMPTS:
        log.error("Mail %d to …@%s given up after %d attempts: %s", message.id, domain, message.attempts,
                  message.last_error)
    else:
        log.warning("Mail %d to …@%s failed (attempt %d of %d, next at %s): %s", message.id, domain,
                    message.attempts, MAX_ATTEMPTS, message.next_attempt_at.isoformat(timespec="seconds"),
                    message.last_error)


# A run sends until the outbox is empty or this much time has passed, so that it ends before the next run is due
# (every minute): a fixed number per run left one person's invitation minutes behind a 300-person import.
SENDING_SECONDS_PER_RUN = 50


def compose_deferred_mail(now: datetime) -> None:
    """Let every registered composer queue its deferred mail, each in a transaction of its own: one that fails
    is logged and tried again in the next run, and the others and the sending go on."""
    for compose in MAIL_COMPOSERS:
        try:
            compose(now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("Composing deferred mail failed in %s", compose.__qualname__)


def send_due_mail(now: datetime, *, limit: int | None = None) -> int:
    """Send what is due in the outbox (at most `limit` messages, else for SENDING_SECONDS_PER_RUN), rescheduling
    failures with backoff; return the count sent."""
    compose_deferred_mail(now)
    # One message at a time, locked while it is sent: should a second sender ever run beside this one (the
    # scheduler lock prevents it), it skips the message instead of sending it again. SQLite has one writer.
    next_due = (select(OutboxMessage)
                .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now,
                       OutboxMessage.attempts < MAX_ATTEMPTS)
                .order_by(OutboxMessage.id).limit(1).with_for_update(skip_locked=True))
    sent = 0
    sender = current_app.config["MAIL_SENDER"]
    stop_at = time.monotonic() + SENDING_SECONDS_PER_RUN
    for _ in itertools.repeat(None) if limit is None else range(limit):
        if time.monotonic() > stop_at:
            break
        message = db.session.scalars(next_due).first()
        if message is None:
            break
        message.attempts += 1
        try:
            _transport(build_email(message, sender), current_app.config)
        except (OSError, smtplib.SMTPException) as error:
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            message.next_attempt_at = now + backoff(message.attempts)
            _log_failure(message)
        else:
            message.sent_at = now
            message.last_error = None
            sent += 1
        db.session.commit()  # one commit per message, so a crash never resends what went out
    return sent
