"""Edges of the version arithmetic, the plan's version and file steps, and the changelog
adapters (text, towncrier, none): the versions computed, the refusals with their fixes, the
bytes a roll writes and the notes it reads."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from itertools import product
from pathlib import Path

import pytest
from packaging.version import Version
from test_plan import make_project

from releasekit.core import changelog as kac
from releasekit.core.changelogs import Removed, Rolled, TextChangelog
from releasekit.core.changelogs import towncrier as tc
from releasekit.core.changelogs.commits import NoChangelog
from releasekit.core.changelogs.fill import inject
from releasekit.core.changelogs.text import shape
from releasekit.core.config import Config, parse_toml
from releasekit.core.plan import (
    DeleteFile,
    Options,
    current_version,
    deletions,
    edits,
    next_version,
)
from releasekit.core.snapshot import Project
from releasekit.core.sources import Location, replace
from releasekit.core.version import bump, canonical, check_releasable, explicit
from releasekit.errors import ChangelogError, VersionError

DATE = "2026-02-01"
PRE = {"alpha": "a", "beta": "b", "rc": "rc"}
PARTS = ("major", "minor", "patch")
# MAJOR.MINOR.PATCH shapes that matter to a part: x.0.0, x.y.0 and x.y.z.
RELEASES = ((2, 0, 0), (2, 3, 0), (2, 3, 4), (0, 0, 1), (0, 1, 0))


def bumped(numbers: tuple[int, int, int], part: str) -> tuple[int, int, int]:
    major, minor, patch = numbers
    return {
        "major": (major + 1, 0, 0),
        "minor": (major, minor + 1, 0),
        "patch": (major, minor, patch + 1),
    }[part]


def text_of(numbers: tuple[int, ...]) -> str:
    return ".".join(map(str, numbers))


# --- version.py: bump -------------------------------------------------------------------------


@pytest.mark.parametrize(("part", "token"), list(product(PARTS, PRE.values())))
def test_a_part_finalises_exactly_the_pre_releases_of_its_own_release(
    part: str, token: str
) -> None:
    """From a pre-release of any kind: --part finalises when the pre-release is already of
    that part's release (X.0.0 for major, X.Y.0 for minor, any for patch), else it moves on."""
    for numbers in RELEASES:
        current = Version(f"{text_of(numbers)}{token}2")
        _, minor, patch = numbers
        own = {"major": minor == patch == 0, "minor": patch == 0, "patch": True}[part]
        expected = numbers if own else bumped(numbers, part)
        assert bump(current, part) == Version(text_of(expected)), (current, part)  # type: ignore[arg-type]


@pytest.mark.parametrize(("part", "pre"), list(product(PARTS, PRE)))
def test_a_part_with_pre_starts_the_first_pre_release_of_the_next_release(
    part: str, pre: str
) -> None:
    """From a final release or any pre-release: the part moves on, then `<pre>1`."""
    for numbers, was in product(RELEASES, ("", "a3", "b1", "rc2")):
        current = Version(f"{text_of(numbers)}{was}")
        new = bump(current, part, pre)  # type: ignore[arg-type]
        assert canonical(new) == f"{text_of(bumped(numbers, part))}{PRE[pre]}1", (current, part)


@pytest.mark.parametrize(
    "current", ["1.4.0.dev1", "1.4.0.post1", "1.4.0rc1.dev2", "1.4.0rc1.post1", "1.4.0a1.dev0"]
)
def test_release_of_a_dev_or_post_release_says_to_set_the_version(current: str) -> None:
    with pytest.raises(VersionError) as caught:
        bump(Version(current), "release")
    assert caught.value.cause == f"{current} is a dev or post release, not an alpha, beta or rc"
    assert caught.value.fix == "set the version with --new-version"


