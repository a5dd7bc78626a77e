"""Doctor's GitHub checks (`releasekit doctor --online`): what release.yml needs on GitHub.

The PYPI_TOKEN secret where release.yml reads it (or trusted publishing instead), its age,
the publish environment's protection, a ruleset on the release tags, the last release runs.
Each fact is asked once; a refusal (403) turns its own check into a warning naming the right
the token lacks, and never stops the report. `now` is injectable for exact age boundaries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from releasekit.doctor.model import Check, CheckFunction, Needs, World
from releasekit.errors import GitHubError
from releasekit.github.api import secrets_path
from releasekit.system.facts import GITHUB_TOKENS, PYPI_TOKEN

if TYPE_CHECKING:
    from releasekit.github.api import GitHubClient
    from releasekit.setup.workflow_facts import WorkflowFacts

SECRET = PYPI_TOKEN
WARN_AGE = dt.timedelta(days=183)  # about 6 months
FAIL_AGE = dt.timedelta(days=365)  # 12 months
RUNS = 5
_FAILED = {"failure", "timed_out", "startup_failure"}
_ROTATE = (
    "rotate it: create a new project-scoped token on PyPI, run releasekit secret set, "
    "then delete the old token on PyPI"
)


@dataclass(frozen=True)
class SecretState:
    """Where PYPI_TOKEN was found (`where` None: nowhere) or that none is needed (trusted)."""

    where: str | None
    updated_at: str | None = None
    trusted: bool = False
    note: str = ""


class Online:
    """GitHub as doctor sees it: one client, each answer asked once, failures remembered."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or dt.datetime.now(dt.timezone.utc)
        self._client: GitHubClient | None = None
        self._missing = "GitHub access (see github)"
        self._secret: SecretState | None = None
        self._secret_error: GitHubError | None = None

    def checks(self) -> tuple[tuple[str, CheckFunction], ...]:
        return (
            ("github", self.check_github),
            ("secret", self.check_secret),
            ("secret-age", self.check_secret_age),
            ("environment", self.check_environment),
            ("tag-ruleset", self.check_tag_ruleset),
            ("release-runs", self.check_release_runs),
        )

    def client(self) -> GitHubClient:
        if self._client is None:
            raise Needs(self._missing)
        return self._client

    # -- the connection ---------------------------------------------------------------------
    def check_github(self, world: World) -> Check:
        from releasekit.github import api as github

        names = [name for name in GITHUB_TOKENS if world.environ.get(name, "").strip()]
        if not names:
            self._missing = "a GitHub token (see github)"
            return Check(
                "github",
                "skip",
                "no GITHUB_TOKEN or GH_TOKEN: the GitHub checks were not run",
                "export GITHUB_TOKEN with read access to the repository's secrets, environments, "
                "actions and metadata, then run releasekit doctor --online again",
            )
        remote = world.git.remote_url(world.config.remote) if world.is_repository else None
        try:
            client = github.client_from_env(world.environ, remote, timeout=15)
            client.request("GET", client.repo_path, permission=_right("Metadata"))
        except github.GitHubAPIError as error:
            if error.status == 401:
                return Check(
                    "github",
                    "fail",
                    f"GitHub rejected the token in {names[0]} (401 Bad credentials)",
                    f"create a new token and put it in {names[0]}",
                )
            if error.status == 404:
                return Check(
                    "github",
                    "fail",
                    f"GitHub has no repository {client.repo} that this token can see (404)",
                    "check GITHUB_REPOSITORY / the git remote, and the token's repository access",
                )
            return Check("github", "fail", error.cause, error.fix)
        except GitHubError as error:  # not on GitHub, or GitHub cannot be reached
            return Check("github", "warn", error.cause, error.fix)
        self._client = client
        return Check("github", "pass", f"{client.repo} at {client.api_url}, token from {names[0]}")

    # -- the PYPI_TOKEN secret --------------------------------------------------------------
    def secret_state(self, world: World) -> SecretState:
        """Where release.yml's publish job gets PYPI_TOKEN from, asked once."""
        if self._secret_error is not None:
            raise self._secret_error
        if self._secret is None:
            try:
                self._secret = self._find_secret(world)
            except GitHubError as error:
                self._secret_error = error
                raise
        return self._secret

    def _find_secret(self, world: World) -> SecretState:
        client = self.client()
        _, facts = world.workflow
        if facts.publish_job is None:
            raise Needs("a publish job (see workflow-publish)")
        job = facts.publish_job
        if SECRET not in facts.publish_secrets:
            if facts.id_token_in_publish:
                return SecretState(None, trusted=True, note=f"job {job}")
            raise Needs(f"a publish job that reads {SECRET} (see workflow-credentials)")
        base = client.repo_path
        environment = facts.environment
        if environment is not None:
            path = f"{secrets_path(base, environment)}/{SECRET}"
            found = _get(client, path, _right("Environments"))
            if found is not None:
                return SecretState(f"environment {environment}", _text(found, "updated_at"))
        found = _get(client, f"{secrets_path(base, None)}/{SECRET}", _right("Secrets"))
        if found is None:
            return SecretState(None)
        note = f" (environment {environment} has none)" if environment else ""
        return SecretState(f"repository {client.repo}{note}", _text(found, "updated_at"))

    def check_secret(self, world: World) -> Check:
        try:
            state = self.secret_state(world)
        except GitHubError as error:
            return _refused("secret", error, f"cannot read the {SECRET} secret")
        if state.trusted:
            return Check(
                "secret",
                "pass",
                f"{state.note} uses trusted publishing (id-token: write) and reads no {SECRET}; "
                "PyPI's trusted publisher settings cannot be checked from here",
            )
        _, facts = world.workflow
        if state.where is None:
            place = f"environment {facts.environment} nor " if facts.environment else ""
            return Check(
                "secret",
                "fail",
                f"no {SECRET} secret in {place}the repository {self.client().repo}: "
                f"job {facts.publish_job} would upload without a token",
                "create a project-scoped token on PyPI, then run releasekit secret set",
            )
        return Check("secret", "pass", f"{SECRET} is a secret of {state.where}")

    def check_secret_age(self, world: World) -> Check:
        try:
            state = self.secret_state(world)
        except GitHubError:
            raise Needs(f"the {SECRET} secret (see secret)") from None
        if state.trusted:
            return Check("secret-age", "pass", "trusted publishing: no stored token to rotate")
        if state.where is None:
            raise Needs(f"the {SECRET} secret (see secret)")
        updated = _parse_time(state.updated_at)
        if updated is None:
            return Check(
                "secret-age",
                "warn",
                f"GitHub gave no readable date for {SECRET} ({state.updated_at!r})",
                _ROTATE + " if it is older than 6 months",
            )
        age = max(self.now - updated, dt.timedelta(0))
        said = f"{SECRET} was last set on {updated:%Y-%m-%d}, {age.days} days ago"
        if age > FAIL_AGE:
            return Check("secret-age", "fail", f"{said}: over 12 months", _ROTATE)
        if age > WARN_AGE:
            return Check("secret-age", "warn", f"{said}: over 6 months", _ROTATE)
        return Check("secret-age", "pass", f"{said} (rotate every 6 to 12 months)")

    # -- environment, tags, runs ------------------------------------------------------------
    def check_environment(self, world: World) -> Check:
        client = self.client()
        facts = _publish_facts(world)
        name = facts.environment
        if name is None:
            raise Needs("an environment on the publish job (see workflow-credentials)")
        path = f"{client.repo_path}/environments/{quote(name, safe='')}"
        protect = (
            f"add required reviewers under Settings > Environments > {name}, "
            "and limit its deployment branches and tags to the release tags"
        )
        try:
            found = _get(client, path, _right("Actions"))
        except GitHubError as error:
            return _refused("environment", error, f"cannot read the environment {name}")
        if found is None:
            return Check(
                "environment",
                "warn",
                f"{client.repo} has no environment {name}: the first run creates it unprotected",
                f"create it under Settings > Environments; {protect}",
            )
        rules = found.get("protection_rules") if isinstance(found, dict) else None
        listed = rules if isinstance(rules, list) else []
        kinds = [rule for rule in listed if isinstance(rule, dict)]
        shields: list[str] = []
        for rule in kinds:
            if rule.get("type") == "required_reviewers":
                count = len(rule.get("reviewers") or [])
                shields.append(f"{count} required reviewer{'s' if count != 1 else ''}")
        policy = found.get("deployment_branch_policy") if isinstance(found, dict) else None
        if isinstance(policy, dict) or any(rule.get("type") == "branch_policy" for rule in kinds):
            shields.append("a deployment branch policy")
        if not shields:
            return Check(
                "environment",
                "warn",
                f"environment {name} has no protection rules: any run can use its secrets",
                protect,
            )
        return Check("environment", "pass", f"environment {name} has " + " and ".join(shields))

    def check_tag_ruleset(self, world: World) -> Check:
        client = self.client()
        tag_format = world.config.tag_format
        pattern = tag_format.partition("{version}")[0] + "*"
        ref = "refs/tags/" + tag_format.replace("{version}", "1.4.0")
        fix = (
            f"Settings > Rules > Rulesets > New tag ruleset: target tags matching {pattern}, "
            "restrict creations, updates and deletions to maintainers"
        )
        try:
            listed = _get(client, f"{client.repo_path}/rulesets", _right("Metadata"))
            covering = [
                ruleset for ruleset in _tag_rulesets(client, listed or []) if _covers(ruleset, ref)
            ]
        except GitHubError as error:
            return _refused("tag-ruleset", error, "cannot read the repository's rulesets")
        active = [ruleset for ruleset in covering if ruleset.get("enforcement") == "active"]
        if active:
            return Check(
                "tag-ruleset", "pass", f"ruleset {active[0].get('name')!r} protects {pattern} tags"
            )
        if covering:
            mode = covering[0].get("enforcement")
            return Check(
                "tag-ruleset",
                "warn",
                f"ruleset {covering[0].get('name')!r} covers {pattern} tags but is {mode}",
                "set its enforcement to Active",
            )
        return Check(
            "tag-ruleset",
            "warn",
            f"no tag ruleset protects the release tags ({pattern}): "
            "anyone with write access can move or delete them",
            fix,
        )

    def check_release_runs(self, world: World) -> Check:
        from releasekit.setup.init import WORKFLOW

        client = self.client()
        world.workflow  # noqa: B018 - no runs to read without a release.yml
        file = WORKFLOW.rsplit("/", 1)[-1]
        path = f"{client.repo_path}/actions/workflows/{file}/runs?per_page={RUNS}"
        try:
            found = _get(client, path, _right("Actions"))
        except GitHubError as error:
            return _refused("release-runs", error, f"cannot read the runs of {file}")
        if found is None:
            return Check(
                "release-runs",
                "warn",
                f"GitHub knows no workflow {file} in {client.repo}",
                f"commit {WORKFLOW} and push it to the default branch",
            )
        runs = found.get("workflow_runs") if isinstance(found, dict) else None
        runs = [run for run in runs if isinstance(run, dict)] if isinstance(runs, list) else []
        if not runs:
            return Check("release-runs", "pass", f"{file} has not run yet")
        listed = ", ".join(_describe(run) for run in runs[:RUNS])
        failures = [run for run in runs if run.get("conclusion") in _FAILED]
        detail = f"last {len(runs[:RUNS])} run(s) of {file}: {listed}"
        if runs[0].get("conclusion") in _FAILED:
            return Check(
                "release-runs",
                "warn",
                f"{detail}; the last one failed: {runs[0].get('html_url')}",
                "open that run, fix what its log says, then re-run it (Re-run failed jobs) "
                "or run the workflow again with the tag",
            )
        if failures:
            detail += f"; last failure: {failures[0].get('html_url')}"
        return Check("release-runs", "pass", detail)


