"""The version where the build backend's own declaration says it is, edited byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasekit.core import config as config_mod
from releasekit.core.locations import Location
from releasekit.core.sources import Sources, discover, replace
from releasekit.errors import ConfigError
from releasekit.frontend.root import find_root

HATCH = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
SETUPTOOLS = (
    '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n'
)
DYNAMIC = '[project]\nname = "sample-pkg"\ndynamic = ["version"]\n'


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))


def find(root: Path, files: dict[str, str]) -> Sources:
    write(root, files)
    data = config_mod.read_pyproject(root)
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else ""
    return discover(root, data, text, config_mod.load(root, data))


def found(sources: Sources) -> list[tuple[str, str, str]]:
    return [(loc.path, loc.kind, loc.value) for loc in sources.locations]


def bumped(root: Path, sources: Sources, new: str = "1.4.0") -> dict[str, str]:
    """Every location's file with the version replaced (as a release writes them)."""
    texts: dict[str, str] = {}
    for location in sources.locations:
        path = location.path
        text = texts.get(path) or (root / path).read_bytes().decode("utf-8")
        texts[path] = replace(text, location, new)
    return texts


def assert_only_version_changed(root: Path, sources: Sources, old: str = "1.3.0") -> None:
    """The edit changes the version, and putting the old one back gives the original bytes."""
    for path, text in bumped(root, sources).items():
        original = (root / path).read_bytes().decode("utf-8")
        assert text != original, path
        assert "1.4.0" in text
        back = text
        for location in sources.locations:
            if location.path == path:
                moved = Location(location.path, location.kind, "1.4.0", location.key)
                back = replace(back, moved, old if location.value == old else location.value)
        assert back == original, path


# --- hatchling -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["src/sample_pkg/__version__.py", "src/sample_pkg/version.py"])
@pytest.mark.parametrize(
    "line", ['__version__ = "1.3.0"', "VERSION = 'v1.3.0'", 'version = "1.3.0"'], ids=str
)
def test_hatch_version_path_with_the_default_pattern(tmp_path: Path, path: str, line: str) -> None:
    text = f'{HATCH}{DYNAMIC}\n[tool.hatch.version]\npath = "{path}"\n'
    files = {"pyproject.toml": text, path: f'"""Version."""\r\n{line}  # kept\r\n'}
    sources = find(tmp_path, files)
    location = sources.locations[0]
    assert (location.path, location.kind, location.value) == (path, "regex", "1.3.0")
    assert location.via == f"[tool.hatch.version] path = {path}"
    new = bumped(tmp_path, sources)[path]
    assert new == files[path].replace("1.3.0", "1.4.0")
    assert_only_version_changed(tmp_path, sources)


def test_hatch_version_with_the_projects_own_pattern(tmp_path: Path) -> None:
    text = (
        f'{HATCH}{DYNAMIC}\n[tool.hatch.version]\npath = "pkg.json"\n'
        'pattern = \'"release": "(?P<version>[^"]+)"\'\n'
    )
    files = {"pyproject.toml": text, "pkg.json": '{"release": "1.3.0", "other": "1.3.0"}\n'}
    sources = find(tmp_path, files)
    assert found(sources) == [("pkg.json", "regex", "1.3.0")]
    assert bumped(tmp_path, sources)["pkg.json"] == '{"release": "1.4.0", "other": "1.3.0"}\n'


def test_hatch_vcs_source_stays_tag_only(tmp_path: Path) -> None:
    text = f'{HATCH}{DYNAMIC}\n[tool.hatch.version]\nsource = "vcs"\n'
    assert find(tmp_path, {"pyproject.toml": text}).tag_only


def test_hatch_path_without_a_version_names_the_file(tmp_path: Path) -> None:
    text = f'{HATCH}{DYNAMIC}\n[tool.hatch.version]\npath = "src/sample_pkg/v.py"\n'
    with pytest.raises(ConfigError) as caught:
        find(tmp_path, {"pyproject.toml": text, "src/sample_pkg/v.py": "x = 1\n"})
    assert "src/sample_pkg/v.py" in caught.value.cause and "pattern" in caught.value.fix


# --- setuptools ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "path"),
    [
        ("sample_pkg.__version__", "src/sample_pkg/__init__.py"),
        ("sample_pkg.meta.VERSION", "src/sample_pkg/meta.py"),
        ("sample_pkg.VERSION", "sample_pkg.py"),
    ],
)
def test_setuptools_dynamic_attr(tmp_path: Path, spec: str, path: str) -> None:
    name = spec.rpartition(".")[2]
    text = f'{SETUPTOOLS}{DYNAMIC}\n[tool.setuptools.dynamic]\nversion = {{attr = "{spec}"}}\n'
    files = {
        "pyproject.toml": text,
        path: f'"""Doc 1.3.0."""\n{name}: str = "1.3.0"\nOTHER = "1.3.0"\n',
    }
    if path.startswith("src/sample_pkg/") and not path.endswith("__init__.py"):
        files["src/sample_pkg/__init__.py"] = ""
    sources = find(tmp_path, files)
    assert found(sources)[0] == (path, "dunder" if name == "__version__" else "assign", "1.3.0")
    assert "attr" in sources.locations[0].via
    assert bumped(tmp_path, sources)[path] == files[path].replace(
        f'{name}: str = "1.3.0"', f'{name}: str = "1.4.0"'
    )