def test_part_auto_is_refused_here_with_the_command_that_reads_the_commits() -> None:
    with pytest.raises(VersionError) as caught:
        bump(Version("1.3.0"), "auto")
    assert caught.value.cause == (
        "--part auto is decided by the commits since the last tag, not here"
    )
    assert caught.value.fix == "release with `releasekit release --part auto`, which reads them"


# --- version.py: check_new, check_releasable ---------------------------------------------------


@pytest.mark.parametrize(
    ("current", "lower"),
    [("1.3.0", "1.2.9"), ("1.3.0", "1.3.0rc1"), ("1.4.0rc2", "1.4.0b5"), ("2.0.0", "1.99.99")],
)
def test_a_lower_version_is_refused_naming_both(current: str, lower: str) -> None:
    with pytest.raises(VersionError) as caught:
        explicit(Version(current), lower)
    assert caught.value.cause == f"{lower} is lower than the current version {current}"
    assert caught.value.fix == "versions only go up: choose a higher one"


@pytest.mark.parametrize(
    ("written", "local"),
    [("1.4.0+x", "x"), ("1.4.0+Build.5", "build.5"), ("v1.4.0+g1234", "g1234")],
)
def test_a_local_version_is_refused_as_written_with_its_fix(written: str, local: str) -> None:
    for refuse in (
        lambda: explicit(Version("1.3.0"), written),
        lambda: check_releasable(Version(written), written),
    ):
        with pytest.raises(VersionError) as caught:
            refuse()
        assert caught.value.cause == (
            f"{written} has a local part (+{local}); package indexes refuse it"
        )
        assert caught.value.fix == "drop the +... suffix"


@pytest.mark.parametrize(
    "written", ["1.4.0-post.1", "1.4.0-1", "1.4.0-dev.3", "v1.4.0.DEV1", "1!2.0.0-rc.1", "v1.4.0.0"]
)
def test_every_refused_new_version_is_named_as_the_user_wrote_it(written: str) -> None:
    """However the refusal is worded, it starts with the user's own spelling, not the
    canonical one (which the user never typed)."""
    assert canonical(Version(written)) != written
    with pytest.raises(VersionError) as caught:
        explicit(Version("1.3.0"), written)
    assert caught.value.cause.startswith(f"{written} ")


# --- plan.py -----------------------------------------------------------------------------------


def tag_versioned() -> Project:
    project: Project = make_project((), tag_only=True, config=Config(tag_format="pkg-v{version}"))
    return project


def test_first_release_when_a_release_tag_exists_names_the_tag() -> None:
    with pytest.raises(VersionError) as caught:
        current_version(tag_versioned(), ["pkg-v1.2.0", "pkg-v1.3.0"], first=True)
    assert caught.value.cause == "--first-release, but pkg-v1.3.0 is released already"
    assert caught.value.fix == "leave out --first-release"


def test_the_suggested_tag_format_follows_the_numerically_newest_tag() -> None:
    """A project that switched tag names: the newest by number sets the suggestion, even
    where it is not the last one by text."""
    tags = ["version-1.9.0", "release-2.0.0", "version-1.10.0"]
    with pytest.raises(VersionError) as caught:
        current_version(tag_versioned(), tags)
    assert caught.value.fix == (
        'set [tool.releasekit] tag-format = "release-{version}" in pyproject.toml'
    )


def test_new_version_with_part_or_pre_says_to_give_one() -> None:
    for options in (
        Options(new_version="2.0.0", part="minor"),
        Options(new_version="2.0.0", pre="rc"),
    ):
        with pytest.raises(VersionError) as caught:
            next_version(Version("1.3.0"), options)
        assert caught.value.cause == "--new-version excludes --part and --pre"
        assert caught.value.fix == "give one or the other"


