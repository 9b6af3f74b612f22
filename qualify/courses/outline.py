"""The outline of a course: its active modules in order, each with the headline of its current version.

Course and module pages show it on every request, and it changes only when a trainer saves or an import
runs. So each process keeps the outlines it has read, keyed by the course's `updated_at`, which every change
to a module or a module version moves forward (see `courses.models`). A page reads the course row anyway;
if its `updated_at` differs from the cached one, the outline is read again: no page shows an outline older
than the course it shows, whichever process made the change.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from qualify.courses.models import Course, Module, ModuleVersion
from qualify.extensions import db

# Enough for every course of a large network; beyond it the cache starts afresh rather than grow.
CACHE_LIMIT = 5_000


@dataclass(frozen=True)
class OutlineModule:
    id: int
    slug: str
    version_id: int
    title: str
    kind: str
    minutes: int | None


@dataclass(frozen=True)
class Outline:
    modules: tuple[OutlineModule, ...]

    def __len__(self) -> int:
        return len(self.modules)

    def index(self, slug: str) -> int | None:
        """Return the position (from 0) of the module with this slug, or None."""
        return next((i for i, module in enumerate(self.modules) if module.slug == slug), None)

    def neighbours(self, index: int) -> tuple[OutlineModule | None, OutlineModule | None]:
        """Return the modules before and after the one at `index`."""
        before = self.modules[index - 1] if index > 0 else None
        after = self.modules[index + 1] if index + 1 < len(self.modules) else None
        return before, after


_outlines: dict[int, tuple[datetime, Outline]] = {}


def outline_of(course: Course) -> Outline:
    """Return the course's outline, from this process's cache while the course has not changed."""
    cached = _outlines.get(course.id)
    if cached is not None and cached[0] == course.updated_at:
        return cached[1]
    outline = read_outline(course.id)
    if len(_outlines) >= CACHE_LIMIT:
        _outlines.clear()
    _outlines[course.id] = (course.updated_at, outline)
    return outline


def read_outline(course_id: int) -> Outline:
    """Read the outline from the database in one statement (modules without a version are left out)."""
    stmt = (select(Module.id, Module.slug, ModuleVersion.id, ModuleVersion.title, ModuleVersion.kind,
                   ModuleVersion.minutes)
            .join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
            .where(Module.course_id == course_id, Module.archived.is_(False))
            .order_by(Module.position, Module.id))
    return Outline(tuple(OutlineModule(*row) for row in db.session.execute(stmt)))
