"""PEP 740 attestations: the trusted-publishing release.yml signs every file and `nox -s publish`
sends each attestation with its file; the token variant never tries, a laptop or a token says in
one line why they stay behind; `releasekit verify` checks them against their files; `doctor
--online` reads from the index whether the last release carries them.

The signatures themselves need GitHub's OIDC identity and Sigstore, which this machine has not:
attestations here are PEP 740 objects whose statement names the file and its sha256, unsigned.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.commands import releasekit
from support.servers import Reply, Seen, Server

from releasekit.demo import sample
from releasekit.demo.localindex import LocalIndex
from releasekit.doctor.attestations import check_attestations
from releasekit.doctor.model import World
from releasekit.errors import PublishError
from releasekit.publishing import attestations, dist
from releasekit.publishing.index import Repository, existing_files
from releasekit.publishing.upload import credentials_env, publish, twine_env
from releasekit.setup.workflow import (
    DEFAULT_WHEEL_RUNNERS,
    WorkflowOptions,
    render_release,
    render_release_finish,
)
from releasekit.system.facts import sha256
from releasekit.system.runner import Result

BIN = Path(sys.executable).parent
TOKEN = "pypi-local-attestation-token"
NAME, VERSION = "sample-pkg", "1.3.0"
SIGN = "python -m pypi_attestations sign dist/*.whl dist/*.tar.gz"


def attest(path: Path, *, subject: str | None = None, digest: str | None = None) -> Path:
    """A PEP 740 attestation object for `path` (statement subject: its name and sha256)."""
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": subject or path.name, "digest": {"sha256": digest or sha256(path)}}],
        "predicateType": "https://docs.pypi.org/attestations/publish/v1",
        "predicate": None,
    }
    encoded = base64.b64encode(json.dumps(statement).encode()).decode()
    attestation = {
        "version": 1,
        "verification_material": {"certificate": "", "transparency_entries": []},
        "envelope": {"statement": encoded, "signature": base64.b64encode(b"sig").decode()},
    }
    target = path.with_name(f"{path.name}.publish.attestation")
    target.write_text(json.dumps(attestation))
    return target


# --- the workflow ----------------------------------------------------------------------------


def publish_steps(text: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = yaml.safe_load(text)["jobs"]["publish"]["steps"]
    return steps


RENDERINGS = {
    "pure": lambda trusted: render_release(WorkflowOptions(NAME, trusted_publishing=trusted)),
    "matrix": lambda trusted: render_release(
        WorkflowOptions(NAME, trusted_publishing=trusted, wheel_runners=DEFAULT_WHEEL_RUNNERS)
    ),
    "finish": lambda trusted: render_release_finish(
        WorkflowOptions(NAME, trusted_publishing=trusted), "main"
    ),
}


@pytest.mark.parametrize("variant", sorted(RENDERINGS))
def test_the_trusted_publish_job_attests_every_file_before_the_upload(variant: str) -> None:
    steps = publish_steps(RENDERINGS[variant](True))
    runs = [step.get("run", "") for step in steps]
    sign = runs.index(SIGN)
    assert runs[sign - 1] == "python -m pip install pypi-attestations==0.0.31"
    assert runs[sign + 1].startswith("nox -R -s publish")  # the upload, right after
    fetched = next(i for i, step in enumerate(steps) if "download-artifact" in step.get("uses", ""))
    assert fetched < sign - 1
    assert "env" not in steps[sign]  # no secret: the identity is the job's id-token


@pytest.mark.parametrize("variant", sorted(RENDERINGS))
def test_the_token_variant_never_attests(variant: str) -> None:
    text = RENDERINGS[variant](False)
    assert "attest" not in text and "id-token" not in text
    assert publish_steps(text)[-1]["env"] == {"PYPI_TOKEN": "${{ secrets.PYPI_TOKEN }}"}


# --- verify ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built and verified dist/ of the pure sample at 1.3.0."""
    base = tmp_path_factory.mktemp("attest")
    root = sample.write_project(base / "project", name=NAME, version=VERSION)
    sample.init_repository(root, base / "remote.git")
    dist.build(root, version=VERSION)
    return root


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "project", symlinks=True))


def release_files(root: Path) -> list[Path]:
    return sorted([*(root / "dist").glob("*.whl"), *(root / "dist").glob("*.tar.gz")])


def test_verify_accepts_an_attestation_for_every_file(project: Path) -> None:
    for path in release_files(project):
        attest(path)
    done = releasekit(project, "verify")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("Verified dist/: 1 sdist and 1 wheel")


