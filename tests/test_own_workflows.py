"""releasekit's own release.yml and ci.yml are what releasekit renders, byte for byte.

When a template or an action pin changes, these files must be rendered again and committed;
the failure message gives the one-liner that does it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from releasekit.setup.init import NOXFILE, RELEASE_SESSIONS, nox_sessions
from releasekit.setup.workflow import WorkflowOptions, render_ci, render_release
from releasekit.setup.workflow_facts import inspect_workflow

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
OPTIONS = WorkflowOptions("releasekit")
RENDER = (
    "python -c 'from pathlib import Path; "
    "from releasekit.setup.workflow import WorkflowOptions, render_ci, render_release; "
    'o = WorkflowOptions("releasekit"); w = Path(".github/workflows"); '
    'w.joinpath("release.yml").write_text(render_release(o)); '
    'w.joinpath("ci.yml").write_text(render_ci(o))\''
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("release.yml", render_release(OPTIONS)), ("ci.yml", render_ci(OPTIONS))],
)
def test_own_workflow_is_the_rendered_template(name: str, expected: str) -> None:
    path = WORKFLOWS / name
    assert path.is_file(), (
        f".github/workflows/{name} is missing; from the repository root run:\n{RENDER}"
    )
    assert path.read_bytes() == expected.encode("utf-8"), (
        f".github/workflows/{name} drifted from releasekit's template; from the repository root "
        f"run this, review the diff and commit it:\n{RENDER}"
    )


def test_own_render_command_writes_what_the_test_expects(tmp_path: Path) -> None:
    """The one-liner above is the fix the message gives: it must produce passing files."""
    import shlex
    import subprocess
    import sys

    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    argv = shlex.split(RENDER)
    argv[0] = sys.executable
    subprocess.run(argv, cwd=tmp_path, check=True, timeout=60)
    for name in ("release.yml", "ci.yml"):
        written = (tmp_path / ".github" / "workflows" / name).read_bytes()
        assert written == (WORKFLOWS / name).read_bytes()


def test_own_release_workflow_runs_sessions_our_noxfile_defines() -> None:
    facts = inspect_workflow((WORKFLOWS / "release.yml").read_text(encoding="utf-8"))
    assert facts.triggers_on_release and facts.runs_publish_session
    assert facts.publish_secrets == ("PYPI_TOKEN",) and facts.environment == "pypi"
    defined = nox_sessions((ROOT / NOXFILE).read_text(encoding="utf-8"))
    assert set(RELEASE_SESSIONS) <= defined
    assert {"tests", "lint", "typecheck"} <= defined  # what `nox` in ci.yml runs
