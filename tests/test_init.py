"""`releasekit init` in a project that has only pyproject.toml, a package and a git remote.

The real command runs from the venv, in real git repositories; what it writes is then checked
by `releasekit doctor`, zizmor, the workflow schema, `nox -l` and a real `nox -s build`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from releasekit.core.changelog import SKELETON
from releasekit.demo import sample
from releasekit.setup.init import TASKS_LINE, WORKFLOW, InitOptions, init
from releasekit.setup.workflow import WorkflowOptions, render_nox_sessions, render_release

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

BIN = Path(sys.executable).parent
MAIN = Path(__file__).resolve().parents[1]
WRITTEN = ("tasks.py", "noxfile.py", WORKFLOW, "CHANGELOG.md", "pyproject.toml")

USER_NOXFILE = """\
import nox


@nox.session(python=False)
def tests(session: nox.Session) -> None:
    session.run("python", "-c", "print('the user tests ran')")
"""


def bare_project(tmp_path: Path, *, branch: str = "main") -> Path:
    """A sample project with no tasks.py and no CHANGELOG.md, pushed to a bare remote."""
    root = sample.write_project(tmp_path / "project")
    (root / "tasks.py").unlink()
    (root / "CHANGELOG.md").unlink()
    sample.init_repository(root, tmp_path / "remote.git", branch=branch)
    return root


def releasekit(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "releasekit"), *args],
        cwd=root,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )


def snapshot(root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in WRITTEN if (root / name).exists()}


def tool(name: str) -> str:
    found = BIN / name
    return str(found) if found.exists() else shutil.which(name) or name


def test_init_writes_what_the_project_lacks(tmp_path: Path) -> None:
    root = bare_project(tmp_path, branch="trunk")
    pyproject = (root / "pyproject.toml").read_bytes()
    proc = releasekit(root, "init")
    assert proc.returncode == 0, proc.stderr
    assert (root / "tasks.py").read_text() == TASKS_LINE
    assert (root / "noxfile.py").read_text() == render_nox_sessions()
    assert (root / WORKFLOW).read_text() == render_release(WorkflowOptions("sample-pkg"))
    assert (root / "CHANGELOG.md").read_text() == SKELETON
    after = (root / "pyproject.toml").read_bytes()
    assert after.startswith(pyproject)
    added = tomllib.loads(after.decode())["tool"]["releasekit"]
    assert added == {"branch": "trunk", "remote": "origin", "repository": "pypi"}
    lines = proc.stdout.splitlines()
    for name in ("tasks.py", "noxfile.py", WORKFLOW, "CHANGELOG.md"):
        assert f"created     {name}" in lines
    assert "added       pyproject.toml [tool.releasekit]: branch = trunk, remote = origin, " in (
        proc.stdout
    )
    steps = proc.stdout.split("Next steps:")[1]
    assert "PYPI_TOKEN" in steps and "environment pypi" in steps and "project sample-pkg" in steps
    assert (
        steps.strip()
        .splitlines()[-1]
        .endswith("run `releasekit doctor --online` to check the release setup.")
    )


def test_a_second_run_writes_nothing_and_says_so(tmp_path: Path) -> None:
    root = bare_project(tmp_path)
    assert releasekit(root, "init").returncode == 0
    before = snapshot(root)
    proc = releasekit(root, "init")
    assert proc.returncode == 0, proc.stderr
    assert snapshot(root) == before
    assert "Nothing written: the project already has everything init writes." in proc.stdout
    assert "created" not in proc.stdout and "overwritten" not in proc.stdout
    assert f"skipped     {WORKFLOW}: exists (--force overwrites it)" in proc.stdout


def test_force_overwrites_what_releasekit_writes_and_keeps_the_users_history(
    tmp_path: Path,
) -> None:
    root = bare_project(tmp_path)
    assert releasekit(root, "init").returncode == 0
    (root / WORKFLOW).write_text("# edited by hand\n")
    (root / "tasks.py").write_text("# edited by hand\n")
    noxfile = root / "noxfile.py"
    noxfile.write_text(USER_NOXFILE + "\n\n" + noxfile.read_text().replace("Build sdist", "Old"))
    (root / "CHANGELOG.md").write_text(SKELETON + "\n- A change worth keeping.\n")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('branch = "main"', 'branch = "stable"'))
    kept = snapshot(root)
    proc = releasekit(root, "init", "--force")
    assert proc.returncode == 0, proc.stderr
    assert (root / WORKFLOW).read_text() == render_release(WorkflowOptions("sample-pkg"))
    assert (root / "tasks.py").read_text() == TASKS_LINE
    assert noxfile.read_text() == USER_NOXFILE + "\n\n" + render_nox_sessions()
    assert (root / "CHANGELOG.md").read_bytes() == kept["CHANGELOG.md"]
    assert pyproject.read_bytes() == kept["pyproject.toml"]
    for name in (WORKFLOW, "tasks.py", "noxfile.py"):
        assert f"overwritten {name}" in proc.stdout


def nox_list(root: Path) -> str:
    proc = subprocess.run(
        [tool("nox"), "-l"], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_an_existing_noxfile_keeps_its_sessions_and_gains_build_and_publish(
    tmp_path: Path,
) -> None:
    root = bare_project(tmp_path)
    (root / "noxfile.py").write_text(USER_NOXFILE)
    proc = releasekit(root, "init")
    assert proc.returncode == 0, proc.stderr
    text = (root / "noxfile.py").read_text()
    assert text.startswith(USER_NOXFILE) and text.endswith(render_nox_sessions())
    assert "appended    noxfile.py" in proc.stdout
    listed = nox_list(root)
    for session in ("* tests", "- build", "- publish"):
        assert f"\n{session}" in listed, listed
    ruff = [tool("ruff"), "check", "--no-cache", "--config", str(MAIN / "pyproject.toml")]
    assert subprocess.run([*ruff, str(root / "noxfile.py")], timeout=60).returncode == 0
    assert "appended" not in releasekit(root, "init").stdout  # not twice


def test_a_noxfile_with_its_own_build_session_is_left_alone(tmp_path: Path) -> None:
    root = bare_project(tmp_path)
    own = USER_NOXFILE + '\n\n@nox.session(name="build")\ndef dist(session):\n    pass\n'
    (root / "noxfile.py").write_text(own)
    for args in (["init"], ["init", "--force"]):
        proc = releasekit(root, *args)
        assert proc.returncode == 0, proc.stderr
        assert (root / "noxfile.py").read_text() == own
        assert "noxfile.py: defines its own build session(s): kept as they are" in proc.stdout


def test_pyproject_keeps_every_other_byte(tmp_path: Path) -> None:
    root = bare_project(tmp_path)
    path = root / "pyproject.toml"
    styled = (
        path.read_text().replace("\n", "\r\n")
        + "\r\n# a comment that stays\r\n[tool.other]   # odd spacing\r\nkey   =   'x'"
    )
    path.write_bytes(styled.encode())
    assert releasekit(root, "init").returncode == 0
    after = path.read_bytes()
    assert after.startswith(styled.encode())
    tail = after[len(styled.encode()) :].decode()
    table = '[tool.releasekit]\nbranch = "main"\nremote = "origin"\nrepository = "pypi"\n'
    assert tail == "\r\n\r\n" + table.replace("\n", "\r\n")
    assert tomllib.loads(after.decode())["tool"]["other"] == {"key": "x"}


def test_trusted_publishing_workflow_and_next_steps(tmp_path: Path) -> None:
    root = bare_project(tmp_path)
    proc = releasekit(root, "init", "--trusted-publishing", "--environment", "release")
    assert proc.returncode == 0, proc.stderr
    expected = WorkflowOptions("sample-pkg", trusted_publishing=True, environment="release")
    assert (root / WORKFLOW).read_text() == render_release(expected)
    steps = proc.stdout.split("Next steps:")[1]
    assert "trusted publisher" in steps and "environment release" in steps
    assert "PYPI_TOKEN" not in steps


def test_a_refused_option_writes_nothing(tmp_path: Path) -> None:
    root = bare_project(tmp_path)
    before = snapshot(root)
    proc = releasekit(root, "init", "--trusted-publishing", "--repository", "private")
    assert proc.returncode == 1
    assert proc.stderr.startswith("releasekit: error: trusted publishing is not available")
    assert len(proc.stderr.strip().splitlines()) == 1
    assert snapshot(root) == before
    assert not (root / ".github").exists()


def test_without_git_the_defaults_are_written(tmp_path: Path) -> None:
    root = sample.write_project(tmp_path / "plain")
    outcomes = {outcome.path: outcome for outcome in init(root, InitOptions())}
    assert outcomes["pyproject.toml [tool.releasekit]"].detail == (
        "branch = main, remote = origin, repository = pypi"
    )
    assert outcomes["CHANGELOG.md"].action == "skipped"
    assert outcomes["tasks.py"].action == "skipped"


def test_the_only_remote_is_used_when_there_is_no_origin_even_on_a_detached_head(
    tmp_path: Path,
) -> None:
    root = bare_project(tmp_path, branch="trunk")
    sample.git(root, "remote", "rename", "origin", "upstream")
    sample.git(root, "checkout", "--quiet", "--detach")
    outcomes = {outcome.path: outcome for outcome in init(root, InitOptions())}
    assert outcomes["pyproject.toml [tool.releasekit]"].detail == (
        "branch = main, remote = upstream, repository = pypi"
    )


def test_doctor_passes_every_local_check_but_the_token_after_init(tmp_path: Path) -> None:
    root = bare_project(tmp_path)
    assert releasekit(root, "init").returncode == 0
    proc = releasekit(root, "doctor", "--offline", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    found = {check["name"]: check["status"] for check in report["checks"]}
    expected = {name: "pass" for name in found} | {"token": "warn", "index": "skip"}
    assert found == expected
    assert report["ok"] is True
    # The rendered release.yml passes both workflow checkers on its own.
    workflow = str(root / WORKFLOW)
    zizmor = subprocess.run(
        [tool("zizmor"), "--offline", workflow], capture_output=True, text=True, timeout=120
    )
    assert zizmor.returncode == 0, zizmor.stdout
    schema = [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", workflow]
    checked = subprocess.run(schema, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.slow
def test_nox_build_works_after_init(tmp_path: Path) -> None:
    root = bare_project(tmp_path)
    assert releasekit(root, "init").returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOX")}
    env["RELEASEKIT_SPEC"] = str(MAIN)
    proc = subprocess.run(
        [tool("nox"), "-s", "build"], cwd=root, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    built = sorted(path.name for path in (root / "dist").iterdir())
    assert "sample_pkg-1.3.0.tar.gz" in built
    assert "sample_pkg-1.3.0-py3-none-any.whl" in built
