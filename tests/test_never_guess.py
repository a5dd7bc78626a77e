"""Never guess a version, and advice that works: each refusal is reproduced on a real git
repository with a bare remote, the repository is exactly as before, and following the
advice literally makes the same command pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SampleRepo, make_repo

from releasekit.demo import sample

BIN = Path(sys.executable).parent
TAG_ONLY = """\
[build-system]
requires = ["hatchling", "hatch-vcs"]
build-backend = "hatchling.build"

[project]
name = "scm-pkg"
dynamic = ["version"]

[tool.hatch.version]
source = "vcs"
"""
CHANGELOG = "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Something new.\n"


def releasekit(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "releasekit"), *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def tag_only_repo(tmp_path: Path, *tags: str) -> SampleRepo:
    root = tmp_path / "project"
    (root / "src" / "scm_pkg").mkdir(parents=True)
    (root / "src" / "scm_pkg" / "__init__.py").write_text('"""scm-pkg."""\n')
    (root / "pyproject.toml").write_text(TAG_ONLY)
    (root / "CHANGELOG.md").write_text(CHANGELOG)
    remote = tmp_path / "remote.git"
    sample.init_repository(root, remote, tag=None)
    for tag in tags:
        sample.git(root, "tag", "-a", tag, "-m", tag)
    if tags:
        sample.git(root, "push", "--quiet", "origin", "--tags")
    return SampleRepo(root, remote)


def refused(repo: SampleRepo, *args: str) -> str:
    before = repo.state()
    result = releasekit(repo.root, "release", "--yes", *args)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert repo.state().diff(before) == []
    return result.stderr.strip()


def released(repo: SampleRepo, *args: str) -> subprocess.CompletedProcess[str]:
    result = releasekit(repo.root, "release", "--yes", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def configure(repo: SampleRepo, line: str) -> None:
    pyproject = repo.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f"\n[tool.releasekit]\n{line}\n")
    repo.git("commit", "--quiet", "-am", "Configure releasekit")
    repo.git("push", "--quiet", "origin", "main")


def test_tags_of_another_format_are_named_and_the_suggested_format_works(
    tmp_path: Path,
) -> None:
    repo = tag_only_repo(tmp_path, "release-1.1.0", "release-1.2.0")
    error = refused(repo, "--part", "minor")
    assert "no tag follows tag-format 'v{version}'" in error
    assert "found release-1.2.0, release-1.1.0" in error
    suggestion = 'tag-format = "release-{version}"'
    assert suggestion in error

    configure(repo, suggestion)
    result = released(repo, "--part", "minor")
    assert "Released scm-pkg 1.3.0 (tag release-1.3.0)." in result.stdout
    assert repo.git("ls-remote", "--tags", str(repo.remote), "release-1.3.0").strip()
    message = repo.git("log", "-1", "--format=%s").strip()
    assert message == "chore(release): Bump version to release-1.3.0"


def test_no_tag_at_all_is_a_first_release_only_when_asked(tmp_path: Path) -> None:
    repo = tag_only_repo(tmp_path)
    error = refused(repo, "--part", "minor")
    assert "no release tag yet" in error
    assert "--first-release --part minor" in error

    result = released(repo, "--first-release", "--part", "minor")
    assert "Released scm-pkg 0.1.0 (tag v0.1.0)." in result.stdout
    assert repo.git("tag", "--list").split() == ["v0.1.0"]
    # The release commit carries the changelog; there is no empty commit.
    assert repo.git("show", "--name-only", "--format=", "HEAD").split() == ["CHANGELOG.md"]

    again = refused(repo, "--first-release", "--part", "minor")
    assert "--first-release, but v0.1.0 is released already" in again


def test_a_new_version_is_a_first_release_too(tmp_path: Path) -> None:
    repo = tag_only_repo(tmp_path)
    released(repo, "--new-version", "1.0.0")
    assert repo.git("tag", "--list").split() == ["v1.0.0"]


def test_tags_without_v_give_tags_without_v(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    repo.git("tag", "-d", "v1.3.0")
    repo.git("push", "--quiet", "origin", ":refs/tags/v1.3.0")
    repo.git("tag", "-a", "1.3.0", "-m", "1.3.0")
    repo.git("push", "--quiet", "origin", "--tags")

    result = released(repo, "--part", "minor")
    assert "(tag 1.4.0)" in result.stdout
    assert repo.git("tag", "--list").split() == ["1.3.0", "1.4.0"]
    assert repo.git("log", "-1", "--format=%s").strip() == "chore(release): Bump version to 1.4.0"


def test_tags_of_both_shapes_are_a_problem_and_its_fix_works(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)  # tagged v1.3.0
    repo.git("tag", "-a", "1.2.0", "-m", "1.2.0", "HEAD")
    repo.git("push", "--quiet", "origin", "--tags")
    error = refused(repo, "--part", "minor")
    assert "two formats: v1.3.0 (v{version}) and 1.2.0 ({version})" in error
    assert 'tag-format = "v{version}"' in error

    configure(repo, 'tag-format = "v{version}"')
    released(repo, "--part", "minor")
    assert "v1.4.0" in repo.git("tag", "--list").split()


def test_a_repository_git_distrusts_is_named_with_gits_own_fix(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    before = repo.state()
    owner = subprocess.run(["id", "-u"], capture_output=True, text=True, check=True).stdout
    if owner.strip() != "0":
        pytest.skip("only root can hand the folder to another user here")

    os.chown(repo.root, 12345, 12345)
    try:
        error = refused_outside(repo)
    finally:
        os.chown(repo.root, 0, 0)
    assert "belongs to another user (dubious ownership)" in error
    assert f"git config --global --add safe.directory {repo.root}" in error
    assert repo.state().diff(before) == []


def refused_outside(repo: SampleRepo) -> str:
    result = releasekit(repo.root, "release", "--part", "minor", "--yes")
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    return result.stderr
