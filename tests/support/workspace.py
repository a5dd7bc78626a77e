"""Repositories of several packages, as people keep them: a uv workspace (`uv lock` run for
real) and a plain folder of two hatchling projects without a root pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from releasekit.demo import sample

ALPHA, BETA = "alpha-kit", "beta-lib"
ALPHA_DIR, BETA_DIR = "packages/alpha-kit", "packages/beta-lib"

UV_ROOT = """\
[tool.uv.workspace]
members = ["packages/*"]
exclude = ["packages/scratch"]
"""


def uv() -> str:
    found = shutil.which("uv")
    assert found, "uv is a test requirement (pyproject [test] extra)"
    return found


def _member(root: Path, folder: str, name: str, version: str) -> Path:
    path = sample.write_project(root / folder, name=name, version=version)
    (path / "tasks.py").unlink()  # the workspace's tasks.py is the root's
    (path / ".gitignore").unlink()
    changelog = (path / "CHANGELOG.md").read_text()
    # the member's own tags in its links, as a monorepo keeps them
    (path / "CHANGELOG.md").write_text(
        changelog.replace("/v", f"/{name}-v").replace("...HEAD", "...HEAD")
    )
    return path


def make_workspace(
    tmp_path: Path, *, kind: str = "uv", beta_requires: str = ALPHA, tags: bool = True
) -> tuple[Path, Path]:
    """(root, bare remote): alpha-kit 1.3.0 and beta-lib 0.2.0 (which requires alpha-kit),
    committed, tagged alpha-kit-v1.3.0 and beta-lib-v0.2.0, pushed."""
    root = tmp_path / "workspace"
    root.mkdir()
    _member(root, ALPHA_DIR, ALPHA, "1.3.0")
    beta = _member(root, BETA_DIR, BETA, "0.2.0")
    text = (beta / "pyproject.toml").read_text()
    text = text.replace(
        'requires-python = ">=3.10"\n',
        f'requires-python = ">=3.10"\ndependencies = ["{beta_requires}"]\n',
    )
    if kind == "uv":
        text += f"\n[tool.uv.sources]\n{ALPHA} = {{ workspace = true }}\n"
        (root / "pyproject.toml").write_text(UV_ROOT)
        scratch = root / "packages" / "scratch"  # excluded: never a member
        sample.write_project(scratch, name="scratch", version="0.0.1")
        (scratch / "tasks.py").unlink()
    (beta / "pyproject.toml").write_text(text)
    (root / "tasks.py").write_text("from releasekit.tasks import *  # noqa: F403\n")
    (root / ".gitignore").write_text("dist/\n__pycache__/\n.nox/\n.venv/\n")
    if kind == "uv":
        lock(root)
    remote = tmp_path / "remote.git"
    sample.init_repository(root, remote, tag=None)
    if tags:
        for tag in (f"{ALPHA}-v1.3.0", f"{BETA}-v0.2.0"):
            sample.git(root, "tag", "-a", tag, "-m", tag)
        sample.git(root, "push", "--quiet", "origin", "--tags")
    return root, remote


def lock(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`uv lock` (offline: the members have no dependency outside the workspace)."""
    return subprocess.run(
        [uv(), "lock", "--offline", "--quiet", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
