"""Rendered workflows pass zizmor and the workflow schema; the nox sessions run; inspection reads
real-world release workflows correctly."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from releasekit.errors import ConfigError
from releasekit.setup.workflow import (
    ACTION_PINS,
    DEFAULT_WHEEL_RUNNERS,
    WorkflowOptions,
    release_tag_regex,
    render_ci,
    render_nox_sessions,
    render_release,
    render_release_finish,
)
from releasekit.setup.workflow_facts import inspect_workflow

BIN = Path(sys.executable).parent
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"

VARIANTS = {
    "token-pypi": WorkflowOptions("demo-pkg"),
    "trusted-pypi": WorkflowOptions("Other_Project.core", trusted_publishing=True),
    "token-testpypi": WorkflowOptions("demo-pkg", environment="testpypi", repository="testpypi"),
    "trusted-testpypi": WorkflowOptions(
        "tiny", trusted_publishing=True, repository="testpypi", python_version="3.11"
    ),
    "bare-version-tags": WorkflowOptions("tiny", tag_format="{version}"),
}
# Compiled code: an sdist job, a cibuildwheel job per runner, one publish job (test_wheels.py).
WHEEL_VARIANTS = {
    "token-pypi": WorkflowOptions("demo-ext", wheel_runners=DEFAULT_WHEEL_RUNNERS),
    "trusted-testpypi": WorkflowOptions(
        "demo-ext",
        trusted_publishing=True,
        repository="testpypi",
        wheel_runners=("ubuntu-latest", "macos-14"),
    ),
}
RENDERED = {
    **{f"release-{name}": render_release(options) for name, options in VARIANTS.items()},
    **{f"wheels-{name}": render_release(options) for name, options in WHEEL_VARIANTS.items()},
    "ci": render_ci(VARIANTS["token-pypi"]),
    # The pull-request flow's finish workflow (init --flow pull-request), both publish variants.
    "finish-token-pypi": render_release_finish(VARIANTS["token-pypi"], "main"),
    "finish-trusted-testpypi": render_release_finish(
        VARIANTS["trusted-testpypi"], "release/1.x", "releasekit>=1.0"
    ),
}


def tool(name: str) -> str:
    found = BIN / name
    return str(found) if found.exists() else shutil.which(name) or name


def zizmor_findings(path: Path, persona: str) -> tuple[int, list[dict[str, Any]]]:
    argv = [tool("zizmor"), "--offline", "--no-config", "--format", "json", "--persona", persona]
    proc = subprocess.run([*argv, str(path)], capture_output=True, text=True, timeout=120)
    findings = json.loads(proc.stdout) if proc.stdout.strip() else []
    return proc.returncode, findings


def describe(findings: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{f['ident']}: {f['desc']} at {f['locations'][0]['symbolic']['route']}" for f in findings
    )


# --- hardening: zizmor, schema, pins -------------------------------------------------------------


@pytest.mark.parametrize("persona", ["regular", "pedantic"])
@pytest.mark.parametrize("name", sorted(RENDERED))
def test_rendered_workflow_has_no_zizmor_findings(tmp_path: Path, name: str, persona: str) -> None:
    path = tmp_path / f"{name}.yml"
    path.write_text(RENDERED[name], encoding="utf-8")
    returncode, findings = zizmor_findings(path, persona)
    assert (returncode, findings) == (0, []), describe(findings)


def test_zizmor_check_catches_a_weakened_workflow(tmp_path: Path) -> None:
    """The check above can fail: the same workflow with two classic mistakes is reported."""
    weakened = RENDERED["release-token-pypi"].replace("persist-credentials: false", "clean: true")
    weakened = weakened.replace("run: nox -s build", "run: nox -s build -- ${{ inputs.tag }}")
    path = tmp_path / "release.yml"
    path.write_text(weakened, encoding="utf-8")
    returncode, findings = zizmor_findings(path, "regular")
    assert returncode != 0
    assert {"artipacked", "template-injection"} <= {finding["ident"] for finding in findings}


def test_rendered_workflows_match_the_github_workflow_schema(tmp_path: Path) -> None:
    paths = []
    for name, text in RENDERED.items():
        paths.append(tmp_path / f"{name}.yml")
        paths[-1].write_text(text, encoding="utf-8")
    argv = [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]
    proc = subprocess.run([*argv, *map(str, paths)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_pin_table_holds_full_shas_and_versions() -> None:
    for action, (sha, version) in ACTION_PINS.items():
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", action)
        assert re.fullmatch(r"[0-9a-f]{40}", sha), action
        assert re.fullmatch(r"v\d+\.\d+\.\d+", version), action


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_every_action_is_pinned_from_the_table_with_its_version(name: str) -> None:
    uses_lines = [line for line in RENDERED[name].splitlines() if "uses:" in line]
    assert uses_lines
    for line in uses_lines:
        pinned = re.fullmatch(r"\s*(?:- )?uses: ([\w./-]+)@([0-9a-f]{40}) # (v[\d.]+)", line)
        assert pinned, f"not pinned by SHA with a version comment: {line.strip()}"
        assert ACTION_PINS[pinned[1]] == (pinned[2], pinned[3])


def test_release_workflow_uses_every_pinned_action() -> None:
    """A pin nobody uses would rot unnoticed; a used action missing from the table fails above."""
    text = RENDERED["release-token-pypi"] + RENDERED["wheels-token-pypi"]
    assert all(f"uses: {action}@" in text for action in ACTION_PINS)
    assert "cibuildwheel" not in RENDERED["release-token-pypi"]


# --- release.yml behaviour ---------------------------------------------------------------------


def steps_of(text: str, job: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = yaml.safe_load(text)["jobs"][job]["steps"]
    return steps


def run_tag_check(text: str, tag: str) -> subprocess.CompletedProcess[str]:
    """Run the build job's first step the way GitHub runs a `shell: bash` step."""
    step = steps_of(text, "build")[0]
    assert step["shell"] == "bash"
    env = {"PATH": os.environ["PATH"], "RELEASEKIT_TAG": tag}
    argv = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)


