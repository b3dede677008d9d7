"""ASPOne's "Gestion des comptes" (seed 003): the signed-in member's summary and, for a primary
account, its secondary accounts: search, sort and pages, creation, deactivation (the red
cross) and reactivation (the state icon).

Every account named in a URL goes through `own_secondary` (404 for any other). Deactivating
is immediate, since it cuts access (a compromised account must be stopped at once); what
gives rights (reactivating, creating with services) needs a recent sign-in.
The "Modifier" tabs are another blueprint (`organisation_tabs`): `tabs_url` links to them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from babel.dates import format_date
from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import BooleanField, RadioField, StringField

from idp.extensions import db, limiter
from idp.i18n import current_locale
from idp.models import OrganisationAccount, User
from idp.runtime import runtime
from idp.services import credentials, organisations, subscriptions
from idp.services.deliveries import NoAddress
from idp.services.mailboxes import email_for
from idp.services.organisations import NewSecondary, OrganisationError, SecondaryFilter
from idp.web.flashes import flash
from idp.web.listing import list_query, list_url, page_number
from idp.web.organisation_access import (
    confirm_recent_sign_in,
    own_secondary,
    recent_sign_in,
    requires_member,
    requires_primary,
)
from idp.web.password import NewPasswordForm

bp = Blueprint("organisation", __name__, url_prefix="/account/organisation")

FILTERS = tuple(f.name for f in dataclasses.fields(SecondaryFilter))
# The list's query: sort links, pages and the actions' redirects keep it.
LIST_ARGS = (*FILTERS, "sort", "order", "page")
# The sortable columns of the table, in the seed's order: (sort key, message key).
COLUMNS = (
    ("name", "orgpages.col_name"),
    ("kind", "orgpages.kind"),
    ("siret", "orgpages.siret"),
    ("company_name", "orgpages.company_name"),
    ("responsible", "orgpages.responsible"),
    ("state", "orgpages.organisation_status"),
    ("mailbox", "orgpages.col_mailbox"),
)
CIVILITIES = {"M.": "orgpages.mister", "Mme": "orgpages.madam"}
PASSWORD, INVITATION = "password", "invitation"
# After an action the list opens at its confirmation: keyboard and screen reader start there.
NOTICES = "#notices"
# What is wrong with a typed form: field name -> (message key, its parameters).
Problems = dict[str, tuple[str, dict[str, Any]]]
# Where a refusal of the services is shown on the creation form (else above the form).
_FIELD_OF_PROBLEM = {
    "org.secondary_name_invalid": "name",
    "org.secondary_name_taken": "name",
    "org.quota_reached": "email",
    "org.email_invalid": "email",
    "org.service_unknown": "services",
    "org.service_beyond_primary": "services",
    "org.document_type_unknown": "services",
}


def tabs_url(identifier: str | None = None) -> str:
    """The "Modifier" tabs: the signed-in account's own (None), or one of its secondaries'."""
    if identifier is None:
        return url_for("organisation_tabs.own_identity")
    return url_for("organisation_tabs.secondary_identity", identifier=identifier)


def _list_query(source: Mapping[str, str]) -> dict[str, str]:
    return list_query(source, LIST_ARGS)


def _list_url(query: Mapping[str, str], **changes: Any) -> str:
    return list_url("organisation.index", query, **changes)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"tabs_url": tabs_url, "civilities": CIVILITIES}


@bp.app_template_global()
def is_organisation_member(user: User) -> bool:
    """For "Mon compte": whether to show the "Gestion des comptes" link."""
    return organisations.membership(user.id) is not None


def day_of(timestamp: int) -> str:
    """ "5 décembre 2026": the creation date both the summary and the tabs show."""
    day = datetime.fromtimestamp(timestamp, UTC).date()
    return format_date(day, "d MMMM y", locale=current_locale())


@bp.get("")
@requires_member
def index() -> str:
    """The summary of the signed-in account; a primary's also lists its secondary accounts."""
    member: OrganisationAccount = g.member
    organisation = organisations.organisation_of(member)
    context: dict[str, Any] = {
        "member": member,
        "user": g.user,
        "organisation": organisation,
        "created_on": day_of(organisation.created_at),
    }
    if not member.is_primary:
        primary = organisations.user_of(organisations.primary_of(member))
        db.session.commit()
        return render_template("organisation/secondary.html", primary=primary, **context)
    settings = runtime().settings.organisations
    query = _list_query(request.args)
    sort = query.get("sort", "name")
    if sort not in organisations.SORTS:
        sort = "name"
    descending = query.get("order") == "desc"
    found = organisations.search_secondaries(
        member,
        SecondaryFilter(**{name: query.get(name, "") for name in FILTERS}),
        sort=sort,
        descending=descending,
        page=page_number(query.get("page")),
        page_size=settings.page_size,
    )
    used = organisations.mailbox_count(organisation.id)
    db.session.commit()
    return render_template(
        "organisation/index.html",
        query=query,
        found=found,
        sort=sort,
        descending=descending,
        columns=COLUMNS,
        kinds=settings.type_list,
        list_url=lambda **changes: _list_url(query, **changes),
        mailbox_use={"used": used, "quota": organisation.secondary_quota},
        **context,
    )


