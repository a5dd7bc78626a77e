"""maturin's Cargo.toml and meson-python's meson.build: the version a native build declares."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from releasekit.core.config import parse_toml
from releasekit.core.declarations import Declared, inside, rel, table
from releasekit.core.locations import Location, lock_entry, meson_version, read_text
from releasekit.errors import ConfigError

# --- maturin (Cargo.toml) and meson-python (meson.build) -------------------------------------


def maturin(root: Path, data: Mapping[str, Any], out: Declared) -> None:
    manifest = str(table(data, "tool", "maturin").get("manifest-path") or "Cargo.toml")
    out.looked.append(f"{manifest} [package] version")
    path = inside(root, manifest, "[tool.maturin] manifest-path")
    cargo = parse_toml(read_text(path)) if path.is_file() else None
    package = table(cargo or {}, "package")
    version, crate = package.get("version"), package.get("name")
    where, key = manifest, "package"
    if isinstance(version, Mapping) and version.get("workspace") is True:
        where, key = _workspace_root(root, path), "workspace.package"
        version = table(parse_toml(read_text(root / where)) or {}, "workspace", "package")
        version = version.get("version")
    if not isinstance(version, str):
        return
    via = f"maturin: {manifest} [package] version"
    out.locations.append(Location(where, "cargo", version, key, via))
    lock = (root / where).parent / "Cargo.lock"
    if isinstance(crate, str) and lock.is_file():
        entry = lock_entry(read_text(lock), crate, exact=True)
        if entry is not None:
            out.locations.append(Location(rel(root, lock), "cargolock", entry["value"], crate, via))


def _workspace_root(root: Path, manifest: Path) -> str:
    """The nearest Cargo.toml with [workspace], from the crate's folder up to the root."""
    folder = manifest.parent
    while True:
        candidate = folder / "Cargo.toml"
        if candidate.is_file() and "workspace" in (parse_toml(read_text(candidate)) or {}):
            return rel(root, candidate)
        if folder == root or folder == folder.parent:
            break
        folder = folder.parent
    raise ConfigError(
        f"{rel(root, manifest)} takes version.workspace, but no Cargo.toml with [workspace] is "
        "in the project",
        "set [package] version in the crate's Cargo.toml",
    )


def meson(root: Path, data: Mapping[str, Any], out: Declared) -> None:
    out.looked.append("meson.build project(version: ...)")
    path = root / "meson.build"
    value = meson_version(read_text(path)) if path.is_file() else None
    if value is not None:
        via = "meson-python: meson.build project() version"
        out.locations.append(Location("meson.build", "meson", value, "", via))
