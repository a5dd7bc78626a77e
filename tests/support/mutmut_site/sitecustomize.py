"""Under `nox -s mutants` only (see support/mutmut_bridge.py): records, in a releasekit
subprocess during mutmut's stats pass, which mutated functions it called, for the test."""

from __future__ import annotations

import os

if os.environ.get("MUTANT_UNDER_TEST") == "stats" and os.environ.get("RELEASEKIT_MUTMUT_HITS"):
    import atexit
    import uuid
    from pathlib import Path

    from mutmut.mutation import trampoline

    _hits: set[str] = set()

    def _record(name: str, caller: str | None = None) -> None:
        _hits.add(name)

    def _dump() -> None:
        if _hits:
            folder = Path(os.environ["RELEASEKIT_MUTMUT_HITS"])
            (folder / f"{os.getpid()}-{uuid.uuid4().hex}.hits").write_text("\n".join(_hits))

    trampoline.record_trampoline_hit = _record  # type: ignore[attr-defined]
    atexit.register(_dump)
