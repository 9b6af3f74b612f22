"""The one scheduler process: runs the jobs of every feature, and refuses to start twice.

Jobs are plain functions of `now`, listed with their triggers in JOBS (see qualify/cli.py). Web workers
never run them. A second scheduler (another server, a cron `--once` while the daemon runs) finds the lock
taken and exits: a PostgreSQL advisory lock, or on SQLite an flock on instance/scheduler.lock. A running
scheduler confirms its lock before each job (see AdvisoryLock) and stops if another one has it.
"""

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from qualify.core.mail import send_due_mail
from qualify.core.time import utcnow
from qualify.extensions import db

log = logging.getLogger(__name__)
ADVISORY_LOCK_KEY = 0x5175616C  # "Qual": one number for the whole installation


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[datetime], object]
    trigger: BaseTrigger


CORE_JOBS = (Job("mail.outbox", send_due_mail, IntervalTrigger(minutes=1)),)


class SchedulerLocked(RuntimeError):
    """Another scheduler holds the lock."""


class SchedulerLock:
    """The installation-wide lock a running scheduler holds; `confirm()` before each job tells it still does."""

    released = False

    def confirm(self) -> bool:
        return not self.released  # a lock file is held by its open handle until it is released


@contextmanager
def scheduler_lock(app: Flask) -> Iterator[SchedulerLock]:
    """Hold the installation-wide scheduler lock for the duration, or raise SchedulerLocked at once."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        lock = AdvisoryLock(engine)
        if not lock.acquire():
            raise SchedulerLocked("another scheduler holds the PostgreSQL advisory lock")
        try:
            yield lock
        finally:
            lock.release()
    else:
        lock = SchedulerLock()
        try:
            with _file_lock(Path(app.config.get("INSTANCE_PATH") or app.instance_path) / "scheduler.lock"):
                yield lock
        finally:
            lock.released = True


class AdvisoryLock(SchedulerLock):
    """A PostgreSQL session-level advisory lock: it lives exactly as long as the connection that took it.

    If that connection drops (a database restart, a network cut, an idle timeout in between), the server
    releases the lock and a second scheduler may take it; so before each job the scheduler asks `confirm()`,
    which takes the lock again on a new connection when it is free, and says False when another has it.

    Jobs due at the same moment run in threads of their own and confirm at the same time: one at a time, or
    they shared the connection mid-statement, and after a restart a second thread found the lock the first had
    just taken again "taken by another" and stopped the scheduler.
    """

    def __init__(self, engine):
        self.engine = engine
        self.connection = None
        self._one_at_a_time = threading.Lock()

    def acquire(self) -> bool:
        with self._one_at_a_time:
            return self._acquire()

    def _acquire(self) -> bool:
        connection = self.engine.connect()
        try:
            acquired = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            connection.commit()  # the lock outlives the transaction; do not sit idle in one
        except Exception:
            connection.close()
            raise
        if not acquired:
            connection.close()
            return False
        self.connection = connection
        return True

    def confirm(self) -> bool:
        with self._one_at_a_time:
            return self._confirm()

    def _confirm(self) -> bool:
        if self.released:
            return False
        if self.connection is not None:
            try:
                self.connection.execute(text("SELECT 1"))  # alive: the lock is still ours
                self.connection.commit()
                return True
            except SQLAlchemyError:
                log.warning("the connection holding the scheduler lock was lost; taking the lock again")
                self._close()
        try:
            return self._acquire()
        except SQLAlchemyError:
            log.exception("could not take the scheduler lock again")
            return False

    def release(self) -> None:
        with self._one_at_a_time:
            self._release()

    def _release(self) -> None:
        self.released = True
        if self.connection is None:
            return
        try:
            self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
            self.connection.commit()
        except SQLAlchemyError:
            pass  # the connection is gone, and the lock with it
        finally:
            self._close()

    def _close(self) -> None:
        try:
            self.connection.invalidate()  # never back into the pool: it held the lock
        except SQLAlchemyError:
            pass
        self.connection.close()
        self.connection = None


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115  (held open for the whole run)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SchedulerLocked(f"another scheduler holds the lock file {path}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the flock


def run_job(app: Flask, job: Job, now: datetime | None = None) -> object:
    """Run one job in an app context of its own; a failing job is logged and rolled back, never fatal."""
    with app.app_context():
        try:
            result = job.func(now or utcnow())
            db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            log.exception("scheduled job %s failed", job.name)
            return None
        finally:
            db.session.remove()


def run_once(app: Flask, jobs: tuple[Job, ...], now: datetime | None = None) -> dict[str, object]:
    """Run every job once, in order; return each job's result."""
    return {job.name: run_job(app, job, now) for job in jobs}


