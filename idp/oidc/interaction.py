"""The authorization endpoint's decision: answer the client now, or ask the user first.

Given a validated request and this browser's session, it either redirects to the client
(a code or an error, with `iss` per RFC 9207) or stores the request as pending and sends
the browser to the hosted page that is needed next: sign-in, habilitation refusal, consent.
A page that has done its part (the sign-in, the consent, a required action) runs the same
decision again, `resume`, in its own answer: the browser goes straight to what follows,
without a redirect through the authorization endpoint. The `resume` endpoint runs it for the
links back to a pending request ("Continuer vers <application>" after a recovery).
"""

from __future__ import annotations

from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import AccessDeniedError, InvalidRequestError, OAuth2Request
from authlib.oidc.core.errors import (
    ConsentRequiredError,
    InteractionRequiredError,
    LoginRequiredError,
)
from flask import abort, redirect, render_template, session, url_for
from flask import request as flask_request
from joserfc import jwt
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from idp import browser
from idp.extensions import db
from idp.i18n import SUPPORTED_LOCALES
from idp.models import PendingAuthorization, User
from idp.oidc.claims import subject_for
from idp.oidc.grants import SignedInUser
from idp.oidc.id_token import Authentication
from idp.oidc.server import StoredRequest, authorization_server
from idp.runtime import runtime
from idp.services import audit, consent, interactions, required_actions, subscriptions
from idp.web import journey

# The error_description of an `access_denied` for an account without habilitation: a stable
# code first, so that a client can tell it from a declined consent and say so in its words.
NOT_HABILITATED = "not_habilitated: this account is not authorised to use this application"

UNSUPPORTED = {
    "request": "request_not_supported",
    "request_uri": "request_uri_not_supported",
    "registration": "registration_not_supported",
}


class _RedirectableError(OAuth2Error):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description=description, error=error)


def _with_issuer(response: Response) -> Response:
    """RFC 9207: every authorization response names its issuer."""
    if response.status_code in (301, 302, 303) and response.location:
        response.location = add_params_to_uri(response.location, {"iss": runtime().settings.issuer})
    return response


def _error_response(request: OAuth2Request, error: OAuth2Error) -> Response:
    """To the client when its redirect URI is verified; else an error page, never a redirect."""
    if error.redirect_uri:
        error.state = request.payload.state
        return _with_issuer(authorization_server().handle_error_response(request, error))
    db.session.rollback()
    body = render_template(
        "errors/authorization.html", error=error.error, description=error.description
    )
    return Response(body, status=400, mimetype="text/html")


def _signed_in(record: Any) -> SignedInUser | None:
    if record is None:
        return None
    user = db.session.get(User, record.user_id)
    if user is None or not user.is_active:
        return None
    return SignedInUser(
        user, Authentication(record.auth_time, record.acr, tuple(record.amr or ()), record.sid)
    )


def _max_age(data: Any) -> int | None:
    raw = data.get("max_age")
    if raw is None or raw == "":
        return None
    if not str(raw).isdigit():
        raise InvalidRequestError("'max_age' must be a non-negative integer.")
    return int(raw)


def _hint_names_someone_else(data: Any, client: Any, user: User) -> bool:
    """An id_token_hint for another subject means the user must sign in again."""
    hint = data.get("id_token_hint")
    if not hint:
        return False
    rt = runtime()
    try:
        token = jwt.decode(
            hint, rt.keys.verification_keyset(rt.now()), algorithms=["RS256", "ES256"]
        )
    except (JoseError, ValueError):
        raise InvalidRequestError("Invalid 'id_token_hint'.") from None
    return token.claims.get("sub") != subject_for(client, user, rt.hash_key)


def remember_locale(data: Any) -> None:
    """`ui_locales` chooses the language of the hosted pages for the rest of the visit."""
    for tag in str(data.get("ui_locales") or "").split():
        language = tag.split("-")[0].lower()
        if language in SUPPORTED_LOCALES:
            session["locale"] = language
            return


def _pending(
    request: OAuth2Request, client_id: str, pending: PendingAuthorization | None
) -> PendingAuthorization:
    if pending is not None:
        return pending
    rt = runtime()
    params = {k: v for k, v in request.payload.data.items() if isinstance(v, str)}
    created = interactions.create(
        params,
        client_id=client_id,
        binding=browser.binding_hash(),
        now=rt.now(),
        ttl_seconds=rt.settings.tokens.pending_request_ttl_seconds,
    )
    db.session.flush()
    return created


def _interact(endpoint: str, pending: PendingAuthorization) -> Response:
    # Read before the commit, which expires the row: reading it after would load it again.
    ref = pending.ref
    journey.remember(pending)
    db.session.commit()
    return redirect(url_for(endpoint, ref=ref), code=303)


