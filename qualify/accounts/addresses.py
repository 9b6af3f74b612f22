"""Which e-mail addresses the platform can send mail to."""

import unicodedata

from flask_babel import gettext as _
from wtforms.validators import StopValidation

from qualify.core.text import spelt_out


def local_part_problem(email: str) -> str | None:
    """Say why an address with non-ASCII characters before the @ is refused, or return None.

    Such an address needs SMTPUTF8, which many mail servers lack, and the To header the platform writes for
    it is malformed. Mail systems that show "jörg@" usually deliver to an ASCII address such as "joerg@".
    """
    local, at, domain = email.rpartition("@")
    if not at or local.isascii():
        return None
    guess = unicodedata.normalize("NFKD", spelt_out(unicodedata.normalize("NFC", local)))
    guess = "".join(ch for ch in guess if not unicodedata.combining(ch))
    if guess.isascii() and not any(ch.isspace() for ch in guess):  # "hans müller@" has a second problem
        return _("Umlaute und andere Sonderzeichen vor dem @ kann nicht jeder Mailserver zustellen – bitte die "
                 "Adresse so angeben, wie sie im Mailsystem steht, z. B. %(example)s.", example=f"{guess}@{domain}")
    return _("Umlaute und andere Sonderzeichen vor dem @ kann nicht jeder Mailserver zustellen – bitte die "
             "Adresse so angeben, wie sie im Mailsystem steht.")


def sendable_address(form, field) -> None:
    """WTForms validator: refuse addresses that local_part_problem refuses – and stop there: the address check
    after it would only add "Ungültige E-Mail-Adresse." to the hint that says how to write it."""
    problem = local_part_problem(field.data or "")
    if problem:
        raise StopValidation(problem)


def masked_address(email: str) -> str:
    """The address with most of its part before the @ hidden ("ma…@example.org"): enough for its owner to know
    it, too little for whoever reads the old mailbox to write to it."""
    local, at, domain = email.rpartition("@")
    if not at:
        return "…"
    return f"{local[:2] if len(local) > 4 else local[:1]}…@{domain}"

