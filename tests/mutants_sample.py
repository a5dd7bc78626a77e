"""Prints a seeded random sample of mutant names per module group, for `mutmut run`.

All ~7000 mutants take hours on two cores; a random sample of each group measures its
kill rate within a few points (tests/mutants.md gives the interval) in a fraction of that.
`nox -s mutants -- --sample 50` runs this after mutmut has written its mutants, then
`mutmut run` on the names printed. The same seed and the same code give the same names.
"""

from __future__ import annotations

import argparse
import random
import sys

from mutants_report import GROUPS, ROOT, SAMPLE_FILE, group_of, results

SEED = 18


def names_by_group() -> dict[str, list[str]]:
    """Every mutant mutmut generated, by module group (names sorted, so the draw is stable)."""
    found: dict[str, list[str]] = {group: [] for group in GROUPS}
    for relative, codes in results().items():
        group = group_of(relative.as_posix())
        if group is not None:
            found[group] += codes
    return {group: sorted(names) for group, names in found.items()}


def sample(per_group: int, seed: int = SEED, drawn: frozenset[str] = frozenset()) -> list[str]:
    """`per_group` names drawn from each group's mutants not `drawn` already (all of them
    when fewer are left). Drawing more later from what is left keeps the union a uniform
    random sample of the group, so `--more` can narrow an interval without starting over."""
    chosen: list[str] = []
    for group, names in names_by_group().items():
        left = [name for name in names if name not in drawn]
        taken = len(names) - len(left)  # the first draw keeps the seed of earlier reports
        key = f"{seed}:{group}" + (f":{taken}" if taken else "")
        rng = random.Random(key)  # noqa: S311 - a reproducible draw, not a secret
        chosen += left if len(left) <= per_group else rng.sample(left, per_group)
    return chosen


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("per_group", type=int)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--more", action="store_true", help="add per_group more to the last draw, print only them"
    )
    args = parser.parse_args(argv)
    record = ROOT / "mutants" / SAMPLE_FILE
    if not record.parent.is_dir():
        print("no mutants/ yet: run `mutmut run` once first", file=sys.stderr)
        return 2
    before = frozenset(record.read_text().split()) if args.more and record.exists() else frozenset()
    drawn = sample(args.per_group, args.seed, before)
    # The report counts the drawn mutants alone: mutants checked outside the draw (named
    # by hand, or left from an earlier run) would bias the rates.
    record.write_text("\n".join(sorted(before) + drawn) + "\n")
    print("\n".join(drawn))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
