"""The runtime's non-root user: the original's when the runtime can have it, the settings', or the image's own.
"""

from __future__ import annotations

import re

from ..dockerfile.model import Keyword
from ..dockerfile.stageplan import (
    UserSpec,
)
from ..images import catalogue
from ..images.catalogue import BaseImage
from ..images.reference import Family
from .draft import Draft, is_root


def runtime_user(draft: Draft, runtime: BaseImage) -> UserSpec:
    """The runtime's non-root user: the original's when the runtime can have it, else the image's own."""
    options = draft.inp.options
    if options.user is not None or options.uid is not None:
        return configured_user(draft, runtime, options.user, options.uid)
    users = [w.instruction for w in draft.walked if w.instruction.keyword is Keyword.USER]
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


def configured_user(draft: Draft, runtime: BaseImage, name: str | None, uid: int | None) -> UserSpec:
    """The user the settings name: the image's own when it has it, else created (a runtime with a shell)."""
    if runtime.user and name in (None, runtime.user) and uid in (None, runtime.uid) and runtime.user_spec:
        return UserSpec(name=runtime.user, uid=runtime.uid or 0, instruction=runtime.user_spec, create=None)
    if runtime.user and uid is not None and uid == runtime.uid:
        # A second user with the same id cannot be created: the image's own is that id.
        draft.acc.note(f"{runtime.reference} already has uid {uid} as {runtime.user}: the runtime runs as {runtime.user}")
        return UserSpec(name=runtime.user, uid=uid, instruction=f"{uid}:{uid}", create=None)
    if not runtime.shell:
        number = uid or catalogue.NONROOT_UID
        if name is not None and name != "nonroot":
            draft.acc.note(f"{runtime.reference} has no shell to create the user {name}: the runtime runs as {number}:{number}")
        return UserSpec(name=name or "nonroot", uid=number, instruction=f"{number}:{number}", create=None)
    number = uid or catalogue.APP_UID
    family = "alpine" if runtime.family is Family.ALPINE else "debian"
    return UserSpec(name=name or catalogue.APP_USER, uid=number, instruction=f"{number}:{number}", create=family)

