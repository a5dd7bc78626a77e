"""Building and verifying the distribution: real builds of the sample projects."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from releasekit.demo import sample
from releasekit.errors import BuildError, ReleaseError, VersionError
from releasekit.publishing import dist
from releasekit.system import facts
from releasekit.system.runner import Result

GOOD_BACKENDS = [backend for backend in sample.BACKENDS if backend != "broken"]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expected_sums(*files: Path) -> str:
    return "".join(f"{file_sha256(p)}  {p.name}\n" for p in sorted(files, key=lambda p: p.name))


def assert_one_line_without_traceback(error: ReleaseError) -> None:
    text = str(error)
    assert "\n" not in text
    assert "Traceback" not in text
    assert 'File "' not in text


@pytest.fixture(scope="module")
def committed_hatchling(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dist.Dist]:
    """A hatchling project committed to git and built once, shared by several tests."""
    base = tmp_path_factory.mktemp("committed")
    root = sample.write_project(base / "project", backend="hatchling")
    sample.init_repository(root, base / "remote.git")
    return root, dist.build(root, version="1.3.0")


@pytest.fixture
def dist_copy(committed_hatchling: tuple[Path, dist.Dist], tmp_path: Path) -> Path:
    """A private copy of the shared dist/, free to be spoiled by one test."""
    _root, built = committed_hatchling
    return Path(shutil.copytree(built.wheel.parent, tmp_path / "dist"))


# Real builds, one per backend.


@pytest.mark.slow
@pytest.mark.parametrize("backend", GOOD_BACKENDS)
def test_build_makes_one_sdist_and_one_wheel_at_the_version(tmp_path: Path, backend: str) -> None:
    root = sample.write_project(tmp_path / "project", backend=backend)
    outdir = root / "dist"
    outdir.mkdir()
    (outdir / "sample_pkg-0.9.0-py3-none-any.whl").write_bytes(b"stale wheel")
    (outdir / "sample_pkg-0.9.0.tar.gz").write_bytes(b"stale sdist")
    (outdir / "NOTES.txt").write_text("not a build output")

    built = dist.build(root, version="1.3.0")

    assert {p.name for p in outdir.iterdir()} == {
        built.sdist.name,
        built.wheel.name,
        "SHA256SUMS",
        "NOTES.txt",
    }
    sdist_name, sdist_version = parse_sdist_filename(built.sdist.name)
    wheel_name, wheel_version, _, _ = parse_wheel_filename(built.wheel.name)
    assert sdist_name == wheel_name == canonicalize_name("sample-pkg")
    assert sdist_version == wheel_version == Version("1.3.0")
    assert built.checksums == outdir / "SHA256SUMS"
    assert built.checksums.read_text() == expected_sums(built.sdist, built.wheel)
    if shutil.which("sha256sum"):
        check = subprocess.run(["sha256sum", "--check", "SHA256SUMS"], cwd=outdir, check=False)
        assert check.returncode == 0
    # The same dist/ verifies again without a rebuild (publish in another CI job).
    assert dist.verify(outdir, version="1.3.0") == built


@pytest.mark.slow
def test_hatchling_builds_of_a_committed_project_are_byte_identical(
    committed_hatchling: tuple[Path, dist.Dist], tmp_path: Path
) -> None:
    root, first = committed_hatchling
    for path in (root / "src").rglob("*"):
        os.utime(path, (1_900_000_000, 1_900_000_000))  # a later checkout changes mtimes

    second = dist.build(root, version="1.3.0", outdir=tmp_path / "again")

    assert second.wheel.name == first.wheel.name
    assert file_sha256(second.sdist) == file_sha256(first.sdist)
    assert file_sha256(second.wheel) == file_sha256(first.wheel)
    assert second.checksums.read_text() == first.checksums.read_text()


# Real build failures.


@pytest.mark.slow
def test_broken_backend_reaches_the_user_with_its_own_message(tmp_path: Path) -> None:
    root = sample.write_project(tmp_path / "project", backend="broken")

    with pytest.raises(dist.BuildToolError) as caught:
        dist.build(root, version="1.3.0")

    error = caught.value
    assert "RuntimeError: the broken backend refuses to build (this is a test project)" in str(
        error
    )
    assert "fix the build backend error above, then re-run" in error.fix
    assert_one_line_without_traceback(error)
    assert "Traceback" in error.output  # the whole story stays available for --verbose
    if dist.uv_binary() is not None:
        assert "venv+uv" in error.output  # build really used uv for the isolated env


@pytest.mark.slow
def test_missing_readme_fails_twine_check_with_a_clear_message(tmp_path: Path) -> None:
    root = sample.write_project(tmp_path / "project", backend="hatchling")
    pyproject = root / "pyproject.toml"
    lines = pyproject.read_text().splitlines(keepends=True)
    pyproject.write_text("".join(line for line in lines if not line.startswith("readme")))

    with pytest.raises(BuildError) as caught:
        dist.build(root, version="1.3.0", strict=True)

    text = str(caught.value)
    assert "twine check --strict" in text
    assert "`long_description` missing" in text
    assert "sample_pkg-1.3.0-py3-none-any.whl" in text
    assert "sample_pkg-1.3.0.tar.gz" in text
    assert "readme" in caught.value.fix
    assert_one_line_without_traceback(caught.value)
    assert not (root / "dist" / "SHA256SUMS").exists()

    # publish verifies with metadata=False: without the SHA256SUMS that only a clean
    # build writes, it still runs twine check, so unchecked files never get uploaded.
    with pytest.raises(BuildError, match="twine check --strict"):
        dist.verify(root / "dist", version="1.3.0", metadata=False, strict=True)


@pytest.mark.slow
def test_version_mismatch_names_the_file_and_both_versions(tmp_path: Path) -> None:
    root = sample.write_project(tmp_path / "project", backend="hatchling", version="1.3.0")

    with pytest.raises(BuildError) as caught:
        dist.build(root, version="1.4.0")

    assert "sample_pkg-1.3.0" in caught.value.cause
    assert "1.3.0" in caught.value.cause
    assert "expected 1.4.0" in caught.value.cause
    assert_one_line_without_traceback(caught.value)


@pytest.mark.slow
def test_unsatisfiable_build_requirement_shows_the_installers_reason(tmp_path: Path) -> None:
    root = sample.write_project(tmp_path / "project", backend="hatchling")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("hatchling>=1.24", "hatchling>=999"))

    with pytest.raises(BuildError) as caught:
        dist.build(root, version="1.3.0")

    assert "hatchling>=999" in caught.value.cause
    assert "CalledProcessError" not in caught.value.cause
    assert "[build-system] requires" in caught.value.fix
    assert_one_line_without_traceback(caught.value)


def test_a_build_that_runs_out_of_time_says_so(tmp_path: Path) -> None:
    root = sample.write_project(tmp_path / "project", backend="hatchling")

    with pytest.raises(BuildError) as caught:
        dist.build(root, version="1.3.0", timeout=0.01)

    assert "did not finish within 0.01 s" in caught.value.cause
    assert "timeout" in caught.value.fix
    assert_one_line_without_traceback(caught.value)


# verify() on an existing dist/.


@pytest.mark.slow
def test_verify_refuses_two_wheels_for_the_same_platform(dist_copy: Path) -> None:
    """A second wheel is fine when it is for another platform (test_wheels.py), not a copy
    with a build number: an installer could not choose between the two."""
    wheel = next(dist_copy.glob("*.whl"))
    shutil.copy(wheel, dist_copy / "sample_pkg-1.3.0-1-py3-none-any.whl")

    with pytest.raises(BuildError) as caught:
        dist.verify(dist_copy, version="1.3.0")

    assert "both carry the tag py3-none-any" in caught.value.cause
    assert wheel.name in caught.value.cause
    assert "sample_pkg-1.3.0-1-py3-none-any.whl" in caught.value.cause


@pytest.mark.slow
def test_verify_names_the_file_and_both_versions(dist_copy: Path) -> None:
    with pytest.raises(BuildError) as caught:
        dist.verify(dist_copy, version="1.4.0")

    assert "is version 1.3.0, expected 1.4.0" in caught.value.cause
    assert "sample_pkg-1.3.0" in caught.value.cause


@pytest.mark.slow
def test_verify_writes_missing_checksums(dist_copy: Path) -> None:
    (dist_copy / "SHA256SUMS").unlink()

    verified = dist.verify(dist_copy, version="1.3.0")

    assert verified.checksums.read_text() == expected_sums(verified.sdist, verified.wheel)


@pytest.mark.slow
def test_verify_catches_a_file_changed_after_the_build(dist_copy: Path) -> None:
    sums = dist_copy / "SHA256SUMS"
    wheel = next(dist_copy.glob("*.whl"))
    sums.write_text(sums.read_text().replace(file_sha256(wheel), "0" * 64))

    with pytest.raises(BuildError) as caught:
        dist.verify(dist_copy, version="1.3.0")

    assert wheel.name in caught.value.cause
    assert "checksum" in caught.value.cause


@pytest.mark.slow
def test_verify_catches_checksums_of_other_files(dist_copy: Path) -> None:
    sums = dist_copy / "SHA256SUMS"
    sums.write_text(sums.read_text() + f"{'1' * 64}  sample_pkg-1.2.0.tar.gz\n")

    with pytest.raises(BuildError) as caught:
        dist.verify(dist_copy, version="1.3.0")

    assert "sample_pkg-1.2.0.tar.gz" in caught.value.cause


def test_verify_refuses_a_missing_folder_or_sdist(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="does not exist"):
        dist.verify(tmp_path / "dist", version="1.3.0")
    (tmp_path / "sample_pkg-1.3.0-py3-none-any.whl").write_bytes(b"")
    with pytest.raises(BuildError, match="no sdist"):
        dist.verify(tmp_path, version="1.3.0")


def test_verify_refuses_an_invalid_expected_version(tmp_path: Path) -> None:
    with pytest.raises(VersionError, match="not a valid version"):
        dist.verify(tmp_path, version="1.4.0-beta!")


# Fast checks of the pieces: installer choice, argv, environment, cleaning.


def test_build_argv_asks_for_uv_only_when_it_is_there(tmp_path: Path) -> None:
    with_uv = dist.build_argv(tmp_path, tmp_path / "dist", uv="/opt/uv/bin/uv")
    without = dist.build_argv(tmp_path, tmp_path / "dist", uv=None)

    assert with_uv[:3] == [sys.executable, "-m", "build"]
    assert with_uv[with_uv.index("--installer") + 1] == "uv"
    assert with_uv[with_uv.index("--outdir") + 1] == str(tmp_path / "dist")
    assert with_uv[-1] == str(tmp_path)
    assert "--installer" not in without
    assert "--sdist" not in with_uv and "--wheel" not in with_uv  # wheel built from the sdist


def test_resolve_installer() -> None:
    assert dist.resolve_installer(None, "/x/uv") == "/x/uv"
    assert dist.resolve_installer("uv", "/x/uv") == "/x/uv"
    assert dist.resolve_installer(None, None) is None
    assert dist.resolve_installer("pip", "/x/uv") is None
    with pytest.raises(BuildError, match="not installed"):
        dist.resolve_installer("uv", None)
    with pytest.raises(BuildError, match="unknown installer"):
        dist.resolve_installer("conda", "/x/uv")


def test_build_passes_uv_and_the_commit_time_to_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[list[str], dict[str, str]]] = []

    def fake_run(argv: list[str], **kwargs: object) -> Result:
        env = kwargs.get("env") or {}
        assert isinstance(env, dict)
        calls.append((list(argv), env))
        if argv[0] == "git":
            return Result(tuple(argv), 0, "1700000000\n", "")
        return Result(tuple(argv), 1, "", "RuntimeError: stop here")

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setattr(dist, "uv_binary", lambda: "/opt/uv/bin/uv")
    monkeypatch.setattr(dist.runner, "run", fake_run)

    with pytest.raises(BuildError, match="RuntimeError: stop here"):
        dist.build(tmp_path, version="1.3.0")

    argv, env = calls[-1]
    assert argv[1:3] == ["-m", "build"]
    assert argv[argv.index("--installer") + 1] == "uv"
    assert env["PATH"].split(os.pathsep)[0] == "/opt/uv/bin"
    assert env["SOURCE_DATE_EPOCH"] == "1700000000"


def test_build_refuses_uv_when_it_is_missing_before_touching_dist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dist, "uv_binary", lambda: None)
    stale = tmp_path / "dist" / "old-1.0-py3-none-any.whl"
    stale.parent.mkdir()
    stale.write_bytes(b"old")

    with pytest.raises(BuildError, match="uv"):
        dist.build(tmp_path, version="1.3.0", installer="uv")

    assert stale.exists()


def test_an_explicit_source_date_epoch_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "315532800")
    assert "SOURCE_DATE_EPOCH" not in dist.build_env(uv=None, epoch="1700000000")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert dist.build_env(uv=None, epoch="1700000000")["SOURCE_DATE_EPOCH"] == "1700000000"
    assert "SOURCE_DATE_EPOCH" not in dist.build_env(uv=None, epoch=None)


def test_source_date_epoch_is_the_head_commit_time(tmp_path: Path) -> None:
    root = sample.write_project(tmp_path / "project")
    assert dist.source_date_epoch(root) is None  # not a git repository yet
    sample.init_repository(root, tmp_path / "remote.git", tag=None)

    epoch = dist.source_date_epoch(root)

    assert epoch == sample.git(root, "log", "-1", "--format=%ct").strip()
    assert epoch is not None and epoch.isdigit()


def test_uv_binary_prefers_the_package_then_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        import uv
    except ImportError:
        pass
    else:
        assert dist.uv_binary() == uv.find_uv_bin()
    monkeypatch.setitem(sys.modules, "uv", None)  # the package is not importable
    monkeypatch.setenv("PATH", str(tmp_path))
    assert dist.uv_binary() is None
    fake = tmp_path / "uv"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert dist.uv_binary() == str(fake)


def test_clean_dist_deletes_build_outputs_only(tmp_path: Path) -> None:
    outdir = tmp_path / "dist"
    (outdir / "keep-dir.whl").mkdir(parents=True)
    outputs = ["a-1.0-py3-none-any.whl", "a-1.0.tar.gz", "SHA256SUMS", "a-1.0.tar.gz.attestation"]
    for name in outputs:
        (outdir / name).write_text("x")
    (outdir / "README.txt").write_text("mine")
    outside = tmp_path / "b-1.0-py3-none-any.whl"
    outside.write_text("not in dist")

    dist.clean_dist(outdir)

    assert sorted(p.name for p in outdir.iterdir()) == ["README.txt", "keep-dir.whl"]
    assert outside.exists()
    dist.clean_dist(tmp_path / "absent")  # nothing to clean is fine
    with pytest.raises(BuildError, match="not a folder"):
        dist.clean_dist(outside)


def test_backend_message_prefers_the_tools_own_words() -> None:
    traceback = (
        "* Building sdist...\nTraceback (most recent call last):\n"
        '  File "x.py", line 1, in <module>\nValueError: bad config\n'
        "TIP pass --env-dir\nERROR Backend subprocess exited when trying to invoke build_sdist\n"
    )
    installer = (
        "< error: No solution found when resolving dependencies\n"
        "<   cause: you require\n  hatchling>=999, unsatisfiable.\n"
        "ERROR Command '['uv', 'pip']' returned non-zero exit status 1.\n"
    )
    assert dist.backend_message(traceback) == "ValueError: bad config"
    assert dist.backend_message(installer) == (
        "error: No solution found when resolving dependencies "
        "cause: you require hatchling>=999, unsatisfiable."
    )
    assert dist.backend_message("* Building\nERROR Source is not a project\n") == (
        "Source is not a project"
    )
    assert dist.backend_message("") == "no output"


def test_sha256_matches_hashlib(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    path.write_bytes(os.urandom(3 << 20))
    assert facts.sha256(path) == file_sha256(path)


# The uv frontend: `uv build` instead of `python -m build`, the same checks after it.


def _spy_on_builds(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The argv of every build child, while the real runner runs them."""
    real = dist.runner.run
    seen: list[list[str]] = []

    def spy(argv: list[str], **kwargs: object) -> Result:
        if argv[0] != "git":
            seen.append(list(argv))
        return real(argv, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(dist.runner, "run", spy)
    return seen


needs_uv = pytest.mark.skipif(dist.uv_binary() is None, reason="uv is not installed")


@pytest.mark.slow
@needs_uv
def test_uv_frontend_builds_sdist_and_wheel_and_verifies_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = sample.write_project(tmp_path / "project", backend="hatchling")
    builds = _spy_on_builds(monkeypatch)

    built = dist.build(root, version="1.3.0", frontend="uv")

    assert [argv[1] for argv in builds] == ["build"]  # one `uv build`: sdist, wheel from it
    assert builds[0][0] == dist.uv_binary()
    assert "--sdist" not in builds[0] and "--wheel" not in builds[0]
    outdir = root / "dist"
    names = {path.name for path in outdir.iterdir()}
    assert names == {"sample_pkg-1.3.0.tar.gz", "sample_pkg-1.3.0-py3-none-any.whl", "SHA256SUMS"}
    assert built.checksums.read_text() == expected_sums(built.sdist, built.wheel)
    assert dist.verify(outdir, version="1.3.0") == built

    # The same verification as after pypa/build: the wrong version is caught, by name.
    with pytest.raises(BuildError, match=r"sample_pkg-1\.3\.0.*expected 1\.4\.0"):
        dist.build(root, version="1.4.0", frontend="uv")


@pytest.mark.slow
@needs_uv
def test_uv_frontend_honours_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zipfile

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "315532800")  # 1980-01-01, zip's first day
    root = sample.write_project(tmp_path / "project", backend="hatchling")

    first = dist.build(root, version="1.3.0", frontend="uv", outdir=tmp_path / "one")
    for path in (root / "src").rglob("*"):
        os.utime(path, (1_900_000_000, 1_900_000_000))
    second = dist.build(root, version="1.3.0", frontend="uv", outdir=tmp_path / "two")

    assert file_sha256(first.sdist) == file_sha256(second.sdist)
    assert file_sha256(first.wheel) == file_sha256(second.wheel)
    with zipfile.ZipFile(first.wheel) as wheel:
        assert {info.date_time[:3] for info in wheel.infolist()} == {(1980, 1, 1)}


