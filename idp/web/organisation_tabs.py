"""The "Modifier" tabs of "Gestion des comptes" (seed 003): Identité, Options, Facturation and
Mot de passe, for the signed-in member's own account (`/account/organisation/account/<tab>`)
and for a secondary account its primary manages (`/secondaries/<identifier>/<tab>`).

Every rule lives in `idp.services`; these views read the form, call the services and show
their refusals beside the fields, keeping what was typed. A secondary URL answers 404 unless
it names one of the signed-in primary's secondaries (`own_secondary`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from idp.extensions import db, limiter
from idp.i18n import text
from idp.models import Organisation, OrganisationAccount, Service, User
from idp.runtime import runtime
from idp.services import credentials, organisations, subscriptions
from idp.services.organisations import IDENTITY_FIELDS, Identity, OrganisationError
from idp.web.account import ChangePasswordForm, change_own_password
from idp.web.flashes import flash
from idp.web.organisation import day_of
from idp.web.organisation_access import (
    confirm_recent_sign_in,
    own_secondary,
    recent_sign_in,
    requires_member,
    requires_primary,
)
from idp.web.password import NewPasswordForm

bp = Blueprint("organisation_tabs", __name__, url_prefix="/account/organisation")

TABS = ("identity", "options", "billing", "password")
CONTACTS = ("technical", "administrative")
ADDRESS_FIELDS = organisations.ADDRESS_FIELDS

# A refusal shown beside a field: (message key, its parameters), by field name.
Problems = dict[str, tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Target:
    """The account a tab shows: the signed-in member's own, or a secondary it manages."""

    member: OrganisationAccount
    user: User
    managed: bool

    @property
    def tabs(self) -> tuple[str, ...]:
        # "Facturation" is the primary's alone: a secondary is billed through it.
        return tuple(t for t in TABS if t != "billing" or self.member.is_primary)

    def url(self, tab: str) -> str:
        """The tab's address, in the language the page was asked in (`?ui_locales=`)."""
        language: dict[str, Any] = (
            {"ui_locales": request.args["ui_locales"]} if "ui_locales" in request.args else {}
        )
        if self.managed:
            return url_for(
                f"organisation_tabs.secondary_{tab}", identifier=self.user.identifier, **language
            )
        return url_for(f"organisation_tabs.own_{tab}", **language)


def _tab(name: str, *, limit: str | None = None) -> Callable[[Callable[[Target], Any]], Any]:
    """Register a tab twice: the member's own account, and a secondary its primary manages."""

    def register(view: Callable[[Target], ResponseReturnValue]) -> Callable[[Target], Any]:
        @requires_member
        def own() -> ResponseReturnValue:
            return view(Target(g.member, g.user, managed=False))

        @requires_primary
        def secondary(identifier: str) -> ResponseReturnValue:
            member = own_secondary(identifier)
            return view(Target(member, organisations.user_of(member), managed=True))

        for endpoint, rule, function in (
            (f"own_{name}", f"/account/{name}", own),
            (f"secondary_{name}", f"/secondaries/<identifier>/{name}", secondary),
        ):
            function.__name__ = endpoint
            if limit:
                function = limiter.limit(limit, methods=["POST"])(function)
            bp.add_url_rule(rule, endpoint, function, methods=["GET", "POST"])
        return view

    return register


def _render(template: str, target: Target, tab: str, **context: Any) -> str:
    db.session.commit()
    return render_template(
        f"organisation_tabs/{template}",
        target=target,
        tab=tab,
        header=_header(target),
        **context,
    )


def _header(target: Target) -> dict[str, str]:
    """The seed's header: N° Dossier, Login, Profil, Type, Statut, Création."""
    organisation = organisations.organisation_of(target.member)
    state = (
        organisation.status
        if target.member.is_primary
        else organisations.account_state(target.user)
    )
    return {
        "dossier": organisation.dossier,
        "login": target.user.identifier,
        "profile": target.member.role,
        "kind": target.member.kind,
        "status": state,
        "created": day_of(target.member.created_at),
    }


