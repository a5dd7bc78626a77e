"""Compiled projects: detected, given the wheel-matrix workflow, and a dist/ of one sdist and a
wheel per platform verified and published as one.

The sample has a real C extension built with gcc; the wheels "from other machines" are that
real wheel retagged for other platforms (file name and WHEEL Tag), as cibuildwheel would bring.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.commands import releasekit
from support.compiled import retag, write_compiled_project
from support.repostate import capture
from support.tokens import mint

from releasekit.core.compiled import detect
from releasekit.demo import sample
from releasekit.demo.localindex import LocalIndex
from releasekit.doctor.run import run as doctor
from releasekit.publishing import dist
from releasekit.publishing.index import existing_files
from releasekit.publishing.upload import publish
from releasekit.setup.workflow import (
    ACTION_PINS,
    DEFAULT_WHEEL_RUNNERS,
    WorkflowOptions,
    render_release,
)

BIN = Path(sys.executable).parent
NAME, VERSION = "sample-ext", "1.3.0"
OTHER_PLATFORMS = (
    "cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64",
    "cp311-cp311-macosx_11_0_arm64",
    "cp311-cp311-macosx_10_9_x86_64",
    "cp311-cp311-win_amd64",
)
WORKFLOW = ".github/workflows/release.yml"


def sums_of(*files: Path) -> str:
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in files]
    return "".join(sorted(lines, key=lambda line: line.split()[1]))


def tool(name: str) -> str:
    found = BIN / name
    return str(found) if found.exists() else shutil.which(name) or name


def zizmor(path: Path, persona: str) -> tuple[int, list[dict[str, Any]]]:
    argv = [tool("zizmor"), "--offline", "--no-config", "--format", "json", "--persona", persona]
    proc = subprocess.run([*argv, str(path)], capture_output=True, text=True, timeout=120)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else []


# --- real builds, shared ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The C sample at 1.3.0 (committed and tagged), and real wheels of 1.2.0 and of another
    compiled project, to gather dist/ folders from."""
    base = tmp_path_factory.mktemp("compiled")
    root = write_compiled_project(base / "project", name=NAME, version=VERSION)
    sample.init_repository(root, base / "remote.git")
    current = dist.build(root, version=VERSION)
    older = write_compiled_project(base / "older", name=NAME, version="1.2.0")
    other = write_compiled_project(base / "other", name="other-ext", version=VERSION)
    return {
        "root": root,
        "dist": current,
        "older_wheel": dist.build(older, version="1.2.0").wheel,
        "other_wheel": dist.build(other, version=VERSION).wheel,
    }


@pytest.fixture
def gathered(built: dict[str, Any], tmp_path: Path) -> Path:
    """A private copy of the project whose dist/ holds what the workflow's publish job gets:
    the sdist, this machine's wheel and one wheel from each other platform, no SHA256SUMS."""
    root = Path(shutil.copytree(built["root"], tmp_path / "project", symlinks=True))
    outdir = root / "dist"
    (outdir / dist.CHECKSUMS).unlink()
    host = outdir / built["dist"].wheel.name
    for platform in OTHER_PLATFORMS:
        retag(host, outdir, platform)
    return root


def test_the_sample_wheel_holds_compiled_code(built: dict[str, Any]) -> None:
    wheel = built["dist"].wheel
    assert "-none-any" not in wheel.name
    with zipfile.ZipFile(wheel) as archive:
        assert any(name.endswith(".so") for name in archive.namelist())
    tag = wheel.name.removesuffix(".whl").split("-", 2)[2]
    copy = retag(wheel, wheel.parent.parent, OTHER_PLATFORMS[-1])
    with zipfile.ZipFile(copy) as archive:
        info = next(n for n in archive.namelist() if n.endswith("WHEEL"))
        assert f"Tag: {OTHER_PLATFORMS[-1]}" in archive.read(info).decode()
        assert f"Tag: {tag}" not in archive.read(info).decode()
    copy.unlink()


# --- detection and doctor --------------------------------------------------------------------

