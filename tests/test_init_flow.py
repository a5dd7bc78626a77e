"""`releasekit init --flow pull-request`: release-finish.yml beside release.yml, on real repos."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import tomllib
import yaml
from conftest import SampleRepo

from releasekit.setup.init import FINISH_WORKFLOW, WORKFLOW
from releasekit.setup.workflow import WorkflowOptions, render_release_finish

BIN = Path(sys.executable).parent


def releasekit(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "releasekit"), *args],
        cwd=root,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_pull_request_flow_writes_the_finish_workflow_for_the_release_branch(
    repo: SampleRepo,
) -> None:
    repo.git("checkout", "-q", "-b", "trunk")
    proc = releasekit(repo.root, "init", "--flow", "pull-request")
    assert proc.returncode == 0, proc.stderr
    text = (repo.root / FINISH_WORKFLOW).read_text()
    assert text == render_release_finish(WorkflowOptions("sample-pkg"), "trunk")
    assert f"created     {FINISH_WORKFLOW}" in proc.stdout.splitlines()
    workflow = yaml.safe_load(text)
    assert workflow[True] == {"push": {"branches": ["trunk"]}}
    runs = [step.get("run", "") for step in workflow["jobs"]["finish"]["steps"]]
    assert any("releasekit release --finish" in run for run in runs)
    assert workflow["jobs"]["finish"]["permissions"] == {
        "contents": "write",
        "pull-requests": "read",
    }
    assert workflow["jobs"]["publish"]["environment"]["name"] == "pypi"
    table = tomllib.loads((repo.root / "pyproject.toml").read_text())["tool"]["releasekit"]
    assert table["flow"] == "pull-request" and table["branch"] == "trunk"
    steps = proc.stdout.split("Next steps:")[1]
    assert "RELEASE_TOKEN" in steps
    assert 'Set flow = "pull-request"' not in steps  # the new table says so already


def test_the_default_push_flow_writes_no_finish_workflow(repo: SampleRepo) -> None:
    proc = releasekit(repo.root, "init")
    assert proc.returncode == 0, proc.stderr
    assert not (repo.root / FINISH_WORKFLOW).exists()
    assert FINISH_WORKFLOW not in proc.stdout and "RELEASE_TOKEN" not in proc.stdout
    assert (repo.root / WORKFLOW).exists()
    assert (
        "flow"
        not in tomllib.loads((repo.root / "pyproject.toml").read_text())["tool"]["releasekit"]
    )


def test_the_flow_comes_from_the_table_and_a_second_run_writes_nothing(repo: SampleRepo) -> None:
    pyproject = repo.root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.releasekit]\nbranch = "main"\nflow = "pull-request"\n'
    )
    first = releasekit(repo.root, "init", "--trusted-publishing")
    assert first.returncode == 0, first.stderr
    text = (repo.root / FINISH_WORKFLOW).read_text()
    assert "workflow release-finish.yml, environment pypi" in text
    assert "id-token: write" in text and "PYPI_TOKEN" not in text
    assert "second trusted publisher" in first.stdout
    before = repo.state()
    second = releasekit(repo.root, "init", "--trusted-publishing")
    assert second.returncode == 0, second.stderr
    assert repo.state().diff(before) == []
    assert f"skipped     {FINISH_WORKFLOW}: exists (--force overwrites it)" in second.stdout
    assert "Nothing written" in second.stdout


def test_force_overwrites_the_finish_workflow(repo: SampleRepo) -> None:
    assert releasekit(repo.root, "init", "--flow", "pull-request").returncode == 0
    path = repo.root / FINISH_WORKFLOW
    rendered = path.read_text()
    path.write_text("# edited by hand\n")
    kept = releasekit(repo.root, "init", "--flow", "pull-request")
    assert kept.returncode == 0 and path.read_text() == "# edited by hand\n"
    forced = releasekit(repo.root, "init", "--flow", "pull-request", "--force")
    assert forced.returncode == 0, forced.stderr
    assert path.read_text() == rendered
    assert f"overwritten {FINISH_WORKFLOW}" in forced.stdout.splitlines()


def test_an_existing_push_table_gets_the_workflow_and_is_told_to_set_the_flow(
    repo: SampleRepo,
) -> None:
    pyproject = repo.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.releasekit]\nbranch = "release/1.x"\n')
    table = pyproject.read_bytes()
    proc = releasekit(repo.root, "init", "--flow", "pull-request")
    assert proc.returncode == 0, proc.stderr
    assert pyproject.read_bytes() == table
    workflow = yaml.safe_load((repo.root / FINISH_WORKFLOW).read_text())
    assert workflow[True]["push"]["branches"] == ["release/1.x"]
    assert 'Set flow = "pull-request" in [tool.releasekit]' in proc.stdout


def test_a_branch_a_workflow_cannot_hold_is_refused_with_nothing_written(
    repo: SampleRepo,
) -> None:
    pyproject = repo.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.releasekit]\nbranch = "ma\'in"\n')
    repo.git("add", "pyproject.toml")
    repo.git("commit", "-q", "-m", "table")
    before = repo.state()
    proc = releasekit(repo.root, "init", "--flow", "pull-request")
    assert proc.returncode != 0
    assert 'branch "ma\'in" has characters a workflow cannot hold safely' in proc.stderr
    assert repo.state().diff(before) == []


def test_an_unknown_flow_is_refused_with_nothing_written(repo: SampleRepo) -> None:
    before = repo.state()
    proc = releasekit(repo.root, "init", "--flow", "merge")
    assert proc.returncode != 0
    assert "merge" in proc.stderr
    assert repo.state().diff(before) == []


# --- release-finish.yml behaviour: its finish step's bash, run on a real repository -------------


def finish_step() -> dict[str, Any]:
    workflow = yaml.safe_load(render_release_finish(WorkflowOptions("sample-pkg"), "main"))
    steps = workflow["jobs"]["finish"]["steps"]
    found: dict[str, Any] = next(step for step in steps if step.get("id") == "finish")
    return found


def run_finish(repo: SampleRepo, tmp_path: Path, stub: str, token_set: str) -> dict[str, str]:
    """The step's script with a stand-in `releasekit` first on PATH; its GITHUB_OUTPUT back."""
    bin_dir = tmp_path / "stub-bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "releasekit"
    fake.write_text(f"#!/bin/bash\necho \"$@\" > '{tmp_path}/argv'\n{stub}\n")
    fake.chmod(0o755)
    output = tmp_path / "github-output"
    output.write_text("")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(output),
        "RELEASE_TOKEN_SET": token_set,
    }
    script = str(finish_step()["run"])
    proc = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=repo.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "argv").read_text().split() == ["release", "--finish", "--yes"]
    return dict(line.split("=", 1) for line in output.read_text().splitlines())


