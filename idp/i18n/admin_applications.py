"""The texts of the console's "Applications" pages, and the refusals of client registration
(`ClientError` keys, whose English text the CLI prints)."""

from __future__ import annotations

_URI_FIELDS = {
    # English in lower case, as the CLI has always printed it.
    "redirect_uris": ("L'adresse de retour", "redirect URI"),
    "post_logout_redirect_uris": (
        "L'adresse de retour après déconnexion",
        "post-logout redirect URI",
    ),
    "backchannel_logout_uri": (
        "L'adresse de déconnexion « back-channel »",
        "back-channel logout URI",
    ),
}


def _uri_messages() -> dict[str, dict[str, str]]:
    """The same three refusals for each kind of URI, named in the sentence."""
    messages: dict[str, dict[str, str]] = {}
    for field, (fr, en) in _URI_FIELDS.items():
        messages[f"clients.{field}_fragment"] = {
            "fr": f"{fr} ne doit pas contenir de fragment (#) : {{uri}}",
            "en": f"{en} must not have a fragment: {{uri}}",
        }
        messages[f"clients.{field}_not_https"] = {
            "fr": f"{fr} doit être en https (ou en http sur l'adresse locale) : {{uri}}",
            "en": f"{en} must be https (or http on loopback): {{uri}}",
        }
    return messages


