"""Sign-in through an upstream provider: the start, the callback, "Associer votre compte",
the linked identities of "Mon compte", and the upstream logout.

The views keep in the signed session cookie what the protocol needs between two requests
(the flight, then the arrival of an identity with no link yet); every rule is in
`idp.services.federation` (the relying party) and `idp.services.federated_accounts` (links).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import (
    Blueprint,
    abort,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from idp import browser
from idp.config import FederationProvider
from idp.extensions import csrf, db
from idp.models import BrowserSession, FederatedIdentity, PendingAuthorization, User
from idp.runtime import runtime
from idp.services import audit, federated_accounts, federation, interactions
from idp.services.federation import Flight, Refused, UpstreamIdentity
from idp.web.auth import requires_user
from idp.web.security import allow_form_target

bp = Blueprint("federation", __name__, url_prefix="/federation")

_FLIGHT = "federation.flight"
_ARRIVAL = "federation.arrival"
_AFTER_LOGOUT = "federation.after_logout"
_LEAVING = "federation.leaving"
_REFUSAL = "federation.refusal"


def _provider(name: str) -> FederationProvider:
    provider = runtime().settings.federation.provider(name)
    if provider is None:
        abort(404)
    return provider


def _callback_uri(provider: FederationProvider) -> str:
    return f"{runtime().settings.issuer}{url_for('federation.callback', name=provider.name)}"


def _pending(ref: str | None) -> PendingAuthorization | None:
    return interactions.load(ref, binding=browser.binding_hash(), now=runtime().now())


def _refused(key: str, ref: str | None, status: int = 400) -> Response:
    """The failure page: what happened, the local sign-in, and the way back to the app."""
    pending = _pending(ref)
    if pending is not None:
        allow_form_target(pending.params.get("redirect_uri", ""))
    db.session.commit()
    body = render_template("federation/refused.html", message_key=key, ref=pending and pending.ref)
    return Response(body, status=status, mimetype="text/html")


@bp.get("/<name>")
def start(name: str) -> Response:
    """Send the browser to the provider with a fresh state, nonce (and PKCE verifier)."""
    provider = _provider(name)
    rt = runtime()
    ref = request.args.get("ref") or None
    try:
        url, flight = federation.begin(
            provider,
            redirect_uri=_callback_uri(provider),
            now=rt.now(),
            ref=ref if _pending(ref) else None,
        )
    except Refused as refused:
        return _refused(refused.key, ref, status=502)
    session[_FLIGHT] = asdict(flight)
    return redirect(url, code=303)


@bp.get("/<name>/callback")
def callback(name: str) -> Response:
    """The provider's answer: checked once (the flight leaves the cookie whatever happens)."""
    provider = _provider(name)
    rt = runtime()
    flight = Flight.from_dict(session.pop(_FLIGHT, None))
    params = {k: v for k, v in request.args.items() if isinstance(v, str)}
    try:
        flight = federation.check_flight(flight, params, now=rt.now())
        if flight.provider != provider.name:
            raise Refused("federation.state")
        identity = federation.finish(
            provider,
            flight,
            params,
            redirect_uri=_callback_uri(provider),
            auth=federation.client_auth(rt.settings, provider),
            now=rt.now(),
        )
    except Refused as refused:
        audit.record(
            "federation.callback",
            "failure",
            at=rt.now(),
            ip=request.remote_addr,
            provider=provider.name,
            reason=str(refused),
        )
        # Away from the callback's URL: its code and state stay out of the page's links.
        session[_REFUSAL] = {"key": refused.key, "ref": flight.ref if flight else None}
        db.session.commit()
        return redirect(url_for("federation.refused"), code=303)
    user = federated_accounts.linked_account(identity, now=rt.now())
    if user is not None:
        return _sign_in(provider, identity, user, flight.ref)
    session[_ARRIVAL] = {**asdict(identity), "ref": flight.ref, "expires_at": flight.expires_at}
    db.session.commit()
    return redirect(url_for("federation.link"), code=303)


