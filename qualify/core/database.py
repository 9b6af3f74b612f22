"""Database engine tuning and the behaviour when the database cannot be reached."""

import time
from dataclasses import dataclass
from functools import cache, lru_cache

from flask import Flask, current_app, request
from sqlalchemy import DDL, String, bindparam, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from qualify.config import PROJECT_ROOT
from qualify.core.text import german_sort_key
from qualify.core.time import UTCDateTime
from qualify.extensions import db

MIGRATIONS = PROJECT_ROOT / "migrations"


def _tune_sqlite(dbapi_connection, _record) -> None:
    # WAL lets readers work while a writer commits; the busy timeout makes writers queue instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # SQLite's lower() knows only A-Z: "Öztürk" stayed "Öztürk", and a search for "öztürk" found nobody.
    dbapi_connection.create_function("unicode_lower", 1, _unicode_lower, deterministic=True)
    dbapi_connection.create_function("search_fold", 1, _search_fold, deterministic=True)
    dbapi_connection.create_collation(GERMAN, _compare_german)


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


# Letters a name is often typed without, where a keyboard or an HR system has none: "Öztürk" as "Ozturk",
# "Yılmaz" as "Yilmaz". One letter for one, so that PostgreSQL's translate() folds as Python does.
_FOLDED = dict(pair for pair in ("äa öo üu áa àa âa ãa åa ăa ąa ée èe êe ëe ęe íi ìi îi ïi ıi óo òo ôo õo øo őo "
                                 "úu ùu ûu űu ñn ńn çc ćc čc şs šs śs șs žz źz żz ğg łl řr ţt țt ýy").split())
_ACCENTED, _PLAIN = "".join(_FOLDED), "".join(_FOLDED.values())
_FOLD = str.maketrans(_ACCENTED, _PLAIN)


def search_fold(text: str) -> str:
    """Lower case, ß spelt out, the common accents dropped: what a name search compares on both sides."""
    return text.lower().replace("ß", "ss").translate(_FOLD)


def _search_fold(value):
    return search_fold(value) if isinstance(value, str) else value


class SearchFold(GenericFunction):
    """search_fold() of a column: on SQLite the function _tune_sqlite registers, on PostgreSQL its own."""

    name = "search_fold"
    type = String()
    inherit_cache = True


@compiles(SearchFold, "postgresql")
def _search_fold_on_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"translate(replace(lower({column}), 'ß', 'ss'), '{_ACCENTED}', '{_PLAIN}')"


# Names and titles are listed in German dictionary order: "Özdemir" before "Paul", not after "Zimmermann" where
# the code points put Ö. PostgreSQL sorts with an ICU collation of this name (its migration creates it, as does
# create_all), SQLite with the same order in Python. Only ORDER BY uses it: equality and indexes stay binary.
GERMAN = "german"
_CREATE_GERMAN = "CREATE COLLATION IF NOT EXISTS german (provider = icu, locale = 'de-DE')"
event.listen(db.metadata, "before_create", DDL(_CREATE_GERMAN).execute_if(dialect="postgresql"))


def in_german_order(column):
    """`column` to sort by as a German reader expects (see GERMAN)."""
    return column.collate(GERMAN)


# SQLite calls the comparison some 15 times per name it sorts: with the keys at hand, 20,000 names sort in
# 40 ms instead of 500. (SQLite is for small installations; PostgreSQL sorts with an index.)
_cached_german_key = lru_cache(maxsize=10_000)(german_sort_key)


def _compare_german(left: str, right: str) -> int:
    if left == right:
        return 0
    return -1 if _cached_german_key(left) < _cached_german_key(right) else 1


class UnicodeLower(GenericFunction):
    """lower() of any letter: PostgreSQL's own; on SQLite the function _tune_sqlite registers."""

    name = "lower"
    identifier = "unicode_lower"  # not func.lower's place in SQLAlchemy's registry
    type = String()
    inherit_cache = True


@compiles(UnicodeLower, "sqlite")
def _lower_on_sqlite(element, compiler, **kw):
    return f"unicode_lower({compiler.process(element.clauses, **kw)})"


# A pooled connection unused for this long is asked whether it still works before a request gets it.
IDLE_BEFORE_PING = 2.0


def _note_use(_dbapi_connection, record, *_args) -> None:
    record.info["used_at"] = time.monotonic()


