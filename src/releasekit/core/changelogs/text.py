"""Changelogs kept as one text file: Keep a Changelog, `## Unreleased` markdown,
reStructuredText `Unreleased` titles, and the pallets style (`Version X` + `Unreleased`).

Pure functions over the file's text. A roll changes only the lines it must (a new
heading, the `Unreleased` line); every other byte, line endings included, stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from releasekit.core import changelog as kac
from releasekit.core.changelogs.model import Pending, Rolled
from releasekit.errors import ChangelogError
from releasekit.system.record import record

_MD_HEADING = re.compile(r"^(?P<marks>#{1,6})[ \t]+(?P<title>.*?)[ \t]*$")
_UNDERLINE = re.compile(r"^(?P<char>[=\-~^])(?P=char)*[ \t]*$")
_UNRELEASED = re.compile(r"^\[?unreleased\]?$", re.IGNORECASE)
_PALLETS = re.compile(r"^version[ \t]+(?P<version>\S+)$", re.IGNORECASE)
_MARKER = re.compile(r"^(?:unreleased|released\b.*)$", re.IGNORECASE)
_KAC_HINTS = re.compile(
    r"keepachangelog\.com|^\[unreleased\]:|^##[ \t]+\[unreleased\]|^##[ \t]+\[\d",
    re.IGNORECASE | re.MULTILINE,
)


@record
class Heading:
    line: int  # the title line
    body: int  # the first line after the heading (after an rst underline)
    level: int
    title: str
    underline: str = ""  # rst: the underline text, without its line ending


def _lines(text: str) -> list[str]:
    return kac.split_lines(text)  # split once per text, a fresh list each time


def _bare(line: str) -> str:
    return line.rstrip("\r\n")


def headings(lines: list[str], rst: bool) -> list[Heading]:
    """Every section title, with a level: `#` count in markdown, underline order in rst."""
    return list(_headings(lines, rst))


def _headings(lines: list[str], rst: bool) -> Iterator[Heading]:
    """headings(), one at a time: shape() stops at the Unreleased one, near the top of a
    changelog of thousands of versions."""
    if not rst:
        for index, line in enumerate(lines):
            match = _MD_HEADING.match(_bare(line))
            if match:
                yield Heading(index, index + 1, len(match["marks"]), match["title"])
        return
    order: list[str] = []
    index = 0
    while index + 1 < len(lines):
        title, under = _bare(lines[index]), _bare(lines[index + 1])
        match = _UNDERLINE.match(under)
        if (
            match
            and title.strip()
            and not title[0].isspace()
            and not _UNDERLINE.match(title)
            and len(under.rstrip()) >= len(title.rstrip())
        ):
            if match["char"] not in order:
                order.append(match["char"])
            level = order.index(match["char"]) + 1
            yield Heading(index, index + 2, level, title.strip(), under.rstrip())
            index += 2
            continue
        index += 1


def _end(lines: list[str], found: list[Heading], heading: Heading) -> int:
    for other in found:
        if other.line > heading.line and other.level <= heading.level:
            return other.line
    return len(lines)


def _entries(lines: list[str], found: list[Heading], start: int, end: int) -> tuple[str, ...]:
    skip = {h.line for h in found} | {h.line + 1 for h in found if h.underline}
    return tuple(
        lines[i].strip()
        for i in range(start, end)
        if i not in skip and lines[i].strip() and not _MARKER.match(lines[i].strip())
    )


@record
class Shape:
    """Where a text changelog keeps what is unreleased."""

    kind: str  # "kac", "markdown", "rst", "pallets"
    heading: Heading | None  # None for Keep a Changelog (its own module finds it)
    marker: int = -1  # pallets: the `Unreleased` line
    version: str = ""  # pallets: the version its heading names


def _pallets_marker(lines: list[str], heading: Heading, end: int) -> int:
    for index in range(heading.body, end):
        stripped = lines[index].strip()
        if stripped:
            return index if stripped.lower() == "unreleased" else -1
    return -1


def shape(text: str, path: str) -> Shape:
    """Which of the common shapes the file has; ChangelogError when it has none."""
    rst = path.lower().endswith((".rst", ".txt"))
    lines = _lines(text)
    for heading in _headings(lines, rst):
        if _UNRELEASED.match(heading.title):
            bracketed = heading.title.startswith("[")
            if not rst and heading.level == 2 and (bracketed or _KAC_HINTS.search(text)):
                return Shape("kac", None)
            return Shape("rst" if rst else "markdown", heading)
        pallets = _PALLETS.match(heading.title)
        if pallets:
            end = _end(lines, headings(lines, rst), heading)
            marker = _pallets_marker(lines, heading, end)
            if marker >= 0:
                return Shape("pallets", heading, marker, pallets["version"])
    if rst:
        raise ChangelogError(
            f"{path} has no 'Unreleased' section",
            "add an 'Unreleased' title (underlined) above the latest release and list the "
            "changes under it",
        )
    kac.unreleased(text, path)  # raises its own message
    raise AssertionError("unreachable")  # pragma: no cover


def _name(kind: str) -> str:
    return {
        "kac": "Keep a Changelog",
        "markdown": "markdown with an Unreleased section",
        "rst": "reStructuredText with an Unreleased section",
        "pallets": "pallets style (Version X, then Unreleased)",
    }[kind]


def _same(one: str, other: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(one) == Version(other)
    except InvalidVersion:
        return one.lstrip("v") == other.lstrip("v")


@record
class TextChangelog:
    """The adapter for one text file; its shape is read from the text each time."""

    path: str

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,)

    def describe(self, files: Mapping[str, bytes]) -> str:
        return _name(shape(self._text(files), self.path).kind)

    def _text(self, files: Mapping[str, bytes]) -> str:
        data = files.get(self.path)
        if data is None:
            raise ChangelogError(
                f"{self.path} does not exist",
                "create it with a '## [Unreleased]' section (releasekit init writes one)",
            )
        return data.decode("utf-8")

    def pending(self, files: Mapping[str, bytes]) -> Pending:
        text = self._text(files)
        found = shape(text, self.path)
        if found.heading is None:
            return Pending(kac.unreleased(text, self.path).entries, "[Unreleased]")
        lines = _lines(text)
        rst = found.kind == "rst" or bool(found.heading.underline)
        all_headings = headings(lines, rst)
        end = _end(lines, all_headings, found.heading)
        start = found.marker + 1 if found.kind == "pallets" else found.heading.body
        where = found.heading.title if found.kind != "pallets" else "Unreleased"
        return Pending(_entries(lines, all_headings, start, end), where)

    def roll(
        self, files: Mapping[str, bytes], version: str, date: str, *, tag: str, allow_empty: bool
    ) -> Rolled:
        text = self._text(files)
        found = shape(text, self.path)
        if found.heading is None:
            after = kac.release(
                text, version, date, tag=tag, allow_empty=allow_empty, path=self.path
            )
            return Rolled({self.path: after.encode("utf-8")}, kac.notes(after, version, self.path))
        pending = self.pending(files)
        if found.kind == "pallets" and not _same(found.version, version):
            raise ChangelogError(
                f"{self.path} prepares version {found.version} (its '{found.heading.title}' "
                f"section is Unreleased), but this release is {version}",
                f"release {found.version}, or rename that heading to 'Version {version}'",
            )
        if pending.empty and not allow_empty:
            raise ChangelogError(
                f"{self.path} has nothing under {pending.where}",
                "list the changes there, or pass --allow-empty-changelog",
            )
        if found.kind != "pallets" and find(text, self.path, version) is not None:
            raise ChangelogError(
                f"{self.path} already has a section for {version}",
                "remove it or choose another version",
            )
        lines = _lines(text)
        nl = kac.newline(text)
        if found.kind == "pallets":
            old = lines[found.marker]
            ending = old[len(_bare(old)) :]
            indent = old[: len(old) - len(old.lstrip())]
            lines[found.marker] = f"{indent}Released {date}{ending}"
        else:
            _insert_heading(lines, found.heading, found.kind, version, date, nl)
        after = "".join(lines)
        return Rolled({self.path: after.encode("utf-8")}, notes_of(after, self.path, version))

    def notes(self, files: Mapping[str, bytes], version: str) -> str:
        return notes_of(self._text(files), self.path, version)


def _insert_heading(
    lines: list[str], heading: Heading, kind: str, version: str, date: str, nl: str
) -> None:
    """Below the Unreleased heading (kept, now empty): a heading for the release."""
    last = heading.body - 1
    if not lines[last].endswith(("\n", "\r")):
        lines[last] += nl
    if kind == "rst":
        title = f"{version} ({date})"
        char = heading.underline[0]
        new = [nl, f"{title}{nl}", f"{char * max(len(heading.underline), len(title))}{nl}"]
    else:
        style = _md_style(lines, heading)
        new = [nl, f"{'#' * heading.level} {style.format(version=version, date=date)}{nl}"]
    lines[heading.body : heading.body] = new


def _md_style(lines: list[str], heading: Heading) -> str:
    """The project's own heading style, read from its latest release: `X (date)` or `X - date`."""
    for line in lines[heading.body :]:
        match = _MD_HEADING.match(_bare(line))
        if match and len(match["marks"]) == heading.level:
            title = match["title"]
            if re.match(r"^v?\d\S*[ \t]+\(\d{4}-\d{2}-\d{2}\)$", title):
                prefix = "v" if title.startswith("v") else ""
                return prefix + "{version} ({date})"
            if re.match(r"^v\d", title):
                return "v{version} - {date}"
            break
    return "{version} - {date}"


