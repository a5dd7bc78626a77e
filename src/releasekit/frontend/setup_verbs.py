"""The one-time and looking verbs of both fronts: init, doctor, secret, demo.

Split from verbs.py (the release verbs) so each stays short; they print through the
same `say`, so their lines are masked the same way.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from releasekit.errors import ReleaseError
from releasekit.frontend.verbs import say


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
    root: Path,
    *,
    as_json: bool = False,
    offline: bool = False,
    online: bool = False,
    package: str | None = None,
) -> None:
    """`releasekit doctor`: every check, then the score; raises when any check fails."""
    import json

    from releasekit.doctor import run as checks

    report = checks.run(root, offline=offline, online=online, package=package)
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
