"""Recover a release that was killed outright, from the journal it left in .git.

Before the push, what it did is local: roll it back byte for byte (files, the commit and
the tag it made, nothing else), after checking that each is still what the release left
(a file edited since, or a HEAD moved on, is left alone and named). After the push it is
public: never undone, the converge logic of release.py finishes it. Git's own lock files
left by a killed git are removed only when no git process runs in the repository.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from releasekit.core import journal
from releasekit.core.journal import PENDING, STARTED, FileRecord, Record
from releasekit.core.pending import LOCK_NAME
from releasekit.core.plan import Options
from releasekit.errors import ReleaseError
from releasekit.system.git import Git

AUTO, ROLLBACK, FINISH = "auto", "rollback", "finish"
RELEASE_LOCK = LOCK_NAME  # apply.LOCK_NAME: apply imports this layer's journal


@dataclass(frozen=True)
class Interruption:
    """A journal whose process is gone; `pushed` None when the remote cannot tell."""

    path: Path
    record: Record
    pushed: bool | None

    @property
    def headline(self) -> str:
        return f"{self.record.what} was interrupted during {self.record.current_step}"

    @property
    def public(self) -> bool:
        """Nothing to roll back: pushed, or a resumed release (it had nothing local)."""
        return self.record.resumed or self.pushed is True

    def lines(self, root: Path) -> list[str]:
        """What `releasekit recover` shows: the journal, then what each choice does."""
        rec = self.record
        when = dt.datetime.fromtimestamp(rec.started_at).strftime("%Y-%m-%d %H:%M:%S")
        change = f"{rec.project} {rec.current} -> {rec.version}"
        lines = [
            f"Interrupted: {rec.what} ({change}), started {when} by pid {rec.pid}, which is gone.",
            "Steps:",
        ]
        states = {PENDING: "not started", STARTED: "started (interrupted here)", "done": "done"}
        for number, (title, state) in enumerate(zip(rec.titles, rec.states, strict=True), 1):
            lines.append(f"  {number}. {title}: {states[state]}")
        if rec.files:
            kept = ", ".join(f.path for f in rec.files)
            lines.append(f"The journal keeps the bytes before of: {kept}")
        if rec.head:
            lines.append(f"HEAD before: {rec.head[:12]} ({rec.branch or 'detached'})")
        if self.public:
            lines.append(
                f"{rec.tag} is already pushed, so nothing is undone: "
                "`releasekit recover --finish`, or the same release command, finishes it."
            )
        elif self.pushed is None:
            lines.append(
                f"{rec.push_remote} cannot be reached to tell whether it took the push: "
                "run `releasekit recover` again when it answers."
            )
        else:
            undo = rollback(root, rec, dry=True)[0] or ["nothing (it had changed nothing)"]
            lines.append("A rollback would: " + ", ".join(undo) + ".")
            lines.append(
                "The next release, bump or changelog run rolls it back first, then does what "
                "it was asked; `releasekit recover --rollback` only rolls back"
                + (
                    f"; `--finish` rolls back and releases {rec.version} again."
                    if rec.kind == "release"
                    else "."
                )
            )
        return lines

    def finish_options(self) -> Options:
        """What to ask for to finish it: the same version, the same steps after the push."""
        rec = self.record
        if rec.kind != "release":
            raise ReleaseError(
                f"{rec.what} cannot be finished from its journal",
                "releasekit recover --rollback, then run the same bump or changelog again",
            )
        return Options(
            new_version=None if self.public else rec.version,
            push=rec.push_remote is not None,
            sign=rec.sign,
            publish="Publish" in rec.kinds,
            github_release=None if "GitHubRelease" in rec.kinds else False,
            repository=rec.repository,
            package=rec.package or None,
        )


def find(root: Path, *, ask_remote: bool = True) -> Interruption | None:
    """The interrupted release of this repository, if any; refuses while it still runs."""
    path, record = journal.read(root)
    if record is None:
        if path.exists():
            raise ReleaseError(
                f"{path} is not a release journal this releasekit can read",
                f"if no release is running, look at it and remove it: rm {path}",
            )
        return None
    if record.pid != os.getpid() and journal.alive(record.pid, record.pid_start):
        raise ReleaseError(
            f"another release is running in this repository (pid {record.pid})",
            "wait for it to finish",
        )
    pushed = _pushed(root, record) if ask_remote else False
    return Interruption(path, record, pushed)


def describe_pending(root: Path) -> list[str]:
    """The dry run's note: what a real run would recover first (nothing is changed)."""
    found = find(root, ask_remote=False)
    if found is None:
        return []
    return [
        f"{found.headline}: a run without --dry-run recovers it first "
        "(releasekit recover shows how)"
    ]


