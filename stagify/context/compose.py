"""Compose files: which build context a service gives its Dockerfile. The only YAML reader."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import StagifyError, read_limited

COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


def is_compose_file(name: str) -> bool:
    return name in COMPOSE_NAMES or (name.startswith(("docker-compose.", "compose.")) and name.endswith((".yml", ".yaml")))


def build_contexts(compose: Path) -> dict[Path, Path]:
    """Dockerfile path -> the context folder its service builds it with. Unreadable files give nothing."""
    try:
        data = yaml.safe_load(read_limited(compose, limit=1_000_000).decode("utf-8"))
    except (StagifyError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return {}  # not a file, too big, not YAML, or nested too deeply to read
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        return {}
    found: dict[Path, Path] = {}
    for service in services.values():
        build = service.get("build") if isinstance(service, dict) else None
        if isinstance(build, str):
            context, dockerfile = build, "Dockerfile"
        elif isinstance(build, dict) and isinstance(build.get("context", "."), str):
            context = build.get("context", ".")
            dockerfile = build.get("dockerfile", "Dockerfile")
            if not isinstance(dockerfile, str):
                continue
        else:
            continue
        if "://" in context or context.startswith("git@"):
            continue  # a remote context: nothing on disk to convert
        folder = (compose.parent / context).resolve()
        found[(folder / dockerfile).resolve()] = folder
    return found