ADMIN_APPLICATIONS_MESSAGES: dict[str, dict[str, str]] = {
    **_uri_messages(),
    # Refusals of the registry (idp.services.clients.ClientError).
    "clients.name_required": {
        "fr": "Indiquez le nom de l'application.",
        "en": "A client needs a name.",
    },
    "clients.name_invalid": {
        "fr": "Le nom doit tenir en {max} caractères, sans caractère de contrôle.",
        "en": "The name must fit in {max} characters, without control characters.",
    },
    "clients.uri_malformed": {
        "fr": "Cette adresse est trop longue ou contient des caractères interdits : {uri}",
        "en": "This address is too long or holds forbidden characters: {uri}",
    },
    "clients.auth_method_unknown": {
        "fr": "Méthode d'authentification inconnue « {method} » : choisissez parmi {choices}.",
        "en": "Unknown auth method “{method}”: choose from {choices}.",
    },
    "clients.public_auth_none": {
        "fr": "Une application publique n'a pas de secret (méthode « none »), et elle seule.",
        "en": "Public clients use auth method 'none', and only they do.",
    },
    "clients.jwks_required": {
        "fr": "La méthode private_key_jwt exige les clés publiques de l'application (JWKS).",
        "en": "private_key_jwt needs the client's public keys (--jwks).",
    },
    "clients.grant_unknown": {
        "fr": "{count:Type d'autorisation non pris|Types d'autorisation non pris} en charge : "
        "{grants}.",
        "en": "Unsupported grant {count:type|types}: {grants}.",
    },
    "clients.public_client_credentials": {
        "fr": "Une application publique ne peut pas utiliser client_credentials.",
        "en": "A public client cannot use client_credentials.",
    },
    "clients.redirect_uri_required": {
        "fr": "Le type authorization_code exige au moins une adresse de retour.",
        "en": "The authorization_code grant needs at least one redirect URI.",
    },
    "clients.scope_unknown": {
        "fr": "{count:Portée non prise|Portées non prises} en charge : {scopes}.",
        "en": "Unsupported {count:scope|scopes}: {scopes}.",
    },
    "clients.subject_type_unknown": {
        "fr": "Le type d'identifiant doit être « public » ou « pairwise ».",
        "en": "Subject type must be 'public' or 'pairwise'.",
    },
    "clients.id_token_alg_unknown": {
        "fr": "L'algorithme du jeton d'identité doit être l'un de : {choices}.",
        "en": "ID token algorithm must be one of {choices}.",
    },
    "clients.sector_needed": {
        "fr": "Des identifiants « pairwise » exigent un seul hôte dans les adresses de retour, "
        "ou un identifiant de secteur explicite.",
        "en": "Pairwise subjects need one redirect host, or an explicit sector identifier.",
    },
    "clients.sector_invalid": {
        "fr": "L'identifiant de secteur doit être un nom d'hôte, par exemple rp.example.fr.",
        "en": "The sector identifier must be a host name, for instance rp.example.org.",
    },
    "clients.exists": {
        "fr": "L'application « {client_id} » existe déjà.",
        "en": "Client '{client_id}' already exists.",
    },
    "clients.no_secret": {
        "fr": "L'application « {client_id} » ne s'authentifie pas par un secret.",
        "en": "Client '{client_id}' does not authenticate with a secret.",
    },
    "clients.unknown": {
        "fr": "Aucune application « {client_id} ».",
        "en": "No client '{client_id}'.",
    },
    # The pages.
    "admin_apps.title": {"fr": "Applications", "en": "Applications"},
    "admin_apps.intro": {
        "fr": "Les applications clientes qui connectent leurs utilisateurs par ce fournisseur "
        "d'identité.",
        "en": "The client applications that sign their users in through this identity provider.",
    },
    "admin_apps.discovery": {
        "fr": "Adresse de découverte OpenID Connect :",
        "en": "OpenID Connect discovery URL:",
    },
    "admin_apps.register": {"fr": "Enregistrer une application", "en": "Register an application"},
    "admin_apps.caption": {
        "fr": "Applications enregistrées ({count})",
        "en": "Registered applications ({count})",
    },
    "admin_apps.none": {
        "fr": "Aucune application n'est enregistrée.",
        "en": "No application is registered.",
    },
    "admin_apps.col_name": {"fr": "Nom", "en": "Name"},
    "admin_apps.col_client_id": {"fr": "Identifiant (client_id)", "en": "Client ID"},
    "admin_apps.col_type": {"fr": "Type", "en": "Type"},
    "admin_apps.col_state": {"fr": "État", "en": "State"},
    "admin_apps.state_enabled": {"fr": "Active", "en": "Enabled"},
    "admin_apps.state_disabled": {"fr": "Désactivée", "en": "Disabled"},
    "admin_apps.type_confidential": {
        "fr": "Confidentielle (avec secret ou clés)",
        "en": "Confidential (secret or keys)",
    },
    "admin_apps.type_public": {
        "fr": "Publique (sans secret, PKCE)",
        "en": "Public (no secret, PKCE)",
    },
    # The registration form.
    "admin_apps.new_title": {"fr": "Enregistrer une application", "en": "Register an application"},
    "admin_apps.new_intro": {
        "fr": "Les champs marqués d'un astérisque (*) sont obligatoires. Le secret est affiché "
        "une seule fois, juste après l'enregistrement.",
        "en": "Fields marked with an asterisk (*) are required. The secret is shown once, right "
        "after registration.",
    },
    "admin_apps.error_summary": {
        "fr": "L'application n'a pas été enregistrée :",
        "en": "The application was not registered:",
    },
    "admin_apps.field_name": {"fr": "Nom de l'application *", "en": "Application name *"},
    "admin_apps.field_redirect_uris": {
        "fr": "Adresses de retour (redirect_uri)",
        "en": "Redirect URIs",
    },
    "admin_apps.hint_uris": {
        "fr": "Une adresse par ligne, en https (http seulement sur 127.0.0.1 ou localhost).",
        "en": "One address per line, https (http only on 127.0.0.1 or localhost).",
    },
    "admin_apps.field_post_logout_redirect_uris": {
        "fr": "Adresses de retour après déconnexion",
        "en": "Post-logout redirect URIs",
    },
    "admin_apps.field_backchannel_logout_uri": {
        "fr": "Adresse de déconnexion « back-channel » (facultative)",
        "en": "Back-channel logout URI (optional)",
    },
    "admin_apps.hint_backchannel": {
        "fr": "Le fournisseur y envoie un jeton de déconnexion quand une session se termine.",
        "en": "The provider POSTs a logout token there when a session ends.",
    },
    "admin_apps.field_backchannel_session": {
        "fr": "L'application a besoin de l'identifiant de session (sid) dans ces jetons",
        "en": "The application needs the session id (sid) in those tokens",
    },
    "admin_apps.field_type": {"fr": "Type d'application", "en": "Application type"},
    "admin_apps.field_auth_method": {
        "fr": "Authentification au point de jeton (applications confidentielles)",
        "en": "Token endpoint authentication (confidential applications)",
    },
    "admin_apps.field_jwks": {
        "fr": "Clés publiques (JWKS, pour private_key_jwt)",
        "en": "Public keys (JWKS, for private_key_jwt)",
    },
    "admin_apps.hint_jwks": {
        "fr": 'Collez le document JSON {"keys": [...]}. Une adresse jwks_uri n\'est pas prise '
        "en charge : les clés sont enregistrées ici.",
        "en": 'Paste the JSON document {"keys": [...]}. A jwks_uri address is not supported: '
        "the keys are stored here.",
    },
    "admin_apps.jwks_not_json": {
        "fr": 'Le JWKS doit être un objet JSON valide, par exemple {"keys": [...]}.',
        "en": 'The JWKS must be a valid JSON object, for instance {"keys": [...]}.',
    },
    "admin_apps.field_scopes": {"fr": "Portées autorisées", "en": "Allowed scopes"},
    "admin_apps.field_grant_types": {"fr": "Types d'autorisation", "en": "Grant types"},
    "admin_apps.field_options": {"fr": "Options", "en": "Options"},
    "admin_apps.field_first_party": {
        "fr": "Application interne : pas de page de consentement",
        "en": "First-party application: no consent page",
    },
    "admin_apps.field_requires_habilitation": {
        "fr": "Habilitation requise : seuls les comptes habilités s'y connectent",
        "en": "Habilitation required: only authorised accounts sign in",
    },
    "admin_apps.field_refresh_without_offline_access": {
        "fr": "Jetons de rafraîchissement sans la portée offline_access",
        "en": "Refresh tokens without the offline_access scope",
    },
    "admin_apps.field_subject_type": {
        "fr": "Type d'identifiant (sub)",
        "en": "Subject type (sub)",
    },
    "admin_apps.subject_public": {
        "fr": "public : le même pour toutes les applications",
        "en": "public: the same for every application",
    },
    "admin_apps.subject_pairwise": {
        "fr": "pairwise : propre à cette application",
        "en": "pairwise: specific to this application",
    },
    "admin_apps.field_sector_identifier": {
        "fr": "Identifiant de secteur (pairwise, facultatif)",
        "en": "Sector identifier (pairwise, optional)",
    },
    "admin_apps.field_id_token_alg": {
        "fr": "Algorithme de signature du jeton d'identité",
        "en": "ID token signing algorithm",
    },
    "admin_apps.submit_register": {"fr": "Enregistrer", "en": "Register"},
    "admin_apps.cancel": {"fr": "Annuler", "en": "Cancel"},
    # An application's page.
    "admin_apps.registered": {
        "fr": "L'application « {name} » est enregistrée.",
        "en": "The application “{name}” is registered.",
    },
    "admin_apps.rotated": {
        "fr": "Un nouveau secret a été généré : l'ancien ne fonctionne plus.",
        "en": "A new secret was generated: the old one no longer works.",
    },
    "admin_apps.secret_title": {"fr": "Secret de l'application", "en": "Client secret"},
    "admin_apps.secret_once": {
        "fr": "Copiez ce secret maintenant : il n'est pas conservé et ne sera plus jamais affiché.",
        "en": "Copy this secret now: it is not stored and will never be shown again.",
    },
    "admin_apps.copy": {"fr": "Copier le secret", "en": "Copy the secret"},
    "admin_apps.copied": {"fr": "Secret copié.", "en": "Secret copied."},
    "admin_apps.copy_failed": {
        "fr": "La copie a échoué : sélectionnez le secret et copiez-le.",
        "en": "Copying failed: select the secret and copy it.",
    },
    "admin_apps.details": {"fr": "Enregistrement", "en": "Registration"},
    "admin_apps.client_id": {"fr": "Identifiant (client_id)", "en": "Client ID"},
    "admin_apps.auth_method": {"fr": "Authentification", "en": "Authentication"},
    "admin_apps.scopes": {"fr": "Portées", "en": "Scopes"},
    "admin_apps.grant_types": {"fr": "Types d'autorisation", "en": "Grant types"},
    "admin_apps.subject_type": {"fr": "Type d'identifiant", "en": "Subject type"},
    "admin_apps.id_token_alg": {"fr": "Signature du jeton d'identité", "en": "ID token signature"},
    "admin_apps.options": {"fr": "Options", "en": "Options"},
    "admin_apps.none_given": {"fr": "aucune", "en": "none"},
    "admin_apps.disabled_notice": {
        "fr": "Cette application est désactivée : toute connexion, tout jeton et toute "
        "introspection lui sont refusés.",
        "en": "This application is disabled: every sign-in, token and introspection request "
        "from it is refused.",
    },
    "admin_apps.config_title": {
        "fr": "Configuration prête à coller",
        "en": "Ready-to-paste configuration",
    },
    "admin_apps.config_intro": {
        "fr": "Remplies avec les valeurs de cette application. Le secret n'y figure qu'après "
        "l'enregistrement ou un renouvellement ; sinon, remplacez {placeholder}.",
        "en": "Filled with this application's values. The secret appears only right after "
        "registration or a rotation; otherwise replace {placeholder}.",
    },
    "admin_apps.config_authlib": {
        "fr": "Authlib (Python, Flask)",
        "en": "Authlib (Python, Flask)",
    },
    "admin_apps.config_openid_client": {
        "fr": "openid-client (Node.js)",
        "en": "openid-client (Node.js)",
    },
    "admin_apps.config_apache": {
        "fr": "Apache mod_auth_openidc",
        "en": "Apache mod_auth_openidc",
    },
    "admin_apps.actions": {"fr": "Actions", "en": "Actions"},
    "admin_apps.rotate": {"fr": "Renouveler le secret", "en": "Rotate the secret"},
    "admin_apps.rotate_hint": {
        "fr": "L'ancien secret cesse de fonctionner immédiatement.",
        "en": "The old secret stops working at once.",
    },
    "admin_apps.disable": {"fr": "Désactiver", "en": "Disable"},
    "admin_apps.disable_hint": {
        "fr": "Les connexions et les jetons lui sont refusés ; ses jetons de rafraîchissement "
        "sont révoqués et ses codes en attente supprimés. Réactivable ensuite.",
        "en": "Sign-ins and tokens are refused to it; its refresh tokens are revoked and its "
        "pending codes deleted. It can be enabled again.",
    },
    "admin_apps.enable": {"fr": "Réactiver", "en": "Enable"},
    "admin_apps.disabled": {
        "fr": "L'application « {name} » est désactivée ; ses jetons sont révoqués.",
        "en": "The application “{name}” is disabled; its tokens are revoked.",
    },
    "admin_apps.enabled": {
        "fr": "L'application « {name} » est réactivée.",
        "en": "The application “{name}” is enabled again.",
    },
    "admin_apps.remove": {"fr": "Supprimer…", "en": "Remove…"},
    "admin_apps.remove_title": {
        "fr": "Supprimer l'application « {name} »",
        "en": "Remove the application “{name}”",
    },
    "admin_apps.remove_intro": {
        "fr": "La suppression est définitive : ses jetons sont révoqués, ses codes et les "
        "consentements de ses utilisateurs supprimés. Pour confirmer, saisissez le nom de "
        "l'application : {name}",
        "en": "Removal is final: its tokens are revoked, its codes and its users' consents "
        "deleted. To confirm, type the application's name: {name}",
    },
    "admin_apps.remove_confirm_label": {
        "fr": "Nom de l'application",
        "en": "Application name",
    },
    "admin_apps.remove_mismatch": {
        "fr": "Le nom saisi ne correspond pas : l'application n'a pas été supprimée.",
        "en": "The name typed does not match: the application was not removed.",
    },
    "admin_apps.remove_submit": {"fr": "Supprimer définitivement", "en": "Remove for good"},
    "admin_apps.removed": {
        "fr": "L'application « {name} » est supprimée.",
        "en": "The application “{name}” is removed.",
    },
    "admin_apps.back": {"fr": "Retour aux applications", "en": "Back to the applications"},
    "admin_apps.already_registered": {
        "fr": "Ce formulaire a déjà enregistré cette application : rien n'a été créé de plus. "
        "Son secret n'est affiché qu'une fois ; s'il n'a pas été conservé, renouvelez-le.",
        "en": "This form already registered this application: nothing more was created. Its "
        "secret is shown only once; if it was not kept, rotate it.",
    },
}
