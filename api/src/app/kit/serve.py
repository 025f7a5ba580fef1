"""Serving the API with several worker processes that share the connections evenly.

Uvicorn's own workers share one listening socket, and whichever worker wakes first accepts every
connection waiting in the queue: keep-alive clients (or a proxy's upstream pool) that connect at
once all land on one worker while the others idle (seen in bench/b4_orders_api.py: 20 connections
on one worker, none on the other). One SO_REUSEPORT socket per worker was better, but the kernel
picks a worker by a hash of the client's address, so 20 connections split at random (13/7, say)
and the busier worker's requests wait (p50 31 ms against p95 80 ms in the same run).

So the supervisor accepts, and hands each new connection to the next worker in turn: the file
descriptor goes over a Unix socket pair (SCM_RIGHTS) and the worker's uvicorn serves it like one
it accepted itself. The supervisor touches a connection once, when it opens; requests on it go
straight to the worker. It refuses to start when the address is taken, starts a worker that dies
again (unless the app itself failed to start), and SIGINT/SIGTERM stop everything.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import selectors
import signal
import socket
import time
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any

import structlog
import uvicorn
from uvicorn.config import STARTUP_FAILURE

log = structlog.get_logger(__name__)

RESTART_DELAY_S = 1.0
# Connections accepted per wake-up of the supervisor.
_BATCH = 64


class _HandedServer(uvicorn.Server):
    """A uvicorn server with no listening socket of its own: it serves the connections the
    supervisor sends over `control`, and stops when the supervisor goes away."""

    def __init__(self, config: uvicorn.Config, control: socket.socket) -> None:
        super().__init__(config)
        self.control = control

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])
        if not self.started:
            return
        loop = asyncio.get_running_loop()
        config = self.config

        def protocol() -> asyncio.Protocol:
            return config.http_protocol_class(  # type: ignore[call-arg]
                config=config, server_state=self.server_state, app_state=self.lifespan.state
            )

        adopting: set[asyncio.Task[None]] = set()

        async def adopt(connection: socket.socket) -> None:
            try:
                await loop.connect_accepted_socket(protocol, connection)
            except OSError:  # the client left before the worker took the connection
                connection.close()

        def receive() -> None:
            try:
                message, fds, _flags, _address = socket.recv_fds(self.control, 16, 1)
            except BlockingIOError:
                return
            except OSError:
                message, fds = b"", []
            for fd in fds:
                connection = socket.socket(fileno=fd)
                connection.setblocking(False)
                task = loop.create_task(adopt(connection))
                adopting.add(task)
                task.add_done_callback(adopting.discard)
            if not message:  # the supervisor is gone: finish what is in flight and stop
                loop.remove_reader(self.control.fileno())
                self.should_exit = True

        self.control.setblocking(False)
        loop.add_reader(self.control.fileno(), receive)


def _run_worker(options: dict[str, Any], control: socket.socket) -> None:
    server = _HandedServer(uvicorn.Config(**options), control)
    try:
        server.run()
    finally:
        if not server.started:
            # The app could not be imported or its startup failed: tell the supervisor.
            os._exit(STARTUP_FAILURE)


@dataclass
class _Worker:
    process: BaseProcess
    control: socket.socket


def listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    sock.setblocking(False)
    return sock


def serve(options: dict[str, Any], *, workers: int) -> int:
    """Run `workers` uvicorn servers with `options` (uvicorn.Config's arguments) until SIGINT or
    SIGTERM; returns the exit code."""
    if workers <= 1:
        uvicorn.run(**options)
        return 0
    host, port = options["host"], options["port"]
    try:
        listener = listening_socket(host, port, int(options.get("backlog") or 2048))
    except OSError as exc:
        log.error("api_address_in_use", host=host, port=port, error=str(exc))
        return 1

    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> _Worker:
        # SEQPACKET: one message per connection, each with its own descriptor.
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        process = context.Process(target=_run_worker, args=(options, theirs), name="api-worker")
        process.start()
        theirs.close()
        # A worker too busy to take its queue must not stall the accepting: the next one takes it.
        ours.setblocking(False)
        return _Worker(process, ours)

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    pool = [start() for _ in range(workers)]
    log.info("api_workers_started", host=host, port=port, pids=[w.process.pid for w in pool])
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    turn = 0
    code = 0

    def hand_over(connection: socket.socket) -> None:
        """To the next worker in turn that takes it; a worker that died or has a full queue is
        skipped."""
        nonlocal turn
        for _ in range(len(pool)):
            worker = pool[turn % len(pool)]
            turn += 1
            try:
                socket.send_fds(worker.control, [b"c"], [connection.fileno()])
                return
            except OSError:
                continue
        log.error("api_connection_dropped", reason="no worker took it")

    try:
        while not stopping:
            if selector.select(timeout=0.2):
                for _ in range(_BATCH):
                    try:
                        connection, _address = listener.accept()
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError as exc:  # e.g. too many open files: try again on the next wake-up
                        log.error("api_accept_failed", error=str(exc))
                        break
                    with connection:
                        hand_over(connection)
            for index, worker in enumerate(pool):
                if stopping or worker.process.is_alive():
                    continue
                log.error("api_worker_died", pid=worker.process.pid, exitcode=worker.process.exitcode)
                worker.control.close()
                if worker.process.exitcode == STARTUP_FAILURE:
                    # The app cannot start (configuration, import error): restarting cannot help.
                    stopping, code = True, STARTUP_FAILURE
                    break
                time.sleep(RESTART_DELAY_S)
                pool[index] = start()
    finally:
        selector.close()
        listener.close()  # new connections are refused from now on
        for worker in pool:
            if worker.process.is_alive():
                worker.process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + float(options.get("timeout_graceful_shutdown") or 10) + 5
        for worker in pool:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.control.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code