def test_deletions_keep_what_undo_puts_back() -> None:
    removed = (
        Removed("changes/1.feature.md", b"New.\n", 0o600),
        Removed("changes/2.bugfix.md", b"Fixed.\r\n", 0o755),
    )
    rolled = Rolled({"NEWS.md": b"x"}, "notes", removed)
    assert deletions(rolled) == [
        DeleteFile("changes/1.feature.md", b"New.\n", 0o600),
        DeleteFile("changes/2.bugfix.md", b"Fixed.\r\n", 0o755),
    ]
    assert deletions(ChangelogError("x")) == [] and deletions(None) == []


def test_edits_without_the_changelog_write_only_the_version_files() -> None:
    project = make_project()
    writes, problems = edits(
        project, "1.4.0", date=DATE, tag="v1.4.0", allow_empty=False, roll_changelog=False
    )
    assert problems == []
    assert [write.path for write in writes] == ["pyproject.toml", "src/sample_pkg/__init__.py"]
    # A changelog rolled elsewhere is not written either when the roll is off.
    rolled = Rolled({"CHANGELOG.md": b"rolled\n"}, "notes")
    writes, _ = edits(
        project,
        "1.4.0",
        date=DATE,
        tag="v1.4.0",
        allow_empty=False,
        roll_changelog=False,
        rolled=rolled,
    )
    assert "CHANGELOG.md" not in [write.path for write in writes]


# --- sources.py --------------------------------------------------------------------------------


def test_cargo_lock_moves_the_crate_named_exactly_not_its_underscore_twin() -> None:
    """Cargo crate names are compared as written: my_crate is another crate than my-crate."""
    lock = (
        "version = 3\n\n"
        '[[package]]\nname = "my_crate"\nversion = "1.3.0"\n\n'
        '[[package]]\nname = "my-crate"\nversion = "1.3.0"\n'
    )
    location = Location("Cargo.lock", "cargolock", "1.3.0", "my-crate")
    assert replace(lock, location, "1.4.0") == lock.replace(
        'name = "my-crate"\nversion = "1.3.0"', 'name = "my-crate"\nversion = "1.4.0"'
    )


# --- changelog.py (Keep a Changelog) -----------------------------------------------------------


def test_compare_links_name_the_tag_of_the_release() -> None:
    text = (
        "# Changelog\n\n## [Unreleased]\n\n- New.\n\n## [1.3.0] - 2025-01-01\n\n- Old.\n\n"
        "[Unreleased]: https://x.test/compare/pkg-v1.3.0...HEAD\n"
    )
    out = kac.release(text, "1.4.0", DATE, tag="pkg-v1.4.0")
    assert out.endswith(
        "[Unreleased]: https://x.test/compare/pkg-v1.4.0...HEAD\n"
        "[1.4.0]: https://x.test/compare/pkg-v1.3.0...pkg-v1.4.0\n"
    )


# --- changelogs/text.py ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (
            "CHANGES.md",
            "# Changes\n\nEvery change, newest first.\n\n## Unreleased\n\n{entry}"
            "## 1.3.0 - 2025-01-01\n\n- Old.\n",
        ),
        (
            "CHANGES.rst",
            "Changes\n=======\n\nEvery change, newest first.\n\nUnreleased\n----------\n\n{entry}"
            "1.3.0 (2025-01-01)\n------------------\n\n- Old.\n",
        ),
    ],
)
def test_the_text_above_unreleased_is_not_an_entry(path: str, text: str) -> None:
    adapter = TextChangelog(path)
    full = {path: text.format(entry="- New.\n\n").encode()}
    empty = {path: text.format(entry="").encode()}
    assert adapter.pending(full).entries == ("- New.",)
    assert adapter.pending(empty).empty
    with pytest.raises(ChangelogError, match="nothing under Unreleased"):
        adapter.roll(empty, "1.4.0", DATE, tag="v1.4.0", allow_empty=False)


