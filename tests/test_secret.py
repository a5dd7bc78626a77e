"""`releasekit secret`: a checked PyPI token, sealed to GitHub's key, stored as PYPI_TOKEN.

The stand-in GitHub API on 127.0.0.1 holds real Curve25519 key pairs and opens each sealed
box with its private key, so "stored" means GitHub could decrypt exactly the token. Tokens
are minted at run time; every test checks the token went nowhere else.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.github_api import GitHubStandIn, fake_token
from support.tokens import mint

from releasekit.demo import sample
from releasekit.errors import ReleaseError
from releasekit.setup import secret
from releasekit.setup.init import WORKFLOW, InitOptions, init

BIN = Path(sys.executable).parent
SCOPED = [[1, ["sample-pkg"]], [2, ["6f3a1c1e-0000-4000-8000-000000000000"]]]
# Logs the argv of every process a Python process starts (audit events), for the argv check.
ARGV_PROBE = """
import json, os, sys
def _hook(event, args):
    if event == "subprocess.Popen":
        with open(os.environ["ARGV_LOG"], "a", encoding="utf-8") as log:
            log.write(json.dumps([os.fsdecode(a) for a in args[1]]) + "\\n")
sys.addaudithook(_hook)
"""


def make_project(tmp_path: Path, *, trusted: bool = False) -> Path:
    """A sample project in git, set up by `releasekit init` (release.yml in environment pypi)."""
    root = sample.write_project(tmp_path / "project")
    sample.init_repository(root, tmp_path / "remote.git")
    init(root, InitOptions(trusted_publishing=trusted))
    return root


@pytest.fixture
def gh() -> Iterator[GitHubStandIn]:
    with GitHubStandIn(owner="octo", repo="hello") as standin:
        standin.add_environment("pypi", reviewers=1)
        yield standin


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


@pytest.fixture
def token() -> str:
    return mint("pypi.org", SCOPED)


def github_env(gh: GitHubStandIn, **extra: str) -> dict[str, str]:
    return {
        "GITHUB_TOKEN": gh.token,
        "GITHUB_API_URL": gh.api_url,
        "GITHUB_REPOSITORY": "octo/hello",
        **extra,
    }


def set_secret(root: Path, gh: GitHubStandIn, value: str, **options: object) -> secret.StoredSecret:
    """The verb as commands.secret_set runs it, in process."""
    plan = secret.prepare(root, environ=github_env(gh), **options)  # type: ignore[arg-type]
    return secret.store(plan, value, key=secret.public_key(plan))


def assert_only_sealed(gh: GitHubStandIn, value: str) -> None:
    """The token is in no request's path, headers or body; the one PUT holds it sealed."""
    assert gh.requests, "the stand-in saw no request"
    tail = value[-24:]  # random bytes of the signature: no other text holds them
    for request in gh.requests:
        body = request.body.decode("utf-8", "replace")
        assert value not in request.path and tail not in request.path
        assert all(
            value not in header and tail not in header for header in request.headers.values()
        )
        assert value not in body and tail not in body
        if request.method == "PUT":
            sealed = base64.b64decode(request.json()["encrypted_value"])
            assert value.encode() not in sealed


