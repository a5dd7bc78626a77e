"""Doctor's attestation check (`releasekit doctor --online`): does the last release on the index
carry PEP 740 attestations, and will the next one?

One GET of the index's JSON simple API (PEP 691), whose files name their provenance (PEP 740).
Attestations come only with trusted publishing, so a token workflow without them passes.
"""

from __future__ import annotations

from releasekit.doctor.model import Check, Needs, World
from releasekit.errors import PublishError, ReleaseError

SIGN_STEP = "pypi_attestations sign"  # what release.yml's attest step runs
RENDER = "releasekit init --force --trusted-publishing"


def check_attestations(world: World) -> Check:
    """The newest version on the index: all, some or none of its files attested."""
    from releasekit.publishing import index

    if world.offline:
        return Check("attestations", "skip", "--offline: the package index was not asked")
    repository = index.resolve_repository(world.config.repository)
    name, where = world.name, repository.name
    try:
        found = index.latest_provenance(repository, name, timeout=15)
    except PublishError as exc:
        return Check("attestations", "warn", exc.cause, "re-run when the index answers")
    if found.version is None:
        return Check("attestations", "pass", f"{name} has no release on {where} yet")
    release = f"{name} {found.version} on {where}"
    if not found.known:
        return Check(
            "attestations",
            "skip",
            f"{where} does not say whether the files of {release.split(' on ')[0]} carry "
            "attestations (its simple API lists no PEP 740 provenance)",
        )
    total = len(found.attested) + len(found.unattested)
    if not found.unattested:
        return Check(
            "attestations", "pass", f"{release}: all {total} files carry PEP 740 attestations"
        )
    attests, trusted = _workflow_attests(world)
    if found.attested:
        return Check(
            "attestations",
            "warn",
            f"{release}: only {len(found.attested)} of {total} files carry PEP 740 attestations "
            f"(not {', '.join(found.unattested)})",
            "a file uploaded without one cannot get one later; "
            + ("the next release attests every file" if attests else f"run {RENDER}"),
        )
    if attests:
        return Check(
            "attestations",
            "pass",
            f"{release} has no PEP 740 attestations; release.yml attests every file from the "
            "next release on",
        )
    if trusted:
        return Check(
            "attestations",
            "warn",
            f"{release} has no PEP 740 attestations, and release.yml's trusted publishing "
            "makes none",
            f"{RENDER}: its publish job then attests every file it uploads",
        )
    return Check(
        "attestations",
        "pass",
        f"{release} has no PEP 740 attestations (they come with trusted publishing only: {RENDER})",
    )


def _workflow_attests(world: World) -> tuple[bool, bool]:
    """(release.yml signs dist/, release.yml publishes by trusted publishing)."""
    try:
        text, facts = world.workflow
    except (Needs, ReleaseError):
        return False, False
    return SIGN_STEP in text, facts.id_token_in_publish
