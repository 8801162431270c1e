"""Files are never damaged: concurrent writers, edits during a conversion, kills and signals mid-write,
read-only backups, build contexts outside the migrated root, registry digests, Windows paths, symlinks.

Concurrency is tested with real threads and processes, each bounded by a timeout.
"""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stagify import Status, convert
from stagify.cli import convertcmd as cc
from stagify.errors import StagifyError
from stagify.images.pin import pin
from stagify.images.reference import is_sha256_digest, parse_ref
from stagify.images.registry import RegistryError, Resolver
from stagify.write import Seen, WriteError, recover, write_all

from .helpers import FIXTURES, REPO, copy_context

CASE = "seed-003-go-hello"


def stagify(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stagify", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COLUMNS": "200"})


def project(tmp_path: Path, name: str = "proj", case: str = CASE) -> tuple[Path, str, str]:
    """A build context, its original Dockerfile and what converting it gives."""
    folder = copy_context(FIXTURES / case, tmp_path / name)
    original = (folder / "Dockerfile").read_text()
    outcome = convert(original, context=folder)
    assert outcome.status is Status.CONVERTED
    return folder, original, outcome.dockerfile or ""


class _Quiet:
    def out(self, text: str, nl: bool = True) -> None: ...
    def err(self, text: str) -> None: ...
    def diff(self, text: str) -> None: ...
    def confirm(self, question: str) -> bool:
        return False
    def summary(self, text: str) -> None: ...


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".stagify-*"))


# -- a file that changes while it is converted ---------------------------------------------------


def test_a_dockerfile_edited_during_the_conversion_is_not_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, original, _ = project(tmp_path)
    edited = original + "# edited in an editor while stagify converted\n"
    real = cc.convert

    def convert_then_edit(*args: object, **kwargs: object) -> object:
        outcome = real(*args, **kwargs)  # type: ignore[arg-type]
        (folder / "Dockerfile").write_text(edited)
        return outcome

    monkeypatch.setattr(cc, "convert", convert_then_edit)
    with pytest.raises(cc.Fail) as caught:
        cc.run_convert(cc.ConvertArgs(paths=(str(folder),), write=True, backup=True), _Quiet())
    assert caught.value.code is cc.Exit.CANNOT_WRITE
    assert "changed since stagify read it" in caught.value.message and "nothing was written" in caught.value.message
    assert (folder / "Dockerfile").read_text() == edited
    assert not (folder / "Dockerfile.bak").exists() and not (folder / ".dockerignore").exists()
    assert leftovers(folder) == []