def checks(now: dt.datetime | None = None) -> tuple[tuple[str, CheckFunction], ...]:
    """The GitHub checks, in report order, sharing one connection."""
    return Online(now).checks()


def _publish_facts(world: World) -> WorkflowFacts:
    _, facts = world.workflow
    if facts.publish_job is None:
        raise Needs("a publish job (see workflow-publish)")
    return facts


def _get(client: GitHubClient, path: str, permission: str) -> Any:
    """GET `path`: the JSON, or None on 404; other refusals raise."""
    from releasekit.github.api import GitHubAPIError

    try:
        _, found = client.request("GET", path, permission=permission)
    except GitHubAPIError as error:
        if error.status == 404:
            return None
        raise
    return found


def _right(name: str) -> str:
    """How GitHub's 403 fix names a read permission (fine-grained tokens)."""
    return f"the {name}: read permission"


def _refused(name: str, error: GitHubError, what: str) -> Check:
    """A check GitHub would not answer: a warning with the right to add, not a crash."""
    from releasekit.github.api import GitHubAPIError

    if isinstance(error, GitHubAPIError) and error.status == 403 and not error.rate_limited:
        return Check(name, "warn", f"{what} (403: the token lacks the right)", error.fix)
    return Check(name, "warn", error.cause, error.fix)


