"""`--part auto`: the part from Conventional Commits since the last tag, and an empty
[Unreleased] filled from them, on real repositories with a bare remote, run as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SampleRepo
from test_release import (
    assert_as_before,
    assert_ok,
    assert_one_error,
    file_text,
    project_version,
    release,
    remote_ref,
    run,
    section,
    snapshot,
)

from releasekit.core.changelogs.fill import inject
from releasekit.core.conventional import Change, decide, parse
from releasekit.demo import sample
from releasekit.errors import VersionError

EMPTY = "## [Unreleased]\n\n## [{version}]"


def auto_repo(tmp_path: Path, *, version: str = "1.3.0", table: str = "") -> SampleRepo:
    """A sample at `version`, tagged and pushed, with nothing written under [Unreleased]."""
    root = sample.write_project(tmp_path / "project", version=version)
    changelog = root / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    changelog.write_text(text.replace("### Added\n\n- A greeting that says hello.\n\n", "", 1))
    if table:
        with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
            handle.write(f"\n[tool.releasekit]\n{table}\n")
    remote = tmp_path / "remote.git"
    sample.init_repository(root, remote, tag=f"v{version}")
    return SampleRepo(root, remote)


def commit(repo: SampleRepo, *messages: str) -> None:
    """Commits as a team makes them (each its own change), pushed."""
    for number, message in enumerate(messages):
        path = repo.root / "src" / "sample_pkg" / f"change_{number}.py"
        path.write_text(f"# {message}\n", encoding="utf-8")
        repo.git("add", str(path))
        repo.git("commit", "--quiet", "-m", message)
    repo.git("push", "--quiet", "origin", "main")


# -- the Done-when cases -------------------------------------------------------------------


def test_feat_and_fix_give_the_minor_with_the_commits_in_the_changelog(tmp_path: Path) -> None:
    repo = auto_repo(tmp_path)
    commit(
        repo,
        "feat(cli): add a --loud flag",
        "fix: no crash on an empty name",
        "docs: explain the greeting",
        "chore: bump the linters",
        "perf(core): cache the greeting",
    )
    result = release(repo, "--part", "auto", "--yes")
    assert_ok(result)
    assert project_version(repo) == "1.4.0"
    assert remote_ref(repo, "refs/tags/v1.4.0^{commit}") == remote_ref(repo, "refs/heads/main")
    changelog = file_text(repo, "CHANGELOG.md")
    assert section(changelog, "1.4.0") == (
        "### Added\n\n- **cli:** add a --loud flag\n\n"
        "### Changed\n\n- **core:** cache the greeting\n\n"
        "### Fixed\n\n- no crash on an empty name"
    )
    assert EMPTY.format(version="1.4.0") in changelog  # [Unreleased] stays, empty
    assert "explain the greeting" not in changelog and "linters" not in changelog
    tag_message = repo.git("tag", "-l", "--format=%(contents)", "v1.4.0")
    assert "- **cli:** add a --loud flag" in tag_message


def test_a_fix_alone_gives_the_patch(tmp_path: Path) -> None:
    repo = auto_repo(tmp_path)
    commit(repo, "fix(api): reject an empty name", "test: cover the empty name")
    assert_ok(release(repo, "--part", "auto", "--yes"))
    assert project_version(repo) == "1.3.1"
    assert section(file_text(repo, "CHANGELOG.md"), "1.3.1") == (
        "### Fixed\n\n- **api:** reject an empty name"
    )


@pytest.mark.parametrize(
    "message",
    ["feat!: greet in every language", "feat: greet in every language\n\nBREAKING CHANGE: gone"],
    ids=["bang", "footer"],
)
def test_a_breaking_change_gives_the_major_marked(tmp_path: Path, message: str) -> None:
    repo = auto_repo(tmp_path)
    commit(repo, "fix: a typo", message)
    assert_ok(release(repo, "--part", "auto", "--yes"))
    assert project_version(repo) == "2.0.0"
    assert section(file_text(repo, "CHANGELOG.md"), "2.0.0") == (
        "### Added\n\n- **BREAKING:** greet in every language\n\n### Fixed\n\n- a typo"
    )


@pytest.mark.parametrize("front", ["releasekit", "invoke"])
def test_no_feat_or_fix_is_refused_with_nothing_changed(tmp_path: Path, front: str) -> None:
    repo = auto_repo(tmp_path)
    commit(repo, "docs: a better README", "chore: tidy", "refactor: split the module")
    before = snapshot(repo)
    result = run(repo.root, front, "release", "--part", "auto", "--yes")
    assert_one_error(
        result,
        "nothing to release since v1.3.0: 3 commits, none feat/fix",
        "--part patch|minor|major",
    )
    assert_as_before(before, repo)


def test_no_commit_since_the_release_commit_has_nothing_to_do(tmp_path: Path) -> None:
    repo = auto_repo(tmp_path)
    before = snapshot(repo)
    result = release(repo, "--part", "auto", "--yes")
    assert_ok(result)
    assert "v1.3.0 is released" in result.stdout and "Nothing to do." in result.stdout
    assert_as_before(before, repo)


def test_pre_rc_gives_the_first_release_candidate(tmp_path: Path) -> None:
    repo = auto_repo(tmp_path)
    commit(repo, "feat: wave")
    assert_ok(release(repo, "--part", "auto", "--pre", "rc", "--yes"))
    assert project_version(repo) == "1.4.0rc1"
    # The next feat of that candidate moves the candidate, not the minor again.
    commit(repo, "feat: wave back")
    assert_ok(release(repo, "--part", "auto", "--pre", "rc", "--yes"))
    assert project_version(repo) == "1.4.0rc2"
    assert section(file_text(repo, "CHANGELOG.md"), "1.4.0rc2") == "### Added\n\n- wave back"


def test_dry_run_names_the_deciding_commits_and_changes_nothing(tmp_path: Path) -> None:
    repo = auto_repo(tmp_path)
    commit(repo, "fix: one", "feat(ui): two", "docs: three")
    before = snapshot(repo)
    result = release(repo, "--part", "auto", "--dry-run")
    assert_ok(result)
    lines = result.stdout.splitlines()
    assert lines[0] == "Release sample-pkg 1.3.0 -> 1.4.0 (tag v1.4.0)"
    assert lines[1] == "--part auto: minor, decided by 1 of 3 commits since v1.3.0:"
    feat = repo.git("rev-parse", "HEAD~1").strip()
    assert lines[2] == f"  {feat[:12]} feat(ui): two"
    assert "CHANGELOG.md: [Unreleased] filled with 2 entries from the commits" in lines
    assert "+- **ui:** two" in result.stdout
    assert_as_before(before, repo)


# -- 0.x, configuration, hand-written entries ----------------------------------------------


def test_a_breaking_change_of_0x_is_a_minor_unless_configured(tmp_path: Path) -> None:
    zero = auto_repo(tmp_path / "a", version="0.3.0")
    commit(zero, "feat!: new greeting API")
    assert_ok(release(zero, "--part", "auto", "--yes"))
    assert project_version(zero) == "0.4.0"
    configured = auto_repo(tmp_path / "b", version="0.3.0", table="major-on-zero = true")
    commit(configured, "feat!: new greeting API")
    assert_ok(release(configured, "--part", "auto", "--yes"))
    assert project_version(configured) == "1.0.0"


def test_configured_part_auto_is_the_default(tmp_path: Path) -> None:
    repo = auto_repo(tmp_path, table='part = "auto"')
    commit(repo, "fix: quieter")
    assert_ok(release(repo, "--yes"))
    assert project_version(repo) == "1.3.1"
    # An explicit part still wins over the configured default (and fills nothing).
    commit(repo, "fix: quieter still")
    assert_ok(release(repo, "--part", "major", "--allow-empty-changelog", "--yes"))
    assert project_version(repo) == "2.0.0"


def test_without_configuration_no_part_is_still_refused(tmp_path: Path) -> None:
    repo = auto_repo(tmp_path)
    commit(repo, "feat: wave")
    before = snapshot(repo)
    assert_one_error(release(repo, "--yes"), "no version change asked for", "--part")
    assert_as_before(before, repo)


def test_a_wrong_configured_part_is_refused(tmp_path: Path) -> None:
    repo = auto_repo(tmp_path, table='part = "sideways"')
    before = snapshot(repo)
    result = release(repo, "--dry-run")
    assert_one_error(result, "[tool.releasekit] part must be one of auto, major", "fix the value")
    assert_as_before(before, repo)


def test_entries_written_by_hand_are_kept_and_not_duplicated(repo: SampleRepo) -> None:
    """The sample's [Unreleased] already says what the feat commit did."""
    commit(repo, "feat: a greeting that says hello")
    before_text = file_text(repo, "CHANGELOG.md")
    result = release(repo, "--part", "auto", "--yes")
    assert_ok(result)
    assert "[Unreleased] is written by hand, kept as it is" in result.stdout
    changelog = file_text(repo, "CHANGELOG.md")
    assert section(changelog, "1.4.0") == section(before_text, "Unreleased")
    assert changelog.lower().count("a greeting that says hello") == 1


