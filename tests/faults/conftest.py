"""Fixtures of the fault suite; the plugin in plugin.py prints its one-line result."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.github_api import GitHubStandIn, fake_token
from support.tokens import mint

from faults import plugin
from faults.faultkit import Scenario
from faults.worlds import PROJECT, VERSION, Repo, make_repo
from releasekit.demo import sample
from releasekit.demo.localindex import LocalIndex
from releasekit.publishing import dist


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("faults.plugin"):
        config.pluginmanager.register(plugin, "faults.plugin")


# -- fixtures --------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def canaries() -> tuple[str, str]:
    """A PyPI-shaped token scoped to the sample project, and a GitHub-shaped one: minted now,
    valid in shape, useless anywhere else. They must never show up where they do not belong."""
    return mint("pypi.org", [[1, [PROJECT]], [2, [str(uuid.uuid4())]]]), fake_token()


@pytest.fixture
def scenario(
    request: pytest.FixtureRequest, tmp_path: Path, canaries: tuple[str, str]
) -> Iterator[Scenario]:
    """One scenario; at the end, every place a canary could reach is searched."""
    current = Scenario(request.node, tmp_path, list(canaries))
    try:
        yield current
    finally:
        leaks = current.leaks()
    assert leaks == [], f"token leaked: {leaks}"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """The hatchling sample at 1.3.0 with entries under [Unreleased], pushed to a bare remote."""
    return make_repo(tmp_path)


@pytest.fixture(scope="session")
def local_index(
    tmp_path_factory: pytest.TempPathFactory, canaries: tuple[str, str]
) -> Iterator[LocalIndex]:
    """One pypiserver per worker; it accepts the canary token only."""
    with LocalIndex(tmp_path_factory.mktemp("index"), token=canaries[0]) as running:
        yield running


@pytest.fixture
def index(local_index: LocalIndex, scenario: Scenario) -> LocalIndex:
    """The shared index, emptied for this scenario (pypiserver lists its folder per request)."""
    for path in local_index.directory.iterdir():
        if path.is_file():
            path.unlink()
        else:
            shutil.rmtree(path)
    scenario.watch(local_index.directory)
    scenario.watch(local_index._workdir)  # its own files: password file, log
    return local_index


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/ of the sample project at 1.3.0, built once per worker for real."""
    base = tmp_path_factory.mktemp("built")
    root = sample.write_project(base / "project", name=PROJECT, version=VERSION)
    sample.init_repository(root, base / "remote.git", tag=f"v{VERSION}")
    dist.build(root, version=VERSION)
    return root / "dist"


@pytest.fixture
def github(canaries: tuple[str, str]) -> Iterator[GitHubStandIn]:
    """GitHub's API on 127.0.0.1 for repository o/r, accepting the GitHub canary only."""
    with GitHubStandIn(token=canaries[1]) as standin:
        yield standin
