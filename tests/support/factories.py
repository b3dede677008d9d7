"""Factories for accounts and clients, through the same services the CLI uses."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pyotp
from flask import Flask
from sqlalchemy import select

from idp.extensions import db
from idp.models import AuditEvent, User
from idp.services import organisations, second_factor, staff, subscriptions, users
from idp.services.clients import ClientSpec, RegisteredClient
from idp.services.organisations import Identity, NewSecondary

ISSUER = "http://idp.test"
DEFAULT_PASSWORD = "Correct-Horse-42"
REDIRECT_URI = "https://rp.example/callback"
# A valid SIRET (SIREN 079555421 + NIC 00019, the seed's).
SIREN, NIC = "079555421", "00019"
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

    def staff(
        self, identifier: str = "agent", *roles: str, enrolled: bool = True, **fields: Any
    ) -> str | None:
        """A staff member with `roles` (default assistance); returns the TOTP secret of their
        authenticator app when `enrolled`, else None (the first sign-in enrols)."""
        user = self.user(identifier, email=f"{identifier}@example.org", **fields)
        rt = self.runtime
        with self.app.app_context():
            member = staff.add(
                users.get(user.id), roles or ("assistance",), now=rt.now(), by="test"
            )
            secret = None
            if enrolled:
                secret = pyotp.random_base32(32)
                second_factor.enrol_known_secret(member, secret, now=rt.now(), hash_key=rt.hash_key)
            db.session.commit()
            return secret

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
                replace(base, **spec), now=rt.now(), by="test", client_id=client_id
            )
            db.session.commit()
            return registered, secret

    def organisation(
        self,
        primary: str = "asp1ent",
        *,
        quota: int = 2,
        status: str = "open",
        services: tuple[str, ...] = (),
        email: str | None = "asp1ent@example.org",
    ) -> User:
        """A primary account (signed in before, contacts confirmed) holding an organisation
        subscribed to `services` (codes made with `service`); returns the primary's user."""
        user = self.user(primary, email=email)
        rt = self.runtime
        with self.app.app_context():
            organisations.create_organisation(
                users.get(user.id),
                Identity(
                    kind="Entreprise",
                    company_name="COMPTE ASP1ENT DEV",
                    siren=SIREN,
                    nic=NIC,
                    civility="M.",
                    last_name="DUPONT",
                    first_name="Pierre",
                    email="responsable@example.org",
                ),
                kinds=rt.settings.organisations.type_list,
                now=rt.now(),
                by="test",
                status=status,
                quota=quota,
            )
            if services:
                self._subscribe(user.id, services)
            db.session.commit()
        return user

    def secondary(
        self,
        primary: User,
        name: str = "cs1",
        *,
        email: str | None = None,
        autonomous: bool = False,
        services: tuple[str, ...] = (),
        password: str | None = DEFAULT_PASSWORD,
        **fields: Any,
    ) -> User:
        """A secondary account of `primary`'s organisation, holding `services`."""
        rt = self.runtime
        with self.app.app_context():
            member = organisations.membership(primary.id)
            assert member is not None
            user = organisations.add_secondary(
                member,
                NewSecondary(name=name, email=email, autonomous=autonomous),
                kinds=rt.settings.organisations.type_list,
                now=rt.now(),
                by="test",
                hashing=rt.passwords,
                password=password,
            )
            user.email_verified = email is not None
            user.contacts_confirmed_at = rt.now()
            for field_name, value in fields.items():
                setattr(user, field_name, value)
            if services:
                self._subscribe(user.id, services, acting=member)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    def service(self, code: str, *client_ids: str, document_types: tuple[str, ...] = ()) -> int:
        """A service opening `client_ids`; returns its id."""
        rt = self.runtime
        with self.app.app_context():
            service = subscriptions.add_service(
                code,
                f"Téléprocédure {code}",
                client_ids=client_ids,
                document_types=document_types,
                clients=rt.clients,
                now=rt.now(),
                by="test",
            )
            db.session.commit()
            return service.id

    def _subscribe(
        self,
        user_id: int,
        codes: tuple[str, ...],
        *,
        acting: organisations.OrganisationAccount | None = None,
    ) -> None:
        member = organisations.membership(user_id)
        assert member is not None
        ids = set()
        for code in codes:
            service = subscriptions.find_service(code)
            assert service is not None, code
            ids.add(service.id)
        subscriptions.set_services(
            member,
            subscriptions.Choice(frozenset(ids), {}),
            acting=acting or member,
            now=self.runtime.now(),
        )
