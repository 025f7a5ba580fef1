"""The actor registry: imports every module that declares jobs or subscribes to domain events, so
each entry point (the API, the worker, the scheduler, the notifications consumer, the tests) knows
them all. The broker and the engine know no domain; they find what registered here."""

from app.connections import tasks as connections_tasks
from app.notifications import tasks as notifications_tasks
from app.orders import tasks as orders_tasks
from app.sync import tasks as sync_tasks
from app.worker import tasks as worker_tasks

__all__ = ["connections_tasks", "notifications_tasks", "orders_tasks", "sync_tasks", "worker_tasks"]
