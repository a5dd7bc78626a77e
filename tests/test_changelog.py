"""Keep a Changelog 1.1: rolling [Unreleased] into a dated section, links, release notes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from releasekit.core.changelog import SKELETON, notes, release, unreleased
from releasekit.errors import ChangelogError

BASE = "https://github.com/example/sample-pkg"

BEFORE = f"""\
# Changelog

All notable changes to this project are documented in this file.

## [Unreleased]

### Added

- A greeting that says hello.

### Fixed

- The farewell no longer crashes.

## [1.3.0] - 2026-01-15

### Added

- First public release.

[Unreleased]: {BASE}/compare/v1.3.0...HEAD
[1.3.0]: {BASE}/releases/tag/v1.3.0
"""

AFTER = f"""\
# Changelog

All notable changes to this project are documented in this file.

## [Unreleased]

## [1.4.0] - 2026-02-01

### Added

- A greeting that says hello.

### Fixed

- The farewell no longer crashes.

## [1.3.0] - 2026-01-15

### Added

- First public release.

[Unreleased]: {BASE}/compare/v1.4.0...HEAD
[1.4.0]: {BASE}/compare/v1.3.0...v1.4.0
[1.3.0]: {BASE}/releases/tag/v1.3.0
"""


def roll(text: str, version: str = "1.4.0", **kwargs: object) -> str:
    return release(text, version, "2026-02-01", tag=f"v{version}", **kwargs)  # type: ignore[arg-type]


def test_release_moves_entries_under_a_dated_heading_and_updates_links() -> None:
    assert roll(BEFORE) == AFTER


def test_release_keeps_crlf_line_endings() -> None:
    crlf = BEFORE.replace("\n", "\r\n")
    out = roll(crlf)
    assert out == AFTER.replace("\n", "\r\n")
    assert out.count("\n") == out.count("\r\n")


def test_release_without_links_adds_none() -> None:
    text = BEFORE.split("[Unreleased]:")[0]
    out = roll(text)
    assert out == AFTER.split("[Unreleased]:")[0]
    assert "compare" not in out


def test_release_with_a_custom_tag_format_uses_the_tag_in_links() -> None:
    out = release(BEFORE, "1.4.0", "2026-02-01", tag="release-1.4.0")
    assert f"[Unreleased]: {BASE}/compare/release-1.4.0...HEAD\n" in out
    assert f"[1.4.0]: {BASE}/compare/v1.3.0...release-1.4.0\n" in out


def test_second_release_chains_the_compare_links() -> None:
    once = roll(BEFORE)
    text = once.replace("## [Unreleased]\n", "## [Unreleased]\n\n- Another change.\n", 1)
    twice = roll(text, "1.5.0rc1")
    assert f"[Unreleased]: {BASE}/compare/v1.5.0rc1...HEAD\n" in twice
    assert f"[1.5.0rc1]: {BASE}/compare/v1.4.0...v1.5.0rc1\n" in twice
    assert f"[1.4.0]: {BASE}/compare/v1.3.0...v1.4.0\n" in twice
    assert twice.index("## [1.5.0rc1] - 2026-02-01") < twice.index("## [1.4.0] - 2026-02-01")
    assert notes(twice, "1.5.0rc1") == "- Another change."


@pytest.mark.parametrize("heading", ["## [Unreleased]", "## Unreleased", "## [unreleased]  "])
def test_unreleased_heading_spellings(heading: str) -> None:
    text = f"# Changelog\n\n{heading}\n\n- Something.\n"
    out = roll(text)
    assert out == f"# Changelog\n\n{heading}\n\n## [1.4.0] - 2026-02-01\n\n- Something.\n"


def test_unreleased_heading_on_the_last_line_without_newline() -> None:
    out = roll("# Changelog\n\n## [Unreleased]", allow_empty=True)
    assert out == "# Changelog\n\n## [Unreleased]\n\n## [1.4.0] - 2026-02-01\n"


def test_last_entry_without_final_newline() -> None:
    out = roll("## [Unreleased]\n- Fix.")
    assert out == "## [Unreleased]\n\n## [1.4.0] - 2026-02-01\n- Fix."


def test_missing_unreleased_stops_the_release() -> None:
    text = BEFORE.replace("## [Unreleased]\n", "")
    with pytest.raises(ChangelogError) as caught:
        roll(text, path="docs/CHANGES.md")
    message = str(caught.value)
    assert "docs/CHANGES.md has no '## [Unreleased]' section" in message
    assert "\n" not in message and caught.value.fix


@pytest.mark.parametrize(
    "body",
    ["", "\n", "\n### Added\n\n### Fixed\n\n", "\n   \n\t\n"],
    ids=["nothing", "blank", "only-subheadings", "whitespace"],
)
def test_empty_unreleased_stops_the_release(body: str) -> None:
    text = f"# Changelog\n\n## [Unreleased]\n{body}## [1.3.0] - 2026-01-15\n\n- Old.\n"
    with pytest.raises(ChangelogError) as caught:
        roll(text)
    message = str(caught.value)
    assert "nothing under [Unreleased]" in message
    assert "--allow-empty-changelog" in message
    assert "\n" not in message


def test_allow_empty_writes_an_empty_dated_section() -> None:
    text = "# Changelog\n\n## [Unreleased]\n\n## [1.3.0] - 2026-01-15\n\n- Old.\n"
    out = roll(text, allow_empty=True)
    assert out == (
        "# Changelog\n\n## [Unreleased]\n\n## [1.4.0] - 2026-02-01\n\n"
        "## [1.3.0] - 2026-01-15\n\n- Old.\n"
    )


def test_skeleton_is_empty_until_entries_are_added() -> None:
    with pytest.raises(ChangelogError):
        roll(SKELETON)
    assert roll(SKELETON, allow_empty=True).endswith("## [Unreleased]\n\n## [1.4.0] - 2026-02-01\n")
    filled = SKELETON + "\n### Added\n\n- First feature.\n"
    assert notes(roll(filled), "1.4.0") == "### Added\n\n- First feature."


def test_existing_section_for_the_version_is_refused() -> None:
    with pytest.raises(ChangelogError) as caught:
        roll(BEFORE, "1.3.0")
    assert "already has a section for 1.3.0" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_similar_version_section_does_not_block() -> None:
    text = BEFORE.replace("## [1.3.0]", "## [1.4.0rc1]")
    out = roll(text)
    assert "## [1.4.0] - 2026-02-01\n" in out
    assert "## [1.4.0rc1] - 2026-01-15\n" in out


def test_unreleased_lists_its_entries() -> None:
    section = unreleased(BEFORE)
    assert section.entries == (
        "- A greeting that says hello.",
        "- The farewell no longer crashes.",
    )
    assert not section.empty


# --- release notes ---------------------------------------------------------------------------


def test_notes_of_the_released_version_are_its_entries() -> None:
    assert notes(AFTER, "1.4.0") == (
        "### Added\n\n- A greeting that says hello.\n\n"
        "### Fixed\n\n- The farewell no longer crashes."
    )


def test_notes_of_the_last_section_stop_before_the_links() -> None:
    assert notes(AFTER, "1.3.0") == "### Added\n\n- First public release."


def test_notes_use_lf_for_a_crlf_changelog() -> None:
    assert notes(AFTER.replace("\n", "\r\n"), "1.4.0") == notes(AFTER, "1.4.0")


def test_notes_for_a_heading_without_brackets() -> None:
    text = "# Changelog\n\n## 2.0.0 - 2026-03-01\n\n- Big.\n\n## 1.0.0\n\n- First.\n"
    assert notes(text, "2.0.0") == "- Big."
    assert notes(text, "1.0.0") == "- First."


def test_notes_do_not_mistake_a_prerelease_section_for_the_final_one() -> None:
    text = "## [1.4.0rc1] - 2026-01-01\n\n- Candidate.\n"
    with pytest.raises(ChangelogError) as caught:
        notes(text, "1.4.0")
    assert "no section for 1.4.0" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert notes(text, "1.4.0rc1") == "- Candidate."


def test_notes_of_an_unknown_version_name_the_file() -> None:
    with pytest.raises(ChangelogError) as caught:
        notes(AFTER, "9.9.9", path="HISTORY.md")
    assert "HISTORY.md has no section for 9.9.9" in str(caught.value)


# --- property: nothing but the release lines changes -----------------------------------------

VERSION = "7.7.7"
DATE = "2026-02-01"
TAG = "v7.7.7"
NEW_HEADING = f"## [{VERSION}] - {DATE}"

_LINES = st.one_of(
    st.sampled_from(
        [
            "",
            "# Changelog",
            "## [Unreleased]",
            "## Unreleased",
            "## [unreleased]",
            "## [1.3.0] - 2026-01-15",
            "## 1.2.0",
            f"## [{VERSION}] - 2020-01-01",
            "### Added",
            "### Fixed",
            "- An entry.",
            "* Another entry.",
            "  - nested",
            "##Unreleased",
            "#### [Unreleased]",
            "Some prose about [Unreleased] things.",
            f"[Unreleased]: {BASE}/compare/v1.3.0...HEAD",
            "[unreleased]: https://x.test/compare/1.3.0...HEAD",
            f"[1.3.0]: {BASE}/compare/v1.2.0...v1.3.0",
            "[Unreleased]: https://x.test/commits/main",
            "<!-- a comment -->",
            "```",
        ]
    ),
    st.text(max_size=30),
)


@st.composite
def changelog_texts(draw: st.DrawFn) -> str:
    lines = draw(st.lists(_LINES, max_size=25))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    end = draw(st.sampled_from(["", newline]))
    return newline.join(lines) + end


@settings(deadline=None, max_examples=300)
@given(text=changelog_texts(), allow_empty=st.booleans())
def test_release_changes_nothing_but_the_release_lines(text: str, allow_empty: bool) -> None:
    try:
        out = release(text, VERSION, DATE, tag=TAG, allow_empty=allow_empty)
    except ChangelogError as exc:
        assert "\n" not in str(exc)
        return
    original = text.splitlines()
    result = out.splitlines()

    # The dated heading appears once, after a blank line under the [Unreleased] heading.
    assert result.count(NEW_HEADING) == 1
    at = result.index(NEW_HEADING)
    assert result[at - 1] == ""
    assert re.match(r"^##[ \t]+\[?unreleased\]?[ \t]*$", result[at - 2], re.IGNORECASE)
    del result[at - 1 : at + 1]

    # At most one compare link moved to the new tag, with the version's link right below it.
    inserted = [i for i, line in enumerate(result) if line.startswith(f"[{VERSION}]: ")]
    assert len(inserted) <= 1
    if inserted:
        link = inserted[0] - 1
        assert result[link].lower().startswith("[unreleased]:")
        assert result[link].endswith(f"/compare/{TAG}...HEAD")
        assert result[inserted[0]].endswith(f"...{TAG}")
        old = original[link]
        assert old.lower().startswith("[unreleased]:") and old.rstrip().endswith("...HEAD")
        prev = old.rstrip().rsplit("/compare/", 1)[1].removesuffix("...HEAD")
        assert result[inserted[0]].endswith(f"/compare/{prev}...{TAG}")
        del result[inserted[0]]
        result[link] = old
    assert result == original

    if "\r\n" in text and "\n" not in text.replace("\r\n", ""):
        assert out.count("\n") == out.count("\r\n")


# The compare link is found by one search of the whole text (a long changelog has tens of
# thousands of lines above it): the same lines as asking each line, whatever the endings.
_PIECES = st.sampled_from(
    [
        "[Unreleased]: x",
        "[unreleased]: y",
        "[UNRELEASED]",
        "## [Unreleased]",
        " [Unreleased]: z",
        "[1.0.0]: w",
        "text",
        "",
    ]
)
_ENDINGS = st.sampled_from(["\n", "\r\n", "\r", "\x0c", ""])


@settings(deadline=None, max_examples=300)
@given(st.lists(st.tuples(_PIECES, _ENDINGS), max_size=12))
def test_link_candidates_are_the_lines_that_start_like_the_link(
    parts: list[tuple[str, str]],
) -> None:
    from releasekit.core import changelog

    lines = "".join(piece + ending for piece, ending in parts).splitlines(keepends=True)

    expected = [i for i, line in enumerate(lines) if line[:12].lower() == "[unreleased]"]
    assert changelog._link_candidates(lines) == expected
