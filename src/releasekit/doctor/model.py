"""What a doctor check is and what it looks at: Check, Needs, World, Report.

The check groups (project.py, publishing.py, online.py) import this module and nothing
of each other; run.py imports them all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from releasekit.core import config as config_mod
from releasekit.core.config import Config
from releasekit.core.snapshot import Project, read_project
from releasekit.core.sources import project_name, read_text
from releasekit.errors import ConfigError, ReleaseError
from releasekit.system.git import Git

if TYPE_CHECKING:
    from releasekit.core.workspace import Member
    from releasekit.setup.workflow_facts import WorkflowFacts

Status = Literal["pass", "warn", "fail", "skip"]
STATUSES: tuple[Status, ...] = ("pass", "warn", "fail", "skip")


@dataclass(frozen=True)
class Check:
    """One line of the report; `fix` says what to do when the status is not pass."""

    name: str
    status: Status
    detail: str
    fix: str = ""


class Needs(Exception):
    """Internal: a check depends on something another check already reported broken."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class World:
    """The project as doctor sees it, each fact read once; a fact that failed stays failed."""

    def __init__(
        self,
        root: Path,
        environ: Mapping[str, str],
        offline: bool,
        *,
        member: Member | None = None,
        workspace: bool = False,
    ) -> None:
        self.root = root
        self.environ = environ
        self.offline = offline
        self.member = member  # --package in a workspace: the checks are that member's
        self.workspace = workspace
        self._failed: dict[str, str] = {}

    @property
    def folder(self) -> Path:
        """Where the project's own files are: the member's folder, else the root."""
        return self.root / self.member.path if self.member is not None else self.root

    def _once(self, key: str, needs: str, compute: Callable[[], Any]) -> Any:
        if key in self._failed:
            raise Needs(self._failed[key])
        try:
            return compute()
        except ReleaseError:
            self._failed[key] = needs
            raise

    @cached_property
    def data(self) -> dict[str, Any]:
        read = self._once("data", "a readable pyproject.toml (see config)", self._read_data)
        return dict(read)

    def _read_data(self) -> dict[str, Any]:
        if self.workspace and self.member is None:
            raise Needs("--package NAME: this repository is a workspace (see members)")
        data = config_mod.read_pyproject(self.folder)
        project_name(data, self.folder)
        return data

    @cached_property
    def config(self) -> Config:
        loaded: Config = self._once(
            "config",
            "a valid [tool.releasekit] (see config)",
            self._load_config,
        )
        return loaded

    def _load_config(self) -> Config:
        if self.member is None or self.member.path == ".":
            return config_mod.load(self.root, self.data)
        root_data = config_mod.parse_toml(read_text(self.root / config_mod.PYPROJECT)) or {}
        return config_mod.load_member(root_data, self.data, self.member.name)

    @property
    def name(self) -> str:
        return project_name(self.data, self.folder)

    @cached_property
    def project(self) -> Project:
        read: Project = self._once("project", "the version (see version)", self._read_project)
        return read

    def _read_project(self) -> Project:
        self.config  # noqa: B018 - a broken config is reported once, by the config check
        return read_project(self.root, self.member.path if self.member is not None else None)

    @cached_property
    def git(self) -> Git:
        return Git(self.root)

    @cached_property
    def is_repository(self) -> bool:
        return self.git.is_repository()

    @cached_property
    def tags(self) -> list[str]:
        return self.git.tags() if self.is_repository else []

    @cached_property
    def version(self) -> str:
        from releasekit.core.plan import current_version
        from releasekit.core.version import canonical

        project = self.project
        found: str = self._once(
            "version",
            "the version (see version)",
            lambda: canonical(current_version(project, self.tags)),
        )
        return found

    @cached_property
    def workflow(self) -> tuple[str, WorkflowFacts]:
        """release.yml's text and what inspect_workflow read in it."""
        found: tuple[str, WorkflowFacts] = self._once(
            "workflow", "a readable release.yml (see workflow)", self._read_workflow
        )
        return found

    def _read_workflow(self) -> tuple[str, WorkflowFacts]:
        from releasekit.setup.init import WORKFLOW
        from releasekit.setup.workflow_facts import inspect_workflow

        path = self.root / WORKFLOW
        if not path.is_file():
            raise ConfigError(
                f"{WORKFLOW} does not exist", "run releasekit init: it renders a hardened one"
            )
        text = read_text(path)
        try:
            return text, inspect_workflow(text)
        except ConfigError as exc:
            raise ConfigError(f"{WORKFLOW}: {exc.cause}", exc.fix) from exc


CheckFunction = Callable[[World], Check]


@dataclass(frozen=True)
class Report:
    """Every check's outcome, in order, and the score line."""

    project: str
    checks: tuple[Check, ...]
    members: tuple[dict[str, Any], ...] = ()  # a workspace's packages, for --json

    def count(self, status: Status) -> int:
        return sum(1 for check in self.checks if check.status == status)

    @property
    def ok(self) -> bool:
        return self.count("fail") == 0

    @property
    def score(self) -> str:
        counted = len(self.checks) - self.count("skip")
        words: tuple[tuple[Status, str], ...] = (
            ("fail", "failed"),
            ("warn", "warned"),
            ("skip", "skipped"),
        )
        extras = [f"{self.count(status)} {word}" for status, word in words if self.count(status)]
        return f"{self.count('pass')}/{counted} checks pass" + (
            f" ({', '.join(extras)})" if extras else ""
        )

    def lines(self) -> list[str]:
        """The report as a person reads it: one line a check, its fix below."""
        out: list[str] = []
        for check in self.checks:
            out.append(f"{check.status:<4}  {check.name}: {check.detail}")
            if check.fix and check.status != "pass":
                out.append(f"      fix: {check.fix}")
        out.append(self.score)
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "ok": self.ok,
            "score": self.score,
            "counts": {status: self.count(status) for status in STATUSES},
            "checks": [asdict(check) for check in self.checks],
            **({"members": list(self.members)} if self.members else {}),
        }
