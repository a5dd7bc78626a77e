"""Protected branches: the release commit through a pull request, the tag after its merge.

Where nobody may push to the release branch, `--via-pr` (or `flow = "pull-request"`)
commits the release on its own branch, beside the work tree, pushes that branch alone
and opens a pull request; `--finish`, on the merged commit, tags it and publishes.
Both converge: run again, they do what is left, or say that nothing is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from releasekit.core.plan import (
    BranchCommit,
    DeleteFile,
    Options,
    Plan,
    PullRequest,
    Push,
    Step,
    Tag,
    WriteFile,
)
from releasekit.core.preflight import git_problems
from releasekit.core.snapshot import GitState, Project, read_git
from releasekit.errors import GitError, ReleaseError
from releasekit.system.git import Git
from releasekit.system.record import record


@record
class OpenPull:
    """A pull request GitHub has open for the release branch."""

    number: int
    url: str


# (root, remote URL, head branch, base branch, environ) -> the open pull request or None;
# raises ReleaseError when GitHub cannot be asked. The fronts pass github.pulls.find_open.
FindPull = Callable[[Path, "str | None", str, str, Mapping[str, str]], "OpenPull | None"]
Public = Callable[..., tuple[list[Step], list[ReleaseError], list[str]]]


def wanted(project: Project, options: Options) -> bool:
    """The pull-request flow: asked with --via-pr or configured with `flow`."""
    return options.via_pr or project.config.flow == "pull-request"


@record
class Release:
    """What plan_release computed for a new version, handed to the pull-request flow."""

    current: str
    new: str
    tag: str
    notes: str
    writes: Sequence[WriteFile]
    deletes: Sequence[DeleteFile]
    state: GitState
    problems: Sequence[ReleaseError]


def plan_via_pr(
    project: Project,
    options: Options,
    release: Release,
    said: Sequence[str],
    find_pull: FindPull | None,
    environ: Mapping[str, str],
) -> Plan:
    """Commit on `release/v{version}` beside the work tree, push that branch alone, open
    the pull request; while it is open, say so and do nothing."""
    config, state, git = project.config, release.state, Git(project.root)
    branch, base = config.pr_branch_name(release.new), config.branch
    problems = list(release.problems)
    messages = [*said, f"pull-request flow: {base} and the tags stay as they are"]
    if not options.push:
        problems.append(
            ReleaseError("the pull-request flow pushes a branch", "drop --no-push (or --via-pr)")
        )
    pull = None
    if find_pull is None:
        problems.append(ReleaseError("no way to ask GitHub here", "run `releasekit release`"))
    else:
        try:
            pull = find_pull(project.root, state.remote_url, branch, base, environ)
        except ReleaseError as exc:
            problems.append(exc)

    def plan(steps: Sequence[Step], problems: Sequence[ReleaseError], *said: str) -> Plan:
        name = project.sources.project
        notes = release.notes
        return Plan(
            name,
            release.current,
            release.new,
            release.tag,
            notes,
            tuple(steps),
            tuple(problems),
            messages=(*messages, *said),
            package=project.base,
        )

    if pull is not None:
        return plan(
            (),
            (),
            f"the pull request #{pull.number} {branch} -> {base} is open: {pull.url}",
            f"merge it, then run `releasekit release --finish` on {base}",
        )
    message = config.message(release.new)
    opened = PullRequest(branch, base, message, release.notes, config.remote)
    remote_sha = _remote_branch(git, config.remote, branch) if options.push else None
    if remote_sha is not None:
        earlier = git.has_commit(remote_sha) and git.ref(f"{remote_sha}~1") == state.head
        if state.head is not None and earlier:  # an earlier run pushed it, then stopped
            return plan([opened], problems, f"{branch} is on {config.remote} already")
        problems.append(
            GitError(
                f"branch {branch} already exists on {config.remote}",
                f"delete it (git push {config.remote} --delete {branch}), then run again",
            )
        )
    elif git.ref(f"refs/heads/{branch}") is not None:
        problems.append(
            GitError(
                f"a local branch {branch} exists",
                f"delete it (git branch -D {branch}), then run the same command again",
            )
        )
    tracked = [d.path for d in release.deletes if d.path in state.tracked]
    steps: list[Step] = [
        BranchCommit(
            branch,
            state.head or "",
            tuple(release.writes),
            tuple(tracked),
            config.message(release.new),
        ),
        Push(config.remote, (f"refs/heads/{branch}",)),
        opened,
    ]
    return plan(steps, problems)


def _remote_branch(git: Git, remote: str, branch: str) -> str | None:
    try:
        return git.ls_remote(remote, [f"refs/heads/{branch}"]).get(f"refs/heads/{branch}")
    except ReleaseError:  # git_problems reported the unreachable remote already
        return None


def plan_finish(
    project: Project,
    options: Options,
    current: str,
    environ: Mapping[str, str],
    public: Public | None,
) -> Plan:
    """After the merge: tag the commit whose files carry a version without a tag, push the
    tag, publish. Once the tag is on the remote there is nothing to finish."""
    config = project.config
    tag = config.tag(current)
    state = read_git(project.root, config, tag, [], remote=options.push)
    name = project.sources.project
    local = state.local_tag
    done = state.remote.tag_sha is not None or (local is not None and local != state.head)
    if done:
        where = config.remote if state.remote.tag_sha is not None else "this repository"
        return Plan(
            name,
            current,
            current,
            tag,
            "",
            resumed=True,
            messages=(
                f"{tag} is tagged in {where} already: nothing to finish",
                f"(a missing GitHub release: releasekit github-release --tag {tag})",
            ),
        )
    problems = git_problems(state, project, tag, (), options.push, resumed=True)
    if options.push and state.remote.error is None and state.remote.branch_sha != state.head:
        problems.append(
            GitError(
                f"HEAD is not {config.remote}/{config.branch}: the tag goes on the merged commit",
                f"git pull {config.remote} {config.branch}, then run the same command again",
            )
        )
    try:
        text = project.changelog_format.notes(project.files, current)
    except ReleaseError as exc:
        problems.append(exc)
        text = ""
    sign = config.sign if options.sign is None else options.sign
    steps: list[Step] = (
        [] if local is not None else [Tag(tag, f"{tag}\n\n{text}".strip() + "\n", sign)]
    )
    messages = [f"HEAD carries {current}, which has no tag on {config.remote} yet"]
    if options.push:
        steps.append(Push(config.remote, (f"refs/tags/{tag}",)))
        if public is not None:
            after, more, said = public(
                project, options, state, current, tag, text, environ, local is not None
            )
            steps += after
            problems += more
            messages += said
    return Plan(
        name,
        current,
        current,
        tag,
        text,
        tuple(steps),
        tuple(problems),
        resumed=True,
        messages=tuple(messages),
        package=project.base,
    )
