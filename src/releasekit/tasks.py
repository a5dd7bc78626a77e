"""Invoke front: a user's tasks.py gets every release task with one line,

    from releasekit.tasks import *

Each task is built from the flag table in frontend/flags.py, the same one the
`releasekit` command is built from. Importing this module costs next to nothing
(invoke is already loaded): the core is imported inside each task, so
`invoke --list` stays as fast as before.
"""

from __future__ import annotations

from inspect import Parameter, Signature
from typing import Any

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import Task

from releasekit.frontend.flags import VERBS, Verb

__all__ = [
    "build",
    "bump",
    "changelog",
    "doctor",
    "github_release",
    "notes",
    "publish",
    "recover",
    "release",
    "secret",
    "verify",
]


def _task(verb: Verb) -> Task[Any]:
    def body(c: Context, **values: Any) -> None:
        from releasekit.frontend.dispatch import run

        code = run(verb.name, values)
        if code:
            raise Exit(code=code)  # the error line is printed already

    params = [Parameter("c", Parameter.POSITIONAL_OR_KEYWORD)]
    params += [
        Parameter(flag.param, Parameter.POSITIONAL_OR_KEYWORD, default=flag.default)
        for flag in verb.flags
    ]
    body.__signature__ = Signature(params)  # type: ignore[attr-defined]
    body.__name__ = body.__qualname__ = verb.function
    body.__doc__ = verb.doc
    return Task(body, name=verb.name, help={flag.name: flag.help for flag in verb.flags})


_TASKS = {verb.function: _task(verb) for verb in VERBS if not verb.command_only}
build = _TASKS["build"]
bump = _TASKS["bump"]
changelog = _TASKS["changelog"]
doctor = _TASKS["doctor"]
github_release = _TASKS["github_release"]
notes = _TASKS["notes"]
publish = _TASKS["publish"]
recover = _TASKS["recover"]
release = _TASKS["release"]
secret = _TASKS["secret"]
verify = _TASKS["verify"]
