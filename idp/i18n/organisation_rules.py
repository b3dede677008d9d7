"""The text of the `organisation` scope (what the consent page says it releases)."""

from __future__ import annotations

ORGANISATION_RULES_MESSAGES: dict[str, dict[str, str]] = {
    "consent.scope.organisation": {
        "fr": (
            "Votre organisation : numéro de dossier, SIRET, raison sociale, compte principal"
            " ou secondaire, et les téléprocédures auxquelles votre compte est inscrit"
        ),
        "en": (
            "Your organisation: file number, SIRET, company name, primary or secondary"
            " account, and the online services your account is subscribed to"
        ),
    },
}
