"""The changelog the project already keeps, released end to end on real git repositories:
towncrier (the real tool), a pallets-style CHANGES.rst, a `## Unreleased` CHANGES.md,
and `changelog = "none"`."""

from __future__ import annotations

import pytest
from conftest import SampleRepo
from test_release import (
    INIT,
    _install_hook,
    assert_as_before,
    assert_ok,
    error_lines,
    project_version,
    release,
    snapshot,
    today_dates,
)

TOWNCRIER = """
[tool.towncrier]
directory = "changes"
filename = "NEWS.md"
title_format = "## {version} ({project_date})"
issue_format = "#{issue}"
"""
NEWS = "# News\n\n<!-- towncrier release notes start -->\n\n## 1.3.0 (2026-01-15)\n\n- Old.\n"
FRAGMENTS = {"changes/123.feature.md": "A greeting.\n", "changes/124.bugfix.md": "No crash.\n"}


def _switch(repo: SampleRepo, files: dict[str, str], *, pyproject_extra: str = "") -> None:
    """Replace CHANGELOG.md by `files`, commit and push: a clean start in that format."""
    repo.git("rm", "-q", "CHANGELOG.md")
    for path, text in files.items():
        target = repo.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
    if pyproject_extra:
        pyproject = repo.root / "pyproject.toml"
        pyproject.write_text(pyproject.read_text() + pyproject_extra)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "Keep the changelog another way")
    repo.git("push", "-q", "origin", "main")


def _changed_in_release(repo: SampleRepo) -> dict[str, str]:
    out = repo.git("diff-tree", "--no-commit-id", "--name-status", "-r", "HEAD")
    return {line.split("\t")[1]: line.split("\t")[0] for line in out.splitlines()}


def _tag_message(repo: SampleRepo, tag: str) -> str:
    return repo.git("tag", "-l", "--format=%(contents)", tag).strip()


def _assert_pushed(repo: SampleRepo, tag: str) -> None:
    remote = repo.git("ls-remote", "origin", "refs/heads/main", f"refs/tags/{tag}")
    assert repo.git("rev-parse", "HEAD").strip() in remote
    assert f"refs/tags/{tag}" in remote


# -- towncrier ---------------------------------------------------------------------------


@pytest.fixture
def towncrier_repo(repo: SampleRepo) -> SampleRepo:
    _switch(repo, {"NEWS.md": NEWS, **FRAGMENTS}, pyproject_extra=TOWNCRIER)
    return repo


def test_towncrier_release_builds_the_news_and_commits_the_deleted_fragments(
    towncrier_repo: SampleRepo,
) -> None:
    repo = towncrier_repo
    result = release(repo, "--part", "minor", "--yes", "--no-push")
    assert_ok(result)
    assert project_version(repo) == "1.4.0"
    news = (repo.root / "NEWS.md").read_text()
    date = next(d for d in today_dates() if f"## 1.4.0 ({d})" in news)
    assert news.startswith("# News\n\n<!-- towncrier release notes start -->\n\n## 1.4.0 (")
    assert "A greeting." in news and "No crash." in news
    assert news.endswith("## 1.3.0 (2026-01-15)\n\n- Old.\n")
    assert not any((repo.root / path).exists() for path in FRAGMENTS)
    assert _changed_in_release(repo) == {
        "NEWS.md": "M",
        "pyproject.toml": "M",
        INIT: "M",
        "changes/123.feature.md": "D",
        "changes/124.bugfix.md": "D",
    }
    assert repo.git("status", "--porcelain", "--untracked-files=all") == ""
    message = _tag_message(repo, "v1.4.0")
    assert f"## 1.4.0 ({date})" not in message
    assert "A greeting." in message and "#123" in message and "No crash." in message


def test_towncrier_release_pushes(towncrier_repo: SampleRepo) -> None:
    assert_ok(release(towncrier_repo, "--part", "minor", "--yes"))
    _assert_pushed(towncrier_repo, "v1.4.0")


def test_towncrier_dry_run_shows_the_draft_and_changes_nothing(
    towncrier_repo: SampleRepo,
) -> None:
    before = snapshot(towncrier_repo)
    result = release(towncrier_repo, "--part", "minor", "--dry-run")
    assert_ok(result)
    assert "towncrier build --version 1.4.0 --yes writes to NEWS.md:" in result.stdout
    assert "A greeting." in result.stdout
    assert "delete changes/123.feature.md" in result.stdout
    assert_as_before(before, towncrier_repo)


