"""SQLAlchemy models. Times are whole seconds since the epoch (UTC), the unit of tokens."""

from idp.models.audit import AuditEvent
from idp.models.client import Client, RegistryGeneration
from idp.models.oauth import AuthorizationCode, Consent, PendingAuthorization, Token, UsedAssertion
from idp.models.session import BrowserSession
from idp.models.user import Habilitation, User

__all__ = [
    "AuditEvent",
    "AuthorizationCode",
    "BrowserSession",
    "Client",
    "Consent",
    "Habilitation",
    "PendingAuthorization",
    "RegistryGeneration",
    "Token",
    "UsedAssertion",
    "User",
]
