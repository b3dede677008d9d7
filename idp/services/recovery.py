"""Recovery without the helpdesk: "J'ai oublié mon mot de passe".

What the account holds decides its path (the first of `[recovery] order` that applies):
- channels: connected before, e-mail or mobile known: a code over the chosen channel (the
  other one when the account has no address there), then, as `[recovery] after_code` says,
  a temporary password (or a reset link) over the same channel, or the new-password page;
- secret_question: the answer sends an ephemeral reset link;
- organisation_data: never connected: a question on data the organisation holds; right, the
  temporary password goes over the chosen channel; wrong, or nothing to check, it goes by
  post and the channel only says a letter is on its way;
- postal_code: no e-mail known: a one-time code by post, usable for days;
- assistance: nothing usable: the helpdesk.
An unknown identifier walks the channel and code pages; nothing is sent and no code is
ever right. Every path ends on the same page, and a security answer alone never gives
access: it only sends something to a channel or an address the account already has.
What is sent never takes the current password away: a temporary password waits beside it
(`credentials.issue_pending_temporary`) until it is used, so a stranger who starts an
account's recovery, and answers wrong, changes nothing for its holder.
A temporary password is issued and queued in the transaction of the step that sends it, so
that its message is committed with the answer (a process that dies after answering loses
nothing); codes and links go out beside the answer (`Delivery`). Every step answers after the
same floor (the web layer's), and where no password is issued on a path that could have
issued one, the hash it would have cost is spent all the same.
"""

from __future__ import annotations

import enum
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update

from idp.extensions import db
from idp.models import AuditEvent, RecoveryAttempt, User
from idp.services import audit, civil_data, credentials, users
from idp.services.codes import Check, CodeRules, TooSoon
from idp.services.deliveries import NoAddress, address
from idp.services.hashing import hashes_equal, keyed_hash, new_secret
from idp.services.mailboxes import email_for

if TYPE_CHECKING:
    from idp.runtime import Runtime

log = logging.getLogger(__name__)

CHANNELS = ("email", "sms")
CODE_PURPOSE = "recovery"
POSTAL_PURPOSE = "postal"
# Which fact each category of account can be asked about (MSA's questions).
VERIFICATION_KINDS = {
    "particulier": ("carte_vitale", "prestation"),
    "exploitant": ("facture_cotisations",),
    "entreprise": ("cotisations_salaires",),
}
AMOUNT_KINDS = {"prestation", "facture_cotisations", "cotisations_salaires"}


class Path(enum.StrEnum):
    CHANNELS = "channels"
    SECRET_QUESTION = "secret_question"
    ORGANISATION_DATA = "organisation_data"
    POSTAL_CODE = "postal_code"
    ASSISTANCE = "assistance"
    UNKNOWN = "unknown"
    # "Obtenir son identifiant", at the IBAN step.
    IDENTIFIER = "identifier"


# -- what an account allows ------------------------------------------------------------------


def has_postal_address(user: User) -> bool:
    return bool(user.street_address and user.postal_code and user.locality)


def _applies(path: str, user: User) -> bool:
    reachable = bool(email_for(user) or user.phone)
    if path == "channels":
        return user.last_login_at is not None and reachable
    if path == "secret_question":
        return bool(user.secret_answer_hash) and reachable
    if path == "organisation_data":
        return user.last_login_at is None and has_postal_address(user)
    if path == "postal_code":
        return not email_for(user) and has_postal_address(user)
    return False


def plan(user: User | None, order: str) -> Path:
    if user is None:
        return Path.UNKNOWN
    for path in order.split():
        if _applies(path, user):
            return Path(path)
    return Path.ASSISTANCE


def address_of(user: User, channel: str) -> str | None:
    return email_for(user) if channel == "email" else user.phone if channel == "sms" else None


def reachable_channel(user: User, preferred: str | None) -> str:
    """The channel chosen if the account has an address there, else one it has."""
    for channel in (preferred, "email", "sms"):
        if channel and address_of(user, channel):
            return channel
    return "post"


def mask_email(address: str) -> str:
    """ "sophie@caramail.fr" -> "s****@c****.fr"."""
    local, _, domain = address.partition("@")
    host, _, tld = domain.rpartition(".")
    return f"{local[:1]}****@{host[:1]}****.{tld}"


def mask_phone(e164: str) -> str:
    """ "+33612345612" -> "06 ** ** ** 12" (French numbers; others keep their last 2)."""
    if e164.startswith("+33") and len(e164) == 12:
        return f"0{e164[3]} ** ** ** {e164[-2:]}"
    return f"{e164[:3]} … {e164[-2:]}"