def run_cli(
    root: Path, gh: GitHubStandIn, *args: str, stdin: str, **extra: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **github_env(gh), **extra}
    argv = [str(BIN / "releasekit"), "secret", *args]
    return subprocess.run(
        argv, cwd=root, env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


# --- storing -------------------------------------------------------------------------------------


def test_set_stores_exactly_the_token_sealed_to_the_pypi_environment(
    project: Path, gh: GitHubStandIn, token: str
) -> None:
    stored = set_secret(project, gh, token)
    assert gh.secret_value("PYPI_TOKEN", "pypi") == token
    assert gh.secret_value("PYPI_TOKEN") is None  # not a repository secret
    assert (stored.action, stored.where) == ("created", "environment pypi of octo/hello")
    puts = gh.requests_to("PUT", r"/repos/octo/hello/environments/pypi/secrets/PYPI_TOKEN")
    assert len(puts) == 1 and set(puts[0].json()) == {"encrypted_value", "key_id"}
    assert puts[0].json()["key_id"] == gh.key_pair("pypi")[0]
    again = set_secret(project, gh, token)
    assert again.action == "updated"
    assert "scoped to sample-pkg" in stored.verdict.description
    assert_only_sealed(gh, token)
    assert token not in repr(stored) + repr(again)


def test_a_publish_job_outside_any_environment_gets_a_repository_secret(
    project: Path, gh: GitHubStandIn, token: str
) -> None:
    path = project / WORKFLOW
    text = path.read_text(encoding="utf-8")
    assert "    environment:\n      name: pypi\n" in text
    path.write_text(
        text.replace("    environment:\n      name: pypi\n", "").replace(
            "      url: https://pypi.org/project/sample-pkg/\n", ""
        ),
        encoding="utf-8",
    )
    stored = set_secret(project, gh, token)
    assert stored.where == "repository octo/hello"
    assert gh.secret_value("PYPI_TOKEN") == token
    assert gh.secret_value("PYPI_TOKEN", "pypi") is None


def test_flags_choose_the_place(project: Path, gh: GitHubStandIn, token: str) -> None:
    gh.add_environment("release")
    assert set_secret(project, gh, token, environment="release").where.startswith(
        "environment release"
    )
    assert gh.secret_value("PYPI_TOKEN", "release") == token
    assert set_secret(project, gh, token, repository_secret=True).where == "repository octo/hello"
    assert gh.secret_value("PYPI_TOKEN") == token
    with pytest.raises(ReleaseError, match="contradict each other"):
        secret.prepare(
            project, environ=github_env(gh), environment="release", repository_secret=True
        )


def test_trusted_publishing_needs_no_secret_unless_asked(
    tmp_path: Path, gh: GitHubStandIn, token: str
) -> None:
    root = make_project(tmp_path, trusted=True)
    with pytest.raises(ReleaseError) as refused:
        secret.prepare(root, environ=github_env(gh))
    assert "reads no PYPI_TOKEN secret (it uses trusted publishing" in str(refused.value)
    assert "--environment NAME or --repository-secret" in str(refused.value)
    assert set_secret(root, gh, token, environment="pypi").action == "created"


def test_without_release_yml_the_place_must_be_chosen(project: Path, gh: GitHubStandIn) -> None:
    (project / WORKFLOW).unlink()
    with pytest.raises(ReleaseError, match=r"release\.yml does not exist; run releasekit init"):
        secret.prepare(project, environ=github_env(gh))


# --- the audit -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda: mint("test.pypi.org", SCOPED), "made on test.pypi.org but the upload goes to"),
        (lambda: mint("pypi.org", [[1, ["other-pkg"]]]), "only works for other-pkg"),
        (lambda: mint("pypi.org", [*SCOPED, [0, 1_000_000, 999_000]]), "expired on 1970"),
        (lambda: "hunter2-not-a-token", "not a PyPI API token"),
    ],
)
def test_a_token_pypi_would_refuse_is_never_sent(
    project: Path, gh: GitHubStandIn, make: object, said: str
) -> None:
    value = make()  # type: ignore[operator]
    with pytest.raises(ReleaseError) as refused:
        set_secret(project, gh, value)
    message = str(refused.value)
    assert said in message and "nothing was stored" in message
    assert value not in message and "\n" not in message
    assert gh.requests_to("PUT", r".*") == []
    assert gh.secret_values == {}
    assert_only_sealed(gh, value)


def test_an_account_wide_token_is_stored_with_a_warning(project: Path, gh: GitHubStandIn) -> None:
    value = mint("pypi.org")
    stored = set_secret(project, gh, value)
    assert gh.secret_value("PYPI_TOKEN", "pypi") == value
    assert any("every project of the account" in w for w in stored.verdict.warnings)


def test_testpypi_gets_its_own_token_page_and_tokens(project: Path, gh: GitHubStandIn) -> None:
    value = mint("test.pypi.org", SCOPED)
    plan = secret.prepare(project, environ=github_env(gh), repository="testpypi")
    assert plan.advice.lines() == [
        "Create the token on test.pypi.org: https://test.pypi.org/manage/account/token/",
        "  name: sample-pkg-github-actions",
        "  scope: Project: sample-pkg",
    ]
    secret.store(plan, value)
    assert gh.secret_value("PYPI_TOKEN", "pypi") == value
    with pytest.raises(ReleaseError, match=r"made on pypi\.org but the upload goes to test"):
        secret.store(plan, mint("pypi.org", SCOPED))


