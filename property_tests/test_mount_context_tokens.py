"""Any request context survives its join token exactly, and no edit of it passes.

For any context a page could be rendered with (paths, params, repeated query names, any
text in cookies, headers and claims), the token's claim gives the same ``MountContext``
back, the same one a rejoin's token carries; changing any byte of the token's payload is
refused as forged.
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from actorview import Identity, MountContext
from actorview.endpoint import JoinRefused, TokenSigner
from actorview.endpoint._context import claimed_context

SIGNER = TokenSigner(b"property-context-secret-" * 2, clock=lambda: 1_000_000.0)
text = st.text(max_size=20)
names = st.text(alphabet="abcdefghij-", min_size=1, max_size=8)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**31), 2**31) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=6,
)
identities = st.builds(
    Identity,
    id=st.text(min_size=1, max_size=40),
    name=st.none() | text,
    claims=st.dictionaries(names, json_values, max_size=3),
    anonymous=st.booleans(),
)
contexts = st.builds(
    MountContext,
    path=st.text(max_size=30).map(lambda rest: "/" + rest),
    path_params=st.dictionaries(names, text, max_size=3),
    query=st.lists(st.tuples(names, text), max_size=5),
    cookies=st.dictionaries(names, text, max_size=3),
    headers=st.dictionaries(names, text, max_size=3),
    client=st.sampled_from(["", "127.0.0.1", "::1", "10.1.2.3"]),
    identity=identities,
    root_path=st.sampled_from(["", "/chat", "/a/b"]),
)


@given(contexts)
def test_a_context_comes_back_from_its_token_exactly(context: MountContext) -> None:
    token = SIGNER.sign("View", dict(context.path_params), "session", context=context.to_json())
    claims = SIGNER.verify(token, view="View")
    back = claimed_context(claims.context, "/ignored", {})
    assert back == context
    again = SIGNER.sign("View", dict(back.path_params), "session", context=back.to_json())
    assert claimed_context(SIGNER.verify(again, view="View").context, "/", {}) == context


@given(contexts, st.data())
def test_no_edit_of_a_tokens_payload_passes(context: MountContext, data: st.DataObject) -> None:
    token = SIGNER.sign("View", {}, "session", context=context.to_json())
    body, mac = token.split(".")
    payload = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    index = data.draw(st.integers(0, len(payload) - 1))
    payload[index] ^= data.draw(st.integers(1, 255))
    edited = base64.urlsafe_b64encode(bytes(payload)).rstrip(b"=").decode()
    with pytest.raises(JoinRefused):
        SIGNER.verify(f"{edited}.{mac}", view="View")
