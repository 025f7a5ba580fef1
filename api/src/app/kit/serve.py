"""Serving the API with several worker processes, each accepting on its own listening socket.

Uvicorn's own workers share one socket, and whichever worker wakes first accepts every connection
waiting in the queue: keep-alive clients (or a proxy's upstream pool) that connect at once all land
on one worker while the others idle (seen in bench/b4_orders_api.py: 20 connections on one worker,
none on the other). With SO_REUSEPORT each worker listens on its own socket bound to the same
address, and the kernel spreads new connections over them.

The supervisor holds the address with a bound socket that never listens, so no other program can
take the port, and refuses to start when something already answers there (a second copy of the
API would otherwise join the group silently). A worker that dies is started again, unless
the app itself failed to start.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import time
from multiprocessing.process import BaseProcess
from typing import Any

import structlog
import uvicorn
from uvicorn.config import STARTUP_FAILURE

log = structlog.get_logger(__name__)

RESTART_DELAY_S = 1.0


def reuseport_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _run_worker(options: dict[str, Any]) -> None:
    sock = reuseport_socket(options["host"], options["port"])
    server = uvicorn.Server(uvicorn.Config(**options))
    try:
        server.run(sockets=[sock])
    finally:
        if not server.started:
            # The app could not be imported or its startup failed: tell the supervisor.
            os._exit(STARTUP_FAILURE)


def serve(options: dict[str, Any], *, workers: int) -> int:
    """Run `workers` uvicorn servers with `options` (uvicorn.Config's arguments) until SIGINT or
    SIGTERM; returns the exit code."""
    if workers <= 1 or not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(**options, workers=workers)
        return 0
    host, port = options["host"], options["port"]
    if _answers(host, port):
        log.error("api_address_in_use", host=host, port=port)
        return 1
    try:
        guard = reuseport_socket(host, port)
    except OSError as exc:
        log.error("api_address_in_use", host=host, port=port, error=str(exc))
        return 1

    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> BaseProcess:
        process = context.Process(target=_run_worker, args=(options,), name="api-worker")
        process.start()
        return process

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes = [start() for _ in range(workers)]
    log.info("api_workers_started", host=host, port=port, pids=[p.pid for p in processes])
    code = 0
    try:
        while not stopping:
            time.sleep(0.2)
            for index, process in enumerate(processes):
                if stopping or process.is_alive():
                    continue
                log.error("api_worker_died", pid=process.pid, exitcode=process.exitcode)
                if process.exitcode == STARTUP_FAILURE:
                    # The app cannot start (configuration, import error): restarting cannot help.
                    stopping, code = True, STARTUP_FAILURE
                    break
                time.sleep(RESTART_DELAY_S)
                processes[index] = start()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + float(options.get("timeout_graceful_shutdown") or 10) + 5
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        guard.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code