def _ping_if_idle(engine: Engine):
    """Return a checkout listener that pings only connections that sat idle in the pool.

    pool_pre_ping asks the server on every checkout: a round trip per request, a sixth of a page's. Under load
    a connection comes back within milliseconds and is alive; one that waited may have died with a database
    restart, so only that one is asked, and a dead one is replaced before any request sees it. (A restart
    while connections are busy costs each worker one failed request, after which the pool reconnects.)
    """
    def ping(dbapi_connection, record, _proxy) -> None:
        used_at = record.info.get("used_at")
        if used_at is not None and time.monotonic() - used_at < IDLE_BEFORE_PING:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # whatever the driver raises for a dead connection
            raise DisconnectionError(str(error)) from error
        if not alive:
            raise DisconnectionError("the database did not answer the ping")
    return ping


def without_transaction(view):
    """Mark a GET view that needs no transaction: on PostgreSQL each of its statements commits on its own.

    A transaction costs two round trips to PostgreSQL – BEGIN, and ROLLBACK when the connection goes back to
    the pool – a third of what a reading page spends there. Under READ COMMITTED each statement sees the data
    as of its own start anyway, so a view that only reads loses nothing. Mark only views that read, or that
    write one row whose INSERT stands alone (an access-log entry); never a view that writes several rows
    which belong together, or uses savepoints. On SQLite nothing changes.
    """
    view.without_transaction = True
    return view


def _autocommit_for_marked_views() -> None:
    if request.method not in ("GET", "HEAD") or db.session().in_transaction():
        return
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "without_transaction", False):
        # The isolation level applies to this checkout only: the pool resets it when the request ends.
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def init_app(app: Flask) -> None:
    """Bind the database and install per-dialect connection settings."""
    db.init_app(app)
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _tune_sqlite)  # a file: nothing to ping
        else:
            event.listen(engine, "connect", _note_use)
            event.listen(engine, "checkin", _note_use)
            event.listen(engine, "checkout", _ping_if_idle(engine))
            app.before_request(_autocommit_for_marked_views)


class MigrationsOnDemand:
    """Stands in for Flask-Migrate in `app.extensions["migrate"]` until something asks for more than the folder.

    Flask-Migrate brings Alembic and Mako: a tenth of a second that a web worker, which never migrates,
    need not spend at start-up. `qualify db …` and `flask_migrate.upgrade()` load it on first use.
    """

    directory = str(MIGRATIONS)

    def __init__(self, app: Flask):
        self._app = app

    def __getattr__(self, name: str):
        from flask_migrate import Migrate

        Migrate(self._app, db, directory=self.directory, render_as_batch=True, compare_type=True,
                render_item=render_migration_item, include_object=compared_by_autogenerate)
        # …which replaces this stand-in in app.extensions
        return getattr(self._app.extensions["migrate"], name)


def run(statement, **params):
    """Run a prepared Core statement in the session's transaction and return its plain rows.

    For the few queries every page makes: no ORM objects to build. Statements are built once
    (`functools.cache`) with bind parameters, because composing one costs more than running it.
    """
    session = db.session()
    if session.new or session.dirty or session.deleted:
        session.flush()  # what session.execute would do: the rows include this request's own changes
    return session.connection().execute(statement, params)


def contains_text(column, words: str):
    """A case-insensitive "column contains text" condition, with LIKE's wildcards in the text taken literally."""
    return UnicodeLower(column).like(_containing(words.strip().lower()), escape="\\")


def contains_folded(column, text: str):
    """A "column contains text" condition that ignores case and the accents search_fold drops."""
    return SearchFold(column).like(_containing(search_fold(text.strip())), escape="\\")


def _containing(text: str) -> str:
    """A LIKE pattern for "contains text", its wildcards and the escape character taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def take_turns(key: str) -> None:
    """Let transactions that pass the same key run one after another from here until they end.

    PostgreSQL: an advisory lock for the transaction, per key. SQLite has no such lock: the transaction takes the
    database's write lock now (BEGIN IMMEDIATE) instead of at its first write, so that what it reads from here
    on cannot change under it – writers take turns whatever their key, as SQLite writes one at a time anyway,
    and readers go on. Without it, simultaneous requests all counted, say, the failed logins before any of
    them wrote one.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        db.session.execute(_advisory_lock_statement(), {"key": key})
    elif dialect == "sqlite":
        connection = db.session.connection()
        if not connection.connection.dbapi_connection.in_transaction:  # after a write it holds the lock already
            connection.exec_driver_sql("BEGIN IMMEDIATE")


