"""Where the version lives, when releasekit cannot find it itself: the fix names the one
[tool.releasekit] version-files line that would work, and version-files entries are checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_sources import HATCH, find

from releasekit.core.sources import replace
from releasekit.errors import ConfigError, VersionError

DYNAMIC = f'{HATCH}[project]\nname = "sample-pkg"\ndynamic = ["version"]\n'


def advice(tmp_path: Path, files: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as caught:
        find(tmp_path, {"pyproject.toml": DYNAMIC, **files})
    assert caught.value.cause.startswith("cannot find where the version lives")
    return caught.value.fix


@pytest.mark.parametrize("name", ["VERSION", "VERSION.txt", "version.txt"])
def test_a_version_file_at_the_root_is_proposed_as_is(tmp_path: Path, name: str) -> None:
    fix = advice(tmp_path, {name: "2.1.0\n"})
    assert fix == f'add [tool.releasekit] version-files = ["{name}"] to pyproject.toml'


def test_a_version_assignment_in_the_package_is_proposed_with_its_search(tmp_path: Path) -> None:
    package = {"src/sample_pkg/__init__.py": '"""Sample."""\n'}
    fix = advice(tmp_path, {**package, "src/sample_pkg/meta.py": 'RELEASE_VERSION = "2.1.0"\n'})
    assert fix == (
        "add [tool.releasekit] version-files = "
        '[{ path = "src/sample_pkg/meta.py", search = "RELEASE_VERSION = \\"{version}\\"" }] '
        "to pyproject.toml"
    )


def test_a_single_module_at_the_root_is_proposed_with_its_search(tmp_path: Path) -> None:
    fix = advice(tmp_path, {"sample_pkg.py": 'VERSION = "2.1.0"\n'})
    assert fix == (
        'add [tool.releasekit] version-files = [{ path = "sample_pkg.py", '
        'search = "VERSION = \\"{version}\\"" }] to pyproject.toml'
    )


def test_a_root_file_with_two_versions_is_not_proposed_whole(tmp_path: Path) -> None:
    fix = advice(tmp_path, {"VERSION": "2.1.0\n2.0.0\n"})
    assert fix == (
        "write the version (e.g. 1.0.0) in a file named VERSION and add "
        '[tool.releasekit] version-files = ["VERSION"] to pyproject.toml'
    )


def test_the_places_looked_at_are_named_once_each(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        find(
            tmp_path,
            {"pyproject.toml": DYNAMIC, "src/sample_pkg/__init__.py": '"""No version."""\n'},
        )
    assert caught.value.cause == (
        "cannot find where the version lives (looked at pyproject.toml [project] version, "
        "__version__ in src/sample_pkg/__init__.py|_version.py|__about__.py)"
    )


STATIC = f'{HATCH}[project]\nname = "sample-pkg"\nversion = "1.3.0"\n\n[tool.releasekit]\n'


def test_a_missing_version_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        find(tmp_path, {"pyproject.toml": STATIC + 'version-files = ["VERSION"]\n'})
    assert caught.value.cause == (
        "version file VERSION (from [tool.releasekit] version-files) cannot be read "
        "as a UTF-8 text file"
    )
    assert caught.value.fix == "fix the path or create the file"


def test_a_search_that_finds_two_versions_is_refused_with_the_fix(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": STATIC + 'version-files = [{ path = "a.cfg", search = "v={version}" }]\n',
        "a.cfg": "v=1.3.0\nv=1.2.0\n",
    }
    with pytest.raises(VersionError) as caught:
        find(tmp_path, files)
    assert (
        caught.value.cause
        == "a.cfg: search 'v={version}' must find one version, found 1.2.0, 1.3.0"
    )
    assert caught.value.fix == "fix the file or the search template"


def test_a_bare_version_file_is_labelled_and_replaced_by_the_project_version(
    tmp_path: Path,
) -> None:
    sources = find(
        tmp_path, {"pyproject.toml": STATIC + 'version-files = ["VERSION"]\n', "VERSION": "1.3.0\n"}
    )
    location = sources.locations[-1]
    assert (location.path, location.value, location.label) == (
        "VERSION",
        "1.3.0",
        "VERSION '{version}'",
    )
    assert replace("1.3.0\n", location, "1.4.0") == "1.4.0\n"


def test_a_search_template_is_split_at_its_first_placeholder(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": STATIC
        + 'version-files = [{ path = "a.cfg", search = "v={version} ({version})" }]\n',
        "a.cfg": "v=1.3.0 ({version})\n",
    }
    location = find(tmp_path, files).locations[-1]
    assert location.value == "1.3.0"
