"""Imports every module that declares jobs, so the worker process knows all actors."""

from app.worker import tasks as worker_tasks

__all__ = ["worker_tasks"]