def test_a_tag_made_with_the_workflow_token_is_published_by_the_same_workflow(
    repo: SampleRepo, tmp_path: Path
) -> None:
    outputs = run_finish(repo, tmp_path, "git tag -a v1.4.0 -m v1.4.0", "false")
    assert outputs == {"tag": "v1.4.0", "publish": "true"}


def test_a_tag_made_with_release_token_is_left_to_release_yml(
    repo: SampleRepo, tmp_path: Path
) -> None:
    outputs = run_finish(repo, tmp_path, "git tag -a v1.4.0 -m v1.4.0", "true")
    assert outputs == {"publish": "false"}


def test_nothing_to_finish_publishes_nothing(repo: SampleRepo, tmp_path: Path) -> None:
    # HEAD already carries v1.3.0 (tagged before this run) and a non-release tag is added.
    outputs = run_finish(repo, tmp_path, "git tag not-a-release", "false")
    assert outputs == {"publish": "false"}


def test_git_reads_the_token_from_the_environment_only(repo: SampleRepo) -> None:
    """The credential helper the step configures hands git GH_TOKEN; nothing is stored."""
    env = {
        **os.environ,
        **{k: str(v) for k, v in finish_step()["env"].items() if k.startswith("GIT_")},
        "GH_TOKEN": "ghs_example-token",
    }
    proc = subprocess.run(
        ["git", "credential", "fill"],
        cwd=repo.root,
        env=env,
        input="protocol=https\nhost=github.com\n\n",
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    assert "username=x-access-token\n" in proc.stdout
    assert "password=ghs_example-token\n" in proc.stdout
    assert "ghs_example-token" not in (repo.root / ".git" / "config").read_text()
