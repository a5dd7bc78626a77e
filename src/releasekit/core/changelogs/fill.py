"""Entries written into an empty Unreleased section before the roll (`--part auto`).

Markdown gets Keep a Changelog sub-sections (### Added, ...) one level below the
Unreleased heading; reStructuredText and the pallets style get plain bullets, as their
sections are usually kept. Only the empty section's lines change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from releasekit.core import changelog as kac
from releasekit.core.changelogs.text import _end, _lines, headings, shape


def inject(text: str, path: str, sections: Mapping[str, Sequence[str]]) -> str:
    """`text` with `sections` (title -> entries) under its empty Unreleased section."""
    found = shape(text, path)
    lines = _lines(text)
    nl = kac.newline(text)
    if found.heading is None:  # Keep a Changelog: its own module finds the section
        section = kac.unreleased(text, path)
        start, end, level = section.heading + 1, section.end, 3
    else:
        rst = found.kind == "rst" or bool(found.heading.underline)
        end = _end(lines, headings(lines, rst), found.heading)
        start = found.marker + 1 if found.kind == "pallets" else found.heading.body
        level = 0 if rst else found.heading.level + 1
    block: list[str] = []
    for title, entries in sections.items():
        if level:
            block += [nl, f"{'#' * level} {title}{nl}"]
        block += [nl, *(f"- {entry}{nl}" for entry in entries)]
    if end < len(lines):
        block.append(nl)  # a blank line before the next heading
    if start and not lines[start - 1].endswith(("\n", "\r")):
        lines[start - 1] += nl
    lines[start:end] = block
    return "".join(lines)