@bp.get("/refused")
def refused() -> Response:
    """Why the callback was refused (said once; then the way to start again)."""
    held = session.pop(_REFUSAL, None)
    if not isinstance(held, dict):
        return _refused("federation.replayed", None)
    return _refused(str(held.get("key")), held.get("ref"))


def arrival() -> tuple[FederationProvider, UpstreamIdentity, str | None] | None:
    """The upstream identity waiting for a link in this browser, while it lives."""
    held = session.get(_ARRIVAL)
    if not isinstance(held, dict) or held.get("expires_at", 0) <= runtime().now():
        return None
    provider = runtime().settings.federation.provider(str(held.get("provider")))
    if provider is None:
        return None
    fields = {k: v for k, v in held.items() if k not in {"ref", "expires_at"}}
    fields["amr"] = tuple(fields.get("amr") or ())
    try:
        return provider, UpstreamIdentity(**fields), held.get("ref")
    except TypeError:
        return None


def _sign_in(
    provider: FederationProvider, identity: UpstreamIdentity, user: User, ref: str | None
) -> Response:
    """Start our session from the upstream sign-in; then on as after a password sign-in."""
    if not user.is_active:
        return _refused("login.disabled", ref, status=403)
    if not federated_accounts.allowed(provider, user):
        return _refused("federation.category_refused", ref, status=403)
    session.pop(_ARRIVAL, None)
    record = browser.sign_in(user, acr=identity.acr or "", amr=list(identity.amr))
    federated_accounts.record_session(record.sid, identity)
    audit.record(
        "federation.sign_in",
        "success",
        at=runtime().now(),
        user_id=user.id,
        ip=request.remote_addr,
        provider=provider.name,
    )
    from idp.web import login  # login imports this module for "Associer votre compte"

    pending = _pending(ref)
    return login.after_sign_in(user, record, pending.ref if pending else None, next_url=None)


def complete_link(user: User) -> Response | None:
    """The password sign-in of "Associer votre compte" succeeded: link, then sign in."""
    held = arrival()
    if held is None:
        return None
    provider, identity, ref = held
    try:
        federated_accounts.link(identity, user, provider, now=runtime().now())
    except federated_accounts.LinkRefused as refused:
        session.pop(_ARRIVAL, None)
        return _refused(refused.key, ref, status=403)
    return _sign_in(provider, identity, user, ref)


@bp.get("/link")
def link() -> Response | str:
    """ "Associer votre compte": sign in once with the password, or the offers the policy allows."""
    held = arrival()
    if held is None:
        return _refused("federation.link_expired", None)
    provider, identity, ref = held
    pending = _pending(ref)
    if pending is not None:
        allow_form_target(pending.params.get("redirect_uri", ""))
    match = (
        federated_accounts.pivot_match(identity, hash_key=runtime().hash_key)
        if provider.link_policy == "pivot_identity"
        else None
    )
    db.session.commit()
    return render_template(
        "federation/link.html",
        provider=provider,
        ref=pending.ref if pending else None,
        match=match,
    )


@bp.post("/link/pivot")
def link_pivot() -> Response:
    """One click on the confirmation page links the one account whose civil data match."""
    held = arrival()
    if held is None:
        return _refused("federation.link_expired", None)
    provider, identity, ref = held
    user = (
        federated_accounts.pivot_match(identity, hash_key=runtime().hash_key)
        if provider.link_policy == "pivot_identity"
        else None
    )
    if user is None:
        return _refused("federation.no_match", ref)
    try:
        federated_accounts.link(identity, user, provider, now=runtime().now())
    except federated_accounts.LinkRefused as refused:
        return _refused(refused.key, ref, status=403)
    return _sign_in(provider, identity, user, ref)


@bp.post("/link/create")
def create() -> Response:
    """A new account from the pivot identity, where the provider may create accounts."""
    held = arrival()
    if held is None:
        return _refused("federation.link_expired", None)
    provider, identity, ref = held
    if not provider.create_accounts:
        abort(404)
    rt = runtime()
    try:
        user = federated_accounts.create_account(
            identity, provider, now=rt.now(), hashing=rt.passwords
        )
    except federated_accounts.LinkRefused as refused:
        db.session.rollback()
        return _refused(refused.key, ref)
    return _sign_in(provider, identity, user, ref)


