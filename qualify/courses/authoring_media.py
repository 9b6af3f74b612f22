"""Uploaded media are judged by their content, never by the name or type the browser sends."""

import re
from xml.parsers import expat

from flask_babel import gettext as _

MAX_MEDIA_BYTES = 5 * 1024 * 1024
MEDIA_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}\.(png|jpe?g|gif|webp|svg|pdf)\Z")
# An SVG starts with <svg, perhaps after a byte order mark, an XML declaration, comments and a doctype.
_SVG_START = re.compile(rb"^(\xef\xbb\xbf)?\s*(<\?xml[^>]*\?>\s*)?"
                        rb"(<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]", re.S)


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
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return _("SVG-Dateien müssen in UTF-8 gespeichert sein.")
        return svg_problem(text)
    return None


# --- SVG: parsed, and every element and attribute held against an allow-list ----------------------------------
# Media are served in a sandbox anyway (see courses.views.FILE_POLICY) and shown through <img>; the check is
# there so nobody relies on that alone. What is not plainly a drawing is refused, whatever its spelling.

SVG_NS = "http://www.w3.org/2000/svg"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_EVENTS_NS = "http://www.w3.org/2001/xml-events"
# Drawing elements (in the SVG namespace, or in none): no scripts, animation, event handlers or HTML.
SVG_ELEMENTS = frozenset({
    "svg", "g", "defs", "title", "desc", "metadata", "style", "switch", "a", "view",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "image", "use", "symbol", "marker",
    "text", "tspan", "textPath", "linearGradient", "radialGradient", "stop", "clipPath", "mask", "pattern",
    "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix",
    "feDiffuseLighting", "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB",
    "feFuncG", "feFuncR", "feGaussianBlur", "feImage", "feMerge", "feMergeNode", "feMorphology", "feOffset",
    "fePointLight", "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence",
    "flowRoot", "flowRegion", "flowPara", "flowSpan",  # flowed text of old Inkscape files; browsers ignore it
})
# Editors' own elements (Inkscape's view settings, RDF metadata): no browser gives them any meaning.
EDITOR_NAMESPACES = frozenset({
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://creativecommons.org/ns#",
    "http://web.resource.org/cc/",
    "http://purl.org/dc/elements/1.1/",
    "http://purl.org/dc/terms/",
})
# Never allowed, in whatever namespace, so an editor's namespace cannot smuggle them in either.
ACTIVE_ELEMENTS = frozenset({
    "script", "foreignobject", "handler", "listener", "iframe", "embed", "object", "set", "animate",
    "animatetransform", "animatemotion", "animatecolor", "discard",
})
# What a link may point to: a part of the same file, or (for an image) an embedded raster picture.
_EMBEDDED_IMAGE = re.compile(r"data:image/(png|jpeg|jpg|gif|webp)[;,]", re.I)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f]+")
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})(?:\r\n|[ \t\r\n\f])?|(\r\n|[\r\n\f])|(.))", re.S)
_CSS_URL = re.compile(r"url\((?!['\"]?#)")
_CSS_URL_FOUND = re.compile(r"url\([^)]*\)?")
_CSS_ACTIVE = ("@import", "expression(", "javascript:", "vbscript:", "-moz-binding", "behavior:", "image-set(")


class _Refused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _compact(value: str) -> str:
    """The value as a browser's URL or CSS parser reads it: without whitespace and control characters."""
    return _INVISIBLE.sub("", value)


def _css_unescape(css: str) -> str:
    def character(match: re.Match) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        return "" if match.group(2) else match.group(3)
    return _CSS_ESCAPE.sub(character, css)


def _css_problem(css: str) -> str | None:
    """What in a style sheet or style attribute could load or run something, or None."""
    compact = _compact(_css_unescape(css)).lower()
    for keyword in _CSS_ACTIVE:
        if keyword in compact:
            return keyword
    url = _CSS_URL.search(compact)
    if url:
        return _shorten(_CSS_URL_FOUND.match(compact, url.start()).group(0))
    return None


def _shorten(value: str, length: int = 60) -> str:
    value = " ".join(value.split())
    return value if len(value) <= length else value[:length - 1] + "…"


def _split(name: str) -> tuple[str | None, str, str]:
    """expat's "namespace local prefix" → (namespace, local name, name as written in the file)."""
    parts = name.split(" ")
    if len(parts) == 1:
        return None, name, name
    namespace, local = parts[0], parts[1]
    if len(parts) == 3:
        return namespace, local, f"{parts[2]}:{local}"
    return namespace, local, local if namespace == SVG_NS else f'{local} xmlns="{namespace}"'


