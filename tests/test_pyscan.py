"""The libcst scan of Python sources: setup.py metadata and application objects, read and never run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from stagify.context import pyscan

SETUP = '''
from setuptools import find_packages, setup

setup(
    name="titanic",
    version="0.1.0",
    packages=find_packages(),
    python_requires=">=3.9",
    install_requires=["pandas>=2", "requests"],
    entry_points={"console_scripts": ["titanic = titanic.cli:main", "train=titanic.train:run"]},
)
'''


def test_setup_py_literals_are_read() -> None:
    info = pyscan.setup_py(SETUP)
    assert info.name == "titanic"
    assert info.python_requires == ">=3.9"
    assert info.install_requires == ("pandas>=2", "requests")
    assert info.console_scripts == (("titanic", "titanic.cli:main"), ("train", "titanic.train:run"))


def test_setup_py_is_never_executed(tmp_path) -> None:
    marker = tmp_path / "ran"
    text = f"open({str(marker)!r}, 'w').write('x')\nfrom setuptools import setup\nsetup(name='x')\n"
    assert pyscan.setup_py(text).name == "x"
    assert not marker.exists()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "print('no setup call')\n",
        "def broken(:\n",
        "from setuptools import setup\nsetup(**metadata)\n",
        "from setuptools import setup\nsetup(name=compute_name(), install_requires=read('requirements.txt'))\n",
    ],
    ids=["empty", "no setup call", "syntax error", "only **kwargs", "computed values"],
)
def test_setup_py_without_literals_yields_nothing(text: str) -> None:
    info = pyscan.setup_py(text)
    assert info == pyscan.SetupInfo()


def test_app_objects_at_module_level_are_found_with_their_framework() -> None:
    text = (
        "from fastapi import FastAPI\nfrom flask import Flask\nimport django\n\n"
        "api = FastAPI(title='x')\nweb = Flask(__name__)\napplication = get_wsgi_application()\n"
    )
    found = [(o.variable, o.framework, o.line) for o in pyscan.app_objects(text)]
    assert found == [("api", "fastapi", 5), ("web", "flask", 6), ("application", "django-wsgi", 7)]
    assert pyscan.app_objects(text)[0].asgi and not pyscan.app_objects(text)[1].asgi


@pytest.mark.parametrize(
    "text",
    [
        "def make():\n    app = FastAPI()\n    return app\n",
        "class Factory:\n    app = Flask(__name__)\n",
        "app = create()\n",
        "app: FastAPI\n",
        "def broken(:\n",
    ],
    ids=["inside a function", "inside a class", "unknown factory", "annotation only", "syntax error"],
)
def test_no_app_object_where_there_is_none(text: str) -> None:
    assert pyscan.app_objects(text) == []


def test_libcst_is_loaded_only_when_python_is_scanned() -> None:
    code = (
        "import sys, stagify, stagify.cli.app\n"
        "from stagify import convert\n"
        "convert('FROM golang:1.22\\nCOPY . .\\nRUN go build -o /a .\\nCMD [\"/a\"]\\n')\n"
        "print('libcst' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
