"""``amazon-emulator``: serve the emulator under uvicorn."""

from __future__ import annotations

import argparse
import json
import logging
import logging.config
import os
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from amazon_emulator.app import create_app
from amazon_emulator.config import EmulatorConfig


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="amazon-emulator", description="A local Amazon (LWA, SP-API, Ads API)."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--seed", type=int, default=42, help="seed for all generated data")
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="multiply Amazon rates and divide Amazon durations by this, and announce them so "
        "(a faster Amazon; timestamps stay on the wall clock)",
    )
    parser.add_argument("--demo", action="store_true", help="start with the demo application and demo seller")
    parser.add_argument("--demo-orders", type=int, default=3000, help="orders of the demo seller")
    parser.add_argument(
        "--grants-file",
        type=Path,
        help="keep the refresh tokens handed out in this JSON file, so that connections survive a restart",
    )
    parser.add_argument(
        "--public-url",
        default=os.environ.get("AMAZON_EMULATOR_PUBLIC_URL") or None,
        help="base URL of the document links handed out (env AMAZON_EMULATOR_PUBLIC_URL; default "
        "http://<host>:<port>, 0.0.0.0 -> 127.0.0.1; other containers need e.g. http://emulator:8100)",
    )
    parser.add_argument("--log-level", default="info")
    parser.add_argument(
        "--log-config",
        type=Path,
        help="a logging.config.dictConfig JSON file that formats every line, uvicorn's too (the "
        "product's `spapi-saas dev` passes its own format this way); default: plain text",
    )
    return parser.parse_args(argv)


def default_public_url(host: str, port: int) -> str:
    """Where clients reach a server bound to ``host``: a wildcard address is reached on loopback."""
    reach = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://[{reach}]:{port}" if ":" in reach else f"http://{reach}:{port}"


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.log_config:
        logging.config.dictConfig(json.loads(args.log_config.read_text()))
    else:
        logging.basicConfig(level=args.log_level.upper())
    config = EmulatorConfig(
        seed=args.seed,
        time_scale=args.time_scale,
        demo=args.demo,
        demo_orders=args.demo_orders,
        grants_file=args.grants_file,
        public_base_url=args.public_url or default_public_url(args.host, args.port),
    )
    app = create_app(config)
    state = app.state.emulator
    logging.getLogger("amazon_emulator").info(
        "Amazon emulator on http://%s:%s (time scale %s, %d seller(s), %d app(s)); admin: /_emulator/docs",
        args.host, args.port, args.time_scale, len(state.sellers), len(state.credentials.apps),
    )  # fmt: skip
    # With a log configuration uvicorn's loggers keep no handlers of their own: the root's format them.
    uvicorn_logging = None if args.log_config else uvicorn.config.LOGGING_CONFIG
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        log_config=uvicorn_logging,
    )


if __name__ == "__main__":
    main()