BUILD_SYSTEM = '[build-system]\nrequires = [{requires}]\nbuild-backend = "{backend}"\n'


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (BUILD_SYSTEM.format(requires='"setuptools", "Cython>=3"', backend="x"), "Cython"),
        (BUILD_SYSTEM.format(requires='"pybind11 >= 2.10"', backend="x"), "pybind11"),
        (
            BUILD_SYSTEM.format(requires='"scikit-build-core"', backend="scikit_build_core.build"),
            "build backend scikit-build-core",
        ),
        (BUILD_SYSTEM.format(requires='"meson-python"', backend="mesonpy"), "meson-python"),
        (BUILD_SYSTEM.format(requires='"maturin>=1,<2"', backend="maturin"), "maturin"),
        (
            '[tool.setuptools]\next-modules = [{name = "m._c", sources = ["m/_c.c"]}]\n',
            "[tool.setuptools] ext-modules",
        ),
        ('[tool.cibuildwheel]\nbuild = "cp3*"\n', "[tool.cibuildwheel]"),
    ],
)
def test_compiled_projects_are_detected_from_pyproject(
    tmp_path: Path, text: str, reason: str
) -> None:
    import tomllib

    found = detect(tmp_path, tomllib.loads(text))
    assert found.compiled
    assert any(reason in said for said in found.reasons), found.reasons


@pytest.mark.parametrize(
    ("setup_py", "compiled"),
    [
        (
            "from setuptools import setup, Extension\n"
            'setup(name="a", ext_modules=[Extension("a", ["a.c"])])\n',
            True,
        ),
        ("import setuptools\nsetuptools.setup(ext_modules=mods)\n", True),
        ("from Cython.Build import cythonize\nsetup(ext_modules=cythonize('a.pyx'))\n", True),
        (
            "from setuptools import setup\n# no Extension( here, ext_modules neither\nsetup()\n",
            False,
        ),
        ("from setuptools import setup\nsetup(name='x', packages=['x'])\n", False),
    ],
)
def test_compiled_projects_are_detected_from_setup_py(
    tmp_path: Path, setup_py: str, compiled: bool
) -> None:
    (tmp_path / "setup.py").write_text(setup_py)
    assert detect(tmp_path, {}).compiled is compiled


@pytest.mark.parametrize("backend", [b for b in sample.BACKENDS if b != "broken"])
def test_the_pure_samples_are_not_compiled(tmp_path: Path, backend: str) -> None:
    import tomllib

    root = sample.write_project(tmp_path / "p", backend=backend)
    assert detect(root, tomllib.loads((root / "pyproject.toml").read_text())).reasons == ()


def compiled_check(root: Path) -> tuple[str, str, str]:
    found = {check.name: check for check in doctor(root, offline=True).checks}["compiled"]
    return found.status, found.detail, found.fix


def test_doctor_reports_compiled_code_and_whether_release_yml_builds_its_wheels(
    tmp_path: Path,
) -> None:
    root = write_compiled_project(tmp_path / "project")
    sample.init_repository(root, tmp_path / "remote.git")
    status, detail, _ = compiled_check(root)
    assert status == "pass"
    assert "compiled code (setup.py passes ext_modules)" in detail
    assert "releasekit init renders" in detail and "cibuildwheel" in detail

    pure = render_release(WorkflowOptions(NAME))
    (root / WORKFLOW).parent.mkdir(parents=True)
    (root / WORKFLOW).write_text(pure)
    status, detail, fix = compiled_check(root)
    assert status == "warn"
    assert "does not build wheels with cibuildwheel" in detail
    assert fix.startswith("releasekit init --force")

    done = releasekit(root, "init", "--force")
    assert done.returncode == 0, done.stderr
    status, detail, _ = compiled_check(root)
    assert (status, detail.split(": ")[-1]) == (
        "pass",
        f"{WORKFLOW} builds the wheels with cibuildwheel",
    )


def test_doctor_calls_a_pure_project_pure(repo: Any) -> None:
    status, detail, _ = compiled_check(repo.root)
    assert (status, detail) == ("pass", "pure Python: one wheel serves every platform")


