"""The console's "Applications" (idp/web/admin/applications.py): registering through the form,
the secret shown once, rotation, disabling (refused everywhere) and removal; each audited
with the staff member; the registry's refusals in French beside their field."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from idp.i18n import text
from idp.services.clients import ClientError
from tests.support.console import console_sign_in, form_token
from tests.support.oidc import RelyingParty, basic

APPS = "/admin/applications"
NEW = APPS + "/new"
CALLBACK = "https://rp.example/callback"


def fr(key: str, **params: object) -> str:
    """The French text as the page escapes it."""
    return str(escape(text(key, "fr", **params)))


def body(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def console(app, factories, clock):
    """A browser signed in to the console as an admin (apart from the relying party's)."""
    http = app.test_client()
    secret = factories.staff("agent", "admin")
    console_sign_in(http, "agent", secret, at=clock.now())
    return http


def _form(console, **fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Portail des aides",
        "client_type": "confidential",
        "auth_method": "client_secret_basic",
        "redirect_uris": f"{CALLBACK}\r\nhttps://rp.example/other",
        "post_logout_redirect_uris": "https://rp.example/",
        "scopes": ["openid", "profile", "email"],
        "grant_types": ["authorization_code", "refresh_token"],
        "subject_type": "public",
        "id_token_alg": "RS256",
        "backchannel_logout_session_required": "y",
        "csrf_token": form_token(console, NEW),
    }
    data.update(fields)
    return data


def _registered(page: str) -> tuple[str, str | None]:
    client_id = re.search(r'<code id="client-id">([^<]+)</code>', page)
    secret = re.search(r'<code id="client-secret">([^<]+)</code>', page)
    assert client_id, page[:2000]
    return client_id.group(1), secret.group(1) if secret else None


def _register(console, **fields: object) -> tuple[str, str | None]:
    answer = console.post(NEW, data=_form(console, **fields))
    assert answer.status_code == 200, body(answer)[:2000]
    return _registered(body(answer))


def test_the_form_registers_an_application_and_shows_its_secret_once(
    console, app, factories, clock
):
    answer = console.post(NEW, data=_form(console))
    page = body(answer)
    assert fr("admin_apps.registered", name="Portail des aides") in page
    assert fr("admin_apps.secret_once") in page
    client_id, secret = _registered(page)
    registered = app.extensions["idp"].clients
    with app.app_context():
        client = registered.find(client_id)
        assert client is not None and client.check_client_secret(secret)
        assert client.redirect_uris == (CALLBACK, "https://rp.example/other")
        assert client.scopes == {"openid", "profile", "email"}
        assert client.token_endpoint_auth_method == "client_secret_basic"
    # The snippets carry it too, on this answer only.
    assert f'client_secret="{secret}"' in page and f"OIDCClientSecret {secret}" in page
    [event] = factories.audit("client_registered")
    assert event.client_id == client_id and event.detail["by"] == "staff:agent"
    # Never again: the application's page has the placeholder instead.
    later = body(console.get(f"{APPS}/{client_id}"))
    assert secret not in later
    assert 'client_secret="&lt;client_secret&gt;"' in later
    assert "http://localhost/.well-known/openid-configuration" in later or (
        "/.well-known/openid-configuration" in later
    )
    assert client_id in body(console.get(APPS))


def test_a_public_application_has_no_secret_and_snippets_say_so(console, app):
    client_id, secret = _register(console, client_type="public", auth_method="client_secret_post")
    assert secret is None
    with app.app_context():
        assert app.extensions["idp"].clients.find(client_id).is_public
    page = body(console.get(f"{APPS}/{client_id}"))
    assert "client.None()" in page and "OIDCClientSecret" not in page
    assert fr("admin_apps.rotate") not in page


@pytest.mark.parametrize(
    ("fields", "field", "key", "params"),
    [
        (
            {"redirect_uris": "http://rp.example/cb"},
            "redirect_uris",
            "clients.redirect_uris_not_https",
            {"uri": "http://rp.example/cb"},
        ),
        (
            {"post_logout_redirect_uris": "https://rp.example/#bye"},
            "post_logout_redirect_uris",
            "clients.post_logout_redirect_uris_fragment",
            {"uri": "https://rp.example/#bye"},
        ),
        ({"name": "  "}, "name", "clients.name_required", {}),
        ({"name": "x" * 129}, "name", "clients.name_invalid", {"max": 128}),
        ({"name": "a\x07b"}, "name", "clients.name_invalid", {"max": 128}),
        ({"jwks": "{not json"}, "jwks", "admin_apps.jwks_not_json", {}),
        (
            {"auth_method": "private_key_jwt", "jwks": '{"keys": []}'},
            "jwks",
            "clients.jwks_required",
            {},
        ),
        (
            {"scopes": ["openid", "admin"]},
            "scope",
            "clients.scope_unknown",
            {"scopes": "admin", "count": 1},
        ),
        (
            {"auth_method": "password"},
            "auth_method",
            "clients.auth_method_unknown",
            {
                "method": "password",
                "choices": "client_secret_basic, client_secret_post, private_key_jwt, none",
            },
        ),
        (
            {"client_type": "public", "grant_types": ["client_credentials"]},
            "grant_types",
            "clients.public_client_credentials",
            {},
        ),
        ({"subject_type": "sideways"}, "subject_type", "clients.subject_type_unknown", {}),
        (
            {"id_token_alg": "none"},
            "id_token_alg",
            "clients.id_token_alg_unknown",
            {"choices": "RS256, ES256"},
        ),
        (
            {"redirect_uris": "https://" + "a" * 600 + ".example/cb"},
            "redirect_uris",
            "clients.uri_malformed",
            {"uri": ("https://" + "a" * 600)[:80]},
        ),
    ],
)
def test_a_refused_registration_says_why_beside_the_field_and_keeps_what_was_typed(
    console, factories, fields, field, key, params
):
    answer = console.post(NEW, data=_form(console, **fields))
    assert answer.status_code == 200
    page = body(answer)
    message = fr(key, **params)
    assert f'<p class="field-error" id="{field}-error">{message}</p>' in page
    assert f'href="#{field}"' in page  # the summary leads to it
    assert f'aria-describedby="{field}-error"' in page or f"{field}-hint {field}-error" in page
    # What was typed stays: the other fields, and the refused one.
    assert 'value="Portail des aides"' in page or "name" in fields
    assert "https://rp.example/" in page
    assert 'value="openid" checked' in page
    typed = fields.get(field)
    if field in {"name", "redirect_uris", "post_logout_redirect_uris", "jwks"} and (
        "\x07" not in typed
    ):
        assert str(escape(typed)) in page
    assert factories.audit("client_registered") == []


def test_registration_refusals_keep_an_english_text_for_the_cli():
    assert str(ClientError("clients.exists", client_id="portal")) == (
        "Client 'portal' already exists."
    )


def test_rotation_shows_a_new_secret_and_the_old_one_stops_working(
    console, app, factories, registered
):
    client, old = registered
    answer = console.post(
        f"{APPS}/{client.client_id}/rotate", data={"csrf_token": form_token(console, APPS)}
    )
    page = body(answer)
    assert fr("admin_apps.rotated") in page
    _, new = _registered(page)
    with app.app_context():
        found = app.extensions["idp"].clients.find(client.client_id)
        assert found.check_client_secret(new) and not found.check_client_secret(old)
    [event] = factories.audit("client_secret_rotated")
    assert event.client_id == client.client_id and event.detail["by"] == "staff:agent"


def test_a_disabled_application_is_refused_everywhere_until_enabled(
    console, app, factories, rp: RelyingParty
):
    tokens = rp.tokens(scope="openid profile offline_access")
    code = rp.obtain_code()
    path = f"{APPS}/{rp.client_id}"
    answer = console.post(f"{path}/disable", data={"csrf_token": form_token(console, path)})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("#notices")
    page = body(console.get(answer.headers["Location"]))
    assert fr("admin_apps.disabled", name="Application test") in page
    assert fr("admin_apps.disabled_notice") in page
    [event] = factories.audit("client_disabled")
    assert event.client_id == rp.client_id and event.detail["by"] == "staff:agent"

    # Sign-in: an error page, nothing sent back to the application.
    refused = rp.authorize()
    assert refused.status_code == 400 and "Location" not in refused.headers
    # Token endpoint (the fast path answers these), introspection, revocation: not authenticated.
    assert rp.exchange(code).status_code == 401
    assert rp.refresh(tokens["refresh_token"]).get_json()["error"] == "invalid_client"
    assert rp.introspect(tokens["access_token"]).status_code == 401
    assert rp.revoke(tokens["access_token"]).status_code == 401
    assert rp.userinfo(tokens["access_token"]).status_code == 401

    answer = console.post(f"{path}/enable", data={"csrf_token": form_token(console, path)})
    assert answer.status_code == 303
    assert [e.detail["by"] for e in factories.audit("client_enabled")] == ["staff:agent"]
    # Enabled again, what was issued before stays ended; a new sign-in works.
    assert rp.refresh(tokens["refresh_token"]).get_json()["error"] == "invalid_grant"
    assert rp.exchange(code).status_code == 400
    assert "access_token" in rp.tokens()


def test_a_disabled_service_client_gets_no_token(console, app, factories, clock):
    service, secret = factories.client(
        name="Batch", redirect_uris=(), grant_types=("client_credentials",), scope="openid"
    )
    http = app.test_client()
    form = {"grant_type": "client_credentials"}
    assert (
        http.post("/token", data=form, headers=basic(service.client_id, secret)).status_code == 200
    )
    path = f"{APPS}/{service.client_id}"
    console.post(f"{path}/disable", data={"csrf_token": form_token(console, path)})
    answer = http.post("/token", data=form, headers=basic(service.client_id, secret))
    assert answer.status_code == 401 and answer.get_json()["error"] == "invalid_client"


def test_removal_needs_the_name_typed_again(console, app, factories, registered):
    client, _ = registered
    path = f"{APPS}/{client.client_id}/remove"
    page = body(console.get(path))
    assert fr("admin_apps.remove_title", name="Application test") in page
    answer = console.post(
        path, data={"confirm_name": "Application", "csrf_token": form_token(console, path)}
    )
    assert answer.status_code == 200
    page = body(answer)
    assert fr("admin_apps.remove_mismatch") in page and 'value="Application"' in page
    with app.app_context():
        assert app.extensions["idp"].clients.find(client.client_id) is not None
    assert factories.audit("client_removed") == []

    answer = console.post(
        path, data={"confirm_name": "Application test", "csrf_token": form_token(console, path)}
    )
    assert answer.status_code == 303 and answer.headers["Location"].endswith(APPS + "#notices")
    assert fr("admin_apps.removed", name="Application test") in body(
        console.get(answer.headers["Location"])
    )
    with app.app_context():
        assert app.extensions["idp"].clients.find(client.client_id) is None
    [event] = factories.audit("client_removed")
    assert event.client_id == client.client_id and event.detail["by"] == "staff:agent"


@pytest.mark.parametrize("action", ["rotate", "disable", "enable", "remove"])
def test_actions_without_the_form_token_are_refused(console, app, registered, action):
    client, secret = registered
    data = {"confirm_name": "Application test"}
    answer = console.post(f"{APPS}/{client.client_id}/{action}", data=data)
    assert answer.status_code == 400
    with app.app_context():
        found = app.extensions["idp"].clients.find(client.client_id)
        assert found is not None and not found.disabled and found.check_client_secret(secret)


def test_registration_without_the_form_token_is_refused(console, app):
    data = _form(console)
    del data["csrf_token"]
    assert console.post(NEW, data=data).status_code == 400
    with app.app_context():
        assert list(app.extensions["idp"].clients.all()) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/nobody"),
        ("post", "/nobody/rotate"),
        ("post", "/nobody/disable"),
        ("post", "/nobody/enable"),
        ("get", "/nobody/remove"),
        ("post", "/nobody/remove"),
        ("get", "/" + "x" * 300),
    ],
)
def test_unknown_applications_answer_the_404_page(console, method, path):
    answer = getattr(console, method)(APPS + path, data={"csrf_token": form_token(console, APPS)})
    assert answer.status_code == 404


