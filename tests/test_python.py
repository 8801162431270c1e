"""Python: detection from the manifests and the context, and how a Python image is split."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from stagify import Level, Options, Outcome, Placement, RuntimeChoice, Status, convert
from stagify.context.buildcontext import BuildContext
from stagify.dockerfile.parse import parse
from stagify.languages.detect import detect
from stagify.languages.python.facts import PyFacts, requirement_names

from .helpers import last_user, lint

APP = "from flask import Flask\n\napp = Flask(__name__)\n"


def make(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def found(tmp_path: Path, files: dict[str, str]):
    root = make(tmp_path, files)
    dockerfile = parse(files["Dockerfile"]) if "Dockerfile" in files else None
    detection = detect(BuildContext.open(root), dockerfile)
    assert detection is not None and detection.language == "python"
    assert isinstance(detection.facts, PyFacts)
    return detection


def run(tmp_path: Path, dockerfile: str, files: dict[str, str], **options: object) -> Outcome:
    make(tmp_path, files)
    outcome = convert(dockerfile, context=tmp_path, options=Options(**options))  # type: ignore[arg-type]
    assert outcome.status is Status.CONVERTED, outcome.error
    return outcome


def stages(outcome: Outcome) -> tuple[str, str]:
    text = outcome.dockerfile or ""
    cut = text.rindex("\nFROM ") + 1
    return text[:cut], text[cut:]


def placed(outcome: Outcome, line: int) -> tuple[Placement, str]:
    for d in outcome.decisions:
        if d.instruction.line == line:
            return d.placement, d.reason
    raise AssertionError(line)


def assert_clean(outcome: Outcome) -> None:
    result = lint(outcome.dockerfile or "")
    assert result.returncode == 0, result.stdout
    assert (last_user(outcome.dockerfile or "") or "root").split(":")[0] not in ("root", "0")


# -- detection ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "manager"),
    [
        ({"requirements.txt": "flask\n"}, "pip"),
        ({"pyproject.toml": "[tool.poetry]\nname='x'\n", "poetry.lock": ""}, "poetry"),
        ({"pyproject.toml": "[tool.poetry]\nname='x'\n"}, "poetry"),
        ({"Pipfile": "[packages]\nflask='*'\n"}, "pipenv"),
        ({"pyproject.toml": "[project]\nname='x'\n", "uv.lock": ""}, "uv"),
        ({"setup.py": "from setuptools import setup\nsetup(name='x')\n"}, "pip"),
    ],
    ids=["requirements", "poetry lock", "poetry table", "pipenv", "uv", "setup.py"],
)
def test_the_dependency_manager_is_read_from_the_manifests(tmp_path: Path, files: dict[str, str], manager: str) -> None:
    assert found(tmp_path, files).facts.manager == manager


def test_requirement_includes_are_followed(tmp_path: Path) -> None:
    root = make(tmp_path, {"requirements.txt": "-r base.txt\nflask==3.0 # web\n", "base.txt": "-c constraints.txt\nRequests[socks]>=2\n# note\n--index-url x\n", "constraints.txt": "idna<4\n"})
    assert requirement_names(BuildContext.open(root), "requirements.txt") == ["idna", "requests", "flask"]


@pytest.mark.parametrize(
    ("files", "version", "source"),
    [
        ({"Dockerfile": "FROM python:3.10-slim\nCMD [\"python\"]\n", "requirements.txt": ""}, "3.10", "base image"),
        ({".python-version": "3.9.18\n", "requirements.txt": ""}, "3.9", ".python-version"),
        ({"runtime.txt": "python-3.8.6\n", "requirements.txt": ""}, "3.8", "runtime.txt"),
        ({"pyproject.toml": "[project]\nname='x'\nrequires-python='>=3.9,<3.12'\n"}, "3.11", "requires-python"),
        ({"pyproject.toml": "[tool.poetry.dependencies]\npython='^3.10'\n"}, "3.14", "requires-python"),
        ({"setup.py": "from setuptools import setup\nsetup(name='x', python_requires='~=3.8')\n"}, "3.14", "requires-python"),
    ],
    ids=["image tag", ".python-version", "runtime.txt", "requires-python range", "poetry caret", "setup.py python_requires"],
)
def test_the_python_version_comes_from_where_the_project_says_it(tmp_path: Path, files: dict[str, str], version: str, source: str) -> None:
    detection = found(tmp_path, files)
    assert detection.version == version
    assert source in (detection.version_source or "")


def test_entry_points_and_app_objects_are_found(tmp_path: Path) -> None:
    detection = found(
        tmp_path,
        {
            "requirements.txt": "fastapi\nuvicorn\n",
            "app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            "pyproject.toml": "[project]\nname='svc'\n[project.scripts]\nsvc='svc.cli:main'\n",
        },
    )
    facts = detection.facts
    assert facts.app_objects == (("app.main", "app", "fastapi"),)
    assert ("svc", "svc.cli:main") in facts.console_scripts
    assert detection.entrypoint == "app.main:app (fastapi)"


def test_django_is_found_through_manage_py(tmp_path: Path) -> None:
    detection = found(tmp_path, {"requirements.txt": "django\n", "manage.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_conf.settings')\n"})
    assert detection.facts.django_wsgi == "site_conf.wsgi"


# -- planning ---------------------------------------------------------------------------------------------

BASIC = """FROM python:3.12
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
ENV APP_ENV=prod PIP_DISABLE_PIP_VERSION_CHECK=1
EXPOSE 5000
CMD ["python", "app.py"]
"""


def test_dependencies_go_into_one_virtualenv_that_the_runtime_copies(tmp_path: Path) -> None:
    outcome = run(tmp_path, BASIC, {"requirements.txt": "flask\n", "app.py": APP})
    builder, runtime = stages(outcome)
    assert builder.index("python -m venv /opt/venv") < builder.index("pip install -r requirements.txt")
    assert "--mount=type=cache,target=/root/.cache/pip" in builder
    assert "COPY --from=builder /opt/venv /opt/venv" in runtime and "COPY --from=builder /app /app" in runtime
    assert 'VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"' in runtime
    assert "PYTHONDONTWRITEBYTECODE=1" in runtime and "PYTHONUNBUFFERED=1" in runtime
    assert "FROM python:3.12." in runtime and "slim-bookworm AS runtime" in runtime
    assert_clean(outcome)


def test_pip_variables_stay_in_the_builder(tmp_path: Path) -> None:
    outcome = run(tmp_path, BASIC, {"requirements.txt": "flask\n", "app.py": APP})
    _, runtime = stages(outcome)
    assert "ENV APP_ENV=prod" in runtime and "PIP_DISABLE" not in runtime
    placement, reason = placed(outcome, 6)
    assert placement is Placement.BOTH and "PIP_DISABLE_PIP_VERSION_CHECK" in reason


def test_the_runtime_creates_a_non_root_user_its_family_way(tmp_path: Path) -> None:
    debian = run(tmp_path / "d", BASIC, {"requirements.txt": "flask\n", "app.py": APP})
    # --runtime: an Alpine original that only pip-installs is otherwise left alone (not worth converting)
    alpine = run(tmp_path / "a", BASIC.replace("python:3.12", "python:3.12-alpine"), {"requirements.txt": "flask\n", "app.py": APP},
                 runtime=RuntimeChoice.ALPINE)
    assert "useradd --system" in stages(debian)[1] and "adduser -S" in stages(alpine)[1]
    assert last_user(debian.dockerfile or "") == "10001:10001"
    assert "alpine" in stages(alpine)[1].split("\n", 1)[0]


def test_build_only_packages_stay_and_run_time_libraries_replace_headers(tmp_path: Path) -> None:
    dockerfile = BASIC.replace("RUN pip install -r requirements.txt", "RUN apt-get update && apt-get install -y gcc libpq-dev libjpeg-dev && pip install -r requirements.txt")
    outcome = run(tmp_path, dockerfile, {"requirements.txt": "psycopg2\npillow\n", "app.py": APP})
    builder, runtime = stages(outcome)
    assert "gcc libpq-dev libjpeg-dev" in builder
    assert "apt-get install -y --no-install-recommends libpq5 libjpeg62-turbo" in runtime
    assert "gcc" not in runtime and "-dev" not in runtime
    assert_clean(outcome)


def test_alpine_headers_are_replaced_by_their_alpine_libraries(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.11-alpine\nRUN apk add --no-cache gcc musl-dev postgresql-dev\nCOPY . /app\nWORKDIR /app\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"
    outcome = run(tmp_path, dockerfile, {"requirements.txt": "psycopg2\n", "app.py": APP})
    _, runtime = stages(outcome)
    assert "RUN apk add --no-cache libpq" in runtime and "musl-dev" not in runtime


def test_an_install_after_the_sources_moves_before_them(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"
    outcome = run(tmp_path, dockerfile, {"requirements.txt": "flask\n", "app.py": APP})
    builder, _ = stages(outcome)
    assert builder.index("COPY requirements.txt ./") < builder.index("pip install -r requirements.txt") < builder.index("COPY . .")
    assert "--no-cache-dir" not in builder  # the cache mount keeps the cache out of the layer
    assert placed(outcome, 4)[0] is Placement.DROPPED


def test_poetry_installs_main_dependencies_into_the_virtualenv_and_poetry_run_goes(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.11\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\nRUN pip install poetry && poetry install --no-root\nCOPY . .\nCMD poetry run uvicorn app:app\n"
    outcome = run(tmp_path, dockerfile, {"pyproject.toml": "[tool.poetry]\nname='x'\n", "poetry.lock": "", "app.py": APP})
    builder, runtime = stages(outcome)
    assert builder.index("pip install poetry") < builder.index("python -m venv") < builder.index("poetry install --no-root --only main")
    assert 'CMD ["uvicorn", "app:app"]' in runtime and "poetry" not in runtime
    assert any("poetry run" in n.message for n in outcome.notes)
    assert_clean(outcome)


def test_pipenv_installs_into_the_virtualenv(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.12\nRUN pip install pipenv\nWORKDIR /app\nCOPY Pipfile Pipfile.lock ./\nRUN pipenv install\nCOPY . .\nCMD [\"gunicorn\", \"main:app\"]\n"
    outcome = run(tmp_path, dockerfile, {"Pipfile": "[packages]\n", "Pipfile.lock": "{}", "main.py": APP})
    builder, _ = stages(outcome)
    assert "pipenv install --system --deploy" in builder
    assert any("--system" in n.message for n in outcome.notes)


def test_an_editable_install_becomes_a_regular_one(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -e .\nENTRYPOINT [\"python3\"]\n"
    outcome = run(tmp_path, dockerfile, {"setup.py": "from setuptools import setup\nsetup(name='x')\n"})
    builder, _ = stages(outcome)
    assert "pip install ." in builder and "-e ." not in builder


def test_generated_files_reach_the_runtime_from_the_builder(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nRUN python manage.py collectstatic --noinput\nCMD [\"gunicorn\", \"site.wsgi\"]\n"
    outcome = run(tmp_path, dockerfile, {"requirements.txt": "django\ngunicorn\n", "manage.py": ""})
    builder, runtime = stages(outcome)
    assert "RUN python manage.py collectstatic --noinput" in builder
    assert "COPY --from=builder /app /app" in runtime and placed(outcome, 5)[0] is Placement.BUILDER


def test_a_file_copied_into_the_root_reaches_the_runtime(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.11\nCOPY requirements.txt /tmp/\nRUN pip install -r /tmp/requirements.txt\nCOPY . /app\nCOPY entrypoint.sh /\nWORKDIR /app\nENTRYPOINT [\"sh\", \"/entrypoint.sh\"]\n"
    outcome = run(tmp_path, dockerfile, {"requirements.txt": "flask\n", "entrypoint.sh": "#!/bin/sh\n"})
    _, runtime = stages(outcome)
    assert "COPY --from=builder /entrypoint.sh /entrypoint.sh" in runtime and "COPY --from=builder /app /app" in runtime
    assert "/tmp" not in runtime


def test_without_a_start_command_the_app_object_is_served(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.12\nWORKDIR /srv\nCOPY . .\nRUN pip install -r requirements.txt\n"
    outcome = run(tmp_path, dockerfile, {"requirements.txt": "fastapi\nuvicorn\n", "main.py": "from fastapi import FastAPI\napp = FastAPI()\n"})
    assert 'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]' in (outcome.dockerfile or "")


def test_an_install_stagify_cannot_read_keeps_the_builders_python(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.11-slim\nCOPY . /app\nWORKDIR /app\nRUN ./install.sh\nCMD [\"python\", \"app.py\"]\n"
    outcome = run(tmp_path, dockerfile, {"install.sh": "pip install flask\n", "app.py": APP})
    _, runtime = stages(outcome)
    assert "COPY --from=builder /usr/local /usr/local" in runtime and "/opt/venv" not in runtime
    assert any("no pip, Poetry" in n.message for n in outcome.notes)


def test_a_slim_original_that_only_pip_installs_is_not_worth_converting(tmp_path: Path) -> None:
    make(tmp_path, {"requirements.txt": "flask\n", "app.py": APP})
    outcome = convert(BASIC.replace("python:3.12", "python:3.12-slim"), context=tmp_path)
    assert outcome.status is Status.SKIPPED and not outcome.changed
    assert (outcome.reason or "").startswith("not worth converting: runtime base python:3.12.11-slim-bookworm about 179 MB "
                                             "(original base python:3.12-slim about 179 MB): the runtime's base is no smaller")
    assert outcome.estimate is not None and outcome.estimate.smaller is False
    compilers = BASIC.replace("python:3.12", "python:3.12-slim").replace("RUN pip", "RUN apt-get update && apt-get install -y gcc && pip")
    assert convert(compilers, context=tmp_path).status is Status.CONVERTED  # gcc stays behind: smaller


def test_distroless_gets_a_virtualenv_pointing_at_its_python(tmp_path: Path) -> None:
    outcome = run(tmp_path, BASIC.replace("python:3.12", "python:3.12-slim"), {"requirements.txt": "flask\n", "app.py": APP}, runtime=RuntimeChoice.DISTROLESS)
    builder, runtime = stages(outcome)
    assert "FROM python:3.11." in builder and "ln -sf /usr/bin/python3.11 /opt/venv/bin/python" in builder
    assert "FROM gcr.io/distroless/python3-debian12:nonroot AS runtime" in runtime and "ENTRYPOINT []" in runtime
    assert last_user(outcome.dockerfile or "") == "65532:65532"
    assert_clean(outcome)


def test_python_3_11_starting_python_runs_on_distroless(tmp_path: Path) -> None:
    outcome = run(tmp_path, BASIC.replace("python:3.12", "python:3.11-slim"), {"requirements.txt": "flask\n", "app.py": APP})
    builder, runtime = stages(outcome)
    assert "FROM python:3.11.13-slim-bookworm AS builder" in builder
    assert "ln -sf /usr/bin/python3.11 /opt/venv/bin/python" in builder and "pip uninstall -q -y pip" in builder
    assert "FROM gcr.io/distroless/python3-debian12:nonroot AS runtime" in runtime and "ENTRYPOINT []" in runtime
    assert last_user(outcome.dockerfile or "") == "65532:65532"
    # a slim original that only pip-installs is worth converting now: the runtime's base is smaller
    assert outcome.estimate is not None and outcome.estimate.smaller is True
    assert outcome.estimate.runtime_bytes is not None and outcome.estimate.runtime_bytes < 60_000_000
    assert_clean(outcome)


@pytest.mark.parametrize(("change", "why"), [
    (("python:3.11", "python:3.10"), "the project's Python is 3.10, distroless carries 3.11"),
    (('CMD ["python", "app.py"]', 'CMD ["uwsgi", "-i", "uwsgi.ini"]'), "the start command runs uwsgi"),
    (('CMD ["python", "app.py"]', "CMD python app.py --port $PORT"), "CMD runs a shell command"),
    (("RUN pip", "RUN apt-get update && apt-get install -y libpq-dev gcc && pip"), "it needs the packages libpq5"),
    (("EXPOSE 5000", "EXPOSE 5000\nUSER www"), "it runs as the user www"),
])
def test_python_keeps_the_slim_runtime_where_distroless_cannot_run_it(tmp_path: Path, change: tuple[str, str], why: str) -> None:
    dockerfile = BASIC.replace("python:3.12", "python:3.11").replace(*change)
    outcome = run(tmp_path, dockerfile, {"requirements.txt": "flask\nuwsgi\n", "app.py": APP, "uwsgi.ini": "[uwsgi]\n"})
    _, runtime = stages(outcome)
    assert "distroless" not in runtime and "-slim-bookworm AS runtime" in runtime, runtime
    said = next(line for line in (outcome.dockerfile or "").splitlines() if line.startswith("# Runtime: "))
    assert ("(not distroless python3: " in said and why in said) or ("3.10" in why and "Python 3.10 slim" in said), said


def test_a_healthcheck_keeps_curl_in_the_runtime(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.9-slim\nRUN apt update && apt install -y curl\nCOPY . /app\nWORKDIR /app\nRUN pip install -r requirements.txt\nHEALTHCHECK CMD [\"curl\", \"-f\", \"127.0.0.1:5000\"]\nCMD [\"python\", \"app.py\"]\n"
    outcome = run(tmp_path, dockerfile, {"requirements.txt": "flask\n", "app.py": APP})
    builder, runtime = stages(outcome)
    assert "RUN apt-get update && apt-get install -y curl" in builder
    assert "apt-get install -y --no-install-recommends curl" in runtime
    assert_clean(outcome)


# -- heredoc installs and the virtualenv's pip ----------------------------------------------------------


def _before(text: str, needle: str, later: str) -> bool:
    return needle in text and later in text and text.index(needle) < text.index(later)


@pytest.mark.parametrize(
    "body",
    [
        "pip install -r requirements.txt",
        "set -e\npip install --upgrade pip\npip install --no-cache-dir -r requirements.txt",
        "python -m pip install flask gunicorn",
    ],
    ids=["pip -r", "set -e and an upgrade", "python -m pip"],
)
def test_a_heredoc_install_is_read_like_any_run_and_makes_the_virtualenv_the_runtime_copies(tmp_path: Path, body: str) -> None:
    dockerfile = f"# syntax=docker/dockerfile:1\nFROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN <<EOF\n{body}\nEOF\nCMD [\"python\", \"app.py\"]\n"
    outcome = run(tmp_path, dockerfile, {"requirements.txt": "flask\n", "app.py": APP})
    builder, runtime = stages(outcome)
    assert "COPY --from=builder /opt/venv /opt/venv" in runtime
    heredoc = "RUN --mount=type=cache,target=/root/.cache/pip <<EOF"
    assert _before(builder, "python -m venv /opt/venv", heredoc)
    assert _before(builder, 'ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"', heredoc)
    assert f"{heredoc}\n{body}\nEOF\n" in builder  # the script is kept as written
    assert placed(outcome, 5)[1].startswith("installs the dependencies")
    assert_clean(outcome)


def test_a_pip_upgrade_before_the_install_also_upgrades_the_virtualenv_s_pip(tmp_path: Path) -> None:
    dockerfile = (
        "FROM python:3.12\nWORKDIR /app\nRUN pip install --no-cache-dir --upgrade pip setuptools\n"
        "COPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"
    )
    outcome = run(tmp_path, dockerfile, {"requirements.txt": "flask\n", "app.py": APP})
    builder, _ = stages(outcome)
    venv = builder.index("python -m venv /opt/venv")
    assert builder.index("pip install --upgrade pip setuptools", venv) < builder.index("pip install -r requirements.txt")
    assert_clean(outcome)


def test_tools_installed_before_the_venv_are_not_installed_into_it(tmp_path: Path) -> None:
    dockerfile = (
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
        "RUN pip install poetry && poetry install\nCMD [\"python\", \"app.py\"]\n"
    )
    files = {"pyproject.toml": "[tool.poetry]\nname = 'x'\n", "poetry.lock": "", "app.py": APP}
    builder, _ = stages(run(tmp_path, dockerfile, files))
    assert "The same pip upgrade" not in builder


def _seed_run(builder: str) -> str:
    """The builder's RUN that makes the virtualenv, as the shell runs it (its mounts and line breaks gone)."""
    start = builder.index("RUN ", builder.index("# One virtualenv holds the dependencies"))
    text = builder[start: builder.index("\nENV VIRTUAL_ENV=", start)]
    return re.sub(r"^RUN (--mount=\S+ \\\n\s*)*", "", text).replace("\\\n", " ")


