"""The heading a release adds to a text changelog follows the project's own latest heading,
and a changelog that ends right at its Unreleased heading still gets a well-formed file."""

from __future__ import annotations

import pytest

from releasekit.core.changelogs import TextChangelog

DATE = "2026-02-01"


def rolled(text: str, *, path: str = "CHANGES.md", allow_empty: bool = False) -> str:
    result = TextChangelog(path).roll(
        {path: text.encode()}, "8.6.0", DATE, tag="v8.6.0", allow_empty=allow_empty
    )
    return result.writes[path].decode()


@pytest.mark.parametrize(
    ("previous", "new"),
    [
        ("8.5.0 (2025-01-01)", "8.6.0 (2026-02-01)"),
        ("v8.5.0 (2025-01-01)", "v8.6.0 (2026-02-01)"),
        ("v8.5.0 - 2025-01-01", "v8.6.0 - 2026-02-01"),
        ("v8.5.0", "v8.6.0 - 2026-02-01"),
        ("8.5.0 - 2025-01-01", "8.6.0 - 2026-02-01"),
        ("Old times", "8.6.0 - 2026-02-01"),
    ],
)
def test_the_new_heading_copies_the_style_of_the_latest_release(previous: str, new: str) -> None:
    text = f"# Changes\n\n## Unreleased\n\n- New thing.\n\n## {previous}\n\n- Old.\n"
    assert rolled(text) == (
        f"# Changes\n\n## Unreleased\n\n## {new}\n\n- New thing.\n\n## {previous}\n\n- Old.\n"
    )


def test_only_headings_of_the_same_level_set_the_style() -> None:
    text = (
        "# Changes\n\n## Unreleased\n\n### v1 (2025-01-01) notes\n\n- New.\n\n"
        "## 8.5.0 - 2025-01-01\n"
    )
    assert "\n## 8.6.0 - 2026-02-01\n" in rolled(text)


@pytest.mark.parametrize("nl", ["\n", "\r\n"])
def test_a_changelog_ending_at_its_unreleased_heading(nl: str) -> None:
    # The Unreleased heading is the file's last line, with no line end after it.
    text = f"# Changes{nl}{nl}## Unreleased"
    assert (
        rolled(text, allow_empty=True)
        == f"# Changes{nl}{nl}## Unreleased{nl}{nl}## 8.6.0 - 2026-02-01{nl}"
    )
