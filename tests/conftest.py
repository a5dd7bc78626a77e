"""Shared fixtures: real sample projects in git repositories with bare remotes."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.repostate import RepoState, capture

from releasekit.demo import sample

BIN = Path(sys.executable).parent


@dataclass
class SampleRepo:
    root: Path
    remote: Path

    def state(self) -> RepoState:
        return capture(self.root, self.remote)

    def git(self, *args: str) -> str:
        return sample.git(self.root, *args)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No secrets or CI settings of the machine leak into a test; git never prompts."""
    for name in (
        "PYPI_TOKEN",
        "TWINE_USERNAME",
        "TWINE_PASSWORD",
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "RELEASEKIT_REPOSITORY",
        "RELEASEKIT_TAG",
        "GITHUB_REF",
        "GITHUB_REPOSITORY",
        "GITHUB_API_URL",
        "SOURCE_DATE_EPOCH",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig-global"))
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Maintainer")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "test@example.org")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Maintainer")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "test@example.org")
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    yield


def make_repo(
    tmp_path: Path, *, backend: str = "hatchling", version: str = "1.3.0", name: str = "sample-pkg"
) -> SampleRepo:
    root = sample.write_project(tmp_path / "project", name=name, version=version, backend=backend)
    remote = tmp_path / "remote.git"
    sample.init_repository(root, remote, tag=f"v{version}")
    return SampleRepo(root, remote)


@pytest.fixture
def repo(tmp_path: Path) -> SampleRepo:
    """A hatchling sample at 1.3.0 with entries under [Unreleased], pushed to a bare remote."""
    return make_repo(tmp_path)


@pytest.fixture
def poetry_repo(tmp_path: Path) -> SampleRepo:
    return make_repo(tmp_path, backend="poetry-core")


@pytest.fixture
def twine_checks(monkeypatch: pytest.MonkeyPatch) -> list[list[Path]]:
    """Every twine check publishing's dist.verify runs (each would start twine); all pass."""
    from releasekit.publishing import dist

    calls: list[list[Path]] = []

    def fake(files: list[Path], *args: object, **kwargs: object) -> list[str]:
        calls.append(list(files))
        return []

    monkeypatch.setattr(dist, "twine_check", fake)
    return calls
