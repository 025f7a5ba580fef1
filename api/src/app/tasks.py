"""Imports every module that declares jobs, so the worker process knows all actors."""

# Last: declares a stand-in for `sync.connection_onboarded` only if no module above declared it.
from app.connections import tasks as connections_tasks
from app.worker import tasks as worker_tasks

__all__ = ["connections_tasks", "worker_tasks"]
