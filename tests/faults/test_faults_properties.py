"""Generated CHANGELOG texts, pyproject texts and version strings: each is handled, or
refused with releasekit's own error (ReleaseError), never another exception, and never
leaves a half-written file: every file is either exactly as before or exactly as planned.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from faults.faultkit import Scenario
from faults.worlds import INIT, Repo, make_repo
from releasekit.core import release
from releasekit.core.plan import Commit, DeleteFile, Options, Plan, Push, Tag, WriteFile
from releasekit.core.version import Part
from releasekit.demo import sample
from releasekit.errors import ReleaseError

DATE = "2026-11-26"
T = TypeVar("T")
BOUNDED = settings(
    max_examples=int(os.environ.get("FAULTS_EXAMPLES", "50")),  # more to hunt, by hand
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- strategies ------------------------------------------------------------------------------

VERSIONS = st.one_of(
    st.from_regex(
        r"\Av?\d{1,3}(\.\d{1,3}){0,4}((a|b|rc|alpha|beta|c|pre)\d{0,2})?"
        r"(\.post\d)?(\.dev\d)?(\+[a-z0-9.]{1,5})?\Z"
    ),
    st.sampled_from(
        [
            *("1.4.0", "1.3.0", "01.4.0", "1!2.0.0", "1.4.0-rc.1", " 1.4.0 ", "1.4", "2"),
            *("0.0.0", "99999999999999999999.0.0", "1.4.0\n", "", "1.4.0.0.0", "v1.5.0rc2"),
            "1.4.0 rc1",
        ]
    ),
    st.text(max_size=16),
)

SANE_VERSIONS = st.builds(
    "{}.{}.{}{}".format,
    st.integers(0, 30),
    st.integers(0, 30),
    st.integers(0, 30),
    st.sampled_from(["", "", "", "a1", "b2", "rc1", "rc10"]),
)
ANY_VERSION = st.one_of(SANE_VERSIONS, SANE_VERSIONS, SANE_VERSIONS, VERSIONS)  # mostly sane


def often(usual: T, *rare: T) -> st.SearchStrategy[T]:
    """`usual` most of the time (12 in 12 + len(rare)), else one of `rare`."""
    return st.sampled_from([usual] * 12 + list(rare))


CHANGELOG_LINES = st.one_of(
    st.sampled_from(
        [
            "# Changelog",
            "## [Unreleased]",
            "## Unreleased",
            "##  [unreleased]  ",
            "### Added",
            "### Fixed",
            "- A change.",
            "- Another change with a [link](https://example.org).",
            "",
            "",
            "## [1.3.0] - 2026-01-15",
            "## [1.4.0] - 2026-01-16",
            "## 1.4.0",
            "## [1.3.0rc1] - 2026-01-01",
            "[Unreleased]: https://github.com/example/sample-pkg/compare/v1.3.0...HEAD",
            "[1.3.0]: https://github.com/example/sample-pkg/releases/tag/v1.3.0",
            "[Unreleased]: not a link",
            "## [Unreleased]\r",
        ]
    ),
    st.text(max_size=30),
)


@st.composite
def changelog_bytes(draw: st.DrawFn) -> bytes:
    """A Keep a Changelog file edited by hand: lines added, dropped and moved; sometimes
    CRLF, a BOM, no final newline, or bytes of another encoding."""
    lines = sample.CHANGELOG.format(version="1.3.0", name="sample-pkg").splitlines()
    if draw(often(False, True)):
        lines = draw(st.lists(CHANGELOG_LINES, max_size=24))  # or anything at all
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(lines)))
        if draw(st.booleans()) and at < len(lines):
            del lines[at]
        else:
            lines.insert(at, draw(CHANGELOG_LINES))
    text = str(draw(often("\n", "\r\n"))).join(lines) + str(draw(often("\n", "", "\r\n")))
    data = (str(draw(often("", "\ufeff"))) + text).encode("utf-8", "surrogatepass")
    if draw(often(False, True)) and data:  # an editor that saved another encoding
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at:]
    return data


def _toml_string(value: str, style: int) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return [f'"{escaped}"', f"'{value}'", f'"""{value}"""', value][style]


@st.composite
def pyproject_text(draw: st.DrawFn) -> tuple[str, str]:
    """Mostly a sound pyproject.toml with one or two things a person could get wrong."""
    build = draw(
        often(
            '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
            '[build-system]\nrequires = ["setuptools>=68", "setuptools-scm"]\n',
            '[build-system]\nrequires = "hatchling"\n',
            "",
        )
    )
    name = draw(often('name = "sample-pkg"', "name = 1", "", 'name = "a b"'))
    version = draw(ANY_VERSION)
    style = draw(often(0, 1, 2, 3))
    version_line = draw(
        often(
            f"version = {_toml_string(version, style)}",
            'dynamic = ["version"]',
            'version = "1.3.0"\ndynamic = "version"',
            "",
        )
    )
    header = draw(often("[project]\n", "project = 1\n", ""))
    parts = [str(build), f"{header}{name}\n{version_line}"]
    keys = {
        "tag-format": st.one_of(
            often('"v{version}"', '"{version}"', '"release-{version}"', '"{version}{"'),
            st.text(max_size=12).map(_basic),
        ),
        "commit-message": st.one_of(
            often('"Release {version}"', '"{version}"', '"Release {major}"'),
            st.text(max_size=12).map(_basic),
        ),
        "changelog": often(
            '"CHANGELOG.md"', '""', '"."', '"src"', '"docs/CHANGES.md"', '"../outside.md"', "1"
        ),
        "version-files": often(
            '["README.md"]', '[{ path = "README.md", search = "v{version}" }]', '"x"', "[1]"
        ),
        "allow-dirty": often('["*.md"]', '"x"', "[]"),
        "upload-timeout": often("30", "0.5", '"x"', "true"),
    }
    chosen = draw(st.lists(st.sampled_from(sorted(keys)), max_size=3, unique=True))
    if chosen:
        table = [f"{key} = {draw(keys[key])}" for key in chosen]
        parts.append("[tool.releasekit]\n" + "\n".join(table))
    if draw(often(False, True)):
        parts.append(draw(st.text(max_size=20)))  # whatever else a hand-edited file holds
    return "\n\n".join(parts) + "\n", version


def _basic(value: str) -> str:
    return _toml_string(value, 0)


@st.composite
def options(draw: st.DrawFn) -> Options:
    """What a user asks for: a part (and maybe a pre-release), or an exact version."""
    if draw(st.booleans()):
        parts: tuple[Part | None, ...] = ("major", "patch", "pre", "release", None)
        part = draw(often("minor", *parts))
        pre = draw(often(None, "alpha", "beta", "rc", "gamma"))
        return Options(part=part, pre=pre, allow_empty_changelog=draw(st.booleans()), push=False)
    return Options(
        new_version=draw(ANY_VERSION), allow_empty_changelog=draw(st.booleans()), push=False
    )


OPTIONS = options()

# -- sound inputs: the success half of each property ----------------------------------------------
# The noisy strategies above hunt for crashes and half-written files, and are refused most of
# the time. Half of the examples come from these instead: a project a person keeps in good
# order (its own version, entries added under [Unreleased], CRLF or LF), so that "exactly as
# planned" is checked on many successes, not on a lucky few.

SOUND_ENTRIES = st.sampled_from(
    ["- A change.", "- Another change with a [link](https://example.org).", "### Fixed", ""]
)


@st.composite
def sound_changelog(draw: st.DrawFn, version: str) -> bytes:
    lines = sample.CHANGELOG.format(version=version, name="sample-pkg").splitlines()
    at = lines.index("## [Unreleased]") + 2
    for entry in draw(st.lists(SOUND_ENTRIES, max_size=3)):
        lines.insert(at, entry)
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return (newline.join(lines) + draw(st.sampled_from([newline, ""]))).encode()


@st.composite
def sound_pyproject(draw: st.DrawFn, version: str) -> str:
    text = sample.pyproject_text(name="sample-pkg", version="1.3.0", backend="hatchling")
    text = text.replace(
        'version = "1.3.0"', f"version = {_toml_string(version, draw(st.integers(0, 2)))}"
    )
    table = draw(
        st.lists(
            st.sampled_from(
                [
                    'tag-format = "v{version}"',
                    'tag-format = "release-{version}"',
                    'commit-message = "Release {version}"',
                    'allow-dirty = ["*.md"]',
                    "upload-timeout = 30",
                    'changelog = "CHANGELOG.md"',
                ]
            ),
            max_size=2,
            unique_by=lambda line: line.split(" = ")[0],
        )
    )
    return text + ("\n[tool.releasekit]\n" + "\n".join(table) + "\n" if table else "")


SOUND_OPTIONS = st.builds(
    Options,
    part=st.sampled_from(["major", "minor", "patch"]),
    pre=st.sampled_from([None, None, None, "alpha", "beta", "rc"]),
    allow_empty_changelog=st.booleans(),
    push=st.just(False),
)
PROJECT_INPUTS = tuple[tuple[str, str], bytes, Options]


@st.composite
def project_inputs(draw: st.DrawFn) -> PROJECT_INPUTS:
    """(pyproject text and its version, CHANGELOG bytes, options): sound or noisy, half each."""
    if draw(st.booleans()):
        version = draw(SANE_VERSIONS)
        return (
            (draw(sound_pyproject(version)), version),
            draw(sound_changelog(version)),
            draw(SOUND_OPTIONS),
        )
    return draw(pyproject_text()), draw(changelog_bytes()), draw(OPTIONS)


VERSION_INPUTS = st.one_of(st.tuples(OPTIONS, ANY_VERSION), st.tuples(SOUND_OPTIONS, SANE_VERSIONS))


# -- the property ------------------------------------------------------------------------------


def _files(root: Path) -> dict[str, bytes]:
    """Every file of the project and beside it, by path under its parent; git's own
    folders are left out (git may repack them in the background)."""
    top = root.parent
    found = {}
    for folder, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.endswith(".git"))
        for name in names:
            path = Path(folder, name)
            found[path.relative_to(top).as_posix()] = path.read_bytes()
    return found


def expected_files(before: dict[str, bytes], plan: Plan | None, root: Path) -> dict[str, bytes]:
    """The files a run must leave: as before on a refusal; on success, as before with every
    planned write holding exactly its planned bytes and every planned deletion gone."""
    expected = dict(before)
    for step in plan.steps if plan is not None else ():
        if isinstance(step, (WriteFile, DeleteFile)):
            where = (root / step.path).resolve().relative_to(root.parent.resolve()).as_posix()
            if isinstance(step, WriteFile):
                expected[where] = step.after
            else:
                expected.pop(where, None)
    return expected


def check_whole(
    scenario: Scenario,
    before: dict[str, bytes],
    after: dict[str, bytes],
    plan: Plan | None,
    root: Path,
) -> None:
    """Every file exactly as before (refused), or exactly as planned (succeeded): a planned
    write that was skipped, half done or done twice is data lost all the same."""
    expected = expected_files(before, plan, root)
    problems = []
    for path in sorted(set(expected) | set(after)):
        old, new, wanted = before.get(path), after.get(path), expected.get(path)
        if new == wanted:
            continue
        if wanted is None:
            problems.append(f"{path}: should not exist")
        elif new is None:
            problems.append(f"{path}: missing")
        elif new == old:
            problems.append(f"{path}: the planned write did not happen")
        else:
            problems.append(f"{path}: neither as before nor as planned")
    scenario.data_lost(problems)
    assert problems == [], problems


class Outcomes:
    """How a generated run ended, counted over all of a property's examples: the share that
    reached success must be large enough for the success half of the property to mean
    something."""

    def __init__(self) -> None:
        self.succeeded = 0
        self.refused = 0

    def record(self, succeeded: bool) -> None:
        if succeeded:
            self.succeeded += 1
        else:
            self.refused += 1

    def report(self, scenario: Scenario) -> float:
        total = self.succeeded + self.refused
        scenario.examples(total, self.succeeded)
        ratio = self.succeeded / total if total else 0.0
        print(f"[examples] {total} run, {self.succeeded} succeeded ({ratio:.0%})")
        return ratio


MIN_SUCCESS = 1 / 3


@pytest.fixture
def project_dir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="releasekit-prop-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_generated_pyproject_and_changelog_are_handled_or_refused(
    scenario: Scenario, project_dir: Path
) -> None:
    outcomes = Outcomes()

    @BOUNDED
    @given(inputs=project_inputs(), versions=st.booleans(), roll=st.booleans())
    def example(inputs: PROJECT_INPUTS, versions: bool, roll: bool) -> None:
        pyproject, changelog, options = inputs
        base = Path(tempfile.mkdtemp(dir=project_dir))
        root = sample.write_project(base / "project")
        subprocess.run(["git", "init", "--quiet", str(root)], check=True)  # where projects live
        text, version = pyproject
        (root / "pyproject.toml").write_text(text, encoding="utf-8", newline="")
        init = root / INIT  # __version__ says what pyproject says (most of the time)
        if version.strip() and "\n" not in version and '"' not in version:
            init.write_text(init.read_text().replace("1.3.0", version), encoding="utf-8")
        (root / "CHANGELOG.md").write_bytes(changelog)
        (base / "outside.md").write_text("## [Unreleased]\n\n- Outside.\n")
        before = _files(root)
        plan = None
        try:
            planned = release.plan_files(
                root, options, date=DATE, versions=versions, changelog=roll or not versions
            )
            plan = release.release_plan(root, planned, report=lambda line: None)
            event("handled")
        except ReleaseError as refusal:
            assert str(refusal).strip(), "an error without a message"
            event(f"refused: {type(refusal).__name__}")
        outcomes.record(plan is not None)
        check_whole(scenario, before, _files(root), plan, root)

    example()
    ratio = outcomes.report(scenario)
    assert ratio >= MIN_SUCCESS, f"only {ratio:.0%} of the examples reached success"


@pytest.fixture(scope="module")
def git_repo(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    repo = make_repo(tmp_path_factory.mktemp("versions"))
    repo.git("config", "gc.auto", "0")  # no repacking in the background between examples
    return repo


def refs(repo: Repo, *, remote: bool = False) -> dict[str, str]:
    """Every ref and what it points to, here or on the remote."""
    where = repo.remote if remote else repo.root
    out = subprocess.run(
        ["git", "for-each-ref", "--format=%(refname) %(objectname)"],
        cwd=where,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(line.split(" ", 1) for line in out.splitlines())


def git_problems(repo: Repo, plan: Plan | None, base: str, before: Mapping[str, str]) -> list[str]:
    """On a refusal every ref as before; on success the planned commit on top of `base`,
    holding the planned bytes, with the planned message, and the planned tag at it."""
    now = refs(repo)
    if plan is None:
        return (
            []
            if now == before
            else [f"refs changed: {sorted(set(now.items()) ^ set(before.items()))}"]
        )
    problems = []
    head = repo.ref("HEAD")
    commits = [step for step in plan.steps if isinstance(step, Commit)]
    tags = [step for step in plan.steps if isinstance(step, Tag)]
    if commits:
        if repo.ref("HEAD~1") != base:
            problems.append("HEAD is not one commit on top of where the release started")
        if repo.git("log", "-1", "--format=%B").strip() != commits[0].message.strip():
            problems.append("the commit message is not the planned one")
        for step in plan.steps:
            if isinstance(step, WriteFile):
                shown = subprocess.run(
                    ["git", "show", f"HEAD:{step.path}"], cwd=repo.root, capture_output=True
                ).stdout
                if shown != step.after:
                    problems.append(f"the commit does not hold the planned {step.path}")
    elif head != base:
        problems.append("HEAD moved without a planned commit")
    for tag in tags:
        if repo.ref(f"refs/tags/{tag.name}^{{commit}}") != head:
            problems.append(f"tag {tag.name} is not at HEAD")
        elif repo.git("cat-file", "-t", f"refs/tags/{tag.name}").strip() != "tag":
            problems.append(f"tag {tag.name} is not annotated")
    expected = {ref: sha for ref, sha in before.items() if ref != "refs/heads/main"}
    actual = {ref: sha for ref, sha in now.items() if ref != "refs/heads/main"}
    for tag in tags:
        actual.pop(f"refs/tags/{tag.name}", None)
    if expected != actual:
        problems.append("refs other than the release's changed")
    if repo.git("status", "--porcelain", "--untracked-files=no").strip():
        problems.append("uncommitted changes left behind")
    return problems


def test_generated_versions_are_released_or_refused(scenario: Scenario, git_repo: Repo) -> None:
    """Any --new-version / --part on any current version, through a real local release:
    refused with every file and ref as before, or released exactly as planned (the remote
    untouched: these runs do not push)."""
    repo, root = git_repo, git_repo.root
    start = repo.ref("HEAD")
    assert start is not None
    remote_before = refs(repo, remote=True)
    outcomes = Outcomes()

    @BOUNDED
    @given(inputs=VERSION_INPUTS)
    def example(inputs: tuple[Options, str]) -> None:
        options, current = inputs
        for path in ("pyproject.toml", INIT):
            text = (root / path).read_text(encoding="utf-8")
            quoted = _json_quote(current)
            (root / path).write_text(text.replace('"1.3.0"', quoted), encoding="utf-8")
        repo.git("commit", "--quiet", "--allow-empty", "-am", "Current version")
        base = repo.ref("HEAD")
        assert base is not None
        before, refs_before = _files(root), refs(repo)
        plan = None
        try:
            plan = release.release(root, options, date=DATE, report=lambda line: None)
            event("released")
        except ReleaseError as refusal:
            assert str(refusal).strip(), "an error without a message"
            event(f"refused: {type(refusal).__name__}")
        outcomes.record(plan is not None)
        try:
            assert plan is None or not any(isinstance(s, Push) for s in plan.steps)
            check_whole(scenario, before, _files(root), plan, root)
            problems = git_problems(repo, plan, base, refs_before)
            if refs(repo, remote=True) != remote_before:
                problems.append("the remote changed")
            scenario.data_lost(problems)
            assert problems == [], problems
        finally:
            for tag in repo.git("tag", "--list").split():
                if tag != "v1.3.0":
                    repo.git("tag", "-d", tag)
            repo.git("reset", "--quiet", "--hard", start)

    example()
    ratio = outcomes.report(scenario)
    assert ratio >= MIN_SUCCESS, f"only {ratio:.0%} of the examples reached success"


def _json_quote(value: str) -> str:
    """`value` as a TOML/Python basic string (both read JSON-style escapes)."""
    import json

    return json.dumps(value)
