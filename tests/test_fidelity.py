"""Nothing the running application needs is lost: RUN effects, files beside the program, writable places, low ports.

Each test converts a small build context written the way real Dockerfiles are written and
reads the generated Dockerfile; the real-engine proof of the same behaviours is in
tests/test_e2e_fidelity.py and tests/test_e2e_realworld.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stagify import Options, Outcome, Placement, RuntimeChoice, Status, convert
from stagify.dockerfile.effects import Kind, of_script
from stagify.dockerfile.shell import commands
from stagify.fleet.filecheck import compare

from .helpers import lint

GO_SERVER = 'package main\n\nimport "net/http"\n\nfunc main() { _ = http.ListenAndServe(":8080", nil) }\n'
GO_MOD = "module example.com/app\n\ngo 1.22\n"


def run(tmp_path: Path, dockerfile: str, files: dict[str, str], **options: object) -> Outcome:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    outcome = convert(dockerfile, context=tmp_path, options=Options(**options))  # type: ignore[arg-type]
    assert outcome.status is Status.CONVERTED, outcome.error
    result = lint(outcome.dockerfile or "")
    assert result.returncode == 0, result.stdout
    return outcome


def runtime_of(outcome: Outcome) -> str:
    text = outcome.dockerfile or ""
    return text[text.rindex("\nFROM ") + 1 :]


def decision(outcome: Outcome, line: int) -> tuple[Placement, str]:
    found = [(d.placement, d.reason) for d in outcome.decisions if d.instruction.line == line]
    assert found, f"no decision for line {line}"
    return found[0]


# -- the effects model -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "path", "kind"),
    [
        ("echo 1.2.3 > /app/version.txt", "/app/version.txt", Kind.FILE),
        ("echo sha >> ./commit.sha 2>&1", "/work/commit.sha", Kind.FILE),
        ("mkdir -p /app/data", "/app/data", Kind.DIR),
        ("mkdir -m 0775 uploads", "/work/uploads", Kind.DIR),
        ("touch /var/run/app.pid", "/var/run/app.pid", Kind.FILE),
        ("cp -r static /srv/www", "/srv/www", Kind.TREE),
        ("mv build/app.conf /etc/app.conf", "/etc/app.conf", Kind.TREE),
        ("ln -s /usr/bin/python3 /usr/local/bin/python", "/usr/local/bin/python", Kind.LINK),
        ("sed -i 's/a/b/' conf/app.conf", "/work/conf/app.conf", Kind.EDIT),
        ("chown -R app:app /app/data", "/app/data", Kind.META),
        ("curl -fsSL -o /usr/local/bin/tool https://example.com/tool", "/usr/local/bin/tool", Kind.FILE),
        ("wget -O geo.db https://example.com/geo.db", "/work/geo.db", Kind.FILE),
        ("wget https://example.com/files/model.bin", "/work/model.bin", Kind.FILE),
        ("git clone https://example.com/org/themes.git", "/work/themes", Kind.TREE),
        ("tar -xzf assets.tgz -C /opt/assets", "/opt/assets", Kind.TREE),
        ("unzip fonts.zip -d fonts", "/work/fonts", Kind.TREE),
        ("cd /srv && echo ok > health", "/srv/health", Kind.FILE),
        ("printf '%s' \"$V\" | tee /etc/version", "/etc/version", Kind.FILE),
    ],
)
def test_a_command_names_the_paths_it_writes(script: str, path: str, kind: Kind) -> None:
    effects = of_script(script, "/work", {})
    assert (path, kind) in [(w.path, w.kind) for w in effects.writes], effects


def test_an_unknown_program_is_opaque_in_its_working_folder() -> None:
    effects = of_script("./scripts/generate-config.sh --out conf", "/app", {})
    assert effects.opaque == (("generate-config.sh", "/app"),)
    assert not of_script("echo hi && ls -la && true", "/app", {}).opaque


def test_redirections_are_not_command_separators() -> None:
    assert [c.argv for c in commands("make 2>&1 | tee build.log")] == [("make", "2>&1"), ("tee", "build.log")]
    assert [c.argv for c in commands("run &> out.log")] == [("run", "&>", "out.log")]


# -- 1. effects of RUN lines reach the runtime -----------------------------------------------------------


GO_EFFECTS = """FROM golang:1.22
WORKDIR /app
COPY . .
RUN go build -o server .
RUN echo 1.2.3 > /app/version.txt && mkdir -p /app/data
CMD ["/app/server"]
"""


def test_files_and_folders_a_run_line_writes_are_copied_into_the_runtime(tmp_path: Path) -> None:
    outcome = run(tmp_path, GO_EFFECTS, {"go.mod": GO_MOD, "main.go": GO_SERVER})
    runtime = runtime_of(outcome)
    assert "COPY --from=builder /app/version.txt /app/version.txt" in runtime
    assert "COPY --from=builder --chown=65532:65532 /app/data /app/data" in runtime
    placement, reason = decision(outcome, 5)
    assert placement is Placement.BUILDER
    assert "/app/version.txt" in reason and "/app/data" in reason
    # the folder the build made is the application's to write: owned by the runtime user in the builder
    assert "chown -R 65532:65532 /app/data" in (outcome.dockerfile or "")


def test_an_edit_by_the_build_wins_over_the_copied_sources(tmp_path: Path) -> None:
    dockerfile = """FROM node:20
