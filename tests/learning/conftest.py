"""Fixtures for learning tests: small courses written and imported per test, and browsers of their own."""

from itertools import count

import pytest
import yaml
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.courses.loader import load_tree
from qualify.courses.models import Course
from qualify.courses.services import import_tree
from qualify.extensions import db
from tests.learning.helpers import ModuleFile


@pytest.fixture
def make_course(tmp_path):
    """Write a course folder into tmp_path and import it (again, for a new version); return the Course.

    `banks` maps a file name under fragen/ to its GIFT text; a module draws from it with
    questions="fragen/x.gift".
    """
    imports = count(1)

    def make(
        *modules: ModuleFile,
        slug: str = "kurs",
        title: str = "Testkurs",
        status: str = "published",
        pass_percentage: int = 70,
        banks: dict[str, str] | None = None,
    ) -> Course:
        folder = tmp_path / f"import-{next(imports)}" / slug
        folder.mkdir(parents=True)
        meta = {
            "title": title,
            "summary": "Ein Kurs für Tests.",
            "duration_minutes": 90,
            "pass_percentage": pass_percentage,
            "status": status,
        }
        (folder / "course.md").write_text(
            f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\n\n# {title}\n", encoding="utf-8"
        )
        for position, module_file in enumerate(modules, start=1):
            (folder / f"{position:02d}-{module_file.slug}.md").write_text(module_file.text, encoding="utf-8")
        for name, gift in (banks or {}).items():
            (folder / "fragen").mkdir(exist_ok=True)
            (folder / "fragen" / name).write_text(gift, encoding="utf-8")
        tree = load_tree(folder.parent)
        assert tree.ok, [str(problem) for problem in tree.problems]
        import_tree(tree)
        db.session.commit()
        return db.session.scalar(select(Course).where(Course.slug == slug))

    return make


@pytest.fixture(scope="session")
def client_class(app, client_class):
    """The shared isolated client, posting a form even without data, so the CSRF token goes along."""

    class FormPostingClient(client_class):
        def post(self, *args, **kwargs):
            kwargs.setdefault("data", {})
            return super().post(*args, **kwargs)

    return FormPostingClient


@pytest.fixture
def client(new_client):
    return new_client()


@pytest.fixture
def learner(make_user, login):
    """A learner, signed in on `client`."""
    user = make_user(Role.LEARNER)
    login(user)
    return user
