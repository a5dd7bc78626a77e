"""Token-shaped text is masked by its look alone, on every path that prints.

The tokens here are made at run time and set in no environment variable, so only the
shape rules of system/redact.py can hide them: a test passes because the mask worked,
not because the value happened to be a known secret. The servers say back what they
received (an index echoing the credentials, GitHub echoing the token and the body), as
misbehaving real ones may, so "the token is not in the error" can fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults.faultnet import IndexProxy
from support.github_api import GitHubStandIn
from support.tokens import SHAPES, shaped, tail

from releasekit.demo import sample
from releasekit.demo.localindex import LocalIndex
from releasekit.errors import BuildError, CommandError, GitError, GitHubError, PublishError
from releasekit.github.api import GitHubClient, Repo
from releasekit.github.releases import publish_release
from releasekit.publishing import dist
from releasekit.publishing.index import resolve_repository
from releasekit.publishing.upload import publish
from releasekit.system import runner
from releasekit.system.git import Git
from releasekit.system.redact import MASK, redact

BIN = Path(sys.executable).parent
FRONTS = ("releasekit", "invoke")


def fresh(kind: str) -> str:
    """A token of `kind` that no environment variable of this process holds."""
    value = shaped(kind)
    assert not any(value in seen or tail(value) in seen for seen in os.environ.values())
    return value


def assert_masked(text: str, *tokens: str) -> None:
    for token in tokens:
        assert token not in text, f"token shown: {text[:300]}"
        assert tail(token) not in text, f"token's tail shown: {text[:300]}"
    assert MASK in text, f"nothing masked in: {text[:300]}"


def front(root: Path, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / name), *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


# -- the rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", SHAPES)
def test_each_token_shape_is_masked_by_its_look_alone(kind: str) -> None:
    token = fresh(kind)
    assert redact(f"before {token} after") == f"before {MASK} after"
    assert redact(f"x={token}\n{token}") == f"x={MASK}\n{MASK}"


@pytest.mark.parametrize(
    ("prefix", "shortest", "alphabet"),
    [
        *[("pypi-", 16, "aZ9_-"), ("ghp_", 20, "aZ9"), ("gho_", 20, "aZ9"), ("ghu_", 20, "aZ9")],
        *[("ghs_", 20, "aZ9"), ("ghr_", 20, "aZ9"), ("github_pat_", 20, "aZ9_")],
        *[("Bearer ", 16, "aZ9._-"), ("bearer\t", 16, "aZ9._-"), ("BEARER  ", 16, "aZ9")],
    ],
)
def test_the_shortest_masked_token_and_one_shorter(
    prefix: str, shortest: str, alphabet: str
) -> None:
    """Long enough to be a token: masked whole; one character shorter: an ordinary word."""
    body = (alphabet * 40)[: int(shortest)]
    assert redact(f"<{prefix}{body}>") == f"<{MASK}>"
    assert redact(f"<{prefix}{body[:-1]}>") == f"<{prefix}{body[:-1]}>"


def test_words_that_only_start_like_a_token_are_left_alone() -> None:
    text = "ghx_abcdefghijklmnopqrstuvwxyz pypi.org bearer of news github_patch"
    assert redact(text) == text


def test_a_known_secret_of_any_shape_is_masked_wherever_it_appears(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = "correct-horse-battery-staple-0042"  # no token shape at all
    for name in ("PYPI_TOKEN", "TWINE_PASSWORD", "GITHUB_TOKEN", "GH_TOKEN"):
        monkeypatch.setenv(name, plain)
        assert redact(f"a{plain}b") == f"a{MASK}b", name
        monkeypatch.delenv(name)
    assert redact(f"a{plain}b") == f"a{plain}b"
    assert redact(f"a{plain}b", extra=[plain]) == f"a{MASK}b"
    assert redact("short abc", extra=["abc"]) == "short abc"  # too short to be a secret


# -- the layers that print a tool's words --------------------------------------------------------


@pytest.mark.parametrize("kind", SHAPES)
def test_a_failing_command_is_reported_masked(tmp_path: Path, kind: str) -> None:
    token = fresh(kind)
    script = tmp_path / "tool.py"  # the token is in what it says, never in its argv
    script.write_text(f"import sys\nprint({token!r})\nsys.exit('error: ' + {token!r})\n")
    with pytest.raises(CommandError) as caught:
        runner.run([sys.executable, str(script)], cwd=tmp_path)
    assert_masked(str(caught.value), token)
    assert_masked(caught.value.output, token)


def test_a_push_refusal_in_the_remotes_words_is_masked(tmp_path: Path) -> None:
    root = sample.write_project(tmp_path / "project")
    remote = tmp_path / "remote.git"
    sample.init_repository(root, remote, tag="v1.3.0")
    tokens = [fresh(kind) for kind in SHAPES]
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\n" + "".join(f"echo 'denied for {t}' >&2\n" for t in tokens) + "exit 1\n"
    )
    hook.chmod(0o755)
    sample.git(root, "commit", "--quiet", "--allow-empty", "-m", "More")
    with pytest.raises(GitError) as caught:
        Git(root).push("origin", ["refs/heads/main"])
    assert "refused the push" in str(caught.value)
    assert_masked(str(caught.value), *tokens[:2])  # the first two remote lines are quoted


LEAKY_BACKEND = '''\
"""A build backend that prints token-shaped text and fails with it."""
import sys

TOKENS = {tokens!r}


def _fail(*args, **kwargs):
    print("stdout:", *TOKENS)
    print("stderr:", *TOKENS, file=sys.stderr)
    raise RuntimeError("refusing with " + " ".join(TOKENS))


build_sdist = build_wheel = _fail
'''


@pytest.fixture(scope="module")
def leaky(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A project whose build backend says every token shape on stdout, stderr and in its error."""
    tokens = [fresh(kind) for kind in SHAPES]
    root = sample.write_project(tmp_path_factory.mktemp("leaky") / "project", backend="broken")
    (root / "broken_backend.py").write_text(LEAKY_BACKEND.format(tokens=tokens))
    return root, tokens


