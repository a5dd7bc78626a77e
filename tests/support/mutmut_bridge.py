"""Under `nox -s mutants` only: lets the tests that run releasekit in a subprocess kill mutants.

Most tests drive the real fronts (`releasekit ...`, `invoke ...`) in subprocesses, so
mutmut, which maps tests to functions from calls it sees in its own process, would see
no test for most of the release core, and those subprocesses would import the unmutated
checkout. This plugin (loaded by `[tool.mutmut] pytest_add_cli_args`) puts mutmut's copy
`mutants/src` first on the subprocesses' PYTHONPATH, so they run the mutant under test, and
with `support/mutmut_site/sitecustomize.py` hands the functions a subprocess called during
mutmut's stats pass back to the test that started it. Outside mutmut it does nothing.
"""

from __future__ import annotations

import compileall
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SITE = Path(__file__).parent / "mutmut_site"
HITS = "RELEASEKIT_MUTMUT_HITS"


def _under_mutmut() -> bool:
    return "MUTANT_UNDER_TEST" in os.environ and (Path.cwd() / "src" / "releasekit").is_dir()


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, args: list[str]) -> None:
    """mutmut names tests by id; an id pytest cannot parse back (ids=repr gives quotes and
    backslashes) is given as its test function instead, all its parameters."""
    if not _under_mutmut():
        return
    kept: list[str] = []
    for arg in args:
        base, bracket, params = arg.partition("[")
        if bracket and "::" in base and ("\\" in params or "'" in params or '"' in params):
            arg = base
        if "::" not in arg or arg not in kept:
            kept.append(arg)
    args[:] = kept


def pytest_configure(config: pytest.Config) -> None:
    if not _under_mutmut():
        return
    if "__mutmut_" in os.environ.get("MUTANT_UNDER_TEST", ""):
        # mutmut bounds a mutant's CPU time, not its memory: a mutated loop that appends
        # forever (text.py's `index = 2`) took 10 GB before its time ran out. Capped, it
        # fails with MemoryError, which kills it, and the machine stays usable.
        import resource

        cap = 4 * 1024**3
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    # mutmut's copies are large (every mutant of a function is in the file): without
    # bytecode on disk (PYTHONDONTWRITEBYTECODE is common) each subprocess compiles them, 1s+.
    compileall.compile_dir(Path.cwd() / "src", quiet=2)
    paths = [str(Path.cwd() / "src"), str(SITE), str(Path.cwd() / "tests")]
    old = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = os.pathsep.join([*paths, *([old] if old else [])])
    os.environ[HITS] = tempfile.mkdtemp(prefix="releasekit-mutmut-hits-")


def _collect_subprocess_hits() -> None:
    """Adds the functions subprocesses called to the current test's hits (stats pass only)."""
    folder = os.environ.get(HITS)
    if os.environ.get("MUTANT_UNDER_TEST") != "stats" or not folder:
        return
    from mutmut.state import state  # only importable where mutmut is installed

    for path in Path(folder).glob("*.hits"):
        state()._stats.update(path.read_text().split())
        path.unlink()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Per mutant, only its tests that fit in RELEASEKIT_MUTMUT_BUDGET seconds (0: all).

    mutmut stops at the first failure, so a killed mutant rarely needs many tests; a
    survivor would otherwise run every release test that touches its function (minutes).
    The in-process tests (under a second) go first, then the slow ones that run releasekit
    in subprocesses; within each, the tests of the mutated module first (test_version*.py
    for core/version.py), each fastest first. The budget counts the test times mutmut
    measured. With a budget the kill rate is a lower bound.
    """
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if mutant == "" and os.environ.get("RELEASEKIT_MUTMUT_CLEAN") == "once" and items:
        # mutmut runs every test of the named mutants unmutated before each `mutmut run`
        # (15 minutes here). Once a run has passed it on this checkout, a rerun of named
        # mutants may keep one test of it: the opt-in `RELEASEKIT_MUTMUT_CLEAN=once`.
        config.hook.pytest_deselected(items=items[1:])
        del items[1:]
        return
    budget = float(os.environ.get("RELEASEKIT_MUTMUT_BUDGET", "0") or 0)
    if "__mutmut_" not in mutant or not budget:
        return
    module = mutant.rpartition(".")[0].split(".")[2:]
    words = {w.rstrip("s") for part in module for w in part.split("_") if len(w) > 3}

    def relevant(item: pytest.Item) -> bool:
        return any(word in item.path.name for word in words)

    durations = _durations()

    def order(item: pytest.Item) -> tuple[bool, bool, float]:
        took = durations.get(item.nodeid, 1.0)
        return (took >= 1.0, not relevant(item), took)

    items.sort(key=order)
    spent, kept = 0.0, 0
    for item in items:
        spent += durations.get(item.nodeid, 1.0)
        if kept and spent > budget:
            break
        kept += 1
    if kept < len(items):
        config.hook.pytest_deselected(items=items[kept:])
        del items[kept:]


def _durations() -> dict[str, float]:
    """Seconds per test id from mutmut's stats pass (mutants/mutmut-stats.json)."""
    try:
        stats = json.loads((Path.cwd() / "mutmut-stats.json").read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in stats.get("duration_by_test", {}).items()}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    # Before mutmut's own teardown hook, which files the hits under this test.
    _collect_subprocess_hits()
    yield
