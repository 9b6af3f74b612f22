"""Helpers for learning tests: module files for small courses, quiz pages read back as a browser sees them."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import yaml
from sqlalchemy import select

from qualify.core.time import utcnow
from qualify.courses.models import Course, Module
from qualify.extensions import db
from qualify.learning.models import ModuleCompletion, QuizAttempt
from qualify.learning.services import enrol

ATTEMPT_URL = re.compile(r"/lernen/versuche/(\d+)$")


@dataclass
class ModuleFile:
    slug: str
    text: str


def module(
    slug: str,
    *,
    title: str | None = None,
    quiz: str | None = None,
    body: str = "Lesetext des Moduls.",
    **front,
) -> ModuleFile:
    """Return a module file: front matter from keywords (attempts=2, shuffle=True …), body, ```quiz block."""
    meta = {"title": title or slug.replace("-", " ").title(), **front}
    front_matter = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    text = f"---\n{front_matter}---\n\n# {meta['title']}\n\n{body}\n"
    if quiz is not None:
        text += f"\n```quiz\n{quiz.strip()}\n```\n"
    return ModuleFile(slug, text)


def everything_else_done(person, module: Module, *, via: str) -> None:
    """Enrol the person and record every other active module of the module's course as done (not committed):
    the module is then the last one, and doing it completes the course."""
    enrol(person, module.course, now=utcnow())
    for other in module.course.active_modules:
        if other.id != module.id:
            db.session.add(ModuleCompletion(user_id=person.id, module_id=other.id, via=via, completed_at=utcnow(),
                                            module_version_id=other.current_version_id))


def module_of(course: Course, slug: str) -> Module:
    """Return the course's module with this slug."""
    return next(m for m in course.modules if m.slug == slug)


def module_url(course: Course, slug: str) -> str:
    return f"/kurse/{course.slug}/module/{slug}"


def start_quiz(client, module: Module) -> int:
    """Start (or resume) the module's quiz through the page's button; return the attempt id."""
    response = client.post(f"/lernen/module/{module.id}/quiz")
    assert response.status_code == 302, response.status_code
    match = ATTEMPT_URL.search(response.headers["Location"])
    assert match, f"no attempt: {response.headers['Location']}"
    return int(match.group(1))


def attempt_by_id(attempt_id: int) -> QuizAttempt:
    """Read the attempt afresh from the database."""
    db.session.expire_all()
    return db.session.get(QuizAttempt, attempt_id)


def attempts_of(user) -> list[QuizAttempt]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id).order_by(QuizAttempt.id))
    )


@dataclass
class Field:
    tag: str
    attrs: dict[str, str]
    label: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, text) of a select
    text: str = ""  # of a textarea

    @property
    def name(self) -> str:
        return self.attrs.get("name", "")

    @property
    def value(self) -> str:
        return self.attrs.get("value", "")

    @property
    def checked(self) -> bool:
        return "checked" in self.attrs


@dataclass
class Fieldset:
    legend: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    fields: list[Field] = field(default_factory=list)


class QuizPage(HTMLParser):
    """The quiz form of an attempt page as a browser sees it: fields, their labels, fieldsets and legends."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.fields: list[Field] = []
        self.fieldsets: list[Fieldset] = []
        self.label_for: dict[str, str] = {}
        self.selected: dict[str, str] = {}
        self._label: list[str] | None = None
        self._label_target: str | None = None
        self._label_fields: list[Field] = []
        self._legend: list[str] | None = None
        self._fieldset: Fieldset | None = None
        self._select: Field | None = None
        self._option: list | None = None
        self._textarea: Field | None = None
        self.feed(html)
        for item in self.fields:
            if item.attrs.get("id") in self.label_for:
                item.label = (item.label + " " + self.label_for[item.attrs["id"]]).strip()

    def handle_starttag(self, tag, attrs):
        attrs = {name: value if value is not None else "" for name, value in attrs}
        if tag == "fieldset":
            self._fieldset = Fieldset(attrs=attrs)
            self.fieldsets.append(self._fieldset)
        elif tag == "legend":
            self._legend = []
        elif tag == "label":
            self._label, self._label_target, self._label_fields = [], attrs.get("for"), []
        elif tag in ("input", "select", "textarea"):
            if attrs.get("type") == "hidden" or tag == "input" and attrs.get("type") == "submit":
                return
            item = Field(tag, attrs)
            self.fields.append(item)
            if self._fieldset is not None:
                self._fieldset.fields.append(item)
            if self._label is not None:
                self._label_fields.append(item)
            if tag == "select":
                self._select = item
            elif tag == "textarea":
                self._textarea = item
        elif tag == "option" and self._select is not None:
            self._option = [attrs.get("value", ""), ""]
            if "selected" in attrs:
                self.selected[self._select.name] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "fieldset":
            self._fieldset = None
        elif tag == "legend" and self._legend is not None:
            if self._fieldset is not None:
                self._fieldset.legend = " ".join("".join(self._legend).split())
            self._legend = None
        elif tag == "label" and self._label is not None:
            text = " ".join("".join(self._label).split())
            if self._label_target:
                self.label_for[self._label_target] = text
            for item in self._label_fields:
                item.label = text
            self._label = None
        elif tag == "option" and self._option is not None:
            self._select.options.append((self._option[0], " ".join(self._option[1].split())))
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._legend is not None:
            self._legend.append(data)
        if self._label is not None:
            self._label.append(data)
        if self._option is not None:
            self._option[1] += data
        if self._textarea is not None:
            self._textarea.text += data

    def named(self, name: str) -> list[Field]:
        return [item for item in self.fields if item.name == name]

    def option(self, name: str, label: str) -> str:
        """Return the value of the choice labelled `label` in the question field `name`."""
        found = [item.value for item in self.named(name) if item.label == label]
        assert len(found) == 1, (name, label, [(item.label, item.value) for item in self.named(name)])
        return found[0]

    def choice(self, select_name: str, text: str) -> str:
        """Return the value of the select option showing `text`."""
        (select_field,) = self.named(select_name)
        return next(value for value, shown in select_field.options if shown == text)

    def names(self) -> list[str]:
        """Return the distinct field names in page order."""
        return list(dict.fromkeys(item.name for item in self.fields))


def quiz_page(client, attempt_id: int) -> QuizPage:
    response = client.get(f"/lernen/versuche/{attempt_id}")
    assert response.status_code == 200, response.status_code
    return QuizPage(response.text)


# Every kind of question, with feedback on each answer and general feedback, for the attempt tests.
ALL_KINDS = """
::Spannung:: Ab welcher Gleichspannung spricht man im Fahrzeug von Hochvolt? {
=über 60 V#Genau, Klasse B beginnt über 60 V DC.
~über 12 V#Nein, 12 V ist das Bordnetz.
~über 1000 V#Nein, das wäre Hochspannung.
####Merksatz: Hochvolt beginnt über 60 Volt Gleichspannung.
}

::Schutz:: Was gehört zur persönlichen Schutzausrüstung? {
~%50%Isolierhandschuhe#Ja, Isolierhandschuhe schützen.
~%50%Gesichtsschutz#Ja, das Visier schützt vor dem Lichtbogen.
~%-100%Metallring#Nein, Schmuck legen Sie ab.
}

::Arzt:: Nach einem Stromunfall muss man immer zum Arzt. {TRUE
#Doch: Rhythmusstörungen kommen oft später.
#Richtig, immer ärztlich untersuchen lassen.
}

::Farbe:: Welche Farbe haben Hochvolt-Leitungen? {=orange#Genau, orange warnt. =%50%orangerot#Beinahe.}

::Drücken:: Wie oft drücken Sie vor zweimal Beatmen? {#30:0#Richtig, 30 zu 2.}

::Zuordnung:: Ordnen Sie die Schutzmaßnahme zu. {
=Handschuhe -> Durchströmung
=Visier -> Lichtbogen
= -> Lärm
}

::Reflexion:: Was nehmen Sie aus diesem Modul mit? {}
"""

# Field values a learner picks for every question of ALL_KINDS right: (question title, answer label or text).
RIGHT_CHOICES = {
    "Spannung": ["über 60 V"],
    "Schutz": ["Isolierhandschuhe", "Gesichtsschutz"],
    "Arzt": ["Richtig"],
}
RIGHT_TEXTS = {"Farbe": "orange", "Drücken": "30"}
RIGHT_PAIRS = {"Handschuhe": "Durchströmung", "Visier": "Lichtbogen"}
RIGHT_FEEDBACK = [
    "Genau, Klasse B beginnt über 60 V DC.",
    "Ja, Isolierhandschuhe schützen.",
    "Ja, das Visier schützt vor dem Lichtbogen.",
    "Richtig, immer ärztlich untersuchen lassen.",
    "Genau, orange warnt.",
    "Richtig, 30 zu 2.",
]
GENERAL_FEEDBACK = ["Merksatz: Hochvolt beginnt über 60 Volt Gleichspannung."]
ALL_FEEDBACK = (
    RIGHT_FEEDBACK
    + GENERAL_FEEDBACK
    + [
        "Nein, 12 V ist das Bordnetz.",
        "Nein, das wäre Hochspannung.",
        "Nein, Schmuck legen Sie ab.",
        "Doch: Rhythmusstörungen kommen oft später.",
        "Beinahe.",
    ]
)


def question_fields(page: "QuizPage") -> dict[str, str]:
    """Map each question's title (from its legend) to its field name (matching: the prefix of its selects)."""
    found = {}
    for fieldset in page.fieldsets:
        title = fieldset.legend.split(" ", 2)[-1]
        first = fieldset.fields[0]
        found[title] = first.name.rsplit("-", 1)[0] if first.tag == "select" else first.name
    return found


def right_answers(page: "QuizPage") -> dict[str, list[str]]:
    """Fill in ALL_KINDS rightly, as form data for the attempt on this page."""
    fields = question_fields(page)
    data: dict[str, list[str]] = {}
    for title, labels in RIGHT_CHOICES.items():
        data[fields[title]] = [page.option(fields[title], label) for label in labels]
    for title, text in RIGHT_TEXTS.items():
        data[fields[title]] = [text]
    for index, (left, right) in enumerate(RIGHT_PAIRS.items()):
        select_name = f"{fields['Zuordnung']}-{index}"
        (select_field,) = page.named(select_name)
        assert select_field.label == left
        data[select_name] = [page.choice(select_name, right)]
    return data
