"""`invoke release` / `releasekit release` meeting a repository it must not release from,
or failing while it applies: refused or undone, the repository exactly as before."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support.servers import closed_port

from faults.faultkit import Scenario, tool
from faults.worlds import INIT, Repo, install_hook, other_clone, world

Setup = Callable[[Repo, Path], None]


def _commit_all(repo: Repo, message: str) -> None:
    repo.git("commit", "--quiet", "-am", message)


def dirty_tree(repo: Repo, base: Path) -> None:
    readme = repo.root / "README.md"
    readme.write_text(readme.read_text() + "\nWork in progress.\n")


def wrong_branch(repo: Repo, base: Path) -> None:
    repo.git("switch", "--quiet", "-c", "feature")


def detached_head(repo: Repo, base: Path) -> None:
    repo.git("checkout", "--quiet", "--detach")


def behind_remote(repo: Repo, base: Path) -> None:
    colleague = other_clone(repo, base)
    (colleague.root / "NOTES.md").write_text("A colleague's change.\n")
    colleague.git("add", "NOTES.md")
    colleague.git("commit", "--quiet", "-m", "Colleague's change")
    colleague.git("push", "--quiet", "origin", "main")


def tag_exists_locally(repo: Repo, base: Path) -> None:
    repo.git("tag", "v1.4.0")


def tag_only_on_remote(repo: Repo, base: Path) -> None:
    colleague = other_clone(repo, base)
    colleague.git("tag", "-a", "v1.4.0", "-m", "released elsewhere")
    colleague.git("push", "--quiet", "origin", "v1.4.0")


def remote_unreachable(repo: Repo, base: Path) -> None:
    repo.git("remote", "set-url", "origin", f"http://127.0.0.1:{closed_port()}/sample.git")


def changelog_missing(repo: Repo, base: Path) -> None:
    repo.git("rm", "--quiet", "CHANGELOG.md")
    repo.git("commit", "--quiet", "-m", "Drop the changelog")


def _edit_changelog(repo: Repo, old: str, new: str) -> None:
    path = repo.root / "CHANGELOG.md"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    _commit_all(repo, "Edit the changelog")


def changelog_without_unreleased(repo: Repo, base: Path) -> None:
    _edit_changelog(repo, "## [Unreleased]\n", "")


def changelog_empty_unreleased(repo: Repo, base: Path) -> None:
    _edit_changelog(repo, "### Added\n\n- A greeting that says hello.\n\n", "")


def changelog_not_utf8(repo: Repo, base: Path) -> None:
    path = repo.root / "CHANGELOG.md"
    path.write_bytes(path.read_bytes().replace(b"says hello", b"says h\xe9llo (cp1252)"))
    _commit_all(repo, "Changelog saved by an old editor")


def versions_disagree(repo: Repo, base: Path) -> None:
    path = repo.root / INIT
    path.write_text(path.read_text().replace('"1.3.0"', '"1.3.1"'))
    _commit_all(repo, "Bump one place only")


def malformed_pyproject(repo: Repo, base: Path) -> None:
    path = repo.root / "pyproject.toml"
    path.write_text(path.read_text().replace('version = "1.3.0"', 'version = "1.3.0'))
    _commit_all(repo, "A typo")


def nothing(repo: Repo, base: Path) -> None:
    return None


REFUSALS: list[tuple[str, Setup, tuple[str, ...], str, str]] = [
    ("dirty-tree", dirty_tree, (), r"uncommitted changes in README\.md", r"commit or stash"),
    ("wrong-branch", wrong_branch, (), r"on branch feature", r"git switch main"),
    ("detached-head", detached_head, (), r"HEAD is detached", r"check out main"),
    ("behind-remote", behind_remote, (), r"behind or has diverged", r"git pull origin main"),
    ("tag-exists-locally", tag_exists_locally, (), r"v1\.4\.0 already exists locally", r"tag -d"),
    ("tag-only-on-remote", tag_only_on_remote, (), r"v1\.4\.0 already exists on origin", r"choose"),
    ("remote-unreachable", remote_unreachable, (), r"cannot reach remote origin", r"network"),
    ("changelog-missing", changelog_missing, (), r"CHANGELOG\.md does not exist", r"create it"),
    (
        "changelog-without-unreleased",
        changelog_without_unreleased,
        (),
        r"no '## \[Unreleased\]' section",
        r"add one",
    ),
    (
        "changelog-empty-unreleased",
        changelog_empty_unreleased,
        (),
        r"nothing under \[Unreleased\]",
        r"allow-empty-changelog",
    ),
    ("changelog-not-utf8", changelog_not_utf8, (), r"CHANGELOG\.md is not UTF-8", r"UTF-8"),
    ("versions-disagree", versions_disagree, (), r"version locations disagree", r"agree"),
    ("malformed-pyproject", malformed_pyproject, (), r"not valid TOML", r"fix"),
    ("new-version-invalid", nothing, ("--new-version", "banana"), r"not a valid PEP 440", r"1\.4"),
    ("new-version-lower", nothing, ("--new-version", "1.2.0"), r"lower than", r"higher"),
    ("new-version-same", nothing, ("--new-version", "1.3.0"), r"is the current version", r"higher"),
    ("new-version-local", nothing, ("--new-version", "1.4.0+abc"), r"local part", r"drop"),
]


@pytest.mark.parametrize(
    ("setup", "args", "cause", "fix"),
    [pytest.param(*case[1:], id=case[0]) for case in REFUSALS],
)
def test_release_refused_before_any_change(
    scenario: Scenario,
    repo: Repo,
    tmp_path: Path,
    setup: Setup,
    args: tuple[str, ...],
    cause: str,
    fix: str,
) -> None:
    setup(repo, tmp_path)
    before = world(repo)
    front = "invoke" if len(cause) % 2 else "releasekit"  # both fronts, spread over the cases
    extra = args or ("--part", "minor")
    outcome = scenario.run([tool(front), "release", *extra, "--yes"], cwd=repo.root)
    scenario.refused(outcome, cause=cause, fix=fix)
    scenario.unchanged(before, world(repo))


# -- failures while applying: undone -----------------------------------------------------------


def test_push_rejected_by_a_pre_receive_hook_is_undone(scenario: Scenario, repo: Repo) -> None:
    install_hook(repo.remote, "pre-receive", 'echo "push refused by policy" >&2\nexit 1\n')
    before = world(repo)
    outcome = scenario.releasekit(repo.root, "release", "--part", "minor", "--yes")
    line = scenario.refused(outcome, cause=r"git push .*failed", fix=r"undone: .*removed tag v1\.4")
    assert "COULD NOT UNDO" not in line
    scenario.unchanged(before, world(repo))


def test_push_rejected_because_the_remote_moved_on_is_undone_then_rerun(
    scenario: Scenario, repo: Repo, tmp_path: Path
) -> None:
    """A colleague pushes while the release runs (between its commit and its push)."""
    colleague = other_clone(repo, tmp_path)
    (colleague.root / "NOTES.md").write_text("Pushed while the release ran.\n")
    colleague.git("add", "NOTES.md")
    colleague.git("commit", "--quiet", "-m", "Colleague's change")
    push = f'env -u GIT_DIR -u GIT_INDEX_FILE -u GIT_WORK_TREE git -C "{colleague.root}"'
    install_hook(repo.root / ".git", "post-commit", f"{push} push --quiet origin main\n")
    before = world(repo)

    outcome = scenario.invoke(repo.root, "release", "--part", "minor", "--yes")

    scenario.refused(outcome, cause=r"git push .*failed", fix=r"undone: .*removed commit")
    after = world(repo)
    assert repo.ref("refs/heads/main", remote=True) == colleague.ref("HEAD")
    assert repo.ref("refs/tags/v1.4.0", remote=True) is None
    changes = [c for c in before.diff(after) if c != "remote_refs changed"]
    scenario.data_lost(changes)
    assert changes == []

    (repo.root / ".git" / "hooks" / "post-commit").unlink()
    repo.git("pull", "--quiet", "--ff-only", "origin", "main")
    scenario.finished(scenario.invoke(repo.root, "release", "--part", "minor", "--yes"))
    scenario.released(repo, "1.4.0")


def _read_only(path: Path) -> tuple[dict[str, object], Callable[[], None]]:
    """Make `path` read-only for whoever runs the test: chmod for a user; for root (whom
    file modes do not stop) the immutable attribute when the file system has it, else
    the driver makes os.access honour the mode bits, as it does for any other user."""
    path.chmod(0o444)

    def restore() -> None:
        path.chmod(0o644)

    if os.geteuid() != 0:
        return {}, restore
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if made.returncode == 0:

        def undo() -> None:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)
            restore()

        return {}, undo
    return {"honour_modes": True}, restore


def test_read_only_version_file_is_refused(scenario: Scenario, repo: Repo) -> None:
    spec, undo = _read_only(repo.root / INIT)
    try:
        before = world(repo)
        outcome = scenario.inject(repo.root, spec, "release", "--part", "minor", "--yes")
        scenario.refused(outcome, cause=rf"{INIT} is read-only", fix=r"make it writable")
        scenario.unchanged(before, world(repo))
    finally:
        undo()


@pytest.mark.parametrize("nth", [1, 3], ids=["first-file", "last-file"])
def test_disk_full_while_writing_is_undone(scenario: Scenario, repo: Repo, nth: int) -> None:
    before = world(repo)
    spec = {"enospc_on_write": nth}
    outcome = scenario.inject(repo.root, spec, "release", "--part", "minor", "--yes")
    line = scenario.refused(outcome, cause=r"No space left on device", fix=r"undone|nothing")
    assert "COULD NOT UNDO" not in line
    scenario.unchanged(before, world(repo))


def test_disk_that_stays_full_is_still_undone(scenario: Scenario, repo: Repo) -> None:
    """The second write fails and so does every later one, the undo's included."""
    before = world(repo)
    spec = {"enospc_on_write": 2, "enospc_sticky": True}
    outcome = scenario.inject(repo.root, spec, "release", "--part", "minor", "--yes")
    scenario.refused(outcome, cause=r"No space left on device", fix=r"undone|nothing")
    scenario.unchanged(before, world(repo))


