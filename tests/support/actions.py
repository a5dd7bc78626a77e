"""Run a rendered release workflow on this machine, for a `release: published` event of a tag.

Jobs run one after another in `needs` order (a matrix is expanded, fail-fast honoured), each in
its own working copy at the same path every run (as on GitHub's runners, so rebuilt C code has
the same bytes); `run:` steps run in bash, the actions releasekit's templates use are local
stand-ins (actions_uses.py). It understands only what those templates use: any other key,
expression, context or action is refused with Unsupported before a step runs, so a test can
never pass because a step was skipped in silence.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

STEP_TIMEOUT_MINUTES = 15.0  # when neither the step nor the job says

_WORKFLOW_KEYS = {"name", "on", True, "permissions", "concurrency", "jobs", "env", "run-name"}
_JOB_KEYS = {"name", "needs", "runs-on", "timeout-minutes", "permissions", "env", "steps"}
_JOB_KEYS |= {"strategy", "environment", "concurrency"}
_STRATEGY_KEYS = {"matrix", "fail-fast", "max-parallel"}
_STEP_KEYS = {"name", "id", "uses", "with", "run", "shell", "env", "timeout-minutes"}
_STEP_KEYS |= {"working-directory"}
_CONTEXTS = {"github", "inputs", "env", "matrix", "secrets"}
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_PATH = re.compile(r"[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*")
_LITERAL = re.compile(r"'(?:[^']|'')*'")


class Unsupported(Exception):
    """The workflow uses something this runner does not do; nothing may pass by it."""


class StepFailed(Exception):
    """An action stand-in failed the way the real action would (no files, no artifact)."""


@dataclass
class Machine:
    """What every runner has: the bare remote checkout clones, a folder to work in, the
    environment (PATH, RELEASEKIT_SPEC, ...) and the repository's secrets."""

    remote: Path
    work: Path
    env: dict[str, str]
    secrets: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StepRecord:
    job: str  # "wheels (ubuntu-latest)" for a matrix entry
    name: str
    status: str  # success or failure
    output: str


@dataclass
class Run:
    """One workflow run: each job's conclusion (success, failure, skipped) and its steps."""

    jobs: dict[str, str] = field(default_factory=dict)
    steps: list[StepRecord] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(status == "success" for status in self.jobs.values())

    def output(self, job: str, step: str) -> str:
        """The output of the step whose name starts with `step` in job `job` (any entry)."""
        found = [
            s.output for s in self.steps if s.job.split()[0] == job and s.name.startswith(step)
        ]
        if not found:
            raise KeyError(f"no step {step!r} ran in job {job!r}")
        return "\n".join(found)

    def log(self) -> str:
        return "\n".join(f"## {s.job} / {s.name}: {s.status}\n{s.output}" for s in self.steps)


@dataclass
class Job:
    """One job (one matrix entry) while it runs: what `run:` steps and action stand-ins get."""

    label: str
    workspace: Path
    temp: Path
    artifacts: Path
    machine: Machine
    contexts: dict[str, Any]
    environ: dict[str, str]  # the process environment before the job's and step's `env`
    runs_on: str
    timeout: float


# --- expressions ------------------------------------------------------------------------------


def _check_expression(expression: str) -> list[str]:
    """The operands of `a || b || 'c'`; Unsupported for anything else (&&, ==, calls, ...)."""
    operands = [part.strip() for part in expression.split("||")]
    for operand in operands:
        if _LITERAL.fullmatch(operand):
            continue
        if not _PATH.fullmatch(operand) or operand.split(".")[0] not in _CONTEXTS:
            raise Unsupported(
                f"expression ${{{{{expression}}}}}: {operand!r} is not a string or a path into "
                f"{', '.join(sorted(_CONTEXTS))}"
            )
    return operands


def evaluate(expression: str, contexts: Mapping[str, Any]) -> Any:
    """GitHub's value of `a || b`: the first truthy operand, else the last one."""
    value: Any = None
    for operand in _check_expression(expression):
        if _LITERAL.fullmatch(operand):
            value = operand[1:-1].replace("''", "'")
        else:
            head, *keys = operand.split(".")
            if head == "secrets" and (len(keys) != 1 or keys[0] not in contexts["secrets"]):
                raise Unsupported(f"{operand} was not given to the runner (Machine.secrets)")
            value = contexts[head]
            for key in keys:
                value = value.get(key) if isinstance(value, dict) else None
        if value:
            return value
    return value


