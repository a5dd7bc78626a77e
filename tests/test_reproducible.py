"""The same commit builds the same sdist bytes, whatever the file times of the checkout: a
release workflow run again for its tag (or a second machine) must not make an sdist the index
refuses as different."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import time
from pathlib import Path

import pytest
from support.compiled import write_compiled_project

from releasekit.demo import sample
from releasekit.publishing import dist
from releasekit.publishing.reproducible import normalize_sdist

EPOCH = 1_700_000_000


def members(path: Path) -> list[tuple[str, int, int, bytes | None]]:
    with tarfile.open(path, "r:gz") as archive:
        return [
            (m.name, m.mode, int(m.mtime), archive.extractfile(m).read() if m.isfile() else None)  # type: ignore[union-attr]
            for m in archive.getmembers()
        ]


def test_normalizing_sets_every_time_and_keeps_names_modes_and_contents(tmp_path: Path) -> None:
    path = tmp_path / "pkg-1.0.tar.gz"
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name, data, mode in (
            ("pkg-1.0/PKG-INFO", b"Name: pkg\n", 0o644),
            ("pkg-1.0/run", b"#!", 0o755),
        ):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = (
                len(data),
                mode,
                time.time() + 0.25,
            )  # float: a pax record
            archive.addfile(info, io.BytesIO(data))
    before = members(path)

    assert normalize_sdist(path, EPOCH) is True

    after = members(path)
    assert [(n, m, d) for n, m, _, d in after] == [(n, m, d) for n, m, _, d in before]
    assert {t for _, _, t, _ in after} == {EPOCH}
    with tarfile.open(path, "r:gz") as archive:
        assert all("mtime" not in m.pax_headers for m in archive.getmembers())
    assert int.from_bytes(path.read_bytes()[4:8], "little") == EPOCH  # the gzip header's time
    with gzip.open(path) as unpacked:
        unpacked.read()
    same = path.read_bytes()
    assert normalize_sdist(path, EPOCH) is False
    assert path.read_bytes() == same


@pytest.mark.slow
def test_a_setuptools_sdist_has_the_same_bytes_from_two_checkouts(tmp_path: Path) -> None:
    root = write_compiled_project(tmp_path / "project")
    sample.init_repository(root, tmp_path / "remote.git")
    built = []
    for number, shift in ((1, 0), (2, 3600)):
        clone = tmp_path / f"clone{number}"
        sample.git(tmp_path, "clone", "--quiet", str(tmp_path / "remote.git"), str(clone))
        for path in clone.rglob("*"):  # a later checkout: every file time differs
            os.utime(path, (time.time() + shift, time.time() + shift), follow_symlinks=False)
        built.append(dist.build(clone, version="1.3.0", sdist_only=True).sdist)
    first, second = (path.read_bytes() for path in built)
    assert first == second
    assert members(built[0]) and {t for _, _, t, _ in members(built[0])} == {
        int(sample.git(root, "log", "-1", "--pretty=%ct").strip())
    }
