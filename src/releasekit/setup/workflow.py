"""Render hardened GitHub Actions workflows and the nox release sessions (workflow_facts.py
reads a user's release.yml).

Templates live in `releasekit/templates` (package data). Every action they use comes from
ACTION_PINS, so updating a pin is one edit here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from releasekit.errors import ConfigError
from releasekit.system.facts import normalize_name

# name -> (full commit SHA, version tag it points to); checked against each action's repository.
ACTION_PINS: dict[str, tuple[str, str]] = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/upload-artifact": ("bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"),
    "actions/download-artifact": ("3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1"),
    "pypa/cibuildwheel": ("1828c10ab37f080699c7b81cea34097c684a7074", "v4.2.0"),
}

# The wheel matrix of a compiled project: Linux x86_64 and arm64, macOS arm64 and x86_64
# (macos-15-intel is GitHub's last x86_64 macOS image), Windows x86_64.
DEFAULT_WHEEL_RUNNERS = (
    "ubuntu-latest",
    "ubuntu-24.04-arm",
    "macos-14",
    "macos-15-intel",
    "windows-latest",
)

# The canonical PEP 440 versions releasekit writes: X.Y.Z with an optional aN, bN or rcN.
_NUMBER = "(0|[1-9][0-9]*)"
VERSION_REGEX = rf"{_NUMBER}\.{_NUMBER}\.{_NUMBER}((a|b|rc){_NUMBER})?"

_PROJECT_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")
_TAG_AFFIX = re.compile(r"[A-Za-z0-9._/@+-]*")
_BRANCH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
_SIMPLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_INDEX_URLS = {"pypi": "https://pypi.org", "testpypi": "https://test.pypi.org"}
_INDEX_TITLES = {"pypi": "PyPI", "testpypi": "TestPyPI"}
_BLOCK = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class WorkflowOptions:
    """What changes between projects in release.yml and ci.yml; checked when created."""

    project: str
    tag_format: str = "v{version}"
    trusted_publishing: bool = False
    environment: str = "pypi"
    python_version: str = "3.12"
    repository: str = "pypi"
    wheel_runners: tuple[str, ...] = ()  # empty: pure Python, one build job
    members: tuple[tuple[str, str], ...] = ()  # a workspace: (name, tag format) per package

    @property
    def shown(self) -> str:
        """The project, or every package of a workspace, as comments name them."""
        return " and ".join(name for name, _ in self.members) or self.project

    @property
    def tag_formats(self) -> tuple[str, ...]:
        return tuple(fmt for _, fmt in self.members) or (self.tag_format,)

    def __post_init__(self) -> None:
        # Every value lands in YAML or bash: accept only characters that need no quoting.
        if not _PROJECT_NAME.fullmatch(self.project):
            raise ConfigError(
                f"project name {self.project!r} is not a valid Python package name",
                "use the [project] name from pyproject.toml",
            )
        for name, _tag_format in self.members:
            if not _PROJECT_NAME.fullmatch(name):
                raise ConfigError(
                    f"package name {name!r} is not a valid Python package name",
                    "use the [project] name from the member's pyproject.toml",
                )
        for tag_format in self.tag_formats:
            release_tag_regex(tag_format)
        for label, value in (
            ("environment", self.environment),
            ("python_version", self.python_version),
            ("repository", self.repository),
        ):
            if not _SIMPLE_NAME.fullmatch(value):
                raise ConfigError(
                    f"workflow {label} {value!r} has characters a workflow cannot hold safely",
                    "use letters, digits, '.', '_' and '-' only",
                )
        for runner in self.wheel_runners:
            if not _SIMPLE_NAME.fullmatch(runner):
                raise ConfigError(
                    f"wheel runner {runner!r} has characters a workflow cannot hold safely",
                    "name GitHub runners such as ubuntu-latest in [tool.releasekit] wheel-runners",
                )
        if len(set(self.wheel_runners)) != len(self.wheel_runners):
            raise ConfigError(
                "[tool.releasekit] wheel-runners names a runner twice",
                "list each runner once: each one's wheels are one artifact",
            )
        if self.trusted_publishing and self.repository not in _INDEX_URLS:
            raise ConfigError(
                f"trusted publishing is not available for repository {self.repository!r}",
                "use pypi or testpypi, or publish with a PYPI_TOKEN secret",
            )


def release_tag_regex(tag_format: str) -> str:
    """The anchored ERE (bash `=~` and Python `re` alike) a release tag of `tag_format` matches."""
    prefix, marker, suffix = tag_format.partition("{version}")
    if not marker or "{version}" in suffix:
        raise ConfigError(
            f"tag format {tag_format!r} must contain {{version}} exactly once", "e.g. v{version}"
        )
    if not (_TAG_AFFIX.fullmatch(prefix) and _TAG_AFFIX.fullmatch(suffix)):
        raise ConfigError(
            f"tag format {tag_format!r} has characters a git tag or workflow cannot hold safely",
            "use letters, digits and . _ / @ + - around {version}",
        )
    return f"^{_ere_literal(prefix)}{VERSION_REGEX}{_ere_literal(suffix)}$"


def tags_regex(tag_formats: tuple[str, ...]) -> str:
    """One ERE for the release tags of several formats (a workspace: one per package)."""
    if len(tag_formats) == 1:
        return release_tag_regex(tag_formats[0])
    return "^(" + "|".join(release_tag_regex(fmt)[1:-1] for fmt in tag_formats) + ")$"


def _ere_literal(text: str) -> str:
    # Of the characters _TAG_AFFIX allows, only '.' and '+' mean something in an ERE.
    return re.sub(r"([.+])", r"\\\1", text)


def uses(action: str) -> str:
    """A `uses:` value pinned by full SHA, with the version as the trailing comment."""
    sha, version = ACTION_PINS[action]
    return f"{action}@{sha} # {version}"


def render_release(options: WorkflowOptions) -> str:
    """release.yml: a build job (tag checked first) and a publish job in a protected environment;
    with wheel runners, the build job makes the sdist and a cibuildwheel job per runner the
    wheels, and the publish job uploads them all at once."""
    first = options.tag_formats[0]
    values: dict[str, str | list[str]] = {
        **_publish_values(options, "release.yml"),
        "tag_format": " or ".join(options.tag_formats),
        "example_tag": first.replace("{version}", "1.4.0"),
        "example_pre_tag": first.replace("{version}", "1.4.0rc1"),
        "wheel_runners": ", ".join(f'"{runner}"' for runner in options.wheel_runners),
    }
    return _render("release-wheels.yml" if options.wheel_runners else "release.yml", values)


def render_release_finish(
    options: WorkflowOptions, branch: str, releasekit_spec: str = "releasekit"
) -> str:
    """release-finish.yml (pull-request flow): on a push to `branch`, `releasekit release
    --finish`; a tag made with GITHUB_TOKEN starts no release.yml, so it also publishes."""
    if not _BRANCH.fullmatch(branch) or ".." in branch or branch.endswith((".", "/", ".lock")):
        raise ConfigError(
            f"branch {branch!r} has characters a workflow cannot hold safely",
            "name the release branch with letters, digits, '.', '_', '/' and '-' only",
        )
    _check_spec(releasekit_spec)
    values: dict[str, str | list[str]] = {
        **_publish_values(options, "release-finish.yml"),
        "branch": branch,
        "releasekit_spec": "'" + releasekit_spec.replace("'", "''") + "'",
    }
    return _render("release-finish.yml", values)


def _publish_values(options: WorkflowOptions, file: str) -> dict[str, str | list[str]]:
    """What every publish job needs: its environment, credentials and setup comment."""
    index = _INDEX_TITLES.get(options.repository, options.repository)
    environment = ["    environment:", f"      name: {options.environment}"]
    if options.repository in _INDEX_URLS and not options.members:
        project = normalize_name(options.project)
        environment.append(f"      url: {_INDEX_URLS[options.repository]}/project/{project}/")
    if options.trusted_publishing:
        setup = [
            f"# On {index}, add this repository as a trusted publisher of {options.shown}",
            f"# (workflow {file}, environment {options.environment}): no token is stored.",
        ]
        id_token = [
            "      id-token: write # trusted publishing: the index trades it for an upload token"
        ]
        publish_env: list[str] = []
    else:
        setup = [
            f"# Store an upload token for {options.shown} as secret PYPI_TOKEN of the GitHub",
            f"# environment {options.environment} (Settings > Environments): only uploads see it.",
        ]
        id_token = []
        publish_env = [
            "        env: # the token reaches this step only, not the installs before it",
            "          PYPI_TOKEN: ${{ secrets.PYPI_TOKEN }}",
        ]
    extra_args = "" if options.repository == "pypi" else f" -- --repository {options.repository}"
    return {
        **_pins(),
        "project": options.shown,
        "tag_regex": tags_regex(options.tag_formats),
        "python_version": options.python_version,
        "index_title": index,
        "publish_args": extra_args,
        "publish_setup": setup,
        "environment_block": environment,
        "id_token_permission": id_token,
        "publish_env": publish_env,
        "attest_steps": _render("attest-steps.yml", {}).splitlines() * options.trusted_publishing,
    }


def render_ci(options: WorkflowOptions) -> str:
    """ci.yml: the project's default nox sessions on every push and pull request."""
    values = {**_pins(), "project": options.project, "python_version": options.python_version}
    return _render("ci.yml", values)


