"""Sample repositories with bare remotes, and the world a user could lose: before and after.

`world()` snapshots files, HEAD, index, refs (local and remote), lock files and the package
index's files; `release_problems()` says what a finished release still misses.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from support.github_api import GitHubStandIn
from support.repostate import RepoState, capture

from releasekit.demo import sample

PROJECT, VERSION = "sample-pkg", "1.3.0"
SDIST, WHEEL = "sample_pkg-1.3.0.tar.gz", "sample_pkg-1.3.0-py3-none-any.whl"
INIT = "src/sample_pkg/__init__.py"
RELEASE_MESSAGE = "chore(release): Bump version to v{version}"


# -- repositories ---------------------------------------------------------------------------


@dataclass
class Repo:
    """A sample project in a git repository with a bare remote."""

    root: Path
    remote: Path

    def git(self, *args: str) -> str:
        return sample.git(self.root, *args)

    def ref(self, ref: str, *, remote: bool = False) -> str | None:
        where = self.remote if remote else self.root
        result = subprocess.run(
            ["git", "rev-parse", "--verify", "-q", ref],
            cwd=where,
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip() or None


def make_repo(
    base: Path,
    *,
    backend: str = "hatchling",
    version: str = VERSION,
    tool_table: str = "",
    noxfile: bool = False,
) -> Repo:
    """The sample project at `version`, committed, tagged and pushed to `base/remote.git`."""
    root = sample.write_project(base / "project", name=PROJECT, version=version, backend=backend)
    if tool_table:
        with (root / "pyproject.toml").open("a") as pyproject:
            pyproject.write(f"\n[tool.releasekit]\n{tool_table.strip()}\n")
    if noxfile:
        from releasekit.setup.workflow import render_nox_sessions

        (root / "noxfile.py").write_text(render_nox_sessions())
    remote = base / "remote.git"
    sample.init_repository(root, remote, tag=f"v{version}")
    return Repo(root, remote)


def on_github(repo: Repo, slug: str = "o/r") -> str:
    """Name github.com in the remote URL while git really talks to the local bare repository."""
    url = f"https://github.com/{slug}.git"
    repo.git("remote", "set-url", "origin", url)
    repo.git("config", f"url.{repo.remote}.insteadOf", url)
    return url


def install_hook(git_dir: Path, name: str, body: str) -> None:
    hook = git_dir / "hooks" / name
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text("#!/bin/sh\n" + body)
    hook.chmod(0o755)


def other_clone(repo: Repo, base: Path) -> Repo:
    """A colleague's clone of the same remote."""
    clone = base / "colleague"
    sample.git(base, "clone", "--quiet", str(repo.remote), str(clone))
    sample.git(clone, "config", "user.name", "Colleague")
    sample.git(clone, "config", "user.email", "colleague@example.org")
    return Repo(clone, repo.remote)


def copy_dist(built: Path, root: Path) -> Path:
    target = root / "dist"
    shutil.copytree(built, target)
    return target


def altered_sdist(original: Path, target: Path) -> None:
    """A valid sdist with the same name and other bytes: someone else's upload."""
    with tarfile.open(original) as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            out.addfile(member, source.extractfile(member) if member.isfile() else None)
        extra = tarfile.TarInfo("sample_pkg-1.3.0/EXTRA.txt")
        payload = b"uploaded from another machine\n"
        extra.size = len(payload)
        out.addfile(extra, io.BytesIO(payload))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the world, before and after ----------------------------------------------------------


@dataclass(frozen=True)
class World:
    """What a user could lose: repository (files, HEAD, index, refs, remote), lock files,
    and the package index's files."""

    repo: RepoState | None
    staged: str
    locks: tuple[str, ...]
    index: Mapping[str, str]

    def diff(self, other: World) -> list[str]:
        changes: list[str] = []
        if self.repo is not None and other.repo is not None:
            changes += [c for c in self.repo.diff(other.repo) if c != "index changed"]
        if self.staged != other.staged:
            changes.append("staged content changed")
        if self.locks != other.locks:
            changes.append(f"lock files {self.locks} -> {other.locks}")
        for name in sorted(set(self.index) | set(other.index)):
            if self.index.get(name) != other.index.get(name):
                changes.append(f"index file {name} changed")
        return changes


def world(repo: Repo | None = None, index_dir: Path | None = None) -> World:
    state, staged, locks = None, "", tuple[str, ...]()
    if repo is not None:
        subprocess.run(["git", "status", "--porcelain"], cwd=repo.root, capture_output=True)
        state = capture(repo.root, repo.remote)
        staged = subprocess.run(
            ["git", "ls-files", "--stage"], cwd=repo.root, capture_output=True, text=True
        ).stdout
        locks = tuple(sorted(p.name for p in (repo.root / ".git").glob("*.lock")))
    index = {}
    if index_dir is not None:
        index = {p.name: sha256(p) for p in sorted(index_dir.iterdir()) if p.is_file()}
    return World(state, staged, locks, index)


def release_problems(
    repo: Repo,
    version: str,
    *,
    index_dir: Path | None = None,
    github: GitHubStandIn | None = None,
) -> list[str]:
    """What is missing from a complete release of `version` (empty: nothing)."""
    tag = f"v{version}"
    head = repo.ref("HEAD")
    problems = []
    if repo.git("log", "-1", "--pretty=%s").strip() != RELEASE_MESSAGE.format(version=version):
        problems.append("HEAD is not the release commit")
    if repo.ref(f"refs/tags/{tag}^{{commit}}") != head:
        problems.append(f"local tag {tag} is not at HEAD")
    if repo.ref("refs/heads/main", remote=True) != head:
        problems.append("the remote branch is not at the release commit")
    if repo.ref(f"refs/tags/{tag}", remote=True) != repo.ref(f"refs/tags/{tag}"):
        problems.append(f"the remote tag {tag} is missing or differs")
    if repo.git("status", "--porcelain", "--untracked-files=no").strip():
        problems.append("uncommitted changes left behind")
    if list((repo.root / ".git").glob("*.lock")):
        problems.append("a lock file was left in .git")
    for path, needle in (
        ("pyproject.toml", f'version = "{version}"'),
        (INIT, f'__version__ = "{version}"'),
        ("CHANGELOG.md", f"## [{version}] - "),
    ):
        if needle not in (repo.root / path).read_text():
            problems.append(f"{path} does not say {version}")
    if index_dir is not None:
        problems += _index_problems(repo, version, index_dir)
    if github is not None:
        releases = [r for r in github.releases.values() if r["tag_name"] == tag]
        if len(releases) != 1:
            problems.append(f"{len(releases)} GitHub releases for {tag}, expected one")
        elif "A greeting that says hello." not in (releases[0]["body"] or ""):
            problems.append("the GitHub release body is not the CHANGELOG section")
    return problems


def _index_problems(repo: Repo, version: str, index_dir: Path) -> list[str]:
    problems = []
    for name in (f"sample_pkg-{version}.tar.gz", f"sample_pkg-{version}-py3-none-any.whl"):
        published, local = index_dir / name, repo.root / "dist" / name
        if not published.is_file():
            problems.append(f"{name} is not on the index")
        elif local.is_file() and sha256(published) != sha256(local):
            problems.append(f"{name} on the index differs from dist/")
    return problems
