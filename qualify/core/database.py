"""Database engine tuning and the behaviour when the database cannot be reached."""

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from qualify.core.time import UTCDateTime
from qualify.extensions import db


def _tune_sqlite(dbapi_connection, _record) -> None:
    # WAL lets readers work while a writer commits; the busy timeout makes writers queue instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def init_app(app: Flask) -> None:
    """Bind the database and install per-dialect connection settings."""
    db.init_app(app)
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _tune_sqlite)


def render_migration_item(type_: str, obj, autogen_context):
    """Write our column types as plain SQLAlchemy types in migrations, so they never import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False