@pytest.mark.parametrize(
    ("spoil", "said"),
    [
        (lambda w: attest(w, digest="0" * 64), "does not match sample_pkg-1.3.0-py3-none-any.whl"),
        (
            lambda w: attest(w, subject="other-1.0-py3-none-any.whl"),
            "attests other-1.0-py3-none-any.whl, not",
        ),
        (
            lambda w: w.with_name("sample_pkg-1.2.0.tar.gz.publish.attestation").write_text("{}"),
            "attests sample_pkg-1.2.0.tar.gz, which is not a file of this release",
        ),
        (
            lambda w: w.with_name(f"{w.name}.publish.attestation").write_text("not json"),
            "is not a PEP 740 attestation",
        ),
    ],
)
def test_verify_refuses_an_attestation_that_is_not_of_a_file_as_it_is(
    project: Path, spoil: Any, said: str
) -> None:
    wheel = next((project / "dist").glob("*.whl"))
    spoil(wheel)
    done = releasekit(project, "verify")
    assert done.returncode == 1
    assert said in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1 and "attest the files again" in done.stderr


# --- publish: which uploads send them --------------------------------------------------------


def repo(url: str, *, pypi: bool) -> Repository:
    return Repository("pypi" if pypi else url, url, f"{url}simple/", pypi, False)


@pytest.mark.parametrize(
    ("environ", "pypi", "said"),
    [
        ({"PYPI_TOKEN": TOKEN, "GITHUB_ACTIONS": "true"}, True, "this upload uses a token"),
        ({"TWINE_PASSWORD": "x", "GITHUB_ACTIONS": "true"}, True, "this upload uses a token"),
        ({}, True, "only from a trusted publisher's workflow (GitHub Actions)"),
        ({"GITHUB_ACTIONS": "true"}, False, "is not PyPI or TestPyPI"),
    ],
)
def test_attestations_stay_behind_without_trusted_publishing_to_pypi(
    project: Path, environ: dict[str, str], pypi: bool, said: str
) -> None:
    files = release_files(project)
    for path in files:
        attest(path)
    chosen = attestations.choose(files, environ, to_pypi=pypi, repository="http://127.0.0.1:9/")
    assert chosen.files == ()
    assert chosen.skipped.startswith("the PEP 740 attestations in dist/ were not uploaded: ")
    assert said in chosen.skipped and "\n" not in chosen.skipped


def test_no_attestations_in_dist_means_nothing_to_say(project: Path) -> None:
    chosen = attestations.choose(
        release_files(project), {"PYPI_TOKEN": TOKEN}, to_pypi=True, repository="pypi"
    )
    assert chosen == attestations.Choice()


def test_a_trusted_upload_refuses_a_file_without_its_attestation(project: Path) -> None:
    wheel, sdist = release_files(project)
    attest(wheel)
    with pytest.raises(PublishError, match=r"sample_pkg-1.3.0.tar.gz has no attestation"):
        attestations.choose(
            [wheel, sdist], {"GITHUB_ACTIONS": "true"}, to_pypi=True, repository="pypi"
        )


