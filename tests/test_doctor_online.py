"""`releasekit doctor --online`: the GitHub side of the automated path, against the stand-in.

The PYPI_TOKEN secret where release.yml reads it and its age, the publish environment's
protection, a ruleset on the release tags and the last runs of release.yml. A refusal on one
endpoint turns that check into a warning; no GitHub token skips them all with a note.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.github_api import GitHubStandIn, fake_token

from releasekit.demo import sample
from releasekit.doctor import run as doctor
from releasekit.doctor.model import Check
from releasekit.setup.init import WORKFLOW, InitOptions, init

BIN = Path(sys.executable).parent
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
ONLINE = ("github", "secret", "secret-age", "environment", "tag-ruleset", "release-runs")


def make_project(tmp_path: Path, *, trusted: bool = False) -> Path:
    root = sample.write_project(tmp_path / "project")
    sample.init_repository(root, tmp_path / "remote.git")
    init(root, InitOptions(trusted_publishing=trusted))
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


@pytest.fixture
def gh() -> Iterator[GitHubStandIn]:
    """A repository set up as the README says: every online check passes."""
    with GitHubStandIn(owner="octo", repo="hello") as standin:
        standin.add_environment("pypi", reviewers=2)
        standin.store_secret("PYPI_TOKEN", environment="pypi", updated_at=NOW - days(30))
        standin.add_tag_ruleset()
        standin.add_run("success", tag="v1.2.0")
        standin.add_run("success", tag="v1.3.0")
        yield standin


def days(count: float) -> dt.timedelta:
    return dt.timedelta(days=count)


def github_env(gh: GitHubStandIn) -> dict[str, str]:
    return {
        "GITHUB_TOKEN": gh.token,
        "GITHUB_API_URL": gh.api_url,
        "GITHUB_REPOSITORY": "octo/hello",
    }


def online(
    root: Path, gh: GitHubStandIn, *, now: dt.datetime = NOW, **environ: str
) -> dict[str, Check]:
    """The online checks of a doctor run, by name (the index is not asked)."""
    env = {**os.environ, **github_env(gh), **environ}
    env = {key: value for key, value in env.items() if value}
    report = doctor.run(root, offline=True, online=True, environ=env, now=now)
    found = {check.name: check for check in report.checks if check.name in ONLINE}
    assert tuple(found) == ONLINE
    return found


def test_a_repository_set_up_as_advised_passes_every_online_check(
    project: Path, gh: GitHubStandIn
) -> None:
    found = online(project, gh)
    assert {name: check.status for name, check in found.items()} == dict.fromkeys(ONLINE, "pass")
    assert found["github"].detail == f"octo/hello at {gh.api_url}, token from GITHUB_TOKEN"
    assert found["secret"].detail == "PYPI_TOKEN is a secret of environment pypi"
    assert "last set on 2026-01-30, 30 days ago" in found["secret-age"].detail
    assert found["environment"].detail == "environment pypi has 2 required reviewers"
    assert found["tag-ruleset"].detail == "ruleset 'release tags' protects v* tags"
    assert (
        found["release-runs"].detail
        == "last 2 run(s) of release.yml: v1.3.0 success, v1.2.0 success"
    )
    assert gh.token not in repr(found)
    # Every request asked the stand-in for this repository, with the token in the header only.
    assert all(r.path.startswith("/repos/octo/hello") for r in gh.requests)


# --- the secret and its age ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "status", "said"),
    [
        (days(182), "pass", "182 days ago (rotate every 6 to 12 months)"),
        (days(184), "warn", "184 days ago: over 6 months"),
        (days(364), "warn", "364 days ago: over 6 months"),
        (days(366), "fail", "366 days ago: over 12 months"),
    ],
)
def test_secret_age_warns_after_6_months_and_fails_after_12(
    project: Path, gh: GitHubStandIn, age: dt.timedelta, status: str, said: str
) -> None:
    gh.store_secret("PYPI_TOKEN", environment="pypi", updated_at=NOW - age)
    found = online(project, gh)["secret-age"]
    assert (found.status, found.detail.endswith(said)) == (status, True), found.detail
    if status != "pass":
        assert "releasekit secret set" in found.fix


def test_the_age_is_measured_from_the_last_update(project: Path, gh: GitHubStandIn) -> None:
    gh.store_secret("PYPI_TOKEN", environment="pypi", updated_at=NOW - days(400))
    assert online(project, gh)["secret-age"].status == "fail"
    assert online(project, gh, now=NOW - days(300))["secret-age"].status == "pass"


def test_a_repository_secret_is_accepted_when_the_environment_has_none(
    project: Path, gh: GitHubStandIn
) -> None:
    gh.secret_meta.clear()
    gh.store_secret("PYPI_TOKEN", updated_at=NOW - days(200))
    found = online(project, gh)
    assert found["secret"].status == "pass"
    assert found["secret"].detail == (
        "PYPI_TOKEN is a secret of repository octo/hello (environment pypi has none)"
    )
    assert found["secret-age"].status == "warn"


def test_no_secret_anywhere_fails_and_its_age_is_skipped(project: Path, gh: GitHubStandIn) -> None:
    gh.secret_meta.clear()
    found = online(project, gh)
    assert found["secret"].status == "fail"
    assert "no PYPI_TOKEN secret in environment pypi nor the repository" in found["secret"].detail
    assert found["secret"].fix.endswith("then run releasekit secret set")
    assert found["secret-age"].status == "skip"
    assert found["secret-age"].detail == "needs the PYPI_TOKEN secret (see secret)"


def test_a_job_outside_environments_reads_the_repository_secret(
    project: Path, gh: GitHubStandIn
) -> None:
    path = project / WORKFLOW
    text = path.read_text(encoding="utf-8").replace("    environment:\n      name: pypi\n", "")
    path.write_text(text.replace("      url: https://pypi.org/project/sample-pkg/\n", ""), "utf-8")
    found = online(project, gh)
    assert found["secret"].status == "fail"  # the environment's secret does not count here
    gh.store_secret("PYPI_TOKEN", updated_at=NOW - days(1))
    found = online(project, gh)
    assert found["secret"].detail == "PYPI_TOKEN is a secret of repository octo/hello"
    assert found["environment"].status == "skip"  # workflow-credentials already warns


def test_trusted_publishing_passes_without_a_secret(tmp_path: Path, gh: GitHubStandIn) -> None:
    root = make_project(tmp_path, trusted=True)
    gh.secret_meta.clear()
    found = online(root, gh)
    assert found["secret"].status == "pass"
    assert "trusted publishing (id-token: write) and reads no PYPI_TOKEN" in found["secret"].detail
    assert "cannot be checked from here" in found["secret"].detail
    assert found["secret-age"].status == "pass"
    assert gh.requests_to("GET", r".*/secrets/.*") == []


# --- environment protection ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "status", "said"),
    [
        ({"reviewers": 1}, "pass", "environment pypi has 1 required reviewer"),
        ({"branch_policy": True}, "pass", "environment pypi has a deployment branch policy"),
        (
            {"reviewers": 3, "branch_policy": True},
            "pass",
            "has 3 required reviewers and a deployment branch policy",
        ),
        ({"wait_timer": 30}, "warn", "environment pypi has no protection rules"),
        ({}, "warn", "environment pypi has no protection rules"),
    ],
)
def test_environment_protection(
    project: Path, gh: GitHubStandIn, settings: dict[str, object], status: str, said: str
) -> None:
    gh.add_environment("pypi", **settings)  # type: ignore[arg-type]
    found = online(project, gh)["environment"]
    assert found.status == status and said in found.detail
    if status == "warn":
        assert "add required reviewers under Settings > Environments > pypi" in found.fix


def test_a_missing_environment_is_a_warning(project: Path, gh: GitHubStandIn) -> None:
    del gh.environments["pypi"]
    found = online(project, gh)
    assert found["environment"].status == "warn"
    assert (
        "has no environment pypi: the first run creates it unprotected"
        in found["environment"].detail
    )
    assert found["environment"].fix.startswith("create it under Settings > Environments")


# --- tag ruleset ---------------------------------------------------------------------------------


def test_tag_ruleset_absent_other_pattern_or_not_enforced_warns(
    project: Path, gh: GitHubStandIn
) -> None:
    gh.rulesets.clear()
    found = online(project, gh)["tag-ruleset"]
    assert (
        found.status == "warn" and "no tag ruleset protects the release tags (v*)" in found.detail
    )
    assert "New tag ruleset: target tags matching v*" in found.fix
    gh.add_tag_ruleset(("refs/tags/release-*",))
    assert online(project, gh)["tag-ruleset"].status == "warn"
    gh.add_tag_ruleset(enforcement="evaluate")
    found = online(project, gh)["tag-ruleset"]
    assert found.status == "warn" and "covers v* tags but is evaluate" in found.detail
    gh.add_tag_ruleset(("~ALL",))
    assert online(project, gh)["tag-ruleset"].status == "pass"


def test_tag_ruleset_follows_the_tag_format(project: Path, gh: GitHubStandIn) -> None:
    table = "[tool.releasekit]\n"
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace(table, table + "tag-format = 'rel-{version}'\n"), "utf-8")
    found = online(project, gh)["tag-ruleset"]
    assert found.status == "warn" and "(rel-*)" in found.detail
    gh.add_tag_ruleset(("refs/tags/rel-*",))
    assert online(project, gh)["tag-ruleset"].detail == "ruleset 'release tags' protects rel-* tags"


# --- release runs --------------------------------------------------------------------------------


def test_a_failed_last_run_warns_with_its_link(project: Path, gh: GitHubStandIn) -> None:
    failed = gh.add_run("failure", tag="v1.4.0")
    found = online(project, gh)["release-runs"]
    assert found.status == "warn"
    assert found.detail.endswith(f"the last one failed: {failed['html_url']}")
    assert "v1.4.0 failure, v1.3.0 success, v1.2.0 success" in found.detail
    gh.add_run("success", tag="v1.4.0")
    found = online(project, gh)["release-runs"]
    assert found.status == "pass" and found.detail.endswith(f"last failure: {failed['html_url']}")


def test_only_the_last_five_runs_are_asked(project: Path, gh: GitHubStandIn) -> None:
    for number in range(4, 11):
        gh.add_run("success", tag=f"v1.{number}.0")
    found = online(project, gh)["release-runs"]
    assert found.detail.startswith("last 5 run(s) of release.yml: v1.10.0 success")
    asked = gh.requests_to("GET", r"/repos/octo/hello/actions/workflows/release.yml/runs")
    assert [request.path.rsplit("?", 1)[1] for request in asked] == ["per_page=5"]


def test_runs_in_progress_none_yet_or_no_workflow(project: Path, gh: GitHubStandIn) -> None:
    gh.add_run(None, status="in_progress", tag="v1.4.0")
    assert online(project, gh)["release-runs"].detail.startswith(
        "last 3 run(s) of release.yml: v1.4.0 in_progress"
    )
    gh.workflow_runs["release.yml"] = []
    assert online(project, gh)["release-runs"].detail == "release.yml has not run yet"
    del gh.workflow_runs["release.yml"]
    found = online(project, gh)["release-runs"]
    assert found.status == "warn" and "knows no workflow release.yml" in found.detail


# --- refusals and no token -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "check", "right"),
    [
        (r".*/secrets/PYPI_TOKEN", "secret", "Environments: read"),
        (r"/repos/octo/hello/environments/pypi", "environment", "Actions: read"),
        (r"/repos/octo/hello/rulesets", "tag-ruleset", "Metadata: read"),
        (r".*/runs", "release-runs", "Actions: read"),
    ],
)
def test_a_403_warns_on_its_own_check_only(
    project: Path, gh: GitHubStandIn, path: str, check: str, right: str
) -> None:
    gh.override("GET", path, 403)
    found = online(project, gh)
    assert (
        found[check].status == "warn" and "(403: the token lacks the right)" in found[check].detail
    )
    assert right in found[check].fix and "repo scope" in found[check].fix
    others = {name: c.status for name, c in found.items() if name != check}
    expected = {name: "pass" for name in others}
    if check == "secret":
        expected["secret-age"] = "skip"
    assert others == expected


def test_without_a_github_token_the_online_checks_are_skipped(
    project: Path, gh: GitHubStandIn
) -> None:
    found = online(project, gh, GITHUB_TOKEN="")
    assert found["github"].status == "skip"
    assert found["github"].detail == "no GITHUB_TOKEN or GH_TOKEN: the GitHub checks were not run"
    assert "export GITHUB_TOKEN" in found["github"].fix
    for name in ONLINE[1:]:
        assert (found[name].status, found[name].detail) == (
            "skip",
            "needs a GitHub token (see github)",
        )
    assert gh.requests == []
    assert online(project, gh, GITHUB_TOKEN="", GH_TOKEN=gh.token)["secret"].status == "pass"


def test_a_bad_token_or_repository_fails_once(project: Path, gh: GitHubStandIn) -> None:
    found = online(project, gh, GITHUB_TOKEN=fake_token())
    assert found["github"].status == "fail"
    assert (
        found["github"].detail == "GitHub rejected the token in GITHUB_TOKEN (401 Bad credentials)"
    )
    assert {found[name].status for name in ONLINE[1:]} == {"skip"}
    found = online(project, gh, GITHUB_REPOSITORY="octo/nothere")
    assert (
        found["github"].status == "fail" and "no repository octo/nothere" in found["github"].detail
    )
    assert found["secret"].detail == "needs GitHub access (see github)"


def test_not_on_github_is_a_warning(project: Path, gh: GitHubStandIn) -> None:
    found = online(project, gh, GITHUB_REPOSITORY="")  # the remote is a local bare repository
    assert found["github"].status == "warn"
    assert "cannot tell which GitHub repository" in found["github"].detail


# --- the command ---------------------------------------------------------------------------------


def test_the_command_reports_and_fails_on_a_secret_older_than_12_months(
    project: Path, gh: GitHubStandIn
) -> None:
    env = {**os.environ, **github_env(gh)}
    argv = [str(BIN / "releasekit"), "doctor", "--online", "--offline"]

    def doctor_cli() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv, cwd=project, env=env, capture_output=True, text=True, timeout=120
        )

    now = dt.datetime.now(dt.timezone.utc)
    gh.store_secret("PYPI_TOKEN", environment="pypi", updated_at=now - days(20))
    ok = doctor_cli()
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "pass  secret-age: PYPI_TOKEN was last set on" in ok.stdout
    assert "pass  environment: environment pypi has 2 required reviewers" in ok.stdout
    assert "pass  release-runs: last 2 run(s) of release.yml" in ok.stdout
    gh.store_secret("PYPI_TOKEN", environment="pypi", updated_at=now - days(400))
    old = doctor_cli()
    assert old.returncode == 1
    assert "fail  secret-age: PYPI_TOKEN was last set on" in old.stdout
    assert "over 12 months" in old.stdout and "run releasekit secret set" in old.stdout
    assert old.stderr.strip().endswith("1 check fails; fix them as listed above")
    assert gh.token not in ok.stdout + ok.stderr + old.stdout + old.stderr
