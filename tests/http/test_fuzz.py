"""Garbage in, a 4xx out: nothing answers 500 to odd parameters, headers or bodies, and a
refused request writes nothing but its audit record and the sign-in failure counters."""

from __future__ import annotations

import base64
import io
import json
import re

import pytest

from tests.support.factories import ISSUER, REDIRECT_URI
from tests.support.jose import ASSERTION_TYPE
from tests.support.oidc import basic, csrf_token, pkce_pair
from tests.support.recovery import begin
from tests.support.rows import RefusalsWriteNothing, row_counts, watch_refusals

HUGE = "x" * 20_000
ODD_VALUES = [
    "",
    " ",
    HUGE,
    "\x00",
    "a\x00b",
    "é" * 300,
    "\U0001f600",
    "%ff%fe",
    "\r\nX-Injected: 1",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "null",
    "[]",
    "-1",
    "99999999999999999999999",
]
AUTHORIZE_PARAMS = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "prompt",
    "max_age",
    "login_hint",
    "ui_locales",
    "id_token_hint",
    "code_challenge",
    "code_challenge_method",
    "response_mode",
    "acr_values",
    "claims",
]
B64 = base64.b64encode
AUTH_HEADERS = [
    "Basic",
    "Basic !!!",
    "Basic " + B64(b"no-colon").decode(),
    "Basic " + B64(b"\xff\xfe:\xfd").decode(),
    "Basic " + B64(b"a\x00b:c\x00d").decode(),
    "Basic " + B64(b":").decode(),
    "Basic " + B64(("x" * 5000 + ":" + "y" * 5000).encode()).decode(),
    "Bearer " + HUGE,
    "Bearer \x00",
    "Digest username=x",
    "\xff\xfe",
]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


ASSERTIONS = [
    "a.b.c",
    "....",
    HUGE,
    _b64url(b"not json") + "." + _b64url(b"{}") + ".sig",
    _b64url(b'{"alg":"RS256"}') + "." + _b64url(b"[1,2]") + ".sig",
    _b64url(b'{"alg":"RS256"}') + "." + _b64url(b'{"sub":42,"iss":42}') + ".sig",
    _b64url(b'{"alg":"RS256"}') + "." + _b64url(b'{"sub":"\\u0000","iss":"x"}') + ".sig",
    _b64url(b'{"alg":"RS256"}') + "." + _b64url(b'{"sub":["a"],"iss":"x"}') + ".sig",
    _b64url(b'{"alg":"none"}') + "." + _b64url(b'{"sub":"' + b"x" * 100 + b'"}') + ".",
]


@pytest.fixture(autouse=True)
def refusals_write_nothing(app, client, monkeypatch) -> RefusalsWriteNothing:
    """Every request of these tests goes through `client`: a refused one must write no row
    but its audit record and the sign-in failure counters (see REFUSALS_MAY_WRITE)."""
    return watch_refusals(app, client, monkeypatch)


def _ok(response, what: object) -> None:
    assert response.status_code < 500, (what, response.status_code)


@pytest.fixture
def signed_in_rp(rp):
    rp.tokens()
    return rp


def test_authorize_odd_values(signed_in_rp):
    rp = signed_in_rp
    for param in AUTHORIZE_PARAMS:
        for value in ODD_VALUES:
            _ok(rp.authorize(**{param: value}), (param, value[:20]))


def test_authorize_odd_values_without_session(rp):
    for param in AUTHORIZE_PARAMS:
        for value in ("\x00", HUGE, "é"):
            _ok(rp.authorize(**{param: value}), (param, value[:20]))


def test_authorize_every_parameter_repeated(signed_in_rp):
    rp = signed_in_rp
    params = rp.authorize_params()
    query = "&".join(f"{k}={v}&{k}={v}" for k, v in params.items())
    _ok(rp.http.get("/authorize?" + query), "repeated")


