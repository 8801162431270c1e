"""The self-check: every output is read back and held to its rules before anyone sees it (issue 21).

The rules are tested one by one on small converted-looking files.
"""

from __future__ import annotations

import pytest

from stagify import selfcheck
from stagify.parse import parse

from .helpers import FIXTURES, dockerfile_of

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
    ],
    ids=["empty copy", "copy with broken json", "cmd with a number in its array", "a reference to a later stage",
         "a reference to no stage", "an unused stage", "an and operator as an argument", "a redirection as an argument",
         "root at the end", "no user at the end", "does not parse"],
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
