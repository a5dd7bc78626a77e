"""The fault suite's harness: run a real command under watch and find where secrets went.

A `Scenario` starts the real fronts (`releasekit`, `invoke`, `nox`, or the fault driver)
with stdin closed and a canary token in their environment, samples every process's argv
while the test runs (and logs every argv a Python process starts, through the audit hook in
argvlog/), and at the end searches every place a secret could land.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from support.github_api import GitHubStandIn

from faults.worlds import Repo, World, release_problems

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parents[1]  # this releasekit checkout: what nox sessions install
DRIVER = HERE / "fault_driver.py"
ARGV_PROBE = HERE / "argvlog"
TIMEOUT = 120.0
SAMPLE_EVERY = 0.02
SAMPLE_LIMIT = 900.0  # the sampler stops by itself after this, whatever happens
SCAN_LIMIT = 64 * 1024 * 1024
RECENT_LIMIT = 200_000  # entries of HOME and the temp folder looked at, at most
RECENT_SKIP = {".cache", ".nox", ".git", "site-packages", "node_modules", "__pycache__"}
RECENT_SKIP |= {".pyenv", ".rustup", ".cargo", ".m2", ".npm"}  # tool chains, not state

# user_properties keys the plugin (plugin.py) counts.
SCENARIO, DATA_LOST, TOKEN_LEAK = "faults.scenario", "faults.data_lost", "faults.token_leak"
CRASH, RECOVERED = "faults.crash", "faults.recovered"
EXAMPLES, CHECKED = "faults.examples", "faults.checked"  # hypothesis runs; world checks


def tool(name: str) -> str:
    return str(BIN / name)


# -- running commands under watch ------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def mask(text: str, needles: Iterable[bytes]) -> str:
    """`text` with every secret form replaced: what the suite itself may print."""
    for needle in sorted(needles, key=len, reverse=True):
        text = text.replace(needle.decode(), "<canary>")
    return text


def secret_forms(secret: str) -> list[bytes]:
    """The shapes a leaked secret takes: whole, its random tail, inside a basic-auth header."""
    forms = {secret, secret[-24:]}
    if secret.startswith("pypi-"):
        forms.add(secret[len("pypi-") :])
        forms.add(base64.b64encode(f"__token__:{secret}".encode()).decode())
    return [form.encode() for form in forms if len(form) >= 16]


class ArgvSampler(threading.Thread):
    """Reads /proc/*/cmdline every 20 ms until stopped (or SAMPLE_LIMIT); keeps any argv
    that holds a secret."""

    def __init__(self, needles: list[bytes]) -> None:
        super().__init__(daemon=True)
        self.needles = needles  # shared with the scenario: secrets added later count too
        self.stop = threading.Event()
        self.hits: dict[str, str] = {}  # pid -> what it ran, secrets masked
        self.sweeps = 0

    def run(self) -> None:
        deadline = time.monotonic() + SAMPLE_LIMIT
        while not self.stop.is_set() and time.monotonic() < deadline:
            self.sweep()
            self.stop.wait(SAMPLE_EVERY)

    def sweep(self) -> None:
        self.sweeps += 1
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as handle:
                    argv = handle.read()
            except OSError:
                continue
            needles = list(self.needles)
            if any(needle in argv for needle in needles):
                shown = mask(argv.replace(b"\0", b" ").decode(errors="replace"), needles)
                self.hits[entry.name] = f"pid {entry.name} argv: {shown[:200]}"


class Node(Protocol):
    """What a scenario needs of its pytest item (a stand-in will do for self-tests)."""

    nodeid: str
    user_properties: list[tuple[str, object]]


@dataclass
class Running:
    """A command started in the background (for races); `wait` gives its Outcome."""

    scenario: Scenario
    process: subprocess.Popen[str]
    argv: tuple[str, ...]
    started: float

    def wait(self, timeout: float = TIMEOUT) -> Outcome:
        return self.scenario._collect(self, timeout)


@dataclass
class Scenario:
    """One fault scenario: the canaries, the commands it ran, the places to search."""

    node: Node
    tmp: Path
    secrets: list[str]
    needles: list[bytes] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    watched: list[Path] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for secret in self.secrets:
            self.needles.extend(secret_forms(secret))
        self.argv_log = self.tmp / "argv-probe.jsonl"
        self.watched.append(self.tmp)
        self.started = time.time() - 1  # files written since then, in HOME and the temp folder
        self.sampler = ArgvSampler(self.needles)
        self.sampler.start()
        self._record(SCENARIO, self.node_name)

    @property
    def node_name(self) -> str:
        return self.node.nodeid

    def _record(self, key: str, value: object) -> None:
        self.node.user_properties.append((key, value))

    # -- secrets and environment ----------------------------------------------------------
    def secret(self, value: str) -> str:
        """Another secret this scenario hands out: it must not leak either."""
        self.secrets.append(value)
        self.needles.extend(secret_forms(value))
        return value

    def watch(self, path: Path) -> None:
        self.watched.append(path)

    def env(self, **changes: str | None) -> dict[str, str]:
        """The machine's (already isolated) environment plus the canaries; None removes."""
        env = dict(os.environ)
        env.update(
            PYPI_TOKEN=self.secrets[0],
            GITHUB_TOKEN=self.secrets[1],
            PYTHONPATH=str(ARGV_PROBE),
            RELEASEKIT_FAULTS_ARGV_LOG=str(self.argv_log),
            PYTHONDONTWRITEBYTECODE="1",
            RELEASEKIT_SPEC=str(CHECKOUT),
            NO_COLOR="1",
        )
        env.pop("CI", None)
        for name, value in changes.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return env

    def offline_env(self, **changes: str | None) -> dict[str, str]:
        """As env(), with every http(s) request outside 127.0.0.1 sent to a dead proxy."""
        from support.servers import closed_port

        dead = f"http://127.0.0.1:{closed_port()}"
        proxies = {"HTTP_PROXY": dead, "HTTPS_PROXY": dead, "http_proxy": dead}
        proxies.update(https_proxy=dead, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1")
        return self.env(**proxies, **changes)

    # -- running ----------------------------------------------------------------------------
    def start(self, argv: list[str], *, cwd: Path, env: Mapping[str, str] | None = None) -> Running:
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env if env is not None else self.env()),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        return Running(self, process, tuple(argv), time.monotonic())

    def run(
        self,
        argv: list[str],
        *,
        cwd: Path,
        env: Mapping[str, str] | None = None,
        timeout: float = TIMEOUT,
    ) -> Outcome:
        return self.start(argv, cwd=cwd, env=env).wait(timeout)

    def releasekit(
        self, cwd: Path, *args: str, env: Mapping[str, str] | None = None, timeout: float = TIMEOUT
    ) -> Outcome:
        return self.run([tool("releasekit"), *args], cwd=cwd, env=env, timeout=timeout)

    def invoke(
        self, cwd: Path, *args: str, env: Mapping[str, str] | None = None, timeout: float = TIMEOUT
    ) -> Outcome:
        return self.run([tool("invoke"), *args], cwd=cwd, env=env, timeout=timeout)

    def inject(
        self,
        cwd: Path,
        spec: Mapping[str, object],
        *args: str,
        env: Mapping[str, str] | None = None,
        timeout: float = TIMEOUT,
    ) -> Outcome:
        """The real command with one fault injected in-process (see fault_driver.py)."""
        argv = [sys.executable, str(DRIVER), json.dumps(dict(spec)), *args]
        return self.run(argv, cwd=cwd, env=env, timeout=timeout)

    def _collect(self, running: Running, timeout: float) -> Outcome:
        process = running.process
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            self.outcomes.append(Outcome(running.argv, -9, stdout, stderr, timeout))
            hung = f"{' '.join(running.argv)} hung for {timeout:g} s:\n{stdout}{stderr}"
            raise AssertionError(self.shown(hung)) from None
        seconds = time.monotonic() - running.started
        outcome = Outcome(running.argv, process.returncode, stdout, stderr, seconds)
        self.outcomes.append(outcome)
        return outcome

    # -- the four checks ---------------------------------------------------------------------
    def refused(self, outcome: Outcome, *, cause: str, fix: str) -> str:
        """(a) non-zero exit, (b) one `releasekit: error:` line naming cause and fix."""
        text = outcome.output
        assert outcome.returncode != 0, f"expected a refusal, exit 0:\n{self.shown(text)}"
        assert "Traceback" not in text, self.shown(text)
        lines = text.splitlines()
        starts = [n for n, line in enumerate(lines) if "releasekit: error:" in line]
        assert len(starts) == 1, f"expected one error message:\n{self.shown(text)}"
        message = [lines[starts[0]]]  # a preflight lists its problems on the lines below
        message += [line for line in lines[starts[0] + 1 :] if line.startswith("  - ")]
        line = "\n".join(message)
        shown = self.shown(text)
        print(f"[refused] {self.shown(line)}")  # in pytest's report when a scenario fails
        assert re.search(cause, line, re.IGNORECASE), f"cause /{cause}/ not named in:\n{shown}"
        assert re.search(fix, line, re.IGNORECASE), f"fix /{fix}/ not named in:\n{shown}"
        return line

    def finished(self, outcome: Outcome) -> None:
        """(a) exit 0 and no traceback."""
        shown = self.shown(outcome.output)
        assert outcome.returncode == 0, f"exit {outcome.returncode}:\n{shown}"
        assert "Traceback" not in outcome.output, shown
        assert "releasekit: error" not in outcome.output, shown

    def crashed(self, outcome: Outcome) -> None:
        """The releasing process died of SIGKILL, as an OOM kill or a hard CI cancel does."""
        assert outcome.returncode in (-9, 137), (
            f"expected a SIGKILL, exit {outcome.returncode}:\n{self.shown(outcome.output)}"
        )
        self._record(CRASH, outcome.returncode)

    def recovered(self) -> None:
        """Counted once the run after a crash left the world as the scenario expects."""
        self._record(RECOVERED, True)

    def shown(self, text: str) -> str:
        """`text` fit for the test report: a leaked secret is counted, never printed."""
        return mask(text, self.needles)

    def unchanged(self, before: World, after: World) -> None:
        """(c) nothing lost: the world exactly as before."""
        changes = before.diff(after)
        self.data_lost(changes)
        assert changes == [], changes

    def released(
        self,
        repo: Repo,
        version: str,
        *,
        index_dir: Path | None = None,
        github: GitHubStandIn | None = None,
    ) -> None:
        """(c) past the point of no return: the release is complete, nothing missing."""
        problems = release_problems(repo, version, index_dir=index_dir, github=github)
        self.data_lost(problems)
        assert problems == [], problems

    def examples(self, run: int, succeeded: int) -> None:
        """A property's generated examples: how many ran, how many reached success."""
        self._record(EXAMPLES, [run, succeeded])

    def data_lost(self, problems: Iterable[str]) -> None:
        """Every world check ends here: what it found is counted, pass or fail."""
        self._record(CHECKED, True)
        problems = list(problems)
        if problems:
            self.lost.extend(problems)
            self._record(DATA_LOST, problems)

    def leaks(self) -> list[str]:
        """(d) every place a canary could have reached."""
        self.sampler.stop.set()
        self.sampler.join(timeout=5)
        found = list(self.sampler.hits.values())
        for outcome in self.outcomes:
            for name, text in (("stdout", outcome.stdout), ("stderr", outcome.stderr)):
                if self._holds(text.encode()):
                    found.append(f"{name} of {' '.join(outcome.argv[:3])}")
        if self.argv_log.exists():
            for line in self.argv_log.read_text().splitlines():
                if self._holds(line.encode()):
                    found.append(f"argv of a child: {self.shown(line)[:200]}")
        for path in self._files():
            if self._holds(path.read_bytes()):
                found.append(f"file {path}")
        for path in self._recent_files():
            with contextlib.suppress(OSError):
                if self._holds(path.read_bytes()):
                    found.append(f"file {path}")
        for repo in self._repositories():
            objects = subprocess.run(
                ["git", "cat-file", "--batch-all-objects", "--batch"],
                cwd=repo,
                capture_output=True,
                timeout=60,
                check=False,
            ).stdout
            if self._holds(objects):
                found.append(f"git objects of {repo}")
        if found:
            self._record(TOKEN_LEAK, found)
        return found

    def _holds(self, data: bytes) -> bool:
        return any(needle in data for needle in self.needles)

    def _files(self) -> Iterable[Path]:
        for top in self.watched:
            for folder, _dirs, names in os.walk(top):
                for name in names:
                    path = Path(folder, name)
                    if path == self.argv_log or not path.is_file() or path.is_symlink():
                        continue
                    if path.stat().st_size <= SCAN_LIMIT:
                        yield path

    def _recent_files(self) -> Iterable[Path]:
        """Files written during the scenario in HOME and the system temp folder (other
        processes' trees and caches left out), at most RECENT_LIMIT entries looked at."""
        seen = 0
        mine = [top.resolve() for top in self.watched]
        for top in {Path.home().resolve(), Path(tempfile.gettempdir()).resolve()}:
            for folder, dirs, names in os.walk(top):
                here = Path(folder)
                dirs[:] = [
                    d
                    for d in dirs
                    if d not in RECENT_SKIP
                    and not d.startswith(("pytest-of-", "bash_jobs"))
                    and here / d not in mine
                ]
                for name in names:
                    seen += 1
                    if seen > RECENT_LIMIT:
                        return
                    path = here / name
                    try:
                        info = path.lstat()
                    except OSError:
                        continue
                    recent = info.st_mtime >= self.started and info.st_size <= SCAN_LIMIT
                    if stat.S_ISREG(info.st_mode) and recent:
                        yield path

    def _repositories(self) -> Iterable[Path]:
        for top in self.watched:
            for folder, dirs, _names in os.walk(top):
                here = Path(folder)
                if (here / "objects").is_dir() and (here / "HEAD").is_file():
                    dirs.clear()
                    yield here
                dirs[:] = [d for d in dirs if d not in (".nox", "site-packages")]
