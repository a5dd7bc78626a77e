"""Unified diffs of release edits in linear time.

A release changes a few lines far apart in files that can be long (a CHANGELOG of
thousands of versions). difflib's SequenceMatcher indexes every line first; this walks
both texts once, resynchronising after each change, and falls back to difflib only when
a change is too large to resynchronise nearby.
"""

from __future__ import annotations

from collections.abc import Sequence

Opcode = tuple[str, int, int, int, int]
SYNC = 3  # lines that must agree again after a change
REACH = 200  # how far past a change to look for them


def _resync(a: Sequence[str], b: Sequence[str], i: int, j: int) -> tuple[int, int] | None:
    """The nearest (i', j') past a change from which SYNC lines agree (or both texts end)."""
    n, m = len(a), len(b)
    for distance in range(1, REACH):
        for x in range(distance + 1):
            ai, bj = i + x, j + distance - x
            if ai > n or bj > m:
                continue
            if (ai, bj) == (n, m) or (ai < n and bj < m and a[ai : ai + SYNC] == b[bj : bj + SYNC]):
                return ai, bj
    return None


def _equal_run(a: list[str], b: list[str], i: int, j: int) -> int:
    """How many lines are equal from a[i] and b[j] on: compared in chunks that double while
    they agree and halve when they do not (a slice comparison runs in C), so the long equal
    stretches of a big CHANGELOG cost no Python loop per line."""
    limit = min(len(a) - i, len(b) - j)
    run, step = 0, 1
    while run < limit:
        size = min(step, limit - run)
        if a[i + run : i + run + size] == b[j + run : j + run + size]:
            run, step = run + size, step * 2
        elif size == 1:
            break
        else:
            step = size // 2
    return run


def opcodes(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """SequenceMatcher-style opcodes turning `a` into `b`."""
    ops: list[Opcode] = []
    a, b = list(a), list(b)  # slices of the same type compare equal
    i = j = 0
    n, m = len(a), len(b)
    while i < n or j < m:
        start_i, start_j = i, j
        run = _equal_run(a, b, i, j)
        i, j = i + run, j + run
        if i > start_i:
            ops.append(("equal", start_i, i, start_j, j))
        if i == n and j == m:
            break
        found = _resync(a, b, i, j)
        if found is None:
            import difflib  # only for a change too large to resynchronise: rare

            matcher = difflib.SequenceMatcher(None, a[i:], b[j:], autojunk=False)
            ops += [
                (t, i1 + i, i2 + i, j1 + j, j2 + j) for t, i1, i2, j1, j2 in matcher.get_opcodes()
            ]
            break
        ai, bj = found
        kind = "replace" if ai > i and bj > j else "delete" if ai > i else "insert"
        ops.append((kind, i, ai, j, bj))
        i, j = ai, bj
    return ops


def _grouped(ops: list[Opcode], context: int) -> list[list[Opcode]]:
    """Hunks: the changes, with `context` equal lines around each, merged when they touch."""
    groups: list[list[Opcode]] = []
    current: list[Opcode] = []
    for index, op in enumerate(ops):
        kind, i1, i2, j1, j2 = op
        last = index == len(ops) - 1
        if kind != "equal":
            current.append(op)
            continue
        if current:  # the open hunk's trailing context, unless the gap is short
            if not last and i2 - i1 <= 2 * context:
                current.append(op)
                continue
            current.append(("equal", i1, min(i2, i1 + context), j1, min(j2, j1 + context)))
            groups.append(current)
            current = []
        if not last:  # the next hunk's leading context
            start = max(i1, i2 - context)
            current.append(("equal", start, i2, j2 - (i2 - start), j2))
    if current:
        groups.append(current)
    return [[op for op in group if op[1] != op[2] or op[3] != op[4]] for group in groups]


def _range(start: int, stop: int) -> str:
    length = stop - start
    first = start + 1 if length else start
    return str(first) if length == 1 else f"{first},{length}"


def unified(
    a: Sequence[str], b: Sequence[str], fromfile: str, tofile: str, context: int = 1
) -> list[str]:
    """The lines of `difflib.unified_diff(a, b, fromfile, tofile, n=context, lineterm="")`."""
    ops = opcodes(a, b)
    if all(op[0] == "equal" for op in ops):
        return []
    out = [f"--- {fromfile}", f"+++ {tofile}"]
    for group in _grouped(ops, context):
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@")
        for kind, i1, i2, j1, j2 in group:
            if kind == "equal":
                out += [" " + line for line in a[i1:i2]]
                continue
            out += ["-" + line for line in a[i1:i2]]
            out += ["+" + line for line in b[j1:j2]]
    return out
