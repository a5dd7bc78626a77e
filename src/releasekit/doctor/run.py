"""`releasekit doctor`: is this project ready to release, and if not, what to do about it?

Every check runs, whatever the others find (users hate fixing one problem per run), and each
ends as pass, warn, fail or skip with the fix in one line. Checks that need something an
earlier check found broken are skipped with a pointer to it, so one cause is reported once.
The checks live in project.py (files and git) and publishing.py (release.yml, zizmor, the
token, the index); with --online, online.py asks GitHub.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.doctor.model import Check, CheckFunction, Needs, Report, World
from releasekit.errors import ReleaseError

if TYPE_CHECKING:
    from datetime import datetime


def run(
    root: Path,
    *,
    offline: bool = False,
    environ: Mapping[str, str] | None = None,
    online: bool = False,
    now: datetime | None = None,
    package: str | None = None,
) -> Report:
    """Run every check against the project at `root`; never raises for a project problem.

    `online` adds the GitHub checks of doctor_online.py and whether the last release on the
    index carries attestations (attestations.py); `now` pins their clock (tests).
    """
    from releasekit.core import workspace
    from releasekit.doctor import project as doctor_project
    from releasekit.doctor import publishing as doctor_publish

    found = workspace.members(root, workspace.root_data(root))
    results: list[Check] = []
    described: list[dict[str, Any]] = []
    member = None
    if found or package is not None:
        try:
            member = workspace.choose(found, package) if package is not None else None
        except ReleaseError as exc:
            results.append(Check("workspace", "fail", exc.cause, exc.fix))
            return Report(root.name, tuple(results))
    if found:
        from releasekit.doctor import members

        lines, described = members.checks(root, found)
        results += lines
    environ = os.environ if environ is None else environ
    world = World(root, environ, offline, member=member, workspace=bool(found))
    checks: list[tuple[str, CheckFunction]] = [*doctor_project.CHECKS, *doctor_publish.CHECKS]
    if online:
        from releasekit.doctor import online as doctor_online
        from releasekit.doctor.attestations import check_attestations

        checks += [*doctor_online.checks(now), ("attestations", check_attestations)]
    for name, function in checks:
        try:
            results.append(function(world))
        except Needs as needs:
            results.append(Check(name, "skip", f"needs {needs.what}"))
        except ReleaseError as exc:
            results.append(Check(name, "fail", exc.cause, exc.fix))
    try:
        project = world.name
    except (Needs, ReleaseError):
        project = root.name
    return Report(project, tuple(results), members=tuple(described))
