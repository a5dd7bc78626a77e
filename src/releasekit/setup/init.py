"""`releasekit init`: give an existing project what a release needs, and nothing it has.

Every content is computed (and validated) before the first write, so a refusal leaves the
project untouched. Files that exist are kept: `force` rewrites the files releasekit owns,
but never a user's own nox sessions, the project's CHANGELOG history or an existing
[tool.releasekit] table (those hold the user's work, not ours).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from releasekit.core import config as config_mod
from releasekit.core.config import PYPROJECT
from releasekit.core.sources import project_name, read_text
from releasekit.errors import ConfigError, ReleaseError

TASKS_LINE = "from releasekit.tasks import *  # noqa: F403\n"
WORKFLOW = ".github/workflows/release.yml"
FINISH_WORKFLOW = ".github/workflows/release-finish.yml"  # the pull-request flow
NOXFILE = "noxfile.py"
RELEASE_SESSIONS = ("build", "publish")
_OUR_BLOCK = re.compile(
    r"^# Release sessions from releasekit:.*?^_releasekit_sessions\(\)[ \t]*(?:\r?\n|\Z)",
    re.MULTILINE | re.DOTALL,
)

Action = Literal["created", "overwritten", "appended", "added", "skipped"]


@dataclass(frozen=True)
class Outcome:
    """What init did with one file; `detail` says why when it left the file alone."""

    path: str
    action: Action
    detail: str = ""

    @property
    def wrote(self) -> bool:
        return self.action != "skipped"


@dataclass(frozen=True)
class InitOptions:
    force: bool = False
    trusted_publishing: bool = False
    environment: str = "pypi"
    repository: str | None = None  # None: [tool.releasekit] repository, else pypi
    releasekit_spec: str = "releasekit"  # what the nox sessions install
    flow: str | None = None  # None: [tool.releasekit] flow; "pull-request" adds release-finish.yml


def nox_sessions(text: str) -> set[str]:
    """Names of the nox sessions a noxfile defines (decorated functions, `name=` honoured)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            target = call.func if call else decorator
            is_session = (isinstance(target, ast.Attribute) and target.attr == "session") or (
                isinstance(target, ast.Name) and target.id == "session"
            )
            if not is_session:
                continue
            name = node.name
            for keyword in call.keywords if call else ():
                value = keyword.value
                if keyword.arg == "name" and isinstance(value, ast.Constant):
                    name = str(value.value)
            names.add(name)
    return names


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _with_newline(text: str, nl: str) -> str:
    return text.replace("\n", nl) if nl != "\n" else text


def _noxfile(existing: str | None, sessions: str, force: bool) -> tuple[Action, str, str]:
    """(action, new text, detail) for noxfile.py: append beside the user's own sessions."""
    if existing is None:
        return "created", sessions, ""
    try:
        defined = nox_sessions(existing)
    except SyntaxError as exc:
        return "skipped", existing, f"not valid Python (line {exc.lineno}): fix it and re-run"
    nl = _newline(existing)
    ours = _OUR_BLOCK.search(existing)
    if ours is not None:
        if not force:
            return "skipped", existing, "already has the releasekit sessions (--force renews them)"
        block = _with_newline(sessions, nl)
        return "overwritten", existing[: ours.start()] + block + existing[ours.end() :], ""
    theirs = sorted(set(RELEASE_SESSIONS) & defined)
    if theirs:
        listed = " and ".join(theirs)
        return "skipped", existing, f"defines its own {listed} session(s): kept as they are"
    if not existing.strip():
        return "appended", sessions, "the file was empty"
    tail = existing[len(existing.rstrip("\r\n")) :]
    gap = nl * max(0, 3 - tail.count("\n"))  # two blank lines before the block
    appended = existing + gap + _with_newline(sessions, nl)
    return "appended", appended, "build and publish sessions added after the existing ones"


def _pyproject_table(text: str, values: dict[str, str]) -> str:
    """`text` with a [tool.releasekit] table appended; every existing byte stays as it was."""
    import tomlkit

    nl = _newline(text)
    lines = [
        "[tool.releasekit]",
        *(f"{k} = {tomlkit.item(v).as_string()}" for k, v in values.items()),
    ]
    gap = "" if not text else (nl if text.endswith("\n") else nl * 2)
    new = text + gap + nl.join(lines) + nl
    try:
        parsed = tomlkit.parse(new).unwrap()
    except Exception:  # tomlkit raises several kinds; all mean the same here
        parsed = {}
    if parsed.get("tool", {}).get("releasekit") != values:
        snippet = "; ".join(lines[1:])
        raise ConfigError(
            f"cannot append [tool.releasekit] to {PYPROJECT} safely",
            f"add the table by hand: [tool.releasekit] {snippet}",
        )
    return new


