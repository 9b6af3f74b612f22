"""The front matter fields of course.md and of module files, each with its check."""

from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any

from flask_babel import gettext as _


@dataclass(frozen=True)
class Text:
    required: bool = False
    max_length: int = 200

    def check(self, value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            return _("muss ein Text sein")
        if len(value) > self.max_length:
            return _("ist zu lang (höchstens %(n)d Zeichen)", n=self.max_length)
        return None


@dataclass(frozen=True)
class Number:
    minimum: int = 0
    maximum: int = 100_000
    required: bool = False

    def check(self, value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return _("muss eine ganze Zahl sein")
        if not self.minimum <= value <= self.maximum:
            return _("muss zwischen %(a)d und %(b)d liegen", a=self.minimum, b=self.maximum)
        return None


@dataclass(frozen=True)
class Choice:
    options: tuple[str, ...]
    required: bool = False

    def check(self, value: Any) -> str | None:
        if value not in self.options:
            return _("muss einer dieser Werte sein: %(options)s", options=", ".join(self.options))
        return None


@dataclass(frozen=True)
class TextList:
    required: bool = False

    def check(self, value: Any) -> str | None:
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            return _("muss eine Liste von Texten sein, z. B. [Produktion, Logistik]")
        return None


@dataclass(frozen=True)
class Flag:
    required: bool = False

    def check(self, value: Any) -> str | None:
        return None if isinstance(value, bool) else _("muss true oder false sein")


COURSE_FIELDS = {
    "title": Text(required=True),
    "summary": Text(max_length=1000),
    "language": Choice(("de", "en")),
    "audience": TextList(),
    "tags": TextList(),
    "duration_minutes": Number(minimum=1),
    "pass_percentage": Number(minimum=0, maximum=100),
    "status": Choice(("draft", "published")),
}

MODULE_FIELDS = {
    "title": Text(required=True),
    "kind": Choice(("self-study", "exchange", "workshop")),
    "minutes": Number(minimum=1),
    "questions": Text(max_length=300),
    "draw": Number(minimum=1),
    "pass_percentage": Number(minimum=0, maximum=100),
    "attempts": Number(minimum=1),
    "shuffle": Flag(),
    "keep_answer_order": Flag(),
    "time_limit_minutes": Number(minimum=1, maximum=600),
}

# Fields that belong to one kind of module only.
KIND_FIELDS = {
    "exchange": {"moderation": Choice(("pre", "post")), "anonymous": Choice(("allowed", "forbidden"))},
    "workshop": {"capacity": Number(minimum=1, maximum=10_000),
                 "format": Choice(("in-person", "online", "hybrid")),
                 "duration_minutes": Number(minimum=1)},
}


def check_fields(meta: dict[str, Any], spec: dict[str, Any], line_of) -> list[tuple[int, str]]:
    """Return (line, message) for every missing, unknown or invalid field."""
    problems = []
    for name, field_spec in spec.items():
        if field_spec.required and name not in meta:
            problems.append((1, _("Pflichtfeld „%(name)s“ fehlt.", name=name)))
    for name, value in meta.items():
        if name not in spec:
            problems.append((line_of(name), _unknown(str(name), spec)))
            continue
        message = spec[name].check(value)
        if message:
            problems.append((line_of(name), _("„%(name)s“ %(problem)s.", name=name, problem=message)))
    return problems


def _unknown(name: str, spec: dict[str, Any]) -> str:
    guess = get_close_matches(name, list(spec), n=1, cutoff=0.75)
    if guess:
        return _("Unbekanntes Feld „%(name)s“. Meinten Sie „%(guess)s“?", name=name, guess=guess[0])
    return _("Unbekanntes Feld „%(name)s“.", name=name)
