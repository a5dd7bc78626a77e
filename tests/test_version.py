"""SemVer intent in, one canonical PEP 440 version out: bumps, explicit versions, refusals."""

from __future__ import annotations

import pytest
import semver
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import InvalidVersion, Version

from releasekit.core.version import (
    PARTS,
    bump,
    canonical,
    check_releasable,
    explicit,
    from_semver,
    parse,
    to_semver,
)
from releasekit.errors import VersionError

PRE_OPTIONS = (None, "alpha", "beta", "rc")
PEP440_TOKEN = {"alpha": "a", "beta": "b", "rc": "rc"}
TOKEN_ORDER = {"a": 0, "b": 1, "rc": 2}


def assert_one_line(exc: BaseException) -> None:
    """A user reads one line: the cause, then the fix."""
    text = str(exc)
    assert text.strip()
    assert "\n" not in text and "\r" not in text
    assert getattr(exc, "fix", ""), f"no fix in {text!r}"


# --- the examples the issue promises ------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "part", "pre", "expected"),
    [
        ("1.3.0", "major", None, "2.0.0"),
        ("1.3.0", "minor", None, "1.4.0"),
        ("1.3.0", "patch", None, "1.3.1"),
        ("1.3.0", "minor", "rc", "1.4.0rc1"),
        ("1.3.0", "patch", "alpha", "1.3.1a1"),
        ("1.3.0", "major", "beta", "2.0.0b1"),
        ("1.4.0rc1", "pre", None, "1.4.0rc2"),
        ("1.4.0rc1", "pre", "rc", "1.4.0rc2"),
        ("1.4.0a2", "pre", "beta", "1.4.0b1"),
        ("1.4.0a2", "pre", "alpha", "1.4.0a3"),
        ("1.4.0b1", "pre", "rc", "1.4.0rc1"),
        ("1.4.0rc0", "pre", None, "1.4.0rc1"),
        ("1.4.0rc2", "release", None, "1.4.0"),
        ("1.4.0a1", "release", None, "1.4.0"),
        # Part arithmetic on a pre-release moves past it, never back below it.
        ("1.4.0rc1", "patch", None, "1.4.0"),
        ("1.4.0rc1", "minor", None, "1.4.0"),
        ("1.4.1rc1", "minor", None, "1.5.0"),
        ("2.0.0b1", "major", None, "2.0.0"),
        ("1.4.0rc1", "minor", "rc", "1.5.0rc1"),
        # Two-number versions are read as MAJOR.MINOR.0.
        ("1.3", "patch", None, "1.3.1"),
        ("1.3", "minor", None, "1.4.0"),
    ],
)
def test_bump_gives_the_promised_version(
    current: str, part: str, pre: str | None, expected: str
) -> None:
    new = bump(Version(current), part, pre)  # type: ignore[arg-type]
    assert canonical(new) == expected


def test_the_issue_sequence_from_final_to_rc_to_final() -> None:
    v = bump(Version("1.3.0"), "minor", "rc")
    assert canonical(v) == "1.4.0rc1"
    v = bump(v, "pre")
    assert canonical(v) == "1.4.0rc2"
    v = bump(v, "release")
    assert canonical(v) == "1.4.0"


@pytest.mark.parametrize(
    ("current", "part", "pre", "words"),
    [
        ("1.3.0", "pre", None, "not a pre-release"),
        ("1.3.0", "pre", "rc", "not a pre-release"),
        ("1.3.0", "release", None, "already a final release"),
        ("1.4.0rc1", "release", "rc", "--part release takes no --pre"),
        # Moving from rc back to alpha or beta would go down.
        ("1.4.0rc2", "pre", "alpha", "lower than the current version 1.4.0rc2"),
        ("1.4.0rc2", "pre", "beta", "lower than the current version 1.4.0rc2"),
        ("1.4.0b3", "pre", "alpha", "lower than the current version 1.4.0b3"),
        ("1.3.0", "minor", "gamma", "unknown pre-release 'gamma'"),
        ("1.3.0", "build", None, "unknown part 'build'"),
    ],
)
def test_bump_refusals_say_why(current: str, part: str, pre: str | None, words: str) -> None:
    with pytest.raises(VersionError) as caught:
        bump(Version(current), part, pre)  # type: ignore[arg-type]
    assert words in str(caught.value)
    assert_one_line(caught.value)


