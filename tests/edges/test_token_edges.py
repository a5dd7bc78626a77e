"""What releasekit says about a PyPI token (doctor, secret set) and how it reads time caveats,
on tokens minted in PyPI's exact format; the description holds no part of the token."""

from __future__ import annotations

import pytest
from support.tokens import mint

from releasekit.publishing.pypi_token import audit, describe, read_token

NOW = 1_800_000_000  # 2027-01-15 08:00 UTC


def test_time_caveats_keep_the_tightest_window_in_any_order() -> None:
    info = read_token(mint("pypi.org", [[0, NOW + 50, NOW - 10], [0, NOW + 100, NOW - 100]]))
    assert (info.expires_at, info.not_before) == (NOW + 50, NOW - 10)
    assert info.readable


@pytest.mark.parametrize("caveat", [[0, "soon"], [0, True], [0, None, NOW]])
def test_an_expiry_that_is_no_number_makes_the_token_unreadable(caveat: list[object]) -> None:
    info = read_token(mint("pypi.org", [caveat]))
    assert info.expires_at is None
    assert not info.readable


@pytest.mark.parametrize("not_before", ["later", False])
def test_a_start_time_that_is_no_number_is_ignored(not_before: object) -> None:
    info = read_token(mint("pypi.org", [[0, NOW + 50, not_before]]))
    assert (info.expires_at, info.not_before, info.readable) == (NOW + 50, None, True)


@pytest.mark.parametrize(
    ("caveats", "described"),
    [
        (
            [[1, ["Sample_Pkg", "other"]], [0, NOW, NOW - 60]],
            "scoped to other, sample-pkg, expires 2027-01-15 08:00 UTC",
        ),
        ([[3, "user"]], "account-wide, no expiry"),
        ([[2, ["6b4b5f8e"]]], "of a scope that cannot be read offline, no expiry"),
    ],
)
def test_describe_says_index_scope_and_expiry(caveats: list[object], described: str) -> None:
    token = mint("test.pypi.org", caveats)
    text = describe(read_token(token))
    assert text == f"test.pypi.org token, {described}"
    assert token.split("-", 1)[1][:20] not in text


def test_an_expired_token_names_the_minute_it_expired() -> None:
    token = mint("pypi.org", [[1, ["sample-pkg"]], [0, NOW - 3600, NOW - 7200]])
    findings = audit(
        token, repository_url="https://upload.pypi.org/legacy/", project="sample-pkg", now=NOW
    )
    messages = [f.message for f in findings]
    assert any(m.startswith("the token expired on 2027-01-15 07:00 UTC: ") for m in messages), (
        messages
    )
