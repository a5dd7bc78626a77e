"""Generated CHANGELOG texts, pyproject texts and version strings: each is handled, or
refused with releasekit's own error (ReleaseError), never another exception, and never
leaves a half-written file: every file is either exactly as before or exactly as planned.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from faults.faultkit import Scenario
from faults.worlds import INIT, Repo, make_repo
from releasekit.core import release
from releasekit.core.plan import Options, Plan, WriteFile
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


def check_whole(
    scenario: Scenario,
    before: dict[str, bytes],
    after: dict[str, bytes],
    plan: Plan | None,
    root: Path,
) -> None:
    """Every file exactly as before, or (when the run succeeded) exactly as planned."""
    planned = {}
    if plan is not None:
        planned = {
            (root / step.path).resolve().relative_to(root.parent.resolve()).as_posix(): step.after
            for step in plan.steps
            if isinstance(step, WriteFile)
        }
    problems = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        if new == old or (path in planned and new == planned[path]):
            continue
        problems.append(f"{path}: neither as before nor as planned")
    scenario.data_lost(problems)
    assert problems == [], problems


@pytest.fixture
def project_dir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="releasekit-prop-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@BOUNDED
@given(
    pyproject=pyproject_text(),
    changelog=changelog_bytes(),
    options=OPTIONS,
    versions=st.booleans(),
    roll=st.booleans(),
)
def test_generated_pyproject_and_changelog_are_handled_or_refused(
    scenario: Scenario,
    project_dir: Path,
    pyproject: tuple[str, str],
    changelog: bytes,
    options: Options,
    versions: bool,
    roll: bool,
) -> None:
    base = Path(tempfile.mkdtemp(dir=project_dir))
    root = sample.write_project(base / "project")
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
    check_whole(scenario, before, _files(root), plan, root)


@pytest.fixture(scope="module")
def git_repo(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    repo = make_repo(tmp_path_factory.mktemp("versions"))
    repo.git("config", "gc.auto", "0")  # no repacking in the background between examples
    return repo


@BOUNDED
@given(options=OPTIONS, current=ANY_VERSION)
def test_generated_versions_are_released_or_refused(
    scenario: Scenario, git_repo: Repo, options: Options, current: str
) -> None:
    """Any --new-version / --part on any current version, through a real local release."""
    repo, root = git_repo, git_repo.root
    base = repo.ref("HEAD")
    for path in ("pyproject.toml", INIT):
        text = (root / path).read_text(encoding="utf-8")
        (root / path).write_text(text.replace('"1.3.0"', _json_quote(current)), encoding="utf-8")
    repo.git("commit", "--quiet", "--allow-empty", "-am", "Current version")
    before = _files(root)
    plan = None
    try:
        plan = release.release(root, options, date=DATE, report=lambda line: None)
        event("released")
    except ReleaseError as refusal:
        assert str(refusal).strip(), "an error without a message"
        event(f"refused: {type(refusal).__name__}")
    try:
        if plan is not None:
            check_whole(scenario, before, _files(root), plan, root)
            assert repo.ref(f"refs/tags/{plan.tag}^{{commit}}") == repo.ref("HEAD")
        else:
            check_whole(scenario, before, _files(root), None, root)
    finally:
        for tag in repo.git("tag", "--list").split():
            if tag != "v1.3.0":
                repo.git("tag", "-d", tag)
        repo.git("reset", "--quiet", "--hard", str(base))


def _json_quote(value: str) -> str:
    """`value` as a TOML/Python basic string (both read JSON-style escapes)."""
    import json

    return json.dumps(value)
