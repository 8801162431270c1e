"""Run-time package names exist in the runtime's release: data per release, checked against the release's real lists."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from stagify import Outcome, Status, convert
from stagify.dockerfile import packages
from stagify.images import catalogue as images

from .aptlists import PackageList, Unavailable

# Every distribution release a runtime with a package manager is built on.
RUNTIME_RELEASES = sorted({r for row in images.CATALOGUE if row.package_manager and row.role is not images.Role.BUILDER
                           if (r := images.release_of(row)) is not None})
APT_RELEASES = [r for r in RUNTIME_RELEASES if not r.startswith("alpine")]
ALPINE_RELEASES = [r for r in RUNTIME_RELEASES if r.startswith("alpine")]
# Names the runtime may install on any Debian or Ubuntu release: counterparts of the -dev packages, tools kept
# when something at run time calls them, what distroless carries. su-exec is Alpine's; Debian has gosu.
RUNTIME_NAMES = sorted({*packages.RUNTIME_COUNTERPART.values(), *packages.RUN_IF_CALLED, *packages.IN_DISTROLESS} - {"su-exec"})


@functools.cache
def _lists(release: str) -> PackageList | str:
    try:
        found = PackageList(release)
    except Unavailable as exc:
        return str(exc)
    # one apt-cache call for every name the tests ask about (each call reads the whole list)
    table = packages.RELEASE_NAMES.get(release, {})
    names = {*table, *table.values(), *packages.RUNTIME_COUNTERPART, *packages.RUNTIME_COUNTERPART.values(), *RUNTIME_NAMES}
    names |= {packages.for_release((n,), release)[0][0] for n in names}
    found.candidates(sorted(names))
    return found


def package_list(release: str) -> PackageList:
    try:
        found = _lists(release)
        if isinstance(found, str):
            raise Unavailable(found)
        return found
    except Unavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{release}: {exc}")  # CI must check every release
        pytest.skip(f"{release}: {exc}")


def test_every_runtime_release_is_known() -> None:
    assert "bookworm" in APT_RELEASES and "bullseye" in APT_RELEASES and "noble" in APT_RELEASES
    assert set(APT_RELEASES) <= set(packages.RELEASE_NAMES), "a runtime release without a row in packages.RELEASE_NAMES"


@pytest.mark.parametrize("release", APT_RELEASES)
def test_the_renames_of_a_release_are_true(release: str) -> None:
    found = package_list(release)
    table = packages.RELEASE_NAMES[release]
    absent = found.candidates(sorted(table))
    present = found.candidates(sorted(set(table.values())))
    assert [n for n, ok in absent.items() if ok] == [], f"{release} has these after all: drop them from the table"
    assert [n for n, ok in present.items() if not ok] == [], f"{release} lacks these replacement names"


@pytest.mark.parametrize("release", APT_RELEASES)
def test_every_run_time_name_stagify_writes_exists_in_its_release(release: str) -> None:
    found = package_list(release)
    # Counterparts of Alpine -dev packages (sqlite-libs, libpq) never reach a Debian runtime: only those
    # whose -dev package the release has.
    dev = found.candidates(sorted(packages.RUNTIME_COUNTERPART))
    wanted = [packages.RUNTIME_COUNTERPART[d] for d, ok in dev.items() if ok]
    wanted += [n for n in RUNTIME_NAMES if n not in packages.RUNTIME_COUNTERPART.values()]
    names, _, _ = packages.for_release(tuple(dict.fromkeys(wanted)), release)
    missing = [n for n, ok in found.candidates(list(names)).items() if not ok]
    assert missing == [], f"{release} has no package named {', '.join(missing)}"


@pytest.mark.parametrize("release", ALPINE_RELEASES)
def test_alpine_names(release: str) -> None:
    pytest.skip(f"{release}: no apk client on this machine to read Alpine's package index")


def convert_in(tmp_path: Path, dockerfile: str, files: dict[str, str]) -> Outcome:
    for rel, text in files.items():
        (tmp_path / rel).write_text(text)
    outcome = convert(dockerfile, context=tmp_path)
    assert outcome.status is Status.CONVERTED, outcome.error
    return outcome


def runtime_install(outcome: Outcome) -> str:
    text = outcome.dockerfile or ""
    runtime = text[text.rindex("\nFROM ") :]
    return next(line for line in runtime.splitlines() if "install -y --no-install-recommends" in line or "apk add" in line)


def test_a_package_the_runtime_release_lacks_is_installed_under_its_name(tmp_path: Path) -> None:
    # buster had a `sqlite` package; the runtime is bookworm, which has none
    dockerfile = (
        "FROM golang:1.15-buster\nRUN apt-get update && apt-get install -y sqlite libsqlite3-dev\nWORKDIR /src\nCOPY . .\n"
        "RUN go build -o /app .\nCMD [\"/app\"]\n"
    )
    files = {"go.mod": "module x\n\ngo 1.15\n\nrequire github.com/mattn/go-sqlite3 v1.14.6\n",
             "main.go": 'package main\n\nimport _ "github.com/mattn/go-sqlite3"\n\nfunc main() {}\n'}
    outcome = convert_in(tmp_path, dockerfile, files)
    line = runtime_install(outcome)
    assert " sqlite3" in line and " sqlite " not in line + " "
    assert any("sqlite is not a package of bookworm" in n.message for n in outcome.notes)


def test_counterparts_follow_the_runtime_release(tmp_path: Path) -> None:
    dockerfile = (
        "FROM python:3.7-slim\nRUN apt-get update && apt-get install -y gcc libssl-dev libffi-dev\nWORKDIR /app\n"
        "COPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"
    )
    outcome = convert_in(tmp_path, dockerfile, {"requirements.txt": "cryptography\n", "app.py": "print(1)\n"})
    line = runtime_install(outcome)  # python 3.7's slim image is bullseye: OpenSSL 1.1, libffi 7
    assert "libssl1.1" in line and "libffi7" in line and "libssl3" not in line and "libffi8" not in line


def test_a_library_follows_the_release_the_program_is_built_on(tmp_path: Path) -> None:
    # Go 1.17's builder is bullseye (OpenSSL 1.1), the runtime bookworm (OpenSSL 3): the cgo program links 1.1,
    # so the runtime is not handed libssl3 to fail at run time; the warning says why the install asks for 1.1.
    dockerfile = (
        "FROM golang:1.17\nRUN apt-get update && apt-get install -y libssl-dev\nWORKDIR /src\nCOPY . .\n"
        "RUN CGO_ENABLED=1 go build -o /app .\nCMD [\"/app\"]\n"
    )
    files = {"go.mod": "module x\n\ngo 1.17\n", "main.go": 'package main\n\n// #cgo LDFLAGS: -lssl\nimport "C"\n\nfunc main() {}\n'}
    outcome = convert_in(tmp_path, dockerfile, files)
    line = runtime_install(outcome)
    assert "libssl1.1" in line and "libssl3" not in line
    assert any(n.message.startswith("libssl1.1: the program is built on bullseye and runs on bookworm") for n in outcome.notes)


def test_a_versioned_library_from_another_release_is_a_warning(tmp_path: Path) -> None:
    dockerfile = (
        "FROM python:3.9-buster\nRUN apt-get update && apt-get install -y gcc libgdal-dev libgdal20\nWORKDIR /app\n"
        "COPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"
    )
    outcome = convert_in(tmp_path, dockerfile, {"requirements.txt": "gdal\n", "app.py": "print(1)\n"})
    assert any(n.message.startswith("libgdal20 was installed on buster; the runtime is bookworm") for n in outcome.notes)