def test_towncrier_without_fragments_is_refused_and_nothing_moves(repo: SampleRepo) -> None:
    _switch(
        repo, {"NEWS.md": NEWS, "changes/.gitignore": "!.gitignore\n"}, pyproject_extra=TOWNCRIER
    )
    before = snapshot(repo)
    result = release(repo, "--part", "minor", "--yes")
    assert result.returncode != 0
    text = "\n".join(error_lines(result))
    assert "no news fragments in changes/" in text
    assert "towncrier create 123.feature" in text
    assert_as_before(before, repo)


def test_failure_after_towncrier_restores_fragments_and_news_byte_for_byte(
    towncrier_repo: SampleRepo,
) -> None:
    repo = towncrier_repo
    (repo.root / "changes" / "123.feature.md").chmod(0o600)
    repo.git("update-index", "--refresh")
    _install_hook(repo.root / ".git", "pre-commit", 'echo "lint failed" >&2\nexit 1\n')
    before = snapshot(repo)
    result = release(repo, "--part", "minor", "--yes")
    assert result.returncode != 0
    line = error_lines(result)[0]
    assert "undone: " in line and "restored changes/123.feature.md" in line
    assert_as_before(before, repo)
    assert (repo.root / "changes" / "123.feature.md").stat().st_mode & 0o777 == 0o600


# -- text formats ------------------------------------------------------------------------

PALLETS = """\
Version 1.4.0
-------------

Unreleased

-   A greeting. :issue:`12`

Version 1.3.0
-------------

Released 2026-01-15

-   Old.
"""
PLAIN_MD = "# Changes\n\n## Unreleased\n\n- A greeting.\n\n## 1.3.0 - 2026-01-15\n\n- Old.\n"


def test_pallets_rst_release(repo: SampleRepo) -> None:
    _switch(repo, {"CHANGES.rst": PALLETS})
    assert_ok(release(repo, "--part", "minor", "--yes"))
    text = (repo.root / "CHANGES.rst").read_text()
    date = next(d for d in today_dates() if f"Released {d}" in text)
    assert text == PALLETS.replace("\nUnreleased\n", f"\nReleased {date}\n")
    assert set(_changed_in_release(repo)) == {"CHANGES.rst", "pyproject.toml", INIT}
    assert _tag_message(repo, "v1.4.0") == "v1.4.0\n\n-   A greeting. :issue:`12`"
    _assert_pushed(repo, "v1.4.0")


def test_pallets_heading_naming_another_version_is_refused(repo: SampleRepo) -> None:
    _switch(repo, {"CHANGES.rst": PALLETS})
    before = snapshot(repo)
    result = release(repo, "--part", "major", "--yes")
    text = "\n".join(error_lines(result))
    assert result.returncode != 0 and "1.4.0" in text and "2.0.0" in text
    assert_as_before(before, repo)


def test_plain_unreleased_markdown_release(repo: SampleRepo) -> None:
    _switch(repo, {"CHANGES.md": PLAIN_MD})
    assert_ok(release(repo, "--part", "minor", "--yes"))
    text = (repo.root / "CHANGES.md").read_text()
    date = next(d for d in today_dates() if f"## 1.4.0 - {d}" in text)
    assert text == PLAIN_MD.replace("## Unreleased\n\n", f"## Unreleased\n\n## 1.4.0 - {date}\n\n")
    assert set(_changed_in_release(repo)) == {"CHANGES.md", "pyproject.toml", INIT}
    assert _tag_message(repo, "v1.4.0") == "v1.4.0\n\n- A greeting."


def test_changelog_none_takes_the_notes_from_the_commit_subjects(repo: SampleRepo) -> None:
    pyproject = repo.root / "pyproject.toml"
    text = pyproject.read_text().replace(
        "[tool.releasekit]\n", '[tool.releasekit]\nchangelog = "none"\n'
    )
    if "[tool.releasekit]" not in text:
        text += '\n[tool.releasekit]\nchangelog = "none"\n'
    pyproject.write_text(text)
    repo.git("commit", "-q", "-am", "Release without a changelog")
    (repo.root / "README.md").write_text("More.\n")
    repo.git("commit", "-q", "-am", "Say more in the README")
    repo.git("push", "-q", "origin", "main")
    old_changelog = (repo.root / "CHANGELOG.md").read_bytes()
    assert_ok(release(repo, "--part", "minor", "--yes"))
    assert set(_changed_in_release(repo)) == {"pyproject.toml", INIT}
    assert (repo.root / "CHANGELOG.md").read_bytes() == old_changelog
    assert _tag_message(repo, "v1.4.0") == (
        "v1.4.0\n\n- Say more in the README\n- Release without a changelog"
    )
    _assert_pushed(repo, "v1.4.0")
    # Run again: the release is complete, nothing is unreleased.
    again = release(repo, "--part", "minor", "--yes")
    assert_ok(again)
    assert "is released" in again.stdout
