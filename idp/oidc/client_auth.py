"""Client authentication at the token, introspection and revocation endpoints."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from authlib.oauth2.rfc6749 import InvalidClientError, InvalidRequestError
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from idp.extensions import db
from idp.models import UsedAssertion
from idp.runtime import runtime

CONFIDENTIAL_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]
ALL_METHODS = [*CONFIDENTIAL_METHODS, "none"]
# Assertions must be short-lived: their jti is remembered until they expire.
MAX_ASSERTION_LIFETIME_SECONDS = 600
ASSERTION_ALGORITHMS = ["RS256", "PS256", "ES256"]


class PrivateKeyJWT(JWTBearerClientAssertion):
    """private_key_jwt (OIDC Core §9): a JWT signed with a key the client registered."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def __init__(self, audiences: list[str]) -> None:
        super().__init__(validate_jti=True, leeway=30)
        self._audiences = audiences

    def get_audiences(self) -> list[str]:
        return self._audiences

    def resolve_client_public_key(self, client: Any) -> KeySet:
        if not client.jwks:
            raise InvalidClientError(description="The client has no registered keys.")
        return KeySet.import_key_set(client.jwks)

    def process_assertion_claims(self, assertion: str, resolve_key: Any) -> Any:
        """Verify the signature with asymmetric algorithms only, then the claims."""
        try:
            token = jwt.decode(assertion, resolve_key, algorithms=ASSERTION_ALGORITHMS)
        except JoseError as exc:
            raise InvalidClientError(description="Invalid client assertion.") from exc
        self.verify_claims(token.claims)
        return token.claims

    def verify_claims(self, claims: Any) -> None:
        super().verify_claims(claims)
        now = runtime().now()
        if int(claims["exp"]) - now > MAX_ASSERTION_LIFETIME_SECONDS:
            raise InvalidClientError(description="The assertion lives too long.")

    def validate_jti(self, claims: Any, jti: str) -> bool:
        """Remember the jti while the assertion is acceptable; a second use is refused.

        That is until `exp` plus the leeway (the assertion is accepted that long), and the
        record is committed at once: the assertion is spent even if the request then fails
        or, as introspection does, never commits.
        """
        if not isinstance(jti, str) or len(jti) > 255:
            return False
        now = runtime().now()
        db.session.execute(delete(UsedAssertion).where(UsedAssertion.expires_at < now))
        expires_at = int(claims["exp"]) + self.leeway
        try:
            with db.session.begin_nested():
                db.session.add(
                    UsedAssertion(client_id=claims["sub"], jti=jti, expires_at=expires_at)
                )
        except IntegrityError:
            db.session.commit()
            return False
        db.session.commit()
        return True


def reject_multiple_methods(request: Any) -> None:
    """RFC 6749 §2.3: a client MUST NOT use more than one authentication method at once."""
    form = request.form
    used = [
        bool(request.headers.get("Authorization")),
        bool(form.get("client_secret")),
        bool(form.get("client_assertion")),
    ]
    if sum(used) > 1:
        raise InvalidRequestError("Use only one client authentication method.")


def reject_undecodable_basic(request: Any) -> None:
    """Basic credentials must be UTF-8 (RFC 7617); Authlib's decoding fails with a 500 otherwise."""
    kind, _, value = str(request.headers.get("Authorization") or "").partition(" ")
    if kind.lower() != "basic":
        return
    try:
        base64.b64decode(value.strip()).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidClientError(
            status_code=401, description="Malformed Basic credentials."
        ) from None
