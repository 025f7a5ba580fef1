"""Imports every module that declares jobs (and, with them, the domains' event subscribers), so
every entry point knows all actors and subscribers; and the whole schema (`app.models`): a flush
sorts tables by their foreign keys, and a process that never loaded, say, `tenants` cannot write
a `jobs` or `audit_logs` row that references it."""

import app.models  # noqa: F401
from app.notifications import tasks as notifications_tasks
from app.sync import tasks as sync_tasks
from app.worker import tasks as worker_tasks

__all__ = ["notifications_tasks", "sync_tasks", "worker_tasks"]
