"""Join tokens: only a genuine, unexpired token for the right view opens a session."""

from __future__ import annotations

from pathlib import Path

import pytest

from actorview.endpoint._errors import JoinRefused
from actorview.endpoint._tokens import TokenSigner, kept_secret, random_secret

SECRET = b"s" * 32


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_a_signed_token_verifies_with_its_claims() -> None:
    signer = TokenSigner(SECRET)
    token = signer.sign("ChatView", {"room": "lobby"}, "session-1")
    claims = signer.verify(token, view="ChatView")
    assert claims.view == "ChatView"
    assert claims.params == {"room": "lobby"}
    assert claims.session == "session-1"


def test_a_forged_token_is_refused() -> None:
    token = TokenSigner(b"x" * 32).sign("ChatView", {}, "s")
    with pytest.raises(JoinRefused, match="forged join token"):
        TokenSigner(SECRET).verify(token, view="ChatView")


def test_a_tampered_payload_is_refused() -> None:
    signer = TokenSigner(SECRET)
    body, mac = signer.sign("ChatView", {}, "s").split(".")
    other_body = signer.sign("AdminView", {}, "s").split(".")[0]
    with pytest.raises(JoinRefused, match="forged"):
        signer.verify(f"{other_body}.{mac}", view="AdminView")
    assert body != other_body


def test_an_expired_token_is_refused() -> None:
    clock = Clock()
    signer = TokenSigner(SECRET, ttl=60, clock=clock)
    token = signer.sign("ChatView", {}, "s")
    clock.now += 61
    with pytest.raises(JoinRefused, match="expired join token"):
        signer.verify(token, view="ChatView")


def test_a_token_for_another_view_is_refused() -> None:
    signer = TokenSigner(SECRET)
    token = signer.sign("ChatView", {}, "s")
    with pytest.raises(JoinRefused, match=r"is for view 'ChatView', not 'AdminView'"):
        signer.verify(token, view="AdminView")


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "!!!.???", 42, None])
def test_garbage_is_refused_as_malformed(garbage: object) -> None:
    with pytest.raises(JoinRefused, match=r"malformed|forged"):
        TokenSigner(SECRET).verify(garbage, view="ChatView")


def test_short_secrets_are_rejected_and_the_secret_never_shows() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        TokenSigner(b"short")
    secret = random_secret()
    assert len(secret) == 32
    assert secret.hex() not in repr(TokenSigner(secret))


def test_a_kept_secret_is_made_once_owner_only_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "data" / "secret"
    first = kept_secret(path)
    assert len(first) >= 32
    assert path.stat().st_mode & 0o777 == 0o600
    assert kept_secret(path) == first, "a restarted server signs with the same secret"
    signed = TokenSigner(first).sign("Chat", {}, "s1")
    assert TokenSigner(kept_secret(path)).verify(signed, view="Chat").session == "s1"


def test_a_kept_secret_others_can_read_or_too_short_is_refused_naming_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "secret"
    kept_secret(path)
    path.chmod(0o644)
    with pytest.raises(ValueError, match=f"{path} can be read by others; run `chmod 600"):
        kept_secret(path)
    path.write_text("short")
    path.chmod(0o600)
    with pytest.raises(ValueError, match="fewer than 32 characters"):
        kept_secret(path)