# --- reading the token ---------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_token_comes_from_piped_stdin_or_a_hidden_prompt(token: str) -> None:
    assert secret.read_token_input(io.StringIO(f"\n  {token}  \n")) == token
    asked: list[str] = []

    def prompt(text: str) -> str:
        asked.append(text)
        return token

    typed_ahead = Terminal("must not be read")
    assert secret.read_token_input(typed_ahead, ask=prompt) == token
    assert asked == ["PyPI token (input hidden): "] and typed_ahead.tell() == 0


@pytest.mark.parametrize(
    ("text", "said"),
    [("", "no token on standard input"), ("a\nb\n", "more than one word"), ("a b", "one word")],
)
def test_unusable_input_is_refused(text: str, said: str) -> None:
    with pytest.raises(ReleaseError, match=said):
        secret.read_token_input(io.StringIO(text))


# --- GitHub's refusals ---------------------------------------------------------------------------


def refusal(root: Path, gh: GitHubStandIn, value: str, **env: str) -> str:
    plan = secret.prepare(root, environ={**github_env(gh), **env})
    with pytest.raises(ReleaseError) as refused:
        secret.store(plan, value)
    message = str(refused.value)
    assert "\n" not in message and value not in message and gh.token not in message
    assert gh.secret_values == {}
    return message


def test_401_bad_credentials(project: Path, gh: GitHubStandIn, token: str) -> None:
    message = refusal(project, gh, token, GITHUB_TOKEN=fake_token())
    assert message.startswith("GitHub rejected the GitHub token (401 Bad credentials)")
    assert "GITHUB_TOKEN or GH_TOKEN" in message and "Environments: read and write" in message


def test_403_no_right_to_secrets(project: Path, gh: GitHubStandIn, token: str) -> None:
    gh.override("GET", r".*/secrets/public-key", 403)
    message = refusal(project, gh, token)
    assert "no right to the Actions secrets of octo/hello (403)" in message
    assert "give it Environments: read and write" in message and "repo scope" in message
    gh.overrides.clear()
    gh.override("PUT", r".*/secrets/PYPI_TOKEN", 403)
    assert "(403)" in refusal(project, gh, token)


def test_403_for_a_repository_secret_names_the_secrets_right(
    project: Path, gh: GitHubStandIn, token: str
) -> None:
    gh.override("GET", r".*/secrets/public-key", 403)
    plan = secret.prepare(project, environ=github_env(gh), repository_secret=True)
    with pytest.raises(ReleaseError, match=r"give it Secrets: read and write \(fine-grained"):
        secret.public_key(plan)


def test_404_no_such_repository(project: Path, gh: GitHubStandIn, token: str) -> None:
    message = refusal(project, gh, token, GITHUB_REPOSITORY="octo/nothere")
    assert "no repository octo/nothere this token can see (404)" in message
    assert "check GITHUB_REPOSITORY" in message


def test_404_no_such_environment(project: Path, gh: GitHubStandIn, token: str) -> None:
    del gh.environments["pypi"]
    message = refusal(project, gh, token)
    assert "octo/hello has no environment pypi (404)" in message
    assert "create it under Settings > Environments" in message


def test_422_validation_failed(project: Path, gh: GitHubStandIn, token: str) -> None:
    gh.override("PUT", r".*/secrets/PYPI_TOKEN", 422)
    message = refusal(project, gh, token)
    assert "GitHub refused the secret PYPI_TOKEN for environment pypi of octo/hello" in message
    assert "(422 Validation Failed" in message and "run releasekit secret set again" in message


def test_a_box_sealed_to_another_key_is_refused_by_github(
    project: Path, gh: GitHubStandIn, token: str
) -> None:
    plan = secret.prepare(project, environ=github_env(gh))
    repository_key = secret.prepare(project, environ=github_env(gh), repository_secret=True)
    wrong = secret.public_key(repository_key)
    wrong = secret.PublicKey(secret.public_key(plan).key_id, wrong.key)
    with pytest.raises(ReleaseError, match="422 Validation Failed"):
        secret.store(plan, token, key=wrong)
    assert gh.secret_values == {}