FAKE_PYTHON = """#!/bin/sh
# `python -m venv DIR` makes DIR/bin/python, which records how its pip is called; `python -I -m pip list`
# prints $PIP_LIST one to a line, and fails with $PIP_LIST_STATUS (a Python without pip)
if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin"; cp "$0" "$3/bin/python"; exit 0; fi
if [ "$1 $2 $3 $4" = "-I -m pip list" ]; then [ -n "$PIP_LIST" ] && printf '%s\\n' $PIP_LIST; exit "${PIP_LIST_STATUS:-0}"; fi
echo "$(dirname "$0") $*" >> "$CALLS"
"""


@pytest.mark.parametrize(
    ("pip_list", "status", "installed"),
    [
        ("mercurial==6.3.2 pip==23.0.1 setuptools==66.1.1 wheel==0.38.4", 0, "pip==23.0.1 setuptools==66.1.1 wheel==0.38.4"),
        ("pip==24.0 pip-tools==7.4.1 setuptools==65.5.1", 0, "pip==24.0 setuptools==65.5.1"),
        ("", 1, None),  # a Python without pip: the virtualenv keeps what venv gave it
    ],
    ids=["Debian's pip, setuptools and wheel", "pip and setuptools, no wheel", "no pip"],
)
def test_the_virtualenv_gets_the_packaging_tools_of_the_original_s_python_at_their_versions(
    tmp_path: Path, pip_list: str, status: int, installed: str | None
) -> None:
    builder, _ = stages(run(tmp_path, BASIC, {"requirements.txt": "psycopg2==2.9.10\n", "app.py": APP}))
    assert builder.index("python -m venv /opt/venv") < builder.index("pip install -r requirements.txt")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(FAKE_PYTHON)
    (bin_dir / "python").chmod(0o755)
    venv, calls = tmp_path / "venv", tmp_path / "calls"
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PIP_LIST": pip_list, "PIP_LIST_STATUS": str(status),
           "CALLS": str(calls)}
    script = _seed_run(builder).replace("/opt/venv", str(venv))
    done = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (venv / "bin" / "python").exists()
    lines = calls.read_text().splitlines() if calls.exists() else []
    if installed is None:
        assert lines == []
    else:
        # The virtualenv's own pip installs exactly the original's tools, pinned, nothing they depend on
        assert lines == [f"{venv}/bin -m pip install -q --disable-pip-version-check --no-deps {installed}"]


