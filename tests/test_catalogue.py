"""Unit tests for stagify/images/catalogue.py: the table of pinned base images is well-formed and consistent."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import pytest

from stagify.images import catalogue as images
from stagify.images.catalogue import CATALOGUE, BaseImage, Libc, Role
from stagify.images.reference import Family, parse_ref


def rows_where(predicate: Callable[[BaseImage], bool] = lambda row: True) -> pytest.MarkDecorator:
    selected = [row for row in CATALOGUE if predicate(row)]
    return pytest.mark.parametrize("image", selected, ids=[row.key for row in selected])


ROWS = rows_where()
BUILDERS = rows_where(lambda row: row.role is Role.BUILDER)
UNLANGUAGED = rows_where(lambda row: row.language is None)
DISTROLESS = rows_where(lambda row: row.family is Family.DISTROLESS)
GO_VERSIONS = images.versions("go")


def test_the_catalogue_is_not_empty_and_has_go_builders() -> None:
    assert len(CATALOGUE) > 0
    assert GO_VERSIONS
    assert any(row.role is Role.RUNTIME for row in CATALOGUE)


def test_keys_are_non_empty_and_unique() -> None:
    keys = [row.key for row in CATALOGUE]
    assert all(key.strip() for key in keys)
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert duplicates == []


def test_references_are_unique() -> None:
    refs = [row.reference for row in CATALOGUE]
    assert len(refs) == len(set(refs))


@ROWS
def test_reference_parses_and_is_in_short_form(image: BaseImage) -> None:
    ref = parse_ref(image.reference)
    assert image.ref == ref
    assert str(ref) == image.reference


@ROWS
def test_every_row_is_pinned_to_a_tag_that_is_not_latest(image: BaseImage) -> None:
    if image.family is Family.SCRATCH:
        # scratch is Docker's reserved empty image: it has no tags to pin.
        assert image.reference == "scratch"
        return
    tag = image.ref.tag
    assert tag, f"{image.key} is untagged"
    assert tag != "latest"


def test_no_row_is_untagged_except_scratch() -> None:
    untagged = [row.key for row in CATALOGUE if row.ref.tag is None and row.ref.digest is None]
    assert untagged == ["scratch"]


@BUILDERS
def test_builders_have_a_language_and_a_version(image: BaseImage) -> None:
    assert image.language
    assert image.version
    assert re.fullmatch(r"\d+(\.\d+)*", image.version)  # Go 1.22, Node 20, Bun 1.3


@UNLANGUAGED
def test_rows_without_a_language_are_runtimes(image: BaseImage) -> None:
    assert image.role is Role.RUNTIME
    assert image.version is None


RUNTIME_KEYS = ["scratch", "distroless-static", "distroless-base", "distroless-cc", "alpine", "debian"]


@pytest.mark.parametrize("key", RUNTIME_KEYS)
def test_runtime_rows_have_role_runtime(key: str) -> None:
    assert images.row(key).role is Role.RUNTIME


@DISTROLESS
def test_distroless_rows_run_as_uid_65532_without_a_shell(image: BaseImage) -> None:
    assert image.uid == 65532 == images.NONROOT_UID
    assert image.user == "nonroot"
    assert image.shell is False
    assert image.package_manager is None


def test_every_family_a_runtime_is_chosen_from_is_present() -> None:
    runtime_families = {row.family for row in CATALOGUE if row.role is Role.RUNTIME}
    assert {Family.SCRATCH, Family.DISTROLESS, Family.ALPINE, Family.DEBIAN} <= runtime_families


@ROWS
def test_rows_with_a_shell_have_a_package_manager(image: BaseImage) -> None:
    if image.shell:
        assert image.package_manager in ("apt-get", "apk")
    else:
        assert image.package_manager is None


@ROWS
def test_libc_matches_the_family(image: BaseImage) -> None:
    expected = {
        Family.ALPINE: {Libc.MUSL},
        Family.DEBIAN: {Libc.GLIBC},
        Family.SCRATCH: {Libc.NONE},
        Family.DISTROLESS: {Libc.NONE, Libc.GLIBC},
    }
    assert image.libc in expected[image.family]


@rows_where(lambda row: row.family in (Family.ALPINE, Family.DEBIAN))
def test_package_manager_matches_the_family(image: BaseImage) -> None:
    expected = {Family.ALPINE: "apk", Family.DEBIAN: "apt-get"}[image.family]
    assert image.package_manager == expected


@ROWS
def test_declared_family_agrees_with_the_reference(image: BaseImage) -> None:
    assert image.ref.family is image.family


@ROWS
def test_a_user_comes_with_a_uid(image: BaseImage) -> None:
    assert (image.user is None) == (image.uid is None)


@pytest.mark.parametrize("version", GO_VERSIONS)
@pytest.mark.parametrize("family", [Family.DEBIAN, Family.ALPINE])
def test_go_builder_is_golang_at_the_full_patch_version(version: str, family: Family) -> None:
    row = images.builder("go", version, family)
    ref = row.ref
    assert ref.is_official
    assert ref.repository == "golang"
    assert ref.tag is not None
    assert re.match(rf"{re.escape(version)}\.\d+-", ref.tag), ref.tag
    assert row.version == version
    assert row.language == "go"
    assert row.role is Role.BUILDER
    assert row.family is family
    assert ref.family is family


@pytest.mark.parametrize("version", GO_VERSIONS)
def test_go_builder_tags_name_the_distribution_release(version: str) -> None:
    debian = images.builder("go", version, Family.DEBIAN).ref.tag or ""
    alpine = images.builder("go", version, Family.ALPINE).ref.tag or ""
    assert re.fullmatch(r"\d+\.\d+\.\d+-(buster|bullseye|bookworm|trixie)", debian), debian
    assert re.fullmatch(r"\d+\.\d+\.\d+-alpine3\.\d+", alpine), alpine
    # Both families carry the same Go patch release.
    assert debian.split("-")[0] == alpine.split("-")[0]


@pytest.mark.parametrize("family", [Family.DISTROLESS, Family.SCRATCH, Family.OTHER, Family.WINDOWS])
def test_go_builder_for_a_non_alpine_family_is_the_debian_one(family: Family) -> None:
    version = GO_VERSIONS[-1]
    assert images.builder("go", version, family) == images.builder("go", version, Family.DEBIAN)


def test_go_builder_for_an_unknown_version_raises_key_error() -> None:
    with pytest.raises(KeyError):
        images.builder("go", "1.2", Family.DEBIAN)
    with pytest.raises(KeyError):
        images.builder("rust", GO_VERSIONS[-1], Family.DEBIAN)


def test_versions_are_sorted_oldest_first_numerically() -> None:
    as_numbers = [tuple(int(p) for p in v.split(".")) for v in GO_VERSIONS]
    assert as_numbers == sorted(as_numbers)
    assert len(set(GO_VERSIONS)) == len(GO_VERSIONS)


def test_versions_sort_numerically_not_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    template = images.builder("go", GO_VERSIONS[0], Family.DEBIAN)
    rows = tuple(
        dataclasses.replace(template, key=f"go-{v}-debian", reference=f"golang:{v}.1-bookworm", version=v)
        for v in ("1.10", "1.9", "1.2")
    )
    monkeypatch.setattr(images, "CATALOGUE", rows)
    assert images.versions("go") == ["1.2", "1.9", "1.10"]


def test_versions_list_every_go_builder_minor() -> None:
    builders = {row.version for row in CATALOGUE if row.language == "go"}
    assert set(GO_VERSIONS) == builders


def test_versions_of_an_unknown_language_is_empty() -> None:
    assert images.versions("cobol") == []


def test_version_key_orders_numerically() -> None:
    assert images.version_key("1.9") < images.version_key("1.10")
    assert images.version_key("1.22.3") == (1, 22, 3)


def test_row_finds_a_row_by_key() -> None:
    assert images.row("distroless-static").reference == "gcr.io/distroless/static-debian12:nonroot"
    first = CATALOGUE[0]
    assert images.row(first.key) is first


def test_row_raises_key_error_for_an_unknown_key() -> None:
    with pytest.raises(KeyError):
        images.row("no-such-image")
