"""The console's "Services et organisations": the catalogue of services ("téléprocédures") and
the applications each opens; the organisations, their validation, closing, reopening and quota.

Thin: every rule is the one the CLI applies (`idp.services.organisations` and
`idp.services.subscriptions`), every change audited there with the acting staff member.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from idp.extensions import db
from idp.models import Organisation, Service
from idp.models.organisation import ORGANISATION_STATUSES
from idp.runtime import runtime
from idp.services import organisations, staff, subscriptions
from idp.services.organisations import Identity, OrganisationError
from idp.web.admin.access import actor, console_blueprint, requires
from idp.web.flashes import flash
from idp.web.organisation import day_of

bp = console_blueprint("admin_organisations", __name__, "/organisations")

NOTICES = "#notices"
# The confirmation each status action shows once done.
_DONE = {
    "validate": "admin_orgs.validated",
    "close": "admin_orgs.closed",
    "reopen": "admin_orgs.reopened",
}
# Where the add-a-service form shows a refusal of the service (else above the form).
_SERVICE_FIELD = {
    "org.service_code_invalid": "code",
    "org.service_exists": "code",
    "org.service_description_required": "description",
    "org.service_client_unknown": "clients",
}
_SERVICE_FORM = ("code", "description", "recipients", "document_types")
# The service's own limit is 32 characters; what is typed is kept up to a sane length.
_MAX_TYPED = 2000


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) <= 6 else 1


def _organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


def _service(code: str) -> Service:
    service = subscriptions.find_service(code[:64])
    if service is None:
        abort(404)
    return service


def _done(key: str, url: str, **params: Any) -> Response:
    db.session.commit()
    flash((key, params), "status")
    return redirect(url + NOTICES, code=303)


# -- organisations ---------------------------------------------------------------------------


@bp.get("")
@requires(staff.ORGANISATIONS)
def index() -> str:
    """The organisations, newest first: filter by status, search by dossier, name or SIRET."""
    status = request.args.get("status", "")
    if status and status not in ORGANISATION_STATUSES:
        abort(400)
    text = request.args.get("q", "")[:128]
    found = organisations.search_organisations(
        status=status,
        text=text,
        page=_page_number(request.args.get("page")),
        page_size=runtime().settings.organisations.page_size,
    )
    query: dict[str, Any] = {k: v for k, v in (("status", status), ("q", text)) if v}
    db.session.commit()
    return render_template(
        "admin/organisations/index.html",
        found=found,
        query=query,
        statuses=ORGANISATION_STATUSES,
        day_of=day_of,
        page_url=lambda page: url_for("admin_organisations.index", **query, page=page),
    )


@bp.get("/<int:organisation_id>")
@requires(staff.ORGANISATIONS)
def show(organisation_id: int) -> str:
    """An organisation: identity, responsible, contacts, secondary accounts, services."""
    organisation = _organisation(organisation_id)
    primary = organisations.primary_account(organisation)
    context = {
        "organisation": organisation,
        "primary": primary,
        "identity": Identity.of(primary),
        "user": organisations.user_of(primary),
        "created_on": day_of(organisation.created_at),
        "states": organisations.secondary_states(organisation),
        "mailboxes_used": organisations.mailbox_count(organisation.id),
        "services": subscriptions.organisation_services(organisation),
        "actions": organisations.actions_for(organisation),
    }
    db.session.commit()
    return render_template("admin/organisations/show.html", **context)


@bp.post("/<int:organisation_id>/status/<action>")
@requires(staff.ORGANISATIONS)
def change_status(organisation_id: int, action: str) -> Response:
    """Validate, close or reopen; closing ends the use of its services by all its accounts."""
    if action not in organisations.STATUS_ACTIONS:
        abort(404)
    organisation = _organisation(organisation_id)
    page = url_for("admin_organisations.show", organisation_id=organisation.id)
    try:
        organisations.apply_action(organisation, action, now=runtime().now(), by=actor())
    except OrganisationError as exc:
        db.session.rollback()
        flash((exc.key, exc.params), "error")
        return redirect(page + NOTICES, code=303)
    return _done(_DONE[action], page, dossier=organisation.dossier)


@bp.get("/<int:organisation_id>/close")
@requires(staff.ORGANISATIONS, fresh=True)
def confirm_close(organisation_id: int) -> str:
    """Say what closing takes away before it is done."""
    organisation = _organisation(organisation_id)
    if "close" not in organisations.actions_for(organisation):
        abort(404)
    accounts = len(organisations.member_ids(organisation))
    db.session.commit()
    return render_template(
        "admin/organisations/close.html", organisation=organisation, accounts=accounts
    )


@bp.route("/<int:organisation_id>/quota", methods=["GET", "POST"])
@requires(staff.ORGANISATIONS, fresh=True)
def quota(organisation_id: int) -> Response | str:
    """ "Nombre de comptes secondaires souhaités": the service refuses less than those in use."""
    organisation = _organisation(organisation_id)
    typed = str(organisation.secondary_quota)
    error: tuple[str, dict[str, Any]] | None = None
    if request.method == "POST":
        typed = request.form.get("quota", "").strip()[:_MAX_TYPED]
        if not typed.lstrip("-").isdigit():
            error = ("admin_orgs.quota_not_number", {})
        else:
            try:
                organisations.set_quota(organisation, int(typed), now=runtime().now(), by=actor())
            except OrganisationError as exc:
                db.session.rollback()
                error = (exc.key, exc.params)
            else:
                page = url_for("admin_organisations.show", organisation_id=organisation.id)
                return _done("admin_orgs.quota_changed", page, quota=int(typed))
    used = organisations.mailbox_count(organisation.id)
    db.session.commit()
    return render_template(
        "admin/organisations/quota.html",
        organisation=organisation,
        typed=typed,
        used=used,
        error=error,
    )


# -- the catalogue of services ---------------------------------------------------------------


@bp.get("/services")
@requires(staff.ORGANISATIONS)
def catalogue() -> str:
    """Every service: what it is, for whom, its document types, the applications it opens."""
    rows = [
        {
            "service": service,
            "clients": subscriptions.clients_of(service.id),
            "subscribers": len(subscriptions.subscriber_ids(service.id)),
        }
        for service in subscriptions.all_services()
    ]
    names = _client_names()
    db.session.commit()
    return render_template("admin/organisations/catalogue.html", rows=rows, names=names)


def _client_names() -> dict[str, str]:
    return {c.client_id: c.name for c in runtime().clients.all()}


@bp.route("/services/new", methods=["GET", "POST"])
@requires(staff.ORGANISATIONS, fresh=True)
def add_service() -> Response | str:
    """Add a service and the applications it opens (they then require a habilitation)."""
    typed = {name: request.form.get(name, "")[:_MAX_TYPED] for name in _SERVICE_FORM}
    chosen = request.form.getlist("clients")
    error: tuple[str, str, dict[str, Any]] | None = None
    if request.method == "POST":
        rt = runtime()
        try:
            service = subscriptions.add_service(
                typed["code"],
                typed["description"],
                client_ids=chosen,
                recipients=typed["recipients"],
                document_types=typed["document_types"].splitlines(),
                clients=rt.clients,
                now=rt.now(),
                by=actor(),
            )
        except OrganisationError as exc:
            db.session.rollback()
            field = exc.params.get("field") if exc.key == "org.too_long" else None
            error = (field or _SERVICE_FIELD.get(exc.key, "form"), exc.key, exc.params)
        else:
            page = url_for("admin_organisations.service", code=service.code)
            return _done("admin_orgs.service_added", page, code=service.code)
    clients = _client_names()
    db.session.commit()
    return render_template(
        "admin/organisations/service_new.html",
        typed=typed,
        chosen=set(chosen),
        clients=clients,
        error=error,
    )


@bp.get("/services/<code>")
@requires(staff.ORGANISATIONS, fresh=True)
def service(code: str) -> str:
    """A service: the applications it opens (unlink one, link another), its subscribers."""
    found = _service(code)
    names = _client_names()
    linked = subscriptions.clients_of(found.id)
    context = {
        "service": found,
        "linked": [(client_id, names.get(client_id, client_id)) for client_id in linked],
        "linkable": sorted(
            ((i, n) for i, n in names.items() if i not in linked), key=lambda c: c[1].lower()
        ),
        "subscribers": len(subscriptions.subscriber_ids(found.id)),
    }
    db.session.commit()
    return render_template("admin/organisations/service.html", **context)


@bp.post("/services/<code>/link")
@requires(staff.ORGANISATIONS)
def link(code: str) -> Response:
    return _change_link(code, link=True)


@bp.post("/services/<code>/unlink")
@requires(staff.ORGANISATIONS)
def unlink(code: str) -> Response:
    return _change_link(code, link=False)


def _change_link(code: str, *, link: bool) -> Response:
    """Link or unlink the application the form names; a refusal is shown on the page."""
    found = _service(code)
    client_id = request.form.get("client_id", "").strip()[:128]
    page = url_for("admin_organisations.service", code=found.code)
    rt = runtime()
    try:
        if link:
            subscriptions.link_client(
                found, client_id, clients=rt.clients, now=rt.now(), by=actor()
            )
        else:
            subscriptions.unlink_client(found, client_id, now=rt.now(), by=actor())
    except OrganisationError as exc:
        db.session.rollback()
        flash((exc.key, exc.params), "error")
        return redirect(page + NOTICES, code=303)
    key = "admin_orgs.client_linked" if link else "admin_orgs.client_unlinked"
    return _done(key, page, code=found.code, client_id=client_id)


@bp.route("/services/<code>/remove", methods=["GET", "POST"])
@requires(staff.ORGANISATIONS, fresh=True)
def remove_service(code: str) -> Response | str:
    """A confirmation saying what removing takes away, then the removal: every subscribed
    account loses the applications at once (`subscriptions.enforce`)."""
    found = _service(code)
    if request.method == "POST":
        removed = found.code
        subscriptions.remove_service(found, now=runtime().now(), by=actor())
        return _done(
            "admin_orgs.service_removed", url_for("admin_organisations.catalogue"), code=removed
        )
    context = {
        "service": found,
        "clients": subscriptions.clients_of(found.id),
        "subscribers": len(subscriptions.subscriber_ids(found.id)),
    }
    db.session.commit()
    return render_template("admin/organisations/service_remove.html", **context)
