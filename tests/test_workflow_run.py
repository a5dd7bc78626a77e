"""The release.yml `releasekit init` writes, run end to end on this machine (support/actions.py):
checkout clones the tag from the bare remote, artifacts are folder copies, cibuildwheel is a host
build retagged per runner, and `nox -s publish` uploads into a local pypiserver with the token
the publish step's `env` hands it, as GitHub would."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.actions import Machine, StepFailed, Unsupported, machine_env, run_workflow
from support.actions_uses import PLATFORMS
from support.compiled import write_compiled_project

from releasekit.demo import sample
from releasekit.demo.localindex import LocalIndex
from releasekit.publishing.index import existing_files

CHECKOUT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TOKEN = "pypi-local-workflow-run-token"
WORKFLOW = ".github/workflows/release.yml"
RUNNERS = ("ubuntu-latest", "macos-14")

pytestmark = pytest.mark.slow


def releasekit(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "releasekit"), *args],
        cwd=root,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def init_and_tag(root: Path, remote: Path, tag: str = "v1.3.0") -> None:
    """`releasekit init` on a fresh repository, committed, tagged and pushed with the tag."""
    sample.init_repository(root, remote, tag=None)
    done = releasekit(root, "init")
    assert done.returncode == 0, done.stderr
    sample.git(root, "add", "--all")
    sample.git(root, "commit", "--quiet", "-m", "releasekit init")
    sample.git(root, "tag", "-a", tag, "-m", tag)
    sample.git(root, "push", "--quiet", "origin", "main", "--tags")


@pytest.fixture
def index(tmp_path: Path) -> Iterator[LocalIndex]:
    with LocalIndex(tmp_path / "index", token=TOKEN) as running:
        yield running


def machine_for(tmp_path: Path, index: LocalIndex, **secrets: str) -> Machine:
    """The runner: the nox sessions install this checkout's releasekit and upload to `index`."""
    env = machine_env(
        RELEASEKIT_SPEC=str(CHECKOUT),
        RELEASEKIT_REPOSITORY=index.url,
        NOX_DEFAULT_VENV_BACKEND="uv",
    )
    env.pop("PYPI_TOKEN", None)
    return Machine(tmp_path / "remote.git", tmp_path / "machine", env, secrets)


def on_index(index: LocalIndex, name: str, version: str = "1.3.0") -> list[str]:
    return sorted(existing_files(index.repository, name, version))


def test_the_matrix_workflow_publishes_the_sdist_and_every_wheel_and_a_rerun_uploads_nothing(
    tmp_path: Path, index: LocalIndex
) -> None:
    root = write_compiled_project(tmp_path / "project")
    with (root / "pyproject.toml").open("a") as pyproject:
        pyproject.write(
            f"\n[tool.releasekit]\nwheel-runners = {list(RUNNERS)!r}\n".replace("'", '"')
        )
    init_and_tag(root, tmp_path / "remote.git")
    assert_hardened(root / WORKFLOW)
    machine = machine_for(tmp_path, index, PYPI_TOKEN=TOKEN)

    first = run_workflow(root / WORKFLOW, tag="v1.3.0", machine=machine)

    assert first.ok, first.log()
    assert first.jobs == {"build": "success", "wheels": "success", "publish": "success"}
    assert [s.job for s in first.steps if s.name.startswith("Build the wheels")] == [
        f"wheels ({runner})" for runner in RUNNERS
    ]
    wheels = [f"sample_ext-1.3.0-{python_tag()}-{PLATFORMS[runner]}.whl" for runner in RUNNERS]
    assert on_index(index, "sample-ext") == sorted(["sample_ext-1.3.0.tar.gz", *wheels])
    uploaded = first.output("publish", "Verify dist/ and upload")
    assert uploaded.index("sample_ext-1.3.0.tar.gz") > max(uploaded.index(w) for w in wheels)
    stored = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "index").iterdir()}
    assert TOKEN not in first.log()  # the runner masks nothing: a leak would show here

    second = run_workflow(root / WORKFLOW, tag="v1.3.0", machine=machine)

    assert second.ok, second.log()
    assert "Nothing to upload: every file is already on" in second.output("publish", "Verify")
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "index").iterdir()} == stored


