"""The release journal on disk: what a release is doing, written before its first write.

A release killed outright (SIGKILL, an OOM kill, a power cut) cannot undo itself; the
journal lets the next run do it. It lives in .git (never committed, never in the work
tree) and holds the plan's identity, the original bytes of every file the release
touches, HEAD and the refs before, and each step as it starts and ends. Every update is
atomic (temporary file, fsync, rename), so a kill at any moment leaves either the old
journal or the new one, never half of one. It is removed when the release ends.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from releasekit.core.pending import JOURNAL_NAME as JOURNAL_NAME
from releasekit.core.plan import (
    BranchCommit,
    Commit,
    DeleteFile,
    Plan,
    Publish,
    Push,
    Tag,
    WriteFile,
)
from releasekit.system import gitdir
from releasekit.system.git import Git

FORMAT = 1
PENDING, STARTED, DONE = "pending", "started", "done"


def git_dir(root: Path) -> Path:
    """Where releasekit keeps its lock and journal: the repository's git folder, or the
    project folder itself when there is no repository (a `bump` before `git init`)."""
    found = gitdir.find(root) or Git(root).query("rev-parse", "--absolute-git-dir")
    return Path(found) if found else root


def journal_path(root: Path) -> Path:
    return git_dir(root) / JOURNAL_NAME


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Temporary file beside `path`, fsync, rename, fsync the folder: all or nothing."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def process_start(pid: int) -> str | None:
    """The kernel's start time of `pid` (ticks since boot): tells a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def alive(pid: int, start: str | None) -> bool:
    """Whether the process that wrote the journal still runs (a zombie does not)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc here: trust the pid
    if stat.rpartition(")")[2].split()[:1] == ["Z"]:
        return False
    return start is None or process_start(pid) in (None, start)


@dataclass(frozen=True)
class FileRecord:
    """A file the release rewrites or deletes: its bytes before, and a hash of what comes."""

    path: str
    before: bytes
    after_sha: str | None  # None: the release deletes it
    mode: int
    step: int


@dataclass
class Record:
    """The journal's content; `states` is updated (and written) as each step runs."""

    project: str
    current: str
    version: str
    tag: str
    kind: str  # "release" (git steps) or "files" (bump, changelog)
    resumed: bool
    titles: list[str]
    kinds: list[str]
    files: list[FileRecord]
    head: str | None
    branch: str | None
    refs: dict[str, str | None]
    commit_message: str | None
    commit_paths: list[str]
    push_remote: str | None
    push_refspecs: list[str]
    sign: bool
    repository: str | None
    new_branch: str | None = None  # a BranchCommit's branch, its parent and message
    new_branch_parent: str | None = None
    new_branch_message: str | None = None
    pid: int = field(default_factory=os.getpid)
    pid_start: str | None = None
    started_at: float = field(default_factory=time.time)
    states: list[str] = field(default_factory=list)
    public: bool = False
    package: str = ""  # a workspace member's folder: finishing releases that member again

    # -- reading ---------------------------------------------------------------------------
    def state_of(self, kind: str) -> str:
        """The state of the first step of a kind ("Commit", "Tag", "Push")."""
        for step_kind, state in zip(self.kinds, self.states, strict=True):
            if step_kind == kind:
                return state
        return PENDING

    def touched(self, step: int) -> bool:
        return self.states[step] != PENDING

    @property
    def current_step(self) -> str:
        """The title of the step that was running (or the last one done)."""
        last = "its first step"
        for title, state in zip(self.titles, self.states, strict=True):
            if state == STARTED:
                return title
            if state == DONE:
                last = f"{title} (done; the next step had not started)"
        return last

    @property
    def what(self) -> str:
        if self.kind == "files":
            return f"an edit of {self.project} to {self.version}"
        return f"a release of {self.tag}"

    # -- encoding --------------------------------------------------------------------------
    def to_json(self) -> bytes:
        data: dict[str, Any] = dict(self.__dict__)
        data["format"] = FORMAT
        data["files"] = [
            {
                "path": f.path,
                "before": base64.b64encode(f.before).decode("ascii"),
                "after_sha": f.after_sha,
                "mode": f.mode,
                "step": f.step,
            }
            for f in self.files
        ]
        return json.dumps(data, indent=1, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, text: bytes) -> Record:
        data = json.loads(text)
        if data.pop("format", None) != FORMAT:
            raise ValueError("unknown journal format")
        data["files"] = [
            FileRecord(
                f["path"], base64.b64decode(f["before"]), f["after_sha"], int(f["mode"]), f["step"]
            )
            for f in data["files"]
        ]
        return cls(**data)


