"""The transformer on Go: every instruction placed with a reason, and the rewrites it makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagify import Level, Options, Outcome, Placement, RuntimeChoice, Status, convert

from .helpers import last_user, lint

SERVER = 'package main\n\nimport "net/http"\n\nfunc main() { _ = http.ListenAndServe(":8080", nil) }\n'
GO_MOD = "module example.com/app\n\ngo 1.22\n"


def run(tmp_path: Path, dockerfile: str, files: dict[str, str] | None = None, **options: object) -> Outcome:
    context = {"go.mod": GO_MOD, "main.go": SERVER, **(files or {})}
    for rel, text in context.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    outcome = convert(dockerfile, context=tmp_path, options=Options(**options))  # type: ignore[arg-type]
    assert outcome.status is Status.CONVERTED, outcome.error
    return outcome


def placed(outcome: Outcome, line: int) -> tuple[Placement, str]:
    for d in outcome.decisions:
        if d.instruction.line == line:
            return d.placement, d.reason
    raise AssertionError(f"no decision for line {line}")


def stages(outcome: Outcome) -> tuple[str, str]:
    """(builder, runtime) texts; the runtime starts at its FROM line."""
    text = outcome.dockerfile or ""
    cut = text.rindex("\nFROM ") + 1
    return text[:cut], text[cut:]


def assert_clean(outcome: Outcome) -> None:
    result = lint(outcome.dockerfile or "")
    assert result.returncode == 0, result.stdout
    user = last_user(outcome.dockerfile or "")
    assert user is not None and user.split(":")[0] not in ("root", "0")


BASIC = """ARG BUILD_DATE
FROM golang:1.22
LABEL built="$BUILD_DATE"
WORKDIR /build
ENV GO111MODULE=on PORT=8080
WORKDIR /app
COPY . .
RUN go build -o server .
EXPOSE 8080
CMD ["./server"]
"""


def test_every_original_instruction_gets_one_placement_with_a_reason(tmp_path: Path) -> None:
    outcome = run(tmp_path, BASIC)
    lines = [d.instruction.line for d in outcome.decisions]
    assert lines == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert all(d.reason for d in outcome.decisions)
    assert_clean(outcome)


def test_go_build_goes_to_the_builder_rewritten(tmp_path: Path) -> None:
    outcome = run(tmp_path, BASIC)
    placement, reason = placed(outcome, 8)
    assert placement is Placement.BUILDER and "CGO_ENABLED=0" in reason
    builder, runtime = stages(outcome)
    assert 'CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags="-s -w" -o server .' in builder
    assert "--mount=type=cache,target=/root/.cache/go-build" in builder
    assert "go build" not in runtime
    assert "COPY --from=builder /app/server /app/server" in runtime


def test_metadata_ports_and_start_command_go_to_the_runtime(tmp_path: Path) -> None:
    outcome = run(tmp_path, BASIC)
    assert placed(outcome, 3)[0] is Placement.RUNTIME
    assert placed(outcome, 9)[0] is Placement.RUNTIME
    assert placed(outcome, 10)[0] is Placement.RUNTIME
    _, runtime = stages(outcome)
    assert 'LABEL built="$BUILD_DATE"' in runtime and "EXPOSE 8080" in runtime and 'CMD ["./server"]' in runtime


def test_the_last_workdir_is_kept_in_both_stages_and_earlier_ones_in_the_builder(tmp_path: Path) -> None:
    outcome = run(tmp_path, BASIC)
    assert placed(outcome, 4)[0] is Placement.BUILDER
    assert placed(outcome, 6)[0] is Placement.BOTH
    _, runtime = stages(outcome)
    assert "WORKDIR /app" in runtime and "WORKDIR /build" not in runtime


def test_go_build_variables_stay_in_the_builder_and_the_rest_reach_the_runtime(tmp_path: Path) -> None:
    outcome = run(tmp_path, BASIC)
    placement, reason = placed(outcome, 5)
    assert placement is Placement.BOTH and "GO111MODULE" in reason
    builder, runtime = stages(outcome)
    assert "ENV GO111MODULE=on PORT=8080" in builder
    assert "ENV PORT=8080" in runtime and "GO111MODULE" not in runtime


def test_a_global_arg_stays_global(tmp_path: Path) -> None:
    outcome = run(tmp_path, BASIC)
    assert placed(outcome, 1)[0] is Placement.BOTH
    assert (outcome.dockerfile or "").startswith("ARG BUILD_DATE\n")


def test_a_stage_arg_the_runtime_reads_is_declared_in_both(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nARG VERSION=1\nARG UNUSED=2\nLABEL version="$VERSION"\nCOPY . .\nRUN go build -o /a .\nCMD ["/a"]\n')
    assert placed(outcome, 2)[0] is Placement.BOTH
    assert placed(outcome, 3)[0] is Placement.BUILDER
    _, runtime = stages(outcome)
    assert "ARG VERSION=1" in runtime and "UNUSED" not in runtime


def test_root_user_is_not_kept_and_the_runtime_is_non_root(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nCOPY . .\nRUN go build -o /a .\nUSER root\nCMD ["/a"]\n')
    placement, reason = placed(outcome, 4)
    assert placement is Placement.DROPPED and "root" in reason
    assert last_user(outcome.dockerfile or "") == "65532:65532"


def test_a_numeric_non_root_user_is_kept_on_distroless(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nCOPY . .\nRUN go build -o /a .\nUSER 1000:1000\nCMD ["/a"]\n')
    assert placed(outcome, 4)[0] is Placement.RUNTIME
    assert last_user(outcome.dockerfile or "") == "1000:1000"


def test_a_named_user_the_runtime_lacks_becomes_its_non_root_user_with_a_note(tmp_path: Path) -> None:
    dockerfile = 'FROM golang:1.22\nRUN useradd -m app\nCOPY . .\nRUN go build -o /a .\nUSER app\nCMD ["/a"]\n'
    outcome = run(tmp_path, dockerfile)
    assert placed(outcome, 2)[0] is Placement.BUILDER
    assert last_user(outcome.dockerfile or "") == "65532:65532"
    assert any("USER app becomes USER 65532:65532" in n.message for n in outcome.notes)


def test_a_named_user_is_created_again_on_a_shell_runtime(tmp_path: Path) -> None:
    dockerfile = 'FROM golang:1.22\nRUN useradd -m app\nCOPY . .\nRUN go build -o /a .\nUSER app\nCMD ["/a"]\n'
    outcome = run(tmp_path, dockerfile, runtime=RuntimeChoice.DEBIAN)
    assert placed(outcome, 2)[0] is Placement.BOTH
    _, runtime = stages(outcome)
    assert "RUN useradd -m app" in runtime and last_user(outcome.dockerfile or "") == "app"
    assert_clean(outcome)


def test_go_run_as_the_start_command_becomes_the_built_binary(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nCMD ["go", "run", "main.go", "--port", "8080"]\n')
    builder, runtime = stages(outcome)
    assert "go build" in builder and "-o /app/main main.go" in builder
    assert 'CMD ["/app/main", "--port", "8080"]' in runtime
    assert any("go run" in n.message for n in outcome.notes)
    assert_clean(outcome)


def test_go_run_reuses_the_binary_the_original_already_built(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o srv .\nCMD go run .\n')
    builder, runtime = stages(outcome)
    assert builder.count("go build") == 1
    assert 'CMD ["/app/srv"]' in runtime


def test_shell_form_without_shell_features_becomes_exec_form(tmp_path: Path) -> None:
    outcome = run(tmp_path, "FROM golang:1.22\nCOPY . .\nRUN go build -o /a .\nCMD /a --verbose\n")
    assert 'CMD ["/a", "--verbose"]' in (outcome.dockerfile or "")
    assert "distroless/static" in stages(outcome)[1]


def test_shell_form_with_variables_keeps_a_shell_and_picks_a_runtime_that_has_one(tmp_path: Path) -> None:
    outcome = run(tmp_path, "FROM golang:1.22\nCOPY . .\nRUN go build -o /a .\nCMD /a --port $PORT\n")
    _, runtime = stages(outcome)
    assert 'CMD ["/bin/sh", "-c", "/a --port $PORT"]' in runtime
    assert "FROM debian:" in (outcome.dockerfile or "")
    assert_clean(outcome)


def test_a_single_quoted_cmd_is_read_as_the_exec_form_it_meant_with_a_warning(tmp_path: Path) -> None:
    outcome = run(tmp_path, "FROM golang:1.22\nCOPY . .\nRUN go build -o /a .\nCMD ['/a', '-v']\n")
    assert 'CMD ["/a", "-v"]' in (outcome.dockerfile or "")
    assert any(n.level is Level.WARNING and n.line == 4 for n in outcome.notes)


def test_an_earlier_cmd_is_dropped_as_overridden(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nCMD ["x"]\nCOPY . .\nRUN go build -o /a .\nCMD ["/a"]\n')
    placement, reason = placed(outcome, 2)
    assert placement is Placement.DROPPED and "line 5" in reason
    assert outcome.dockerfile is not None and 'CMD ["x"]' not in outcome.dockerfile


def test_a_cmd_ignored_by_a_shell_form_entrypoint_is_dropped(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nCOPY . .\nRUN go build -o /a .\nENTRYPOINT /a\nCMD ["--ignored"]\n')
    placement, reason = placed(outcome, 5)
    assert placement is Placement.DROPPED and "ignores CMD" in reason
    assert 'ENTRYPOINT ["/a"]' in (outcome.dockerfile or "")


def test_a_start_command_naming_a_path_the_build_does_not_produce_is_pointed_at_the_binary(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o main ./\nCMD ["./bin/main"]\n')
    assert 'CMD ["/app/main"]' in (outcome.dockerfile or "")
    assert any(n.level is Level.WARNING and "does not produce" in n.message for n in outcome.notes)


def test_without_a_start_command_the_built_binary_is_started(tmp_path: Path) -> None:
    outcome = run(tmp_path, "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o api .\n")
    assert 'CMD ["/app/api"]' in (outcome.dockerfile or "")
    assert any("no CMD or ENTRYPOINT" in n.message for n in outcome.notes)


@pytest.mark.parametrize(
    ("install", "runtime_image", "kept"),
    [
        ("apt-get update && apt-get install -y git gcc make", "distroless/static", None),
        ("apt-get update && apt-get install -y ca-certificates tzdata git", "distroless/static", None),
        ("apt-get update && apt-get install -y sqlite3 git", "debian:", "sqlite3"),
        ("apk add --no-cache sqlite git", "alpine:", "sqlite"),
    ],
    ids=["build tools only", "what distroless already has", "a run-time tool on debian", "a run-time tool on alpine"],
)
def test_system_packages_are_split_between_builder_and_runtime(
    tmp_path: Path, install: str, runtime_image: str, kept: str | None
) -> None:
    base = "golang:1.22-alpine" if install.startswith("apk") else "golang:1.22"
    outcome = run(tmp_path, f'FROM {base}\nRUN {install}\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /a .\nCMD ["/a"]\n')
    builder, runtime = stages(outcome)
    assert install.split("&&")[-1].strip().split()[-1] in builder
    assert runtime_image in runtime
    if kept:
        assert placed(outcome, 2)[0] is Placement.BOTH
        assert kept in runtime and "git" not in runtime
    else:
        assert placed(outcome, 2)[0] is Placement.BUILDER
    assert_clean(outcome)


def test_cgo_on_debian_gets_a_glibc_runtime(tmp_path: Path) -> None:
    outcome = run(
        tmp_path,
        'FROM golang:1.22\nCOPY . .\nRUN go build -o /a .\nCMD ["/a"]\n',
        {"go.mod": GO_MOD + "\nrequire github.com/mattn/go-sqlite3 v1.14.17\n"},
    )
    assert "CGO_ENABLED=1 go build" in (outcome.dockerfile or "")
    assert "gcr.io/distroless/base-debian12:nonroot" in (outcome.dockerfile or "")


def test_forcing_an_alpine_runtime_for_a_cgo_build_moves_the_builder_to_alpine(tmp_path: Path) -> None:
    outcome = run(
        tmp_path,
        'FROM golang:1.22\nCOPY . .\nRUN go build -o /a .\nCMD ["/a"]\n',
        {"go.mod": GO_MOD + "\nrequire github.com/mattn/go-sqlite3 v1.14.17\n"},
        runtime=RuntimeChoice.ALPINE,
    )
    builder, runtime = stages(outcome)
    assert "-alpine" in builder.split("FROM ", 1)[1].split()[0]
    assert "FROM alpine:" in (outcome.dockerfile or "")
    assert "addgroup -S" in runtime and "adduser -S" in runtime
    assert_clean(outcome)


@pytest.mark.parametrize(
    ("choice", "image"),
    [
        (RuntimeChoice.SCRATCH, "FROM scratch AS runtime"),
        (RuntimeChoice.DISTROLESS, "FROM gcr.io/distroless/static-debian12:nonroot AS runtime"),
        (RuntimeChoice.ALPINE, "FROM alpine:"),
        (RuntimeChoice.DEBIAN, "FROM debian:"),
    ],
)
def test_runtime_can_be_forced(tmp_path: Path, choice: RuntimeChoice, image: str) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nCOPY . .\nRUN go build -o /a .\nCMD ["/a"]\n', runtime=choice)
    assert image in (outcome.dockerfile or "")
    assert_clean(outcome)


def test_scratch_gets_ca_certificates_and_a_passwd_entry(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nCOPY . .\nRUN go build -o /a .\nCMD ["/a"]\n', runtime=RuntimeChoice.SCRATCH)
    builder, runtime = stages(outcome)
    assert "nonroot:x:65532:65532" in builder
    assert "COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/" in runtime
    assert "COPY --from=builder /etc/passwd.runtime /etc/passwd" in runtime
    assert last_user(outcome.dockerfile or "") == "65532:65532"


def test_the_dependency_layer_is_added_before_the_sources(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go mod download\nRUN go build -o /a .\nCMD ["/a"]\n', {"go.sum": ""})
    builder, _ = stages(outcome)
    deps = builder.index("COPY go.mod go.sum ./")
    assert deps < builder.index("go mod download") < builder.index("COPY . .")
    placement, reason = placed(outcome, 4)
    assert placement is Placement.DROPPED and "dependency layer" in reason


def test_an_existing_dependency_layer_is_kept_with_a_cache_mount(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nWORKDIR /app\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\nRUN go build -o /a .\nCMD ["/a"]\n')
    builder, _ = stages(outcome)
    assert builder.count("go mod download") == 1
    assert "--mount=type=cache,target=/go/pkg/mod" in builder.split("COPY . .")[0]
    assert "Dependencies before the sources" not in builder


def test_a_vendored_build_downloads_nothing(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -mod=vendor -o /a .\nCMD ["/a"]\n', {"vendor/modules.txt": ""})
    assert "go mod download" not in (outcome.dockerfile or "")


def test_ldflags_are_merged_with_stripping_and_quotes_kept(tmp_path: Path) -> None:
    outcome = run(tmp_path, "FROM golang:1.22\nARG V\nCOPY . .\nRUN go build -ldflags \"-X main.v=$V -w\" -tags netgo -o /a .\nCMD [\"/a\"]\n")
    assert 'go build -trimpath -ldflags="-s -w -X main.v=$V" -tags netgo -o /a .' in (outcome.dockerfile or "")


def test_a_remote_tool_is_pinned_to_the_version_go_mod_requires(tmp_path: Path) -> None:
    outcome = run(
        tmp_path,
        'FROM golang:1.22\nCOPY . .\nRUN go install github.com/swaggo/swag/cmd/swag && swag init\nRUN go build -o /a .\nCMD ["/a"]\n',
        {"go.mod": GO_MOD + "\nrequire github.com/swaggo/swag v1.16.3\n"},
    )
    assert "go install github.com/swaggo/swag/cmd/swag@v1.16.3 && swag init" in (outcome.dockerfile or "")
    assert_clean(outcome)


def test_a_remote_tool_go_mod_does_not_know_is_a_clear_failure(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text(GO_MOD)
    outcome = convert('FROM golang:1.22\nRUN go install example.com/tool@latest\nCOPY . .\nRUN go build -o /a .\n', context=tmp_path)
    assert outcome.status is Status.FAILED and outcome.error is not None
    assert outcome.error.line == 2 and "DL3062" in outcome.error.message


def test_runtime_files_are_copied_from_the_builder_where_the_original_had_them(tmp_path: Path) -> None:
    outcome = run(
        tmp_path,
        'FROM golang:1.22\nWORKDIR /srv\nCOPY . .\nRUN go build -o app .\nCMD ["./app"]\n',
        {"templates/index.html": "<p/>", "static/a.css": "x", "config.yaml": "a: 1\n", "data.db": ""},
    )
    _, runtime = stages(outcome)
    for path in ("/srv/templates", "/srv/static", "/srv/config.yaml"):
        assert f"COPY --from=builder {path} {path}" in runtime
    assert "COPY --from=builder --chown=65532:65532 /srv/data.db /srv/data.db" in runtime


def test_files_the_original_did_not_copy_are_not_expected_at_run_time(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nWORKDIR /srv\nCOPY go.mod *.go ./\nRUN go build -o app .\nCMD ["./app"]\n', {"templates/index.html": "<p/>"})
    assert "templates" not in stages(outcome)[1]


def test_secrets_are_never_copied_into_the_runtime(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nWORKDIR /srv\nCOPY . .\nCOPY .env /srv/.env\nRUN go build -o app .\nCMD ["./app"]\n', {".env": "TOKEN=x\n"})
    assert ".env" not in stages(outcome)[1]
    assert any(n.level is Level.WARNING and n.line == 4 and "secret" in n.message for n in outcome.notes)
    ignored = (outcome.dockerignore or "").splitlines()
    assert "**/.env.*" in ignored and "!.env" in ignored  # the Dockerfile copies .env by name: it must reach the builder


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ADD . /app", "COPY . /app"),
        ("ADD https://example.com/x.txt /x.txt", "ADD https://example.com/x.txt /x.txt"),
        ("ADD vendor.tar.gz /opt/", "ADD vendor.tar.gz /opt/"),
    ],
    ids=["local files become COPY", "a URL stays ADD", "an archive stays ADD"],
)
def test_add_becomes_copy_only_where_that_is_the_same(tmp_path: Path, line: str, expected: str) -> None:
    outcome = run(tmp_path, f'FROM golang:1.22\n{line}\nWORKDIR /app\nRUN go build -o /a .\nCMD ["/a"]\n', {"vendor.tar.gz": ""})
    assert expected in (outcome.dockerfile or "")


def test_maintainer_becomes_a_label(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nMAINTAINER Jo <jo@example.com>\nCOPY . .\nRUN go build -o /a .\nCMD ["/a"]\n')
    assert 'LABEL maintainer="Jo <jo@example.com>"' in stages(outcome)[1]
    assert_clean(outcome)


def test_apt_without_yes_is_written_lint_clean(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nRUN apt update && apt install git\nCOPY . .\nRUN go build -o /a .\nCMD ["/a"]\n')
    assert "RUN apt-get update && apt-get install -y git" in (outcome.dockerfile or "")
    assert_clean(outcome)


def test_a_shell_form_healthcheck_is_written_in_exec_form_and_keeps_curl(tmp_path: Path) -> None:
    outcome = run(
        tmp_path,
        'FROM golang:1.22\nRUN apt-get update && apt-get install -y curl\nCOPY . .\nRUN go build -o /a .\n'
        'HEALTHCHECK --interval=10s CMD curl -f http://127.0.0.1:8080/ || exit 1\nCMD ["/a"]\n',
    )
    _, runtime = stages(outcome)
    assert 'HEALTHCHECK --interval=10s CMD ["/bin/sh", "-c", "curl -f http://127.0.0.1:8080/ || exit 1"]' in runtime
    assert "apt-get install -y --no-install-recommends curl" in runtime
    assert_clean(outcome)


def test_a_no_op_variable_line_is_dropped(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nRUN GOPATH=~/go\nCOPY . .\nRUN go build -o /a .\nCMD ["/a"]\n')
    placement, reason = placed(outcome, 2)
    assert placement is Placement.DROPPED and "no effect" in reason
    assert "GOPATH=~/go" not in (outcome.dockerfile or "")


def test_a_privileged_port_gets_a_note(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nCOPY . .\nRUN go build -o /a .\nEXPOSE 80\nCMD ["/a"]\n')
    assert any(n.line == 4 and "below 1024" in n.message for n in outcome.notes)


def test_comments_and_heredocs_are_carried_over_verbatim(tmp_path: Path) -> None:
    dockerfile = (
        "# syntax=docker/dockerfile:1\n"
        "FROM golang:1.22\n"
        "# prepare the version file\n"
        "RUN <<EOF\nset -e\necho 1 > VERSION\nEOF\n"
        "COPY . .\n"
        "# compile\n"
        "RUN go build -o /a .\n"
        'CMD ["/a"]\n'
    )
    outcome = run(tmp_path, dockerfile)
    text = outcome.dockerfile or ""
    assert text.startswith("# syntax=docker/dockerfile:1\n")
    assert "# prepare the version file\nRUN <<EOF\nset -e\necho 1 > VERSION\nEOF\n" in text
    assert "# compile\nRUN --mount" in text
    assert_clean(outcome)


def test_dockerignore_never_hides_what_the_dockerfile_copies(tmp_path: Path) -> None:
    outcome = run(
        tmp_path,
        'FROM golang:1.22\nWORKDIR /app\nCOPY Dockerfile.tmpl docker-compose.yml ./\nCOPY . .\nRUN go build -o /a .\nCMD ["/a"]\n',
        {"Dockerfile.tmpl": "x", "docker-compose.yml": "services: {}\n"},
    )
    lines = (outcome.dockerignore or "").splitlines()
    assert "Dockerfile*" not in lines and "docker-compose*.yml" not in lines
    assert ".git" in lines and "**/.env" in lines


def test_the_users_dockerignore_is_kept_and_extended(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nCOPY . .\nRUN go build -o /a .\nCMD ["/a"]\n', {".dockerignore": "# mine\nnode_modules\n.git\n"})
    text = outcome.dockerignore or ""
    assert text.startswith("# mine\nnode_modules\n.git\n")
    assert text.count(".git\n") == 1 and ".env\n" in text


def test_crlf_input_gives_crlf_output(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\r\nCOPY . .\r\nRUN go build -o /a .\r\nCMD ["/a"]\r\n')
    text = outcome.dockerfile or ""
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")


def test_pip_install_keeps_its_cache_in_a_cache_mount_not_in_the_layer(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM golang:1.22\nRUN apt-get update && apt-get install -y python3-pip && pip install mkdocs\nCOPY . .\nRUN go build -o /a .\nCMD ["/a"]\n')
    assert "RUN --mount=type=cache,target=/root/.cache/pip \\\n    apt-get update" in (outcome.dockerfile or "")
    assert_clean(outcome)


def test_a_go_build_in_a_heredoc_keeps_cgo_so_the_runtime_has_glibc(tmp_path: Path) -> None:
    dockerfile = (
        "# syntax=docker/dockerfile:1\nFROM golang:1.22\nWORKDIR /src\nCOPY . .\n"
        "RUN <<EOF\nset -e\ngo build -o /usr/local/bin/app .\nEOF\nCMD [\"app\"]\n"
    )
    outcome = run(tmp_path, dockerfile)
    builder, runtime = stages(outcome)
    assert "<<EOF\nset -e\ngo build -o /usr/local/bin/app .\nEOF" in builder  # kept as written
    assert "FROM gcr.io/distroless/base-debian12:nonroot AS runtime" in runtime  # glibc, not static
    assert "COPY --from=builder /usr/local/bin/app /usr/local/bin/app" in runtime


def test_a_go_build_in_a_heredoc_with_cgo_off_gets_the_static_runtime(tmp_path: Path) -> None:
    dockerfile = (
        "# syntax=docker/dockerfile:1\nFROM golang:1.22\nWORKDIR /src\nCOPY . .\n"
        "RUN <<EOF\nCGO_ENABLED=0 go build -o /usr/local/bin/app .\nEOF\nCMD [\"app\"]\n"
    )
    _, runtime = stages(run(tmp_path, dockerfile))
    assert "FROM gcr.io/distroless/static-debian12:nonroot AS runtime" in runtime


# -- folders the program writes at run time ----------------------------------------------------------

WRITER = '''package main

import (
	"net/http"
	"os"
)

func main() {
	os.Mkdir("config", 0o666)
	os.MkdirAll("/var/lib/notes/cache", 0o755)
	_ = os.WriteFile("./message/index.json", nil, 0o644)
	f, _ := os.OpenFile("logs/app.log", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	defer f.Close()
	_, _ = os.OpenFile("static/read-only.txt", os.O_RDONLY, 0)
	_ = os.WriteFile("/tmp/scratch", nil, 0o644)
	_ = http.ListenAndServe(":8080", nil)
}
'''


def test_the_folders_a_go_program_writes_at_run_time_are_made_and_owned_by_the_runtime_user(tmp_path: Path) -> None:
    """The original ran as root and created them; as 65532 in a root-owned working folder it could not."""
    outcome = run(tmp_path, "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD [\"./server\"]\n",
                  {"main.go": WRITER, "static/read-only.txt": "x\n"})
    builder, runtime = stages(outcome)
    made = ["/app/config", "/app/logs", "/app/message", "/var/lib/notes/cache"]
    assert f"RUN mkdir -p {' '.join(made)} && chown -R 65532:65532 {' '.join(made)}" in builder
    for path in made:
        assert f"COPY --from=builder --chown=65532:65532 {path} {path}\n" in runtime
    # opened for reading only, and scratch space: nothing to make
    assert "--chown=65532:65532 /app/static" not in runtime and "/tmp" not in outcome.dockerfile
    assert not [n for n in outcome.notes if n.level is Level.WARNING]
    assert_clean(outcome)


def test_a_go_program_writing_into_its_working_folder_itself_gets_a_warning(tmp_path: Path) -> None:
    writes_here = 'package main\n\nimport "os"\n\nfunc main() { _ = os.WriteFile("state.json", nil, 0o644) }\n'
    outcome = run(tmp_path, "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o tool .\nCMD [\"./tool\"]\n",
                  {"main.go": writes_here})
    warnings = [n.message for n in outcome.notes if n.level is Level.WARNING]
    assert any('main.go:5 calls os.WriteFile("state.json")' in w and "in /app at run time" in w for w in warnings), warnings
    assert "chown" not in (outcome.dockerfile or "")
