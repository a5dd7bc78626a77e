"""Where the version lives, found without configuration, and edited without touching the rest."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from releasekit.core import config as config_mod
from releasekit.core.config import Config, VersionFile
from releasekit.core.sources import Location, Sources, discover, replace, uv_lock_version
from releasekit.errors import ConfigError, VersionError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

HATCH = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))


def find(root: Path, files: dict[str, str], config: Config | None = None) -> Sources:
    """discover() as state.read_project calls it, on files written by hand."""
    write(root, files)
    data = config_mod.read_pyproject(root)
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    return discover(root, data, text, config or config_mod.load(root, data))


def found(sources: Sources) -> list[tuple[str, str, str]]:
    return [(loc.path, loc.kind, loc.value) for loc in sources.locations]


def static(name: str = "sample-pkg", version: str = "1.3.0") -> str:
    return f'{HATCH}[project]\nname = "{name}"\nversion = "{version}"\n'


# --- discovery -------------------------------------------------------------------------------


def test_static_project_version(tmp_path: Path) -> None:
    sources = find(tmp_path, {"pyproject.toml": static()})
    assert sources.project == "sample-pkg"
    assert found(sources) == [("pyproject.toml", "project", "1.3.0")]
    assert not sources.tag_only


def test_poetry_version(tmp_path: Path) -> None:
    text = '[tool.poetry]\nname = "sample-pkg"\nversion = "1.3.0rc1"\n'
    sources = find(tmp_path, {"pyproject.toml": text})
    assert found(sources) == [("pyproject.toml", "poetry", "1.3.0rc1")]


@pytest.mark.parametrize("filename", ["__init__.py", "_version.py", "__about__.py"])
@pytest.mark.parametrize("layout", ["src/sample_pkg", "sample_pkg"])
def test_dunder_version_in_the_package(tmp_path: Path, filename: str, layout: str) -> None:
    pyproject = f'{HATCH}[project]\nname = "sample-pkg"\ndynamic = ["version"]\n'
    files = {
        "pyproject.toml": pyproject,
        f"{layout}/__init__.py": '"""Package."""\n',
        f"{layout}/{filename}": '"""Version."""\n\n__version__ = "1.3.0"\n',
    }
    sources = find(tmp_path, files)
    assert found(sources) == [(f"{layout}/{filename}", "dunder", "1.3.0")]
    assert not sources.tag_only


def test_every_location_is_found(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": static(),
        "src/sample_pkg/__init__.py": "__version__ = '1.3.0'\n",
        "src/sample_pkg/__about__.py": '__version__: str = "1.3.0"\n',
    }
    sources = find(tmp_path, files)
    assert found(sources) == [
        ("pyproject.toml", "project", "1.3.0"),
        ("src/sample_pkg/__init__.py", "dunder", "1.3.0"),
        ("src/sample_pkg/__about__.py", "dunder", "1.3.0"),
    ]


def test_a_computed_dunder_version_is_not_a_location(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": static(),
        "src/sample_pkg/__init__.py": (
            "from importlib.metadata import version\n\n"
            '__version__ = version("sample-pkg")\n'
            "__version__: str\n"
        ),
    }
    assert found(find(tmp_path, files)) == [("pyproject.toml", "project", "1.3.0")]


def test_single_package_under_src_with_another_name(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": static(name="Sample.Dist"),
        "src/other/__init__.py": '__version__ = "1.3.0"\n',
    }
    assert ("src/other/__init__.py", "dunder", "1.3.0") in found(find(tmp_path, files))


@pytest.mark.parametrize(
    "build",
    [
        '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\n',
        '[build-system]\nrequires = ["setuptools>=64", "setuptools-scm>=8"]\n',
        '[build-system]\nrequires = ["setuptools"]\n\n[tool.setuptools_scm]\n',
        '[build-system]\nrequires = ["hatchling"]\n\n[tool.hatch.version]\nsource = "vcs"\n',
    ],
    ids=["hatch-vcs", "setuptools-scm", "setuptools_scm-table", "hatch-source-vcs"],
)
def test_dynamic_vcs_version_is_carried_by_the_tag(tmp_path: Path, build: str) -> None:
    text = f'{build}\n[project]\nname = "sample-pkg"\ndynamic = ["version"]\n'
    sources = find(tmp_path, {"pyproject.toml": text})
    assert sources.tag_only
    assert sources.locations == ()


def test_dynamic_version_without_vcs_or_dunder_is_refused(tmp_path: Path) -> None:
    text = f'{HATCH}[project]\nname = "sample-pkg"\ndynamic = ["version"]\n'
    with pytest.raises(ConfigError) as caught:
        find(tmp_path, {"pyproject.toml": text})
    message = str(caught.value)
    assert "cannot find where the version lives" in message
    assert "version-files" in message and "\n" not in message


def test_no_project_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        find(tmp_path, {"pyproject.toml": '[project]\nversion = "1.3.0"\n'})
    assert "names no project" in str(caught.value)


def test_uv_lock_entry_of_the_project_is_a_location(tmp_path: Path) -> None:
    lock = (
        'version = 1\n\n[[package]]\nname = "idna"\nversion = "1.3.0"\n\n'
        '[[package]]\nname = "sample-pkg"\nversion = "1.3.0"\nsource = { editable = "." }\n'
    )
    sources = find(tmp_path, {"pyproject.toml": static(), "uv.lock": lock})
    assert found(sources)[-1] == ("uv.lock", "uvlock", "1.3.0")
    assert sources.locations[-1].key == "sample-pkg"


def test_uv_lock_without_the_project_is_ignored(tmp_path: Path) -> None:
    lock = 'version = 1\n\n[[package]]\nname = "sample-pkg-extra"\nversion = "9.0.0"\n'
    sources = find(tmp_path, {"pyproject.toml": static(), "uv.lock": lock})
    assert found(sources) == [("pyproject.toml", "project", "1.3.0")]


def test_uv_lock_is_found_for_a_name_uv_normalizes(tmp_path: Path) -> None:
    # What `uv lock` writes for [project] name = "Sample_Pkg" (checked with uv).
    lock = (
        'version = 1\nrevision = 5\nrequires-python = ">=3.10"\n\n'
        '[[package]]\nname = "sample-pkg"\nversion = "1.3.0"\nsource = { virtual = "." }\n'
    )
    sources = find(tmp_path, {"pyproject.toml": static(name="Sample_Pkg"), "uv.lock": lock})
    assert ("uv.lock", "uvlock", "1.3.0") in found(sources)


def test_version_file_with_a_search_template(tmp_path: Path) -> None:
    config = Config(version_files=(VersionFile("setup.cfg", "version = {version}"),))
    files = {"pyproject.toml": static(), "setup.cfg": "[metadata]\nversion = 1.3.0\n"}
    location = find(tmp_path, files, config).locations[-1]
    assert (location.path, location.kind, location.value) == ("setup.cfg", "file", "1.3.0")
    assert location.key == "version = {version}"


def test_version_file_with_a_bare_template_looks_for_the_project_version(tmp_path: Path) -> None:
    config = Config(version_files=(VersionFile("README.md"),))
    files = {"pyproject.toml": static(), "README.md": "Install 1.3.0 (not 0.9.1).\n"}
    assert found(find(tmp_path, files, config))[-1] == ("README.md", "file", "1.3.0")


def test_bare_template_without_the_version_reports_it_missing(tmp_path: Path) -> None:
    config = Config(version_files=(VersionFile("README.md"),))
    files = {"pyproject.toml": static(), "README.md": "Install 1.2.0.\n"}
    assert found(find(tmp_path, files, config))[-1] == ("README.md", "file", "(not found)")


def test_missing_version_file_is_refused(tmp_path: Path) -> None:
    config = Config(version_files=(VersionFile("docs/conf.py", "release = '{version}'"),))
    with pytest.raises(ConfigError) as caught:
        find(tmp_path, {"pyproject.toml": static()}, config)
    assert "version file docs/conf.py" in str(caught.value)
    assert "cannot be read" in str(caught.value)


def test_version_file_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    config = Config(version_files=(VersionFile("docs"),))
    with pytest.raises(ConfigError):
        find(tmp_path, {"pyproject.toml": static(), "docs/index.md": "1.3.0\n"}, config)


def test_project_that_is_not_a_table_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        find(tmp_path, {"pyproject.toml": 'project = "sample-pkg"\n'})


@pytest.mark.parametrize(
    ("text", "shown"),
    [("nothing here\n", "no match"), ("release = '1.3.0'\nrelease = '1.2.0'\n", "1.2.0, 1.3.0")],
)
def test_version_file_search_must_find_exactly_one_version(
    tmp_path: Path, text: str, shown: str
) -> None:
    config = Config(version_files=(VersionFile("docs/conf.py", "release = '{version}'"),))
    with pytest.raises(VersionError) as caught:
        find(tmp_path, {"pyproject.toml": static(), "docs/conf.py": text}, config)
    message = str(caught.value)
    assert "docs/conf.py: search 'release = '{version}'' must find one version" in message
    assert f"found {shown}" in message and "\n" not in message


def test_version_files_from_pyproject(tmp_path: Path) -> None:
    text = static() + (
        '\n[tool.releasekit]\nversion-files = ["VERSION", '
        '{ path = "docs/conf.py", search = "release = \\"{version}\\"" }]\n'
    )
    files = {"pyproject.toml": text, "VERSION": "1.3.0\n", "docs/conf.py": 'release = "1.3.0"\n'}
    assert found(find(tmp_path, files))[1:] == [
        ("VERSION", "file", "1.3.0"),
        ("docs/conf.py", "file", "1.3.0"),
    ]


def test_uv_lock_version_reads_only_the_named_entry() -> None:
    lock = (
        '[[package]]\r\nname = "a"\r\nversion = "1.0"\r\n\r\n'
        '[[package]]\r\nname = "b"\r\nversion = "2.0"\r\n'
    )
    assert uv_lock_version(lock, "b") == "2.0"
    assert uv_lock_version(lock, "a") == "1.0"
    assert uv_lock_version(lock, "c") is None


# --- replace: the version and nothing else ---------------------------------------------------


PROJECT = Location("pyproject.toml", "project", "1.3.0")
POETRY = Location("pyproject.toml", "poetry", "1.3.0")


def test_replace_project_keeps_quotes_comments_and_crlf() -> None:
    text = (
        "# top comment\r\n[project]\r\nname = 'sample-pkg'  # the name\r\n"
        "version = '1.3.0'   # bumped by releasekit\r\n\r\n[tool.other]\r\nversion = \"1.3.0\"\r\n"
    )
    out = replace(text, PROJECT, "1.4.0rc1")
    assert out == text.replace("version = '1.3.0'", "version = '1.4.0rc1'")


@pytest.mark.parametrize(
    "written",
    ['"1.3.0"', "'1.3.0'", '"""1.3.0"""', "'''1.3.0'''"],
    ids=["basic", "lit", "ml", "mll"],
)
def test_replace_project_keeps_every_quote_style(written: str) -> None:
    text = f'[project]\nname = "x"\nversion  =  {written}\n'
    out = replace(text, PROJECT, "2.0.0")
    assert out == text.replace("1.3.0", "2.0.0")


def test_replace_project_with_dotted_keys_and_split_tables() -> None:
    text = (
        'project.name = "x"\nproject.version = "1.3.0"\n'
        '\n[tool.x]\nversion = "1.3.0"\n\n[project.urls]\nHome = "https://x.test"\n'
    )
    out = replace(text, PROJECT, "1.4.0")
    assert out == text.replace('project.version = "1.3.0"', 'project.version = "1.4.0"')


def test_replace_poetry_leaves_project_and_other_tables_alone() -> None:
    text = (
        '[tool.poetry]\nname = "x"\nversion = "1.3.0"\n\n'
        '[tool.poetry.dependencies]\nfoo = "1.3.0"\n'
    )
    out = replace(text, POETRY, "1.4.0")
    assert out == text.replace('version = "1.3.0"', 'version = "1.4.0"')
    assert tomllib.loads(out)["tool"]["poetry"]["dependencies"]["foo"] == "1.3.0"


def test_replace_dunder_changes_only_matching_version_assignments() -> None:
    location = Location("src/x/__init__.py", "dunder", "1.3.0")
    text = (
        '"""x 1.3.0."""\r\n\r\n__version__ = "1.3.0"\r\nOTHER = "1.3.0"\r\n'
        "if True:\r\n    __version__: str = '1.3.0'\r\n__version__ = \"0.1\"  # old\r\n"
    )
    out = replace(text, location, "1.4.0")
    assert out == (
        '"""x 1.3.0."""\r\n\r\n__version__ = "1.4.0"\r\nOTHER = "1.3.0"\r\n'
        "if True:\r\n    __version__: str = '1.4.0'\r\n__version__ = \"0.1\"  # old\r\n"
    )


LOCK = (
    'version = 1\n\n[[package]]\nname = "sample-pkg-extra"\nversion = "1.3.0"\n\n'
    '[[package]]\nname = "sample-pkg"\nversion = "1.3.0"\nsource = { editable = "." }\n'
    'dependencies = [{ name = "sample-pkg-extra" }]\n\n'
    '[[package]]\nname = "zzz"\nversion = "1.3.0"\n'
)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_replace_uv_lock_moves_only_the_projects_entry(newline: str) -> None:
    location = Location("uv.lock", "uvlock", "1.3.0", "sample-pkg")
    text = LOCK.replace("\n", newline)
    out = replace(text, location, "1.4.0")
    expected = LOCK.replace(
        'name = "sample-pkg"\nversion = "1.3.0"', 'name = "sample-pkg"\nversion = "1.4.0"'
    )
    assert out == expected.replace("\n", newline)


def test_replace_file_with_template_touches_only_the_template_match() -> None:
    location = Location("setup.cfg", "file", "1.3.0", "version = {version}")
    text = "[metadata]\nversion = 1.3.0\nmy_version = 1.3.0\n[deps]\nfoo = 1.3.0\n"
    out = replace(text, location, "1.4.0")
    assert out == text.replace("\nversion = 1.3.0", "\nversion = 1.4.0")


def test_replace_file_with_bare_template_respects_number_boundaries() -> None:
    location = Location("README.md", "file", "1.3.0", "")
    text = "Get 1.3.0 now.\r\nNot 11.3.0, 1.3.0.1, 1.3.01 or v1.3.0-x.\r\n(1.3.0)\r\n"
    out = replace(text, location, "1.4.0")
    assert out == "Get 1.4.0 now.\r\nNot 11.3.0, 1.3.0.1, 1.3.01 or v1.3.0-x.\r\n(1.4.0)\r\n"


# --- property: generated pyproject texts -----------------------------------------------------

_COMMENT = st.sampled_from(["", "  # a comment", "# version = 1.3.0", "  #"])
_SPACE = st.sampled_from(["", " ", "  ", "\t"])
_VERSIONS = st.from_regex(r"\A[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}((a|b|rc)[0-9]{1,2})?\Z")


@st.composite
def pyprojects(draw: st.DrawFn) -> tuple[str, str, str]:
    """(text, kind, version) of a pyproject with the version in [project] or [tool.poetry]."""
    kind = draw(st.sampled_from(["project", "poetry"]))
    version = draw(_VERSIONS)
    quote = draw(st.sampled_from(['"', "'", '"""', "'''"]))
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    header = "[project]" if kind == "project" else "[tool.poetry]"
    decoy = f'version = "{version}"'
    body = [
        f"{draw(_SPACE)}name{draw(_SPACE)}={draw(_SPACE)}'sample-pkg'{draw(_COMMENT)}",
        f"{draw(_SPACE)}version{draw(_SPACE)}={draw(_SPACE)}{quote}{version}{quote}"
        f"{draw(_COMMENT)}",
        *draw(
            st.lists(
                st.sampled_from(
                    [
                        f'description = "about {version}"',
                        f"# {decoy}",
                        "keywords = ['a',  \"b\"]",
                        f"classifiers = [{nl}  'X :: Y',  # c{nl}]",
                        "readme = { file = 'README.md' }",
                        "",
                    ]
                ),
                max_size=4,
                unique=True,
            )
        ),
    ]
    body = draw(st.permutations(body))
    before = draw(
        st.lists(
            st.sampled_from(
                [
                    "# pyproject",
                    "",
                    "[build-system]",
                    "requires = ['hatchling']",
                    f"[tool.other]{nl}{decoy}",
                    f'[tool.pin]{nl}dep = "=={version}"',
                ]
            ),
            max_size=4,
            unique=True,
        )
    )
    after = draw(
        st.lists(
            st.sampled_from(
                [
                    "",
                    f"[tool.releasekit]{nl}version-files = ['VERSION']",
                    f"[tool.x]{nl}{decoy}",
                    "[tool.x.y]",
                    "# trailing comment",
                ]
            ),
            max_size=4,
            unique=True,
        )
    )
    lines = [*before, "", header, *body, "", *after]
    end = draw(st.sampled_from(["", nl]))
    return nl.join(lines) + end, kind, version