# -- facts the organisation holds (never connected accounts) -------------------------------


def normalise_fact(kind: str, raw: str) -> str:
    """Amounts in cents ("1 234,50 €" -> "123450"); serial numbers as their digits."""
    folded = unicodedata.normalize("NFKC", raw)
    if kind in AMOUNT_KINDS:
        cleaned = "".join(c for c in folded if c.isdigit() or c in ",.")
        euros, _, cents = cleaned.replace(",", ".").rpartition(".")
        if not euros:
            euros, cents = cents, ""
        if len(cents) not in (0, 1, 2) or not euros.isdigit():
            return ""
        return str(int(euros) * 100 + int((cents or "0").ljust(2, "0")))
    return "".join(c for c in folded if c.isalnum()).upper()


def set_fact(user: User, kind: str, value: str, *, hash_key: str) -> None:
    user.verification_kind = kind
    user.verification_value_hash = keyed_hash(hash_key, f"fact:{kind}", normalise_fact(kind, value))


def fact_matches(user: User, answer: str, *, hash_key: str) -> bool:
    if not (user.verification_kind and user.verification_value_hash):
        return False
    normalised = normalise_fact(user.verification_kind, answer)
    candidate = keyed_hash(hash_key, f"fact:{user.verification_kind}", normalised)
    return bool(normalised) and hashes_equal(candidate, user.verification_value_hash)


# -- attempts ---------------------------------------------------------------------------------


def start(identifier: str, *, binding: str, now: int, rt: Runtime) -> RecoveryAttempt:
    """A forgotten-password recovery for the identifier typed, known or not."""
    user = users.find_for_sign_in(identifier, rt.settings.login.identifier)
    path = plan(user, rt.settings.recovery.order)
    attempt = begin(user, path, binding=binding, now=now, rt=rt)
    attempt.identifier_hash = keyed_hash(
        rt.hash_key, "recovery-identifier", users.normalise_identifier(identifier)
    )
    audit.record(
        "recovery_started",
        path.value,
        at=now,
        user_id=user.id if user else None,
        identifier=None if user else identifier[:128],
    )
    return attempt


def begin(user: User | None, path: Path, *, binding: str, now: int, rt: Runtime) -> RecoveryAttempt:
    db.session.execute(delete(RecoveryAttempt).where(RecoveryAttempt.expires_at < now))
    attempt = RecoveryAttempt(
        ref=new_secret(24),
        browser_binding=binding,
        user_id=user.id if user else None,
        path=path.value,
        attempts=0,
        created_at=now,
        expires_at=now + rt.settings.recovery.attempt_minutes * 60,
    )
    db.session.add(attempt)
    return attempt


def load(ref: str | None, *, binding: str, now: int) -> RecoveryAttempt | None:
    if not ref or len(ref) > 64:
        return None
    attempt = db.session.scalar(select(RecoveryAttempt).where(RecoveryAttempt.ref == ref))
    if (
        attempt is None
        or attempt.expires_at <= now
        or attempt.finished_at is not None
        or not hashes_equal(attempt.browser_binding, binding)
    ):
        return None
    return attempt


def user_of(attempt: RecoveryAttempt) -> User | None:
    return db.session.get(User, attempt.user_id) if attempt.user_id else None


def code_rules(rt: Runtime) -> CodeRules:
    settings = rt.settings.recovery
    return CodeRules(
        digits=settings.code_digits,
        ttl_seconds=settings.code_minutes * 60,
        max_attempts=settings.code_max_attempts,
        resend_wait_seconds=settings.resend_wait_seconds,
    )


class Step(enum.StrEnum):
    """The page that follows the channel choice."""

    CODE = "code"
    QUESTION = "question"
    FACT = "fact"
    DONE = "done"
    NEW_PASSWORD = "new_password"
    # BonusEco: "L'ensemble des secrets ... n'étant pas renseigné": nothing to ask, nothing sent.
    ASSISTANCE = "assistance"


# A delivery: work that sends a code or a link, run once the page has been answered (so that
# the answer takes the same time whether something is sent or not), in its own transaction.
Delivery = Callable[["Runtime"], None]


@dataclass(frozen=True)
class Dispatch:
    """What a step sends; `wait_seconds` > 0: nothing, since a code went out moments ago."""

    delivery: Delivery | None = None
    wait_seconds: int = 0


