"""The texts of the console's "Agents" page."""

from __future__ import annotations

ADMIN_STAFF_MESSAGES: dict[str, dict[str, str]] = {
    "adminstaff.list": {"fr": "Agents de la console", "en": "Console staff"},
    "adminstaff.caption": {
        "fr": "{n} {n:agent|agents}, leurs rôles et leur second facteur",
        "en": "{n} staff {n:member|members}, their roles and second factor",
    },
    "adminstaff.identifier": {"fr": "Identifiant", "en": "Identifier"},
    "adminstaff.roles": {"fr": "Rôles", "en": "Roles"},
    "adminstaff.second_factor": {"fr": "Second facteur", "en": "Second factor"},
    "adminstaff.actions": {"fr": "Actions", "en": "Actions"},
    "adminstaff.enrolled": {"fr": "Activé", "en": "On"},
    "adminstaff.not_enrolled": {
        "fr": "À activer à la prochaine connexion",
        "en": "To turn on at the next sign-in",
    },
    "adminstaff.role_assistance": {
        "fr": "Assistance (comptes et envois)",
        "en": "Helpdesk (accounts and deliveries)",
    },
    "adminstaff.role_auditor": {
        "fr": "Auditeur (journal, lecture seule)",
        "en": "Auditor (journal, read-only)",
    },
    "adminstaff.role_admin": {"fr": "Administrateur (tout)", "en": "Administrator (everything)"},
    "adminstaff.change": {"fr": "Modifier {identifier}", "en": "Change {identifier}"},
    "adminstaff.save_roles": {"fr": "Enregistrer les rôles", "en": "Save the roles"},
    "adminstaff.reset_factor": {
        "fr": "Réinitialiser le second facteur (téléphone perdu)",
        "en": "Reset the second factor (lost phone)",
    },
    "adminstaff.remove": {"fr": "Retirer de la console", "en": "Remove from the console"},
    "adminstaff.add_title": {"fr": "Ajouter un agent", "en": "Add a staff member"},
    "adminstaff.add_hint": {
        "fr": "Le compte doit exister. À sa première connexion à la console, l'agent active "
        "son application d'authentification.",
        "en": "The account must exist. At their first console sign-in, the staff member "
        "turns on their authenticator app.",
    },
    "adminstaff.add": {"fr": "Ajouter", "en": "Add"},
    "adminstaff.added": {
        "fr": "{identifier} est désormais agent de la console.",
        "en": "{identifier} is now console staff.",
    },
    "adminstaff.roles_changed": {
        "fr": "Les rôles de {identifier} sont modifiés ; ses sessions de console sont fermées.",
        "en": "The roles of {identifier} are changed; their console sessions are ended.",
    },
    "adminstaff.factor_reset": {
        "fr": "{identifier} activera une nouvelle application d'authentification à sa "
        "prochaine connexion.",
        "en": "{identifier} will turn on a new authenticator app at the next sign-in.",
    },
    "adminstaff.removed": {
        "fr": "{identifier} n'a plus accès à la console (son compte reste actif).",
        "en": "{identifier} no longer has access to the console (the account stays active).",
    },
    "adminstaff.no_account": {
        "fr": "Aucun compte n'a l'identifiant « {identifier} ».",
        "en": "No account has the identifier \u201c{identifier}\u201d.",
    },
    "adminstaff.already": {
        "fr": "{identifier} est déjà agent : modifiez plutôt ses rôles.",
        "en": "{identifier} is already staff: change their roles instead.",
    },
    "adminstaff.disabled": {
        "fr": "Le compte {identifier} est désactivé.",
        "en": "The account {identifier} is disabled.",
    },
    "adminstaff.unknown_role": {"fr": "Rôle inconnu.", "en": "Unknown role."},
    "adminstaff.no_role": {"fr": "Choisissez au moins un rôle.", "en": "Choose at least one role."},
    "adminstaff.last_admin": {
        "fr": "Le dernier administrateur ne peut pas perdre ce rôle : nommez d'abord un autre "
        "administrateur.",
        "en": "The last administrator cannot lose this role: make another administrator first.",
    },
}