@settings(deadline=None, max_examples=200)
@given(generated=pyprojects(), new=_VERSIONS)
def test_replace_in_pyproject_changes_only_the_version(
    generated: tuple[str, str, str], new: str
) -> None:
    text, kind, old = generated
    location = Location("pyproject.toml", kind, old)  # type: ignore[arg-type]
    out = replace(text, location, new)
    data = tomllib.loads(out)
    table = data["project"] if kind == "project" else data["tool"]["poetry"]
    assert table["version"] == new
    # Substituting the old version back gives the original bytes: nothing else changed.
    back = replace(out, Location("pyproject.toml", kind, new), old)  # type: ignore[arg-type]
    assert back == text
    assert len(out) - len(text) == len(new) - len(old)
    if "\r\n" in text:
        assert out.count("\n") == out.count("\r\n") == text.count("\r\n")
    # Everything else reads the same.
    table["version"] = old
    assert data == tomllib.loads(text)


@settings(deadline=None, max_examples=200)
@given(
    old=_VERSIONS,
    new=_VERSIONS,
    nl=st.sampled_from(["\n", "\r\n"]),
    quote=st.sampled_from(['"', "'"]),
    noise=st.lists(st.text(alphabet=st.characters(blacklist_characters="\r\n"), max_size=20)),
)
def test_replace_dunder_changes_only_the_version(
    old: str, new: str, nl: str, quote: str, noise: list[str]
) -> None:
    lines = [f"# {line}" for line in noise]
    lines.insert(len(lines) // 2, f"__version__ = {quote}{old}{quote}")
    text = nl.join(lines) + nl
    out = replace(text, Location("x/__init__.py", "dunder", old), new)
    assert f"__version__ = {quote}{new}{quote}{nl}" in out
    assert replace(out, Location("x/__init__.py", "dunder", new), old) == text
    assert out.count(nl) == text.count(nl)
