"""Where the version lives, found without configuration, and edited in place.

Discovery reads files: the static [project]/[tool.poetry] version, then the place the
build backend's own declaration names (declarations.py), then `__version__` in the
package, uv.lock's entry and [tool.releasekit] version-files. The edits are pure
text -> text functions that change the version and nothing else (locations.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from releasekit.core import declarations
from releasekit.core.config import PYPROJECT, Config, VersionFile, parse_toml
from releasekit.core.declarations import Declared, setup_name, table
from releasekit.core.locations import (
    DUNDER,
    Kind,
    Location,
    decode,
    edit,
    lock_entry,
    read_text,
)
from releasekit.errors import ConfigError, VersionError
from releasekit.system.facts import normalize_name as canonicalize_name
from releasekit.system.record import record

__all__ = [
    "Kind",
    "Location",
    "Sources",
    "canonicalize_name",
    "decode",
    "discover",
    "project_name",
    "read_text",
    "replace",
    "uv_lock_version",
]

DUNDER_FILES = ("__init__.py", "_version.py", "__about__.py")
VCS_BACKENDS = (
    "setuptools-scm",
    "setuptools_scm",
    "hatch-vcs",
    "hatch_vcs",
    "pdm-backend-scm",
    "poetry-dynamic-versioning",
    "versioningit",
)
_VERSION = r"\d[0-9A-Za-z.+!_\-]*"
_BOUNDARY = r"[0-9A-Za-z.+!_\-]"


@record
class Sources:
    """Every version location of a project, or `tag_only` when the VCS carries it."""

    project: str
    locations: tuple[Location, ...]
    tag_only: bool


def project_name(data: Mapping[str, Any], root: Path | None = None) -> str:
    """[project] name or [tool.poetry] name; else (given the root) setup.cfg's or setup.py's."""
    name = data.get("project", {}).get("name") or data.get("tool", {}).get("poetry", {}).get("name")
    if (not isinstance(name, str) or not name) and root is not None:
        name = setup_name(root)
        if not name and ((root / "setup.py").is_file() or (root / "setup.cfg").is_file()):
            raise ConfigError(
                "setup.cfg and setup.py name no project",
                "add name = your-project under [metadata] in setup.cfg",
            )
    if not isinstance(name, str) or not name:
        raise ConfigError(
            f"{PYPROJECT} names no project", "add [project] name (or [tool.poetry] name)"
        )
    return name


def _dynamic_versioning(data: Mapping[str, Any]) -> bool:
    """poetry-dynamic-versioning: [tool.poetry] version is a placeholder, the tag decides."""
    return table(data, "tool", "poetry-dynamic-versioning").get("enable") is True


def is_vcs_versioned(data: Mapping[str, Any]) -> bool:
    """setuptools-scm, hatch-vcs and friends: the tag is the version."""
    requires = " ".join(str(r) for r in data.get("build-system", {}).get("requires", []))
    tool = data.get("tool", {})
    hatch_source = tool.get("hatch", {}).get("version", {}).get("source")
    return (
        any(backend in requires.lower() for backend in VCS_BACKENDS)
        or "setuptools_scm" in tool
        or hatch_source == "vcs"
        or _dynamic_versioning(data)
    )


def module_name(name: str) -> str:
    return re.sub(r"[-.]+", "_", name).lower()


def package_dirs(root: Path, name: str) -> list[Path]:
    module = module_name(name)
    candidates = [root / "src" / module, root / module]
    found = [path for path in candidates if (path / "__init__.py").is_file()]
    if not found and (root / "src").is_dir():
        packages = [p for p in sorted((root / "src").iterdir()) if (p / "__init__.py").is_file()]
        if len(packages) == 1:
            found = packages
    return found


def dunder_files(root: Path, name: str) -> list[Path]:
    """The package's __init__.py, _version.py, __about__.py; or a single module `mod.py`."""
    packages = package_dirs(root, name)
    files = [package / filename for package in packages for filename in DUNDER_FILES]
    if not packages:
        module = f"{module_name(name)}.py"
        files = [root / module, root / "src" / module]
    return [path for path in files if path.is_file()]


