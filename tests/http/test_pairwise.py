"""Pairwise subject identifiers (OIDC Core §8.1): one per sector, never the public one."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.support.oidc import RelyingParty


@pytest.fixture
def make_rp(client, factories, user, clock):
    def make(**spec) -> RelyingParty:
        registered, secret = factories.client(**spec)
        return RelyingParty(client, registered.client_id, secret, clock=clock)

    return make


def _sub(rp: RelyingParty) -> tuple[str, str]:
    """(sub in the ID token, sub at userinfo)."""
    body = rp.tokens()
    return rp.verify(body["id_token"])["sub"], rp.userinfo(body["access_token"]).get_json()["sub"]


def test_pairwise_sub_differs_from_the_public_one(make_rp, user):
    id_sub, info_sub = _sub(make_rp(subject_type="pairwise"))
    assert id_sub == info_sub
    assert id_sub != user.subject
    assert user.subject not in id_sub


def test_pairwise_sub_is_stable(make_rp):
    rp = make_rp(subject_type="pairwise")
    assert _sub(rp)[0] == _sub(rp)[0]


def test_same_sector_same_sub(make_rp):
    first = make_rp(subject_type="pairwise", redirect_uris=("https://rp.example/callback",))
    second = make_rp(
        subject_type="pairwise",
        redirect_uris=("https://rp.example/other",),
        name="Même secteur",
    )
    second.redirect_uri = "https://rp.example/other"
    assert _sub(first)[0] == _sub(second)[0]


def test_other_sector_other_sub(make_rp):
    first = make_rp(subject_type="pairwise")
    other = make_rp(
        subject_type="pairwise",
        redirect_uris=("https://other.example/callback",),
        name="Autre secteur",
    )
    other.redirect_uri = "https://other.example/callback"
    assert _sub(first)[0] != _sub(other)[0]


def test_explicit_sector_identifier_groups_hosts(make_rp):
    first = make_rp(subject_type="pairwise", sector_identifier="sector.example")
    other = make_rp(
        subject_type="pairwise",
        sector_identifier="sector.example",
        redirect_uris=("https://other.example/callback",),
        name="Même secteur déclaré",
    )
    other.redirect_uri = "https://other.example/callback"
    assert _sub(first)[0] == _sub(other)[0]


def test_public_client_beside_pairwise_sees_the_public_sub(make_rp, user):
    pairwise = make_rp(subject_type="pairwise")
    public = make_rp(name="Public")
    assert _sub(public)[0] == user.subject != _sub(pairwise)[0]


def test_pairwise_users_get_distinct_subs(make_rp, factories, app):
    rp = make_rp(subject_type="pairwise")
    marie = _sub(rp)[0]
    factories.user("paul", email="paul@example.org")
    paul_rp = RelyingParty(app.test_client(), rp.client_id, rp.secret, clock=rp.clock)
    body = paul_rp.tokens(identifier="paul")
    assert paul_rp.verify(body["id_token"])["sub"] != marie


def test_pairwise_id_token_hint_works_for_logout(make_rp):
    rp = make_rp(subject_type="pairwise")
    body = rp.tokens()

    response = rp.http.get(
        "/logout?"
        + urlencode(
            {
                "id_token_hint": body["id_token"],
                "post_logout_redirect_uri": "https://rp.example/bye",
            }
        )
    )
    assert response.status_code == 302
    assert rp.authorize(prompt="none").location.split("error=")[1].startswith("login_required")


def test_pairwise_id_token_hint_for_the_same_user_keeps_the_session(make_rp):
    rp = make_rp(subject_type="pairwise")
    hint = rp.tokens()["id_token"]
    assert rp.leaves(rp.authorize(id_token_hint=hint))
