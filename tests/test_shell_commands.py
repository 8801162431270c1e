"""Start commands keep their shell (issue 21): a line that uses shell features is never split into words.

``CMD npx docusaurus build && npm run serve`` used to become an exec-form argv with ``"&&"`` passed to
npx as an argument. Every shell-form CMD, ENTRYPOINT and HEALTHCHECK that needs /bin/sh now runs through
``["/bin/sh", "-c", <the line as written>]``, the runtime then has a shell, and only a line without any
shell feature becomes plain exec-form words.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stagify import Level, Options, RuntimeChoice, Status, convert
from stagify.dockerfile import selfcheck
from stagify.dockerfile.lintfix import shell_line_argv
from stagify.dockerfile.parse import parse

from .helpers import lint

NODE_FILES = {
    "package.json": json.dumps({"name": "site", "scripts": {"start": "node server.js", "serve": "docusaurus serve"},
                                "dependencies": {"@docusaurus/core": "3", "express": "4"}}),
    "package-lock.json": "{}",
    "server.js": "require('express')\n",
}
GO_FILES = {"go.mod": "module example.com/app\n\ngo 1.22\n", "main.go": "package main\n\nfunc main() {}\n"}
PYTHON_FILES = {"requirements.txt": "flask\n", "app.py": "from flask import Flask\napp = Flask(__name__)\n"}
JAVA_FILES = {"pom.xml": "<project><artifactId>demo</artifactId><version>1.0</version></project>\n",
              "src/main/java/App.java": "public class App { public static void main(String[] a) {} }\n"}

NODE = "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nEXPOSE 3000\n"
GO = "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/server .\nEXPOSE 8080\n"
PYTHON = "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n"
JAVA = "FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nRUN mvn package\n"


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def converted(tmp_path: Path, dockerfile: str, files: dict[str, str], **options: object) -> str:
    outcome = convert(dockerfile, context=project(tmp_path, files), options=Options(**options))  # type: ignore[arg-type]
    assert outcome.status is Status.CONVERTED, outcome.error
    text = outcome.dockerfile or ""
    assert selfcheck.check(text, parse(dockerfile)) == ()
    return text


def start_line(text: str, keyword: str = "CMD") -> list[str]:
    line = next(ln for ln in reversed(text.splitlines()) if ln.startswith(keyword + " "))
    return list(json.loads(line.split(None, 1)[1]))


# Every shell feature the issue names, in a start command of each language.
FEATURES = [
    ("and", "npx docusaurus build && npm run serve"),
    ("or", "node server.js || node fallback.js"),
    ("semicolon", "node migrate.js; node server.js"),
    ("pipe", "node server.js | tee /tmp/log"),
    ("redirection", "node server.js > /tmp/out.log 2>&1"),
    ("variable", "node server.js --port $PORT"),
    ("braced variable", "node server.js --port ${PORT:-3000}"),
    ("glob", "node dist/*.js"),
    ("cd", "cd /app/site && node server.js"),
    ("source", "source /app/env.sh && node server.js"),
    ("dot", ". /app/env.sh && node server.js"),
    ("subshell", "(node worker.js &) && node server.js"),
    ("if", "if [ -f .env ]; then node server.js; fi"),
    ("for", "for f in init/*.js; do node $f; done; node server.js"),
    ("process manager kept alive", "pm2 start server.js && tail -f /dev/null"),
    ("assignment prefix", "PORT=3000 node server.js"),
]


@pytest.mark.parametrize(("feature", "line"), FEATURES, ids=[f[0] for f in FEATURES])
def test_a_node_cmd_with_a_shell_feature_keeps_its_shell(tmp_path: Path, feature: str, line: str) -> None:
    text = converted(tmp_path, f"{NODE}CMD {line}\n", NODE_FILES)
    assert start_line(text) == ["/bin/sh", "-c", line]


@pytest.mark.parametrize(("feature", "line"), FEATURES[:6], ids=[f[0] for f in FEATURES[:6]])
def test_a_node_entrypoint_with_a_shell_feature_keeps_its_shell(tmp_path: Path, feature: str, line: str) -> None:
    text = converted(tmp_path, f"{NODE}ENTRYPOINT {line}\n", NODE_FILES)
    assert start_line(text, "ENTRYPOINT") == ["/bin/sh", "-c", line]


def test_the_docusaurus_start_of_the_issue_runs_both_commands_through_a_shell(tmp_path: Path) -> None:
    text = converted(tmp_path, f"{NODE}CMD npx docusaurus build && npm run serve\n", NODE_FILES)
    assert 'CMD ["/bin/sh", "-c", "npx docusaurus build && npm run serve"]' in text
    assert '"&&",' not in text
    assert lint(text).returncode == 0


def test_a_go_cmd_with_a_shell_feature_gets_a_runtime_with_a_shell(tmp_path: Path) -> None:
    text = converted(tmp_path, f"{GO}CMD /app/server --port $PORT\n", GO_FILES)
    assert start_line(text) == ["/bin/sh", "-c", "/app/server --port $PORT"]
    runtime = text.split(" AS runtime")[0].rsplit("\n", 2)
    assert "distroless" not in runtime[-1] and "because CMD runs a shell command" in text


def test_a_python_cmd_with_a_shell_feature_keeps_its_shell(tmp_path: Path) -> None:
    line = "flask db upgrade && gunicorn -b 0.0.0.0:$PORT app:app"
    text = converted(tmp_path, f"{PYTHON}CMD {line}\n", PYTHON_FILES)
    assert start_line(text) == ["/bin/sh", "-c", line]


def test_a_java_cmd_with_a_shell_feature_keeps_its_shell(tmp_path: Path) -> None:
    line = "java $JAVA_OPTS -jar target/demo-1.0.jar > /tmp/app.log 2>&1"
    text = converted(tmp_path, f"{JAVA}CMD {line}\n", JAVA_FILES)
    argv = start_line(text)
    assert argv[:2] == ["/bin/sh", "-c"] and "> /tmp/app.log 2>&1" in argv[2] and "$JAVA_OPTS" in argv[2]


def test_a_healthcheck_with_a_shell_feature_keeps_its_shell(tmp_path: Path) -> None:
    text = converted(tmp_path, f"{NODE}HEALTHCHECK CMD curl -f http://localhost:3000/ || exit 1\nCMD [\"node\", \"server.js\"]\n", NODE_FILES)
    assert 'HEALTHCHECK CMD ["/bin/sh", "-c", "curl -f http://localhost:3000/ || exit 1"]' in text


def test_a_run_line_with_shell_features_stays_in_shell_form(tmp_path: Path) -> None:
    dockerfile = GO.replace("RUN go build", "RUN mkdir -p /out && go build") + 'CMD ["/app/server"]\n'
    text = converted(tmp_path, dockerfile, GO_FILES)
    assert "    mkdir -p /out && CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build" in text


def test_a_step_that_writes_files_reaches_the_runtime_from_the_build_stage(tmp_path: Path) -> None:
    dockerfile = NODE.replace("COPY . .\n", "COPY . .\nRUN mkdir -p /data && echo ok > /data/ready\n") + 'CMD ["node", "server.js"]\n'
    outcome = convert(dockerfile, context=project(tmp_path, NODE_FILES))
    # A Node server's runtime takes its files from the build context; what the step made comes from the build stage.
    assert outcome.status is Status.CONVERTED, outcome.error
    assert "COPY --from=builder --chown=1000:1000 /data /data" in (outcome.dockerfile or "")


@pytest.mark.parametrize(
    ("line", "argv"),
    [
        ("node server.js", ("node", "server.js")),
        ("exec node server.js --port 3000", ("node", "server.js", "--port", "3000")),
        ("exec node $ENTRY", ("/bin/sh", "-c", "exec node $ENTRY")),
        ("cd /srv", ("/bin/sh", "-c", "cd /srv")),
        ("APP_ENV=prod node server.js", ("/bin/sh", "-c", "APP_ENV=prod node server.js")),
        ("  node a.js && node b.js  ", ("/bin/sh", "-c", "node a.js && node b.js")),
    ],
    ids=["plain words", "exec and plain words", "exec with a variable", "a builtin", "an assignment prefix", "blanks around"],
)
def test_only_a_line_without_shell_features_becomes_plain_words(line: str, argv: tuple[str, ...]) -> None:
    assert shell_line_argv(line)[0] == argv


def test_a_line_that_only_execs_a_program_loses_the_shell_with_a_reason(tmp_path: Path) -> None:
    outcome = convert(f"{NODE}CMD exec node server.js\n", context=project(tmp_path, NODE_FILES))
    assert 'CMD ["node", "server.js"]' in (outcome.dockerfile or "")
    cmd = next(d for d in outcome.decisions if d.instruction.keyword.value == "CMD")
    assert "only execs a program" in cmd.reason


def test_a_forced_runtime_without_a_shell_gives_way_to_one_with_a_shell(tmp_path: Path) -> None:
    outcome = convert(f"{PYTHON}CMD gunicorn -b 0.0.0.0:$PORT app:app\n", context=project(tmp_path, PYTHON_FILES),
                      options=Options(runtime=RuntimeChoice.DISTROLESS))
    assert outcome.status is Status.CONVERTED, outcome.error
    text = outcome.dockerfile or ""
    assert "distroless" not in text and "-slim-bookworm AS runtime" in text
    warned = [n for n in outcome.notes if n.level is Level.WARNING and "--runtime distroless has no shell" in n.message]
    assert warned and warned[0].line == 6


def test_a_forced_scratch_runtime_gives_way_when_the_healthcheck_needs_a_shell(tmp_path: Path) -> None:
    dockerfile = f"{GO}HEALTHCHECK CMD wget -qO- http://localhost:8080/ || exit 1\nCMD [\"/app/server\"]\n"
    text = converted(tmp_path, dockerfile, GO_FILES, runtime=RuntimeChoice.SCRATCH)
    assert "FROM scratch" not in text


def test_an_exec_form_with_an_operator_the_user_wrote_is_kept_and_warned_about(tmp_path: Path) -> None:
    dockerfile = f'{NODE}CMD ["node", "migrate.js", "&&", "node", "server.js"]\n'
    outcome = convert(dockerfile, context=project(tmp_path, NODE_FILES))
    assert outcome.status is Status.CONVERTED, outcome.error
    assert 'CMD ["node", "migrate.js", "&&", "node", "server.js"]' in (outcome.dockerfile or "")
    assert any(n.level is Level.WARNING and "'&&' reaches node as an argument" in n.message for n in outcome.notes)


BOOT_FILES = {
    "pom.xml": "<project><artifactId>demo</artifactId><version>1.0</version><parent><groupId>org.springframework.boot</groupId>"
               "<artifactId>spring-boot-starter-parent</artifactId><version>3.2.0</version></parent><build><plugins><plugin>"
               "<groupId>org.springframework.boot</groupId><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins>"
               "</build></project>\n",
    "src/main/java/App.java": "public class App { public static void main(String[] a) {} }\n",
    "wait-for-it.sh": "#!/bin/sh\n",
}


def test_a_build_tool_start_inside_a_shell_line_keeps_the_lines_other_commands(tmp_path: Path) -> None:
    # It used to become plain `java ... JarLauncher`: the wait for the database was gone.
    dockerfile = f"{JAVA}CMD ./wait-for-it.sh db:5432 && mvn spring-boot:run\n"
    text = converted(tmp_path, dockerfile, BOOT_FILES)
    assert start_line(text) == ["/bin/sh", "-c", "./wait-for-it.sh db:5432 && java org.springframework.boot.loader.launch.JarLauncher"]
    assert "COPY --from=builder /app/wait-for-it.sh /app/wait-for-it.sh" in text


POETRY_FILES = {
    "pyproject.toml": '[tool.poetry]\nname = "x"\nversion = "1"\n[tool.poetry.dependencies]\npython = "^3.12"\nuvicorn = "*"\n',
    "poetry.lock": "",
    "app.py": "app = None\n",
}


def test_poetry_run_inside_a_shell_line_runs_the_commands_directly(tmp_path: Path) -> None:
    # poetry stays in the builder: `poetry run` in the kept shell line would fail in the runtime.
    dockerfile = ("FROM python:3.12\nWORKDIR /app\nRUN pip install poetry\nCOPY . .\nRUN poetry install\n"
                  "CMD poetry run alembic upgrade head && PORT=8000 poetry run uvicorn app:app\n")
    text = converted(tmp_path, dockerfile, POETRY_FILES)
    assert start_line(text) == ["/bin/sh", "-c", "alembic upgrade head && PORT=8000 uvicorn app:app"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("go run . --port $PORT", "/app/app --port $PORT"),
        ("exec go run main.go -addr :${PORT:-8080}", "exec /app/main -addr :${PORT:-8080}"),
        ("./migrate.sh && APP_ENV=prod go run . serve", "./migrate.sh && APP_ENV=prod /app/app serve"),
    ],
    ids=["a variable", "exec and a default", "after another command"],
)
def test_go_run_inside_a_shell_line_becomes_the_binary_built_once(tmp_path: Path, line: str, expected: str) -> None:
    # The runtime has no Go toolchain: `go run` kept in the shell line would not start.
    dockerfile = f"FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go mod download\nCMD {line}\n"
    files = {**GO_FILES, "go.mod": "module example.com/app\n\ngo 1.22\n", "migrate.sh": "#!/bin/sh\n"}
    text = converted(tmp_path, dockerfile, files)
    assert start_line(text) == ["/bin/sh", "-c", expected]
    assert "go build" in text.split(" AS runtime")[0]


def test_a_node_shell_line_that_calls_a_dev_tool_gets_every_dependency(tmp_path: Path) -> None:
    # Production node_modules would lack nodemon, which `npm run dev` in the kept line starts.
    files = {**NODE_FILES, "package.json": json.dumps({"name": "api", "scripts": {"dev": "nodemon server.js", "start": "node server.js"},
                                                       "dependencies": {"express": "4"}, "devDependencies": {"nodemon": "3"}})}
    text = converted(tmp_path, f"{NODE}CMD node migrate.js; npm run dev\n", files)
    assert start_line(text) == ["/bin/sh", "-c", "node migrate.js; npm run dev"]
    assert "COPY --from=builder /app/node_modules /app/node_modules" in text


def test_a_variable_the_shell_expanded_in_a_build_tool_start_is_still_expanded(tmp_path: Path) -> None:
    dockerfile = f'{JAVA}CMD ./wait-for-it.sh db:5432 && mvn spring-boot:run -Dspring-boot.run.jvmArguments="-Xmx$MEM"\n'
    text = converted(tmp_path, dockerfile, BOOT_FILES)
    assert start_line(text)[2] == './wait-for-it.sh db:5432 && java "-Xmx$MEM" org.springframework.boot.loader.launch.JarLauncher'


BASH = 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'


@pytest.mark.parametrize("line", ["node server.js", "node server.js | tee /tmp/log"], ids=["plain words", "a pipe"])
def test_a_start_line_under_a_shell_instruction_keeps_that_shell(tmp_path: Path, line: str) -> None:
    # It used to run under /bin/sh (or as plain words): bash's options and syntax were lost.
    text = converted(tmp_path, f"{NODE}{BASH}CMD {line}\n", NODE_FILES)
    assert start_line(text) == ["/bin/bash", "-o", "pipefail", "-c", line]


def test_a_healthcheck_under_a_shell_instruction_keeps_that_shell(tmp_path: Path) -> None:
    dockerfile = f'{NODE}{BASH}HEALTHCHECK CMD curl -f http://localhost:3000/ || exit 1\nCMD ["node", "server.js"]\n'
    text = converted(tmp_path, dockerfile, NODE_FILES)
    assert 'HEALTHCHECK CMD ["/bin/bash", "-o", "pipefail", "-c", "curl -f http://localhost:3000/ || exit 1"]' in text


def test_go_run_under_a_shell_instruction_becomes_the_binary_in_that_shell(tmp_path: Path) -> None:
    dockerfile = f"FROM golang:1.22\nWORKDIR /app\nCOPY . .\n{BASH}CMD go run . --port $PORT\n"
    text = converted(tmp_path, dockerfile, GO_FILES)
    assert start_line(text) == ["/bin/bash", "-o", "pipefail", "-c", "/app/app --port $PORT"]


def test_bash_the_original_installed_stays_in_an_alpine_runtime_whose_start_line_needs_it(tmp_path: Path) -> None:
    dockerfile = (f"FROM node:20-alpine\nRUN apk add --no-cache bash\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"
                  f"{BASH}CMD node server.js | tee /tmp/log\n")
    text = converted(tmp_path, dockerfile, NODE_FILES)
    runtime = text.split(" AS runtime", 1)[1]
    assert "apk add --no-cache bash" in runtime
    assert start_line(text)[0] == "/bin/bash"


def test_a_copy_of_a_path_with_a_blank_is_written_in_json_form(tmp_path: Path) -> None:
    # `COPY --from=builder /my app/server /my app/server` would copy three sources into "server".
    dockerfile = 'FROM golang:1.22\nWORKDIR "/my app"\nCOPY . .\nRUN go build -o "/my app/server" .\nCMD ["/my app/server"]\n'
    text = converted(tmp_path, dockerfile, GO_FILES)
    assert 'COPY --from=builder ["/my app/server", "/my app/server"]' in text