def find(text: str, path: str, version: str) -> tuple[Heading, list[Heading]] | None:
    """The heading that names `version` (`X`, `[X]`, `vX`, `Version X`, then a date or not)."""
    rst = path.lower().endswith((".rst", ".txt"))
    found = headings(_lines(text), rst)
    pattern = re.compile(
        r"^(?:version[ \t]+)?\[?v?" + re.escape(version) + r"\]?(?:[ \t(,:-]|$)", re.IGNORECASE
    )
    for heading in found:
        if pattern.match(heading.title):
            return heading, found
    return None


def notes_of(text: str, path: str, version: str) -> str:
    """A version's section, without its heading and its `Released ...` line."""
    rst = path.lower().endswith((".rst", ".txt"))
    if not rst and _KAC_HINTS.search(text):
        return kac.notes(text, version, path)
    located = find(text, path, version)
    if located is None:
        if not rst:
            return kac.notes(text, version, path)
        raise ChangelogError(
            f"{path} has no section for {version}",
            f"add a '{version} (YYYY-MM-DD)' title with notes",
        )
    heading, found = located
    lines = _lines(text)
    end = _end(lines, found, heading)
    body = lines[heading.body : end]
    first = next((i for i, line in enumerate(body) if line.strip()), None)
    if first is not None and _MARKER.match(body[first].strip()):
        body = body[first + 1 :]
    return "".join(body).replace("\r\n", "\n").strip("\n")
