"""Security beside faults: hardened workflows, no secret in any child's argv, masked output.

Also checks the suite's own probes: a secret put into argv on purpose must be caught, or
`token_leaks=0` would mean nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from support.github_api import GitHubStandIn, fake_token
from support.servers import closed_port

from faults.faultkit import Scenario, tool
from faults.worlds import Repo, on_github, world
from releasekit.demo.localindex import LocalIndex
from releasekit.setup.workflow import WorkflowOptions, render_ci, render_release


@pytest.mark.parametrize(
    "options",
    [
        WorkflowOptions(project="sample-pkg"),
        WorkflowOptions(project="sample-pkg", trusted_publishing=True),
        WorkflowOptions(
            project="sample_pkg", repository="testpypi", tag_format="release-{version}"
        ),
        WorkflowOptions(project="sample-pkg", repository="private-index", environment="release"),
    ],
    ids=["token", "trusted-publishing", "testpypi", "private-index"],
)
def test_rendered_workflows_have_no_zizmor_findings(
    tmp_path: Path, options: WorkflowOptions
) -> None:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "release.yml").write_text(render_release(options))
    (folder / "ci.yml").write_text(render_ci(options))
    for persona in ("regular", "pedantic"):
        argv = [
            tool("zizmor"),
            "--offline",
            "--no-config",
            "--format",
            "json",
            "--persona",
            persona,
        ]
        result = subprocess.run([*argv, str(tmp_path)], capture_output=True, text=True, check=False)
        findings = json.loads(result.stdout or "[]")
        assert findings == [], f"{persona}: {json.dumps(findings, indent=1)[:2000]}"
        assert result.returncode == 0, result.stderr


def test_a_whole_release_under_watch_puts_no_secret_in_any_argv(
    scenario: Scenario, repo: Repo, index: LocalIndex, github: GitHubStandIn
) -> None:
    """Files, commit, tag, push, build, upload, GitHub release, with --verbose: the probes see
    every process releasekit starts (git, build, twine) and no secret in any of them."""
    on_github(repo)
    env = scenario.env(GITHUB_API_URL=github.api_url)
    args = ["--part", "minor", "--yes", "--publish", "--repository", index.url, "--verbose"]
    outcome = scenario.releasekit(repo.root, "release", *args, env=env, timeout=300)
    scenario.finished(outcome)
    scenario.released(repo, "1.4.0", index_dir=index.directory, github=github)

    seen = [json.loads(line)["argv"] for line in scenario.argv_log.read_text().splitlines()]
    started = [" ".join(argv) for argv in seen]
    for kind in (("push", "--atomic"), ("twine", "check"), ("twine", "upload")):
        found = any(all(word in line for word in kind) for line in started)
        assert found, f"no {' '.join(kind)} process seen in {started}"
    # The build frontend: uv build when uv is installed, pypa/build otherwise.
    builds = [line for line in started if "-m build " in line or " build --python " in line]
    assert builds, f"no build process (python -m build or uv build) seen in {started}"
    assert scenario.sampler.sweeps > 10
    # the secrets themselves are searched for by the fixture, everywhere, at the end


def test_credentials_in_a_remote_url_are_never_printed(scenario: Scenario, repo: Repo) -> None:
    """A remote URL that carries a token: the failure names the remote, never the token."""
    secret = fake_token()
    repo.git("remote", "set-url", "origin", f"http://x:{secret}@127.0.0.1:{closed_port()}/r.git")
    before = world(repo)
    outcome = scenario.releasekit(repo.root, "release", "--part", "minor", "--yes")
    scenario.refused(outcome, cause=r"cannot reach remote origin", fix=r"network")
    scenario.unchanged(before, world(repo))
    assert secret not in outcome.output and secret[-20:] not in outcome.output
    repo.git("remote", "set-url", "origin", str(repo.remote))  # .git/config held it on purpose


def test_the_probes_catch_a_secret_in_argv_and_output(tmp_path: Path) -> None:
    """A child that gets a secret in argv and prints it: every probe must report it."""
    secret = fake_token()
    node = SimpleNamespace(nodeid="probe-self-test", user_properties=[])
    probe = Scenario(node, tmp_path, [secret, fake_token()])
    leaky = (
        "import subprocess, sys; "
        "subprocess.run(['sleep', '0.3', sys.argv[1]]); print('token:', sys.argv[1])"
    )
    outcome = probe.run([sys.executable, "-c", leaky, secret], cwd=tmp_path, env=probe.env())
    assert outcome.returncode == 0, outcome.stderr
    (tmp_path / "written.log").write_text(f"secret={secret}\n")

    found = probe.leaks()

    assert any(f.startswith("pid ") for f in found), found  # the /proc sampler
    assert any(f.startswith("argv of a child") for f in found), found  # the audit hook
    assert any(f.startswith("stdout") for f in found), found
    assert any(f.startswith("file ") and "written.log" in f for f in found), found
