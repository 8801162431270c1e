"""Secrets in a Dockerfile: build arguments, variables, copied files and RUN lines that bake one into the image.

Each finding is a warning with its line and the BuildKit way to do the same without
keeping the secret (``RUN --mount=type=secret``, run-time variables). ``--strict``
turns them into failures. Nothing here changes the Dockerfile.
"""

from __future__ import annotations

import re

from ..patterns import Pattern
from .model import Dockerfile, Instruction, Keyword, arg_pairs, env_pairs
from .stageplan import Level, Note
from .walk import copy_parts

KIND = "secret"
SECRET_FILES = Pattern(
    r"(^|/)(\.env(\..*)?|[^/]+\.env|.*\.(pem|key|p12|pfx|jks|keystore)|id_(rsa|dsa|ecdsa|ed25519)(_sk)?(\.[^/]*)?|\.npmrc|\.pypirc|\.netrc"
    r"|\.git-credentials|credentials(\.json)?|secrets?\.(ya?ml|json|toml)|\.ssh/.*|\.aws/.*|\.docker/config\.json)$"
)
# Files whose name is ordinary but whose content can hold a credential: checked by content.
_CREDENTIAL_CONTENT = {
    ".npmrc": Pattern(r"_(authToken|auth|password)\s*="),
    ".yarnrc.yml": Pattern(r"npmAuthToken\s*:"),
    "config.json": Pattern(r'"auths"\s*:\s*\{[^}]*"(auth|identitytoken|password)"\s*:', re.S),
}
# The .dockerignore lines that keep secret-looking files out of the build context, at any depth.
IGNORE_PATTERNS = (
    "**/.env",
    "**/.env.*",
    "**/*.env",
    "**/*.pem",
    "**/*.key",
    "**/*.p12",
    "**/*.pfx",
    "**/*.jks",
    "**/id_rsa*",
    "**/id_dsa*",
    "**/id_ecdsa*",
    "**/id_ed25519*",
    "**/.ssh",
    "**/.aws",
    "**/.netrc",
    "**/.pypirc",
    "**/.git-credentials",
    "**/credentials.json",
    "**/secrets.yaml",
    "**/secrets.yml",
    "**/secrets.json",
)


def is_secret_file(rel: str, text: str | None = None) -> bool:
    """Whether a context path looks like a secret by its name, or (``text`` given) holds a credential."""
    rel = rel.rstrip("/")
    if SECRET_FILES.search(rel) and not rel.endswith((".env.example", ".env.sample", ".env.template", ".env.dist")):
        return True
    pattern = _CREDENTIAL_CONTENT.get(rel.rsplit("/", 1)[-1])
    return bool(pattern and text and pattern.search(text))


def holds_credentials(rel: str, text: str | None) -> bool:
    """An ordinary name (.npmrc, config.json) whose content holds a credential."""
    pattern = _CREDENTIAL_CONTENT.get(rel.rsplit("/", 1)[-1])
    return bool(pattern and text and pattern.search(text))