def test_bump_and_changelog_verbs_take_auto_too(tmp_path: Path) -> None:
    repo = auto_repo(tmp_path)
    commit(repo, "fix: sharper")
    assert_ok(run(repo.root, "releasekit", "changelog", "--part", "auto"))
    assert section(file_text(repo, "CHANGELOG.md"), "1.3.1") == "### Fixed\n\n- sharper"
    assert_ok(run(repo.root, "releasekit", "bump", "--part", "auto"))
    assert project_version(repo) == "1.3.1"


# -- the parser and the changelog shapes ---------------------------------------------------


@pytest.mark.parametrize(
    ("message", "kind", "scope", "breaking", "description"),
    [
        ("feat: add x", "feat", "", False, "add x"),
        ("fix(parser): y", "fix", "parser", False, "y"),
        ("Feat(UI)!: z", "feat", "UI", True, "z"),
        ("chore!: drop 3.9", "chore", "", True, "drop 3.9"),
        ("refactor: a\n\nbody\n\nBREAKING-CHANGE: b", "refactor", "", True, "a"),
        ("fix: a\n\nBREAKING CHANGE mentioned in passing", "fix", "", False, "a"),
        ("feat:no space", "", "", False, "feat:no space"),
        ("Merge branch 'x'", "", "", False, "Merge branch 'x'"),
    ],
)
def test_subjects_and_footers_read_as_conventional_commits_1_0(
    message: str, kind: str, scope: str, breaking: bool, description: str
) -> None:
    change = parse("a" * 40, message)
    assert (change.type, change.scope, change.breaking, change.description) == (
        kind,
        scope,
        breaking,
        description,
    )