@pytest.mark.slow
def test_build_output_is_masked(leaky: tuple[Path, list[str]]) -> None:
    root, tokens = leaky
    with pytest.raises(BuildError) as caught:
        dist.build(root, version="1.3.0")
    assert_masked(str(caught.value), tokens[-1])  # the backend's last words: its error
    assert_masked(caught.value.output, *tokens)


@pytest.fixture
def echoing_index(tmp_path: Path) -> Iterator[tuple[IndexProxy, Path]]:
    """A real index behind a proxy that answers every upload with the credentials it got."""
    with (
        LocalIndex(tmp_path / "packages", token=shaped("pypi")) as index,
        IndexProxy(index.url, default="echo-auth") as proxy,
    ):
        yield proxy, tmp_path


def pypirc(folder: Path, url: str, password: str) -> Path:
    """Credentials in .pypirc: twine sends them, and no environment variable holds them."""
    path = folder / ".pypirc"
    path.write_text(
        "[distutils]\nindex-servers = echoing\n\n"
        f"[echoing]\nrepository = {url}\nusername = __token__\npassword = {password}\n"
    )
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = sample.write_project(tmp_path_factory.mktemp("built") / "project")
    built = dist.build(root, version="1.3.0")
    return [built.sdist, built.wheel]


@pytest.mark.slow
@pytest.mark.parametrize("kind", SHAPES)
def test_an_index_echoing_the_credentials_twine_sent_is_masked(
    echoing_index: tuple[IndexProxy, Path], files: list[Path], kind: str
) -> None:
    proxy, folder = echoing_index
    token = fresh(kind)
    repository = resolve_repository("echoing", pypirc=pypirc(folder, proxy.url, token))
    with pytest.raises(PublishError) as caught:
        publish(files, project="sample-pkg", version="1.3.0", repository=repository, environ={})
    assert proxy.posts == ["echo-auth"]
    assert "authentication failed" in str(caught.value)
    assert_masked(str(caught.value), token)
    assert_masked(caught.value.output, token)


# -- GitHub's API saying back what it received -----------------------------------------------------


@pytest.fixture
def echoing_github() -> Iterator[GitHubStandIn]:
    with GitHubStandIn() as standin:
        standin.echo = True
        yield standin


def test_github_echoing_a_token_of_no_known_shape_is_masked(echoing_github: GitHubStandIn) -> None:
    """A classic 40-hex token has no prefix: only the client's own knowledge of it masks it."""
    plain = os.urandom(20).hex()
    client = GitHubClient(Repo("o", "r"), plain, api_url=echoing_github.api_url)
    with pytest.raises(GitHubError) as caught:
        client.request("GET", f"{client.repo_path}/releases")
    assert echoing_github.requests[-1].headers["authorization"] == f"Bearer {plain}"
    assert "401" in str(caught.value)
    assert plain not in str(caught.value) and plain[-20:] not in str(caught.value)
    assert MASK in str(caught.value)


