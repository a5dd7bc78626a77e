"""GitHub releases against the stand-in API on 127.0.0.1: what a releasing user would see."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.github_api import GitHubStandIn, fake_token

from releasekit.errors import GitHubError
from releasekit.github.api import (
    DEFAULT_API_URL,
    GitHubAPIError,
    GitHubClient,
    Repo,
    api_token,
    api_url_from_env,
    client_from_env,
    is_github_remote,
    parse_remote,
    repo_from_env,
)
from releasekit.github.releases import publish_release


@pytest.fixture
def gh() -> Iterator[GitHubStandIn]:
    with GitHubStandIn(owner="octo", repo="hello") as standin:
        yield standin


@pytest.fixture
def client(gh: GitHubStandIn) -> GitHubClient:
    return GitHubClient(Repo("octo", "hello"), gh.token, api_url=gh.api_url, timeout=5)


@pytest.fixture
def dists(tmp_path: Path) -> list[Path]:
    wheel = tmp_path / "hello-1.4.0-py3-none-any.whl"
    sdist = tmp_path / "hello-1.4.0.tar.gz"
    wheel.write_bytes(b"wheel bytes " * 50)
    sdist.write_bytes(b"sdist bytes " * 70)
    return [wheel, sdist]


def assert_token_private(gh: GitHubStandIn, token: str) -> None:
    assert gh.requests, "the stand-in saw no request"
    for request in gh.requests:
        assert token not in request.path
        assert token not in request.body.decode("utf-8", "replace")
        leaks = [k for k, v in request.headers.items() if token in v and k != "authorization"]
        assert leaks == []


# -- publishing ----------------------------------------------------------------------------------
def test_creates_release_with_title_body_prerelease_and_assets(
    gh: GitHubStandIn, client: GitHubClient, dists: list[Path]
) -> None:
    result = publish_release(
        client,
        tag="v1.4.0rc1",
        title="hello 1.4.0rc1",
        body="## Added\n- x",
        prerelease=True,
        assets=dists,
    )
    assert result.action == "created"
    (stored,) = gh.releases.values()
    assert result.release_id == stored["id"]
    assert result.html_url == "https://github.com/octo/hello/releases/tag/v1.4.0rc1"
    assert (stored["tag_name"], stored["name"], stored["body"]) == (
        "v1.4.0rc1",
        "hello 1.4.0rc1",
        "## Added\n- x",
    )
    assert stored["prerelease"] is True and stored["draft"] is False
    assert result.assets == result.uploaded == tuple(path.name for path in dists)
    on_release = {asset["name"]: gh.asset_data[asset["id"]] for asset in stored["assets"]}
    assert on_release == {path.name: path.read_bytes() for path in dists}
    upload = gh.requests_to("POST", r"/uploads/repos/octo/hello/releases/\d+/assets")[0]
    assert upload.headers["content-type"] == "application/octet-stream"
    assert "{" not in upload.path and upload.path.endswith("?name=hello-1.4.0-py3-none-any.whl")


def test_sends_githubs_headers_and_the_token_only_in_authorization(
    gh: GitHubStandIn, client: GitHubClient, dists: list[Path]
) -> None:
    publish_release(client, tag="v1", title="t", body="b", prerelease=False, assets=dists)
    for request in gh.requests:
        assert request.headers["authorization"] == f"Bearer {gh.token}"
        assert request.headers["accept"] == "application/vnd.github+json"
        assert request.headers["x-github-api-version"] == "2022-11-28"
        assert request.headers["user-agent"].startswith("releasekit/")
    assert_token_private(gh, gh.token)
    assert gh.token not in repr(client)


def test_second_run_updates_the_same_release_and_skips_identical_assets(
    gh: GitHubStandIn, client: GitHubClient, dists: list[Path]
) -> None:
    first = publish_release(
        client, tag="v1.4.0", title="old", body="old", prerelease=True, assets=dists
    )
    uploads_before = len(gh.requests_to("POST", r"/uploads/.*"))
    second = publish_release(
        client,
        tag="v1.4.0",
        title="hello 1.4.0",
        body="final notes",
        prerelease=False,
        assets=dists,
    )
    assert (first.action, second.action) == ("created", "updated")
    assert second.release_id == first.release_id
    assert len(gh.releases) == 1
    (stored,) = gh.releases.values()
    assert (stored["name"], stored["body"], stored["prerelease"]) == (
        "hello 1.4.0",
        "final notes",
        False,
    )
    assert len(gh.requests_to("POST", r"/repos/octo/hello/releases")) == 1
    assert len(gh.requests_to("PATCH", r"/repos/octo/hello/releases/\d+")) == 1
    assert second.uploaded == ()
    assert second.assets == tuple(path.name for path in dists)
    assert len(gh.requests_to("POST", r"/uploads/.*")) == uploads_before
    assert gh.requests_to("DELETE", r".*") == []


def test_changed_asset_is_deleted_then_uploaded_again(
    gh: GitHubStandIn, client: GitHubClient, dists: list[Path]
) -> None:
    publish_release(client, tag="v1", title="t", body="b", prerelease=False, assets=dists)
    wheel = dists[0]
    old_id = next(a["id"] for a in gh.releases[1]["assets"] if a["name"] == wheel.name)
    wheel.write_bytes(b"WHEEL BYTES " * 50)  # same size, other bytes: a rebuilt wheel
    result = publish_release(client, tag="v1", title="t", body="b", prerelease=False, assets=dists)
    assert result.uploaded == (wheel.name,)
    deletes = gh.requests_to("DELETE", r"/repos/octo/hello/releases/assets/\d+")
    assert [d.path for d in deletes] == [f"/repos/octo/hello/releases/assets/{old_id}"]
    (stored,) = gh.releases.values()
    assert sorted(a["name"] for a in stored["assets"]) == sorted(p.name for p in dists)
    new = next(a for a in stored["assets"] if a["name"] == wheel.name)
    assert gh.asset_data[new["id"]] == wheel.read_bytes()
    assert new["digest"] == "sha256:" + hashlib.sha256(wheel.read_bytes()).hexdigest()


def test_assets_are_replaced_when_the_server_reports_no_digest(
    gh: GitHubStandIn, client: GitHubClient, dists: list[Path]
) -> None:
    gh.asset_digests = False
    publish_release(client, tag="v1", title="t", body="b", prerelease=False, assets=dists)
    again = publish_release(client, tag="v1", title="t", body="b", prerelease=False, assets=dists)
    assert again.uploaded == tuple(p.name for p in dists)
    assert len(gh.requests_to("DELETE", r".*")) == 2
    assert len(gh.releases[1]["assets"]) == 2


def test_release_created_meanwhile_is_updated_not_duplicated(
    gh: GitHubStandIn, client: GitHubClient
) -> None:
    client.request("POST", f"{client.repo_path}/releases", body={"tag_name": "v2", "name": "a"})
    # Another run created it after our lookup: the lookup misses, the POST says already_exists.
    gh.override("GET", r"/repos/octo/hello/releases/tags/v2", 404, times=1)
    result = publish_release(client, tag="v2", title="second", body="b", prerelease=False)
    assert result.action == "updated"
    assert len(gh.releases) == 1 and gh.releases[1]["name"] == "second"
    calls = [(r.method, r.path) for r in gh.requests[1:]]
    assert calls == [
        ("GET", "/repos/octo/hello/releases/tags/v2"),
        ("POST", "/repos/octo/hello/releases"),
        ("GET", "/repos/octo/hello/releases/tags/v2"),
        ("PATCH", "/repos/octo/hello/releases/1"),
    ]


def test_missing_asset_stops_before_anything_is_sent(
    gh: GitHubStandIn, client: GitHubClient, tmp_path: Path
) -> None:
    with pytest.raises(GitHubError) as caught:
        publish_release(
            client, tag="v1", title="t", body="b", prerelease=False, assets=[tmp_path / "nope.whl"]
        )
    assert "nope.whl" in str(caught.value) and "build" in caught.value.fix
    assert gh.requests == []


# -- failures: one line, cause and fix, no token ------------------------------------------------
@pytest.mark.parametrize(
    ("status", "cause_bit", "fix_bit"),
    [
        (401, "GitHub rejected the token (401 Bad credentials)", "new token"),
        (403, "Resource not accessible by personal access token", "contents: write"),
        (404, "404", "GITHUB_REPOSITORY"),
        (422, "422 Validation Failed: Release custom body bad", "correct the values"),
        (500, "500 Server Error", "later"),
    ],
)
def test_error_statuses_become_one_line_cause_and_fix(
    gh: GitHubStandIn, client: GitHubClient, status: int, cause_bit: str, fix_bit: str
) -> None:
    gh.force_status = status
    with pytest.raises(GitHubAPIError) as caught:
        publish_release(client, tag="v1", title="t", body="b", prerelease=False)
    error = caught.value
    assert error.status == status
    assert cause_bit in error.cause and fix_bit in error.fix
    assert "\n" not in str(error) and str(error) == f"{error.cause}; {error.fix}"
    assert gh.token not in str(error)


def test_wrong_token_is_refused_by_the_stand_in_and_reported(gh: GitHubStandIn) -> None:
    wrong = fake_token("ghs_")
    client = GitHubClient(Repo("octo", "hello"), wrong, api_url=gh.api_url, timeout=5)
    with pytest.raises(GitHubAPIError) as caught:
        publish_release(client, tag="v1", title="t", body="b", prerelease=False)
    assert caught.value.status == 401 and "Bad credentials" in str(caught.value)
    assert wrong not in str(caught.value)
    assert gh.releases == {}


def test_unknown_repository_is_404_with_the_repository_named(gh: GitHubStandIn) -> None:
    client = GitHubClient(Repo("octo", "other"), gh.token, api_url=gh.api_url, timeout=5)
    with pytest.raises(GitHubAPIError) as caught:
        publish_release(client, tag="v1", title="t", body="b", prerelease=False)
    assert caught.value.status == 404
    assert "octo/other" in caught.value.fix and "token" in caught.value.cause


def test_duplicate_release_post_reports_githubs_validation_errors(
    gh: GitHubStandIn, client: GitHubClient
) -> None:
    publish_release(client, tag="v1", title="t", body="b", prerelease=False)
    with pytest.raises(GitHubAPIError) as caught:
        client.request("POST", f"{client.repo_path}/releases", body={"tag_name": "v1"})
    assert "422 Validation Failed: Release already_exists tag_name" in str(caught.value)
    assert caught.value.errors[0]["code"] == "already_exists"


def test_rate_limit_is_told_apart_from_missing_rights(
    gh: GitHubStandIn, client: GitHubClient
) -> None:
    gh.override("GET", r".*", 403, {"message": "API rate limit exceeded for user ID 1."})
    with pytest.raises(GitHubAPIError) as caught:
        publish_release(client, tag="v1", title="t", body="b", prerelease=False)
    assert "rate limit" in caught.value.cause and "reset" in caught.value.fix


def test_moved_repository_is_reported_not_followed(gh: GitHubStandIn, client: GitHubClient) -> None:
    gh.override("GET", r".*", 301, {"message": "Moved Permanently"})
    with pytest.raises(GitHubAPIError) as caught:
        publish_release(client, tag="v1", title="t", body="b", prerelease=False)
    assert caught.value.status == 301 and "renamed" in caught.value.fix
    assert len(gh.requests) == 1


def test_failed_upload_names_the_upload_and_keeps_the_release(
    gh: GitHubStandIn, client: GitHubClient, dists: list[Path]
) -> None:
    gh.override("POST", r"/uploads/.*", 500)
    with pytest.raises(GitHubAPIError) as caught:
        publish_release(client, tag="v1", title="t", body="b", prerelease=False, assets=dists)
    assert "POST /uploads/repos/octo/hello/releases/1/assets" in caught.value.cause
    gh.overrides.clear()
    result = publish_release(client, tag="v1", title="t", body="b", prerelease=False, assets=dists)
    assert result.action == "updated" and len(gh.releases[1]["assets"]) == 2


def test_unreachable_api_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    token = fake_token()
    url = f"http://127.0.0.1:{port}"
    client = GitHubClient(Repo("o", "r"), token, api_url=url, timeout=2)
    with pytest.raises(GitHubError) as caught:
        publish_release(client, tag="v1", title="t", body="b", prerelease=False)
    assert str(caught.value).startswith(f"cannot reach GitHub's API at {url}")
    assert "GITHUB_API_URL" in caught.value.fix and token not in str(caught.value)


def test_silent_api_times_out_instead_of_hanging() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)  # accepts the connection, never answers
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        client = GitHubClient(Repo("o", "r"), fake_token(), api_url=url, timeout=0.3)
        with pytest.raises(GitHubError) as caught:
            client.request("GET", "/repos/o/r/releases")
    assert "cannot reach" in caught.value.cause and "timed out" in caught.value.cause


def test_enterprise_style_api_base_with_a_path_prefix(dists: list[Path]) -> None:
    with GitHubStandIn(owner="o", repo="r", prefix="/api/v3") as gh:
        client = GitHubClient(Repo("o", "r"), gh.token, api_url=gh.api_url + "/", timeout=5)
        result = publish_release(
            client, tag="v1", title="t", body="b", prerelease=False, assets=dists
        )
    assert result.action == "created"
    assert gh.requests[0].path == "/api/v3/repos/o/r/releases/tags/v1"


# -- where the repository, the token and the API come from -------------------------------------
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/octo/hello", ("octo", "hello")),
        ("https://github.com/octo/hello.git", ("octo", "hello")),
        ("https://github.com/octo/hello/", ("octo", "hello")),
        ("http://GitHub.com/octo/hello.git", ("octo", "hello")),
        ("https://user@github.com/octo/hello.git", ("octo", "hello")),
        ("https://x-access-token:secret@github.com/octo/my.repo.git", ("octo", "my.repo")),
        ("git@github.com:octo/hello.git", ("octo", "hello")),
        ("git@github.com:octo/hello", ("octo", "hello")),
        ("github.com:octo/hello.git", ("octo", "hello")),
        ("ssh://git@github.com/octo/hello.git", ("octo", "hello")),
        ("ssh://git@github.com:22/octo/hello_world.git", ("octo", "hello_world")),
        ("ssh://git@ssh.github.com:443/octo/hello.git", ("octo", "hello")),
        ("git://github.com/octo/hello.git", ("octo", "hello")),
        ("  https://github.com/octo-org/hello-world.git\n", ("octo-org", "hello-world")),
        ("/tmp/remote.git", None),
        ("../remote.git", None),
        ("file:///tmp/remote.git", None),
        ("https://gitlab.com/octo/hello.git", None),
        ("git@gitlab.com:octo/hello.git", None),
        ("https://github.com/octo", None),
        ("https://github.com/octo/hello/tree/main", None),
        ("https://github.com/octo/.git", None),
        ("", None),
    ],
)
def test_parse_remote(url: str, expected: tuple[str, str] | None) -> None:
    assert parse_remote(url) == expected


@pytest.mark.parametrize(
    ("url", "api_url", "expected"),
    [
        ("https://ghe.example.com/team/app.git", "https://ghe.example.com/api/v3", True),
        ("git@ghe.example.com:team/app.git", "https://ghe.example.com/api/v3/", True),
        ("https://acme.ghe.com/team/app", "https://api.acme.ghe.com", True),
        ("https://github.com/octo/hello", "https://ghe.example.com/api/v3", True),
        ("https://ghe.example.com/team/app.git", DEFAULT_API_URL, False),
        ("https://other.example.com/team/app.git", "https://ghe.example.com/api/v3", False),
        ("/srv/git/app.git", "https://ghe.example.com/api/v3", False),
    ],
)
def test_enterprise_hosts_count_only_for_their_api_base(
    url: str, api_url: str, expected: bool
) -> None:
    assert is_github_remote(url, api_url) is expected
    assert (parse_remote(url, api_url) is not None) is expected


def test_repo_from_env_prefers_github_repository() -> None:
    env = {"GITHUB_REPOSITORY": "ci-owner/ci-repo"}
    assert repo_from_env(env, "git@github.com:other/thing.git") == Repo("ci-owner", "ci-repo")
    assert repo_from_env({}, "git@github.com:other/thing.git") == Repo("other", "thing")
    ghe = {"GITHUB_API_URL": "https://ghe.example.com/api/v3"}
    assert repo_from_env(ghe, "https://ghe.example.com/team/app") == Repo("team", "app")


@pytest.mark.parametrize("remote", [None, "/tmp/bare.git", "https://gitlab.com/a/b.git"])
def test_repo_from_env_without_any_source_says_what_to_set(remote: str | None) -> None:
    with pytest.raises(GitHubError) as caught:
        repo_from_env({}, remote)
    assert "GITHUB_REPOSITORY=OWNER/REPO" in caught.value.fix
    assert (remote or "no git remote") in caught.value.cause


def test_repo_from_env_hides_credentials_in_a_remote() -> None:
    with pytest.raises(GitHubError) as caught:
        repo_from_env({}, "https://user:hunter2pass@gitlab.com/a/b.git")
    assert "hunter2pass" not in str(caught.value) and "gitlab.com/a/b.git" in str(caught.value)


def test_malformed_github_repository_is_refused() -> None:
    with pytest.raises(GitHubError, match="GITHUB_REPOSITORY must be OWNER/REPO"):
        repo_from_env({"GITHUB_REPOSITORY": "just-a-name"}, "https://github.com/o/r")


def test_api_token_precedence_and_absence() -> None:
    first, second = fake_token(), fake_token("gho_")
    assert api_token({"GITHUB_TOKEN": first, "GH_TOKEN": second}) == first
    assert api_token({"GH_TOKEN": second}) == second
    assert api_token({"GITHUB_TOKEN": "  ", "GH_TOKEN": second}) == second
    with pytest.raises(GitHubError) as caught:
        api_token({})
    assert str(caught.value) == (
        "no GitHub token; set GITHUB_TOKEN or GH_TOKEN (a token with contents: write)"
    )


def test_api_url_from_env() -> None:
    assert api_url_from_env({}) == DEFAULT_API_URL
    ghe = "https://ghe.example.com/api/v3"
    assert api_url_from_env({"GITHUB_API_URL": ghe + "/"}) == ghe
    with pytest.raises(GitHubError, match="GITHUB_API_URL is not an http"):
        api_url_from_env({"GITHUB_API_URL": "ghe.example.com"})


def test_client_from_env_reaches_the_api_it_names(gh: GitHubStandIn) -> None:
    env = {"GITHUB_API_URL": gh.api_url, "GH_TOKEN": gh.token}
    client = client_from_env(env, "git@github.com:octo/hello.git", timeout=5)
    result = publish_release(client, tag="v3", title="t", body="b", prerelease=False)
    assert result.action == "created" and gh.releases[result.release_id]["tag_name"] == "v3"
