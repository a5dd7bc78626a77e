"""Reading PyPI tokens offline, on tokens minted at run time in PyPI's exact format."""

from __future__ import annotations

import base64
import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.tokens import encode, macaroon, mint

from releasekit.publishing.pypi_token import Finding, TokenInfo, audit, read_token

PYPI_URL = "https://upload.pypi.org/legacy/"
TESTPYPI_URL = "https://test.pypi.org/legacy/"
LOCAL_URL = "http://127.0.0.1:8080/"
NOW = 1_800_000_000
PROJECT_TOKEN = [[1, ["sample-pkg"]], [2, ["6b4b5f8e-0000-4000-8000-000000000000"]]]


def errors(findings: list[Finding]) -> list[str]:
    return [f.message for f in findings if f.level == "error"]


def warnings(findings: list[Finding]) -> list[str]:
    return [f.message for f in findings if f.level == "warning"]


def test_minted_tokens_have_pypi_prefixes() -> None:
    # The prefixes every real token of each index starts with (see pypi-tokens.md).
    assert mint("pypi.org").startswith("pypi-AgEIcHlwaS5vcmcCJ")
    assert mint("test.pypi.org").startswith("pypi-AgENdGVzdC5weXBpLm9yZwIk")


def test_account_wide_token() -> None:
    info = read_token(mint("pypi.org", [[3, "a-user-id"]]))
    assert info == TokenInfo("pypi.org", None, True, None, None, readable=True)


def test_project_token_names_are_normalized_and_sorted() -> None:
    info = read_token(mint("pypi.org", [[1, ["Zeta_Pkg", "alpha.pkg"]], [2, ["id"]]]))
    assert info.projects == ("alpha-pkg", "zeta-pkg")
    assert not info.account_wide
    assert info.readable


def test_project_caveats_narrow_each_other() -> None:
    info = read_token(mint("pypi.org", [[1, ["a", "b"]], [1, ["b", "c"]]]))
    assert info.projects == ("b",)


def test_project_caveat_on_account_token_makes_it_scoped() -> None:
    info = read_token(mint("pypi.org", [[3, "user"], [1, ["sample-pkg"]]]))
    assert info.projects == ("sample-pkg",)
    assert not info.account_wide


def test_project_id_only_token_is_scoped_but_names_unknown() -> None:
    info = read_token(mint("pypi.org", [[2, ["6b4b5f8e"]]]))
    assert info.projects is None
    assert not info.account_wide
    assert info.readable


def test_expiry_caveats_keep_the_tightest_window() -> None:
    info = read_token(mint("pypi.org", [[0, NOW + 100, NOW - 100], [0, NOW + 50, NOW - 10]]))
    assert info.expires_at == NOW + 50
    assert info.not_before == NOW - 10


def test_trusted_publisher_token_is_not_account_wide() -> None:
    info = read_token(mint("pypi.org", [[4, "publisher-id"], [0, NOW + 900, NOW]]))
    assert not info.account_wide
    assert info.expires_at == NOW + 900


@pytest.mark.parametrize(
    ("caveats", "projects", "account_wide", "expires_at"),
    [
        ([{"version": 1, "permissions": "user"}], None, True, None),
        ([{"version": 1, "permissions": {"projects": ["My_Pkg"]}}], ("my-pkg",), False, None),
        ([{"version": 1, "permissions": "user"}, {"exp": NOW, "nbf": NOW - 5}], None, True, NOW),
        ([{"project_ids": ["id-1"]}], None, False, None),
    ],
)
def test_legacy_caveats(
    caveats: list[object],
    projects: tuple[str, ...] | None,
    account_wide: bool,
    expires_at: int | None,
) -> None:
    info = read_token(mint("pypi.org", caveats))
    assert (info.projects, info.account_wide, info.expires_at) == (
        projects,
        account_wide,
        expires_at,
    )
    assert info.readable


def test_token_without_caveats_has_unknown_scope() -> None:
    info = read_token(mint("pypi.org", []))
    assert info.readable
    assert not info.account_wide
    assert info.projects is None
    assert audit(mint("pypi.org", []), repository_url=PYPI_URL, project="x", now=NOW) == []


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "garbage",
        "pypi-",
        "pypi-!!!!",
        "pypi-AgEIcHlwaS5vcmc",  # truncated inside the header
        encode(b"\x01" + macaroon("pypi.org", [])[1:]),  # wrong version byte
        encode(macaroon("pypi.org", [])[:-10]),  # signature cut short
        encode(macaroon("pypi.org", []) + b"\xff"),  # bad field type after the end
    ],
)
def test_unreadable_tokens_are_unknown_not_errors(bad: str) -> None:
    info = read_token(bad)
    assert not info.readable
    assert info.index is None
    assert audit(bad, repository_url=PYPI_URL, project="sample-pkg", now=NOW) == []


def test_unparseable_caveat_keeps_what_can_be_read() -> None:
    token = encode(macaroon("test.pypi.org", [b"not json", b'[1,["sample-pkg"]]']))
    info = read_token(token)
    assert not info.readable
    assert info.index == "test.pypi.org"
    assert info.projects == ("sample-pkg",)


def test_unknown_caveat_tag_makes_token_unreadable_and_silences_the_warning() -> None:
    token = mint("pypi.org", [[3, "user"], [99, "future"]])
    assert not read_token(token).readable
    assert audit(token, repository_url=PYPI_URL, project="sample-pkg", now=NOW) == []


