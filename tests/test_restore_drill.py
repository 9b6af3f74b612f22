"""The restore drill of docs/operations.md: a pg_dump -Fc dump restores into an empty database, whole.

It runs the real commands an operator types: `qualify db upgrade`, `qualify demo load`,
`qualify courses import`, `pg_dump -Fc`, `pg_restore`; then every table must hold as many rows as before.
"""

import os
import shutil
import subprocess
import sys
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from qualify.config import PROJECT_ROOT

POSTGRES_URL = os.environ.get("QUALIFY_TEST_DATABASE_URL", "")
QUALIFY = [sys.executable, "-c", "from qualify.cli import main; main()"]

pytestmark = pytest.mark.postgres


def libpq_url(database: str) -> str:
    """Return a URL pg_dump and pg_restore understand (no SQLAlchemy driver suffix)."""
    url = make_url(POSTGRES_URL).set(drivername="postgresql", database=database)
    return url.render_as_string(hide_password=False)


@contextmanager
def scratch_database(server, label: str):
    name = f"qualify_drill_{label}_{uuid.uuid4().hex[:8]}"
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def row_counts(database: str) -> dict[str, int]:
    """Count the rows of every table in the public schema."""
    engine = create_engine(make_url(POSTGRES_URL).set(database=database))
    try:
        with engine.connect() as connection:
            tables = connection.execute(text(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                "AND table_type = 'BASE TABLE' ORDER BY table_name")).scalars().all()
            # Table names come from the catalogue, not from input.
            return {table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()  # noqa: S608
                    for table in tables}
    finally:
        engine.dispose()


def run(command: list[str], **env) -> None:
    result = subprocess.run(command, cwd=PROJECT_ROOT, env={**os.environ, **env}, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, f"{command[:3]} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"


@pytest.fixture
def postgres_tools():
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"PostgreSQL client tools missing: {', '.join(missing)} "
                    "(apt-get install postgresql-client)")


def test_a_dump_restores_into_an_empty_database_with_every_row(postgres_tools, tmp_path):
    server = create_engine(make_url(POSTGRES_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    dump = tmp_path / "qualify.dump"
    with ExitStack() as stack:
        source = stack.enter_context(scratch_database(server, "source"))
        target = stack.enter_context(scratch_database(server, "target"))
        env = {"DATABASE_URL": libpq_url(source), "QUALIFY_INSTANCE_PATH": str(tmp_path / "instance")}
        run([*QUALIFY, "db", "upgrade"], **env)
        run([*QUALIFY, "demo", "load"], **env)
        run([*QUALIFY, "courses", "import", str(PROJECT_ROOT / "courses")], **env)
        before = row_counts(source)

        run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), libpq_url(source)])
        run(["pg_restore", "--no-owner", "--exit-on-error", "-d", libpq_url(target), str(dump)])
        after = row_counts(target)
    server.dispose()

    assert Path(dump).stat().st_size > 0
    assert before["alembic_version"] == 1 and before["users"] >= 6 and before["module_versions"] > 0
    assert after == before
