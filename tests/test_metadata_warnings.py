"""Checks no stricter than the index: twine's warnings (PyPI accepts those files) are shown
with a fix in the words of the project's backend, and block only with strict-metadata."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from releasekit.demo import sample
from releasekit.errors import BuildError
from releasekit.publishing import dist

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow


def without_readme(root: Path) -> Path:
    pyproject = root / "pyproject.toml"
    lines = pyproject.read_text().splitlines(keepends=True)
    pyproject.write_text("".join(line for line in lines if not line.startswith("readme")))
    return pyproject


def build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "releasekit"), "build"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_a_readme_warning_does_not_block_and_its_advice_works(tmp_path: Path) -> None:
    root = sample.write_project(tmp_path / "project", backend="hatchling")
    pyproject = without_readme(root)

    warned = build(root)
    assert warned.returncode == 0, warned.stderr
    assert "Built sample_pkg-1.3.0.tar.gz" in warned.stdout
    assert "warning: sample_pkg-1.3.0-py3-none-any.whl: `long_description` missing" in (
        warned.stderr
    )
    assert 'set readme = "README.md" in [project] of pyproject.toml' in warned.stderr

    # The advice, followed literally, silences the warning.
    text = pyproject.read_text()
    pyproject.write_text(text.replace("[project]\n", '[project]\nreadme = "README.md"\n', 1))
    clean = build(root)
    assert clean.returncode == 0, clean.stderr
    assert "warning" not in clean.stderr


def test_strict_metadata_makes_warnings_block(tmp_path: Path) -> None:
    root = sample.write_project(tmp_path / "project", backend="hatchling")
    pyproject = without_readme(root)
    pyproject.write_text(pyproject.read_text() + "\n[tool.releasekit]\nstrict-metadata = true\n")

    refused = build(root)
    assert refused.returncode == 1
    assert refused.stderr.startswith("releasekit: error: twine check --strict rejected")
    assert refused.stderr.count("\n") == 1
    assert not (root / "dist" / "SHA256SUMS").exists()


SETUP_PY = """\
from setuptools import setup

setup(
    name="legacy-pkg",
    version="2.0.0",
    packages=["legacy_pkg"],
    long_description=open("README.md").read(),
)
"""


def test_a_setup_py_project_is_told_to_fix_setup_py(tmp_path: Path) -> None:
    root = tmp_path / "legacy"
    (root / "legacy_pkg").mkdir(parents=True)
    (root / "legacy_pkg" / "__init__.py").write_text("")
    (root / "README.md").write_text("# legacy\n\nA *markdown* readme.\n")
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
    )
    (root / "setup.py").write_text(SETUP_PY)

    built = dist.build(root, version="2.0.0")
    fix = 'pass long_description_content_type="text/markdown" to setup() in setup.py'
    assert built.warnings and all(fix in warning for warning in built.warnings)
    assert "long_description_content_type" in built.warnings[0]

    with pytest.raises(BuildError, match="twine check --strict rejected"):
        dist.build(root, version="2.0.0", strict=True)

    setup_py = root / "setup.py"
    setup_py.write_text(
        setup_py.read_text().replace(
            "read(),\n", 'read(),\n    long_description_content_type="text/markdown",\n'
        )
    )
    assert dist.build(root, version="2.0.0").warnings == ()
