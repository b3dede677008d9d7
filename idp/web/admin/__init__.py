"""The operators' console under /admin: its own session with a second factor, pages by role.

Each part is a blueprint made by `access.console_blueprint`; `SECTIONS` is the navigation,
each entry shown only to the roles whose permission it names.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g

from idp.services import staff
from idp.web.admin import (
    accounts,
    applications,
    auth,
    deliveries,
    journal,
    organisations,
    staff_pages,
)

# (endpoint of the section's first page, permission it needs, message key of its name).
SECTIONS = (
    ("admin_accounts.index", staff.ACCOUNTS_READ, "admin.section_accounts"),
    ("admin_deliveries.index", staff.DELIVERIES, "admin.section_deliveries"),
    ("admin_applications.index", staff.APPLICATIONS, "admin.section_applications"),
    ("admin_organisations.index", staff.ORGANISATIONS, "admin.section_organisations"),
    ("admin_journal.index", staff.JOURNAL, "admin.section_journal"),
    ("admin_staff.index", staff.STAFF, "admin.section_staff"),
)


def _navigation() -> dict[str, Any]:
    member = g.get("staff_member")
    return {
        "console_sections": [s for s in SECTIONS if s[0] in current_app.view_functions],
        "console_granted": staff.permissions(member) if member is not None else frozenset(),
    }


def init_app(app: Flask) -> None:
    for blueprint in (
        auth.bp,
        staff_pages.bp,
        journal.bp,
        applications.bp,
        organisations.bp,
        accounts.bp,
        deliveries.bp,
    ):
        app.register_blueprint(blueprint)
    app.context_processor(_navigation)
