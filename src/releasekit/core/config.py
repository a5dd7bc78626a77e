"""[tool.releasekit] in pyproject.toml, read once into a frozen value.

Every default lives here, so the fronts, the docs and the tests agree.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from releasekit.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PYPROJECT = "pyproject.toml"


@dataclass(frozen=True)
class VersionFile:
    """An extra file that carries the version, with an optional search template."""

    path: str
    search: str = "{version}"


@dataclass(frozen=True)
class Config:
    """The settings a release reads; defaults are the common case."""

    branch: str = "main"
    remote: str = "origin"
    tag_format: str = "v{version}"
    commit_message: str = "chore(release): Bump version to v{version}"
    changelog: str = "CHANGELOG.md"
    allow_dirty: tuple[str, ...] = ()
    version_files: tuple[VersionFile, ...] = ()
    repository: str = "pypi"
    publish: str = "none"
    sign: bool = False
    github_release: bool = True
    upload_timeout: float = 300.0
    extra: Mapping[str, Any] = field(default_factory=dict)

    def tag(self, version: str) -> str:
        return self.tag_format.format(version=version)

    def version_of(self, tag: str) -> str | None:
        return tag_version(tag, self.tag_format)


def tag_version(tag: str, tag_format: str) -> str | None:
    """The version text a tag carries for a tag format (v1.4.0 -> "1.4.0"); None if it
    does not follow the format. The text is not checked to be a version."""
    prefix, _, suffix = tag_format.partition("{version}")
    if len(tag) <= len(prefix) + len(suffix) or not tag.startswith(prefix):
        return None
    return tag[len(prefix) : len(tag) - len(suffix)] if tag.endswith(suffix) else None


_KEYS: dict[str, type | tuple[type, ...]] = {
    "branch": str,
    "remote": str,
    "tag-format": str,
    "commit-message": str,
    "changelog": str,
    "repository": str,
    "publish": str,
    "sign": bool,
    "github-release": bool,
    "upload-timeout": (int, float),
}


def parse_toml(text: str) -> dict[str, Any] | None:
    """TOML as plain data, or None when it is not valid TOML."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    return data


def read_pyproject(root: Path) -> dict[str, Any]:
    """pyproject.toml as plain data; a clear error when it is missing or malformed."""
    path = root / PYPROJECT
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{PYPROJECT} is not UTF-8 ({exc.reason})", "save it as UTF-8") from exc
    except FileNotFoundError as exc:
        raise ConfigError(
            f"no {PYPROJECT} in {root}", "run releasekit from the project's root folder"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{PYPROJECT} is not valid TOML ({exc})", "fix the file") from exc
    _check_tables(data)
    return data


_TABLES = (
    ("project",),
    ("tool",),
    ("tool", "poetry"),
    ("build-system",),
    ("tool", "hatch"),
    ("tool", "hatch", "version"),
    ("tool", "releasekit"),
)


def _check_tables(data: Mapping[str, Any]) -> None:
    """The tables releasekit reads must be tables: `tool = "x"` is refused, not a crash."""
    for keys in _TABLES:
        value: Any = data
        for key in keys:
            value = value.get(key, {}) if isinstance(value, Mapping) else {}
        if not isinstance(value, Mapping):
            raise ConfigError(f"[{'.'.join(keys)}] in {PYPROJECT} must be a table", "fix the file")
    dynamic = data.get("project", {}).get("dynamic", [])
    if not isinstance(dynamic, list):
        raise ConfigError(f"[project] dynamic in {PYPROJECT} must be a list", "fix the file")


def from_table(table: Mapping[str, Any]) -> Config:
    """Validate a [tool.releasekit] table; unknown keys and wrong types are refused."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in _KEYS:
            if not isinstance(value, _KEYS[key]) or (
                isinstance(value, bool) and _KEYS[key] is not bool
            ):
                raise ConfigError(
                    f"[tool.releasekit] {key} has the wrong type ({type(value).__name__})",
                    "see the README for the accepted values",
                )
            values[key.replace("-", "_")] = value
        elif key == "allow-dirty":
            values["allow_dirty"] = tuple(_strings(key, value))
        elif key == "version-files":
            values["version_files"] = tuple(_version_file(item) for item in _list(key, value))
        else:
            raise ConfigError(
                f"[tool.releasekit] has an unknown key {key!r}", "remove it or fix its spelling"
            )
    for path in (
        values.get("changelog", "CHANGELOG.md"),
        *(f.path for f in values.get("version_files", ())),
    ):
        _check_inside(path)
    for key, example in (("tag_format", "v{version}"), ("commit_message", "Release {version}")):
        _check_template(key.replace("_", "-"), values.get(key, example), example)
    if values.get("publish", "none") not in ("none", "local"):
        raise ConfigError(
            '[tool.releasekit] publish must be "none" or "local"', "fix the value, then re-run"
        )
    return Config(**values)


def load(root: Path, data: Mapping[str, Any] | None = None) -> Config:
    """The project's Config, from `data` when the caller already parsed pyproject.toml."""
    data = read_pyproject(root) if data is None else data
    table = data.get("tool", {}).get("releasekit", {})
    if not isinstance(table, Mapping):
        raise ConfigError("[tool.releasekit] must be a table", "fix pyproject.toml, then re-run")
    return from_table(table)


def _check_inside(path: str) -> None:
    """A release writes only inside its project: no absolute paths, no `..`."""
    if not path.strip():
        raise ConfigError("[tool.releasekit] has an empty path", "name a file, e.g. CHANGELOG.md")
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if parts[:1] == ("/",) or ".." in parts or ":" in path[:2]:
        raise ConfigError(
            f"[tool.releasekit] path {path!r} is outside the project",
            "use a path relative to the folder of pyproject.toml",
        )


def _check_template(key: str, template: str, example: str) -> None:
    """A template may use {version} and nothing else, so formatting it cannot fail later."""
    try:
        ok = "{version}" in template and template.format(version="1.0.0") is not None
    except (KeyError, IndexError, ValueError):
        ok = False
    if not ok:
        raise ConfigError(
            f"[tool.releasekit] {key} {template!r} must contain {{version}} and no other field",
            f"e.g. {example!r}",
        )


def _list(key: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigError(f"[tool.releasekit] {key} must be a list", "fix pyproject.toml")
    return value


def _strings(key: str, value: Any) -> list[str]:
    items = _list(key, value)
    if not all(isinstance(item, str) for item in items):
        raise ConfigError(f"[tool.releasekit] {key} must list strings", "fix pyproject.toml")
    return items


def _version_file(item: Any) -> VersionFile:
    if isinstance(item, str):
        return VersionFile(item)
    if isinstance(item, Mapping) and isinstance(item.get("path"), str):
        unknown = sorted(set(item) - {"path", "search"})
        if unknown:
            raise ConfigError(
                f"version-files entry {item['path']!r} has unknown keys: {', '.join(unknown)}",
                "use path and search only",
            )
        search = item.get("search", "{version}")
        if not isinstance(search, str) or "{version}" not in search:
            raise ConfigError(
                f"version-files entry {item['path']!r} needs a search template with {{version}}",
                'e.g. search = "version = \\"{version}\\""',
            )
        return VersionFile(item["path"], search)
    raise ConfigError(
        "[tool.releasekit] version-files entries are paths or {path, search} tables",
        "fix pyproject.toml",
    )
