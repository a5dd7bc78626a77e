"""`releasekit doctor`: every check passes on a ready project and says what is wrong otherwise.

Real sample projects in real git repositories; the index check asks a real pypiserver on
127.0.0.1; zizmor is the real one from the venv.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.tokens import mint

from releasekit.demo import sample
from releasekit.demo.localindex import LocalIndex, free_port
from releasekit.doctor import run as doctor
from releasekit.doctor.model import Check, Report
from releasekit.setup.init import WORKFLOW, InitOptions, init

BIN = Path(sys.executable).parent
NOT_PASS = {"token": "warn", "index": "skip"}  # a ready project, offline, without a token


def ready_project(
    tmp_path: Path, *, tag: str | None = "v1.3.0", version: str = "1.3.0", trusted: bool = False
) -> Path:
    """A sample project in git with a bare remote, set up by `releasekit init`."""
    root = sample.write_project(tmp_path / "project", version=version)
    sample.init_repository(root, tmp_path / "remote.git", tag=tag)
    init(root, InitOptions(trusted_publishing=trusted))
    return root


def run(root: Path, *, offline: bool = True, **environ: str) -> Report:
    return doctor.run(root, offline=offline, environ={**os.environ, **environ})


def checks(root: Path, *, offline: bool = True, **environ: str) -> dict[str, Check]:
    return {check.name: check for check in run(root, offline=offline, **environ).checks}


def statuses(root: Path) -> dict[str, str]:
    return {name: check.status for name, check in checks(root).items()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return ready_project(tmp_path)


def test_a_ready_project_passes_every_local_check(project: Path) -> None:
    found = statuses(project)
    expected = {name: NOT_PASS.get(name, "pass") for name in found}
    assert found == expected
    assert len(found) >= 14


def test_report_scores_and_lists_each_fix(project: Path) -> None:
    edit(project / "pyproject.toml", 'build-backend = "hatchling.build"\n', "")
    report = run(project)
    counted = len(report.checks) - report.count("skip")
    assert report.score == f"{counted - 2}/{counted} checks pass (1 failed, 1 warned, 1 skipped)"
    lines = report.lines()
    failing = lines.index(next(line for line in lines if line.startswith("fail  build-backend:")))
    assert lines[failing + 1].startswith("      fix: add [build-system]")
    assert lines[-1] == report.score and not report.ok
    as_json = report.as_json()
    assert as_json["counts"] == {"pass": counted - 2, "warn": 1, "fail": 1, "skip": 1}
    assert as_json["checks"][0].keys() == {"name", "status", "detail", "fix"}


# --- config, build backend, version ------------------------------------------------------------


def test_config_passes_without_a_table_and_fails_on_a_bad_one(project: Path) -> None:
    pyproject = project / "pyproject.toml"
    edit(pyproject, "[tool.releasekit]\n", "[tool.other]\n")
    found = checks(project)["config"]
    assert (found.status, "defaults apply" in found.detail) == ("pass", True)
    edit(pyproject, "[tool.other]\n", "[tool.releasekit]\ntag-fromat = 'v{version}'\n")
    found_all = checks(project)
    assert found_all["config"].status == "fail"
    assert "unknown key 'tag-fromat'" in found_all["config"].detail
    # One cause, reported once: what needs the config is skipped and points at it.
    for name in ("version", "changelog", "tags", "remote", "branch", "workflow-trigger"):
        assert found_all[name].status == "skip", name
        assert found_all[name].detail == "needs a valid [tool.releasekit] (see config)"


def test_build_backend_pass_and_fail(project: Path) -> None:
    assert checks(project)["build-backend"].detail == "pyproject.toml declares hatchling.build"
    edit(project / "pyproject.toml", 'build-backend = "hatchling.build"\n', "")
    found = checks(project)["build-backend"]
    assert found.status == "fail" and "no [build-system] build-backend" in found.detail


def test_version_locations_must_agree_and_be_found(project: Path) -> None:
    found = checks(project)["version"]
    assert found.detail == (
        "1.3.0 in pyproject.toml [project].version, src/sample_pkg/__init__.py __version__"
    )
    package = project / "src" / "sample_pkg" / "__init__.py"
    edit(package, '__version__ = "1.3.0"', '__version__ = "1.3.1"')
    found_all = checks(project)
    assert found_all["version"].status == "fail"
    assert "disagree" in found_all["version"].detail and "1.3.1" in found_all["version"].detail
    assert found_all["tags"].status == "skip" and "see version" in found_all["tags"].detail
    edit(package, '__version__ = "1.3.1"', "")
    edit(project / "pyproject.toml", 'version = "1.3.0"\n', "")
    found = checks(project)["version"]
    assert found.status == "fail"
    assert found.detail.startswith("cannot find where the version lives (looked at ")


# --- changelog, tags -----------------------------------------------------------------------------


def test_changelog_needs_an_unreleased_section(project: Path) -> None:
    changelog = project / "CHANGELOG.md"
    found = checks(project)["changelog"]
    assert (found.status, found.detail) == (
        "pass",
        "CHANGELOG.md is Keep a Changelog; [Unreleased] holds 1 entry",
    )
    edit(changelog, "## [Unreleased]\n", "## Next\n")
    found = checks(project)["changelog"]
    assert found.status == "fail" and "no '## [Unreleased]' section" in found.detail
    changelog.unlink()
    found = checks(project)["changelog"]
    assert (found.status, found.detail) == ("fail", "CHANGELOG.md does not exist")


def test_changelog_headings_out_of_form_are_a_warning(project: Path) -> None:
    edit(project / "CHANGELOG.md", "## [1.3.0] - 2026-01-15", "## Version 1.3.0 (January)")
    found = checks(project)["changelog"]
    assert found.status == "warn" and "## Version 1.3.0 (January)" in found.detail


def test_tags_pass_when_the_latest_is_the_current_version(project: Path) -> None:
    found = checks(project)["tags"]
    assert found.status == "pass" and "v1.3.0, is not above 1.3.0" in found.detail


def test_a_tag_above_the_current_version_fails(project: Path) -> None:
    sample.git(project, "tag", "v1.10.0")
    found = checks(project)["tags"]
    assert found.status == "fail"
    assert found.detail == "the latest release tag v1.10.0 is above the current version 1.3.0"


def test_tags_outside_the_tag_format_are_a_warning(project: Path) -> None:
    sample.git(project, "tag", "v1.3.1-test")
    sample.git(project, "tag", "1.2.0")
    found = checks(project)["tags"]
    assert found.status == "warn" and "v1.3.1-test" in found.detail and "1.2.0" in found.detail


def test_no_tag_yet_passes_with_the_first_tag(tmp_path: Path) -> None:
    found = checks(ready_project(tmp_path, tag=None))["tags"]
    assert (found.status, found.detail) == ("pass", "no release tag yet: the first will be v1.3.0")


# --- git: remote and branch ----------------------------------------------------------------------


def test_remote_pass_and_fail(project: Path) -> None:
    found = checks(project)["remote"]
    assert found.status == "pass" and found.detail.startswith("origin = ")
    sample.git(project, "remote", "rename", "origin", "upstream")
    found = checks(project)["remote"]
    assert (found.status, found.detail) == ("fail", "no remote named origin")


def test_remote_on_github_is_named_and_credentials_in_the_url_are_not_shown(project: Path) -> None:
    url = "https://someone:hunter2@github.com/example/sample-pkg.git"
    sample.git(project, "remote", "set-url", "origin", url)
    found = checks(project)["remote"]
    assert found.status == "pass" and "GitHub: example/sample-pkg" in found.detail
    assert "hunter2" not in found.detail


def test_outside_a_git_repository_remote_fails_and_branch_is_skipped(project: Path) -> None:
    import shutil

    shutil.rmtree(project / ".git")
    found = checks(project)
    assert found["remote"].status == "fail" and "not in a git repository" in found["remote"].detail
    assert found["branch"].status == "skip"


def test_branch_must_be_the_release_branch(project: Path) -> None:
    assert checks(project)["branch"].detail == "on main, the release branch"
    sample.git(project, "switch", "--quiet", "-c", "feature")
    found = checks(project)["branch"]
    assert (
        found.status == "fail" and found.detail == "on branch feature, releases are made from main"
    )
    sample.git(project, "checkout", "--quiet", "--detach")
    assert checks(project)["branch"].detail == "HEAD is detached"


# --- noxfile and release.yml ---------------------------------------------------------------------


def test_noxfile_needs_build_and_publish_sessions(project: Path) -> None:
    assert checks(project)["noxfile"].status == "pass"
    edit(project / "noxfile.py", 'name="publish"', 'name="upload"')
    found = checks(project)["noxfile"]
    assert (found.status, found.detail) == ("fail", "noxfile.py has no publish session")
    (project / "noxfile.py").unlink()
    assert checks(project)["noxfile"].detail == "noxfile.py does not exist"


def test_a_missing_release_workflow_fails_once(project: Path) -> None:
    (project / WORKFLOW).unlink()
    found = checks(project)
    assert found["workflow"].status == "fail"
    assert found["workflow"].fix.startswith("run releasekit init")
    for name in ("workflow-trigger", "workflow-publish", "workflow-credentials", "zizmor"):
        assert found[name].status == "skip", name


def test_a_release_workflow_that_is_not_yaml_fails(project: Path) -> None:
    (project / WORKFLOW).write_text("jobs: [unclosed\n", encoding="utf-8")
    found = checks(project)["workflow"]
    assert found.status == "fail" and found.detail.startswith(f"{WORKFLOW}: workflow is not valid")


def test_trigger_on_a_matching_tag_push_passes_and_a_non_matching_one_fails(project: Path) -> None:
    path = project / WORKFLOW
    edit(path, "  release:\n    types: [published]\n", "  push:\n    tags: ['v*']\n")
    found = checks(project)["workflow-trigger"]
    assert found.status == "pass" and "v1.3.0 is pushed" in found.detail
    edit(path, "tags: ['v*']", "tags: ['release-*', '!v*']")
    found = checks(project)["workflow-trigger"]
    assert found.status == "fail" and "not on v1.3.0" in found.detail


def test_trigger_without_release_or_tag_fails(project: Path) -> None:
    edit(project / WORKFLOW, "  release:\n    types: [published]\n", "")
    found = checks(project)["workflow-trigger"]
    assert found.status == "fail" and "neither on a published release" in found.detail


def test_trigger_warns_when_the_tag_check_is_for_another_format(project: Path) -> None:
    table = "[tool.releasekit]\n"
    edit(project / "pyproject.toml", table, table + "tag-format = 'r{version}'\n")
    found = checks(project)["workflow-trigger"]
    assert found.status == "warn" and "another format than r{version}" in found.detail


def test_publish_job_must_run_the_nox_publish_session(project: Path) -> None:
    path = project / WORKFLOW
    edit(path, "run: nox -s publish --install-only", "run: python -m pip install twine")
    edit(path, "run: nox -R -s publish", "run: python -m twine upload dist/*")
    found = checks(project)["workflow-publish"]
    assert found.status == "warn" and "without `nox -s publish`" in found.detail
    edit(path, "run: python -m twine upload dist/*", "run: echo nothing")
    found_all = checks(project)
    assert found_all["workflow-publish"].status == "fail"
    assert found_all["workflow-credentials"].status == "skip"


def test_credentials_token_or_trusted_publishing(project: Path, tmp_path: Path) -> None:
    found = checks(project)["workflow-credentials"]
    assert found.detail == "job publish publishes with the PYPI_TOKEN secret in environment pypi"
    trusted = ready_project(tmp_path / "trusted", trusted=True)
    found = checks(trusted)["workflow-credentials"]
    assert found.status == "pass" and "trusted publishing (id-token: write)" in found.detail


def test_credentials_missing_fail(project: Path) -> None:
    edit(project / WORKFLOW, "          PYPI_TOKEN: ${{ secrets.PYPI_TOKEN }}\n", "")
    edit(project / WORKFLOW, "        env: # the token reaches this step only", "        # no env")
    found = checks(project)["workflow-credentials"]
    assert found.status == "fail" and "no secret PYPI_TOKEN" in found.detail


def test_credentials_outside_an_environment_or_for_every_job_warn(project: Path) -> None:
    path = project / WORKFLOW
    text = path.read_text(encoding="utf-8")
    edit(path, "    environment:\n      name: pypi\n", "")
    edit(path, "      url: https://pypi.org/project/sample-pkg/\n", "")
    found = checks(project)["workflow-credentials"]
    assert found.status == "warn" and "outside any environment" in found.detail
    path.write_text(text.replace("permissions: {}", "permissions:\n  id-token: write"), "utf-8")
    found = checks(project)["workflow-credentials"]
    assert found.status == "warn" and "id-token: write to every job" in found.detail


# --- zizmor --------------------------------------------------------------------------------------


def test_zizmor_passes_on_the_rendered_workflow(project: Path) -> None:
    found = checks(project, PATH=str(BIN))["zizmor"]
    assert (found.status, found.detail) == ("pass", f"zizmor --offline finds nothing in {WORKFLOW}")


def test_zizmor_findings_are_reported(project: Path) -> None:
    edit(project / WORKFLOW, "run: nox -s build", "run: nox -s build -- ${{ inputs.tag }}")
    found = checks(project, PATH=str(BIN))["zizmor"]
    assert found.status == "fail"  # template injection is high severity
    assert "template-injection (high, line " in found.detail
    edit(project / WORKFLOW, "run: nox -s build -- ${{ inputs.tag }}", "run: nox -s build")
    edit(project / WORKFLOW, "persist-credentials: false", "clean: true")
    found = checks(project, PATH=str(BIN))["zizmor"]
    assert found.status == "warn" and "artipacked (medium" in found.detail


def test_zizmor_absent_is_skipped_with_a_note(project: Path, tmp_path: Path) -> None:
    found = checks(project, PATH=str(tmp_path))["zizmor"]
    assert found.status == "skip" and "pip install zizmor" in found.detail


# --- the token -----------------------------------------------------------------------------------

SCOPED = [[1, ["sample-pkg"]], [2, ["6f3a1c1e-0000-4000-8000-000000000000"]]]


@pytest.mark.parametrize(
    ("token", "status", "said"),
    [
        (lambda: mint("pypi.org", SCOPED), "pass", "pypi.org token, scoped to sample-pkg, no"),
        (lambda: mint("pypi.org"), "warn", "account-wide"),
        (lambda: mint("pypi.org", [[1, ["other-pkg"]]]), "fail", "scoped to other-pkg"),
        (lambda: mint("test.pypi.org", SCOPED), "fail", "test.pypi.org token"),
        (lambda: mint("pypi.org", [*SCOPED, [0, 1_000_000, 999_000]]), "fail", "expires 1970"),
        (lambda: "not-a-pypi-token", "warn", "not a PyPI API token"),
    ],
)
def test_token_index_scope_and_expiry(project: Path, token: object, status: str, said: str) -> None:
    secret = token()  # type: ignore[operator]
    found = checks(project, PYPI_TOKEN=secret)["token"]
    assert found.status == status and said in found.detail
    assert secret not in found.detail + found.fix


def test_an_expiry_in_the_future_is_shown(project: Path) -> None:
    now = int(time.time())
    later = now + 86400 * 30
    found = checks(project, PYPI_TOKEN=mint("pypi.org", [*SCOPED, [0, later, now - 60]]))
    assert found["token"].status == "pass"
    assert time.strftime("expires %Y-%m-%d", time.gmtime(later)) in found["token"].detail


def test_token_is_never_printed_by_the_command(project: Path) -> None:
    secret = mint("pypi.org", [[1, ["other-pkg"]]])
    env = {**os.environ, "PYPI_TOKEN": secret}
    for extra in ([], ["--json"]):
        proc = subprocess.run(
            [str(BIN / "releasekit"), "doctor", "--offline", *extra],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 1
        assert secret not in proc.stdout + proc.stderr
        assert secret[:20] not in proc.stdout + proc.stderr
        assert "only works for other-pkg" in proc.stdout


def test_any_password_passes_for_a_private_index(project: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    edit(project / "pyproject.toml", 'repository = "pypi"', f'repository = "{url}"')
    found = checks(project, PYPI_TOKEN="s3cret-password")["token"]
    assert found.status == "pass" and url in found.detail
    assert "s3cret" not in found.detail


# --- the index -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIndex]:
    """A real pypiserver that already has sample-pkg 1.3.0."""
    packages = tmp_path_factory.mktemp("packages")
    (packages / "sample_pkg-1.3.0.tar.gz").write_bytes(b"not really an sdist")
    (packages / "sample_pkg-1.3.0-py3-none-any.whl").write_bytes(b"not really a wheel")
    with LocalIndex(packages, token="doctor-test-token") as server:
        yield server


def use_index(root: Path, url: str) -> None:
    edit(root / "pyproject.toml", 'repository = "pypi"', f'repository = "{url}"')


def test_a_version_not_on_the_index_passes(tmp_path: Path, index: LocalIndex) -> None:
    root = ready_project(tmp_path, version="1.4.0", tag="v1.4.0")
    use_index(root, index.url)
    found = checks(root, offline=False)["index"]
    assert (found.status, found.detail) == ("pass", f"sample-pkg 1.4.0 is not on {index.url} yet")


def test_a_released_and_tagged_version_passes(project: Path, index: LocalIndex) -> None:
    use_index(project, index.url)
    found = checks(project, offline=False)["index"]
    assert found.status == "pass" and "is on" in found.detail and "tagged v1.3.0" in found.detail


def test_a_version_on_the_index_but_not_tagged_fails(tmp_path: Path, index: LocalIndex) -> None:
    root = ready_project(tmp_path, tag=None)
    use_index(root, index.url)
    found = checks(root, offline=False)["index"]
    assert found.status == "fail"
    assert "sample_pkg-1.3.0.tar.gz" in found.detail and "v1.3.0 is not tagged" in found.detail


def test_an_unreachable_index_is_a_warning_and_offline_skips(project: Path) -> None:
    use_index(project, f"http://127.0.0.1:{free_port()}/")
    found = checks(project, offline=False)["index"]
    assert found.status == "warn" and "cannot reach the index" in found.detail
    assert checks(project, offline=True)["index"].status == "skip"


# --- the fronts ----------------------------------------------------------------------------------


def test_command_exits_non_zero_on_a_failure_and_prints_only_json(project: Path) -> None:
    def doctor_cli(*args: str) -> subprocess.CompletedProcess[str]:
        argv = [str(BIN / "releasekit"), "doctor", "--offline", *args]
        return subprocess.run(argv, cwd=project, capture_output=True, text=True, timeout=120)

    ok = doctor_cli("--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["ok"] is True
    edit(project / "pyproject.toml", 'build-backend = "hatchling.build"\n', "")
    failed = doctor_cli("--json")
    assert failed.returncode == 1
    data = json.loads(failed.stdout)  # nothing but the JSON on stdout
    assert data["counts"]["fail"] == 1
    assert failed.stderr.strip().endswith("1 check fails; fix them as listed above")
    text = doctor_cli()
    assert text.returncode == 1 and "fail  build-backend:" in text.stdout
    assert text.stdout.splitlines()[-1] == data["score"]


def test_invoke_doctor_exits_non_zero_on_a_failure(project: Path) -> None:
    argv = [str(BIN / "invoke"), "doctor", "--offline"]
    passed = subprocess.run(argv, cwd=project, capture_output=True, text=True, timeout=120)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.splitlines()[-1].endswith("(1 warned, 1 skipped)")
    (project / "CHANGELOG.md").unlink()
    failed = subprocess.run(argv, cwd=project, capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1
    assert "fail  changelog: CHANGELOG.md does not exist" in failed.stdout
    assert "releasekit: error: 1 check fails" in failed.stderr