def choose_channel(attempt: RecoveryAttempt, channel: str, *, rt: Runtime) -> tuple[Step, Dispatch]:
    """Record the channel; say which page follows and what is to be sent."""
    attempt.channel = channel
    user = user_of(attempt)
    path = Path(attempt.path)
    if path is Path.SECRET_QUESTION:
        return Step.QUESTION, Dispatch()
    if path is Path.ORGANISATION_DATA and user is not None:
        if user.verification_value_hash:
            return Step.FACT, Dispatch()
        _password_by_post(user, channel, "unverifiable", rt=rt)
        return Step.DONE, Dispatch()
    if path is Path.POSTAL_CODE and user is not None:
        return Step.DONE, Dispatch(partial(_postal_code, user.id))
    if (
        path in (Path.ASSISTANCE, Path.UNKNOWN)
        and "channels" not in rt.settings.recovery.order.split()
    ):
        # No code page for anyone to look like: an account with nothing usable and an
        # unknown identifier read the same assistance page, where a question would be asked.
        return Step.ASSISTANCE, Dispatch()
    return Step.CODE, send_code(attempt, rt=rt)


def _last_sent(attempt: RecoveryAttempt) -> int | None:
    """When a code last went out for the identifier of this attempt, in any attempt."""
    if attempt.identifier_hash is None:
        return attempt.last_sent_at
    return db.session.scalar(
        select(func.max(RecoveryAttempt.last_sent_at)).where(
            RecoveryAttempt.identifier_hash == attempt.identifier_hash
        )
    )


def send_code(attempt: RecoveryAttempt, *, rt: Runtime) -> Dispatch:
    """A new code for the attempt's channel, when the account has an address there.

    Within the resend wait of the identifier (whatever the attempt) nothing is sent, for
    unknown identifiers too, and the attempt waits for the code sent moments ago: the pages
    and their timing never tell whether the account exists.
    """
    now = rt.now()
    last = _last_sent(attempt)
    if last is not None and now - last < rt.settings.recovery.resend_wait_seconds:
        return _wait_for(attempt, last, rt=rt)
    user = user_of(attempt)
    channel = reachable_channel(user, attempt.channel) if user else ""
    address = address_of(user, channel) if user else None
    if Path(attempt.path) is not Path.CHANNELS or user is None or address is None:
        attempt.last_sent_at = now
        return Dispatch()  # nothing to send: the pages go on all the same
    try:
        code = rt.codes.issue(user.id, CODE_PURPOSE, address, rules=code_rules(rt), now=now)
    except TooSoon as too_soon:
        # The account's code went out moments ago, not through this identifier's attempts
        # (two pages at once): the same answer as the wait above.
        wait = rt.settings.recovery.resend_wait_seconds
        return _wait_for(attempt, now - (wait - too_soon.wait_seconds), rt=rt)
    attempt.last_sent_at = now
    return Dispatch(partial(_send_code, user.id, channel, code))


def _wait_for(attempt: RecoveryAttempt, sent_at: int, *, rt: Runtime) -> Dispatch:
    """Nothing new: the attempt waits for the code sent at `sent_at` (its expiry shows)."""
    attempt.last_sent_at = sent_at
    return Dispatch(wait_seconds=rt.settings.recovery.resend_wait_seconds - (rt.now() - sent_at))


def _send_code(user_id: int, channel: str, code: str, rt: Runtime) -> None:
    user = load_user(user_id)
    rt.deliveries.send(
        user, channel, "recovery_code", code=code, minutes=rt.settings.recovery.code_minutes
    )


@dataclass(frozen=True)
class CodeResult:
    outcome: Check
    left: int = 0
    # A right code: the page that follows, and the channel the code went to (the person
    # proved it, so naming it reveals nothing).
    step: Step = Step.DONE
    channel: str = ""
    notice: str | None = None  # MSA: "Un mot de passe temporaire vous a été envoyé par ..."