def test_token_text_is_not_kept() -> None:
    token = mint("pypi.org", PROJECT_TOKEN)
    info = read_token(token)
    for piece in (token, token[5:], token[-20:]):
        assert piece not in repr(info)


def test_surrounding_whitespace_is_ignored() -> None:
    assert read_token(" " + mint("pypi.org", PROJECT_TOKEN) + "\n").projects == ("sample-pkg",)


def test_testpypi_token_aimed_at_pypi_is_an_error() -> None:
    found = audit(
        mint("test.pypi.org", PROJECT_TOKEN), repository_url=PYPI_URL, project="sample-pkg"
    )
    (message,) = errors(found)
    assert "test.pypi.org" in message
    assert "https://pypi.org/manage/account/token/" in message


def test_pypi_token_aimed_at_testpypi_is_an_error() -> None:
    found = audit(
        mint("pypi.org", PROJECT_TOKEN), repository_url=TESTPYPI_URL, project="sample-pkg"
    )
    (message,) = errors(found)
    assert "made on pypi.org" in message
    assert "https://test.pypi.org/manage/account/token/" in message


@pytest.mark.parametrize(
    ("location", "url"),
    [("pypi.org", PYPI_URL), ("test.pypi.org", TESTPYPI_URL), ("pypi.org", LOCAL_URL)],
)
def test_index_check_passes_or_does_not_apply(location: str, url: str) -> None:
    assert audit(mint(location, PROJECT_TOKEN), repository_url=url, project="sample-pkg") == []


def test_token_for_other_projects_names_them_and_the_release() -> None:
    token = mint("pypi.org", [[1, ["other-one", "other-two"]]])
    (message,) = errors(audit(token, repository_url=PYPI_URL, project="Sample_Pkg"))
    assert "other-one, other-two" in message
    assert "sample-pkg" in message
    assert "PYPI_TOKEN" in message


def test_scope_check_applies_to_any_index() -> None:
    token = mint("pypi.org", [[1, ["other"]]])
    assert errors(audit(token, repository_url=LOCAL_URL, project="sample-pkg"))


def test_expired_token_gives_the_date_and_the_fix() -> None:
    token = mint("pypi.org", [*PROJECT_TOKEN, [0, NOW - 3600, NOW - 7200]])
    (message,) = errors(audit(token, repository_url=PYPI_URL, project="sample-pkg", now=NOW))
    assert time.strftime("%Y-%m-%d", time.gmtime(NOW - 3600)) in message
    assert "PYPI_TOKEN" in message
    assert "new token" in message


def test_token_valid_now_passes() -> None:
    token = mint("pypi.org", [*PROJECT_TOKEN, [0, NOW + 3600, NOW - 60]])
    assert audit(token, repository_url=PYPI_URL, project="sample-pkg", now=NOW) == []


def test_not_yet_valid_token_is_an_error() -> None:
    token = mint("pypi.org", [*PROJECT_TOKEN, [0, NOW + 7200, NOW + 3600]])
    assert errors(audit(token, repository_url=PYPI_URL, project="sample-pkg", now=NOW))


def test_legacy_expiry_is_checked_too() -> None:
    token = mint("pypi.org", [{"version": 1, "permissions": "user"}, {"exp": NOW - 1, "nbf": 0}])
    found = audit(token, repository_url=PYPI_URL, project="sample-pkg", now=NOW)
    assert len(errors(found)) == 1
    assert len(warnings(found)) == 1


def test_account_wide_token_is_a_warning_recommending_a_scoped_one() -> None:
    found = audit(mint("pypi.org", [[3, "user"]]), repository_url=PYPI_URL, project="sample-pkg")
    assert errors(found) == []
    (message,) = warnings(found)
    assert "scoped to sample-pkg" in message


def test_every_problem_is_reported_at_once() -> None:
    token = mint("test.pypi.org", [[1, ["other"]], [0, NOW - 1, NOW - 10]])
    assert len(errors(audit(token, repository_url=PYPI_URL, project="x", now=NOW))) == 3


@given(st.text())
def test_read_token_never_raises_on_any_text(text: str) -> None:
    assert isinstance(read_token(text), TokenInfo)
    assert isinstance(read_token("pypi-" + text), TokenInfo)


@given(st.binary())
def test_read_token_never_raises_on_any_bytes(raw: bytes) -> None:
    for body in (raw, b"\x02" + raw):
        token = "pypi-" + base64.urlsafe_b64encode(body).decode().rstrip("=")
        info = read_token(token)
        assert isinstance(info, TokenInfo)
        audit(token, repository_url=PYPI_URL, project="p")


@given(st.lists(st.text(min_size=1, max_size=20), max_size=5), st.binary(max_size=40))
def test_read_token_never_raises_on_odd_caveats(names: list[str], junk: bytes) -> None:
    token = encode(macaroon("pypi.org", [junk, str([1, names]).encode()]))
    assert isinstance(read_token(token), TokenInfo)


@given(st.lists(st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,10}[A-Za-z0-9])?", fullmatch=True)))
def test_project_names_round_trip(names: list[str]) -> None:
    info = read_token(mint("pypi.org", [[1, names]]))
    assert info.projects == tuple(sorted({re.sub(r"[-_.]+", "-", n).lower() for n in names}))