ACCEPTED = ["v1.4.0", "v1.4.0rc1", "v2.0.0b3", "v10.20.30a1", "v0.0.0"]
REJECTED = ["v1.3.1-test", "v1.4.0-rc.1", "1.4.0", "v1.4", "v01.2.3", "v1.4.0+local", "v1.4.0.dev1"]


@pytest.mark.parametrize("tag", ACCEPTED)
def test_tag_check_lets_release_tags_through(tag: str) -> None:
    proc = run_tag_check(RENDERED["release-token-pypi"], tag)
    assert proc.returncode == 0, proc.stdout
    assert "::error::" not in proc.stdout


@pytest.mark.parametrize("tag", REJECTED)
def test_tag_check_stops_the_build_on_other_tags(tag: str) -> None:
    proc = run_tag_check(RENDERED["release-token-pypi"], tag)
    assert proc.returncode == 1
    assert proc.stdout.startswith(
        f"::error::tag '{tag}' is not a release tag for format v{{version}}"
    )


def test_tag_check_python_regex_agrees_with_bash() -> None:
    pattern = re.compile(release_tag_regex("v{version}"))
    assert all(pattern.match(tag) for tag in ACCEPTED)
    assert not any(pattern.match(tag) for tag in REJECTED)


def test_tag_check_follows_the_tag_format() -> None:
    text = RENDERED["release-bare-version-tags"]
    assert run_tag_check(text, "1.4.0rc2").returncode == 0
    rejected = run_tag_check(text, "v1.4.0")
    assert rejected.returncode == 1
    assert "for format {version}" in rejected.stdout
    scoped = render_release(WorkflowOptions("tiny", tag_format="tiny@{version}"))
    assert run_tag_check(scoped, "tiny@2.0.0").returncode == 0
    assert run_tag_check(scoped, "tinyX2.0.0").returncode == 1


