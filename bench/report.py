"""Ratios against targets, and bench/results.md.

A ratio is the median of releasekit's side over the median of the other side,
both measured in the same interleaved rounds: lower is better.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness import Timing

MET, MISSED, UNMEASURED, REPORTED = "met", "MISSED", "not measured", "reported"

# Why a target is missed, as found by reading its profile (and by timing a patched copy
# of src/ side by side); shown above the profile when the target is missed. Written for
# releasekit 0.1.0 on 2026-11-26, the issue 16 rows on 2026-12-02: re-read them whenever
# the code or the numbers move.
_BUMP_FLOOR = (
    "Done (issue 16; a bump dry run took about 40% less, 168 -> 100 ms side by side on a "
    "loaded machine): no dataclasses (inspect, ast, dis, tokenize and six exec'd methods per "
    "class: about half the bump's time; the core's values are system/record.py records), "
    "no semver (the part arithmetic on numbers, tests/test_version.py proves it equal), no "
    "journal or `git rev-parse` unless .git holds a journal (one stat), no commit parser "
    "without --part auto, no towncrier module, argparse builds the one verb given, no "
    "datetime/json/difflib. Left, all of it start-up (the cProfile below): the interpreter "
    "itself is the whole of the other side (`python -c pass`; uv is a compiled binary of the "
    "same speed), then argparse, pathlib, typing, tomllib and packaging.version (about 25 ms "
    "here together), subprocess for the one `git for-each-ref` that reads the tag format, "
    "and about 40 regular expressions compiled at import (a third of the profile; re has no "
    "cache across processes). The target would need a command line without argparse and "
    "pathlib, a version class of our own instead of packaging's and lazily compiled "
    "patterns: not done, each is a rewrite of a part the whole core shares. "
    "tests/test_imports.py guards what is gone."
)
EXPLANATIONS: dict[str, str] = {
    "bump-uv": _BUMP_FLOOR,
    "bump-python": _BUMP_FLOOR,
    "release-invoke": (
        "invoke's own start (the other side, 0.17 s here) plus the whole release plan: "
        "the lean path above (no dataclasses, journal, lock module, commit parser or GitHub "
        "client loaded), then 14 git processes (HEAD, the tags for the tag format, "
        "`ls-remote` of the remote's branch and tag, status, ls-files; about 1-3 ms each, "
        "ls-remote a round trip) and the diff of each file. Left: those processes and the "
        "imports that invoke alone does not make (listed below: tomllib, packaging, the "
        "core's modules and their patterns). Merging the git queries into one `git "
        "rev-parse` call would save about 10 ms; not done here (system/git.py was being "
        "changed meanwhile)."
    ),
    "list": (
        "The difference is Invoke listing eleven tasks, not releasekit loading: the row "
        "beside it times a tasks.py that writes the same eleven tasks by hand with `@task` "
        "(same parameters, docstrings and help, empty bodies) in the same rounds, and "
        "releasekit's tasks cost the same (1.00 by hand on 2026-12-04, 135.2 vs 135.4 ms). "
        "Importing releasekit.tasks itself takes about 1 ms (one module and the flag table; "
        "the core loads inside each task); tests/test_imports.py fails if it pulls in more. "
        'Against an empty tasks.py (Invoke says "No tasks found" and stops) any eleven '
        "tasks miss 1.05."
    ),
    "list-hand": (
        "releasekit.tasks should cost what the same tasks cost written by hand; a miss "
        "means its import grew: see the imports below and tests/test_imports.py."
    ),
    "bump-bmv": (
        "A miss here comes from the imports listed below: see the tbump row for what to cut."
    ),
    "bump-tbump": (
        "Both take about 0.1 s, so a few imports decide it. Done: no packaging.utils (and "
        "packaging.tags) at import, a local PEP 503 normalisation instead, and the pyproject "
        "edit loads tomlkit only when a line edit proven by re-parsing with tomllib does not "
        "do: 0.89 -> 0.74. What is left is mostly dataclasses/inspect and argparse."
    ),
    "release-bmv": (
        "`invoke release` is invoke's own start-up plus the plan; invoke alone (the "
        "`invoke --list` row) is about a third of bump-my-version's time, which leaves "
        "releasekit 60-80 ms. Done: no `git tag --list` unless the version comes from tags, "
        "the resume check compares one ref instead of listing the tags at HEAD, the planner "
        "loads only when a command plans. Runs gave 0.45 to 0.57 with the machine's load."
    ),
    "build-pip": (
        "releasekit build runs the very same `python -m build` child, then verifies. Done: "
        "twine (for `twine check --strict`) is started when the build starts, so its 0.2 s of "
        "imports overlap the build instead of following it. Left: start-up, `git log`, "
        "the check's own run and (since the reproducible sdist) the rewrite of the sdist "
        "with the commit's times, 60-300 ms on a 3-4 s build; runs gave 1.00 to 1.10."
    ),
    "build-uv": (
        "With uv the build itself is 1.5 s, so releasekit's fixed 60-120 ms (see the pip row) "
        "and the twine import competing for the second core weigh more; runs gave 1.03 to "
        "1.20. Not done, on purpose: building both artifacts in one isolated environment "
        "through build's API would save about 0.3 s, but the wheel would then see the sdist's "
        "build requirements too, and a requirement missing for the wheel alone would go "
        "unnoticed; releasekit keeps `python -m build`'s two clean environments."
    ),
    "build-uv-frontend": (
        "releasekit build runs `uv build` itself (sdist, then the wheel from it, isolated, "
        "on this interpreter) and then the same checks as after pypa/build: twine check "
        "(started with the build, so only its own run follows it), file names and versions, "
        "SHA256SUMS, the reproducible sdist rewrite. Left: releasekit's start-up before uv "
        "starts and the twine check after it; the twine import competes with uv for the "
        "second core. Runs on this shared machine gave 1.05 to 1.21."
    ),
    "build-uv-vs-pip": (
        "uv makes each isolated environment cheap, but `python -m build` still makes two of "
        "them (the sdist, then the wheel from the sdist); see the uv row for the fix left."
    ),
    "publish": (
        "Done: publish no longer runs `twine check` a second time (it trusts the SHA256SUMS "
        "that only a checked build writes) and starts `twine upload` first, before reading "
        "the project, so twine's imports overlap releasekit's work: 2.5 -> 1.3. Issue 16: "
        "twine now starts before the index client, the token audit and dataclasses load "
        "(twine_child.start_upload; strace: 100-120 -> 65-70 ms after exec). Left (cProfile "
        "below): releasekit's own work is as long as twine's start-up, so it is on the "
        "critical path: the imports of the publishing side (html.parser, configparser, "
        "packaging.tags with platform and logging, about 100 patterns compiled), verify's "
        "hashing and the existence check's HTTP round trip to the index; and the two "
        "processes share two cores. 10% of an upload to a local pypiserver is 30 ms; the "
        "same fixed cost is a small share of an upload to a remote index. `uv publish` "
        "(reported beside it) uploads in about 25 ms: a compiled uploader, no Python start."
    ),
    "scale": (
        "Done (2.4 -> 1.6-1.8): the dry-run diff walks both texts once and resynchronises "
        "after each edit (linediff.py) instead of difflib indexing 65,000 lines; the resume "
        "check reads one ref instead of the tags at HEAD; `changelog.find_section` is one "
        "multi-line regex search instead of a match per line. Issue 16 (the changelog-format "
        "detection had brought it back to 2.8-3.8): the shape of the changelog is read up to "
        "its Unreleased heading, not all 20,000 headings twice; the text is split into lines "
        "once, not five times; the compare link is found by one search of the text and "
        "find_section answers a new version without a regex scan; equal stretches of the diff "
        "are compared in slices: 1.6-1.8 again. What is left grows with the CHANGELOG's size: "
        "reading and decoding 2 MB, the diff's own split of both texts (the profile's "
        "`splitlines`, about 20 ms: the dry run shows the changelog's diff, and the roll's "
        "edits sit at both ends of the file, so the whole text is compared), `git "
        "for-each-ref` over 5,000 tags and `git ls-remote` against a remote with 5,000 tags "
        "(about 20 ms). On 2026-12-04 the ratio read 2.07 because the small sample got faster "
        "(109 -> 94 ms) while the large one stayed at 190 ms."
    ),
}


@dataclass(frozen=True)
class Result:
    target: Any  # run.Target (kept loose: run.py imports this module)
    subject: Timing | None
    baseline: Timing | None

    @property
    def ratio(self) -> float | None:
        if self.subject is None or self.baseline is None or self.baseline.median <= 0:
            return None
        return self.subject.median / self.baseline.median

    @property
    def status(self) -> str:
        ratio = self.ratio
        if ratio is None:
            return UNMEASURED
        if self.target.limit is None:
            return REPORTED
        return MET if ratio <= self.target.limit else MISSED


def evaluate(targets: Iterable[Any], timings: Mapping[str, Timing]) -> list[Result]:
    return [
        Result(target, timings.get(target.subject), timings.get(target.baseline))
        for target in targets
    ]


def _seconds(timing: Timing | None) -> str:
    return "–" if timing is None else f"{timing.median:.3f}"


def _ratio(result: Result) -> str:
    """Two decimals, three when two would hide which side of the limit it is on."""
    ratio = result.ratio
    if ratio is None:
        return "–"
    shown = f"{ratio:.2f}"
    return f"{ratio:.3f}" if float(shown) == result.target.limit else shown


def _limit(target: Any) -> str:
    return "–" if target.limit is None else f"<= {target.limit:.2f}"


def console(results: Sequence[Result]) -> str:
    """What `nox -s bench` prints at the end: every target, the misses spelled out."""
    lines = ["", "bench: targets (ratio of medians, lower is better)"]
    for result in results:
        target = result.target
        lines.append(
            f"  {result.status:>12}  {_ratio(result):>5} ({_limit(target):>7})  "
            f"{target.what} vs {target.against}"
        )
    missed = [result for result in results if result.status == MISSED]
    for result in missed:
        lines.append(
            f"bench: MISSED {result.target.key}: {result.target.what} took "
            f"{_seconds(result.subject)} s against {_seconds(result.baseline)} s "
            f"({_ratio(result)}, target <= {result.target.limit:.2f}); "
            "see bench/results.md for the profile"
        )
    if not missed:
        lines.append("bench: every measured target is met")
    return "\n".join(lines)


def render(
    machine: str,
    results: Sequence[Result],
    timings: Mapping[str, Timing],
    profiles: Mapping[str, list[str]],
    *,
    elapsed: float,
) -> str:
    today = dt.date.today().isoformat()
    out = [
        "# Benchmarks",
        "",
        f"Written by `nox -s bench` (bench/run.py) on {today}, in {elapsed:.0f} s. "
        "Each pair runs in the same interleaved rounds after a warm-up; the ratio is "
        "releasekit's median over the other side's median (lower is better). "
        "The sample repositories are `releasekit.demo.sample` projects built fresh in "
        "bench/.work/; "
        "the large one has 10,000 commits, 5,000 release tags and a ~2 MB CHANGELOG "
        "(made with `git fast-import`).",
        "",
        f"Machine: {machine}",
        "",
        "## Targets",
        "",
        "| releasekit | compared with | median (s) | other (s) | ratio | target | result |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for result in results:
        target = result.target
        out.append(
            f"| {target.what} | {target.against} | {_seconds(result.subject)} | "
            f"{_seconds(result.baseline)} | {_ratio(result)} | {_limit(target)} | "
            f"{'**MISSED**' if result.status == MISSED else result.status} |"
        )
    out += ["", "## Every timing", "", "| command | runs | median (s) | min (s) | max (s) |"]
    out.append("|---|---:|---:|---:|---:|")
    for timing in timings.values():
        out.append(
            f"| `{timing.label}` | {len(timing.samples)} | {timing.median:.3f} | "
            f"{timing.low:.3f} | {timing.high:.3f} |"
        )
    missed = [result for result in results if result.status == MISSED]
    if missed:
        out += ["", "## Missed targets: where the time goes"]
    shown: set[str] = set()
    for result in missed:
        target = result.target
        out += ["", f"### {target.what} vs {target.against} ({_ratio(result)})", ""]
        out.append(EXPLANATIONS.get(target.key, "No explanation written yet: read the profile."))
        if target.subject in shown:
            out += ["", f"Profile of `{target.subject}`: see above."]
            continue
        shown.add(target.subject)
        out += ["", "```", *profiles.get(target.subject, ["no profile"]), "```"]
    out += [
        "",
        "Run it again with `nox -s bench` (`nox -s bench -- --quick` skips the builds). "
        "Notes: `tbump --non-interactive --dry-run` prints only its first line but does all "
        "its checks and patches in memory. `invoke --list` with an empty tasks.py exits 1 "
        '("No tasks found"); only its time counts. Builds download their backend into a fresh '
        "isolated environment each time (from the installer's cache after the warm-up).",
        "",
    ]
    return "\n".join(out)
