"""Uploaded media are judged by their content, never by the name or type the browser sends."""

import re

from flask_babel import gettext as _

MAX_MEDIA_BYTES = 5 * 1024 * 1024
MEDIA_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}\.(png|jpe?g|gif|webp|svg|pdf)\Z")
# An SVG starts with <svg, perhaps after a byte order mark, an XML declaration, comments and a doctype.
_SVG_START = re.compile(rb"^(\xef\xbb\xbf)?\s*(<\?xml[^>]*\?>\s*)?"
                        rb"(<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]", re.S)
# Served in a sandbox anyway (see courses.views.FILE_POLICY); refused so nobody relies on that alone.
_SVG_ACTIVE = re.compile(rb"<script|<foreignObject|\son[a-z]+\s*=|javascript:", re.I)


def _is_webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


SIGNATURES = {
    "png": lambda data: data.startswith(b"\x89PNG\r\n\x1a\n"),
    "jpg": lambda data: data.startswith(b"\xff\xd8\xff"),
    "jpeg": lambda data: data.startswith(b"\xff\xd8\xff"),
    "gif": lambda data: data.startswith((b"GIF87a", b"GIF89a")),
    "webp": _is_webp,
    "pdf": lambda data: data.startswith(b"%PDF-"),
    "svg": lambda data: bool(_SVG_START.match(data[:4096])),
}


def media_name_problem(filename: str) -> str | None:
    """Say what is wrong with the name of a file in medien/ (without the folder), or None."""
    if MEDIA_NAME.match(filename):
        return None
    return _("Dateinamen: a–z, 0–9, - und _, Endung .png, .jpg, .gif, .webp, .svg oder .pdf.")


def media_problem(filename: str, data: bytes) -> str | None:
    """Say what is wrong with an uploaded file, or None when its content matches its ending."""
    extension = filename.rsplit(".", 1)[-1].lower()
    if extension not in SIGNATURES:
        return _("Erlaubt sind Bilder (PNG, JPEG, GIF, WebP, SVG) und PDF-Dateien.")
    if len(data) > MAX_MEDIA_BYTES:
        return _("Die Datei ist größer als 5 MB.")
    if not SIGNATURES[extension](data):
        return _("Der Inhalt der Datei passt nicht zur Endung .%(extension)s. Speichern Sie die Datei im "
                 "richtigen Format.", extension=extension)
    if extension == "svg":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return _("SVG-Dateien müssen in UTF-8 gespeichert sein.")
        if _SVG_ACTIVE.search(data):
            return _("SVG-Dateien dürfen keine Skripte, Ereignis-Attribute oder eingebetteten HTML-Inhalt "
                     "haben.")
    return None
