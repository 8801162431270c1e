"""Where the real-engine tests get their base images: the developer's registry, or the offline stand-ins.

Pulling cannot be tested here (no registry is reachable from the test machines), so these tests pin the
choice (``STAGIFY_E2E_IMAGES``, the shared folder, the registry ping), the ping's contract with the docker
client (a stand-in client script), and the list of images a registry run pulls.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .engine import Images, _started, base_images, choose_images, images_setting, registry_answers


def _never() -> bool:
    raise AssertionError("the registry must not be probed for this setting")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, Images.AUTO), ("", Images.AUTO), ("auto", Images.AUTO), ("registry", Images.REGISTRY),
     (" Stand-Ins ", Images.STAND_INS)],
)
def test_the_setting_is_read_from_the_environment(value: str | None, expected: Images) -> None:
    environ = {} if value is None else {"STAGIFY_E2E_IMAGES": value}
    assert images_setting(environ) is expected


def test_an_unknown_setting_is_a_usage_error_naming_the_choices() -> None:
    with pytest.raises(pytest.UsageError, match="'docker-hub': expected one of registry, stand-ins, auto"):
        images_setting({"STAGIFY_E2E_IMAGES": "docker-hub"})


def test_registry_uses_the_engine_without_the_shared_folder_or_a_ping() -> None:
    choice = choose_images(Images.REGISTRY, has_stand_ins=False, registry_answers=_never)
    assert choice.images is Images.REGISTRY


def test_stand_ins_need_the_shared_folder_and_never_ping() -> None:
    assert choose_images(Images.STAND_INS, has_stand_ins=True, registry_answers=_never).images is Images.STAND_INS
    missing = choose_images(Images.STAND_INS, has_stand_ins=False, registry_answers=_never)
    assert missing.images is None and "STAGIFY_SHARED" in missing.reason


@pytest.mark.parametrize(
    ("answers", "has_stand_ins", "expected"),
    [(True, True, Images.REGISTRY), (True, False, Images.REGISTRY), (False, True, Images.STAND_INS), (False, False, None)],
    ids=["registry wins over stand-ins", "registry alone", "stand-ins where no registry answers", "neither"],
)
def test_auto_pings_the_registry_and_falls_back_to_the_stand_ins(
    answers: bool, has_stand_ins: bool, expected: Images | None
) -> None:
    pings: list[bool] = []

    def ping() -> bool:
        pings.append(answers)
        return answers

    choice = choose_images(Images.AUTO, has_stand_ins=has_stand_ins, registry_answers=ping)
    assert choice.images is expected and pings == [answers]
    assert choice.reason.startswith("auto: ")


def _client(tmp_path: Path, script: str) -> str:
    """A stand-in docker client: records its arguments, then runs ``script``."""
    client = tmp_path / "docker"
    client.write_text(f'#!/bin/sh\necho "$@" >> "{tmp_path}/calls"\n{script}\n')
    client.chmod(0o755)
    return str(client)


@pytest.mark.parametrize(
    ("script", "expected"),
    [("exit 0", True), ("echo 'Error response from daemon: ... dial tcp: lookup index.docker.io' >&2; exit 1", False),
     ("sleep 5", False)],
    ids=["answers", "refused", "hangs"],
)
def test_the_ping_is_a_search_through_the_engine(tmp_path: Path, script: str, expected: bool) -> None:
    client = _client(tmp_path, script)
    assert registry_answers(client, dict(os.environ), timeout=1) is expected
    assert (tmp_path / "calls").read_text().split() == ["search", "--limit", "1", "hello-world"]


def test_the_ping_of_a_missing_client_is_no_answer(tmp_path: Path) -> None:
    assert registry_answers(str(tmp_path / "no-docker"), dict(os.environ)) is False


def test_a_registry_run_without_an_engine_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No shared folder needed, and none used: the developer's client is asked, and its refusal is the reason."""
    monkeypatch.setenv("DOCKER", _client(tmp_path, "echo 'Cannot connect to the Docker daemon' >&2; exit 1"))
    monkeypatch.setenv("STAGIFY_SHARED", str(tmp_path / "nowhere"))
    started = _started.__wrapped__(Images.REGISTRY)
    assert isinstance(started, str) and "Cannot connect to the Docker daemon" in started
    assert (tmp_path / "calls").read_text().split()[0] == "info"


def test_a_registry_run_with_an_engine_uses_it_without_stand_ins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER", _client(tmp_path, "exit 0"))
    started = _started.__wrapped__(Images.REGISTRY)
    assert not isinstance(started, str)
    assert started.images is Images.REGISTRY and started.docker == os.environ["DOCKER"]
    assert [line.split()[0] for line in (tmp_path / "calls").read_text().splitlines()] == ["info"]


def test_a_registry_run_pulls_the_images_a_dockerfile_builds_from() -> None:
    text = (
        "ARG GO=1.22\n"
        "FROM golang:${GO}-bookworm AS Build\n"
        "RUN go build -o /app .\n"
        "FROM scratch AS empty\n"
        "FROM gcr.io/distroless/static-debian12:nonroot\n"
        "COPY --from=build /app /app\n"
        "COPY --from=0 /etc/passwd /etc/passwd\n"
        "COPY --from=nginx:1.27 /etc/nginx/nginx.conf /etc/nginx.conf\n"
        "COPY --from=empty / /\n"
    )
    assert base_images(text) == ["golang:1.22-bookworm", "gcr.io/distroless/static-debian12:nonroot", "nginx:1.27"]
