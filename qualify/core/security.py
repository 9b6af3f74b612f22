"""Security defaults: response headers, role checks on views, safe redirects."""

import unicodedata
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request, session
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def is_safe_redirect(target: str | None) -> bool:
    """Accept only local paths such as '/kurse?x=1', never another host in any spelling."""
    if not target:
        return False
    # Browsers drop tabs and line breaks from a URL ("/\t/evil" becomes "//evil"): no control character passes.
    if any(ch == "\\" or unicodedata.category(ch) == "Cc" for ch in target) \
            or not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def role_required(*roles: str) -> Callable:
    """Allow the view to users holding at least one of the roles; others get 403, guests the login."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.has_any_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


def _set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        # Served over HTTPS (production): browsers must never fall back to plain HTTP for this host.
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    # Pages shown to a signed-in person may carry personal data: never keep them in a cache. Asked of the
    # session cookie, not of current_user: that would query the database, which may be the very thing failing.
    if request.endpoint != "static" and "Cache-Control" not in headers and "_user_id" in session:
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Install the response headers on every response."""
    app.after_request(_set_security_headers)
