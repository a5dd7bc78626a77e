"""Secrets known from the environment are masked whole, even when one contains another, and
short values that are ordinary words are left alone."""

from __future__ import annotations

import pytest

from releasekit.system.redact import MASK, redact


def test_a_secret_inside_a_longer_one_never_leaves_a_piece_of_the_longer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Masking the shorter first would print "a********h": two characters of the password.
    monkeypatch.setenv("PYPI_TOKEN", "bcdefg")
    monkeypatch.setenv("TWINE_PASSWORD", "abcdefgh")
    assert redact("password abcdefgh, token bcdefg") == f"password {MASK}, token {MASK}"


def test_extra_secrets_are_masked_longest_first_too(monkeypatch: pytest.MonkeyPatch) -> None:
    assert redact("say s3cr3t-s3cr3t", extra=["t-s3cr", "s3cr3t-s3cr3t"]) == f"say {MASK}"


@pytest.mark.parametrize(("value", "masked"), [("hunter", True), ("abcde", False)])
def test_six_characters_are_a_secret_five_are_a_word(
    monkeypatch: pytest.MonkeyPatch, value: str, masked: bool
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", value)
    assert redact(f"it is {value}") == (f"it is {MASK}" if masked else f"it is {value}")
