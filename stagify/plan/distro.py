"""A language installed from the distribution's packages: both stages stay on the original distribution.

``FROM debian`` + ``apt-get install nodejs npm`` (or ``python3 python3-pip``, ``golang``,
``openjdk-17-jdk``, and the same with ``apk add`` on Alpine) builds on the distribution's own
language. Moving it to an official language image would change the language's version and
file layout under the application, so the builder is the original stage as written, and the
runtime is the same distribution (its slim variant where Debian has one) with only the
run-time packages: ``nodejs`` without ``npm``, ``python3`` without pip and headers, a JRE for a
JDK, nothing for Go. The runtime takes the working folder and ``/usr/local`` (where pip, npm
and hand-made installs put what they add) from the builder.
"""

from __future__ import annotations

import re

from ..dockerfile import lintfix, packages
from ..dockerfile.model import Dockerfile, Instruction, Keyword
from ..dockerfile.shell import Command
from ..dockerfile.stageplan import (
    BuilderPlan,
    ConversionPlan,
    CopyFrom,
    Decision,
    Level,
    Line,
    Note,
    PackageSet,
    Placement,
    RuntimePlan,
    SizeEstimate,
    UserSpec,
)
from ..dockerfile.walk import Walked
from ..images import catalogue
from ..images.reference import Family, ImageRef, parse_ref
from ..languages import LANGUAGES
from ..patterns import Pattern

# The distribution packages that install a language (apt-get install nodejs npm, apk add python3 py3-pip).
_LANGUAGE_PACKAGES = Pattern("^(" + "|".join(language.traits.distro_packages for language in LANGUAGES) + ")$")


def language_packages(commands: list[Command]) -> list[str]:
    """The language packages a line installs from the distribution (``apt-get install nodejs npm``)."""
    return [p for install in packages.installs(commands) for p in install.packages if _LANGUAGE_PACKAGES.match(p)]

_CONFIG = (Keyword.EXPOSE, Keyword.VOLUME, Keyword.STOPSIGNAL, Keyword.HEALTHCHECK, Keyword.ONBUILD)
_START = (Keyword.CMD, Keyword.ENTRYPOINT)


def language_line(walked: tuple[Walked, ...]) -> tuple[int, list[str]] | None:
    """The first line that installs a language from the distribution, and the packages it names."""
    for w in walked:
        found = language_packages(list(w.commands))
        if found:
            return w.instruction.line, found
    return None


def runtime_image(image: ImageRef) -> str:
    """The same distribution release, slim where Debian publishes a slim variant."""
    written = str(image)
    if image.repository == "debian" and image.tag and not image.tag.endswith("-slim") and re.fullmatch(r"[a-z]+|\d+(\.\d+)?", image.tag):
        return f"{image.repository}:{image.tag}-slim"
    return written