@pytest.mark.parametrize(
    ("options", "install", "copied", "note"),
    [
        ("--user", "pip install -r requirements.txt", None, "user's site-packages"),
        ("--target=/deps", "pip install --target=/deps -r requirements.txt", "/deps", None),
        ("-t /deps/", "pip install -t /deps/ -r requirements.txt", "/deps", None),
        ("--prefix /install", "pip install --prefix /install -r requirements.txt", "/install", None),
        ("--prefix=/usr/local", "pip install -r requirements.txt", None, "the image's Python"),
        ("--target /usr/local/lib/python3.11/site-packages", "pip install -r requirements.txt", None, "the image's Python"),
        ("--root /", "pip install -r requirements.txt", None, "the image's Python"),
    ],
    ids=["--user", "--target=", "-t", "--prefix", "--prefix of the image's Python", "--target of its site-packages", "--root /"],
)
def test_packages_a_pip_install_puts_elsewhere_reach_the_runtime_where_the_original_had_them(
    tmp_path: Path, options: str, install: str, copied: str | None, note: str | None
) -> None:
    dockerfile = (f"FROM python:3.11\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install {options} -r requirements.txt\n"
                  "ENV PYTHONPATH=/deps\nCOPY . .\nCMD [\"python\", \"app.py\"]\n")
    outcome = run(tmp_path, dockerfile, {"requirements.txt": "flask\n", "app.py": APP})
    builder, runtime = stages(outcome)
    assert f"\n    {install}\n" in builder  # pip refuses --user in a virtualenv; other folders stay as written
    copies = [line for line in runtime.splitlines() if line.startswith("COPY --from=builder")]
    expected = ["COPY --from=builder /opt/venv /opt/venv", *([f"COPY --from=builder {copied} {copied}"] if copied else []),
                "COPY --from=builder /app /app"]
    assert copies == expected
    notes = [n.message for n in outcome.notes if n.line == 4]
    assert (note is None) == (not any("installs into the virtualenv" in n for n in notes))
    assert note is None or any(note in n for n in notes)


