"""Go apps with real module dependencies, converted and proven on a real engine.

The golang stand-in downloads modules through the Go module proxy (GOTOOLCHAIN=auto, as the
official image). Two fixtures keep CI time down:

* go-modules-chi-embed-e2e: a chi router, a module replaced by a local folder (its go.mod must
  reach the dependency layer), a ``cmd/<name>/`` layout with two binaries of which the original
  builds one, static files embedded with ``//go:embed``, GOPRIVATE and GOFLAGS in ENV, and a
  builder that runs on ``$BUILDPLATFORM`` and cross-compiles (built here for the native platform);
* go-sqlite-cgo-e2e: mattn/go-sqlite3, a cgo package, on a glibc runtime; its builder stays on
  the target platform.

The rebuild after a one-line change to a .go file must take the module download from the cache.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .engine import Engine, assert_smaller_and_non_root, compare_conversion
from .helpers import FIXTURES

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.start()


def test_chi_replace_embed_cmd_layout_answers_the_same_and_rebuilds_without_downloading(engine: Engine, tmp_path: Path) -> None:
    paths = ["/", "/hello/ada", "/static/", "/static/style.css", "/static/nothing.css", "/missing"]
    result = compare_conversion(engine, FIXTURES / "go-modules-chi-embed-e2e", tmp_path, paths, 18090, rebuild=True)
    assert result.report.ok, result.report.problems
    assert result.answers_after == result.answers_before
    assert [a.status for a in result.answers_after] == [200, 200, 200, 200, 404, 404]
    assert result.answers_after[1].body == "hello, ada\n"  # the replaced local module
    assert "teal" in result.answers_after[3].body  # an embedded file
    assert_smaller_and_non_root(result, 0.05)
    steps = result.after.rebuild_steps
    download = [s for s in steps if "go mod download" in s.name]
    build = [s for s in steps if "go build" in s.name]
    assert download and all(s.cached for s in download), [f"{s.name} cached={s.cached}" for s in steps]
    assert build and not any(s.cached for s in build), "the rebuild did not compile the changed source"
    print(f"\ngo-modules-chi-embed-e2e: {(result.before.size or 0) / 1e6:.1f} MB -> {(result.after.size or 0) / 1e6:.1f} MB; "
          f"rebuild after a .go change {result.after.rebuild_seconds:.1f} s "
          f"(original {result.before.rebuild_seconds:.1f} s), module download CACHED")


def test_cgo_sqlite_on_glibc_answers_the_same(engine: Engine, tmp_path: Path) -> None:
    paths = ["/", "/notes", "/notes?q=a", "/notes?q=zzz"]
    result = compare_conversion(engine, FIXTURES / "go-sqlite-cgo-e2e", tmp_path, paths, 18091)
    assert result.report.ok, result.report.problems
    assert result.answers_after == result.answers_before
    assert result.answers_after[0].body.startswith("notes on sqlite 3.")
    assert result.answers_after[2].body == "bread,tea\n"
    assert_smaller_and_non_root(result, 0.10)
    print(f"\ngo-sqlite-cgo-e2e: {(result.before.size or 0) / 1e6:.1f} MB -> {(result.after.size or 0) / 1e6:.1f} MB")