def assert_hardened(path: Path) -> None:
    """zizmor finds nothing in the default and the pedantic persona; GitHub's schema holds."""
    for persona in ("regular", "pedantic"):
        argv = [str(BIN / "zizmor"), "--offline", "--no-config", "--persona", persona, str(path)]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    schema = [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]
    done = subprocess.run([*schema, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def python_tag() -> str:
    """The interpreter and ABI tags of this machine's CPython: cp311-cp311."""
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    return f"{tag}-{tag}"


def pure_project(tmp_path: Path) -> Path:
    root = sample.write_project(tmp_path / "project", name="sample-pkg", version="1.3.0")
    init_and_tag(root, tmp_path / "remote.git")
    return root


def test_the_pure_workflow_builds_once_and_publishes_sdist_and_wheel(
    tmp_path: Path, index: LocalIndex
) -> None:
    root = pure_project(tmp_path)
    assert "cibuildwheel" not in (root / WORKFLOW).read_text()

    run = run_workflow(
        root / WORKFLOW, tag="v1.3.0", machine=machine_for(tmp_path, index, PYPI_TOKEN=TOKEN)
    )

    assert run.ok, run.log()
    assert run.jobs == {"build": "success", "publish": "success"}
    assert on_index(index, "sample-pkg") == [
        "sample_pkg-1.3.0-py3-none-any.whl",
        "sample_pkg-1.3.0.tar.gz",
    ]


@pytest.mark.parametrize(
    ("tag", "failing", "said"),
    [
        ("v1.3.0-test", "Check that the tag is a release tag", "is not a release tag"),
        ("v9.9.9", "Check out the tag", "Remote branch v9.9.9 not found"),
    ],
)
def test_a_failing_step_stops_its_job_and_the_jobs_that_need_it(
    tmp_path: Path, index: LocalIndex, tag: str, failing: str, said: str
) -> None:
    root = pure_project(tmp_path)

    run = run_workflow(
        root / WORKFLOW, tag=tag, machine=machine_for(tmp_path, index, PYPI_TOKEN=TOKEN)
    )

    assert not run.ok
    assert run.jobs == {"build": "failure", "publish": "skipped"}
    assert run.steps[-1].name == failing and run.steps[-1].status == "failure"
    assert said in run.steps[-1].output
    assert all(s.status == "success" for s in run.steps[:-1])
    assert on_index(index, "sample-pkg") == []


# --- what the runner itself does and refuses (no builds) -------------------------------------

STEPS_ONLY = """\
on:
  release:
    types: [published]
jobs:
  first:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: {fail_fast}
      matrix:
        part: [one, two, three]
    env:
      PART: ${{{{ matrix.part }}}}
    steps:
      - run: echo "$PART $RELEASEKIT_TAG" > part.txt
        env:
          RELEASEKIT_TAG: ${{{{ github.event.release.tag_name || inputs.tag }}}}
      - name: Fail on two
        run: test "$PART" != two
      - uses: actions/upload-artifact@0000000000000000000000000000000000000000
        with:
          name: part-${{{{ matrix.part }}}}
          path: part.txt
  second:
    needs: first
    runs-on: ubuntu-latest
    steps:
      - run: echo never
"""


@pytest.mark.parametrize("fail_fast", [True, False])
def test_a_failing_matrix_entry_fails_the_job_and_fail_fast_cancels_the_rest(
    tmp_path: Path, fail_fast: bool
) -> None:
    path = tmp_path / "release.yml"
    path.write_text(STEPS_ONLY.format(fail_fast=str(fail_fast).lower()))
    machine = Machine(tmp_path / "remote.git", tmp_path / "machine", machine_env())

    run = run_workflow(path, tag="v2.0.0", machine=machine)

    assert run.jobs == {"first": "failure", "second": "skipped"}
    entries = ["first (one)", "first (two)"] + ["first (three)"] * (not fail_fast)
    assert sorted({s.job for s in run.steps}) == sorted(entries)
    assert [s.name for s in run.steps if s.status == "failure"] == ["Fail on two"]
    assert run.output("first", "actions/upload-artifact").startswith("artifact part-one: 1 files")
    stored = sorted(p.name for p in (tmp_path / "machine" / "artifacts").iterdir())
    assert stored == ["part-one"] + ["part-three"] * (not fail_fast)
    kept = tmp_path / "machine" / "artifacts" / "part-one" / "part.txt"
    assert kept.read_text() == "one v2.0.0\n"


def pure_workflow() -> str:
    from releasekit.setup.workflow import WorkflowOptions, render_release

    return render_release(WorkflowOptions("sample-pkg"))


def add_to_build_step(text: str, line: str) -> str:
    """`line` added to the build job's first step."""
    marker = "      - name: Check that the tag is a release tag\n"
    return text.replace(marker, marker + f"        {line}\n", 1)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda t: add_to_build_step(t, "if: github.event_name == 'release'"), "has if"),
        (
            lambda t: t.replace("|| inputs.tag }}", "&& inputs.tag }}", 1),
            "is not a string or a path",
        ),
        (
            lambda t: add_to_build_step(t, "env: {HASH: \"${{ hashFiles('x') }}\"}"),
            "hashFiles('x')",
        ),
        (lambda t: t.replace("${{ secrets.PYPI_TOKEN }}", "${{ secrets.OTHER }}"), "secrets.OTHER"),
        (
            lambda t: t.replace("actions/setup-python@", "astral-sh/setup-uv@", 1),
            "no local stand-in",
        ),
        (
            lambda t: t.replace("run: nox -s build", "shell: pwsh\n        run: nox -s build"),
            "only bash",
        ),
        (lambda t: t.replace("types: [published]", "types: [created]"), "release: published"),
        (lambda t: t.replace("needs: build", "needs: compile"), "needs 'compile'"),
    ],
)
def test_the_runner_refuses_what_it_cannot_run_before_running_anything(
    tmp_path: Path, change: Any, said: str
) -> None:
    text = change(pure_workflow())
    assert text != pure_workflow()
    path = tmp_path / "release.yml"
    path.write_text(text)
    yaml.safe_load(text)  # still a workflow; the runner is what refuses
    machine = Machine(
        tmp_path / "remote.git", tmp_path / "machine", machine_env(), {"PYPI_TOKEN": "x"}
    )

    with pytest.raises(Unsupported, match=re.escape(said)):
        run_workflow(path, tag="v1.3.0", machine=machine)
    assert not (tmp_path / "machine").exists()