def test_the_refusal_counts_every_commit() -> None:
    from packaging.version import Version

    changes = [Change("a" * 40, "docs: x", "docs"), Change("b" * 40, "ci: y", "ci")]
    with pytest.raises(VersionError, match=r"since v2\.0\.0: 2 commits, none feat/fix"):
        decide(changes, Version("2.0.0"), "v2.0.0")
    with pytest.raises(VersionError, match="since the first commit: no commits, none"):
        decide([], Version("2.0.0"), "the first commit")


def test_markdown_and_rst_unreleased_sections_are_filled_in_their_own_shape() -> None:
    sections = {"Added": ["**cli:** x"], "Fixed": ["y"]}
    markdown = "# Changes\n\n## Unreleased\n\n## 1.3.0 (2026-01-01)\n\n- old\n"
    assert inject(markdown, "CHANGES.md", sections) == (
        "# Changes\n\n## Unreleased\n\n### Added\n\n- **cli:** x\n\n### Fixed\n\n- y\n\n"
        "## 1.3.0 (2026-01-01)\n\n- old\n"
    )
    rst = "Changes\n=======\n\nUnreleased\n----------\n\n1.3.0\n-----\n\n- old\n"
    assert inject(rst, "CHANGES.rst", sections) == (
        "Changes\n=======\n\nUnreleased\n----------\n\n- **cli:** x\n\n- y\n\n"
        "1.3.0\n-----\n\n- old\n"
    )
    crlf = "# Changelog\r\n\r\n## [Unreleased]\r\n\r\n## [1.3.0] - 2026-01-01\r\n"
    assert "\n" not in inject(crlf, "CHANGELOG.md", sections).replace("\r\n", "")
