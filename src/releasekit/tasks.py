"""Invoke front: a user's tasks.py gets every release task with one line,

    from releasekit.tasks import *

Importing this module costs next to nothing (invoke is already loaded): the
core is imported inside each task, so `invoke --list` stays as fast as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

__all__ = [
    "build",
    "bump",
    "changelog",
    "doctor",
    "github_release",
    "notes",
    "publish",
    "release",
    "secret",
]

_VERSION_HELP = {
    "part": "major, minor, patch, pre (next pre-release) or release (finalise)",
    "pre": "start or move a pre-release: alpha, beta or rc",
    "new-version": "set this exact version instead of a part",
    "dry-run": "show the plan with every file's diff and change nothing",
}
_EMPTY_HELP = {"allow-empty-changelog": "release even with nothing under [Unreleased]"}


def _call(name: str, **kwargs: Any) -> None:
    """Run a releasekit command; a ReleaseError ends the task with its one line."""
    from releasekit import commands
    from releasekit.errors import ReleaseError

    function: Callable[..., None] = getattr(commands, name)
    try:
        function(commands.find_root(), **kwargs)
    except ReleaseError as exc:
        raise Exit(f"releasekit: error: {exc}", code=1) from None
    except KeyboardInterrupt:
        raise Exit("releasekit: interrupted", code=130) from None


def _options(**kwargs: Any) -> Any:
    from releasekit import commands

    try:
        return commands.options(**kwargs)
    except Exception as exc:  # ReleaseError, without importing it at module load
        raise Exit(f"releasekit: error: {exc}", code=1) from None


@task(
    help={
        **_VERSION_HELP,
        **_EMPTY_HELP,
        "yes": "do not ask for confirmation",
        "push": "push the commit and tag (--no-push keeps them local)",
        "sign": "sign the tag (git tag --sign)",
        "publish": "after the push, build and upload to the package index",
        "github-release": "create the GitHub release (default when the remote is on GitHub)",
        "repository": "index to upload to: pypi, testpypi, a URL or a .pypirc section",
        "verbose": "show the tools' own output on failure",
    }
)
def release(
    c: Context,
    part: str | None = None,
    pre: str | None = None,
    new_version: str | None = None,
    dry_run: bool = False,
    yes: bool = False,
    allow_empty_changelog: bool = False,
    push: bool = True,
    sign: bool = False,
    publish: bool = False,
    github_release: bool = True,
    repository: str | None = None,
    verbose: bool = False,
) -> None:
    """Bump, update CHANGELOG.md, commit, tag, push (and publish): undone on failure."""
    opts = _options(
        part=part,
        pre=pre,
        new_version=new_version,
        allow_empty_changelog=allow_empty_changelog,
        push=push,
        sign=True if sign else None,
        publish=True if publish else None,
        github_release=None if github_release else False,
        repository=repository,
    )
    _call("release", opts=opts, dry_run=dry_run, yes=yes, verbose=verbose)


@task(help=_VERSION_HELP)
def bump(
    c: Context,
    part: str | None = None,
    pre: str | None = None,
    new_version: str | None = None,
    dry_run: bool = False,
) -> None:
    """Write the next version into every version file (no git)."""
    opts = _options(part=part, pre=pre, new_version=new_version)
    _call("edit", opts=opts, versions=True, changelog=False, dry_run=dry_run)


@task(help={**_VERSION_HELP, **_EMPTY_HELP})
def changelog(
    c: Context,
    part: str | None = None,
    pre: str | None = None,
    new_version: str | None = None,
    dry_run: bool = False,
    allow_empty_changelog: bool = False,
) -> None:
    """Move the [Unreleased] entries of CHANGELOG.md under the next version (no git)."""
    opts = _options(
        part=part, pre=pre, new_version=new_version, allow_empty_changelog=allow_empty_changelog
    )
    _call("edit", opts=opts, versions=False, changelog=True, dry_run=dry_run)


@task(help={"version": "the version whose section to print (default: the current one)"})
def notes(c: Context, version: str | None = None) -> None:
    """Print a version's CHANGELOG section: the release notes."""
    _call("notes", version=version)


@task(help={"installer": "uv or pip (default: uv when available)"})
def build(c: Context, installer: str | None = None) -> None:
    """Build the sdist and the wheel into dist/, verified, with SHA256SUMS."""
    _call("build", installer=installer)


@task(
    help={
        "repository": "pypi (default), testpypi, a URL or a .pypirc section",
        "verbose": "show twine's own output on failure",
    }
)
def publish(c: Context, repository: str | None = None, verbose: bool = False) -> None:
    """Upload dist/ to the package index; files already there are skipped."""
    _call("publish", repository=repository, verbose=verbose)


@task(
    help={
        "tag": "the tag to release (default: the current version's)",
        "assets": "attach the files of dist/",
    }
)
def github_release(c: Context, tag: str | None = None, assets: bool = False) -> None:
    """Create or update the GitHub release of a tag, with its CHANGELOG section as body."""
    _call("github_release", tag=tag, assets=assets)


@task(
    help={
        "json": "print the checks as JSON, for machines",
        "offline": "do not ask the package index whether the version is free",
        "online": "also ask GitHub: the PYPI_TOKEN secret and its age, environment, tags, runs",
    }
)
def doctor(c: Context, json: bool = False, offline: bool = False, online: bool = False) -> None:
    """Check that the project is ready to release: every problem at once, each with its fix."""
    _call("doctor", as_json=json, offline=offline, online=online)


@task(
    help={
        "check": "only check the token, store nothing",
        "environment": "store it in this GitHub environment (default: release.yml's)",
        "repository-secret": "store it as a repository secret instead",
        "repository": "the index it is for: pypi, testpypi, a URL or a .pypirc section",
    }
)
def secret(
    c: Context,
    check: bool = False,
    environment: str | None = None,
    repository_secret: bool = False,
    repository: str | None = None,
) -> None:
    """Store a checked PyPI token (stdin or hidden prompt) as GitHub's PYPI_TOKEN secret."""
    if check:
        _call("secret_check", repository=repository)
    else:
        _call(
            "secret_set",
            environment=environment,
            repository_secret=repository_secret,
            repository=repository,
        )
