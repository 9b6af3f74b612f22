"""What is counted per address: the reset mails asked for on "Passwort vergessen" (LoginFailure rows of kind
"reset", see auth.count_reset_request), and what an address change does to them.

They are kept under a hash of "reset:<address>": enough to count, nothing to read.
"""

import hashlib

from sqlalchemy import update

from qualify.accounts.models import LoginFailure
from qualify.extensions import db


def counter_key(key: str) -> str:
    """The hash a counter is kept under (LoginFailure.key_hash)."""
    return hashlib.sha256(key.encode()).hexdigest()


def reset_key(email: str) -> str:
    """The key the reset mails for this (normalised) address are counted under."""
    return counter_key(f"reset:{email}")


def move_reset_counters(old_email: str, new_email: str) -> int:
    """Count the reset mails of the last day that went to a person's old address under their new one; return how
    many. Addresses as stored (normalised).

    The daily cap is the person's: changing the address does not start it afresh. And the old address, free
    again, carries nothing into the next holder's day.

    The failed sign-ins typed for the old address stay where they were typed: they lapse with the throttle window,
    and carried over they would tell whoever failed at the old address, in the attempts the sign-in page says
    are left, that the new one is its account's – while a locked-out person's new address is a way back in.
    """
    return db.session.execute(
        update(LoginFailure).where(LoginFailure.key_hash == reset_key(old_email), LoginFailure.kind == "reset")
        .values(key_hash=reset_key(new_email)).execution_options(synchronize_session=False)).rowcount