def test_tag_check_cannot_be_used_to_inject_workflow_commands() -> None:
    """A workflow_dispatch input is free text: it must not start its own `::` command line."""
    proc = run_tag_check(RENDERED["release-token-pypi"], "x\n::add-mask::y %0A::warning::z")
    assert proc.returncode == 1
    assert len(proc.stdout.splitlines()) == 1
    assert proc.stdout.count("::") == 2  # only the ::error:: prefix


def test_tag_check_runs_before_anything_is_checked_out() -> None:
    build = steps_of(RENDERED["release-token-pypi"], "build")
    assert "run" in build[0] and "RELEASEKIT_TAG" in build[0]["run"]
    assert build[1]["uses"].startswith("actions/checkout@")


@pytest.mark.parametrize("name", [name for name in RENDERED if name.startswith("release-")])
def test_release_jobs_hand_dist_over_without_rebuilding(name: str) -> None:
    workflow = yaml.safe_load(RENDERED[name])
    build, publish = workflow["jobs"]["build"], workflow["jobs"]["publish"]
    upload = next(s for s in build["steps"] if "upload-artifact" in s.get("uses", ""))
    download = next(s for s in publish["steps"] if "download-artifact" in s.get("uses", ""))
    assert upload["with"]["name"] == download["with"]["name"]
    assert upload["with"]["if-no-files-found"] == "error"
    assert download["with"]["path"].rstrip("/") == "dist"
    assert publish["needs"] == "build"
    publish_runs = " ".join(s.get("run", "") for s in publish["steps"])
    assert "nox -s build" not in publish_runs and "releasekit build" not in publish_runs
    for job in (build, publish):
        assert job["timeout-minutes"] > 0
        checkout = next(s for s in job["steps"] if "actions/checkout@" in s.get("uses", ""))
        assert checkout["with"]["ref"] == "refs/tags/${{ env.RELEASEKIT_TAG }}"
        assert checkout["with"]["persist-credentials"] is False
    assert "${{" not in "".join(s.get("run", "") for job in (build, publish) for s in job["steps"])
    assert "cache" not in RENDERED[name]


def test_release_reads_the_tag_from_the_release_or_the_manual_input() -> None:
    workflow = yaml.safe_load(RENDERED["release-token-pypi"])
    assert workflow[True]["release"] == {"types": ["published"]}
    assert workflow[True]["workflow_dispatch"]["inputs"]["tag"]["required"] is True
    for job in ("build", "publish"):
        tag = workflow["jobs"][job]["env"]["RELEASEKIT_TAG"]
        assert tag == "${{ github.event.release.tag_name || inputs.tag }}"
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert workflow["permissions"] == {}


def test_token_publish_reads_the_secret_only_in_the_upload_step() -> None:
    text = RENDERED["release-token-pypi"]
    assert text.count("secrets.") == 1
    upload = steps_of(text, "publish")[-1]
    assert upload["env"] == {"PYPI_TOKEN": "${{ secrets.PYPI_TOKEN }}"}
    assert upload["run"] == "nox -R -s publish"
    install = steps_of(text, "publish")[-2]
    assert install["run"] == "nox -s publish --install-only" and "env" not in install
    assert yaml.safe_load(text)["jobs"]["publish"]["environment"] == {
        "name": "pypi",
        "url": "https://pypi.org/project/demo-pkg/",
    }


def test_trusted_publish_grants_id_token_to_the_publish_job_only() -> None:
    text = RENDERED["release-trusted-pypi"]
    workflow = yaml.safe_load(text)
    assert "secrets" not in text and "PYPI_TOKEN" not in text
    assert workflow["jobs"]["publish"]["permissions"] == {"contents": "read", "id-token": "write"}
    assert workflow["jobs"]["build"]["permissions"] == {"contents": "read"}
    env_url = workflow["jobs"]["publish"]["environment"]["url"]
    assert env_url == "https://pypi.org/project/other-project-core/"


