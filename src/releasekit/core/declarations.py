"""Where the build backend itself reads the version, read the way the backend reads it.

Each reader follows one backend's documented setting (hatchling's [tool.hatch.version],
setuptools' attr/file and setup.cfg/setup.py, pdm-backend, flit-core, scikit-build-core,
maturin's Cargo.toml, meson-python's meson.build) to the one place the version is written.
Only reads files; the edits are in locations.py.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from releasekit.core.locations import (
    DUNDER,
    Kind,
    Location,
    assignment,
    read_text,
    regex_value,
    setup_cfg_version,
    setup_py_version,
    values,
    whole_value,
)
from releasekit.errors import ConfigError
from releasekit.system.record import field, record

# hatchling's default (hatchling/version/core.py) and pdm-backend's (hooks/version).
HATCH_PATTERN = r"""(?i)^(__version__|VERSION) *= *(['"])v?(?P<version>.+?)\2"""
PDM_PATTERN = r"""^(?:__version__|VERSION)\s*=\s*["'](.+?)["']\s*(?:#.*)?$"""
SKBUILD_PATTERN = r"""(?i)^(__version__|VERSION)(?: ?\: ?str)? *= *(['"])v?(?P<value>.+?)\2"""
SKBUILD_REGEX = "scikit_build_core.metadata.regex"
SKBUILD_SCM = "scikit_build_core.metadata.setuptools_scm"
FLIT_FILES = ("version.py", "_version.py", "__version__.py", "__init__.py")


@record(frozen=False)
class Declared:
    """The locations a backend's declaration leads to; `tag_only` when it names the VCS."""

    locations: list[Location] = field(default_factory=list)
    tag_only: bool = False
    looked: list[str] = field(default_factory=list)


def table(data: Mapping[str, Any], *keys: str) -> Mapping[str, Any]:
    value: Any = data
    for key in keys:
        value = value.get(key, {}) if isinstance(value, Mapping) else {}
    return value if isinstance(value, Mapping) else {}


def backend_of(data: Mapping[str, Any]) -> str:
    backend = table(data, "build-system").get("build-backend")
    return backend if isinstance(backend, str) else ""


def rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def inside(root: Path, name: str, what: str) -> Path:
    path = (root / name).resolve()
    if root.resolve() not in (path, *path.parents):
        raise ConfigError(f"{what} {name!r} is outside the project", "use a path inside it")
    return root / name


def _read(root: Path, name: str, what: str) -> str:
    path = inside(root, name, what)
    if not path.is_file():
        raise ConfigError(f"{what} names {name}, which does not exist", f"create {name} or fix it")
    return read_text(path)


def _pattern(root: Path, name: str, pattern: str, via: str, what: str) -> Location:
    value = regex_value(pattern, _read(root, name, what))
    if value is None:
        raise ConfigError(
            f"{name} (from {what}) holds no version the backend's pattern finds",
            f'write __version__ = "1.0.0" in {name}, or fix the pattern in {what}',
        )
    return Location(name, "regex", value, pattern, via)


def _assignments(root: Path, path: Path, name: str, via: str) -> list[Location]:
    text = read_text(path)
    found = values(DUNDER if name == "__version__" else assignment(name), text)
    kind: Kind = "dunder" if name == "__version__" else "assign"
    return [Location(rel(root, path), kind, value, name, via) for value in found]


# --- hatchling, pdm-backend, scikit-build-core: a path and a regex ---------------------------


def hatch(root: Path, data: Mapping[str, Any], out: Declared) -> None:
    version = table(data, "tool", "hatch", "version")
    if version.get("source", "regex") != "regex" or "path" not in version:
        return
    path, pattern = str(version["path"]), str(version.get("pattern") or HATCH_PATTERN)
    what = "[tool.hatch.version] path"
    out.locations.append(_pattern(root, path, pattern, f"{what} = {path}", what))


def pdm(root: Path, data: Mapping[str, Any], out: Declared) -> None:
    version = table(data, "tool", "pdm", "version")
    source = version.get("source", "file" if "path" in version else None)
    if source == "scm":
        out.tag_only = True
    elif source == "file" and "path" in version:
        path, pattern = str(version["path"]), str(version.get("pattern") or PDM_PATTERN)
        what = "[tool.pdm.version] path"
        out.locations.append(_pattern(root, path, pattern, f"{what} = {path}", what))


def scikit_build(root: Path, data: Mapping[str, Any], out: Declared) -> None:
    version = table(data, "tool", "scikit-build", "metadata", "version")
    provider = version.get("provider")
    if provider == SKBUILD_SCM:
        out.tag_only = True
    elif provider == SKBUILD_REGEX and "input" in version:
        if version.get("result", "{value}") != "{value}" or version.get("remove"):
            return  # a computed version: no one place to edit
        path, pattern = str(version["input"]), str(version.get("regex") or SKBUILD_PATTERN)
        what = "[tool.scikit-build.metadata.version] input"
        out.locations.append(_pattern(root, path, pattern, f"{what} = {path}", what))


# --- setuptools: attr / file, setup.cfg, setup.py --------------------------------------------


def _module_files(root: Path, module: str, bases: list[str]) -> list[Path]:
    parts = module.split(".")
    found = []
    for base in bases:
        folder = root.joinpath(base, *parts)
        for path in (folder / "__init__.py", folder.with_suffix(".py")):
            if path.is_file():
                found.append(path)
    return found


def attr(root: Path, spec: str, bases: list[str], via: str) -> list[Location]:
    """setuptools' `attr: pkg.mod.NAME`: NAME assigned a literal in the module pkg.mod (or
    in the module it imports NAME from, which setuptools then imports)."""
    module, _, name = spec.strip().rpartition(".")
    files = _module_files(root, module, [*bases, "src", ""]) if module else []
    for path in files:
        found = _assignments(root, path, name, via)
        if found:
            return found
        imported = re.search(
            rf"^from[ \t]+\.([\w.]+)[ \t]+import[ \t]+[^\r\n]*\b{re.escape(name)}\b",
            read_text(path),
            re.MULTILINE,
        )
        if imported and path.name == "__init__.py":
            sub = path.parent.joinpath(*imported[1].split("."))
            for target in (sub / "__init__.py", sub.with_suffix(".py")):
                if not target.is_file():
                    continue
                found = _assignments(root, target, name, via)
                if found:
                    return found
    raise ConfigError(
        f"{via} names {spec.strip()}, but no module file assigns {name} a literal string",
        f'write {name} = "1.0.0" in the module {module or spec}, or fix the attr',
    )


def whole(root: Path, name: str, via: str) -> Location:
    text = _read(root, name, via)
    return Location(name, "whole", whole_value(text), "", via)


def _package_dir(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        base = value.get("")
        return [base] if isinstance(base, str) else []
    if isinstance(value, str):  # setup.cfg: "=src", maybe on its own line
        return [line.split("=", 1)[1].strip() for line in value.splitlines() if "=" in line]
    return []


def setuptools(root: Path, data: Mapping[str, Any], out: Declared, name: str) -> None:
    version = table(data, "tool", "setuptools", "dynamic").get("version")
    bases = _package_dir(table(data, "tool", "setuptools").get("package-dir"))
    if isinstance(version, Mapping) and isinstance(version.get("attr"), str):
        via = f"[tool.setuptools.dynamic] version = {{attr = {version['attr']!r}}}"
        out.locations.extend(attr(root, version["attr"], bases, via))
    elif isinstance(version, Mapping) and version.get("file"):
        files = version["file"]
        path = files if isinstance(files, str) else files[0] if len(files) == 1 else None
        if path is None:
            return  # several files concatenated: no one place to edit
        out.locations.append(whole(root, path, f"[tool.setuptools.dynamic] version = {path}"))
    cfg = setup_cfg(root)
    if cfg is not None:
        setup_cfg_locations(root, cfg, out)
    if (root / "setup.py").is_file():
        setup_py(root, out, name)


def setup_cfg(root: Path) -> Any:
    import configparser

    path = root / "setup.cfg"
    if not path.is_file():
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(read_text(path))
    except configparser.Error as exc:
        raise ConfigError(f"setup.cfg cannot be read ({exc.message})", "fix setup.cfg") from None
    return parser


def setup_cfg_locations(root: Path, cfg: Any, out: Declared) -> None:
    out.looked.append("setup.cfg [metadata] version")
    value = cfg.get("metadata", "version", fallback=None)
    if not value:
        return
    kind, _, rest = value.partition(":")
    if kind.strip() == "attr" and rest:
        bases = _package_dir(cfg.get("options", "package_dir", fallback=""))
        out.locations.extend(attr(root, rest, bases, f"setup.cfg [metadata] version = {value}"))
    elif kind.strip() == "file" and rest:
        path = rest.split(",")[0].strip()
        out.locations.append(whole(root, path, f"setup.cfg [metadata] version = {value}"))
    else:
        found = setup_cfg_version(read_text(root / "setup.cfg"))
        if found is not None:
            via = "setup.cfg [metadata] version"
            out.locations.append(Location("setup.cfg", "setupcfg", found["value"], "", via))


def _setup_call(tree: ast.AST) -> ast.Call | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if called == "setup":
                return node
    return None


def _setup_tree(root: Path) -> ast.AST | None:
    try:
        return ast.parse(read_text(root / "setup.py"))
    except (SyntaxError, ValueError, OSError):
        return None


def setup_py_name(root: Path) -> str | None:
    tree = _setup_tree(root) if (root / "setup.py").is_file() else None
    call = _setup_call(tree) if tree is not None else None
    for keyword in call.keywords if call else []:
        if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    return None


def setup_py(root: Path, out: Declared, name: str) -> None:
    """setup(version="1.3.0"), or a setup.py that reads __version__ from a package file."""
    out.looked.append("setup.py setup(version=...)")
    tree = _setup_tree(root)
    call = _setup_call(tree) if tree is not None else None
    keywords = {keyword.arg: keyword.value for keyword in call.keywords} if call else {}
    if "use_scm_version" in keywords:
        out.tag_only = True
        return
    version = keywords.get("version")
    if version is None or tree is None:
        return
    if isinstance(version, ast.Constant) and isinstance(version.value, str):
        value = setup_py_version(read_text(root / "setup.py"))
        if value is not None:
            via = "setup.py setup(version=...)"
            out.locations.append(Location("setup.py", "setuppy", value, "", via))
        return
    for path in _files_setup_reads(root, tree):
        via = f"setup.py reads {rel(root, path)}"
        if path.suffix == ".py":
            out.locations.extend(_assignments(root, path, "__version__", via))
        else:
            out.locations.append(whole(root, rel(root, path), via))


def _files_setup_reads(root: Path, tree: ast.AST) -> list[Path]:
    """Files setup.py names: path literals, os.path.join(...) of literals, `from pkg import`."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.append(node.value)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "join":
            parts = [a.value for a in node.args if isinstance(a, ast.Constant)]
            names.append("/".join(str(part) for part in parts))
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and not node.level
            and any(alias.name == "__version__" for alias in node.names)
        ):
            names.extend(rel(root, p) for p in _module_files(root, node.module, ["src", ""]))
    found: list[Path] = []
    for name in names:
        if not re.fullmatch(r"[\w./-]+", name) or name in ("setup.py", "."):
            continue
        path = root / name
        pyfile = path.suffix == ".py" and path.is_file() and DUNDER.search(read_text(path))
        plain = path.name in ("VERSION", "VERSION.txt", "version.txt") and path.is_file()
        if (pyfile or plain) and path not in found:
            found.append(path)
    return found


def setup_name(root: Path) -> str | None:
    """The project name of a project whose metadata is in setup.cfg or setup.py."""
    cfg = setup_cfg(root)
    name = cfg.get("metadata", "name", fallback=None) if cfg is not None else None
    return name.strip() if name and name.strip() else setup_py_name(root)


# --- flit-core: __version__ in the module it builds ------------------------------------------


def flit(root: Path, data: Mapping[str, Any], out: Declared, name: str) -> None:
    module = table(data, "tool", "flit", "module").get("name") or name.replace("-", "_")
    parts = str(module).split(".")
    via = f"flit-core: __version__ of the module {module}"
    for base in ("", "src"):
        folder = root.joinpath(base, *parts)
        if folder.is_dir():
            files = [folder / f for f in FLIT_FILES if (folder / f).is_file()]
        else:
            files = [folder.with_suffix(".py")] if folder.with_suffix(".py").is_file() else []
        for path in files:
            out.locations.extend(_assignments(root, path, "__version__", via))
    out.looked.append(f"__version__ in the module {module}")
