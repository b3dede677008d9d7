"""The texts of the "Modifier" tabs of "Gestion des comptes": Identité, Options, Facturation,
Mot de passe (idp/web/organisation_tabs.py)."""

from __future__ import annotations

ORGANISATION_TABS_MESSAGES: dict[str, dict[str, str]] = {
    "org_tabs.title": {"fr": "Gestion des comptes", "en": "Account management"},
    "org_tabs.back": {"fr": "‹ Retour", "en": "‹ Back"},
    "org_tabs.back_label": {
        "fr": "Retour à la gestion des comptes",
        "en": "Back to account management",
    },
    "org_tabs.tabs_label": {"fr": "Onglets du compte", "en": "Account tabs"},
    "org_tabs.tab.identity": {"fr": "Identité", "en": "Identity"},
    "org_tabs.tab.options": {"fr": "Options", "en": "Options"},
    "org_tabs.tab.billing": {"fr": "Facturation", "en": "Billing"},
    "org_tabs.tab.password": {"fr": "Mot de passe", "en": "Password"},
    # The header, as the seed shows it.
    "org_tabs.summary": {"fr": "Le compte", "en": "The account"},
    "org_tabs.dossier": {"fr": "N° Dossier", "en": "File number"},
    "org_tabs.login": {"fr": "Login", "en": "Login"},
    "org_tabs.profile": {"fr": "Profil", "en": "Profile"},
    "org_tabs.profile.primary": {"fr": "Compte principal", "en": "Primary account"},
    "org_tabs.profile.secondary": {"fr": "Compte secondaire", "en": "Secondary account"},
    "org_tabs.kind": {"fr": "Type", "en": "Type"},
    "org_tabs.status": {"fr": "Statut", "en": "Status"},
    "org_tabs.status.pending": {"fr": "Demande validée", "en": "Request approved"},
    "org_tabs.status.open": {"fr": "Ouvert", "en": "Open"},
    "org_tabs.status.closed": {"fr": "Fermé", "en": "Closed"},
    "org_tabs.created": {"fr": "Création", "en": "Created"},
    "org_tabs.save": {"fr": "Enregistrer", "en": "Save"},
    "org_tabs.saved": {
        "fr": "Vos modifications ont été enregistrées.",
        "en": "Your changes have been saved.",
    },
    "org_tabs.fix_errors": {
        "fr": "Les modifications n'ont pas été enregistrées : corrigez les points suivants.",
        "en": "The changes were not saved: correct the following.",
    },
    "org_tabs.optional": {"fr": "Facultatif", "en": "Optional"},
    "org_tabs.choose": {"fr": "Choisir", "en": "Choose"},
    # Identité
    "org_tabs.company": {"fr": "Entreprise", "en": "Company"},
    "org_tabs.siren": {"fr": "SIREN", "en": "SIREN"},
    "org_tabs.siren_hint": {"fr": "9 chiffres", "en": "9 digits"},
    "org_tabs.nic": {"fr": "NIC", "en": "NIC"},
    "org_tabs.nic_hint": {
        "fr": "5 chiffres : SIREN + NIC forment le SIRET",
        "en": "5 digits: SIREN + NIC make the SIRET",
    },
    "org_tabs.company_name": {"fr": "Raison sociale", "en": "Company name"},
    "org_tabs.corporate_officer": {"fr": "Mandataire social", "en": "Corporate officer"},
    "org_tabs.responsible": {"fr": "Responsable", "en": "Person in charge"},
    "org_tabs.civility": {"fr": "Civilité", "en": "Title"},
    "org_tabs.civility.M.": {"fr": "Monsieur", "en": "Mr"},
    "org_tabs.civility.Mme": {"fr": "Madame", "en": "Ms"},
    "org_tabs.last_name": {"fr": "Nom", "en": "Last name"},
    "org_tabs.first_name": {"fr": "Prénom", "en": "First name"},
    "org_tabs.address": {"fr": "Adresse", "en": "Address"},
    "org_tabs.street_number": {"fr": "Numéro voie", "en": "Street number"},
    "org_tabs.street_suffix": {"fr": "Suffixe voie", "en": "Street number suffix"},
    "org_tabs.street_name": {"fr": "Nom voie", "en": "Street"},
    "org_tabs.address_complement": {"fr": "Complément", "en": "Address line 2"},
    "org_tabs.po_box": {"fr": "Boîte postale", "en": "PO box"},
    "org_tabs.postal_code": {"fr": "Code postal", "en": "Postal code"},
    "org_tabs.city": {"fr": "Ville", "en": "City"},
    "org_tabs.country": {"fr": "Pays", "en": "Country"},
    "org_tabs.email": {"fr": "E-mail", "en": "E-mail"},
    "org_tabs.phone": {"fr": "N° de téléphone", "en": "Phone number"},
    "org_tabs.fax": {"fr": "N° de fax", "en": "Fax number"},
    "org_tabs.technical": {
        "fr": "Contact technique ou d'exploitation",
        "en": "Technical or operations contact",
    },
    "org_tabs.administrative": {
        "fr": "Contact administratif ou comptable",
        "en": "Administrative or accounting contact",
    },
    "org_tabs.contact_name": {"fr": "Nom", "en": "Name"},
    "org_tabs.copy": {
        "fr": "Copier les informations du responsable",
        "en": "Copy the person in charge's details",
    },
    "org_tabs.copied": {
        "fr": "Les informations du responsable ont été copiées dans « {contact} » : vérifiez-les "
        "puis enregistrez.",
        "en": 'The person in charge\'s details were copied into "{contact}": check them, then '
        "save.",
    },
    # Options
    "org_tabs.quota": {
        "fr": "Nombre de comptes secondaires souhaités",
        "en": "Number of secondary accounts wanted",
    },
    "org_tabs.quota_hint": {
        "fr": "Comptes secondaires avec boîte mail ({used} {used:utilisé|utilisés} avec boîte "
        "mail) ; ceux sans boîte mail sont gratuits et illimités.",
        "en": "Secondary accounts with a mailbox ({used} used with a mailbox); those without "
        "one are free and unlimited.",
    },
    "org_tabs.quota_invalid": {
        "fr": "Indiquez un nombre entier, 0 ou plus.",
        "en": "Enter a whole number, 0 or more.",
    },
    "org_tabs.mailbox_section": {"fr": "Boîte mail", "en": "Mailbox"},
    "org_tabs.mailbox": {"fr": "Créer une boîte mail", "en": "Create a mailbox"},
    "org_tabs.mailbox_hint": {
        "fr": "Un compte secondaire avec boîte mail compte dans le nombre souhaité et est "
        "facturé ; sans boîte mail, ses messages vont au responsable du compte principal.",
        "en": "A secondary account with a mailbox counts against the number wanted and is "
        "billed; without one, its messages go to the primary account's person in charge.",
    },
    "org_tabs.mailbox_email": {
        "fr": "Adresse de la boîte mail",
        "en": "Mailbox address",
    },
    "org_tabs.mailbox_email_required": {
        "fr": "Indiquez l'adresse de la boîte mail.",
        "en": "Enter the mailbox address.",
    },
    "org_tabs.mailbox_warning": {
        "fr": "ATTENTION : pour pouvoir accéder à sa boite mail, le titulaire du compte "
        "secondaire devra impérativement réinitialiser son mot de passe",
        "en": "WARNING: to access their mailbox, the holder of the secondary account will have "
        "to reset their password",
    },
    "org_tabs.services": {"fr": "Téléprocédures", "en": "Online services"},
    "org_tabs.services_intro": {
        "fr": "Vous pouvez modifier vos abonnements aux différentes téléprocédures :",
        "en": "You can change your subscriptions to the online services:",
    },
    "org_tabs.services_intro_secondary": {
        "fr": "Les téléprocédures de ce compte secondaire, parmi celles de votre compte "
        "principal :",
        "en": "This secondary account's services, among your primary account's:",
    },
    "org_tabs.services_readonly": {
        "fr": "Vos téléprocédures sont choisies par votre compte principal.",
        "en": "Your services are chosen by your primary account.",
    },
    "org_tabs.services_none": {
        "fr": "Aucune téléprocédure.",
        "en": "No service.",
    },
    "org_tabs.autonomous": {
        "fr": "J'autorise ce compte secondaire à s'inscrire aux téléprocédures de son choix",
        "en": "I allow this secondary account to subscribe to the services of its choice",
    },
    "org_tabs.select_all": {"fr": "Tout sélectionner", "en": "Select all"},
    "org_tabs.all_selected": {
        "fr": "Toutes les téléprocédures sont cochées : enregistrez pour les choisir.",
        "en": "Every service is ticked: save to choose them.",
    },
    "org_tabs.service": {"fr": "Téléprocédure", "en": "Service"},
    "org_tabs.description": {"fr": "Description", "en": "Description"},
    "org_tabs.recipients": {"fr": "Destinataires", "en": "Recipients"},
    "org_tabs.document_types": {
        "fr": "Types de documents ({code})",
        "en": "Document types ({code})",
    },
    "org_tabs.document_types_hint": {
        "fr": "Aucun coché : tous.",
        "en": "None ticked: all of them.",
    },
    "org_tabs.service_removed": {
        "fr": "La téléprocédure {code} a été retirée de {n} {n:compte secondaire|comptes "
        "secondaires}.",
        "en": "The service {code} was removed from {n} secondary {n:account|accounts}.",
    },
    # Facturation
    "org_tabs.billing_date": {"fr": "Date de facturation", "en": "Billing date"},
    "org_tabs.billing_date_none": {"fr": "Non renseignée", "en": "Not set"},
    "org_tabs.billing_use_responsible": {
        "fr": "Utiliser l'adresse du responsable pour la facturation",
        "en": "Use the person in charge's address for billing",
    },
    "org_tabs.billing_address": {"fr": "Adresse de facturation", "en": "Billing address"},
    "org_tabs.billing_address_hint": {
        "fr": "Utilisée quand la case ci-dessus n'est pas cochée.",
        "en": "Used when the box above is not ticked.",
    },
    "org_tabs.pricing": {
        "fr": "Pour obtenir les tarifs d'abonnements, contacter notre service commercial à "
        "l'adresse",
        "en": "For subscription prices, contact our sales department at",
    },
    # Mot de passe
    "org_tabs.password_title": {"fr": "Changement de mot de passe", "en": "Password change"},
    "org_tabs.password_secondary_intro": {
        "fr": "Le mot de passe que vous choisissez est temporaire : le titulaire du compte "
        "{identifier} devra le personnaliser à sa prochaine connexion. Ses connexions en "
        "cours prennent fin et le responsable de votre compte principal est prévenu par "
        "e-mail.",
        "en": "The password you choose is temporary: the holder of the account {identifier} "
        "will have to personalise it at their next sign-in. Their current sessions end and "
        "your primary account's person in charge is told by e-mail.",
    },
    "org_tabs.password_set_secondary": {
        "fr": "Le mot de passe temporaire du compte {identifier} a été enregistré.",
        "en": "The temporary password of the account {identifier} has been saved.",
    },
}
