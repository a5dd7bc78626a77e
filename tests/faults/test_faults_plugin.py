"""The fault line is honest in a red run: a small suite of made-up scenarios, run by a real
pytest, must be counted the way plugin.py promises."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CONFTEST = """
import pytest
from faults import plugin
from faults.faultkit import Scenario


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("faults.plugin"):
        config.pluginmanager.register(plugin, "faults.plugin")


@pytest.fixture
def broken():
    raise RuntimeError("this fixture cannot set up")


@pytest.fixture
def scenario(request, tmp_path):
    current = Scenario(request.node, tmp_path, ["ghp_" + "a" * 36, "pypi-" + "b" * 40])
    try:
        yield current
    finally:
        leaks = current.leaks()
    assert leaks == [], leaks
"""

SUITE = """
def test_setup_error(broken, scenario):
    scenario.data_lost([])


def test_checks_nothing(scenario):
    pass


def test_loses_data(scenario):
    scenario.data_lost(["CHANGELOG.md: missing", "HEAD moved"])
    assert False


def test_leaks_a_token(scenario, tmp_path):
    (tmp_path / "out.log").write_text("ghp_" + "a" * 36)
    scenario.data_lost([])


def test_fine(scenario):
    scenario.data_lost([])


def test_property(scenario):
    scenario.examples(10, 4)
    scenario.data_lost([])


def test_not_a_scenario():
    pass
"""


def run_suite(tmp_path: Path, suite: str, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_made_up.py").write_text(suite)
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def line(result: subprocess.CompletedProcess[str]) -> dict[str, int]:
    found = re.search(r"^faults: (scenarios=.*)$", result.stdout, re.MULTILINE)
    assert found, result.stdout
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", found[1])}


def test_the_line_counts_what_happened_in_a_red_run(tmp_path: Path) -> None:
    result = run_suite(tmp_path, SUITE)
    assert result.returncode == 1, result.stdout
    counts = line(result)
    assert counts["scenarios"] == 6  # the one whose fixture errored included
    assert counts["survived"] == 2  # test_fine and test_property only
    assert counts["data_lost"] == 2  # both problems the failing check observed
    assert counts["token_leaks"] == 1
    assert counts["defects"] == 1
    assert counts["examples"] == 10 and counts["examples_succeeded"] == 4
    out = result.stdout
    assert "faults: not survived: test_made_up.py::test_setup_error (setup/teardown error)" in out
    assert "faults: not survived: test_made_up.py::test_loses_data (failed)" in out
    assert "faults: not survived: test_made_up.py::test_leaks_a_token" in out
    assert "faults: defect, no world check: test_made_up.py::test_checks_nothing" in out


def test_a_scenario_that_checks_nothing_fails_an_otherwise_green_run(tmp_path: Path) -> None:
    result = run_suite(tmp_path, SUITE, "-k", "checks_nothing or fine")
    assert "2 passed" in result.stdout, result.stdout
    assert result.returncode == 1, result.stdout
    assert line(result)["defects"] == 1


def test_a_green_run_stays_green(tmp_path: Path) -> None:
    result = run_suite(tmp_path, SUITE, "-k", "fine or property or not_a_scenario")
    assert result.returncode == 0, result.stdout
    counts = line(result)
    assert counts["scenarios"] == counts["survived"] == 2
    assert counts["defects"] == counts["data_lost"] == counts["token_leaks"] == 0
