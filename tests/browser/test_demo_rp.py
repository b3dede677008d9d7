"""The demo application's own checks, without a browser: its Flask test client in front, the
live IdP behind (its back channel calls the IdP's token and UserInfo endpoints for real)."""

from __future__ import annotations

import html
import json
from urllib.parse import urljoin, urlsplit

import pytest
from flask.testing import FlaskClient

from clients.demo_rp import create_app
from clients.demo_rp.__main__ import main
from clients.demo_rp.views import ERRORS
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.oidc import csrf_token, query


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _start(demo: FlaskClient) -> str:
    """Press "Se connecter": the authorization URL the application sends the browser to."""
    response = demo.get("/login")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location


def _front_channel(live_idp, authorize_url: str, *, approve: bool = True) -> dict[str, str]:
    """Sign in and answer the consent page on the IdP; the parameters sent to the callback."""
    idp = live_idp.app.test_client()
    idp_netloc = urlsplit(live_idp.url).netloc
    url = authorize_url
    response = idp.get(url)
    for _ in range(8):
        if response.status_code in (302, 303):
            url = urljoin(url, response.location)  # the cookie belongs to the IdP's host
            if urlsplit(url).netloc != idp_netloc:
                return query(url)
            response = idp.get(url)
        elif "/login/habilitation/" in url:
            ref = urlsplit(url).path.rsplit("/", 1)[1]
            form = {"csrf_token": csrf_token(_text(response))}
            response = idp.post(urljoin(url, f"/authorize/deny/{ref}"), data=form)
        elif "/login" in url:
            response = idp.post(
                url,
                data={
                    "csrf_token": csrf_token(_text(response)),
                    "identifier": "marie",
                    "password": DEFAULT_PASSWORD,
                },
            )
        elif "/consent/" in url:
            choice = {"approve": "1"} if approve else {"deny": "1"}
            response = idp.post(url, data={"csrf_token": csrf_token(_text(response)), **choice})
        else:
            raise AssertionError(f"unexpected page {url}: {response.status_code}")
    raise AssertionError("too many steps")


@pytest.fixture
def demo(live_idp, live_demo_rp) -> FlaskClient:
    """The demo application's test client, with Marie's account ready on the IdP."""
    live_idp.factories.user("marie", email="marie@example.org")
    return live_demo_rp.app.test_client()


def test_authorization_request_uses_pkce_s256_nonce_and_the_registered_callback(
    demo, live_idp, live_demo_rp
) -> None:
    authorize_url = _start(demo)
    assert authorize_url.startswith(live_idp.url + "/authorize?")
    params = query(authorize_url)
    assert params["client_id"] == live_demo_rp.client.client_id
    assert params["redirect_uri"] == live_demo_rp.url + "/callback"
    assert params["scope"] == "openid profile email phone address"
    assert params["code_challenge_method"] == "S256"
    assert params["code_challenge"] and params["nonce"] and params["state"]


def test_code_flow_signs_in_and_shows_claims_and_userinfo(demo, live_idp, live_demo_rp) -> None:
    callback = _front_channel(live_idp, _start(demo))
    assert callback["iss"] == live_idp.url
    response = demo.get("/callback", query_string=callback)
    assert response.status_code == 303
    assert response.location == "/claims"
    page = _text(demo.get("/claims"))
    assert "marie@example.org" in page
    assert live_demo_rp.client.client_id in page
    with demo.session_transaction() as session:
        assert session["signed_in"]["claims"]["iss"] == live_idp.url


def test_callback_refuses_another_issuer_and_forgets_the_request(demo, live_idp) -> None:
    callback = _front_channel(live_idp, _start(demo))
    forged = {**callback, "iss": "http://127.0.0.1:1"}
    response = demo.get("/callback", query_string=forged)
    assert response.status_code == 400
    assert "ne vient pas du fournisseur d'identité attendu" in _text(response)
    # The request is spent: the same state with the right issuer is no longer accepted.
    response = demo.get("/callback", query_string=callback)
    assert response.status_code == 400
    assert "inconnue ou a expiré" in _text(response)


def test_callback_refuses_a_response_without_iss(demo, live_idp) -> None:
    callback = _front_channel(live_idp, _start(demo))
    del callback["iss"]
    assert demo.get("/callback", query_string=callback).status_code == 400


def test_callback_refuses_an_unknown_state(demo, live_idp) -> None:
    callback = _front_channel(live_idp, _start(demo))
    response = demo.get("/callback", query_string={**callback, "state": "forged"})
    assert response.status_code == 400
    assert "inconnue ou a expiré" in _text(response)