WORKDIR /app
COPY package.json ./
RUN npm install
COPY . .
RUN sed -i "s/development/production/" config.js
CMD ["node", "server.js"]
"""
    files = {"package.json": '{"name": "a", "dependencies": {"express": "^4.19.0"}}', "server.js": "require('./config')\n",
             "config.js": "module.exports = 'development'\n"}
    runtime = runtime_of(run(tmp_path, dockerfile, files))
    late = runtime.index("COPY --from=builder /app/config.js /app/config.js")
    assert late > runtime.index("COPY . .")  # after the sources, so the edited file is the one that stays


def test_a_command_whose_writes_cannot_be_told_keeps_its_folder(tmp_path: Path) -> None:
    dockerfile = """FROM golang:1.22
WORKDIR /app
COPY . .
RUN go build -o server .
RUN ./gen-assets.sh
CMD ["/app/server"]
"""
    files = {"go.mod": GO_MOD, "main.go": GO_SERVER, "gen-assets.sh": "#!/bin/sh\necho > assets.txt\n"}
    outcome = run(tmp_path, dockerfile, files)
    assert "COPY --from=builder /app /app" in runtime_of(outcome)
    assert "may write anywhere in /app" in decision(outcome, 5)[1]


def test_caches_and_scratch_files_stay_behind(tmp_path: Path) -> None:
    dockerfile = """FROM golang:1.22
WORKDIR /app
COPY . .
RUN go build -o server . && echo finished > /tmp/build.log
CMD ["/app/server"]
"""
    outcome = run(tmp_path, dockerfile, {"go.mod": GO_MOD, "main.go": GO_SERVER})
    assert "/tmp/build.log" not in runtime_of(outcome)


# -- 2. files next to the program --------------------------------------------------------------------------


def test_go_keeps_files_it_cannot_tell_are_unused(tmp_path: Path) -> None:
    dockerfile = """FROM golang:1.22
WORKDIR /app
COPY . .
RUN go build -o server .
CMD ["./server"]
"""
    files = {"go.mod": GO_MOD, "main.go": GO_SERVER, "VERSION": "1.0\n", "banner": "hi\n", "settings/app.conf": "a=1\n",
             "README.md": "# app\n", "Jenkinsfile": "pipeline {}\n", "internal/x.go": "package internal\n"}
    runtime = runtime_of(run(tmp_path, dockerfile, files))
    for kept in ("/app/VERSION", "/app/banner", "/app/settings"):
        assert f"COPY --from=builder {kept} {kept}" in runtime
    for left in ("README.md", "Jenkinsfile", "internal", "main.go", "go.mod"):
        assert f"/app/{left} " not in runtime


CONTAINER_FILES = ("Dockerfile.dev", "api.Dockerfile", "Containerfile", "app.Containerfile", "Dockerfile.dockerignore",
                   "api.Dockerfile.dockerignore", "expected.dockerignore", "compose.yaml", "docker-compose.override.yml")


@pytest.mark.parametrize("language", ["go", "java"])
def test_files_that_only_describe_container_builds_stay_behind(tmp_path: Path, language: str) -> None:
    if language == "go":
        dockerfile = "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD [\"./server\"]\n"
        files = {"go.mod": GO_MOD, "main.go": GO_SERVER}
    else:
        dockerfile = ("FROM eclipse-temurin:17-jdk\nWORKDIR /app\nCOPY . .\nRUN javac -d out Main.java\n"
                      "CMD [\"java\", \"-cp\", \"out\", \"Main\"]\n")
        files = {"Main.java": "public class Main { public static void main(String[] a) {} }\n"}
    files |= {"settings.json": "{}\n", **{name: "x\n" for name in CONTAINER_FILES}}
    runtime = runtime_of(run(tmp_path, dockerfile, files))
    assert "/app/settings.json" in runtime  # a file the program may read is still kept
    for name in CONTAINER_FILES:
        assert f"/app/{name} " not in runtime and f"/app/{name}\n" not in runtime, name


# -- 3. writable places ----------------------------------------------------------------------------------------


def test_volumes_and_created_folders_are_owned_by_the_runtime_user(tmp_path: Path) -> None:
    dockerfile = """FROM python:3.12
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
RUN mkdir -p /app/uploads
VOLUME /var/lib/app
CMD ["python", "app.py"]
"""
    files = {"requirements.txt": "flask==3.0.3\n", "app.py": "import flask\n"}
    text = run(tmp_path, dockerfile, files).dockerfile or ""
    assert "RUN mkdir -p /app/uploads /var/lib/app && chown -R 10001:10001 /app/uploads /var/lib/app" in text
    assert "COPY --from=builder --chown=10001:10001 /var/lib/app /var/lib/app" in runtime_of_text(text)


def runtime_of_text(text: str) -> str:
    return text[text.rindex("\nFROM ") + 1 :]


# -- 4. ports below 1024 ------------------------------------------------------------------------------------------


def test_a_go_program_on_port_80_gets_the_capability_not_root(tmp_path: Path) -> None:
    dockerfile = """FROM golang:1.22
