"""Git queries and commands as argv lists, through the runner.

Queries never change the repository (remote state is read with ls-remote, not
fetch); commands change only what a release owns: its files, commit and tag.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from releasekit.errors import CommandError, GitError
from releasekit.system import runner
from releasekit.system.record import record as value_record  # `record` names log entries
from releasekit.system.redact import redact

# Never wait on a credential prompt, never page, never translate messages.
_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C", "GIT_ASKPASS": ""}
NETWORK_TIMEOUT = 60.0


@value_record
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

    def messages(
        self, since: str | None, until: str = "HEAD", *, paths: Sequence[str] = ()
    ) -> list[tuple[str, str]]:
        """(sha, full message) of each non-merge commit after `since` (all without it),
        newest first; with `paths`, only the commits that touch them (a workspace member)."""
        revs = f"{since}..{until}" if since else until
        limit = ["--", *paths] if paths else []
        out = self.query("log", "--no-merges", "--format=%H%x1f%B%x1e", revs, *limit) or ""
        found: list[tuple[str, str]] = []
        for record in out.split("\x1e"):
            sha, _, message = record.strip("\n").partition("\x1f")
            if sha:
                found.append((sha.strip(), message.strip()))
        return found

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

    def commit_beside(self, parent: str, files: Mapping[str, str | None], message: str) -> str:
        """A commit on top of `parent` with `files` replaced (None: deleted), made in a
        temporary index: the work tree, the index and every ref stay as they are."""
        import os
        import tempfile

        listed = self.run("ls-tree", "-z", parent, "--", *files) if files else ""
        modes = {}
        for entry in filter(None, listed.split("\0")):
            info, _, path = entry.partition("\t")
            modes[path] = info.split()[0]
        lines = []
        for path, text in files.items():
            if text is None:
                lines.append(f"0 {'0' * 40}\t{path}")
            else:
                blob = self.run("hash-object", "-w", "--stdin", input=text).strip()
                lines.append(f"{modes.get(path, '100644')} {blob}\t{path}")
        fd, index = tempfile.mkstemp(prefix="releasekit-index-")
        os.close(fd)
        os.unlink(index)  # git writes a fresh index there
        env = {**_ENV, "GIT_INDEX_FILE": index}
        try:
            runner.run(["git", "read-tree", parent], cwd=self.root, env=env)
            update = ["git", "update-index", "--index-info"]
            runner.run(update, cwd=self.root, env=env, input="\n".join(lines) + "\n")
            tree = runner.run(["git", "write-tree"], cwd=self.root, env=env).stdout.strip()
        except CommandError as exc:
            raise GitError(f"cannot write the release commit: {exc.cause}", exc.fix) from exc
        finally:
            with contextlib.suppress(OSError):
                os.unlink(index)
        return self.run("commit-tree", tree, "-p", parent, "-F", "-", input=message).strip()

    def create_branch(self, name: str, sha: str) -> None:
        """Create refs/heads/`name` at `sha`; refused when it exists already."""
        self.run("update-ref", "-m", "releasekit: release branch", f"refs/heads/{name}", sha, "")

    def delete_branch(self, name: str, sha: str) -> None:
        """Delete refs/heads/`name`, only while it still points at `sha`."""
        self.run("update-ref", "-d", f"refs/heads/{name}", sha)

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
