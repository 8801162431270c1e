from __future__ import annotations

import sys

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite fixtures/*/expected.* from the current output instead of comparing",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def pytest_report_header(config: pytest.Config) -> str:
    """Which base images the e2e tests build on: a developer's engine pulls the real ones (CONTRIBUTING.md)."""
    from .engine import IMAGES_VARIABLE, images_setting

    return f"e2e images: {images_setting().value} ({IMAGES_VARIABLE}: registry, stand-ins or auto)"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many snippets of each document tests/test_readme.py ran, only checked, or did not run, and why."""
    module = sys.modules.get(f"{__package__}.test_readme")
    for document, tally in getattr(module, "TALLY", {}).items():
        if tally.run or tally.checked_only or tally.not_run:
            terminalreporter.write_line(f"{document} snippets: {len(tally.run)} run, {len(tally.checked_only)} "
                                        f"checked only, {len(tally.not_run)} not run")
            for entry in tally.not_run:
                terminalreporter.write_line(f"  not run: {entry}")
