"""What the original's package-manager commands do: install the project, set up the manager, run a script.

The planner moves, rewrites or leaves out RUN lines by these predicates, so they
are kept apart from the planning hooks and the start command that use them.
"""

from __future__ import annotations

from ...patterns import Pattern

# Flags of the user's install that still apply to the rewritten one (others say what the rewrite says).
_DROPPED_INSTALL_FLAGS = Pattern(r"^--?(production|prod|only=production|omit=dev|frozen-lockfile|immutable|no-frozen-lockfile|ci)$")


def project_install(argv: tuple[str, ...]) -> bool:
    """``npm install``/``npm ci``/``yarn``/``pnpm i``/``bun install`` of the project (not of named packages)."""
    if not argv:
        return False
    program = argv[0].rsplit("/", 1)[-1]
    args = [a for a in argv[1:] if not a.startswith("-")]
    flags = [a for a in argv[1:] if a.startswith("-")]
    if any(f in ("-g", "--global") for f in flags):
        return False
    if program == "npm":
        return bool(args) and args[0] in ("install", "i", "ci") and len(args) == 1
    if program == "yarn":
        return not args or (args[0] == "install" and len(args) == 1)
    if program == "pnpm":
        return bool(args) and args[0] in ("install", "i") and len(args) == 1
    if program == "bun":
        return bool(args) and args[0] in ("install", "i") and len(args) == 1
    return False


def is_setup(argv: tuple[str, ...]) -> bool:
    """Commands that prepare the package manager: global tool installs, corepack."""
    if not argv:
        return False
    program = argv[0].rsplit("/", 1)[-1]
    if program == "corepack":
        return True
    if program in ("npm", "pnpm") and any(a in ("-g", "--global") for a in argv):
        return True
    return program == "yarn" and argv[1:2] == ("global",)


def global_packages(argv: tuple[str, ...]) -> set[str]:
    """The package names of ``npm install -g x``, ``yarn global add x``, ``pnpm add -g x`` (versions dropped)."""
    if not is_setup(argv):
        return set()
    names = [a for a in argv[1:] if not a.startswith("-") and a not in ("install", "i", "add", "global")]
    return {n.rsplit("@", 1)[0] if n.rfind("@") > 0 else n for n in names}


def runs_any_script(argv: tuple[str, ...]) -> bool:
    """A command that runs the project's code or scripts (a build), which a deps stage must not."""
    if not argv:
        return False
    program = argv[0].rsplit("/", 1)[-1]
    args = [a for a in argv[1:] if not a.startswith("-")]
    if program in ("npx", "node", "tsc"):
        return True
    if program in ("npm", "pnpm", "bun") and args[:1] in (["run"], ["run-script"], ["exec"], ["x"]):
        return True
    return program == "yarn" and bool(args) and args[0] not in ("install", "global", "config", "cache")


def runs_script(argv: tuple[str, ...], name: str) -> bool:
    if not argv:
        return False
    program = argv[0].rsplit("/", 1)[-1]
    args = [a for a in argv[1:] if not a.startswith("-")]
    if program in ("npm", "pnpm", "bun") and args[:2] == ["run", name]:
        return True
    return program in ("yarn", "pnpm") and args[:1] == [name]


def with_user_flags(install: str, argv: tuple[str, ...]) -> str:
    kept = [a for a in argv[1:] if a.startswith("-") and not _DROPPED_INSTALL_FLAGS.match(a)]
    return " ".join([install, *kept])


# Package-manager commands that change node_modules in place, reading only package.json, the lock file and
# node_modules: (program, first word) -> what they do. A deps stage replays them after its own install.
_REWORKS = {
    ("npm", "rebuild"): "rebuilds the installed packages' native code",
    ("npm", "rb"): "rebuilds the installed packages' native code",
    ("npm", "prune"): "prunes the installed packages",
    ("npm", "dedupe"): "deduplicates the installed packages",
    ("npm", "ddp"): "deduplicates the installed packages",
    ("pnpm", "rebuild"): "rebuilds the installed packages' native code",
    ("pnpm", "rb"): "rebuilds the installed packages' native code",
    ("pnpm", "prune"): "prunes the installed packages",
    ("bun", "pm trust"): "runs the install scripts of the packages it trusts",
}


def reworks_dependencies(argv: tuple[str, ...]) -> str | None:
    """What a command does to the installed dependencies (``npm rebuild sharp``, ``bun pm trust --all``), or None."""
    if not argv:
        return None
    program = argv[0].rsplit("/", 1)[-1]
    args = [a for a in argv[1:] if not a.startswith("-")]
    if any(a in ("-g", "--global") for a in argv[1:]):
        return None
    if program == "bun" and args[:2] == ["pm", "trust"]:
        return _REWORKS[("bun", "pm trust")]
    return _REWORKS.get((program, args[0])) if args else None


def script_name(program: str, argv: tuple[str, ...]) -> str | None:
    """The package.json script a package manager's command runs (``npm start``, ``npm run build``, ``yarn serve``), if any."""
    args = [a for a in argv[1:] if not a.startswith("-")]
    if not args:
        return None
    if args[0] in ("start", "test") and program in ("npm", "yarn", "pnpm"):
        return args[0]
    if args[0] == "run" and len(args) > 1:
        return None if _is_file_path(args[1]) else args[1]
    if program in ("yarn", "pnpm", "bun") and args[0] not in ("install", "add", "i", "ci") and not _is_file_path(args[0]):
        return args[0]
    return None


def _is_file_path(word: str) -> bool:
    """``bun run src/index.ts`` runs a file, not a script."""
    return "/" in word or word.endswith((".js", ".mjs", ".cjs", ".ts", ".mts", ".tsx"))
