"""Core survivors of the second mutation draw: the dry run's diff context, a project name
that is no name, a Poetry 2 project whose [project] version rules, the post-release fix,
a resumed workspace member, and `release()` applying what it planned."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import SampleRepo
from packaging.version import Version
from support.workspace import ALPHA, ALPHA_DIR, make_workspace

from releasekit.core import release, snapshot
from releasekit.core.plan import Options, WriteFile, diff
from releasekit.core.snapshot import read_project
from releasekit.core.version import check_releasable, parse
from releasekit.errors import ConfigError, VersionError

DATE = "2030-01-02"


def test_the_dry_run_diff_shows_one_line_of_context_around_each_change() -> None:
    before = b"a\nb\nc\nversion = 1\nd\ne\nf\n"
    after = before.replace(b"version = 1", b"version = 2")
    assert diff(WriteFile("x.toml", before, after)) == [
        "--- a/x.toml",
        "+++ b/x.toml",
        "@@ -3,3 +3,3 @@",
        " c",
        "-version = 1",
        "+version = 2",
        " d",
    ]


@pytest.mark.parametrize("name", ["3", '""'], ids=["not-a-string", "empty"])
def test_a_project_name_that_is_no_name_is_refused_with_where_to_write_one(
    tmp_path: Path, name: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = {name}\nversion = "1.3.0"\n')
    with pytest.raises(ConfigError) as error:
        read_project(tmp_path)
    assert (error.value.cause, error.value.fix) == (
        "pyproject.toml names no project",
        "add [project] name (or [tool.poetry] name)",
    )


def test_a_poetry_2_project_takes_its_version_from_project_not_a_stale_tool_poetry(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "pkg"\nversion = "1.3.0"\n\n'
        '[tool.poetry]\nversion = "0.0.0"  # ignored by Poetry 2 when [project] has one\n'
    )
    project = read_project(tmp_path)
    assert [(loc.kind, loc.value) for loc in project.sources.locations] == [("project", "1.3.0")]


def test_a_post_release_is_refused_with_the_patch_release_to_use_instead() -> None:
    with pytest.raises(VersionError) as error:
        check_releasable(Version("1.3.0.post1"))
    assert (error.value.cause, error.value.fix) == (
        "1.3.0.post1 is a post-release; SemVer sorts it before 1.3.0, PEP 440 after it",
        "use a patch release instead (--part patch)",
    )


def test_a_resumed_member_release_stays_that_members(tmp_path: Path) -> None:
    root, _ = make_workspace(tmp_path, kind="plain")
    options = Options(part="minor", package=ALPHA, push=False, github_release=False)
    made = release.plan_release(root, options, date=DATE, environ={})
    release.release_plan(root, made, report=lambda line: None)
    resumed = release.plan_release(root, options, date=DATE, environ={})
    assert (resumed.tag, resumed.package) == (f"{ALPHA}-v1.4.0", ALPHA_DIR)


def test_release_applies_what_it_planned_in_the_repository_it_was_given(
    repo: SampleRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # not the repository: only `root` may name it
    release.release(
        repo.root,
        Options(part="minor", push=False, github_release=False),
        date=DATE,
        report=lambda line: None,
        confirm=lambda plan: True,
    )
    assert repo.git("describe", "--tags", "--exact-match").strip() == "v1.4.0"


def test_a_read_only_file_stops_only_the_verbs_that_would_write_it(
    repo: SampleRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root every file is writable, so os.access is told CHANGELOG.md is not: a bump
    (version files only) goes ahead, a changelog run is refused with the chmod fix."""
    real = os.access

    def access(path: object, mode: int, **kwargs: object) -> bool:
        if str(path).endswith("CHANGELOG.md") and mode == os.W_OK:
            return False
        return real(path, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(snapshot.os, "access", access)
    bump = release.plan_files(
        repo.root, Options(part="minor"), date=DATE, versions=True, changelog=False
    )
    assert bump.problems == ()
    roll = release.plan_files(
        repo.root, Options(part="minor"), date=DATE, versions=False, changelog=True
    )
    assert [(p.cause, p.fix) for p in roll.problems] == [
        ("CHANGELOG.md is read-only", "make it writable (chmod u+w CHANGELOG.md)")
    ]


def test_a_version_that_is_no_pep440_version_says_what_form_to_use() -> None:
    with pytest.raises(VersionError) as error:
        parse("one.four")
    assert (error.value.cause, error.value.fix) == (
        "'one.four' is not a valid PEP 440 version",
        "use a form like 1.4.0 or 1.4.0rc1",
    )
