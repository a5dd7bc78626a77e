"""The repositories the benchmarks run in, built fresh for every run.

The small sample is releasekit's own test project (`releasekit.demo.sample`), plus the
configuration bump-my-version and tbump need to do the same bump. The large one
is that project with 10,000 commits, 5,000 release tags and a ~2 MB CHANGELOG,
written in one `git fast-import` stream so it takes seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
from pathlib import Path

from releasekit.demo.sample import init_repository, write_project

VERSION = "1.3.0"
NEXT = "1.4.0"
MODULE = "sample_pkg"
IDENTITY = "Sample Maintainer <sample@example.org>"

BUMPVERSION_TOML = f"""\
[tool.bumpversion]
current_version = "{VERSION}"
commit = false
tag = false

[[tool.bumpversion.files]]
filename = "pyproject.toml"
search = 'version = "{{current_version}}"'
replace = 'version = "{{new_version}}"'

[[tool.bumpversion.files]]
filename = "src/{MODULE}/__init__.py"
search = '__version__ = "{{current_version}}"'
replace = '__version__ = "{{new_version}}"'
"""

TBUMP_TOML = f"""\
[version]
current = "{VERSION}"
regex = '''(?P<major>\\d+)\\.(?P<minor>\\d+)\\.(?P<patch>\\d+)'''

[git]
message_template = "chore(release): Bump version to v{{new_version}}"
tag_template = "v{{new_version}}"

[[file]]
src = "pyproject.toml"
search = 'version = "{{current_version}}"'

[[file]]
src = "src/{MODULE}/__init__.py"
search = '__version__ = "{{current_version}}"'
"""

_SECTION = """\
## [{version}] - {date}

### Added

