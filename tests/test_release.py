"""The release core on real git repositories with a bare remote, driven as a user would.

Every test runs the real fronts (`invoke release ...` from the sample project, whose
tasks.py is `from releasekit.tasks import *`, and the `releasekit` command) in a
subprocess with stdin closed, exactly as CI or a user at a non-interactive shell would.
A refusal must leave the repository byte for byte as it was, remote included.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SampleRepo
from support.repostate import RepoState

from releasekit.demo import sample

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

BIN = Path(sys.executable).parent
TIMEOUT = 60.0
FRONTS = ("invoke", "releasekit")
INIT = "src/sample_pkg/__init__.py"
RELEASE_FILES = {"CHANGELOG.md", "pyproject.toml", INIT}


# -- helpers -----------------------------------------------------------------------------


def run(root: Path, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A front run as a user would: from the project folder, stdin closed, with a timeout."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [str(BIN / tool), *args],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def release(
    repo: SampleRepo, *args: str, front: str = "releasekit"
) -> subprocess.CompletedProcess[str]:
    return run(repo.root, front, "release", *args)


def snapshot(repo: SampleRepo) -> RepoState:
    """The repository as a user sees it, after git has refreshed its index stat cache."""
    repo.git("status", "--porcelain")
    return repo.state()


def assert_as_before(before: RepoState, repo: SampleRepo) -> None:
    """Files, HEAD, branch, staged content, local and remote refs exactly as before."""
    assert before.diff(repo.state()) == []


def today_dates() -> set[str]:
    """Today, or yesterday for a run that crossed midnight."""
    today = dt.date.today()
    return {today.isoformat(), (today - dt.timedelta(days=1)).isoformat()}


def assert_ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The error a user reads: non-zero exit, no traceback, first line `releasekit: error:`."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines, "nothing on stderr"
    assert lines[0].startswith("releasekit: error: "), result.stderr
    return lines


def assert_one_error(result: subprocess.CompletedProcess[str], cause: str, fix: str) -> str:
    """One line naming the cause, then (after '; ') the fix."""
    lines = error_lines(result)
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert re.search(re.escape(cause) + r".*; .*" + re.escape(fix), line), line
    return line


def file_text(repo: SampleRepo, path: str) -> str:
    return (repo.root / path).read_text(encoding="utf-8")


def project_version(repo: SampleRepo, table: str = "project") -> str:
    data = tomllib.loads(file_text(repo, "pyproject.toml"))
    section = data["project"] if table == "project" else data["tool"]["poetry"]
    return str(section["version"])


def dunder_version(repo: SampleRepo) -> str:
    match = re.search(r'^__version__ = "([^"]*)"$', file_text(repo, INIT), re.MULTILINE)
    assert match is not None
    return match[1]


def remote_ref(repo: SampleRepo, ref: str) -> str | None:
    result = subprocess.run(
        ["git", "rev-parse", "--verify", "-q", ref],
        cwd=repo.remote,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or None


def local_ref(repo: SampleRepo, ref: str) -> str | None:
    result = subprocess.run(
        ["git", "rev-parse", "--verify", "-q", ref],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or None


def commit_all(repo: SampleRepo, message: str) -> None:
    repo.git("add", "--all")
    repo.git("commit", "--quiet", "-m", message)


def add_unreleased_entry(repo: SampleRepo, entry: str) -> None:
    """What a maintainer does between releases: note a change under [Unreleased], commit."""
    path = repo.root / "CHANGELOG.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("## [Unreleased]\n", f"## [Unreleased]\n\n### Fixed\n\n- {entry}\n", 1)
    )
    commit_all(repo, f"Note: {entry}")


def other_clone(repo: SampleRepo, tmp_path: Path) -> Path:
    """A colleague's clone of the same remote."""
    sample.git(tmp_path, "clone", "--quiet", str(repo.remote), "other")
    return tmp_path / "other"


def section(changelog: str, version: str) -> str:
    """The body of `## [version] ...` up to the next heading or link block, by plain splitting."""
    after = re.split(r"^## \[" + re.escape(version) + r"\][^\n]*\n", changelog, flags=re.M)[1]
    body = re.split(r"^(?:## |\[[^\]]+\]: )", after, flags=re.M)[0]
    return body.strip("\n")


