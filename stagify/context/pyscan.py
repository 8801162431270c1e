"""Read-only looks into Python sources: setup.py's metadata and ASGI/WSGI application objects.

The only module that uses libcst. Nothing here executes the code it reads. libcst
is imported inside the functions: it takes a noticeable part of a second to load,
and only Python projects need it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - types only
    import libcst

# Application classes and the factories that return one, by framework.
APP_FACTORIES = {
    "FastAPI": "fastapi",
    "Starlette": "starlette",
    "Flask": "flask",
    "Quart": "quart",
    "Sanic": "sanic",
    "Litestar": "litestar",
    "get_wsgi_application": "django-wsgi",
    "get_asgi_application": "django-asgi",
    "create_app": "factory",
}
ASGI = frozenset({"fastapi", "starlette", "quart", "sanic", "litestar", "django-asgi"})


@dataclass(frozen=True)
class SetupInfo:
    """What ``setup(...)`` declares, as literals (anything computed is left out)."""

    name: str | None = None
    python_requires: str | None = None
    install_requires: tuple[str, ...] = ()
    console_scripts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AppObject:
    """``app = FastAPI()`` at module level: the variable and the framework it comes from."""

    variable: str
    framework: str
    line: int

    @property
    def asgi(self) -> bool:
        return self.framework in ASGI


# libcst's native parser recurses on the C stack and its cost grows fast with nesting: a file with
# 3,000 nested parentheses crashed the process (SIGSEGV), ``not not ... x`` or ``-(-(...))`` a few
# thousand deep took minutes and gigabytes, and plain code costs about 47 µs a byte. So a file is
# first read by CPython's own parser (bounded, fast) and its syntax tree measured; only a file within
# these limits reaches libcst, on a thread with a large stack.
MAX_SCAN_BYTES = 64_000
MAX_SCAN_DEPTH = 100
MAX_SCAN_NODES = 10_000
MAX_SCAN_WIDTH = 1_000
_STACK_BYTES = 256 * 1024 * 1024


def unscannable(text: str) -> str | None:
    """Why a Python file is not parsed with libcst (too big, nested too deeply, not Python), or None."""
    import ast
    import warnings

    if len(text) > MAX_SCAN_BYTES:
        return f"{len(text):,} characters, more than the {MAX_SCAN_BYTES:,} stagify reads"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like: not ours to report
            tree = ast.parse(text)
    except SyntaxError as exc:
        return f"not readable by Python's own parser ({exc.msg})"
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"not readable by Python's own parser ({type(exc).__name__})"
    todo: list[tuple[ast.AST, int]] = [(tree, 0)]
    nodes = 0
    while todo:  # depth, size and width of the tree, without recursion
        node, depth = todo.pop()
        children = list(ast.iter_child_nodes(node))
        nodes += len(children)
        if depth > MAX_SCAN_DEPTH:
            return f"expressions nested more than {MAX_SCAN_DEPTH} levels deep"
        if nodes > MAX_SCAN_NODES:
            return f"more than {MAX_SCAN_NODES:,} syntax nodes"
        if len(children) > MAX_SCAN_WIDTH:
            return f"an expression or block of more than {MAX_SCAN_WIDTH:,} items"
        todo.extend((child, depth + 1) for child in children)
    return None


def _parse(text: str) -> libcst.Module | None:
    if unscannable(text) is not None:
        return None
    result: list[libcst.Module | None] = [None]

    def work() -> None:
        import libcst

        try:
            result[0] = libcst.parse_module(text)
        except (libcst.ParserSyntaxError, ValueError, RecursionError, MemoryError):
            result[0] = None

    # A thread of its own with a large stack, for what the limits above let through.
    previous = threading.stack_size(_STACK_BYTES)
    try:
        worker = threading.Thread(target=work, name="stagify-pyscan", daemon=True)
        worker.start()
    finally:
        threading.stack_size(previous)
    worker.join()
    return result[0]


def _literal(node: Any) -> Any:
    """The value of a string/list/tuple/dict literal (recursively), or None when it is computed."""
    import libcst

    if isinstance(node, libcst.SimpleString):
        return node.evaluated_value
    if isinstance(node, libcst.ConcatenatedString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, (libcst.List, libcst.Tuple)):
        items = [_literal(e.value) for e in node.elements if isinstance(e, libcst.Element)]
        return items if all(i is not None for i in items) else None
    if isinstance(node, libcst.Dict):
        out = {}
        for element in node.elements:
            if not isinstance(element, libcst.DictElement):
                return None
            key, value = _literal(element.key), _literal(element.value)
            if key is None or value is None:
                return None
            out[key] = value
        return out
    return None


def _callee(call: Any) -> str | None:
    import libcst

    func = call.func
    if isinstance(func, libcst.Name):
        return func.value
    if isinstance(func, libcst.Attribute):
        return func.attr.value
    return None


def setup_py(text: str) -> SetupInfo:
    """The literal arguments of the ``setup(...)`` call in a setup.py, read without running it."""
    import libcst

    module = _parse(text)
    if module is None:
        return SetupInfo()
    found: dict[str, Any] = {}

    class Visitor(libcst.CSTVisitor):
        def visit_Call(self, node: libcst.Call) -> None:
            if _callee(node) != "setup":
                return
            for arg in node.args:
                if arg.keyword is not None:
                    found.setdefault(arg.keyword.value, _literal(arg.value))

    try:
        module.visit(Visitor())
    except RecursionError:
        return SetupInfo()
    scripts: list[tuple[str, str]] = []
    entry_points = found.get("entry_points")
    if isinstance(entry_points, dict):
        for spec in entry_points.get("console_scripts") or []:
            if isinstance(spec, str) and "=" in spec:
                script, _, target = spec.partition("=")
                scripts.append((script.strip(), target.strip()))
    requires = found.get("install_requires")
    package = found.get("name")
    python_requires = found.get("python_requires")
    return SetupInfo(
        name=package if isinstance(package, str) else None,
        python_requires=python_requires if isinstance(python_requires, str) else None,
        install_requires=tuple(r for r in requires if isinstance(r, str)) if isinstance(requires, list) else (),
        console_scripts=tuple(scripts),
    )


def app_objects(text: str) -> list[AppObject]:
    """Module-level ``name = FastAPI(...)`` (and Flask, Starlette, Django's get_wsgi_application...)."""
    import libcst
    from libcst.metadata import MetadataWrapper, PositionProvider

    module = _parse(text)
    if module is None:
        return []
    found: list[AppObject] = []

    class Visitor(libcst.CSTVisitor):
        METADATA_DEPENDENCIES = (PositionProvider,)

        def __init__(self) -> None:
            super().__init__()
            self.depth = 0

        def visit_FunctionDef(self, node: libcst.FunctionDef) -> None:
            self.depth += 1

        def leave_FunctionDef(self, original_node: libcst.FunctionDef) -> None:
            self.depth -= 1

        def visit_ClassDef(self, node: libcst.ClassDef) -> None:
            self.depth += 1

        def leave_ClassDef(self, original_node: libcst.ClassDef) -> None:
            self.depth -= 1

        def visit_Assign(self, node: libcst.Assign) -> None:
            if self.depth or not isinstance(node.value, libcst.Call):
                return
            framework = APP_FACTORIES.get(_callee(node.value) or "")
            if framework is None:
                return
            line = self.get_metadata(PositionProvider, node).start.line
            for target in node.targets:
                if isinstance(target.target, libcst.Name):
                    found.append(AppObject(variable=target.target.value, framework=framework, line=line))

    try:
        MetadataWrapper(module).visit(Visitor())
    except RecursionError:
        return []
    return found