def _saved(target: Target, tab: str) -> ResponseReturnValue:
    db.session.commit()
    flash(("status", "org_tabs.saved", {}))
    return redirect(target.url(tab), code=303)


def _by() -> str:
    return str(g.user.identifier)


# -- Identité --------------------------------------------------------------------------------


@_tab("identity")
def identity(target: Target) -> ResponseReturnValue:
    """Every field of the company identity; "Copier les informations du responsable" fills a
    contact from the responsible's typed name, e-mail and phone without saving."""
    rt = runtime()
    kinds = rt.settings.organisations.type_list
    problems: Problems = {}
    copied = None
    if request.method == "GET":
        values = dataclasses.asdict(Identity.of(target.member))
    else:
        values = {name: request.form.get(name, "") for name in IDENTITY_FIELDS}
        copied = request.form.get("copy")
        if copied in CONTACTS:
            values.update(_responsible_as(copied, values))
        else:
            copied = None
            wanted = Identity(**values)
            problems = {
                field: (key, {})
                for field, key in organisations.check_identity(wanted, kinds=kinds).items()
            }
            if not problems:
                organisations.update_identity(
                    target.member, wanted, kinds=kinds, now=rt.now(), by=_by()
                )
                return _saved(target, "identity")
    return _render(
        "identity.html",
        target,
        "identity",
        values=values,
        problems=problems,
        copied=copied,
        kinds=_pairs(kinds),
        civilities=[(c, text(f"org_tabs.civility.{c}")) for c in organisations.CIVILITIES],
        suffixes=_pairs(organisations.STREET_SUFFIXES),
    )


def _pairs(values: tuple[str, ...]) -> list[tuple[str, str]]:
    """A select's (value, label) options, where the label is the value."""
    return [(value, value) for value in values]


def _responsible_as(contact: str, values: dict[str, str]) -> dict[str, str]:
    """The seed's copy: "Pierre DUPONT", the responsible's e-mail and phone, as typed."""
    name = " ".join(v.strip() for v in (values["first_name"], values["last_name"]) if v.strip())
    return {
        f"{contact}_name": name,
        f"{contact}_email": values["email"],
        f"{contact}_phone": values["phone"],
    }


# -- Options ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceRow:
    service: Service
    checked: bool
    document_types: frozenset[str]


def _offered(target: Target) -> list[Service]:
    """A primary chooses from the whole catalogue; a secondary among its primary's."""
    if target.member.is_primary:
        return subscriptions.all_services()
    return subscriptions.organisation_services(organisations.organisation_of(target.member))


def _rows_from_account(target: Target, offered: list[Service]) -> list[ServiceRow]:
    held = subscriptions.subscriptions_of(target.user.id)
    rows = []
    for service in offered:
        row = held.get(service.id)
        chosen = frozenset((row.document_types or service.document_types) if row else ())
        rows.append(ServiceRow(service, row is not None, chosen))
    return rows


def _rows_from_form(offered: list[Service], *, all_checked: bool = False) -> list[ServiceRow]:
    ticked = set(request.form.getlist("service"))
    return [
        ServiceRow(
            service,
            all_checked or str(service.id) in ticked,
            frozenset(request.form.getlist(f"doctypes-{service.id}")),
        )
        for service in offered
    ]


def _choice() -> subscriptions.Choice:
    """The services ticked, with their document types; a value that is no service id is
    refused as an unknown service (only a tampered form sends one)."""
    ids = set()
    for value in request.form.getlist("service"):
        if not _whole_number(value):
            raise OrganisationError("org.service_unknown", code=value[:32])
        ids.add(int(value))
    types = {i: tuple(request.form.getlist(f"doctypes-{i}")) for i in ids}
    return subscriptions.Choice(frozenset(ids), types)


