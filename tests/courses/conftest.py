"""Fixtures for course tests: the demo courses imported, and a way to count SQL statements."""

from pathlib import Path

import pytest

from qualify.courses import services
from qualify.courses.loader import load_tree
from qualify.extensions import db

DEMO_COURSES = Path(__file__).resolve().parents[2] / "courses"


@pytest.fixture
def demo_courses():
    """Import the demo courses from courses/ and return them by slug."""
    services.import_tree(load_tree(DEMO_COURSES))
    db.session.commit()
    return {course.slug: course for course in db.session.scalars(db.select(services.Course))}
