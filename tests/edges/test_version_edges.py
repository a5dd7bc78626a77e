"""A refused --new-version is named as the user wrote it, not in its canonical spelling."""

from __future__ import annotations

import pytest
from packaging.version import Version

from releasekit.core.version import explicit
from releasekit.errors import VersionError


@pytest.mark.parametrize(
    ("written", "cause"),
    [
        (
            "1.4.0-post.1",
            "1.4.0-post.1 is a post-release; SemVer sorts it before 1.4.0, PEP 440 after it",
        ),
        ("1.4.0-dev.2", "1.4.0-dev.2 is a dev release; SemVer and PEP 440 order it differently"),
        ("1.4.0+Build.5", "1.4.0+Build.5 has a local part (+build.5); package indexes refuse it"),
    ],
)
def test_the_refusal_names_the_version_as_written(written: str, cause: str) -> None:
    with pytest.raises(VersionError) as caught:
        explicit(Version("1.3.0"), written)
    assert caught.value.cause == cause