def _detect_git(root: Path) -> tuple[str, str]:
    """(branch, remote): the current branch, else main; origin, else the only remote."""
    from releasekit.system.git import Git

    git = Git(root)
    try:
        inside = git.is_repository()
        branch = git.branch() if inside else None
        remotes = (git.query("remote") or "").split() if inside else []
    except ReleaseError:  # git itself is missing: the defaults will do
        branch, remotes = None, []
    remote = "origin" if "origin" in remotes or len(remotes) != 1 else remotes[0]
    return branch or "main", remote


def _existing_changelog(
    root: Path, data: dict[str, Any], config: config_mod.Config, name: str
) -> str | None:
    """The changelog the project already keeps (any detected format), or None."""
    from releasekit.core.changelogs import detect

    kept = detect(root, data, config, name)
    if not kept.paths:  # changelog = "none"
        return config.changelog
    present = [path for path in kept.paths if (root / path).exists()]
    if present or kept.paths[0] != config.changelog:
        return present[0] if present else kept.paths[0]
    return None


def plan_init(root: Path, options: InitOptions) -> list[tuple[Outcome, str, str]]:
    """(outcome, file, new text) for every file init would touch; nothing is written here."""
    from releasekit.core import changelog, workspace
    from releasekit.setup import workflow

    found = workspace.members(root, workspace.root_data(root))
    text = read_text(root / PYPROJECT) if (root / PYPROJECT).is_file() or not found else ""
    data = config_mod.read_pyproject(root) if text or not found else {}
    config = config_mod.load(root, data)
    name = found[0].name if found else project_name(data, root)
    has_table = isinstance(data.get("tool", {}).get("releasekit"), dict)
    repository = options.repository or (config.repository if has_table else "pypi")
    runners, matrix = _wheel_runners(root, data, config) if not found else ((), "")
    flow = options.flow or config.flow
    if flow not in config_mod.FLOWS:
        raise ConfigError(
            f"flow {flow!r} is not one of push, pull-request", "pass --flow pull-request or push"
        )
    workflow_options = workflow.WorkflowOptions(
        project=name,
        tag_format=config.tag_format,
        trusted_publishing=options.trusted_publishing,
        environment=options.environment,
        repository=repository,
        wheel_runners=runners,
        members=tuple((m.name, _member_tag_format(root, data, m)) for m in found),
    )
    release_yml = workflow.render_release(workflow_options)
    branch, remote = (config.branch, config.remote) if has_table else _detect_git(root)
    finish_yml = None
    if flow == "pull-request":
        finish_yml = workflow.render_release_finish(
            workflow_options, branch, options.releasekit_spec
        )
    sessions = workflow.render_nox_sessions(default_spec=options.releasekit_spec)
    planned = [_whole_file(root, "tasks.py", TASKS_LINE, options.force)]
    noxfile = root / NOXFILE
    current = read_text(noxfile) if noxfile.is_file() else None
    action, new, detail = _noxfile(current, sessions, options.force)
    planned.append((Outcome(NOXFILE, action, detail), NOXFILE, new))
    planned.append(_whole_file(root, WORKFLOW, release_yml, options.force, matrix))
    if finish_yml is not None:
        planned.append(_whole_file(root, FINISH_WORKFLOW, finish_yml, options.force))
    # In a workspace each member keeps its own changelog: none is made at the root.
    existing = _existing_changelog(root, data, config, name) if not found else None
    if found:
        planned.append((Outcome("CHANGELOG.md", "skipped", "each package keeps its own"), "", ""))
    elif existing is not None:
        kept = "kept: it holds the project's history" + (" (even with --force)" * options.force)
        planned.append((Outcome(existing, "skipped", kept), existing, ""))
    else:
        planned.append((Outcome(config.changelog, "created"), config.changelog, changelog.SKELETON))
    label = f"{PYPROJECT} [tool.releasekit]"
    if not text:
        missing = Outcome(label, "skipped", f"no {PYPROJECT} at the root: the defaults apply")
        planned.append((missing, PYPROJECT, ""))
    elif has_table:
        skipped = Outcome(label, "skipped", "the table exists: left as it is")
        planned.append((skipped, PYPROJECT, text))
    else:
        values = {"branch": branch, "remote": remote, "repository": repository}
        if flow != config.flow:
            values["flow"] = flow
        detail = ", ".join(f"{key} = {value}" for key, value in values.items())
        added = Outcome(label, "added", detail)
        planned.append((added, PYPROJECT, _pyproject_table(text, values)))
    return planned


def _member_tag_format(root: Path, data: dict[str, Any], member: Any) -> str:
    """A workspace member's tag format, as its releases make its tags."""
    if member.path == ".":
        return config_mod.load(root, data).tag_format
    own = config_mod.read_pyproject(root / member.path)
    return config_mod.load_member(data, own, member.name).tag_format


