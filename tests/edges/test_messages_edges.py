"""The exact one-line errors (cause and fix) of the version rules and of a declined release,
and the fast pyproject edit: what mutation testing found no test reading word for word."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import SampleRepo
from packaging.version import Version

from releasekit.core import release, sources
from releasekit.core.plan import Options
from releasekit.core.sources import Location
from releasekit.core.version import bump, check_releasable
from releasekit.errors import ReleaseError, VersionError
from releasekit.publishing import after_push

V = Version


@pytest.mark.parametrize(
    ("refused", "cause", "fix"),
    [
        (
            lambda: bump(V("1.3.0"), "minor", "gamma"),
            "unknown pre-release 'gamma'",
            "use --pre alpha, beta or rc",
        ),
        (
            lambda: bump(V("1.4.0"), "release"),
            "1.4.0 is already a final release",
            "use --part patch, minor or major",
        ),
        (
            lambda: bump(V("1.4.0rc1"), "release", "rc"),
            "--part release takes no --pre",
            "drop --pre",
        ),
        (
            lambda: check_releasable(V("1.2.3.4")),
            "1.2.3.4 has no SemVer equivalent (epoch or more than three numbers)",
            "use MAJOR.MINOR.PATCH",
        ),
        (
            lambda: check_releasable(V("1!2.0.0")),
            "1!2.0.0 has no SemVer equivalent (epoch or more than three numbers)",
            "use MAJOR.MINOR.PATCH",
        ),
    ],
    ids=["unknown-pre", "already-final", "release-with-pre", "four-numbers", "epoch"],
)
def test_a_refused_version_names_the_cause_and_the_fix(
    refused: Callable[[], object], cause: str, fix: str
) -> None:
    with pytest.raises(VersionError) as error:
        refused()
    assert (error.value.cause, error.value.fix) == (cause, fix)


def test_a_final_release_is_named_canonically_when_part_release_is_refused() -> None:
    with pytest.raises(VersionError) as error:
        bump(V("1.4"), "release")
    assert error.value.cause == "1.4 is already a final release"


def test_check_releasable_names_the_version_canonically_unless_told_how_it_was_written() -> None:
    with pytest.raises(VersionError) as canonical:
        check_releasable(V("01.02.03.4"))
    assert canonical.value.cause.startswith("1.2.3.4 has no SemVer equivalent")
    with pytest.raises(VersionError) as written:
        check_releasable(V("1.2.3.4"), " 1.2.3.4 ")
    assert written.value.cause.startswith("1.2.3.4 has no SemVer equivalent")


def test_a_declined_release_says_nothing_was_changed_and_changes_nothing(
    repo: SampleRepo,
) -> None:
    plan = release.plan_release(repo.root, Options(part="minor"), date="2030-01-02")
    before = repo.state()
    asked: list[object] = []

    def decline(shown: object) -> bool:
        asked.append(shown)
        return False

    with pytest.raises(ReleaseError) as error:
        release.release_plan(repo.root, plan, report=lambda line: None, confirm=decline)
    assert (error.value.cause, error.value.fix) == ("release cancelled", "nothing was changed")
    assert asked == [plan]
    assert before.diff(repo.state()) == []


def test_an_accepted_release_goes_ahead(repo: SampleRepo) -> None:
    plan = release.plan_release(
        repo.root, Options(part="minor", push=False, github_release=False), date="2030-01-02"
    )
    release.release_plan(repo.root, plan, report=lambda line: None, confirm=lambda shown: True)
    assert repo.git("describe", "--tags", "--exact-match").strip() == "v1.4.0"


def test_a_plain_pyproject_is_edited_by_the_line_edit_without_loading_tomlkit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """tomlkit is the fallback for layouts the line edit cannot prove right: it costs the
    start-up of every bump, so a plain `[project]` table must not need it."""

    def slow(*args: object) -> str:
        raise AssertionError("the tomlkit fallback ran for a plain [project] table")

    monkeypatch.setattr(sources, "_replace_toml_document", slow)
    text = '[project]\nname = "x"\nversion = "1.3.0"  # kept\n\n[tool.x]\nversion = "9"\n'
    edited = sources.replace(text, Location("pyproject.toml", "project", "1.3.0"), "1.4.0")
    assert edited == text.replace('"1.3.0"', '"1.4.0"')


def test_a_version_file_without_a_pep440_version_names_the_file_and_what_to_write(
    repo: SampleRepo,
) -> None:
    init = repo.root / "src" / "sample_pkg" / "__init__.py"
    init.write_text(init.read_text().replace('"1.3.0"', '"one.three"'))
    with pytest.raises(VersionError) as error:
        release.plan_release(repo.root, Options(part="minor"), date="2030-01-02")
    assert (error.value.cause, error.value.fix) == (
        "src/sample_pkg/__init__.py __version__ holds 'one.three', not a PEP 440 version",
        "write a version such as 1.3.0 there",
    )


def test_a_github_release_asked_for_without_a_token_says_which_token_and_how_to_skip(
    repo: SampleRepo,
) -> None:
    plan = release.plan_release(
        repo.root,
        Options(part="minor", github_release=True),
        date="2030-01-02",
        public=after_push.plan_public_steps,
    )
    [problem] = [p for p in plan.problems if "GitHub" in p.cause]
    assert (problem.cause, problem.fix) == (
        "no GitHub token for the GitHub release",
        "set GITHUB_TOKEN or GH_TOKEN (contents: write), or --no-github-release",
    )


def test_the_plan_keeps_the_changelogs_messages_beside_the_public_steps_ones(
    repo: SampleRepo,
) -> None:
    """Both kinds reach the user: what the changelog step decided and what publishing says."""
    repo.git("commit", "--allow-empty", "-q", "-m", "feat: a greeting that says hello")
    plan = release.plan_release(
        repo.root,
        Options(part="auto"),
        date="2030-01-02",
        public=lambda *asked: ([], [], ["said by the public steps"]),
    )
    assert plan.messages[-1] == "said by the public steps"
    assert len(plan.messages) > 1  # --part auto names the commits that decided it


def test_release_asks_before_it_writes_and_a_no_changes_nothing(repo: SampleRepo) -> None:
    before = repo.state()
    with pytest.raises(ReleaseError) as error:
        release.release(
            repo.root,
            Options(part="minor"),
            date="2030-01-02",
            report=lambda line: None,
            confirm=lambda plan: False,
        )
    assert error.value.cause == "release cancelled"
    assert before.diff(repo.state()) == []
