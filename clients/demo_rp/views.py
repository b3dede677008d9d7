"""The demo application's pages: home, sign-in, callback, what the IdP sent, sign-out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from babel.dates import format_datetime
from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from joserfc.errors import JoseError

from clients.demo_rp import Provider, provider

bp = Blueprint("demo", __name__)

SIGNED_IN = "signed_in"
UI_LOCALES = {"fr", "en"}
TIME_CLAIMS = {"iat", "exp", "auth_time", "nbf", "updated_at"}
CLAIM_LABELS = {
    "iss": "Émetteur du jeton",
    "sub": "Identifiant de la personne pour cette application",
    "aud": "Application destinataire",
    "azp": "Partie autorisée",
    "exp": "Date d'expiration",
    "iat": "Date d'émission",
    "auth_time": "Date de l'authentification",
    "nonce": "Valeur unique de la demande",
    "acr": "Niveau d'authentification",
    "amr": "Méthodes d'authentification",
    "sid": "Session chez le fournisseur",
    "idp": "Fournisseur d'identité amont (ex. FranceConnect)",
    "at_hash": "Empreinte du jeton d'accès",
    "name": "Nom complet",
    "given_name": "Prénom",
    "family_name": "Nom",
    "preferred_username": "Identifiant",
    "email": "Adresse électronique",
    "email_verified": "Adresse électronique vérifiée",
    "phone_number": "Numéro de téléphone",
    "phone_number_verified": "Numéro de téléphone vérifié",
    "address": "Adresse postale",
    "updated_at": "Dernière mise à jour du profil",
    "organisation": (
        "Organisation : dossier, SIRET, raison sociale, rôle du compte, compte principal, "
        "téléprocédures détenues"
    ),
}
# The IdP's error_description for an account without habilitation starts with this code.
NOT_HABILITATED = "not_habilitated"
ERRORS = {
    "declined": "Vous avez refusé de transmettre vos informations à l'application.",
    "not_habilitated": (
        "Votre compte n'est pas habilité à utiliser cette application. Pour obtenir cette "
        "habilitation, adressez-vous au service qui gère vos accès."
    ),
    "wrong_issuer": (
        "La réponse ne vient pas du fournisseur d'identité attendu : elle a été ignorée."
    ),
    "state": "Cette demande de connexion est inconnue ou a expiré. Recommencez.",
    "id_token": "Le jeton d'identité reçu n'est pas valide : la connexion a été refusée.",
    "unavailable": "Le fournisseur d'identité ne répond pas. Réessayez dans quelques instants.",
    "refused": "Le fournisseur d'identité a refusé la demande de connexion.",
    "logout_state": "La réponse de déconnexion n'est pas valide : elle a été ignorée.",
}

try:
    DISPLAY_ZONE: Any = ZoneInfo("Europe/Paris")
    ZONE_NAME = "heure de Paris"
except ZoneInfoNotFoundError:  # pragma: no cover - systems without tz data
    DISPLAY_ZONE, ZONE_NAME = UTC, "UTC"


class ProviderError(Exception):
    """The IdP's discovery document cannot be used (unreachable, or another issuer)."""


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    p = provider()
    return {"signed_in": session.get(SIGNED_IN), "issuer": p.issuer, "app_title": p.title}


def _metadata(p: Provider) -> dict[str, Any]:
    """The discovery document, fetched once; its issuer must be the one configured."""
    try:
        metadata = p.oauth.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderError(str(exc)) from exc
    if metadata.get("issuer") != p.issuer:
        p.oauth.server_metadata.clear()  # fetch again next time
        raise ProviderError(f"discovery names issuer {metadata.get('issuer')!r}")
    return metadata


def _failure(key: str, status: int, detail: str | None = None) -> tuple[str, int]:
    return render_template("error.html", message=ERRORS[key], detail=detail), status


@bp.get("/")
def home() -> Response | str | tuple[str, int]:
    if "state" in request.args:
        return _logout_return()
    return render_template("home.html")


def _logout_return() -> Response | tuple[str, int]:
    """Back from the IdP's end-session endpoint: the state must be the one we sent."""
    try:
        provider().oauth.validate_logout_response()
    except OAuthError as exc:
        return _failure("logout_state", 400, exc.description)
    session.clear()
    flash("Vous êtes déconnecté de l'application et du fournisseur d'identité.", "success")
    return redirect(url_for(".home"), code=303)


@bp.get("/login")
def login() -> Response | tuple[str, int]:
    """Send the browser to the IdP (state, nonce and a PKCE challenge kept in the session)."""
    p = provider()
    extra = {}
    if request.args.get("ui_locales") in UI_LOCALES:
        extra["ui_locales"] = request.args["ui_locales"]
    try:
        _metadata(p)
        return p.oauth.authorize_redirect(p.redirect_uri, **extra)
    except ProviderError as exc:
        return _failure("unavailable", 502, str(exc))