def test_authorize_raw_bytes(signed_in_rp):
    rp = signed_in_rp
    for raw in (b"%ff%fe%00", b"%c3%28", b"%ed%a0%80", b"%"):
        url = f"/authorize?client_id={rp.client_id}&redirect_uri={REDIRECT_URI}&response_type=code"
        _ok(rp.http.get(url + "&state=" + raw.decode()), raw)
        _ok(rp.http.get("/authorize?" + raw.decode()), raw)


def test_authorize_json_body(signed_in_rp):
    rp = signed_in_rp
    _ok(rp.http.post("/authorize", json=rp.authorize_params()), "json")
    _ok(rp.http.post("/authorize", data=b"\xff\xfe", content_type="text/plain"), "bytes")


def test_token_odd_forms(signed_in_rp):
    rp = signed_in_rp
    code = rp.obtain_code()
    verifier, _ = pkce_pair()
    headers = basic(rp.client_id, rp.secret)
    for grant_type in ("authorization_code", "refresh_token", "client_credentials", "x", ""):
        for field in ("code", "redirect_uri", "code_verifier", "refresh_token", "scope"):
            for value in ODD_VALUES:
                data = {
                    "grant_type": grant_type,
                    "code": code,
                    "redirect_uri": REDIRECT_URI,
                    "code_verifier": verifier,
                    field: value,
                }
                response = rp.http.post("/token", data=data, headers=headers)
                _ok(response, (grant_type, field, value[:20]))


def test_token_odd_client_ids(rp):
    for value in ODD_VALUES:
        for form in ({"client_id": value}, {"client_id": value, "client_secret": value}):
            data = {"grant_type": "client_credentials", **form}
            _ok(rp.http.post("/token", data=data), ("client_id", value[:20]))


@pytest.mark.parametrize("path", ["/token", "/revoke", "/introspect", "/userinfo"])
def test_odd_authorization_headers(rp, path):
    for header in AUTH_HEADERS:
        data = {"grant_type": "client_credentials", "token": "x"}
        _ok(rp.http.post(path, data=data, headers={"Authorization": header}), header[:30])


@pytest.mark.parametrize("path", ["/token", "/revoke", "/introspect"])
def test_odd_client_assertions(rp, path):
    for assertion in ASSERTIONS:
        for assertion_type in (ASSERTION_TYPE, "x"):
            data = {
                "grant_type": "client_credentials",
                "token": "x",
                "client_assertion_type": assertion_type,
                "client_assertion": assertion,
            }
            _ok(rp.http.post(path, data=data), assertion[:30])


@pytest.mark.parametrize("path", ["/token", "/revoke", "/introspect", "/userinfo", "/logout"])
def test_odd_bodies(rp, path):
    headers = basic(rp.client_id, rp.secret)
    bodies = [
        {"json": {"grant_type": "client_credentials", "token": ["x"]}},
        {"json": [1, 2, 3]},
        {"data": b"\xff\xfe\x00", "content_type": "application/x-www-form-urlencoded"},
        {"data": b"token=%ff%fe&token=%00&grant_type=%c3%28"},
        {"data": b"{not json", "content_type": "application/json"},
        {"data": b"x" * 70_000, "content_type": "application/x-www-form-urlencoded"},
        {"data": {"token": "x", "token_type_hint": HUGE}},
        {"data": {"token": "x", "token_type_hint": "id_token"}},
        {"data": {"token": HUGE}},
    ]
    for body in bodies:
        _ok(rp.http.post(path, headers=headers, **body), (path, str(body)[:40]))


def test_odd_logout_requests(signed_in_rp):
    rp = signed_in_rp
    for param in ("id_token_hint", "client_id", "post_logout_redirect_uri", "state", "ui_locales"):
        for value in ODD_VALUES + ASSERTIONS:
            _ok(rp.http.get("/logout", query_string={param: value}), (param, value[:20]))
    _ok(rp.http.post("/logout/confirm", data={"client_id": "\x00"}), "confirm")


ODD_REFS = ["x", "%00", "a" * 500, "%ff", "..%2f..%2fetc", "é", "null", "0", "-1"]


