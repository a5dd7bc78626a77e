"""Several packages in one repository: `--package` releases one member of a real uv
workspace (`uv lock --check` after it) or of a plain folder of two hatchling projects."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from support.commands import tool as run
from support.repostate import capture
from support.workspace import ALPHA, ALPHA_DIR, BETA, BETA_DIR, lock, make_workspace

from releasekit.core import workspace
from releasekit.errors import ConfigError


def files_of(root: Path, folder: str) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted((root / folder).rglob("*"))
        if p.is_file()
    }


def committed(root: Path) -> list[str]:
    out = subprocess.run(
        ["git", "show", "--name-only", "--format=", "HEAD"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted(out.stdout.split())


def remote_tags(remote: Path) -> set[str]:
    out = subprocess.run(
        ["git", "for-each-ref", "--format=%(refname:short)", "refs/tags"],
        cwd=remote,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(out.stdout.split())


@pytest.fixture
def uv_workspace(tmp_path: Path) -> tuple[Path, Path]:
    return make_workspace(tmp_path, kind="uv")


def test_invoke_releases_one_member_of_a_uv_workspace(uv_workspace: tuple[Path, Path]) -> None:
    root, remote = uv_workspace
    beta_before = files_of(root, BETA_DIR)
    result = run(root, "invoke", "release", "--package", ALPHA, "--part", "minor", "--yes")
    assert result.returncode == 0, result.stderr
    assert "Released alpha-kit 1.4.0 (tag alpha-kit-v1.4.0)." in result.stdout
    assert f"{ALPHA}-v1.4.0" in remote_tags(remote)
    assert committed(root) == [
        f"{ALPHA_DIR}/CHANGELOG.md",
        f"{ALPHA_DIR}/pyproject.toml",
        f"{ALPHA_DIR}/src/alpha_kit/__init__.py",
        "uv.lock",
    ]
    assert files_of(root, BETA_DIR) == beta_before  # the other member: byte for byte
    text = (root / ALPHA_DIR / "CHANGELOG.md").read_text()
    assert text.count("## [1.4.0] - ") == 1
    assert "compare/alpha-kit-v1.3.0...alpha-kit-v1.4.0" in text
    assert 'name = "alpha-kit"\nversion = "1.4.0"' in (root / "uv.lock").read_text()
    checked = lock(root, "--check")
    assert checked.returncode == 0, checked.stderr
    assert capture(root).files == capture(root).files  # and the tree is clean:
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True)
    assert status.stdout == b""


def test_without_package_the_verbs_refuse_naming_every_member(
    uv_workspace: tuple[Path, Path],
) -> None:
    root, remote = uv_workspace
    before = capture(root, remote)
    for verb in (["release", "--part", "minor", "--yes"], ["bump", "--part", "patch"], ["notes"]):
        result = run(root, "releasekit", *verb)
        assert result.returncode == 1
        assert f"{ALPHA} ({ALPHA_DIR}), {BETA} ({BETA_DIR})" in result.stderr
        assert "--package" in result.stderr and "Traceback" not in result.stderr
    assert capture(root, remote).diff(before) == []


def test_an_unknown_package_is_refused_naming_the_members(
    uv_workspace: tuple[Path, Path],
) -> None:
    root, remote = uv_workspace
    before = capture(root, remote)
    result = run(root, "releasekit", "bump", "--package", "gamma", "--part", "minor")
    assert result.returncode == 1
    assert "no package 'gamma' in this workspace" in result.stderr
    assert ALPHA in result.stderr and BETA in result.stderr
    assert capture(root, remote).diff(before) == []


def test_the_excluded_folder_is_no_member(uv_workspace: tuple[Path, Path]) -> None:
    root, _ = uv_workspace
    found = workspace.members(root, workspace.root_data(root))
    assert [(m.name, m.path) for m in found] == [(ALPHA, ALPHA_DIR), (BETA, BETA_DIR)]


def test_a_member_is_named_by_its_folder_too(uv_workspace: tuple[Path, Path]) -> None:
    root, _ = uv_workspace
    result = run(root, "releasekit", "bump", "--package", f"{BETA_DIR}/", "--part", "patch")
    assert result.returncode == 0, result.stderr
    assert 'version = "0.2.1"' in (root / BETA_DIR / "pyproject.toml").read_text()
    assert 'name = "beta-lib"\nversion = "0.2.1"' in (root / "uv.lock").read_text()
    assert (root / ALPHA_DIR / "pyproject.toml").read_text().count('version = "1.3.0"') == 1


def test_build_at_the_root_follows_the_member_tag(uv_workspace: tuple[Path, Path]) -> None:
    root, _ = uv_workspace
    released = run(root, "releasekit", "release", "--package", ALPHA, "--part", "minor", "--yes")
    assert released.returncode == 0, released.stderr
    built = run(root, "releasekit", "build", RELEASEKIT_TAG=f"{ALPHA}-v1.4.0")
    assert built.returncode == 0, built.stderr
    assert sorted(p.name for p in (root / "dist").iterdir()) == [
        "SHA256SUMS",
        "alpha_kit-1.4.0-py3-none-any.whl",
        "alpha_kit-1.4.0.tar.gz",
    ]
    other = run(root, "releasekit", "build", RELEASEKIT_TAG="gamma-v1.0.0")
    assert other.returncode == 1
    assert "tag gamma-v1.0.0 is the release tag of no package here" in other.stderr


def test_a_pin_that_excludes_the_new_version_stops_the_release(tmp_path: Path) -> None:
    root, remote = make_workspace(tmp_path, kind="uv", beta_requires=f"{ALPHA}==1.3.0")
    before = capture(root, remote)
    result = run(root, "releasekit", "release", "--package", ALPHA, "--part", "minor", "--yes")
    assert result.returncode == 1
    assert f"{BETA_DIR}/pyproject.toml requires {ALPHA}==1.3.0, which excludes" in result.stderr
    assert capture(root, remote).diff(before) == []


def test_a_range_that_admits_the_new_version_is_fine(tmp_path: Path) -> None:
    root, remote = make_workspace(tmp_path, kind="uv", beta_requires=f"{ALPHA}>=1.3,<2")
    result = run(root, "releasekit", "release", "--package", ALPHA, "--part", "minor", "--yes")
    assert result.returncode == 0, result.stderr
    assert f"{ALPHA}-v1.4.0" in remote_tags(remote)


def test_part_auto_reads_only_the_members_commits(uv_workspace: tuple[Path, Path]) -> None:
    root, remote = uv_workspace
    readme = root / BETA_DIR / "README.md"
    readme.write_text(readme.read_text() + "\nMore.\n")
    subprocess.run(["git", "commit", "-qam", "feat: beta learns a trick"], cwd=root, check=True)
    before = capture(root, remote)
    refused = run(root, "releasekit", "release", "--package", ALPHA, "--part", "auto", "--yes")
    assert refused.returncode == 1
    assert "feat" in refused.stderr or "fix" in refused.stderr
    assert capture(root, remote).diff(before) == []
    planned = run(root, "releasekit", "release", "--package", BETA, "--part", "auto", "--dry-run")
    assert planned.returncode == 0, planned.stderr
    assert "beta-lib 0.2.0 -> 0.3.0" in planned.stdout


def test_doctor_lists_every_member(uv_workspace: tuple[Path, Path]) -> None:
    root, _ = uv_workspace
    shown = run(root, "releasekit", "doctor", "--offline")
    assert f"member {ALPHA}: {ALPHA_DIR}: 1.3.0, changelog {ALPHA_DIR}/CHANGELOG.md" in shown.stdout
    assert f"{BETA}-v0.2.0" in shown.stdout
    as_json = json.loads(run(root, "releasekit", "doctor", "--offline", "--json").stdout)
    assert [(m["name"], m["path"], m["version"], m["latest_tag"]) for m in as_json["members"]] == [
        (ALPHA, ALPHA_DIR, "1.3.0", f"{ALPHA}-v1.3.0"),
        (BETA, BETA_DIR, "0.2.0", f"{BETA}-v0.2.0"),
    ]
    one = run(root, "releasekit", "doctor", "--offline", "--package", BETA)
    assert "pass  version: 0.2.0" in one.stdout


def test_a_plain_folder_of_two_hatchling_projects(tmp_path: Path) -> None:
    root, remote = make_workspace(tmp_path, kind="plain")
    assert not (root / "pyproject.toml").exists()
    alpha_before = files_of(root, ALPHA_DIR)
    result = run(root, "releasekit", "release", "--package", BETA, "--part", "patch", "--yes")
    assert result.returncode == 0, result.stderr
    assert f"{BETA}-v0.2.1" in remote_tags(remote)
    assert committed(root) == [
        f"{BETA_DIR}/CHANGELOG.md",
        f"{BETA_DIR}/pyproject.toml",
        f"{BETA_DIR}/src/beta_lib/__init__.py",
    ]
    assert files_of(root, ALPHA_DIR) == alpha_before
    notes = run(root, "releasekit", "notes", "--package", BETA)
    assert notes.returncode == 0 and notes.stdout.strip()


def test_init_in_a_workspace_renders_one_workflow_for_every_member_tag(
    uv_workspace: tuple[Path, Path],
) -> None:
    import re

    root, _ = uv_workspace
    result = run(root, "releasekit", "init")
    assert result.returncode == 0, result.stderr
    text = (root / ".github/workflows/release.yml").read_text()
    pattern = re.search(r"pattern='([^']+)'", text)
    assert pattern is not None
    for tag, matches in (
        (f"{ALPHA}-v1.4.0", True),
        (f"{BETA}-v0.3.0rc1", True),
        ("v1.4.0", False),
        ("gamma-v1.0.0", False),
    ):
        assert bool(re.fullmatch(pattern[1], tag)) is matches, tag
    assert not (root / "CHANGELOG.md").exists()


def test_a_single_project_refuses_package(tmp_path: Path) -> None:
    from releasekit.demo import sample

    root = sample.write_project(tmp_path / "single")
    with pytest.raises(ConfigError, match="single project, not a workspace"):
        workspace.choose(workspace.members(root, workspace.root_data(root)), "sample-pkg")


def test_a_project_with_a_test_fixture_project_below_stays_single(tmp_path: Path) -> None:
    from releasekit.demo import sample

    root = sample.write_project(tmp_path / "single")
    sample.write_project(root / "tests" / "data" / "other", name="other")
    assert workspace.members(root, workspace.root_data(root)) == ()


def test_in_a_members_folder_that_member_is_meant(uv_workspace: tuple[Path, Path]) -> None:
    root, _ = uv_workspace
    result = run(root / BETA_DIR / "src", "releasekit", "bump", "--part", "patch", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "Release beta-lib 0.2.0 -> 0.2.1 (tag beta-lib-v0.2.1)" in result.stdout


def test_a_rejected_push_leaves_the_workspace_exactly_as_before(
    uv_workspace: tuple[Path, Path],
) -> None:
    root, remote = uv_workspace
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected branch' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = capture(root, remote)
    result = run(root, "releasekit", "release", "--package", ALPHA, "--part", "minor", "--yes")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert capture(root, remote).diff(before) == []  # uv.lock and the member's files too


def test_a_member_without_a_changelog_releases_into_the_roots(tmp_path: Path) -> None:
    root, _ = make_workspace(tmp_path, kind="uv")
    (root / ALPHA_DIR / "CHANGELOG.md").rename(root / "CHANGELOG.md")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "One changelog at the root"], cwd=root, check=True)
    subprocess.run(["git", "push", "-q", "origin", "main"], cwd=root, check=True)
    result = run(root, "releasekit", "release", "--package", ALPHA, "--part", "minor", "--yes")
    assert result.returncode == 0, result.stderr
    assert "CHANGELOG.md" in committed(root)
    assert "## [1.4.0] - " in (root / "CHANGELOG.md").read_text()


def test_packages_in_the_root_table_choose_the_members(tmp_path: Path) -> None:
    root, _ = make_workspace(tmp_path, kind="plain", tags=False)
    (root / "pyproject.toml").write_text(f'[tool.releasekit]\npackages = ["{ALPHA_DIR}"]\n')
    found = workspace.members(root, workspace.root_data(root))
    assert [(m.name, m.path) for m in found] == [(ALPHA, ALPHA_DIR)]
    (root / "pyproject.toml").write_text('[tool.releasekit]\npackages = ["docs"]\n')
    (root / "docs").mkdir()
    with pytest.raises(ConfigError, match=r"packages lists docs, which has no pyproject\.toml"):
        workspace.members(root, workspace.root_data(root))


def test_two_members_of_one_name_are_refused(tmp_path: Path) -> None:
    root, _ = make_workspace(tmp_path, kind="plain", tags=False)
    twin = root / "other" / "alpha"
    twin.mkdir(parents=True)
    (twin / "pyproject.toml").write_text('[project]\nname = "Alpha_Kit"\nversion = "9.0"\n')
    with pytest.raises(ConfigError, match="two members are named"):
        workspace.members(root, workspace.root_data(root))
