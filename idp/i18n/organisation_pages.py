"""The texts of the "Gestion des comptes" pages: the list of secondary accounts, creating,
deactivating and reactivating one (idp/web/organisation.py)."""

from __future__ import annotations

ORGANISATION_PAGE_MESSAGES: dict[str, dict[str, str]] = {
    "orgpages.title": {"fr": "Gestion des comptes", "en": "Account management"},
    "orgpages.link": {"fr": "Gestion des comptes", "en": "Account management"},
    "orgpages.back": {"fr": "Retour à mon compte", "en": "Back to my account"},
    "orgpages.back_to_list": {"fr": "Retour", "en": "Back"},
    # The summary of the signed-in account.
    "orgpages.summary_primary": {"fr": "Votre compte principal", "en": "Your primary account"},
    "orgpages.summary_secondary": {"fr": "Votre compte", "en": "Your account"},
    "orgpages.dossier": {"fr": "N° Dossier", "en": "File number"},
    "orgpages.login": {"fr": "Login", "en": "Login"},
    "orgpages.kind": {"fr": "Type", "en": "Type"},
    "orgpages.siret": {"fr": "SIRET", "en": "SIRET"},
    "orgpages.company_name": {"fr": "Raison sociale", "en": "Company name"},
    "orgpages.responsible": {"fr": "Responsable", "en": "Responsible person"},
    "orgpages.organisation_status": {"fr": "Statut", "en": "Status"},
    "orgpages.created_on": {"fr": "Date de création", "en": "Created on"},
    "orgpages.profile": {"fr": "Profil", "en": "Profile"},
    "orgpages.profile_primary": {"fr": "Compte principal", "en": "Primary account"},
    "orgpages.profile_secondary": {
        "fr": "Compte secondaire de {primary}",
        "en": "Secondary account of {primary}",
    },
    "orgpages.mister": {"fr": "Monsieur", "en": "Mr"},
    "orgpages.madam": {"fr": "Madame", "en": "Ms"},
    "orgpages.edit": {"fr": "Modifier", "en": "Edit"},
    # Visually hidden after "Modifier": each link's name says which account it edits.
    "orgpages.edit_which": {"fr": "le compte {identifier}", "en": "the account {identifier}"},
    "orgpages.none": {"fr": "Non renseigné", "en": "Not given"},
    # States: of the organisation, and of each secondary account.
    "orgpages.state.pending": {"fr": "Demande validée", "en": "Request approved"},
    "orgpages.state.open": {"fr": "Ouvert", "en": "Open"},
    "orgpages.state.closed": {"fr": "Fermé", "en": "Closed"},
    # "Gestion de vos comptes secondaires".
    "orgpages.secondaries": {
        "fr": "Gestion de vos comptes secondaires",
        "en": "Your secondary accounts",
    },
    "orgpages.mailbox_use": {
        "fr": "{used} / {quota} {quota:compte|comptes} avec boîte mail",
        "en": "{used} / {quota} {quota:account|accounts} with a mailbox",
    },
    "orgpages.search_legend": {"fr": "Rechercher", "en": "Search"},
    "orgpages.filter_name": {"fr": "Nom compte", "en": "Account name"},
    "orgpages.filter_mailbox": {"fr": "BAL (boîte mail)", "en": "Mailbox"},
    "orgpages.any": {"fr": "Tous", "en": "Any"},
    "orgpages.yes": {"fr": "Oui", "en": "Yes"},
    "orgpages.no": {"fr": "Non", "en": "No"},
    "orgpages.search": {"fr": "Rechercher", "en": "Search"},
    "orgpages.clear": {"fr": "Effacer les filtres", "en": "Clear the filters"},
    "orgpages.found": {
        "fr": "{n} {n:compte secondaire trouvé|comptes secondaires trouvés}",
        "en": "{n} secondary {n:account|accounts} found",
    },
    "orgpages.table_caption": {
        "fr": "Vos comptes secondaires, page {page} sur {pages}",
        "en": "Your secondary accounts, page {page} of {pages}",
    },
    "orgpages.col_name": {"fr": "Nom compte", "en": "Account name"},
    "orgpages.col_mailbox": {"fr": "BAL", "en": "Mailbox"},
    "orgpages.col_edit": {"fr": "Modifier", "en": "Edit"},
    "orgpages.col_deactivate": {"fr": "Désactiver", "en": "Deactivate"},
    "orgpages.sort_ascending": {
        "fr": "trier par ordre croissant",
        "en": "sort in ascending order",
    },
    "orgpages.sort_descending": {
        "fr": "trier par ordre décroissant",
        "en": "sort in descending order",
    },
    "orgpages.deactivate_account": {
        "fr": "Désactiver {identifier}",
        "en": "Deactivate {identifier}",
    },
    "orgpages.reactivate_account": {
        "fr": "Réactiver {identifier}",
        "en": "Reactivate {identifier}",
    },
    "orgpages.nothing_found": {
        "fr": "Aucun compte secondaire ne correspond à ces critères.",
        "en": "No secondary account matches these criteria.",
    },
    "orgpages.pages": {"fr": "Pages des résultats", "en": "Result pages"},
    "orgpages.previous": {"fr": "Page précédente", "en": "Previous page"},
    "orgpages.next": {"fr": "Page suivante", "en": "Next page"},
    "orgpages.page": {"fr": "Page", "en": "Page"},
    "orgpages.create_link": {
        "fr": "Créer un compte secondaire",
        "en": "Create a secondary account",
    },
    # Confirmations after an action (the list page shows them).
    "orgpages.deactivated": {
        "fr": "Le compte {identifier} a été désactivé : ses connexions et ses accès aux "
        "applications ont pris fin.",
        "en": "The account {identifier} has been deactivated: its sessions and its access to "
        "the applications have ended.",
    },
    "orgpages.reactivated": {
        "fr": "Le compte {identifier} a été réactivé.",
        "en": "The account {identifier} has been reactivated.",
    },
    "orgpages.created": {
        "fr": "Le compte {identifier} a été créé.",
        "en": "The account {identifier} has been created.",
    },
    "orgpages.invitation_sent": {
        "fr": "Une invitation à choisir son mot de passe a été envoyée à {address}.",
        "en": "An invitation to choose its password has been sent to {address}.",
    },
    "orgpages.invite_again": {"fr": "Renvoyer l'invitation", "en": "Send the invitation again"},
    "orgpages.invitation_not_needed": {
        "fr": "Le compte {identifier} a déjà un mot de passe : il n'a pas besoin d'invitation.",
        "en": "The account {identifier} already has a password: it needs no invitation.",
    },
    "orgpages.invitation_failed": {
        "fr": "L'invitation n'a pas pu être envoyée. Ouvrez « Modifier » sur ce compte pour "
        "lui donner un mot de passe, ou contactez l'Assistance.",
        "en": 'The invitation could not be sent. Open "Edit" on this account to give it a '
        "password, or contact support.",
    },
    # Reactivation when the sign-in is not recent.
    "orgpages.reactivate_title": {
        "fr": "Réactiver le compte {identifier}",
        "en": "Reactivate the account {identifier}",
    },
    "orgpages.reactivate_intro": {
        "fr": "La réactivation rend au compte ses droits d'accès : confirmez-la avec votre mot "
        "de passe.",
        "en": "Reactivating gives the account its access back: confirm it with your password.",
    },
    "orgpages.reactivate_submit": {"fr": "Réactiver", "en": "Reactivate"},
    # "Créer un compte secondaire".
    "orgpages.create_title": {
        "fr": "Créer un compte secondaire",
        "en": "Create a secondary account",
    },
    "orgpages.create_intro": {
        "fr": "Le compte secondaire agit pour votre organisation, avec au plus vos "
        "téléprocédures. Il reprend l'identité de votre compte principal, que vous pourrez "
        "modifier ensuite.",
        "en": "The secondary account acts for your organisation, with at most your services. "
        "It takes your primary account's identity, which you can change afterwards.",
    },
    "orgpages.not_created": {
        "fr": "Le compte n'a pas été créé : corrigez ce qui est signalé ci-dessous.",
        "en": "The account has not been created: correct what is shown below.",
    },
    "orgpages.name": {"fr": "Nom du compte", "en": "Account name"},
    "orgpages.name_hint": {
        "fr": "De 1 à 32 caractères : lettres minuscules sans accent, chiffres, « - » ou « _ ». "
        "Le nom de votre compte est ajouté à la suite : {example}.",
        "en": 'From 1 to 32 characters: lower-case letters without accents, digits, "-" or '
        '"_". Your account\'s name is added after it: {example}.',
    },
    "orgpages.name_required": {
        "fr": "Indiquez le nom du compte.",
        "en": "Enter the account name.",
    },
    "orgpages.way_in": {"fr": "Accès au compte", "en": "Access to the account"},
    "orgpages.way_in_password": {
        "fr": "Définir son mot de passe maintenant",
        "en": "Set its password now",
    },
    "orgpages.way_in_invitation": {"fr": "Envoyer une invitation", "en": "Send an invitation"},
    "orgpages.way_in_invitation_hint": {
        "fr": "Le titulaire choisit lui-même son mot de passe avec le lien reçu dans sa boîte "
        "mail ou, si le compte n'en a pas, dans celle du responsable de votre compte principal.",
        "en": "The holder chooses the password with the link sent to the account's mailbox or, "
        "when it has none, to your primary account's responsible person.",
    },
    "orgpages.mailbox": {"fr": "Créer une boîte mail", "en": "Create a mailbox"},
    "orgpages.mailbox_hint": {
        "fr": "Comptes avec boîte mail : {used} / {quota}. Sans boîte mail, le compte est "
        "gratuit et ses messages sont envoyés au responsable de votre compte principal.",
        "en": "Accounts with a mailbox: {used} / {quota}. Without a mailbox, the account is "
        "free and its messages go to your primary account's responsible person.",
    },
    "orgpages.email": {"fr": "Adresse de la boîte mail", "en": "Mailbox address"},
    "orgpages.email_required": {
        "fr": "Indiquez l'adresse de la boîte mail, ou décochez « Créer une boîte mail ».",
        "en": 'Enter the mailbox address, or untick "Create a mailbox".',
    },
    "orgpages.autonomous": {
        "fr": "Compte secondaire autonome",
        "en": "Autonomous secondary account",
    },
    "orgpages.autonomous_hint": {
        "fr": "J'autorise ce compte secondaire à s'inscrire aux téléprocédures de son choix, "
        "parmi les vôtres.",
        "en": "I allow this secondary account to subscribe to the services of its choice, among "
        "yours.",
    },
    "orgpages.services": {"fr": "Téléprocédures", "en": "Services"},
    "orgpages.services_hint": {
        "fr": "Les téléprocédures auxquelles le compte a accès, parmi les vôtres.",
        "en": "The services the account may use, among yours.",
    },
    "orgpages.no_services": {
        "fr": "Votre compte n'est inscrit à aucune téléprocédure : vous pourrez en donner au "
        "compte après vous y être inscrit (onglet « Options »).",
        "en": "Your account has no service: you can give the account some once you have "
        'subscribed to them ("Options" tab).',
    },
    "orgpages.select_all": {"fr": "Tout sélectionner", "en": "Select all"},
    "orgpages.recipients": {"fr": "Destinataires : {recipients}", "en": "Recipients: {recipients}"},
    "orgpages.document_types": {
        "fr": "Types de documents de {code}",
        "en": "Document types for {code}",
    },
    "orgpages.document_types_hint": {
        "fr": "Aucun coché : tous les types de documents.",
        "en": "None ticked: every document type.",
    },
    "orgpages.create_submit": {"fr": "Créer le compte", "en": "Create the account"},
}