WORKDIR /app
COPY . .
RUN go build -o /server .
EXPOSE 8080
CMD ["/server"]
"""
    server = GO_SERVER.replace(":8080", ":80")
    outcome = run(tmp_path, dockerfile, {"go.mod": GO_MOD, "main.go": server})
    text = outcome.dockerfile or ""
    builder = text[: text.rindex("\nFROM ")]
    assert "setcap cap_net_bind_service=+ep /server" in builder
    assert any("port 80 (main.go:" in n.message for n in outcome.notes)
    assert "USER 65532:65532" in runtime_of(outcome)


def test_an_interpreter_on_port_80_gets_the_capability_in_the_runtime(tmp_path: Path) -> None:
    dockerfile = """FROM python:3.12
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
EXPOSE 80
CMD ["python", "app.py"]
"""
    files = {"requirements.txt": "flask==3.0.3\n", "app.py": "app.run(host='0.0.0.0', port=80)\n"}
    runtime = runtime_of(run(tmp_path, dockerfile, files))
    assert 'setcap cap_net_bind_service=+ep "$(readlink -f "$(command -v python3)")"' in runtime
    assert runtime.index("setcap") < runtime.index("USER ")


def test_no_capability_when_the_original_did_not_run_as_root(tmp_path: Path) -> None:
    dockerfile = """FROM golang:1.22
WORKDIR /app
COPY . .
RUN go build -o /server .
USER 1000
CMD ["/server"]
"""
    outcome = run(tmp_path, dockerfile, {"go.mod": GO_MOD, "main.go": GO_SERVER.replace(":8080", ":80")})
    assert "setcap" not in (outcome.dockerfile or "")


# -- 6. every stage is used ----------------------------------------------------------------------------------------


def test_a_plain_node_server_has_no_unused_builder(tmp_path: Path) -> None:
    dockerfile = """FROM node:20
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
CMD ["node", "server.js"]
"""
    files = {"package.json": '{"name": "a", "dependencies": {"express": "^4.19.0"}}', "package-lock.json": "{}",
             "server.js": "require('express')\n"}
    outcome = run(tmp_path, dockerfile, files)
    text = outcome.dockerfile or ""
    assert " AS builder" not in text
    assert decision(outcome, 4)[0] is Placement.DROPPED
    assert "BuildKit would skip it" in decision(outcome, 4)[1]


# -- the package manager and the start the original used ------------------------------------------------------------


def test_the_package_manager_is_the_one_the_dockerfile_runs(tmp_path: Path) -> None:
    dockerfile = """FROM node:20
WORKDIR /app
COPY . .
RUN npm install
CMD ["node", "index.js"]
"""
    files = {"package.json": '{"name": "a", "dependencies": {"fastify": "^4.0.0"}}', "yarn.lock": "# unused\n",
             "index.js": "require('fastify')\n"}
    text = run(tmp_path, dockerfile, files).dockerfile or ""
    assert "yarn" not in text
    assert "npm install" in text


def test_committed_node_modules_are_not_replaced_by_an_install(tmp_path: Path) -> None:
    dockerfile = """FROM node:20