@bp.post("/links/<int:link_id>/delete")
@requires_user
def unlink(link_id: int) -> Response | str:
    """ "Délier" in "Mon compte" (refused when it is the account's only way in)."""
    try:
        federated_accounts.unlink(g.user, link_id, now=runtime().now())
    except federated_accounts.LinkRefused as refused:
        db.session.rollback()
        body = render_template("federation/unlink_refused.html", message_key=refused.key)
        return Response(body, status=409, mimetype="text/html")
    db.session.commit()
    return redirect(url_for("account.index"), code=303)


def upstream_of(record: BrowserSession | None) -> tuple[FederationProvider, str] | None:
    """The provider and ID token of a federated session, for the upstream logout."""
    upstream = federated_accounts.upstream_session(record.sid if record else None)
    if upstream is None:
        return None
    provider = runtime().settings.federation.provider(upstream.provider)
    return (provider, upstream.id_token) if provider else None


def through_upstream(upstream: tuple[FederationProvider, str] | None, response: Any) -> Any:
    """Our session ended: end the upstream one too, then go where `response` was going."""
    if upstream is None or browser.current() is not None:
        return response
    provider, id_token = upstream
    back = f"{runtime().settings.issuer}{url_for('federation.logged_out')}"
    target = federation.end_session_url(provider, id_token, back)
    if target is None:
        return response
    location = getattr(response, "location", None) if isinstance(response, Response) else None
    session[_AFTER_LOGOUT] = location or url_for("oidc.logged_out")
    session[_LEAVING] = {"url": target, "label": provider.label}
    return redirect(url_for("federation.leaving"), code=303)


@bp.get("/leaving")
def leaving() -> Response | str:
    """On to the provider's logout from a page of ours. An application's sign-out form leads
    here through redirects, and Chromium applies the application's CSP form-action to each of
    them: ending the chain on our origin spares every application naming the provider."""
    held = session.pop(_LEAVING, None)
    if not isinstance(held, dict):
        return redirect(url_for("oidc.logged_out"), code=303)
    return render_template(
        "federation/leaving.html", target=held.get("url"), provider=held.get("label")
    )


@bp.get("/logged-out")
def logged_out() -> Response:
    """Back from the provider's logout: on to the application (or our logout page)."""
    return redirect(session.pop(_AFTER_LOGOUT, None) or url_for("oidc.logged_out"), code=303)


@bp.post("/<name>/backchannel-logout")
@csrf.exempt  # the provider's server POSTs here (a signed token, never a cookie)
def backchannel_logout(name: str) -> Response:
    """The provider signed someone out (Back-Channel Logout 1.0): our sessions from that
    sign-in end, and our applications are told in turn."""
    provider = _provider(name)
    rt = runtime()
    try:
        logout = federation.verify_logout_token(
            provider, request.form.get("logout_token", ""), now=rt.now()
        )
    except Refused as refused:
        audit.record(
            "federation.logout",
            "failure",
            at=rt.now(),
            ip=request.remote_addr,
            provider=provider.name,
            reason=str(refused),
        )
        db.session.commit()
        response = jsonify(error="invalid_request", error_description=refused.key)
        response.status_code = 400
    else:
        federated_accounts.end_upstream_sessions(provider.name, logout, now=rt.now())
        db.session.commit()
        response = make_response("", 200)
    response.headers["Cache-Control"] = "no-store"
    return response


def links_of(user: User) -> list[tuple[FederatedIdentity, str]]:
    """The account's linked identities with their providers' labels (for "Mon compte")."""
    providers = runtime().settings.federation
    return [
        (link, provider.label if (provider := providers.provider(link.provider)) else link.provider)
        for link in federated_accounts.links_of(user.id)
    ]


def init_app(app: Any) -> None:
    app.add_template_global(links_of, "federated_links")
    app.add_template_global(lambda: runtime().settings.federation.providers, "federation_providers")
