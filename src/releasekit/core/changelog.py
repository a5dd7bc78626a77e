"""Keep a Changelog 1.1, edited as text: roll [Unreleased] into a dated section.

Pure functions over the file's text; only the heading, the new section line
and the compare links change, every other byte stays where it was.
"""

from __future__ import annotations

import functools
import re

from releasekit.errors import ChangelogError
from releasekit.system.record import record

_UNRELEASED = re.compile(r"^##[ \t]+\[?unreleased\]?[ \t]*$", re.IGNORECASE)
UNRELEASED_HEADING = _UNRELEASED  # doctor checks headings with the same pattern
_SECTION = re.compile(r"^##[ \t]")
_LINK_DEF = re.compile(r"^\[[^\]]+\]:[ \t]*\S")
_LINK_START = re.compile(r"\n\[(?i:unreleased)\]")  # a literal prefix: re's fast search
_UNRELEASED_LINK = re.compile(
    r"^(?P<head>\[unreleased\]:[ \t]*)(?P<base>\S+?/compare/)(?P<prev>\S+?)\.\.\.HEAD[ \t]*$",
    re.IGNORECASE,
)


@record
class Unreleased:
    """Where the [Unreleased] section sits, in line numbers of the split text."""

    heading: int
    end: int
    entries: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.entries


def split_lines(text: str) -> list[str]:
    """The text's lines, a fresh list each time (callers edit it); the split is done once
    per text (a release splits a long changelog in several places)."""
    return list(_split(text))


_lines = split_lines


@functools.lru_cache(maxsize=4)
def _split(text: str) -> tuple[str, ...]:
    return tuple(text.splitlines(keepends=True))


def newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _section_end(lines: list[str], start: int) -> int:
    for index in range(start + 1, len(lines)):
        if _SECTION.match(lines[index]) or _LINK_DEF.match(lines[index]):
            return index
    return len(lines)


def unreleased(text: str, path: str = "CHANGELOG.md") -> Unreleased:
    """Locate [Unreleased]; its entries are the lines that are not blank or sub-headings."""
    lines = _lines(text)
    for index, line in enumerate(lines):
        if _UNRELEASED.match(line.rstrip("\r\n")):
            end = _section_end(lines, index)
            entries = tuple(
                body.strip()
                for body in lines[index + 1 : end]
                if body.strip() and not body.lstrip().startswith("#")
            )
            return Unreleased(index, end, entries)
    raise ChangelogError(
        f"{path} has no '## [Unreleased]' section",
        "add one above the latest release (Keep a Changelog 1.1) and list the changes under it",
    )


def release(
    text: str,
    version: str,
    date: str,
    *,
    tag: str,
    allow_empty: bool = False,
    path: str = "CHANGELOG.md",
) -> str:
    """Move the [Unreleased] entries under `## [version] - date`; update compare links."""
    section = unreleased(text, path)
    if section.empty and not allow_empty:
        raise ChangelogError(
            f"{path} has nothing under [Unreleased]",
            "list the changes there, or pass --allow-empty-changelog",
        )
    if find_section(text, version) is not None:
        raise ChangelogError(
            f"{path} already has a section for {version}", "remove it or choose another version"
        )
    nl = newline(text)
    lines = _lines(text)
    heading = lines[section.heading]
    if not heading.endswith(("\n", "\r")):
        heading += nl
    new_heading = f"## [{version}] - {date}{nl}"
    body = lines[section.heading + 1 : section.end]
    lines[section.heading : section.end] = [heading, nl, new_heading, *body]
    return _update_links(lines, version, tag, nl)


def _update_links(lines: list[str], version: str, tag: str, nl: str) -> str:
    for index in _link_candidates(lines):
        line = lines[index]
        match = _UNRELEASED_LINK.match(line.rstrip("\r\n"))
        if match:
            ending = line[len(line.rstrip("\r\n")) :]
            base, prev = match["base"], match["prev"]
            lines[index] = f"{match['head']}{base}{tag}...HEAD{ending or nl}"
            lines.insert(index + 1, f"[{version}]: {base}{prev}...{tag}{ending}")
            break
    return "".join(lines)


def _link_candidates(lines: list[str]) -> list[int]:
    """The lines that start with `[unreleased]`, found by one search of the whole text
    instead of a regex per line (a long changelog has tens of thousands above the links).
    Text with line breaks other than \n (which splitlines counts too) is read line by line."""
    text = "".join(lines)
    if len(lines) != text.count("\n") + (not text.endswith("\n")):
        return [i for i, line in enumerate(lines) if line[:12].lower() == "[unreleased]"]
    first = [0] if text[:12].lower() == "[unreleased]" else []
    return first + [text.count("\n", 0, found.end() - 12) for found in _LINK_START.finditer(text)]


def find_section(text: str, version: str) -> tuple[int, int] | None:
    """Line span of `## [version]` (or `## version`), heading excluded."""
    if version not in text:  # the usual answer for a new version, without a regex scan
        return None
    heading = re.compile(r"^##[ \t]+\[?" + re.escape(version) + r"\]?(?:[ \t]|\r?$)", re.M)
    found = heading.search(text)
    if found is None:
        return None
    lines = _lines(text)
    index = text.count("\n", 0, found.start())
    return index + 1, _section_end(lines, index)


def notes(text: str, version: str, path: str = "CHANGELOG.md") -> str:
    """A version's section as release notes: the tag message and the GitHub release body."""
    span = find_section(text, version)
    if span is None:
        raise ChangelogError(
            f"{path} has no section for {version}", f"add '## [{version}] - YYYY-MM-DD' with notes"
        )
    lines = _lines(text)[span[0] : span[1]]
    return "".join(lines).replace("\r\n", "\n").strip("\n")


SKELETON = """\
# Changelog

All notable changes to this project are documented in this file.

The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

## [Unreleased]
"""
