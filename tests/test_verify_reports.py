"""verify's and ``migrate --verify``'s reports as a person reads them: the boxed tables, the files left behind, the
verdict, the progress lines; colored on a terminal only, and text from the images printed as written."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from stagify.cli.app import _VerifyProgress, print_verdicts, print_verify
from stagify.cli.terminal import Progress, Styled, print_styled
from stagify.fleet.docker import Response
from stagify.fleet.filecheck import Absent
from stagify.fleet.migrate import FileResult
from stagify.fleet.migraterun import Fleet
from stagify.fleet.migrateverify import Verdict, Verification
from stagify.fleet.verify import Report, Side

COLOR = re.compile(r"\x1b\[(3[0-7]|9[0-7])m")  # a foreground color, not bold or italic


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("COLORTERM", raising=False)


def on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> tuple[Terminal, Terminal]:
    out, err = Terminal(), Terminal()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", err)
    return out, err


def not_verified(body: str = "hello") -> Report:
    before = Side("t:o", True, 10.0, 900_000_000, 12, "", 0, 9.0, (Response("GET /", 200, body),))
    return Report(before, Side("t:c", False), ("GET /",), None, problems=("the converted image runs as root",),
                  remarks=("x 'quoted' 42",),
                  absent=(Absent("/app/a.pyc", True, "compiled bytecode"), Absent("/app/b.pyc", True, "compiled bytecode"),
                          Absent("/tmp/x", True, "a temporary file"), Absent("/app/data.json", False, "")))


def verified(body: str) -> Report:
    side = Side("t:o", True, 10.0, 900_000_000, 12, "", 0, 9.0, (Response("GET /", 200, body),))
    return Report(side, Side("t:c", True, 12.0, 9_000_000, 4, "65532:65532", 65532, 1.5, (Response("GET /", 200, body),)),
                  ("GET /",), "main.go")


def fleet() -> tuple[list[FileResult], Fleet]:
    paths = [Path("org/api/Dockerfile"), Path("org/shop/deploy/Dockerfile"), Path("org/web/Dockerfile"), Path("org/x/Dockerfile")]
    results = [FileResult(p, p.parent, p.parent, "converted") for p in paths]
    return results, Fleet(verifications={
        paths[0]: Verification(paths[0], Verdict.VERIFIED, None, (), 12.5, 900_000_000, 90_000_000),
        paths[1]: Verification(paths[1], Verdict.DIFFERENT, "GET /: the original answered 200 'a', the conversion 200 'b'", (), 3.0, 1, 2),
        paths[2]: Verification(paths[2], Verdict.BUILD_FAILED, "the converted Dockerfile does not build:"),
        paths[3]: Verification(paths[3], Verdict.SKIPPED, "not converted: skipped"),
    })


NOT_VERIFIED = """\
stagify verify api/Dockerfile                    
┏━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━┓
┃            ┃ original     ┃ converted ┃       ┃
┡━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━┩
│ image size │ 900.0 MB     │ -         │       │
│ layers     │ 12           │ -         │       │
│ user       │ root (uid 0) │ -         │ root! │
│ build      │ 10.0 s       │ failed    │       │
└────────────┴──────────────┴───────────┴───────┘
files of the original not in the conversion:
  1 left behind: a temporary file (e.g. /tmp/x)
  2 left behind: compiled bytecode (e.g. /app/a.pyc)
  missing: /app/data.json
not verified
  x 'quoted' 42
"""  # noqa: W291 - the title is padded to the table's width


def test_the_verify_report_in_a_pipe(capsys: pytest.CaptureFixture[str]) -> None:
    print_verify(not_verified(), "api/Dockerfile")
    out = capsys.readouterr().out
    assert out == NOT_VERIFIED
    assert not COLOR.search(out)


def test_the_verify_report_on_a_terminal_is_colored_unless_told_not(monkeypatch: pytest.MonkeyPatch) -> None:
    out, _ = on_a_terminal(monkeypatch)
    print_verify(not_verified(), "api/Dockerfile")
    text = out.getvalue()
    assert "\x1b[31mmissing\x1b[0m: /app/data.json" in text and "\x1b[31mnot verified\x1b[0m" in text
    out, _ = on_a_terminal(monkeypatch)
    print_verify(not_verified(), "api/Dockerfile", no_color=True)
    assert not COLOR.search(out.getvalue()) and "missing: /app/data.json" in out.getvalue()


@pytest.mark.parametrize("body", ["[x] [bold]b[/bold]", "a :smile: b", "[/]"], ids=["brackets", "emoji code", "closing tag"])
def test_what_the_image_answered_is_printed_as_written(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                                       body: str) -> None:
    """An HTTP answer is data: rich markup or an emoji code in it is neither applied nor an error."""
    monkeypatch.setenv("COLUMNS", "200")  # wide enough for each answer on one line
    print_verify(verified(body), "api/Dockerfile")
    out = capsys.readouterr().out
    assert out.count(body) == 2, out  # the original's answer and the conversion's
    assert out.rstrip().endswith("verified")


def test_the_verdict_table_colors_each_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    results, found = fleet()
    out, _ = on_a_terminal(monkeypatch)
    print_verdicts(results, found)
    text = out.getvalue()
    for verdict, code in (("verified", 32), ("different", 31), ("build failed", 31), ("skipped", 33)):
        assert f"\x1b[{code}m{verdict}\x1b[0m" in text
    assert text.splitlines()[-1] == "1 verified, 1 different, 1 build failed, 1 skipped"


def test_the_verdict_table_in_a_pipe(capsys: pytest.CaptureFixture[str]) -> None:
    results, found = fleet()
    print_verdicts(results, found)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].rstrip() == "stagify migrate --verify"
    assert [cell.strip() for cell in lines[2].strip("┃").split("┃")] == ["Dockerfile", "verdict", "size", "seconds", "reason"]
    assert "│ org/api/Dockerf │ verified     │ 900.0 MB ->     │ 12.5 s  │" in lines[4]
    assert not any(COLOR.search(line) for line in lines)


def test_progress_off_a_terminal_is_a_line_per_repository(capsys: pytest.CaptureFixture[str]) -> None:
    results, found = fleet()
    with _VerifyProgress(results, no_color=False) as progress:
        progress.step(results[0].dockerfile, "building")  # nothing to show without a bar
        for result in results:
            progress.finished(result.context, [found.verifications[result.dockerfile]])
    assert capsys.readouterr().err.splitlines() == [
        "[1/4] org/api: verified",
        "[2/4] org/shop/deploy: different: GET /: the original answered 200 'a', the conversion 200 'b'",
        "[3/4] org/web: build failed: the converted Dockerfile does not build:",
        "[4/4] org/x: nothing to verify",
    ]


def test_a_live_bar_goes_and_the_said_lines_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    out, err = on_a_terminal(monkeypatch)
    with Progress("verifying repositories", 2, live=True, color=False) as bar:
        bar.show("a", "  a/Dockerfile: building [stage 1/2]")
        bar.drop("a")
        bar.advance()
        bar.say("[1/2] a: verified")
    text = err.getvalue()
    assert "[1/2] a: verified" in text and "verifying repositories" in text
    assert out.getvalue() == ""  # progress is on standard error, whatever standard output is


def test_styled_text_is_plain_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    print_styled("a [red]b[/red] ", Styled("c", "green"), color=True)
    assert capsys.readouterr().out == "a [red]b[/red] c\n"
