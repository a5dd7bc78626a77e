"""Doctor's checks of the automated path: release.yml, zizmor, the token, the index."""

from __future__ import annotations

import json
import os
import re
import shutil
from typing import Any

from releasekit.doctor.model import Check, CheckFunction, Needs, World
from releasekit.errors import CommandError, ConfigError, ReleaseError
from releasekit.setup.init import WORKFLOW
from releasekit.system.facts import PYPI_TOKEN

ZIZMOR_TIMEOUT = 120.0
_ZIZMOR_FINDINGS = (0, 11, 12, 13, 14)  # exit codes: clean, or the highest finding's severity
_RERENDER = "releasekit init --force renders a release.yml that passes"


def check_workflow(world: World) -> Check:
    _, facts = world.workflow
    job = facts.publish_job or "none"
    return Check("workflow", "pass", f"{WORKFLOW} is a workflow; its publish job: {job}")


def check_workflow_trigger(world: World) -> Check:
    text, facts = world.workflow
    config = world.config
    try:
        tag = config.tag(world.version)
    except (Needs, ReleaseError):
        tag = config.tag("1.4.0")
    if facts.triggers_on_release:
        detail = "runs when a GitHub release is published"
    elif facts.triggers_on_tag_push:
        included, ignored = _tag_filters(text)
        if not _tag_starts_run(tag, included, ignored):
            return Check(
                "workflow-trigger",
                "fail",
                f"{WORKFLOW} runs on pushed tags, but not on {tag}: its tag filters "
                f"{included or ignored} do not match the tag format {config.tag_format}",
                "fix on.push.tags, or set [tool.releasekit] tag-format",
            )
        detail = f"runs when a tag such as {tag} is pushed"
    else:
        return Check(
            "workflow-trigger",
            "fail",
            f"{WORKFLOW} starts neither on a published release nor on a pushed tag",
            "trigger it with on: release: types: [published] (" + _RERENDER + ")",
        )
    checked = re.search(r"^\s*pattern='([^'\n]*)'\s*$", text, re.MULTILINE)
    if checked and checked[1] != _tag_regex(config.tag_format):
        return Check(
            "workflow-trigger",
            "warn",
            f"{WORKFLOW} {detail}, but checks tags for another format than {config.tag_format}",
            "re-render it with releasekit init --force",
        )
    return Check("workflow-trigger", "pass", f"{WORKFLOW} {detail}")


def _tag_regex(tag_format: str) -> str | None:
    from releasekit.setup.workflow import release_tag_regex

    try:
        return release_tag_regex(tag_format)
    except ConfigError:
        return None


def _tag_filters(text: str) -> tuple[list[str], list[str]]:
    """on.push.tags and on.push.tags-ignore, as lists of GitHub glob patterns."""
    import yaml

    workflow = yaml.safe_load(text)
    events = workflow.get("on", workflow.get(True)) if isinstance(workflow, dict) else None
    push = events.get("push") if isinstance(events, dict) else None
    push = push if isinstance(push, dict) else {}

    def patterns(key: str) -> list[str]:
        value = push.get(key) or []
        return [str(item) for item in ([value] if isinstance(value, str) else value)]

    return patterns("tags"), patterns("tags-ignore")


