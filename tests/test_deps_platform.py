"""Module dependencies, cross-compiling builders and jlink runtimes, on text.

What the engine proves for a few apps (tests/test_e2e_go_modules.py, tests/test_e2e_spring.py),
these check for the variants around them: where the dependency layer finds a replaced module's
go.mod, when a Go builder may run on the build platform, and what the jlink stage is made of.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stagify import Level, Options, Outcome, RuntimeChoice, Status, convert
from stagify.fleet.docker import build_steps
from stagify.languages.go.facts import embed_paths, read_local_replacements
from stagify.languages.java import jlink

from .helpers import lint

SERVER = 'package main\n\nimport "net/http"\n\nfunc main() { _ = http.ListenAndServe(":8080", nil) }\n'
GO_MOD = "module example.com/app\n\ngo 1.22\n"


def run(tmp_path: Path, dockerfile: str, files: dict[str, str], **options: object) -> Outcome:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    outcome = convert(dockerfile, context=tmp_path, options=Options(**options))  # type: ignore[arg-type]
    assert outcome.status is Status.CONVERTED, outcome.error
    return outcome


def go_app(**extra: str) -> dict[str, str]:
    return {"go.mod": GO_MOD, "go.sum": "", "main.go": SERVER, **extra}


# -- go.mod replace directives ---------------------------------------------------------------------

def test_replace_directives_that_name_folders_are_read_and_module_replacements_are_not() -> None:
    text = (
        "module m\n\nreplace example.com/a => ./a\n"
        "replace (\n\texample.com/b v1.0.0 => ../libs/b // a comment\n\texample.com/c => example.com/fork v1.2.0\n"
        '\texample.com/d => "/abs/d"\n)\n'
    )
    assert read_local_replacements(text) == ["./a", "../libs/b", "/abs/d"]


def test_a_replaced_folder_s_go_mod_reaches_the_dependency_layer(tmp_path: Path) -> None:
    files = go_app(**{"go.mod": GO_MOD + "require example.com/lib v0.0.0\nreplace example.com/lib => ./lib\n",
                      "lib/go.mod": "module example.com/lib\n", "lib/go.sum": "", "lib/lib.go": "package lib\n"})
    text = run(tmp_path, "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n", files).dockerfile or ""
    download = text.index("go mod download")
    assert text.index("COPY lib/go.mod lib/go.sum lib/\n") < download < text.index("COPY . .")


def test_a_replacement_outside_the_build_context_keeps_the_build_without_a_dependency_layer(tmp_path: Path) -> None:
    files = go_app(**{"go.mod": GO_MOD + "replace example.com/lib => ../lib\n"})
    text = run(tmp_path, "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n", files).dockerfile or ""
    assert "go mod download" not in text
    assert "go build" in text


def test_embedded_files_are_left_behind_on_purpose_for_verify(tmp_path: Path) -> None:
    embed = 'package main\n\nimport "embed"\n\n//go:embed web/static/*.html sql\nvar files embed.FS\n'
    assert embed_paths({"main.go": embed}) == ["sql", "web/static"]
    files = go_app(**{"assets.go": embed, "web/static/index.html": "<p>", "sql/1.sql": "select 1;"})
    outcome = run(tmp_path, "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n", files)
    assert ("/src/web/static", "compiled into the binary by //go:embed") in outcome.left_behind
    assert ("/src/sql", "compiled into the binary by //go:embed") in outcome.left_behind


# -- builders on the build platform -----------------------------------------------------------------

def builder_from(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("FROM "))


def test_a_static_go_build_cross_compiles_on_the_build_platform_and_the_runtime_stays_on_the_target(tmp_path: Path) -> None:
    text = run(tmp_path, "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n", go_app()).dockerfile or ""
    assert builder_from(text) == "FROM --platform=$BUILDPLATFORM golang:1.22.12-bookworm AS builder"
    assert "ARG TARGETOS\nARG TARGETARCH\n" in text
    assert "CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build" in text
    assert [line for line in text.splitlines() if line.startswith("FROM ")][-1].startswith("FROM gcr.io/distroless/static")
    assert lint(text).returncode == 0


@pytest.mark.parametrize(
    ("build", "why"),
    [
        ("RUN make build", "a step stagify cannot see into may build for the platform it runs on"),
        ("RUN curl -fsSLo /usr/local/bin/tool https://example.com/tool && go build -o /app .", "a downloaded binary"),
        ("RUN go install . && cp /go/bin/app /app", "go install of the application"),
        ("RUN CGO_ENABLED=1 go build -o /app .", "cgo needs the target's C toolchain"),
    ],
    ids=["make", "downloaded-binary", "go-install", "cgo"],
)
def test_a_builder_that_might_make_something_for_its_own_platform_stays_on_the_target(tmp_path: Path, build: str, why: str) -> None:
    dockerfile = f"FROM golang:1.22\nWORKDIR /src\nCOPY . .\n{build}\nCMD [\"/app\"]\n"
    outcome = convert(dockerfile, context=_write(tmp_path, {**go_app(), "Makefile": "build:\n\tgo build -o /app .\n"}))
    text = outcome.dockerfile or ""
    assert "BUILDPLATFORM" not in text and "TARGETARCH" not in text, why


def test_a_user_s_own_platform_is_kept_on_both_stages(tmp_path: Path) -> None:
    dockerfile = "FROM --platform=linux/amd64 golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n"
    text = run(tmp_path, dockerfile, go_app()).dockerfile or ""
    assert [line.split()[1] for line in text.splitlines() if line.startswith("FROM ")] == ["--platform=linux/amd64"] * 2
    assert "TARGETARCH" not in text


def test_a_hard_coded_goarch_is_kept_as_written_with_a_note(tmp_path: Path) -> None:
    dockerfile = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -o /app .\nCMD [\"/app\"]\n"
    outcome = run(tmp_path, dockerfile, go_app())
    text = outcome.dockerfile or ""
    assert "GOARCH=amd64 go build" in text and "GOARCH=$TARGETARCH" not in text and "GOOS=$TARGETOS" not in text
    notes = [n for n in outcome.notes if "GOARCH=amd64" in n.message]
    assert notes and notes[0].line == 4 and "whatever platform" in notes[0].message
    assert not [n for n in outcome.notes if "GOOS=linux" in n.message]  # linux is every Linux target


def test_goprivate_is_not_taken_for_a_secret_by_the_linter(tmp_path: Path) -> None:
    dockerfile = "FROM golang:1.22\nENV GOPRIVATE=example.com/*\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n"
    text = run(tmp_path, dockerfile, go_app()).dockerfile or ""
    assert "# hadolint ignore=DL3064\nENV GOPRIVATE=example.com/*" in text
    assert lint(text).returncode == 0


def _write(folder: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    return folder


# -- what a rebuild reused ------------------------------------------------------------------------------

def test_build_steps_tell_the_cached_steps_from_those_that_ran() -> None:
    log = (
        "#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\n"
        "#5 [builder 3/6] COPY go.mod go.sum ./\n#5 CACHED\n"
        "#6 [builder 4/6] RUN --mount=type=cache,target=/go/pkg/mod go mod download\n#6 CACHED\n"
        "#8 [builder 6/6] RUN go build -o /app .\n#8 0.512 compiling\n#8 DONE 9.1s\n"
    )
    steps = build_steps(log)
    assert [(s.name.split("] ")[1], s.cached) for s in steps] == [
        ("COPY go.mod go.sum ./", True),
        ("RUN --mount=type=cache,target=/go/pkg/mod go mod download", True),
        ("RUN go build -o /app .", False),
    ]


# -- jlink ------------------------------------------------------------------------------------------------

POM = """<project><modelVersion>4.0.0</modelVersion><groupId>g</groupId><artifactId>cli</artifactId><version>1</version>
<properties><maven.compiler.release>{release}</maven.compiler.release></properties>
<build><plugins><plugin><artifactId>maven-jar-plugin</artifactId><configuration><archive><manifest>
<mainClass>g.Main</mainClass></manifest></archive></configuration></plugin></plugins></build></project>
"""


def java_app(tmp_path: Path, release: str, source: str, start: str = 'ENTRYPOINT ["java", "-jar", "target/cli-1.jar"]') -> Outcome:
    files = {"pom.xml": POM.format(release=release), "src/main/java/g/Main.java": source}
    dockerfile = f"FROM maven:3.9-eclipse-temurin-{release}\nWORKDIR /b\nCOPY . .\nRUN mvn -B package\n{start}\n"
    return run(tmp_path, dockerfile, files, runtime=RuntimeChoice.JLINK)


def test_jlink_uses_the_compress_spelling_of_the_jdk_release() -> None:
    assert jlink.compress_option("17") == "--compress=2"
    assert jlink.compress_option("21") == "--compress=zip-6"
    assert jlink.compress_option("25") == "--compress=zip-6"


def test_jlink_runtime_of_a_jar_on_the_build_s_release_adds_the_modules_jdeps_misses(tmp_path: Path) -> None:
    source = "package g;\nimport java.util.Locale;\npublic class Main { public static void main(String[] a) { Locale.of(\"de\"); } }\n"
    outcome = java_app(tmp_path, "21", source, 'ENV JAVA_TOOL_OPTIONS="-javaagent:/b/agent.jar"\nENTRYPOINT ["java", "-jar", "target/cli-1.jar"]')
    text = outcome.dockerfile or ""
    assert "FROM eclipse-temurin:21.0.12.1_1-jdk-noble AS jre" in text
    assert "jdeps --print-module-deps --ignore-missing-deps --multi-release 21 app.jar > modules.txt" in text
    assert '--add-modules "$(cat modules.txt),jdk.zipfs,jdk.crypto.ec,jdk.localedata,java.instrument"' in text
    assert "--strip-debug --no-man-pages --no-header-files --compress=zip-6 --output /jre" in text
    runtime = text[text.rindex("\nFROM ") + 1 :]
    assert runtime.startswith("FROM debian:12.13-slim AS runtime")
    assert "COPY --from=jre /jre /opt/java/openjdk" in runtime and 'PATH="/opt/java/openjdk/bin:$PATH"' in runtime
    assert "LANG=C.UTF-8" in runtime  # Java prints "??" for non-ASCII output in the C locale of a bare Debian
    assert lint(text).returncode == 0


def test_jlink_keeps_a_locale_the_dockerfile_sets(tmp_path: Path) -> None:
    source = "package g;\npublic class Main { public static void main(String[] a) {} }\n"
    text = java_app(tmp_path, "17", source, 'ENV LANG=de_DE.UTF-8\nENTRYPOINT ["java", "-jar", "target/cli-1.jar"]').dockerfile or ""
    assert "LANG=C.UTF-8" not in text and "ENV LANG=de_DE.UTF-8" in text


def test_jlink_on_a_build_without_a_jar_keeps_the_jre_and_says_why(tmp_path: Path) -> None:
    files = {"Main.java": "public class Main { public static void main(String[] a) {} }\n"}
    dockerfile = "FROM eclipse-temurin:17-jdk\nWORKDIR /app\nCOPY Main.java .\nRUN javac Main.java\nCMD [\"java\", \"Main\"]\n"
    outcome = run(tmp_path, dockerfile, files, runtime=RuntimeChoice.JLINK)
    assert "AS jre" not in (outcome.dockerfile or "")
    assert any("--runtime jlink needs" in n.message and n.level is Level.WARNING for n in outcome.notes)


def test_jlink_asked_of_another_language_is_a_warning_not_a_silent_choice(tmp_path: Path) -> None:
    outcome = run(tmp_path, "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n", go_app(),
                  runtime=RuntimeChoice.JLINK)
    assert any("jlink" in n.message and n.level is Level.WARNING for n in outcome.notes)
