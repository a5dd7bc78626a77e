"""[tool.releasekit] in pyproject.toml, read once into a frozen value.

Every default lives here, so the fronts, the docs and the tests agree.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from releasekit.errors import ConfigError
from releasekit.system.record import field, record

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PYPROJECT = "pyproject.toml"
MEMBER_TAG_FORMAT = "{package}-v{version}"  # a workspace member's tags: alpha-kit-v1.4.0
# What a workspace member takes from the root's [tool.releasekit]: the repository's settings.
# Paths (changelog, version-files) and allow-dirty stay each member's own.
INHERITED = (
    "branch",
    "remote",
    "tag-format",
    "commit-message",
    "repository",
    "publish",
    "sign",
    "github-release",
    "upload-timeout",
    "strict-metadata",
    "part",
    "major-on-zero",
    "flow",
    "pr-branch",
    "wheel-runners",
    "build-frontend",
)


@record
class VersionFile:
    """An extra file that carries the version, with an optional search template."""

    path: str
    search: str = "{version}"


@record
class Config:
    """The settings a release reads; defaults are the common case."""

    branch: str = "main"
    remote: str = "origin"
    tag_format: str = "v{version}"
    commit_message: str = "chore(release): Bump version to {tag}"  # {tag} follows tag-format
    changelog: str = "CHANGELOG.md"
    allow_dirty: tuple[str, ...] = ()
    version_files: tuple[VersionFile, ...] = ()
    repository: str = "pypi"
    publish: str = "none"
    sign: bool = False
    github_release: bool = True
    upload_timeout: float = 300.0
    strict_metadata: bool = False  # twine check's warnings block the build too
    build_frontend: str = ""  # "build" (pypa/build) or "uv"; "": uv when it is installed
    wheel_runners: tuple[str, ...] = ()  # compiled projects: the wheel matrix's runners
    tag_format_set: bool = False  # tag-format was configured, not read off the tags
    tag_format_mixed: str = ""  # version tags of both shapes (1.2.0 and v1.3.0), named
    part: str = ""  # the part a release takes without --part/--new-version ("auto": commits)
    major_on_zero: bool = False  # a breaking change of 0.x gives 1.0.0, not the next minor
    flow: str = "push"  # "pull-request": the release commit goes through a pull request
    pr_branch: str = "release/v{version}"
    packages: tuple[str, ...] = ()  # a workspace's members, when not found on their own
    package: str = ""  # the workspace member this config is for ("" for a single project)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def tag(self, version: str) -> str:
        return self.tag_format.format(version=version)

    def message(self, version: str) -> str:
        """The release commit's message: `commit-message` with {version} and {tag} filled."""
        return self.commit_message.format(version=version, tag=self.tag(version))

    def pr_branch_name(self, version: str) -> str:
        """The branch a release pull request comes from: `pr-branch` filled."""
        return self.pr_branch.format(version=version, tag=self.tag(version))

    def version_of(self, tag: str) -> str | None:
        return tag_version(tag, self.tag_format)


def tag_version(tag: str, tag_format: str) -> str | None:
    """The version text a tag carries for a tag format (v1.4.0 -> "1.4.0"); None if it
    does not follow the format. The text is not checked to be a version."""
    prefix, _, suffix = tag_format.partition("{version}")
    if len(tag) <= len(prefix) + len(suffix) or not tag.startswith(prefix):
        return None
    return tag[len(prefix) : len(tag) - len(suffix)] if tag.endswith(suffix) else None


_VERSION_TAG = re.compile(r"^(v?)\d+(\.\d+)+")


def infer_tag_format(tags: Sequence[str], default: str) -> str:
    """`{version}` when the version tags have no `v`, `v{version}` when they do, `default`
    without any; tags of both kinds raise, naming one of each."""
    found: dict[str, str] = {}
    for tag in tags:
        match = _VERSION_TAG.match(tag)
        if match:
            found.setdefault(match[1], tag)
    if len(found) > 1:
        raise ConfigError(
            f"the version tags follow two formats: {found['v']} (v{{version}}) and "
            f"{found['']} ({{version}})",
            'choose one in pyproject.toml: [tool.releasekit] tag-format = "v{version}" '
            '(or "{version}")',
        )
    if not found:
        return default
    return "v{version}" if "v" in found else "{version}"


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
    "strict-metadata": bool,
    "build-frontend": str,
    "part": str,
    "major-on-zero": bool,
    "flow": str,
    "pr-branch": str,
}
PART_VALUES = ("auto", "major", "minor", "patch", "pre", "release")
FLOWS = ("push", "pull-request")
BUILD_FRONTENDS = ("build", "uv")  # pypa/build (`python -m build`), `uv build`


