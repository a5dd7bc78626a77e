"""The `releasekit` command: the same verbs and flags as the Invoke tasks.

argparse only at import time, so `releasekit --help` answers at once; the
core is imported when a command runs. The one place that exits.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from releasekit import __version__


def _version_flags(parser: argparse.ArgumentParser, *, empty: bool = True) -> None:
    parser.add_argument(
        "--part", choices=("major", "minor", "patch", "pre", "release"), help="what to bump"
    )
    parser.add_argument(
        "--pre", choices=("alpha", "beta", "rc"), help="start or move a pre-release"
    )
    parser.add_argument("--new-version", metavar="X", help="set this exact version")
    parser.add_argument("--dry-run", action="store_true", help="show the plan, change nothing")
    if empty:
        parser.add_argument(
            "--allow-empty-changelog",
            action="store_true",
            help="go on with nothing under [Unreleased]",
        )


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="releasekit",
        description="Release Python projects: the same tasks from a laptop and from CI.",
    )
    top.add_argument("--version", action="version", version=f"releasekit {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND", required=True)

    release = sub.add_parser("release", help="bump, changelog, commit, tag, push (and publish)")
    _version_flags(release)
    release.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    release.add_argument("--no-push", dest="push", action="store_false", help="keep it local")
    release.add_argument("--sign", action="store_const", const=True, help="sign the tag")
    release.add_argument(
        "--publish", action="store_const", const=True, help="build and upload after the push"
    )
    release.add_argument(
        "--no-github-release",
        dest="github_release",
        action="store_const",
        const=False,
        help="do not create the GitHub release",
    )
    release.add_argument("--repository", help="pypi, testpypi, a URL or a .pypirc section")
    release.add_argument("--verbose", "-v", action="store_true", help="tools' output on failure")

    bump = sub.add_parser("bump", help="write the next version into every version file")
    _version_flags(bump, empty=False)
    changelog = sub.add_parser("changelog", help="roll [Unreleased] under the next version")
    _version_flags(changelog)
    notes = sub.add_parser("notes", help="print a version's CHANGELOG section")
    notes.add_argument("--version", dest="notes_version", metavar="X", help="default: current")

    build = sub.add_parser("build", help="build sdist and wheel into dist/, verified")
    build.add_argument("--installer", choices=("uv", "pip"), help="default: uv when available")
    publish = sub.add_parser("publish", help="upload dist/; files already there are skipped")
    publish.add_argument("--repository", help="pypi, testpypi, a URL or a .pypirc section")
    publish.add_argument("--verbose", "-v", action="store_true", help="twine's own output")
    github = sub.add_parser("github-release", help="create or update the GitHub release")
    github.add_argument("--tag", help="default: the current version's tag")
    github.add_argument("--assets", action="store_true", help="attach the files of dist/")

    init = sub.add_parser("init", help="add what releasing needs: tasks, nox sessions, release.yml")
    init.add_argument("--force", action="store_true", help="overwrite files releasekit writes")
    init.add_argument(
        "--trusted-publishing", action="store_true", help="release.yml without a PYPI_TOKEN secret"
    )
    init.add_argument("--environment", default="pypi", help="GitHub environment of the upload")
    init.add_argument("--repository", help="pypi (default), testpypi or another index name")
    doctor = sub.add_parser("doctor", help="check that the project is ready to release")
    doctor.add_argument("--json", dest="as_json", action="store_true", help="JSON for machines")
    doctor.add_argument("--offline", action="store_true", help="do not ask the package index")
    doctor.add_argument(
        "--online", action="store_true", help="also ask GitHub: secret, environment, tags, runs"
    )

    secret = sub.add_parser("secret", help="store a checked PyPI token as GitHub's PYPI_TOKEN")
    actions = secret.add_subparsers(dest="verb", metavar="ACTION", required=True)
    set_secret = actions.add_parser(
        "set", help="read a token (stdin or hidden prompt), check it, store it encrypted"
    )
    where = set_secret.add_mutually_exclusive_group()
    where.add_argument("--environment", metavar="NAME", help="default: release.yml's environment")
    where.add_argument(
        "--repository-secret", action="store_true", help="a repository secret, not an environment's"
    )
    check_secret = actions.add_parser("check", help="only check a token (stdin or hidden prompt)")
    for action in (set_secret, check_secret):
        action.add_argument("--repository", help="pypi, testpypi, a URL or a .pypirc section")

    demo = sub.add_parser("demo", help="release a throwaway sample project, both paths")
    demo.add_argument("--keep", action="store_true", help="keep the sample folder")
    return top


def _dispatch(args: argparse.Namespace) -> None:
    from releasekit import commands

    command: str = args.command
    if command == "demo":
        from releasekit.demo import run as run_demo

        run_demo(keep=args.keep, say=commands.say)
        return
    root = commands.find_root()
    if command == "release":
        opts = commands.options(
            **_pick(
                args,
                "part",
                "pre",
                "new_version",
                "allow_empty_changelog",
                "push",
                "sign",
                "publish",
                "github_release",
                "repository",
            )
        )
        commands.release(root, opts, dry_run=args.dry_run, yes=args.yes, verbose=args.verbose)
    elif command in ("bump", "changelog"):
        keys = ("part", "pre", "new_version") + (
            ("allow_empty_changelog",) if command == "changelog" else ()
        )
        opts = commands.options(**_pick(args, *keys))
        commands.edit(
            root,
            opts,
            versions=command == "bump",
            changelog=command == "changelog",
            dry_run=args.dry_run,
        )
    elif command == "notes":
        commands.notes(root, args.notes_version)
    elif command == "build":
        commands.build(root, installer=args.installer)
    elif command == "publish":
        commands.publish(root, repository=args.repository, verbose=args.verbose)
    elif command == "github-release":
        commands.github_release(root, tag=args.tag, assets=args.assets)
    elif command == "init":
        commands.init(
            root, **_pick(args, "force", "trusted_publishing", "environment", "repository")
        )
    elif command == "doctor":
        commands.doctor(root, as_json=args.as_json, offline=args.offline, online=args.online)
    elif command == "secret" and args.verb == "set":
        commands.secret_set(root, **_pick(args, "environment", "repository_secret", "repository"))
    elif command == "secret":
        commands.secret_check(root, repository=args.repository)


def _pick(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    return {name: getattr(args, name) for name in names}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from releasekit.errors import ReleaseError

    try:
        _dispatch(args)
    except ReleaseError as exc:
        from releasekit.redact import redact

        print(f"releasekit: error: {redact(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("releasekit: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