# --- explicit versions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1.4.0", "1.4.0"),
        ("1.4.0rc1", "1.4.0rc1"),
        ("1.4.0-rc.1", "1.4.0rc1"),
        ("1.4.0-RC.1", "1.4.0rc1"),
        ("1.4.0-rc1", "1.4.0rc1"),
        ("1.4.0-alpha.1", "1.4.0a1"),
        ("1.4.0-beta.2", "1.4.0b2"),
        ("1.4.0-pre.1", "1.4.0rc1"),
        ("1.4.0-c.1", "1.4.0rc1"),
        ("v1.4.0", "1.4.0"),
        (" 1.4.0 ", "1.4.0"),
        ("2.0", "2.0"),
    ],
)
def test_explicit_version_is_written_canonically(written: str, expected: str) -> None:
    new = explicit(Version("1.3.0"), written)
    assert canonical(new) == expected


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("1.3.0", "is the current version"),
        ("1.3", "is the current version"),
        ("v1.3.0", "is the current version"),
        ("1.2.9", "lower than the current version 1.3.0"),
        ("1.3.0rc1", "lower than the current version 1.3.0"),
        ("1.4.0+x", "local part (+x)"),
        ("1.4.0+build.5", "local part"),
        ("1.4.0-post.1", "post-release"),
        ("1.4.0-1", "post-release"),
        ("1.4.0.post1", "post-release"),
        ("1.4.0-rc.1.dev2", "dev release"),
        ("1.4.0-dev.1", "dev release"),
        ("1.4.0.dev1", "dev release"),
        ("1!2.0.0", "no SemVer equivalent"),
        ("1.4.0.1", "no SemVer equivalent"),
        ("1.4.0-SNAPSHOT", "not a valid PEP 440 version"),
        ("1.4.0-alpha.beta", "not a valid PEP 440 version"),
        ("1.4.0-0.3.7", "not a valid PEP 440 version"),
        ("1.4.0-rc.1.2", "not a valid PEP 440 version"),
        ("v1.3.1-test", "not a valid PEP 440 version"),
        ("", "not a valid PEP 440 version"),
    ],
)
def test_explicit_refusals_are_one_line_and_name_the_input(written: str, words: str) -> None:
    with pytest.raises(VersionError) as caught:
        explicit(Version("1.3.0"), written)
    message = str(caught.value)
    assert words in message
    if written.strip():
        assert written.strip() in message or canonical(Version(written)) in message
    assert_one_line(caught.value)


@pytest.mark.parametrize("written", ["1.4.0.post1\n", "1.4.0+x\n", "\n1.4.0.dev1"])
def test_explicit_refusal_of_text_with_newline_stays_one_line(written: str) -> None:
    with pytest.raises(VersionError) as caught:
        explicit(Version("1.3.0"), written)
    assert "\n" not in str(caught.value)


# --- parse, canonical and the SemVer bridge ------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1.4.0-rc.1", "1.4.0rc1"),
        ("1.4.0-rc1", "1.4.0rc1"),
        ("1.4.0-RC.1", "1.4.0rc1"),
        ("1.4.0-rc", "1.4.0rc0"),
        ("1.4.0-alpha.1", "1.4.0a1"),
        ("1.4.0-a.1", "1.4.0a1"),
        ("1.4.0-beta.2", "1.4.0b2"),
        ("1.4.0-b2", "1.4.0b2"),
        ("1.4.0-preview.1", "1.4.0rc1"),
        ("1.4.0-dev.1", "1.4.0.dev1"),
        ("1.4.0-post.1", "1.4.0.post1"),
        ("1.4.0-1", "1.4.0.post1"),
        ("1.4.0-rc.1.dev2", "1.4.0rc1.dev2"),
        ("1.4.0+build.5", "1.4.0+build.5"),
    ],
)
def test_parse_reads_semver_spellings_as_pep440(written: str, expected: str) -> None:
    assert canonical(parse(written)) == expected


@pytest.mark.parametrize("written", ["1.4.0-SNAPSHOT", "nope", "1..0", "v1.3.1-test"])
def test_parse_refuses_what_has_no_pep440_form(written: str) -> None:
    with pytest.raises(VersionError) as caught:
        parse(written)
    assert repr(written) in str(caught.value)
    assert_one_line(caught.value)


@pytest.mark.parametrize(
    ("pep440", "semver_text"),
    [
        ("1.4.0", "1.4.0"),
        ("1.4.0rc1", "1.4.0-rc.1"),
        ("1.4.0a3", "1.4.0-alpha.3"),
        ("1.4.0b2", "1.4.0-beta.2"),
        ("0.0.1rc0", "0.0.1-rc.0"),
    ],
)
def test_semver_bridge(pep440: str, semver_text: str) -> None:
    assert str(to_semver(Version(pep440))) == semver_text
    assert canonical(from_semver(semver.Version.parse(semver_text))) == pep440


