"""Mutation survivors of the second draw: a workspace member's towncrier and text changelogs
seen from the root, towncrier's own titles and templates and its missing news file, rst
headings in CHANGES.txt, and apply's messages (a moved HEAD, a bare OSError, a held lock)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SampleRepo
from test_apply import plan_minor

from releasekit.core import apply as apply_mod
from releasekit.core.changelogs import Removed, TextChangelog
from releasekit.core.changelogs import towncrier as tc
from releasekit.core.changelogs.inside import Inside
from releasekit.core.plan import Build, Commit, WriteFile
from releasekit.errors import ChangelogError, ReleaseError
from releasekit.system.record import replace

DATE = "2030-01-02"
MEMBER = "packages/alpha-kit/"
AGAIN = "the repository is as it was: fix the cause and run the same command again"

# --- changelogs/inside.py: a member's changelog, paths seen from the root ------------------------


def test_a_member_reads_its_own_changelog_not_the_root_one() -> None:
    files = {
        "CHANGELOG.md": b"# Changelog\n\n## Unreleased\n\n- Root change.\n",
        f"{MEMBER}CHANGELOG.md": b"# Changelog\n\n## Unreleased\n\n- Alpha change.\n",
    }
    member = Inside(TextChangelog("CHANGELOG.md"), MEMBER)

    assert member.paths == (f"{MEMBER}CHANGELOG.md",)
    assert member.pending(files).entries == ("- Alpha change.",)
    rolled = member.roll(files, "1.4.0", DATE, tag="alpha-kit-v1.4.0", allow_empty=False)
    assert list(rolled.writes) == [f"{MEMBER}CHANGELOG.md"]
    assert rolled.notes == "- Alpha change."


def towncrier_member(root: Path, settings: dict[str, object]) -> tc.Towncrier:
    """A member folder with its towncrier config in pyproject.toml, as `find` reads it."""
    lines = [f"{key} = {value!r}".replace("'", '"') for key, value in settings.items()]
    (root / "pyproject.toml").write_text("[tool.towncrier]\n" + "\n".join(lines) + "\n")
    found = tc.find(root, {"tool": {"towncrier": settings}}, "alpha-kit")
    assert found is not None
    return found


def test_a_member_towncrier_roll_deletes_its_fragments_by_their_paths_from_the_root(
    tmp_path: Path,
) -> None:
    """An rst news file: towncrier's underlined title stays out of the notes; the fragments
    the roll consumes are named from the root, with the bytes and mode undo puts back."""
    fragment = tmp_path / "changes" / "7.feature.rst"
    fragment.parent.mkdir()
    fragment.write_bytes(b"Support the new option.\n")
    fragment.chmod(0o600)
    (tmp_path / "NEWS.rst").write_bytes(b"")
    found = towncrier_member(tmp_path, {"directory": "changes", "filename": "NEWS.rst"})
    member = Inside(found, MEMBER)

    rolled = member.roll(
        {f"{MEMBER}NEWS.rst": b""}, "1.4.0", DATE, tag="alpha-kit-v1.4.0", allow_empty=False
    )

    assert rolled.removed == (
        Removed(f"{MEMBER}changes/7.feature.rst", b"Support the new option.\n", 0o600),
    )
    news = rolled.writes[f"{MEMBER}NEWS.rst"].decode()
    title, underline, section = news.split("\n", 2)
    assert title == f"alpha-kit 1.4.0 ({DATE})"
    assert set(underline) == {"="}
    assert "Support the new option." in rolled.notes
    assert rolled.notes == section.strip("\n")  # all towncrier wrote, but its title


# --- changelogs/towncrier.py --------------------------------------------------------------------


def test_a_custom_template_beside_the_config_is_the_one_towncrier_renders(
    tmp_path: Path,
) -> None:
    template = "{% for section, _ in sections.items() %}{% for category in sections[section] %}"
    template += "Our own {{ definitions[category]['name'] }}:\n"
    template += "{% for text in sections[section][category] %}* {{ text }}\n{% endfor %}"
    template += "{% endfor %}{% endfor %}"
    (tmp_path / "news_template.md.jinja").write_text(template)
    (tmp_path / "changes").mkdir()
    (tmp_path / "changes" / "3.bugfix.md").write_text("Fixed the crash.\n")
    (tmp_path / "NEWS.md").write_bytes(b"")
    settings = {"directory": "changes", "filename": "NEWS.md", "template": "news_template.md.jinja"}
    found = towncrier_member(tmp_path, settings)

    rolled = found.roll({"NEWS.md": b""}, "1.4.0", DATE, tag="v1.4.0", allow_empty=False)

    assert "Our own Bugfixes:\n* Fixed the crash." in rolled.writes["NEWS.md"].decode()
    assert "Our own Bugfixes:" in rolled.notes


def test_a_missing_news_file_is_refused_with_how_to_make_it(tmp_path: Path) -> None:
    fragments = (Removed("changes/7.feature.md", b"New.\n"),)
    settings = {"directory": "changes", "filename": "NEWS.md"}
    found = tc.Towncrier(tmp_path, "pyproject.toml", settings, "p", fragments)

    with pytest.raises(ChangelogError) as caught:
        found.roll({}, "1.4.0", DATE, tag="v1.4.0", allow_empty=False)

    assert str(caught.value) == (
        "NEWS.md (towncrier's news file) does not exist; "
        "create it (it may be empty), commit it, then re-run"
    )


# --- changelogs/text.py: reStructuredText headings ----------------------------------------------

RST = """\
Changes
=======

