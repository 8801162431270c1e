from __future__ import annotations

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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """How many snippets of each document tests/test_readme.py ran, only checked, or did not run, and why."""
    from .helpers import SNIPPET_TALLY

    for document, checked in config.stash.get(SNIPPET_TALLY, {}).items():
        counts = {how: sum(1 for h, _ in checked if h == how) for how in ("run", "checked only", "not run")}
        terminalreporter.write_line(f"{document} snippets: " + ", ".join(f"{n} {how}" for how, n in counts.items()))
        for how, entry in checked:
            if how == "not run":
                terminalreporter.write_line(f"  not run: {entry}")
