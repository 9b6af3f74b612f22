"""What people write in the exchange: the length limits, and Markdown checked and rendered once for storing."""

from flask_babel import gettext as _

from qualify.core.markdown import render_markdown
from qualify.exchange.errors import ExchangeError

MAX_POST_LENGTH = 20_000
MAX_TITLE_LENGTH = 200
# What a moderator (or a member reporting a post) writes as a reason: the forms' limit and the server's check.
MAX_REASON = 2000


def render_post_body(text: str):
    """Check the length and render Markdown once, for storing."""
    if not text.strip():
        raise ExchangeError(_("Bitte schreiben Sie einen Text."))
    if len(text) > MAX_POST_LENGTH:
        raise ExchangeError(_("Der Beitrag ist zu lang (höchstens %(limit)s Zeichen).", limit="20.000"))
    return render_markdown(text)
