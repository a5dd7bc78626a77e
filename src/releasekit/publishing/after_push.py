"""The public half of a release: build, upload, GitHub release.

The same functions serve `invoke release --publish` after the push (the manual
path) and `nox -s build` / `nox -s publish` in release.yml (the automated path).
Each is idempotent, so re-running finishes what a failed run left.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from releasekit.core.config import tag_version
from releasekit.core.plan import Build, GitHubRelease, Options, Publish, PullRequest, Step
from releasekit.core.release import read_version
from releasekit.core.snapshot import GitState, Project, read_project
from releasekit.core.version import canonical
from releasekit.core.version import parse as parse_version
from releasekit.errors import BuildError, ReleaseError
from releasekit.system.facts import github_token
from releasekit.system.git import Git
from releasekit.system.progress import Phase, silent

if TYPE_CHECKING:
    from releasekit.github.releases import ReleaseResult
    from releasekit.publishing.dist import Dist
    from releasekit.publishing.upload import PublishReport
    from releasekit.system.runner import Started

Say = Callable[[str], None]


def project_version(
    root: Path, package: str | None = None, environ: Mapping[str, str] | None = None
) -> tuple[Project, str]:
    """The project (in a workspace: the member `package` names, else the one whose tag CI
    builds) and its current version."""
    if package is None and environ is not None:
        from releasekit.core import workspace

        member = workspace.member_of_tag(root, tag_from_env(environ))
        package = member.path if member is not None else None
    project = read_project(root, package)
    return project, read_version(project)


def source_folder(project: Project) -> Path:
    """Where the project's sources are: a workspace member's folder, else the root."""
    return project.root / project.base if project.base else project.root


def tag_from_env(environ: Mapping[str, str]) -> str | None:
    """The tag CI builds from: RELEASEKIT_TAG, else GITHUB_REF when it is a tag."""
    tag = environ.get("RELEASEKIT_TAG", "").strip()
    ref = environ.get("GITHUB_REF", "")
    if not tag and ref.startswith("refs/tags/"):
        tag = ref.removeprefix("refs/tags/")
    return tag or None


def check_tag(tag: str, tag_format: str, version: str) -> None:
    """The tag must be a release tag for the format, naming the project's own version."""
    text = tag_version(tag, tag_format)
    if text is None:
        raise BuildError(
            f"tag {tag} does not match the tag format {tag_format}",
            "build from a release tag such as " + tag_format.format(version=version),
        )
    try:
        parsed = Version(text)
    except InvalidVersion:
        raise BuildError(
            f"tag {tag} is not a release tag: {text!r} is not a PEP 440 version",
            "release with `releasekit release` / `invoke release`, which tag the canonical version",
        ) from None
    if canonical(parsed) != text or parsed.local is not None:
        raise BuildError(
            f"tag {tag} is not a canonical release tag (the package would be {parsed})",
            f"tag {tag_format.format(version=canonical(parsed))} instead",
        )
    if parsed != Version(version):
        raise BuildError(
            f"tag {tag} says {text} but the project's version is {version}",
            "build from the release commit that tag points to",
        )


def _check_env_tag(project: Project, version: str, environ: Mapping[str, str]) -> None:
    tag = tag_from_env(environ)
    if tag is not None:
        check_tag(tag, project.config.tag_format, version)


def build(
    root: Path,
    *,
    environ: Mapping[str, str] | None = None,
    installer: str | None = None,
    sdist_only: bool = False,
    phase: Phase = silent,
    package: str | None = None,
    frontend: str | None = None,
) -> Dist:
    """Build dist/ (`sdist_only`: the sdist alone, for a workflow whose wheels come from
    cibuildwheel) for the project's version, which must be the CI tag's. A workspace
    member is built from its folder into the root's dist/. `frontend` (--frontend) over
    [tool.releasekit] build-frontend; neither: uv when installed (dist.resolve_frontend)."""
    from releasekit.publishing import dist

    environ = os.environ if environ is None else environ
    project, version = project_version(root, package, environ)
    _check_env_tag(project, version, environ)
    strict = project.config.strict_metadata
    return dist.build(
        source_folder(project),
        outdir=root / "dist",
        version=version,
        installer=installer,
        frontend=frontend,
        configured=project.config.build_frontend,
        strict=strict,
        sdist_only=sdist_only,
        phase=phase,
    )