@bp.post("/secondaries/<identifier>/deactivate")
@requires_primary
def deactivate(identifier: str) -> Response:
    """The red cross: at once, no password asked (stopping a compromised account is urgent)."""
    rt = runtime()
    secondary = own_secondary(identifier)
    organisations.deactivate(secondary, now=rt.now(), by=g.user.identifier)
    db.session.commit()
    flash(("orgpages.deactivated", {"identifier": identifier}), "status")
    return redirect(_list_url(_list_query(request.form)) + NOTICES, code=303)


@bp.post("/secondaries/<identifier>/invite")
@limiter.limit("10/minute")
@requires_primary
def invite(identifier: str) -> Response:
    """ "Renvoyer l'invitation": for an account still without a password (its invitation was
    lost, expired or could not be sent). A new link replaces the old one."""
    secondary = own_secondary(identifier)
    user = organisations.user_of(secondary)
    if user.password_hash is None and user.is_active:
        _invite(user)
    else:
        flash(("orgpages.invitation_not_needed", {"identifier": identifier}), "status")
    db.session.commit()
    return redirect(_list_url(_list_query(request.form)) + NOTICES, code=303)


@bp.post("/secondaries/<identifier>/reactivate")
@limiter.limit("10/minute")
@requires_primary
def reactivate(identifier: str) -> Response | str:
    """The state icon: gives rights back, so a stale sign-in first confirms the password."""
    rt = runtime()
    secondary = own_secondary(identifier)
    query = _list_query(request.form)
    problem = confirm_recent_sign_in()
    db.session.commit()  # a wrong password counts against the lockout
    if problem is not None:
        asked = "current_password" in request.form
        return render_template(
            "organisation/reactivate.html",
            identifier=identifier,
            query=query,
            back=_list_url(query),
            reauth_problem=problem if asked else None,
        )
    organisations.reactivate(secondary, now=rt.now(), by=g.user.identifier)
    db.session.commit()
    flash(("orgpages.reactivated", {"identifier": identifier}), "status")
    return redirect(_list_url(query) + NOTICES, code=303)


class NewSecondaryForm(NewPasswordForm):
    """ "Créer un compte secondaire". Read, not validated by WTForms: `_form_problems` says
    what is wrong field by field (the password fields count only when it is set now)."""

    name = StringField()
    way_in = RadioField(choices=[PASSWORD, INVITATION], default=PASSWORD, validate_choice=False)
    mailbox = BooleanField()
    email = StringField()
    autonomous = BooleanField()

    @property
    def invites(self) -> bool:
        return self.way_in.data == INVITATION


def _submitted_choice() -> subscriptions.Choice:
    """The ticked services and, for each, its ticked document types. Ids are not checked
    here: `subscriptions.set_services` refuses any beyond the primary's."""
    ids = frozenset(
        int(value)
        for value in request.form.getlist("services")
        if value.isdigit() and len(value) <= 9
    )
    return subscriptions.Choice(
        service_ids=ids,
        document_types={i: tuple(request.form.getlist(f"document_types-{i}")) for i in ids},
    )


