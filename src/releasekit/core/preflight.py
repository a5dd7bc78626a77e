"""What stops a release, found before its first write: git, the remote, the files, the config.

Pure code over the snapshot (snapshot.py); every problem is collected, none raised, so
the user sees them all in one run.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence

from releasekit.core.config import Config
from releasekit.core.snapshot import GitState, Project
from releasekit.errors import GitError, ReleaseError


def config_problems(config: Config) -> list[ReleaseError]:
    """What the configuration cannot decide alone: tags of two formats."""
    cause, _, fix = config.tag_format_mixed.partition("; ")
    return [ReleaseError(cause, fix)] if cause else []


def read_only(path: str) -> ReleaseError:
    return ReleaseError(f"{path} is read-only", f"make it writable (chmod u+w {path})")


def git_problems(
    git: GitState,
    project: Project,
    tag: str,
    paths: Sequence[str],
    push: bool,
    *,
    resumed: bool = False,
) -> list[ReleaseError]:
    """Everything about the repository that would make the release fail or go wrong.

    When finishing a release (`resumed`), its own tag is expected, and a remote that
    moved on past the release commit is fine: only the missing refs are pushed.
    """
    config = project.config
    problems: list[ReleaseError] = []
    if git.head is None:
        return [GitError("the repository has no commit yet", "commit the project first")]
    if git.branch is None:
        problems.append(GitError("HEAD is detached", f"check out {config.branch} first"))
    elif git.branch != config.branch:
        problems.append(
            GitError(
                f"on branch {git.branch}, releases are made from {config.branch}",
                f"git switch {config.branch}, or set [tool.releasekit] branch",
            )
        )
    dirty = [p for p in git.changed if not any(fnmatch.fnmatch(p, g) for g in config.allow_dirty)]
    if dirty:
        problems.append(
            GitError(
                f"uncommitted changes in {', '.join(dirty)}",
                "commit or stash them, or list them in [tool.releasekit] allow-dirty",
            )
        )
    untracked = [path for path in paths if path not in git.tracked]
    if untracked:
        problems.append(
            GitError(f"{', '.join(untracked)} not tracked by git", "git add and commit it first")
        )
    problems.extend(read_only(path) for path in project.unwritable)
    if git.local_tag is not None and not resumed:
        problems.append(
            GitError(
                f"tag {tag} already exists locally",
                f"delete it (git tag -d {tag}) or choose another version",
            )
        )
    if push and (not resumed or git.remote_url is None or git.remote.error is not None):
        problems += _remote_problems(git, config.remote, config.branch, tag)
    return problems


def _remote_problems(git: GitState, remote: str, branch: str, tag: str) -> list[ReleaseError]:
    if git.remote_url is None:
        return [GitError(f"no remote named {remote}", f"git remote add {remote} URL, or --no-push")]
    if git.remote.error is not None:
        return [
            GitError(
                f"cannot reach remote {remote}: {git.remote.error}",
                "check the network and credentials, or use --no-push",
            )
        ]
    problems: list[ReleaseError] = []
    if git.remote.tag_sha is not None:
        problems.append(
            GitError(
                f"tag {tag} already exists on {remote}",
                "the version was released before: choose another version",
            )
        )
    if git.remote.branch_sha is not None and not git.head_in_remote:
        problems.append(
            GitError(
                f"{branch} is behind or has diverged from {remote}/{branch}",
                f"git pull {remote} {branch} first",
            )
        )
    return problems
