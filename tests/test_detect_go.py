"""Go detection: what a build context and Dockerfile say, and from which files."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagify.context.buildcontext import BuildContext
from stagify.dockerfile.parse import parse
from stagify.images import catalogue as images
from stagify.languages.detect import detect
from stagify.languages.go.facts import GoFacts, read_go_mod

SERVER = 'package main\n\nimport "net/http"\n\nfunc main() { _ = http.ListenAndServe(":8080", nil) }\n'


def make(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def found(tmp_path: Path, files: dict[str, str]):
    root = make(tmp_path, files)
    dockerfile = parse(files["Dockerfile"], "Dockerfile") if "Dockerfile" in files else None
    return detect(BuildContext.open(root), dockerfile)


def facts(detection) -> GoFacts:
    assert detection is not None and detection.language == "go"
    assert isinstance(detection.facts, GoFacts)
    return detection.facts


def test_go_mod_alone_is_enough_to_detect_go(tmp_path: Path) -> None:
    detection = found(tmp_path, {"go.mod": "module example.com/x\n\ngo 1.21\n"})
    assert detection is not None and detection.language == "go"
    assert any(e.source == "go.mod" for e in detection.evidence)


def test_a_golang_base_image_is_evidence_with_its_line(tmp_path: Path) -> None:
    detection = found(tmp_path, {"Dockerfile": "# build\nFROM golang:1.22\nRUN go build -o /app .\n"})
    assert detection is not None
    sources = [e.source for e in detection.evidence]
    assert "Dockerfile:2" in sources and "Dockerfile:3" in sources


def test_go_build_on_a_debian_base_is_go(tmp_path: Path) -> None:
    dockerfile = "FROM debian:12\nRUN apt-get update && apt-get install -y golang\nCOPY . /src\nRUN cd /src && go build -o /app .\n"
    detection = found(tmp_path, {"Dockerfile": dockerfile, "main.go": SERVER})
    assert detection is not None and detection.language == "go"


def test_a_context_without_go_is_not_detected(tmp_path: Path) -> None:
    assert found(tmp_path, {"Dockerfile": "FROM debian:12\nRUN echo hi\n", "index.html": "<p/>"}) is None


def test_go_mod_lines_are_read_including_requires_with_versions() -> None:
    module, go, toolchain, requires = read_go_mod(
        "module github.com/a/b\n\ngo 1.21.3\n\ntoolchain go1.22.1\n\nrequire github.com/x/y v1.2.3\n\n"
        "require (\n\tgithub.com/p/q v0.1.0 // indirect\n\tgolang.org/x/z v0.0.0-2020\n)\n"
    )
    assert (module, go, toolchain) == ("github.com/a/b", "1.21.3", "1.22.1")
    assert requires == [("github.com/x/y", "v1.2.3"), ("github.com/p/q", "v0.1.0"), ("golang.org/x/z", "v0.0.0-2020")]


@pytest.mark.parametrize(
    ("from_line", "go_mod", "version", "source_word"),
    [
        ("FROM golang:1.22-alpine", "go 1.19", "1.22", "base image"),
        ("FROM golang:1.18", "go 1.21", "1.21", "go.mod"),
        ("FROM golang", "go 1.20", "1.27", "floating tag"),
        ("FROM golang:1.21", "go 1.20\ntoolchain go1.23.4", "1.23", "toolchain"),
        ("FROM golang:latest", "go 1.30", "1.27", "newer than the catalogue"),
        ("FROM golang:1.21.5-bookworm", "", "1.21", "base image"),
    ],
    ids=["tag newer than go.mod", "go.mod newer than tag", "untagged is the newest go", "toolchain wins",
         "go.mod beyond the catalogue", "tag only"],
)
def test_the_go_version_is_the_newest_of_tag_and_go_mod(
    tmp_path: Path, from_line: str, go_mod: str, version: str, source_word: str
) -> None:
    files = {"Dockerfile": f"{from_line}\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n", "main.go": SERVER}
    if go_mod:
        files["go.mod"] = f"module example.com/x\n\n{go_mod}\n"
    detection = found(tmp_path, files)
    assert detection is not None
    assert detection.version == version
    assert source_word in (detection.version_source or "")


def test_a_pre_module_build_without_a_version_gets_the_last_gopath_go(tmp_path: Path) -> None:
    detection = found(tmp_path, {"Dockerfile": "FROM golang\nCOPY . /app\nRUN go build -o /main .\n", "main.go": SERVER})
    assert facts(detection).gopath
    assert detection is not None and detection.version == "1.15"
    assert "GOPATH" in (detection.tool or "")


def test_versions_outside_the_catalogue_are_clamped_and_say_so(tmp_path: Path) -> None:
    old = found(tmp_path / "old", {"go.mod": "module x\n\ngo 1.11\n"})
    new = found(tmp_path / "new", {"go.mod": "module x\n\ngo 1.99\n"})
    known = images.versions("go")
    assert old is not None and old.version == known[0] and "oldest" in (old.version_source or "")
    assert new is not None and new.version == known[-1] and "newest" in (new.version_source or "")


def test_main_packages_come_from_the_build_command_and_the_sources(tmp_path: Path) -> None:
    detection = found(
        tmp_path,
        {
            "Dockerfile": "FROM golang:1.22\nCOPY . .\nRUN go build -o /srv ./cmd/server\n",
            "go.mod": "module example.com/x\n\ngo 1.22\n",
            "cmd/server/main.go": SERVER,
            "cmd/tool/main.go": SERVER,
        },
    )
    packages = facts(detection).main_packages
    assert packages[0] == "./cmd/server"
    assert "./cmd/tool" in packages


def test_cmd_folders_name_the_main_package_when_nothing_else_does(tmp_path: Path) -> None:
    detection = found(tmp_path, {"go.mod": "module x\n\ngo 1.22\n", "cmd/web/.keep": ""})
    assert facts(detection).main_packages == ("./cmd/web",)


def test_vendor_folder_and_mod_vendor_flag_are_seen(tmp_path: Path) -> None:
    with_folder = found(tmp_path / "a", {"go.mod": "module x\n\ngo 1.22\n", "vendor/modules.txt": "# x\n"})
    with_flag = found(
        tmp_path / "b",
        {"go.mod": "module x\n\ngo 1.22\n", "Dockerfile": "FROM golang:1.22\nCOPY . .\nRUN go build -mod=vendor -o /a .\n"},
    )
    assert facts(with_folder).vendor and not facts(with_folder).vendor_flag
    assert facts(with_flag).vendor_flag and not facts(with_flag).vendor


def test_import_c_on_a_debian_golang_image_needs_cgo(tmp_path: Path) -> None:
    detection = found(
        tmp_path,
        {
            "Dockerfile": "FROM golang:1.22\nCOPY . .\nRUN go build -o /a .\n",
            "go.mod": "module x\n\ngo 1.22\n",
            "main.go": 'package main\n\n// #include <stdio.h>\nimport "C"\n\nfunc main() {}\n',
        },
    )
    assert facts(detection).cgo
    assert any('imports "C"' in r for r in facts(detection).cgo_reasons)


def test_sqlite_on_alpine_without_a_compiler_built_without_cgo(tmp_path: Path) -> None:
    detection = found(
        tmp_path,
        {
            "Dockerfile": "FROM golang:1.22-alpine\nCOPY . .\nRUN go build -o /a .\n",
            "go.mod": "module x\n\ngo 1.22\n\nrequire github.com/mattn/go-sqlite3 v1.14.17\n",
        },
    )
    assert not facts(detection).cgo
    assert any("no C compiler" in r for r in facts(detection).cgo_reasons)


def test_sqlite_on_alpine_with_gcc_installed_needs_cgo(tmp_path: Path) -> None:
    detection = found(
        tmp_path,
        {
            "Dockerfile": "FROM golang:1.22-alpine\nRUN apk add --no-cache gcc musl-dev\nCOPY . .\nRUN go build -o /a .\n",
            "go.mod": "module x\n\ngo 1.22\n\nrequire github.com/mattn/go-sqlite3 v1.14.17\n",
        },
    )
    assert facts(detection).cgo


@pytest.mark.parametrize(
    ("dockerfile", "cgo"),
    [
        ("FROM golang:1.22\nENV CGO_ENABLED=0\nCOPY . .\nRUN go build -o /a .\n", False),
        ("FROM golang:1.22-alpine\nCOPY . .\nRUN CGO_ENABLED=1 go build -o /a .\n", True),
        ("FROM golang:1.22\nCOPY . .\nRUN go build -race -o /a .\n", True),
    ],
    ids=["ENV CGO_ENABLED=0 wins", "CGO_ENABLED=1 on the build", "-race needs cgo"],
)
def test_an_explicit_cgo_setting_decides(tmp_path: Path, dockerfile: str, cgo: bool) -> None:
    detection = found(
        tmp_path,
        {"Dockerfile": dockerfile, "go.mod": "module x\n\ngo 1.22\n\nrequire github.com/mattn/go-sqlite3 v1.14.17\n"},
    )
    assert facts(detection).cgo is cgo


def test_runtime_files_are_asset_folders_files_and_paths_named_in_code(tmp_path: Path) -> None:
    detection = found(
        tmp_path,
        {
            "go.mod": "module x\n\ngo 1.22\n",
            "main.go": 'package main\n\nfunc main() { _ = "./fixtures-db/seed.json" }\n',
            "static/app.css": "body{}",
            "templates/index.html": "<p/>",
            "config/config.go": "package config\n",
            "configs/app.yaml": "a: 1\n",
            "data/seed.json": "{}",
            "fixtures-db/seed.json": "{}",
            "internal/x/x.go": "package x\n",
            "swagger.json": "{}",
            "README.md": "# x\n",
            "docker-compose.yml": "services: {}\n",
        },
    )
    paths = dict(facts(detection).runtime_paths)
    assert {"static", "templates", "configs", "data", "fixtures-db", "swagger.json"} <= set(paths)
    assert not {"config", "internal", "README.md", "docker-compose.yml", "go.mod"} & set(paths)
    assert "main.go" in paths["fixtures-db"]


def test_embedded_folders_are_not_runtime_files(tmp_path: Path) -> None:
    detection = found(
        tmp_path,
        {
            "go.mod": "module x\n\ngo 1.22\n",
            "main.go": 'package main\n\nimport "embed"\n\n//go:embed static\nvar files embed.FS\n\nfunc main() {}\n',
            "static/app.css": "body{}",
        },
    )
    assert "static" in facts(detection).embedded
    assert "static" not in dict(facts(detection).runtime_paths)


def test_go_mod_of_a_copied_subfolder_is_found(tmp_path: Path) -> None:
    detection = found(
        tmp_path,
        {
            "Dockerfile": "FROM golang:1.21\nWORKDIR /srv\nADD /main/ /srv/\nRUN go build -o app .\n",
            "main/go.mod": "module goserver\n\ngo 1.21\n",
            "main/main.go": SERVER,
        },
    )
    f = facts(detection)
    assert f.go_mod == "main/go.mod" and not f.gopath
    assert f.manifest("go.sum") == "main/go.sum"


def test_dockerignored_files_are_not_evidence(tmp_path: Path) -> None:
    detection = found(
        tmp_path,
        {"go.mod": "module x\n\ngo 1.22\n", "static/a.css": "x", ".dockerignore": "static\n"},
    )
    assert "static" not in dict(facts(detection).runtime_paths)
