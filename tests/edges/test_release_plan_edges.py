"""`release` plans in process, on real sample repositories with a bare remote: the steps
(writes, commit, tag message and signing, push refs), the problems and the messages of a
new release, of a release resumed after its commit and tag (pushed or not, tag on the
remote or not), of `--finish` and `--via-pr`; then applying a plan (cancel, other steps)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

import pytest
from conftest import SampleRepo
from support.workspace import ALPHA, ALPHA_DIR, BETA_DIR, make_workspace

from releasekit.core.plan import (
    BranchCommit,
    Commit,
    DeleteFile,
    GitHubRelease,
    Options,
    Plan,
    PullRequest,
    Push,
    Step,
    Tag,
    WriteFile,
)
from releasekit.core.pullflow import OpenPull
from releasekit.core.release import plan_files, plan_release, release_plan
from releasekit.core.snapshot import Project
from releasekit.demo import sample
from releasekit.errors import ReleaseError
from releasekit.system.git import Git

S = TypeVar("S")
DATE = "2026-02-01"
NOTES_1_4 = "### Added\n\n- A greeting that says hello."
RELEASE_FILES = ("CHANGELOG.md", "pyproject.toml", "src/sample_pkg/__init__.py")
ENVIRON = {"RELEASEKIT_TEST_MARK": "environ-reaches-the-later-steps"}


def silent(line: str) -> None:
    pass


def of_type(plan: Plan, kind: type[S]) -> list[S]:
    return [step for step in plan.steps if isinstance(step, kind)]


def configure(repo: SampleRepo, table: str) -> None:
    """Add a [tool.releasekit] table, commit and push it."""
    pyproject = repo.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f"\n[tool.releasekit]\n{table}")
    repo.git("commit", "--quiet", "-am", "Configure releasekit")
    repo.git("push", "--quiet", "origin", "main")


class Public:
    """The steps after the push (the fronts pass plan_public_steps), recording each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []

    def __call__(self, *args: object) -> tuple[list[Step], list[ReleaseError], list[str]]:
        self.calls.append(args)
        _, _, _, version, tag, notes, _, _ = args
        assert isinstance(tag, str) and isinstance(notes, str)
        return (
            [GitHubRelease(tag, notes, False)],
            [ReleaseError(f"later step of {version} refused", "fix it")],
            [f"later steps of {tag} planned"],
        )


def released_locally(repo: SampleRepo) -> Plan:
    """1.4.0 committed and tagged here, nothing pushed."""
    plan = plan_release(repo.root, Options(part="minor", push=False), date=DATE, environ={})
    release_plan(repo.root, plan, report=silent)
    assert Git(repo.root).ref("refs/tags/v1.4.0") == Git(repo.root).head()
    return plan


# -- a new release ---------------------------------------------------------------------------


def test_a_release_plans_writes_commit_tag_and_push_of_both_refs(repo: SampleRepo) -> None:
    plan = plan_release(repo.root, Options(part="minor"), date=DATE, environ={})
    assert (plan.project, plan.current, plan.version, plan.tag, plan.notes) == (
        "sample-pkg",
        "1.3.0",
        "1.4.0",
        "v1.4.0",
        NOTES_1_4,
    )
    assert (plan.problems, plan.messages, plan.package, plan.resumed) == ((), (), "", False)
    writes = of_type(plan, WriteFile)
    assert tuple(w.path for w in writes) == RELEASE_FILES
    for write in writes:
        assert isinstance(write, WriteFile)
        assert write.before == (repo.root / write.path).read_bytes()
        assert b'"1.4.0"' in write.after or b"## [1.4.0] - 2026-02-01" in write.after
    assert plan.steps[len(writes) :] == (
        Commit(RELEASE_FILES, "chore(release): Bump version to v1.4.0"),
        # The annotated tag carries the notes under its name, unsigned by default.
        Tag("v1.4.0", f"v1.4.0\n\n{NOTES_1_4}\n", False),
        Push("origin", ("refs/heads/main", "refs/tags/v1.4.0")),
    )


def test_signing_follows_the_config_unless_the_option_says_otherwise(repo: SampleRepo) -> None:
    configure(repo, "sign = true\n")
    configured = plan_release(repo.root, Options(part="minor"), date=DATE, environ={})
    asked = plan_release(repo.root, Options(part="minor", sign=False), date=DATE, environ={})
    assert [t.sign for t in of_type(configured, Tag)] == [True]
    assert [t.sign for t in of_type(asked, Tag)] == [False]


