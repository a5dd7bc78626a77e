"""`releasekit secret`: put a checked PyPI token into GitHub as the PYPI_TOKEN secret.

The token is read from standard input or a hidden prompt (never argv), audited offline
(index, project scope, expiry), sealed to the repository's public key with libsodium
(PyNaCl, imported when needed) and sent once, encrypted. Nothing here prints; the token
is never kept, returned or put into a message.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

from releasekit.errors import ConfigError, GitHubError, ReleaseError
from releasekit.github.api import GitHubAPIError, GitHubClient, secrets_path
from releasekit.system.facts import PYPI_TOKEN

if TYPE_CHECKING:
    from releasekit.publishing.index import Repository

SECRET_NAME = PYPI_TOKEN
MAX_INPUT = 64 * 1024
_RIGHTS = "Secrets: read and write (fine-grained token; classic tokens: the repo scope)"
_ENV_RIGHTS = "Environments: read and write (fine-grained token; classic tokens: the repo scope)"


@dataclass(frozen=True)
class Advice:
    """Where to create the token and what to call it: what a maintainer needs before pasting."""

    project: str
    index: str  # "pypi.org", "test.pypi.org" or the upload URL of another index
    token_page: str | None

    @property
    def token_name(self) -> str:
        return f"{self.project}-github-actions"

    def lines(self) -> list[str]:
        if self.token_page is None:
            return [f"Use an upload token or password for {self.index} ({self.project})."]
        return [
            f"Create the token on {self.index}: {self.token_page}",
            f"  name: {self.token_name}",
            f"  scope: Project: {self.project}",
        ]


@dataclass(frozen=True)
class TokenVerdict:
    """What the offline audit found: a description holding no part of the token, warnings."""

    description: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class SecretPlan:
    """Everything decided before the token is read: project, index, where the secret goes."""

    project: str
    repository_url: str
    advice: Advice
    client: GitHubClient
    environment: str | None
    reason: str  # why there (release.yml's publish job, or the flag)

    @property
    def where(self) -> str:
        if self.environment is None:
            return f"repository {self.client.repo}"
        return f"environment {self.environment} of {self.client.repo}"


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    key: bytes


@dataclass(frozen=True)
class StoredSecret:
    """What `store` did: `action` is created (201) or updated (204)."""

    name: str
    where: str
    action: Literal["created", "updated"]
    at: str
    verdict: TokenVerdict

    def summary(self) -> str:
        return f"{self.name} {self.action} as a secret of {self.where} at {self.at}."


def advice(project: str, repository_url: str) -> Advice:
    """The token page of the index the project publishes to."""
    from releasekit.publishing.index import safe_url
    from releasekit.publishing.pypi_token import index_of_url

    index = index_of_url(repository_url)
    if index is None:
        return Advice(project, safe_url(repository_url), None)
    return Advice(project, index, f"https://{index}/manage/account/token/")


def read_token_input(stream: IO[str], ask: Callable[[str], str] | None = None) -> str:
    """The token from `stream` when it is piped, else from a hidden prompt (getpass)."""
    if stream.isatty():
        import getpass

        try:
            text = (ask or getpass.getpass)("PyPI token (input hidden): ")
        except EOFError:
            text = ""
        source = "the prompt"
    else:
        text = stream.read(MAX_INPUT + 1)
        source = "standard input"
        if len(text) > MAX_INPUT:
            raise ReleaseError(
                f"{source} holds more than {MAX_INPUT} bytes, not a token",
                "pipe the token alone, or run in a terminal to be asked for it",
            )
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ReleaseError(
            f"no token on {source}",
            "pipe it in (e.g. from a password manager) or run in a terminal to be asked",
        )
    if len(lines) > 1 or any(char.isspace() for char in lines[0]):
        raise ReleaseError(
            f"{source} holds more than one word, a token is one",
            "give the token alone, on one line",
        )
    return lines[0]


def audit_token(
    token: str,
    *,
    project: str,
    repository_url: str,
    now: float | None = None,
    storing: bool = True,
) -> TokenVerdict:
    """Refuse a token PyPI would refuse (other index, other project, expired); warn on the rest."""
    from releasekit.publishing import pypi_token as tokens
    from releasekit.publishing.index import safe_url

    target = tokens.index_of_url(repository_url)
    page = advice(project, repository_url).token_page
    again = "secret set" if storing else "secret check"
    stored = "nothing was stored; " if storing else ""
    if not token.startswith(tokens.PREFIX):
        if target is None:
            return TokenVerdict(f"a password for {safe_url(repository_url)}", ())
        raise ReleaseError(
            f"this is not a PyPI API token (those start with {tokens.PREFIX})",
            f"{stored}create an API token on {target} ({page}) and run releasekit {again} again",
        )
    info = tokens.read_token(token)
    findings = tokens.audit(token, repository_url=repository_url, project=project, now=now)
    errors = [finding.message for finding in findings if finding.level == "error"]
    if errors:
        raise ReleaseError(
            "the token cannot publish " + project + ": " + "; ".join(errors),
            f"{stored}run releasekit {again} again with the right token",
        )
    warnings = [finding.message for finding in findings]
    if not info.projects and not info.account_wide:
        warnings.append(
            "the token's scope cannot be read offline: make sure it is scoped to " + project
        )
    return TokenVerdict("a " + tokens.describe(info), tuple(warnings))


def project_target(root: Path, repository: str | None = None) -> tuple[str, Repository]:
    """The project's name and the index it publishes to (`repository` overrides the config)."""
    from releasekit.core import config as config_mod
    from releasekit.core.sources import project_name
    from releasekit.publishing import index

    data = config_mod.read_pyproject(root)
    target = index.resolve_repository(repository or config_mod.load(root, data).repository)
    return project_name(data, root), target


