"""The self-check: every output is read back and held to its rules before anyone sees it (issue 21).

A failure is stagify's own bug: the conversion is refused as an internal error (exit 8, a one-line
message asking for a bug report) and nothing is written. The rules are tested one by one on small
converted-looking files, then the refusal end to end.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stagify import Status, convert
from stagify.dockerfile import selfcheck
from stagify.dockerfile.parse import parse

from .helpers import FIXTURES, copy_context, dockerfile_of

ORIGINAL = parse("FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/server .\nCMD [\"/app/server\"]\n")
SOUND = """FROM golang:1.22.12-bookworm AS builder
WORKDIR /app
COPY . .
RUN go build -o /app/server .

FROM gcr.io/distroless/static-debian12:nonroot AS runtime
USER 65532:65532
COPY --from=builder /app/server /app/server
CMD ["/app/server"]
"""


def failures(text: str, original: str | None = None) -> list[str]:
    return [str(f) for f in selfcheck.check(text, parse(original) if original else ORIGINAL)]


def test_a_sound_conversion_passes() -> None:
    assert failures(SOUND) == []


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (SOUND.replace("COPY --from=builder /app/server /app/server", "COPY  ./"), "output line 8: COPY needs at least one source"),
        (SOUND.replace("COPY . .", 'COPY ["go.mod", "./"'), "output line 3: COPY has a JSON array that is not a list of strings"),
        (SOUND.replace('CMD ["/app/server"]', 'CMD ["/app/server", 8080]'), "output line 9: CMD starts like a JSON array"),
        (SOUND.replace("--from=builder", "--from=runtime"), "output line 8: --from=runtime names a stage that is not an earlier one"),
        (SOUND.replace("--from=builder", "--from=deps"), "output line 8: --from=deps names no stage"),
        (SOUND.replace("COPY --from=builder /app/server /app/server\n", ""), "output line 1: stage builder is built but nothing uses it"),
        (SOUND.replace('CMD ["/app/server"]', 'CMD ["/app/server", "&&", "tail", "-f", "/dev/null"]'),
         "output line 9: CMD in exec form passes '&&' to /app/server as an argument"),
        (SOUND.replace('CMD ["/app/server"]', 'CMD ["/app/server", ">", "/tmp/log"]'), "passes '>' to /app/server"),
        (SOUND.replace("USER 65532:65532", "USER root"), "output line 7: the last stage runs as root"),
        (SOUND.replace("USER 65532:65532\n", ""), "output line 6: the last stage sets no USER"),
        (SOUND.replace("FROM golang:1.22.12-bookworm AS builder", "FROM golang AS builder AS x"), "output line 1: does not parse again"),
        (SOUND.replace("AS runtime", "AS builder"), "output line 1: the stage name builder is given twice"),
    ],
    ids=["empty copy", "copy with broken json", "cmd with a number in its array", "a reference to a later stage",
         "a reference to no stage", "an unused stage", "an and operator as an argument", "a redirection as an argument",
         "root at the end", "no user at the end", "does not parse", "a stage name twice"],
)
def test_each_rule_rejects_what_breaks_it(broken: str, expected: str) -> None:
    found = failures(broken)
    assert any(expected in f for f in found), found


@pytest.mark.parametrize(
    "cmd",
    ['["/bin/sh", "-c", "a && b > /tmp/x"]', '["bash", "-lc", "a || b"]', '["/bin/bash", "-o", "pipefail", "-c", "a | b"]'],
    ids=["sh -c", "bash -lc", "bash -o pipefail -c"],
)
def test_operators_inside_a_shell_script_are_the_shells(cmd: str) -> None:
    assert failures(SOUND.replace('CMD ["/app/server"]', f"CMD {cmd}")) == []


def test_a_healthcheck_cmd_shell_script_is_the_shells() -> None:
    text = SOUND.replace('CMD ["/app/server"]', 'HEALTHCHECK CMD ["CMD-SHELL", "wget -q -O- localhost || exit 1"]\nCMD ["/app/server"]')
    assert failures(text) == []


def test_an_exec_form_the_user_wrote_is_theirs() -> None:
    original = 'FROM golang:1.22\nCOPY . .\nRUN go build -o /app/server .\nCMD ["/app/server", "&&", "x"]\n'
    assert failures(SOUND.replace('CMD ["/app/server"]', 'CMD ["/app/server", "&&", "x"]'), original) == []


def test_an_image_the_user_copies_from_is_theirs() -> None:
    original = "FROM golang:1.22\nCOPY --from=tools /bin/lint /bin/lint\nRUN go build -o /app/server .\n"
    text = SOUND.replace("COPY . .", "COPY --from=tools /bin/lint /bin/lint")
    assert failures(text, original) == []


def test_a_shell_test_command_in_a_run_is_not_json() -> None:
    assert failures(SOUND.replace("RUN go build", "RUN [ -d /app ] && go build")) == []


def test_every_golden_output_passes() -> None:
    checked = 0
    for case in sorted(FIXTURES.iterdir()):
        expected = case / "expected.Dockerfile"
        if expected.is_file():
            assert selfcheck.check(expected.read_text(), parse(dockerfile_of(case).read_bytes())) == (), case.name
            checked += 1
    assert checked > 70


# -- the refusal ------------------------------------------------------------------------------------


def test_an_output_that_fails_the_check_is_refused_as_an_internal_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ctx = copy_context(FIXTURES / "seed-001-go-api", tmp_path / "ctx")
    monkeypatch.setattr(selfcheck, "check", lambda text, original: (selfcheck.Failure(8, "COPY needs at least one source"),))
    outcome = convert((ctx / "Dockerfile").read_bytes(), context=ctx)
    assert outcome.status is Status.FAILED and outcome.dockerfile is None
    assert outcome.error is not None and outcome.error.internal and outcome.error.line is None
    message = str(outcome.error)
    assert "\n" not in message
    assert message.startswith("Dockerfile: internal error:") and "output line 8: COPY needs at least one source" in message
    assert "bug in stagify" in message and "report" in message


def test_an_unstable_output_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import stagify.api as api

    ctx = copy_context(FIXTURES / "seed-001-go-api", tmp_path / "ctx")
    real = api._skip_reason
    monkeypatch.setattr(api, "_skip_reason", lambda df: None if "AS runtime" in df.stages[-1].from_.raw else real(df))
    outcome = convert((ctx / "Dockerfile").read_bytes(), context=ctx)
    assert outcome.status is Status.FAILED and outcome.error is not None and outcome.error.internal
    assert "converting it again" in outcome.error.message


BROKEN_CHECK = """
import sys
import stagify.dockerfile.selfcheck as s
s.check = lambda text, original: (s.Failure(4, "COPY needs at least one source and a destination"),)
from stagify.cli.entry import main
sys.argv = ["stagify", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("args", [["convert", "--write"], ["convert", "--diff"], ["convert", "--stdout"], ["migrate", "--write"]],
                         ids=["convert --write", "convert --diff", "convert --stdout", "migrate --write"])
def test_the_command_line_exits_8_writes_nothing_and_asks_for_a_bug_report(tmp_path: Path, args: list[str]) -> None:
    proj = copy_context(FIXTURES / "seed-001-go-api", tmp_path / "proj")
    before = {p.name: p.read_bytes() for p in proj.iterdir() if p.is_file()}
    run = subprocess.run([sys.executable, "-c", BROKEN_CHECK, *args, str(proj)], capture_output=True, text=True, cwd=tmp_path,
                         timeout=120)
    assert run.returncode == 8, run.stderr
    assert {p.name: p.read_bytes() for p in proj.iterdir() if p.is_file()} == before
    errors = [line for line in run.stderr.splitlines() if "internal error" in line]
    assert len(errors) == 1 and "please report it" in errors[0]
    assert "FROM " not in run.stdout


def test_a_malformed_instruction_of_the_users_is_their_error_with_its_line(tmp_path: Path) -> None:
    outcome = convert("FROM golang:1.22\nWORKDIR /app\nCOPY ./\nRUN go build -o /app/server .\n", context=tmp_path)
    assert outcome.status is Status.FAILED and outcome.error is not None and not outcome.error.internal
    assert str(outcome.error) == "Dockerfile:3: COPY needs at least one source and a destination: the original cannot build either"


@pytest.mark.parametrize("alias", ["runtime", "deps", "RUNTIME"])
def test_an_original_stage_named_like_a_stage_of_the_conversion_becomes_the_builder(tmp_path: Path, alias: str) -> None:
    (tmp_path / "go.mod").write_text("module example.com/x\n\ngo 1.22\n")
    outcome = convert(f"FROM golang:1.22 AS {alias}\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/server .\nCMD [\"/app/server\"]\n",
                      context=tmp_path)
    assert outcome.status is Status.CONVERTED, outcome.error
    assert "AS builder\n" in (outcome.dockerfile or "") and "COPY --from=builder /app/server" in (outcome.dockerfile or "")


@pytest.mark.parametrize("value", ["builder", "deps", "0"])
def test_a_copy_from_a_name_the_conversion_would_take_is_refused(tmp_path: Path, value: str) -> None:
    outcome = convert(f"FROM golang:1.22\nCOPY --from={value} /x /x\nRUN go build -o /app/server .\n", context=tmp_path)
    assert outcome.status is Status.FAILED and outcome.error is not None and outcome.error.line == 2
    assert f"--from={value} names no earlier stage" in outcome.error.message


def test_a_pinned_conversion_is_checked_again(tmp_path: Path) -> None:
    from stagify.api import recheck

    ctx = copy_context(FIXTURES / "seed-001-go-api", tmp_path / "ctx")
    outcome = convert((ctx / "Dockerfile").read_bytes(), context=ctx)
    text = outcome.dockerfile or ""
    pinned = text.replace("-alpine3.21 AS builder", "-alpine3.21@sha256:" + "a" * 64 + " AS builder")
    assert pinned != text and recheck(outcome, pinned) is None
    problem = recheck(outcome, pinned.replace("USER 65532:65532", "USER root"))
    assert problem is not None and problem.internal and "the last stage runs as root" in problem.message


def test_a_start_command_with_broken_json_is_the_users_error_with_its_line(tmp_path: Path) -> None:
    outcome = convert('FROM golang:1.22\nCOPY . .\nRUN go build -o /app/server .\nCMD ["/app/server", "-v",]\n', context=tmp_path)
    assert outcome.status is Status.FAILED and outcome.error is not None and not outcome.error.internal
    assert outcome.error.line == 4 and "CMD starts like a JSON array" in outcome.error.message
    assert "Docker reads it as shell form" in outcome.error.message


@pytest.mark.parametrize("line", ["WORKDIR 'app", 'COPY "src /app'], ids=["workdir", "copy"])
def test_an_unclosed_quote_in_a_path_is_the_users_error_with_its_line(tmp_path: Path, line: str) -> None:
    outcome = convert(f"FROM golang:1.22\n{line}\nRUN go build -o /app/server .\n", context=tmp_path)
    assert outcome.status is Status.FAILED and outcome.error is not None and not outcome.error.internal
    assert outcome.error.line == 2 and "a quote that is not closed" in outcome.error.message


@pytest.mark.parametrize(
    ("line", "refused"),
    [
        ('RUN [ "$ENABLE_AIR" == "0" ] && exec go build -o main . || exec go get example.com/air@v1', False),
        ('RUN [[ "$MODE" = prod ]] && npm run build', False),
        ('RUN [ -f go.sum ] && go mod download', False),
        ('RUN [ "npm", "ci" ', True),
        ('CMD [ "node" "server.js" ]', True),
        ('CMD [ "node", server.js ]', True),
    ],
    ids=["a test of a quoted variable", "a [[ test", "a test of a file", "an unclosed array",
         "an array without commas", "an array with an unquoted word"],
)
def test_a_shell_test_is_not_read_as_a_broken_json_array(line: str, refused: bool) -> None:
    instruction = parse(f"FROM golang:1.22\n{line}\n").stages[0].instructions[-1]
    assert (selfcheck.malformed(instruction) is not None) is refused
