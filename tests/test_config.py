"""[tool.releasekit]: defaults, validation, and clear errors for a broken pyproject.toml."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from releasekit.core.config import Config, VersionFile, from_table, load, read_pyproject
from releasekit.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def assert_one_line(exc: BaseException) -> None:
    assert "\n" not in str(exc)
    assert getattr(exc, "fix", "")


def pyproject(tmp_path: Path, text: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_defaults_without_a_releasekit_table(tmp_path: Path) -> None:
    config = load(pyproject(tmp_path, '[project]\nname = "x"\nversion = "1.0"\n'))
    assert config == Config()
    assert config.branch == "main"
    assert config.remote == "origin"
    assert config.tag("1.4.0rc1") == "v1.4.0rc1"
    assert config.message("1.4.0") == "chore(release): Bump version to v1.4.0"
    assert config.changelog == "CHANGELOG.md"
    assert config.version_files == ()
    assert config.publish == "none"
    assert config.github_release is True
    assert config.sign is False


def test_every_key_is_read(tmp_path: Path) -> None:
    text = """\
[tool.releasekit]
branch = "trunk"
remote = "upstream"
tag-format = "release-{version}"
commit-message = "Release {version}"
changelog = "docs/CHANGES.md"
allow-dirty = ["docs/*.lock", "notes.txt"]
version-files = ["VERSION", { path = "docs/conf.py", search = "release = '{version}'" }]
repository = "testpypi"
publish = "local"
sign = true
github-release = false
upload-timeout = 30
strict-metadata = true
"""
    config = load(pyproject(tmp_path, text))
    assert config == Config(
        branch="trunk",
        remote="upstream",
        tag_format="release-{version}",
        tag_format_set=True,
        strict_metadata=True,
        commit_message="Release {version}",
        changelog="docs/CHANGES.md",
        allow_dirty=("docs/*.lock", "notes.txt"),
        version_files=(
            VersionFile("VERSION"),
            VersionFile("docs/conf.py", "release = '{version}'"),
        ),
        repository="testpypi",
        publish="local",
        sign=True,
        github_release=False,
        upload_timeout=30,
    )
    assert config.tag("2.0.0") == "release-2.0.0"


def test_load_uses_data_already_parsed(tmp_path: Path) -> None:
    # No pyproject.toml on disk: the caller's data is enough.
    config = load(tmp_path, {"tool": {"releasekit": {"branch": "dev"}}})
    assert config.branch == "dev"


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"branch": 1}, "branch has the wrong type (int)"),
        ({"sign": "yes"}, "sign has the wrong type (str)"),
        ({"github-release": 0}, "github-release has the wrong type (int)"),
        ({"upload-timeout": True}, "upload-timeout has the wrong type (bool)"),
        ({"upload-timeout": "30"}, "upload-timeout has the wrong type (str)"),
        ({"tag-format": ["v{version}"]}, "tag-format has the wrong type (list)"),
        ({"brnach": "main"}, "unknown key 'brnach'"),
        ({"tag_format": "v{version}"}, "unknown key 'tag_format'"),
        ({"tag-format": "v1"}, "must contain {version}"),
        ({"publish": "pypi"}, 'publish must be "none" or "local"'),
        ({"allow-dirty": "*.lock"}, "allow-dirty must be a list"),
        ({"allow-dirty": ["a", 1]}, "allow-dirty must list strings"),
        ({"version-files": "VERSION"}, "version-files must be a list"),
        ({"version-files": [1]}, "version-files entries are paths or {path, search} tables"),
        ({"version-files": [{"search": "{version}"}]}, "entries are paths or {path, search}"),
        ({"version-files": [{"path": "a.py", "search": "v = 1"}]}, "'a.py' needs a search"),
        ({"version-files": [{"path": "a.py", "search": 3}]}, "'a.py' needs a search"),
        ({"build-frontend": "flit"}, "build-frontend must be one of build, uv, not 'flit'"),
        ({"build-frontend": True}, "build-frontend has the wrong type"),
    ],
)
def test_bad_settings_are_refused_with_one_line(table: dict[str, Any], words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        from_table(table)
    assert words in str(caught.value)
    assert_one_line(caught.value)


def test_releasekit_must_be_a_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load(pyproject(tmp_path, 'tool.releasekit = "yes"\n'))
    assert "[tool.releasekit] in pyproject.toml must be a table" in str(caught.value)
    assert_one_line(caught.value)


def test_missing_pyproject(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        read_pyproject(tmp_path)
    assert f"no pyproject.toml in {tmp_path}" in str(caught.value)
    assert "root folder" in str(caught.value)
    assert_one_line(caught.value)


def test_invalid_toml_names_the_place(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        read_pyproject(pyproject(tmp_path, '[project]\nname = "x"\nversion = 1.3.0\n'))
    message = str(caught.value)
    assert "pyproject.toml is not valid TOML" in message
    assert "line 3" in message
    assert_one_line(caught.value)


def test_read_pyproject_returns_the_data(tmp_path: Path) -> None:
    text = '[project]\r\nname = "x"\r\nversion = "1.3.0"\r\n'
    assert read_pyproject(pyproject(tmp_path, text)) == {
        "project": {"name": "x", "version": "1.3.0"}
    }


def test_pyproject_not_in_utf8_is_a_config_error(tmp_path: Path) -> None:
    text = '[project]\nname = "x"\nauthors = [{ name = "José" }]\n'
    (tmp_path / "pyproject.toml").write_bytes(text.encode("latin-1"))
    with pytest.raises(ConfigError):
        read_pyproject(tmp_path)


def test_tool_that_is_not_a_table_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load(pyproject(tmp_path, 'tool = "x"\n'))


@pytest.mark.parametrize("tag_format", ["{name}-v{version}", "v{version}}", "v{version}{"])
def test_tag_format_that_cannot_be_formatted_is_refused(tag_format: str) -> None:
    try:
        config = from_table({"tag-format": tag_format})
    except ConfigError:
        return
    config.tag("1.4.0")  # accepted formats must work


def test_unknown_key_in_a_version_files_entry_is_refused() -> None:
    with pytest.raises(ConfigError):
        from_table({"version-files": [{"path": "a.cfg", "serach": "version = {version}"}]})


# --- property: garbage in, ConfigError out ---------------------------------------------------

_TOML_BITS = st.sampled_from(
    [
        "[",
        "]",
        "[[",
        "]]",
        "=",
        '"',
        "'",
        '"""',
        "#",
        "\n",
        "\r\n",
        "\r",
        "{",
        "}",
        ",",
        ".",
        "project",
        "tool.releasekit",
        "version",
        "1.3.0",
        "true",
        "1979-05-27T07:32:00Z",
        "\\u00e9",
        "\\",
        " ",
        "\t",
        "\x00",
        "é",
    ]
)