def test_no_github_token_fails_before_anything_is_read(project: Path) -> None:
    with pytest.raises(ReleaseError, match="no GitHub token; set GITHUB_TOKEN or GH_TOKEN"):
        secret.prepare(project, environ={"GITHUB_REPOSITORY": "octo/hello"})


# --- the fronts ----------------------------------------------------------------------------------


def test_the_command_reads_stdin_stores_and_prints_no_part_of_the_token(
    project: Path, gh: GitHubStandIn, token: str, tmp_path: Path
) -> None:
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "sitecustomize.py").write_text(ARGV_PROBE, encoding="utf-8")
    log = tmp_path / "argv.log"
    argv = [str(BIN / "releasekit"), "secret", "set"]
    proc = run_cli(project, gh, "set", stdin=token + "\n", PYTHONPATH=str(probe), ARGV_LOG=str(log))
    assert proc.returncode == 0, proc.stderr
    assert gh.secret_value("PYPI_TOKEN", "pypi") == token
    out = proc.stdout
    assert "https://pypi.org/manage/account/token/" in out
    assert "name: sample-pkg-github-actions" in out and "scope: Project: sample-pkg" in out
    assert "PYPI_TOKEN created as a secret of environment pypi of octo/hello at " in out
    for text in (proc.stdout, proc.stderr):
        assert token not in text and token[-24:] not in text and token[5:29] not in text
    children = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert children, "the probe saw no child process (git is expected)"
    assert all(token not in " ".join(child) for child in [argv, *children])
    assert_only_sealed(gh, token)
    second = run_cli(project, gh, "set", stdin=token)
    assert "PYPI_TOKEN updated as a secret" in second.stdout


def test_the_command_fails_with_one_line_and_stores_nothing(
    project: Path, gh: GitHubStandIn
) -> None:
    other = mint("pypi.org", [[1, ["other-pkg"]]])
    proc = run_cli(project, gh, "set", stdin=other)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("releasekit: error: the token cannot publish sample-pkg")
    assert other not in proc.stdout + proc.stderr and gh.secret_values == {}
    refused = run_cli(project, gh, "set", stdin=other, GITHUB_TOKEN=fake_token())
    assert refused.returncode == 1 and "(401 Bad credentials)" in refused.stderr


def test_secret_check_audits_only(project: Path, gh: GitHubStandIn, token: str) -> None:
    ok = run_cli(project, gh, "check", stdin=token)
    assert ok.returncode == 0, ok.stderr
    assert "The token can publish sample-pkg to pypi: a pypi.org token, scoped to" in ok.stdout
    bad = run_cli(project, gh, "check", stdin=mint("test.pypi.org", SCOPED))
    assert bad.returncode == 1 and "made on test.pypi.org" in bad.stderr
    assert "nothing was stored" not in bad.stderr  # check stores nothing, so says nothing of it
    wide = run_cli(project, gh, "check", stdin=mint("pypi.org"))
    assert wide.returncode == 0 and "warning: the token can upload to every project" in wide.stderr
    assert gh.requests == []  # the audit is offline
    for proc in (ok, bad, wide):
        assert token not in proc.stdout + proc.stderr


def test_invoke_secret_stores_and_checks(project: Path, gh: GitHubStandIn, token: str) -> None:
    env = {**os.environ, **github_env(gh)}

    def invoke(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
        argv = [str(BIN / "invoke"), "secret", *args]
        return subprocess.run(
            argv, cwd=project, env=env, input=stdin, capture_output=True, text=True, timeout=120
        )

    checked = invoke("--check", stdin=token)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert gh.secret_values == {}
    stored = invoke("--repository-secret", stdin=token)
    assert stored.returncode == 0, stored.stdout + stored.stderr
    assert gh.secret_value("PYPI_TOKEN") == token
    assert "PYPI_TOKEN created as a secret of repository octo/hello" in stored.stdout
    assert token not in checked.stdout + checked.stderr + stored.stdout + stored.stderr