class RecordingTwine:
    """Stands for the started twine: records its arguments and succeeds (no upload)."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.env = twine_env(credentials_env(environ))
        self.args: list[list[str]] = []

    def finish(self, text: str, *, timeout: float, on_line: Any = None) -> Result:
        self.args.append(json.loads(text))
        return Result(("twine",), 0, "", "")

    def cancel(self) -> None:
        pass


def test_a_trusted_publisher_in_github_actions_sends_each_attestation_with_its_file(
    project: Path, tmp_path: Path
) -> None:
    files = release_files(project)
    made = [attest(path) for path in files]
    environ = {"GITHUB_ACTIONS": "true", "CI": "true"}
    twine = RecordingTwine(environ)
    with LocalIndex(tmp_path / "index", token=TOKEN) as index:
        report = publish(
            files,
            project=NAME,
            version=VERSION,
            repository=repo(index.url, pypi=True),  # what the index is asked; twine is a stand-in
            environ=environ,
            warm=twine,  # type: ignore[arg-type]
        )
    (args,) = twine.args
    assert "--attestations" in args
    assert args[-4:] == [str(files[0]), str(made[0]), str(files[1]), str(made[1])]
    assert args[-2].endswith(".tar.gz")  # the sdist still last
    assert report.warnings == ()


def test_publish_with_a_token_uploads_the_files_and_says_why_not_their_attestations(
    project: Path, tmp_path: Path
) -> None:
    for path in release_files(project):
        attest(path)
    with LocalIndex(tmp_path / "index", token=TOKEN) as index:
        done = releasekit(project, "publish", PYPI_TOKEN=TOKEN, RELEASEKIT_REPOSITORY=index.url)
        on_index = sorted(existing_files(index.repository, NAME, VERSION))
    assert done.returncode == 0, done.stderr
    assert on_index == [path.name for path in release_files(project)]
    skipped = [line for line in done.stdout.splitlines() if "attestations" in line]
    assert skipped == [
        "warning: the PEP 740 attestations in dist/ were not uploaded: this upload uses a "
        "token, and PyPI takes attestations only from trusted publishing"
    ]


# --- doctor --online ---------------------------------------------------------------------------


def simple_page(*files: tuple[str, object]) -> Server:
    """A PEP 691 JSON page of sample-pkg; a file's second item is its provenance ("absent":
    no key, as an index without PEP 740 answers)."""
    entries = []
    for filename, provenance in files:
        entry: dict[str, object] = {"filename": filename, "url": filename, "hashes": {}}
        if provenance != "absent":
            entry["provenance"] = provenance
        entries.append(entry)
    body = json.dumps({"meta": {"api-version": "1.4"}, "name": NAME, "files": entries}).encode()

    def answer(seen: Seen) -> Reply:
        if seen.path.rstrip("/").endswith(f"/simple/{NAME}"):
            return 200, {"Content-Type": "application/vnd.pypi.simple.v1+json"}, body
        return 404, {}, b""

    return Server(answer)


OLD = ("sample_pkg-1.2.0.tar.gz", None)
URL = "https://pypi.org/integrity/sample-pkg/1.3.0/{}/provenance"


def doctor_check(root: Path, server: Server, *, trusted: bool = False, sign: bool = False) -> Any:
    from releasekit.setup.init import InitOptions, init

    init(root, InitOptions(trusted_publishing=trusted))
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text()
    assert 'repository = "pypi"' in text
    pyproject.write_text(text.replace('repository = "pypi"', f'repository = "{server.url}"'))
    workflow = root / ".github" / "workflows" / "release.yml"
    if trusted and not sign:  # a trusted workflow rendered before the attest step
        workflow.write_text(workflow.read_text().replace(SIGN, "echo unsigned"))
    return check_attestations(World(root, os.environ, offline=False))


@pytest.mark.parametrize(
    ("files", "trusted", "sign", "status", "said"),
    [
        (
            [("sample_pkg-1.3.0.tar.gz", URL), ("sample_pkg-1.3.0-py3-none-any.whl", URL), OLD],
            True,
            True,
            "pass",
            "sample-pkg 1.3.0 on {url}: all 2 files carry PEP 740 attestations",
        ),
        (
            [("sample_pkg-1.3.0.tar.gz", None), ("sample_pkg-1.3.0-py3-none-any.whl", URL)],
            True,
            True,
            "warn",
            "only 1 of 2 files carry PEP 740 attestations (not sample_pkg-1.3.0.tar.gz)",
        ),
        (
            [("sample_pkg-1.3.0.tar.gz", None)],
            True,
            False,
            "warn",
            "has no PEP 740 attestations, and release.yml's trusted publishing makes none",
        ),
        (
            [("sample_pkg-1.3.0.tar.gz", None)],
            True,
            True,
            "pass",
            "release.yml attests every file from the next release on",
        ),
        (
            [("sample_pkg-1.3.0.tar.gz", None)],
            False,
            False,
            "pass",
            "(they come with trusted publishing only",
        ),
        ([("sample_pkg-1.3.0.tar.gz", "absent")], False, False, "skip", "lists no PEP 740"),
        ([], False, False, "pass", "sample-pkg has no release on {url} yet"),
    ],
)
def test_doctor_online_says_whether_the_last_release_carries_attestations(
    repo: Any, files: list[tuple[str, object]], trusted: bool, sign: bool, status: str, said: str
) -> None:
    with simple_page(*files) as server:
        found = doctor_check(repo.root, server, trusted=trusted, sign=sign)
    assert found.status == status, found
    assert said.format(url=server.url) in found.detail, found.detail
    if status == "warn":
        assert found.fix


def test_doctor_offline_does_not_ask_the_index_for_attestations(repo: Any) -> None:
    from releasekit.doctor.run import run

    with simple_page() as server:
        with (repo.root / "pyproject.toml").open("a") as pyproject:
            pyproject.write(f'\n[tool.releasekit]\nrepository = "{server.url}"\n')
        report = run(repo.root, offline=True, online=True, environ={})
        assert server.seen == []
    found = {check.name: check for check in report.checks}["attestations"]
    assert (found.status, found.detail) == ("skip", "--offline: the package index was not asked")
