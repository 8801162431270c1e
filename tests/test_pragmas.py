"""``# stagify: runtime|builder|ignore``: forced placements, ignored files, and pragmas that cannot be honoured."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stagify import Placement, Status, convert
from stagify.options import Options, RuntimeChoice

ROOT = Path(__file__).resolve().parent.parent
GO_API = ROOT / "fixtures" / "seed-001-go-api"
BASE = (GO_API / "Dockerfile").read_text()


def with_lines(before: str, *lines: str) -> str:
    """The Go seed with lines inserted before the line starting with ``before``."""
    out = []
    for line in BASE.splitlines():
        if line.startswith(before):
            out.extend(lines)
        out.append(line)
    return "\n".join(out) + "\n"


def stage(text: str, name: str) -> str:
    """The lines of one stage of a rendered Dockerfile."""
    part = text.split(" AS runtime", 1)
    return part[1] if name == "runtime" else part[0]


def placement(outcome, keyword: str, words: str):  # type: ignore[no-untyped-def]
    return next(d for d in outcome.decisions if d.instruction.keyword.value == keyword and words in d.instruction.raw)


def test_runtime_pragma_carries_a_build_only_line_into_the_runtime() -> None:
    text = with_lines("EXPOSE", "# stagify: runtime", "RUN mkdir -p /var/lib/app")
    plain = convert(text.replace("# stagify: runtime\n", ""), context=GO_API, options=Options(runtime=RuntimeChoice.DEBIAN))
    assert "mkdir -p /var/lib/app" not in stage(plain.dockerfile or "", "runtime")
    outcome = convert(text, context=GO_API, options=Options(runtime=RuntimeChoice.DEBIAN))
    assert "RUN mkdir -p /var/lib/app" in stage(outcome.dockerfile or "", "runtime")
    decision = placement(outcome, "RUN", "mkdir")
    assert decision.placement is Placement.BOTH and "forced by `# stagify: runtime`" in decision.reason
    assert "stagify would have placed it in builder" in decision.reason


def test_builder_pragma_keeps_a_runtime_line_out_of_the_runtime() -> None:
    text = with_lines("EXPOSE", "# stagify: builder", "LABEL stage=build-only")
    outcome = convert(text, context=GO_API)
    assert "LABEL stage=build-only" not in stage(outcome.dockerfile or "", "runtime")
    assert "LABEL stage=build-only" in stage(outcome.dockerfile or "", "builder")
    assert placement(outcome, "LABEL", "build-only").placement is Placement.BUILDER


def test_builder_pragma_on_a_copy_both_stages_would_get() -> None:
    server = ROOT / "fixtures" / "node-npm-ci-server"
    text = (server / "Dockerfile").read_text()
    plain = convert(text, context=server)
    assert "COPY . ." in stage(plain.dockerfile or "", "runtime")  # a Node server runs its sources
    forced = text.replace("COPY . .", "COPY lib ./lib\n# stagify: builder\nCOPY . .")
    outcome = convert(forced, context=server)
    assert outcome.status is Status.CONVERTED, outcome.error
    assert "COPY . ." not in stage(outcome.dockerfile or "", "runtime")
    assert "COPY lib ./lib" in stage(outcome.dockerfile or "", "runtime")
    # A Node server's runtime takes nothing from the build stage, so that stage is not written: the line goes nowhere.
    decided = placement(outcome, "COPY", ". .")
    assert decided.placement is Placement.DROPPED and "stagify: builder" in decided.reason


def test_runtime_pragma_on_a_copy_from_the_context(tmp_path: Path) -> None:
    text = with_lines("RUN CGO", "# stagify: runtime", "COPY config.yaml /etc/app/config.yaml")
    context = shutil.copytree(GO_API, tmp_path / "ctx")
    (context / "config.yaml").write_text("port: 8080\n")
    outcome = convert(text, context=context)
    assert "COPY config.yaml /etc/app/config.yaml" in stage(outcome.dockerfile or "", "runtime")


def test_ignore_leaves_the_file_alone() -> None:
    outcome = convert("# stagify: ignore\n" + BASE, context=GO_API)
    assert outcome.status is Status.SKIPPED and outcome.reason == "`# stagify: ignore` at line 1"
    assert not outcome.changed


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (with_lines("EXPOSE", "# stagify: runtimes", "EXPOSE 9090"), 8, "unknown pragma `# stagify: runtimes`"),
        (BASE + "# stagify: runtime\n", 10, "must be in the comments right above an instruction"),
        ("# stagify: builder\n" + BASE, 1, "above FROM"),
        (with_lines("ENTRYPOINT", "# stagify: builder"), 9, "the start command is what the runtime runs"),
        (with_lines("EXPOSE", "# stagify: runtime", "USER 0"), 8, "the runtime always runs as its non-root user"),
        (with_lines("EXPOSE", "# stagify: runtime", "RUN mkdir /data"), 8, "has no shell to run it"),
    ],
)
def test_pragmas_that_cannot_be_honoured_fail_at_their_line(text: str, line: int, message: str) -> None:
    outcome = convert(text, context=GO_API)
    assert outcome.status is Status.FAILED, outcome.dockerfile
    assert outcome.error is not None and outcome.error.line == line, outcome.error
    assert message in outcome.error.message


def test_forced_conversions_are_stable() -> None:
    text = with_lines("EXPOSE", "# stagify: runtime", "RUN mkdir -p /var/lib/app", "# stagify: builder", "LABEL a=b")
    outcome = convert(text, context=GO_API, options=Options(runtime=RuntimeChoice.DEBIAN))
    again = convert(outcome.dockerfile or "", context=GO_API, options=Options(runtime=RuntimeChoice.DEBIAN))
    assert again.status is Status.SKIPPED and again.reason and "already multi-stage" in again.reason