def prepare(
    root: Path,
    *,
    environ: Mapping[str, str],
    environment: str | None = None,
    repository_secret: bool = False,
    repository: str | None = None,
) -> SecretPlan:
    """Decide, offline, which project, index and GitHub scope the secret is for."""
    from releasekit.core import config as config_mod
    from releasekit.github import api as github
    from releasekit.system.git import Git

    if environment is not None and repository_secret:
        raise ConfigError(
            "--environment and --repository-secret contradict each other", "choose one"
        )
    project, target = project_target(root, repository)
    remote = Git(root).remote_url(config_mod.load(root).remote)
    client = github.client_from_env(environ, remote, timeout=30)
    if environment is not None:
        chosen, reason = environment.strip(), "--environment"
        if not chosen or "/" in chosen:
            raise ConfigError(f"environment name {environment!r} is not usable", "e.g. pypi")
    elif repository_secret:
        chosen, reason = None, "--repository-secret"
    else:
        chosen, reason = _where_release_yml_reads(root)
    return SecretPlan(
        project, target.upload_url, advice(project, target.upload_url), client, chosen, reason
    )


def _where_release_yml_reads(root: Path) -> tuple[str | None, str]:
    """The publish job's environment, or the repository when it runs outside any."""
    from releasekit.core.sources import read_text
    from releasekit.setup.init import WORKFLOW
    from releasekit.setup.workflow_facts import inspect_workflow

    choose = "choose with --environment NAME or --repository-secret"
    path = root / WORKFLOW
    if not path.is_file():
        raise ConfigError(
            f"cannot tell where release.yml reads {SECRET_NAME}: {WORKFLOW} does not exist",
            f"run releasekit init first, or {choose}",
        )
    try:
        facts = inspect_workflow(read_text(path))
    except ConfigError as exc:
        raise ConfigError(f"{WORKFLOW}: {exc.cause}", f"{exc.fix}, or {choose}") from exc
    if facts.publish_job is None:
        raise ConfigError(
            f"{WORKFLOW} has no job that uploads to the package index",
            f"run releasekit init --force, or {choose}",
        )
    if SECRET_NAME not in facts.publish_secrets:
        how = "trusted publishing (id-token: write)" if facts.id_token_in_publish else "no token"
        raise ConfigError(
            f"job {facts.publish_job} of {WORKFLOW} reads no {SECRET_NAME} secret (it uses {how})",
            f"nothing to store; to store it anyway, {choose}",
        )
    job = f"job {facts.publish_job} of {WORKFLOW}"
    if facts.environment is None:
        return None, f"{job} reads it outside any environment"
    return facts.environment, f"{job} runs in environment {facts.environment}"


