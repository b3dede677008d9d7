"""Contact details: phone numbers read with phonenumbers, e-mail addresses confirmed by code."""

from __future__ import annotations

from dataclasses import dataclass, field

import phonenumbers
from phonenumbers import PhoneNumberType

from idp.services.users import AccountError, normalise_email

MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


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
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValueError("contacts.phone_invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("contacts.phone_invalid")
    if mobile and phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValueError("contacts.mobile_not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean(form: ContactForm, *, region: str, allow_reserved_domains: bool = False) -> CleanContacts:
    result = CleanContacts()
    try:
        result.email = normalise_email(form.email.strip(), allow_reserved=allow_reserved_domains)
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
    number = phonenumbers.parse(value, region)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == region
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)
