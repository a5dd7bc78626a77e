"""Does the project compile code? Then it ships one wheel per platform, built on many machines.

Read from the files a build backend reads (pyproject.toml, setup.py), never by building:
`releasekit doctor` reports it and `releasekit init` renders the wheel-matrix workflow for it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from releasekit.system.facts import normalize_name

# Build requirements (PEP 503 names) that only a project with compiled code asks for.
_COMPILING_REQUIRES = {
    "cython": "Cython",
    "pybind11": "pybind11",
    "nanobind": "nanobind",
    "scikit-build-core": "scikit-build-core",
    "scikit-build": "scikit-build",
    "meson-python": "meson-python",
    "maturin": "maturin",
    "setuptools-rust": "setuptools-rust",
}
# Build backends that exist to compile code.
_COMPILING_BACKENDS = {
    "scikit_build_core.build": "scikit-build-core",
    "mesonpy": "meson-python",
    "maturin": "maturin",
}
# setup.py names that declare extension modules.
_EXTENSION_CALLS = {"Extension", "Pybind11Extension", "cythonize", "RustExtension"}
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class Compiled:
    """Why the project is compiled (empty: it is pure Python); `cibuildwheel`: the project
    already configures cibuildwheel in [tool.cibuildwheel]."""

    reasons: tuple[str, ...] = ()
    cibuildwheel: bool = False

    @property
    def compiled(self) -> bool:
        return bool(self.reasons)


def detect(root: Path, data: Mapping[str, Any]) -> Compiled:
    """The signs of compiled code in pyproject.toml (`data`, already parsed) and setup.py."""
    reasons: list[str] = []
    system = data.get("build-system")
    system = system if isinstance(system, Mapping) else {}
    backend = system.get("build-backend")
    if isinstance(backend, str) and backend in _COMPILING_BACKENDS:
        reasons.append(f"build backend {_COMPILING_BACKENDS[backend]}")
    requires = system.get("requires")
    for requirement in requires if isinstance(requires, list) else ():
        match = _REQUIREMENT_NAME.match(requirement) if isinstance(requirement, str) else None
        name = normalize_name(match[1]) if match else ""
        label = _COMPILING_REQUIRES.get(name)
        if label and f"build backend {label}" not in reasons:
            reasons.append(f"{label} in build requires")
    tool = data.get("tool")
    tool = tool if isinstance(tool, Mapping) else {}
    setuptools = tool.get("setuptools")
    if isinstance(setuptools, Mapping) and setuptools.get("ext-modules"):
        reasons.append("[tool.setuptools] ext-modules")
    reasons += _setup_py_reasons(root / "setup.py")
    cibuildwheel = isinstance(tool.get("cibuildwheel"), Mapping)
    if cibuildwheel:
        reasons.append("[tool.cibuildwheel]")
    return Compiled(tuple(dict.fromkeys(reasons)), cibuildwheel)


def _setup_py_reasons(path: Path) -> list[str]:
    """Extension modules setup.py declares: an `ext_modules=` argument or an Extension call."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    try:
        tree = ast.parse(text)
    except SyntaxError:  # what a backend would fail on; judge the words instead
        found = re.search(r"\bext_modules\b|\bExtension\(", text)
        return ["setup.py declares extension modules"] if found else []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "ext_modules":
            return ["setup.py passes ext_modules"]
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _EXTENSION_CALLS:
                return [f"setup.py calls {name}()"]
    return []
