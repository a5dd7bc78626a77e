"""Doctor's checks of the project's files and git repository."""

from __future__ import annotations

import re

from releasekit.core.config import PYPROJECT
from releasekit.core.sources import read_text
from releasekit.doctor.model import Check, CheckFunction, Needs, World
from releasekit.errors import ReleaseError

_RELEASED = re.compile(r"^##[ \t]+\[?[0-9][^\]\s]*\]?[ \t]+-[ \t]+\d{4}-\d{2}-\d{2}\b")


def check_config(world: World) -> Check:
    name = world.name
    world.config  # noqa: B018 - reading it validates [tool.releasekit]
    if isinstance(world.data.get("tool", {}).get("releasekit"), dict):
        return Check("config", "pass", f"{name}: settings from [tool.releasekit]")
    return Check(
        "config",
        "pass",
        f"{name}: no [tool.releasekit], the defaults apply (releasekit init writes the table)",
    )


def check_build_backend(world: World) -> Check:
    system = world.data.get("build-system")
    backend = system.get("build-backend") if isinstance(system, dict) else None
    if isinstance(backend, str) and backend.strip():
        return Check("build-backend", "pass", f"{PYPROJECT} declares {backend}")
    legacy = any((world.folder / name).is_file() for name in ("setup.py", "setup.cfg"))
    requires, api = (
        ("setuptools>=61", "setuptools.build_meta") if legacy else ("hatchling", "hatchling.build")
    )
    return Check(
        "build-backend",
        "fail",
        f"{PYPROJECT} declares no [build-system] build-backend (pip would guess setuptools)",
        f'add [build-system] requires = ["{requires}"] and build-backend = "{api}" '
        "(or your backend's)",
    )


def check_version(world: World) -> Check:
    version, sources = world.version, world.project.sources
    if sources.tag_only:
        return Check("version", "pass", f"{version}, from the latest tag (VCS-versioned)")
    places = ", ".join(location.label for location in sources.locations)
    followed = next((location for location in sources.locations if location.via), None)
    if followed is None:
        return Check("version", "pass", f"{version} in {places}")
    others = [loc.label for loc in sources.locations if loc.path != followed.path]
    also = f" (also in {', '.join(others)})" if others else ""
    return Check("version", "pass", f"{version} from {followed.via}{also}")


def check_changelog(world: World) -> Check:
    from releasekit.core import changelog
    from releasekit.errors import ReleaseError

    project = world.project
    kept = project.changelog_format
    path = kept.paths[0] if kept.paths else "changelog"
    if kept.paths and path not in project.files:
        return Check(
            "changelog",
            "fail",
            f"{path} does not exist",
            "run releasekit init: it writes a Keep a Changelog skeleton",
        )
    try:
        kind = kept.describe(project.files)
        pending = kept.pending(project.files)
    except ReleaseError as exc:
        return Check("changelog", "fail", exc.cause, exc.fix)
    if kind != "Keep a Changelog":
        count = len(pending.entries)
        said = f"{count} entr{'y' if count == 1 else 'ies'}" if count else "nothing yet"
        if not kept.paths:
            return Check("changelog", "pass", f"{kind}; {said} since the last tag")
        return Check("changelog", "pass", f"{path} is {kind}; {pending.where} holds {said}")
    text = project.files[path].decode("utf-8")
    section = changelog.unreleased(text, path)
    odd = [
        line.strip()
        for line in text.splitlines()
        if line.startswith("## ")
        and not (_RELEASED.match(line) or changelog.UNRELEASED_HEADING.match(line))
    ]
    if odd:
        return Check(
            "changelog",
            "warn",
            f"{path}: headings not in Keep a Changelog form: {', '.join(odd[:3])}",
            "write released sections as '## [1.2.0] - 2024-05-01'",
        )
    bullets = sum(1 for line in section.entries if line.startswith(("- ", "* ", "+ ")))
    entries = bullets or len(section.entries)
    said = f"{entries} entr{'y' if entries == 1 else 'ies'}" if entries else "nothing yet"
    return Check("changelog", "pass", f"{path} is Keep a Changelog; [Unreleased] holds {said}")


