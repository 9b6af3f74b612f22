"""Scheduled work of the reports feature: the nightly count of the rollups."""

from apscheduler.triggers.cron import CronTrigger

from qualify.core.scheduler import Job
from qualify.reports.rollup import refresh_rollups

JOBS = (Job("reports.rollups", refresh_rollups, CronTrigger(hour=2, minute=30, timezone="Europe/Berlin")),)
