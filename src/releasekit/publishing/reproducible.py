"""Give a .tar.gz sdist the same bytes whenever the same commit is built.

setuptools keeps each file's time of checkout in the tar and the build time in the gzip
header (pypa/setuptools#2133), so a release workflow run again for the same tag builds an
sdist the index refuses as "different content". Rewriting it with every time set to
SOURCE_DATE_EPOCH (the commit's) changes no member, order, mode or content.
"""

from __future__ import annotations

import copy
import gzip
import io
import tarfile
from pathlib import Path

# pax records that carry times; the rewritten member's own mtime replaces them.
_TIME_RECORDS = ("mtime", "atime", "ctime")


def normalize_sdist(path: Path, epoch: int) -> bool:
    """Rewrite `path` with member times and the gzip header time set to `epoch`.

    True when the bytes changed (a backend that honours SOURCE_DATE_EPOCH leaves nothing to do).
    """
    buffer = io.BytesIO()
    with (
        tarfile.open(path, "r:gz") as source,
        gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=epoch) as packed,
        tarfile.open(fileobj=packed, mode="w", format=source.format) as target,
    ):
        for member in source.getmembers():
            fixed = copy.copy(member)
            fixed.mtime = epoch
            fixed.pax_headers = {
                key: value for key, value in member.pax_headers.items() if key not in _TIME_RECORDS
            }
            target.addfile(fixed, source.extractfile(member) if member.isfile() else None)
    data = buffer.getvalue()
    if data == path.read_bytes():
        return False
    path.write_bytes(data)
    return True


def normalize_sdists(outdir: Path, epoch: int) -> None:
    """Every .tar.gz in `outdir`, as just built."""
    for sdist in sorted(outdir.glob("*.tar.gz")):
        normalize_sdist(sdist, epoch)
