"""Factories for accounts and clients, through the same services the CLI uses."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Flask
from sqlalchemy import select

from idp.extensions import db
from idp.models import AuditEvent, User
from idp.services import users
from idp.services.clients import ClientSpec, RegisteredClient

ISSUER = "http://idp.test"
DEFAULT_PASSWORD = "Correct-Horse-42"
REDIRECT_URI = "https://rp.example/callback"
POST_LOGOUT_URI = "https://rp.example/bye"


class Factories:
    def __init__(self, app: Flask) -> None:
        self.app = app

    @property
    def runtime(self) -> Any:
        return self.app.extensions["idp"]

    def user(
        self,
        identifier: str = "marie",
        password: str | None = DEFAULT_PASSWORD,
        *,
        email: str | None = "marie@example.org",
        temporary: bool = False,
        **fields: Any,
    ) -> User:
        """An account that has been through its first connection unless `fields` say not
        (contacts_confirmed_at=None, email_verified=False)."""
        rt = self.runtime
        fields = {"email_verified": True, "contacts_confirmed_at": rt.now(), **fields}
        with self.app.app_context():
            user = users.create(
                users.NewAccount(identifier=identifier, email=email),
                now=rt.now(),
                hashing=rt.passwords,
                password=password,
                temporary=temporary,
            )
            for name, value in fields.items():
                setattr(user, name, value)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    def audit(self, event: str) -> list[AuditEvent]:
        """The audit records of `event`, oldest first."""
        with self.app.app_context():
            rows = db.session.scalars(
                select(AuditEvent).where(AuditEvent.event == event).order_by(AuditEvent.id)
            ).all()
            db.session.expunge_all()
            return list(rows)

    def client(self, **spec: Any) -> tuple[RegisteredClient, str | None]:
        base = ClientSpec(
            name="Application test",
            redirect_uris=(REDIRECT_URI,),
            post_logout_redirect_uris=(POST_LOGOUT_URI,),
        )
        rt = self.runtime
        with self.app.app_context():
            client_id = spec.pop("client_id", None)
            registered, secret = rt.clients.register(
                replace(base, **spec), now=rt.now(), client_id=client_id
            )
            db.session.commit()
            return registered, secret