@pytest.mark.parametrize(
    "text",
    [
        # A released version heading, and an empty one: neither is a pallets Unreleased.
        "Version 1.3.0\n-------------\n\nReleased 2025-01-01\n\n- Old.\n",
        "Version 1.4.0\n-------------\n\nVersion 1.3.0\n-------------\n\nReleased 2025-01-01\n",
        "Changes\n=======\n\n1.3.0 (2025-01-01)\n------------------\n\n- Old.\n",
    ],
)
def test_rst_without_an_unreleased_section_says_how_to_add_one(text: str) -> None:
    with pytest.raises(ChangelogError) as caught:
        shape(text, "CHANGES.rst")
    assert caught.value.cause == "CHANGES.rst has no 'Unreleased' section"
    assert caught.value.fix == (
        "add an 'Unreleased' title (underlined) above the latest release and list the "
        "changes under it"
    )


def test_a_keep_a_changelog_file_under_another_name_is_named_in_refusals() -> None:
    text = "# Changelog\n\n## [Unreleased]\n\n## [1.3.0] - 2025-01-01\n\n- Old.\n"
    with pytest.raises(ChangelogError) as caught:
        TextChangelog("docs/CHANGES.md").roll(
            {"docs/CHANGES.md": text.encode()}, "1.4.0", DATE, tag="v1.4.0", allow_empty=False
        )
    assert caught.value.cause == "docs/CHANGES.md has nothing under [Unreleased]"


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("# Changes\n\n## 1.3.0 - 2025-01-01\n\n- Old.\n", "plain markdown"),
        ("# Changelog\n\n## [1.3.0] - 2025-01-01\n\n- Old.\n", "Keep a Changelog"),
    ],
)
def test_notes_of_a_missing_markdown_section_name_the_file(text: str, hint: str) -> None:
    with pytest.raises(ChangelogError) as caught:
        TextChangelog("HISTORY.md").notes({"HISTORY.md": text.encode()}, "9.9.9")
    assert caught.value.cause == "HISTORY.md has no section for 9.9.9", hint


def test_rst_notes_are_read_as_rst_even_when_the_intro_links_keep_a_changelog() -> None:
    text = (
        "Changes\n=======\n\nThe format follows https://keepachangelog.com/en/1.1.0/.\n\n"
        "Unreleased\n----------\n\n1.3.0 (2025-01-01)\n------------------\n\n- Old.\n"
    )
    adapter = TextChangelog("CHANGES.rst")
    files = {"CHANGES.rst": text.encode()}
    assert adapter.notes(files, "1.3.0") == "- Old."
    with pytest.raises(ChangelogError) as caught:
        adapter.notes(files, "9.9.9")
    assert caught.value.cause == "CHANGES.rst has no section for 9.9.9"
    assert caught.value.fix == "add a '9.9.9 (YYYY-MM-DD)' title with notes"


@pytest.mark.parametrize(("indent", "nl"), list(product(["", "  ", "\t"], ["\n", "\r\n"])))
def test_pallets_roll_rewrites_only_the_marker_keeping_its_indent_and_ending(
    indent: str, nl: str
) -> None:
    text = (
        f"Version 1.4.0{nl}-------------{nl}{nl}{indent}Unreleased{nl}{nl}-   New.{nl}{nl}"
        f"Version 1.3.0{nl}-------------{nl}{nl}{indent}Released 2025-01-01{nl}{nl}-   Old.{nl}"
    )
    rolled = TextChangelog("CHANGES.rst").roll(
        {"CHANGES.rst": text.encode()}, "1.4.0", DATE, tag="v1.4.0", allow_empty=False
    )
    out = rolled.writes["CHANGES.rst"].decode()
    assert out == text.replace(f"{indent}Unreleased{nl}", f"{indent}Released {DATE}{nl}")
    assert rolled.notes == "-   New."


# --- changelogs/fill.py ------------------------------------------------------------------------


