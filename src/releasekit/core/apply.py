"""Run a plan, keep a journal, and undo everything local if a step fails.

Until the push, every step can be undone: files get their exact bytes back,
the commit and the tag the release made are removed, nothing else is touched.
After the push the release is public: a failure then is reported with the way
to finish it (re-running resumes where it stopped).
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from releasekit.core import pending
from releasekit.core.journal import Journal, begin, git_dir
from releasekit.core.plan import (
    NO_RETURN,
    BranchCommit,
    Commit,
    DeleteFile,
    Plan,
    Push,
    Step,
    Tag,
    WriteFile,
)
from releasekit.errors import Interrupted, ReleaseError
from releasekit.system.git import Git

Report = Callable[[str], None]
Undo = Callable[[], str]
LOCK_NAME = pending.LOCK_NAME


@dataclass
class Context:
    """What steps need at run time; `extra` runs the steps that live in other modules."""

    root: Path
    report: Report
    run_other: Callable[[Step], str | None] | None = None


def write_bytes(path: Path, data: bytes) -> None:
    """Replace a file's content atomically, keeping its mode; ENOSPC leaves it whole."""
    if not os.access(path, os.W_OK):
        raise ReleaseError(f"{path.name} is read-only", f"make it writable (chmod u+w {path})")
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, os.stat(path).st_mode & 0o7777)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def overwrite(path: Path, data: bytes) -> None:
    """Write `data` over the file in place, within the blocks it already has: the undo's
    fallback on a full disk (not atomic, so never the first choice)."""
    with path.open("r+b") as handle:
        handle.write(data)
        handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())


def _execute(step: Step, ctx: Context, git: Git, journal: list[Undo]) -> None:
    """Journal the undo first, then act: a signal between the two leaves nothing behind.

    Each undo checks what is really there, so it is safe whether or not its step ran.
    """
    if isinstance(step, WriteFile):
        path = ctx.root / step.path

        def restore() -> str:
            if path.read_bytes() != step.before:
                try:
                    write_bytes(path, step.before)
                except OSError:  # a full disk has no room for a new file: reuse this one's
                    overwrite(path, step.before)
            return f"restored {step.path}"

        journal.append(_naming(step.path, restore))
        write_bytes(path, step.after)
    elif isinstance(step, DeleteFile):
        gone = ctx.root / step.path

        def recreate() -> str:
            if gone.exists() and gone.read_bytes() == step.before:
                return f"{step.path} was not deleted"
            gone.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(gone, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, step.mode)
            with os.fdopen(fd, "wb") as handle:
                handle.write(step.before)
            os.chmod(gone, step.mode)
            return f"restored {step.path}"

        journal.append(_naming(step.path, recreate))
        gone.unlink(missing_ok=True)
    elif isinstance(step, Commit):
        previous = git.head()

        def uncommit() -> str:
            ours = git.head()
            if ours is None or previous is None or ours == previous:
                return "no commit to remove"
            if git.ref(f"{ours}~1") != previous:
                raise ReleaseError(f"HEAD moved past the release commit ({ours[:12]})")
            git.uncommit(previous, ours, step.paths)
            return f"removed commit {ours[:12]}"

        journal.append(uncommit)
        git.commit(step.paths, step.message)
    elif isinstance(step, Tag):
        tagged: list[str] = []

        def untag() -> str:
            # Only the tag this step made: one of that name made meanwhile (while the
            # prompt waited) makes `git tag` fail, and is the user's to keep.
            if not tagged or git.tag_object(step.name) != tagged[0]:
                return f"no tag {step.name} to remove"
            git.delete_tag(step.name)
            return f"removed tag {step.name}"

        journal.append(untag)
        git.tag(step.name, step.message, sign=step.sign)
        tagged.append(git.tag_object(step.name) or "")
    elif isinstance(step, BranchCommit):
        made: list[str] = []

        def unbranch() -> str:
            if not made or git.ref(f"refs/heads/{step.branch}") != made[0]:
                return f"no branch {step.branch} to remove"
            git.delete_branch(step.branch, made[0])
            return f"removed branch {step.branch}"

        journal.append(unbranch)
        files: dict[str, str | None] = {w.path: w.after.decode("utf-8") for w in step.writes}
        files.update(dict.fromkeys(step.deleted))
        made.append(git.commit_beside(step.parent, files, step.message))
        git.create_branch(step.branch, made[0])
    elif isinstance(step, Push):
        git.push(step.remote, step.refspecs)
    elif ctx.run_other is None:
        raise ReleaseError(f"cannot {step.title} here", "this front does not run that step")
    else:
        note = ctx.run_other(step)
        if note:
            ctx.report(note)


def _naming(path: str, undo: Undo) -> Undo:
    """The undo of a file, whose failure names that file: the user must put it back."""

    def named() -> str:
        try:
            return undo()
        except OSError as exc:
            raise ReleaseError(f"{path}: {exc.strerror or exc}") from exc

    return named