def record_of(root: Path, plan: Plan) -> Record:
    """What the journal says before the first step: the plan and the world as it was."""
    git = Git(root)
    files: list[FileRecord] = []
    commit: Commit | None = None
    tag: Tag | None = None
    push: Push | None = None
    repository = None
    beside: BranchCommit | None = None
    for number, step in enumerate(plan.steps):
        if isinstance(step, WriteFile):
            mode = _mode(root / step.path)
            files.append(FileRecord(step.path, step.before, sha256(step.after), mode, number))
        elif isinstance(step, DeleteFile):
            files.append(FileRecord(step.path, step.before, None, step.mode, number))
        elif isinstance(step, Commit):
            commit = commit or step
        elif isinstance(step, Tag):
            tag = tag or step
        elif isinstance(step, Push):
            push = push or step
        elif isinstance(step, Publish):
            repository = step.repository
        elif isinstance(step, BranchCommit):
            beside = beside or step
    branch = git.query("symbolic-ref", "-q", "HEAD")
    refs: dict[str, str | None] = {f"refs/tags/{plan.tag}": git.tag_object(plan.tag)}
    if branch:
        refs[branch] = git.query("rev-parse", "--verify", "-q", branch)
    if beside is not None:
        new = f"refs/heads/{beside.branch}"
        refs[new] = git.query("rev-parse", "--verify", "-q", new)
    release = any(step is not None for step in (commit, tag, push, beside))
    return Record(
        project=plan.project,
        current=plan.current,
        version=plan.version,
        tag=plan.tag,
        kind="release" if release else "files",
        resumed=plan.resumed,
        titles=[step.title for step in plan.steps],
        kinds=[type(step).__name__ for step in plan.steps],
        files=files,
        head=git.head(),
        branch=branch,
        refs=refs,
        commit_message=commit.message if commit else None,
        commit_paths=list(commit.paths) if commit else [],
        push_remote=push.remote if push else None,
        push_refspecs=list(push.refspecs) if push else [],
        sign=tag.sign if tag else False,
        repository=repository,
        new_branch=beside.branch if beside else None,
        new_branch_parent=beside.parent if beside else None,
        new_branch_message=beside.message if beside else None,
        pid_start=process_start(os.getpid()),
        states=[PENDING] * len(plan.steps),
        package=plan.package,
    )


def _mode(path: Path) -> int:
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        return 0o644


class Journal:
    """The journal of the running release: every change of state is on disk before it
    happens (a step is `started` before it acts, `done` after)."""

    def __init__(self, path: Path, record: Record) -> None:
        self.path = path
        self.record = record

    def save(self) -> None:
        atomic_write(self.path, self.record.to_json())

    def started(self, step: int) -> None:
        self.record.states[step] = STARTED
        self.save()

    def done(self, step: int, *, public: bool = False) -> None:
        self.record.states[step] = DONE
        self.record.public |= public
        self.save()

    def end(self) -> None:
        """The release ended (done, or rolled back): nothing is left to recover."""
        remove(self.path)


def begin(root: Path, plan: Plan) -> Journal:
    """Write the journal of `plan` before its first step; ReleaseError if .git is full."""
    from releasekit.errors import ReleaseError

    journal = Journal(journal_path(root), record_of(root, plan))
    try:
        journal.save()
    except OSError as exc:
        raise ReleaseError(
            f"cannot write the release journal {journal.path}: {exc.strerror or exc}",
            "free some disk space (or make .git writable), then run the same command again",
        ) from None
    return journal


def read(root: Path) -> tuple[Path, Record | None]:
    """The journal left in this repository, if any (None for an unreadable one, too)."""
    path = journal_path(root)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return path, None
    try:
        return path, Record.from_json(data)
    except (ValueError, KeyError, TypeError):
        return path, None


def remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    _sync_folder(path.parent)