def test_artifacts_keep_paths_below_the_wildcard_and_download_by_name_or_pattern(
    tmp_path: Path,
) -> None:
    from support.actions import Job
    from support.actions_uses import download_artifact, upload_artifact

    def job(folder: str) -> Job:
        workspace = tmp_path / folder
        workspace.mkdir()
        return Job(folder, workspace, tmp_path, store, machine, {}, {}, "ubuntu-latest", 1.0)

    store = tmp_path / "artifacts"
    store.mkdir()
    machine = Machine(tmp_path / "remote.git", tmp_path / "machine", {})
    maker = job("maker")
    (maker.workspace / "dist" / "sub").mkdir(parents=True)
    for name in ("a-1.tar.gz", "a-1-py3-none-any.whl", "sub/b.txt", ".hidden"):
        (maker.workspace / "dist" / name).write_text(name)
    upload_artifact(maker, {"name": "dist-sdist", "path": "dist/*.tar.gz"})
    upload_artifact(maker, {"name": "dist-all", "path": "dist/"})
    upload_artifact(maker, {"name": "other", "path": "dist/a-1-py3-none-any.whl"})
    with pytest.raises(StepFailed, match="already uploaded"):
        upload_artifact(maker, {"name": "other", "path": "dist/sub"})
    with pytest.raises(StepFailed, match="no files were found"):
        upload_artifact(
            maker, {"name": "none", "path": "wheelhouse/*.whl", "if-no-files-found": "error"}
        )
    assert "::warning::" in upload_artifact(maker, {"name": "none", "path": "wheelhouse/*.whl"})

    def files(root: Path) -> list[str]:
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())

    assert files(store) == [
        "dist-all/a-1-py3-none-any.whl",
        "dist-all/a-1.tar.gz",
        "dist-all/sub/b.txt",
        "dist-sdist/a-1.tar.gz",
        "other/a-1-py3-none-any.whl",
    ]
    merged, apart, named = job("merged"), job("apart"), job("named")
    download_artifact(merged, {"pattern": "dist-*", "path": "dist/", "merge-multiple": True})
    assert files(merged.workspace) == [
        "dist/a-1-py3-none-any.whl",
        "dist/a-1.tar.gz",
        "dist/sub/b.txt",
    ]
    download_artifact(apart, {"pattern": "dist-*", "path": "got"})
    assert files(apart.workspace) == [
        "got/dist-all/a-1-py3-none-any.whl",
        "got/dist-all/a-1.tar.gz",
        "got/dist-all/sub/b.txt",
        "got/dist-sdist/a-1.tar.gz",
    ]
    download_artifact(named, {"name": "other", "path": "dist/"})
    assert files(named.workspace) == ["dist/a-1-py3-none-any.whl"]
    with pytest.raises(StepFailed, match="artifact not found for name: dist"):
        download_artifact(named, {"name": "dist", "path": "dist/"})
    with pytest.raises(Unsupported, match="run-id"):
        download_artifact(named, {"name": "dist", "run-id": "1"})
