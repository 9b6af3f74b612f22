"""`qualify demo load`: one account per role, and work waiting for each of them; loading twice changes nothing."""

from sqlalchemy import func, select

from qualify.accounts.models import User
from qualify.courses.models import CourseOwner
from qualify.demo import demo_cli
from qualify.exchange.models import SpaceModerator
from qualify.extensions import db
from qualify.workshops.models import WorkshopSession


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (User, CourseOwner, WorkshopSession, SpaceModerator))


def test_demo_load_gives_every_role_an_account_and_something_to_do(runner, demo_courses):
    result = runner.invoke(demo_cli, ["load"])
    assert result.exit_code == 0, result.output
    assert "admin@demo.qualify.test" in result.output and "admin-demo-2026" in result.output
    users, owners, sessions, moderators = counts()
    assert (users, owners) == (6, len(demo_courses))
    assert sessions >= 2 and moderators >= 1
    runner.invoke(demo_cli, ["load"])
    assert counts() == (users, owners, sessions, moderators)