WORKDIR /app
COPY . .
CMD ["node", "index.js"]
"""
    files = {"package.json": '{"name": "a", "dependencies": {"left-pad": "1.3.0"}}', "index.js": "require('left-pad')\n",
             "node_modules/left-pad/index.js": "module.exports = 1\n"}
    outcome = run(tmp_path, dockerfile, files)
    assert "AS deps" not in (outcome.dockerfile or "")
    assert "node_modules" not in (outcome.dockerignore or "").split("# Added by stagify")[-1].split()


def test_a_development_server_is_replaced_by_nginx_on_the_same_port(tmp_path: Path) -> None:
    dockerfile = """FROM node:20-slim
WORKDIR /app
COPY . .
RUN npm install && npm run build
CMD ["npm", "run", "preview", "--", "--port", "9090"]
"""
    files = {"package.json": '{"name": "a", "scripts": {"build": "vite build", "preview": "vite preview"}, '
                             '"devDependencies": {"vite": "^5.0.0"}}'}
    assert "ENV NGINX_LISTEN=9090" in (run(tmp_path, dockerfile, files).dockerfile or "")


# -- verify's file check --------------------------------------------------------------------------------------------


def test_the_file_check_tells_missing_files_from_files_left_behind_on_purpose() -> None:
    added = {
        "/app/version.txt": ("file", 6),
        "/app/main.go": ("file", 100),
        "/app/go.mod": ("file", 30),
        "/root/.cache/go-build/ab/cd": ("file", 10),
        "/usr/local/lib/python3.11/site-packages/flask/__init__.py": ("file", 5),
        "/usr/local/bin/gunicorn": ("file", 200),
        "/app/server": ("file", 7000),
        "/app/README.md": ("file", 3),
        "/app/.env": ("file", 3),
        "/app/conf/app.properties": ("file", 12),
    }
    converted = {
        "/opt/venv/lib/python3.11/site-packages/flask/__init__.py": ("file", 5),
        "/opt/venv/bin/gunicorn": ("file", 230),
        "/usr/local/bin/server": ("file", 7000),
    }
    absent = {a.path: a for a in compare(added, converted, lambda p: p.endswith("/.env"))}
    assert {p for p, a in absent.items() if not a.on_purpose} == {"/app/version.txt", "/app/conf/app.properties"}
    assert "virtualenv" in absent["/usr/local/lib/python3.11/site-packages/flask/__init__.py"].reason
    assert "another path" in absent["/app/server"].reason
    assert ".dockerignore" in absent["/app/.env"].reason


# -- 7. languages installed from the distribution's packages ----------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "install", "runtime", "kept", "gone"),
    [
        ("debian:bookworm", "apt-get update && apt-get install -y nodejs npm", "debian:bookworm-slim", "nodejs", "npm"),
        ("debian:12", "apt-get update && apt-get install -y python3 python3-pip python3-dev gcc", "debian:12-slim", "python3", "pip"),
        ("alpine:3.20", "apk add --no-cache go", "alpine:3.20", "", "go"),
        ("debian:bookworm", "apt-get update && apt-get install -y openjdk-17-jdk maven", "debian:bookworm-slim",
         "openjdk-17-jre-headless", "maven"),
    ],
)
def test_a_language_from_distribution_packages_stays_on_its_distribution(
    tmp_path: Path, base: str, install: str, runtime: str, kept: str, gone: str
) -> None:
    files = {"package.json": '{"name": "a"}', "server.js": "", "requirements.txt": "flask\n", "app.py": "",
             "go.mod": GO_MOD, "main.go": GO_SERVER, "pom.xml": "<project/>"}
    dockerfile = f"FROM {base}\nRUN {install}\nWORKDIR /app\nCOPY . /app\nCMD [\"/app/run\"]\n"
    outcome = run(tmp_path, dockerfile, files)
    text = outcome.dockerfile or ""
    assert f"FROM {base} AS builder" in text  # the original distribution and its language, as written
    stage = runtime_of(outcome)
    assert stage.startswith(f"FROM {runtime} AS runtime")
    installs = [line for line in stage.splitlines() if "install" in line or "apk add" in line]
    assert (kept in " ".join(installs)) if kept else not any("apk add" in line for line in installs)
    assert gone not in " ".join(installs).split()
    assert "COPY --from=builder /app /app" in stage and "USER 10001:10001" in stage
    assert any("distribution's packages" in n.message for n in outcome.notes)


def test_a_language_image_with_extra_packages_is_converted(tmp_path: Path) -> None:
    dockerfile = """FROM node:20