def test_setuptools_attr_imported_from_a_submodule(tmp_path: Path) -> None:
    dynamic = '[tool.setuptools.dynamic]\nversion = {attr = "sample_pkg.__version__"}\n'
    text = f"{SETUPTOOLS}{DYNAMIC}\n{dynamic}"
    files = {
        "pyproject.toml": text,
        "src/sample_pkg/__init__.py": "from ._meta import __version__\n",
        "src/sample_pkg/_meta.py": "__version__ = '1.3.0'\n",
    }
    assert found(find(tmp_path, files)) == [("src/sample_pkg/_meta.py", "dunder", "1.3.0")]


@pytest.mark.parametrize("content", ["1.3.0\n", "1.3.0", "  1.3.0\r\n\r\n"], ids=repr)
def test_setuptools_dynamic_file_keeps_the_whitespace(tmp_path: Path, content: str) -> None:
    text = f'{SETUPTOOLS}{DYNAMIC}\n[tool.setuptools.dynamic]\nversion = {{file = "VERSION"}}\n'
    sources = find(tmp_path, {"pyproject.toml": text, "VERSION": content})
    assert found(sources) == [("VERSION", "whole", "1.3.0")]
    assert bumped(tmp_path, sources)["VERSION"] == content.replace("1.3.0", "1.4.0")


@pytest.mark.parametrize("pyproject", [None, "[build-system]\nrequires = ['setuptools']\n"])
def test_setup_cfg_literal_version_and_name(tmp_path: Path, pyproject: str | None) -> None:
    cfg = "[metadata]\r\nname = legacy-pkg\r\nversion = 1.3.0\r\n\r\n[options]\r\nversion = 9\r\n"
    files = {"setup.cfg": cfg, "setup.py": "from setuptools import setup\nsetup()\n"}
    if pyproject is not None:
        files["pyproject.toml"] = pyproject
    sources = find(tmp_path, files)
    assert sources.project == "legacy-pkg"
    assert found(sources) == [("setup.cfg", "setupcfg", "1.3.0")]
    assert bumped(tmp_path, sources)["setup.cfg"] == cfg.replace("= 1.3.0", "= 1.4.0")


@pytest.mark.parametrize(
    ("value", "path", "content"),
    [
        ("attr: legacy_pkg.__version__", "src/legacy_pkg/__init__.py", '__version__ = "1.3.0"\n'),
        ("file: VERSION", "VERSION", "1.3.0\n"),
    ],
)
def test_setup_cfg_attr_and_file(tmp_path: Path, value: str, path: str, content: str) -> None:
    cfg = (
        f"[metadata]\nname = legacy-pkg\nversion = {value}\n\n[options]\npackage_dir =\n    =src\n"
    )
    sources = find(tmp_path, {"setup.cfg": cfg, path: content})
    assert found(sources) == [(path, "dunder" if path.endswith(".py") else "whole", "1.3.0")]
    assert sources.locations[0].via == f"setup.cfg [metadata] version = {value}"
    assert_only_version_changed(tmp_path, sources)


def test_setup_py_literal(tmp_path: Path) -> None:
    setup = (
        "from setuptools import setup\n\nsetup(\n    name='legacy-pkg',\n"
        "    python_requires='>=3.8',\n    version='1.3.0',  # released\n)\n"
    )
    sources = find(tmp_path, {"setup.py": setup})
    assert sources.project == "legacy-pkg"
    assert found(sources) == [("setup.py", "setuppy", "1.3.0")]
    assert bumped(tmp_path, sources)["setup.py"] == setup.replace("'1.3.0'", "'1.4.0'")


def test_setup_py_that_reads_the_package_file(tmp_path: Path) -> None:
    setup = (
        "import os\nfrom setuptools import setup\n\nabout = {}\n"
        "with open(os.path.join(os.path.dirname(__file__), 'legacy', '__version__.py')) as f:\n"
        "    exec(f.read(), about)\n\nsetup(name='legacy-pkg', version=about['__version__'])\n"
    )
    files = {
        "setup.py": setup,
        "legacy/__init__.py": "",
        "legacy/__version__.py": "__version__ = '1.3.0'\n",
    }
    sources = find(tmp_path, files)
    assert found(sources) == [("legacy/__version__.py", "dunder", "1.3.0")]
    assert sources.locations[0].via == "setup.py reads legacy/__version__.py"


