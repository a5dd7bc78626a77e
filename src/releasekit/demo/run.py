"""`releasekit demo`: both release paths on a throwaway project, all on this machine.

A sample project with a local bare remote and a local index (pypiserver on
127.0.0.1). The manual path runs `invoke release --part minor --publish`; the
automated path checks out the next tag and runs `nox -s build` and
`nox -s publish` with PYPI_TOKEN set, as release.yml does. Then the released
versions are installed from the local index into a fresh virtualenv.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from releasekit import __version__
from releasekit.demo import sample
from releasekit.errors import ReleaseError
from releasekit.system import runner

Say = Callable[[str], None]
BIN = Path(sys.executable).parent
NAME = "demo-greeting"


def releasekit_spec() -> str:
    """What the sample's nox sessions install: this checkout when run from one."""
    if os.environ.get("RELEASEKIT_SPEC"):
        return os.environ["RELEASEKIT_SPEC"]
    checkout = Path(__file__).resolve().parents[3]  # src/releasekit/demo/run.py
    if (checkout / "pyproject.toml").is_file() and (checkout / "src" / "releasekit").is_dir():
        return str(checkout)
    return f"releasekit=={__version__}"


def _tool(name: str) -> str:
    found = BIN / name
    return str(found) if found.exists() else name


def _run(argv: list[str], cwd: Path, env: Mapping[str, str], say: Say, timeout: float) -> str:
    say(f"$ {runner.display(argv)}")
    result = runner.run(argv, cwd=cwd, env=env, timeout=timeout, check=False)
    output = (result.stdout + result.stderr).strip()
    for line in output.splitlines():
        say(f"    {line}")
    if not result.ok:
        raise ReleaseError(f"the demo step {runner.display(argv)} failed", "see its output above")
    return output


def _add_change(root: Path, text: str) -> None:
    """A new entry under [Unreleased], committed: what a contributor's PR leaves."""
    path = root / "CHANGELOG.md"
    content = path.read_text()
    content = content.replace("## [Unreleased]\n", f"## [Unreleased]\n\n### Added\n\n- {text}\n", 1)
    path.write_text(content)
    sample.git(root, "commit", "--quiet", "-am", f"Add: {text}")


def run(*, keep: bool = False, say: Say) -> None:
    """Run both paths; raise ReleaseError on the first failing step."""
    from releasekit.demo.localindex import LocalIndex
    from releasekit.publishing.dist import uv_binary
    from releasekit.setup.workflow import render_nox_sessions

    work = Path(tempfile.mkdtemp(prefix="releasekit-demo-"))
    token = "demo-" + secrets.token_urlsafe(24)
    try:
        root = sample.write_project(work / NAME, name=NAME, version="1.3.0")
        (root / "noxfile.py").write_text(render_nox_sessions())
        sample.init_repository(root, work / "remote.git", tag="v1.3.0")
        say(f"Sample project {NAME} 1.3.0 in {root}, bare remote {work / 'remote.git'}")
        with LocalIndex(work / "index", token=token) as index:
            say(f"Local package index: {index.url} (pypiserver on 127.0.0.1)")
            env = {
                "PYPI_TOKEN": token,
                "RELEASEKIT_REPOSITORY": index.url,
                "RELEASEKIT_SPEC": releasekit_spec(),
                "CI": "",
            }
            say("\n== The manual path: invoke release --part minor --publish ==")
            _run(
                [_tool("invoke"), "release", "--part", "minor", "--publish", "--yes"],
                root,
                env,
                say,
                900,
            )

            say("\n== The automated path: tag v1.5.0, then what release.yml runs ==")
            _add_change(root, "A farewell to go with the greeting.")
            _run([_tool("invoke"), "release", "--part", "minor", "--yes"], root, env, say, 300)
            checkout = work / "ci-checkout"
            sample.git(
                work,
                "clone",
                "--quiet",
                "--branch",
                "v1.5.0",
                str(work / "remote.git"),
                str(checkout),
            )
            ci_env = {**env, "CI": "true", "RELEASEKIT_TAG": "v1.5.0"}
            backend = "uv" if uv_binary() else "virtualenv"
            nox = [_tool("nox"), "--nocolor", "--default-venv-backend", backend]
            _run([*nox, "-s", "build"], checkout, {**ci_env, "PYPI_TOKEN": ""}, say, 900)
            _run([*nox, "-s", "publish"], checkout, ci_env, say, 900)
            say("\n== Re-running the publish: nothing to do ==")
            _run([*nox, "-R", "-s", "publish"], checkout, ci_env, say, 300)

            say("\n== Installing both releases from the local index into a fresh virtualenv ==")
            venv = work / "venv"
            _run([sys.executable, "-m", "venv", str(venv)], work, {}, say, 300)
            python = str(venv / "bin" / "python")
            for version in ("1.4.0", "1.5.0"):
                _run(
                    [
                        python,
                        "-m",
                        "pip",
                        "install",
                        "--quiet",
                        "--no-cache-dir",
                        "--index-url",
                        index.simple_url,
                        f"{NAME}=={version}",
                    ],
                    work,
                    {},
                    say,
                    300,
                )
                installed = _run(
                    [python, "-c", "import demo_greeting as m; print(m.__version__)"],
                    work,
                    {},
                    say,
                    60,
                )
                if installed.strip() != version:
                    raise ReleaseError(f"installed {installed.strip()}, expected {version}")
            tags = sample.git(work / "remote.git", "tag", "--list").split()
            files = sorted(path.name for path in (work / "index").iterdir())
        say("\n== Summary ==")
        say(f"tags on the remote: {', '.join(tags)}")
        say(f"files on the local index: {', '.join(files)}")
        say(f"{NAME} 1.4.0 (manual path) and 1.5.0 (automated path) installed from the index.")
        if keep:
            say(f"Kept everything in {work}")
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