def test_callback_refuses_an_id_token_with_another_nonce(demo, live_idp) -> None:
    authorize_url = _start(demo)
    state = query(authorize_url)["state"]
    with demo.session_transaction() as session:
        session[f"_state_idp_{state}"]["data"]["nonce"] = "another-nonce"
        session.modified = True
    callback = _front_channel(live_idp, authorize_url)
    response = demo.get("/callback", query_string=callback)
    assert response.status_code == 400
    assert "jeton d'identité reçu n'est pas valide" in _text(response)
    with demo.session_transaction() as session:
        assert "signed_in" not in session


def test_refused_consent_is_explained(demo, live_idp) -> None:
    callback = _front_channel(live_idp, _start(demo), approve=False)
    assert callback["error"] == "access_denied"
    response = demo.get("/callback", query_string=callback)
    assert response.status_code == 400
    page = _text(response)
    assert ERRORS["declined"] in page
    assert ERRORS["not_habilitated"] not in page
    assert "denied" not in page  # Authlib's English description stays out of the French page


@pytest.mark.parametrize("demo_rp_client_options", [{"requires_habilitation": True}])
def test_missing_habilitation_is_told_apart_from_a_refusal(demo, live_idp) -> None:
    callback = _front_channel(live_idp, _start(demo))
    assert callback["error"] == "access_denied"
    response = demo.get("/callback", query_string=callback)
    assert response.status_code == 400
    page = _text(response)
    assert ERRORS["not_habilitated"] in page
    assert ERRORS["declined"] not in page
    assert callback["error_description"] not in page


def test_other_errors_keep_their_technical_detail(demo, live_idp) -> None:
    authorize_url = _start(demo)
    state = query(authorize_url)["state"]
    answer = {"error": "server_error", "error_description": "boom", "state": state}
    response = demo.get("/callback", query_string={**answer, "iss": live_idp.url})
    assert response.status_code == 400
    page = _text(response)
    assert ERRORS["refused"] in page and "server_error: boom" in page
    assert ERRORS["declined"] not in page and ERRORS["not_habilitated"] not in page


def test_logout_goes_to_the_end_session_endpoint_and_checks_the_state_on_return(
    demo, live_idp, live_demo_rp
) -> None:
    demo.get("/callback", query_string=_front_channel(live_idp, _start(demo)))
    page = _text(demo.get("/claims"))
    response = demo.post("/logout", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert response.location.startswith(live_idp.url + "/logout?")
    params = query(response.location)
    assert params["post_logout_redirect_uri"] == live_demo_rp.url + "/"
    assert params["client_id"] == live_demo_rp.client.client_id
    assert params["id_token_hint"].count(".") == 2
    # A forged return is refused; the genuine one signs out and drops the state.
    assert demo.get("/", query_string={"state": "forged"}).status_code == 400
    assert demo.get("/", query_string={"state": params["state"]}).status_code == 303
    assert demo.get("/", query_string={"state": params["state"]}).status_code == 400
    with demo.session_transaction() as session:
        assert "signed_in" not in session


def test_logout_without_csrf_token_is_refused(demo, live_idp) -> None:
    demo.get("/callback", query_string=_front_channel(live_idp, _start(demo)))
    response = demo.post("/logout")
    assert response.status_code == 303
    with demo.session_transaction() as session:
        assert "signed_in" in session


def test_claims_page_needs_a_signed_in_user(demo) -> None:
    response = demo.get("/claims")
    assert response.status_code == 303
    assert response.location == "/"


def test_pages_have_no_script_and_a_strict_policy(demo, live_idp) -> None:
    response = demo.get("/")
    assert "<script" not in _text(response)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert f"form-action 'self' {live_idp.url}" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_its_own(demo) -> None:
    _start(demo)
    assert demo.get_cookie("demo_rp_session") is not None
    assert demo.get_cookie("session") is None


def test_login_reports_an_unreachable_provider() -> None:
    app = create_app(
        {
            "issuer": "http://127.0.0.1:9",  # discard port: nothing listens
            "client_id": "demo",
            "client_secret": "secret",
            "redirect_uri": "http://127.0.0.1:5001/callback",
            "post_logout_redirect_uri": "http://127.0.0.1:5001/",
        }
    )
    response = app.test_client().get("/login")
    assert response.status_code == 502
    assert "ne répond pas" in _text(response)


def test_create_app_needs_every_credential() -> None:
    with pytest.raises(ValueError, match="client_secret"):
        create_app({"issuer": "http://127.0.0.1:5000", "client_id": "demo"})


def test_command_line_refuses_a_public_host_and_a_missing_file(tmp_path, capsys) -> None:
    credentials = tmp_path / "demo-client.json"
    with pytest.raises(SystemExit):
        main(["--host", "192.0.2.10", "--credentials", str(credentials)])
    assert "loopback" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--credentials", str(credentials)])
    assert "idp demo seed" in capsys.readouterr().err
    credentials.write_text(json.dumps({"issuer": "http://127.0.0.1:5000"}))
    with pytest.raises(SystemExit):
        main(["--credentials", str(credentials)])
    assert "client_id" in capsys.readouterr().err
