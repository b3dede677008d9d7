"""SQLAlchemy models. Times are whole seconds since the epoch (UTC), the unit of tokens."""

from idp.models.audit import AuditEvent
from idp.models.client import Client, RegistryGeneration
from idp.models.client_registration import ClientRegistration, InitialAccessToken
from idp.models.credentials import OneTimeCode, PasswordHistory
from idp.models.federation import FederatedIdentity, FederatedSession
from idp.models.logout_delivery import LogoutDelivery
from idp.models.oauth import (
    AuthorizationCode,
    Consent,
    PendingAuthorization,
    RevokedServiceToken,
    Token,
    UsedAssertion,
)
from idp.models.organisation import (
    Organisation,
    OrganisationAccount,
    Service,
    ServiceClient,
    Subscription,
)
from idp.models.outbox import OutboxMessage
from idp.models.recovery import RecoveryAttempt
from idp.models.registration import PendingRegistration
from idp.models.security import CaptchaChallenge, SignInThrottle
from idp.models.session import BrowserSession
from idp.models.staff import AdminSession, StaffMember, StaffRecoveryCode
from idp.models.user import Habilitation, User

__all__ = [
    "AdminSession",
    "AuditEvent",
    "AuthorizationCode",
    "BrowserSession",
    "CaptchaChallenge",
    "Client",
    "ClientRegistration",
    "Consent",
    "FederatedIdentity",
    "FederatedSession",
    "Habilitation",
    "InitialAccessToken",
    "LogoutDelivery",
    "OneTimeCode",
    "Organisation",
    "OrganisationAccount",
    "OutboxMessage",
    "PasswordHistory",
    "PendingAuthorization",
    "PendingRegistration",
    "RecoveryAttempt",
    "RegistryGeneration",
    "RevokedServiceToken",
    "Service",
    "ServiceClient",
    "SignInThrottle",
    "StaffMember",
    "StaffRecoveryCode",
    "Subscription",
    "Token",
    "UsedAssertion",
    "User",
]
