"""The dry-run diff: always a correct unified diff, whatever the edit."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from releasekit.core.linediff import unified

HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def patch(a: list[str], diff: list[str]) -> list[str]:
    """Apply a unified diff to `a`, checking every hunk header against its body."""
    result: list[str] = []
    position = 0
    lines = diff[2:]
    index = 0
    while index < len(lines):
        match = HUNK.fullmatch(lines[index])
        assert match, lines[index]
        old_len = int(match[2]) if match[2] is not None else 1
        new_len = int(match[4]) if match[4] is not None else 1
        start = int(match[1]) - 1 if old_len else int(match[1])
        result += a[position:start]
        position = start
        index += 1
        olds = news = 0
        while index < len(lines) and not lines[index].startswith("@@"):
            kind, line = lines[index][0], lines[index][1:]
            if kind in " -":
                assert a[position] == line
                position += 1
                olds += 1
            if kind in " +":
                result.append(line)
                news += 1
            index += 1
        assert (olds, news) == (old_len, new_len)
    return result + a[position:]


edits = st.lists(
    st.tuples(st.sampled_from("ird"), st.integers(0, 60), st.sampled_from("xyzab")), max_size=5
)


@settings(deadline=None, max_examples=400)
@given(
    a=st.lists(st.sampled_from("abcdefgh"), max_size=60),
    changes=edits,
    context=st.sampled_from([0, 1, 3]),
)
def test_the_diff_turns_the_old_text_into_the_new(
    a: list[str], changes: list[tuple[str, int, str]], context: int
) -> None:
    b = list(a)
    for op, at, value in changes:
        at = min(at, len(b))
        if op == "i":
            b.insert(at, value)
        elif b:
            at = min(at, len(b) - 1)
            if op == "d":
                b.pop(at)
            else:
                b[at] = value
    diff = unified(a, b, "a/f", "b/f", context)
    if a == b:
        assert diff == []
    else:
        assert diff[:2] == ["--- a/f", "+++ b/f"]
        assert patch(a, diff) == b


def test_a_release_edit_of_a_long_changelog_is_two_small_hunks() -> None:
    body = [f"- change {n}" for n in range(20000)]
    before = ["# Changelog", "", "## [Unreleased]", "", *body, "[Unreleased]: x/compare/v1...HEAD"]
    after = ["# Changelog", "", "## [Unreleased]", "", "## [2.0.0] - 2026-11-26", "", *body]
    after += ["[Unreleased]: x/compare/v2...HEAD", "[2.0.0]: x/compare/v1...v2"]
    diff = unified(before, after, "a/f", "b/f", 1)
    assert patch(before, diff) == after
    assert sum(line.startswith("@@") for line in diff) == 2  # the heading, the links
    assert len(diff) < 16