@bp.get("/callback")
def callback() -> Response | tuple[str, int]:
    """Check the issuer (RFC 9207), then let Authlib check state, exchange the code, check
    the ID token (signature, iss, aud, exp, nonce, at_hash)."""
    p = provider()
    state = request.args.get("state")
    if request.args.get("iss") != p.issuer:
        # A mix-up attempt or a misconfiguration: never send this code anywhere.
        if state:
            p.oauth.framework.clear_state_data(session, state)
        return _failure("wrong_issuer", 400, f"iss={request.args.get('iss')!r}")
    try:
        _metadata(p)
        token = p.oauth.authorize_access_token()
    except ProviderError as exc:
        return _failure("unavailable", 502, str(exc))
    except MismatchingStateError:
        return _failure("state", 400)
    except OAuthError as exc:
        return _refusal(exc)
    except (AuthlibBaseError, JoseError) as exc:
        return _failure("id_token", 400, repr(exc))
    except requests.RequestException as exc:
        return _failure("unavailable", 502, str(exc))
    claims = token.get("userinfo")
    if not claims:
        return _failure("id_token", 400, "no ID token in the token response")
    session.clear()
    session[SIGNED_IN] = {
        "id_token": token["id_token"],
        "access_token": token["access_token"],
        "claims": dict(claims),
    }
    return redirect(url_for(".claims"), code=303)


def _refusal(exc: OAuthError) -> tuple[str, int]:
    """The IdP answered an error: a declined consent and a missing habilitation are the
    person's situation, said in French alone; any other error keeps its technical detail."""
    if exc.error == "access_denied":
        description = exc.description or ""
        key = "not_habilitated" if description.startswith(NOT_HABILITATED) else "declined"
        return _failure(key, 400)
    return _failure("refused", 400, f"{exc.error}: {exc.description or ''}".rstrip(": "))


def _userinfo(p: Provider, signed_in: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """Ask the UserInfo endpoint with the access token; its `sub` must be the ID token's."""
    try:
        metadata = _metadata(p)
        response = p.oauth.get(
            metadata["userinfo_endpoint"],
            token={"access_token": signed_in["access_token"], "token_type": "Bearer"},
        )
    except (ProviderError, requests.RequestException) as exc:
        return None, f"{ERRORS['unavailable']} ({exc})"
    if response.status_code == 401:
        return None, "Le jeton d'accès n'est plus valide (il a expiré ou a été révoqué)."
    if response.status_code != 200:
        return None, f"Le point d'accès UserInfo a répondu {response.status_code}."
    answer = response.json()
    if answer.get("sub") != signed_in["claims"].get("sub"):
        return None, "La réponse UserInfo concerne une autre personne : elle a été ignorée."
    return answer, None


def _readable_date(value: Any) -> str | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    moment = datetime.fromtimestamp(value, UTC)
    text = format_datetime(moment, "d MMMM y 'à' HH:mm:ss", tzinfo=DISPLAY_ZONE, locale="fr_FR")
    return f"{text} ({ZONE_NAME})"


def _rows(claims: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for name, value in sorted(claims.items()):
        rows.append(
            {
                "name": name,
                "label": CLAIM_LABELS.get(name, ""),
                "value": value if isinstance(value, str) else json.dumps(value, ensure_ascii=False),
                "date": _readable_date(value) if name in TIME_CLAIMS else None,
            }
        )
    return rows


def _pretty(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)


@bp.get("/claims")
def claims() -> Response | str:
    signed_in = session.get(SIGNED_IN)
    if not signed_in:
        flash("Connectez-vous pour voir les informations transmises.", "error")
        return redirect(url_for(".home"), code=303)
    userinfo, userinfo_error = _userinfo(provider(), signed_in)
    return render_template(
        "claims.html",
        id_token_rows=_rows(signed_in["claims"]),
        id_token_json=_pretty(signed_in["claims"]),
        userinfo_rows=_rows(userinfo) if userinfo else [],
        userinfo_json=_pretty(userinfo) if userinfo else None,
        userinfo_error=userinfo_error,
    )


@bp.post("/logout")
def logout() -> Response | tuple[str, int]:
    """Forget the tokens here, then ask the IdP to end its session (RP-initiated logout)."""
    p = provider()
    signed_in = session.pop(SIGNED_IN, None)
    if not signed_in:
        return redirect(url_for(".home"), code=303)
    try:
        _metadata(p)
        return p.oauth.logout_redirect(
            post_logout_redirect_uri=p.post_logout_redirect_uri,
            id_token_hint=signed_in["id_token"],
            client_id=p.client_id,
        )
    except ProviderError as exc:
        return _failure("unavailable", 502, str(exc))


@bp.app_errorhandler(CSRFError)
def _csrf_error(_error: CSRFError) -> Response:
    flash("Votre session a expiré. Recommencez.", "error")
    return redirect(url_for(".home"), code=303)