def _form_problems(
    form: NewSecondaryForm, primary: OrganisationAccount
) -> tuple[Problems, list[str]]:
    """What is wrong with the typed values (by field), and the new password's problems."""
    rt = runtime()
    problems: Problems = {}
    identifier = ""
    if not (form.name.data or "").strip():
        problems["name"] = ("orgpages.name_required", {})
    else:
        try:
            identifier = organisations.secondary_identifier(primary, form.name.data)
        except OrganisationError as refused:
            problems["name"] = (refused.key, refused.params)
    email = (form.email.data or "").strip() if form.mailbox.data else ""
    if form.mailbox.data and not email:
        problems["email"] = ("orgpages.email_required", {})
    if form.invites:
        return problems, []
    candidate = User(identifier=identifier, email=email or None)
    return problems, credentials.check_new_password(
        candidate,
        form.new_password.data or "",
        form.confirmation.data or "",
        hashing=rt.passwords,
        settings=rt.settings.password,
    )


def _create(
    form: NewSecondaryForm, primary: OrganisationAccount, choice: subscriptions.Choice
) -> User:
    """The account and its services, in one transaction (the caller commits)."""
    rt = runtime()
    now = rt.now()
    user = organisations.add_secondary(
        primary,
        NewSecondary(
            name=form.name.data,
            email=form.email.data.strip() if form.mailbox.data else None,
            autonomous=bool(form.autonomous.data),
        ),
        kinds=rt.settings.organisations.type_list,
        now=now,
        by=g.user.identifier,
        hashing=rt.passwords,
        password=None if form.invites else form.new_password.data,
    )
    secondary = organisations.membership(user.id)
    assert secondary is not None
    subscriptions.set_services(secondary, choice, acting=primary, now=now)
    return user


def _invite(user: User) -> None:
    """After the commit: the invitation goes to the account's mailbox, or to the primary's
    responsible when it has none (`mailboxes.email_for`)."""
    try:
        runtime().deliveries.send_invitation(user)
    except NoAddress:
        flash(("orgpages.invitation_failed", {}), "error")
        return
    db.session.commit()
    flash(("orgpages.invitation_sent", {"address": email_for(user)}), "status")


@bp.route("/secondaries/new", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"])
@requires_primary
def create() -> Response | str:
    primary: OrganisationAccount = g.member
    organisation = organisations.organisation_of(primary)
    offered = subscriptions.organisation_services(organisation)
    form = NewSecondaryForm()
    choice = subscriptions.Choice(frozenset(), {})
    problems: Problems = {}
    password_problems: list[str] = []
    reauth_problem = None
    if form.is_submitted():  # CSRF is checked for every POST (CSRFProtect)
        choice = _submitted_choice()
        reauth_problem = confirm_recent_sign_in()
        db.session.commit()  # a wrong password counts; a right one makes the sign-in recent
        problems, password_problems = _form_problems(form, primary)
        if reauth_problem is None and not problems and not password_problems:
            try:
                user = _create(form, primary, choice)
            except OrganisationError as refused:
                db.session.rollback()
                problems[_FIELD_OF_PROBLEM.get(refused.key, "form")] = (refused.key, refused.params)
            else:
                db.session.commit()
                flash(("orgpages.created", {"identifier": user.identifier}), "status")
                if form.invites:
                    _invite(user)
                return redirect(url_for("organisation.index") + NOTICES, code=303)
    used = organisations.mailbox_count(organisation.id)
    suffix = organisations.user_of(primary).identifier
    db.session.commit()
    return render_template(
        "organisation/create.html",
        form=form,
        suffix=suffix,
        offered=offered,
        choice=choice,
        problems=problems,
        password_problems=password_problems,
        reauth_needed=not recent_sign_in(),
        reauth_problem=reauth_problem,
        mailbox_use={"used": used, "quota": organisation.secondary_quota},
    )