RUN apt-get update && apt-get install -y python3 make g++
WORKDIR /app
COPY package*.json ./
RUN npm install
COPY . .
CMD ["node", "server.js"]
"""
    files = {"package.json": '{"name": "a", "dependencies": {"express": "^4.19.0"}}', "server.js": ""}
    assert run(tmp_path, dockerfile, files).status is Status.CONVERTED


def test_the_file_check_names_a_package_the_conversion_installed_in_another_form() -> None:
    site = "/usr/local/lib/python3.11/site-packages"
    venv = "/opt/venv/lib/python3.11/site-packages"
    added = {
        f"{site}/psycopg2-2.9.10.dist-info/METADATA": ("file", 4917),
        f"{site}/psycopg2-2.9.10.dist-info/RECORD": ("file", 2056),
        f"{site}/psycopg2-2.9.10.dist-info/INSTALLER": ("file", 4),
        f"{site}/Flask-3.0.3.dist-info/METADATA": ("file", 3000),
        f"{site}/werkzeug-3.1.9.dist-info/METADATA": ("file", 2900),
        f"{site}/pip-23.0.1.dist-info/RECORD": ("file", 900),
    }
    converted = {
        # a legacy `setup.py install`: egg-info where the original has a wheel's dist-info
        f"{venv}/psycopg2-2.9.10.egg-info/PKG-INFO": ("file", 4917),
        f"{venv}/psycopg2-2.9.10-py3.11.egg-info/top_level.txt": ("file", 9),
        f"{venv}/six-1.16.0.dist-info/INSTALLER": ("file", 4),
        f"{venv}/flask-3.0.3.dist-info/METADATA": ("file", 3000),  # the same wheel, its folder spelled by another pip
        f"{venv}/werkzeug-3.1.10.dist-info/METADATA": ("file", 2900),  # an unpinned requirement resolved again
        f"{venv}/pip-24.0.dist-info/RECORD": ("file", 950),
    }
    absent = {a.path: a for a in compare(added, converted)}
    missing = {p: a.reason for p, a in absent.items() if not a.on_purpose}
    assert set(missing) == {f"{site}/psycopg2-2.9.10.dist-info/{f}" for f in ("METADATA", "RECORD", "INSTALLER")} | {
        f"{site}/werkzeug-3.1.9.dist-info/METADATA"}
    assert "psycopg2-2.9.10-py3.11.egg-info, psycopg2-2.9.10.egg-info, not psycopg2-2.9.10.dist-info" in missing[
        f"{site}/psycopg2-2.9.10.dist-info/RECORD"]
    assert "werkzeug-3.1.10.dist-info" in missing[f"{site}/werkzeug-3.1.9.dist-info/METADATA"]
    assert "spelled" in absent[f"{site}/Flask-3.0.3.dist-info/METADATA"].reason
    assert "packaging tool" in absent[f"{site}/pip-23.0.1.dist-info/RECORD"].reason


@pytest.mark.parametrize("language", ["python", "node", "java"])
def test_a_distroless_runtime_keeps_the_originals_entrypoint_and_no_second_one(tmp_path: Path, language: str) -> None:
    # distroless images bring their own ENTRYPOINT, which stagify resets; the original's own ENTRYPOINT replaces it
    # instead (two ENTRYPOINT lines are hadolint's DL4004 error)
    if language == "python":
        files = {"requirements.txt": "flask==3.0.3\n", "app.py": "print('hi')\n"}
        dockerfile = ("FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
                      'ENTRYPOINT ["python", "-m"]\nCMD ["flask", "run"]\n')
        options: dict[str, object] = {}
    elif language == "node":
        files = {"package.json": '{"name": "a", "dependencies": {"ms": "^2"}}', "package-lock.json": "{}", "s.js": "1\n"}
        dockerfile = 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nENTRYPOINT ["node"]\nCMD ["s.js"]\n'
        options = {}
    else:
        files = {"Main.java": "public class Main { public static void main(String[] a) {} }\n"}
        dockerfile = ('FROM eclipse-temurin:17-jdk\nWORKDIR /app\nCOPY . .\nRUN javac -d out Main.java\n'
                      'ENTRYPOINT ["java", "-cp", "out", "Main"]\nCMD ["--verbose"]\n')
        options = {"runtime": RuntimeChoice.DISTROLESS}
    runtime = runtime_of(run(tmp_path, dockerfile, files, **options))  # run() lints the whole file
    assert "gcr.io/distroless/" in runtime.splitlines()[0], runtime
    assert [line for line in runtime.splitlines() if line.startswith("ENTRYPOINT")] == [dockerfile.splitlines()[-2]]
    assert runtime.strip().splitlines()[-1] == dockerfile.splitlines()[-1]  # the CMD: ENTRYPOINT's arguments, as written
