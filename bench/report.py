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

MET, MISSED, UNMEASURED = "met", "MISSED", "not measured"

# Why a target is missed, as found by reading its profile (and by timing a patched copy
# of src/ side by side); shown above the profile when the target is missed. Written for
# releasekit 0.1.0 on 2026-11-26: re-read them whenever the code or the numbers move.
_TWINE_CHECK = (
    "`dist.verify` runs `twine check --strict` as a child process: about 0.2 s, nearly all "
    "of it importing twine, readme_renderer and docutils."
)
EXPLANATIONS: dict[str, str] = {
    "list": (
        "releasekit.tasks adds one module of its own (see the imports the empty tasks.py does "
        "not make); a miss here is machine noise unless that list grows. "
        "tests/test_imports.py fails if it pulls in anything heavy."
    ),
    "bump-bmv": (
        "A miss here comes from the imports listed below: see the tbump row for what to cut."
    ),
    "bump-tbump": (
        "Both take about 0.1 s, so a few imports decide it; releasekit spends about 45 ms "
        "importing. The avoidable part: `releasekit.sources` imports `packaging.utils` at "
        "module level for `canonicalize_name` (only used for uv.lock), and that pulls in "
        "`packaging.tags` with logging, platform and sysconfig (10-15 ms); `tomlkit` (6-8 ms) "
        "is loaded for the pyproject edit. Fix in src/releasekit/sources.py: a local PEP 503 "
        "normalisation (`re.sub(r'[-_.]+', '-', name).lower()`). A patched copy timed side "
        "by side on this shared machine: 0.89 -> 0.72 and 0.95 -> 0.83 of tbump's time. "
        "Editing the version line without tomlkit (a regex on the line tomllib located, "
        "checked by re-parsing with tomllib) would take 6-8 ms more off."
    ),
    "release-bmv": (
        "`invoke release` is invoke's own start-up plus the plan. invoke alone "
        "(`invoke --list` with an empty tasks.py, in the table) is about a third of "
        "bump-my-version's time (its imports: invoke.vendor.yaml, importlib.metadata, "
        "unittest.mock through invoke.context), which leaves releasekit about 60-80 ms. "
        "It uses about 60 ms: 25-45 ms of imports (releasekit.commands -> plan -> sources, "
        "packaging.utils -> packaging.tags, semver, tomlkit) and 14 git child processes "
        "(about 2 ms each), 4 of them redundant: `release.plan_release` runs "
        "`git tag --list` even when the version is not tag-only, `_plan_resume` runs "
        "`git tag --points-at HEAD`, and `state.read_git` runs both again for `head_tags` and "
        "`tags`, which the plan never reads. Cutting those and the packaging.utils import "
        "(see the tbump row) is worth 10-40 ms here, measured on a patched copy; "
        "`releasekit release --dry-run` (no invoke) is about a third of bump-my-version's "
        "time."
    ),
    "build-pip": (
        "releasekit build runs the very same `python -m build` child, then verifies: "
        + _TWINE_CHECK
        + " Start-up, imports and `git log` add about 60 ms more. Fix in "
        "src/releasekit/dist.py (`twine_check`): check the metadata in-process - METADATA "
        "from the wheel (zipfile), PKG-INFO from the sdist (tarfile), email.parser; refuse "
        "a missing description or Description-Content-Type (what --strict adds) and import "
        "readme_renderer only to render text/x-rst, the one type whose rendering can fail."
    ),
    "build-uv": "Same cause and fix as the pip row above: the verification's twine child.",
    "build-uv-vs-pip": (
        "uv makes each isolated environment cheap (uv venv about 0.14 s, hatchling install "
        "about 0.2 s, from the cache), but `python -m build` still makes two of them (the "
        "sdist, then the wheel from the sdist) and runs the backend in each; releasekit then "
        "adds the twine child above. Fixes: the in-process metadata check (about 0.2 s), and "
        "building both artifacts in one isolated environment through build's API "
        "(`build.env.DefaultIsolatedEnv(installer='uv')` created once, build-system requires "
        "installed once, `ProjectBuilder` for the sdist, then for the unpacked sdist's wheel "
        "after installing its extra `get_requires_for_build('wheel')`), about 0.3 s less."
    ),
    "publish": (
        "releasekit publish runs two twine children: "
        + _TWINE_CHECK.replace("`dist.verify` runs", "`public.publish` -> `dist.verify` runs")
        + " Then the existence check (about 20 ms), reading the project (about 35 ms), "
        "start-up and imports (about 60 ms), and `twine upload` itself. The second check is "
        "redundant when dist/SHA256SUMS, which releasekit build writes only after the check "
        "passed, matches the files: skip `twine_check` in `verify` when called from publish "
        "with a matching SHA256SUMS (run it when there is none). A patched copy timed side "
        "by side: 2.04 -> 1.29 and 2.50 -> 1.44 of twine upload's time. The rest is a "
        "fixed ~0.1 s that cannot fit in 10% of an upload to a local pypiserver taking "
        "0.3 s; it is a smaller share of an upload to a remote index."
    ),
    "scale": (
        "In-process, the large repository costs: 70-140 ms in `plan.diff` "
        "(difflib.unified_diff over the 65,000-line CHANGELOG: SequenceMatcher indexes "
        "every line); about 50 ms in two `git tag --points-at HEAD` (`release._plan_resume` "
        "and `state.read_git`), which read all 5,000 annotated tags; 35-60 ms in "
        "`changelog.find_section` and `unreleased`, a Python regex match per line, four "
        "passes over 2 MB (in `changelog.release` and again in `release._notes`); about "
        "15 ms more in `git ls-remote` and `git tag --list`. Fixes: in plan.diff, a linear "
        "walk that resynchronises after each edit (a release edits a few lines far apart) "
        "feeding the same unified format (a prototype gives byte-identical output in 7 ms "
        "instead of 73 ms); in `_plan_resume`, compare `git rev-parse refs/tags/<tag>^{commit}` "
        "with HEAD (2 ms); drop `head_tags` and `tags` from `read_git`; in `find_section`, one "
        "`re.search` with re.MULTILINE over the whole text. A patched copy timed side by "
        "side (three runs): 2.43 -> 1.68, 2.84 -> 1.66, 2.15 -> 1.77."
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


def console(results: Sequence[Result]) -> str:
    """What `nox -s bench` prints at the end: every target, the misses spelled out."""
    lines = ["", "bench: targets (ratio of medians, lower is better)"]
    for result in results:
        target = result.target
        lines.append(
            f"  {result.status:>12}  {_ratio(result):>5} (<= {target.limit:.2f})  "
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
        "The sample repositories are `releasekit.sample` projects built fresh in bench/.work/; "
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
            f"{_seconds(result.baseline)} | {_ratio(result)} | <= {target.limit:.2f} | "
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