def interpolate(value: Any, contexts: Mapping[str, Any]) -> Any:
    """Expressions inside a string replaced by their values as GitHub prints them."""
    if not isinstance(value, str):
        return value

    def text(match: re.Match[str]) -> str:
        found = evaluate(match.group(1), contexts)
        if isinstance(found, bool):
            return str(found).lower()
        return "" if found is None else str(found)

    return _EXPRESSION.sub(text, value)


def _check_all(node: Any, secrets: Mapping[str, str]) -> None:
    """Every expression anywhere in the workflow parses and every secret it reads was given,
    before anything runs."""
    if isinstance(node, str):
        for match in _EXPRESSION.finditer(node):
            for operand in _check_expression(match.group(1)):
                if operand.startswith("secrets.") and operand[8:] not in secrets:
                    raise Unsupported(f"{operand} was not given to the runner (Machine.secrets)")
    elif isinstance(node, dict):
        for child in node.values():
            _check_all(child, secrets)
    elif isinstance(node, list):
        for child in node:
            _check_all(child, secrets)


# --- the workflow -----------------------------------------------------------------------------


def _refuse_unknown(what: str, mapping: Mapping[Any, Any], allowed: set[Any]) -> None:
    unknown = sorted(str(key) for key in mapping if key not in allowed)
    if unknown:
        raise Unsupported(f"{what} has {', '.join(unknown)}, which this runner does not do")


