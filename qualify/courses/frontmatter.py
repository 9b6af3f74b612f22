"""YAML front matter at the top of a Markdown file, with line numbers for every problem."""

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from flask_babel import gettext as _

DELIMITER = "---"


@dataclass
class FrontMatterError(Exception):
    line: int
    message: str


@dataclass
class Document:
    meta: dict[str, Any]
    body: str
    body_line: int  # the file line on which the body starts
    key_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        """Return the file line of a front matter key, or 1 when it is absent."""
        return self.key_lines.get(key, 1)


def split(text: str) -> Document:
    """Split a Markdown file into its front matter and body; raise FrontMatterError when broken."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].strip() != DELIMITER:
        raise FrontMatterError(1, _("Die Datei beginnt nicht mit Front Matter (eine Zeile ---)."))
    end = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() in (DELIMITER, "...")), None)
    if end is None:
        raise FrontMatterError(1, _("Das Front Matter wird nicht geschlossen: Es fehlt die zweite Zeile ---."))
    yaml_text = "\n".join(lines[1:end])
    try:
        meta = yaml.safe_load(yaml_text) if yaml_text.strip() else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = 2 + mark.line if mark else 1
        problem = getattr(error, "problem", None) or str(error)
        raise FrontMatterError(line, _("Ungültiges YAML im Front Matter: %(problem)s", problem=problem)) from None
    if not isinstance(meta, dict):
        raise FrontMatterError(2, _("Das Front Matter muss aus Feldern der Form „name: wert“ bestehen."))
    key_lines = {}
    for number, line in enumerate(lines[1:end], start=2):
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if match:
            key_lines.setdefault(match.group(1), number)
    body = "\n".join(lines[end + 1:])
    return Document(meta=meta, body=body, body_line=end + 2, key_lines=key_lines)


def join(meta: dict[str, Any], body: str) -> str:
    """Write front matter and body back into one Markdown file."""
    dumped = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None).strip()
    return f"{DELIMITER}\n{dumped}\n{DELIMITER}\n{body.lstrip(chr(10))}"