def verify(
    root: Path,
    *,
    environ: Mapping[str, str] | None = None,
    phase: Phase = silent,
    package: str | None = None,
) -> Dist:
    """`releasekit verify`: dist/ as gathered from every machine, checked before an upload."""
    from releasekit.publishing import dist

    environ = os.environ if environ is None else environ
    project, version = project_version(root, package, environ)
    _check_env_tag(project, version, environ)
    strict = project.config.strict_metadata
    folder = source_folder(project)
    return dist.verify(root / "dist", version=version, strict=strict, project=folder, phase=phase)


def publish(
    root: Path,
    *,
    repository: str | None = None,
    environ: Mapping[str, str] | None = None,
    verbose: bool = False,
    warm: Started | None = None,
    phase: Phase = silent,
    package: str | None = None,
) -> PublishReport:
    """Upload the verified dist/ of the project's current version (built earlier)."""
    from releasekit.publishing import dist, index
    from releasekit.publishing import upload as uploader

    environ = os.environ if environ is None else environ
    project, version = project_version(root, package, environ)
    _check_env_tag(project, version, environ)
    strict = project.config.strict_metadata
    built = dist.verify(root / "dist", version=version, metadata=False, strict=strict)
    target = repository or environ.get("RELEASEKIT_REPOSITORY") or project.config.repository
    return uploader.publish(
        built.files,
        project=project.sources.project,
        version=version,
        repository=index.resolve_repository(target),
        environ=environ,
        timeout=project.config.upload_timeout,
        verbose=verbose,
        warm=warm,
        phase=phase,
    )


def github_release(
    root: Path,
    *,
    tag: str | None = None,
    assets: bool = False,
    environ: Mapping[str, str] | None = None,
    phase: Phase = silent,
    package: str | None = None,
) -> ReleaseResult:
    """Create or update the GitHub release of a tag, with its CHANGELOG section as body."""
    from releasekit.github import api as github
    from releasekit.github import releases as github_releases

    environ = os.environ if environ is None else environ
    if package is None and tag is not None:  # a member's tag names the member
        from releasekit.core import workspace

        member = workspace.member_of_tag(root, tag)
        package = member.path if member is not None else None
    project, version = project_version(root, package, environ)
    config = project.config
    tag = tag or config.tag(version)
    version = config.version_of(tag) or version
    prerelease = parse_version(version).is_prerelease  # a one-line refusal for a non-version tag
    kept = project.changelog_format
    missing = [path for path in kept.paths if path not in project.files]
    if missing:
        raise ReleaseError(f"{missing[0]} does not exist", "the release body comes from it")
    body = kept.notes(project.files, version)
    client = github.client_from_env(environ, Git(root).remote_url(config.remote))
    files: list[Path] = []
    if assets:
        from releasekit.publishing import dist

        built = dist.verify(root / "dist", version=version)
        files = list(built.files)
    extra = f" with {len(files)} asset{'s' * (len(files) != 1)}" if files else ""
    with phase(f"creating or updating the GitHub release {tag}{extra} on {client.repo}"):
        return github_releases.publish_release(
            client,
            tag=tag,
            title=tag,
            body=body,
            prerelease=prerelease,
            assets=files,
        )


