"""Released end to end where each build backend itself reads the version, then built.

Every fixture is a small project written the way its backend documents the version
declaration, committed in a real git repository with a bare remote and a v1.3.0 tag.
`releasekit release --part minor --yes` must change exactly the version file(s) and
CHANGELOG.md, tag v1.4.0 and push it; a real `releasekit build` then proves the backend
reads what was edited: the wheel's name and METADATA carry 1.4.0.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import SampleRepo
from support.repostate import capture

from releasekit.demo import sample

BIN = Path(sys.executable).parent
README = "# sample-pkg\n\nA sample project released by releasekit.\n"
ABOUT = (
    'description = "A sample project released by releasekit."\nreadme = "README.md"\n'
    'requires-python = ">=3.9"\n'
)
DYNAMIC = f'\n[project]\nname = "sample-pkg"\ndynamic = ["version"]\n{ABOUT}'
SETUP_CFG_META = (
    "[metadata]\nname = sample-pkg\n{version}"
    "description = A sample project released by releasekit.\n"
    "long_description = file: README.md\nlong_description_content_type = text/markdown\n"
)
SETUP_README = (
    'long_description=open("README.md").read(), '
    'long_description_content_type="text/markdown", '
    'description="A sample project released by releasekit."'
)


def build_system(requires: str, backend: str) -> str:
    return f'[build-system]\nrequires = ["{requires}"]\nbuild-backend = "{backend}"\n'


@dataclass(frozen=True)
class Shape:
    """A project: its files, the files that hold the version, the wheel's name prefix."""

    files: dict[str, str]
    changed: frozenset[str]
    wheel: str = "sample_pkg-"


def package(version_file: str = "", text: str = "") -> dict[str, str]:
    files = {"src/sample_pkg/__init__.py": '"""sample-pkg: a sample project."""\n'}
    if version_file:
        files[version_file] = text
    return files