def _whole_number(value: str) -> bool:
    """ASCII digits that fit the database's integers (never a 500 on "²" or "9" * 30)."""
    return value.isascii() and value.isdigit() and len(value) <= 9


@_tab("options")
def options(target: Target) -> ResponseReturnValue:
    """Quota and services (primary), mailbox, autonomy and services (a managed secondary),
    services (an autonomous secondary). Every save needs a recent sign-in."""
    member = target.member
    editable = target.managed or subscriptions.may_choose_own_services(member)
    offered = _offered(target)
    organisation = organisations.organisation_of(member)
    problems: Problems = {}
    notice = None
    if request.method == "GET":
        rows = _rows_from_account(target, offered)
        values = {
            "quota": str(organisation.secondary_quota),
            "mailbox": "on" if member.has_mailbox else "",
            "mailbox_email": (target.user.email or "") if target.managed else "",
            "autonomous": "on" if member.autonomous else "",
        }
    else:
        select_all = "select_all" in request.form
        rows = _rows_from_form(offered, all_checked=select_all)
        values = {
            name: request.form.get(name, "")
            for name in ("quota", "mailbox", "mailbox_email", "autonomous")
        }
        if select_all:
            notice = "org_tabs.all_selected"
        else:
            reauth = confirm_recent_sign_in()
            db.session.commit()  # a confirmed password, or a failure counted, stays
            if reauth is not None:
                problems["current_password"] = (reauth, {})
            else:
                problems, notices = _save_options(target, organisation, values)
                if not problems:
                    for queued in notices:
                        flash(queued)
                    return _saved(target, "options")
                db.session.rollback()
    return _render(
        "options.html",
        target,
        "options",
        rows=rows,
        editable=editable,
        values=values,
        problems=problems,
        notice=notice,
        used=organisations.mailbox_count(organisation.id),
        reauth_needed=not recent_sign_in(),
    )


Notice = tuple[str, str, dict[str, Any]]  # (role: "status" or "alert", key, parameters)


def _save_options(
    target: Target, organisation: Organisation, values: dict[str, str]
) -> tuple[Problems, list[Notice]]:
    """Apply the tab's changes: the refusals by field (the caller rolls back if any), and what
    the next page must say."""
    rt = runtime()
    member, now = target.member, rt.now()
    problems: Problems = {}
    notices: list[Notice] = []
    if target.managed:
        mailbox_problems, reset = _save_mailbox(member, values)
        problems.update(mailbox_problems)
        if reset:
            notices.append(("alert", "org_tabs.mailbox_warning", {}))
        try:
            subscriptions.set_autonomous(
                member, values["autonomous"] == "on", acting=g.member, now=now
            )
        except OrganisationError as refusal:
            problems["autonomous"] = (refusal.key, refusal.params)
    elif member.is_primary:
        quota = values["quota"].strip()
        if not _whole_number(quota):
            problems["quota"] = ("org_tabs.quota_invalid", {})
        else:
            try:
                organisations.set_quota(organisation, int(quota), now=now, by=_by())
            except OrganisationError as refusal:
                problems["quota"] = (refusal.key, refusal.params)
    try:
        dropped = subscriptions.set_services(member, _choice(), acting=g.member, now=now)
    except OrganisationError as refusal:
        problems["services"] = (refusal.key, refusal.params)
        return problems, notices
    notices += [
        ("status", "org_tabs.service_removed", {"code": code, "n": count})
        for code, count in dropped.items()
    ]
    return problems, notices


def _save_mailbox(member: OrganisationAccount, values: dict[str, str]) -> tuple[Problems, bool]:
    """ "Créer une boîte mail"; True when it put the account through a password reset (the
    seed's non-blocking warning on the next page)."""
    wanted = values["mailbox"] == "on"
    address = values["mailbox_email"].strip()
    if wanted and not address:
        return {"mailbox_email": ("org_tabs.mailbox_email_required", {})}, False
    try:
        reset = organisations.set_mailbox(
            member, address if wanted else None, now=runtime().now(), by=_by()
        )
    except OrganisationError as refusal:
        field = "mailbox_email" if refusal.key == "org.email_invalid" else "mailbox"
        return {field: (refusal.key, refusal.params)}, False
    return {}, reset