@pytest.mark.parametrize("nl", ["\n", "\r\n"])
def test_entries_fill_the_empty_pallets_section_right_below_its_marker(nl: str) -> None:
    head = f"Version 1.4.0{nl}-------------{nl}{nl}Unreleased{nl}"
    rest = f"Version 1.3.0{nl}-------------{nl}{nl}Released 2025-01-01{nl}{nl}-   Old.{nl}"
    out = inject(f"{head}{nl}{rest}", "CHANGES.rst", {"Fixed": ["The crash."]})
    assert out == f"{head}{nl}- The crash.{nl}{nl}{rest}"


# --- changelogs/commits.py (changelog = "none") ------------------------------------------------


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def commit(root: Path, subject: str) -> None:
    git(root, "commit", "-q", "--allow-empty", "-m", subject)


def test_notes_without_a_changelog_are_the_subjects_between_the_versions_tags(
    tmp_path: Path,
) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    commit(tmp_path, "Add the greeting")
    commit(tmp_path, "chore(release): Bump version to v1.0.0")
    git(tmp_path, "tag", "v1.0.0")
    commit(tmp_path, "Fix the crash")
    commit(tmp_path, "Document the options")
    commit(tmp_path, "chore(release): Bump version to v1.1.0")
    git(tmp_path, "tag", "v1.1.0")
    commit(tmp_path, "Work after the release")
    changelog = NoChangelog(tmp_path, "v{version}", "chore(release): Bump version to {tag}")
    # Newest first; up to the tagged commit (excluded), from the previous tag (excluded).
    assert changelog.notes({}, "1.1.0") == "- Document the options\n- Fix the crash"
    assert changelog.notes({}, "1.0.0") == "- Add the greeting"
    # Spelled another way, the version still finds its tag.
    assert changelog.notes({}, "1.1") == "- Document the options\n- Fix the crash"
    # A version not tagged yet: what is unreleased.
    assert changelog.notes({}, "1.2.0") == "- Work after the release"


# --- changelogs/towncrier.py -------------------------------------------------------------------

BULLETS = (
    "{% for section, _ in sections.items() %}"
    "{% for category, val in definitions.items() if category in sections[section] %}"
    "{% for text, values in sections[section][category].items() %}- {{ text }}\n"
    "{% endfor %}{% endfor %}{% endfor %}\n"
)


def towncrier_project(root: Path, settings: str, template: str = BULLETS) -> tc.Towncrier:
    """A project whose template and fragments live in changes/, its news file two folders
    down (docs/history/), neither of which the temporary copy has yet."""
    (root / "changes").mkdir(parents=True)
    (root / "docs" / "history").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "sample-pkg"\nversion = "1.3.0"\n\n[tool.towncrier]\n'
        'directory = "changes"\nfilename = "docs/history/NEWS.md"\n'
        f'template = "changes/template.md"\n{settings}'
    )
    (root / "changes" / "template.md").write_text(template)
    (root / "changes" / "12.bugfix.md").write_text("Fixed the crash.\n")
    (root / "docs" / "history" / "NEWS.md").write_text(
        "# News\n\n<!-- towncrier release notes start -->\n\n"
        "## Pretty Tools 1.3.0 (2025-01-01)\n\n- Old.\n"
    )
    data = parse_toml((root / "pyproject.toml").read_text()) or {}
    found = tc.find(root, data, "sample-pkg")
    assert found is not None
    return found


def news(found: tc.Towncrier) -> dict[str, bytes]:
    return {found.filename: (found.root / found.filename).read_bytes()}


def test_towncrier_roll_with_its_template_among_the_fragments(tmp_path: Path) -> None:
    found = towncrier_project(
        tmp_path,
        'name = "Pretty Tools"\ntitle_format = "## {name} {version} ({project_date})"\n',
    )
    # The template sits in the fragments folder: it is no fragment, and it stays.
    assert found.pending({}).entries == ("changes/12.bugfix.md",)
    rolled = found.roll(news(found), "1.4.0", DATE, tag="v1.4.0", allow_empty=False)
    after = rolled.writes["docs/history/NEWS.md"].decode()
    # towncrier's own `name` setting titles the section, not the package name.
    assert f"\n## Pretty Tools 1.4.0 ({DATE})\n- Fixed the crash.\n" in after
    assert rolled.notes == "- Fixed the crash."
    assert [gone.path for gone in rolled.removed] == ["changes/12.bugfix.md"]