@pytest.mark.parametrize("kind", SHAPES)
def test_github_echoing_token_shaped_text_it_received_is_masked(
    echoing_github: GitHubStandIn, kind: str
) -> None:
    token = fresh(kind)
    echoing_github.override("POST", r"/repos/o/r/releases", 422)
    client = GitHubClient(Repo("o", "r"), echoing_github.token, api_url=echoing_github.api_url)
    with pytest.raises(GitHubError) as caught:
        publish_release(client, tag="v1.3.0", title="v1.3.0", body=token, prerelease=False)
    assert token in echoing_github.requests[-1].body.decode()  # it was sent, and said back
    assert "422" in str(caught.value)
    assert_masked(str(caught.value), token)
    assert_masked(getattr(caught.value, "detail", ""), token)


# -- through both fronts ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("fronts")
    root = sample.write_project(base / "project")
    sample.init_repository(root, base / "remote.git", tag="v1.3.0")
    return root


@pytest.mark.parametrize("name", FRONTS)
@pytest.mark.parametrize("kind", SHAPES)
def test_the_one_line_error_of_both_fronts_is_masked(project: Path, name: str, kind: str) -> None:
    """A token pasted into the wrong flag is said back in the error: masked."""
    token = fresh(kind)
    result = front(project, name, "release", "--new-version", token, "--dry-run")
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("releasekit: error: ") and result.stderr.count("\n") == 1
    assert "is not a valid PEP 440 version" in result.stderr
    assert_masked(result.stderr, token)


@pytest.mark.slow
@pytest.mark.parametrize("name", FRONTS)
def test_verbose_build_output_of_both_fronts_is_masked(
    leaky: tuple[Path, list[str]], name: str
) -> None:
    root, tokens = leaky
    result = front(root, name, "build", "--verbose")
    assert result.returncode == 1, result.stderr
    assert "stdout:" in result.stderr and "stderr:" in result.stderr  # the backend's own output
    assert_masked(result.stdout + result.stderr, *tokens)


@pytest.mark.slow
@pytest.mark.parametrize("name", FRONTS)
def test_verbose_upload_output_of_both_fronts_is_masked(
    echoing_index: tuple[IndexProxy, Path], files: list[Path], tmp_path: Path, name: str
) -> None:
    proxy, folder = echoing_index
    root = sample.write_project(tmp_path / "project")
    (root / "dist").mkdir()
    for path in files:
        (root / "dist" / path.name).write_bytes(path.read_bytes())
    tokens = [fresh("ghp"), fresh("pypi")]
    home = folder / "home"
    home.mkdir()
    pypirc(home, proxy.url, tokens[0])
    result = subprocess.run(
        [str(BIN / name), "publish", "--verbose", "--repository", "echoing"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        check=False,
        env={**os.environ, "HOME": str(home)},
    )
    assert result.returncode == 1, result.stderr
    assert "authentication failed" in result.stderr
    assert "Invalid credentials" in result.stderr  # twine's own words, with --verbose
    assert_masked(result.stdout + result.stderr, tokens[0])


@pytest.mark.parametrize("name", FRONTS)
def test_github_release_errors_of_both_fronts_are_masked(
    tmp_path: Path, echoing_github: GitHubStandIn, name: str
) -> None:
    """The CHANGELOG section (the release body) holds a token; GitHub says the body back."""
    root = sample.write_project(tmp_path / "project")
    token = fresh("github_pat")
    changelog = root / "CHANGELOG.md"
    changelog.write_text(changelog.read_text().replace("- First public release.", f"- {token}"))
    sample.init_repository(root, tmp_path / "remote.git", tag="v1.3.0")
    echoing_github.override("POST", r"/repos/o/r/releases", 422)
    env = {
        **os.environ,
        "GITHUB_API_URL": echoing_github.api_url,
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_TOKEN": echoing_github.token,
    }
    result = subprocess.run(
        [str(BIN / name), "github-release"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
        env=env,
    )
    assert result.returncode == 1, result.stderr
    assert token in echoing_github.requests[-1].body.decode()
    assert "422" in result.stderr
    assert_masked(result.stderr, token, echoing_github.token)
