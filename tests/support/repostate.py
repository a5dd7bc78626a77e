"""Everything a user could see of a repository, to assert "exactly as before"."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False
    ).stdout


@dataclass(frozen=True)
class RepoState:
    files: dict[str, bytes]
    head: str
    branch: str
    index: str
    local_refs: str
    remote_refs: str

    def diff(self, other: RepoState) -> list[str]:
        """Human-readable differences, empty when nothing changed."""
        changes = [
            f"{name} changed"
            for name in ("head", "branch", "index", "local_refs", "remote_refs")
            if getattr(self, name) != getattr(other, name)
        ]
        for path in sorted(set(self.files) | set(other.files)):
            if self.files.get(path) != other.files.get(path):
                changes.append(f"file {path} changed")
        return changes


def staged(index: str) -> str:
    """`git ls-files --stage --debug` without the stat cache (ctime, mtime, inode, size).

    Restoring a file gives it a new inode and mtime, and undoing a commit resets the
    index entries of the released files, which drops their cached stat data: git
    re-reads those files on the next `git status`, nothing a user can see. What is
    staged (mode, blob, stage, path, flags) must be exactly as before.
    """
    kept: list[str] = []
    for line in index.splitlines():
        if not line.startswith(" "):
            kept.append(line)
        elif "flags:" in line:
            kept.append("flags:" + line.partition("flags:")[2])
    return "\n".join(kept)


def capture(root: Path, remote: Path | None = None) -> RepoState:
    """File bytes (outside .git), HEAD, branch, index, local refs and tags, remote refs."""
    files = {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }
    remote_refs = _git(remote, "for-each-ref") if remote else ""
    return RepoState(
        files=files,
        head=_git(root, "rev-parse", "HEAD"),
        branch=_git(root, "symbolic-ref", "-q", "HEAD"),
        index=staged(_git(root, "ls-files", "--stage", "--debug")),
        local_refs=_git(root, "for-each-ref"),
        remote_refs=remote_refs,
    )
