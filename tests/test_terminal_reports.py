"""What a person reads: migrate's table (and that it says "would convert" until something is written),
and the catalogue's header row within 80 columns. The machine formats keep their fields."""

from __future__ import annotations

import json
import re
from pathlib import Path

from stagify.images.catalogue import CATALOGUE
from tests.test_cli import stagify
from tests.test_migrate import migrate, tree  # noqa: F401 - tree: four repositories (one dirty) and a plain folder


def table(stdout: str) -> tuple[list[str], dict[str, list[str]]]:
    """The header's columns and, per Dockerfile row, its cells (split on runs of two or more blanks)."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("repository"))
    header = re.split(r"\s{2,}", lines[start].strip())
    rows: dict[str, list[str]] = {}
    repo = ""
    for line in lines[start + 2 :]:
        if not line.strip() or line.startswith(("5 Dockerfiles", "wrote ")):
            break
        cells = [line[:12].strip(), *re.split(r"\s{2,}", line[12:].strip())]
        if len(cells) >= 3 and cells[2] in ("would convert", "converted", "skipped", "failed", "not written", "unchanged"):
            repo = cells[0] or repo
            rows[f"{repo}/{cells[1]}"] = cells
    return header, rows


def test_a_dry_run_says_would_convert_never_converted(tree: Path) -> None:  # noqa: F811
    run = migrate(".", cwd=tree)
    assert run.returncode == 0, run.stderr
    header, rows = table(run.stdout)
    assert header == ["repository", "Dockerfile", "status", "runtime", "notes"]  # no size column: the catalogue has no sizes
    assert rows["api/Dockerfile"][2:4] == ["would convert", "gcr.io/distroless/static-debian12:nonroot"]
    assert rows["done/Dockerfile"][2] == "skipped" and "already multi-stage" in rows["done/Dockerfile"][-1]
    assert rows["-/scripts/flask/Dockerfile"][2] == "would convert"
    assert " converted" not in run.stdout
    assert run.stderr.splitlines()[-1].startswith("5 Dockerfiles: 4 would convert, 1 skipped, 0 failed;")  # the summary: stderr


def test_check_says_would_convert(tree: Path) -> None:  # noqa: F811
    run = migrate(".", "--check", cwd=tree)
    assert run.returncode == 1
    assert {cells[2] for cells in table(run.stdout)[1].values()} == {"would convert", "skipped"}


def test_a_write_says_converted_only_for_what_it_wrote(tree: Path) -> None:  # noqa: F811
    run = migrate(".", "--write", "--git-branch", "stagify/multi-stage", cwd=tree)
    assert run.returncode == 4, run.stderr  # shop has uncommitted changes: refused
    _, rows = table(run.stdout)
    assert rows["api/Dockerfile"][2] == "converted" and rows["web/Dockerfile"][2] == "converted"
    assert rows["shop/Dockerfile"][2] == "not written" and "uncommitted changes" in " ".join(rows["shop/Dockerfile"][4:])
    assert any(line.startswith("5 Dockerfiles: 3 converted, 1 not written, 1 skipped, 0 failed;") for line in run.stderr.splitlines())


def test_quiet_and_json_have_no_table(tree: Path) -> None:  # noqa: F811
    assert "repository" not in migrate(".", "--quiet", cwd=tree).stdout
    data = json.loads(migrate(".", "--format", "json", cwd=tree).stdout)
    assert isinstance(data, list) and sorted(f["outcome"] for f in data) == ["converted"] * 4 + ["skipped"]
    assert set(data[0]) == {"dockerfile", "context", "repository", "outcome", "changes", "language", "reason", "skip", "error",
                            "bases_before", "bases_after", "notes"}


def test_the_catalogue_has_a_header_row_and_fits_80_columns(tmp_path: Path) -> None:
    run = stagify("catalogue", cwd=tmp_path)  # COLUMNS=200: the table keeps to 80 anyway
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0].split() == ["image", "role", "libc", "shell", "user"]
    assert max(len(line) for line in lines) <= 80
    body = [line.split() for line in lines[2:]]
    assert [cells[0] for cells in body] == [image.reference for image in CATALOGUE]  # every image, whole, in order
    distroless = next(cells for cells in body if cells[0] == "gcr.io/distroless/static-debian12:nonroot")
    assert distroless[1:] == ["run", "none", "no", "nonroot", "65532"]


def test_the_catalogue_json_is_unchanged(tmp_path: Path) -> None:
    rows = json.loads(stagify("catalogue", "--json", cwd=tmp_path).out)
    assert len(rows) == len(CATALOGUE)
    assert set(rows[0]) == {"key", "reference", "role", "language", "version", "family", "libc", "shell", "package_manager", "user", "uid"}
