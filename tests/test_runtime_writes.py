"""The folders an application's own code writes at run time, as each language's sources say them.

The original image ran as root and could write anywhere; the conversion runs as a non-root user,
so every folder the code makes or writes a file in must be made and owned by that user.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stagify import Status, convert
from stagify.languages.base import runtime_writes_in
from stagify.languages.go.facts import WRITE_CALLS as GO
from stagify.languages.java.language import WRITE_CALLS as JAVA
from stagify.languages.node.facts import WRITE_CALLS as NODE
from stagify.languages.python.facts import WRITE_CALLS as PYTHON

CASES = [
    (GO, 'os.MkdirAll("state/notes", 0o755)\nos.WriteFile("./journal/last", b, 0o644)\n'
         'os.OpenFile("static/page.html", os.O_RDONLY, 0)\nos.OpenFile("logs/a.log", os.O_APPEND|os.O_CREATE, 0o644)\n'
         'f, err := os.Create(filepath.Join("uploads", header.Filename))\nos.ReadFile(filepath.Join("views", "a.html"))\n',
     ["journal", "logs", "state/notes", "uploads"]),
    (PYTHON, 'os.makedirs("var/cache")\nopen("config.ini").read()\nopen("out/r.txt", mode="w")\nsqlite3.connect(":memory:")\n'
             'Path("uploads").mkdir()\nPath("static").glob("*")\nopen(f"{name}/x", "w")\n'
             'open(os.path.join("media", f.filename), "wb")\nopen(os.path.join("templates", name)).read()\n',
     ["media", "out", "uploads", "var/cache"]),
    (NODE, 'fs.mkdirSync("uploads", { recursive: true });\nawait fs.promises.writeFile("data/db.json", s);\n'
           "fs.readFileSync('views/index.html');\nconst upload = multer({ dest: 'tmp-uploads/' });\n"
           "fs.createWriteStream(`logs/${day}.log`);\nappendFileSync('/var/log/app/a.log', line);\n",
     ["/var/log/app", "data", "tmp-uploads", "uploads"]),
    (JAVA, 'new File("uploads").mkdirs();\nFiles.createDirectories(Paths.get("data/index"));\n'
           'new FileWriter("reports/out.csv", true);\nFiles.readString(Path.of("config/app.txt"));\n',
     ["data/index", "reports", "uploads"]),
]


# A SQLite file named as a variable's default: whatever opens it writes its folder (a config file's default is only read).
DEFAULT_PATHS = [
    (PYTHON, 'DB = os.environ.get("APP_DB", "/var/lib/app/app.db")\nCONF = os.getenv("APP_CONF", "/etc/app/app.toml")\n'
             "path = os.getenv('CACHE_DB', 'cache/hits.sqlite3')\n",
     ["/var/lib/app", "cache"]),
    (NODE, "const location = process.env.SQLITE_DB_LOCATION || '/etc/todos/todo.db';\n"
           "const conf = process.env.CONF || '/etc/app.json';\nconst db = process.env['DB'] ?? `data/app.sqlite`;\n",
     ["/etc/todos", "data"]),
]


@pytest.mark.parametrize(("calls", "source", "folders"), CASES + DEFAULT_PATHS,
                         ids=["go", "python", "node", "java", "python default database", "node default database"])
def test_each_language_names_the_folders_its_code_writes_not_the_ones_it_reads(calls, source: str, folders: list[str]) -> None:
    found = runtime_writes_in([("app.src", source)], calls)
    assert [folder for folder, _ in found] == folders
    assert all(why.startswith("app.src:") and " calls " in why for _, why in found)


def test_a_node_server_gets_its_upload_folder_made_and_owned(tmp_path: Path) -> None:
    """An Express app with multer's upload folder: absent from the context, made by the program at start as root."""
    (tmp_path / "package.json").write_text(json.dumps({"name": "up", "main": "server.js", "scripts": {"start": "node server.js"},
                                                      "dependencies": {"express": "4", "multer": "1"}}))
    (tmp_path / "package-lock.json").write_text("{}")
    (tmp_path / "server.js").write_text("const multer = require('multer');\nconst upload = multer({ dest: 'uploads/' });\n")
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "server.test.js").write_text("fs.mkdirSync('fixtures-out');\n")
    outcome = convert('FROM node:20\nWORKDIR /usr/src/app\nCOPY . .\nRUN npm ci\nCMD ["node", "server.js"]\n', context=tmp_path)
    assert outcome.status is Status.CONVERTED, outcome.error
    text = outcome.dockerfile or ""
    assert "RUN mkdir -p /usr/src/app/uploads && chown -R 65532:65532 /usr/src/app/uploads" in text
    assert "COPY --from=builder --chown=65532:65532 /usr/src/app/uploads /usr/src/app/uploads" in text
    assert "fixtures-out" not in text
