"""The text changelog adapters: parse, roll, notes; every other byte (and CRLF) kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasekit.core.changelogs import TextChangelog, detect
from releasekit.core.changelogs.towncrier import Towncrier
from releasekit.core.config import Config
from releasekit.errors import ChangelogError

DATE = "2026-02-01"
MD = "# Changes\n\n## Unreleased\n\n- New thing.\n\n## 8.5.0 - 2025-01-01\n\n- Old.\n"
RST = (
    "Changes\n=======\n\nUnreleased\n----------\n\n- New thing.\n\n"
    "8.5.0 (2025-01-01)\n------------------\n\n- Old.\n"
)
PALLETS_RST = (
    "Version 8.6.0\n-------------\n\nUnreleased\n\n-   New thing.\n\n"
    "Version 8.5.0\n-------------\n\nReleased 2025-01-01\n\n-   Old.\n"
)
PALLETS_MD = (
    "## Version 8.6.0\n\nUnreleased\n\n- New thing.\n\n"
    "## Version 8.5.0\n\nReleased 2025-01-01\n\n- Old.\n"
)
KAC = "# Changelog\n\n## [Unreleased]\n\n- New thing.\n\n## [8.5.0] - 2025-01-01\n\n- Old.\n"


def roll(path: str, text: str, version: str = "8.6.0", **kwargs: bool) -> tuple[str, str]:
    rolled = TextChangelog(path).roll(
        {path: text.encode()}, version, DATE, tag=f"v{version}", allow_empty=False, **kwargs
    )
    return rolled.writes[path].decode(), rolled.notes


@pytest.mark.parametrize(
    ("path", "text", "kind"),
    [
        ("CHANGES.md", MD, "markdown with an Unreleased section"),
        ("CHANGES.rst", RST, "reStructuredText with an Unreleased section"),
        ("CHANGES.rst", PALLETS_RST, "pallets style (Version X, then Unreleased)"),
        ("CHANGES.md", PALLETS_MD, "pallets style (Version X, then Unreleased)"),
        ("CHANGELOG.md", KAC, "Keep a Changelog"),
    ],
)
def test_shape_and_pending(path: str, text: str, kind: str) -> None:
    adapter = TextChangelog(path)
    files = {path: text.encode()}
    assert adapter.describe(files) == kind
    pending = adapter.pending(files)
    assert [entry.replace("   ", " ") for entry in pending.entries] == ["- New thing."]
    empty = text.replace("-   New thing.\n\n", "").replace("- New thing.\n\n", "")
    assert adapter.pending({path: empty.encode()}).empty


def test_markdown_unreleased_roll_keeps_every_other_byte() -> None:
    out, notes = roll("CHANGES.md", MD)
    assert out == MD.replace("## Unreleased\n\n", f"## Unreleased\n\n## 8.6.0 - {DATE}\n\n")
    assert notes == "- New thing."
    assert TextChangelog("CHANGES.md").notes({"CHANGES.md": out.encode()}, "8.5.0") == "- Old."


def test_markdown_roll_keeps_the_projects_heading_style() -> None:
    text = MD.replace("## ", "### ").replace("8.5.0 - 2025-01-01", "8.5.0 (2025-01-01)")
    out, _ = roll("CHANGES.md", text)
    assert f"### Unreleased\n\n### 8.6.0 ({DATE})\n\n- New thing.\n" in out


def test_rst_roll_adds_an_underlined_title_below_a_fresh_unreleased() -> None:
    out, notes = roll("CHANGES.rst", RST)
    title = f"8.6.0 ({DATE})"
    expected = RST.replace(
        "Unreleased\n----------\n\n", f"Unreleased\n----------\n\n{title}\n{'-' * len(title)}\n\n"
    )
    assert out == expected
    assert notes == "- New thing."
    assert TextChangelog("CHANGES.rst").notes({"CHANGES.rst": out.encode()}, "8.5.0") == "- Old."


@pytest.mark.parametrize("char", ["=", "-", "~", "^"])
def test_rst_underline_chars_and_longer_underlines(char: str) -> None:
    text = f"Unreleased\n{char * 14}\n\n- Fix.\n"
    out, notes = roll("HISTORY.rst", text)
    assert out.startswith(f"Unreleased\n{char * 14}\n\n8.6.0 ({DATE})\n{char * 18}\n\n- Fix.\n")
    assert notes == "- Fix."


@pytest.mark.parametrize(
    ("path", "text"), [("CHANGES.rst", PALLETS_RST), ("CHANGES.md", PALLETS_MD)]
)
def test_pallets_roll_marks_the_version_released(path: str, text: str) -> None:
    out, notes = roll(path, text)
    assert out == text.replace("\nUnreleased\n", f"\nReleased {DATE}\n")
    assert notes.replace("   ", " ") == "- New thing."
    assert TextChangelog(path).notes({path: out.encode()}, "8.5.0").replace("   ", " ") == "- Old."


def test_pallets_heading_for_another_version_names_both() -> None:
    with pytest.raises(ChangelogError) as caught:
        roll("CHANGES.rst", PALLETS_RST, "9.0.0")
    assert "8.6.0" in str(caught.value) and "9.0.0" in str(caught.value)


@pytest.mark.parametrize(
    ("path", "text"),
    [("CHANGES.md", MD), ("CHANGES.rst", RST), ("CHANGES.rst", PALLETS_RST), ("X.md", KAC)],
)
def test_crlf_is_kept(path: str, text: str) -> None:
    crlf = text.replace("\n", "\r\n")
    out, notes = roll(path, crlf)
    lf, lf_notes = roll(path, text)
    assert out == lf.replace("\n", "\r\n")
    assert notes == lf_notes


@pytest.mark.parametrize(("path", "text"), [("CHANGES.md", MD), ("CHANGES.rst", RST)])
def test_empty_unreleased_is_refused_unless_allowed(path: str, text: str) -> None:
    empty = text.replace("- New thing.\n\n", "")
    with pytest.raises(ChangelogError, match="nothing under Unreleased"):
        roll(path, empty)
    rolled = TextChangelog(path).roll(
        {path: empty.encode()}, "8.6.0", DATE, tag="v8.6.0", allow_empty=True
    )
    assert rolled.notes == ""


def test_rst_without_unreleased_title_is_explained() -> None:
    with pytest.raises(ChangelogError, match="no 'Unreleased' section"):
        roll("CHANGES.rst", "Changes\n=======\n\n1.0 (2020-01-01)\n----------------\n")


def test_already_released_version_is_refused() -> None:
    with pytest.raises(ChangelogError, match=r"already has a section for 8\.5\.0"):
        roll("CHANGES.md", MD, "8.5.0")


def test_keep_a_changelog_is_unchanged() -> None:
    out, notes = roll("CHANGELOG.md", KAC)
    assert f"## [Unreleased]\n\n## [8.6.0] - {DATE}\n\n- New thing.\n" in out
    assert notes == "- New thing."


# -- detection ---------------------------------------------------------------------------


def _data(extra: dict[str, object] | None = None) -> dict[str, object]:
    return {"project": {"name": "demo"}, "tool": extra or {}}


def test_detection_takes_the_first_usual_file_that_exists(tmp_path: Path) -> None:
    (tmp_path / "HISTORY.rst").write_text(RST)
    (tmp_path / "NEWS.md").write_text(MD)
    found = detect(tmp_path, _data(), Config(), "demo")
    assert found.paths == ("HISTORY.rst",)
    (tmp_path / "CHANGES.md").write_text(MD)
    assert detect(tmp_path, _data(), Config(), "demo").paths == ("CHANGES.md",)


def test_configured_changelog_wins(tmp_path: Path) -> None:
    (tmp_path / "CHANGES.md").write_text(MD)
    data = _data({"releasekit": {"changelog": "docs/changes.rst"}})
    found = detect(tmp_path, data, Config(changelog="docs/changes.rst"), "demo")
    assert found.paths == ("docs/changes.rst",)
    none = _data({"releasekit": {"changelog": "none"}})
    assert detect(tmp_path, none, Config(changelog="none"), "demo").paths == ()


def test_towncrier_is_detected_with_its_fragments(tmp_path: Path) -> None:
    (tmp_path / "CHANGELOG.md").write_text(KAC)
    (tmp_path / "changes").mkdir()
    (tmp_path / "changes" / "1.feature.md").write_text("New.\n")
    (tmp_path / "changes" / ".gitignore").write_text("!.gitignore\n")
    data = _data({"towncrier": {"directory": "changes", "filename": "NEWS.md"}})
    found = detect(tmp_path, data, Config(), "demo")
    assert isinstance(found, Towncrier)
    assert found.paths == ("NEWS.md",)
    assert found.pending({}).entries == ("changes/1.feature.md",)
    (tmp_path / "towncrier.toml").write_text('[tool.towncrier]\nfilename = "CHANGES.rst"\n')
    other = detect(tmp_path, _data(), Config(), "demo")
    assert isinstance(other, Towncrier)
    assert other.paths == ("CHANGES.rst",)
    assert other.directory == "demo/newsfragments"