def parse_toml(text: str) -> dict[str, Any] | None:
    """TOML as plain data, or None when it is not valid TOML."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    return data


def read_pyproject(root: Path) -> dict[str, Any]:
    """pyproject.toml as plain data ({} for a project with only setup.py / setup.cfg); a
    clear error when it is missing or malformed."""
    path = root / PYPROJECT
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{PYPROJECT} is not UTF-8 ({exc.reason})", "save it as UTF-8") from exc
    except FileNotFoundError as exc:
        if (root / "setup.py").is_file() or (root / "setup.cfg").is_file():
            return {}  # a setuptools project whose metadata is in setup.py / setup.cfg
        raise ConfigError(
            f"no {PYPROJECT} in {root} (nor setup.py or setup.cfg)",
            "run releasekit from the project's root folder, the one with pyproject.toml, "
            "setup.py or setup.cfg",
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


def is_project(data: Mapping[str, Any] | None) -> bool:
    """The root is a project itself ([project], or poetry's [tool.poetry])."""
    tool = data.get("tool", {}) if data else {}
    poetry = tool.get("poetry") if isinstance(tool, Mapping) else None
    return bool(data) and (
        isinstance(data.get("project"), Mapping) or isinstance(poetry, Mapping)  # type: ignore[union-attr]
    )


def may_hold_members(data: Mapping[str, Any] | None) -> bool:
    """Could the root be a workspace? Cheap, so a single project never imports more."""
    if not is_project(data):
        return True
    tool = data.get("tool", {}) if data else {}
    uv = tool.get("uv", {}) if isinstance(tool, Mapping) else {}
    table = tool.get("releasekit", {}) if isinstance(tool, Mapping) else {}
    return (isinstance(uv, Mapping) and "workspace" in uv) or (
        isinstance(table, Mapping) and "packages" in table
    )


def from_table(table: Mapping[str, Any], *, package: str = "", member: bool = False) -> Config:
    """Validate a [tool.releasekit] table; unknown keys and wrong types are refused.

    `package` fills {package} in tag-format; a workspace `member`'s tags default to
    `{package}-v{version}` and are never read off the tags of the whole repository.
    """
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
        elif key == "packages" and not member:
            values["packages"] = tuple(_strings(key, value))
            for path in values["packages"]:
                _check_inside(path)
        elif key == "wheel-runners":
            values["wheel_runners"] = tuple(_strings(key, value))
            if not values["wheel_runners"]:
                raise ConfigError(
                    "[tool.releasekit] wheel-runners is empty",
                    'list GitHub runners, e.g. ["ubuntu-latest", "windows-latest"], or remove it',
                )
        else:
            raise ConfigError(
                f"[tool.releasekit] has an unknown key {key!r}", "remove it or fix its spelling"
            )
    for path in (
        values.get("changelog", "CHANGELOG.md"),
        *(f.path for f in values.get("version_files", ())),
    ):
        _check_inside(path)
    tag_format = values.get("tag_format", MEMBER_TAG_FORMAT if member else "v{version}")
    _check_template("tag-format", tag_format, "v{version}", (), optional=("package",))
    # A workspace root's own table keeps {package}: each member fills in its name.
    values["tag_format"] = tag_format.replace("{package}", package) if package else tag_format
    _check_template(
        "commit-message", values.get("commit_message", "{tag}"), "Release {tag}", ("tag",)
    )
    values["tag_format_set"] = "tag-format" in table or member
    if member:
        values["package"] = package
        values.setdefault("pr_branch", "release/{tag}")
    if values.get("publish", "none") not in ("none", "local"):
        raise ConfigError(
            '[tool.releasekit] publish must be "none" or "local"', "fix the value, then re-run"
        )
    _check_choice("part", values.get("part", "auto"), PART_VALUES)
    _check_choice("flow", values.get("flow", "push"), FLOWS)
    _check_choice("build-frontend", values.get("build_frontend", "build"), BUILD_FRONTENDS)
    branch = values.get("pr_branch", "{version}")
    _check_template("pr-branch", branch, "release/v{version}", ("tag",))
    return Config(**values)


def _check_choice(key: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(
            f"[tool.releasekit] {key} must be one of {', '.join(allowed)}, not {value!r}",
            "fix the value, then re-run",
        )


def load(root: Path, data: Mapping[str, Any] | None = None) -> Config:
    """The project's Config, from `data` when the caller already parsed pyproject.toml."""
    data = read_pyproject(root) if data is None else data
    return from_table(_table(data), package=_name(data))


def load_member(root_data: Mapping[str, Any], data: Mapping[str, Any], name: str) -> Config:
    """A workspace member's Config: the root's repository settings (INHERITED), then the
    member's own [tool.releasekit] over them."""
    inherited = {k: v for k, v in _table(root_data).items() if k in INHERITED}
    own = _table(data)
    if "packages" in own:
        raise ConfigError(
            f"[tool.releasekit] packages in {name}'s {PYPROJECT} lists members of a member",
            f"list the workspace's members in the root {PYPROJECT} only",
        )
    return from_table({**inherited, **own}, package=name, member=True)


def _table(data: Mapping[str, Any]) -> Mapping[str, Any]:
    table = data.get("tool", {}).get("releasekit", {})
    if not isinstance(table, Mapping):
        raise ConfigError("[tool.releasekit] must be a table", "fix pyproject.toml, then re-run")
    return table


def _name(data: Mapping[str, Any]) -> str:
    name = data.get("project", {}).get("name") or data.get("tool", {}).get("poetry", {}).get("name")
    return name if isinstance(name, str) else ""


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


def _check_template(
    key: str, template: str, example: str, others: tuple[str, ...], optional: tuple[str, ...] = ()
) -> None:
    """A template may use {version} (and `others`, and `optional` beside them) and nothing
    else, so formatting it cannot fail later; a commit message may name the version or the tag."""
    fields = {"version": "1.0.0", **dict.fromkeys(others, "v1.0.0")}
    try:
        named = any("{" + name + "}" in template for name in fields)
        ok = named and template.format(**fields, **dict.fromkeys(optional, "p")) is not None
    except (KeyError, IndexError, ValueError):
        ok = False
    if not ok:
        allowed = " or ".join("{" + name + "}" for name in fields)
        also = "".join(f" (and optionally {{{name}}})" for name in optional)
        raise ConfigError(
            f"[tool.releasekit] {key} {template!r} must contain {allowed}{also} and no other field",
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
