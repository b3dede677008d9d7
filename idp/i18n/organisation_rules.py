"""The texts of the `organisation` scope (what the consent page says it releases) and of the
refusals that keep organisations' rules (idp.services.subscriptions)."""

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
    "org.service_would_open": {
        "fr": (
            "Le service {code} est le seul à ouvrir l'application {client_id} : le supprimer la"
            " rendrait accessible à tous. Exigez d'abord une habilitation pour cette application"
            " ou supprimez-la."
        ),
        "en": (
            "Service {code} is the only one opening application {client_id}: removing it would"
            " open the application to everyone. First make the application require a"
            " habilitation, or remove it."
        ),
    },
}