def check_tags(world: World) -> Check:
    from packaging.version import InvalidVersion, Version

    config, version, tags = world.config, world.version, world.tags
    releases: dict[str, Version] = {}
    for tag in tags:
        text = config.version_of(tag)
        if text:
            try:
                releases[tag] = Version(text)
            except InvalidVersion:
                continue
    strays = [tag for tag in tags if tag not in releases and re.search(r"\d+\.\d+", tag)]
    if releases:
        latest = max(releases, key=releases.__getitem__)
        if releases[latest] > Version(version):
            return Check(
                "tags",
                "fail",
                f"the latest release tag {latest} is above the current version {version}",
                f"set the version past {releases[latest]} (releasekit bump --new-version X), "
                f"or delete the stray tag (git tag -d {latest})",
            )
    if strays:
        shown = ", ".join(strays[:3]) + (" ..." if len(strays) > 3 else "")
        return Check(
            "tags",
            "warn",
            f"tags that do not follow the tag format {config.tag_format}: {shown}",
            "set [tool.releasekit] tag-format to the format the project's tags use",
        )
    if not releases:
        return Check("tags", "pass", f"no release tag yet: the first will be {config.tag(version)}")
    return Check(
        "tags",
        "pass",
        f"{len(releases)} tag(s) follow {config.tag_format}; the latest, {latest}, "
        f"is not above {version}",
    )


def check_remote(world: World) -> Check:
    from releasekit.github.api import parse_remote
    from releasekit.publishing.index import safe_url

    remote = world.config.remote
    if not world.is_repository:
        return Check(
            "remote",
            "fail",
            f"{world.root} is not in a git repository",
            f"git init, commit, then git remote add {remote} URL",
        )
    url = world.git.remote_url(remote)
    if url is None:
        return Check(
            "remote",
            "fail",
            f"no remote named {remote}",
            f"git remote add {remote} URL, or set [tool.releasekit] remote",
        )
    github = parse_remote(url)
    where = f" (GitHub: {'/'.join(github)})" if github else " (not on GitHub)"
    return Check("remote", "pass", f"{remote} = {safe_url(url)}{where}")


def check_branch(world: World) -> Check:
    wanted = world.config.branch
    if not world.is_repository:
        raise Needs("a git repository (see remote)")
    branch = world.git.branch()
    if branch is None:
        return Check("branch", "fail", "HEAD is detached", f"git switch {wanted}")
    if branch != wanted:
        return Check(
            "branch",
            "fail",
            f"on branch {branch}, releases are made from {wanted}",
            f'git switch {wanted}, or set [tool.releasekit] branch = "{branch}"',
        )
    return Check("branch", "pass", f"on {branch}, the release branch")


def check_noxfile(world: World) -> Check:
    from releasekit.setup.init import NOXFILE, RELEASE_SESSIONS, nox_sessions

    fix = "run releasekit init: it adds the build and publish sessions beside yours"
    path = world.root / NOXFILE
    if not path.is_file():
        return Check("noxfile", "fail", f"{NOXFILE} does not exist", fix)
    try:
        defined = nox_sessions(read_text(path))
    except SyntaxError as exc:
        return Check(
            "noxfile",
            "fail",
            f"{NOXFILE} is not valid Python (line {exc.lineno})",
            "fix the syntax error there, then re-run",
        )
    missing = [name for name in RELEASE_SESSIONS if name not in defined]
    if missing:
        listed = " and ".join(missing)
        return Check("noxfile", "fail", f"{NOXFILE} has no {listed} session", fix)
    return Check("noxfile", "pass", f"{NOXFILE} defines the build and publish sessions")


def check_compiled(world: World) -> Check:
    """Compiled code ships one wheel per platform: release.yml must build them on each."""
    from releasekit.core.compiled import detect
    from releasekit.setup.init import WORKFLOW

    found = detect(world.folder, world.data)
    if not found.compiled:
        return Check("compiled", "pass", "pure Python: one wheel serves every platform")
    why = ", ".join(found.reasons)
    path = world.root / WORKFLOW
    try:
        text = read_text(path) if path.is_file() else None
    except ReleaseError:
        text = None
    if text is not None and "pypa/cibuildwheel" not in text:
        return Check(
            "compiled",
            "warn",
            f"compiled code ({why}), but {WORKFLOW} does not build wheels with cibuildwheel: "
            "one wheel from one machine leaves the other platforms to build from the sdist",
            "releasekit init --force renders the wheel matrix (an sdist job, a cibuildwheel job "
            "per runner, one publish job)",
        )
    if text is None:
        said = f"releasekit init renders {WORKFLOW} with a cibuildwheel job per runner"
    else:
        said = f"{WORKFLOW} builds the wheels with cibuildwheel"
    return Check("compiled", "pass", f"compiled code ({why}): {said}")


CHECKS: tuple[tuple[str, CheckFunction], ...] = (
    ("config", check_config),
    ("build-backend", check_build_backend),
    ("compiled", check_compiled),
    ("version", check_version),
    ("changelog", check_changelog),
    ("tags", check_tags),
    ("remote", check_remote),
    ("branch", check_branch),
    ("noxfile", check_noxfile),
)