def assert_released(repo: SampleRepo, before: RepoState, version: str, old_changelog: str) -> None:
    """Files, one commit, an annotated tag with the notes, and both pushed."""
    tag = f"v{version}"
    changelog = file_text(repo, "CHANGELOG.md")
    heading = re.search(r"^## \[" + re.escape(version) + r"\] - (\S+)$", changelog, re.M)
    assert heading is not None, changelog
    assert heading[1] in today_dates()
    # [Unreleased] is kept, empty, directly above the new section, which holds the old entries.
    old_entries = section(old_changelog, "Unreleased")
    assert old_entries
    assert f"## [Unreleased]\n\n## [{version}] - {heading[1]}\n" in changelog
    assert section(changelog, version) == old_entries
    assert section(changelog, "Unreleased") == ""
    # Everything else of the old file is still there.
    previous = section(old_changelog, "1.3.0")
    assert section(changelog, "1.3.0") == previous
    assert changelog.startswith(old_changelog.split("## [Unreleased]")[0])

    head = local_ref(repo, "HEAD")
    assert local_ref(repo, "HEAD~1") == before.head.strip()
    assert repo.git("log", "-1", "--format=%B").strip() == f"chore(release): Bump version to {tag}"
    touched = repo.git("diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD").split()
    assert set(touched) == RELEASE_FILES
    assert repo.git("status", "--porcelain", "--untracked-files=no") == ""

    assert repo.git("cat-file", "-t", tag).strip() == "tag"
    assert local_ref(repo, f"{tag}^{{commit}}") == head
    message = repo.git("tag", "-l", "--format=%(contents)", tag)
    assert old_entries in message

    assert remote_ref(repo, "refs/heads/main") == head
    assert remote_ref(repo, f"refs/tags/{tag}") == local_ref(repo, f"refs/tags/{tag}")


# -- success -----------------------------------------------------------------------------


@pytest.mark.parametrize("front", FRONTS)
def test_release_minor_bumps_commits_tags_and_pushes(repo: SampleRepo, front: str) -> None:
    before = snapshot(repo)
    old_changelog = file_text(repo, "CHANGELOG.md")

    result = release(repo, "--part", "minor", "--yes", front=front)

    assert_ok(result)
    assert "Released sample-pkg 1.4.0 (tag v1.4.0)." in result.stdout
    assert project_version(repo) == "1.4.0"
    assert dunder_version(repo) == "1.4.0"
    assert_released(repo, before, "1.4.0", old_changelog)
    # Nothing else of the project moved.
    after = repo.state()
    unchanged = set(before.files) - RELEASE_FILES
    assert {path: after.files[path] for path in unchanged} == {
        path: before.files[path] for path in unchanged
    }


def test_poetry_version_moves_in_tool_poetry(poetry_repo: SampleRepo) -> None:
    before = snapshot(poetry_repo)
    old_changelog = file_text(poetry_repo, "CHANGELOG.md")

    assert_ok(release(poetry_repo, "--part", "minor", "--yes", front="invoke"))

    assert project_version(poetry_repo, "poetry") == "1.4.0"
    assert dunder_version(poetry_repo) == "1.4.0"
    assert_released(poetry_repo, before, "1.4.0", old_changelog)


def test_poetry_pre_releases_then_final(poetry_repo: SampleRepo) -> None:
    repo = poetry_repo

    def released(version: str) -> None:
        assert project_version(repo, "poetry") == version
        assert dunder_version(repo) == version
        assert re.search(rf"^## \[{re.escape(version)}\] - ", file_text(repo, "CHANGELOG.md"), re.M)
        assert repo.git("cat-file", "-t", f"v{version}").strip() == "tag"
        assert remote_ref(repo, f"refs/tags/v{version}") == local_ref(repo, f"refs/tags/v{version}")
        assert remote_ref(repo, "refs/heads/main") == local_ref(repo, "HEAD")

    result = release(repo, "--part", "minor", "--pre", "rc", "--yes")
    assert_ok(result)
    released("1.4.0rc1")
    assert "1.4.0-rc" not in file_text(repo, "pyproject.toml") + file_text(repo, "CHANGELOG.md")

    add_unreleased_entry(repo, "The greeting ends with a newline.")
    assert_ok(release(repo, "--part", "pre", "--yes", front="invoke"))
    released("1.4.0rc2")

    add_unreleased_entry(repo, "The greeting is polite.")
    assert_ok(release(repo, "--part", "release", "--yes"))
    released("1.4.0")
    tags = set(repo.git("tag", "--list").split())
    assert {"v1.3.0", "v1.4.0rc1", "v1.4.0rc2", "v1.4.0"} == tags


