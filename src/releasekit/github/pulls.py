"""Release pull requests: found or opened through GitHub's REST API, never duplicated."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from releasekit.core.plan import PullRequest
from releasekit.core.pullflow import OpenPull
from releasekit.system.git import Git

if TYPE_CHECKING:  # the API client loads when GitHub is asked, not when a release plans
    from releasekit.github.api import GitHubClient

PERMISSION = "pull requests: write and contents: write"


def _open_pull(client: GitHubClient, branch: str, base: str) -> dict[str, Any] | None:
    head = quote(f"{client.repo.owner}:{branch}", safe="")
    query = f"state=open&head={head}&base={quote(base, safe='')}"
    _, found = client.request("GET", f"{client.repo_path}/pulls?{query}", permission=PERMISSION)
    pulls = [pull for pull in found or [] if isinstance(pull, dict)]
    return pulls[0] if pulls else None


def _summary(pull: Mapping[str, Any]) -> OpenPull:
    return OpenPull(int(pull["number"]), str(pull.get("html_url", "")))


def find_open(
    root: Path, remote_url: str | None, branch: str, base: str, environ: Mapping[str, str]
) -> OpenPull | None:
    """The open pull request `branch` -> `base`, or None; GitHubError when GitHub cannot be
    asked (no token, not a GitHub remote): the flow needs it, so that is a problem now."""
    from releasekit.github.api import client_from_env

    pull = _open_pull(client_from_env(environ, remote_url), branch, base)
    return None if pull is None else _summary(pull)


def open_pull(client: GitHubClient, step: PullRequest) -> tuple[str, OpenPull]:
    """Open the pull request; one opened meanwhile (GitHub's 422) is the one."""
    from releasekit.github.api import GitHubAPIError

    body = {"title": step.title_text, "head": step.branch, "base": step.base, "body": step.body}
    try:
        _, pull = client.request(
            "POST", f"{client.repo_path}/pulls", body=body, permission=PERMISSION
        )
    except GitHubAPIError as error:
        found = _open_pull(client, step.branch, step.base) if error.status == 422 else None
        if found is None:
            raise
        return "already open", _summary(found)
    return "opened", _summary(pull)


def run_step(root: Path, step: PullRequest, environ: Mapping[str, str]) -> str:
    """The plan's PullRequest step: what a user reads."""
    from releasekit.github.api import client_from_env

    remote = Git(root).remote_url(step.remote)
    action, pull = open_pull(client_from_env(environ, remote), step)
    return f"pull request #{pull.number} {step.branch} -> {step.base} {action}: {pull.url}"