Unreleased
----------

- Added the --quiet option.

{version} ({date})
{under}

- Fixed the crash.
"""


def rst_changes(version: str) -> bytes:
    title = f"{version} (2029-05-01)"
    return RST.format(version=version, date="2029-05-01", under="-" * len(title)).encode()


@pytest.mark.parametrize("path", ["CHANGES.txt", "CHANGES.rst"])
def test_a_txt_changelog_is_read_as_restructured_text(path: str) -> None:
    """CHANGES.txt with underlined titles: its notes, and the release heading it gets."""
    files = {path: rst_changes("1.3.0")}
    changelog = TextChangelog(path)

    assert changelog.notes(files, "1.3.0") == "- Fixed the crash."
    rolled = changelog.roll(files, "1.4.0", DATE, tag="v1.4.0", allow_empty=False)
    after = rolled.writes[path].decode()
    assert f"Unreleased\n----------\n\n1.4.0 ({DATE})\n------------------\n\n- Added" in after
    assert rolled.notes == "- Added the --quiet option."


def test_an_rst_heading_whose_second_character_is_a_space_is_still_a_heading() -> None:
    """Version `2`: the title `2 (date)` has a space right after its first character."""
    files = {"CHANGES.rst": rst_changes("2")}
    changelog = TextChangelog("CHANGES.rst")

    assert changelog.notes(files, "2") == "- Fixed the crash."
    with pytest.raises(ChangelogError) as caught:
        changelog.roll(files, "2", DATE, tag="v2", allow_empty=False)
    assert str(caught.value) == (
        "CHANGES.rst already has a section for 2; remove it or choose another version"
    )


def test_an_indented_line_above_an_underline_is_no_rst_heading() -> None:
    """A list item's indented continuation, then a transition line: no section `1.3.0`."""
    text = "Unreleased\n==========\n\n- New.\n\n- Old notes\n 1.3.0\n------\n"
    with pytest.raises(ChangelogError) as caught:
        TextChangelog("CHANGES.rst").notes({"CHANGES.rst": text.encode()}, "1.3.0")
    assert str(caught.value) == (
        "CHANGES.rst has no section for 1.3.0; add a '1.3.0 (YYYY-MM-DD)' title with notes"
    )


# --- core/apply.py: messages --------------------------------------------------------------------


def test_an_os_error_without_strerror_is_reported_by_its_message(repo: SampleRepo) -> None:
    build = Build("1.4.0")
    plan = plan_minor(repo)

    def lost(step: object) -> None:
        raise OSError("the backend left no wheel in dist/")

    with pytest.raises(ReleaseError) as caught:
        apply_mod.apply(
            replace(plan, steps=(build,)),
            apply_mod.Context(repo.root, lambda line: None, lost),
        )

    assert str(caught.value) == (
        f"{build.title} failed: the backend left no wheel in dist/; nothing had been changed; "
        + AGAIN
    )


def test_a_commit_made_on_top_of_the_release_commit_is_not_undone(repo: SampleRepo) -> None:
    plan = plan_minor(repo)
    writes = [step for step in plan.steps if isinstance(step, WriteFile)]
    commit = next(step for step in plan.steps if isinstance(step, Commit))
    build = Build("1.4.0")
    heads: list[str] = []

    def commit_then_fail(step: object) -> None:
        heads.append(repo.git("rev-parse", "HEAD"))
        repo.git("commit", "--allow-empty", "-q", "-m", "made by the build")
        raise ReleaseError("the build backend crashed", "fix the build")

    steps = (*writes, commit, build)
    with pytest.raises(ReleaseError) as caught:
        apply_mod.apply(
            replace(plan, steps=steps),
            apply_mod.Context(repo.root, lambda line: None, commit_then_fail),
        )

    ours = repo.git("rev-parse", "HEAD")
    assert ours != heads[0]  # neither commit was removed
    restored = ", ".join(f"restored {step.path}" for step in reversed(writes))
    assert caught.value.cause == (
        f"{build.title} failed: the build backend crashed; undone: {restored}; "
        f"COULD NOT UNDO: HEAD moved past the release commit ({ours[:12]})"
    )
    assert caught.value.fix == "fix the build"


def test_a_live_release_holding_the_lock_is_refused_with_its_pid(repo: SampleRepo) -> None:
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    lock = repo.root / ".git" / apply_mod.LOCK_NAME
    try:
        lock.write_text(str(other.pid))
        with pytest.raises(ReleaseError) as caught:
            apply_mod.check_not_running(repo.root)
        assert str(caught.value) == (
            f"another release is running in this repository (pid {other.pid}); "
            "wait for it to finish"
        )
    finally:
        other.kill()
        other.wait()
    apply_mod.check_not_running(repo.root)  # its process is gone: a stale lock
    assert lock.exists()  # left for lock() to replace
