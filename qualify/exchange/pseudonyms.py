"""Pseudonyms: stable within a space, unlinkable across spaces, drawn from German words ("Stille Eule 42").

The name is derived from HMAC(secret key, "space_id:user_id"), so nobody without the key can compute
whose it is, and two spaces give the same person unrelated names. It is stored on first use, which keeps it
stable should the key ever rotate, and lets the database refuse two people the same name in one space.

Within one thread a person keeps the name they wrote under there, even once a moderator moved the
thread into another space: two names of one person side by side would link them.
"""

import hashlib
import hmac

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from qualify.exchange.models import ExchangePost, ExchangePseudonym, ExchangeSpace, ExchangeThread
from qualify.extensions import db

ADJECTIVES = (
    "still",
    "flink",
    "klug",
    "mutig",
    "ruhig",
    "wach",
    "kühn",
    "sanft",
    "froh",
    "treu",
    "schlau",
    "hell",
    "warm",
    "leise",
    "munter",
    "fein",
    "rasch",
    "zart",
    "stark",
    "bunt",
    "weise",
    "heiter",
    "tapfer",
    "fleißig",
    "geduldig",
    "neugierig",
    "freundlich",
    "gelassen",
    "lustig",
    "pfiffig",
    "wendig",
    "emsig",
    "eifrig",
    "gewitzt",
    "achtsam",
    "wacker",
)
# (noun, gender): the adjective's ending follows it – Stiller Fuchs, Stille Eule, Stilles Reh.
ANIMALS = (
    ("Fuchs", "m"), ("Dachs", "m"), ("Luchs", "m"), ("Biber", "m"), ("Igel", "m"), ("Otter", "m"),
    ("Falke", "m"), ("Rabe", "m"), ("Adler", "m"), ("Hase", "m"), ("Wal", "m"), ("Bär", "m"), ("Wolf", "m"),
    ("Specht", "m"), ("Kranich", "m"), ("Eisvogel", "m"), ("Delfin", "m"), ("Pinguin", "m"),
    ("Eule", "f"), ("Amsel", "f"), ("Möwe", "f"), ("Robbe", "f"), ("Lerche", "f"), ("Meise", "f"),
    ("Katze", "f"), ("Ziege", "f"), ("Libelle", "f"), ("Hummel", "f"), ("Ente", "f"), ("Gans", "f"),
    ("Reh", "n"), ("Eichhörnchen", "n"), ("Pferd", "n"), ("Schaf", "n"), ("Zebra", "n"), ("Lama", "n"),
    ("Murmeltier", "n"), ("Rotkehlchen", "n"), ("Wiesel", "n"), ("Pony", "n"),
)
ENDINGS = {"m": "er", "f": "e", "n": "es"}
MAX_TRIES = 20


def _inflect(adjective: str, gender: str) -> str:
    stem = adjective[:-1] if adjective.endswith("e") else adjective
    return (stem + ENDINGS[gender]).capitalize()


def candidate(space_id: int, user_id: int, attempt: int = 0) -> str:
    """Derive the attempt-th candidate name for this person in this space from the secret key."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"exchange-pseudonym:{space_id}:{user_id}:{attempt}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    adjective = ADJECTIVES[int.from_bytes(digest[0:4], "big") % len(ADJECTIVES)]
    animal, gender = ANIMALS[int.from_bytes(digest[4:8], "big") % len(ANIMALS)]
    number = 10 + int.from_bytes(digest[8:12], "big") % 90
    return f"{_inflect(adjective, gender)} {animal} {number}"


def pseudonym_for(space: ExchangeSpace, user) -> str:
    """Return the person's pseudonym in the space, choosing (and storing) it on first use."""
    stmt = select(ExchangePseudonym.name).where(ExchangePseudonym.space_id == space.id,
                                                ExchangePseudonym.user_id == user.id)
    existing = db.session.scalar(stmt)
    if existing:
        return existing
    for attempt in range(MAX_TRIES):
        name = candidate(space.id, user.id, attempt)
        try:
            with db.session.begin_nested():
                db.session.add(ExchangePseudonym(space_id=space.id, user_id=user.id, name=name))
        except IntegrityError:  # the name is taken in this space, or this person got one a moment ago
            existing = db.session.scalar(stmt)
            if existing:
                return existing
            continue
        return name
    raise RuntimeError("no free pseudonym found")


def written_under(thread: ExchangeThread, user) -> str | None:
    """The pseudonym the person last wrote under in this thread, if any."""
    return db.session.scalar(
        select(ExchangePost.pseudonym)
        .where(ExchangePost.thread_id == thread.id, ExchangePost.author_id == user.id,
               ExchangePost.pseudonym.is_not(None))
        .order_by(ExchangePost.id.desc()).limit(1))


def pseudonym_in_thread(thread: ExchangeThread, space: ExchangeSpace, user) -> str:
    """Return the name the person writes under in this thread: the one they wrote under there before (a moved
    thread keeps it), else their pseudonym in the space."""
    earlier = written_under(thread, user) if thread.id is not None else None
    return earlier or pseudonym_for(space, user)
