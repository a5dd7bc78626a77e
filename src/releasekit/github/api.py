"""GitHub's REST API with the stdlib only (callers import it lazily): the client, repositories.

`GitHubClient.request` is the one door to the API: one HTTP request per call, a timeout on
each, no redirects followed (the token never travels to another URL), and every refusal
translated into a one-line `GitHubError` naming the cause and the fix, with the token masked.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from releasekit import __version__
from releasekit.errors import GitHubError
from releasekit.system.facts import github_token
from releasekit.system.record import record
from releasekit.system.redact import redact

DEFAULT_API_URL = "https://api.github.com"
_GITHUB_HOSTS = frozenset({"github.com", "www.github.com", "ssh.github.com"})
_OWNER = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})"
_NAME = r"[A-Za-z0-9._-]+"
_OWNER_REPO = re.compile(rf"/*({_OWNER})/({_NAME}?)(?:\.git)?/*")
_SCP_LIKE = re.compile(r"(?:[^@/:]+@)?([^@/:]+):(?!/)(.*)")


class GitHubAPIError(GitHubError):
    """GitHub answered with an error status; callers decide by `status`, `rate_limited`
    and `detail` (GitHub's own words), never by parsing `cause`."""

    def __init__(
        self,
        cause: str,
        fix: str,
        *,
        status: int,
        errors: Sequence[Any] = (),
        rate_limited: bool = False,
        detail: str = "",
    ) -> None:
        super().__init__(cause, fix)
        self.status = status
        self.errors = tuple(errors)
        self.rate_limited = rate_limited
        self.detail = detail


@record
class Repo:
    """A repository on GitHub (or GitHub Enterprise), as the API names it."""

    owner: str
    name: str

    def __str__(self) -> str:
        return f"{self.owner}/{self.name}"


def _allowed_hosts(api_url: str | None) -> frozenset[str]:
    """github.com, plus the GitHub Enterprise host behind a non-default API base."""
    base = (api_url or DEFAULT_API_URL).rstrip("/")
    if base == DEFAULT_API_URL:
        return _GITHUB_HOSTS
    host = (urlsplit(base).hostname or "").lower()
    extra = {host, host.removeprefix("api.")} if host else set()
    return _GITHUB_HOSTS | extra


def parse_remote(url: str, api_url: str | None = None) -> tuple[str, str] | None:
    """(owner, repo) from an https, ssh or scp-like git remote; None for anything else.

    Hosts other than github.com count only when `api_url` is a non-default (Enterprise) base.
    """
    url = url.strip()
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme.lower() not in {"https", "http", "ssh", "git", "git+ssh"}:
            return None
        host, path = (parts.hostname or "").lower(), parts.path
    else:
        scp = _SCP_LIKE.fullmatch(url)
        if scp is None:
            return None
        host, path = scp.group(1).lower(), scp.group(2)
    found = _OWNER_REPO.fullmatch(path)
    if (
        host not in _allowed_hosts(api_url)
        or found is None
        or found.group(2) in {"", ".", "..", ".git"}
    ):
        return None
    return found.group(1), found.group(2)


def is_github_remote(url: str, api_url: str) -> bool:
    """True when `url` names a repository on github.com or on the Enterprise host of `api_url`."""
    return parse_remote(url, api_url) is not None


def api_url_from_env(environ: Mapping[str, str]) -> str:
    """GITHUB_API_URL (what Actions sets, also on Enterprise), else api.github.com."""
    url = (environ.get("GITHUB_API_URL") or DEFAULT_API_URL).strip().rstrip("/")
    if urlsplit(url).scheme not in {"http", "https"} or not urlsplit(url).hostname:
        raise GitHubError(
            f"GITHUB_API_URL is not an http(s) URL: {url!r}",
            "set it to https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise",
        )
    return url


def repo_from_env(environ: Mapping[str, str], remote_url: str | None) -> Repo:
    """GITHUB_REPOSITORY ("owner/repo", set by Actions) wins; else the git remote."""
    named = environ.get("GITHUB_REPOSITORY", "").strip()
    if named:
        found = re.fullmatch(rf"({_OWNER})/({_NAME})", named)
        if found is None:
            raise GitHubError(
                f"GITHUB_REPOSITORY must be OWNER/REPO, not {named!r}",
                "set it like octocat/hello-world, or unset it to use the git remote",
            )
        return Repo(found.group(1), found.group(2))
    parsed = parse_remote(remote_url, environ.get("GITHUB_API_URL")) if remote_url else None
    if parsed is None:
        shown = redact(re.sub(r"//[^/@]*@", "//", remote_url or ""))  # no credentials
        seen = f" (remote is {shown})" if remote_url else " (no git remote)"
        raise GitHubError(
            f"cannot tell which GitHub repository to release to{seen}",
            "set GITHUB_REPOSITORY=OWNER/REPO, or add a GitHub remote "
            "(git remote add origin https://github.com/OWNER/REPO.git)",
        )
    return Repo(*parsed)


def secrets_path(repo_path: str, environment: str | None) -> str:
    """Where Actions secrets live: the repository's, or one environment's."""
    if environment is None:
        return f"{repo_path}/actions/secrets"
    return f"{repo_path}/environments/{quote(environment, safe='')}/secrets"


def api_token(environ: Mapping[str, str]) -> str:
    """GITHUB_TOKEN (Actions' name), then GH_TOKEN (the gh CLI's name)."""
    token = github_token(environ)
    if token is not None:
        return token
    raise GitHubError(
        "no GitHub token", "set GITHUB_TOKEN or GH_TOKEN (a token with contents: write)"
    )


def client_from_env(
    environ: Mapping[str, str], remote_url: str | None, *, timeout: float = 30
) -> GitHubClient:
    """The client a release run needs: repository, token and API base from the environment."""
    return GitHubClient(
        repo_from_env(environ, remote_url),
        api_token(environ),
        api_url=api_url_from_env(environ),
        timeout=timeout,
    )


def _message(payload: Any, raw: bytes) -> str:
    if isinstance(payload, dict) and isinstance(payload.get("message"), str):
        text = payload["message"]
    else:
        text = raw[:200].decode("utf-8", "replace")
    return " ".join(text.split())[:300]


def _one_error(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    parts = [str(item[key]) for key in ("resource", "code", "field", "message") if item.get(key)]
    return " ".join(parts)


class GitHubClient:
    """A bounded, quiet REST client for one repository."""

    def __init__(
        self, repo: Repo, token: str, *, api_url: str = DEFAULT_API_URL, timeout: float = 30
    ) -> None:
        self.repo = repo
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self._token = token

    def __repr__(self) -> str:
        return f"GitHubClient({self.repo}, api_url={self.api_url!r})"

    @property
    def repo_path(self) -> str:
        """The /repos/{owner}/{repo} prefix every repository endpoint shares."""
        return f"/repos/{quote(self.repo.owner, safe='')}/{quote(self.repo.name, safe='')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        body: object | None = None,
        data: bytes | None = None,
        content_type: str = "application/json",
        url: str | None = None,
        permission: str = "contents: write",
    ) -> tuple[int, Any]:
        """One call: (status, parsed JSON or None). `permission` names the right a 403 lacks."""
        import http.client
        import urllib.error
        import urllib.request

        target = url if url is not None else self.api_url + path
        payload = data
        if payload is None and body is not None:
            payload = json.dumps(body).encode("utf-8")
        request = urllib.request.Request(target, data=payload, method=method)  # noqa: S310
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("X-GitHub-Api-Version", "2022-11-28")
        request.add_header("User-Agent", f"releasekit/{__version__}")
        request.add_unredirected_header("Authorization", f"Bearer {self._token}")
        if payload is not None:
            request.add_header("Content-Type", content_type)
        where = f"{method} {urlsplit(target).path}"
        try:
            with _opener().open(request, timeout=self.timeout) as response:
                return response.status, self._parse(response.read(), where)
        except urllib.error.HTTPError as error:
            try:
                raw = error.read() if error.fp is not None else b""
            except (OSError, http.client.HTTPException):
                raw = b""
            raise self._translate(error.code, raw, where, permission, error.headers) from None
        except (OSError, http.client.HTTPException, ValueError) as error:
            reason = getattr(error, "reason", None) or error
            raise GitHubError(
                self._redact(f"cannot reach GitHub's API at {self.api_url} ({reason})"),
                "check GITHUB_API_URL and the network (proxy, firewall, DNS)",
            ) from None

    def _redact(self, text: str) -> str:
        return redact(text, extra=(self._token,))

    def _parse(self, raw: bytes, where: str) -> Any:
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise GitHubError(
                self._redact(f"GitHub's API at {self.api_url} answered {where} with non-JSON"),
                "point GITHUB_API_URL at the REST API (Enterprise: https://HOST/api/v3)",
            ) from None

    def _translate(
        self, status: int, raw: bytes, where: str, permission: str, headers: Any
    ) -> GitHubAPIError:
        try:
            payload = json.loads(raw) if raw.strip() else None
        except ValueError:
            payload = None
        message = _message(payload, raw)
        errors = payload.get("errors", []) if isinstance(payload, dict) else []
        errors = errors if isinstance(errors, list) else []
        rate_limited = status == 403 and ("rate limit" in message.lower() or _rate_limited(headers))
        detail = message
        if status == 401:
            cause = f"GitHub rejected the token (401 {message or 'Bad credentials'})"
            fix = "create a new token with contents: write and put it in GITHUB_TOKEN or GH_TOKEN"
        elif rate_limited:
            cause = f"GitHub's rate limit stopped {where} (403 {message})"
            fix = "wait for the limit to reset (X-RateLimit-Reset) and run again"
        elif status == 403:
            cause = f"GitHub refused {where} to this token (403 {message})"
            fix = f"give the token {permission} on {self.repo} (classic tokens: the repo scope)"
        elif status == 404:
            cause = f"GitHub found nothing at {where} (404): no such repository or release, "
            cause += "or the token cannot see it"
            fix = f"check GITHUB_REPOSITORY / the git remote ({self.repo}) and the token's access"
        elif status == 422:
            details = "; ".join(_one_error(item) for item in errors[:5])
            detail = f"{message}{': ' + details if details else ''}"
            cause = f"GitHub refused {where} (422 {detail})"
            fix = "correct the values GitHub named and run again"
        elif status in {301, 302, 307, 308}:
            moved = headers.get("Location", "") if headers is not None else ""
            cause = f"GitHub answered {where} with {status} (moved to {moved or 'elsewhere'})"
            fix = "the repository was renamed or moved: update GITHUB_REPOSITORY or the remote"
        elif status >= 500:
            cause = f"GitHub failed {where} ({status} {message})"
            fix = "a GitHub-side error: run again later (see https://www.githubstatus.com)"
        else:
            cause = f"GitHub refused {where} ({status} {message})"
            fix = "check the request and GitHub's message"
        return GitHubAPIError(
            self._redact(cause),
            self._redact(fix),
            status=status,
            errors=errors,
            rate_limited=rate_limited,
            detail=self._redact(detail),
        )


def _rate_limited(headers: Any) -> bool:
    return headers is not None and headers.get("X-RateLimit-Remaining") == "0"


@functools.cache
def _opener() -> Any:
    """An opener that refuses redirects: one request per call, the token stays with one URL."""
    import urllib.request

    class RefuseRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    return urllib.request.build_opener(RefuseRedirects())
