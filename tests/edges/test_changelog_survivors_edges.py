"""Edges of the changelog adapters that the other tests leave open: sections whose entries
sit right below their heading, files without a final newline, CRLF news files, an empty
news file, towncrier's ignore list and single_file setting, and the commit subjects that
make the notes when there is no changelog."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from releasekit.core import changelog as kac
from releasekit.core.changelogs import Removed, TextChangelog
from releasekit.core.changelogs import towncrier as tc
from releasekit.core.changelogs.commits import NoChangelog
from releasekit.core.changelogs.fill import inject
from releasekit.errors import ChangelogError

DATE = "2026-02-01"
BASE = "https://github.com/o/p/compare/"


def roll_text(path: str, text: str, version: str = "1.4.0", *, allow_empty: bool = False) -> str:
    rolled = TextChangelog(path).roll(
        {path: text.encode()}, version, DATE, tag=f"v{version}", allow_empty=allow_empty
    )
    return rolled.writes[path].decode()


# --- changelog.py: Keep a Changelog ------------------------------------------------------------


def test_entries_right_below_the_unreleased_heading_are_all_in_the_notes() -> None:
    """No blank line between a heading and its first entry: the entry is still the notes'
    first line, in the rolled release and in an older one written the same way."""
    text = (
        "# Changelog\n\n## [Unreleased]\n- Fixed the crash.\n- Added a flag.\n\n"
        "## [1.3.0] - 2025-01-01\n- Old.\n- Older.\n"
    )
    rolled = TextChangelog("CHANGELOG.md").roll(
        {"CHANGELOG.md": text.encode()}, "1.4.0", DATE, tag="v1.4.0", allow_empty=False
    )
    assert rolled.writes["CHANGELOG.md"].decode() == text.replace(
        "## [Unreleased]\n", f"## [Unreleased]\n\n## [1.4.0] - {DATE}\n"
    )
    assert rolled.notes == "- Fixed the crash.\n- Added a flag."
    assert kac.notes(text, "1.3.0") == "- Old.\n- Older."


@pytest.mark.parametrize("label", ["[Unreleased]", "[UNRELEA\u017fED]"])
def test_a_changelog_without_a_final_newline_rolls_like_one_with_it(label: str) -> None:
    """The compare links are found the same way whether the last line ends or not; the
    second label matches `[unreleased]` only case-insensitively in Unicode (a long s),
    where a line-by-line reading and a whole-text search could part ways."""
    text = (
        "# Changelog\n\n## [Unreleased]\n\n- Fixed the crash.\n\n## [1.3.0] - 2025-01-01\n\n"
        f"- Old.\n\n{label}: {BASE}v1.3.0...HEAD\n[1.3.0]: {BASE}v1.2.0...v1.3.0\n"
    )
    with_newline = roll_text("CHANGELOG.md", text)
    without = roll_text("CHANGELOG.md", text.removesuffix("\n"))
    assert without == with_newline.removesuffix("\n")
    assert f"[1.4.0]: {BASE}v1.3.0...v1.4.0\n" in with_newline


# --- changelogs/fill.py ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "level"),
    [
        ("CHANGELOG.md", "# Changelog\n\n## [Unreleased]", "### "),
        ("CHANGES.md", "# Changes\n\n## Unreleased", "### "),
        ("CHANGES.rst", "Changes\n=======\n\nUnreleased\n----------", ""),
    ],
)
def test_entries_fill_an_unreleased_heading_that_ends_the_file_without_a_newline(
    path: str, text: str, level: str
) -> None:
    out = inject(text, path, {"Fixed": ["The crash."]})
    title = f"\n{level}Fixed\n" if level else ""
    assert out == f"{text}\n{title}\n- The crash.\n"


# --- changelogs/text.py: pallets ---------------------------------------------------------------


def test_a_pallets_heading_whose_version_is_no_version_must_match_the_release_exactly() -> None:
    """`Version X1.4.0` (a typo) is not 1.4.0: only a leading `v` may differ."""
    text = "Version X1.4.0\n------------------\n\nUnreleased\n\n-   New.\n"
    with pytest.raises(ChangelogError) as caught:
        roll_text("CHANGES.rst", text)
    assert str(caught.value) == (
        "CHANGES.rst prepares version X1.4.0 (its 'Version X1.4.0' section is Unreleased), "
        "but this release is 1.4.0; release X1.4.0, or rename that heading to 'Version 1.4.0'"
    )
    # Spelled with a leading v, a version that is no PEP 440 version still matches.
    out = roll_text("CHANGES.rst", text.replace("X1.4.0", "v1.4.0-x"), "1.4.0-x")
    assert f"Released {DATE}\n" in out


# --- changelogs/towncrier.py -------------------------------------------------------------------


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode()


@pytest.mark.parametrize(
    ("before", "after", "added"),
    [
        ("- Fixed the crash.\n", "- Fixed the crash.\n- Fixed the crash.\n", "- Fixed the crash."),
        ("Title\n\nold\n", "Title\n\nnew\n\nold\n", "new"),
        ("A\nB\n", "A\nX\nB\n", "X"),
        ("# News\n\nold\n", "# News\n\n## 1.4.0\n\n- New.\n\n\nold\n", "## 1.4.0\n\n- New."),
    ],
)
def test_the_text_towncrier_added_to_a_crlf_news_file_is_found_exactly(
    before: str, after: str, added: str
) -> None:
    """With CRLF endings the added text is the same as with LF: no stray `\\r` at its end."""
    assert tc._inserted(before.encode(), after.encode()) == added
    assert tc._inserted(crlf(before), crlf(after)) == added


def test_towncrier_rolls_into_an_empty_news_file(tmp_path: Path) -> None:
    """The missing-file error says the news file may be empty: an empty one rolls."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.towncrier]\ndirectory = "changes"\nfilename = "NEWS.md"\n'
    )
    (tmp_path / "changes").mkdir()
    (tmp_path / "changes" / "12.bugfix.md").write_text("Fixed the crash.\n")
    (tmp_path / "NEWS.md").write_bytes(b"")
    found = tc.find(
        tmp_path, {"tool": {"towncrier": {"directory": "changes", "filename": "NEWS.md"}}}, "pkg"
    )
    assert found is not None
    rolled = found.roll({"NEWS.md": b""}, "1.4.0", DATE, tag="v1.4.0", allow_empty=False)
    news = rolled.writes["NEWS.md"].decode()
    title, _, section = news.partition("\n")
    assert title == f"# pkg 1.4.0 ({DATE})"
    assert "Fixed the crash." in section
    assert rolled.notes == section.strip("\n")  # all that was written, but its title
    assert [gone.path for gone in rolled.removed] == ["changes/12.bugfix.md"]


