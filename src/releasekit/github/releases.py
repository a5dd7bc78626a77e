"""GitHub releases: created or updated for a tag, never duplicated, assets kept in sync."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from releasekit.errors import GitHubError
from releasekit.github.api import GitHubAPIError, GitHubClient


@dataclass(frozen=True)
class ReleaseResult:
    """What publish_release did: `assets` are all given files now on the release,
    `uploaded` the subset sent this time (the rest were already there, byte for byte)."""

    action: Literal["created", "updated"]
    html_url: str
    release_id: int
    assets: tuple[str, ...]
    uploaded: tuple[str, ...] = ()


def find_release(client: GitHubClient, tag: str) -> dict[str, Any] | None:
    """The published release for `tag`, or None when GitHub has none (404)."""
    try:
        _, release = client.request(
            "GET", f"{client.repo_path}/releases/tags/{quote(tag, safe='')}"
        )
    except GitHubAPIError as error:
        if error.status == 404:
            return None
        raise
    return release if isinstance(release, dict) else None


def publish_release(
    client: GitHubClient,
    *,
    tag: str,
    title: str,
    body: str,
    prerelease: bool,
    assets: Sequence[Path] = (),
) -> ReleaseResult:
    """Create the release for `tag`, or update it in place: running twice never duplicates.

    Assets: a file whose name is already on the release is skipped when GitHub's sha256
    digest equals the local file's; otherwise (different, or no digest reported, as on older
    Enterprise servers) the old asset is deleted and the file uploaded again. Size alone is
    not trusted: a rebuilt wheel can keep its size and change its bytes.
    """
    files = _check_assets(assets)
    fields = {"name": title, "body": body, "prerelease": prerelease}
    release = find_release(client, tag)
    action: Literal["created", "updated"] = "updated"
    if release is None:
        try:
            _, release = client.request(
                "POST",
                f"{client.repo_path}/releases",
                body={"tag_name": tag, **fields, "draft": False},
            )
            action = "created"
        except GitHubAPIError as error:  # created meanwhile by someone else: converge on it
            if error.status != 422 or not any(
                isinstance(item, dict) and item.get("code") == "already_exists"
                for item in error.errors
            ):
                raise
            release = find_release(client, tag)
            if release is None:
                raise
    if action == "updated":
        _, release = client.request(
            "PATCH", f"{client.repo_path}/releases/{int(release['id'])}", body=fields
        )
    uploaded = _sync_assets(client, release, files)
    return ReleaseResult(
        action=action,
        html_url=str(release.get("html_url", "")),
        release_id=int(release["id"]),
        assets=tuple(path.name for path in files),
        uploaded=uploaded,
    )


def _check_assets(assets: Sequence[Path]) -> list[Path]:
    """Refuse missing files and clashing names before anything is sent."""
    files = [Path(path) for path in assets]
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise GitHubError(
            f"release asset not found: {', '.join(missing)}",
            "build it first: releasekit build (or invoke build, nox -s build)",
        )
    return files


def _sync_assets(
    client: GitHubClient, release: dict[str, Any], files: list[Path]
) -> tuple[str, ...]:
    upload_url = re.sub(r"\{[^}]*\}$", "", str(release.get("upload_url", "")))
    existing = {str(a.get("name")): a for a in release.get("assets") or [] if isinstance(a, dict)}
    uploaded = []
    for path in files:
        data = path.read_bytes()
        old = existing.get(path.name)
        if old is not None:
            if old.get("digest") == "sha256:" + hashlib.sha256(data).hexdigest():
                continue
            client.request("DELETE", f"{client.repo_path}/releases/assets/{int(old['id'])}")
        if not upload_url.startswith(("https://", "http://")):
            raise GitHubError(
                f"GitHub gave no upload URL for release {release.get('id')}",
                "check GITHUB_API_URL points at GitHub's REST API",
            )
        client.request(
            "POST",
            "",
            url=f"{upload_url}?name={quote(path.name, safe='')}",
            data=data,
            content_type="application/octet-stream",
        )
        uploaded.append(path.name)
    return tuple(uploaded)
