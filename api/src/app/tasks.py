"""What every entry point (the API, the worker, the scheduler, the notifications consumer, the tests)
loads before it runs: every actor, every domain-event subscriber and sync dataset (they register
when their domain's `tasks.py` is imported), and every table (`app.models`: the foreign keys
between domains' tables are resolved by name when a session first writes). The broker, the engine
and the event bus know no domain; they find what registered here."""

from app import models
from app.connections import tasks as connections_tasks
from app.notifications import tasks as notifications_tasks
from app.orders import tasks as orders_tasks
from app.sync import tasks as sync_tasks
from app.worker import tasks as worker_tasks

__all__ = ["connections_tasks", "models", "notifications_tasks", "orders_tasks", "sync_tasks", "worker_tasks"]