@pytest.mark.slow
@needs_uv
def test_uv_frontend_reports_the_backends_own_message(tmp_path: Path) -> None:
    broken = sample.write_project(tmp_path / "broken", backend="broken")
    with pytest.raises(dist.BuildToolError) as caught:
        dist.build(broken, version="1.3.0", frontend="uv")
    assert "RuntimeError: the broken backend refuses to build" in caught.value.cause
    assert_one_line_without_traceback(caught.value)
    assert not (broken / "dist" / ".gitignore").exists()  # uv wrote one; a failure leaves none

    unsatisfiable = sample.write_project(tmp_path / "unsatisfiable", backend="hatchling")
    pyproject = unsatisfiable / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("hatchling>=1.24", "hatchling>=999"))
    with pytest.raises(BuildError) as caught:
        dist.build(unsatisfiable, version="1.3.0", frontend="uv")
    assert "hatchling>=999" in caught.value.cause
    assert "[build-system] requires" in caught.value.fix
    assert_one_line_without_traceback(caught.value)


def test_resolve_frontend_prefers_uv_and_lets_flags_and_config_choose() -> None:
    uv = "/x/uv"
    assert dist.resolve_frontend(None, None, "", uv) == "uv"
    assert dist.resolve_frontend(None, None, "", None) == "build"
    assert dist.resolve_frontend(None, None, "build", uv) == "build"
    assert dist.resolve_frontend("uv", None, "build", uv) == "uv"  # the flag over the config
    # --installer is pypa/build's option: giving it means pypa/build.
    assert dist.resolve_frontend(None, "uv", "uv", uv) == "build"
    assert dist.resolve_frontend(None, "pip", "", uv) == "build"
    assert dist.resolve_frontend("uv", "uv", "", uv) == "uv"
    with pytest.raises(BuildError, match="--installer pip is pypa/build's option"):
        dist.resolve_frontend("uv", "pip", "", uv)
    with pytest.raises(BuildError, match="unknown build frontend 'flit'"):
        dist.resolve_frontend("flit", None, "", uv)