def build_plan(dockerfile: Dockerfile, image: ImageRef, walked: tuple[Walked, ...], called: set[str]) -> ConversionPlan:
    """The builder is the original stage; the runtime, the same distribution with its run-time packages."""
    stage = dockerfile.stages[0]
    found = language_line(walked)
    assert found is not None
    line, language = found
    decisions: list[Decision] = [Decision(stage.from_, Placement.BUILDER,
                                          f"the build stage stays on {image}: its language comes from the distribution's packages")]
    setup: list[Line] = []
    r_setup: list[Line] = []
    config: list[Line] = []
    start: list[Line] = []
    wanted: list[str] = []
    manager = None
    for w in walked:
        ins = w.instruction
        kw = ins.keyword
        if kw in _START:
            start.append(_carried(ins))
            decisions.append(Decision(ins, Placement.RUNTIME, "the container's start command, as written"))
        elif kw in _CONFIG:
            config.append(_carried(ins))
            decisions.append(Decision(ins, Placement.RUNTIME, "configures the running container"))
        elif kw in (Keyword.LABEL, Keyword.MAINTAINER):
            text = lintfix.maintainer_to_label(ins) if kw is Keyword.MAINTAINER else None
            r_setup.append(_carried(ins, text))
            decisions.append(Decision(ins, Placement.RUNTIME, "image metadata belongs to the image people run"))
        elif kw in (Keyword.ENV, Keyword.ARG):
            setup.append(_carried(ins))
            r_setup.append(_carried(ins))
            decisions.append(Decision(ins, Placement.BOTH, "the build and the application may read it"))
        elif kw is Keyword.USER:
            decisions.append(Decision(ins, Placement.DROPPED, "the runtime runs as its own non-root user"))
        elif kw is Keyword.RUN:
            mounted = lintfix.pip_cache_mount(ins, w.state.user, dockerfile.escape)
            setup.append(_carried(ins, lintfix.fix_run_text(mounted or lintfix.keyword_upper(ins.raw))))
            for install in packages.installs(list(w.commands)):
                manager = manager or install.manager
                keep, _ = packages.runtime_packages(install, called, link=True)
                for name in [*keep, *(p for p in install.packages if p in language)]:
                    runtime_name = packages.at_run_time(name)
                    if runtime_name and runtime_name not in wanted:
                        wanted.append(runtime_name)
            reason = "installs the language and the build's packages; the runtime installs only the run-time ones" if ins.line == line \
                else "a build step: what it writes reaches the runtime with the working folder or /usr/local"
            decisions.append(Decision(ins, Placement.BUILDER, reason))
        else:
            setup.append(_carried(ins, lintfix.add_to_copy(ins) if kw in (Keyword.COPY, Keyword.ADD) else None))
            decisions.append(Decision(ins, Placement.BUILDER, "the build works as the original did"))
    workdir = walked[-1].state.workdir if walked else "/"
    alpine = image.family is Family.ALPINE
    user = UserSpec(name=catalogue.APP_USER, uid=catalogue.APP_UID, instruction=f"{catalogue.APP_UID}:{catalogue.APP_UID}",
                    create="alpine" if alpine else "debian")
    copies = [CopyFrom(source="/usr/local", dest="/usr/local",
                       reason="where pip, npm and hand-made installs put what they add (the distribution's own go to /usr)")]
    if workdir != "/":
        copies.append(CopyFrom(source=workdir, dest=workdir, reason="the working folder: the application as the build left it"))
    for ins in (w.instruction for w in walked if w.instruction.keyword in _START):
        program = (ins.exec_form or tuple(ins.args.split()) or ("",))[0]
        inside = any(program == c.source or program.startswith(c.source.rstrip("/") + "/") for c in copies)
        if program.startswith("/") and not inside and not program.startswith(("/bin/", "/usr/", "/sbin/")):
            copies.append(CopyFrom(source=program, dest=program, reason="the program the start command runs"))
    runtime = runtime_image(image)
    notes = (Note(f"the language comes from the distribution's packages ({', '.join(language)}): both stages stay on "
                  f"{image.repository}, and the runtime {runtime} installs only {', '.join(wanted) or 'nothing'}", line, Level.INFO),)
    if manager is None:
        manager = "apk" if alpine else "apt-get"
    return ConversionPlan(
        language="distribution",
        template="_base.Dockerfile.j2",
        directives=tuple(d.raw for d in dockerfile.directives),
        global_args=tuple(_carried(i) for i in dockerfile.global_args),
        builder=BuilderPlan(image=stage.image.written, alias=stage.alias or "builder", platform=stage.platform,
                            comments=(*stage.from_.comments, f"# Build stage: the original {image}, with its language from its packages"),
                            setup=tuple(setup), sources=()),
        runtime=RuntimePlan(
            image=runtime,
            alias="runtime",
            platform=stage.platform,
            comments=(f"# Runtime: {runtime}, the same distribution with the run-time packages only",),
            setup=tuple(r_setup),
            packages=PackageSet(manager=manager, packages=tuple(wanted)) if wanted else None,
            user=user,
            root_steps=(),
            workdir=workdir if workdir != "/" else None,
            copies=tuple(copies),
            sources=(),
            config=tuple(config),
            start=tuple(start),
        ),
        extra=None,
        decisions=tuple(sorted(decisions, key=lambda d: d.instruction.line)),
        notes=notes,
        trailing_comments=dockerfile.trailing_comments,
        estimate=SizeEstimate(str(image), catalogue.size_of(image), runtime, catalogue.size_of(parse_ref(runtime))),
    )


def _carried(ins: Instruction, text: str | None = None) -> Line:
    return Line(text=text if text is not None else lintfix.keyword_upper(ins.raw), comments=ins.comments)
