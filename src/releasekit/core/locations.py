"""One place that holds the version, and the text edits that move it, kind by kind.

Every edit is a pure text -> text function that changes the version and nothing else:
quotes, comments, line endings and every other byte stay as they were.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from releasekit.errors import ConfigError
from releasekit.system.facts import normalize_name as canonicalize_name
from releasekit.system.record import record

Kind = Literal[
    "project",  # pyproject.toml [project] version
    "poetry",  # pyproject.toml [tool.poetry] version
    "dunder",  # __version__ = "..." in a Python file
    "assign",  # NAME = "..." at module level (key: NAME), setuptools attr
    "regex",  # the first match of a backend's regex (key: the regex)
    "whole",  # the whole file is the version (VERSION), whitespace around it kept
    "setupcfg",  # setup.cfg [metadata] version = ...
    "setuppy",  # setup.py setup(version="...")
    "cargo",  # Cargo.toml [package] version (key: the table, or workspace.package)
    "cargolock",  # Cargo.lock's [[package]] entry of the crate (key: the crate)
    "meson",  # meson.build project(..., version: '...')
    "file",  # [tool.releasekit] version-files (key: the search template)
    "uvlock",  # uv.lock's own [[package]] entry (key: the project name)
]


@record
class Location:
    """One place that holds the version, with the value as written there.

    `via` names the declaration that led there (the backend's own setting), for doctor.
    """

    path: str
    kind: Kind
    value: str
    key: str = ""  # the search template, regex, name or table the kind needs
    via: str = ""

    @property
    def label(self) -> str:
        where = {
            "project": "[project].version",
            "poetry": "[tool.poetry].version",
            "dunder": "__version__",
            "assign": self.key,
            "regex": "version pattern",
            "whole": "(whole file)",
            "setupcfg": "[metadata] version",
            "setuppy": "setup(version=...)",
            "cargo": f"[{self.key or 'package'}] version",
            "cargolock": f"[[package]] {self.key}",
            "meson": "project() version",
            "file": f"'{self.key or '{version}'}'",
            "uvlock": "the project's own entry",
        }[self.kind]
        return f"{self.path} {where}"


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


DUNDER = re.compile(
    r"""^(?P<head>[ \t]*__version__[ \t]*(?::[ \t]*str[ \t]*)?=[ \t]*)(?P<q>["'])"""
    r"""(?P<value>[^"'\r\n]*)(?P=q)""",
    re.MULTILINE,
)
_SETUP_KEYWORD = re.compile(
    r"""(?<![\w.])(?P<head>version[ \t]*=[ \t]*)(?P<q>["'])(?P<value>[^"'\r\n]*)(?P=q)"""
)
_CFG_HEADER = re.compile(r"^\[(?P<name>[^\]\r\n]+)\][ \t]*\r?$", re.MULTILINE)
_CFG_VERSION = re.compile(r"^version[ \t]*[=:][ \t]*(?P<value>[^\r\n]*?)[ \t]*\r?$", re.MULTILINE)
_MESON_VERSION = re.compile(r"\bversion[ \t]*:[ \t]*'(?P<value>[^'\\\r\n]*)'")


def assignment(name: str) -> re.Pattern[str]:
    """`NAME = "..."` (or `NAME: str = "..."`) at module level: what setuptools reads statically."""
    return re.compile(
        rf"""^(?P<head>{re.escape(name)}[ \t]*(?::[ \t]*str[ \t]*)?=[ \t]*)(?P<q>["'])"""
        r"""(?P<value>[^"'\r\n]*)(?P=q)""",
        re.MULTILINE,
    )


def values(pattern: re.Pattern[str], text: str) -> list[str]:
    return [match["value"] for match in pattern.finditer(text)]


def backend_regex(pattern: str) -> re.Pattern[str]:
    """A backend's version regex, compiled as the backend does (re.MULTILINE)."""
    try:
        return re.compile(pattern, re.MULTILINE)
    except re.error as exc:
        raise ConfigError(
            f"the version pattern {pattern!r} is not a valid regex ({exc})", "fix the pattern"
        ) from None


def regex_group(compiled: re.Pattern[str]) -> str | int:
    """The group that holds the version: hatchling names it `version`, scikit-build-core
    `value`, pdm-backend takes group 1."""
    for name in ("version", "value"):
        if name in compiled.groupindex:
            return name
    return 1


def regex_value(pattern: str, text: str) -> str | None:
    """What the backend reads: the first match's version group."""
    compiled = backend_regex(pattern)
    match = compiled.search(text)
    if match is None or compiled.groups < 1:
        return None
    value = match[regex_group(compiled)]
    return value if isinstance(value, str) else None


def whole_value(text: str) -> str:
    return text.strip()


def setup_cfg_section(text: str, name: str) -> tuple[int, int] | None:
    """Start and end of a setup.cfg section's body."""
    for header in _CFG_HEADER.finditer(text):
        if header["name"].strip() == name:
            following = _CFG_HEADER.search(text, header.end())
            return header.end(), following.start() if following else len(text)
    return None


def setup_cfg_version(text: str) -> re.Match[str] | None:
    span = setup_cfg_section(text, "metadata")
    return None if span is None else _CFG_VERSION.search(text, *span)


def setup_py_version(text: str) -> str | None:
    match = _SETUP_KEYWORD.search(text)
    return match["value"] if match else None


def meson_project_span(text: str) -> tuple[int, int] | None:
    """The arguments of meson.build's project() call, strings and comments skipped."""
    start = re.search(r"^[ \t]*project[ \t]*\(", text, re.MULTILINE)
    if start is None:
        return None
    depth, index, quoted = 1, start.end(), False
    while index < len(text):
        char = text[index]
        if quoted:
            quoted = char != "'" or text[index - 1] == "\\"
        elif char == "'":
            quoted = True
        elif char == "#":
            end = text.find("\n", index)
            index = len(text) if end < 0 else end
            continue
        elif char in "()":
            depth += 1 if char == "(" else -1
            if depth == 0:
                return start.end(), index
        index += 1
    return None


def meson_version(text: str) -> str | None:
    span = meson_project_span(text)
    match = _MESON_VERSION.search(text, *span) if span else None
    return match["value"] if match else None


def _splice(text: str, match: re.Match[str] | None, group: str | int, new: str) -> str:
    if match is None:
        return text
    return text[: match.start(group)] + new + text[match.end(group) :]


def edit(text: str, location: Location, new: str) -> str | None:
    """The edit of the kinds read from Python, INI and build files; None for other kinds."""
    old = location.value
    kind = location.kind
    if kind in ("dunder", "assign", "setuppy"):
        pattern = {"dunder": DUNDER, "setuppy": _SETUP_KEYWORD}.get(kind) or assignment(
            location.key
        )
        return pattern.sub(
            lambda m: f"{m['head']}{m['q']}{new}{m['q']}" if m["value"] == old else m[0], text
        )
    if kind == "regex":
        compiled = backend_regex(location.key)
        match = compiled.search(text)
        group = regex_group(compiled)
        return _splice(text, match if match and match[group] == old else None, group, new)
    if kind == "whole":
        stripped = text.strip()
        start = text.find(stripped) if stripped == old else -1
        return text if start < 0 else text[:start] + new + text[start + len(old) :]
    if kind == "setupcfg":
        found = setup_cfg_version(text)
        return _splice(text, found if found and found["value"] == old else None, "value", new)
    if kind == "meson":
        span = meson_project_span(text)
        found = _MESON_VERSION.search(text, *span) if span else None
        return _splice(text, found if found and found["value"] == old else None, "value", new)
    return None


_LOCK_PACKAGE = re.compile(
    r'^\[\[package\]\]\r?\nname = "(?P<name>[^"]+)"\r?\nversion = "(?P<value>[^"]+)"',
    re.MULTILINE,
)


def lock_entry(text: str, name: str, *, exact: bool = False) -> re.Match[str] | None:
    """The project's own [[package]] entry of uv.lock (uv writes the PEP 503 name) or of
    Cargo.lock (`exact`: the crate's name as written)."""
    wanted = name if exact else canonicalize_name(name)
    for match in _LOCK_PACKAGE.finditer(text):
        if (match["name"] if exact else canonicalize_name(match["name"])) == wanted:
            return match
    return None