def check_code(attempt: RecoveryAttempt, code: str, *, rt: Runtime) -> CodeResult:
    """The code of the channels path; for any other attempt no code is right.

    The page shows the tries of this attempt and the expiry of the code it waits for, for
    known and unknown identifiers alike; the account's own count (codes.check) decides
    whether the code is accepted, so a code whose tries are spent stays refused.
    """
    rules = code_rules(rt)
    now = rt.now()
    user = user_of(attempt) if Path(attempt.path) is Path.CHANNELS else None
    # One UPDATE takes the try, so parallel guesses cannot exceed the attempt's allowance.
    tries = db.session.execute(
        update(RecoveryAttempt)
        .where(RecoveryAttempt.id == attempt.id, RecoveryAttempt.attempts < rules.max_attempts)
        .values(attempts=RecoveryAttempt.attempts + 1)
        .returning(RecoveryAttempt.attempts)
    ).scalar()
    if tries is None:
        if user is not None:
            audit.record("recovery_code", Check.EXHAUSTED.value, at=now, user_id=user.id)
        return CodeResult(Check.EXHAUSTED)
    if user is not None:
        result = rt.codes.check(user.id, CODE_PURPOSE, code, rules=rules, now=now)
        audit.record("recovery_code", result.outcome.value, at=now, user_id=user.id)
        if result.outcome is Check.OK:
            return _code_proved(attempt, user, rt=rt)
    if attempt.last_sent_at is None or now >= attempt.last_sent_at + rules.ttl_seconds:
        return CodeResult(Check.EXPIRED)
    left = rules.max_attempts - tries
    return CodeResult(Check.WRONG if left else Check.EXHAUSTED, left)


def _code_proved(attempt: RecoveryAttempt, user: User, *, rt: Runtime) -> CodeResult:
    """A right code proves the channel it went to: `[recovery] after_code` says what follows,
    sent with the answer (only a known account has a right code: its time tells nothing)."""
    channel = reachable_channel(user, attempt.channel)
    after = rt.settings.recovery.after_code
    result = CodeResult(Check.OK, channel=channel)
    if after == "set_password":
        attempt.verified_at = rt.now()
        result = CodeResult(Check.OK, step=Step.NEW_PASSWORD, channel=channel)
    elif after == "link":
        _send_reset_link(user.id, channel, rt)
    else:
        _give_temporary_password(user, channel, rt=rt, reason="code")
        result = CodeResult(Check.OK, channel=channel, notice=f"recovery.temporary_sent_{channel}")
    _unlock(user, rt=rt, how="code")
    return result


# -- what a successful recovery sends ---------------------------------------------------------


def load_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(f"account {user_id} is gone")
    return user


def _unlock(user: User, *, rt: Runtime, how: str) -> None:
    """A successful recovery ends a sign-in lock."""
    if rt.lockout.unlock(user.identifier, now=rt.now()):
        audit.record("unlock", "success", at=rt.now(), user_id=user.id, by=f"recovery:{how}")


def _give_temporary_password(user: User, channel: str, *, rt: Runtime, reason: str) -> bool:
    """A temporary password over `channel`, valid beside the current one until it is used (it
    then has to be personalised) or `postal_code_days` pass (a letter's time). An address the
    message cannot use (a postal code a letter cannot carry) changes nothing: False, logged,
    and the answer is the same page, in the same time."""
    try:
        address(user, channel)
    except NoAddress as exc:
        rt.passwords.verify(None, "")  # the hash the password would have cost
        log.warning(
            "recovery of account %d: no temporary password by %s: %s", user.id, channel, exc
        )
        return False
    days = rt.settings.recovery.postal_code_days
    temporary = credentials.issue_pending_temporary(
        user,
        now=rt.now(),
        hashing=rt.passwords,
        valid_seconds=days * 24 * 3600,
        reason=f"recovery:{reason}",
    )
    rt.deliveries.send_temporary_password(user, temporary, channel=channel, valid_days=days)
    return True


def _password_by_post(user: User, channel: str, reason: str, *, rt: Runtime) -> None:
    """The password by letter; a channel the account has (the chosen one first) only says
    that a letter is on its way. Anyone may have asked: no sign-in lock ends here (it ends
    by itself long before the letter arrives)."""
    if _letter_posted_today(user, rt=rt):
        # The letter posted moments ago stands: a new one would void it (and anyone could
        # have the organisation post letters without end). The answer costs the hash all the
        # same: its time must not tell a right answer on the organisation's data from a wrong.
        rt.passwords.verify(None, "")
        audit.record("recovery_letter", "already_posted", at=rt.now(), user_id=user.id)
        return
    if _give_temporary_password(user, "post", rt=rt, reason=reason):
        rt.deliveries.send_letter_notice(user, reachable_channel(user, channel))


def _letter_posted_today(user: User, *, rt: Runtime) -> bool:
    """A temporary password of a recovery, issued less than a day ago, still waits."""
    expires = user.pending_password_expires_at
    if not user.pending_password_hash or expires is None:
        return False
    issued = expires - rt.settings.recovery.postal_code_days * 24 * 3600
    return rt.now() - issued < 24 * 3600


