"""One exception root, translated once at the fronts.

`str(error)` is the single line a user reads: the cause, then the fix.
"""

from __future__ import annotations

from collections.abc import Sequence


class ReleaseError(Exception):
    """A failure the user can act on; never shown with a traceback.

    `output` is the failing tool's full (masked) output, which --verbose prints.
    """

    def __init__(self, cause: str, fix: str = "", *, output: str = "") -> None:
        super().__init__(cause)
        self.cause = cause
        self.fix = fix
        self.output = output

    def __str__(self) -> str:
        return f"{self.cause}; {self.fix}" if self.fix else self.cause


class ConfigError(ReleaseError):
    """pyproject.toml or [tool.releasekit] cannot be used."""


class VersionError(ReleaseError):
    """A version that cannot be read, computed or accepted."""


class ChangelogError(ReleaseError):
    """CHANGELOG.md is missing, malformed or has nothing to release."""


class GitError(ReleaseError):
    """A git command failed."""


class CommandError(ReleaseError):
    """A child process failed or timed out."""


class BuildError(ReleaseError):
    """Building or verifying the distribution failed."""


class PublishError(ReleaseError):
    """Uploading to the package index failed."""


class GitHubError(ReleaseError):
    """GitHub's REST API refused or could not be reached."""


class Interrupted(ReleaseError):
    """Ctrl-C or SIGTERM arrived while a release was being applied."""


class PreflightError(ReleaseError):
    """Every problem found before the first write, reported at once."""

    def __init__(self, problems: Sequence[ReleaseError]) -> None:
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            only = self.problems[0]
            super().__init__(only.cause, only.fix)
        else:
            lines = "".join(f"\n  - {problem}" for problem in self.problems)
            super().__init__(f"release blocked by {len(self.problems)} problems:{lines}")