@pytest.mark.parametrize(
    ("method", "template"),
    [
        ("GET", "/authorize/resume/{}"),
        ("POST", "/authorize/deny/{}"),
        ("GET", "/consent/{}"),
        ("POST", "/consent/{}"),
        ("GET", "/login/habilitation/{}"),
        ("GET", "/login?ref={}"),
    ],
)
def test_odd_pending_references(signed_in_rp, method, template):
    for ref in ODD_REFS:
        url = template.format(ref)
        _ok(signed_in_rp.http.open(url, method=method, data={"approve": "1"}), url)


def test_odd_sign_in_forms(rp):
    page = rp.http.get(rp.authorize().location)

    token = csrf_token(page.get_data(as_text=True))
    for value in ODD_VALUES:
        data = {"csrf_token": token, "identifier": value, "password": value}
        _ok(rp.http.post("/login", data=data), value[:20])


def test_odd_methods(rp):
    for path in (
        "/token",
        "/revoke",
        "/introspect",
        "/jwks.json",
        "/.well-known/openid-configuration",
    ):
        for method in ("PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"):
            _ok(rp.http.open(path, method=method), (method, path))


def test_json_error_for_api_paths(rp):
    response = rp.http.put("/token")
    assert response.status_code == 405
    assert json.loads(response.get_data())["error"] == "invalid_request"


HOSTILE_HOSTS = [
    "a" * 64 + ".idp.test",  # a label longer than DNS allows
    "évil.example",
    "evil.example",
    "evil.example:5000",
    "localhost.evil.example",
    "idp.test.evil.example",
    "",
    "[::1]",
    "idp.test:99999",
    "idp.test\u202e",
]
PAGES = ["/", "/login", "/recovery/password", "/authorize?client_id=x", "/nowhere"]
API = ["/userinfo", "/.well-known/openid-configuration", "/jwks.json"]


def test_hostile_hosts_get_a_400_page_and_write_nothing(rp, app):
    refresh_token = rp.tokens(scope="openid offline_access")["refresh_token"]
    before = row_counts(app)
    for host in HOSTILE_HOSTS:
        headers = {"Host": host}
        for path in PAGES:
            response = rp.http.get(path, headers=headers)
            assert response.status_code == 400, (host, path, response.status_code)
            assert response.mimetype == "text/html", (host, path)
            assert 'href="/static/idp.css"' in response.get_data(as_text=True), (host, path)
        for path in API:
            response = rp.http.get(path, headers=headers)
            assert response.status_code == 400, (host, path, response.status_code)
            assert response.get_json() == {"error": "invalid_request"}, (host, path)
        # A refresh the fast path would answer, and posts to the full pipeline.
        for response in (
            rp.http.post(
                "/token",
                data={"grant_type": "refresh_token", "refresh_token": refresh_token},
                headers={**headers, **basic(rp.client_id, rp.secret)},
            ),
            rp.http.post("/revoke", data={"token": refresh_token}, headers=headers),
        ):
            assert response.status_code == 400, (host, response.status_code)
            assert response.get_json() == {"error": "invalid_request"}, host
    assert row_counts(app) == before
    assert rp.refresh(refresh_token).status_code == 200  # still unused, still valid


def test_trusted_host_with_a_port_is_answered(rp):
    assert rp.http.get("/login", headers={"Host": "localhost:8443"}).status_code == 200
    discovery = rp.http.get("/.well-known/openid-configuration", headers={"Host": "localhost:1"})
    assert discovery.get_json()["issuer"] == ISSUER


