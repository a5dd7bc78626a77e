"""The pure planning core: current and next version, file edits, git problems, dry-run text."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from packaging.version import Version

from releasekit.core.config import Config
from releasekit.core.plan import (
    Build,
    Commit,
    GitHubRelease,
    Options,
    Plan,
    Publish,
    Push,
    Tag,
    WriteFile,
    current_version,
    edits,
    latest_tag_version,
    next_version,
)
from releasekit.core.preflight import git_problems
from releasekit.core.snapshot import GitState, Project, RemoteState
from releasekit.core.sources import Location, Sources
from releasekit.errors import ChangelogError, GitError, ReleaseError, VersionError

PYPROJECT = '[project]\r\nname = "sample-pkg"\r\nversion = "1.3.0"  # keep\r\n'
INIT = '"""Sample."""\n\n__version__ = "1.3.0"\n'
CHANGELOG = """\
# Changelog

## [Unreleased]

- A greeting.

## [1.3.0] - 2026-01-15

- First.

[Unreleased]: https://x.test/compare/v1.3.0...HEAD
[1.3.0]: https://x.test/releases/tag/v1.3.0
"""

LOCATIONS = (
    Location("pyproject.toml", "project", "1.3.0"),
    Location("src/sample_pkg/__init__.py", "dunder", "1.3.0"),
)


def make_project(
    locations: tuple[Location, ...] = LOCATIONS,
    files: dict[str, str] | None = None,
    *,
    tag_only: bool = False,
    config: Config | None = None,
    unwritable: tuple[str, ...] = (),
) -> Project:
    texts = (
        {"pyproject.toml": PYPROJECT, "src/sample_pkg/__init__.py": INIT, "CHANGELOG.md": CHANGELOG}
        if files is None
        else files
    )
    return Project(
        root=Path("/nonexistent"),
        config=config or Config(),
        sources=Sources("sample-pkg", locations, tag_only),
        files={path: text.encode("utf-8") for path, text in texts.items()},
        unwritable=unwritable,
    )


def clean_git(**changes: object) -> GitState:
    """A repository ready to release from: on main, clean, in sync with its remote."""
    state = GitState(
        head="a" * 40,
        branch="main",
        changed=(),
        tracked=frozenset({"pyproject.toml", "src/sample_pkg/__init__.py", "CHANGELOG.md"}),
        remote_url="https://x.test/sample.git",
        remote=RemoteState(branch_sha="b" * 40),
        local_tag=None,
        head_in_remote=True,
    )
    return dataclasses.replace(state, **changes)  # type: ignore[arg-type]


PATHS = ("CHANGELOG.md", "pyproject.toml", "src/sample_pkg/__init__.py")


def problems_of(git: GitState, project: Project | None = None, push: bool = True) -> list[str]:
    found = git_problems(git, project or make_project(), "v1.4.0", PATHS, push)
    for problem in found:
        assert isinstance(problem, ReleaseError)
        assert "\n" not in str(problem) and problem.fix
    return [str(problem) for problem in found]


# --- current_version -------------------------------------------------------------------------


def test_current_version_when_locations_agree() -> None:
    assert current_version(make_project(), ["v9.9.9"]) == Version("1.3.0")


def test_locations_written_differently_but_equal_agree() -> None:
    locations = (
        Location("pyproject.toml", "project", "1.4.0rc1"),
        Location("src/sample_pkg/__init__.py", "dunder", "1.4.0-rc.1"),
    )
    assert current_version(make_project(locations), []) == Version("1.4.0rc1")


def test_disagreeing_locations_name_every_file_and_value() -> None:
    locations = (
        Location("pyproject.toml", "project", "1.3.0"),
        Location("src/sample_pkg/__init__.py", "dunder", "1.2.0"),
        Location("uv.lock", "uvlock", "1.3.0", "sample-pkg"),
    )
    with pytest.raises(VersionError) as caught:
        current_version(make_project(locations), [])
    message = str(caught.value)
    assert "version locations disagree" in message
    assert "pyproject.toml [project].version = 1.3.0" in message
    assert "src/sample_pkg/__init__.py __version__ = 1.2.0" in message
    assert "uv.lock the project's own entry = 1.3.0" in message
    assert "\n" not in message and caught.value.fix


def test_unreadable_location_names_the_file() -> None:
    locations = (Location("README.md", "file", "(not found)"),)
    with pytest.raises(VersionError) as caught:
        current_version(make_project(locations), [])
    message = str(caught.value)
    assert "README.md '{version}' holds '(not found)', not a PEP 440 version" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("tags", "tag_format", "expected"),
    [
        (["v1.2.0", "v1.10.0", "v1.9.0"], "v{version}", "1.10.0"),
        (["v1.4.0rc1", "v1.3.0"], "v{version}", "1.4.0rc1"),
        (["v1.3.0", "v1.3.1-test", "latest", "v"], "v{version}", "1.3.0"),
        (["release-2.0.0", "v3.0.0"], "release-{version}", "2.0.0"),
        (["pkg-1.0.0-final", "pkg-2.0.0"], "pkg-{version}-final", "1.0.0"),
    ],
)
def test_vcs_versioned_project_reads_the_latest_release_tag(
    tags: list[str], tag_format: str, expected: str
) -> None:
    project = make_project((), tag_only=True, config=Config(tag_format=tag_format))
    assert current_version(project, tags) == Version(expected)


@pytest.mark.parametrize("tags", [[], ["other"]])
def test_vcs_versioned_project_without_a_release_tag_is_never_guessed(tags: list[str]) -> None:
    project = make_project((), tag_only=True, config=Config())
    with pytest.raises(VersionError, match="no release tag yet"):
        current_version(project, tags)
    assert current_version(project, tags, first=True) == Version("0.0.0")


def test_latest_tag_version_is_none_without_matching_tags() -> None:
    assert latest_tag_version(["x1", "v-not"], "v{version}") is None


# --- next_version ----------------------------------------------------------------------------


def test_next_version_by_part_and_by_explicit_version() -> None:
    current = Version("1.3.0")
    assert next_version(current, Options(part="minor", pre="rc")) == Version("1.4.0rc1")
    assert str(next_version(current, Options(new_version="1.4.0-rc.1"))) == "1.4.0rc1"


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (Options(), "no version change asked for"),
        (Options(new_version="1.4.0", part="minor"), "--new-version excludes --part and --pre"),
        (Options(new_version="1.4.0", pre="rc"), "--new-version excludes --part and --pre"),
        (Options(new_version="1.2.0"), "lower than the current version"),
        (Options(part="release"), "already a final release"),
    ],
)
def test_next_version_refusals(options: Options, words: str) -> None:
    with pytest.raises(VersionError) as caught:
        next_version(Version("1.3.0"), options)
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


# --- edits -----------------------------------------------------------------------------------


def test_edits_write_every_location_and_the_changelog() -> None:
    project = make_project()
    writes, problems = edits(project, "1.4.0", date="2026-02-01", tag="v1.4.0", allow_empty=False)
    assert problems == []
    assert [w.path for w in writes] == list(PATHS)
    by_path = {w.path: w for w in writes}
    for path, write in by_path.items():
        assert write.before == project.files[path]
    assert by_path["pyproject.toml"].after == PYPROJECT.replace("1.3.0", "1.4.0").encode()
    assert by_path["src/sample_pkg/__init__.py"].after == INIT.replace("1.3.0", "1.4.0").encode()
    changelog = by_path["CHANGELOG.md"].after.decode()
    assert "## [Unreleased]\n\n## [1.4.0] - 2026-02-01\n\n- A greeting.\n" in changelog
    assert "[Unreleased]: https://x.test/compare/v1.4.0...HEAD\n" in changelog
    assert "[1.4.0]: https://x.test/compare/v1.3.0...v1.4.0\n" in changelog


def test_edits_use_the_configured_changelog_path() -> None:
    files = {"pyproject.toml": PYPROJECT, "docs/CHANGES.md": CHANGELOG}
    project = make_project(LOCATIONS[:1], files, config=Config(changelog="docs/CHANGES.md"))
    writes, problems = edits(project, "1.4.0", date="2026-02-01", tag="v1.4.0", allow_empty=False)
    assert problems == []
    assert [w.path for w in writes] == ["docs/CHANGES.md", "pyproject.toml"]


def test_missing_changelog_is_a_problem_but_versions_are_still_planned() -> None:
    files = {"pyproject.toml": PYPROJECT, "src/sample_pkg/__init__.py": INIT}
    writes, problems = edits(
        make_project(files=files), "1.4.0", date="2026-02-01", tag="v1.4.0", allow_empty=False
    )
    assert [w.path for w in writes] == ["pyproject.toml", "src/sample_pkg/__init__.py"]
    assert len(problems) == 1 and isinstance(problems[0], ChangelogError)
    assert "CHANGELOG.md does not exist" in str(problems[0])


def test_empty_unreleased_is_a_problem_unless_allowed() -> None:
    empty = CHANGELOG.replace("- A greeting.\n\n", "")
    files = {"pyproject.toml": PYPROJECT, "CHANGELOG.md": empty}
    project = make_project(LOCATIONS[:1], files)
    writes, problems = edits(project, "1.4.0", date="2026-02-01", tag="v1.4.0", allow_empty=False)
    assert [w.path for w in writes] == ["pyproject.toml"]
    assert [type(p) for p in problems] == [ChangelogError]
    assert "nothing under [Unreleased]" in str(problems[0])
    writes, problems = edits(project, "1.4.0", date="2026-02-01", tag="v1.4.0", allow_empty=True)
    assert problems == []
    assert [w.path for w in writes] == ["CHANGELOG.md", "pyproject.toml"]


def test_edits_can_skip_versions_or_changelog() -> None:
    project = make_project()
    writes, _ = edits(
        project, "1.4.0", date="d", tag="v1.4.0", allow_empty=False, roll_changelog=False
    )
    assert [w.path for w in writes] == ["pyproject.toml", "src/sample_pkg/__init__.py"]
    writes, _ = edits(
        project, "1.4.0", date="d", tag="v1.4.0", allow_empty=False, version_files=False
    )
    assert [w.path for w in writes] == ["CHANGELOG.md"]


def test_tag_only_project_writes_only_the_changelog() -> None:
    project = make_project((), {"CHANGELOG.md": CHANGELOG}, tag_only=True)
    writes, problems = edits(project, "1.4.0", date="d", tag="v1.4.0", allow_empty=False)
    assert problems == []
    assert [w.path for w in writes] == ["CHANGELOG.md"]


def test_edits_keep_crlf_and_non_ascii_bytes() -> None:
    pyproject = PYPROJECT + 'description = "Grüße — 1.3.0"\r\n'
    files = {"pyproject.toml": pyproject, "CHANGELOG.md": CHANGELOG.replace("\n", "\r\n")}
    project = make_project(LOCATIONS[:1], files)
    writes, _ = edits(project, "1.4.0", date="d", tag="v1.4.0", allow_empty=False)
    by_path = {w.path: w.after for w in writes}
    assert by_path["pyproject.toml"] == pyproject.replace(
        'version = "1.3.0"', 'version = "1.4.0"'
    ).encode("utf-8")
    changelog = by_path["CHANGELOG.md"]
    assert changelog.count(b"\n") == changelog.count(b"\r\n")


# --- git_problems ----------------------------------------------------------------------------


def test_a_clean_repository_has_no_problems() -> None:
    assert problems_of(clean_git()) == []
    assert problems_of(clean_git(remote=RemoteState()), push=True) == []  # first push


def test_no_commit_yet_is_the_only_problem() -> None:
    found = problems_of(clean_git(head=None, branch=None, changed=("x",)))
    assert found == ["the repository has no commit yet; commit the project first"]


def test_detached_head() -> None:
    assert problems_of(clean_git(branch=None)) == ["HEAD is detached; check out main first"]


def test_wrong_branch_names_both_branches() -> None:
    [problem] = problems_of(clean_git(branch="feature"))
    assert "on branch feature, releases are made from main" in problem
    assert "git switch main" in problem


def test_configured_release_branch() -> None:
    project = make_project(config=Config(branch="trunk"))
    assert problems_of(clean_git(branch="trunk"), project) == []
    assert len(problems_of(clean_git(branch="main"), project)) == 1


def test_dirty_files_are_listed_unless_allowed() -> None:
    git = clean_git(changed=("src/x.py", "docs/a.lock", "notes.txt"))
    [problem] = problems_of(git)
    assert "uncommitted changes in src/x.py, docs/a.lock, notes.txt" in problem
    project = make_project(config=Config(allow_dirty=("docs/*.lock", "notes.txt")))
    [problem] = problems_of(git, project)
    assert "uncommitted changes in src/x.py;" in problem
    all_allowed = make_project(config=Config(allow_dirty=("*",)))
    assert problems_of(git, all_allowed) == []


def test_untracked_files_the_release_writes() -> None:
    [problem] = problems_of(clean_git(tracked=frozenset({"pyproject.toml"})))
    assert "CHANGELOG.md, src/sample_pkg/__init__.py not tracked by git" in problem


def test_read_only_files() -> None:
    project = make_project(unwritable=("pyproject.toml",))
    [problem] = problems_of(clean_git(), project)
    assert "pyproject.toml is read-only" in problem
    assert "chmod u+w pyproject.toml" in problem


def test_existing_local_tag() -> None:
    [problem] = problems_of(clean_git(local_tag="c" * 40))
    assert "tag v1.4.0 already exists locally" in problem
    assert "git tag -d v1.4.0" in problem


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"remote_url": None}, "no remote named origin"),
        ({"remote": RemoteState(error="connection refused")}, "connection refused"),
        ({"remote": RemoteState("b" * 40, "d" * 40)}, "tag v1.4.0 already exists on origin"),
        ({"head_in_remote": False}, "main is behind or has diverged from origin/main"),
    ],
)
def test_remote_problems_only_when_pushing(changes: dict[str, object], words: str) -> None:
    [problem] = problems_of(clean_git(**changes), push=True)
    assert words in problem
    assert problems_of(clean_git(**changes), push=False) == []


def test_every_problem_is_reported_at_once() -> None:
    git = clean_git(
        branch="feature",
        changed=("src/x.py",),
        tracked=frozenset(),
        local_tag="c" * 40,
        remote=RemoteState("b" * 40, "d" * 40),
        head_in_remote=False,
    )
    project = make_project(unwritable=("CHANGELOG.md",))
    found = problems_of(git, project)
    assert len(found) == 7
    kinds = [type(p) for p in git_problems(git, project, "v1.4.0", PATHS, True)]
    assert kinds.count(GitError) == 6


# --- Plan.describe ---------------------------------------------------------------------------


def test_describe_lists_numbered_steps_with_diffs() -> None:
    write = WriteFile(
        "pyproject.toml", PYPROJECT.encode(), PYPROJECT.replace("1.3.0", "1.4.0").encode()
    )
    plan = Plan(
        project="sample-pkg",
        current="1.3.0",
        version="1.4.0",
        tag="v1.4.0",
        notes="- A greeting.",
        steps=(
            write,
            Commit(("pyproject.toml",), "Release 1.4.0"),
            Tag("v1.4.0", "v1.4.0", sign=False),
            Push("origin", ("refs/heads/main", "refs/tags/v1.4.0")),
            Build("1.4.0"),
            Publish("sample-pkg", "1.4.0", "pypi"),
            GitHubRelease("v1.4.0", "- A greeting.", prerelease=False),
        ),
        messages=("Changelog checked.",),
    )
    lines = plan.describe().splitlines()
    assert lines[0] == "Release sample-pkg 1.3.0 -> 1.4.0 (tag v1.4.0)"
    assert lines[1] == "Changelog checked."
    assert lines[2] == "1. update pyproject.toml"
    assert "     --- a/pyproject.toml" in lines
    assert "     +++ b/pyproject.toml" in lines
    assert '     -version = "1.3.0"  # keep' in lines
    assert '     +version = "1.4.0"  # keep' in lines
    numbered = [line for line in lines if line[:1].isdigit()]
    assert numbered == [
        "1. update pyproject.toml",
        "2. commit pyproject.toml: 'Release 1.4.0'",
        "3. create annotated tag v1.4.0",
        "4. git push --atomic origin refs/heads/main refs/tags/v1.4.0",
        "5. build the sdist and wheel of 1.4.0 into dist/",
        "6. upload dist/ to pypi (files already there are skipped)",
        "7. create or update the GitHub release v1.4.0",
    ]
    assert "Nothing to do." not in lines
    # The diff shows only the changed line and its neighbours, never the whole file.
    assert not any(line.strip() == '-name = "sample-pkg"' for line in lines)


def test_describe_signed_tag_and_prerelease() -> None:
    plan = Plan(
        "sample-pkg",
        "1.3.0",
        "1.4.0rc1",
        "v1.4.0rc1",
        "",
        steps=(Tag("v1.4.0rc1", "m", sign=True), GitHubRelease("v1.4.0rc1", "", prerelease=True)),
    )
    text = plan.describe()
    assert "1. create signed tag v1.4.0rc1" in text
    assert "2. create or update the GitHub pre-release v1.4.0rc1" in text


def test_describe_a_resumed_release_and_an_empty_plan() -> None:
    plan = Plan("sample-pkg", "1.4.0", "1.4.0", "v1.4.0", "", resumed=True)
    assert plan.describe() == "Finish the release of sample-pkg 1.4.0 (tag v1.4.0)\nNothing to do."
