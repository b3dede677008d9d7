"""Required actions: what a user must do after the password is accepted and before any
application receives them (the pending authorization request resumes only afterwards).

Each action names the page that carries it out; the authorize endpoint and the sign-in page
both ask this module, so an action cannot be skipped by going back to the application.
"""

from __future__ import annotations

from idp.config import PasswordSettings
from idp.models import User

DAY_SECONDS = 24 * 3600

# Action -> endpoint of the page that performs it.
PAGES = {
    "personalise_password": "password.change_required",
    "expired_password": "password.change_required",
    "confirm_contacts": "contacts.confirm",
}


def password_expired(user: User, *, now: int, settings: PasswordSettings) -> bool:
    if settings.expiry_days <= 0 or user.password_changed_at is None:
        return False
    return now - user.password_changed_at >= settings.expiry_days * DAY_SECONDS


def next_action(user: User, *, now: int, settings: PasswordSettings) -> str | None:
    """The first action this user still has to complete, or None."""
    if user.password_temporary:
        return "personalise_password"
    if password_expired(user, now=now, settings=settings):
        return "expired_password"
    if user.contacts_confirmed_at is None:
        return "confirm_contacts"
    return None


def page_for(action: str) -> str:
    return PAGES[action]