def recover(root: Path, mode: str = AUTO) -> list[str]:
    """Recover an interrupted release, if there is one; the lines say what was done.

    AUTO (every writing verb) and ROLLBACK roll back what was not pushed; AUTO and FINISH
    leave a pushed one to be finished; ROLLBACK refuses that.
    """
    found = find(root)
    if found is None:
        return []
    rec = found.record
    lines = [found.headline]
    lines += clear_git_locks(root, rec)
    _clear_stale_lock(root)
    if found.public:
        if mode == ROLLBACK:
            raise ReleaseError(
                f"{found.headline}, after the push: {rec.tag} is public and is never undone",
                "finish it: releasekit recover --finish (or run the same release command again)",
            )
        lines.append(f"{rec.tag} is already pushed: finishing it (nothing public is undone)")
        journal.remove(found.path)
        return lines
    if found.pushed is None:
        raise ReleaseError(
            f"{found.headline}, and {rec.push_remote} cannot be reached to tell whether "
            "the push landed",
            f"run the same command again when {rec.push_remote} answers",
        )
    undone, failed = rollback(root, rec)
    if failed:
        done = f"; undone: {', '.join(undone)}" if undone else ""
        raise ReleaseError(
            f"{found.headline}{done}; COULD NOT UNDO: {', '.join(failed)}",
            f"put those back by hand (git status shows them), then rm {found.path}",
        )
    lines.append("rolled it back: " + (", ".join(undone) if undone else "it had changed nothing"))
    journal.remove(found.path)
    return lines


def _pushed(root: Path, rec: Record) -> bool | None:
    """Did the push land? Asked of the remote when the journal cannot tell (a kill while
    git pushed, or right after): every ref there at the local value means it did."""
    if rec.public:
        return True
    if rec.push_remote is None or rec.state_of("Push") == PENDING:
        return False
    git = Git(root)
    try:
        found = git.ls_remote(rec.push_remote, rec.push_refspecs)
    except ReleaseError:
        return None
    for ref in rec.push_refspecs:
        local = git.query("rev-parse", "--verify", "-q", ref)
        if local is None or found.get(ref) != local:
            return False
    return True


# -- the rollback -------------------------------------------------------------------------


def rollback(root: Path, rec: Record, *, dry: bool = False) -> tuple[list[str], list[str]]:
    """Undo, newest first, what the journal says was started and is still as left; `dry`
    only says what would be undone."""
    git = Git(root)
    undone: list[str] = []
    failed: list[str] = []

    def attempt(undo: Callable[[], list[str]]) -> None:
        try:
            undone.extend(undo())
        except (ReleaseError, OSError) as exc:
            failed.append(exc.cause if isinstance(exc, ReleaseError) else str(exc))

    made = _release_commit(git, rec)
    if rec.state_of("Tag") != PENDING:
        attempt(lambda: _untag(git, rec, made, dry))
    if rec.state_of("Commit") != PENDING:
        attempt(lambda: _uncommit(git, rec, made, dry))
    if rec.state_of("BranchCommit") != PENDING:
        attempt(lambda: _unbranch(git, rec, dry))
    for record in reversed(rec.files):
        if rec.touched(record.step):
            attempt(functools.partial(_restore, root, record, rec.started_at, dry))
    return undone, failed


def _release_commit(git: Git, rec: Record) -> str | None:
    """The commit the release made: HEAD, child of HEAD before, with the release message."""
    head = git.head()
    if rec.head is None or head is None or head == rec.head or rec.commit_message is None:
        return None
    if git.ref(f"{head}~1") != rec.head:
        return None
    message = git.query("log", "-1", "--format=%B", head) or ""
    return head if message.strip() == rec.commit_message.strip() else None


def _untag(git: Git, rec: Record, made: str | None, dry: bool) -> list[str]:
    if git.tag_object(rec.tag) is None or rec.refs.get(f"refs/tags/{rec.tag}"):
        return []  # never made, or not ours (it existed before)
    target = git.ref(f"refs/tags/{rec.tag}")
    if target not in {made, rec.head} - {None}:
        shown = (target or "?")[:12]
        raise ReleaseError(f"tag {rec.tag} points to {shown}, not the release commit: left")
    if not dry:
        git.delete_tag(rec.tag)
    return [f"{'remove' if dry else 'removed'} tag {rec.tag}"]


