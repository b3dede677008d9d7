"""The authorization endpoint: what goes back to the client, what never does, and when to ask."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest

from idp.extensions import db
from idp.models import User
from tests.support.factories import ISSUER, REDIRECT_URI
from tests.support.oidc import RelyingParty, query, sign_in_browser


def _error_to_client(rp: RelyingParty, response, error: str) -> dict[str, str]:
    """The response redirects to the client with `error`, the request's state and our iss."""
    assert response.status_code == 302, response.status_code
    assert response.location.startswith(REDIRECT_URI + "?"), response.location
    params = query(response.location)
    assert params["error"] == error, params
    assert params["state"] == rp.state
    assert params["iss"] == ISSUER
    assert "code" not in params
    return params


def _error_page(response) -> None:
    """A 400 HTML page for the user, and no redirect anywhere."""
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Location" not in response.headers


# -- requests that cannot go back to the client ----------------------------------------------


def test_unknown_client_gets_an_error_page(rp):
    _error_page(rp.authorize(client_id="no-such-client"))


def test_missing_client_id_gets_an_error_page(rp):
    _error_page(rp.authorize(client_id=None))


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/callback",
        REDIRECT_URI + "/extra",
        REDIRECT_URI + "?next=https://evil.example",
        REDIRECT_URI + "#fragment",
        REDIRECT_URI.upper(),
        REDIRECT_URI + "/",
        "https://rp.example.evil.example/callback",
        "http://rp.example/callback",
        "",
    ],
)
def test_unregistered_or_tampered_redirect_uri_gets_an_error_page(rp, redirect_uri):
    _error_page(rp.authorize(redirect_uri=redirect_uri))


def test_missing_redirect_uri_gets_an_error_page(rp):
    _error_page(rp.authorize(redirect_uri=None))


def test_unsupported_response_type_with_bad_redirect_uri_gets_an_error_page(rp):
    _error_page(rp.authorize(response_type="token", redirect_uri="https://evil.example/cb"))


def test_repeated_parameter_gets_an_error_page(rp):
    params = rp.authorize_params()
    url = "/authorize?" + urlencode(params) + "&" + urlencode({"client_id": "other"})
    _error_page(rp.http.get(url))


# -- errors returned to the client -----------------------------------------------------------


@pytest.mark.parametrize("response_type", ["token", "id_token", "code id_token", "code token"])
def test_response_type_other_than_code_is_refused(rp, response_type):
    _error_to_client(rp, rp.authorize(response_type=response_type), "unsupported_response_type")


def test_missing_response_type_is_refused(rp):
    _error_to_client(rp, rp.authorize(response_type=None), "unsupported_response_type")


def test_unknown_scope_is_refused(rp):
    _error_to_client(rp, rp.authorize(scope="openid admin"), "invalid_scope")


def test_scope_not_registered_for_the_client_is_not_granted(client, factories, user, clock):
    registered, secret = factories.client(scope="openid profile")
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    body = rp.tokens(scope="openid profile email")
    assert body["scope"].split() == ["openid", "profile"]
    assert "email" not in rp.userinfo(body["access_token"]).get_json()


@pytest.mark.parametrize(
    ("param", "error"),
    [
        ("request", "request_not_supported"),
        ("request_uri", "request_uri_not_supported"),
        ("registration", "registration_not_supported"),
    ],
)
def test_unsupported_request_parameters_are_refused(rp, param, error):
    value = "https://rp.example/request.jwt" if param == "request_uri" else "e30"
    _error_to_client(rp, rp.authorize(**{param: value}), error)


def test_invalid_max_age_is_refused(rp):
    sign_in_browser(rp.http)
    _error_to_client(rp, rp.authorize(max_age="soon"), "invalid_request")


def test_prompt_none_with_another_prompt_is_refused(rp):
    _error_to_client(rp, rp.authorize(prompt="none login"), "invalid_request")


def test_prompt_none_without_session_is_login_required(rp):
    _error_to_client(rp, rp.authorize(prompt="none"), "login_required")


def test_prompt_none_needing_consent_is_consent_required(rp):
    sign_in_browser(rp.http)
    _error_to_client(rp, rp.authorize(prompt="none"), "consent_required")


def test_prompt_none_with_session_and_consent_returns_a_code(rp):
    rp.tokens()
    response = rp.authorize(prompt="none")
    assert rp.leaves(response)
    params = query(response.location)
    assert params["code"] and params["state"] == rp.state and params["iss"] == ISSUER


def test_error_without_state_carries_no_state(rp):
    response = rp.authorize(prompt="none", state=None)
    params = query(response.location)
    assert params["error"] == "login_required"
    assert "state" not in params
    assert params["iss"] == ISSUER


