"""Features import downwards only: core ← accounts ← courses ← learning ← workshops/exchange ← reports/admin.
The courses build on nothing above them – the editor counts a quiz by courses.quiz_size, which learning uses."""

import ast
from pathlib import Path

import qualify

ABOVE_COURSES = ("qualify.learning", "qualify.workshops", "qualify.exchange", "qualify.reports", "qualify.admin",
                 "qualify.privacy", "qualify.home")
# Known, and not to grow: the course editor's warning before a course goes back to draft counts the people
# learning it and the seats booked in its workshops; the catalogue marks the courses a person is enrolled in.
KNOWN = {("course_page.py", "qualify.learning.models"), ("course_page.py", "qualify.workshops.models"),
         ("catalogue.py", "qualify.learning.models")}


def imports_of(feature: str) -> set[tuple[str, str]]:
    """(file, module) for every import in the feature's package, those inside functions too."""
    imported = set()
    for path in (Path(qualify.__file__).parent / feature).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add((path.name, node.module))
            elif isinstance(node, ast.Import):
                imported.update((path.name, alias.name) for alias in node.names)
    return imported


def test_the_courses_import_no_feature_above_them():
    upwards = {(name, module) for name, module in imports_of("courses") if module.startswith(ABOVE_COURSES)}

    assert upwards - KNOWN == set()