def apply(plan: Plan, ctx: Context) -> None:
    """Run every step; on failure before the push, undo and raise one clear error.

    Ctrl-C and SIGTERM are held until the running step ends (a git command killed
    halfway leaves lock files behind), then roll back like any failure; a second
    signal interrupts at once.
    """
    git = Git(ctx.root)
    journal: list[Undo] = []
    # A resumed release with nothing left to push is public before its first step.
    public = plan.resumed and not any(isinstance(step, NO_RETURN) for step in plan.steps)
    with lock(ctx.root), _DeferredSignals() as signals:
        on_disk = begin(ctx.root, plan)  # before the first write: a SIGKILL is recoverable
        for number, step in enumerate(plan.steps):
            try:
                signals.check()
                ctx.report(step.title)
                on_disk.started(number)
                _execute(step, ctx, git, journal)
                on_disk.done(number, public=public or isinstance(step, NO_RETURN))
            except (ReleaseError, OSError, KeyboardInterrupt) as exc:
                if isinstance(step, Push) and _reached_remote(git, step):
                    on_disk.end()
                    raise ReleaseError(
                        f"{step.title} did not end cleanly, but {step.remote} took every ref "
                        f"({plan.tag} is already pushed)",
                        "re-run the same command: it finishes the release where it stopped",
                    ) from exc
                raise _failure(step, signals.explain(exc), journal, public, plan, on_disk) from exc
            if isinstance(step, NO_RETURN):
                public = True  # set before anything else can interrupt: the world saw it
                journal.clear()
        if plan.steps and not public:  # once pushed, a late signal changes nothing
            try:
                signals.check()
            except Interrupted as exc:
                raise _failure(plan.steps[-1], exc, journal, public, plan, on_disk) from exc
        on_disk.end()


def _reached_remote(git: Git, push: Push) -> bool:
    """A push that failed here may have landed all the same (git killed by Ctrl-C, or the
    connection dropped, after the remote updated its refs): then nothing may be undone."""
    with _signals_ignored():
        try:
            found = git.ls_remote(push.remote, push.refspecs)
        except ReleaseError:
            return False
        local = {ref: git.query("rev-parse", "--verify", "-q", ref) for ref in push.refspecs}
    return all(found.get(ref) is not None and found.get(ref) == local[ref] for ref in local)


def _failure(
    step: Step,
    exc: BaseException,
    journal: list[Undo],
    public: bool,
    plan: Plan,
    on_disk: Journal,
) -> ReleaseError:
    """The one error of a failed release; the journal stays only if an undo failed."""
    cause = _describe(exc)
    fix = exc.fix if isinstance(exc, ReleaseError) else ""
    if public:
        on_disk.end()
        return ReleaseError(
            f"{step.title} failed: {cause} ({plan.tag} is already pushed)",
            (f"{fix}; then " if fix else "")
            + "re-run the same command: it finishes the release where it stopped",
        )
    undone, failed = rollback(journal)
    if not failed:
        on_disk.end()
    summary = "; undone: " + ", ".join(undone) if undone else "; nothing had been changed"
    if failed:
        summary += "; COULD NOT UNDO: " + ", ".join(failed)
    elif not fix:
        fix = "the repository is as it was: fix the cause and run the same command again"
    return ReleaseError(f"{step.title} failed: {cause}{summary}", fix)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, ReleaseError):
        return exc.cause
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)  # pragma: no cover


def rollback(journal: list[Undo]) -> tuple[list[str], list[str]]:
    """Undo in reverse order; keep going past a failing undo and report it."""
    undone: list[str] = []
    failed: list[str] = []
    with _signals_ignored():
        for undo in reversed(journal):
            try:
                undone.append(undo())
            except (ReleaseError, OSError) as exc:
                failed.append(_describe(exc))
    journal.clear()
    return undone, failed


def _lock_path(root: Path) -> Path:
    return git_dir(root) / LOCK_NAME


def _running(owner: int) -> ReleaseError:
    return ReleaseError(
        f"another release is running in this repository (pid {owner})", "wait for it to finish"
    )


def check_not_running(root: Path) -> None:
    """Refuse early while another release holds the lock: its half-written files would
    otherwise be reported as uncommitted changes, with advice that would break it."""
    path = _lock_path(root)
    owner = _lock_owner(path) if path.exists() else None
    if owner is not None:
        raise _running(owner)


@contextlib.contextmanager
def lock(root: Path) -> Iterator[None]:
    """One release at a time per repository: a lock file in .git, taken atomically."""
    path = _lock_path(root)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        owner = _lock_owner(path)
        if owner is not None:
            raise _running(owner) from None
        path.unlink(missing_ok=True)  # stale: its process is gone
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(str(os.getpid()))
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise ReleaseError(
            f"cannot write the release lock {path}: {exc.strerror or exc}",
            "free some disk space (or make .git writable), then run the same command again",
        ) from None
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _lock_owner(path: Path) -> int | None:
    """The pid holding the lock, or None when that process no longer exists."""
    try:
        pid = int(path.read_text().strip() or "0")
    except (OSError, ValueError):
        return None
    if pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


class _DeferredSignals:
    """Hold SIGINT/SIGTERM until a step boundary; a second one interrupts at once."""

    def __init__(self) -> None:
        self.received: int | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _DeferredSignals:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._hold)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)

    def _hold(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None:
            raise Interrupted(f"interrupted by {signal.Signals(signum).name} (twice)")
        self.received = signum

    def check(self) -> None:
        if self.received is not None:
            name = signal.Signals(self.received).name
            raise Interrupted(f"interrupted by {name}")

    def explain(self, exc: BaseException) -> BaseException:
        """A step that failed while a signal was held failed because of it (Ctrl-C reaches
        the tool the step runs too): say so, instead of blaming the project."""
        if self.received is None or isinstance(exc, Interrupted):
            return exc
        return Interrupted(f"interrupted by {signal.Signals(self.received).name}")


@contextlib.contextmanager
def _signals_ignored() -> Iterator[None]:
    """While undoing, a second Ctrl-C must not leave the undo half done."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
    previous_term = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous_int)
        signal.signal(signal.SIGTERM, previous_term)