def _glob(pattern: str) -> re.Pattern[str] | None:
    """GitHub's filter glob as a regex: ** any text, * no '/', ? and + quantify, [] ranges."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "\\" and index + 1 < len(pattern):
            out.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        if char == "[" and "]" in pattern[index:]:
            end = pattern.index("]", index)
            out.append(pattern[index : end + 1])
            index = end + 1
            continue
        out.append("[^/]*" if char == "*" else char if char in "?+" else re.escape(char))
        index += 1
    try:
        return re.compile("".join(out) + r"\Z")
    except re.error:
        return None  # a pattern we cannot read is given the benefit of the doubt


def _tag_starts_run(tag: str, included: list[str], ignored: list[str]) -> bool:
    def matches(pattern: str) -> bool:
        compiled = _glob(pattern)
        return compiled is None or compiled.match(tag) is not None

    if included:
        starts = False
        for pattern in included:  # later patterns win; '!' excludes again
            if pattern.startswith("!"):
                starts = starts and not matches(pattern[1:])
            elif matches(pattern):
                starts = True
        return starts
    return not any(matches(pattern) for pattern in ignored)


def check_workflow_publish(world: World) -> Check:
    _, facts = world.workflow
    job = facts.publish_job
    if job is None:
        return Check(
            "workflow-publish",
            "fail",
            f"{WORKFLOW} has no job that uploads to the package index",
            "add a publish job that runs `nox -s publish` (" + _RERENDER + ")",
        )
    if not facts.runs_publish_session:
        return Check(
            "workflow-publish",
            "warn",
            f"job {job} uploads without `nox -s publish`: CI runs other code than a laptop",
            "run `nox -s publish` there (" + _RERENDER + ")",
        )
    return Check("workflow-publish", "pass", f"job {job} runs the nox publish session")


def check_workflow_credentials(world: World) -> Check:
    _, facts = world.workflow
    job = facts.publish_job
    if job is None:
        raise Needs("a publish job (see workflow-publish)")
    name = "workflow-credentials"
    token = PYPI_TOKEN in facts.publish_secrets
    oidc = facts.id_token_in_publish
    if facts.id_token_at_top:
        return Check(
            name,
            "warn",
            f"{WORKFLOW} grants id-token: write to every job",
            "grant it in the publish job's permissions only",
        )
    if not token and not oidc:
        others = ", ".join(facts.publish_secrets)
        return Check(
            name,
            "warn" if others else "fail",
            f"job {job} reads "
            + (f"{others}, not PYPI_TOKEN" if others else "no secret PYPI_TOKEN")
            + ", and has no id-token: write",
            "give its upload step env PYPI_TOKEN: ${{ secrets.PYPI_TOKEN }}, or grant "
            "id-token: write there for trusted publishing",
        )
    how = "trusted publishing (id-token: write)" if oidc else "the PYPI_TOKEN secret"
    if facts.environment is None:
        return Check(
            name,
            "warn",
            f"job {job} publishes with {how} outside any environment",
            "add environment: pypi, protected by required reviewers",
        )
    return Check(name, "pass", f"job {job} publishes with {how} in environment {facts.environment}")


def check_zizmor(world: World) -> Check:
    from releasekit.system import runner

    world.workflow  # noqa: B018 - nothing to audit without a readable release.yml
    found = shutil.which("zizmor", path=world.environ.get("PATH", os.defpath))
    if found is None:
        return Check(
            "zizmor", "skip", "zizmor is not installed (pip install zizmor to audit release.yml)"
        )
    argv = [found, "--offline", "--format", "json", WORKFLOW]
    again = f"run zizmor --offline {WORKFLOW} yourself"
    try:
        result = runner.run(argv, cwd=world.root, timeout=ZIZMOR_TIMEOUT, check=False)
    except CommandError as exc:
        return Check("zizmor", "warn", exc.cause, again)
    try:
        findings: list[Any] = json.loads(result.stdout) if result.stdout.strip() else []
    except ValueError:
        findings = [None]
    if result.returncode not in _ZIZMOR_FINDINGS or not isinstance(findings, list):
        said = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return Check("zizmor", "warn", f"zizmor failed (exit {result.returncode}): {said}", again)
    findings = [f for f in findings if isinstance(f, dict) and not f.get("ignored")]
    if not findings:
        return Check("zizmor", "pass", f"zizmor --offline finds nothing in {WORKFLOW}")
    severities = [str(f.get("determinations", {}).get("severity", "unknown")) for f in findings]
    listed = "; ".join(
        f"{f.get('ident')} ({severity.lower()}{_line(f)})"
        for f, severity in list(zip(findings, severities, strict=True))[:5]
    )
    return Check(
        "zizmor",
        "fail" if "High" in severities else "warn",
        f"zizmor --offline: {len(findings)} finding(s) in {WORKFLOW}: {listed}",
        f"{again} for each finding's fix; {_RERENDER}",
    )


def _line(finding: dict[str, Any]) -> str:
    try:
        row = finding["locations"][0]["concrete"]["location"]["start_point"]["row"]
        return f", line {int(row) + 1}"
    except (KeyError, IndexError, TypeError, ValueError):
        return ""


def check_token(world: World) -> Check:
    from releasekit.publishing import index
    from releasekit.publishing.pypi_token import audit, describe, index_of_url, read_token

    token = world.environ.get(PYPI_TOKEN, "").strip()
    if not token:
        return Check(
            "token",
            "warn",
            "PYPI_TOKEN is not set here (needed only to publish from this machine)",
            "CI reads the PYPI_TOKEN secret or uses trusted publishing; to publish from here, "
            "export a project-scoped token as PYPI_TOKEN",
        )
    repository = index.resolve_repository(world.config.repository)
    target = index.safe_url(repository.upload_url)
    if not token.startswith("pypi-"):
        if index_of_url(repository.upload_url) is None:
            return Check("token", "pass", f"PYPI_TOKEN is set (a password for {target})")
        return Check(
            "token",
            "warn",
            "PYPI_TOKEN is set but is not a PyPI API token (those start with pypi-)",
            "create an API token in your PyPI account settings and put it in PYPI_TOKEN",
        )
    info = read_token(token)
    detail = f"{PYPI_TOKEN} is a {describe(info)}"
    findings = audit(token, repository_url=repository.upload_url, project=world.name)
    errors = [finding.message for finding in findings if finding.level == "error"]
    if errors:
        return Check("token", "fail", detail, "; ".join(errors))
    if findings:
        return Check("token", "warn", detail, "; ".join(f.message for f in findings))
    if not info.readable:
        return Check("token", "warn", detail, "a project-scoped token is recommended")
    return Check("token", "pass", detail)


def check_index(world: World) -> Check:
    """Is the version free on the index? Released-and-tagged is the normal state between releases.

    Right after a release the current version is on the index and tagged: that passes. The
    version on the index *without* its tag here is the case that burns a version number.
    """
    from releasekit.errors import PublishError
    from releasekit.publishing import index

    if world.offline:
        return Check("index", "skip", "--offline: the package index was not asked")
    repository = index.resolve_repository(world.config.repository)
    version, name = world.version, world.name
    where = repository.name
    try:
        files = index.existing_files(repository, name, version, timeout=15)
    except PublishError as exc:
        return Check("index", "warn", exc.cause, "re-run when the index answers, or use --offline")
    tag = world.config.tag(version)
    if not files:
        return Check("index", "pass", f"{name} {version} is not on {where} yet")
    if tag in world.tags:
        return Check(
            "index",
            "pass",
            f"{name} {version} is on {where} and tagged {tag}: released; the next release bumps it",
        )
    return Check(
        "index",
        "fail",
        f"{name} {version} is already on {where} ({', '.join(sorted(files))}) but {tag} is not "
        "tagged here",
        "a version can be uploaded only once: bump past it (releasekit bump --part patch)",
    )


CHECKS: tuple[tuple[str, CheckFunction], ...] = (
    ("workflow", check_workflow),
    ("workflow-trigger", check_workflow_trigger),
    ("workflow-publish", check_workflow_publish),
    ("workflow-credentials", check_workflow_credentials),
    ("zizmor", check_zizmor),
    ("token", check_token),
    ("index", check_index),
)
