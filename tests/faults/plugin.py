"""The fault suite's one-line result, as a pytest plugin.

Every test that takes the `scenario` fixture is a scenario. Its checks record what they
found in the test's user_properties (which pytest-xdist carries from the workers to the
controller), and the process that reports prints, at the end of the run:

    faults: scenarios=N survived=N data_lost=0 token_leaks=0

tests/faults/conftest.py registers this plugin, so `pytest tests/faults` (with or without
-n, as `nox -s faults` runs it) and a plain `pytest` print the line. Under `pytest -n N`
over the whole tests/ folder the xdist controller never loads that conftest; there,
`-p faults.plugin` (with tests/ on the path) prints it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from faults.faultkit import DATA_LOST, SCENARIO, TOKEN_LEAK


@dataclass
class _Tally:
    scenarios: dict[str, dict[str, bool]] = field(default_factory=dict)
    lost: int = 0
    leaks: int = 0


_TALLY = _Tally()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    keys = [key for key, _value in report.user_properties]
    if SCENARIO not in keys:
        return
    entry = _TALLY.scenarios.setdefault(
        report.nodeid, {"failed": False, "skipped": False, "lost": False, "leaked": False}
    )
    entry["failed"] |= report.failed
    entry["skipped"] |= report.skipped
    for key, value in report.user_properties:
        if key == DATA_LOST and not entry["lost"]:
            entry["lost"] = True
            _TALLY.lost += 1
        if key == TOKEN_LEAK and not entry["leaked"]:
            entry["leaked"] = True
            _TALLY.leaks += len(value) if isinstance(value, list) else 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if hasattr(terminalreporter.config, "workerinput") or not _TALLY.scenarios:
        return
    ran = [e for e in _TALLY.scenarios.values() if not e["skipped"]]
    survived = sum(1 for e in ran if not e["failed"])
    terminalreporter.write_line(
        f"faults: scenarios={len(ran)} survived={survived} "
        f"data_lost={_TALLY.lost} token_leaks={_TALLY.leaks}"
    )