SHAPES: dict[str, Shape] = {
    "hatch-path": Shape(
        {
            "pyproject.toml": build_system("hatchling", "hatchling.build")
            + DYNAMIC
            + '\n[tool.hatch.version]\npath = "src/sample_pkg/__version__.py"\n',
            **package("src/sample_pkg/__version__.py", 'VERSION = "1.3.0"\n'),
        },
        frozenset({"src/sample_pkg/__version__.py"}),
    ),
    "hatch-pattern": Shape(
        {
            "pyproject.toml": build_system("hatchling", "hatchling.build")
            + DYNAMIC
            + '\n[tool.hatch.version]\npath = "src/sample_pkg/version.py"\n'
            + "pattern = \"RELEASE = '(?P<version>[^']+)'\"\n",
            **package("src/sample_pkg/version.py", "RELEASE = '1.3.0'\nOTHER = '1.3.0'\n"),
        },
        frozenset({"src/sample_pkg/version.py"}),
    ),
    "setuptools-attr": Shape(
        {
            "pyproject.toml": build_system("setuptools>=64", "setuptools.build_meta")
            + DYNAMIC
            + "\n[tool.setuptools.dynamic]\n"
            + 'version = {attr = "sample_pkg.version.VERSION"}\n',
            **package("src/sample_pkg/version.py", 'VERSION = "1.3.0"\n'),
        },
        frozenset({"src/sample_pkg/version.py"}),
    ),
    "setuptools-file": Shape(
        {
            "pyproject.toml": build_system("setuptools>=64", "setuptools.build_meta")
            + DYNAMIC
            + '\n[tool.setuptools.dynamic]\nversion = {file = "VERSION"}\n',
            **package(),
            "VERSION": "1.3.0\n",
        },
        frozenset({"VERSION"}),
    ),
    "setup-cfg-literal-no-pyproject": Shape(
        {
            "setup.cfg": SETUP_CFG_META.format(version="version = 1.3.0\n")
            + "\n[options]\npackage_dir =\n    =src\npackages = find:\n\n"
            + "[options.packages.find]\nwhere = src\n",
            "setup.py": "from setuptools import setup\n\nsetup()\n",
            **package(),
        },
        frozenset({"setup.cfg"}),
    ),
    "setup-cfg-attr": Shape(
        {
            "pyproject.toml": build_system("setuptools>=64", "setuptools.build_meta"),
            "setup.cfg": SETUP_CFG_META.format(version="version = attr: sample_pkg.__version__\n")
            + "\n[options]\npackage_dir =\n    =src\npackages = find:\n\n"
            + "[options.packages.find]\nwhere = src\n",
            "src/sample_pkg/__init__.py": '"""Sample."""\n\n__version__ = "1.3.0"\n',
        },
        frozenset({"src/sample_pkg/__init__.py"}),
    ),
    "setup-py-literal": Shape(
        {
            "setup.py": "from setuptools import setup\n\nsetup(\n"
            f'    name="sample-pkg",\n    version="1.3.0",\n    {SETUP_README},\n'
            '    package_dir={"": "src"},\n    packages=["sample_pkg"],\n)\n',
            **package(),
        },
        frozenset({"setup.py"}),
    ),
    "setup-py-reads-package-file": Shape(
        {
            "pyproject.toml": build_system("setuptools>=64", "setuptools.build_meta"),
            "setup.py": "import os\n\nfrom setuptools import setup\n\nabout = {}\n"
            'with open(os.path.join("src", "sample_pkg", "__version__.py")) as f:\n'
            "    exec(f.read(), about)\n\nsetup(\n"
            f'    name="sample-pkg",\n    version=about["__version__"],\n    {SETUP_README},\n'
            '    package_dir={"": "src"},\n    packages=["sample_pkg"],\n)\n',
            **package("src/sample_pkg/__version__.py", '__version__ = "1.3.0"\n'),
        },
        frozenset({"src/sample_pkg/__version__.py"}),
    ),
    "setup-py-single-module": Shape(
        {
            "setup.py": "import re\n\nfrom setuptools import setup\n\n"
            'VERSION = re.search(r"__version__ = \\"(.+)\\"", open("tiny.py").read())[1]\n\n'
            f'setup(\n    name="tiny",\n    version=VERSION,\n    {SETUP_README},\n'
            '    py_modules=["tiny"],\n)\n',
            "tiny.py": '"""Tiny."""\n\n__version__ = "1.3.0"\n',
        },
        frozenset({"tiny.py"}),
        "tiny-",
    ),
    "pdm-file": Shape(
        {
            "pyproject.toml": build_system("pdm-backend", "pdm.backend")
            + DYNAMIC
            + '\n[tool.pdm.version]\nsource = "file"\npath = "src/sample_pkg/__version__.py"\n',
            **package("src/sample_pkg/__version__.py", '__version__ = "1.3.0"\n'),
        },
        frozenset({"src/sample_pkg/__version__.py"}),
    ),
    "flit-package": Shape(
        {
            "pyproject.toml": build_system("flit_core>=3.4,<4", "flit_core.buildapi")
            + '\n[project]\nname = "sample-pkg"\ndynamic = ["version", "description"]\n'
            + 'readme = "README.md"\n\n[tool.flit.module]\nname = "sample_pkg"\n',
            "src/sample_pkg/__init__.py": '"""A sample project."""\n\n__version__ = "1.3.0"\n',
        },
        frozenset({"src/sample_pkg/__init__.py"}),
    ),
    "flit-module": Shape(
        {
            "pyproject.toml": build_system("flit_core>=3.4,<4", "flit_core.buildapi")
            + '\n[project]\nname = "tiny"\ndynamic = ["version", "description"]\n'
            + 'readme = "README.md"\n',
            "tiny.py": '"""A tiny module."""\n\n__version__ = "1.3.0"\n',
        },
        frozenset({"tiny.py"}),
        "tiny-",
    ),
    "scikit-build-regex": Shape(
        {
            "pyproject.toml": build_system("scikit-build-core>=0.10", "scikit_build_core.build")
            + DYNAMIC
            + '\n[tool.scikit-build]\nwheel.packages = ["src/sample_pkg"]\n'
            + "\n[tool.scikit-build.metadata.version]\n"
            + 'provider = "scikit_build_core.metadata.regex"\ninput = "src/sample_pkg/_v.py"\n',
            "CMakeLists.txt": "cmake_minimum_required(VERSION 3.15)\n"
            "project(${SKBUILD_PROJECT_NAME} VERSION ${SKBUILD_PROJECT_VERSION} LANGUAGES NONE)\n",
            **package("src/sample_pkg/_v.py", '__version__ = "1.3.0"\n'),
        },
        frozenset({"src/sample_pkg/_v.py"}),
    ),
    "meson-python": Shape(
        {
            "pyproject.toml": build_system("meson-python>=0.15", "mesonpy") + DYNAMIC,
            "meson.build": "project(\n  'sample-pkg',\n  version: '1.3.0',\n)\n\n"
            "py = import('python').find_installation(pure: true)\n"
            "py.install_sources('src/sample_pkg/__init__.py', subdir: 'sample_pkg')\n",
            **package(),
        },
        frozenset({"meson.build"}),
    ),
    "maturin-bin": Shape(
        {
            "pyproject.toml": build_system("maturin>=1.5,<2", "maturin")
            + DYNAMIC
            + '\n[tool.maturin]\nbindings = "bin"\n',
            "Cargo.toml": '[package]\nname = "sample-pkg"\nversion = "1.3.0"\nedition = "2021"\n'
            'description = "A sample project released by releasekit."\n',
            "Cargo.lock": "# This file is automatically @generated by Cargo.\n"
            "# It is not intended for manual editing.\nversion = 4\n\n"
            '[[package]]\nname = "sample-pkg"\nversion = "1.3.0"\n',
            "src/main.rs": 'fn main() {\n    println!("hello");\n}\n',
        },
        frozenset({"Cargo.toml", "Cargo.lock"}),
    ),
}
NATIVE = {"scikit-build-regex": "cmake", "meson-python": "ninja", "maturin-bin": "cargo"}