def _tag_rulesets(client: GitHubClient, listed: Any) -> list[dict[str, Any]]:
    """Tag rulesets with their conditions (the list omits them: fetched by id, at most 20)."""
    found: list[dict[str, Any]] = []
    items = [item for item in listed if isinstance(item, dict)] if isinstance(listed, list) else []
    for item in items[:20]:
        if item.get("target", "tag") != "tag":
            continue
        if "conditions" not in item and isinstance(item.get("id"), int):
            item = _get(client, f"{client.repo_path}/rulesets/{item['id']}", _right("Metadata"))
        if isinstance(item, dict) and item.get("target") == "tag":
            found.append(item)
    return found


def _covers(ruleset: dict[str, Any], ref: str) -> bool:
    conditions = ruleset.get("conditions")
    names = conditions.get("ref_name") if isinstance(conditions, dict) else None
    if not isinstance(names, dict):
        return False

    def matches(patterns: Any) -> bool:
        listed = patterns if isinstance(patterns, list) else []
        return any(p == "~ALL" or fnmatchcase(ref, str(p)) for p in listed)

    return matches(names.get("include")) and not matches(names.get("exclude"))


def _describe(run: dict[str, Any]) -> str:
    outcome = run.get("conclusion") or run.get("status") or "unknown"
    return f"{run.get('head_branch') or '?'} {outcome}"


def _text(found: Any, key: str) -> str | None:
    value = found.get(key) if isinstance(found, dict) else None
    return value if isinstance(value, str) else None


def _parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