def _postal_code(user_id: int, rt: Runtime) -> None:
    """ASSU2000: no e-mail known: a one-time security code by post, usable for days."""
    user = load_user(user_id)
    rules = postal_code_rules(rt)
    try:
        code = rt.codes.issue(user.id, POSTAL_PURPOSE, "post", rules=rules, now=rt.now())
    except TooSoon:
        return  # a letter was posted moments ago
    rt.deliveries.send_postal_code(user, code, days=rt.settings.recovery.postal_code_days)


def postal_code_rules(rt: Runtime) -> CodeRules:
    settings = rt.settings.recovery
    return CodeRules(
        digits=settings.code_digits,
        ttl_seconds=settings.postal_code_days * 24 * 3600,
        max_attempts=settings.code_max_attempts,
        resend_wait_seconds=24 * 3600,  # at most one letter a day
    )


def _send_reset_link(user_id: int, channel: str, rt: Runtime) -> None:
    user = load_user(user_id)
    rt.deliveries.send_reset_link(user, rt.reset_links.link_token(user), channel=channel)


def answer_secret(attempt: RecoveryAttempt, answer: str, *, rt: Runtime) -> Delivery | None:
    """Right: a reset link to the account's channel. Wrong: nothing, and it counts."""
    from idp.services.secret_question import answer_matches

    user = user_of(attempt)
    if user is None:
        return None
    now = rt.now()
    reservation = rt.answer_lockout.reserve(user.identifier, now=now)
    if reservation.refusal is not None:
        audit.record("recovery_answer", "locked", at=now, user_id=user.id)
        return None
    if not answer_matches(user, answer, hash_key=rt.hash_key):
        rt.answer_lockout.fail(reservation, now=now)
        audit.record("recovery_answer", "wrong", at=now, user_id=user.id)
        return None
    if not rt.answer_lockout.succeed(reservation, now=now):
        audit.record("recovery_answer", "locked", at=now, user_id=user.id)
        return None
    audit.record("recovery_answer", "right", at=now, user_id=user.id)
    return partial(_send_reset_link, user.id, reachable_channel(user, attempt.channel))


def answer_fact(attempt: RecoveryAttempt, answer: str, *, rt: Runtime) -> None:
    """MSA case 2. Right: the temporary password over the chosen channel and a sign-in lock
    ends. Wrong: the password by post. Queued with the answer, whose page is the same."""
    user = user_of(attempt)
    if user is None:
        return
    channel = reachable_channel(user, attempt.channel)
    right = fact_matches(user, answer, hash_key=rt.hash_key)
    audit.record("recovery_fact", "right" if right else "wrong", at=rt.now(), user_id=user.id)
    if right and channel != "post":
        _give_temporary_password(user, channel, rt=rt, reason="fact")
        _unlock(user, rt=rt, how="fact")
    else:
        _password_by_post(user, channel, "fact" if right else "fact_wrong", rt=rt)


def finish(attempt: RecoveryAttempt, *, now: int) -> None:
    attempt.finished_at = now


# -- forgotten identifier (ASSU2000) ----------------------------------------------------------

LOOKUP_EVENT = "identifier_lookup"
LOOKUP_ALERT_EVENT = "identifier_lookup_alert"


class Lookup(enum.StrEnum):
    """How an "Obtenir son identifiant" try ended (the audit outcome)."""

    FOUND_EMAIL = "found_email"
    FOUND_NO_EMAIL = "found_no_email"
    NOT_FOUND = "not_found"
    INVALID_NUMBER = "invalid_number"
    CAPTCHA_FAILED = "captcha_failed"


# The tries that searched the accounts: what an IP trying many numbers learns from.
SEARCHED = (Lookup.FOUND_EMAIL, Lookup.FOUND_NO_EMAIL, Lookup.NOT_FOUND)


def look_up_identifier(
    nir: str,
    birth_date: str,
    postal_code: str,
    *,
    captcha_passed: bool,
    ip: str | None,
    rt: Runtime,
) -> tuple[Lookup, User | None]:
    """The account these civil data name, audited whatever the outcome.

    A match with an e-mail is answered with its masked address (as ASSU2000 asks), so every
    try is recorded (the number as a keyed hash) and one IP address trying many different
    numbers raises an alert.
    """
    user = None
    if not captcha_passed:
        outcome = Lookup.CAPTCHA_FAILED
    else:
        try:
            user = civil_data.find_by_civil_data(nir, birth_date, postal_code, hash_key=rt.hash_key)
        except civil_data.InvalidNumber:
            outcome = Lookup.INVALID_NUMBER
        else:
            if user is None:
                outcome = Lookup.NOT_FOUND
            else:
                outcome = Lookup.FOUND_EMAIL if email_for(user) else Lookup.FOUND_NO_EMAIL
    now = rt.now()
    audit.record(
        LOOKUP_EVENT,
        outcome.value,
        at=now,
        user_id=user.id if user else None,
        ip=ip,
        nir_hash=civil_data.lookup_key(nir, hash_key=rt.hash_key),
    )
    if outcome in SEARCHED and ip:
        _alert_on_many_numbers(ip, now=now, rt=rt)
    return outcome, user


