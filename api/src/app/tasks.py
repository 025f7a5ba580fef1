"""Imports every module that declares jobs, so the worker process knows all actors."""

from app.connections import tasks as connections_tasks
from app.notifications import tasks as notifications_tasks
from app.sync import tasks as sync_tasks
from app.worker import tasks as worker_tasks

__all__ = ["connections_tasks", "notifications_tasks", "sync_tasks", "worker_tasks"]
