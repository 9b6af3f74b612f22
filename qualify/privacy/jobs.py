"""Scheduled work of the privacy feature: the nightly purge of what has outlived its retention period."""

from apscheduler.triggers.cron import CronTrigger

from qualify.core.scheduler import Job
from qualify.privacy.services import purge_expired_data

JOBS = (Job("privacy.retention", purge_expired_data, CronTrigger(hour=3, minute=15, timezone="Europe/Berlin")),)