def discover(root: Path, data: Mapping[str, Any], text: str, config: Config) -> Sources:
    """Find every version location; pure apart from reading candidate files."""
    name = project_name(data, root)
    locations: list[Location] = []
    project = data.get("project", {})
    dynamic = "version" in project.get("dynamic", []) or "project" not in data
    if isinstance(project.get("version"), str) and not dynamic:
        locations.append(Location(PYPROJECT, "project", project["version"]))
    poetry_version = data.get("tool", {}).get("poetry", {}).get("version")
    static_poetry = "version" not in project and not _dynamic_versioning(data)
    if isinstance(poetry_version, str) and static_poetry:
        locations.append(Location(PYPROJECT, "poetry", poetry_version))
    found = declared(root, data, name) if dynamic and not locations else Declared()
    locations.extend(found.locations)
    seen = {location.path for location in locations}
    for path in dunder_files(root, name):
        rel = path.relative_to(root).as_posix()
        if rel not in seen:
            locations.extend(Location(rel, "dunder", value) for value in _dunders(path))
    vcs = found.tag_only or (dynamic and is_vcs_versioned(data))
    tag_only = not locations and vcs
    if not locations and not tag_only and not config.version_files:
        raise ConfigError(
            f"cannot find where the version lives (looked at {_looked(root, name, found)})",
            _advice(root, name),
        )
    lock = root / "uv.lock"
    if lock.is_file():
        value = uv_lock_version(read_text(lock), name)
        if value is not None:
            locations.append(Location("uv.lock", "uvlock", value, name))
    primary = locations[0].value if locations else None
    for extra in config.version_files:
        locations.append(_file_location(root, extra, primary))
    return Sources(name, tuple(locations), tag_only)


def _dunders(path: Path) -> list[str]:
    return [match["value"] for match in DUNDER.finditer(read_text(path))]


def _looked(root: Path, name: str, found: Declared) -> str:
    packages = [p.relative_to(root).as_posix() for p in package_dirs(root, name)]
    where = "|".join(DUNDER_FILES)
    dunder = [f"__version__ in {p}/{where}" for p in packages] or [
        f"__version__ in {module_name(name)}.py"
    ]
    places = [f"{PYPROJECT} [project] version", *found.looked, *dunder]
    return ", ".join(dict.fromkeys(places))


_CANDIDATE = re.compile(
    r"^(?P<before>[^\r\n]*?(?i:version)[^\r\n0-9]*?)(?P<value>\d+\.\d+[0-9A-Za-z.+!_\-]*)"
    r"(?P<after>[^\r\n]*?)\r?$",
    re.MULTILINE,
)


def _advice(root: Path, name: str) -> str:
    """The one [tool.releasekit] version-files line that makes this project work."""
    folders = [root, *package_dirs(root, name)]
    import json  # only to advise, when no version is found

    candidates = [root / n for n in ("VERSION", "VERSION.txt", "version.txt")]
    candidates += [path for folder in folders[1:] for path in sorted(folder.glob("*.py"))]
    candidates += [root / f"{module_name(name)}.py"]
    for path in candidates:
        try:
            text = read_text(path)
        except (OSError, ConfigError):
            continue
        rel = path.relative_to(root).as_posix()
        if path.parent == root and path.suffix != ".py" and _one_version(text, "{version}"):
            return f"add [tool.releasekit] version-files = [{json.dumps(rel)}] to {PYPROJECT}"
        for match in _CANDIDATE.finditer(text):
            search = f"{match['before']}{{version}}{match['after']}"
            if _one_version(text, search):
                entry = f"{{ path = {json.dumps(rel)}, search = {json.dumps(search)} }}"
                return f"add [tool.releasekit] version-files = [{entry}] to {PYPROJECT}"
    return (
        "write the version (e.g. 1.0.0) in a file named VERSION and add "
        f'[tool.releasekit] version-files = ["VERSION"] to {PYPROJECT}'
    )


def _one_version(text: str, search: str) -> bool:
    return len(set(_search_regex(search).findall(text))) == 1


def _file_location(root: Path, extra: VersionFile, primary: str | None) -> Location:
    path = root / extra.path
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError):
        raise ConfigError(
            f"version file {extra.path} (from [tool.releasekit] version-files) cannot be read "
            "as a UTF-8 text file",
            "fix the path or create the file",
        ) from None
    if extra.search == "{version}" and primary is not None:
        # A bare template matches any number: look for the version the project has.
        hit = _search_regex(extra.search, primary).search(text)
        return Location(extra.path, "file", primary if hit else "(not found)", "")
    values = sorted(set(_search_regex(extra.search).findall(text)))
    if len(values) != 1:
        found = ", ".join(values) if values else "no match"
        raise VersionError(
            f"{extra.path}: search '{extra.search}' must find one version, found {found}",
            "fix the file or the search template",
        )
    return Location(extra.path, "file", values[0], extra.search)


