"""Upload a release with twine: checked first, idempotent, bounded, errors translated.

Order of work: read the token offline (stop on a token bound to fail), ask the
index which files it already has (skip identical ones, refuse changed ones), then
run twine as a child process with the credentials in its environment only.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from releasekit.errors import CommandError, PublishError
from releasekit.publishing import attestations
from releasekit.publishing import twine_child as twinecli
from releasekit.publishing.index import (
    PYPI_UPLOAD,
    TESTPYPI_UPLOAD,
    Repository,
    existing_files,
    is_release_file,
    safe_url,
)
from releasekit.publishing.pypi_token import audit
from releasekit.publishing.twine_child import credentials_env as credentials_env
from releasekit.publishing.twine_child import start_upload as start_upload
from releasekit.publishing.twine_child import twine_env as twine_env
from releasekit.system import runner
from releasekit.system.facts import PYPI_TOKEN, sha256
from releasekit.system.progress import Note, Phase, silent
from releasekit.system.redact import redact

QUERY_TIMEOUT = 30.0
AUTH_FIX = "make a new project-scoped token, update the PYPI_TOKEN secret, re-run"
_SECRET_INPUTS = (PYPI_TOKEN, "TWINE_PASSWORD")
RERUN_NOTE = "files already on the index are skipped when you re-run"


@dataclass(frozen=True)
class PublishReport:
    """What a publish did; `warnings` are token hints worth showing the user."""

    uploaded: tuple[str, ...]
    already_there: tuple[str, ...]
    repository: str
    warnings: tuple[str, ...] = ()


class UploadError(PublishError):
    """twine failed; `output` is its full (masked) output, for --verbose."""


class _ArrivedMeanwhile(UploadError):
    """The index refused a file because the very same file landed meanwhile: ask again."""


def _label(repo: Repository) -> str:
    if repo.is_pypi:
        return "PyPI"
    if repo.is_testpypi:
        return "TestPyPI"
    return safe_url(repo.upload_url)


def _conflict(filename: str, repo: Repository) -> PublishError:
    return PublishError(
        f"{filename} already exists on {_label(repo)} with different content",
        "a published file can never be replaced: bump the version "
        "(releasekit release --part patch, or invoke release --part patch) and release again",
    )


def check_token(environ: Mapping[str, str], project: str, repo: Repository) -> list[str]:
    """Stop on a token PyPI would refuse; return the warnings."""
    token = environ.get(PYPI_TOKEN, "").strip() or environ.get("TWINE_PASSWORD", "")
    if not token.startswith("pypi-"):
        return []
    target = PYPI_UPLOAD if repo.is_pypi else TESTPYPI_UPLOAD if repo.is_testpypi else ""
    findings = audit(token, repository_url=target or repo.upload_url, project=project)
    errors = [f.message for f in findings if f.level == "error"]
    if errors:
        raise PublishError("; also: ".join(errors))
    return [f.message for f in findings if f.level == "warning"]


def _local_files(files: Sequence[Path], project: str, version: str) -> dict[str, Path]:
    chosen: dict[str, Path] = {}
    for path in (Path(file).resolve() for file in files):
        if not path.is_file():
            raise PublishError(
                f"{path} does not exist",
                "build it first: releasekit build (or invoke build, nox -s build)",
            )
        if not is_release_file(path.name, project, version):
            raise PublishError(
                f"{path.name} is not a distribution of {project} {version}",
                "publish only the files built for this release (clean dist/ and build again)",
            )
        chosen.setdefault(path.name, path)
    if not chosen:
        raise PublishError(
            "there is nothing to publish",
            "build it first: releasekit build (or invoke build, nox -s build)",
        )
    # The sdist goes last: until every wheel is there, no installer should build from source.
    return dict(sorted(chosen.items(), key=lambda item: (not item[0].endswith(".whl"), item[0])))


def _upload_target(repo: Repository, env: dict[str, str]) -> list[str]:
    """twine's repository arguments; a URL's user:password moves into `env`."""
    if repo.pypirc is not None:
        env["TWINE_REPOSITORY_URL"] = ""  # an inherited one would override --repository
        config = ["--config-file", str(repo.pypirc)] if repo.pypirc.is_file() else []
        return ["--repository", repo.name, *config]
    parts = urlsplit(repo.upload_url)
    if parts.password and "TWINE_PASSWORD" not in env:
        env["TWINE_USERNAME"] = unquote(parts.username or "")
        env["TWINE_PASSWORD"] = unquote(parts.password)
    return ["--repository-url", safe_url(repo.upload_url)]


def publish(
    files: Sequence[Path],
    *,
    project: str,
    version: str,
    repository: Repository,
    environ: Mapping[str, str] | None = None,
    timeout: float = 300,
    verbose: bool = False,
    warm: runner.Started | None = None,
    phase: Phase = silent,
) -> PublishReport:
    """Upload the files the index does not have yet; identical ones count as done. Their
    PEP 740 attestations go with them on a trusted publisher's upload (attestations.choose).

    `warm` is a twine started earlier with `start_upload`, so that its start-up
    overlaps the checks; it is used when its environment is still the right one.
    """
    environ = os.environ if environ is None else environ
    local = _local_files(files, project, version)
    upload = _Upload(repository, environ, verbose)
    if warm is None or warm.env != upload.env:  # credentials in the URL change the env
        if warm is not None:
            warm.cancel()
        warm = twinecli.start("upload", cwd=next(iter(local.values())).parent, env=upload.env)
    warnings: list[str] = []
    try:
        warnings += check_token(environ, project, repository)
        query_timeout = min(timeout, QUERY_TIMEOUT)
        for _round in range(3):  # converge when another upload lands the same files meanwhile
            remote = existing_files(repository, project, version, timeout=query_timeout)
            already, pending = _compare(local, remote, repository, warnings)
            if not pending:
                break
            to_pypi = repository.is_pypi or repository.is_testpypi
            attested = attestations.choose(
                pending, environ, to_pypi=to_pypi, repository=_label(repository)
            )
            warnings += [attested.skipped] if attested.skipped else []
            count = f"{len(pending)} file{'s' * (len(pending) != 1)}"
            try:
                with phase(f"uploading {count} to {safe_url(repository.upload_url)}") as note:
                    upload.run(warm, pending, project, version, timeout, note, attested.files)
            except _ArrivedMeanwhile:
                warm = twinecli.start("upload", cwd=pending[0].parent, env=upload.env)
                continue
            break
        else:
            raise PublishError(
                f"files of {project} {version} kept arriving on {_label(repository)} from "
                "another upload while this one ran",
                f"wait for the other upload to end, then re-run ({RERUN_NOTE})",
            )
    finally:
        warm.cancel()
    return PublishReport(
        uploaded=tuple(path.name for path in pending),
        already_there=tuple(already),
        repository=safe_url(repository.upload_url),
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _compare(
    local: dict[str, Path],
    remote: Mapping[str, str | None],
    repository: Repository,
    warnings: list[str],
) -> tuple[list[str], list[Path]]:
    """Files already there (same sha256) and files still to upload; different content stops."""
    already: list[str] = []
    for name, path in local.items():
        if name not in remote:
            continue
        if remote[name] is None:
            warnings.append(f"{name} is already on the index, which gives no sha256 to compare")
        elif remote[name] != sha256(path):
            raise _conflict(name, repository)
        already.append(name)
    return already, [path for name, path in local.items() if name not in remote]


class _Upload:
    """twine upload's environment and arguments: credentials in the environment only."""

    def __init__(self, repo: Repository, environ: Mapping[str, str], verbose: bool) -> None:
        credentials = credentials_env(environ)
        self.repo = repo
        self.target = _upload_target(repo, credentials)
        self.verbose = verbose
        self.secrets = [
            credentials.get("TWINE_PASSWORD", ""),
            *(environ.get(k, "") for k in _SECRET_INPUTS),
        ]
        self.env = twine_env(credentials)

    def run(
        self,
        warm: runner.Started,
        files: list[Path],
        project: str,
        version: str,
        timeout: float,
        shown_to: Note,
        attested: Sequence[Path] = (),
    ) -> None:
        """twine upload of `files`, each followed by its PEP 740 attestations when `attested`
        has any (twine pairs them by name, and then needs one for every file)."""
        args = ["--no-color", "upload", "--non-interactive", "--disable-progress-bar"]
        args += [*self.target, *(["--verbose"] if self.verbose else [])]
        args += ["--attestations"] if attested else []
        for path in files:
            args += [str(path), *(str(a) for a in attested if a.name.startswith(f"{path.name}."))]
        try:
            result = warm.finish(
                twinecli.arguments(args), timeout=timeout, on_line=_bytes_sent(shown_to)
            )
        except CommandError as exc:
            if isinstance(exc.__cause__, subprocess.TimeoutExpired):
                raise UploadError(
                    f"the index at {safe_url(self.repo.upload_url)} did not answer within "
                    f"{timeout:g} s",
                    f"check the index's status, then re-run ({RERUN_NOTE})",
                ) from None
            raise
        if result.ok:
            return
        output = "\n".join(
            line.rstrip()
            for line in redact(f"{result.stdout}\n{result.stderr}", self.secrets).splitlines()
        ).strip()
        raise _translate(output, files, project, version, self.repo) from None