- Support for frobnicating widgets in the sample module (#{issue}).
- A `--verbose` option that makes the command say more about what it does.

### Fixed

- A crash when the configuration file is empty (#{next_issue}).
- The wrong exit status when the index answers 503.
- Start-up time: heavy modules are imported when first used.

"""

_HEAD = """\
# Changelog

All notable changes to this project are documented in this file.

The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

## [Unreleased]

### Added

- A greeting that says hello.

"""

_BASE = "https://github.com/example/sample-pkg"


def small_sample(root: Path, *, tool_configs: bool = True) -> Path:
    """The sample project with a bare remote, tagged v1.3.0; returns the work tree."""
    project = root / "proj"
    write_project(project, version=VERSION)
    if tool_configs:
        (project / ".bumpversion.toml").write_text(BUMPVERSION_TOML)
        (project / "tbump.toml").write_text(TBUMP_TOML)
    init_repository(project, root / "remote.git")
    return project


def empty_tasks(root: Path) -> Path:
    """A folder whose tasks.py is empty: what `invoke --list` costs on its own."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "tasks.py").write_text("")
    return root


def hand_written_tasks(root: Path) -> Path:
    """A folder whose tasks.py writes releasekit's tasks by hand with `@task` (same names,
    parameters, docstrings and help, empty bodies): what listing those tasks costs Invoke,
    whoever defines them, so the difference to releasekit's own is what loading it adds."""
    from releasekit.frontend.flags import VERBS

    lines = ["from invoke import task", ""]
    for verb in VERBS:
        if verb.command_only:
            continue
        params = "".join(f", {flag.param}={flag.default!r}" for flag in verb.flags)
        helps = {flag.name: flag.help for flag in verb.flags}
        lines += [
            f"@task(name={verb.name!r}, help={helps!r})",
            f"def {verb.function}(c{params}):",
            f"    {verb.doc!r}",
            "",
            "",
        ]
    root.mkdir(parents=True, exist_ok=True)
    (root / "tasks.py").write_text("\n".join(lines))
    return root


def release_versions(count: int) -> list[str]:
    """`count` increasing versions ending at VERSION (0.0.1, 0.0.2, ... 1.3.0)."""
    return [f"0.{i // 100}.{i % 100}" for i in range(1, count)] + [VERSION]


def big_changelog(versions: list[str]) -> str:
    """Keep a Changelog text with one section and one compare link per version."""
    newest_first = list(reversed(versions))
    start = dt.date(2026, 1, 15)
    parts = [_HEAD]
    for age, version in enumerate(newest_first):
        date = (start - dt.timedelta(days=age)).isoformat()
        issue = 2 * (len(versions) - age)
        parts.append(_SECTION.format(version=version, date=date, issue=issue, next_issue=issue + 1))
    parts.append(f"[Unreleased]: {_BASE}/compare/v{newest_first[0]}...HEAD\n")
    for newer, older in itertools.pairwise(newest_first):
        parts.append(f"[{newer}]: {_BASE}/compare/v{older}...v{newer}\n")
    parts.append(f"[{newest_first[-1]}]: {_BASE}/releases/tag/v{newest_first[-1]}\n")
    return "".join(parts)


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


def fast_import_stream(
    files: dict[str, bytes], *, commits: int, versions: list[str], branch: str = "main"
) -> bytes:
    """A fast-import stream: the project in the first commit, a history file edited in
    every later one, and an annotated tag v<version> spread evenly over the history
    (the last tag on the last commit)."""
    out: list[bytes] = []
    epoch = 1_500_000_000
    who = IDENTITY.encode()
    for number in range(1, commits + 1):
        stamp = b"%s %d +0000" % (who, epoch + 600 * number)
        out.append(b"commit refs/heads/%s\nmark :%d\n" % (branch.encode(), number))
        out.append(b"author %s\ncommitter %s\n" % (stamp, stamp))
        out.append(_data(b"Change number %d\n" % number))
        if number > 1:
            out.append(b"from :%d\n" % (number - 1))
        else:
            for path, content in sorted(files.items()):
                out.append(b"M 100644 inline %s\n" % path.encode() + _data(content))
        line = b"change %d\n" % number
        out.append(b"M 100644 inline HISTORY.txt\n" + _data(line * 1))
        out.append(b"\n")
    step = commits / len(versions)
    for index, version in enumerate(versions):
        mark = max(1, round((index + 1) * step))
        tag = f"v{version}".encode()
        stamp = b"%s %d +0000" % (who, epoch + 600 * mark)
        out.append(b"tag %s\nfrom :%d\ntagger %s\n" % (tag, mark, stamp) + _data(tag + b"\n"))
    out.append(b"done\n")
    return b"".join(out)


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> None:
    subprocess.run(["git", *args], cwd=cwd, input=stdin, check=True, capture_output=True)


def large_sample(root: Path, *, commits: int = 10_000, releases: int = 5_000) -> Path:
    """The sample project after `commits` commits and `releases` releases; returns it."""
    root = root.absolute()
    project = root / "proj"
    write_project(project, version=VERSION)
    versions = release_versions(releases)
    (project / "CHANGELOG.md").write_text(big_changelog(versions))
    files = {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file()
    }
    _git(project, "init", "--quiet", "--initial-branch=main")
    for key, value in (("user.name", "Sample Maintainer"), ("user.email", "sample@example.org")):
        _git(project, "config", key, value)
    _git(project, "config", "tag.gpgsign", "false")
    stream = fast_import_stream(files, commits=commits, versions=versions)
    _git(project, "fast-import", "--quiet", "--done", stdin=stream)
    _git(project, "reset", "--quiet", "--hard", "main")  # same bytes as written above
    _git(project, "pack-refs", "--all")  # as a clone would have them
    remote = root / "remote.git"
    _git(root, "clone", "--quiet", "--bare", str(project), str(remote))
    _git(project, "remote", "add", "origin", str(remote))
    _git(project, "fetch", "--quiet", "origin")
    _git(project, "branch", "--quiet", "--set-upstream-to=origin/main")
    return project


def count_commits(project: Path) -> int:
    out = subprocess.run(
        ["git", "rev-list", "--count", "HEAD"], cwd=project, capture_output=True, text=True
    )
    return int(out.stdout.strip() or 0)