@cache
def _advisory_lock_statement():
    return text("SELECT pg_advisory_xact_lock(hashtext(:key))")


def insert_on_conflict(table):
    """Return an INSERT for the session's database that can say ON CONFLICT DO NOTHING (SQLite and PostgreSQL)."""
    return _insert_construct(db.session.get_bind().dialect.name)(table)


def _insert_construct(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def insert_unless_present(model, **values) -> bool:
    """Insert a row unless a unique constraint already holds its like; tell whether it was inserted.

    One statement (INSERT … ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike) instead of a savepoint,
    an INSERT and a caught IntegrityError: for the rows that must exist once, such as a module done.
    """
    dialect = db.session.get_bind().dialect.name
    return run(_insert_unless_present_statement(model, dialect, tuple(values)), **values).first() is not None


@cache
def _insert_unless_present_statement(model, dialect: str, columns: tuple[str, ...]):
    table = model.__table__
    # RETURNING rather than rowcount, which is -1 on PostgreSQL once SQLAlchemy adds its own RETURNING.
    return (_insert_construct(dialect)(table)
            .values({name: bindparam(name, type_=table.c[name].type) for name in columns})
            .on_conflict_do_nothing().returning(table.c.id))


def init_migrations(app: Flask) -> None:
    """Let Flask-Migrate find the migrations folder, loading it only when migrations are asked for."""
    app.extensions["migrate"] = MigrationsOnDemand(app)


def render_migration_item(type_: str, obj, autogen_context):
    """Write our column types as plain SQLAlchemy types in migrations, so they never import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def compared_by_autogenerate(obj, _name, type_: str, _reflected: bool, _compare_to) -> bool:
    """Leave out of Alembic's comparison what it cannot read back: an index in a collation (it reads
    `name COLLATE german` as `name` and would change the index on every autogenerate)."""
    return not (type_ == "index" and obj.info.get("collated"))


@dataclass(frozen=True)
class Readiness:
    ready: bool
    database: str  # "ok" or "unreachable"
    revision: str | None  # the database's Alembic revision
    head: str  # what the code expects
    # "current", "older than this code", "newer than this code", "not migrated"; None: not known (unreachable)
    schema: str | None = None

    def as_dict(self) -> dict:
        """The answer of /readyz. Without the revision ids: they would tell anyone who reaches the port which
        release runs (and so which fixes it lacks); `q db current` names them on the server."""
        answer = {"status": "ready" if self.ready else "not ready", "database": self.database}
        return answer | ({"schema": self.schema} if self.schema else {})


@cache
def _script_heads(directory: str) -> frozenset[str]:
    # Read once per process: the migration scripts change only with a deployment, which restarts the workers.
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory(directory).get_heads())


@cache
def _script_revisions(directory: str) -> frozenset[str]:
    # Every revision the migrations of this code know, read once per process like the heads.
    from alembic.script import ScriptDirectory

    return frozenset(script.revision for script in ScriptDirectory(directory).walk_revisions())


def migration_heads() -> frozenset[str]:
    """Return the head revision(s) of the migration scripts the running code ships with."""
    return _script_heads(current_app.extensions["migrate"].directory)


def readiness() -> Readiness:
    """Check that the database answers and has been migrated to the head this code expects, or past it.

    Past it means a newer release migrated the database while this server still runs the old code: in a rolling
    upgrade it keeps serving until its turn to restart (docs/operations.md allows rolling upgrades only for
    migrations the old code tolerates; the others stop every server first). Behind head, the code would use
    tables and columns the database does not have yet: not ready.
    """
    heads = migration_heads()
    head = ",".join(sorted(heads))
    try:
        rows = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:
        # Unreachable, or reachable without an alembic_version table (never migrated): not ready either way.
        # The failed connection is invalidated, so the next check succeeds once the database is back.
        db.session.rollback()
        reachable = _reachable()
        return Readiness(False, "ok" if reachable else "unreachable", None, head, "not migrated" if reachable else None)
    db.session.rollback()  # end the read transaction; a probe must not hold a connection in a transaction
    revision = ",".join(sorted(rows)) or None
    if frozenset(rows) == heads:
        return Readiness(True, "ok", revision, head, "current")
    if rows and not set(rows) <= _script_revisions(current_app.extensions["migrate"].directory):
        return Readiness(True, "ok", revision, head, "newer than this code")
    return Readiness(False, "ok", revision, head, "older than this code" if rows else "not migrated")


def _reachable() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    finally:
        db.session.rollback()
    return True