def _uncommit(git: Git, rec: Record, made: str | None, dry: bool) -> list[str]:
    head = git.head()
    if made is not None and rec.head is not None:
        if not dry:
            git.uncommit(rec.head, made, rec.commit_paths)
        return [f"{'remove' if dry else 'removed'} commit {made[:12]}"]
    if head != rec.head:
        raise ReleaseError(f"HEAD moved past the release commit ({(head or '?')[:12]}): left")
    if not dry and rec.head is not None and rec.commit_paths:
        # A git commit killed after it updated the index: put those entries back.
        git.run("reset", "--quiet", rec.head, "--", *rec.commit_paths)
    return []


def _unbranch(git: Git, rec: Record, dry: bool) -> list[str]:
    """The release branch made beside the work tree, if it is still the one made."""
    ref = f"refs/heads/{rec.new_branch}"
    sha = git.query("rev-parse", "--verify", "-q", ref)
    if rec.new_branch is None or sha is None or rec.refs.get(ref):
        return []
    message = (git.query("log", "-1", "--format=%B", sha) or "").strip()
    parent = git.ref(f"{sha}~1")
    if parent != rec.new_branch_parent or message != (rec.new_branch_message or "").strip():
        raise ReleaseError(f"branch {rec.new_branch} moved on since the release stopped: left")
    if not dry:
        git.delete_branch(rec.new_branch, sha)
    return [f"{'remove' if dry else 'removed'} branch {rec.new_branch}"]


def _restore(root: Path, record: FileRecord, since: float, dry: bool) -> list[str]:
    path = root / record.path
    notes = [f"removed {name}" for name in _half_written(path, since, dry)]
    verb = "restore" if dry else "restored"
    current = path.read_bytes() if path.is_file() else None
    if current == record.before:
        return notes
    if record.after_sha is None and current is not None:
        raise ReleaseError(f"{record.path} was created again since, with other bytes: left")
    if current is not None and journal.sha256(current) != record.after_sha:
        raise ReleaseError(f"{record.path} was edited since the release stopped: left")
    if not dry:
        path.parent.mkdir(parents=True, exist_ok=True)
        journal.atomic_write(path, record.before, record.mode)
    return [*notes, f"{verb} {record.path}"]


def _half_written(path: Path, since: float, dry: bool) -> list[str]:
    """The temporary files a write killed before its rename left beside `path`."""
    found = []
    for temp in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if temp.stat().st_mtime < since - 2:
                continue
            if not dry:
                temp.unlink()
        except OSError:
            continue
        found.append(temp.name)
    return found


# -- lock files ----------------------------------------------------------------------------


def git_processes(root: Path) -> list[int]:
    """Pids of git processes whose working folder is in this repository (from /proc)."""
    top = str(root.resolve())
    found = []
    try:
        entries = list(os.scandir("/proc"))
    except OSError:
        return []
    for entry in entries:
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            comm = Path(entry.path, "comm").read_text().strip()
            cwd = os.readlink(Path(entry.path, "cwd"))
        except OSError:
            continue
        inside = cwd == top or cwd.startswith(top + os.sep)
        if comm.startswith("git") and inside and journal.alive(int(entry.name), None):
            found.append(int(entry.name))
    return sorted(found)


def clear_git_locks(root: Path, rec: Record) -> list[str]:
    """Git's lock files a killed git left (index, HEAD, the release's refs): removed when
    no git runs here; while one does, refuse and name it."""
    where = journal.git_dir(root)
    names = ["index.lock", "HEAD.lock", "packed-refs.lock", *(f"{ref}.lock" for ref in rec.refs)]
    present = [where / name for name in names if (where / name).exists()]
    present += sorted(where.glob("next-index-*.lock"))  # the index of a `commit --only`
    if not present:
        return []
    holders = git_processes(root)
    if holders:
        pid = holders[0]
        raise ReleaseError(
            f"{present[0]} is held by git (pid {pid}), still running in this repository",
            f"wait for it to end, then run the same command again (if it hangs: kill {pid}; "
            f"rm {present[0]})",
        )
    lines = []
    for lock in present:
        lock.unlink(missing_ok=True)
        lines.append(f"removed {lock}, left by a killed git (no git runs here; by hand: rm {lock})")
    return lines


def _clear_stale_lock(root: Path) -> None:
    lock = journal.git_dir(root) / RELEASE_LOCK
    try:
        pid = int(lock.read_text().strip() or "0")
    except (OSError, ValueError):
        pid = 0
    if lock.exists() and pid != os.getpid() and not journal.alive(pid, None):
        lock.unlink(missing_ok=True)
    for temp in lock.parent.glob(f".{journal.JOURNAL_NAME}.*.tmp"):
        temp.unlink(missing_ok=True)
