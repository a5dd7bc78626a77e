"""From parsed flags to a verb's call, and from a failure to one line and an exit code.

Both fronts end here, so a flag means the same, a wrong choice reads the same and a
failure prints the same from `releasekit` and from `invoke`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from releasekit.errors import ReleaseError
from releasekit.frontend.flags import BY_NAME

INTERRUPTED = 130


def run(name: str, values: Mapping[str, Any]) -> int:
    """Call the verb; a ReleaseError becomes its redacted line (after the tool's output
    with --verbose) and exit code 1, Ctrl-C exit code 130. Never a traceback."""
    from releasekit.frontend.verbs import say

    try:
        _call(name, values)
    except ReleaseError as exc:
        if values.get("verbose") and exc.output.strip():
            say(exc.output.rstrip(), err=True)
        say(f"releasekit: error: {exc}", err=True)
        return 1
    except KeyboardInterrupt:
        say("releasekit: interrupted", err=True)
        return INTERRUPTED
    except BrokenPipeError:  # `releasekit notes | head`: the reader left, nothing to report
        import os
        import sys

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 1
    return 0


def check_choices(name: str, values: Mapping[str, Any]) -> None:
    for flag in BY_NAME[name].flags:
        value = values.get(flag.param)
        if flag.choices and value is not None and value not in flag.choices:
            raise ReleaseError(
                f"unknown {flag.name} {value!r}", f"use --{flag.name} {'|'.join(flag.choices)}"
            )


def _call(name: str, values: Mapping[str, Any]) -> None:
    from releasekit.frontend import setup_verbs, verbs

    check_choices(name, values)
    get = values.get

    def on(param: str) -> bool:
        return bool(values.get(param))

    if name == "demo":
        setup_verbs.demo(keep=on("keep"))
        return
    from releasekit.frontend.root import find_root, member_here

    root = find_root()
    if "package" in values and not get("package"):
        values = {**values, "package": member_here(root)}
        get = values.get
    if name == "release":
        opts = verbs.options(
            part=get("part"),
            pre=get("pre"),
            new_version=get("new_version"),
            allow_empty_changelog=on("allow_empty_changelog"),
            push=get("push", True),
            sign=True if get("sign") else None,  # None: [tool.releasekit] decides
            publish=True if get("publish") else None,
            github_release=None if get("github_release", True) else False,
            repository=get("repository"),
            first_release=on("first_release"),
            via_pr=on("via_pr"),
            finish=on("finish"),
            package=get("package"),
        )
        verbs.release(
            root,
            opts,
            dry_run=on("dry_run"),
            yes=on("yes"),
            verbose=on("verbose"),
            quiet=on("quiet"),
            frontend=get("frontend"),
        )
    elif name in ("bump", "changelog"):
        opts = verbs.options(
            part=get("part"),
            pre=get("pre"),
            new_version=get("new_version"),
            allow_empty_changelog=on("allow_empty_changelog"),
            first_release=on("first_release"),
            package=get("package"),
        )
        bump = name == "bump"
        verbs.edit(root, opts, versions=bump, changelog=not bump, dry_run=on("dry_run"))
    elif name == "notes":
        verbs.notes(root, get("version"), package=get("package"))
    elif name == "recover":
        verbs.recover(root, rollback=on("rollback"), finish=on("finish"), verbose=on("verbose"))
    elif name == "build":
        verbs.build(
            root,
            installer=get("installer"),
            frontend=get("frontend"),
            sdist_only=on("sdist"),
            quiet=on("quiet"),
            package=get("package"),
        )
    elif name == "verify":
        verbs.verify(root, package=get("package"))
    elif name == "publish":
        verbs.publish(
            root,
            repository=get("repository"),
            verbose=on("verbose"),
            quiet=on("quiet"),
            package=get("package"),
        )
    elif name == "github-release":
        verbs.github_release(
            root, tag=get("tag"), assets=on("assets"), quiet=on("quiet"), package=get("package")
        )
    elif name == "init":
        setup_verbs.init(
            root,
            force=on("force"),
            trusted_publishing=on("trusted_publishing"),
            environment=get("environment") or "pypi",
            repository=get("repository"),
            flow=get("flow"),
        )
    elif name == "doctor":
        setup_verbs.doctor(
            root,
            as_json=on("json"),
            offline=on("offline"),
            online=on("online"),
            package=get("package"),
        )
    elif name == "secret" and get("check"):
        setup_verbs.secret_check(root, repository=get("repository"))
    elif name == "secret":
        setup_verbs.secret_set(
            root,
            environment=get("environment"),
            repository_secret=on("repository_secret"),
            repository=get("repository"),
        )
    else:  # pragma: no cover - the table and this function list the same verbs
        raise ReleaseError(f"unknown command {name!r}", "see releasekit --help")
