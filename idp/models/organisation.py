"""Organisations (ASPOne's "Gestion des comptes"): a primary account, its secondary accounts,
and the services ("téléprocédures") each of them is subscribed to.

A service is a set of relying applications. Subscribing an account to a service habilitates it
for those applications; a secondary account's subscriptions are always among its primary's.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from idp.extensions import Model

# Organisation statuses, as the seed names them: "Demande validée", "Ouvert", "Fermé".
PENDING = "pending"
OPEN = "open"
CLOSED = "closed"
ORGANISATION_STATUSES = (PENDING, OPEN, CLOSED)

PRIMARY = "primary"
SECONDARY = "secondary"


ADDRESS_FIELDS = (
    "street_number",
    "street_suffix",
    "street_name",
    "address_complement",
    "po_box",
    "postal_code",
    "city",
    "country",
)


class Address:
    """The postal address as the seed splits it (numéro, suffixe, voie, complément, BP, code
    postal, ville, pays): a mixin for the responsible's and the billing address."""

    street_number: Mapped[str | None] = mapped_column(String(16))
    street_suffix: Mapped[str | None] = mapped_column(String(8))  # bis, ter, quater
    street_name: Mapped[str | None] = mapped_column(String(128))
    address_complement: Mapped[str | None] = mapped_column(String(128))
    po_box: Mapped[str | None] = mapped_column(String(32))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(128))
    country: Mapped[str | None] = mapped_column(String(64))


class Organisation(Model):
    """A customer file ("N° Dossier"): its status, quota and billing. Its identity is its
    primary account's (`OrganisationAccount` with role "primary")."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    # "Nombre de comptes secondaires souhaités": secondaries WITH a mailbox; others are free.
    secondary_quota: Mapped[int] = mapped_column(Integer, default=0)
    billing_uses_responsible_address: Mapped[bool] = mapped_column(Boolean, default=True)
    # The same keys as `Address` (street_number ... country); used when the responsible's
    # address is not.
    billing_address: Mapped[dict[str, str] | None] = mapped_column(JSON)
    billing_date: Mapped[str | None] = mapped_column(String(10))  # YYYY-MM-DD
    created_at: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[int] = mapped_column(Integer)


class OrganisationAccount(Model, Address):
    """An account's place in an organisation, and the company identity it shows (each
    account, primary or secondary, has its own SIRET, raison sociale and responsible)."""

    __tablename__ = "organisation_accounts"
    __table_args__ = (
        # One primary per organisation.
        Index(
            "uq_organisation_accounts_primary",
            "organisation_id",
            unique=True,
            sqlite_where=text("role = 'primary'"),
            postgresql_where=text("role = 'primary'"),
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    # A secondary account with its own mailbox ("BAL") counts against the quota; one without
    # has its messages sent to the primary's responsible.
    has_mailbox: Mapped[bool] = mapped_column(Boolean, default=True)
    # "J'autorise ce compte secondaire à s'inscrire aux téléprocédures de son choix".
    autonomous: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str] = mapped_column(String(32))  # Entreprise, OGA, Expert-comptable ...
    siren: Mapped[str | None] = mapped_column(String(9))
    nic: Mapped[str | None] = mapped_column(String(5))
    company_name: Mapped[str] = mapped_column(String(128))  # raison sociale
    corporate_officer: Mapped[str | None] = mapped_column(String(128))  # mandataire social
    # The responsible person.
    civility: Mapped[str | None] = mapped_column(String(8))  # "M." or "Mme"
    last_name: Mapped[str | None] = mapped_column(String(128))
    first_name: Mapped[str | None] = mapped_column(String(128))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    fax: Mapped[str | None] = mapped_column(String(32))
    technical_name: Mapped[str | None] = mapped_column(String(128))
    technical_email: Mapped[str | None] = mapped_column(String(254))
    technical_phone: Mapped[str | None] = mapped_column(String(32))
    administrative_name: Mapped[str | None] = mapped_column(String(128))
    administrative_email: Mapped[str | None] = mapped_column(String(254))
    administrative_phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[int] = mapped_column(Integer)

    @property
    def siret(self) -> str | None:
        return f"{self.siren}{self.nic}" if self.siren and self.nic else None

    @property
    def responsible(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def is_primary(self) -> bool:
        return self.role == PRIMARY


class Service(Model):
    """A "téléprocédure": what organisations subscribe to, and the applications it opens."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # AED, DADS-U, DPAE ...
    description: Mapped[str] = mapped_column(String(255))
    recipients: Mapped[str | None] = mapped_column(String(255))  # Pôle Emploi, CNAV ...
    document_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[int] = mapped_column(Integer)


class ServiceClient(Model):
    """A relying application a service opens."""

    __tablename__ = "service_clients"

    service_id: Mapped[int] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    client_id: Mapped[str] = mapped_column(
        ForeignKey("clients.client_id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Subscription(Model):
    """An account subscribed to a service, with the document types it chose among the
    service's (none chosen: all of them)."""

    __tablename__ = "service_subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "service_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("organisation_accounts.user_id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[int] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    document_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    subscribed_at: Mapped[int] = mapped_column(Integer)
