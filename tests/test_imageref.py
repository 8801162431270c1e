"""Unit tests for stagify/images/reference.py: reading image references the way Docker does."""

from __future__ import annotations

import pytest

from stagify.images.reference import Family, ImageRef, parse_ref

DIGEST = "sha256:" + "0123456789abcdef" * 4


@pytest.mark.parametrize(
    "text, registry, path, tag, digest",
    [
        ("golang", None, "golang", None, None),
        ("golang:1.22", None, "golang", "1.22", None),
        ("library/golang:1.22", None, "golang", "1.22", None),
        ("docker.io/library/golang:1.22", None, "golang", "1.22", None),
        ("docker.io/golang", None, "golang", None, None),
        ("index.docker.io/library/golang:1.22", None, "golang", "1.22", None),
        ("registry-1.docker.io/bitnami/golang:1.22", None, "bitnami/golang", "1.22", None),
        ("gcr.io/distroless/static-debian12:nonroot", "gcr.io", "distroless/static-debian12", "nonroot", None),
        ("localhost:5000/app:1", "localhost:5000", "app", "1", None),
        ("localhost/app", "localhost", "app", None, None),
        (f"registry.example.com:443/team/app@{DIGEST}", "registry.example.com:443", "team/app", None, DIGEST),
        (f"golang:1.22@{DIGEST}", None, "golang", "1.22", DIGEST),
        ("bitnami/golang:1.22", None, "bitnami/golang", "1.22", None),
        ("localhost:5000/library/app", "localhost:5000", "library/app", None, None),
    ],
)
def test_parse_ref_splits_registry_path_tag_and_digest(
    text: str, registry: str | None, path: str, tag: str | None, digest: str | None
) -> None:
    assert parse_ref(text) == ImageRef(registry=registry, path=path, tag=tag, digest=digest)


def test_surrounding_whitespace_is_ignored() -> None:
    assert parse_ref("  golang:1.22\n") == ImageRef(registry=None, path="golang", tag="1.22", digest=None)


@pytest.mark.parametrize(
    "text, name, repository",
    [
        ("golang:1.22", "golang", "golang"),
        ("docker.io/library/golang:1.22", "golang", "golang"),
        ("bitnami/golang", "bitnami/golang", "golang"),
        ("gcr.io/distroless/static-debian12:nonroot", "gcr.io/distroless/static-debian12", "static-debian12"),
        ("localhost:5000/app:1", "localhost:5000/app", "app"),
        (f"registry.example.com:443/team/app@{DIGEST}", "registry.example.com:443/team/app", "app"),
    ],
)
def test_name_and_repository(text: str, name: str, repository: str) -> None:
    ref = parse_ref(text)
    assert ref.name == name
    assert ref.repository == repository


@pytest.mark.parametrize(
    "text, official",
    [
        ("golang", True),
        ("library/golang:1.22", True),
        ("docker.io/golang", True),
        ("docker.io/library/golang:1.22", True),
        ("bitnami/golang", False),
        ("docker.io/bitnami/golang", False),
        ("gcr.io/distroless/static-debian12", False),
        ("localhost:5000/golang", False),
    ],
)
def test_is_official_means_a_docker_hub_library_image(text: str, official: bool) -> None:
    assert parse_ref(text).is_official is official


@pytest.mark.parametrize(
    "text, expected",
    [
        ("golang", "golang"),
        ("docker.io/library/golang:1.22", "golang:1.22"),
        ("library/golang:1.22", "golang:1.22"),
        ("gcr.io/distroless/static-debian12:nonroot", "gcr.io/distroless/static-debian12:nonroot"),
        ("localhost:5000/app:1", "localhost:5000/app:1"),
        (f"golang:1.22@{DIGEST}", f"golang:1.22@{DIGEST}"),
        (f"registry.example.com:443/team/app@{DIGEST}", f"registry.example.com:443/team/app@{DIGEST}"),
    ],
)
def test_str_writes_the_short_form(text: str, expected: str) -> None:
    assert str(parse_ref(text)) == expected


@pytest.mark.parametrize(
    "text",
    ["golang:1.22", "gcr.io/distroless/static-debian12:nonroot", f"localhost:5000/a/b:c@{DIGEST}"],
)
def test_str_round_trips_through_parse_ref(text: str) -> None:
    assert parse_ref(str(parse_ref(text))) == parse_ref(text)


@pytest.mark.parametrize(
    "text, family",
    [
        ("scratch", Family.SCRATCH),
        ("gcr.io/distroless/static-debian12:nonroot", Family.DISTROLESS),
        ("gcr.io/distroless/base-debian12", Family.DISTROLESS),
        ("golang:1.22-alpine", Family.ALPINE),
        ("golang:1.22.12-alpine3.21", Family.ALPINE),
        ("alpine:3.20", Family.ALPINE),
        ("alpine", Family.ALPINE),
        ("golang:1.22-windowsservercore-ltsc2022", Family.WINDOWS),
        ("golang:1.22-nanoserver-ltsc2022", Family.WINDOWS),
        ("mcr.microsoft.com/windows/nanoserver:ltsc2022", Family.WINDOWS),
        ("golang:1.22", Family.DEBIAN),
        ("golang:1.22-bookworm", Family.DEBIAN),
        ("debian:12-slim", Family.DEBIAN),
        ("docker.io/library/golang:1.22", Family.DEBIAN),
        ("bitnami/golang:1.22", Family.OTHER),
        ("ghcr.io/org/app:1", Family.OTHER),
        ("myorg/scratch", Family.OTHER),
        ("quay.io/org/distroless/static", Family.OTHER),
    ],
)
def test_family(text: str, family: Family) -> None:
    assert parse_ref(text).family is family


def test_windows_server_core_image_is_windows() -> None:
    assert parse_ref("mcr.microsoft.com/windows/servercore:ltsc2022").family is Family.WINDOWS


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "golang 1.22",
        "golang:1.22 AS build",
        "Golang",
        "myOrg/app:1",
        "golang@sha256:xyz",
        "golang@sha256:" + "a" * 31,
        "golang@",
        "golang@" + "a" * 64,
        "golang:",
        f"golang:@{DIGEST}",
        ":1.22",
    ],
)
def test_malformed_references_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_ref(text)


def test_a_reference_with_two_tags_is_rejected() -> None:
    with pytest.raises(ValueError):
        parse_ref("golang:1.22:extra")


@pytest.mark.parametrize("text", ["golang/", "team//app", "/golang"])
def test_a_reference_with_an_empty_path_component_is_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_ref(text)
