"""Imports every module that declares jobs (and, with them, the domains' event subscribers), so
every entry point knows all actors and subscribers."""

from app.notifications import tasks as notifications_tasks
from app.sync import tasks as sync_tasks
from app.worker import tasks as worker_tasks

__all__ = ["notifications_tasks", "sync_tasks", "worker_tasks"]
