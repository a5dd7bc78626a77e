"""Prints a seeded random sample of mutant names per module group, for `mutmut run`.

All ~7000 mutants take hours on two cores; a random sample of each group measures its
kill rate within a few points (tests/mutants.md gives the interval) in a fraction of that.
`nox -s mutants -- --sample 60` runs this after mutmut has written its mutants, then
`mutmut run` on the names printed. The same seed and the same code give the same names.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from mutants_report import GROUPS, ROOT, SAMPLE_FILE, group_of

SEED = 18


def names_by_group() -> dict[str, list[str]]:
    """Every mutant mutmut generated, by module group (names sorted, so the draw is stable)."""
    found: dict[str, list[str]] = {group: [] for group in GROUPS}
    base = ROOT / "mutants" / "src" / "releasekit"
    for meta in sorted(base.rglob("*.py.meta")):
        group = group_of(meta.relative_to(base).with_suffix("").as_posix())
        if group is not None:
            found[group] += json.loads(meta.read_text())["exit_code_by_key"]
    return {group: sorted(names) for group, names in found.items()}


def sample(per_group: int, seed: int = SEED) -> list[str]:
    """`per_group` names drawn from each group (all of a smaller group)."""
    chosen: list[str] = []
    for group, names in names_by_group().items():
        rng = random.Random(f"{seed}:{group}")  # noqa: S311 - a reproducible draw, not a secret
        chosen += names if len(names) <= per_group else rng.sample(names, per_group)
    return chosen


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("per_group", type=int)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if not (Path(ROOT) / "mutants").is_dir():
        print("no mutants/ yet: run `mutmut run` once first", file=sys.stderr)
        return 2
    drawn = sample(args.per_group, args.seed)
    # The report counts these alone: mutants checked outside the draw (named by hand,
    # or left from an earlier run) would bias the rates.
    (ROOT / "mutants" / SAMPLE_FILE).write_text("\n".join(drawn) + "\n")
    print("\n".join(drawn))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
