"""Contact details: phone numbers read with phonenumbers, e-mail addresses confirmed by code.

The rules of "Confirmation de vos coordonnées" and of later edits live here: what a form may
leave empty, when the contacts count as confirmed, what a verified new address replaces and
whom it tells.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field

from idp.config import ContactsSettings
from idp.models import User
from idp.services import audit, mailboxes
from idp.services.codes import Check, CheckResult, CodeRules, OneTimeCodes, TooSoon
from idp.services.deliveries import Deliveries
from idp.services.notices import send_change_notice
from idp.services.users import AccountError, normalise_email

log = logging.getLogger(__name__)

EMAIL_PURPOSE = "email"


@dataclass(frozen=True)
class ContactForm:
    email: str
    mobile: str = ""
    landline: str = ""
    fax: str = ""


@dataclass
class CleanContacts:
    """Normalised values (E.164 phones) and the problems found, per field."""

    email: str | None = None
    mobile: str | None = None
    landline: str | None = None
    fax: str | None = None
    problems: dict[str, str] = field(default_factory=dict)


def normalise_phone(raw: str, *, region: str, mobile: bool = False) -> str:
    """E.164 form of `raw`; raises ValueError with a catalogue key when it is not valid."""
    # Here and in display_phone: ~1 MiB a worker holds only once a page shows a phone number.
    import phonenumbers
    from phonenumbers import PhoneNumberType

    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValueError("contacts.phone_invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("contacts.phone_invalid")
    mobile_types = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
    if mobile and phonenumbers.number_type(number) not in mobile_types:
        raise ValueError("contacts.mobile_not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email_optional(user: User, *, email_required: bool) -> bool:
    """An account may go without e-mail (ASSU2000's holders who have none) only where the
    deployment allows it, and never by dropping an address it has verified."""
    return not email_required and not (user.email and user.email_verified)


def own_address_refused(user: User) -> str | None:
    """Why the account may not give itself an e-mail address (a catalogue key), or None: a
    secondary account without a mailbox has none, only its primary gives it one, within the
    quota (its messages go to the primary's responsible meanwhile: `mailboxes`)."""
    if mailboxes.routed_to_primary(user) is not None:
        return "contacts.email_by_primary"
    return None


def clean(
    form: ContactForm,
    *,
    region: str,
    email_optional: bool = False,
    allow_reserved_domains: bool = False,
) -> CleanContacts:
    result = CleanContacts()
    raw_email = form.email.strip()
    if not raw_email:
        if not email_optional:
            result.problems["email"] = "contacts.email_required"
    else:
        try:
            result.email = normalise_email(raw_email, allow_reserved=allow_reserved_domains)
        except AccountError:
            result.problems["email"] = "contacts.email_invalid"
    for name, is_mobile in (("mobile", True), ("landline", False), ("fax", False)):
        raw = getattr(form, name).strip()
        if not raw:
            continue
        try:
            setattr(result, name, normalise_phone(raw, region=region, mobile=is_mobile))
        except ValueError as exc:
            result.problems[name] = str(exc)
    return result


def display_phone(value: str | None, *, region: str) -> str:
    """A stored E.164 number as people write it in `region` (06 12 34 56 78)."""
    if not value:
        return ""
    import phonenumbers

    number = phonenumbers.parse(value, region)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == region
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


@dataclass
class Submission:
    """What a submitted contact form leads to: problems to show, or an address a code must
    confirm first, or neither (the contacts are confirmed)."""

    problems: dict[str, str] = field(default_factory=dict)
    email_to_verify: str | None = None


def submit(
    user: User, form: ContactForm, *, region: str, email_required: bool, now: int
) -> Submission:
    """Store valid phone numbers; confirm the contacts unless a new or unverified address
    must first be proved by a code (the caller sends it). A secondary account without a
    mailbox gives no address: its primary receives its messages (`mailboxes`)."""
    refusal = own_address_refused(user)
    cleaned = clean(
        form,
        region=region,
        email_optional=refusal is not None or email_optional(user, email_required=email_required),
    )
    if refusal is not None and cleaned.email is not None:
        cleaned.problems["email"] = refusal
    if cleaned.problems:
        return Submission(problems=cleaned.problems)
    if cleaned.mobile != user.phone:
        user.phone, user.phone_verified = cleaned.mobile, False
    user.landline, user.fax = cleaned.landline, cleaned.fax
    user.updated_at = now
    if cleaned.email is not None and not (cleaned.email == user.email and user.email_verified):
        return Submission(email_to_verify=cleaned.email)
    if cleaned.email is None and user.email:
        user.email, user.email_verified = None, False  # an unproved address the holder disowns
    confirm(user, now=now, without_email=cleaned.email is None)
    return Submission()


def confirm(user: User, *, now: int, without_email: bool = False) -> None:
    """The contacts as they stand are the holder's: the first connection may go on."""
    if user.contacts_confirmed_at is None:
        user.contacts_confirmed_at = now
    audit.record(
        "contacts_confirmed", "success", at=now, user_id=user.id, without_email=without_email
    )


def apply_verified_email(user: User, address: str, *, now: int, deliveries: Deliveries) -> None:
    """The code proved `address`: it becomes the account's. The verified address it replaces
    is told, so that a holder whose session was taken hears of it where they still read."""
    previous = user.email if user.email_verified else None
    changed = user.email != address
    user.email, user.email_verified = address, True
    user.updated_at = now
    if user.contacts_confirmed_at is None:
        user.contacts_confirmed_at = now
    audit.record("email_verified", "success", at=now, user_id=user.id, changed=changed)
    if previous is not None and changed:
        send_change_notice(previous, user, "email_changed", now=now, deliveries=deliveries)


def email_code_rules(settings: ContactsSettings) -> CodeRules:
    """Every code that proves an e-mail address (contact confirmation, address change,
    registration) follows these rules."""
    return CodeRules(
        digits=settings.email_code_digits,
        ttl_seconds=settings.email_code_minutes * 60,
        max_attempts=settings.email_code_max_attempts,
        resend_wait_seconds=settings.resend_wait_seconds,
    )


@dataclass(frozen=True)
class EmailCodes:
    """What proving an e-mail address by code takes: the codes, their rules, and the outbox
    that carries them (and tells a replaced address)."""

    codes: OneTimeCodes
    settings: ContactsSettings
    deliveries: Deliveries


def send_email_code(user: User, address: str, *, via: EmailCodes, now: int) -> None:
    """A new code to `address`, queued with it; raises TooSoon inside the resend wait."""
    rules = email_code_rules(via.settings)
    code = via.codes.issue(user.id, EMAIL_PURPOSE, address, rules=rules, now=now)
    via.deliveries.enqueue(
        "email",
        address,
        "email_code",
        locale=user.locale or "fr",
        code=code,
        minutes=via.settings.email_code_minutes,
    )


def offer_email_code(user: User, address: str, *, via: EmailCodes, now: int) -> None:
    """Send `address` a code for a page that then asks for it; one sent moments ago stands
    (the code page offers to resend it)."""
    with contextlib.suppress(TooSoon):
        send_email_code(user, address, via=via, now=now)


def change_email(user: User, typed: str, *, via: EmailCodes, now: int) -> str | None:
    """The account page's new address: a code goes to it (it replaces the current one only
    once typed); a problem key when it is invalid or unchanged."""
    try:
        address = normalise_email(typed.strip())
    except AccountError:
        return "contacts.email_invalid"
    if address == user.email:
        return "account.email_unchanged"
    offer_email_code(user, address, via=via, now=now)
    return None


def email_awaiting_code(user: User, *, via: EmailCodes) -> str | None:
    """The address the last code (still unused) was sent to, if any."""
    return via.codes.last_target(user.id, EMAIL_PURPOSE)


def check_email_code(
    user: User,
    code: str,
    *,
    via: EmailCodes,
    now: int,
) -> CheckResult:
    """A typed code; the right one makes its address the account's (`apply_verified_email`)."""
    rules = email_code_rules(via.settings)
    result = via.codes.check(user.id, EMAIL_PURPOSE, code, rules=rules, now=now)
    if result.outcome is not Check.OK:
        return result
    if not result.target:  # a code row without its address proves nothing
        return CheckResult(Check.EXPIRED)
    apply_verified_email(user, result.target, now=now, deliveries=via.deliveries)
    return result