def test_invalid_id_token_hint_is_refused(rp):
    sign_in_browser(rp.http)
    _error_to_client(rp, rp.authorize(id_token_hint="not-a-jwt"), "invalid_request")


# -- successful responses ----------------------------------------------------------------------


def test_success_redirect_carries_code_state_and_iss(rp):
    response = rp.walk(rp.authorize())
    assert rp.leaves(response)
    parts = urlsplit(response.location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == REDIRECT_URI
    params = query(response.location)
    assert set(params) == {"code", "state", "iss"}
    assert params["state"] == rp.state
    assert params["iss"] == ISSUER


def test_state_is_echoed_exactly(rp):
    state = "a b&c=d/é?%+"
    response = rp.walk(rp.authorize(state=state))
    assert query(response.location)["state"] == state


def test_without_state_no_state_comes_back(rp):
    response = rp.walk(rp.authorize(state=None))
    params = query(response.location)
    assert "state" not in params and params["code"]


def test_redirect_uri_query_is_kept(client, factories, user, clock):
    uri = "https://rp.example/callback?tenant=42"
    registered, secret = factories.client(redirect_uris=(uri,))
    rp = RelyingParty(client, registered.client_id, secret, redirect_uri=uri, clock=clock)
    response = rp.walk(rp.authorize())
    params = query(response.location)
    assert params["tenant"] == "42" and params["code"] and params["iss"] == ISSUER
    assert rp.exchange(params["code"]).status_code == 200


@pytest.mark.parametrize(
    ("registered", "requested"),
    [
        ("http://127.0.0.1/callback", "http://127.0.0.1:53127/callback"),
        ("http://127.0.0.1:8080/callback", "http://127.0.0.1:61000/callback"),
        ("http://[::1]/callback", "http://[::1]:40000/callback"),
    ],
)
def test_native_app_loopback_redirect_may_use_any_port(
    client, factories, user, clock, registered, requested
):
    """RFC 8252 §7.3: the port of a loopback IP redirect is chosen by the app at run time."""
    native, _ = factories.client(public=True, redirect_uris=(registered,))
    rp = RelyingParty(client, native.client_id, None, redirect_uri=requested, clock=clock)
    response = rp.walk(rp.authorize())
    assert response.location.startswith(requested + "?")
    code = query(response.location)["code"]
    assert rp.exchange(code, redirect_uri=registered).get_json()["error"] == "invalid_grant"
    assert rp.exchange(code).status_code == 200


@pytest.mark.parametrize(
    "requested",
    [
        "http://127.0.0.1:53127/other",
        "http://localhost:53127/callback",
        "https://127.0.0.1:53127/callback",
        "http://user@127.0.0.1:53127/callback",
        "http://127.0.0.1:99999/callback",
    ],
)
def test_loopback_port_freedom_goes_no_further(client, factories, user, clock, requested):
    native, _ = factories.client(public=True, redirect_uris=("http://127.0.0.1/callback",))
    rp = RelyingParty(client, native.client_id, None, redirect_uri=requested, clock=clock)
    _error_page(rp.authorize())


def test_confidential_clients_keep_exact_loopback_ports(client, factories, user, clock):
    web, secret = factories.client(redirect_uris=("http://127.0.0.1:8080/callback",))
    rp = RelyingParty(
        client, web.client_id, secret, redirect_uri="http://127.0.0.1:9090/callback", clock=clock
    )
    _error_page(rp.authorize())


def test_signed_in_user_with_consent_is_not_asked_again(rp):
    rp.tokens()
    response = rp.authorize()
    assert rp.leaves(response)
    assert query(response.location)["iss"] == ISSUER


def test_authorize_by_post_works(rp):
    rp.tokens()
    response = rp.http.post("/authorize", data=rp.authorize_params())
    assert rp.leaves(response)
    assert query(response.location)["code"]


# -- sign-in required: prompt=login, max_age, id_token_hint ------------------------------------


def _goes_to_sign_in(response) -> str:
    assert response.status_code == 303, response.status_code
    assert response.location.startswith("/login?ref="), response.location
    return response.location


def test_no_session_goes_to_sign_in(rp):
    _goes_to_sign_in(rp.authorize())


def test_prompt_login_forces_a_new_sign_in(rp, clock):
    first = rp.verify(rp.tokens()["id_token"])
    clock.advance(10)
    _goes_to_sign_in(rp.authorize(prompt="login"))
    second = rp.verify(rp.tokens(prompt="login")["id_token"])
    assert second["auth_time"] == first["auth_time"] + 10


def test_prompt_login_is_satisfied_once_signed_in(rp):
    """After signing in for this very request, prompt=login does not loop back to sign-in."""
    response = rp.walk(rp.authorize(prompt="login"))
    assert rp.leaves(response)


def test_max_age_exceeded_forces_sign_in_and_updates_auth_time(rp, clock):
    first = rp.verify(rp.tokens()["id_token"])
    clock.advance(120)
    _goes_to_sign_in(rp.authorize(max_age="60"))
    second = rp.verify(rp.tokens(max_age="60")["id_token"])
    assert second["auth_time"] == first["auth_time"] + 120


def test_max_age_not_exceeded_keeps_the_session(rp, clock):
    first = rp.verify(rp.tokens()["id_token"])
    clock.advance(30)
    response = rp.authorize(max_age="60")
    assert rp.leaves(response)
    code = query(response.location)["code"]
    claims = rp.verify(rp.exchange(code).get_json()["id_token"])
    assert claims["auth_time"] == first["auth_time"]


def test_max_age_zero_asks_for_a_fresh_sign_in(rp, clock):
    rp.tokens()
    clock.advance(1)
    _goes_to_sign_in(rp.authorize(max_age="0"))
    assert rp.leaves(rp.walk(rp.authorize(max_age="0")))


def test_max_age_exceeded_with_prompt_none_is_login_required(rp, clock):
    rp.tokens()
    clock.advance(120)
    _error_to_client(rp, rp.authorize(max_age="60", prompt="none"), "login_required")


def test_id_token_hint_for_another_user_forces_sign_in(rp, factories):
    factories.user("paul", email="paul@example.org")
    hint = rp.tokens(identifier="paul")["id_token"]
    rp.http.delete_cookie("idp_session")
    rp.tokens()  # marie signs in
    _goes_to_sign_in(rp.authorize(id_token_hint=hint))


def test_id_token_hint_for_another_user_with_prompt_none_is_login_required(rp, factories):
    factories.user("paul", email="paul@example.org")
    hint = rp.tokens(identifier="paul")["id_token"]
    rp.http.delete_cookie("idp_session")
    rp.tokens()
    _error_to_client(rp, rp.authorize(id_token_hint=hint, prompt="none"), "login_required")


def test_id_token_hint_for_the_signed_in_user_keeps_the_session(rp):
    hint = rp.tokens()["id_token"]
    assert rp.leaves(rp.authorize(id_token_hint=hint))


# -- the hosted pages follow the request ---------------------------------------------------


def test_login_hint_prefills_the_identifier(rp):
    page = rp.http.get(_goes_to_sign_in(rp.authorize(login_hint="marie.d")))
    html = page.get_data(as_text=True)
    assert 'name="identifier"' in html
    assert 'value="marie.d"' in html


def test_login_hint_is_escaped(rp):
    page = rp.http.get(_goes_to_sign_in(rp.authorize(login_hint='"><script>x</script>')))
    assert "<script>x</script>" not in page.get_data(as_text=True)


def test_ui_locales_en_gives_english_pages(rp):
    page = rp.http.get(_goes_to_sign_in(rp.authorize(ui_locales="en-GB fr")))
    html = page.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Sign in" in html and "Se connecter" not in html


def test_default_language_is_french(rp):
    page = rp.http.get(_goes_to_sign_in(rp.authorize()))
    html = page.get_data(as_text=True)
    assert '<html lang="fr">' in html and "Se connecter" in html


def test_pending_request_belongs_to_the_browser_that_started_it(rp, app):
    location = _goes_to_sign_in(rp.authorize())
    ref = location.split("ref=")[1]
    other = app.test_client()
    assert other.get(f"/authorize/resume/{ref}").status_code == 404
    assert other.get(location).status_code == 400  # "request expired" page


def test_pending_request_expires(rp, app, clock):
    location = _goes_to_sign_in(rp.authorize())
    clock.advance(app.extensions["idp"].settings.tokens.pending_request_ttl_seconds)
    assert rp.http.get(location).status_code == 400


def test_resume_without_sign_in_goes_back_to_sign_in(rp):
    ref = _goes_to_sign_in(rp.authorize()).split("ref=")[1]
    _goes_to_sign_in(rp.http.get(f"/authorize/resume/{ref}"))


def test_disabled_account_session_is_not_used(rp, app, user):
    rp.tokens()
    with app.app_context():
        db.session.get(User, user.id).status = "disabled"
        db.session.commit()
    _error_to_client(rp, rp.authorize(prompt="none"), "login_required")


def test_client_removed_during_sign_in_gets_an_error_page(rp, app):
    location = _goes_to_sign_in(rp.authorize())
    with app.app_context():
        app.extensions["idp"].clients.remove(rp.client_id, now=0, by="test")
        db.session.commit()
    _error_page(rp.sign_in(location))
