"""Where the version lives, found without configuration, and edited in place.

Discovery reads files; the edits are pure text -> text functions that change
the version and nothing else (tomlkit keeps TOML byte for byte, regex edits keep
quotes and line endings).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from releasekit.core.config import PYPROJECT, Config, VersionFile, parse_toml
from releasekit.errors import ConfigError, VersionError

Kind = Literal["project", "poetry", "dunder", "file", "uvlock"]
DUNDER_FILES = ("__init__.py", "_version.py", "__about__.py")
VCS_BACKENDS = ("setuptools-scm", "setuptools_scm", "hatch-vcs", "hatch_vcs", "pdm-backend-scm")
_DUNDER = re.compile(
    r"""^(?P<head>[ \t]*__version__[ \t]*(?::[ \t]*str[ \t]*)?=[ \t]*)(?P<q>["'])"""
    r"""(?P<value>[^"'\r\n]*)(?P=q)""",
    re.MULTILINE,
)
_VERSION = r"\d[0-9A-Za-z.+!_\-]*"
_BOUNDARY = r"[0-9A-Za-z.+!_\-]"


@dataclass(frozen=True)
class Location:
    """One place that holds the version, with the value as written there."""

    path: str
    kind: Kind
    value: str
    key: str = ""  # the search template ("file") or the project name ("uvlock")

    @property
    def label(self) -> str:
        where = {
            "project": "[project].version",
            "poetry": "[tool.poetry].version",
            "dunder": "__version__",
            "file": f"'{self.key or '{version}'}'",
            "uvlock": "the project's own entry",
        }[self.kind]
        return f"{self.path} {where}"


@dataclass(frozen=True)
class Sources:
    """Every version location of a project, or `tag_only` when the VCS carries it."""

    project: str
    locations: tuple[Location, ...]
    tag_only: bool


def decode(data: bytes, name: str) -> str:
    """UTF-8 text of a file's bytes; a file saved in another encoding is refused, not a crash."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{name} is not UTF-8 text (byte {exc.start} cannot be decoded)",
            f"save {name} as UTF-8, then run the same command again",
        ) from None


def read_text(path: Path) -> str:
    """File text with its line endings untouched (no newline translation)."""
    return decode(path.read_bytes(), str(path))


def project_name(data: Mapping[str, Any]) -> str:
    name = data.get("project", {}).get("name") or data.get("tool", {}).get("poetry", {}).get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError(
            f"{PYPROJECT} names no project", "add [project] name (or [tool.poetry] name)"
        )
    return name


def is_vcs_versioned(data: Mapping[str, Any]) -> bool:
    """setuptools-scm, hatch-vcs and friends: the tag is the version."""
    requires = " ".join(str(r) for r in data.get("build-system", {}).get("requires", []))
    tool = data.get("tool", {})
    hatch_source = tool.get("hatch", {}).get("version", {}).get("source")
    return (
        any(backend in requires.lower() for backend in VCS_BACKENDS)
        or "setuptools_scm" in tool
        or hatch_source == "vcs"
    )


def package_dirs(root: Path, name: str) -> list[Path]:
    module = re.sub(r"[-.]+", "_", name).lower()
    candidates = [root / "src" / module, root / module]
    found = [path for path in candidates if (path / "__init__.py").is_file()]
    if not found and (root / "src").is_dir():
        packages = [p for p in sorted((root / "src").iterdir()) if (p / "__init__.py").is_file()]
        if len(packages) == 1:
            found = packages
    return found


def discover(root: Path, data: Mapping[str, Any], text: str, config: Config) -> Sources:
    """Find every version location; pure apart from reading candidate files."""
    name = project_name(data)
    locations: list[Location] = []
    project = data.get("project", {})
    dynamic = "version" in project.get("dynamic", [])
    if isinstance(project.get("version"), str) and not dynamic:
        locations.append(Location(PYPROJECT, "project", project["version"]))
    poetry_version = data.get("tool", {}).get("poetry", {}).get("version")
    if isinstance(poetry_version, str) and "version" not in project:
        locations.append(Location(PYPROJECT, "poetry", poetry_version))
    for package in package_dirs(root, name):
        for filename in DUNDER_FILES:
            path = package / filename
            if path.is_file():
                matches = _DUNDER.findall(read_text(path))
                if matches:
                    rel = path.relative_to(root).as_posix()
                    locations.extend(Location(rel, "dunder", m[2]) for m in matches)
    tag_only = not locations and dynamic and is_vcs_versioned(data)
    if not locations and not tag_only:
        raise ConfigError(
            "cannot find where the version lives",
            "set [project] version, or __version__ in the package, or [tool.releasekit] "
            "version-files",
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
    if extra.search == "{version}":
        # A bare template matches any number: look for the version the project has.
        hit = primary is not None and _search_regex(extra.search, primary).search(text)
        return Location(extra.path, "file", primary if hit and primary else "(not found)", "")
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


_UV_PACKAGE = re.compile(
    r'^\[\[package\]\]\r?\nname = "(?P<name>[^"]+)"\r?\nversion = "(?P<value>[^"]+)"',
    re.MULTILINE,
)


def canonicalize_name(name: str) -> str:
    """PEP 503 normalized name, without importing packaging.utils (and packaging.tags)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _uv_entry(text: str, name: str) -> re.Match[str] | None:
    """The project's own [[package]] entry; uv writes the normalized name (PEP 503)."""
    wanted = canonicalize_name(name)
    for match in _UV_PACKAGE.finditer(text):
        if canonicalize_name(match["name"]) == wanted:
            return match
    return None


def uv_lock_version(text: str, name: str) -> str | None:
    match = _uv_entry(text, name)
    return match["value"] if match else None


def replace(text: str, location: Location, new: str) -> str:
    """`text` with this location's version set to `new`; every other byte kept."""
    if location.kind in ("project", "poetry"):
        return _replace_toml(text, location.kind, new)
    if location.kind == "dunder":
        return _DUNDER.sub(
            lambda m: f"{m['head']}{m['q']}{new}{m['q']}" if m["value"] == location.value else m[0],
            text,
        )
    if location.kind == "uvlock":
        match = _uv_entry(text, location.key)
        if match is None:
            return text
        return text[: match.start()] + _splice(match, "value", new) + text[match.end() :]
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


def _replace_toml(text: str, kind: Kind, new: str) -> str:
    """The version value replaced and nothing else: tomlkit, unless the plain line edit
    below already proved itself (it keeps `releasekit bump` from importing tomlkit)."""
    quick = _replace_toml_line(text, kind, new)
    return quick if quick is not None else _replace_toml_document(text, kind, new)


def _replace_toml_line(text: str, kind: Kind, new: str) -> str | None:
    """Edit the `version = "..."` line of the table in place; None unless tomllib reads
    the result as exactly the same document with only that value changed."""
    name = "project" if kind == "project" else "tool.poetry"
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
    table = expected["project"] if kind == "project" else expected["tool"]["poetry"]
    table["version"] = new
    return result if edited == expected else None


def _replace_toml_document(text: str, kind: Kind, new: str) -> str:
    import tomlkit
    from tomlkit.items import String

    doc = tomlkit.parse(text)
    table: Any = doc["project"] if kind == "project" else doc["tool"]["poetry"]
    old = table["version"]
    table["version"] = String.from_raw(new, old.type)
    return tomlkit.dumps(doc)
