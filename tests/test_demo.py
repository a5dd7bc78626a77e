"""The README's first command: `releasekit demo` runs both release paths, all on this machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_demo_releases_both_paths_and_installs_them(tmp_path: Path) -> None:
    releasekit = Path(sys.executable).parent / "releasekit"
    result = subprocess.run(
        [str(releasekit), "demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        # As the README's `nox -s demo` runs it: no RELEASEKIT_SPEC, the checkout found
        # from the installed (editable) code.
        env={k: v for k, v in os.environ.items() if k != "RELEASEKIT_SPEC"},
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output
    assert "tags on the remote: v1.3.0, v1.4.0, v1.5.0" in output
    assert "demo-greeting 1.4.0 (manual path) and 1.5.0 (automated path) installed" in output
    assert "Nothing to upload: every file is already on" in output  # the re-run is idempotent
    assert list(tmp_path.iterdir()) == []  # nothing left behind where it ran


def test_the_demo_installs_this_checkout_when_run_from_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from releasekit.demo.run import releasekit_spec

    monkeypatch.delenv("RELEASEKIT_SPEC", raising=False)
    assert Path(releasekit_spec()) == CHECKOUT