_NAME = Pattern(
    r"(^|_)(PASS(WORD|WD)?|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|AUTH|CLIENT_SECRET|DB_PASS|PWD)(_|$)", re.I
)
# Names that only point at a secret (a file or a mount), never hold one.
_POINTER = Pattern(r"(_FILE|_PATH|_DIR|_LOCATION|_ID|_URL_FILE|_NAME|_USER(NAME)?|_HEADER|_ENDPOINT|_TTL|_TIMEOUT)$", re.I)
_VALUES = (
    (Pattern(r"\bAKIA[0-9A-Z]{16}\b"), "an AWS access key ID"),
    (Pattern(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"), "a private key"),
    (Pattern(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"), "a GitHub token"),
    (Pattern(r"\bglpat-[A-Za-z0-9_-]{20,}\b"), "a GitLab token"),
    (Pattern(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"), "a Slack token"),
    (Pattern(r"\bnpm_[A-Za-z0-9]{36}\b"), "an npm token"),
    (Pattern(r"\b(?:sk|rk)_live_[A-Za-z0-9]{16,}\b"), "a Stripe key"),
)
_URL_CREDENTIALS = Pattern(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:[^@\s/'\"$]+@", re.I)
_RUN_PATTERNS = (
    (Pattern(r"\b(curl|wget)\b[^|;&]*\s(-u|--user)[ =]?['\"]?[^\s:'\"]+:[^\s'\"$]+"), "credentials on a curl/wget command line"),
    (Pattern(r"--password[ =]['\"]?[^\s'\"$-][^\s'\"]*"), "a --password on the command line"),
    (Pattern(r"\bdocker\s+login\b[^|;&]*\s-p\s*\S+"), "a docker login password"),
    (Pattern(r"_auth(Token)?\s*=\s*['\"]?[A-Za-z0-9+/=_-]{8,}"), "a registry token written into a config file"),
    (Pattern(r"\bmysql(admin)?\b[^|;&]*\s-p[^\s$'\"]{2,}"), "a MySQL password on the command line"),
)
_ADVICE_BUILD = "pass it at build time with RUN --mount=type=secret,id={id} (docker build --secret id={id},...)"
_ADVICE_RUN = "pass it when the container starts (docker run -e, a secrets manager) instead"


def scan(dockerfile: Dockerfile) -> list[Note]:
    """Every secret-looking build argument, variable, copied file and command line, with its line."""
    notes: list[Note] = []
    for ins in dockerfile.global_args:
        notes.extend(_args(ins))
    for stage in dockerfile.stages:
        for ins in stage.instructions:
            if ins.keyword is Keyword.ARG:
                notes.extend(_args(ins))
            elif ins.keyword is Keyword.ENV:
                notes.extend(_env(ins))
            elif ins.keyword in (Keyword.COPY, Keyword.ADD) and ins.flag("from") is None:
                notes.extend(_copies(ins))
            elif ins.keyword is Keyword.RUN:
                notes.extend(_run(ins))
    return notes


def _warning(message: str, line: int) -> Note:
    return Note(message, line, Level.WARNING, KIND)


def looks_secret(name: str) -> bool:
    return bool(_NAME.search(name)) and not _POINTER.search(name)


def _value_kind(value: str) -> str | None:
    for pattern, what in _VALUES:
        if pattern.search(value):
            return what
    if _URL_CREDENTIALS.search(value):
        return "credentials in a URL"
    return None


def _args(ins: Instruction) -> list[Note]:
    found = []
    for name, value in arg_pairs(ins.args):
        what = _value_kind(value or "")
        if looks_secret(name) or what:
            detail = f" (its default holds {what})" if what else ""
            found.append(_warning(f"ARG {name} looks like a secret{detail}: build arguments stay in the image's history "
                                  f"(docker history shows them); {_ADVICE_BUILD.format(id=name.lower())}", ins.line))
    return found


def _env(ins: Instruction) -> list[Note]:
    found = []
    for name, value in env_pairs(ins.args):
        what = _value_kind(value)
        literal = bool(value) and not value.startswith(("$", "/")) and value.lower() not in ("true", "false", "0", "1", "none", "changeme")
        if what or (looks_secret(name) and literal):
            detail = f" holds {what}" if what else " holds what looks like a secret"
            found.append(_warning(f"ENV {name}{detail}: every layer and every container of the image keeps it; "
                                  f"{_ADVICE_RUN}, or {_ADVICE_BUILD.format(id=name.lower())} if only the build needs it", ins.line))
    return found


def _copies(ins: Instruction) -> list[Note]:
    parts = copy_parts(ins)
    if parts is None:
        return []
    return [
        _warning(f"copies {source}, which looks like a secret: the runtime stage does not get it, but the builder's layers keep it; "
                 f"pass secrets at run time, or {_ADVICE_BUILD.format(id=source.rsplit('/', 1)[-1].lstrip('.').lower() or 'secret')}",
                 ins.line)
        for source in parts[0]
        if SECRET_FILES.search(source.rstrip("/"))
    ]


def _run(ins: Instruction) -> list[Note]:
    text = ins.args if not ins.heredocs else "\n".join(h.body for h in ins.heredocs)
    found = []
    what = _value_kind(text)
    if what:
        found.append(what)
    for pattern, label in _RUN_PATTERNS:
        if pattern.search(text):
            found.append(label)
    return [_warning(f"RUN has {what}: the command line is kept in the image's history; use RUN --mount=type=secret,id=... "
                     "and read the secret from /run/secrets/<id> instead", ins.line) for what in dict.fromkeys(found)]


REDACTED = "***"
# NAME=value anywhere (ENV, ARG, a RUN's assignments), and the legacy ``ENV NAME value`` form.
_ASSIGNMENT = Pattern(r"""(?P<name>\b[A-Za-z_][A-Za-z0-9_]*)=(?P<value>"[^"\n]*"|'[^'\n]*'|[^\s"'\\]+)""")
_LEGACY_ENV = Pattern(r"^(?P<head>\s*ENV\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+)(?P<value>[^=\n][^\n]*?)(?P<tail>\s*\\?)$", re.I | re.M)
_REDACT_PATTERNS = (
    (Pattern(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:)[^@\s/'\"$]+(@)", re.I), rf"\g<1>{REDACTED}\g<2>"),
    (Pattern(r"(\b(?:curl|wget)\b[^|;&\n]*\s(?:-u|--user)[ =]?['\"]?[^\s:'\"]+:)[^\s'\"$]+"), rf"\g<1>{REDACTED}"),
    (Pattern(r"(--password[ =]['\"]?)[^\s'\"$-][^\s'\"]*"), rf"\g<1>{REDACTED}"),
    (Pattern(r"(\bdocker\s+login\b[^|;&\n]*\s-p\s*)[^\s$]\S*"), rf"\g<1>{REDACTED}"),
    (Pattern(r"(_auth(?:Token)?\s*=\s*['\"]?)[A-Za-z0-9+/=_-]{8,}"), rf"\g<1>{REDACTED}"),
    (Pattern(r"(\bmysql(?:admin)?\b[^|;&\n]*\s-p)[^\s$'\"]{2,}"), rf"\g<1>{REDACTED}"),
)


def redact(text: str) -> str:
    """``text`` with every secret value the scan would report replaced by ``***`` (names and structure kept).

    For machine-readable outputs (JSON, SARIF), which end up in CI logs and dashboards.
    """
    for pattern, _ in _VALUES:
        text = pattern.sub(REDACTED, text)
    for pattern, replacement in _REDACT_PATTERNS:
        text = pattern.sub(replacement, text)

    def assignment(found: re.Match[str]) -> str:
        value = found.group("value").strip("\"'")
        if looks_secret(found.group("name")) and value and not value.startswith("$"):
            return f"{found.group('name')}={REDACTED}"
        return found.group(0)

    def legacy(found: re.Match[str]) -> str:
        if looks_secret(found.group("name")) and not found.group("value").startswith("$"):
            return f"{found.group('head')}{REDACTED}{found.group('tail')}"
        return found.group(0)

    return _LEGACY_ENV.sub(legacy, _ASSIGNMENT.sub(assignment, text))
