"""Read a release workflow, ours or the user's: its triggers, the job that publishes and
the credentials that job can reach, for doctor and `releasekit secret`."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from releasekit.errors import ConfigError


@dataclass(frozen=True)
class WorkflowFacts:
    """What a readiness check needs to know about a release workflow, ours or the user's.

    `id_token_in_publish` is the publish job's effective grant (its own permissions, else the
    workflow's); `publish_secrets` names the secrets it can read (GITHUB_TOKEN excluded).
    """

    triggers_on_release: bool
    triggers_on_tag_push: bool
    runs_publish_session: bool
    reads_pypi_token_in_publish: bool
    id_token_in_publish: bool
    id_token_at_top: bool
    publish_job: str | None
    environment: str | None
    publish_secrets: tuple[str, ...] = ()


# `nox ... -s [other sessions] publish`, not `-s publish-docs`.
_NOX_PUBLISH = re.compile(
    r"\bnox\b[^\n]*?\s(?:-s|-e|--sessions?)(?:\s+|=)(?:[\w.-]+[\s,]+)*?publish(?![\w-])"
)
_OTHER_PUBLISH = re.compile(
    r"\breleasekit\s+publish\b|\btwine\s+upload\b|\b(?:uv|poetry|hatch|flit|pdm)\s+publish\b"
)
_PUBLISH_ACTION = re.compile(r"pypa/gh-action-pypi-publish@", re.IGNORECASE)
_SECRET = re.compile(r"\bsecrets\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")
_RELEASE_TYPES = {"published", "released", "created", "prereleased"}


def inspect_workflow(text: str) -> WorkflowFacts:
    """Read a release workflow's YAML and report triggers, the publish job and its credentials."""
    workflow = _load_workflow(text)
    events = _events(workflow.get("on", workflow.get(True)))
    jobs = workflow["jobs"]
    found = next(((name, job) for name, job in jobs.items() if _publishes(job)), None)
    publish_job, job = (str(found[0]), found[1]) if found else (None, {})
    top_permissions = workflow.get("permissions")
    secrets = sorted(
        {name for name in _secrets_in([job, workflow.get("env")]) if name != "GITHUB_TOKEN"}
    )
    return WorkflowFacts(
        triggers_on_release=_on_release(events),
        triggers_on_tag_push=_on_tag_push(events),
        runs_publish_session=any(_NOX_PUBLISH.search(run) for run in _runs(job)),
        reads_pypi_token_in_publish=bool(publish_job and secrets),
        id_token_in_publish=bool(publish_job)
        and _grants_id_token(job.get("permissions", top_permissions)),
        id_token_at_top=_grants_id_token(top_permissions),
        publish_job=publish_job,
        environment=_environment_name(job.get("environment")),
        publish_secrets=tuple(secrets) if publish_job else (),
    )


def _load_workflow(text: str) -> dict[Any, Any]:
    try:
        import yaml
    except ModuleNotFoundError as exc:
        raise ConfigError("PyYAML is not installed", "pip install pyyaml") from exc

    try:
        workflow = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = " ".join(str(getattr(exc, "problem", None) or type(exc).__name__).split())
        raise ConfigError(
            f"workflow is not valid YAML{where}: {problem}", "fix the YAML there and re-run"
        ) from exc
    if not isinstance(workflow, dict) or not isinstance(workflow.get("jobs"), dict):
        raise ConfigError(
            "workflow has no top-level jobs mapping", "a GitHub Actions workflow needs jobs:"
        )
    return workflow


def _events(on: object) -> dict[str, Any]:
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {str(event): None for event in on}
    return {str(key): value for key, value in on.items()} if isinstance(on, dict) else {}


def _on_release(events: Mapping[str, Any]) -> bool:
    if "release" not in events:
        return False
    types = (events["release"] or {}).get("types") if isinstance(events["release"], dict) else None
    if types is None:
        return True  # GitHub's default: every activity type
    return bool(_RELEASE_TYPES & set([types] if isinstance(types, str) else types))


def _on_tag_push(events: Mapping[str, Any]) -> bool:
    if "push" not in events:
        return False
    push = events["push"] if isinstance(events["push"], dict) else {}
    if "tags" in push or "tags-ignore" in push:
        return True
    # With only a branch filter, tag pushes do not run the workflow; with no filter they do.
    return not ("branches" in push or "branches-ignore" in push)


def _steps(job: object) -> list[Mapping[str, Any]]:
    steps = job.get("steps") if isinstance(job, dict) else None
    return [step for step in steps if isinstance(step, dict)] if isinstance(steps, list) else []


def _runs(job: object) -> list[str]:
    return [step["run"] for step in _steps(job) if isinstance(step.get("run"), str)]


def _publishes(job: object) -> bool:
    if any(_NOX_PUBLISH.search(run) or _OTHER_PUBLISH.search(run) for run in _runs(job)):
        return True
    return any(_PUBLISH_ACTION.match(str(step.get("uses", ""))) for step in _steps(job))


def _secrets_in(values: object) -> Iterator[str]:
    if isinstance(values, str):
        for match in _SECRET.finditer(values):
            yield match.group(1) or match.group(2)
    elif isinstance(values, dict):
        yield from _secrets_in(list(values.values()))
    elif isinstance(values, list):
        for value in values:
            yield from _secrets_in(value)


def _grants_id_token(permissions: object) -> bool:
    if permissions == "write-all":
        return True
    return isinstance(permissions, dict) and permissions.get("id-token") == "write"


def _environment_name(environment: object) -> str | None:
    if isinstance(environment, dict):
        environment = environment.get("name")
    return environment if isinstance(environment, str) else None