def _needs(job: Mapping[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def load(text: str, secrets: Mapping[str, str]) -> dict[Any, Any]:
    """The workflow, checked: it runs on a published release and uses nothing unknown."""
    from support.actions_uses import ACTIONS

    workflow: dict[Any, Any] = yaml.safe_load(text)
    _refuse_unknown("the workflow", workflow, _WORKFLOW_KEYS)
    on = workflow.get("on", workflow.get(True)) or {}
    types = (on.get("release") or {}).get("types", ["published"]) if "release" in on else []
    if "published" not in types:
        raise Unsupported("the workflow does not run on `release: published`")
    for job_id, job in workflow["jobs"].items():
        _refuse_unknown(f"job {job_id}", job, _JOB_KEYS)
        _refuse_unknown(f"job {job_id}'s strategy", job.get("strategy", {}), _STRATEGY_KEYS)
        matrix = job.get("strategy", {}).get("matrix", {})
        if not isinstance(matrix, dict) or not all(isinstance(v, list) for v in matrix.values()):
            raise Unsupported(f"job {job_id}'s matrix must map names to lists (no include/exclude)")
        for need in _needs(job):
            if need not in workflow["jobs"]:
                raise Unsupported(f"job {job_id} needs {need!r}, which is not a job")
        for step in job["steps"]:
            _refuse_unknown(f"a step of job {job_id}", step, _STEP_KEYS)
            if ("uses" in step) == ("run" in step):
                raise Unsupported(f"a step of job {job_id} must have either uses or run")
            if "uses" in step and step["uses"].split("@")[0] not in ACTIONS:
                raise Unsupported(f"action {step['uses']} has no local stand-in")
            if step.get("shell", "bash") != "bash":
                raise Unsupported(f"shell {step['shell']!r}: only bash runs here")
    _check_all(workflow, secrets)
    return workflow


def _order(jobs: Mapping[str, Any]) -> list[str]:
    """Job ids so that each comes after what it needs; file order among the ready ones."""
    order: list[str] = []
    while len(order) < len(jobs):
        ready = [j for j in jobs if j not in order and set(_needs(jobs[j])) <= set(order)]
        if not ready:
            raise Unsupported(f"the needs of jobs {sorted(set(jobs) - set(order))} form a cycle")
        order.append(ready[0])
    return order


def run_workflow(path: Path, *, tag: str, machine: Machine, prerelease: bool = False) -> Run:
    """Run the workflow at `path` as GitHub would for the publication of release `tag`."""
    workflow = load(path.read_text(encoding="utf-8"), machine.secrets)
    github = {
        "event_name": "release",
        "ref": f"refs/tags/{tag}",
        "ref_name": tag,
        "ref_type": "tag",
        "event": {"action": "published", "release": {"tag_name": tag, "prerelease": prerelease}},
    }
    contexts: dict[str, Any] = {"github": github, "inputs": {}, "matrix": {}}
    contexts["secrets"] = dict(machine.secrets)
    contexts["env"] = {k: str(interpolate(v, contexts)) for k, v in workflow.get("env", {}).items()}
    interpolate(workflow.get("concurrency", {}).get("group", ""), contexts)
    artifacts = machine.work / "artifacts"  # one run's artifacts; a new run starts empty
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)
    run = Run()
    for job_id in _order(workflow["jobs"]):
        job = workflow["jobs"][job_id]
        if any(run.jobs[need] != "success" for need in _needs(job)):
            run.jobs[job_id] = "skipped"
            continue
        run.jobs[job_id] = _run_job(job_id, job, contexts, artifacts, machine, run)
    return run


def _run_job(
    job_id: str,
    job: Mapping[str, Any],
    workflow_contexts: Mapping[str, Any],
    artifacts: Path,
    machine: Machine,
    run: Run,
) -> str:
    strategy = job.get("strategy", {})
    matrix = strategy.get("matrix", {})
    entries = [
        dict(zip(matrix, values, strict=True)) for values in itertools.product(*matrix.values())
    ]
    conclusion = "success"
    for index, entry in enumerate(entries):
        contexts = {**workflow_contexts, "matrix": entry}
        contexts["github"] = {**contexts["github"], "job": job_id}
        label = f"{job_id} ({', '.join(map(str, entry.values()))})" if entry else job_id
        folder = f"{job_id}-{index + 1}" if matrix else job_id
        workspace, temp = machine.work / "runner" / folder, machine.work / "temp" / folder
        for path in (workspace, temp):
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir(parents=True)
        environ = {
            **machine.env,
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": "release",
            "GITHUB_REF": contexts["github"]["ref"],
            "GITHUB_REF_NAME": contexts["github"]["ref_name"],
            "GITHUB_REF_TYPE": "tag",
            "GITHUB_JOB": job_id,
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(temp),
        }
        job_env = {k: str(interpolate(v, contexts)) for k, v in job.get("env", {}).items()}
        contexts["env"] = {**contexts["env"], **job_env}
        runs_on = str(interpolate(job["runs-on"], contexts))
        minutes = float(job.get("timeout-minutes", 360))
        state = Job(label, workspace, temp, artifacts, machine, contexts, environ, runs_on, minutes)
        if not _run_steps(state, job["steps"], run):
            conclusion = "failure"
            if strategy.get("fail-fast", True):
                break  # GitHub cancels the entries still to come
    return conclusion


def _run_steps(job: Job, steps: list[Mapping[str, Any]], run: Run) -> bool:
    """Each step in turn until one fails; True when all succeeded."""
    from support.actions_uses import ACTIONS

    for number, step in enumerate(steps, 1):
        step_env = {k: str(interpolate(v, job.contexts)) for k, v in step.get("env", {}).items()}
        contexts = {**job.contexts, "env": {**job.contexts["env"], **step_env}}
        name = str(interpolate(step.get("name") or step.get("uses") or f"step {number}", contexts))
        if "uses" in step:
            inputs = {k: interpolate(v, contexts) for k, v in (step.get("with") or {}).items()}
            try:
                output, ok = ACTIONS[step["uses"].split("@")[0]](job, inputs), True
            except StepFailed as failed:
                output, ok = f"::error::{failed}", False
        else:
            output, ok = _bash(job, step, contexts)
        run.steps.append(StepRecord(job.label, name, "success" if ok else "failure", output))
        if not ok:
            return False
    return True


def _bash(job: Job, step: Mapping[str, Any], contexts: Mapping[str, Any]) -> tuple[str, bool]:
    """A `run:` step: `bash --noprofile --norc -eo pipefail` (GitHub's bash) in the workspace."""
    script = job.temp / f"step-{len(list(job.temp.glob('step-*')))}.sh"
    script.write_text(str(interpolate(step["run"], contexts)), encoding="utf-8")
    minutes = float(step.get("timeout-minutes", min(job.timeout, STEP_TIMEOUT_MINUTES)))
    cwd = job.workspace / str(interpolate(step.get("working-directory", "."), contexts))
    try:
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd,
            env={**job.environ, **contexts["env"]},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=minutes * 60,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        partial = expired.output or ""
        text = partial if isinstance(partial, str) else partial.decode(errors="replace")
        return f"{text}\n::error::the step timed out after {minutes:g} minutes", False
    ending = "" if done.returncode == 0 else f"\n::error::exit code {done.returncode}"
    return done.stdout + ending, done.returncode == 0


def machine_env(**extra: str) -> dict[str, str]:
    """This process's environment with this interpreter's folder first on PATH (setup-python's
    stand-in is a no-op) and pip quiet about its version, plus `extra`."""
    bin_dir = str(Path(sys.executable).parent)
    path = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
    return {**os.environ, "PATH": path, "PIP_DISABLE_PIP_VERSION_CHECK": "1", **extra}