def test_testpypi_variant_passes_the_repository_to_the_publish_session() -> None:
    for name in ("release-token-testpypi", "release-trusted-testpypi"):
        workflow = yaml.safe_load(RENDERED[name])
        upload = workflow["jobs"]["publish"]["steps"][-1]
        assert upload["run"] == "nox -R -s publish -- --repository testpypi"
        assert workflow["jobs"]["publish"]["environment"]["url"].startswith(
            "https://test.pypi.org/"
        )
    assert "--repository" not in RENDERED["release-token-pypi"]


def test_ci_runs_the_default_nox_sessions_on_pushes_and_pull_requests() -> None:
    workflow = yaml.safe_load(RENDERED["ci"])
    assert set(workflow[True]) == {"push", "pull_request"}
    runs = [step.get("run") for step in workflow["jobs"]["test"]["steps"]]
    assert runs[-2:] == ["python -m pip install nox", "nox"]
    assert workflow["jobs"]["test"]["permissions"] == {"contents": "read"}


@pytest.mark.parametrize(
    "options",
    [
        {"project": "bad name"},
        {"project": "-leading"},
        {"project": "x", "tag_format": "v{ver}"},
        {"project": "x", "tag_format": "{version}-{version}"},
        {"project": "x", "tag_format": "v$(id){version}"},
        {"project": "x", "tag_format": "v'{version}"},
        {"project": "x", "environment": "py pi"},
        {"project": "x", "python_version": "3.12\n  evil: 1"},
        {"project": "x", "repository": "${{ secrets.X }}"},
        {"project": "x", "trusted_publishing": True, "repository": "private-index"},
    ],
)
def test_options_that_cannot_be_written_safely_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError) as caught:
        WorkflowOptions(**options)
    assert "\n" not in str(caught.value) and "; " in str(caught.value)


# --- nox sessions snippet ----------------------------------------------------------------------


USER_NOXFILE = """\
import nox


@nox.session(python=False)
def lint(session: nox.Session) -> None:
    session.run("python", "-c", "print('lint ran')")


def build() -> str:
    return "a helper of the user's, not a session"


"""


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    argv = [tool("ruff"), *args, "--config", str(PYPROJECT)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("appended", [False, True])
def test_nox_snippet_is_clean_python_alone_and_appended(tmp_path: Path, appended: bool) -> None:
    snippet = render_nox_sessions(default_spec="releasekit>=1.0")
    text = USER_NOXFILE + snippet if appended else snippet
    noxfile = tmp_path / "noxfile.py"
    noxfile.write_text(text, encoding="utf-8")
    compile(text, str(noxfile), "exec")
    assert ruff("check", "--no-cache", str(noxfile)).returncode == 0, ruff("check", str(noxfile))
    assert ruff("format", "--check", "--no-cache", str(noxfile)).returncode == 0
    listed = subprocess.run(
        [tool("nox"), "-l", "-f", str(noxfile)], capture_output=True, text=True, timeout=60
    )
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"^- build -> Build sdist", listed.stdout, re.MULTILINE)
    assert re.search(r"^- publish -> Upload", listed.stdout, re.MULTILINE)
    if appended:
        assert re.search(r"^\* lint$", listed.stdout, re.MULTILINE)


@pytest.mark.parametrize("spec", ['release"kit', "releasekit\nimport os", "  ", "x\\y"])
def test_nox_snippet_refuses_a_spec_it_cannot_quote(spec: str) -> None:
    with pytest.raises(ConfigError):
        render_nox_sessions(default_spec=spec)


def fake_releasekit_wheel(directory: Path) -> Path:
    """A wheel whose `releasekit` command logs its arguments: installs offline, runs anywhere."""
    files = {
        "fake_releasekit.py": (
            "import json, os, sys\n"
            "def main():\n"
            "    call = [sys.argv[1:], os.environ.get('RELEASEKIT_TAG')]\n"
            "    with open(os.environ['FAKE_LOG'], 'a') as log:\n"
            "        log.write(json.dumps(call) + '\\n')\n"
        ),
        "fake_releasekit-0.1.dist-info/METADATA": (
            "Metadata-Version: 2.1\nName: fake-releasekit\nVersion: 0.1\n"
        ),
        "fake_releasekit-0.1.dist-info/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
        "fake_releasekit-0.1.dist-info/entry_points.txt": (
            "[console_scripts]\nreleasekit = fake_releasekit:main\n"
        ),
    }
    record = []
    for name, content in files.items():
        digest = hashlib.sha256(content.encode()).digest()
        hashed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        record.append(f"{name},sha256={hashed},{len(content.encode())}")
    record.append("fake_releasekit-0.1.dist-info/RECORD,,")
    wheel = directory / "fake_releasekit-0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
        archive.writestr("fake_releasekit-0.1.dist-info/RECORD", "\n".join(record) + "\n")
    return wheel