def test_towncrier_ignore_setting_keeps_those_files_out_of_the_pending_fragments(
    tmp_path: Path,
) -> None:
    names = ("1.feature.md", "notes.txt", "Draft.MD", "README")
    fragments = tuple(Removed(f"changes/{name}", b"x\n") for name in names)
    settings = {"directory": "changes", "ignore": ["NOTES.txt", "draft.md"]}
    found = tc.Towncrier(tmp_path, "pyproject.toml", settings, "p", fragments)
    assert found.pending({}).entries == ("changes/1.feature.md",)


@pytest.mark.parametrize("allow_empty", [False, True])
def test_towncrier_with_one_file_per_release_is_refused_with_its_fix(
    tmp_path: Path, allow_empty: bool
) -> None:
    settings = {"directory": "changes", "filename": "NEWS.md", "single_file": False}
    found = tc.Towncrier(tmp_path, "pyproject.toml", settings, "p", ())
    with pytest.raises(ChangelogError) as caught:
        found.roll({"NEWS.md": b""}, "1.4.0", DATE, tag="v1.4.0", allow_empty=allow_empty)
    assert str(caught.value) == (
        "towncrier single_file = false is not supported; "
        'keep one news file, or set [tool.releasekit] changelog = "none"'
    )


# --- changelogs/commits.py (changelog = "none") ------------------------------------------------


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def commit(root: Path, *paragraphs: str) -> None:
    git(root, "commit", "-q", "--allow-empty", *(f"-m{text}" for text in paragraphs))


def test_notes_without_a_changelog_are_subjects_not_bodies_nor_release_commits(
    tmp_path: Path,
) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    commit(tmp_path, "chore(release): Bump version to v1.0.0")
    git(tmp_path, "tag", "v1.0.0")
    # A subject is the first paragraph (on one line), however many paragraphs follow.
    commit(tmp_path, "Fix the crash\nat start-up", "The cause.", "Closes #12.")
    # Only the release commits are left out: the setting's text before `{`.
    commit(tmp_path, "chore(release): Pin the build tools")
    commit(tmp_path, "chore(release): Bump version to v1.1.0")
    commit(tmp_path, "Release notes: spell the name right")
    commit(tmp_path, "Release the new version")

    def subjects(message: str) -> tuple[str, ...]:
        return NoChangelog(tmp_path, "v{version}", message).pending({}).entries

    assert subjects("chore(release): Bump version to {tag}") == (
        "Release the new version",
        "Release notes: spell the name right",
        "chore(release): Pin the build tools",
        "Fix the crash at start-up",
    )
    # A setting without `{` is the whole prefix of a release commit's subject.
    assert subjects("Release the new version") == (
        "Release notes: spell the name right",
        "chore(release): Bump version to v1.1.0",
        "chore(release): Pin the build tools",
        "Fix the crash at start-up",
    )
