from tests.support.oidc import RelyingParty


def test_code_flow_end_to_end(client, factories):
    factories.user()
    rp_client, secret = factories.client()
    rp = RelyingParty(client, rp_client.client_id, secret)
    body = rp.tokens()
    assert "id_token" in body
    info = rp.userinfo(body["access_token"])
    assert info.status_code == 200, info.get_data(as_text=True)
    assert info.get_json()["email"] == "marie@example.org"