def test_a_client_id_that_cannot_be_one_is_a_bad_request(console):
    assert console.get(APPS + "/a%00b").status_code == 400


def test_a_public_client_has_no_secret_to_rotate(console, factories):
    client, _ = factories.client(public=True)
    path = f"{APPS}/{client.client_id}"
    answer = console.post(f"{path}/rotate", data={"csrf_token": form_token(console, path)})
    assert answer.status_code == 303
    page = body(console.get(answer.headers["Location"]))
    assert fr("clients.no_secret", client_id=client.client_id) in page
    assert factories.audit("client_secret_rotated") == []


def test_the_helpdesk_cannot_open_applications(app, factories, clock, registered):
    client, _ = registered
    http = app.test_client()
    secret = factories.staff("helper", "assistance")
    console_sign_in(http, "helper", secret, at=clock.now())
    for path in (APPS, NEW, f"{APPS}/{client.client_id}"):
        assert http.get(path).status_code == 403
    token = form_token(http, "/admin")
    answer = http.post(f"{APPS}/{client.client_id}/disable", data={"csrf_token": token})
    assert answer.status_code == 403


@pytest.mark.parametrize("settings_overrides", [{"admin": {"idle_minutes": 60}}])
def test_changes_after_a_while_ask_for_the_password_and_code_again(console, clock, registered):
    client, _ = registered
    path = f"{APPS}/{client.client_id}"
    token = form_token(console, path)
    clock.advance(16 * 60)
    assert console.get(path).status_code == 200  # reading needs no fresh sign-in
    answer = console.post(f"{path}/disable", data={"csrf_token": token})
    assert answer.status_code == 303 and "/admin/reauthenticate" in answer.headers["Location"]
    # The form page asks first, so that nothing typed is lost to the re-authentication.
    assert "/admin/reauthenticate" in console.get(NEW).headers["Location"]


def test_the_same_form_sent_twice_registers_one_application(console, factories):
    """A reload of the answer, or a double click, must not register a twin."""
    page = body(console.get(NEW))
    form_id = re.search(r'name="form_id" type="hidden" value="([^"]+)"', page)
    assert form_id, "no form_id in the form"
    first = console.post(NEW, data=_form(console, form_id=form_id.group(1)))
    client_id, _ = _registered(body(first))
    again = console.post(NEW, data=_form(console, form_id=form_id.group(1)))
    assert again.status_code == 303
    assert again.headers["Location"].startswith(f"{APPS}/{client_id}")
    assert len(factories.audit("client_registered")) == 1
