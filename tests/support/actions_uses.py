"""Local stand-ins for the actions releasekit's workflows use, for support/actions.py.

checkout clones the tag from the machine's bare remote; setup-python uses this interpreter;
the artifact actions copy folders under the run's artifact store, honouring name, path,
pattern and merge-multiple; cibuildwheel builds the wheel on this machine and retags it for
the runner's platform, so every matrix entry yields a wheel of its own tag. Each refuses the
inputs it does not implement (Unsupported) and fails the way the action does (StepFailed).
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from support.actions import Job, StepFailed, Unsupported
from support.compiled import retag

# The platform part of the wheel tag cibuildwheel's wheels have on each GitHub runner.
PLATFORMS = {
    "ubuntu-latest": "manylinux_2_17_x86_64.manylinux2014_x86_64",
    "ubuntu-24.04": "manylinux_2_17_x86_64.manylinux2014_x86_64",
    "ubuntu-24.04-arm": "manylinux_2_17_aarch64.manylinux2014_aarch64",
    "macos-14": "macosx_11_0_arm64",
    "macos-15-intel": "macosx_10_13_x86_64",
    "windows-latest": "win_amd64",
    "windows-11-arm": "win_arm64",
}
BUILD_TIMEOUT = 600


def _inputs(action: str, given: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise Unsupported(f"{action} input {', '.join(unknown)} has no local stand-in")


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() == "true"


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise StepFailed(f"git {' '.join(args[:2])} failed: {done.stderr.strip()}")
    return done.stdout + done.stderr


def checkout(job: Job, given: Mapping[str, Any]) -> str:
    """A clone of the ref (a tag or branch) from the remote, fetch-depth 1 as on GitHub."""
    _inputs("actions/checkout", given, {"ref", "persist-credentials", "fetch-depth"})
    ref = str(given.get("ref") or job.contexts["github"]["ref"])
    name = ref.removeprefix("refs/tags/").removeprefix("refs/heads/")
    if name == ref:
        raise Unsupported(f"actions/checkout ref {ref!r}: only refs/tags/ and refs/heads/ here")
    depth = int(given.get("fetch-depth", 1))
    shallow = ["--depth", str(depth)] if depth else []
    remote = f"file://{job.machine.remote.absolute()}"
    return _git(job.workspace, "clone", *shallow, "--branch", name, remote, ".")


def setup_python(job: Job, given: Mapping[str, Any]) -> str:
    """Nothing to install: the machine's PATH already starts with this interpreter's folder."""
    _inputs("actions/setup-python", given, {"python-version"})
    return f"using the machine's Python for python-version {given.get('python-version')}"


def _search_root(workspace: Path, pattern: str) -> Path:
    """What upload-artifact keeps paths relative to: the part before the first wildcard
    (a folder itself, a file's parent)."""
    parts = Path(pattern).parts
    literal = next((i for i, part in enumerate(parts) if set(part) & set("*?[")), len(parts))
    root = workspace.joinpath(*parts[:literal])
    return root if root.is_dir() or literal < len(parts) else root.parent


def upload_artifact(job: Job, given: Mapping[str, Any]) -> str:
    """The files `path` names (lines of folders, files or globs) under artifacts/<name>/."""
    allowed = {"name", "path", "if-no-files-found", "retention-days", "include-hidden-files"}
    _inputs("actions/upload-artifact", given, allowed)
    name = str(given.get("name") or "artifact")
    patterns = [line.strip() for line in str(given["path"]).splitlines() if line.strip()]
    if any(pattern.startswith("!") for pattern in patterns):
        raise Unsupported("upload-artifact exclusions (!pattern) have no local stand-in")
    files: set[Path] = set()
    roots: list[Path] = []
    for pattern in patterns:
        roots.append(_search_root(job.workspace, pattern))
        for found in [job.workspace / pattern, *job.workspace.glob(pattern)]:
            if found.is_dir():
                files.update(path for path in found.rglob("*") if path.is_file())
            elif found.is_file():
                files.add(found)
    root = Path(os.path.commonpath(roots))
    hidden = _truthy(given.get("include-hidden-files", False))
    files = {
        f for f in files if hidden or not any(p.startswith(".") for p in f.relative_to(root).parts)
    }
    if not files:
        policy = str(given.get("if-no-files-found", "warn"))
        message = f"no files were found with the provided path: {' '.join(patterns)}"
        if policy == "error":
            raise StepFailed(message)
        return f"{'::warning::' if policy == 'warn' else ''}{message}; no artifact uploaded"
    store = job.artifacts / name
    if store.exists():
        raise StepFailed(f"an artifact named {name!r} was already uploaded in this run")
    for path in sorted(files):
        target = store / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    listed = "\n".join(str(path.relative_to(root)) for path in sorted(files))
    return f"artifact {name}: {len(files)} files\n{listed}"


def download_artifact(job: Job, given: Mapping[str, Any]) -> str:
    """`name`: that artifact into `path`; else those matching `pattern` (default all), each
    into path/<name>/, or all into `path` itself with merge-multiple."""
    _inputs("actions/download-artifact", given, {"name", "path", "pattern", "merge-multiple"})
    target = job.workspace / str(given.get("path") or ".")
    stored = sorted(p.name for p in job.artifacts.iterdir())
    if given.get("name"):
        name = str(given["name"])
        if name not in stored:
            raise StepFailed(f"unable to download artifact(s): artifact not found for name: {name}")
        chosen, merged = [name], True
    else:
        pattern = str(given.get("pattern") or "*")
        chosen = [name for name in stored if fnmatch.fnmatchcase(name, pattern)]
        merged = _truthy(given.get("merge-multiple", False))
    copied: list[str] = []
    for name in chosen:
        destination = target if merged else target / name
        for path in sorted(p for p in (job.artifacts / name).rglob("*") if p.is_file()):
            relative = path.relative_to(job.artifacts / name)
            (destination / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination / relative)
            copied.append(str((destination / relative).relative_to(job.workspace)))
    return f"downloaded {len(chosen)} artifacts: {', '.join(chosen)}\n" + "\n".join(copied)


def cibuildwheel(job: Job, given: Mapping[str, Any]) -> str:
    """The wheel built here (`python -m build --wheel`, isolated, uv installing, the commit
    time as SOURCE_DATE_EPOCH), retagged for the job's runner into output-dir.
    [tool.cibuildwheel] is not read: one interpreter, this machine's."""
    _inputs("pypa/cibuildwheel", given, {"output-dir", "package-dir"})
    if job.runs_on not in PLATFORMS:
        raise Unsupported(f"runner {job.runs_on!r} has no platform tag in actions_uses.PLATFORMS")
    package = job.workspace / str(given.get("package-dir") or ".")
    outdir = job.workspace / str(given.get("output-dir") or "wheelhouse")
    built = job.temp / "cibuildwheel"
    epoch = _git(job.workspace, "log", "-1", "--pretty=%ct").strip()
    argv = ["python", "-m", "build", "--wheel", "--installer", "uv", "--outdir", str(built)]
    done = subprocess.run(
        [*argv, str(package)],
        cwd=job.workspace,
        env={**job.environ, **job.contexts["env"], "SOURCE_DATE_EPOCH": epoch},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise StepFailed(f"the wheel build failed:\n{done.stdout}{done.stderr}")
    outdir.mkdir(parents=True, exist_ok=True)
    made: list[str] = []
    for wheel in sorted(built.glob("*.whl")):
        python, abi, platform = wheel.name.removesuffix(".whl").split("-")[-3:]
        if (abi, platform) == ("none", "any"):
            raise StepFailed(
                f"build failed because a pure Python wheel was generated: {wheel.name}"
            )
        made.append(retag(wheel, outdir, f"{python}-{abi}-{PLATFORMS[job.runs_on]}").name)
    return f"{len(made)} wheels in {outdir.relative_to(job.workspace)}: {', '.join(made)}"


Action = Callable[[Job, Mapping[str, Any]], str]
ACTIONS: dict[str, Action] = {
    "actions/checkout": checkout,
    "actions/setup-python": setup_python,
    "actions/upload-artifact": upload_artifact,
    "actions/download-artifact": download_artifact,
    "pypa/cibuildwheel": cibuildwheel,
}