def test_check_releasable_accepts_plain_and_prerelease_versions() -> None:
    for text in ("0.0.1", "1.4.0", "1.4.0rc1", "1.4.0a1", "1.4.0b9", "1.4"):
        check_releasable(Version(text))  # must not raise


# --- properties ------------------------------------------------------------------------------


@st.composite
def any_versions(draw: st.DrawFn) -> Version:
    """PEP 440 versions of every shape: pre, post, dev, local, epoch, 1 to 4 numbers."""
    count = draw(st.integers(1, 4))
    release = draw(st.lists(st.integers(0, 30), min_size=count, max_size=count))
    text = ".".join(map(str, release))
    if draw(st.integers(0, 9)) == 0:
        text = f"{draw(st.integers(1, 2))}!{text}"
    if draw(st.booleans()):
        text += f"{draw(st.sampled_from(['a', 'b', 'rc']))}{draw(st.integers(0, 30))}"
    if draw(st.integers(0, 5)) == 0:
        text += f".post{draw(st.integers(0, 5))}"
    if draw(st.integers(0, 5)) == 0:
        text += f".dev{draw(st.integers(0, 5))}"
    if draw(st.integers(0, 7)) == 0:
        text += f"+{draw(st.sampled_from(['local', 'g1234', 'build.5']))}"
    return Version(text)


@st.composite
def semver_versions(draw: st.DrawFn) -> Version:
    """What SemVer can say: MAJOR.MINOR.PATCH with an optional alpha, beta or rc number."""
    major, minor, patch = (draw(st.integers(0, 50)) for _ in range(3))
    text = f"{major}.{minor}.{patch}"
    if draw(st.booleans()):
        text += f"{draw(st.sampled_from(['a', 'b', 'rc']))}{draw(st.integers(0, 50))}"
    return Version(text)


def three(version: Version) -> tuple[int, int, int]:
    major, minor, patch = (*version.release, 0, 0)[:3]
    return major, minor, patch


@settings(deadline=None, max_examples=300)
@given(current=any_versions(), part=st.sampled_from(PARTS), pre=st.sampled_from(PRE_OPTIONS))
def test_no_bump_goes_down_or_stays(current: Version, part: str, pre: str | None) -> None:
    try:
        new = bump(current, part, pre)  # type: ignore[arg-type]
    except VersionError as exc:
        assert_one_line(exc)
        return
    assert new > current
    # What is written is releasable: no local, post, dev, epoch; MAJOR.MINOR.PATCH.
    assert new.local is None and new.post is None and new.dev is None and new.epoch == 0
    assert len(new.release) == 3
    assert canonical(parse(canonical(new))) == canonical(new)


def semver_bump(current: Version, part: str, pre: str | None) -> Version:
    """The part arithmetic done by the `semver` library, as bump() did before it did it
    on numbers (so that `releasekit bump` does not import semver)."""
    sv = to_semver(current)
    if part in ("major", "minor", "patch") and pre is None:
        sv = sv.next_version(part)
    elif part in ("major", "minor", "patch"):
        sv = getattr(sv, f"bump_{part}")().replace(prerelease=f"{pre}.1")
    elif part == "pre":
        token = {"a": "alpha", "b": "beta", "rc": "rc"}[current.pre[0]]  # type: ignore[index]
        sv = sv.bump_prerelease() if pre in (None, token) else sv.replace(prerelease=f"{pre}.1")
    else:
        sv = sv.finalize_version()
    return from_semver(sv)


@settings(deadline=None, max_examples=400)
@given(current=any_versions(), part=st.sampled_from(PARTS), pre=st.sampled_from(PRE_OPTIONS))
def test_bump_on_numbers_equals_the_semver_library(
    current: Version, part: str, pre: str | None
) -> None:
    """Every version, part and pre-release: the same result as semver's arithmetic."""
    try:
        new = bump(current, part, pre)  # type: ignore[arg-type]
    except VersionError:
        return  # refused before or after the arithmetic: test_no_bump_goes_down_or_stays
    assert new == semver_bump(current, part, pre)
    assert canonical(new) == canonical(semver_bump(current, part, pre))


