"""The texts of the console's "Comptes" pages: search, an account's file, the agent's actions."""

from __future__ import annotations

_STATES = {
    "active": ("Actif", "Active"),
    "locked": ("Verrouillé", "Locked"),
    "disabled": ("Désactivé", "Disabled"),
    "never_connected": ("Jamais connecté", "Never signed in"),
    "password_expired": ("Mot de passe expiré", "Password expired"),
}
# Channel: (its label, how the confirmation says it), in French and English.
_CHANNELS = {
    "email": (("Par courriel", "par courriel"), ("By e-mail", "by e-mail")),
    "sms": (("Par SMS", "par SMS"), ("By SMS", "by SMS")),
    "post": (("Par courrier postal", "par courrier postal"), ("By post", "by post")),
}

ADMIN_ACCOUNTS_MESSAGES: dict[str, dict[str, str]] = {
    "accounts.title": {"fr": "Comptes", "en": "Accounts"},
    "accounts.search_legend": {"fr": "Rechercher un compte", "en": "Find an account"},
    "accounts.filter_text": {
        "fr": "Identifiant, nom, courriel ou téléphone",
        "en": "Identifier, name, e-mail or phone",
    },
    "accounts.filter_text_hint": {
        "fr": "Une partie suffit : « dupont », « @exemple.fr », « 06 12 34 ».",
        "en": "Part of it is enough: “dupont”, “@example.org”, “06 12 34”.",
    },
    "accounts.filter_organisation": {"fr": "Organisation", "en": "Organisation"},
    "accounts.filter_organisation_hint": {
        "fr": "Numéro de dossier, ou identifiant du compte principal.",
        "en": "Dossier number, or the primary account's identifier.",
    },
    "accounts.filter_state": {"fr": "État", "en": "State"},
    "accounts.any_state": {"fr": "Tous les états", "en": "Any state"},
    "accounts.search": {"fr": "Rechercher", "en": "Search"},
    "accounts.clear": {"fr": "Effacer les critères", "en": "Clear the criteria"},
    "accounts.results": {"fr": "Résultats", "en": "Results"},
    "accounts.found": {
        "fr": "{n} {n:compte trouvé|comptes trouvés}",
        "en": "{n} {n:account|accounts} found",
    },
    "accounts.nothing_found": {
        "fr": "Aucun compte ne correspond à ces critères.",
        "en": "No account matches these criteria.",
    },
    "accounts.widen": {
        "fr": "Élargir la recherche à tous les comptes",
        "en": "Widen the search to all accounts",
    },
    "accounts.unknown_organisation": {
        "fr": "Aucune organisation « {value} » : saisissez un numéro de dossier ou l'identifiant "
        "d'un compte principal.",
        "en": "No organisation “{value}”: type a dossier number or a primary account's identifier.",
    },
    "accounts.unknown_state": {
        "fr": "État inconnu « {value} » : choisissez dans la liste.",
        "en": "Unknown state “{value}”: choose from the list.",
    },
    "accounts.table_caption": {
        "fr": "Comptes trouvés, page {page} sur {pages}",
        "en": "Accounts found, page {page} of {pages}",
    },
    "accounts.col_identifier": {"fr": "Identifiant", "en": "Identifier"},
    "accounts.col_name": {"fr": "Nom", "en": "Name"},
    "accounts.col_last_sign_in": {"fr": "Dernière connexion", "en": "Last sign-in"},
    "accounts.col_created": {"fr": "Création", "en": "Created"},
    "accounts.col_contacts": {"fr": "Coordonnées", "en": "Contacts"},
    "accounts.col_organisation": {"fr": "Organisation", "en": "Organisation"},
    "accounts.col_state": {"fr": "État", "en": "State"},
    "accounts.sort_ascending": {"fr": "trier par ordre croissant", "en": "sort ascending"},
    "accounts.sort_descending": {"fr": "trier par ordre décroissant", "en": "sort descending"},
    "accounts.never": {"fr": "jamais", "en": "never"},
    "accounts.locked_until": {"fr": "verrouillé jusqu'au {at}", "en": "locked until {at}"},
    "accounts.role_primary": {"fr": "compte principal", "en": "primary account"},
    "accounts.role_secondary": {"fr": "compte secondaire", "en": "secondary account"},
    "accounts.yes": {"fr": "oui", "en": "yes"},
    "accounts.no": {"fr": "non", "en": "no"},
    # An account's file.
    "accounts.account_title": {"fr": "Compte {identifier}", "en": "Account {identifier}"},
    "accounts.back_to_search": {"fr": "Retour à la recherche", "en": "Back to the search"},
    "accounts.state_title": {"fr": "État et actions", "en": "State and actions"},
    "accounts.last_sign_in": {"fr": "Dernière connexion", "en": "Last sign-in"},
    "accounts.created": {"fr": "Créé le", "en": "Created"},
    "accounts.password": {"fr": "Mot de passe", "en": "Password"},
    "accounts.password_none": {
        "fr": "pas encore choisi (invitation en attente)",
        "en": "not chosen yet (invitation pending)",
    },
    "accounts.password_temporary": {
        "fr": "provisoire, à personnaliser à la prochaine connexion",
        "en": "temporary, to personalise at the next sign-in",
    },
    "accounts.password_changed": {"fr": "modifié le {at}", "en": "changed {at}"},
    "accounts.secret_question": {"fr": "Question secrète définie", "en": "Secret question set"},
    "accounts.actions": {"fr": "Actions", "en": "Actions"},
    "accounts.unlock": {"fr": "Déverrouiller", "en": "Unlock"},
    "accounts.invite": {
        "fr": "Renvoyer le lien d'invitation",
        "en": "Send the invitation link again",
    },
    "accounts.disable": {"fr": "Désactiver le compte", "en": "Disable the account"},
    "accounts.enable": {"fr": "Réactiver le compte", "en": "Enable the account"},
    "accounts.temporary_legend": {
        "fr": "Envoyer un mot de passe provisoire",
        "en": "Send a temporary password",
    },
    "accounts.temporary_hint": {
        "fr": "Le mot de passe actuel est remplacé et les sessions fermées. Le mot de passe "
        "provisoire part à l'adresse du compte ; vous ne le voyez jamais.",
        "en": "The current password is replaced and the sessions end. The temporary password "
        "goes to the account's own address; you never see it.",
    },
    "accounts.send_temporary": {"fr": "Envoyer", "en": "Send"},
    "accounts.identity_title": {"fr": "Identité", "en": "Identity"},
    "accounts.identifier": {"fr": "Identifiant", "en": "Identifier"},
    "accounts.name": {"fr": "Nom", "en": "Name"},
    "accounts.birth_date": {"fr": "Date de naissance", "en": "Date of birth"},
    "accounts.category": {"fr": "Catégorie", "en": "Category"},
    "accounts.subject": {"fr": "Identifiant technique (sub)", "en": "Subject (sub)"},
    "accounts.contacts_title": {"fr": "Coordonnées", "en": "Contacts"},
    "accounts.email": {"fr": "Courriel", "en": "E-mail"},
    "accounts.phone": {"fr": "Téléphone mobile", "en": "Mobile phone"},
    "accounts.landline": {"fr": "Téléphone fixe", "en": "Landline"},
    "accounts.postal_address": {"fr": "Adresse postale", "en": "Postal address"},
    "accounts.verified": {"fr": "vérifié", "en": "verified"},
    "accounts.not_verified": {"fr": "non vérifié", "en": "not verified"},
    "accounts.organisation_title": {"fr": "Organisation et rôle", "en": "Organisation and role"},
    "accounts.dossier": {"fr": "N° de dossier", "en": "Dossier number"},
    "accounts.company": {"fr": "Raison sociale", "en": "Company name"},
    "accounts.role": {"fr": "Rôle", "en": "Role"},
    "accounts.no_organisation": {
        "fr": "Compte de particulier, sans organisation.",
        "en": "An individual's account, in no organisation.",
    },
    "accounts.habilitations_title": {"fr": "Habilitations", "en": "Habilitations"},
    "accounts.habilitations_caption": {
        "fr": "Applications que le compte peut utiliser",
        "en": "Applications the account may use",
    },
    "accounts.col_application": {"fr": "Application", "en": "Application"},
    "accounts.col_source": {"fr": "Origine", "en": "Source"},
    "accounts.col_action": {"fr": "Action", "en": "Action"},
    "accounts.granted_direct": {"fr": "accordée le {at}", "en": "granted {at}"},
    "accounts.granted_service": {
        "fr": "par le service {service}",
        "en": "through the service {service}",
    },
    "accounts.revoke": {"fr": "Retirer", "en": "Remove"},
    "accounts.no_habilitation": {"fr": "Aucune habilitation.", "en": "No habilitation."},
    "accounts.grant_label": {"fr": "Application à habiliter", "en": "Application to grant"},
    "accounts.grant": {"fr": "Habiliter", "en": "Grant"},
    "accounts.upstream_title": {
        "fr": "Comptes liés (fédération)",
        "en": "Linked upstream accounts",
    },
    "accounts.upstream_link": {
        "fr": "{provider} : lié le {at}, dernière utilisation : {used}",
        "en": "{provider}: linked {at}, last used: {used}",
    },
    "accounts.no_upstream": {"fr": "Aucun compte lié.", "en": "No linked account."},
    "accounts.sessions_title": {"fr": "Sessions actives", "en": "Active sessions"},
    "accounts.sessions_caption": {
        "fr": "{n} {n:session active|sessions actives}",
        "en": "{n} active {n:session|sessions}",
    },
    "accounts.col_started": {"fr": "Ouverte le", "en": "Started"},
    "accounts.col_last_seen": {"fr": "Dernière activité", "en": "Last seen"},
    "accounts.col_ip": {"fr": "Adresse IP", "en": "IP address"},
    "accounts.col_user_agent": {"fr": "Navigateur", "en": "Browser"},
    "accounts.end_session": {"fr": "Fermer", "en": "End"},
    "accounts.end_all": {"fr": "Fermer toutes les sessions", "en": "End all sessions"},
    "accounts.no_session": {"fr": "Aucune session active.", "en": "No active session."},
    "accounts.events_title": {"fr": "Événements récents", "en": "Recent events"},
    "accounts.events_caption": {
        "fr": "Les {n} derniers événements du journal pour ce compte",
        "en": "The last {n} audit events of this account",
    },
    "accounts.col_when": {"fr": "Date", "en": "When"},
    "accounts.col_event": {"fr": "Événement", "en": "Event"},
    "accounts.col_outcome": {"fr": "Résultat", "en": "Outcome"},
    "accounts.col_by": {"fr": "Par", "en": "By"},
    "accounts.no_event": {"fr": "Aucun événement.", "en": "No event."},
    # What an action did.
    "accounts.unlocked": {
        "fr": "Le compte {identifier} est déverrouillé.",
        "en": "Account {identifier} is unlocked.",
    },
    "accounts.was_not_locked": {
        "fr": "Le compte {identifier} n'était pas verrouillé.",
        "en": "Account {identifier} was not locked.",
    },
    "accounts.invited": {
        "fr": "Un nouveau lien d'invitation a été envoyé à {address}.",
        "en": "A new invitation link was sent to {address}.",
    },
    "accounts.invite_has_password": {
        "fr": "Le compte {identifier} a déjà un mot de passe : envoyez plutôt un mot de passe "
        "provisoire.",
        "en": "Account {identifier} already has a password: send a temporary password instead.",
    },
    "accounts.no_email": {
        "fr": "Le compte {identifier} n'a pas d'adresse de courriel : rien n'a été envoyé.",
        "en": "Account {identifier} has no e-mail address: nothing was sent.",
    },
    "accounts.disabled": {
        "fr": "Le compte {identifier} est désactivé ; ses sessions sont fermées.",
        "en": "Account {identifier} is disabled; its sessions have ended.",
    },
    "accounts.enabled": {
        "fr": "Le compte {identifier} est réactivé.",
        "en": "Account {identifier} is enabled again.",
    },
    "accounts.granted": {
        "fr": "Le compte {identifier} est habilité pour {application}.",
        "en": "Account {identifier} is granted {application}.",
    },
    "accounts.already_granted": {
        "fr": "Le compte {identifier} était déjà habilité pour {application}.",
        "en": "Account {identifier} was already granted {application}.",
    },
    "accounts.grant_unknown": {
        "fr": "Choisissez une application de la liste.",
        "en": "Choose an application from the list.",
    },
    "accounts.revoked": {
        "fr": "L'habilitation {client} est retirée ; ses jetons sont révoqués.",
        "en": "The habilitation {client} is removed; its tokens are revoked.",
    },
    "accounts.revoked_still": {
        "fr": "L'habilitation directe {client} est retirée, mais un service du compte y donne "
        "encore accès.",
        "en": "The direct habilitation {client} is removed, but a service of the account still "
        "opens it.",
    },
    "accounts.not_granted": {
        "fr": "Le compte {identifier} n'avait pas cette habilitation directe.",
        "en": "Account {identifier} did not have this direct habilitation.",
    },
    "accounts.session_ended": {"fr": "La session est fermée.", "en": "The session has ended."},
    "accounts.sessions_ended": {
        "fr": "{count} {count:session fermée|sessions fermées}.",
        "en": "{count} {count:session|sessions} ended.",
    },
}

for _state, (_fr, _en) in _STATES.items():
    ADMIN_ACCOUNTS_MESSAGES[f"accounts.state_{_state}"] = {"fr": _fr, "en": _en}
for _channel, ((_fr_label, _fr), (_en_label, _en)) in _CHANNELS.items():
    ADMIN_ACCOUNTS_MESSAGES[f"accounts.channel_{_channel}"] = {"fr": _fr_label, "en": _en_label}
    ADMIN_ACCOUNTS_MESSAGES[f"accounts.temporary_sent_{_channel}"] = {
        "fr": f"Un mot de passe provisoire a été envoyé {_fr} au titulaire du compte "
        "{identifier} ; ses sessions sont fermées.",
        "en": f"A temporary password was sent {_en} to the holder of account {{identifier}}; "
        "their sessions have ended.",
    }
    ADMIN_ACCOUNTS_MESSAGES[f"accounts.no_address_{_channel}"] = {
        "fr": f"Impossible d'envoyer {_fr} : le compte {{identifier}} n'a pas cette "
        "coordonnée. Rien n'a été modifié.",
        "en": f"Cannot send {_en}: account {{identifier}} has no such contact. Nothing was "
        "changed.",
    }
