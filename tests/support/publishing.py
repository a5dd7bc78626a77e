"""In-process stand-ins for the publishing side's children and world: the sample project,
a started twine that answers as twine does, made-up dist/ files, the git state of a
repository with no commits, and the fixes users read, for tests that check what publishing
decides and says, not what twine does."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path

from releasekit.core.plan import Options, Step
from releasekit.core.snapshot import GitState, Project, RemoteState
from releasekit.demo import sample
from releasekit.errors import ReleaseError
from releasekit.publishing import after_push, dist
from releasekit.system import runner

PROJECT = "sample-pkg"
VERSION = "1.3.0"
WHEEL = "sample_pkg-1.3.0-py3-none-any.whl"
SDIST = "sample_pkg-1.3.0.tar.gz"
BUILD_FIRST = "build it first: releasekit build (or invoke build, nox -s build)"
NETWORK_FIX = "check the repository URL and the network (is the index running?), then re-run"
NOT_AN_INDEX_FIX = "check that the repository URL points at a package index"


def project_at(tmp_path: Path, extra: str = "") -> Path:
    """A sample project at 1.3.0 (no git needed), with `extra` appended to its pyproject."""
    root = sample.write_project(tmp_path / "project", name=PROJECT, version=VERSION)
    if extra:
        with (root / "pyproject.toml").open("a") as handle:
            handle.write(extra)
    return root


class FakeTwine(runner.Started):
    """A started twine that records the arguments it is handed and answers with `stdout`
    and `returncode`."""

    def __init__(
        self, stdout: str = "", returncode: int = 0, env: Mapping[str, str | None] = {}
    ) -> None:
        self.argv = ("twine",)
        self.env = dict(env)
        self.stdout = stdout
        self.returncode = returncode
        self.given: list[list[str]] = []

    def finish(
        self, input: str, *, timeout: float, on_line: Callable[[str], None] | None = None
    ) -> runner.Result:
        self.given.append(json.loads(input))
        return runner.Result(self.argv, self.returncode, self.stdout, "")

    def cancel(self) -> None:
        pass


def dist_files(folder: Path, *names: str, checksums: bool = True) -> list[Path]:
    """dist/ holding `names` (bytes made up: names are what is checked) and, unless told
    otherwise, their SHA256SUMS as a checked build writes it."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / name for name in names]
    for path in files:
        path.write_bytes(f"the bytes of {path.name}".encode())
    if checksums:
        dist.write_checksums(folder / dist.CHECKSUMS, files)
    return files


def no_commits(remote_url: str | None = None) -> GitState:
    """What a repository with no commit yet (and `remote_url`) reads as."""
    return GitState(
        head=None,
        branch="main",
        changed=(),
        tracked=frozenset(),
        remote_url=remote_url,
        remote=RemoteState(),
        local_tag=None,
        head_in_remote=False,
    )


def attest(path: Path) -> Path:
    """A PEP 740 attestation of `path` as release.yml's attest step writes it (unsigned)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    statement = {"subject": [{"name": path.name, "digest": {"sha256": digest}}]}
    encoded = base64.b64encode(json.dumps(statement).encode()).decode()
    target = path.with_name(f"{path.name}.publish.attestation")
    target.write_text(json.dumps({"envelope": {"statement": encoded, "signature": ""}}))
    return target


def plan_publishing(
    project: Project, repository: str, environ: Mapping[str, str] | None = None
) -> tuple[list[Step], list[ReleaseError], list[str]]:
    """What a release of 1.4.0 with --publish to `repository` (and no GitHub release)
    plans after its push, from a repository with no commits."""
    return after_push.plan_public_steps(
        project,
        Options(publish=True, github_release=False, repository=repository),
        no_commits(),
        "1.4.0",
        "v1.4.0",
        "notes",
        environ or {},
    )