@pytest.mark.slow
def test_nox_sessions_install_the_spec_and_pass_arguments_through(tmp_path: Path) -> None:
    wheel = fake_releasekit_wheel(tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    (project / "noxfile.py").write_text(
        USER_NOXFILE + render_nox_sessions(default_spec=str(wheel)), encoding="utf-8"
    )
    log = tmp_path / "calls.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELEASEKIT_", "NOX"))}
    env.update(FAKE_LOG=str(log), RELEASEKIT_TAG="v1.4.0", PIP_DISABLE_PIP_VERSION_CHECK="1")

    def nox(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [tool("nox"), *args],
            cwd=project,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    def calls() -> list[Any]:
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    # A bare `nox` (what ci.yml runs) must never build or publish.
    bare = nox()
    assert "lint ran" in bare.stdout + bare.stderr
    assert calls() == []

    # The default spec is installed when RELEASEKIT_SPEC is unset.
    nox("-s", "build", "--", "--skip-check")
    assert calls() == [[["build", "--skip-check"], "v1.4.0"]]

    # release.yml's two steps: install without credentials, then run without installing
    # (a spec that cannot be installed proves the second step installs nothing).
    nox("-s", "publish", "--install-only")
    assert len(calls()) == 1
    nox("-R", "-s", "publish", "--", "--repository", "testpypi", RELEASEKIT_SPEC="/nonexistent")
    assert calls()[-1] == [["publish", "--repository", "testpypi"], "v1.4.0"]


@pytest.mark.slow
def test_nox_session_installs_releasekit_spec_from_the_environment(tmp_path: Path) -> None:
    wheel = fake_releasekit_wheel(tmp_path)
    (tmp_path / "noxfile.py").write_text(render_nox_sessions(), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELEASEKIT_", "NOX"))}
    env.update(FAKE_LOG=str(tmp_path / "log"), RELEASEKIT_SPEC=str(wheel))
    argv = [tool("nox"), "-s", "publish", "--", "--dry-run"]
    proc = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads((tmp_path / "log").read_text()) == [["publish", "--dry-run"], None]


# --- inspect_workflow ----------------------------------------------------------------------------


def test_inspect_reads_our_token_workflow() -> None:
    facts = inspect_workflow(RENDERED["release-token-pypi"])
    assert facts.triggers_on_release and not facts.triggers_on_tag_push
    assert facts.publish_job == "publish" and facts.environment == "pypi"
    assert facts.runs_publish_session
    assert facts.reads_pypi_token_in_publish and facts.publish_secrets == ("PYPI_TOKEN",)
    assert not facts.id_token_in_publish and not facts.id_token_at_top


def test_inspect_reads_our_trusted_workflow() -> None:
    facts = inspect_workflow(RENDERED["release-trusted-testpypi"])
    assert facts.id_token_in_publish and not facts.id_token_at_top
    assert not facts.reads_pypi_token_in_publish and facts.publish_secrets == ()
    assert facts.environment == "pypi" and facts.runs_publish_session


TAG_PUSH_TWINE = """\
name: Upload
on:
  push:
    tags: ["v*"]
env:
  EXTRA: ${{ secrets.GLOBAL_THING }}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest
        env:
          GH: ${{ secrets.GITHUB_TOKEN }}
  deploy:
    needs: test
    runs-on: ubuntu-latest
    environment: release
    steps:
      - uses: actions/checkout@v4
      - run: |
          python -m build
          python -m twine upload dist/*
        env:
          TWINE_USERNAME: __token__
          TWINE_PASSWORD: ${{ secrets['PYPI_API_TOKEN'] }}
"""

TOP_ID_TOKEN = """\
on: release
permissions:
  id-token: write
jobs:
  pypi:
    runs-on: ubuntu-latest
    environment:
      name: pypi
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
"""

NO_PUBLISH = """\
on: [push, pull_request]
jobs:
  tests:
    runs-on: ubuntu-latest
    permissions: write-all
    steps:
      - run: nox -s tests
"""


def test_inspect_a_tag_push_workflow_with_twine_and_secrets() -> None:
    facts = inspect_workflow(TAG_PUSH_TWINE)
    assert facts.triggers_on_tag_push and not facts.triggers_on_release
    assert facts.publish_job == "deploy" and facts.environment == "release"
    assert not facts.runs_publish_session
    assert facts.reads_pypi_token_in_publish
    # The workflow-level env reaches the publish job too; GITHUB_TOKEN is not a PyPI token.
    assert facts.publish_secrets == ("GLOBAL_THING", "PYPI_API_TOKEN")


def test_inspect_an_id_token_granted_to_the_whole_workflow() -> None:
    facts = inspect_workflow(TOP_ID_TOKEN)
    assert facts.id_token_at_top and facts.id_token_in_publish
    assert facts.triggers_on_release and facts.publish_job == "pypi"
    assert facts.environment == "pypi" and not facts.reads_pypi_token_in_publish


@pytest.mark.parametrize("run", ["nox -s publish-docs", "nox -s tests", "twine check dist/*"])
def test_inspect_does_not_mistake_other_commands_for_publishing(run: str) -> None:
    facts = inspect_workflow(f"on: release\njobs:\n  docs:\n    steps:\n      - run: {run}\n")
    assert facts.publish_job is None and not facts.runs_publish_session


def test_inspect_a_workflow_without_a_publish_job() -> None:
    facts = inspect_workflow(NO_PUBLISH)
    assert facts.publish_job is None and facts.environment is None
    assert not (facts.runs_publish_session or facts.reads_pypi_token_in_publish)
    assert not (facts.id_token_in_publish or facts.id_token_at_top)
    assert facts.triggers_on_tag_push  # push without filters runs on tag pushes too


@pytest.mark.parametrize(
    ("on", "release", "tag_push"),
    [
        ("release:\n    types: [edited]", False, False),
        ("release:\n    types: [released]", True, False),
        ("push:\n    branches: [main]", False, False),
        ("push:\n    branches: [main]\n    tags: ['*']", False, True),
        ("push:\n    tags-ignore: ['nightly-*']", False, True),
    ],
)
def test_inspect_triggers(on: str, release: bool, tag_push: bool) -> None:
    text = f"on:\n  {on}\njobs:\n  j:\n    steps:\n      - run: nox --session publish\n"
    facts = inspect_workflow(text)
    assert (facts.triggers_on_release, facts.triggers_on_tag_push) == (release, tag_push)
    assert facts.publish_job == "j" and facts.runs_publish_session


@pytest.mark.parametrize(
    "run",
    [
        "nox -R -s build publish",
        "python -m nox --sessions=publish",
        "uv publish",
        "releasekit publish",
    ],
)
def test_inspect_finds_publish_commands(run: str) -> None:
    facts = inspect_workflow(f"on: release\njobs:\n  up:\n    steps:\n      - run: {run}\n")
    assert facts.publish_job == "up"
    assert facts.runs_publish_session == run.startswith(("nox", "python -m nox"))


@pytest.mark.parametrize(
    "text",
    [
        "on: release\njobs:\n  build:\n    steps:\n    - run: x\n   bad: indent\n",
        "on: [release\n",
        "- just\n- a list\n",
        "on: release\n",
    ],
)
def test_inspect_refuses_what_is_not_a_workflow(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        inspect_workflow(text)
    message = str(caught.value)
    assert "\n" not in message and "; " in message
    if text.startswith("on: release\njobs"):
        assert "line 6" in message
