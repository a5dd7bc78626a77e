"""A stand-in for GitHub's REST API on 127.0.0.1, answering as GitHub documents.

GitHub cannot be reached from the tests, so this small threaded HTTP server keeps releases
and assets in memory, records every request, and can be told to fail. Endpoints live in a
route table (`add_route`), so later features (Actions secrets, environments, rulesets, runs)
can add theirs without touching the dispatcher.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

DOCS = "https://docs.github.com/rest"
MAX_BODY = 64 * 1024 * 1024
BODIES: dict[int, dict[str, Any]] = {
    401: {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"},
    403: {
        "message": "Resource not accessible by personal access token",
        "documentation_url": f"{DOCS}/releases/releases#create-a-release",
        "status": "403",
    },
    404: {"message": "Not Found", "documentation_url": DOCS, "status": "404"},
    422: {
        "message": "Validation Failed",
        "errors": [{"resource": "Release", "code": "custom", "field": "body", "message": "bad"}],
        "documentation_url": DOCS,
        "status": "422",
    },
    500: {"message": "Server Error"},
}

Reply = tuple[int, Any]
Handler = Callable[["Call"], Reply]


def fake_token(prefix: str = "ghp_") -> str:
    """A GitHub-shaped token made at run time: valid in shape, useless as a credential."""
    return prefix + secrets.token_hex(18)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # with the query string, as sent
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Override:
    method: str
    path: str  # regex over the path, prefix and query removed
    status: int
    body: Any
    times: int  # answers left; -1 for ever


@dataclass
class Call:
    """What a route handler sees: the request, the path groups, the query, the stand-in."""

    standin: GitHubStandIn
    request: RecordedRequest
    groups: dict[str, str]
    query: dict[str, list[str]] = field(default_factory=dict)


class GitHubStandIn:
    """Use as a context manager: `with GitHubStandIn() as gh: ... gh.api_url ...`."""

    def __init__(
        self, token: str | None = None, owner: str = "o", repo: str = "r", *, prefix: str = ""
    ) -> None:
        self.token = token if token is not None else fake_token()
        self.owner, self.repo, self.prefix = owner, repo, prefix.rstrip("/")
        self.releases: dict[int, dict[str, Any]] = {}
        self.asset_data: dict[int, bytes] = {}
        self.requests: list[RecordedRequest] = []
        self.force_status: int | None = None  # every request answers this (GitHub's body)
        self.overrides: list[Override] = []
        self.asset_digests = True  # False: behave like servers that report no digest
        # True: every error answer says back the credential and body it received, as a
        # misbehaving server or proxy may; what releasekit prints must still mask them.
        self.echo = False
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.lock = threading.RLock()
        self._next_id = 1
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        # Actions: secrets (plain values kept for assertions), environments, rulesets, runs.
        self.secret_meta: dict[tuple[str | None, str], dict[str, Any]] = {}
        self.secret_values: dict[tuple[str | None, str], str] = {}
        self.environments: dict[str, dict[str, Any]] = {}
        self.rulesets: list[dict[str, Any]] = []
        self.workflow_runs: dict[str, list[dict[str, Any]]] = {}
        self._keys: dict[str | None, tuple[str, Any]] = {}
        # Pull requests (support/github_pulls.py); `git_remote`: the bare repository whose
        # branches a new pull request's head must name, as on GitHub.
        self.pulls: dict[int, dict[str, Any]] = {}
        self.git_remote: Any = None
        _release_routes(self)
        _actions_routes(self)
        from support.github_pulls import pull_routes

        pull_routes(self)

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> GitHubStandIn:
        handler = type("StandInHandler", (_RequestHandler,), {"standin": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the stand-in with `with GitHubStandIn() as gh:`"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.base_url + self.prefix

    # -- extension and knobs -----------------------------------------------------------------
    def add_route(self, method: str, pattern: str, handler: Handler) -> None:
        """`pattern` is a regex over the path (prefix and query removed); named groups pass on.
        `{repo}` stands for /repos/OWNER/REPO, answered 404 for any other repository."""
        regex = pattern.replace("{repo}", r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)")
        self.routes.append((method.upper(), re.compile(regex), handler))

    def override(
        self, method: str, path_regex: str, status: int, body: Any = None, *, times: int = -1
    ) -> None:
        """Answer `status` (GitHub's usual body unless given) to matching requests,
        `times` times (-1: until `overrides.clear()`)."""
        reply = body if body is not None else BODIES.get(status, {"message": "Error"})
        self.overrides.append(Override(method.upper(), path_regex, status, reply, times))

    def new_id(self) -> int:
        with self.lock:
            self._next_id += 1
            return self._next_id - 1

    # -- Actions state (see _actions_routes) --------------------------------------------------
    def key_pair(self, environment: str | None = None) -> tuple[str, Any]:
        """(key_id, nacl PrivateKey) of the repository (None) or of an environment: a real
        Curve25519 pair made on first use, so sealed boxes are opened for real."""
        from nacl.public import PrivateKey

        with self.lock:
            if environment not in self._keys:
                self._keys[environment] = (str(secrets.randbelow(10**18)), PrivateKey.generate())
            return self._keys[environment]

    def secret_value(self, name: str, environment: str | None = None) -> str | None:
        """The plain value a PUT stored, decrypted with the private key; None if never set."""
        return self.secret_values.get((environment, name))

    def store_secret(
        self,
        name: str,
        value: str = "stored-by-the-test",
        *,
        environment: str | None = None,
        updated_at: dt.datetime | None = None,
    ) -> None:
        """A secret as if set earlier, last updated at `updated_at` (default: now)."""
        when = _iso(updated_at or dt.datetime.now(dt.timezone.utc))
        with self.lock:
            self.secret_meta[(environment, name)] = {
                "name": name,
                "created_at": when,
                "updated_at": when,
            }
            self.secret_values[(environment, name)] = value

    def add_environment(
        self,
        name: str,
        *,
        reviewers: int = 0,
        branch_policy: bool = False,
        wait_timer: int = 0,
    ) -> dict[str, Any]:
        """An environment with the protection rules GitHub would list for these settings."""
        rules: list[dict[str, Any]] = []
        if wait_timer:
            rules.append({"id": self.new_id(), "type": "wait_timer", "wait_timer": wait_timer})
        if reviewers:
            people = [
                {"type": "User", "reviewer": {"login": f"maintainer{n}", "id": n}}
                for n in range(1, reviewers + 1)
            ]
            rules.append({"id": self.new_id(), "type": "required_reviewers", "reviewers": people})
        if branch_policy:
            rules.append({"id": self.new_id(), "type": "branch_policy"})
        policy = (
            {"protected_branches": True, "custom_branch_policies": False} if branch_policy else None
        )
        site = f"https://github.com/{self.owner}/{self.repo}"
        environment = {
            "id": self.new_id(),
            "name": name,
            "html_url": f"{site}/deployments/activity_log?environments_filter={name}",
            "created_at": _iso(dt.datetime.now(dt.timezone.utc)),
            "can_admins_bypass": True,
            "protection_rules": rules,
            "deployment_branch_policy": policy,
        }
        self.environments[name] = environment
        return environment

    def add_tag_ruleset(
        self, include: tuple[str, ...] = ("refs/tags/v*",), *, enforcement: str = "active"
    ) -> dict[str, Any]:
        """A repository ruleset on tags that forbids deleting and moving them."""
        ruleset = {
            "id": self.new_id(),
            "name": "release tags",
            "target": "tag",
            "source_type": "Repository",
            "source": f"{self.owner}/{self.repo}",
            "enforcement": enforcement,
            "conditions": {"ref_name": {"include": list(include), "exclude": []}},
            "rules": [{"type": "deletion"}, {"type": "update"}, {"type": "non_fast_forward"}],
        }
        self.rulesets.append(ruleset)
        return ruleset

    def add_run(
        self,
        conclusion: str | None,
        *,
        status: str = "completed",
        workflow: str = "release.yml",
        tag: str = "v1.3.0",
    ) -> dict[str, Any]:
        """A run of `workflow`, newest first as GitHub lists them."""
        run_id = self.new_id()
        run = {
            "id": run_id,
            "name": "Release",
            "event": "release",
            "status": status,
            "conclusion": conclusion,
            "head_branch": tag,
            "run_number": run_id,
            "created_at": _iso(dt.datetime.now(dt.timezone.utc)),
            "html_url": f"https://github.com/{self.owner}/{self.repo}/actions/runs/{run_id}",
        }
        self.workflow_runs.setdefault(workflow, []).insert(0, run)
        return run

    def requests_to(self, method: str, path_regex: str) -> list[RecordedRequest]:
        return [
            r
            for r in self.requests
            if r.method == method and re.fullmatch(path_regex, urlsplit(r.path).path)
        ]

    # -- dispatch ----------------------------------------------------------------------------
    def dispatch(self, request: RecordedRequest) -> Reply:
        status, payload = self._dispatch(request)
        if self.echo and status >= 400:
            payload = _echoed(payload, request)
        return status, payload

    def _dispatch(self, request: RecordedRequest) -> Reply:
        with self.lock:
            self.requests.append(request)
            if self.force_status is not None:
                return self.force_status, BODIES.get(self.force_status, {"message": "Error"})
            auth = request.headers.get("authorization", "")
            if auth not in {f"Bearer {self.token}", f"token {self.token}"}:
                return 401, BODIES[401]
            parts = urlsplit(request.path)
            path = unquote(parts.path)
            if self.prefix and path.startswith(self.prefix + "/"):
                path = path[len(self.prefix) :]
            for rule in self.overrides:
                if rule.times and rule.method == request.method and re.fullmatch(rule.path, path):
                    rule.times -= 1
                    return rule.status, rule.body
            for method, regex, handler in self.routes:
                found = regex.fullmatch(path)
                if method != request.method or found is None:
                    continue
                groups = found.groupdict()
                if "owner" in groups and (groups["owner"], groups["repo"]) != (
                    self.owner,
                    self.repo,
                ):
                    return 404, BODIES[404]
                return handler(Call(self, request, groups, parse_qs(parts.query)))
            return 404, BODIES[404]


def _echoed(payload: Any, request: RecordedRequest) -> Any:
    """GitHub's error body with what the request carried appended to its message: the
    credential (without its scheme) and the start of the body."""
    credential = request.headers.get("authorization", "").partition(" ")[2]
    said = request.body[:400].decode("utf-8", "replace")
    echoed = dict(payload) if isinstance(payload, dict) else {"message": "Error"}
    echoed["message"] = f"{echoed.get('message', '')} (token {credential}; body {said})"
    return echoed


class _RequestHandler(BaseHTTPRequestHandler):
    standin: GitHubStandIn
    server_version = "GitHub.com"

    def _handle(self) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
        body = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        status, payload = self.standin.dispatch(
            RecordedRequest(self.command, self.path, headers, body)
        )
        raw = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        return


# -- releases and assets, as GitHub documents them ----------------------------------------------
def _release_routes(gh: GitHubStandIn) -> None:
    gh.add_route("GET", r"{repo}/releases", lambda c: (200, list(gh.releases.values())))
    gh.add_route("POST", r"{repo}/releases", _create_release)
    gh.add_route("GET", r"{repo}/releases/tags/(?P<tag>.+)", _release_by_tag)
    gh.add_route("GET", r"{repo}/releases/(?P<id>\d+)", _release_by_id)
    gh.add_route("PATCH", r"{repo}/releases/(?P<id>\d+)", _update_release)
    gh.add_route("DELETE", r"{repo}/releases/assets/(?P<asset>\d+)", _delete_asset)
    gh.add_route("POST", r"/uploads{repo}/releases/(?P<id>\d+)/assets", _upload_asset)


def _invalid(resource: str, code: str, name: str) -> Reply:
    errors = [{"resource": resource, "code": code, "field": name}]
    return 422, {"message": "Validation Failed", "errors": errors, "documentation_url": DOCS}


def _create_release(call: Call) -> Reply:
    gh, data = call.standin, call.request.json()
    tag = data.get("tag_name")
    if not tag:
        return _invalid("Release", "missing_field", "tag_name")
    if any(r["tag_name"] == tag and not r["draft"] for r in gh.releases.values()):
        return _invalid("Release", "already_exists", "tag_name")
    release_id = gh.new_id()
    site = f"https://github.com/{gh.owner}/{gh.repo}"
    gh.releases[release_id] = {
        "id": release_id,
        "url": f"{gh.api_url}/repos/{gh.owner}/{gh.repo}/releases/{release_id}",
        "html_url": f"{site}/releases/tag/{tag}",
        "upload_url": f"{gh.base_url}/uploads/repos/{gh.owner}/{gh.repo}/releases/"
        f"{release_id}/assets{{?name,label}}",
        "tag_name": tag,
        "target_commitish": data.get("target_commitish", "main"),
        "name": data.get("name"),
        "body": data.get("body"),
        "draft": bool(data.get("draft", False)),
        "prerelease": bool(data.get("prerelease", False)),
        "assets": [],
    }
    return 201, gh.releases[release_id]


def _release_by_tag(call: Call) -> Reply:
    for release in call.standin.releases.values():
        if release["tag_name"] == call.groups["tag"] and not release["draft"]:
            return 200, release
    return 404, BODIES[404]


def _release_by_id(call: Call) -> Reply:
    release = call.standin.releases.get(int(call.groups["id"]))
    return (200, release) if release else (404, BODIES[404])


def _update_release(call: Call) -> Reply:
    release = call.standin.releases.get(int(call.groups["id"]))
    if release is None:
        return 404, BODIES[404]
    data = call.request.json()
    for key in ("tag_name", "name", "body", "draft", "prerelease", "target_commitish"):
        if key in data:
            release[key] = data[key]
    return 200, release


def _delete_asset(call: Call) -> Reply:
    asset_id = int(call.groups["asset"])
    for release in call.standin.releases.values():
        kept = [a for a in release["assets"] if a["id"] != asset_id]
        if len(kept) != len(release["assets"]):
            release["assets"] = kept
            call.standin.asset_data.pop(asset_id, None)
            return 204, None
    return 404, BODIES[404]


def _upload_asset(call: Call) -> Reply:
    gh = call.standin
    release = gh.releases.get(int(call.groups["id"]))
    if release is None:
        return 404, BODIES[404]
    name = (call.query.get("name") or [""])[0]
    if not name:
        return _invalid("ReleaseAsset", "missing_field", "name")
    if any(a["name"] == name for a in release["assets"]):
        return _invalid("ReleaseAsset", "already_exists", "name")
    data, asset_id = call.request.body, gh.new_id()
    asset = {
        "id": asset_id,
        "name": name,
        "label": call.query.get("label", [""])[0] or None,
        "content_type": call.request.headers.get("content-type", ""),
        "state": "uploaded",
        "size": len(data),
        "digest": "sha256:" + hashlib.sha256(data).hexdigest() if gh.asset_digests else None,
        "download_count": 0,
        "browser_download_url": f"https://github.com/{gh.owner}/{gh.repo}/releases/download/"
        f"{release['tag_name']}/{name}",
    }
    release["assets"].append(asset)
    gh.asset_data[asset_id] = data
    return 201, asset


# -- Actions secrets, environments, rulesets and workflow runs -----------------------------------
_SECRET_NAME = re.compile(r"(?!GITHUB_)[A-Za-z_][A-Za-z0-9_]*")


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _actions_routes(gh: GitHubStandIn) -> None:
    env = r"{repo}/environments/(?P<env>[^/]+)"
    gh.add_route("GET", r"{repo}", _repository)
    gh.add_route("GET", r"{repo}/actions/secrets/public-key", _public_key)
    gh.add_route("GET", env + r"/secrets/public-key", _public_key)
    gh.add_route("GET", r"{repo}/actions/secrets", _list_secrets)
    gh.add_route("GET", r"{repo}/actions/secrets/(?P<name>[^/]+)", _get_secret)
    gh.add_route("GET", env + r"/secrets/(?P<name>[^/]+)", _get_secret)
    gh.add_route("PUT", r"{repo}/actions/secrets/(?P<name>[^/]+)", _put_secret)
    gh.add_route("PUT", env + r"/secrets/(?P<name>[^/]+)", _put_secret)
    gh.add_route("GET", env, _get_environment)
    gh.add_route("GET", r"{repo}/rulesets", _list_rulesets)
    gh.add_route("GET", r"{repo}/rulesets/(?P<id>\d+)", _get_ruleset)
    gh.add_route("GET", r"{repo}/actions/workflows/(?P<file>[^/]+)/runs", _list_runs)


def _repository(call: Call) -> Reply:
    gh = call.standin
    return 200, {
        "id": 1,
        "name": gh.repo,
        "full_name": f"{gh.owner}/{gh.repo}",
        "private": False,
        "default_branch": "main",
        "html_url": f"https://github.com/{gh.owner}/{gh.repo}",
    }


def _scope(call: Call) -> tuple[bool, str | None]:
    """(known, environment): an environment secret's environment must exist."""
    environment = call.groups.get("env")
    return environment is None or environment in call.standin.environments, environment


def _public_key(call: Call) -> Reply:
    known, environment = _scope(call)
    if not known:
        return 404, BODIES[404]
    key_id, private = call.standin.key_pair(environment)
    public = base64.b64encode(bytes(private.public_key)).decode("ascii")
    return 200, {"key_id": key_id, "key": public}


def _list_secrets(call: Call) -> Reply:
    found = [meta for (env, _), meta in call.standin.secret_meta.items() if env is None]
    return 200, {"total_count": len(found), "secrets": found}


def _get_secret(call: Call) -> Reply:
    known, environment = _scope(call)
    meta = call.standin.secret_meta.get((environment, call.groups["name"]))
    return (200, meta) if known and meta else (404, BODIES[404])


def _put_secret(call: Call) -> Reply:
    """Open the sealed box with the scope's private key, as GitHub does, and keep the value."""
    from nacl.exceptions import CryptoError
    from nacl.public import SealedBox

    gh, name = call.standin, call.groups["name"]
    known, environment = _scope(call)
    if not known:
        return 404, BODIES[404]
    if not _SECRET_NAME.fullmatch(name):
        return _invalid("Secret", "invalid", "name")
    try:
        data = call.request.json()
    except ValueError:
        return 400, {"message": "Problems parsing JSON", "documentation_url": DOCS}
    key_id, private = gh.key_pair(environment)
    if not isinstance(data, dict) or data.get("key_id") != key_id:
        return _invalid("Secret", "invalid", "key_id")
    try:
        sealed = base64.b64decode(str(data.get("encrypted_value", "")), validate=True)
        value = SealedBox(private).decrypt(sealed).decode("utf-8")
    except (binascii.Error, CryptoError, UnicodeDecodeError):
        return _invalid("Secret", "invalid", "encrypted_value")
    now = _iso(dt.datetime.now(dt.timezone.utc))
    previous = gh.secret_meta.get((environment, name))
    gh.secret_meta[(environment, name)] = {
        "name": name,
        "created_at": previous["created_at"] if previous else now,
        "updated_at": now,
    }
    gh.secret_values[(environment, name)] = value
    return (204, None) if previous else (201, {})


def _get_environment(call: Call) -> Reply:
    found = call.standin.environments.get(call.groups["env"])
    return (200, found) if found else (404, BODIES[404])


def _list_rulesets(call: Call) -> Reply:
    """GitHub lists rulesets without their conditions and rules: those need a GET by id."""
    summary = ("id", "name", "target", "source_type", "source", "enforcement")
    return 200, [{key: ruleset[key] for key in summary} for ruleset in call.standin.rulesets]


def _get_ruleset(call: Call) -> Reply:
    wanted = int(call.groups["id"])
    found = next((r for r in call.standin.rulesets if r["id"] == wanted), None)
    return (200, found) if found else (404, BODIES[404])


def _list_runs(call: Call) -> Reply:
    runs = call.standin.workflow_runs.get(call.groups["file"])
    if runs is None:
        return 404, BODIES[404]
    per_page = int((call.query.get("per_page") or ["30"])[0])
    return 200, {"total_count": len(runs), "workflow_runs": runs[:per_page]}