# -- Facturation -----------------------------------------------------------------------------

# Where a billing refusal without a field of its own is shown.
_BILLING_PROBLEM_FIELDS = {
    "org.street_suffix_unknown": "street_suffix",
    "org.billing_address_incomplete": "billing_address",
}


@_tab("billing")
def billing(target: Target) -> ResponseReturnValue:
    """The primary's billing address: the responsible's, or another one."""
    if not target.member.is_primary:
        abort(404)
    organisation = organisations.organisation_of(target.member)
    problems: Problems = {}
    if request.method == "GET":
        address = organisation.billing_address or {}
        values = {name: address.get(name) or "" for name in ADDRESS_FIELDS}
        values["use_responsible"] = "on" if organisation.billing_uses_responsible_address else ""
    else:
        values = {name: request.form.get(name, "") for name in (*ADDRESS_FIELDS, "use_responsible")}
        try:
            organisations.update_billing(
                organisation,
                use_responsible_address=values["use_responsible"] == "on",
                address=values,
                now=runtime().now(),
                by=_by(),
            )
        except OrganisationError as refusal:
            field = refusal.params.get("field") or _BILLING_PROBLEM_FIELDS.get(refusal.key)
            problems[field or "billing_address"] = (refusal.key, {})
        else:
            return _saved(target, "billing")
    billing_date = organisation.billing_date
    return _render(
        "billing.html",
        target,
        "billing",
        values=values,
        problems=problems,
        billing_date="/".join(reversed(billing_date.split("-"))) if billing_date else None,
        suffixes=_pairs(organisations.STREET_SUFFIXES),
    )


# -- Mot de passe ----------------------------------------------------------------------------


@_tab("password", limit="10/minute")
def password(target: Target) -> ResponseReturnValue:
    """Own: today's change (current, new, confirmation). A secondary's, by its primary: new and
    confirmation only, a temporary password its holder personalises at the next sign-in."""
    if target.managed:
        return _secondary_password(target)
    form = ChangePasswordForm()
    problems: list[str] = []
    if form.validate_on_submit():
        problems = change_own_password(form)
        if not problems:
            db.session.commit()
            flash(("status", "account.password_done", {}))
            return redirect(target.url("password"), code=303)
    elif form.errors:
        problems = ["login.required"]
    return _render("password.html", target, "password", form=form, problems=problems)


def _secondary_password(target: Target) -> ResponseReturnValue:
    rt = runtime()
    form = NewPasswordForm()
    problems: list[str] = []
    reauth = None
    if form.validate_on_submit():
        reauth = confirm_recent_sign_in()
        db.session.commit()  # a confirmed password, or a failure counted, stays
        if reauth is None:
            problems = credentials.change_password(
                target.user,
                form.new_password.data,
                form.confirmation.data,
                now=rt.now(),
                hashing=rt.passwords,
                settings=rt.settings.password,
                keep_sid=None,
                deliveries=rt.deliveries,
                reason=f"primary:{_by()}",  # the audit says which primary did it
                ip=request.remote_addr,
                temporary=True,
            ).problems
            if not problems:
                db.session.commit()
                flash(
                    (
                        "status",
                        "org_tabs.password_set_secondary",
                        {"identifier": target.user.identifier},
                    )
                )
                return redirect(target.url("password"), code=303)
    elif form.errors:
        problems = ["login.required"]
    return _render(
        "password.html",
        target,
        "password",
        form=form,
        problems=problems,
        reauth_needed=not recent_sign_in(),
        reauth_problem=reauth,
    )