def test_a_second_run_writing_during_the_first_cannot_lose_the_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, original, converted = project(tmp_path)
    real = cc.convert
    calls = []

    def convert_while_another_writes(*args: object, **kwargs: object) -> object:
        outcome = real(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(1)
        if len(calls) == 1:  # the first run has read and converted; a second run does the same and writes
            assert cc.run_convert(cc.ConvertArgs(paths=(str(folder),), write=True, backup=True), _Quiet()) is cc.Exit.OK
        return outcome

    monkeypatch.setattr(cc, "convert", convert_while_another_writes)
    with pytest.raises(cc.Fail) as caught:
        cc.run_convert(cc.ConvertArgs(paths=(str(folder),), write=True, backup=True), _Quiet())
    assert caught.value.code is cc.Exit.CANNOT_WRITE
    assert (folder / "Dockerfile.bak").read_text() == original  # before: the .bak held the converted text
    assert (folder / "Dockerfile").read_text() == converted


def test_a_crlf_dockerignore_read_as_text_is_not_taken_for_a_changed_one(tmp_path: Path) -> None:
    folder, _, converted = project(tmp_path)
    (folder / ".dockerignore").write_bytes(b"*.log\r\n")
    run = stagify("convert", "--write", "--backup", "proj", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (folder / "Dockerfile").read_text() == converted
    assert (folder / ".dockerignore.bak").read_bytes() == b"*.log\r\n"


def test_two_threads_writing_what_they_read_one_wins_the_other_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "Dockerfile"
    target.write_text("FROM golang:1.22\n")
    seen = {target: Seen.of_bytes(target.read_bytes())}
    barrier = threading.Barrier(2, timeout=10)
    results: dict[str, str] = {}

    def writer(name: str) -> None:
        barrier.wait()
        try:
            write_all([(target, f"# by {name}\n")], backup=True, seen=seen, lock_timeout=10)
            results[name] = "wrote"
        except WriteError as exc:
            results[name] = exc.reason

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(results.values()) == ["it changed since stagify read it (edited, or written by another run)", "wrote"]
    winner = next(name for name, what in results.items() if what == "wrote")
    assert target.read_text() == f"# by {winner}\n"
    assert (tmp_path / "Dockerfile.bak").read_text() == "FROM golang:1.22\n"


def test_concurrent_convert_write_processes_never_lose_the_original(tmp_path: Path) -> None:
    trials = 6
    for trial in range(trials):
        folder, original, converted = project(tmp_path, f"p{trial}")
        command = [sys.executable, "-m", "stagify", "convert", "--write", "--backup", "-q", str(folder)]
        procs = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        codes = [p.wait(timeout=120) for p in procs]
        assert set(codes) <= {0, 4}, [p.stderr.read() if p.stderr else "" for p in procs]
        assert (folder / "Dockerfile").read_text() == converted
        assert (folder / "Dockerfile.bak").read_text() == original
        assert leftovers(folder) == []


# -- kills and signals mid-write -----------------------------------------------------------------

_CRASH = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    import stagify.write as w
    how, after = sys.argv[1], int(sys.argv[2])
    folder = Path(sys.argv[3])
    other = Path(sys.argv[4]) if len(sys.argv) > 4 else folder  # where the Dockerfile is
    real = os.replace
    count = [0]
    def replace(src, dst):
        real(src, dst)
        count[0] += 1
        if count[0] == after:
            if how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            os.kill(os.getpid(), getattr(signal, how))
    w.os.replace = replace
    try:
        w.write_all([(folder / ".dockerignore", "new ignore\\n"), (other / "Dockerfile", "new dockerfile\\n")], backup=True)
    except w.Interrupted:
        sys.exit(143)
    except KeyboardInterrupt:
        sys.exit(130)
""")


def _crash(folder: Path, how: str, after: int, other: Path | None = None) -> int:
    script = _CRASH.format(repo=str(REPO))
    extra = [str(other)] if other is not None else []
    return subprocess.run([sys.executable, "-c", script, how, str(after), str(folder), *extra], timeout=60).returncode


def _old_files(folder: Path) -> None:
    (folder / "Dockerfile").write_text("old dockerfile\n")
    (folder / ".dockerignore").write_text("old ignore\n")


@pytest.mark.parametrize("after", [1, 2, 3, 4, 5], ids=lambda n: f"killed after rename {n}")
def test_a_write_killed_at_any_rename_is_finished_by_the_next_run(tmp_path: Path, after: int) -> None:
    _old_files(tmp_path)
    assert _crash(tmp_path, "kill", after) == -signal.SIGKILL
    for bak in tmp_path.glob("*.bak"):  # a backup is whole or absent, never truncated
        assert bak.read_text() in ("old dockerfile\n", "old ignore\n")
    recover(tmp_path)
    assert (tmp_path / "Dockerfile").read_text() == "new dockerfile\n"
    assert (tmp_path / ".dockerignore").read_text() == "new ignore\n"
    assert (tmp_path / "Dockerfile.bak").read_text() == "old dockerfile\n"
    assert (tmp_path / ".dockerignore.bak").read_text() == "old ignore\n"
    assert leftovers(tmp_path) == []


def test_a_killed_write_across_two_folders_is_finished_whatever_folder_is_looked_at_first(tmp_path: Path) -> None:
    context, dockerfiles = tmp_path / "b-context", tmp_path / "a-dockerfiles"  # the Dockerfile's folder sorts first
    context.mkdir()
    dockerfiles.mkdir()
    (context / ".dockerignore").write_text("old ignore\n")
    (dockerfiles / "Dockerfile").write_text("old dockerfile\n")
    assert _crash(context, "kill", 1, dockerfiles) == -signal.SIGKILL
    recover(dockerfiles, context)
    assert (dockerfiles / "Dockerfile").read_text() == "new dockerfile\n"
    assert (context / ".dockerignore").read_text() == "new ignore\n"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT"])
def test_a_signal_during_the_write_undoes_it_and_leaves_no_temporary_file(tmp_path: Path, how: str) -> None:
    _old_files(tmp_path)
    assert _crash(tmp_path, how, 2) in (130, 143)
    assert (tmp_path / "Dockerfile").read_text() == "old dockerfile\n"
    assert (tmp_path / ".dockerignore").read_text() == "old ignore\n"
    assert not list(tmp_path.glob("*.bak"))
    assert leftovers(tmp_path) == []


def test_migrate_finishes_and_cleans_what_a_killed_run_left(tmp_path: Path) -> None:
    folder, original, converted = project(tmp_path / "org", "svc")
    (folder / ".stagify-abandoned.tmp").write_text("half")
    assert stagify("migrate", ".", "--write", "--backup", cwd=tmp_path / "org").returncode == 0
    assert (folder / "Dockerfile").read_text() == converted and (folder / "Dockerfile.bak").read_text() == original
    assert leftovers(tmp_path) == []


# -- all or none --------------------------------------------------------------------------------


def test_a_read_only_backup_means_nothing_is_written_not_even_the_other_backup(tmp_path: Path) -> None:
    folder, original, _ = project(tmp_path)
    (folder / ".dockerignore").write_text("*.log\n")
    (folder / "Dockerfile.bak").write_text("an older backup\n")
    (folder / "Dockerfile.bak").chmod(0o444)
    run = stagify("convert", "--write", "--backup", "proj", cwd=tmp_path)
    assert run.returncode == 4 and "nothing was written" in run.stderr
    assert "Dockerfile.bak: cannot write: the file is read-only" in run.stderr
    assert (folder / "Dockerfile").read_text() == original and (folder / ".dockerignore").read_text() == "*.log\n"
    assert not (folder / ".dockerignore.bak").exists()
    assert leftovers(folder) == []


def test_migrate_refuses_a_build_context_outside_its_root_unless_asked(tmp_path: Path) -> None:
    elsewhere = copy_context(FIXTURES / CASE, tmp_path / "elsewhere")
    (elsewhere / "Dockerfile").unlink()
    root = tmp_path / "org"
    folder, original, _ = project(root, "svc")
    (folder / "compose.yaml").write_text(f"services:\n  app:\n    build:\n      context: {elsewhere}\n      dockerfile: {folder / 'Dockerfile'}\n")
    run = stagify("migrate", ".", "--write", cwd=root)
    assert run.returncode == 4, run.stderr
    assert f"{elsewhere}: cannot write: this build context (named by a compose file) is outside" in run.stderr
    assert "--allow-outside-root" in run.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == sorted(p.name for p in (FIXTURES / CASE).iterdir()
                                                                    if p.name not in ("Dockerfile", "expected.Dockerfile", "expected.dockerignore"))
    assert (folder / "Dockerfile").read_text() == original
    run = stagify("migrate", ".", "--write", "--allow-outside-root", cwd=root)
    assert run.returncode == 0, run.stderr
    assert (elsewhere / ".dockerignore").is_file() and "AS runtime" in (folder / "Dockerfile").read_text()


# -- what reaches a Dockerfile --------------------------------------------------------------------


class _EvilRegistry(http.server.BaseHTTPRequestHandler):
    digest = "sha256:zzz AS evil"

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Docker-Content-Digest", self.digest)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("digest", ["sha256:zzz AS evil", "sha256:" + "a" * 63, "sha256:" + "A" * 64, "md5:" + "a" * 32,
                                    "sha256:" + "a" * 64 + "\nRUN curl evil | sh"])
def test_a_malformed_digest_from_a_registry_never_reaches_the_dockerfile(tmp_path: Path, digest: str) -> None:
    handler = type("Handler", (_EvilRegistry,), {"digest": digest.replace("\n", " ")})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        resolver = Resolver(mirrors={"docker.io": f"http://127.0.0.1:{server.server_address[1]}"}, credentials={}, timeout=5)
        with pytest.raises(RegistryError, match="malformed digest"):
            resolver.digest(parse_ref("golang:1.22"))
    finally:
        server.shutdown()


def test_pin_checks_the_digest_whatever_the_resolver_says() -> None:
    class Lying(Resolver):
        def digest(self, ref: object) -> str:  # type: ignore[override]
            return "sha256:zzz AS evil"

    with pytest.raises(StagifyError) as caught:
        pin("FROM golang:1.22\n", "Dockerfile", Lying(credentials={}))
    assert caught.value.line == 1 and "malformed" in caught.value.message
    assert is_sha256_digest("sha256:" + "0" * 64) and not is_sha256_digest("sha256:zzz AS evil")


def test_windows_paths_are_refused_at_their_line(tmp_path: Path) -> None:
    folder = copy_context(FIXTURES / CASE, tmp_path / "proj")
    (folder / "Dockerfile").write_text("# escape=`\nFROM golang:1.22\nWORKDIR C:\\src\\app\nCOPY . .\nRUN go build -o app.exe .\n"
                                       "CMD [\"app.exe\"]\n")
    run = stagify("convert", "--write", "proj", cwd=tmp_path)
    assert run.returncode == 3
    assert run.stderr.strip().endswith("proj/Dockerfile:3:1: STG002 WORKDIR C:\\src\\app: a Windows path; stagify converts Linux images "
                                       "only, and this Dockerfile builds a Windows container")
    assert not (folder / "Dockerfile.bak").exists()


def test_a_dockerignore_symlinked_outside_the_context_is_refused(tmp_path: Path) -> None:
    folder, original, _ = project(tmp_path)
    outside = tmp_path / "outside-ignore"
    outside.write_text("PRIVATE CONTENT OUTSIDE THE CONTEXT\n")
    (folder / ".dockerignore").symlink_to(outside)
    for args in (("convert", "--diff", "proj"), ("convert", "--write", "proj"), ("migrate", ".", "--write")):
        run = stagify(*args, cwd=tmp_path)
        assert run.returncode == 3, args
        assert "PRIVATE CONTENT" not in run.stdout + run.stderr
        assert "is a symlink to" in run.stderr and "outside the build context" in run.stderr
    assert (folder / ".dockerignore").is_symlink() and outside.read_text() == "PRIVATE CONTENT OUTSIDE THE CONTEXT\n"
    assert (folder / "Dockerfile").read_text() == original


# -- all or none, whatever fails: a property over random sets of files and a failure at any step --------


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(
    names=st.lists(st.sampled_from(["Dockerfile", ".dockerignore", "sub/Dockerfile", "other/.dockerignore"]), min_size=1, max_size=4,
                   unique=True),
    existing=st.lists(st.booleans(), min_size=4, max_size=4),
    old_backups=st.lists(st.booleans(), min_size=4, max_size=4),
    fail_at=st.integers(min_value=1, max_value=12),
    backup=st.booleans(),
)
def test_a_failed_write_leaves_every_file_and_backup_as_it_was(names: list[str], existing: list[bool], old_backups: list[bool],
                                                               fail_at: int, backup: bool) -> None:
    import tempfile

    import stagify.write as w

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "sub").mkdir()
        (root / "other").mkdir()
        for i, name in enumerate(names):
            if existing[i]:
                (root / name).write_text(f"old {name}\n")
            if old_backups[i]:
                (root / (name + ".bak")).write_text(f"older {name}\n")
        before = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
        real = os.replace
        calls = [0]

        def failing(src: str | Path, dst: str | Path) -> None:
            calls[0] += 1
            if calls[0] == fail_at:
                raise OSError(28, "No space left on device")
            real(src, dst)

        w.os.replace = failing  # type: ignore[assignment]
        try:
            w.write_all([(root / name, f"new {name}\n") for name in names], backup=backup)
            wrote = True
        except WriteError:
            wrote = False
        finally:
            w.os.replace = real
        after = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
        if wrote:
            assert all(after[name] == f"new {name}\n".encode() for name in names)
            assert all(after[name + ".bak"] == before[name] for name in names if backup and name in before)
        else:
            assert after == before
        assert not [n for n in after if "/.stagify-" in "/" + n]
