"""When twine rejects the readme metadata, the fix names the file the project keeps it in."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasekit.publishing.dist import _metadata_fix

REASON = "`long_description` has syntax errors in markup and would not be rendered on PyPI."
SETUP_CFG = "set long_description_content_type = text/markdown in setup.cfg [metadata]"
SETUP_PY = 'pass long_description_content_type="text/markdown" to setup() in setup.py'
PYPROJECT = 'set readme = "README.md" in [project] of pyproject.toml'
THEN = " (or text/x-rst for a reStructuredText readme), then rebuild"


@pytest.mark.parametrize(
    ("files", "where"),
    [
        ({"setup.cfg": "[metadata]\nname = x\nlong_description = file: README.md\n"}, SETUP_CFG),
        ({"setup.cfg": "[metadata]\nname = x\n", "setup.py": "setup()\n"}, SETUP_PY),
        ({"setup.py": "setup()\n"}, SETUP_PY),
        (
            {"setup.py": "setup()\n", "pyproject.toml": '[project]\nname = "x"\nreadme = "R.md"\n'},
            PYPROJECT,
        ),
        (
            {
                "setup.py": "setup()\n",
                "pyproject.toml": '[project]\nname = "x"\n# readme = "R.md"\n',
            },
            SETUP_PY,
        ),
        ({"pyproject.toml": '[project]\nname = "x"\n'}, PYPROJECT),
    ],
)
def test_the_readme_fix_names_the_file_that_declares_it(
    tmp_path: Path, files: dict[str, str], where: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert _metadata_fix(tmp_path)(REASON) == where + THEN


def test_other_metadata_findings_get_the_generic_fix(tmp_path: Path) -> None:
    fix = _metadata_fix(tmp_path)("`Name` field is missing")
    assert fix == "fix the package metadata twine reports, then rebuild"