def plan_public_steps(
    project: Project,
    options: Options,
    state: GitState,
    version: str,
    tag: str,
    notes: str,
    environ: Mapping[str, str],
    resumed: bool = False,
) -> tuple[list[Step], list[ReleaseError], list[str]]:
    """Build, upload and GitHub release (each idempotent), checked before the first write.

    A token the index would refuse, a version the index already has, or a GitHub
    release without a GitHub token are found now, not after the push.
    """
    config = project.config
    steps: list[Step] = []
    problems: list[ReleaseError] = []
    messages: list[str] = []
    publish = options.publish if options.publish is not None else config.publish == "local"
    if publish:
        repository = options.repository or environ.get("RELEASEKIT_REPOSITORY") or config.repository
        steps += [Build(version), Publish(project.sources.project, version, repository)]
        problems += _index_problems(project.sources.project, version, repository, environ, resumed)
    github = options.github_release
    if github is None:
        github = config.github_release and _on_github(state.remote_url, environ)
        if github and github_token(environ) is None:
            github = False
            messages.append(
                "no GITHUB_TOKEN or GH_TOKEN: the GitHub release is left out "
                f"(run `releasekit github-release --tag {tag}` or `invoke github-release "
                f"--tag {tag}` with a token later)"
            )
    if github:
        if github_token(environ) is None:
            problems.append(
                ReleaseError(
                    "no GitHub token for the GitHub release",
                    "set GITHUB_TOKEN or GH_TOKEN (contents: write), or --no-github-release",
                )
            )
        steps.append(GitHubRelease(tag, notes, Version(version).is_prerelease))
    return steps, problems, messages


def _index_problems(
    project: str, version: str, repository: str, environ: Mapping[str, str], resumed: bool
) -> list[ReleaseError]:
    """Before tagging: the token must suit the index, and the version must still be free."""
    from releasekit.publishing import index
    from releasekit.publishing.upload import check_token

    try:
        repo = index.resolve_repository(repository)
        check_token(environ, project, repo)
        existing = index.existing_files(repo, project, version, timeout=30)
    except ReleaseError as exc:
        return [exc]
    if existing and not resumed:
        return [
            ReleaseError(
                f"{project} {version} is already on {index.safe_url(repo.upload_url)} "
                f"({', '.join(sorted(existing))})",
                "a published version can never be reused: choose the next version",
            )
        ]
    return []


def _on_github(remote_url: str | None, environ: Mapping[str, str]) -> bool:
    from releasekit.github.api import is_github_remote

    api_url = environ.get("GITHUB_API_URL", "https://api.github.com")
    return remote_url is not None and is_github_remote(remote_url, api_url)


def publish_summary(report: PublishReport) -> str:
    lines = [f"uploaded {name}" for name in report.uploaded]
    lines += [f"already published: {name} (same sha256)" for name in report.already_there]
    lines += [f"warning: {warning}" for warning in report.warnings]
    return "\n".join(lines)


class PublicSteps:
    """Runs the plan's public steps for apply.py; returns a line to report."""

    def __init__(
        self,
        root: Path,
        *,
        verbose: bool = False,
        phase: Phase = silent,
        package: str | None = None,
        frontend: str | None = None,
    ) -> None:
        self.root = root
        self.verbose = verbose
        self.phase = phase
        self.package = package
        self.frontend = frontend  # --frontend of `release --publish`

    def __call__(self, step: Step) -> str | None:
        if isinstance(step, PullRequest):
            from releasekit.github.pulls import run_step

            return run_step(self.root, step, os.environ)
        if isinstance(step, Build):
            built = build(self.root, phase=self.phase, package=self.package, frontend=self.frontend)
            warned = "".join(f"\nwarning: {warning}" for warning in built.warnings)
            names = [path.name for path in (built.sdist, *built.wheels)]
            return f"built {', '.join(names[:-1])} and {names[-1]}{warned}"
        if isinstance(step, Publish):
            return publish_summary(
                publish(
                    self.root,
                    repository=step.repository,
                    verbose=self.verbose,
                    phase=self.phase,
                    package=self.package,
                )
            )
        if isinstance(step, GitHubRelease):
            result = github_release(self.root, tag=step.tag, phase=self.phase, package=self.package)
            return f"GitHub release {step.tag} {result.action}: {result.html_url}"
        raise ReleaseError(f"cannot {step.title}", "this step has no runner")  # pragma: no cover