def _alert_on_many_numbers(ip: str, *, now: int, rt: Runtime) -> None:
    """One alert per window when an IP address has searched more numbers than allowed.

    Counted from the audit table, so that every worker sees the same count.
    """
    settings = rt.settings.recovery
    since = now - settings.identifier_alert_minutes * 60
    recent = (AuditEvent.ip == ip, AuditEvent.at > since)
    distinct_numbers = func.count(func.distinct(AuditEvent.detail["nir_hash"].as_string()))
    numbers = db.session.scalar(
        select(distinct_numbers).where(
            AuditEvent.event == LOOKUP_EVENT,
            AuditEvent.outcome.in_([o.value for o in SEARCHED]),
            *recent,
        )
    )
    if (numbers or 0) <= settings.identifier_alert_nirs:
        return
    alerted = db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.event == LOOKUP_ALERT_EVENT, *recent).limit(1)
    )
    if alerted is None:
        audit.record(LOOKUP_ALERT_EVENT, "many_numbers", at=now, ip=ip, numbers=numbers)
        log.warning(
            "identifier lookup: %s searched %d different NIRs in %d min",
            ip,
            numbers,
            settings.identifier_alert_minutes,
        )


# -- the postal code (ASSU2000) and the reset link ------------------------------------------


def check_postal_code(identifier: str, code: str, *, rt: Runtime) -> User | None:
    """The account whose letter carried this code; None otherwise (a try is spent)."""
    user = users.find_for_sign_in(identifier, rt.settings.login.identifier)
    if user is None:
        return None
    result = rt.codes.check(
        user.id, POSTAL_PURPOSE, code, rules=postal_code_rules(rt), now=rt.now()
    )
    audit.record("recovery_postal_code", result.outcome.value, at=rt.now(), user_id=user.id)
    return user if result.outcome is Check.OK else None


def set_new_password(
    user: User, new_password: str, confirmation: str, *, rt: Runtime, how: str
) -> list[str]:
    """The password chosen at the end of a recovery (postal code, reset link, e-mail or SMS
    code under `after_code = "set_password"`)."""
    problems = credentials.check_new_password(
        user, new_password, confirmation, hashing=rt.passwords, settings=rt.settings.password
    )
    if problems:
        return problems
    credentials.replace_password(
        user,
        new_password,
        now=rt.now(),
        hashing=rt.passwords,
        temporary=False,
        keep_sid=None,
        reason=f"recovery:{how}",
        deliveries=rt.deliveries,
    )
    _unlock(user, rt=rt, how=how)
    return []


@dataclass(frozen=True)
class IbanResult:
    """The account the IBAN's last characters showed (None: not shown), and the tries left."""

    user: User | None
    left: int


def check_iban_tail(attempt: RecoveryAttempt, tail: str, *, rt: Runtime) -> IbanResult:
    """No e-mail known: the last characters of the IBAN on file show the identifier.

    Tries are `[recovery] code_max_attempts` per attempt, counted alike whether or not the
    civil data matched an account (the page tells nothing more than a wrong answer). One
    UPDATE takes the try before the answer is read, so parallel guesses cannot exceed it.
    """
    allowed = rt.settings.recovery.code_max_attempts
    tries = db.session.execute(
        update(RecoveryAttempt)
        .where(RecoveryAttempt.id == attempt.id, RecoveryAttempt.attempts < allowed)
        .values(attempts=RecoveryAttempt.attempts + 1)
        .returning(RecoveryAttempt.attempts)
    ).scalar()
    if tries is None:
        return IbanResult(None, 0)
    user = user_of(attempt) if Path(attempt.path) is Path.IDENTIFIER else None
    if user is not None and civil_data.iban_tail_matches(user, tail, hash_key=rt.hash_key):
        finish(attempt, now=rt.now())
        return IbanResult(user, allowed - tries)
    return IbanResult(None, allowed - tries)