def test_the_issuer_host_over_plain_http_is_refused_as_oauth_says(rp):
    """The issuer is http://idp.test in the tests: Authlib refuses OAuth over plain http to a
    host that is not this machine (once a 500, now its own error)."""
    response = rp.http.post("/revoke", data={"token": "x"}, headers={"Host": "idp.test"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "insecure_transport"


RLO = "\u202e"


def test_right_to_left_override_in_queries_and_forms(signed_in_rp, app):
    rp = signed_in_rp
    for param in ("state", "nonce", "login_hint", "ui_locales", "scope", "redirect_uri"):
        _ok(rp.authorize(**{param: RLO + "x"}), param)
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<[^>]+>", RLO, rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for query in (f"x={RLO}", f"ui_locales={RLO}", f"{RLO}=1", f"ref={RLO}"):
                response = rp.http.open(
                    f"{path}?{query}", method=method, data={"identifier": RLO, "x": RLO}
                )
                _ok(response, (method, path, query))


def _multipart(fields: dict[str, object]) -> dict[str, object]:
    """A body as a browser's multipart form would send it, files allowed."""
    return {
        name: (io.BytesIO(value), "f.txt") if isinstance(value, bytes) else value
        for name, value in fields.items()
    }


def test_multipart_bodies_on_the_recovery_channel_step(client, factories, puzzles, app):
    factories.user()
    channel = begin(client, puzzles, "marie")
    token = csrf_token(client.get(channel).get_data(as_text=True))
    odd = [
        {"csrf_token": token, "channel": b"email"},
        {"csrf_token": b"x", "channel": "email"},
        {"csrf_token": token, "channel": RLO},
        {"csrf_token": token, "other": b"x" * 10_000},
    ]
    before = row_counts(app)
    for fields in odd:
        response = client.post(channel, data=_multipart(fields))
        expected = 400 if any(isinstance(v, bytes) for v in fields.values()) else 200
        assert response.status_code == expected, (fields, response.status_code)
        assert response.mimetype == "text/html"
    for raw in (b"--x\r\nContent-Disposition: form-data; name=", b"not multipart at all"):
        response = client.post(channel, data=raw, content_type="multipart/form-data; boundary=x")
        assert response.status_code == 400, (raw, response.status_code)
    assert row_counts(app) == before
    # A good choice, then the same choice again (a second click): the code sent stands.
    first = client.post(channel, data=_multipart({"csrf_token": token, "channel": "email"}))
    assert first.status_code == 303 and first.location.endswith("/code")
    after_first = row_counts(app)
    again = client.post(channel, data=_multipart({"csrf_token": token, "channel": "sms"}))
    assert again.status_code == 303 and again.location == first.location
    assert row_counts(app) == after_first
    assert "patienter 1 min" in client.get(again.location).get_data(as_text=True)


def test_multipart_bodies_on_forms(rp, app):
    """Files where text is expected (no page takes a file): a 400 page, nothing written."""
    sign_in = rp.http.get(rp.authorize().location)
    forms = [(sign_in.request.full_path, sign_in), ("/recovery/password", None)]
    forms = [(url, page or rp.http.get(url)) for url, page in forms]
    before = row_counts(app)
    for url, page in forms:
        token = csrf_token(page.get_data(as_text=True))
        for fields in (
            {"csrf_token": token, "identifier": b"marie", "password": b"x"},
            {"csrf_token": token, "identifier": b"marie", "captcha_answer": b"1"},
            {"csrf_token": b"x", "identifier": "marie"},
        ):
            response = rp.http.post(url, data=_multipart(fields))
            assert response.status_code == 400, (url, fields, response.status_code)
            assert response.mimetype == "text/html"
    assert row_counts(app) == before


class TestTrustedSubdomains:
    @pytest.fixture
    def settings_overrides(self):
        return {"server": {"trusted_hosts": "localhost .example.org"}}

    def test_a_trusted_suffix_with_an_impossible_label_gets_the_400_page(self, client):
        """Trusted by its suffix, yet not a DNS name: Flask cannot bind URLs to it (a bare 500
        once); the page's links are then built on the issuer."""
        for path in ("/login", "/token"):
            response = client.get(path, headers={"Host": "a" * 64 + ".example.org"})
            assert response.status_code == 400, (path, response.status_code)
        page = client.get("/login", headers={"Host": "a" * 64 + ".example.org"})
        assert 'href="/static/idp.css"' in page.get_data(as_text=True)
        assert client.get("/login", headers={"Host": "auth.example.org"}).status_code == 200