def _search_regex(search: str, literal: str | None = None) -> re.Pattern[str]:
    before, _, after = search.partition("{version}")
    value = _VERSION if literal is None else re.escape(literal)
    pattern = re.escape(before) + f"({value})" + re.escape(after)
    return re.compile(f"(?<!{_BOUNDARY}){pattern}(?!{_BOUNDARY})")


def uv_lock_version(text: str, name: str) -> str | None:
    match = lock_entry(text, name)
    return match["value"] if match else None


_TABLES = {"project": ("project",), "poetry": ("tool", "poetry")}


def replace(text: str, location: Location, new: str) -> str:
    """`text` with this location's version set to `new`; every other byte kept."""
    if location.kind in ("project", "poetry", "cargo"):
        keys = _TABLES.get(location.kind) or tuple((location.key or "package").split("."))
        return _replace_toml(text, keys, new)
    if location.kind in ("uvlock", "cargolock"):
        match = lock_entry(text, location.key, exact=location.kind == "cargolock")
        if match is None:
            return text
        return text[: match.start()] + _splice(match, "value", new) + text[match.end() :]
    edited = edit(text, location, new)
    if edited is not None:
        return edited
    return _search_regex(location.key or "{version}", location.value).sub(
        lambda m: _splice(m, 1, new), text
    )


def _splice(match: re.Match[str], group: int | str, new: str) -> str:
    """The matched text with one group replaced."""
    start, end = match.start(group) - match.start(), match.end(group) - match.start()
    return match[0][:start] + new + match[0][end:]


_TOML_VERSION = re.compile(
    r"""^[ \t]*version[ \t]*=[ \t]*(?P<q>["'])(?P<value>[^"'\r\n\\]*)(?P=q)""", re.MULTILINE
)
_TOML_HEADER = re.compile(r"^[ \t]*\[", re.MULTILINE)


def _replace_toml(text: str, keys: tuple[str, ...], new: str) -> str:
    """The version value replaced and nothing else: tomlkit, unless the plain line edit
    below already proved itself (it keeps `releasekit bump` from importing tomlkit)."""
    quick = _replace_toml_line(text, keys, new)
    return quick if quick is not None else _replace_toml_document(text, keys, new)


def _replace_toml_line(text: str, keys: tuple[str, ...], new: str) -> str | None:
    """Edit the `version = "..."` line of the table in place; None unless tomllib reads
    the result as exactly the same document with only that value changed."""
    name = ".".join(keys)
    header = re.search(r"^[ \t]*\[[ \t]*" + re.escape(name) + r"[ \t]*\]", text, re.MULTILINE)
    if header is None:
        return None
    following = _TOML_HEADER.search(text, header.end())
    found = _TOML_VERSION.search(text, header.end(), following.start() if following else len(text))
    if found is None:
        return None
    result = text[: found.start("value")] + new + text[found.end("value") :]
    expected, edited = parse_toml(text), parse_toml(result)
    if expected is None or edited is None:
        return None
    section: Any = expected
    for key in keys:
        section = section[key]
    section["version"] = new
    return result if edited == expected else None


def _replace_toml_document(text: str, keys: tuple[str, ...], new: str) -> str:
    import tomlkit
    from tomlkit.items import String

    doc = tomlkit.parse(text)
    section: Any = doc
    for key in keys:
        section = section[key]
    old = section["version"]
    section["version"] = String.from_raw(new, old.type)
    return tomlkit.dumps(doc)


def declared(root: Path, data: Mapping[str, Any], name: str) -> Declared:
    """Follow the backend's declaration of a dynamic version to the place it is written."""
    out = Declared()
    backend = declarations.backend_of(data)
    declarations.hatch(root, data, out)
    declarations.pdm(root, data, out)
    declarations.scikit_build(root, data, out)
    if backend.startswith("flit_core"):
        declarations.flit(root, data, out, name)
    elif backend in ("maturin", "mesonpy"):
        from releasekit.core import native

        (native.maturin if backend == "maturin" else native.meson)(root, data, out)
    elif backend.startswith("setuptools") or not backend:
        declarations.setuptools(root, data, out, name)
    return out
