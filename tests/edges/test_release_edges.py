"""`bump` and `changelog` plan in process: what they report (versions, tag, notes, problems)
and the bytes they would write, on a real sample repository."""

from __future__ import annotations

from conftest import SampleRepo

from releasekit.core.plan import Options, WriteFile
from releasekit.core.release import plan_files

DATE = "2026-02-01"


def writes(steps: tuple[object, ...]) -> dict[str, str]:
    return {s.path: s.after.decode() for s in steps if isinstance(s, WriteFile)}


def test_bump_and_changelog_plan_the_versions_the_tag_and_the_notes(repo: SampleRepo) -> None:
    plan = plan_files(repo.root, Options(part="minor"), date=DATE, versions=True, changelog=True)
    assert (plan.project, plan.current, plan.version, plan.tag) == (
        "sample-pkg",
        "1.3.0",
        "1.4.0",
        "v1.4.0",
    )
    assert plan.notes == "### Added\n\n- A greeting that says hello."
    assert (plan.problems, plan.messages, plan.package) == ((), (), "")
    files = writes(plan.steps)
    assert set(files) == {"CHANGELOG.md", "pyproject.toml", "src/sample_pkg/__init__.py"}
    # The compare links name the new tag.
    assert (
        "[1.4.0]: https://github.com/example/sample-pkg/compare/v1.3.0...v1.4.0\n"
        in (files["CHANGELOG.md"])
    )
    assert "\n## [1.4.0] - 2026-02-01\n" in files["CHANGELOG.md"]


def test_bump_alone_has_no_notes_and_leaves_the_changelog(repo: SampleRepo) -> None:
    plan = plan_files(repo.root, Options(part="patch"), date=DATE, versions=True, changelog=False)
    assert (plan.current, plan.version, plan.notes, plan.messages) == ("1.3.0", "1.3.1", "", ())
    assert set(writes(plan.steps)) == {"pyproject.toml", "src/sample_pkg/__init__.py"}