# -- folders the application writes at run time ------------------------------------------------------

WRITES = '''import os, sqlite3
from pathlib import Path

os.makedirs("data/cache", exist_ok=True)
Path("uploads").mkdir(exist_ok=True)
Path("static/style.css").read_text()
open("logs/app.log", "a").write("started")
open("config/settings.ini").read()
db = sqlite3.connect("db/app.sqlite3")
memory = sqlite3.connect(":memory:")
open(f"reports/{os.getpid()}.txt", "w")
open("/tmp/scratch", "w")
'''


def test_the_folders_python_code_writes_at_run_time_are_made_and_owned_by_the_runtime_user(tmp_path: Path) -> None:
    """The original ran as root; the runtime user gets every folder the code makes or writes files in."""
    outcome = run(tmp_path, "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
                  'CMD ["python", "app.py"]\n',
                  {"requirements.txt": "six\n", "app.py": WRITES, "tests/test_app.py": 'open("out/x", "w")\n'})
    builder, runtime = stages(outcome)
    made = ["/app/data/cache", "/app/db", "/app/logs", "/app/uploads"]  # not read-only, computed, scratch or test paths
    assert f"RUN mkdir -p {' '.join(made)} && chown -R 65532:65532 {' '.join(made)}" in builder  # distroless: its nonroot user
    assert "COPY --from=builder /app /app" in runtime
    assert_clean(outcome)


