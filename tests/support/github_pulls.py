"""Pull requests in the GitHub stand-in, answering as GitHub documents them:
POST /repos/{owner}/{repo}/pulls (422 for a missing field, an unknown head branch or a
second open pull request of the same head), GET .../pulls (state, head, base filters)
and GET .../pulls/{number}."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from support.github_api import Call, GitHubStandIn, Reply

DOCS = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"


def pull_routes(gh: GitHubStandIn) -> None:
    gh.add_route("GET", r"{repo}/pulls", _list)
    gh.add_route("POST", r"{repo}/pulls", _create)
    gh.add_route("GET", r"{repo}/pulls/(?P<number>\d+)", _get)


def _invalid(**error: str) -> Reply:
    body = {"message": "Validation Failed", "errors": [error], "documentation_url": DOCS}
    return 422, body


def _branch_sha(gh: GitHubStandIn, branch: str) -> str | None:
    if gh.git_remote is None:
        return "0" * 40
    found = subprocess.run(
        ["git", "rev-parse", "--verify", "-q", f"refs/heads/{branch}"],
        cwd=gh.git_remote,
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.strip() or None


def _create(call: Call) -> Reply:
    gh = call.standin
    data = call.request.json()
    for name in ("title", "head", "base"):
        if not data.get(name):
            return _invalid(resource="PullRequest", code="missing_field", field=name)
    head, base = str(data["head"]), str(data["base"])
    branch = head.partition(":")[2] if ":" in head else head
    label = f"{gh.owner}:{branch}"
    sha = _branch_sha(gh, branch)
    if sha is None:
        return _invalid(resource="PullRequest", code="invalid", field="head")
    if _branch_sha(gh, base) is None:
        return _invalid(resource="PullRequest", code="invalid", field="base")
    if any(p["state"] == "open" and p["head"]["label"] == label for p in gh.pulls.values()):
        message = f"A pull request already exists for {label}."
        return _invalid(resource="PullRequest", code="custom", message=message)
    number = len(gh.pulls) + 1
    site = f"https://github.com/{gh.owner}/{gh.repo}"
    gh.pulls[number] = {
        "id": gh.new_id(),
        "number": number,
        "state": "open",
        "title": data["title"],
        "body": data.get("body"),
        "draft": bool(data.get("draft", False)),
        "merged": False,
        "html_url": f"{site}/pull/{number}",
        "url": f"{gh.api_url}/repos/{gh.owner}/{gh.repo}/pulls/{number}",
        "head": {"label": label, "ref": branch, "sha": sha},
        "base": {"label": f"{gh.owner}:{base}", "ref": base},
    }
    return 201, gh.pulls[number]


def _matches(pull: dict[str, Any], query: dict[str, list[str]]) -> bool:
    state = (query.get("state") or ["open"])[0]
    head = (query.get("head") or [""])[0]
    base = (query.get("base") or [""])[0]
    return (
        (state == "all" or pull["state"] == state)
        and (not head or pull["head"]["label"] == head)
        and (not base or pull["base"]["ref"] == base)
    )


def _list(call: Call) -> Reply:
    found = [pull for pull in call.standin.pulls.values() if _matches(pull, call.query)]
    return 200, sorted(found, key=lambda pull: -pull["number"])


def _get(call: Call) -> Reply:
    from support.github_api import BODIES

    found = call.standin.pulls.get(int(call.groups["number"]))
    return (200, found) if found else (404, BODIES[404])


def merge(gh: GitHubStandIn, number: int) -> None:
    """What merging on GitHub leaves in the API: the pull request closed and merged."""
    with gh.lock:
        gh.pulls[number].update(state="closed", merged=True)
