"""Versions read from git tags when no tag follows the configured format: the error names
the tags it found and the tag-format that would match them, so the user never guesses."""

from __future__ import annotations

import pytest
from packaging.version import Version
from test_plan import make_project

from releasekit.core.config import Config
from releasekit.core.plan import current_version, latest_tag_version
from releasekit.core.snapshot import Project
from releasekit.errors import VersionError

NO_TAG_FIX = "make the first release with --first-release --part minor (0.1.0), or --new-version X"


def tag_versioned(tag_format: str = "v{version}") -> Project:
    return make_project((), tag_only=True, config=Config(tag_format=tag_format))


def test_no_version_tag_at_all_says_how_to_make_the_first_release() -> None:
    with pytest.raises(VersionError) as caught:
        current_version(tag_versioned(), ["nightly", "latest"])
    assert (
        caught.value.cause
        == "no release tag yet, and this project's version comes from its git tags"
    )
    assert caught.value.fix == NO_TAG_FIX


def test_tags_of_another_format_are_named_newest_first_with_the_format_that_matches() -> None:
    tags = ["release-1.2.0", "nightly", "release-1.10.0", "release-0.9", "release-1.9.0"]
    with pytest.raises(VersionError) as caught:
        current_version(tag_versioned(), tags)
    # Newest by number (1.10.0 after 1.9.0, not as text), at most three, and the format
    # built from the newest: its number replaced by {version}.
    assert caught.value.cause == (
        "no tag follows tag-format 'v{version}' (the version comes from git tags; "
        "found release-1.10.0, release-1.9.0, release-1.2.0)"
    )
    assert (
        caught.value.fix
        == 'set [tool.releasekit] tag-format = "release-{version}" in pyproject.toml'
    )


def test_the_suggested_format_keeps_what_follows_the_number() -> None:
    with pytest.raises(VersionError) as caught:
        current_version(tag_versioned(), ["pkg-2.0.0 final", "pkg-1.0.0 final"])
    assert (
        caught.value.fix
        == 'set [tool.releasekit] tag-format = "pkg-{version} final" in pyproject.toml'
    )


def test_a_given_version_with_tags_of_another_format_is_still_refused() -> None:
    # --new-version starts from 0.0.0 only when nothing looks released yet.
    project = tag_versioned()
    assert current_version(project, ["nightly"], given=True) == Version("0.0.0")
    with pytest.raises(VersionError, match=r"found release-1\.2\.0"):
        current_version(project, ["release-1.2.0"], given=True)


def test_a_tag_of_the_format_that_is_no_version_does_not_hide_the_later_ones() -> None:
    assert latest_tag_version(["v1.3.1-test", "vlatest", "v1.3.0"], "v{version}") == Version(
        "1.3.0"
    )