def render_nox_sessions(*, default_spec: str = "releasekit") -> str:
    """The `build` and `publish` sessions for a noxfile; safe to append to an existing one."""
    _check_spec(default_spec)
    return _render("nox_sessions.py.tmpl", {"default_spec": f'"{default_spec}"'})


def _check_spec(spec: str) -> None:
    if not spec.strip() or re.search(r'["\\\x00-\x1f\x7f]', spec):
        raise ConfigError(
            f"releasekit requirement {spec!r} cannot be written into a noxfile or workflow",
            "give a requirement such as releasekit>=1.0 (no quotes, backslashes or newlines)",
        )


def _pins() -> dict[str, str]:
    return {name.split("/")[1].replace("-", "_"): uses(name) for name in ACTION_PINS}


def _render(template: str, values: Mapping[str, str | list[str]]) -> str:
    """Fill `%(name)s` placeholders; a line holding only a placeholder takes a list of lines."""
    from importlib.resources import files

    text = files("releasekit.setup.templates").joinpath(template).read_text(encoding="utf-8")
    lines: list[str] = []
    for line in text.splitlines():
        block = _BLOCK.fullmatch(line)
        if block:
            value = values[block.group(1)]
            lines.extend([value] if isinstance(value, str) else value)
        else:
            lines.append(line % values)
    return "\n".join(lines) + "\n"