def _wheel_runners(
    root: Path, data: dict[str, Any], config: config_mod.Config
) -> tuple[tuple[str, ...], str]:
    """The wheel matrix's runners (none: pure Python, one build job) and why, for the report.

    Compiled code gets the default runners; [tool.releasekit] wheel-runners chooses others.
    """
    from releasekit.core.compiled import detect
    from releasekit.setup.workflow import DEFAULT_WHEEL_RUNNERS

    found = detect(root, data)
    if config.wheel_runners:
        runners, source = config.wheel_runners, "from [tool.releasekit] wheel-runners"
    elif found.compiled:
        runners, source = DEFAULT_WHEEL_RUNNERS, "set [tool.releasekit] wheel-runners to change"
    else:
        return (), ""
    why = f"compiled code ({', '.join(found.reasons)}): " if found.compiled else ""
    return runners, f"{why}cibuildwheel on {', '.join(runners)} ({source})"


def _whole_file(
    root: Path, path: str, content: str, force: bool, detail: str = ""
) -> tuple[Outcome, str, str]:
    if not (root / path).exists():
        return Outcome(path, "created", detail), path, content
    if not force:
        if path == "tasks.py" and "releasekit.tasks" not in read_text(root / path):
            hint = f"exists: add `{TASKS_LINE.strip()}` to it"
            return Outcome(path, "skipped", hint), path, ""
        return Outcome(path, "skipped", "exists (--force overwrites it)"), path, ""
    return Outcome(path, "overwritten", detail), path, content


def init(root: Path, options: InitOptions | None = None) -> list[Outcome]:
    """Write what is missing; return what was written and what was left alone, in order."""
    planned = plan_init(root, options or InitOptions())
    for outcome, file, content in planned:
        if outcome.wrote:
            path = root / file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("utf-8"))
    return [outcome for outcome, _, _ in planned]


def next_steps(root: Path, options: InitOptions | None = None) -> list[str]:
    """What only the maintainer can do: the credentials, then a check."""
    from releasekit.core import workspace

    options = options or InitOptions()
    found = workspace.members(root, workspace.root_data(root))
    data = config_mod.read_pyproject(root) if (root / PYPROJECT).is_file() or not found else {}
    config = config_mod.load(root, data)
    name = " and ".join(member.name for member in found) or project_name(data, root)
    repository = options.repository or config.repository
    host = "test.pypi.org" if repository == "testpypi" else "pypi.org"
    env = options.environment
    github = _github_repository(root, config.remote)
    if options.trusted_publishing:
        steps = [
            f"On {host}, add a trusted publisher to {name} (project Settings > Publishing; for a "
            "new project, your account's Publishing page): "
            f"repository {github or 'OWNER/REPOSITORY'}, workflow release.yml, environment {env}.",
            f"On GitHub, create the environment {env} (Settings > Environments), "
            "ideally with required reviewers.",
        ]
    elif len(found) > 1:
        steps = [
            f"On {host}, a project-scoped token covers one project, and release.yml uploads "
            f"{name}: prefer trusted publishing (releasekit init --trusted-publishing --force), "
            f"or create an account-wide API token (https://{host}/manage/account/token/).",
            f"On GitHub{f' ({github})' if github else ''}, create the environment {env} "
            "(Settings > Environments), ideally with required reviewers.",
            "Store the token as that environment's secret PYPI_TOKEN: `releasekit secret set`.",
        ]
    else:
        steps = [
            f"On {host}, create an API token scoped to the project {name} "
            f"(https://{host}/manage/account/token/; a project's very first upload needs an "
            "account-wide token, replaced by a project-scoped one afterwards).",
            f"On GitHub{f' ({github})' if github else ''}, create the environment {env} "
            "(Settings > Environments), ideally with required reviewers.",
            "Store the token as that environment's secret PYPI_TOKEN: `releasekit secret set` "
            "reads it from stdin or a hidden prompt, checks it and encrypts it for GitHub "
            "(needs GITHUB_TOKEN or GH_TOKEN).",
        ]
    if (options.flow or config.flow) == "pull-request":
        steps.append(
            "release-finish.yml tags merged release pull requests with the workflow's own token, "
            "which starts no release.yml: it builds and publishes itself"
            + (f" (add it as a second trusted publisher on {host})" * options.trusted_publishing)
            + ". To have release.yml publish instead, store a token with contents: write as "
            "repository secret RELEASE_TOKEN."
        )
        if config.flow != "pull-request":
            steps.append(
                'Set flow = "pull-request" in [tool.releasekit], so that `releasekit release` '
                "opens the release pull request (or pass --via-pr each time)."
            )
    steps += [
        "Commit the new files, then run `releasekit doctor --online` to check the release setup.",
    ]
    return [f"{number}. {step}" for number, step in enumerate(steps, 1)]


def _github_repository(root: Path, remote: str) -> str | None:
    from releasekit.github.api import parse_remote
    from releasekit.system.git import Git

    try:
        url = Git(root).remote_url(remote)
    except ReleaseError:
        return None
    found = parse_remote(url) if url else None
    return "/".join(found) if found else None