def test_disk_full_when_taking_the_lock_is_refused(scenario: Scenario, repo: Repo) -> None:
    before = world(repo)
    spec = {"enospc_on_lock": True}
    outcome = scenario.inject(repo.root, spec, "release", "--part", "minor", "--yes")
    scenario.refused(outcome, cause=r"No space left on device", fix=r"free|space|disk")
    scenario.unchanged(before, world(repo))


# -- two releases at once --------------------------------------------------------------------


def test_second_release_started_meanwhile_stops_cleanly(
    scenario: Scenario, repo: Repo, tmp_path: Path
) -> None:
    started, go = tmp_path / "first-started", tmp_path / "let-first-go"
    install_hook(
        repo.root / ".git",
        "pre-commit",
        f'touch "{started}"\ni=0\nwhile [ ! -f "{go}" ] && [ $i -lt 600 ]; do\n'
        "  sleep 0.05; i=$((i+1))\ndone\n",
    )
    first = scenario.start(
        [tool("releasekit"), "release", "--part", "minor", "--yes"], cwd=repo.root
    )
    deadline = time.monotonic() + 30
    while not started.exists():
        assert first.process.poll() is None, first.wait()
        assert time.monotonic() < deadline, "the first release never reached its commit"
        time.sleep(0.02)

    second = scenario.invoke(repo.root, "release", "--part", "minor", "--yes")
    go.touch()
    done = first.wait()

    scenario.refused(second, cause=r"another release is running", fix=r"wait for it")
    scenario.finished(done)
    scenario.released(repo, "1.4.0")
    assert repo.ref("refs/tags/v1.5.0") is None
    assert repo.ref("refs/tags/v1.5.0", remote=True) is None
