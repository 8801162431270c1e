"""Java examples built from the original and the converted Dockerfile on a real engine.

Maven Central is out of reach, so the examples use the JDK only (its HTTP server):
a javac build, a Maven build (resolved offline from the stand-in's Debian-packaged
plugins) started by an exec-form ENTRYPOINT, and a Maven build started through a
shell with ``$JAVA_OPTS``. Both containers must answer the same and the converted
one must run as non-root.

Sizes: on the stand-ins the JRE is Debian's (382 MB, ~110 MB more than Temurin's
real JRE), so the default runtime saves less here than it does for real; the
distroless variants (227 MB) must be at least 40 % smaller than the original.
The stand-ins carry distroless Java on Debian 12 only: the Debian 13 reference of
the catalogue is built on it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stagify import Options, RuntimeChoice

from .engine import Engine, assert_smaller_and_non_root, compare_conversion
from .helpers import FIXTURES

pytestmark = pytest.mark.e2e

DISTROLESS = Options(runtime=RuntimeChoice.DISTROLESS)
CASES = [
    # case, paths, port, options, converted size at most this share of the original's, the first answer starts with
    ("java-javac-e2e", ["/", "/items/7", "/items/500", "/nothing"], 18110, None, 0.80, "hello from java 17"),
    ("java-javac-e2e", ["/", "/items/7", "/items/500"], 18111, DISTROLESS, 0.60, "hello from java 17"),
    ("java-maven-e2e", ["/", "/prices/bread", "/prices/caviar"], 18112, None, 0.70, "shop on java 17"),
    ("java-maven-e2e", ["/", "/prices/bread", "/prices/caviar"], 18113, DISTROLESS, 0.60, "shop on java 17"),
    # -Dgreeting=hej and -Xmx128m come from ENV JAVA_OPTS, through the shell of the start command
    ("java-maven-opts-e2e", ["/ada", "/"], 18114, None, 0.70, "hej, ada (heap <= 12"),
]


def _debian12(text: str) -> str:
    return text.replace("-debian13", "-debian12")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.start()


@pytest.mark.parametrize(
    ("case", "paths", "port", "options", "ratio", "first"),
    CASES,
    ids=[f"{c[0]}-{'distroless' if c[3] else 'default'}" for c in CASES],
)
def test_converted_java_app_builds_answers_the_same_and_is_smaller(
    engine: Engine, tmp_path: Path, case: str, paths: list[str], port: int, options: Options | None, ratio: float, first: str
) -> None:
    variant = "distroless" if options else ""
    rebuild = case == "java-maven-e2e" and options is None  # one case per language also measures a rebuild
    result = compare_conversion(
        engine, FIXTURES / case, tmp_path, paths, port, rewrite=_debian12, options=options, variant=variant, rebuild=rebuild
    )
    assert result.answers_after == result.answers_before
    assert result.answers_before[0].status == 200
    assert result.answers_after[0].body.startswith(first), result.answers_after[0].body
    if rebuild:
        assert result.after.rebuild_seconds is not None and result.before.rebuild_seconds is not None
    assert_smaller_and_non_root(result, ratio)
