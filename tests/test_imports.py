"""The fast paths stay fast: `invoke --list`, `releasekit --help` and planning a release
import nothing heavy (twine alone costs about 0.3 s to import).

Each check runs a fresh interpreter, so what earlier tests imported does not count.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SampleRepo

# Third-party packages that the fast paths must not load (top-level import names).
HEAVY = frozenset(
    {
        "twine",
        "build",
        "requests",
        "rich",
        "yaml",
        "nacl",
        "tomlkit",
        "semver",
        "packaging",
        "urllib3",
    }
)
# What planning a release may need (versions, pyproject edits) but never the upload side.
UPLOAD_SIDE = frozenset({"twine", "build", "requests", "rich", "nacl", "urllib3", "yaml"})
# Both fronts are built from the flag table at import time; it imports nothing.
FLAGS = ("releasekit.frontend", "releasekit.frontend.flags")
HINT = "find who imports it with: python -X importtime {what} 2>&1 | less"


def loaded(code: str) -> set[str]:
    """sys.modules after running `code` in a fresh interpreter."""
    script = f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return set(proc.stdout.split())


def imported_by(argv: list[str], cwd: Path) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """Every module a command imports (`python -X importtime ...`), and its result."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    names = set()
    for line in proc.stderr.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if line.startswith("import time:") and len(fields) == 3 and fields[0].strip().isdigit():
            names.add(fields[2].strip())
    return names, proc


def heavy(modules: set[str], forbidden: frozenset[str] = HEAVY) -> list[str]:
    return sorted(name for name in modules if name.split(".")[0] in forbidden)


def ours(modules: set[str]) -> set[str]:
    return {name for name in modules if name.split(".")[0] == "releasekit"}


def test_importing_the_tasks_adds_nothing_heavy_to_invoke() -> None:
    # invoke itself loads some of these (it imports yaml); only what we add counts.
    baseline = loaded("import invoke, invoke.context, invoke.exceptions, invoke.tasks")
    tasks = loaded("import releasekit.tasks")
    added = tasks - baseline
    assert heavy(added) == [], HINT.format(what="-c 'import releasekit.tasks'")
    assert ours(tasks) == {"releasekit", "releasekit.tasks", *FLAGS}, "the core loads in a task"


def test_invoke_list_loads_only_the_tasks_module(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "tasks.py").write_text("")
    project = tmp_path / "project"
    project.mkdir()
    (project / "tasks.py").write_text("from releasekit.tasks import *  # noqa: F403\n")

    baseline, _ = imported_by(["-m", "invoke", "--list"], empty)
    modules, proc = imported_by(["-m", "invoke", "--list"], project)

    assert proc.returncode == 0, proc.stderr[-2000:]
    listed = proc.stdout.split()
    assert {"release", "bump", "changelog", "build", "publish"} <= set(listed), proc.stdout
    assert heavy(modules - baseline) == [], HINT.format(what="-m invoke --list")
    assert ours(modules) == {"releasekit", "releasekit.tasks", *FLAGS}


# What the `releasekit` console script runs.
ENTRY_POINT = "import sys; from releasekit.cli import main; sys.exit(main())"


@pytest.mark.parametrize("args", [["--help"], ["release", "--help"], ["--version"]])
def test_releasekit_help_loads_only_the_command_line(tmp_path: Path, args: list[str]) -> None:
    modules, proc = imported_by(["-c", ENTRY_POINT, *args], tmp_path)

    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "releasekit" in proc.stdout
    assert heavy(modules, HEAVY | {"invoke"}) == [], HINT.format(what="-m releasekit --help")
    assert ours(modules) == {"releasekit", "releasekit.cli", *FLAGS}


def test_the_console_script_adds_no_metadata_scan(tmp_path: Path) -> None:
    """The installed `releasekit` script starts the command line directly: no
    importlib.metadata (an entry-point lookup reads every installed distribution)."""
    script = Path(sys.executable).parent / "releasekit"
    baseline, _ = imported_by(["-c", "pass"], tmp_path)
    modules, proc = imported_by([str(script), "--version"], tmp_path)

    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("releasekit "), proc.stdout
    assert "importlib.metadata" not in modules - baseline, HINT.format(what=str(script))
    assert ours(modules) == {"releasekit", "releasekit.cli", *FLAGS}