def test_the_option_signs_when_the_config_does_not(repo: SampleRepo) -> None:
    plan = plan_release(repo.root, Options(part="minor", sign=True), date=DATE, environ={})
    assert [t.sign for t in of_type(plan, Tag)] == [True]


def test_a_release_tag_already_made_here_is_named_with_its_fix(repo: SampleRepo) -> None:
    repo.git("tag", "v1.4.0")
    plan = plan_release(repo.root, Options(part="minor"), date=DATE, environ={})
    assert [str(p) for p in plan.problems] == [
        "tag v1.4.0 already exists locally; delete it (git tag -d v1.4.0) or choose another version"
    ]


def test_a_release_tag_only_the_remote_has_is_found_by_asking_it(repo: SampleRepo) -> None:
    repo.git("push", "--quiet", "origin", "HEAD:refs/tags/v1.4.0")
    plan = plan_release(repo.root, Options(part="minor"), date=DATE, environ={})
    assert [p.cause for p in plan.problems] == ["tag v1.4.0 already exists on origin"]
    # Without the push the remote is not asked, and nothing stops the release.
    alone = plan_release(repo.root, Options(part="minor", push=False), date=DATE, environ={})
    assert alone.problems == ()
    assert not of_type(alone, Push)


def test_not_a_repository_is_refused_whatever_the_current_directory(
    repo: SampleRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loose = sample.write_project(tmp_path / "loose")
    monkeypatch.chdir(repo.root)  # a repository here must not stand in for the project's
    with pytest.raises(ReleaseError) as caught:
        plan_release(loose, Options(part="minor"), date=DATE, environ={})
    assert str(caught.value) == (
        f"{loose} is not in a git repository; git init and commit the project"
    )
    assert not (loose / ".git").exists()


def test_auto_reads_the_commits_since_the_current_version(repo: SampleRepo) -> None:
    (repo.root / "README.md").write_text("# sample-pkg\n\nLouder.\n")
    repo.git("commit", "--quiet", "-am", "feat: say it louder")
    repo.git("push", "--quiet", "origin", "main")
    plan = plan_release(repo.root, Options(part="auto"), date=DATE, environ={})
    assert (plan.current, plan.version, plan.problems) == ("1.3.0", "1.4.0", ())
    # Why minor: the decision and the commit it rests on, then what became of the changelog.
    assert plan.messages[0] == "--part auto: minor, decided by 1 of 1 commit since v1.3.0:"
    assert plan.messages[1].endswith(" feat: say it louder")
    assert plan.messages[2:] == ("CHANGELOG.md: [Unreleased] is written by hand, kept as it is",)


def test_later_steps_come_after_the_push_with_their_problems_and_messages(
    repo: SampleRepo,
) -> None:
    public = Public()
    plan = plan_release(repo.root, Options(part="minor"), date=DATE, environ=ENVIRON, public=public)
    assert plan.steps[-2:] == (
        Push("origin", ("refs/heads/main", "refs/tags/v1.4.0")),
        GitHubRelease("v1.4.0", NOTES_1_4, False),
    )
    assert [p.cause for p in plan.problems] == ["later step of 1.4.0 refused"]
    assert plan.messages == ("later steps of v1.4.0 planned",)
    [(project, options, _state, version, tag, notes, environ, resumed)] = public.calls
    assert (version, tag, notes, environ, resumed) == ("1.4.0", "v1.4.0", NOTES_1_4, ENVIRON, False)
    assert options == Options(part="minor")
    assert isinstance(project, Project) and project.root == repo.root


# -- a release resumed: HEAD is already the release commit and its tag -------------------------


def test_a_release_committed_and_tagged_but_not_pushed_pushes_both_refs(repo: SampleRepo) -> None:
    released_locally(repo)
    public = Public()
    plan = plan_release(repo.root, Options(part="minor"), date=DATE, environ=ENVIRON, public=public)
    assert (plan.project, plan.current, plan.version, plan.tag) == (
        "sample-pkg",
        "1.4.0",
        "1.4.0",
        "v1.4.0",
    )
    assert plan.notes == NOTES_1_4  # from the CHANGELOG section of the release
    assert plan.resumed is True
    assert plan.package == ""
    assert plan.steps == (
        Push("origin", ("refs/heads/main", "refs/tags/v1.4.0")),
        GitHubRelease("v1.4.0", NOTES_1_4, False),
    )
    assert [p.cause for p in plan.problems] == ["later step of 1.4.0 refused"]
    assert plan.messages == (
        "v1.4.0 is already committed and tagged at HEAD: finishing that release",
        "later steps of v1.4.0 planned",
    )
    [(project, options, _state, version, tag, notes, environ, resumed)] = public.calls
    assert (version, tag, notes, environ, resumed) == ("1.4.0", "v1.4.0", NOTES_1_4, ENVIRON, True)
    assert options == Options(part="minor")
    assert isinstance(project, Project) and project.root == repo.root


def test_a_resumed_release_whose_branch_reached_the_remote_pushes_only_the_tag(
    repo: SampleRepo,
) -> None:
    released_locally(repo)
    repo.git("push", "--quiet", "origin", "main")
    plan = plan_release(repo.root, Options(part="minor"), date=DATE, environ={})
    assert plan.steps == (Push("origin", ("refs/tags/v1.4.0",)),)
    assert (plan.problems, plan.resumed) == ((), True)


def test_a_resumed_release_whose_tag_reached_the_remote_pushes_only_the_branch(
    repo: SampleRepo,
) -> None:
    released_locally(repo)
    repo.git("push", "--quiet", "origin", "v1.4.0")
    plan = plan_release(repo.root, Options(part="minor"), date=DATE, environ={})
    assert plan.steps == (Push("origin", ("refs/heads/main",)),)
    assert plan.problems == ()


def test_a_release_on_the_remote_already_has_nothing_left(repo: SampleRepo) -> None:
    released_locally(repo)
    repo.git("push", "--quiet", "origin", "main", "v1.4.0")
    plan = plan_release(repo.root, Options(part="minor"), date=DATE, environ={})
    assert (plan.steps, plan.problems, plan.resumed) == ((), (), True)
    assert (plan.current, plan.version, plan.notes) == ("1.4.0", "1.4.0", NOTES_1_4)
    assert plan.messages == (
        "v1.4.0 is released: HEAD is its release commit and [Unreleased] is empty",
    )
    # Applying it changes nothing and asks nothing.
    assert release_plan(repo.root, plan, report=silent, confirm=lambda p: False) is plan


def test_a_resumed_release_that_may_not_push_has_nothing_to_do(repo: SampleRepo) -> None:
    released_locally(repo)
    public = Public()
    options = Options(part="minor", push=False)
    plan = plan_release(repo.root, options, date=DATE, environ={}, public=public)
    assert (plan.steps, plan.problems, plan.resumed, public.calls) == ((), (), True, [])


def test_a_new_version_is_a_new_release_even_on_a_release_commit(repo: SampleRepo) -> None:
    released_locally(repo)
    plan = plan_release(repo.root, Options(new_version="1.5.0"), date=DATE, environ={})
    assert (plan.current, plan.version, plan.resumed) == ("1.4.0", "1.5.0", False)


# -- --finish --------------------------------------------------------------------------------


def merged_without_tag(repo: SampleRepo) -> None:
    """What a merged release pull request leaves: main carries 1.4.0, no tag anywhere."""
    files = plan_files(repo.root, Options(part="minor"), date=DATE, versions=True, changelog=True)
    release_plan(repo.root, files, report=silent)
    repo.git("commit", "--quiet", "-am", "chore(release): Bump version to v1.4.0 (#7)")
    repo.git("push", "--quiet", "origin", "main")


def test_finish_tags_the_merged_commit_pushes_the_tag_and_plans_the_rest(
    repo: SampleRepo,
) -> None:
    merged_without_tag(repo)
    public = Public()
    options = Options(finish=True)
    plan = plan_release(repo.root, options, date=DATE, environ=ENVIRON, public=public)
    assert (plan.current, plan.version, plan.tag, plan.notes, plan.resumed) == (
        "1.4.0",
        "1.4.0",
        "v1.4.0",
        NOTES_1_4,
        True,
    )
    assert plan.steps == (
        Tag("v1.4.0", f"v1.4.0\n\n{NOTES_1_4}\n", False),
        Push("origin", ("refs/tags/v1.4.0",)),
        GitHubRelease("v1.4.0", NOTES_1_4, False),
    )
    assert [p.cause for p in plan.problems] == ["later step of 1.4.0 refused"]
    assert plan.messages == (
        "HEAD carries 1.4.0, which has no tag on origin yet",
        "later steps of v1.4.0 planned",
    )
    [(_, given, _, version, tag, notes, environ, resumed)] = public.calls
    assert (given, version, tag, notes, environ, resumed) == (
        options,
        "1.4.0",
        "v1.4.0",
        NOTES_1_4,
        ENVIRON,
        False,
    )


# -- --via-pr --------------------------------------------------------------------------------


class FindPull:
    """GitHub's answer about an open pull request, recording each question."""

    def __init__(self, found: OpenPull | None = None) -> None:
        self.found = found
        self.asked: list[tuple[object, ...]] = []

    def __call__(
        self, root: Path, url: str | None, head: str, base: str, environ: Mapping[str, str]
    ) -> OpenPull | None:
        self.asked.append((root, url, head, base, environ))
        return self.found


def test_via_pr_commits_beside_the_tree_pushes_the_branch_and_opens_the_pull(
    repo: SampleRepo,
) -> None:
    find = FindPull()
    head = Git(repo.root).head()
    plan = plan_release(
        repo.root, Options(part="minor", via_pr=True), date=DATE, environ=ENVIRON, find_pull=find
    )
    assert find.asked == [(repo.root, str(repo.remote), "release/v1.4.0", "main", ENVIRON)]
    assert (plan.current, plan.version, plan.tag, plan.notes, plan.problems) == (
        "1.3.0",
        "1.4.0",
        "v1.4.0",
        NOTES_1_4,
        (),
    )
    commit, push, pull = plan.steps
    assert isinstance(commit, BranchCommit)
    assert (commit.branch, commit.parent, commit.deleted) == ("release/v1.4.0", head, ())
    assert commit.message == "chore(release): Bump version to v1.4.0"
    assert tuple(w.path for w in commit.writes) == RELEASE_FILES
    assert push == Push("origin", ("refs/heads/release/v1.4.0",))
    assert pull == PullRequest(
        "release/v1.4.0", "main", "chore(release): Bump version to v1.4.0", NOTES_1_4, "origin"
    )
    assert plan.messages == ("pull-request flow: main and the tags stay as they are",)


def test_via_pr_carries_the_release_problems_and_waits_for_an_open_pull(
    repo: SampleRepo,
) -> None:
    repo.git("tag", "v1.4.0")
    plan = plan_release(
        repo.root, Options(part="minor", via_pr=True), date=DATE, environ={}, find_pull=FindPull()
    )
    assert [p.cause for p in plan.problems] == ["tag v1.4.0 already exists locally"]
    found = FindPull(OpenPull(7, "https://github.com/o/r/pull/7"))
    waiting = plan_release(
        repo.root, Options(part="minor", via_pr=True), date=DATE, environ={}, find_pull=found
    )
    assert (waiting.steps, waiting.problems) == ((), ())
    assert "the pull request #7 release/v1.4.0 -> main is open" in " ".join(waiting.messages)


def test_via_pr_without_a_way_to_ask_github_is_a_problem(repo: SampleRepo) -> None:
    plan = plan_release(repo.root, Options(part="minor", via_pr=True), date=DATE, environ={})
    assert [p.cause for p in plan.problems] == ["no way to ask GitHub here"]


# -- towncrier: fragments deleted, the draft shown ----------------------------------------------

TOWNCRIER = """
[tool.towncrier]
directory = "changes"
filename = "NEWS.md"
title_format = "## {version} ({project_date})"
"""
NEWS = "# News\n\n<!-- towncrier release notes start -->\n\n## 1.3.0 (2026-01-15)\n\n- Old.\n"


@pytest.fixture
def towncrier_repo(repo: SampleRepo) -> SampleRepo:
    """News in NEWS.md from changes/: one fragment committed, one not yet added."""
    repo.git("rm", "-q", "CHANGELOG.md")
    (repo.root / "NEWS.md").write_text(NEWS)
    (repo.root / "changes").mkdir()
    (repo.root / "changes" / "1.feature.md").write_text("Committed fragment.\n")
    pyproject = repo.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + TOWNCRIER)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "Use towncrier")
    repo.git("push", "-q", "origin", "main")
    (repo.root / "changes" / "2.bugfix.md").write_text("Untracked fragment.\n")
    return repo