def test_source_date_epoch_pins_the_release_date(repo: SampleRepo) -> None:
    env_date = "2030-05-17"
    epoch = int(dt.datetime(2030, 5, 17, 12, tzinfo=dt.timezone.utc).timestamp())
    result = subprocess.run(
        [str(BIN / "releasekit"), "release", "--part", "patch", "--yes"],
        cwd=repo.root,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert_ok(result)
    assert f"## [1.3.1] - {env_date}\n" in file_text(repo, "CHANGELOG.md")


# -- dry run -----------------------------------------------------------------------------


@pytest.mark.parametrize("front", FRONTS)
def test_dry_run_prints_the_plan_and_changes_nothing(repo: SampleRepo, front: str) -> None:
    before = snapshot(repo)

    result = release(repo, "--part", "minor", "--dry-run", front=front)

    assert_ok(result)
    out = result.stdout
    for expected in (
        "Release sample-pkg 1.3.0 -> 1.4.0 (tag v1.4.0)",
        '-version = "1.3.0"',
        '+version = "1.4.0"',
        '-__version__ = "1.3.0"',
        '+__version__ = "1.4.0"',
        "+## [1.4.0] - ",
        "chore(release): Bump version to v1.4.0",
        "create annotated tag v1.4.0",
        "git push --atomic origin refs/heads/main refs/tags/v1.4.0",
        "nothing was changed",
    ):
        assert expected in out, out
    for path in RELEASE_FILES:
        assert f"+++ b/{path}" in out
    assert_as_before(before, repo)


def test_dry_run_with_a_problem_prints_plan_and_problem(repo: SampleRepo) -> None:
    (repo.root / "README.md").write_text("# sample-pkg\n\nEdited, not committed.\n")
    before = snapshot(repo)

    result = release(repo, "--part", "minor", "--dry-run")

    assert_one_error(result, "uncommitted changes in README.md", "commit or stash them")
    assert "Release sample-pkg 1.3.0 -> 1.4.0 (tag v1.4.0)" in result.stdout
    assert '+__version__ = "1.4.0"' in result.stdout
    assert "nothing was changed" not in result.stdout
    assert_as_before(before, repo)


# -- refusals before any write -----------------------------------------------------------

Setup = Callable[[SampleRepo, Path], None]


def _tag_on_remote_only(repo: SampleRepo, tmp_path: Path) -> None:
    other = other_clone(repo, tmp_path)
    sample.git(other, "tag", "-a", "v1.4.0", "-m", "released from another clone")
    sample.git(other, "push", "--quiet", "origin", "v1.4.0")
    assert local_ref(repo, "refs/tags/v1.4.0") is None


def _tag_local_only(repo: SampleRepo, tmp_path: Path) -> None:
    repo.git("tag", "-a", "v1.4.0", "-m", "a local tag")


def _modified_file(repo: SampleRepo, tmp_path: Path) -> None:
    (repo.root / "README.md").write_text("# sample-pkg\n\nEdited, not committed.\n")


def _staged_file(repo: SampleRepo, tmp_path: Path) -> None:
    (repo.root / "NOTES.md").write_text("staged, not committed\n")
    repo.git("add", "NOTES.md")


def _wrong_branch(repo: SampleRepo, tmp_path: Path) -> None:
    repo.git("switch", "--quiet", "-c", "feature")


def _detached(repo: SampleRepo, tmp_path: Path) -> None:
    repo.git("switch", "--quiet", "--detach")


def _behind(repo: SampleRepo, tmp_path: Path) -> None:
    other = other_clone(repo, tmp_path)
    (other / "README.md").write_text("# sample-pkg\n\nA colleague's change.\n")
    sample.git(other, "commit", "--quiet", "-am", "A colleague's change")
    sample.git(other, "push", "--quiet", "origin", "main")


def _diverged(repo: SampleRepo, tmp_path: Path) -> None:
    _behind(repo, tmp_path)
    (repo.root / "tasks.py").write_text("from releasekit.tasks import *  # noqa: F403\n\n")
    commit_all(repo, "A local change")


def _no_remote(repo: SampleRepo, tmp_path: Path) -> None:
    repo.git("remote", "remove", "origin")


def _unreachable(repo: SampleRepo, tmp_path: Path) -> None:
    repo.git("remote", "set-url", "origin", str(tmp_path / "missing" / "remote.git"))


def _rewrite_changelog(repo: SampleRepo, edit: Callable[[str], str]) -> None:
    path = repo.root / "CHANGELOG.md"
    path.write_text(edit(path.read_text()))
    commit_all(repo, "Edit the changelog")


def _empty_unreleased(repo: SampleRepo, tmp_path: Path) -> None:
    _rewrite_changelog(
        repo, lambda text: text.replace("### Added\n\n- A greeting that says hello.\n\n", "", 1)
    )


def _no_unreleased_section(repo: SampleRepo, tmp_path: Path) -> None:
    _rewrite_changelog(repo, lambda text: text.replace("## [Unreleased]\n", "", 1))


def _missing_changelog(repo: SampleRepo, tmp_path: Path) -> None:
    repo.git("rm", "--quiet", "CHANGELOG.md")
    repo.git("commit", "--quiet", "-m", "Drop the changelog")


def _versions_disagree(repo: SampleRepo, tmp_path: Path) -> None:
    path = repo.root / INIT
    path.write_text(path.read_text().replace('"1.3.0"', '"1.3.1"'))
    commit_all(repo, "Bump __version__ by hand")


def _malformed_pyproject(repo: SampleRepo, tmp_path: Path) -> None:
    path = repo.root / "pyproject.toml"
    path.write_text(path.read_text() + "\n[tool.releasekit\nbranch = 'main'\n")
    commit_all(repo, "Break pyproject.toml")


REFUSALS: list[tuple[str, Setup, str, str]] = [
    (
        "tag-on-remote",
        _tag_on_remote_only,
        "tag v1.4.0 already exists on origin",
        "another version",
    ),
    ("tag-local", _tag_local_only, "tag v1.4.0 already exists locally", "git tag -d v1.4.0"),
    ("modified", _modified_file, "uncommitted changes in README.md", "commit or stash them"),
    ("staged", _staged_file, "uncommitted changes in NOTES.md", "allow-dirty"),
    ("branch", _wrong_branch, "on branch feature, releases are made from main", "git switch main"),
    ("detached", _detached, "HEAD is detached", "check out main"),
    ("behind", _behind, "main is behind or has diverged from origin/main", "git pull origin main"),
    ("diverged", _diverged, "main is behind or has diverged from origin/main", "git pull"),
    ("no-remote", _no_remote, "no remote named origin", "--no-push"),
    ("unreachable", _unreachable, "cannot reach remote origin", "or use --no-push"),
    ("empty", _empty_unreleased, "has nothing under [Unreleased]", "--allow-empty-changelog"),
    ("no-section", _no_unreleased_section, "has no '## [Unreleased]' section", "add one"),
    ("no-changelog", _missing_changelog, "CHANGELOG.md does not exist", "## [Unreleased]"),
    (
        "disagree",
        _versions_disagree,
        "version locations disagree: pyproject.toml [project].version = 1.3.0, "
        f"{INIT} __version__ = 1.3.1",
        "make them agree",
    ),
    ("toml", _malformed_pyproject, "pyproject.toml is not valid TOML", "fix the file"),
]


@pytest.mark.parametrize("front", FRONTS)
@pytest.mark.parametrize(
    ("setup", "cause", "fix"),
    [pytest.param(*case[1:], id=case[0]) for case in REFUSALS],
)
def test_refused_before_any_write(
    repo: SampleRepo, tmp_path: Path, front: str, setup: Setup, cause: str, fix: str
) -> None:
    setup(repo, tmp_path)
    before = snapshot(repo)

    result = release(repo, "--part", "minor", "--yes", front=front)

    assert_one_error(result, cause, fix)
    assert_as_before(before, repo)


def test_unreachable_remote_names_the_reason(repo: SampleRepo, tmp_path: Path) -> None:
    _unreachable(repo, tmp_path)
    line = assert_one_error(
        release(repo, "--part", "minor", "--yes"), "cannot reach remote origin", "--no-push"
    )
    assert "does not appear to be a git repository" in line


@pytest.mark.parametrize(
    ("new_version", "cause", "fix"),
    [
        ("1.4.0-SNAPSHOT", "'1.4.0-SNAPSHOT' is not a valid PEP 440 version", "1.4.0rc1"),
        ("1.2.0", "1.2.0 is lower than the current version 1.3.0", "choose a higher one"),
        ("1.3.0", "1.3.0 is the current version", "choose a higher version"),
        ("1.4.0+x", "1.4.0+x has a local part", "drop the +... suffix"),
    ],
)
def test_invalid_new_version_is_refused(
    repo: SampleRepo, new_version: str, cause: str, fix: str
) -> None:
    before = snapshot(repo)
    for front in FRONTS:
        result = release(repo, "--new-version", new_version, "--yes", front=front)
        assert_one_error(result, cause, fix)
        assert_as_before(before, repo)


def test_new_version_releases_that_version(repo: SampleRepo) -> None:
    before = snapshot(repo)
    old_changelog = file_text(repo, "CHANGELOG.md")
    assert_ok(release(repo, "--new-version", "2.0.0b1", "--yes"))
    assert project_version(repo) == dunder_version(repo) == "2.0.0b1"
    assert_released(repo, before, "2.0.0b1", old_changelog)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only files")
def test_read_only_version_file_is_refused(repo: SampleRepo) -> None:
    path = repo.root / INIT
    path.chmod(0o444)
    before = snapshot(repo)
    try:
        result = release(repo, "--part", "minor", "--yes")
        assert_one_error(result, f"{INIT} is read-only", "chmod u+w")
        assert_as_before(before, repo)
    finally:
        path.chmod(0o644)


def test_several_problems_are_reported_in_one_run(repo: SampleRepo, tmp_path: Path) -> None:
    _modified_file(repo, tmp_path)
    _wrong_branch(repo, tmp_path)
    _tag_local_only(repo, tmp_path)
    before = snapshot(repo)

    result = release(repo, "--part", "minor", "--yes", front="invoke")

    lines = error_lines(result)
    assert lines[0] == "releasekit: error: release blocked by 3 problems:"
    problems = sorted(line.strip() for line in lines[1:])
    assert len(problems) == 3, result.stderr
    assert all(line.startswith("- ") for line in problems)
    text = "\n".join(problems)
    assert "on branch feature, releases are made from main" in text
    assert "uncommitted changes in README.md" in text
    assert "tag v1.4.0 already exists locally" in text
    assert_as_before(before, repo)


def test_allow_dirty_globs_let_listed_changes_through(repo: SampleRepo) -> None:
    path = repo.root / "pyproject.toml"
    path.write_text(path.read_text() + '\n[tool.releasekit]\nallow-dirty = ["README*", "docs/*"]\n')
    commit_all(repo, "Allow a dirty README")
    repo.git("push", "--quiet", "origin", "main")
    edited = "# sample-pkg\n\nWork in progress, not part of the release.\n"
    (repo.root / "README.md").write_text(edited)

    assert_ok(release(repo, "--part", "minor", "--yes"))

    assert project_version(repo) == "1.4.0"
    assert file_text(repo, "README.md") == edited
    touched = repo.git("diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD").split()
    assert set(touched) == RELEASE_FILES
    assert repo.git("status", "--porcelain", "--untracked-files=no") == " M README.md\n"
    # A dirty file the globs do not cover is still refused.
    (repo.root / "tasks.py").write_text("# edited\n")
    dirty_tasks = snapshot(repo)
    result = release(repo, "--part", "patch", "--allow-empty-changelog", "--yes")
    assert_one_error(result, "uncommitted changes in tasks.py", "allow-dirty")
    assert_as_before(dirty_tasks, repo)


# -- failures while applying, rolled back ------------------------------------------------


def _install_hook(git_dir: Path, name: str, body: str) -> None:
    hook = git_dir / "hooks" / name
    hook.write_text("#!/bin/sh\n" + body)
    hook.chmod(0o755)


def test_push_rejected_by_the_remote_is_rolled_back(repo: SampleRepo) -> None:
    _install_hook(repo.remote, "pre-receive", 'echo "push refused by policy" >&2\nexit 1\n')
    before = snapshot(repo)

    result = release(repo, "--part", "minor", "--yes")

    lines = error_lines(result)
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert "git push --atomic origin" in line and "failed" in line
    undone = line.partition("undone: ")[2]
    for item in ("removed tag v1.4.0", "removed commit", *(f"restored {p}" for p in RELEASE_FILES)):
        assert item in undone, line
    assert_as_before(before, repo)
    assert local_ref(repo, "refs/tags/v1.4.0") is None


def test_push_rejected_names_the_remote_reason(repo: SampleRepo) -> None:
    _install_hook(repo.remote, "pre-receive", 'echo "push refused by policy" >&2\nexit 1\n')
    line = error_lines(release(repo, "--part", "minor", "--yes"))[0]
    assert "push refused by policy" in line or "pre-receive hook declined" in line


@pytest.mark.parametrize("where", ["push", "commit"])
def test_apply_failure_says_how_to_go_on(repo: SampleRepo, where: str) -> None:
    if where == "push":
        _install_hook(repo.remote, "pre-receive", "exit 1\n")
    else:
        _install_hook(repo.root / ".git", "pre-commit", "exit 1\n")
    line = error_lines(release(repo, "--part", "minor", "--yes"))[0]
    assert "undone: " in line
    assert "; " in line.rpartition("undone: ")[2], line


@pytest.mark.parametrize("front", FRONTS)
def test_failing_pre_commit_hook_is_rolled_back(repo: SampleRepo, front: str) -> None:
    _install_hook(repo.root / ".git", "pre-commit", 'echo "lint failed: tabs" >&2\nexit 1\n')
    before = snapshot(repo)

    result = release(repo, "--part", "minor", "--yes", front=front)

    line = error_lines(result)
    assert len(line) == 1, result.stderr
    assert "commit" in line[0] and "lint failed: tabs" in line[0]
    for path in RELEASE_FILES:
        assert f"restored {path}" in line[0]
    assert_as_before(before, repo)


def _start_release_held_by_hook(repo: SampleRepo) -> subprocess.Popen[str]:
    """A release whose pre-commit hook signals it started, then waits: time to send SIGTERM."""
    marker = repo.root / ".git" / "hook-started"
    _install_hook(repo.root / ".git", "pre-commit", f'touch "{marker}"\nexec sleep 5\n')
    process = subprocess.Popen(
        [str(BIN / "releasekit"), "release", "--part", "minor", "--yes"],
        cwd=repo.root,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the pre-commit hook never started"
        time.sleep(0.02)
    return process


def _terminate(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    process.send_signal(signal.SIGTERM)
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:  # pragma: no cover - a hung release fails the test
        process.kill()
        process.communicate()
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_sigterm_during_the_commit_rolls_back(repo: SampleRepo) -> None:
    before = snapshot(repo)
    process = _start_release_held_by_hook(repo)

    result = _terminate(process)

    lines = error_lines(result)
    assert len(lines) == 1, result.stderr
    assert "interrupted by SIGTERM" in lines[0]
    for path in RELEASE_FILES:
        assert f"restored {path}" in lines[0]
    (repo.root / ".git" / "hook-started").unlink()
    assert_as_before(before, repo)


def test_sigterm_leaves_the_repository_usable(repo: SampleRepo) -> None:
    process = _start_release_held_by_hook(repo)
    error_lines(_terminate(process))
    (repo.root / ".git" / "hooks" / "pre-commit").unlink()

    assert not (repo.root / ".git" / "index.lock").exists()
    assert_ok(release(repo, "--part", "minor", "--yes"))


# -- resume ------------------------------------------------------------------------------


def test_release_without_push_is_finished_by_the_next_run(repo: SampleRepo) -> None:
    remote_before = repo.state().remote_refs

    assert_ok(release(repo, "--part", "minor", "--no-push", "--yes"))
    head = local_ref(repo, "HEAD")
    assert project_version(repo) == "1.4.0"
    assert repo.git("cat-file", "-t", "v1.4.0").strip() == "tag"
    assert repo.state().remote_refs == remote_before

    result = release(repo, "--part", "minor", "--yes", front="invoke")
    assert_ok(result)
    assert "Released sample-pkg 1.4.0 (tag v1.4.0)." in result.stdout
    assert "1.5.0" not in result.stdout
    assert local_ref(repo, "HEAD") == head
    assert project_version(repo) == dunder_version(repo) == "1.4.0"
    assert "## [1.5.0]" not in file_text(repo, "CHANGELOG.md")
    assert remote_ref(repo, "refs/heads/main") == head
    assert remote_ref(repo, "refs/tags/v1.4.0") == local_ref(repo, "refs/tags/v1.4.0")

    before = snapshot(repo)
    result = release(repo, "--yes")
    assert_ok(result)
    assert "Nothing to do" in result.stdout
    assert_as_before(before, repo)


def test_rerun_of_a_complete_release_has_nothing_to_do(repo: SampleRepo) -> None:
    assert_ok(release(repo, "--part", "minor", "--no-push", "--yes"))
    assert_ok(release(repo, "--part", "minor", "--yes"))
    before = snapshot(repo)

    result = release(repo, "--part", "minor", "--yes")

    assert_ok(result)
    assert "Nothing to do" in result.stdout
    assert_as_before(before, repo)


def test_resume_pushes_only_the_missing_tag(repo: SampleRepo) -> None:
    assert_ok(release(repo, "--part", "minor", "--no-push", "--yes"))
    repo.git("push", "--quiet", "origin", "main")  # the branch went out by hand, not the tag

    dry = release(repo, "--part", "minor", "--dry-run")
    assert_ok(dry)
    assert "git push --atomic origin refs/tags/v1.4.0" in dry.stdout
    assert "refs/heads/main" not in dry.stdout

    assert_ok(release(repo, "--part", "minor", "--yes"))
    assert remote_ref(repo, "refs/tags/v1.4.0") == local_ref(repo, "refs/tags/v1.4.0")


# -- lock --------------------------------------------------------------------------------


def test_release_refused_while_another_holds_the_lock(repo: SampleRepo) -> None:
    lock = repo.root / ".git" / "releasekit.lock"
    lock.write_text(str(os.getpid()))
    before = snapshot(repo)

    result = release(repo, "--part", "minor", "--yes")

    assert_one_error(
        result, f"another release is running in this repository (pid {os.getpid()})", "wait"
    )
    assert_as_before(before, repo)
    assert lock.read_text() == str(os.getpid())


def test_stale_lock_is_taken_over(repo: SampleRepo) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    lock = repo.root / ".git" / "releasekit.lock"
    lock.write_text(finished.stdout.strip())

    assert_ok(release(repo, "--part", "minor", "--yes"))

    assert remote_ref(repo, "refs/tags/v1.4.0") is not None
    assert not lock.exists()


# -- notes, bump, changelog --------------------------------------------------------------


@pytest.mark.parametrize("front", FRONTS)
def test_notes_print_the_current_versions_section(repo: SampleRepo, front: str) -> None:
    before = run(repo.root, front, "notes")
    assert_ok(before)
    assert before.stdout.strip() == section(file_text(repo, "CHANGELOG.md"), "1.3.0")

    assert_ok(release(repo, "--part", "minor", "--yes"))

    after = run(repo.root, front, "notes")
    assert_ok(after)
    expected = section(file_text(repo, "CHANGELOG.md"), "1.4.0")
    assert "A greeting that says hello." in expected
    assert after.stdout.strip() == expected
    assert expected in repo.git("tag", "-l", "--format=%(contents)", "v1.4.0")


def test_notes_of_an_unknown_version_is_an_error(repo: SampleRepo) -> None:
    result = run(repo.root, "releasekit", "notes", "--version", "9.9.9")
    assert_one_error(result, "CHANGELOG.md has no section for 9.9.9", "## [9.9.9]")


@pytest.mark.parametrize("front", FRONTS)
def test_bump_changes_only_the_version_files(repo: SampleRepo, front: str) -> None:
    before = snapshot(repo)

    result = run(repo.root, front, "bump", "--part", "patch")

    assert_ok(result)
    assert before.diff(snapshot(repo)) == [
        "file pyproject.toml changed",
        f"file {INIT} changed",
    ]
    assert project_version(repo) == dunder_version(repo) == "1.3.1"


@pytest.mark.parametrize("front", FRONTS)
def test_changelog_changes_only_the_changelog(repo: SampleRepo, front: str) -> None:
    before = snapshot(repo)
    old = file_text(repo, "CHANGELOG.md")

    result = run(repo.root, front, "changelog", "--part", "minor")

    assert_ok(result)
    assert before.diff(snapshot(repo)) == ["file CHANGELOG.md changed"]
    new = file_text(repo, "CHANGELOG.md")
    assert section(new, "1.4.0") == section(old, "Unreleased")
    assert section(new, "Unreleased") == ""
    assert project_version(repo) == "1.3.0"
