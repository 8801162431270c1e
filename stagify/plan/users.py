"""The runtime's non-root user: the original's when the runtime can have it, the settings', or the image's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..dockerfile.model import Keyword
from ..dockerfile.stageplan import Note, UserSpec
from ..images import catalogue
from ..images.catalogue import BaseImage
from ..images.reference import Family
from ..languages.base import PlanInput
from .draft import is_root


@dataclass(frozen=True)
class UserChoice:
    """The runtime user, and what the user should be told about the choice."""

    spec: UserSpec
    notes: tuple[Note, ...] = ()


def runtime_user(inp: PlanInput, runtime: BaseImage) -> UserChoice:
    """The runtime's non-root user: the settings', else the original's when the runtime can have it, else the image's own."""
    options = inp.options
    if options.user is not None or options.uid is not None:
        return configured_user(runtime, options.user, options.uid)
    return UserChoice(_unconfigured(inp, runtime))


def _unconfigured(inp: PlanInput, runtime: BaseImage) -> UserSpec:
    users = [w.instruction for w in inp.walked if w.instruction.keyword is Keyword.USER]
    original = users[-1].args.strip() if users else None
    if original and not is_root(original) and (re.fullmatch(r"\d+(:\d+)?", original) or runtime.shell):
        return UserSpec(name=original.split(":")[0], uid=0, instruction=original, create=None)
    if runtime.user_spec:
        return UserSpec(name=runtime.user or "", uid=runtime.uid or 0, instruction=runtime.user_spec, create=None)
    if not runtime.shell:
        uid = catalogue.NONROOT_UID
        return UserSpec(name="nonroot", uid=uid, instruction=f"{uid}:{uid}", create=None)
    family = "alpine" if runtime.family is Family.ALPINE else "debian"
    return UserSpec(
        name=catalogue.APP_USER,
        uid=catalogue.APP_UID,
        instruction=f"{catalogue.APP_UID}:{catalogue.APP_UID}",
        create=family,
    )


def configured_user(runtime: BaseImage, name: str | None, uid: int | None) -> UserChoice:
    """The user the settings name: the image's own when it has it, else created (a runtime with a shell)."""
    if runtime.user and name in (None, runtime.user) and uid in (None, runtime.uid) and runtime.user_spec:
        return UserChoice(UserSpec(name=runtime.user, uid=runtime.uid or 0, instruction=runtime.user_spec, create=None))
    if runtime.user and uid is not None and uid == runtime.uid:
        # A second user with the same id cannot be created: the image's own is that id.
        return UserChoice(UserSpec(name=runtime.user, uid=uid, instruction=f"{uid}:{uid}", create=None),
                          (Note(f"{runtime.reference} already has uid {uid} as {runtime.user}: the runtime runs as {runtime.user}"),))
    if not runtime.shell:
        number = uid or catalogue.NONROOT_UID
        spec = UserSpec(name=name or "nonroot", uid=number, instruction=f"{number}:{number}", create=None)
        if name is not None and name != "nonroot":
            return UserChoice(spec, (Note(f"{runtime.reference} has no shell to create the user {name}: "
                                          f"the runtime runs as {number}:{number}"),))
        return UserChoice(spec)
    number = uid or catalogue.APP_UID
    family = "alpine" if runtime.family is Family.ALPINE else "debian"
    return UserChoice(UserSpec(name=name or catalogue.APP_USER, uid=number, instruction=f"{number}:{number}", create=family))