def test_the_release_commit_records_only_the_deletions_git_knows(
    towncrier_repo: SampleRepo,
) -> None:
    plan = plan_release(towncrier_repo.root, Options(part="minor"), date=DATE, environ={})
    deleted = [step.path for step in of_type(plan, DeleteFile)]
    assert deleted == ["changes/1.feature.md", "changes/2.bugfix.md"]
    [commit] = of_type(plan, Commit)
    assert commit == Commit(
        ("NEWS.md", "pyproject.toml", "src/sample_pkg/__init__.py", "changes/1.feature.md"),
        "chore(release): Bump version to v1.4.0",
    )
    assert plan.messages[0] == "towncrier build --version 1.4.0 --yes writes to NEWS.md:"


def test_changelog_planning_shows_what_towncrier_writes(towncrier_repo: SampleRepo) -> None:
    root = towncrier_repo.root
    plan = plan_files(root, Options(part="minor"), date=DATE, versions=False, changelog=True)
    assert plan.messages[0] == "towncrier build --version 1.4.0 --yes writes to NEWS.md:"
    assert any("Committed fragment." in line for line in plan.messages[1:])
    assert [step.path for step in of_type(plan, DeleteFile)] == [
        "changes/1.feature.md",
        "changes/2.bugfix.md",
    ]


