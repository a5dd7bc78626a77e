"""What the fronts share: flags in, the verb called, lines out.

The Invoke tasks and the `releasekit` command are two thin parsers over these
functions, so both paths print the same lines and fail with the same message.
This is the only layer that prints; errors propagate as ReleaseError.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
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


def find_root(start: Path | None = None) -> Path:
    """The nearest folder with a pyproject.toml, setup.py or setup.cfg, from the current
    one upwards."""
    here = (start or Path.cwd()).resolve()
    markers = ("pyproject.toml", "setup.py", "setup.cfg")
    for folder in (here, *here.parents):
        if any((folder / marker).is_file() for marker in markers):
            return folder
    raise ReleaseError(
        f"no pyproject.toml, setup.py or setup.cfg in {here} or above",
        "cd into the project's folder, or create a pyproject.toml there with [project] name "
        'and version (e.g. name = "my-project", version = "0.1.0")',
    )


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
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date().isoformat()
    return dt.date.today().isoformat()


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
            run_step=PublicSteps(root, verbose=verbose, phase=shown.phase),
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


def notes(root: Path, version: str | None = None) -> None:
    from releasekit.core import release as verbs

    say(verbs.notes(root, version))


def build(
    root: Path, *, installer: str | None = None, sdist_only: bool = False, quiet: bool = False
) -> None:
    from releasekit.publishing import after_push as public

    shown = progress(quiet=quiet)
    built = public.build(root, installer=installer, sdist_only=sdist_only, phase=shown.phase)
    for warning in built.warnings:
        say(f"warning: {warning}", err=True)
    names = ", ".join(path.name for path in (built.sdist, *built.wheels))
    say(f"Built {names} and {built.checksums.name} in dist/.")


def verify(root: Path) -> None:
    """`releasekit verify`: dist/ is what publish would upload, or the reason it is not."""
    from releasekit.publishing import after_push as public

    checked = public.verify(root, phase=progress().phase)
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
    root: Path, *, repository: str | None = None, verbose: bool = False, quiet: bool = False
) -> None:
    from releasekit.publishing.upload import start_upload

    warm = start_upload(os.environ, cwd=root)  # first: its start-up overlaps everything else
    try:
        from releasekit.publishing import after_push as public

        shown = progress(quiet=quiet)
        report = public.publish(
            root, repository=repository, verbose=verbose, warm=warm, phase=shown.phase
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
    root: Path, *, tag: str | None = None, assets: bool = False, quiet: bool = False
) -> None:
    from releasekit.publishing import after_push as public

    shown = progress(quiet=quiet)
    result = public.github_release(root, tag=tag, assets=assets, phase=shown.phase)
    say(f"GitHub release {result.action}: {result.html_url}")


def init(
    root: Path,
    *,
    force: bool = False,
    trusted_publishing: bool = False,
    environment: str = "pypi",
    repository: str | None = None,
    flow: str | None = None,
) -> None:
    """`releasekit init`: what was written and kept, then what only the maintainer can do."""
    from releasekit.setup import init as setup

    options = setup.InitOptions(force, trusted_publishing, environment, repository, flow=flow)
    outcomes = setup.init(root, options)
    for outcome in outcomes:
        detail = f": {outcome.detail}" if outcome.detail else ""
        say(f"{outcome.action:<11} {outcome.path}{detail}")
    if not any(outcome.wrote for outcome in outcomes):
        say("Nothing written: the project already has everything init writes.")
    say("\nNext steps:")
    for step in setup.next_steps(root, options):
        say(step)


def doctor(
    root: Path, *, as_json: bool = False, offline: bool = False, online: bool = False
) -> None:
    """`releasekit doctor`: every check, then the score; raises when any check fails."""
    import json

    from releasekit.doctor import run as checks

    report = checks.run(root, offline=offline, online=online)
    if as_json:
        say(json.dumps(report.as_json(), indent=2))
    else:
        for line in report.lines():
            say(line)
    failed = report.count("fail")
    if failed:
        raise ReleaseError(
            f"{failed} check{' fails' if failed == 1 else 's fail'}", "fix them as listed above"
        )


def demo(*, keep: bool = False) -> None:
    from releasekit.demo.run import run

    run(keep=keep, say=say)


def secret_set(
    root: Path,
    *,
    environment: str | None = None,
    repository_secret: bool = False,
    repository: str | None = None,
) -> None:
    """`releasekit secret set`: where to make the token, read it, check it, store it sealed."""
    from releasekit.setup import secret

    plan = secret.prepare(
        root,
        environ=os.environ,
        environment=environment,
        repository_secret=repository_secret,
        repository=repository,
    )
    for line in plan.advice.lines():
        say(line)
    say(f"It becomes the secret {secret.SECRET_NAME} of {plan.where} ({plan.reason}).")
    key = secret.public_key(plan)  # GitHub's refusals surface before the token is typed
    stored = secret.store(plan, secret.read_token_input(sys.stdin), key=key)
    say(f"Checked: {stored.verdict.description}.")
    for warning in stored.verdict.warnings:
        say(f"warning: {warning}", err=True)
    say(stored.summary())


def secret_check(root: Path, *, repository: str | None = None) -> None:
    """`releasekit secret check`: the offline audit alone; raises when the token cannot work."""
    from releasekit.setup import secret

    project, target = secret.project_target(root, repository)
    verdict = secret.audit_token(
        secret.read_token_input(sys.stdin),
        project=project,
        repository_url=target.upload_url,
        storing=False,
    )
    for warning in verdict.warnings:
        say(f"warning: {warning}", err=True)
    say(f"The token can publish {project} to {target.name}: {verdict.description}.")