def test_towncrier_section_of_one_untitled_line_is_the_whole_notes(tmp_path: Path) -> None:
    found = towncrier_project(tmp_path, "title_format = false\n")
    rolled = found.roll(news(found), "1.4.0", DATE, tag="v1.4.0", allow_empty=False)
    assert rolled.notes == "- Fixed the crash."


def test_a_failing_towncrier_keeps_its_output_for_verbose(tmp_path: Path) -> None:
    found = towncrier_project(tmp_path, "", template="{% for x in %}\n")
    with pytest.raises(ChangelogError) as caught:
        found.roll(news(found), "1.4.0", DATE, tag="v1.4.0", allow_empty=False)
    assert "TemplateSyntaxError" in caught.value.cause
    assert "releasekit-towncrier-" not in caught.value.cause  # the temporary copy is "."
    assert "Traceback (most recent call last)" in caught.value.output
    assert caught.value.fix == "run `towncrier build --draft` to see why, fix it, then re-run"


def test_a_missing_news_file_is_named(tmp_path: Path) -> None:
    found = towncrier_project(tmp_path, "")
    with pytest.raises(ChangelogError) as caught:
        found.roll({}, "1.4.0", DATE, tag="v1.4.0", allow_empty=False)
    assert caught.value.cause == "docs/history/NEWS.md (towncrier's news file) does not exist"


@pytest.mark.parametrize(
    ("template", "ignored"),
    [("changes/notes.jinja", "notes.jinja"), ("mypkg:templates/Towncrier.MD", "towncrier.md")],
)
def test_the_template_file_is_never_a_pending_fragment(
    tmp_path: Path, template: str, ignored: str
) -> None:
    fragments = tuple(
        Removed(f"changes/{name}", b"x\n") for name in ("1.feature.md", ignored, "README")
    )
    found = tc.Towncrier(
        tmp_path, "pyproject.toml", {"directory": "changes", "template": template}, "p", fragments
    )
    assert found.pending({}).entries == ("changes/1.feature.md",)


@pytest.mark.parametrize(
    ("before", "added", "after"),
    [
        # A section that repeats the lines around it is still found whole.
        ("- Fixed the crash.\n", "- Fixed the crash.", "- Fixed the crash.\n- Fixed the crash.\n"),
        ("a\nb\n", "a\nb", "a\nb\na\nb\n"),
        # Only the blank lines around it go: indentation and trailing spaces stay.
        (
            "Title\n\nold\n",
            "    indented\n  trailing  ",
            "Title\n\n\n    indented\n  trailing  \n\nold\n",
        ),
    ],
)
def test_the_text_towncrier_added_is_found_exactly(before: str, added: str, after: str) -> None:
    assert tc._inserted(before.encode(), after.encode()) == added


def test_towncrier_found_beside_python_only_when_it_is_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    assert tc._towncrier() == "towncrier"  # left to PATH: "not installed" names it plainly
    (tmp_path / "towncrier").write_text("")
    assert tc._towncrier() == str(tmp_path / "towncrier")


def test_towncrier_toml_is_read_as_utf8_whatever_the_platform_encoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "towncrier.toml").write_text(
        '[tool.towncrier]\nname = "Café Tools"\nfilename = "NEWS.rst"\n', encoding="utf-8"
    )
    # As on Windows: text opened without an encoding is read as cp1252.
    monkeypatch.setattr(io, "text_encoding", lambda encoding, *_: encoding or "cp1252")
    found = tc.find(tmp_path, {}, "cafe")
    assert found is not None
    assert found.settings["name"] == "Café Tools"