# -- a project versioned by its tags, and workspace members -------------------------------------

TAG_ONLY = """\
[build-system]
requires = ["hatchling", "hatch-vcs"]
build-backend = "hatchling.build"

[project]
name = "scm-pkg"
dynamic = ["version"]

[tool.hatch.version]
source = "vcs"
"""


@pytest.fixture
def tag_only(tmp_path: Path) -> Path:
    """Versioned by git tags, none made yet."""
    root = tmp_path / "scm"
    (root / "src" / "scm_pkg").mkdir(parents=True)
    (root / "src" / "scm_pkg" / "__init__.py").write_text('"""scm-pkg."""\n')
    (root / "pyproject.toml").write_text(TAG_ONLY)
    (root / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n\n- New.\n")
    sample.init_repository(root, tmp_path / "scm.git", tag=None)
    return root


@pytest.mark.parametrize(
    "options",
    [Options(part="minor", first_release=True), Options(new_version="0.1.0")],
    ids=["first-release", "new-version"],
)
def test_a_first_release_of_a_tag_only_project_starts_from_nothing(
    tag_only: Path, options: Options
) -> None:
    plan = plan_files(tag_only, options, date=DATE, versions=True, changelog=True)
    assert (plan.current, plan.version, plan.tag, plan.problems) == ("0.0.0", "0.1.0", "v0.1.0", ())
    assert [step.path for step in of_type(plan, WriteFile)] == ["CHANGELOG.md"]


def test_without_first_release_a_tag_only_project_has_no_version(tag_only: Path) -> None:
    with pytest.raises(ReleaseError, match="no release tag yet"):
        plan_files(tag_only, Options(part="minor"), date=DATE, versions=True, changelog=True)


def test_a_member_is_planned_alone_and_a_pin_on_it_is_named(tmp_path: Path) -> None:
    root, _ = make_workspace(tmp_path, kind="plain", beta_requires=f"{ALPHA}==1.3.0")
    options = Options(part="minor", package=ALPHA)
    files = plan_files(root, options, date=DATE, versions=True, changelog=True)
    assert (files.project, files.current, files.version, files.package) == (
        ALPHA,
        "1.3.0",
        "1.4.0",
        ALPHA_DIR,
    )
    plan = plan_release(root, options, date=DATE, environ={})
    assert (plan.tag, plan.package) == (f"{ALPHA}-v1.4.0", ALPHA_DIR)
    assert [p.cause for p in plan.problems] == [
        f"{BETA_DIR}/pyproject.toml requires {ALPHA}==1.3.0, which excludes {ALPHA} 1.4.0"
    ]


# -- applying a plan -------------------------------------------------------------------------


def test_a_cancelled_release_says_so_and_changes_nothing(repo: SampleRepo) -> None:
    plan = plan_release(repo.root, Options(part="minor", push=False), date=DATE, environ={})
    head = Git(repo.root).head()
    with pytest.raises(ReleaseError) as caught:
        release_plan(repo.root, plan, report=silent, confirm=lambda asked: asked is not plan)
    assert (caught.value.cause, caught.value.fix) == ("release cancelled", "nothing was changed")
    assert Git(repo.root).head() == head
    assert repo.git("status", "--porcelain") == ""


def test_steps_of_other_modules_run_through_run_step_and_their_notes_are_reported(
    repo: SampleRepo,
) -> None:
    released_locally(repo)
    repo.git("push", "--quiet", "origin", "main", "v1.4.0")
    later = (GitHubRelease("v1.4.0", NOTES_1_4, False),)
    plan = Plan("sample-pkg", "1.4.0", "1.4.0", "v1.4.0", NOTES_1_4, later, resumed=True)
    ran: list[Step] = []
    said: list[str] = []

    def run_step(step: Step) -> str | None:
        ran.append(step)
        return "GitHub release v1.4.0 created"

    assert release_plan(repo.root, plan, report=said.append, run_step=run_step) is plan
    assert ran == list(plan.steps)
    assert "GitHub release v1.4.0 created" in said