def run(root: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [str(BIN / "releasekit"), *args],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def make(tmp_path: Path, files: dict[str, str]) -> SampleRepo:
    root = tmp_path / "project"
    for name, text in {
        "README.md": README,
        "CHANGELOG.md": sample.CHANGELOG.format(version="1.3.0", name="sample-pkg"),
        ".gitignore": "dist/\nbuild/\ntarget/\n*.egg-info/\n__pycache__/\n",
        **files,
    }.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    remote = tmp_path / "remote.git"
    sample.init_repository(root, remote, tag="v1.3.0")
    return SampleRepo(root, remote)


def released(repo: SampleRepo) -> set[str]:
    """The files the release commit changed; it is tagged v1.4.0 and pushed."""
    result = run(repo.root, "release", "--part", "minor", "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert repo.git("status", "--porcelain").strip() == ""
    assert repo.git("ls-remote", "--tags", "origin", "v1.4.0").strip()
    assert repo.git("rev-parse", "v1.4.0^{commit}") == repo.git("rev-parse", "HEAD")
    return set(repo.git("diff", "--name-only", "HEAD^", "v1.4.0").split())


def assert_built(repo: SampleRepo, wheel_prefix: str) -> None:
    result = run(repo.root, "build", timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    wheels = list((repo.root / "dist").glob("*.whl"))
    assert len(wheels) == 1 and wheels[0].name.startswith(f"{wheel_prefix}1.4.0-"), wheels
    with zipfile.ZipFile(wheels[0]) as wheel:
        metadata = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        assert "\nVersion: 1.4.0\n" in wheel.read(metadata).decode()


@pytest.mark.parametrize("shape", list(SHAPES), ids=list(SHAPES))
def test_release_moves_exactly_the_declared_version(tmp_path: Path, shape: str) -> None:
    spec = SHAPES[shape]
    repo = make(tmp_path, spec.files)
    assert released(repo) == {*spec.changed, "CHANGELOG.md"}
    for path in spec.changed:
        assert "1.4.0" in (repo.root / path).read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("shape", list(SHAPES), ids=list(SHAPES))
def test_the_backend_builds_the_released_version(tmp_path: Path, shape: str) -> None:
    tool = NATIVE.get(shape)
    if tool and shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    spec = SHAPES[shape]
    repo = make(tmp_path, spec.files)
    released(repo)
    assert_built(repo, spec.wheel)


def test_doctor_says_which_declaration_it_followed(tmp_path: Path) -> None:
    repo = make(tmp_path, SHAPES["hatch-path"].files)
    result = run(repo.root, "doctor", "--offline")
    assert "1.3.0 from [tool.hatch.version] path = src/sample_pkg/__version__.py" in result.stdout


def test_setup_cfg_and_module_that_disagree_leave_the_repository_as_before(
    tmp_path: Path,
) -> None:
    files = dict(SHAPES["setup-cfg-literal-no-pyproject"].files)
    files["src/sample_pkg/__init__.py"] = '__version__ = "1.2.0"\n'
    repo = make(tmp_path, files)
    repo.git("status", "--porcelain")
    before = capture(repo.root, repo.remote)
    result = run(repo.root, "release", "--part", "minor", "--yes")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "disagree" in result.stderr and "setup.cfg" in result.stderr
    assert before.diff(capture(repo.root, repo.remote)) == []


def test_no_project_files_is_told_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run(tmp_path / "empty", "release", "--part", "minor", "--yes")
    assert result.returncode != 0
    assert "no pyproject.toml, setup.py or setup.cfg in" in result.stderr
    assert "inside the project" not in result.stderr


@pytest.mark.slow
def test_advice_when_nothing_is_found_works(tmp_path: Path) -> None:
    """hatchling's `code` source is not followed: the advice names the version-files line
    that is, and with it applied the release passes and the build carries the version."""
    files = {
        "pyproject.toml": build_system("hatchling", "hatchling.build")
        + DYNAMIC
        + '\n[tool.hatch.version]\nsource = "code"\npath = "src/sample_pkg/meta.py"\n'
        + 'expression = "RELEASE_VERSION"\n',
        **package("src/sample_pkg/meta.py", 'RELEASE_VERSION = "1.3.0"\n'),
    }
    repo = make(tmp_path, files)
    result = run(repo.root, "release", "--part", "minor", "--yes")
    assert result.returncode != 0
    error = result.stderr.strip()
    assert "cannot find where the version lives" in error and "looked at" in error
    line = error.partition("add [tool.releasekit] ")[2].partition(" to pyproject.toml")[0]
    assert line.startswith("version-files = "), error
    with (repo.root / "pyproject.toml").open("a", encoding="utf-8") as stream:
        stream.write(f"\n[tool.releasekit]\n{line}\n")
    repo.git("commit", "--quiet", "-am", "releasekit: version-files")
    repo.git("push", "--quiet", "origin", "main")
    assert released(repo) == {"src/sample_pkg/meta.py", "CHANGELOG.md"}
    assert_built(repo, "sample_pkg-")