def authorize(request: OAuth2Request, pending: PendingAuthorization | None = None) -> Response:
    """Decide what this authorization request needs next, and answer accordingly."""
    server = authorization_server()
    rt = runtime()
    record = browser.current()
    signed_in = _signed_in(record)
    data = request.payload.data
    remember_locale(data)
    try:
        grant = server.get_consent_grant(request=request, end_user=signed_in)
    except OAuth2Error as error:
        return _error_response(request, error)
    client = grant.client
    prompts = set(str(data.get("prompt") or "").split())
    try:
        for param, error_code in UNSUPPORTED.items():
            if data.get(param):
                raise _RedirectableError(error_code, f"'{param}' is not supported.")
        if data.get("response_mode") not in (None, "", "query"):
            raise InvalidRequestError("Only the 'query' response mode is supported.")
        max_age = _max_age(data)
        fresh = (
            pending is not None and record is not None and pending.authenticated_sid == record.sid
        )
        needs_login = signed_in is None or (
            not fresh
            and (
                "login" in prompts
                or (max_age is not None and rt.now() - signed_in.authentication.auth_time > max_age)
                or _hint_names_someone_else(data, client, signed_in.user)
            )
        )
        if needs_login:
            if "none" in prompts:
                raise LoginRequiredError()
            return _interact("login.sign_in", _pending(request, client.client_id, pending))
        assert signed_in is not None and record is not None
        user = signed_in.user
        action = required_actions.next_action(user, now=rt.now(), settings=rt.settings.password)
        if action is not None:
            if "none" in prompts:
                raise InteractionRequiredError()
            page = required_actions.page_for(action)
            return _interact(page, _pending(request, client.client_id, pending))
        if subscriptions.refused(
            user.id, client.client_id, requires_habilitation=client.requires_habilitation
        ):
            audit.record(
                "habilitation_refused",
                "refused",
                at=rt.now(),
                user_id=user.id,
                client_id=client.client_id,
            )
            if "none" in prompts:
                db.session.commit()
                raise AccessDeniedError(description=NOT_HABILITATED)
            return _interact("login.not_habilitated", _pending(request, client.client_id, pending))
        consented = pending is not None and pending.consented_sid == record.sid
        needs_consent = (
            not client.first_party
            and not consented
            and (
                "consent" in prompts or not consent.covers(user.id, client.client_id, request.scope)
            )
        )
        if needs_consent:
            if "none" in prompts:
                raise ConsentRequiredError()
            return _interact("consent.review", _pending(request, client.client_id, pending))
    except OAuth2Error as error:
        error.redirect_uri = grant.redirect_uri
        return _error_response(request, error)
    if pending is not None:
        if not interactions.finish(pending):
            return _already_answered()
        journey.forget(pending)
    response = server.create_authorization_response(
        request=request, grant_user=signed_in, grant=grant
    )
    db.session.commit()
    return _with_issuer(response)


def resume(ref: str) -> Response:
    """Go on with this browser's pending request `ref`: the decision again, on what the page
    that called it has committed. Ended meanwhile (a twin tab answered it), the browser's own
    request gets the way back to its application."""
    browser.read_again()
    # One lookup: a request ended between two would pass the first and meet a bare 404.
    pending = interactions.load(ref, binding=browser.binding_hash(), now=runtime().now())
    if pending is None:
        if journey.came_with(ref):
            return journey.gone(ref)
        abort(404)
    return authorize(stored_request(pending), pending)


def deny(request: OAuth2Request, pending: PendingAuthorization) -> Response:
    """The user declined (consent refused, or went back without habilitation): the client
    reads which one from the error description."""
    server = authorization_server()
    try:
        grant = server.get_consent_grant(request=request, end_user=None)
    except OAuth2Error as error:
        return _error_response(request, error)
    if not interactions.finish(pending):
        return _already_answered()
    journey.forget(pending)
    signed_in = _signed_in(browser.current())
    if signed_in is not None and subscriptions.refused(
        signed_in.user.id,
        grant.client.client_id,
        requires_habilitation=grant.client.requires_habilitation,
    ):
        refusal = AccessDeniedError(description=NOT_HABILITATED, redirect_uri=grant.redirect_uri)
        response = _error_response(request, refusal)
        db.session.commit()
        return response
    response = server.create_authorization_response(request=request, grant_user=None, grant=grant)
    db.session.commit()
    return _with_issuer(response)


def _already_answered() -> Response:
    """A second answer to one pending request (double submit, two tabs): the first won."""
    db.session.rollback()
    body = render_template("errors/page.html", message_key="login.request_expired", params={})
    return Response(body, status=400, mimetype="text/html")


def stored_request(pending: PendingAuthorization) -> StoredRequest:
    # The URL of this very request, on one of our hosts (idp.hosts refuses any other): Authlib
    # checks its transport as for any other request. Nothing sees this URL but that check.
    return StoredRequest(flask_request.url_root.rstrip("/") + "/authorize", dict(pending.params))