def _scope_path(plan: SecretPlan) -> str:
    return secrets_path(plan.client.repo_path, plan.environment)


def _rights(plan: SecretPlan) -> str:
    return _RIGHTS if plan.environment is None else _ENV_RIGHTS


def public_key(plan: SecretPlan) -> PublicKey:
    """The key GitHub seals this scope's secrets to (asked before the token is read)."""
    try:
        _, found = plan.client.request(
            "GET", _scope_path(plan) + "/public-key", permission=_rights(plan)
        )
    except GitHubAPIError as error:
        raise _explain(plan, error) from None
    try:
        key = base64.b64decode(str(found["key"]), validate=True)
        key_id = str(found["key_id"])
    except (KeyError, TypeError, binascii.Error):
        key, key_id = b"", ""
    if len(key) != 32 or not key_id:
        raise GitHubError(
            f"GitHub sent no usable public key for {plan.where}",
            "check GITHUB_API_URL: it must point at GitHub's REST API",
        )
    return PublicKey(key_id, key)


def seal(value: str, key: PublicKey) -> str:
    """libsodium's sealed box (crypto_box_seal) of `value`, base64: only GitHub can open it."""
    try:
        from nacl.public import PublicKey as NaclKey
        from nacl.public import SealedBox
    except ModuleNotFoundError:
        raise ReleaseError(
            "PyNaCl is not installed (it encrypts the secret for GitHub)", "pip install pynacl"
        ) from None
    sealed = SealedBox(NaclKey(key.key)).encrypt(value.encode("utf-8"))
    return base64.b64encode(sealed).decode("ascii")


def store(
    plan: SecretPlan,
    token: str,
    *,
    key: PublicKey | None = None,
    now: dt.datetime | None = None,
) -> StoredSecret:
    """Audit `token`, seal it and PUT it as PYPI_TOKEN where `plan` says."""
    verdict = audit_token(token, project=plan.project, repository_url=plan.repository_url)
    key = key or public_key(plan)
    body = {"encrypted_value": seal(token, key), "key_id": key.key_id}
    try:
        status, _ = plan.client.request(
            "PUT", f"{_scope_path(plan)}/{SECRET_NAME}", body=body, permission=_rights(plan)
        )
    except GitHubAPIError as error:
        raise _explain(plan, error) from None
    when = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    return StoredSecret(
        SECRET_NAME,
        plan.where,
        "created" if status == 201 else "updated",
        when.strftime("%Y-%m-%d %H:%M UTC"),
        verdict,
    )


def _explain(plan: SecretPlan, error: GitHubAPIError) -> GitHubError:
    """GitHub's refusal as one line about secrets, with the fix."""
    repo = plan.client.repo
    if error.status == 401:
        return GitHubError(
            "GitHub rejected the GitHub token (401 Bad credentials); nothing was stored",
            f"put a valid token in GITHUB_TOKEN or GH_TOKEN, with {_rights(plan)}",
        )
    if error.status == 403 and not error.rate_limited:
        return GitHubError(
            f"the GitHub token has no right to the Actions secrets of {repo} (403); "
            "nothing was stored",
            f"give it {_rights(plan)} on {repo}",
        )
    if error.status == 404:
        if plan.environment is not None and _repository_visible(plan.client):
            return GitHubError(
                f"{repo} has no environment {plan.environment} (404); nothing was stored",
                "create it under Settings > Environments (add required reviewers), "
                "or store a repository secret with --repository-secret",
            )
        return GitHubError(
            f"GitHub has no repository {repo} this token can see (404); nothing was stored",
            "check GITHUB_REPOSITORY / the git remote, and that the token may access it",
        )
    if error.status == 422:
        return GitHubError(
            f"GitHub refused the secret {SECRET_NAME} for {plan.where} (422 {error.detail}); "
            "nothing was stored",
            "run releasekit secret set again: it fetches the current public key",
        )
    return error


def _repository_visible(client: GitHubClient) -> bool:
    try:
        client.request("GET", client.repo_path)
    except GitHubError:
        return False
    return True
