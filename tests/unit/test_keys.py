"""Signing keys: one active key per algorithm, rotation with a grace period, then retirement."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError

from idp.oidc.keys import RECHECK_SECONDS, KeyStore

GRACE = 600
T0 = 1_800_000_000


@pytest.fixture
def store(tmp_path: Path) -> KeyStore:
    keys = KeyStore(tmp_path / "keys", grace_seconds=GRACE)
    keys.ensure(T0)
    return keys


def _kids(keys: list) -> set[str]:
    return {k.kid for k in keys}


def _jwks_kids(store: KeyStore, now: int) -> set[str]:
    return {k["kid"] for k in store.jwks(now)["keys"]}


def test_ensure_creates_one_key_per_algorithm_once(store):
    assert sorted(k.alg for k in store.all()) == ["ES256", "RS256"]
    assert store.ensure(T0 + 1) == []
    assert len(store.all()) == 2


def test_key_files_are_private(store):
    files = list(store.directory.glob("*.json"))
    assert len(files) == 2
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert "d" in json.loads(path.read_text())["jwk"]


def test_jwks_is_public_only(store):
    for key in store.jwks(T0)["keys"]:
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
        assert key["use"] == "sig" and key["kid"] and key["alg"] in {"RS256", "ES256"}


def test_rotate_publishes_old_and_new(store):
    old = _kids(store.all())
    created, retired = store.rotate(T0 + 10)
    assert retired == []
    assert sorted(k.alg for k in created) == ["ES256", "RS256"]
    assert _jwks_kids(store, T0 + 10) == old | _kids(created)


def test_rotate_signs_with_the_new_keys(store):
    old = {alg: store.signing_key(alg).kid for alg in ("RS256", "ES256")}
    created, _ = store.rotate(T0 + 10)
    for alg in ("RS256", "ES256"):
        signing = store.signing_key(alg)
        assert signing.kid != old[alg]
        assert signing.kid in _kids(created)


def test_tokens_signed_before_rotation_verify_during_the_grace(store):
    signing = store.signing_key("RS256")
    token = jwt.encode({"alg": "RS256", "kid": signing.kid}, {"sub": "x"}, signing.key)
    store.rotate(T0 + 10)
    assert jwt.decode(token, store.verification_keyset(T0 + 10 + GRACE - 1)).claims["sub"] == "x"
    with pytest.raises(InvalidKeyIdError):  # no key left for that kid after retirement
        jwt.decode(token, store.verification_keyset(T0 + 10 + GRACE))


def test_superseded_keys_leave_the_jwks_after_the_grace(store):
    old = _kids(store.all())
    created, _ = store.rotate(T0 + 10)
    assert _jwks_kids(store, T0 + 10 + GRACE - 1) == old | _kids(created)
    assert _jwks_kids(store, T0 + 10 + GRACE) == _kids(created)
    assert store.next_change(T0 + 10) == T0 + 10 + GRACE
    assert store.next_change(T0 + 10 + GRACE) is None


def test_retire_deletes_keys_past_their_grace(store):
    old = _kids(store.all())
    created, _ = store.rotate(T0 + 10)
    assert store.retire(T0 + 10 + GRACE - 1) == []
    assert set(store.retire(T0 + 10 + GRACE)) == old
    assert _kids(store.all()) == _kids(created)
    assert len(list(store.directory.glob("*.json"))) == 2


def test_a_second_rotation_retires_the_first_generation(store):
    first = _kids(store.all())
    second, _ = store.rotate(T0 + 10)
    third, retired = store.rotate(T0 + 10 + GRACE)
    assert set(retired) == first
    assert _kids(store.all()) == _kids(second) | _kids(third)


def test_another_process_sees_the_rotation_within_a_second(store):
    """The folder is looked at again only once `RECHECK_SECONDS` have passed (a stat on every
    request cost a served JWKS answer a third of its time); then the rotation is seen."""
    clock = [100.0]
    other = KeyStore(store.directory, grace_seconds=GRACE, monotonic=lambda: clock[0])
    before = other.signing_key("ES256").kid
    assert before == store.signing_key("ES256").kid
    created, _ = store.rotate(T0 + 10)
    clock[0] += RECHECK_SECONDS - 0.01
    assert other.signing_key("ES256").kid == before
    clock[0] += 0.02
    assert other.signing_key("ES256").kid in _kids(created)
    assert _jwks_kids(other, T0 + 10) == _jwks_kids(store, T0 + 10)


def test_no_key_is_an_explicit_error(tmp_path):
    with pytest.raises(LookupError, match="idp init"):
        KeyStore(tmp_path / "none", grace_seconds=GRACE).signing_key("RS256")