@settings(
    deadline=None, max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(st.lists(_TOML_BITS, max_size=30).map("".join), st.text(max_size=80)))
def test_garbage_pyproject_gives_config_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(text, encoding="utf-8", newline="")
    try:
        data = read_pyproject(tmp_path)
    except ConfigError as exc:
        assert str(exc).startswith("pyproject.toml is not valid TOML (")
        assert_one_line(exc)
        return
    # Accepted only when it is TOML indeed.
    assert data == tomllib.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "table",
    [
        {"changelog": "../CHANGELOG.md"},
        {"changelog": "/etc/passwd"},
        {"changelog": "C:/x.md"},
        {"version-files": ["docs/../../setup.cfg"]},
        {"version-files": [{"path": "/abs/version.txt"}]},
    ],
)
def test_paths_outside_the_project_are_refused(table: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match="outside the project"):
        from_table(table)


def test_an_empty_changelog_path_is_refused() -> None:
    with pytest.raises(ConfigError, match="empty path"):
        from_table({"changelog": " "})


@pytest.mark.parametrize(
    ("tag", "tag_format", "expected"),
    [
        ("v1.4.0", "v{version}", "1.4.0"),
        ("v1.4.0rc1", "v{version}", "1.4.0rc1"),
        ("release-2.0.0-final", "release-{version}-final", "2.0.0"),
        ("1.4.0", "{version}", "1.4.0"),
        ("v", "v{version}", None),
        ("1.4.0", "v{version}", None),
        ("release-2.0.0", "release-{version}-final", None),
    ],
)
def test_the_version_a_tag_carries(tag: str, tag_format: str, expected: str | None) -> None:
    from releasekit.core.config import tag_version

    assert tag_version(tag, tag_format) == expected
    assert Config(tag_format=tag_format).version_of(tag) == expected


def test_build_frontend_is_read_and_defaults_to_choosing() -> None:
    assert from_table({}).build_frontend == ""  # uv when installed: publishing.dist decides
    assert from_table({"build-frontend": "uv"}).build_frontend == "uv"
    assert from_table({"build-frontend": "build"}).build_frontend == "build"


def test_a_member_takes_the_roots_repository_settings_and_keeps_its_paths() -> None:
    from releasekit.core.config import load_member

    root = {"tool": {"releasekit": {"branch": "trunk", "changelog": "HISTORY.md"}}}
    member = {"tool": {"releasekit": {"version-files": ["VERSION"]}}}
    config = load_member(root, member, "alpha-kit")
    assert config.branch == "trunk"
    assert config.changelog == "CHANGELOG.md"  # the root's path is the root's own
    assert [f.path for f in config.version_files] == ["VERSION"]
    assert config.tag("1.4.0") == "alpha-kit-v1.4.0"
    assert config.version_of("alpha-kit-v1.4.0") == "1.4.0"
    assert config.version_of("beta-lib-v1.4.0") is None
    assert config.pr_branch_name("1.4.0") == "release/alpha-kit-v1.4.0"


def test_tag_format_may_name_the_package() -> None:
    from releasekit.core.config import load_member

    root = {"tool": {"releasekit": {"tag-format": "{package}@{version}"}}}
    assert load_member(root, {}, "alpha-kit").tag("2.0.0") == "alpha-kit@2.0.0"
    with pytest.raises(ConfigError, match=r"must contain \{version\} \(and optionally"):
        from_table({"tag-format": "{package}-latest"}, package="x")


def test_packages_lists_paths_inside_the_repository() -> None:
    assert from_table({"packages": ["libs/a", "libs/b"]}).packages == ("libs/a", "libs/b")
    with pytest.raises(ConfigError, match="outside the project"):
        from_table({"packages": ["../elsewhere"]})
    with pytest.raises(ConfigError, match="members of a member"):
        from releasekit.core.config import load_member

        load_member({}, {"tool": {"releasekit": {"packages": ["x"]}}}, "alpha-kit")