@pytest.mark.parametrize(
    ("frontend", "configured", "asked"),
    [("uv", "", "--frontend uv"), (None, "uv", '[tool.releasekit] build-frontend = "uv"')],
)
def test_a_missing_uv_is_refused_in_one_line_with_the_fix(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    frontend: str | None,
    configured: str,
    asked: str,
) -> None:
    monkeypatch.setattr(dist, "uv_binary", lambda: None)
    stale = tmp_path / "dist" / "old-1.0-py3-none-any.whl"
    stale.parent.mkdir()
    stale.write_bytes(b"old")

    with pytest.raises(BuildError) as caught:
        dist.build(tmp_path, version="1.3.0", frontend=frontend, configured=configured)

    assert str(caught.value) == (
        f"{asked} asks for uv, which is not installed; "
        f"{sys.executable} -m pip install uv, or build with --frontend build"
    )
    assert stale.exists()  # refused before dist/ is touched


def test_releasekit_build_frontend_uv_without_uv_says_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from releasekit.cli import main

    root = sample.write_project(tmp_path / "project", backend="hatchling")
    monkeypatch.chdir(root)
    monkeypatch.setattr(dist, "uv_binary", lambda: None)

    assert main(["build", "--frontend", "uv"]) == 1

    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (
        "releasekit: error: --frontend uv asks for uv, which is not installed; "
        f"{sys.executable} -m pip install uv, or build with --frontend build"
    )
    assert not (root / "dist").exists()