# --- init renders the matrix -----------------------------------------------------------------


def workflow_of(root: Path) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((root / WORKFLOW).read_text())
    return loaded


@pytest.fixture
def compiled_repo(tmp_path: Path) -> Path:
    root = write_compiled_project(tmp_path / "project")
    sample.init_repository(root, tmp_path / "remote.git")
    return root


@pytest.mark.parametrize("trusted", [False, True])
def test_init_writes_the_matrix_workflow_for_compiled_code(
    compiled_repo: Path, trusted: bool
) -> None:
    args = ["init", *(["--trusted-publishing"] if trusted else [])]
    done = releasekit(compiled_repo, *args)
    assert done.returncode == 0, done.stderr
    assert f"cibuildwheel on {', '.join(DEFAULT_WHEEL_RUNNERS)}" in done.stdout

    path = compiled_repo / WORKFLOW
    for persona in ("regular", "pedantic"):
        assert zizmor(path, persona) == (0, []), persona
    schema = [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)]
    proc = subprocess.run(schema, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    jobs = workflow_of(compiled_repo)["jobs"]
    assert set(jobs) == {"build", "wheels", "publish"}
    assert jobs["wheels"]["needs"] == "build"
    assert jobs["publish"]["needs"] == ["build", "wheels"]
    assert jobs["wheels"]["strategy"]["matrix"]["runner"] == list(DEFAULT_WHEEL_RUNNERS)
    assert jobs["wheels"]["runs-on"] == "${{ matrix.runner }}"
    sha, version = ACTION_PINS["pypa/cibuildwheel"]
    cibw = next(s for s in jobs["wheels"]["steps"] if "cibuildwheel" in s.get("uses", ""))
    assert cibw["uses"] == f"pypa/cibuildwheel@{sha}"  # the comment is YAML's, not the value's
    assert f"pypa/cibuildwheel@{sha} # {version}" in path.read_text()

    sdist_run = [s["run"] for s in jobs["build"]["steps"] if "run" in s]
    assert "nox -s build -- --sdist" in sdist_run
    uploads = [
        step["with"]
        for job in ("build", "wheels")
        for step in jobs[job]["steps"]
        if "upload-artifact" in step.get("uses", "")
    ]
    assert [u["name"] for u in uploads] == ["dist-sdist", "dist-wheels-${{ matrix.runner }}"]
    assert all(u["if-no-files-found"] == "error" for u in uploads)
    download = next(s for s in jobs["publish"]["steps"] if "download-artifact" in s.get("uses", ""))
    assert download["with"]["merge-multiple"] is True
    assert download["with"]["path"].rstrip("/") == "dist"
    names = ["dist-sdist", *(f"dist-wheels-{runner}" for runner in DEFAULT_WHEEL_RUNNERS)]
    assert all(fnmatch.fnmatchcase(name, download["with"]["pattern"]) for name in names)
    assert not fnmatch.fnmatchcase("github-pages", download["with"]["pattern"])

    publish_job = jobs["publish"]
    assert publish_job["environment"]["name"] == "pypi"
    assert publish_job["steps"][-1]["run"] == "nox -R -s publish"
    text = path.read_text()
    if trusted:
        assert publish_job["permissions"]["id-token"] == "write"
        assert "secrets." not in text
    else:
        assert "id-token" not in text
        assert publish_job["steps"][-1]["env"] == {"PYPI_TOKEN": "${{ secrets.PYPI_TOKEN }}"}
    for job in jobs.values():
        assert job["permissions"]["contents"] == "read"
        assert "${{" not in "".join(s.get("run", "") for s in job["steps"])


def test_wheel_runners_choose_the_matrix(compiled_repo: Path) -> None:
    with (compiled_repo / "pyproject.toml").open("a") as pyproject:
        pyproject.write(
            '\n[tool.releasekit]\nwheel-runners = ["ubuntu-latest", "windows-11-arm"]\n'
        )
    done = releasekit(compiled_repo, "init")
    assert done.returncode == 0, done.stderr
    assert "(from [tool.releasekit] wheel-runners)" in done.stdout
    matrix = workflow_of(compiled_repo)["jobs"]["wheels"]["strategy"]["matrix"]
    assert matrix == {"runner": ["ubuntu-latest", "windows-11-arm"]}


@pytest.mark.parametrize(
    ("runners", "said"),
    [
        ("[]", "wheel-runners is empty"),
        ('["ubuntu-latest", "ubuntu-latest"]', "names a runner twice"),
        ('["ubuntu latest; rm -rf /"]', "cannot hold safely"),
        ('"ubuntu-latest"', "wheel-runners must be a list"),
    ],
)
def test_init_refuses_wheel_runners_it_cannot_write_and_writes_nothing(
    compiled_repo: Path, runners: str, said: str
) -> None:
    with (compiled_repo / "pyproject.toml").open("a") as pyproject:
        pyproject.write(f"\n[tool.releasekit]\nwheel-runners = {runners}\n")
    before = capture(compiled_repo)
    done = releasekit(compiled_repo, "init")
    assert done.returncode == 1
    assert said in done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("releasekit: error: ")
    assert capture(compiled_repo).diff(before) == []


def test_init_keeps_the_single_build_workflow_for_pure_projects(repo: Any) -> None:
    done = releasekit(repo.root, "init")
    assert done.returncode == 0, done.stderr
    text = (repo.root / WORKFLOW).read_text()
    assert text == render_release(WorkflowOptions("sample-pkg"))
    assert "cibuildwheel" not in text and "cibuildwheel" not in done.stdout


# --- build --sdist ---------------------------------------------------------------------------


def test_build_sdist_builds_the_sdist_alone(compiled_repo: Path) -> None:
    done = releasekit(compiled_repo, "build", "--sdist")
    assert done.returncode == 0, done.stderr
    outdir = compiled_repo / "dist"
    sdist = outdir / "sample_ext-1.3.0.tar.gz"
    assert sorted(p.name for p in outdir.iterdir()) == [dist.CHECKSUMS, sdist.name]
    assert (outdir / dist.CHECKSUMS).read_text() == sums_of(sdist)
    assert done.stdout.splitlines()[0] == "building the sdist into dist/ ..."
    assert done.stdout.splitlines()[-1] == f"Built {sdist.name} and SHA256SUMS in dist/."


# --- verify ----------------------------------------------------------------------------------


def release_files(root: Path) -> list[Path]:
    return sorted([*(root / "dist").glob("*.whl"), *(root / "dist").glob("*.tar.gz")])


def test_verify_accepts_one_sdist_with_a_wheel_per_platform(gathered: Path) -> None:
    files = release_files(gathered)
    assert len(files) == 6

    done = releasekit(gathered, "verify")

    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.splitlines()[-1] == "Verified dist/: 1 sdist and 5 wheels, matching SHA256SUMS."
    )
    lines = [line for line in done.stdout.splitlines()[:-1] if not line.endswith(" ...")]
    listed = [line.removeprefix("- ") for line in lines]
    assert sorted(listed) == sorted(p.name for p in files)
    assert listed[-1] == "sample_ext-1.3.0.tar.gz"  # the upload order: sdist last
    assert (gathered / "dist" / dist.CHECKSUMS).read_text() == sums_of(*files)
    again = releasekit(gathered, "verify")
    assert again.returncode == 0, again.stderr


