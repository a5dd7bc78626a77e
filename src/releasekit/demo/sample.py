"""Throwaway sample projects: what `releasekit demo` releases and the tests build.

One small project per build backend, written as plain text so that every byte
is known, and a git repository with a local bare remote beside it.
"""

from __future__ import annotations

from pathlib import Path

from releasekit.system import runner

BACKENDS = ("hatchling", "setuptools", "flit-core", "poetry-core", "pdm-backend", "broken")

_BUILD_SYSTEM = {
    "hatchling": ('["hatchling>=1.24"]', "hatchling.build"),
    "setuptools": ('["setuptools>=68"]', "setuptools.build_meta"),
    "flit-core": ('["flit_core>=3.9,<4"]', "flit_core.buildapi"),
    "poetry-core": ('["poetry-core>=1.9"]', "poetry.core.masonry.api"),
    "pdm-backend": ('["pdm-backend>=2.3"]', "pdm.backend"),
    "broken": ("[]", "broken_backend"),
}

_BACKEND_TABLES = {
    "hatchling": '\n[tool.hatch.build.targets.wheel]\npackages = ["src/{module}"]\n',
    "setuptools": '\n[tool.setuptools.packages.find]\nwhere = ["src"]\n',
    "flit-core": "",
    "pdm-backend": "",
    "broken": "",
}

_BROKEN_BACKEND = '''\
"""A build backend that always fails, to test that its message reaches the user."""


def _fail(*args, **kwargs):
    raise RuntimeError("the broken backend refuses to build (this is a test project)")


build_sdist = build_wheel = _fail
'''

CHANGELOG = """\
# Changelog

All notable changes to this project are documented in this file.

The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

## [Unreleased]

### Added

- A greeting that says hello.

## [{version}] - 2026-01-15

### Added

- First public release.

[Unreleased]: https://github.com/example/{name}/compare/v{version}...HEAD
[{version}]: https://github.com/example/{name}/releases/tag/v{version}
"""


def module_name(name: str) -> str:
    """The import name a project's distribution name maps to."""
    return name.replace("-", "_").replace(".", "_").lower()


def pyproject_text(name: str, version: str, backend: str) -> str:
    """pyproject.toml for `backend`; poetry-core keeps its version in [tool.poetry]."""
    requires, api = _BUILD_SYSTEM[backend]
    module = module_name(name)
    head = f'[build-system]\nrequires = {requires}\nbuild-backend = "{api}"\n'
    if backend == "broken":
        head += 'backend-path = ["."]\n'
    if backend == "poetry-core":
        return (
            head
            + f'\n[tool.poetry]\nname = "{name}"\nversion = "{version}"\n'
            + 'description = "A sample project released by releasekit."\n'
            + 'authors = ["Sample Maintainer <sample@example.org>"]\n'
            + 'readme = "README.md"\n'
            + f'packages = [{{ include = "{module}", from = "src" }}]\n'
        )
    return (
        head
        + f'\n[project]\nname = "{name}"\nversion = "{version}"\n'
        + 'description = "A sample project released by releasekit."\n'
        + 'readme = "README.md"\nrequires-python = ">=3.10"\n'
        + 'authors = [{ name = "Sample Maintainer", email = "sample@example.org" }]\n'
        + _BACKEND_TABLES[backend].format(module=module)
    )


def write_project(
    root: Path,
    *,
    name: str = "sample-pkg",
    version: str = "1.3.0",
    backend: str = "hatchling",
) -> Path:
    """Write a small releasable project into `root` and return `root`."""
    module = module_name(name)
    package = root / "src" / module
    package.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(pyproject_text(name, version, backend))
    (package / "__init__.py").write_text(
        f'"""{name}: a sample project."""\n\n__version__ = "{version}"\n\n\n'
        'def hello() -> str:\n    return "hello"\n'
    )
    (root / "README.md").write_text(f"# {name}\n\nA sample project released by releasekit.\n")
    (root / "CHANGELOG.md").write_text(CHANGELOG.format(version=version, name=name))
    (root / "tasks.py").write_text("from releasekit.tasks import *  # noqa: F403\n")
    (root / ".gitignore").write_text("dist/\n__pycache__/\n.nox/\n")
    if backend == "broken":
        (root / "broken_backend.py").write_text(_BROKEN_BACKEND)
    return root


def git(root: Path, *args: str) -> str:
    """Run git in `root` with a fixed identity; return its stdout."""
    env = {
        "GIT_AUTHOR_NAME": "Sample Maintainer",
        "GIT_AUTHOR_EMAIL": "sample@example.org",
        "GIT_COMMITTER_NAME": "Sample Maintainer",
        "GIT_COMMITTER_EMAIL": "sample@example.org",
    }
    return runner.run(["git", *args], cwd=root, env=env).stdout


def init_repository(
    root: Path, remote: Path, *, branch: str = "main", tag: str | None = "v1.3.0"
) -> None:
    """Commit everything in `root`, tag it, and push it to a new bare repository at `remote`."""
    remote = remote.absolute()
    remote.mkdir(parents=True, exist_ok=True)
    git(remote, "init", "--quiet", "--bare", f"--initial-branch={branch}")
    git(root, "init", "--quiet", f"--initial-branch={branch}")
    git(root, "config", "user.name", "Sample Maintainer")
    git(root, "config", "user.email", "sample@example.org")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "config", "tag.gpgsign", "false")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "Initial commit")
    if tag:
        git(root, "tag", "-a", tag, "-m", tag)
    git(root, "remote", "add", "origin", str(remote))
    git(root, "push", "--quiet", "--set-upstream", "origin", branch, "--tags")