# What the file-editing verbs leave out: they plan one edit, they do not release. (packaging
# stays: its Version parses and orders the versions.)
LEAN_THIRD_PARTY = HEAVY - {"packaging"}
# dataclasses loads inspect, ast, dis and tokenize: the lean path's values are records.
LEAN_STDLIB = frozenset(
    {"difflib", "hashlib", "tempfile", "importlib.metadata", "dataclasses", "inspect"}
)
NOT_LEAN = (
    "releasekit.core.recovery",  # an interrupted release is found with one stat first
    "releasekit.core.journal",
    "releasekit.core.apply",  # a dry run applies nothing
    "releasekit.core.pullflow",
    "releasekit.core.conventional",  # only --part auto or [tool.releasekit] part read commits
    "releasekit.core.changelogs.towncrier",  # only projects that use towncrier
    "releasekit.frontend.progress",
    "releasekit.publishing",
    "releasekit.github",
    "releasekit.doctor",
    "releasekit.setup",
)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["bump", "--part", "minor", "--dry-run"], "1.3.0 -> 1.4.0"),
        (["changelog", "--part", "minor", "--dry-run"], "+## [1.4.0]"),
        (["notes"], "First public release."),
        (["notes", "--version", "1.3.0"], "First public release."),
    ],
)
def test_the_file_verbs_take_the_lean_path(repo: SampleRepo, args: list[str], says: str) -> None:
    modules, proc = imported_by(["-c", ENTRY_POINT, *args], repo.root)

    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert says in proc.stdout
    what = f"-m releasekit {' '.join(args)}"
    assert heavy(modules, LEAN_THIRD_PARTY) == [], HINT.format(what=what)
    assert sorted(modules & LEAN_STDLIB) == [], HINT.format(what=what)
    loaded_ours = sorted(
        name for name in ours(modules) if any(name.startswith(gone) for gone in NOT_LEAN)
    )
    assert loaded_ours == [], HINT.format(what=what)


def test_an_interrupted_release_is_still_found_on_the_lean_path(repo: SampleRepo) -> None:
    """The one-stat check does not hide a journal: the dry run names it."""
    journal = repo.root / ".git" / "releasekit-journal.json"
    journal.write_text("not a journal")

    modules, proc = imported_by(
        ["-c", ENTRY_POINT, "bump", "--part", "minor", "--dry-run"], repo.root
    )

    assert proc.returncode == 1
    assert f"{journal} is not a release journal" in proc.stderr
    assert "releasekit.core.recovery" in modules


def test_importing_the_release_verbs_leaves_the_upload_side_out() -> None:
    modules = loaded(
        "import releasekit.core.release, releasekit.publishing.after_push, "
        "releasekit.frontend.verbs"
    )
    assert heavy(modules, UPLOAD_SIDE) == [], HINT.format(
        what="-c 'import releasekit.core.release'"
    )


def test_planning_a_release_leaves_the_upload_side_out(repo: SampleRepo) -> None:
    modules, proc = imported_by(
        ["-m", "releasekit", "release", "--part", "minor", "--dry-run"], repo.root
    )

    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert "1.3.0 -> 1.4.0" in proc.stdout
    assert heavy(modules, UPLOAD_SIDE) == [], HINT.format(what="-m releasekit release --dry-run")
    assert not ours(modules) & {
        "releasekit.publishing.dist",
        "releasekit.publishing.upload",
        "releasekit.publishing.pypi_token",
    }


def test_planning_a_release_loads_no_journal_and_no_dataclasses(
    repo: SampleRepo,
) -> None:
    modules, proc = imported_by(
        ["-c", ENTRY_POINT, "release", "--part", "minor", "--dry-run"], repo.root
    )

    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert "1.3.0 -> 1.4.0" in proc.stdout
    what = "-m releasekit release --part minor --dry-run"
    assert sorted(modules & LEAN_STDLIB) == [], HINT.format(what=what)
    assert not ours(modules) & {
        "releasekit.core.apply",  # the lock is looked for with one stat
        "releasekit.core.journal",
        "releasekit.core.recovery",
        "releasekit.core.conventional",
        "releasekit.publishing.upload",
    }, HINT.format(what=what)


def test_publish_starts_twine_before_loading_the_upload_side() -> None:
    """`releasekit publish` starts twine first (its start-up overlaps the checks): what
    that start needs must not load the index client, the token audit or the core."""
    modules = loaded("import releasekit.publishing.twine_child")
    assert not ours(modules) & {
        "releasekit.publishing.upload",
        "releasekit.publishing.index",
        "releasekit.publishing.pypi_token",
        "releasekit.core",
    }
    assert "dataclasses" not in modules