def test_python_code_writing_into_its_working_folder_itself_gets_a_warning(tmp_path: Path) -> None:
    outcome = run(tmp_path, 'FROM python:3.11\nWORKDIR /srv\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n',
                  {"requirements.txt": "six\n", "app.py": 'import sqlite3\n\nsqlite3.connect("visits.db")\n'})
    warnings = [n.message for n in outcome.notes if n.level is Level.WARNING]
    assert any('app.py:3 calls sqlite3.connect("visits.db")' in w and "in /srv at run time" in w for w in warnings), warnings


_PREFIX_BASE = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"


@pytest.mark.parametrize(
    ("start", "files", "runtime_line"),
    [
        ('CMD ["/usr/local/bin/python", "app.py"]', {}, 'CMD ["/opt/venv/bin/python", "app.py"]'),
        ("CMD /usr/local/bin/python3.12 -m app && echo done", {},
         'CMD ["/bin/sh", "-c", "/opt/venv/bin/python3.12 -m app && echo done"]'),
        ('CMD ["/usr/local/bin/gunicorn", "app:app"]', {}, "COPY --from=builder /opt/venv/bin/gunicorn /usr/local/bin/gunicorn"),
        ('ENTRYPOINT ["./run.sh"]', {"run.sh": "#!/bin/sh\nexec /usr/local/bin/uvicorn app:app\n"},
         "COPY --from=builder /opt/venv/bin/uvicorn /usr/local/bin/uvicorn"),
    ],
    ids=["interpreter in exec form", "interpreter in a shell line", "console script in CMD", "console script in a start script"],
)
def test_the_official_images_usr_local_bin_named_by_path_reaches_the_virtualenv(
    tmp_path: Path, start: str, files: dict[str, str], runtime_line: str
) -> None:
    outcome = run(tmp_path, _PREFIX_BASE + start + "\n", {"requirements.txt": "gunicorn\nuvicorn\n", "app.py": APP, **files})
    runtime = (outcome.dockerfile or "").split("AS runtime", 1)[1]
    assert runtime_line in runtime.splitlines(), runtime
    assert "/usr/local/bin/python" not in runtime


def test_a_start_script_naming_the_images_interpreter_is_warned_about(tmp_path: Path) -> None:
    outcome = run(tmp_path, _PREFIX_BASE + 'CMD ["bash", "boot.sh"]\n',
                  {"requirements.txt": "flask\n", "app.py": APP, "boot.sh": "/usr/local/bin/python -m flask run\n"})
    warnings = [n.message for n in outcome.notes if n.level is Level.WARNING]
    assert any("boot.sh runs /usr/local/bin/python" in w and "/opt/venv" in w for w in warnings), warnings


def test_a_program_the_original_put_in_usr_local_bin_itself_is_not_replaced(tmp_path: Path) -> None:
    outcome = run(tmp_path, "FROM python:3.12\nWORKDIR /app\nCOPY . .\nCOPY tool /usr/local/bin/tool\n"
                  'RUN pip install -r requirements.txt\nCMD ["/usr/local/bin/tool"]\n',
                  {"requirements.txt": "flask\n", "app.py": APP, "tool": "#!/bin/sh\necho hi\n"})
    assert "/opt/venv/bin/tool" not in (outcome.dockerfile or "")