def test_uv_build_argv_is_isolated_on_this_interpreter(tmp_path: Path) -> None:
    argv = dist.uv_build_argv(tmp_path, tmp_path / "dist", uv="/opt/uv/bin/uv")

    assert argv[:2] == ["/opt/uv/bin/uv", "build"]
    assert argv[argv.index("--python") + 1] == sys.executable  # no Python download
    assert argv[argv.index("--out-dir") + 1] == str(tmp_path / "dist")
    assert "--no-build-isolation" not in argv and "--wheel" not in argv
    assert argv[-1] == str(tmp_path)
    assert "--sdist" in dist.uv_build_argv(tmp_path, tmp_path, uv="uv", sdist_only=True)


def test_backend_message_reads_uv_builds_innermost_cause_across_its_wrapping() -> None:
    uv = (
        "Building source distribution...\n"
        "error: Failed to build `/tmp/project`\n"
        "  cause: Failed to resolve requirements from `build-system.requires`\n"
        "  cause: No solution found when resolving: `hatchling>=999`\n"
        "  cause: Because only hatchling<=1.33.0 is available and you require\n"
        "         hatchling>=999, we can conclude that your requirements are\n"
        "         unsatisfiable.\n"
        "\n"
        "hint: Build failures usually indicate a problem with the package\n"
    )
    assert dist.backend_message(uv) == (
        "Because only hatchling<=1.33.0 is available and you require hatchling>=999, "
        "we can conclude that your requirements are unsatisfiable"
    )
