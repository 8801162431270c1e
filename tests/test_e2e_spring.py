"""Spring Boot 3 and Maven apps with real dependencies from Maven Central, converted and proven on a real engine.

The maven stand-in resolves from Maven Central, and a Maven wrapper downloads Maven itself from
there. Spring builds are slow, so there are two: the ``mvn`` app on the default (layered JRE)
runtime, which also measures a rebuild after a code change, and the ``./mvnw`` app on a jlink
runtime, which must be well under half the JRE runtime's size. A maven-shade fat jar (a CLI
that formats with the JDK's locale data, on a jlink runtime) and a plain jar CLI are run as commands.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stagify import Options, RuntimeChoice, Status, convert
from stagify.fleet.verify import Report, Smoke, verify

from .engine import Engine, assert_smaller_and_non_root, compare_conversion, record
from .helpers import FIXTURES, copy_context, dockerfile_of

pytestmark = pytest.mark.e2e

JLINK = Options(runtime=RuntimeChoice.JLINK)
PATHS = ["/", "/greet/ada", "/actuator/health"]
MISSING = ("/missing",)  # Spring's error page carries a timestamp: its status alone is compared
SIZES: dict[str, int] = {}  # the JRE runtime's size, for the jlink comparison


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.start()


def test_spring_boot_mvn_on_layered_jre_answers_the_same_and_rebuilds_from_the_dependency_layer(engine: Engine, tmp_path: Path) -> None:
    result = compare_conversion(engine, FIXTURES / "java-spring-boot-mvn-e2e", tmp_path, PATHS, 18120, rebuild=True,
                                status_paths=MISSING)
    assert result.report.ok, result.report.problems
    assert result.answers_after == result.answers_before
    assert [a.status for a in result.answers_after] == [200, 200, 200, 404]
    assert result.answers_after[0].body == "greeter on java 17"
    converted = (tmp_path / "Dockerfile.converted").read_text()
    assert runtime_image(converted).startswith("eclipse-temurin:17.") and "-jre-" in runtime_image(converted)  # the build's release
    assert [line.split()[2] for line in converted.splitlines() if line.startswith("COPY --from=layers")] == [
        f"/layers/extracted/{layer}/" for layer in ("dependencies", "spring-boot-loader", "snapshot-dependencies", "application")]
    assert '"UP"' in result.answers_after[2].body
    assert_smaller_and_non_root(result, 0.80)
    steps = result.after.rebuild_steps
    resolve = [s for s in steps if "dependency:go-offline" in s.name]
    extract = [s for s in steps if "extract" in s.name and "jarmode" in s.name]
    assert resolve and all(s.cached for s in resolve), [f"{s.name} cached={s.cached}" for s in steps]
    assert extract and not any(s.cached for s in extract), "the rebuild did not extract the new jar's layers"
    assert result.after.size is not None
    SIZES["jre"] = result.after.size
    print(f"\njava-spring-boot-mvn-e2e: {(result.before.size or 0) / 1e6:.0f} MB -> {result.after.size / 1e6:.0f} MB; "
          f"rebuild after a .java change {result.after.rebuild_seconds:.1f} s "
          f"(original {result.before.rebuild_seconds:.1f} s), dependency resolution CACHED")


def test_spring_boot_mvnw_on_jlink_answers_the_same_and_is_under_half_the_jre(engine: Engine, tmp_path: Path) -> None:
    result = compare_conversion(engine, FIXTURES / "java-spring-boot-mvnw-e2e", tmp_path, PATHS, 18121, options=JLINK,
                                variant="jlink", status_paths=MISSING)
    assert result.report.ok, result.report.problems
    assert result.answers_after == result.answers_before
    assert [a.status for a in result.answers_after] == [200, 200, 200, 404]
    assert result.answers_after[0].body == "quotes on java 17"
    converted = (tmp_path / "Dockerfile.converted").read_text()
    assert runtime_image(converted).startswith("debian:") and "COPY --from=jre /jre /opt/java/openjdk" in converted
    assert_smaller_and_non_root(result, 0.50)
    assert result.after.size is not None
    jre = SIZES.get("jre")
    if jre is not None:  # the same dependencies on the JRE runtime, measured by the test above
        assert result.after.size < 0.5 * jre, f"jlink {result.after.size} bytes is not under half the JRE runtime's {jre}"
    print(f"\njava-spring-boot-mvnw-e2e (jlink): {result.after.size / 1e6:.0f} MB, original {(result.before.size or 0) / 1e6:.0f} MB"
          + (f", JRE runtime {jre / 1e6:.0f} MB" if jre else ""))


def run_cli(engine: Engine, tmp_path: Path, case: str, options: Options | None) -> tuple[Report, str]:
    """A command-line fixture converted, built both ways and run with its own start command; the report and the converted text."""
    context = copy_context(FIXTURES / case, tmp_path / "context")
    source = dockerfile_of(context)
    outcome = convert(source.read_bytes(), context=context, options=options, path=source.name)
    assert outcome.status is Status.CONVERTED, outcome.error
    original = engine.provided(source.read_text(), tmp_path, "Dockerfile.original")
    converted = engine.provided(outcome.dockerfile or "", tmp_path, "Dockerfile.converted")
    report = verify(original, converted, context, converted_ignore=outcome.dockerignore, smoke=Smoke(run_image=True),
                    docker=engine.docker_client(), language=outcome.language, rebuild=False, name=case,
                    left_behind=outcome.left_behind)
    record(case, report)
    assert report.ok, report.problems
    assert report.converted.answers[0].body == report.original.answers[0].body
    assert report.converted.user and report.converted.user.split(":")[0] not in ("root", "0")
    print(f"\n{case}: {(report.original.size or 0) / 1e6:.0f} MB -> {(report.converted.size or 0) / 1e6:.0f} MB")
    return report, outcome.dockerfile or ""


def runtime_image(text: str) -> str:
    return next(line.split()[-3] for line in text.splitlines() if line.startswith("FROM ") and line.endswith(" AS runtime"))


def test_shaded_cli_on_jlink_prints_the_same(engine: Engine, tmp_path: Path) -> None:
    report, text = run_cli(engine, tmp_path, "java-maven-shade-jlink-locale", JLINK)
    assert re.search(r"jlink --add-modules \"\$\(cat modules.txt\),[^\"]*jdk.localedata", text)
    printed = report.converted.answers[0].body
    assert "2,50" in printed and "€" in printed, printed  # German number format: the locale data is there
    assert report.converted.size and report.original.size and report.converted.size < 0.5 * report.original.size


def test_plain_jar_cli_on_the_jre_prints_the_same(engine: Engine, tmp_path: Path) -> None:
    report, text = run_cli(engine, tmp_path, "java-maven-cli-jar-e2e", None)
    assert report.converted.answers[0].body.strip() == "words: 4, longest: quick"
    assert runtime_image(text).startswith("eclipse-temurin:17.") and "-jre-" in runtime_image(text)  # the build's release
    assert report.converted.size and report.original.size and report.converted.size < 0.7 * report.original.size