@settings(deadline=None, max_examples=300)
@given(current=semver_versions(), part=st.sampled_from(PARTS), pre=st.sampled_from(PRE_OPTIONS))
def test_bump_of_semver_versions_follows_the_rules(
    current: Version, part: str, pre: str | None
) -> None:
    """Every part/pre combination: the exact result, or a refusal only where one is due."""
    major, minor, patch = three(current)
    token = PEP440_TOKEN[pre] if pre else None
    expected: tuple[tuple[int, ...], tuple[str, int] | None] | None
    if part in ("major", "minor", "patch"):
        numbers = {
            "major": (major + 1, 0, 0),
            "minor": (major, minor + 1, 0),
            "patch": (major, minor, patch + 1),
        }[part]
        # A pre-release of exactly that part's release is finalised, as npm and poetry do:
        # 1.4.0rc1 --part minor gives 1.4.0, 2.0.0b1 --part major gives 2.0.0.
        finalises = {
            "major": minor == 0 and patch == 0,
            "minor": patch == 0,
            "patch": True,
        }[part]
        if current.pre is not None and token is None and finalises:
            numbers = (major, minor, patch)
        expected = (numbers, (token, 1) if token else None)
    elif part == "pre":
        if current.pre is None:
            expected = None
        elif token is None or token == current.pre[0]:
            expected = ((major, minor, patch), (current.pre[0], current.pre[1] + 1))
        elif TOKEN_ORDER[token] > TOKEN_ORDER[current.pre[0]]:
            expected = ((major, minor, patch), (token, 1))
        else:
            expected = None
    else:
        expected = ((major, minor, patch), None) if current.pre and not pre else None

    if expected is None:
        with pytest.raises(VersionError) as caught:
            bump(current, part, pre)  # type: ignore[arg-type]
        assert_one_line(caught.value)
        return
    new = bump(current, part, pre)  # type: ignore[arg-type]
    assert (new.release, new.pre) == expected
    assert new > current


@settings(deadline=None, max_examples=300)
@given(version=any_versions())
def test_canonical_string_round_trips(version: Version) -> None:
    text = canonical(version)
    assert canonical(parse(text)) == text
    assert parse(text) == version


@settings(deadline=None, max_examples=300)
@given(version=semver_versions())
def test_semver_round_trip_of_releasable_versions(version: Version) -> None:
    check_releasable(version)
    as_semver = to_semver(version)
    # The SemVer spelling is valid SemVer and reads back as the same PEP 440 version.
    assert semver.Version.parse(str(as_semver)) == as_semver
    assert canonical(from_semver(as_semver)) == canonical(version)
    assert canonical(parse(str(as_semver))) == canonical(version)


@settings(deadline=None, max_examples=300)
@given(a=semver_versions(), b=semver_versions())
def test_semver_and_pep440_order_releasable_versions_alike(a: Version, b: Version) -> None:
    """Why some forms are refused: for the accepted ones, both standards agree on order."""
    assert (a < b) == (to_semver(a) < to_semver(b))
    assert (a == b) == (to_semver(a) == to_semver(b))


TOKENS = ["alpha", "a", "beta", "b", "rc", "RC", "c", "pre", "preview", "dev", "post"]


@st.composite
def written_versions(draw: st.DrawFn) -> str:
    """Version text as users write it: PEP 440, SemVer, and forms with no equivalent."""
    count = draw(st.integers(1, 4))
    text = ".".join(str(draw(st.integers(0, 5))) for _ in range(count))
    text = draw(st.sampled_from(["", "", "v", "1!"])) + text
    number = draw(st.integers(0, 12))
    tok = draw(st.sampled_from(TOKENS))
    for _ in range(draw(st.integers(0, 2))):
        text += draw(
            st.sampled_from(
                [
                    f"-{tok}.{number}",
                    f"-{tok}{number}",
                    f"{tok}{number}",
                    f".{tok}{number}",
                    f"-{tok}",
                    f"-{number}",
                    f"+build.{number}",
                    "-SNAPSHOT",
                    "-alpha.beta",
                    "-0.3.7",
                    "-test",
                ]
            )
        )
    return draw(st.sampled_from(["", " "])) + text + draw(st.sampled_from(["", " ", "\t"]))


@settings(deadline=None, max_examples=400)
@given(
    current=st.sampled_from([Version("0.0.0"), Version("1.3.0"), Version("1.4.0rc1")]),
    written=written_versions(),
)
def test_explicit_accepts_exactly_the_safe_higher_versions(current: Version, written: str) -> None:
    try:
        wanted: Version | None = Version(written)
    except InvalidVersion:
        wanted = None
    safe = (
        wanted is not None
        and wanted.local is None
        and not wanted.is_postrelease
        and not wanted.is_devrelease
        and wanted.epoch == 0
        and len(wanted.release) <= 3
        and wanted > current
    )
    if not safe:
        with pytest.raises(VersionError) as caught:
            explicit(current, written)
        assert_one_line(caught.value)
        return
    new = explicit(current, written)
    assert new == wanted
    assert canonical(new) == str(wanted)
    assert "-" not in canonical(new) and "+" not in canonical(new)
