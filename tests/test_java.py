"""Java: build files, command lines, and the jar layouts no offline engine can build (Spring Boot, Gradle).

What the real engine cannot run here (Maven Central and the Gradle plugin portal are
out of reach) is checked on the generated Dockerfile: the layers stage, the launcher,
the copies, the start command, the notes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stagify import Options, Outcome, RuntimeChoice, Status, convert
from stagify.context.buildcontext import BuildContext
from stagify.images.reference import parse_ref
from stagify.languages.java.commands import (
    LAUNCHER_NEW,
    LAUNCHER_OLD,
    launcher,
    package_text,
    parse_call,
    parse_java,
    spring_boot_run_args,
)
from stagify.languages.java.facts import JavaFacts, gather_facts, normalize_java, read_pom, tag_java

from .helpers import FIXTURES, last_user, lint

MAIN = "package com.example;\n\npublic class App {\n    public static void main(String[] a) {}\n}\n"


def pom(artifact: str = "demo", version: str = "1.0.0", boot: str | None = None, plugin: bool = True, extra: str = "", props: str = "") -> str:
    parent = (
        f"<parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId>"
        f"<version>{boot}</version></parent>"
        if boot
        else ""
    )
    plugins = (
        "<build><plugins><plugin><groupId>org.springframework.boot</groupId>"
        f"<artifactId>spring-boot-maven-plugin</artifactId>{extra}</plugin></plugins></build>"
        if plugin and boot
        else ""
    )
    return (
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
        f"{parent}<groupId>com.example</groupId><artifactId>{artifact}</artifactId><version>{version}</version>"
        f"<properties>{props}</properties>{plugins}</project>"
    )


def make(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def run(tmp_path: Path, dockerfile: str, files: dict[str, str], **options: object) -> Outcome:
    make(tmp_path, {"src/main/java/com/example/App.java": MAIN, **files})
    outcome = convert(dockerfile, context=tmp_path, options=Options(**options))  # type: ignore[arg-type]
    assert outcome.status is Status.CONVERTED, outcome.error
    result = lint(outcome.dockerfile or "")
    assert result.returncode == 0, result.stdout + (outcome.dockerfile or "")
    assert (last_user(outcome.dockerfile or "") or "root").split(":")[0] not in ("root", "0")
    return outcome


def runtime_stage(outcome: Outcome) -> str:
    text = outcome.dockerfile or ""
    return text[text.rindex("\nFROM ") + 1 :]


def notes(outcome: Outcome) -> str:
    return "\n".join(n.message for n in outcome.notes)


MAVEN_BOOT = "FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\nRUN mvn package\nCMD [\"java\", \"-jar\", \"target/demo-1.0.0.jar\"]\n"

# -- build files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "major"),
    [("1.8", "8"), ("17", "17"), ("11.0.2", "11"), ("JavaVersion.VERSION_1_8", "8"), ("JavaVersion.VERSION_21", "21"), ("'17'", "17"), ("x", None)],
)
def test_java_versions_are_read_as_majors(value: str, major: str | None) -> None:
    assert normalize_java(value) == major


@pytest.mark.parametrize(
    ("image", "major"),
    [
        ("openjdk:11", "11"),
        ("openjdk:8-jdk-alpine", "8"),
        ("openjdk:8u342-jre", "8"),
        ("eclipse-temurin:17.0.16_8-jdk", "17"),
        ("eclipse-temurin:8u402-b06-jdk", "8"),
        ("maven:3.6.1-jdk-8-alpine", "8"),
        ("maven:3.5.4-jdk-10-slim", "10"),
        ("maven:3.8.4-openjdk-11-slim", "11"),
        ("maven:3.9-eclipse-temurin-21", "21"),
        ("maven:3.9.6-amazoncorretto-17", "17"),
        ("gradle:jdk17", "17"),
        ("gradle:jdk17-alpine", "17"),
        ("gradle:7.4.0-jdk17", "17"),
        ("gradle:8.7.0-jdk-21-and-22", "21"),
        ("amazoncorretto:21-al2023", "21"),
        ("maven:3.6-alpine", None),
        ("openjdk:latest", None),
        ("gradle:8.7.0", None),
    ],
)
def test_the_java_major_of_a_base_image_tag(image: str, major: str | None) -> None:
    assert tag_java(parse_ref(image)) == major


def test_a_pom_gives_version_name_boot_and_java() -> None:
    text = (
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><parent><artifactId>spring-boot-starter-parent</artifactId>'
        "<version>3.2.1</version></parent><artifactId>api</artifactId><properties><java.version>17</java.version>"
        "<app.name>orders</app.name></properties><build><finalName>${app.name}-${project.version}</finalName></build></project>"
    )
    parsed = read_pom(text)
    assert parsed is not None
    assert parsed.resolve(parsed.final_name) == "orders-3.2.1"  # the version is inherited from the parent
    assert parsed.artifact_id == "api"
    assert read_pom("<project><unclosed></project>") is None


def facts(tmp_path: Path, files: dict[str, str], hint: str | None = None) -> JavaFacts:
    return gather_facts(BuildContext.open(make(tmp_path, files)), "", hint)


def test_maven_facts(tmp_path: Path) -> None:
    found = facts(tmp_path, {"pom.xml": pom("shop", "2.0", boot="2.7.18", props="<java.version>1.8</java.version>"), "mvnw": ""})
    assert (found.tool, found.wrapper, found.java_version, found.boot_version, found.boot_plugin) == ("maven", True, "8", "2.7.18", True)
    assert found.artifact == "shop-2.0.jar"
    assert found.manifest_files(BuildContext.open(tmp_path), True) == ("pom.xml", "mvnw", ".mvn")


def test_maven_compiler_plugin_release_and_layers_off(tmp_path: Path) -> None:
    layers = "<configuration><layers><enabled>false</enabled></layers></configuration>"
    text = pom(boot="3.1.0", extra=layers).replace(
        "</plugins>",
        "<plugin><artifactId>maven-compiler-plugin</artifactId><configuration><release>21</release></configuration></plugin></plugins>",
    )
    found = facts(tmp_path, {"pom.xml": text})
    assert found.java_version == "21"
    assert found.boot_layers_off


def test_gradle_groovy_facts(tmp_path: Path) -> None:
    build = (
        "plugins {\n    id 'java'\n    id 'org.springframework.boot' version '3.3.4'\n}\n\nversion = '0.1.0'\n\n"
        "java {\n    toolchain {\n        languageVersion = JavaLanguageVersion.of(21)\n    }\n}\n"
    )
    found = facts(tmp_path, {"build.gradle": build, "settings.gradle": "rootProject.name = 'inventory'\n"})
    assert (found.tool, found.java_version, found.boot_version, found.boot_plugin) == ("gradle", "21", "3.3.4", True)
    assert found.artifact == "inventory-0.1.0.jar"  # the plugin's version line is not the project's


def test_gradle_kotlin_facts(tmp_path: Path) -> None:
    build = (
        'plugins {\n    application\n    id("com.github.johnrengelman.shadow") version "8.1.1"\n}\n'
        "java.sourceCompatibility = JavaVersion.VERSION_11\n"
        'application {\n    mainClass.set("com.example.App")\n}\n'
    )
    found = facts(tmp_path, {"build.gradle.kts": build})
    assert found.application and found.shadow
    assert found.java_version == "11"
    assert found.main_class == "com.example.App"
    assert found.artifact == "{name}-all.jar"  # no version: Gradle leaves it out; the name is the folder's


def test_gradle_boot_jar_file_name(tmp_path: Path) -> None:
    build = 'plugins {\n  id("org.springframework.boot") version "3.0.2"\n}\ntasks.bootJar {\n  archiveFileName.set("service.jar")\n}\n'
    assert facts(tmp_path, {"build.gradle.kts": build}).artifact == "service.jar"


def test_multi_project_builds_are_recognised(tmp_path: Path) -> None:
    assert facts(tmp_path, {"build.gradle": "", "settings.gradle": "include 'api', 'core'\n"}).multi_module
    assert facts(tmp_path / "m", {"pom.xml": "<project><modules><module>a</module></modules></project>"}).multi_module


# -- command lines ----------------------------------------------------------------------------------


def test_maven_command_lines() -> None:
    call = parse_call(("mvn", "-B", "-s", "settings.xml", "clean", "package", "-DskipTests=true", "-pl", "api"))
    assert call is not None
    assert call.goals == ("clean", "package")
    assert call.packages and call.skips_tests and not call.runs_tests
    assert call.option_value("-s") == "settings.xml"
    offline = parse_call(("./mvnw", "dependency:go-offline"))
    assert offline is not None and offline.wrapper and offline.fetches_dependencies and not offline.packages
    run = parse_call(("mvn", "spring-boot:run", "-Dspring-boot.run.profiles=dev"))
    assert run is not None and run.starts_app == "spring-boot:run"
    assert spring_boot_run_args(run) == ((), ("--spring.profiles.active=dev",), [])


def test_gradle_command_lines() -> None:
    build = parse_call(("./gradlew", "--no-daemon", "clean", "build"))
    assert build is not None and build.runs_tests
    assert package_text(build, "./gradlew --no-daemon clean build") == ("./gradlew --no-daemon clean build -x test", ["tests skipped (-x test)"])
    skipped = parse_call(("gradle", "build", "-x", "test"))
    assert skipped is not None and skipped.skips_tests
    assert package_text(skipped, "gradle build -x test")[0] == "gradle build -x test --no-daemon"
    dist = parse_call(("gradle", ":app:installDist"))
    assert dist is not None and dist.packages and not dist.runs_tests
    assert parse_call(("gradle", "bootRun")).starts_app == "bootRun"  # type: ignore[union-attr]
    assert parse_call(("npm", "install")) is None


def test_java_start_commands() -> None:
    jar = parse_java(("java", "-Xmx1g", "$JAVA_OPTS", "-jar", "app.jar", "--port", "80"))
    assert jar is not None and jar.jar == "app.jar" and jar.jvm_options == ("-Xmx1g", "$JAVA_OPTS") and jar.args == ("--port", "80")
    main = parse_java(("java", "-cp", "out:lib/*", "hello.Server"))
    assert main is not None and (main.classpath, main.main_class) == ("out:lib/*", "hello.Server")
    stray = parse_java(("java", " -jar", "target/x.jar"))
    assert stray is not None and stray.stray_space and stray.jar == "target/x.jar"
    assert parse_java(("python", "app.py")) is None


@pytest.mark.parametrize(("boot", "main"), [("2.7.18", LAUNCHER_OLD), ("3.1.5", LAUNCHER_OLD), ("3.2.0", LAUNCHER_NEW), ("3.5.0", LAUNCHER_NEW)])
def test_the_launcher_class_moved_in_boot_3_2(boot: str, main: str) -> None:
    assert launcher(boot) == main


# -- Spring Boot layouts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("boot", "extract", "main"),
    [
        ("3.4.1", "-Djarmode=tools -jar app.jar extract --layers --launcher --destination extracted", LAUNCHER_NEW),
        ("3.3.0", "-Djarmode=tools -jar app.jar extract --layers --launcher --destination extracted", LAUNCHER_NEW),
        ("3.2.5", "-Djarmode=layertools -jar app.jar extract --destination extracted", LAUNCHER_NEW),
        ("2.4.0", "-Djarmode=layertools -jar app.jar extract --destination extracted", LAUNCHER_OLD),
    ],
)
def test_a_boot_jar_is_extracted_into_layers_copied_one_by_one(tmp_path: Path, boot: str, extract: str, main: str) -> None:
    out = run(tmp_path, MAVEN_BOOT, {"pom.xml": pom(boot=boot)})
    text = out.dockerfile or ""
    assert "FROM eclipse-temurin:21.0.12.1_1-jre-noble AS layers" in text
    assert "COPY --from=builder /app/app.jar app.jar" in text
    assert f"RUN java {extract}" in text
    runtime = runtime_stage(out)
    copies = re.findall(r"COPY --from=layers /layers/extracted/([\w-]+)/ \./", runtime)
    assert copies == ["dependencies", "spring-boot-loader", "snapshot-dependencies", "application"]  # least changing first
    assert f'CMD ["java", "{main}"]' in runtime
    assert "-jdk" not in runtime and "maven:" not in runtime  # a JRE runs it, never a JDK


def test_a_boot_jar_before_2_4_runs_whole(tmp_path: Path) -> None:
    out = run(tmp_path, MAVEN_BOOT, {"pom.xml": pom(boot="2.1.4.RELEASE")})
    assert "AS layers" not in (out.dockerfile or "")
    assert 'CMD ["java", "-jar", "app.jar"]' in runtime_stage(out)
    assert "does not write layered jars" in notes(out)


def test_layers_turned_off_in_the_pom_are_respected(tmp_path: Path) -> None:
    layers = "<configuration><layers><enabled>false</enabled></layers></configuration>"
    out = run(tmp_path, MAVEN_BOOT, {"pom.xml": pom(boot="3.3.0", extra=layers)})
    assert "AS layers" not in (out.dockerfile or "")
    assert "COPY --from=builder /app/app.jar /app/app.jar" in runtime_stage(out)


def test_jvm_options_and_arguments_survive_the_launcher(tmp_path: Path) -> None:
    dockerfile = MAVEN_BOOT.replace('"-jar"', '"-XX:MaxRAMPercentage=75", "-jar"').replace('.jar"]', '.jar", "--debug"]')
    out = run(tmp_path, dockerfile, {"pom.xml": pom(boot="3.3.0")})
    assert f'CMD ["java", "-XX:MaxRAMPercentage=75", "{LAUNCHER_NEW}", "--debug"]' in runtime_stage(out)


def test_a_shell_start_with_java_opts_keeps_its_shell(tmp_path: Path) -> None:
    dockerfile = MAVEN_BOOT.replace('CMD ["java", "-jar", "target/demo-1.0.0.jar"]', "ENV JAVA_OPTS=-Xmx256m\nCMD java $JAVA_OPTS -jar target/demo-1.0.0.jar")
    out = run(tmp_path, dockerfile, {"pom.xml": pom(boot="3.3.0")})
    runtime = runtime_stage(out)
    assert f'CMD ["/bin/sh", "-c", "java $JAVA_OPTS {LAUNCHER_NEW}"]' in runtime
    assert "ENV JAVA_OPTS=-Xmx256m" in runtime
    assert "does not read it" not in notes(out)


def test_java_opts_that_nothing_reads_get_a_warning(tmp_path: Path) -> None:
    dockerfile = MAVEN_BOOT.replace("CMD", "ENV JAVA_OPTS=-Xmx256m\nCMD")
    out = run(tmp_path, dockerfile, {"pom.xml": pom()})
    assert "does not read it" in notes(out)


def test_spring_boot_run_becomes_java_on_a_packaged_jar(tmp_path: Path) -> None:
    dockerfile = "FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nCMD [\"mvn\", \"spring-boot:run\"]\n"
    out = run(tmp_path, dockerfile, {"pom.xml": pom(boot="3.3.0")})
    text = out.dockerfile or ""
    assert re.search(r"mvn -B package -DskipTests\n# The jar under a name .*\nRUN cp target/demo-1.0.0.jar app.jar", text)
    assert "mvn" not in runtime_stage(out)
    assert f'CMD ["java", "{LAUNCHER_NEW}"]' in runtime_stage(out)


def test_spring_boot_run_without_the_plugin_repackages(tmp_path: Path) -> None:
    dockerfile = "FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nRUN mvn package\nCMD mvn spring-boot:run\n"
    out = run(tmp_path, dockerfile, {"pom.xml": pom(boot="2.5.2", plugin=False)})
    assert "mvn package spring-boot:repackage -DskipTests" in (out.dockerfile or "")


def test_gradle_boot_jar_without_a_known_name_skips_the_plain_jar(tmp_path: Path) -> None:
    dockerfile = "FROM gradle:8.7.0-jdk21\nWORKDIR /app\nCOPY . .\nRUN gradle bootJar\nCMD java -jar build/libs/*.jar\n"
    build = "plugins {\n    id 'org.springframework.boot' version '3.3.0'\n}\nversion = \"${rev}\"\n"
    out = run(tmp_path, dockerfile, {"build.gradle": build})
    assert "RUN find build/libs -maxdepth 1 -name '*.jar' ! -name '*-plain.jar' -exec cp {} app.jar \\;" in (out.dockerfile or "")


def test_distroless_java_replaces_the_images_entrypoint_only_when_needed(tmp_path: Path) -> None:
    out = run(tmp_path, MAVEN_BOOT, {"pom.xml": pom()}, runtime=RuntimeChoice.DISTROLESS)
    runtime = runtime_stage(out)
    assert runtime.startswith("FROM gcr.io/distroless/java21-debian13:nonroot AS runtime")
    assert "ENTRYPOINT []" in runtime
    with_entry = MAVEN_BOOT.replace("CMD", "ENTRYPOINT")
    runtime = runtime_stage(run(tmp_path / "e", with_entry, {"pom.xml": pom()}, runtime=RuntimeChoice.DISTROLESS))
    assert "ENTRYPOINT []" not in runtime and 'ENTRYPOINT ["java", "-jar", "app.jar"]' in runtime


def test_distroless_has_no_java_11(tmp_path: Path) -> None:
    dockerfile = MAVEN_BOOT.replace("temurin-21", "temurin-11")
    out = run(tmp_path, dockerfile, {"pom.xml": pom()}, runtime=RuntimeChoice.DISTROLESS)
    assert runtime_stage(out).startswith("FROM eclipse-temurin:11.0.32.1_1-jre-noble")
    assert "no Java 11 image" in notes(out)


# -- builders, layers, start commands ---------------------------------------------------------------


def test_gradle_7_cannot_build_java_21_so_gradle_8_does(tmp_path: Path) -> None:
    dockerfile = "FROM gradle:7.6-jdk21\nWORKDIR /app\nCOPY . .\nRUN gradle installDist\nCMD [\"build/install/app/bin/app\"]\n"
    out = run(tmp_path, dockerfile, {"build.gradle": "plugins { id 'application' }\n"})
    assert "FROM gradle:8.14.5-jdk21 AS builder" in (out.dockerfile or "")
    assert "COPY --from=builder /app/build/install/app /app/build/install/app" in runtime_stage(out)


def test_old_java_majors_move_to_the_next_lts(tmp_path: Path) -> None:
    dockerfile = "FROM maven:3.5.4-jdk-10-slim\nWORKDIR /app\nCOPY . .\nRUN mvn package\nCMD [\"java\", \"-jar\", \"target/demo-1.0.0.jar\"]\n"
    out = run(tmp_path, dockerfile, {"pom.xml": pom()})
    assert "FROM maven:3.9.16-eclipse-temurin-11 AS builder" in (out.dockerfile or "")
    assert "Java 10 has no Temurin image" in (out.dockerfile or "")


def test_tests_are_skipped_only_where_the_original_ran_them(tmp_path: Path) -> None:
    out = run(tmp_path, MAVEN_BOOT.replace("mvn package", "mvn package -Dmaven.test.skip=true"), {"pom.xml": pom()})
    assert "-DskipTests" not in (out.dockerfile or "")
    assert "skips the tests" not in notes(out)


def test_the_dependency_layer_comes_before_the_sources(tmp_path: Path) -> None:
    out = run(tmp_path, MAVEN_BOOT, {"pom.xml": pom()})
    text = out.dockerfile or ""
    assert text.index("COPY pom.xml ./") < text.index("mvn -B dependency:go-offline") < text.index("COPY . .")
    assert "--mount=type=cache,target=/root/.m2/repository" in text


def test_no_dependency_layer_for_a_non_root_build(tmp_path: Path) -> None:
    dockerfile = "FROM gradle:8.7.0-jdk21\nWORKDIR /home/gradle/app\nCOPY --chown=gradle . .\nUSER gradle\nRUN gradle installDist\nCMD [\"build/install/app/bin/app\"]\n"
    out = run(tmp_path, dockerfile, {"build.gradle": "plugins { id 'application' }\n"})
    assert "gradle dependencies" not in (out.dockerfile or "")
    assert "--mount=type=cache" not in (out.dockerfile or "")  # a root-owned cache would not be writable


def test_a_jar_copied_from_the_context_after_the_build_is_the_built_one(tmp_path: Path) -> None:
    dockerfile = "FROM eclipse-temurin:17-jdk\nCOPY . .\nRUN ./mvnw package\nARG JAR=target/*.jar\nCOPY ${JAR} app.jar\nENTRYPOINT [\"java\", \"-jar\", \"/app.jar\"]\n"
    out = run(tmp_path, dockerfile, {"pom.xml": pom(), "mvnw": "#!/bin/sh\n"})
    assert "RUN cp /target/*.jar /app.jar" in (out.dockerfile or "")
    assert "COPY --from=builder /app.jar /app.jar" in runtime_stage(out)
    assert "not the jar the build" in notes(out)


def test_classes_started_by_main_class_copy_their_folder(tmp_path: Path) -> None:
    dockerfile = "FROM eclipse-temurin:21-jdk\nWORKDIR /src\nCOPY . .\nRUN javac -d /opt/classes Main.java\nCMD [\"java\", \"-cp\", \"/opt/classes\", \"Main\"]\n"
    out = run(tmp_path, dockerfile, {"Main.java": "public class Main { public static void main(String[] a) {} }\n"})
    assert "COPY --from=builder /opt/classes /opt/classes" in runtime_stage(out)


def test_the_dockerignore_leaves_out_build_output_but_never_a_copied_source(tmp_path: Path) -> None:
    dockerfile = "FROM eclipse-temurin:21-jdk\nWORKDIR /app\nCOPY build/ build/\nCOPY . .\nRUN ./gradlew installDist\nCMD [\"build/install/app/bin/app\"]\n"
    out = run(tmp_path, dockerfile, {"build.gradle": "plugins { id 'application' }\n", "gradlew": "", "build/gen.sh": "echo\n"})
    lines = (out.dockerignore or "").splitlines()
    assert {"target", ".gradle", "**/*.class", ".idea", ".git", "**/.env"} <= set(lines)
    assert "build" not in lines  # the Dockerfile copies build/ from the context


def test_every_java_fixture_runs_on_a_jre() -> None:
    for case in sorted(FIXTURES.glob("*java*")):
        expected = case / "expected.Dockerfile"
        if expected.is_file():
            runtime = expected.read_text()[expected.read_text().rindex("\nFROM ") + 1 :]
            first = runtime.splitlines()[0]
            jlink = "COPY --from=jre /jre /opt/java/openjdk" in runtime  # --runtime jlink: a JRE of its own
            assert "-jre" in first or "distroless/java" in first or jlink, (case.name, first)


def test_a_maven_build_in_a_heredoc_still_gives_the_jar_the_runtime_copies(tmp_path: Path) -> None:
    dockerfile = (
        "# syntax=docker/dockerfile:1\nFROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\n"
        "RUN <<EOF\nset -e\nmvn -B package\nEOF\nCMD [\"java\", \"-jar\", \"target/demo-1.0.0.jar\"]\n"
    )
    outcome = run(tmp_path, dockerfile, {"pom.xml": pom()})
    text = outcome.dockerfile or ""
    assert "RUN <<EOF\nset -e\nmvn -B package\nEOF\n" in text  # the script as written
    assert text.index("RUN cp target/demo-1.0.0.jar app.jar") > text.index("mvn -B package\nEOF")
    assert "COPY --from=builder /app/app.jar /app/app.jar" in runtime_stage(outcome)


def test_spring_configuration_in_the_working_folder_is_copied_once(tmp_path: Path) -> None:
    """application.properties beside the build file and config/application.yml: Spring Boot reads both from
    the working folder at start; config/ is copied as a folder, and its file not a second time."""
    outcome = run(tmp_path, MAVEN_BOOT, {"pom.xml": pom(boot="3.3.0"), "application.properties": "server.port=9090\n",
                                         "config/application.yml": "x: 1\n", "config/extra.txt": "y\n"})
    runtime = runtime_stage(outcome)
    copies = [line for line in runtime.splitlines() if line.startswith("COPY") and ("application" in line or "/config" in line)]
    assert any(line.endswith("/app/application.properties") for line in copies), runtime
    assert any(line.endswith("/app/config") for line in copies), runtime
    assert not any("config/application.yml" in line for line in copies), runtime


JAVAC_SPLIT_START = ("FROM eclipse-temurin:17-jdk\nWORKDIR /app\nCOPY src/ src/\nRUN javac -d out src/main/java/com/example/App.java\n"
                     "ENTRYPOINT [\"java\", \"-cp\", \"out\"{more}]\nCMD [\"com.example.App\"]\n")


@pytest.mark.parametrize("more", ["", ', "-Xmx256m"'])
def test_an_entrypoint_classpath_with_the_main_class_in_cmd_starts_the_compiled_classes(tmp_path: Path, more: str) -> None:
    # The container runs ENTRYPOINT + CMD: java -cp out com.example.App. The runtime needs the classes javac wrote.
    outcome = run(tmp_path, JAVAC_SPLIT_START.format(more=more), {})
    runtime = runtime_stage(outcome)
    assert "COPY --from=builder /app/out /app/out\n" in runtime
    assert f'ENTRYPOINT ["java", "-cp", "out"{more}]\nCMD ["com.example.App"]\n' in runtime
