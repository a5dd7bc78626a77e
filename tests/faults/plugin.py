"""The fault suite's one-line result, as a pytest plugin.

Every test that takes the `scenario` fixture is a scenario. Its checks record what they
found in the test's user_properties (which pytest-xdist carries from the workers to the
controller), and the process that reports prints, at the end of the run:

    faults: scenarios=N survived=N data_lost=0 token_leaks=0 defects=0 examples=N
            examples_succeeded=N crashes=N recovered=N

A scenario is marked at collection, so one whose fixtures error still counts (as not
survived, named on a line of its own). Survived means every phase passed and at least one
world check ran (Scenario.unchanged / released / data_lost); a scenario that checked no
world is a defect, named, and fails the run. data_lost and token_leaks count what the checks
observed (problems found, places a canary reached), whether or not the test then failed,
so the line tells what happened in a red run too. examples: hypothesis examples run by the
property scenarios, and how many of them reached success.

(crashes: releasing processes killed outright, SIGKILL; recovered: those whose next run
left the repository complete or exactly as before.)
tests/faults/conftest.py registers this plugin, so `pytest tests/faults` (with or without
-n, as `nox -s faults` runs it) and a plain `pytest` print the line. Under `pytest -n N`
over the whole tests/ folder the xdist controller never loads that conftest; there,
`-p faults.plugin` (with tests/ on the path) prints it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from faults.faultkit import (
    CHECKED,
    CRASH,
    DATA_LOST,
    EXAMPLES,
    RECOVERED,
    SCENARIO,
    TOKEN_LEAK,
)


@dataclass
class _Tally:
    scenarios: dict[str, dict[str, bool]] = field(default_factory=dict)
    lost: dict[str, int] = field(default_factory=dict)  # per scenario: problems observed
    leaks: dict[str, int] = field(default_factory=dict)  # per scenario: places a canary reached
    examples: dict[str, tuple[int, int]] = field(default_factory=dict)  # hypothesis: run, passed
    crashes: dict[str, int] = field(default_factory=dict)  # per scenario: every phase's
    recovered: dict[str, int] = field(default_factory=dict)  # report repeats its properties


_TALLY = _Tally()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every scenario at collection: one whose fixtures error before the `scenario`
    fixture ran still reports as a scenario, and counts as not survived."""
    for item in items:
        if "scenario" in getattr(item, "fixturenames", ()):
            item.user_properties.append((SCENARIO, item.nodeid))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    keys = [key for key, _value in report.user_properties]
    if SCENARIO not in keys:
        return
    entry = _TALLY.scenarios.setdefault(
        report.nodeid,
        {"failed": False, "skipped": False, "errored": False, "checked": False, "ran": False},
    )
    entry["failed"] |= report.failed
    entry["skipped"] |= report.skipped
    entry["errored"] |= report.failed and report.when != "call"
    entry["ran"] |= report.when == "call" and not report.skipped
    entry["checked"] |= CHECKED in keys
    _TALLY.crashes[report.nodeid] = max(_TALLY.crashes.get(report.nodeid, 0), keys.count(CRASH))
    _TALLY.recovered[report.nodeid] = max(
        _TALLY.recovered.get(report.nodeid, 0), keys.count(RECOVERED)
    )
    # Each phase's report repeats the properties recorded so far: keep the largest count.
    lost = sum(
        len(v) if isinstance(v, list) else 1 for k, v in report.user_properties if k == DATA_LOST
    )
    leaks = sum(
        len(v) if isinstance(v, list) else 1 for k, v in report.user_properties if k == TOKEN_LEAK
    )
    _TALLY.lost[report.nodeid] = max(_TALLY.lost.get(report.nodeid, 0), lost)
    _TALLY.leaks[report.nodeid] = max(_TALLY.leaks.get(report.nodeid, 0), leaks)
    for key, value in report.user_properties:
        if key == EXAMPLES and isinstance(value, (list, tuple)) and len(value) == 2:
            _TALLY.examples[report.nodeid] = (int(value[0]), int(value[1]))


def _verdicts() -> tuple[list[str], list[str], list[str]]:
    """(survived, not survived, defects): a scenario survives when every phase passed and it
    made at least one world check; a scenario that ran and checked nothing is a defect."""
    survived, lost, defects = [], [], []
    for name, entry in _TALLY.scenarios.items():
        if entry["skipped"] and not entry["failed"]:
            continue
        if entry["ran"] and not entry["checked"] and not entry["failed"]:
            defects.append(name)
        elif entry["failed"]:
            lost.append(f"{name} ({'setup/teardown error' if entry['errored'] else 'failed'})")
        else:
            survived.append(name)
    return survived, lost, defects


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A scenario that checks nothing fails the run: its `survived` would mean nothing."""
    if hasattr(session.config, "workerinput"):
        return
    if _verdicts()[2] and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if hasattr(terminalreporter.config, "workerinput") or not _TALLY.scenarios:
        return
    survived, lost, defects = _verdicts()
    examples = sum(run for run, _ok in _TALLY.examples.values())
    succeeded = sum(ok for _run, ok in _TALLY.examples.values())
    terminalreporter.write_line(
        f"faults: scenarios={len(survived) + len(lost) + len(defects)} survived={len(survived)} "
        f"data_lost={sum(_TALLY.lost.values())} token_leaks={sum(_TALLY.leaks.values())} "
        f"defects={len(defects)} examples={examples} examples_succeeded={succeeded} "
        f"crashes={sum(_TALLY.crashes.values())} recovered={sum(_TALLY.recovered.values())}"
    )
    for name in lost:
        terminalreporter.write_line(f"faults: not survived: {name}")
    for name in defects:
        terminalreporter.write_line(f"faults: defect, no world check: {name}")