def add_older_version(root: Path, built: dict[str, Any]) -> str:
    return retag(
        built["older_wheel"], root / "dist", OTHER_PLATFORMS[0].replace("aarch64", "ppc64le")
    ).name


def add_other_project(root: Path, built: dict[str, Any]) -> str:
    return retag(built["other_wheel"], root / "dist", "cp311-cp311-musllinux_1_2_x86_64").name


def add_duplicate_triple(root: Path, built: dict[str, Any]) -> str:
    host = next((root / "dist").glob("*linux_x86_64.whl"))
    return retag(host, root / "dist", "cp311-cp311-manylinux2014_aarch64").name


@pytest.mark.parametrize(
    ("spoil", "said"),
    [
        (add_older_version, "is version 1.2.0, expected 1.3.0"),
        (add_other_project, "is a wheel of other-ext, not of sample-ext"),
        (add_duplicate_triple, "both carry the tag cp311-cp311-manylinux2014_aarch64"),
    ],
)
def test_verify_refuses_a_wheel_that_does_not_belong_and_changes_nothing(
    gathered: Path, built: dict[str, Any], spoil: Any, said: str
) -> None:
    name = spoil(gathered, built)
    before = capture(gathered)

    done = releasekit(gathered, "verify")

    assert done.returncode == 1
    assert done.stderr.startswith("releasekit: error: ") and done.stderr.count("\n") == 1
    assert said in done.stderr and name in done.stderr
    assert capture(gathered).diff(before) == []  # no SHA256SUMS written over a bad dist/