def size(count: int) -> str:
    """Bytes as people read them: 812 B, 41.2 kB, 3.4 MB (decimal units, as PyPI shows)."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"


def _bytes_sent(note: Note) -> Callable[[str], None]:
    """twine's progress lines, as "file 1.2 MB / 3.4 MB" for the live line."""

    def heard(line: str) -> None:
        progress = twinecli.progress(line)
        if progress is not None:
            name, sent, total = progress
            note(f"{name} {size(sent)} / {size(total)}")

    return heard


def _translate(
    output: str, files: list[Path], project: str, version: str, repo: Repository
) -> UploadError:
    """One sentence and a fix for what twine printed."""
    where = safe_url(repo.upload_url)
    status = re.search(r"HTTPError: (\d{3}) ([^\n]*?) from \S+\n?\s*([^\n]*)", output)
    if status:
        code, phrase, reason = int(status[1]), status[2], status[3].strip()
        detail = reason if reason and reason != phrase else f"{code} {phrase}"
        if code in (401, 403):
            cause = f"authentication failed at {where} (token invalid, expired or wrong scope)"
            return UploadError(f"{cause}: {detail}", AUTH_FIX, output=output)
        if code in (400, 409):
            return _rejected(output, detail, files, project, version, repo)
        if code >= 500:
            return UploadError(
                f"the index at {where} failed with {code} {phrase} after twine's retries",
                f"the index has a problem: retry later ({RERUN_NOTE})",
                output=output,
            )
        return UploadError(
            f"{where} refused the upload: {detail}",
            "re-run with --verbose for the index's full answer",
            output=output,
        )
    if re.search(r"ConnectionError|NewConnectionError|NameResolutionError|SSLError", output):
        why = re.search(
            r"Connection refused|Connection aborted|Name or service not known|SSL\w*|timed out",
            output,
        )
        return UploadError(
            f"cannot reach the index at {where}" + (f" ({why[0]})" if why else ""),
            "check the repository URL and the network (is the index running?), then re-run",
            output=output,
        )
    if re.search(r"No module named '?twine", output):
        return UploadError("twine is not installed", "pip install twine", output=output)
    if re.search(r"NonInteractive|Credential not found|could not determine credentials", output):
        return UploadError(
            f"no credentials for {where}",
            "set PYPI_TOKEN (or TWINE_USERNAME and TWINE_PASSWORD), add them to .pypirc, "
            "or use trusted publishing in CI",
            output=output,
        )
    last = [line for line in output.splitlines() if line.startswith("ERROR")] or output.splitlines()
    said = last[-1].removeprefix("ERROR").strip() if last else "no output"
    return UploadError(
        f"twine could not upload to {where}: {said}", "re-run with --verbose", output=output
    )


def _rejected(
    output: str, detail: str, files: list[Path], project: str, version: str, repo: Repository
) -> UploadError:
    """400/409: a file that appeared meanwhile, or metadata the index refuses."""
    failing = re.findall(r"^Uploading (\S+)$", output, flags=re.MULTILINE)
    path = next((f for f in files if failing and f.name == failing[-1]), files[0])
    try:
        remote = existing_files(repo, project, version, timeout=QUERY_TIMEOUT)
    except PublishError:
        remote = {}
    if path.name in remote and remote[path.name] == sha256(path):
        return _ArrivedMeanwhile(
            f"{path.name} reached {_label(repo)} from another upload while this one ran",
            f"re-run to upload the rest ({RERUN_NOTE})",
            output=output,
        )
    if path.name in remote or "exist" in detail.lower():
        conflict = _conflict(path.name, repo)
        return UploadError(conflict.cause, conflict.fix, output=output)
    return UploadError(
        f"{_label(repo)} rejected {path.name}: {detail}",
        "fix what the index names (re-run with --verbose for its full answer)",
        output=output,
    )