class _SvgChecker:
    """Walk the elements and attributes of an SVG as expat reads them; raise _Refused at the first problem."""

    def __init__(self):
        self.style_depth = 0  # > 0 inside a <style> element
        self.style_text: list[str] = []

    def start(self, name: str, attributes: dict[str, str]) -> None:
        namespace, local, written = _split(name)
        if local.lower() in ACTIVE_ELEMENTS or not (
                namespace in (None, SVG_NS) and local in SVG_ELEMENTS or namespace in EDITOR_NAMESPACES):
            raise _Refused(_("Die SVG-Datei enthält ein nicht erlaubtes Element: %(name)s.", name=written))
        for attribute, value in attributes.items():
            self.check_attribute(local if namespace in (None, SVG_NS) else None, attribute, value)
        if self.style_depth or namespace in (None, SVG_NS) and local == "style":
            self.style_depth += 1

    def check_attribute(self, element: str | None, name: str, value: str) -> None:
        namespace, local, written = _split(name)
        if (local.lower().startswith("on") or namespace == XML_EVENTS_NS
                or (namespace, local) == (XML_NS, "base")):
            raise _Refused(_("Die SVG-Datei enthält ein nicht erlaubtes Attribut: %(name)s.", name=written))
        if local.lower() == "href":
            target = _compact(value)
            if not (target.startswith("#") or element in ("image", "feImage") and _EMBEDDED_IMAGE.match(target)):
                raise _Refused(self.link_refused(written, value))
        elif namespace is None and local == "style":
            found = _css_problem(value)
            if found:
                raise _Refused(_("Die SVG-Datei enthält nicht erlaubtes CSS: %(found)s.", found=found))
        elif namespace is None and _CSS_URL.search(_compact(_css_unescape(value)).lower()):
            raise _Refused(self.link_refused(written, value))

    @staticmethod
    def link_refused(name: str, value: str) -> str:
        return _("Die SVG-Datei enthält einen nicht erlaubten Verweis: %(name)s=„%(value)s“. Erlaubt sind nur "
                 "Verweise innerhalb der Datei (#…) und eingebettete Bilder (data:image/…).",
                 name=name, value=_shorten(value))

    def end(self, _name: str) -> None:
        if self.style_depth:
            self.style_depth -= 1
            if not self.style_depth:
                found = _css_problem("".join(self.style_text))
                self.style_text.clear()
                if found:
                    raise _Refused(_("Die SVG-Datei enthält nicht erlaubtes CSS: %(found)s.", found=found))

    def text(self, data: str) -> None:
        if self.style_depth:
            self.style_text.append(data)

    @staticmethod
    def instruction(target: str, _data: str) -> None:
        # <?xml-stylesheet?> would have the browser apply a style sheet or an XSLT from elsewhere.
        raise _Refused(_("Die SVG-Datei enthält eine nicht erlaubte Anweisung: %(name)s.", name="<?" + target))


_DECLARATION = re.compile(r"<!ENTITY", re.I)


def _doctype(_name, _system_id, _public_id, has_internal_subset) -> None:
    # The plain <!DOCTYPE svg PUBLIC …> that Illustrator and older editors write declares nothing (expat never
    # fetches the DTD it names); one with its own [ … ] part could declare entities.
    if has_internal_subset:
        raise _Refused(_("Die SVG-Datei enthält eine nicht erlaubte Anweisung: %(name)s.", name="<!DOCTYPE [ … ]"))


def svg_problem(text: str) -> str | None:
    """Say what in an SVG (as text) could run, load or declare something, or None for a plain drawing."""
    # Nothing may declare entities (billion laughs) or point to external ones.
    declaration = _DECLARATION.search(text)
    if declaration:
        return _("Die SVG-Datei enthält eine nicht erlaubte Anweisung: %(name)s.", name=declaration.group(0))
    checker = _SvgChecker()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.namespace_prefixes = True
    parser.buffer_text = True
    parser.StartElementHandler = checker.start
    parser.EndElementHandler = checker.end
    parser.CharacterDataHandler = checker.text
    parser.ProcessingInstructionHandler = checker.instruction
    parser.StartDoctypeDeclHandler = _doctype
    try:
        parser.Parse(text.removeprefix("\ufeff"), True)  # as text: expat then reads UTF-8, whatever the file says
    except _Refused as refused:
        return refused.message
    except expat.ExpatError as error:
        return _("Die SVG-Datei ist kein gültiges XML (Fehler in Zeile %(line)d). Speichern Sie sie erneut als "
                 "SVG.", line=error.lineno)
    return None