def test_verify_refuses_files_changed_or_added_after_the_checksums(gathered: Path) -> None:
    assert releasekit(gathered, "verify").returncode == 0
    wheel = next((gathered / "dist").glob("*win_amd64.whl"))
    with zipfile.ZipFile(wheel, "a") as archive:
        archive.writestr("sample_ext/injected.py", "print('not built by the release')\n")
    before = capture(gathered)

    changed = releasekit(gathered, "verify")

    assert changed.returncode == 1
    assert f"{wheel.name} does not match its checksum in SHA256SUMS" in changed.stderr
    assert "changed after the build" in changed.stderr
    assert capture(gathered).diff(before) == []

    host = next((gathered / "dist").glob("*linux_x86_64.whl"))
    wheel.unlink()
    retag(host, gathered / "dist", "cp311-cp311-win_amd64")  # back as it was
    restored = releasekit(gathered, "verify")
    assert restored.returncode == 0, restored.stderr
    extra = retag(host, gathered / "dist", "cp311-cp311-win32")
    added = releasekit(gathered, "verify")
    assert added.returncode == 1
    assert "SHA256SUMS lists" in added.stderr and extra.name in added.stderr


def test_verify_in_ci_follows_the_tag(gathered: Path) -> None:
    done = releasekit(gathered, "verify", RELEASEKIT_TAG="v1.4.0")
    assert done.returncode == 1
    assert "tag v1.4.0 says 1.4.0 but the project's version is 1.3.0" in done.stderr
    assert releasekit(gathered, "verify", RELEASEKIT_TAG="v1.3.0").returncode == 0


# --- publish: every file, sdist last, idempotent ---------------------------------------------


def test_publish_uploads_every_wheel_then_the_sdist_and_finishes_after_a_cut(
    gathered: Path, tmp_path: Path
) -> None:
    token = mint("pypi.org", [[1, [NAME]]])
    files = release_files(gathered)
    with LocalIndex(tmp_path / "packages", token=token) as index:
        # A first run that was cut after two wheels.
        cut = publish(
            files[:2],
            project=NAME,
            version=VERSION,
            repository=index.repository,
            environ={"PYPI_TOKEN": token},
        )
        assert len(cut.uploaded) == 2

        done = releasekit(gathered, "publish", "--repository", index.url, PYPI_TOKEN=token)

        assert done.returncode == 0, done.stderr
        uploaded = [
            line.split()[-1] for line in done.stdout.splitlines() if line.startswith("uploaded ")
        ]
        already = [
            line for line in done.stdout.splitlines() if line.startswith("already published")
        ]
        assert sorted(uploaded) == sorted(p.name for p in files[2:])
        assert uploaded[-1] == "sample_ext-1.3.0.tar.gz"
        assert len(already) == 2
        remote = existing_files(index.repository, NAME, VERSION, timeout=30)
        assert remote == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}

        again = releasekit(gathered, "publish", "--repository", index.url, PYPI_TOKEN=token)
        assert again.returncode == 0, again.stderr
        assert "Nothing to upload" in again.stdout
        assert not [line for line in again.stdout.splitlines() if line.startswith("uploaded ")]
