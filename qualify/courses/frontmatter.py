"""YAML front matter at the top of a Markdown file, with line numbers for every problem."""

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

DELIMITER = "---"
KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")
BLOCK_TEXT = re.compile(r":\s*[|>][-+0-9]*\s*(#.*)?$")
# Line ends as editors count lines. str.splitlines() also breaks at form feeds, U+2028 and more, which put every
# line number reported after such a character one too high.
LINE_END = re.compile(r"\r\n|\r|\n")
_LINE = re.compile(r".*?(?:\r\n|\r|\n)|.+\Z", re.S)


@dataclass
class Document:
    meta: dict[str, Any]
    body: str
    body_line: int  # the file line on which the body starts
    key_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        """Return the file line of a front matter key, or 1 when it is absent."""
        return self.key_lines.get(key, 1)


@dataclass
class FrontMatterError(Exception):
    line: int
    message: str
    # The body of the file, with no fields, where it can still be found: after the closing --- of front matter
    # that does not read, or the whole file when it has none. None when the closing --- is missing.
    body: Document | None = None


def split_lines(text: str, *, keepends: bool = False) -> list[str]:
    """Split text into lines like str.splitlines(), but only at \\n, \\r\\n and \\r."""
    if keepends:
        return _LINE.findall(text)
    lines = LINE_END.split(text)
    return lines[:-1] if lines[-1] == "" else lines


def split(text: str) -> Document:
    """Split a Markdown file into its front matter and body; raise FrontMatterError when broken."""
    text = text.lstrip("\ufeff")
    lines = split_lines(text)
    if not lines or lines[0].strip() != DELIMITER:
        raise FrontMatterError(1, _("Die Datei beginnt nicht mit Front Matter (eine Zeile ---)."),
                               Document(meta={}, body="\n".join(lines), body_line=1))
    end = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() in (DELIMITER, "...")), None)
    if end is None:
        raise FrontMatterError(1, _("Das Front Matter wird nicht geschlossen: Es fehlt die zweite "
                                    "Zeile ---."))
    body = "\n".join(lines[end + 1:])
    try:
        meta, key_lines = _fields(lines[1:end])
    except FrontMatterError as error:
        error.body = Document(meta={}, body=body, body_line=end + 2)
        raise
    return Document(meta=meta, body=body, body_line=end + 2, key_lines=key_lines)


def _fields(yaml_lines: list[str]) -> tuple[dict[str, Any], dict[str, int]]:
    """Read the lines between the two --- (file line 2 on): the fields, and the line of each."""
    yaml_text = "\n".join(yaml_lines)
    import yaml  # on first use: only loading and saving courses read YAML, no page does

    try:
        meta = yaml.safe_load(yaml_text) if yaml_text.strip() else {}
    except yaml.YAMLError as error:
        raise _yaml_error(error, yaml_lines) from None
    if not isinstance(meta, dict):
        raise FrontMatterError(2, _("Das Front Matter muss aus Feldern der Form „name: wert“ bestehen."))
    key_lines: dict[str, int] = {}
    for number, line in enumerate(yaml_lines, start=2):
        match = KEY.match(line)
        if not match:
            continue
        if match.group(1) in key_lines:  # YAML would quietly keep the last one
            raise FrontMatterError(number, _("Das Feld „%(name)s“ steht zweimal im Front Matter.",
                                             name=match.group(1)))
        key_lines[match.group(1)] = number
    return meta, key_lines


def _yaml_error(error, yaml_lines: list[str]) -> FrontMatterError:
    """Say in German what PyYAML found, on the line where the author has to look (YAML line + 2)."""
    yaml_text = "\n".join(yaml_lines)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None) or ""
    mark = getattr(error, "problem_mark", None)
    if context.startswith(("while scanning a quoted", "while parsing a flow")):
        mark = getattr(error, "context_mark", None) or mark  # where the quote or bracket was opened
    line = 2 + yaml_text.count("\n", 0, mark.index) if mark else 1  # YAML counts U+2028 as a line break too
    # "minutes 15": YAML reads on into the next line and stumbles over its colon, or over the end.
    missing = _line_without_colon(yaml_lines, line) if problem.startswith(
        ("mapping values are not allowed", "could not find expected ':'")) else None
    if missing:
        line, hint = missing, _("In dieser Zeile fehlt der Doppelpunkt nach dem Namen des Feldes (zum Beispiel "
                                "minutes: 15).")
    elif context.startswith("while scanning a quoted"):
        hint = _("Ein Anführungszeichen wird nicht geschlossen.")
    elif context.startswith("while parsing a flow"):
        hint = _("Eine Liste in [ ] oder { } wird nicht geschlossen, oder ein Eintrag darin braucht "
                 "Anführungszeichen.")
    elif problem.startswith("mapping values are not allowed"):
        hint = _("Hier steht ein Doppelpunkt, den YAML nicht erwartet. Setzen Sie Texte mit Doppelpunkt in "
                 "Anführungszeichen (title: \"Austausch: Der Wandel\") und rücken Sie Felder nicht ein.")
    elif problem.startswith("expected <block end>"):
        hint = _("Die Einrückung stimmt nicht: Felder stehen am Zeilenanfang, die Einträge einer Liste darunter "
                 "alle gleich weit eingerückt (zum Beispiel zwei Leerzeichen und „- “).")
    elif "'\\t'" in problem:
        hint = _("Tabulatoren sind nicht erlaubt; rücken Sie mit Leerzeichen ein.")
    elif "that cannot start any token" in problem or problem.startswith("found undefined alias") \
            or context.startswith(("while scanning an alias", "while scanning an anchor")):
        # A title such as "*Neu*: …", "@Home" or "`git` …": YAML reads the first character as its own syntax.
        hint = _("Ein Wert beginnt mit einem Zeichen, das YAML als eigene Schreibweise liest (zum Beispiel *, @ "
                 "oder `). Setzen Sie den Wert in Anführungszeichen (title: \"*Neu* im Werk\").")
    else:
        hint = problem
    return FrontMatterError(line, _("Ungültiges YAML im Front Matter: %(problem)s", problem=hint))


def _line_without_colon(yaml_lines: list[str], error_line: int) -> int | None:
    """The file line of the first field at the start of a line, up to error_line, that lacks its colon."""
    in_text = False
    for number, line in enumerate(yaml_lines[:error_line - 1], start=2):
        if in_text and (not line.strip() or line[0].isspace()):  # "summary: |": its indented lines are text
            continue
        in_text = bool(BLOCK_TEXT.search(line))
        if line[:1].isalpha() and ":" not in line:
            return number
    return None


def join(meta: dict[str, Any], body: str) -> str:
    """Write front matter and body back into one Markdown file."""
    import yaml

    dumped = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None).strip()
    return f"{DELIMITER}\n{dumped}\n{DELIMITER}\n{body.lstrip(chr(10))}"
