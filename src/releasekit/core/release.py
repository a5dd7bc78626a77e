"""The verbs every front calls: release, bump, changelog, notes.

Each verb looks at the project once, computes a plan (pure), and applies it
unless asked for a dry run. Fronts only parse flags and print.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.version import Version

from releasekit.core.changelogs import Rolled
from releasekit.core.plan import (
    Commit,
    Options,
    Plan,
    Push,
    Step,
    Tag,
    current_version,
    deletions,
    edits,
    next_version,
    roll,
)
from releasekit.core.preflight import config_problems, git_problems, read_only
from releasekit.core.snapshot import GitState, Project, read_git, read_project
from releasekit.core.version import AUTO, canonical
from releasekit.errors import PreflightError, ReleaseError
from releasekit.system.git import Git

if TYPE_CHECKING:
    from releasekit.core.conventional import Decision
    from releasekit.core.pullflow import FindPull

Confirm = Callable[[Plan], bool]
Report = Callable[[str], None]
RunStep = Callable[[Step], "str | None"]


# Plans the steps after the push (build, upload, GitHub release) and checks them now:
# (project, options, git state, version, tag, notes, environ, resumed) -> (steps, problems,
# messages). The fronts pass publishing.after_push.plan_public_steps; None plans none.
PlanPublic = Callable[
    [Project, Options, GitState, str, str, str, Mapping[str, str], bool],
    tuple[list[Step], list[ReleaseError], list[str]],
]


def read_version(project: Project, options: Options | None = None) -> str:
    """The current version, canonical; a tag-only project's comes from git's tags."""
    tags = Git(project.root).tags() if project.sources.tag_only else []
    first = options is not None and options.first_release
    given = options is not None and options.new_version is not None
    return canonical(current_version(project, tags, first=first, given=given))


def plan_release(
    root: Path,
    options: Options,
    *,
    date: str,
    environ: Mapping[str, str] | None = None,
    public: PlanPublic | None = None,
    find_pull: FindPull | None = None,
    recover: bool = True,
) -> Plan:
    """Everything a release would do, and every problem that stops it.

    A release interrupted earlier (killed outright) is recovered first, so its half-made
    edits are not taken for the user's; `recover=False` (a dry run) leaves it alone
    (recovery.describe_pending names it).
    """
    from releasekit.core.pending import unlocked

    if not unlocked(root):  # one stat; apply (signals, the journal) loads only for a lock
        from releasekit.core.apply import check_not_running

        check_not_running(root)  # before reading files another release may be writing
    told = _recover_first(root, recover)
    plan = _plan_release(
        root, options, date=date, environ=environ, public=public, find_pull=find_pull
    )
    return _told(plan, told)


def _recover_first(root: Path, recover: bool) -> tuple[str, ...]:
    from releasekit.core.pending import none_waiting

    if not recover or none_waiting(root):
        return ()
    from releasekit.core import recovery

    return tuple(recovery.recover(root))


def _told(plan: Plan, told: tuple[str, ...]) -> Plan:
    from releasekit.system.record import replace

    return replace(plan, messages=(*told, *plan.messages)) if told else plan


def _plan_release(
    root: Path,
    options: Options,
    *,
    date: str,
    environ: Mapping[str, str] | None,
    public: PlanPublic | None,
    find_pull: FindPull | None,
) -> Plan:
    environ = os.environ if environ is None else environ
    project = read_project(root, options.package)
    config = project.config
    git = Git(root)
    if not git.is_repository():
        raise git.not_a_repository()
    current = read_version(project, options)
    from releasekit.core import pullflow

    if options.finish:
        return pullflow.plan_finish(project, options, current, environ, public)
    resumed = _plan_resume(project, options, current, environ, public)
    if resumed is not None:
        return resumed
    options, decision = _resolve(project, options, current)
    new = canonical(next_version(Version(current), options))
    tag = config.tag(new)
    filled, decided = _fill(project, decision)
    decided = [*(decision.lines() if decision else []), *decided]
    rolled = roll(filled, new, date=date, tag=tag, allow_empty=options.allow_empty_changelog)
    writes, problems = edits(
        project, new, date=date, tag=tag, allow_empty=options.allow_empty_changelog, rolled=rolled
    )
    deletes = deletions(rolled)
    paths = tuple(write.path for write in writes)
    gone = [delete.path for delete in deletes]
    state = read_git(root, config, tag, [*paths, *gone], remote=options.push)
    problems.extend(git_problems(state, project, tag, paths, options.push))
    problems.extend(config_problems(config))
    if project.base:  # another member's pin must admit the new version; none is rewritten
        from releasekit.core import workspace

        problems.extend(workspace.pin_problems(root, project.sources.project, new))
    notes = rolled.notes if isinstance(rolled, Rolled) else ""
    sign = config.sign if options.sign is None else options.sign
    # Deleted fragments git knows are committed as deletions; untracked ones just go.
    committed = (*paths, *(path for path in gone if path in state.tracked))
    steps: list[Step] = [
        *writes,
        *deletes,
        # A tag-only project with nothing to write tags HEAD itself: no empty commit.
        *([Commit(committed, config.message(new))] if committed else []),
        Tag(tag, f"{tag}\n\n{notes}".strip() + "\n", sign),
    ]
    messages: list[str] = [*decided, *(rolled.messages if isinstance(rolled, Rolled) else ())]
    if pullflow.wanted(project, options):
        made = pullflow.Release(current, new, tag, notes, writes, deletes, state, problems)
        return pullflow.plan_via_pr(project, options, made, messages, find_pull, environ)
    if options.push:
        steps.append(Push(config.remote, (f"refs/heads/{config.branch}", f"refs/tags/{tag}")))
        if public is not None:
            asked = (project, options, state, new, tag, notes, environ, False)
            after, more, published = public(*asked)
            steps += after
            problems += more
            messages += published
    return Plan(
        project.sources.project,
        current,
        new,
        tag,
        notes,
        tuple(steps),
        tuple(problems),
        messages=tuple(messages),
        package=project.base,
    )


def _resolve(project: Project, options: Options, current: str) -> tuple[Options, Decision | None]:
    """conventional.resolve; its module (commit parsing) loads only when the part is
    `auto` or comes from [tool.releasekit] part, the cases it does anything for."""
    configured = options.part is None and options.new_version is None and project.config.part
    if options.part != AUTO and not configured:
        return options, None
    from releasekit.core import conventional

    return conventional.resolve(project, options, current)


def _fill(project: Project, decision: Decision | None) -> tuple[Project, list[str]]:
    """conventional.fill, which keeps the project as it is without a decision."""
    if decision is None:
        return project, []
    from releasekit.core import conventional

    return conventional.fill(project, decision)


def _plan_resume(
    project: Project,
    options: Options,
    current: str,
    environ: Mapping[str, str],
    public: PlanPublic | None,
) -> Plan | None:
    """Converge: when HEAD is already the release commit of the current version, finish it.

    A run that failed after its tag (push rejected with --no-push later lifted, upload
    cut off, GitHub down) is completed by running the same command again.
    """
    config = project.config
    tag = config.tag(current)
    git = Git(project.root)
    if options.new_version is not None or options.allow_empty_changelog:
        return None
    head = git.head()
    if head is None or git.ref(f"refs/tags/{tag}") != head:
        return None
    try:
        pending = project.changelog_format.pending(project.files)
    except ReleaseError:  # no unreleased section (a pallets roll leaves none): nothing waits
        pending = None
    if pending is not None and not pending.empty:
        return None
    state = read_git(project.root, config, tag, [], remote=options.push)
    problems = git_problems(state, project, tag, (), options.push, resumed=True)
    notes = _notes_of(project, current)
    steps: list[Step] = []
    notes_for_user: list[str] = []
    if options.push:
        missing = []
        remote_sha = state.remote.branch_sha
        # Push the branch when the remote lacks it or is strictly behind the release commit;
        # when it moved on past it, only the tag is missing.
        if remote_sha is None or (remote_sha != state.head and state.head_in_remote):
            missing.append(f"refs/heads/{config.branch}")
        if state.remote.tag_sha is None:
            missing.append(f"refs/tags/{tag}")
        if missing:
            steps.append(Push(config.remote, tuple(missing)))
        if public is not None:
            after, more, notes_for_user = public(
                project, options, state, current, tag, notes, environ, True
            )
            steps += after
            problems += more
    if steps:
        message = f"{tag} is already committed and tagged at HEAD: finishing that release"
    else:
        message = f"{tag} is released: HEAD is its release commit and [Unreleased] is empty"
    return Plan(
        project.sources.project,
        current,
        current,
        tag,
        notes,
        tuple(steps),
        tuple(problems),
        resumed=True,
        messages=(message, *notes_for_user),
        package=project.base,
    )


def _notes_of(project: Project, version: str) -> str:
    try:
        return project.changelog_format.notes(project.files, version)
    except ReleaseError:
        return ""


def release(
    root: Path,
    options: Options,
    *,
    date: str,
    dry_run: bool = False,
    report: Report,
    confirm: Confirm | None = None,
    run_step: RunStep | None = None,
    public: PlanPublic | None = None,
) -> Plan:
    """Plan, refuse on any problem, ask, then apply (undone on failure before the push)."""
    plan = plan_release(root, options, date=date, public=public)
    if dry_run:
        return plan
    return release_plan(root, plan, report=report, confirm=confirm, run_step=run_step)


def release_plan(
    root: Path,
    plan: Plan,
    *,
    report: Report,
    confirm: Confirm | None = None,
    run_step: RunStep | None = None,
) -> Plan:
    """Apply a plan computed earlier: refuse on any problem, ask, then run."""
    if plan.problems:
        raise PreflightError(plan.problems)
    if not plan.steps:
        return plan
    if confirm is not None and not confirm(plan):
        raise ReleaseError("release cancelled", "nothing was changed")
    from releasekit.core.apply import Context, apply

    apply(plan, Context(root, report, run_step))
    return plan


def plan_files(
    root: Path,
    options: Options,
    *,
    date: str,
    versions: bool,
    changelog: bool,
    recover: bool = True,
) -> Plan:
    """`bump` (version files) and `changelog` (CHANGELOG only): file edits, no git; an
    interrupted release is recovered first, as for plan_release."""
    told = _recover_first(root, recover)
    plan = _plan_files(root, options, date=date, versions=versions, changelog=changelog)
    return _told(plan, told)


def _plan_files(
    root: Path, options: Options, *, date: str, versions: bool, changelog: bool
) -> Plan:
    project = read_project(root, options.package)
    current = read_version(project, options)
    options, decision = _resolve(project, options, current)
    new = canonical(next_version(Version(current), options))
    tag = project.config.tag(new)
    filled, decided = _fill(project, decision if changelog else None)
    decided = [*(decision.lines() if decision else []), *decided]
    rolled = (
        roll(filled, new, date=date, tag=tag, allow_empty=options.allow_empty_changelog)
        if changelog
        else None
    )
    writes, problems = edits(
        project,
        new,
        date=date,
        tag=tag,
        allow_empty=options.allow_empty_changelog,
        version_files=versions,
        roll_changelog=changelog,
        rolled=rolled,
    )
    problems.extend(
        read_only(path) for path in project.unwritable if any(w.path == path for w in writes)
    )
    if changelog:  # its compare links name tags
        problems.extend(config_problems(project.config))
    notes = rolled.notes if isinstance(rolled, Rolled) else ""
    steps: tuple[Step, ...] = (*writes, *deletions(rolled))
    messages = (*decided, *(rolled.messages if isinstance(rolled, Rolled) else ()))
    name = project.sources.project
    found = tuple(problems)
    return Plan(
        name, current, new, tag, notes, steps, found, messages=messages, package=project.base
    )


def notes(root: Path, version: str | None = None, package: str | None = None) -> str:
    """A version's CHANGELOG section (default: the current version)."""
    project = read_project(root, package)
    if version is None:
        version = read_version(project)
    return project.changelog_format.notes(project.files, version)