class LockLost(RuntimeError):
    """The scheduler lost its lock to another scheduler and stopped."""


def run_forever(app: Flask, jobs: tuple[Job, ...], lock: SchedulerLock | None = None) -> None:
    """Run the jobs on their triggers until the process is stopped, or until another scheduler has the lock."""
    lock = lock or SchedulerLock()
    scheduler = BlockingScheduler(timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1,
                                                               "misfire_grace_time": 300})
    lost = []

    def run_if_still_locked(job: Job) -> None:
        if lost:
            return
        if not lock.confirm():
            log.error("another scheduler has taken the lock: this one stops before running %s", job.name)
            lost.append(job.name)
            scheduler.shutdown(wait=False)
            return
        run_job(app, job)

    for job in jobs:
        # Interval jobs (outbox, reminders) start at once; daily jobs wait for their hour, or every restart
        # would send another digest.
        start = {"next_run_time": datetime.now(UTC)} if isinstance(job.trigger, IntervalTrigger) else {}
        scheduler.add_job(run_if_still_locked, job.trigger, args=(job,), id=job.name, name=job.name, **start)
    log.info("scheduler started with %d jobs", len(jobs))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler stopped")
    if lost:
        raise LockLost("another scheduler took the lock while this one's database connection was lost")


def run_as_standby(app: Flask, jobs: tuple[Job, ...], *, poll: float) -> None:
    """Wait until the lock is free, run the jobs while holding it, and wait again whenever it is lost.

    For a second server: its scheduler takes over within `poll` seconds when the active one stops.
    """
    standing_by = False
    while True:
        try:
            with scheduler_lock(app) as lock:
                log.info("scheduler lock taken: running %d jobs", len(jobs))
                standing_by = False
                run_forever(app, jobs, lock)
                return  # stopped on purpose (Ctrl+C, SIGTERM)
        except (SchedulerLocked, LockLost):
            if not standing_by:
                log.info("another scheduler holds the lock: standing by")
                standing_by = True
        time.sleep(poll)


def scheduler_command(jobs: tuple[Job, ...]) -> click.Command:
    """Build `qualify scheduler [--once | --standby]` for this table of jobs."""

    @click.command("scheduler")
    @click.option("--once", is_flag=True, help="Run every job once and exit (tests, cron).")
    @click.option("--standby", is_flag=True,
                  help="If another scheduler runs, wait and take over when it stops (for a second server).")
    @click.option("--poll", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
                  help="With --standby: seconds between looks at the lock.")
    @with_appcontext
    def command(once: bool, standby: bool, poll: float) -> None:
        """Run the scheduled jobs (outbox, reminders, closing bookings) in this one process."""
        app = current_app._get_current_object()
        if once and standby:
            raise click.UsageError("--once and --standby do not go together.")
        if not once:
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
            click.echo(f"Scheduler with {len(jobs)} jobs; stop with Ctrl+C.")
        if standby:
            run_as_standby(app, jobs, poll=poll)
            return
        try:
            with scheduler_lock(app) as lock:
                if once:
                    for name, result in run_once(app, jobs).items():
                        click.echo(f"{name}: {result}")
                else:
                    run_forever(app, jobs, lock)
        except LockLost as error:
            raise click.ClickException(f"{error}; this one stops.") from None
        except SchedulerLocked as error:
            raise click.ClickException(f"Another scheduler is already running ({error}). "
                                       "Only one may run at a time; this one exits.") from None

    return command
