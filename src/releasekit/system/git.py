"""Git queries and commands as argv lists, through the runner.

Queries never change the repository (remote state is read with ls-remote, not
fetch); commands change only what a release owns: its files, commit and tag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from releasekit.errors import CommandError, GitError
from releasekit.system import runner
from releasekit.system.redact import redact

# Never wait on a credential prompt, never page, never translate messages.
_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C", "GIT_ASKPASS": ""}
NETWORK_TIMEOUT = 60.0


@dataclass(frozen=True)
class Git:
    """A repository, addressed by its work tree."""

    root: Path

    def run(self, *args: str, input: str | None = None, timeout: float = 30.0) -> str:
        try:
            result = runner.run(
                ["git", "-c", "core.quotepath=off", *args],
                cwd=self.root,
                env=_ENV,
                input=input,
                timeout=timeout,
            )
        except CommandError as exc:
            said = runner.reason(exc.output)
            raise GitError(f"git {args[0]}: {said}" if said else exc.cause, exc.fix) from exc
        return result.stdout

    def query(self, *args: str) -> str | None:
        """stdout of a git query, or None when git says no (missing ref, no upstream)."""
        result = runner.run(
            ["git", "-c", "core.quotepath=off", *args], cwd=self.root, env=_ENV, check=False
        )
        return result.stdout.strip() if result.ok else None

    # -- queries ---------------------------------------------------------------

    def is_repository(self) -> bool:
        return self.query("rev-parse", "--is-inside-work-tree") == "true"

    def not_a_repository(self) -> GitError:
        """Why git will not work here, with the fix: no repository, or one git distrusts."""
        result = runner.run(
            ["git", "rev-parse", "--is-inside-work-tree"], cwd=self.root, env=_ENV, check=False
        )
        if "dubious ownership" in result.stderr:  # git's own words (safe.directory, 2.35.2+)
            return GitError(
                f"git refuses {self.root}: it belongs to another user (dubious ownership)",
                f"git config --global --add safe.directory {self.root}",
            )
        return GitError(
            f"{self.root} is not in a git repository", "git init and commit the project"
        )

    def head(self) -> str | None:
        return self.query("rev-parse", "--verify", "-q", "HEAD")

    def branch(self) -> str | None:
        """The current branch, or None on a detached HEAD."""
        return self.query("symbolic-ref", "--short", "-q", "HEAD")

    def changed_files(self) -> list[str]:
        """Tracked files with staged or unstaged changes (untracked ones are ignored)."""
        out = self.run("status", "--porcelain=v1", "-z", "--untracked-files=no")
        entries = out.split("\0")
        paths: list[str] = []
        skip = False
        for entry in entries:
            if skip:
                skip = False
                continue
            if len(entry) > 3:
                paths.append(entry[3:])
                skip = entry[0] in "RC"  # a rename is followed by its old path
        return paths

    def tracked(self, paths: Sequence[str]) -> set[str]:
        out = self.run("ls-files", "-z", "--", *paths) if paths else ""
        return {path for path in out.split("\0") if path}

    def remote_url(self, remote: str) -> str | None:
        """The URL as configured (before insteadOf rewriting): what names the host."""
        return self.query("config", "--get", f"remote.{remote}.url")

    def ref(self, ref: str) -> str | None:
        """The commit a ref points to (tags peeled), or None."""
        return self.query("rev-parse", "--verify", "-q", f"{ref}^{{commit}}")

    def tag_object(self, tag: str) -> str | None:
        return self.query("rev-parse", "--verify", "-q", f"refs/tags/{tag}")

    def tags(self) -> list[str]:
        out = self.query("tag", "--list")
        return out.split() if out else []

    def version_tags(self) -> list[str]:
        """Tags that start like a version, with or without a `v`: 1.7.0, v1.7.0."""
        out = self.query(
            "for-each-ref", "--format=%(refname:strip=2)", "refs/tags/v[0-9]*", "refs/tags/[0-9]*"
        )
        return out.split() if out else []

    def is_ancestor(self, ancestor: str, rev: str) -> bool:
        return self.query("merge-base", "--is-ancestor", ancestor, rev) is not None

    def has_commit(self, sha: str) -> bool:
        return self.query("cat-file", "-e", f"{sha}^{{commit}}") is not None

    def ls_remote(self, remote: str, refs: Sequence[str]) -> dict[str, str]:
        """ref -> sha on the remote, read without fetching; GitError if unreachable."""
        out = self.run("ls-remote", "--quiet", remote, *refs, timeout=NETWORK_TIMEOUT)
        found: dict[str, str] = {}
        for line in out.splitlines():
            sha, _, ref = line.partition("\t")
            found[ref] = sha
        return found

    # -- commands --------------------------------------------------------------

    def commit(self, paths: Sequence[str], message: str) -> str:
        """Commit exactly `paths` (other staged changes stay staged); return the new HEAD."""
        self.run("commit", "--quiet", "--only", "-F", "-", "--", *paths, input=message)
        head = self.head()
        if head is None:  # pragma: no cover - git just made the commit
            raise GitError("git commit left no HEAD", "inspect the repository")
        return head

    def uncommit(self, previous: str, ours: str, paths: Sequence[str]) -> None:
        """Move the branch back from our commit to `previous`, only if HEAD is still ours."""
        self.run("update-ref", "-m", "releasekit: undo release commit", "HEAD", previous, ours)
        self.run("reset", "--quiet", previous, "--", *paths)

    def tag(self, name: str, message: str, *, sign: bool) -> None:
        kind = "--sign" if sign else "--annotate"
        self.run("tag", kind, "--cleanup=whitespace", "-F", "-", name, input=message)

    def delete_tag(self, name: str) -> None:
        self.run("tag", "--delete", name)

    def push(self, remote: str, refspecs: Sequence[str]) -> None:
        """Atomic push: all refs or none; a refusal names the remote's own reason."""
        argv = ["git", "-c", "core.quotepath=off", "push", "--atomic", "--porcelain", remote]
        result = runner.run(
            [*argv, *refspecs], cwd=self.root, env=_ENV, timeout=NETWORK_TIMEOUT, check=False
        )
        if result.ok:
            return
        rejected = [
            line.split("\t")[-1]
            for line in result.stdout.splitlines()
            if line.startswith("!") and "atomic push failed" not in line
        ]
        said = [
            line.removeprefix("remote:").strip()
            for line in result.stderr.splitlines()
            if line.startswith("remote:") and line.removeprefix("remote:").strip()
        ]
        why = "; ".join([*rejected[:1], *said[:2]]) or runner.reason(result.stderr)
        raise GitError(
            f"{remote} refused the push: {redact(why)}",
            f"see why above (git pull {remote} if it moved on), then run the same command again",
        )