def test_single_module_project(tmp_path: Path) -> None:
    setup = (
        "from setuptools import setup\n"
        "setup(name='tiny', py_modules=['tiny'], version=__import__('tiny').__version__)\n"
    )
    sources = find(tmp_path, {"setup.py": setup, "tiny.py": '"""Tiny."""\n__version__ = "1.3.0"\n'})
    assert found(sources) == [("tiny.py", "dunder", "1.3.0")]


def test_setup_py_with_scm_is_tag_only(tmp_path: Path) -> None:
    setup = "from setuptools import setup\nsetup(name='legacy-pkg', use_scm_version=True)\n"
    assert find(tmp_path, {"setup.py": setup}).tag_only


def test_setuptools_project_without_name_is_told_setup_cfg(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        find(tmp_path, {"setup.py": "from setuptools import setup\nsetup()\n"})
    assert "pyproject.toml names no project" not in str(caught.value)
    assert "setup.cfg" in caught.value.fix


# --- pdm-backend, flit-core, scikit-build-core -----------------------------------------------


def test_pdm_file_source(tmp_path: Path) -> None:
    text = (
        '[build-system]\nrequires = ["pdm-backend"]\nbuild-backend = "pdm.backend"\n\n'
        f'{DYNAMIC}\n[tool.pdm.version]\nsource = "file"\npath = "src/sample_pkg/__version__.py"\n'
    )
    files = {
        "pyproject.toml": text,
        "src/sample_pkg/__version__.py": "__version__ = '1.3.0'  # x\n",
    }
    sources = find(tmp_path, files)
    assert found(sources) == [("src/sample_pkg/__version__.py", "regex", "1.3.0")]
    assert_only_version_changed(tmp_path, sources)


def test_pdm_scm_source_is_tag_only(tmp_path: Path) -> None:
    text = f'{DYNAMIC}\n[tool.pdm.version]\nsource = "scm"\n'
    assert find(tmp_path, {"pyproject.toml": text}).tag_only


def test_poetry_dynamic_versioning_is_tag_only(tmp_path: Path) -> None:
    text = (
        '[tool.poetry]\nname = "sample-pkg"\nversion = "0.0.0"\n\n'
        "[tool.poetry-dynamic-versioning]\nenable = true\n"
    )
    sources = find(tmp_path, {"pyproject.toml": text})
    assert sources.tag_only and sources.locations == ()


@pytest.mark.parametrize("layout", ["src/sample_pkg/__init__.py", "sample_pkg.py"])
def test_flit_reads_the_module_it_builds(tmp_path: Path, layout: str) -> None:
    text = (
        '[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n\n'
        '[project]\nname = "sample-pkg"\ndynamic = ["version", "description"]\n'
    )
    sources = find(
        tmp_path, {"pyproject.toml": text, layout: '"""Doc."""\n__version__ = "1.3.0"\n'}
    )
    assert found(sources) == [(layout, "dunder", "1.3.0")]
    assert "flit-core" in sources.locations[0].via


def test_flit_module_name_from_tool_flit(tmp_path: Path) -> None:
    text = (
        '[build-system]\nrequires = ["flit_core"]\nbuild-backend = "flit_core.buildapi"\n\n'
        f'{DYNAMIC}\n[tool.flit.module]\nname = "other"\n'
    )
    files = {"pyproject.toml": text, "other/__init__.py": '__version__ = "1.3.0"\n'}
    assert found(find(tmp_path, files)) == [("other/__init__.py", "dunder", "1.3.0")]


@pytest.mark.parametrize(
    ("regex", "content"),
    [
        (None, '__version__: str = "1.3.0"\n'),
        ('\'^RELEASE = "(?P<value>[^"]+)"\'', 'RELEASE = "1.3.0"\n__version__ = "0.1"\n'),
    ],
)
def test_scikit_build_regex_provider(tmp_path: Path, regex: str | None, content: str) -> None:
    text = (
        '[build-system]\nrequires = ["scikit-build-core"]\n'
        'build-backend = "scikit_build_core.build"\n\n'
        f"{DYNAMIC}\n[tool.scikit-build.metadata.version]\n"
        'provider = "scikit_build_core.metadata.regex"\ninput = "src/sample_pkg/_v.py"\n'
        + (f"regex = {regex}\n" if regex else "")
    )
    sources = find(tmp_path, {"pyproject.toml": text, "src/sample_pkg/_v.py": content})
    assert found(sources)[0] == ("src/sample_pkg/_v.py", "regex", "1.3.0")
    assert bumped(tmp_path, sources)["src/sample_pkg/_v.py"] == content.replace("1.3.0", "1.4.0")


# --- maturin, meson-python -------------------------------------------------------------------

MATURIN = '[build-system]\nrequires = ["maturin>=1"]\nbuild-backend = "maturin"\n\n'
CARGO_LOCK = (
    "# This file is automatically @generated by Cargo.\nversion = 4\n\n"
    '[[package]]\nname = "other"\nversion = "1.3.0"\n\n'
    '[[package]]\nname = "sample-pkg"\nversion = "1.3.0"\n'
)


def test_maturin_cargo_toml_and_lock(tmp_path: Path) -> None:
    cargo = (
        '[package]\nname = "sample-pkg"\nversion = "1.3.0"  # the release\nedition = "2021"\n\n'
        '[dependencies]\nother = { version = "1.3.0" }\n'
    )
    files = {"pyproject.toml": MATURIN + DYNAMIC, "Cargo.toml": cargo, "Cargo.lock": CARGO_LOCK}
    sources = find(tmp_path, files)
    assert found(sources) == [
        ("Cargo.toml", "cargo", "1.3.0"),
        ("Cargo.lock", "cargolock", "1.3.0"),
    ]
    texts = bumped(tmp_path, sources)
    assert texts["Cargo.toml"] == cargo.replace('"1.3.0"  #', '"1.4.0"  #')
    assert texts["Cargo.lock"] == CARGO_LOCK.replace(
        'sample-pkg"\nversion = "1.3.0"', 'sample-pkg"\nversion = "1.4.0"'
    )


def test_maturin_workspace_version(tmp_path: Path) -> None:
    cargo = (
        '[workspace]\nmembers = ["."]\n\n[workspace.package]\nversion = "1.3.0"\n\n'
        '[package]\nname = "sample-pkg"\nversion.workspace = true\n'
    )
    sources = find(tmp_path, {"pyproject.toml": MATURIN + DYNAMIC, "Cargo.toml": cargo})
    assert found(sources) == [("Cargo.toml", "cargo", "1.3.0")]
    assert bumped(tmp_path, sources)["Cargo.toml"] == cargo.replace('"1.3.0"', '"1.4.0"')


def test_meson_project_version(tmp_path: Path) -> None:
    meson = (
        "# version: '0.0.1' in a comment\nproject(\n  'sample-pkg', 'c',\n"
        "  version : '1.3.0',  # (kept)\n  meson_version: '>= 1.1.0',\n)\n"
        "dependency('x', version: '1.3.0')\n"
    )
    text = '[build-system]\nrequires = ["meson-python"]\nbuild-backend = "mesonpy"\n\n' + DYNAMIC
    sources = find(tmp_path, {"pyproject.toml": text, "meson.build": meson})
    assert found(sources) == [("meson.build", "meson", "1.3.0")]
    assert bumped(tmp_path, sources)["meson.build"] == meson.replace(
        "version : '1.3.0'", "version : '1.4.0'"
    )


# --- nothing found, version-files only, no project at all ------------------------------------


def test_nothing_found_names_what_was_looked_at_and_the_line_that_fixes_it(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": HATCH + DYNAMIC,
        "src/sample_pkg/__init__.py": "from .meta import RELEASE\n",
        "src/sample_pkg/meta.py": 'RELEASE_VERSION = "1.3.0"\n',
    }
    with pytest.raises(ConfigError) as caught:
        find(tmp_path, files)
    error = caught.value
    assert "cannot find where the version lives" in error.cause
    assert "src/sample_pkg/__init__.py" in error.cause and "\n" not in str(error)
    line = error.fix.partition("add [tool.releasekit] ")[2].partition(" to pyproject.toml")[0]
    assert line.startswith("version-files = ")
    with (tmp_path / "pyproject.toml").open("a") as stream:
        stream.write(f"\n[tool.releasekit]\n{line}\n")
    assert found(find(tmp_path, {})) == [("src/sample_pkg/meta.py", "file", "1.3.0")]


def test_only_version_files_is_enough(tmp_path: Path) -> None:
    text = HATCH + DYNAMIC + '\n[tool.releasekit]\nversion-files = ["VERSION"]\n'
    sources = find(tmp_path, {"pyproject.toml": text, "VERSION": "1.3.0\n"})
    assert found(sources) == [("VERSION", "file", "1.3.0")]


def test_find_root_accepts_setup_py_and_names_what_is_missing(tmp_path: Path) -> None:
    write(tmp_path, {"proj/setup.py": "", "proj/pkg/x.txt": "", "none/x.txt": ""})
    assert find_root(tmp_path / "proj" / "pkg") == tmp_path / "proj"
    with pytest.raises(Exception) as caught:
        find_root(tmp_path / "none")
    assert "no pyproject.toml, setup.py or setup.cfg in" in str(caught.value)
    assert "inside the project" not in str(caught.value)
