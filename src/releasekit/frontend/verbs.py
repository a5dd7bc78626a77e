"""What the fronts share: flags in, the verb called, lines out.

The Invoke tasks and the `releasekit` command are two thin parsers over these
functions, so both paths print the same lines and fail with the same message.
This is the only layer that prints; errors propagate as ReleaseError.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from releasekit.errors import PreflightError, ReleaseError
from releasekit.system.facts import interactive
from releasekit.system.redact import redact

if TYPE_CHECKING:  # the plan and its imports load only for the commands that plan
    from releasekit.core.plan import Options, Plan
    from releasekit.frontend.progress import Progress


def say(text: str, *, err: bool = False) -> None:
    """Every line a front prints goes through here, masked."""
    print(redact(text), file=sys.stderr if err else sys.stdout, flush=True)


def progress(*, quiet: bool = False) -> Progress:
    """Start lines for the slow steps (with a live elapsed time on a terminal); none
    with --quiet."""
    from releasekit.frontend.progress import Progress

    return Progress(say, quiet=quiet)


def bullet(text: str) -> None:
    """A step's report, one bullet a line."""
    for line in text.splitlines():
        say(f"- {line}")


def today() -> str:
    """The release date; SOURCE_DATE_EPOCH pins it for reproducible runs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    # time, not datetime: one module less to load (years from 1970 on print the same).
    if epoch and epoch.isdigit():
        return time.strftime("%Y-%m-%d", time.gmtime(int(epoch)))
    return time.strftime("%Y-%m-%d")


def options(
    *,
    part: str | None = None,
    pre: str | None = None,
    new_version: str | None = None,
    allow_empty_changelog: bool = False,
    push: bool = True,
    sign: bool | None = None,
    publish: bool | None = None,
    github_release: bool | None = None,
    repository: str | None = None,
    first_release: bool = False,
    via_pr: bool = False,
    finish: bool = False,
    package: str | None = None,
) -> Options:
    from releasekit.core.plan import Options

    return Options(
        part,  # type: ignore[arg-type]  # one of flags.PARTS: dispatch checked it
        pre,
        new_version,
        allow_empty_changelog,
        push,
        sign,
        publish,
        github_release,
        repository,
        first_release,
        via_pr,
        finish,
        package,
    )


def _confirm(plan: Plan) -> bool:
    say(plan.describe())
    answer = input(f"Release {plan.project} {plan.version}? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _show_dry_run(plan: Plan) -> None:
    say(plan.describe())
    if plan.problems:
        raise PreflightError(plan.problems)
    say("Dry run: nothing was changed.")


def release(
    root: Path,
    opts: Options,
    *,
    dry_run: bool = False,
    yes: bool = False,
    verbose: bool = False,
    quiet: bool = False,
    frontend: str | None = None,
) -> None:
    from releasekit.core import release as verbs
    from releasekit.github.pulls import find_open
    from releasekit.publishing.after_push import PublicSteps, plan_public_steps

    _recover_first(root, dry_run)
    plan = verbs.plan_release(
        root,
        opts,
        date=today(),
        public=plan_public_steps,
        find_pull=find_open,
        recover=not dry_run,
    )
    if dry_run:
        _show_dry_run(plan)
        return

    confirm = None if yes or not interactive(os.environ, sys.stdin) else _confirm
    hush = quiet and bool(plan.steps)  # with nothing to do, the messages are the result
    for message in plan.messages if (plan.steps or not plan.problems) and not hush else ():
        say(message)
    shown = progress(quiet=quiet)
    try:
        verbs.release_plan(
            root,
            plan,
            report=shown.report,
            confirm=confirm,
            run_step=PublicSteps(
                root,
                verbose=verbose,
                phase=shown.phase,
                package=plan.package or None,
                frontend=frontend,
            ),
        )
    finally:
        shown.stop()
    if not plan.steps:
        say("Nothing to do.")
    elif plan.waits_for_merge:
        say(
            f"{plan.project} {plan.version} waits in its pull request: merge it, then run "
            "`releasekit release --finish`."
        )
    else:
        say(f"Released {plan.project} {plan.version} (tag {plan.tag}).")


def edit(
    root: Path, opts: Options, *, versions: bool, changelog: bool, dry_run: bool = False
) -> None:
    """`bump` and `changelog`: file edits only, no git."""
    from releasekit.core import release as verbs

    _recover_first(root, dry_run)
    plan = verbs.plan_files(
        root, opts, date=today(), versions=versions, changelog=changelog, recover=not dry_run
    )
    if dry_run:
        _show_dry_run(plan)
        return
    verbs.release_plan(root, plan, report=bullet)
    what = "version" if versions and not changelog else "changelog"
    say(f"{plan.project}: {what} moved from {plan.current} to {plan.version}.")


def _recover_first(root: Path, dry_run: bool) -> None:
    """A release killed earlier is recovered before planning, and said first (a dry run
    only names it)."""
    from releasekit.core.pending import none_waiting

    if none_waiting(root):  # one stat, instead of loading the journal and running git
        return
    from releasekit.core import recovery

    for line in recovery.describe_pending(root) if dry_run else recovery.recover(root):
        say(line)


def recover(
    root: Path, *, rollback: bool = False, finish: bool = False, verbose: bool = False
) -> None:
    """`releasekit recover`: what an interrupted release left and what each choice does;
    --rollback or --finish carries one out."""
    from releasekit.core import recovery

    if rollback and finish:
        raise ReleaseError("--rollback and --finish exclude each other", "give one of them")
    found = recovery.find(root)
    if found is None:
        say("Nothing to recover: no interrupted release in this repository.")
        return
    if not (rollback or finish):
        for line in found.lines(root):
            say(line)
        return
    again = found.finish_options() if finish else None  # refused before anything changes
    for line in recovery.recover(root, recovery.FINISH if finish else recovery.ROLLBACK):
        say(line)
    if again is None:
        say("Rolled back: files, HEAD and tags are as they were before that release.")
        return
    release(root, again, yes=True, verbose=verbose)


def notes(root: Path, version: str | None = None, *, package: str | None = None) -> None:
    from releasekit.core import release as verbs

    say(verbs.notes(root, version, package))


def build(
    root: Path,
    *,
    installer: str | None = None,
    sdist_only: bool = False,
    quiet: bool = False,
    package: str | None = None,
    frontend: str | None = None,
) -> None:
    from releasekit.publishing import after_push as public

    shown = progress(quiet=quiet)
    built = public.build(
        root,
        installer=installer,
        frontend=frontend,
        sdist_only=sdist_only,
        phase=shown.phase,
        package=package,
    )
    for warning in built.warnings:
        say(f"warning: {warning}", err=True)
    names = ", ".join(path.name for path in (built.sdist, *built.wheels))
    say(f"Built {names} and {built.checksums.name} in dist/.")


def verify(root: Path, *, package: str | None = None) -> None:
    """`releasekit verify`: dist/ is what publish would upload, or the reason it is not."""
    from releasekit.publishing import after_push as public

    checked = public.verify(root, phase=progress().phase, package=package)
    for warning in checked.warnings:
        say(f"warning: {warning}", err=True)
    for path in checked.files:
        say(f"- {path.name}")
    wheels = len(checked.wheels)
    say(
        f"Verified dist/: 1 sdist and {wheels} wheel{'s' * (wheels != 1)}, "
        f"matching {checked.checksums.name}."
    )


def publish(
    root: Path,
    *,
    repository: str | None = None,
    verbose: bool = False,
    quiet: bool = False,
    package: str | None = None,
) -> None:
    from releasekit.publishing.twine_child import start_upload  # not upload.py: it loads more

    warm = start_upload(os.environ, cwd=root)  # first: its start-up overlaps everything else
    try:
        from releasekit.publishing import after_push as public

        shown = progress(quiet=quiet)
        report = public.publish(
            root,
            repository=repository,
            verbose=verbose,
            warm=warm,
            phase=shown.phase,
            package=package,
        )
    finally:
        warm.cancel()
    if not quiet:
        say(public.publish_summary(report))
    if report.uploaded:
        say(f"Published {len(report.uploaded)} file(s) to {report.repository}.")
    else:
        say(f"Nothing to upload: every file is already on {report.repository}.")


def github_release(
    root: Path,
    *,
    tag: str | None = None,
    assets: bool = False,
    quiet: bool = False,
    package: str | None = None,
) -> None:
    from releasekit.publishing import after_push as public

    shown = progress(quiet=quiet)
    result = public.github_release(root, tag=tag, assets=assets, phase=shown.phase, package=package)
    say(f"GitHub release {result.action}: {result.html_url}")
