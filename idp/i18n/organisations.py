"""The texts of "Gestion des comptes" (organisations, primary and secondary accounts)."""

from __future__ import annotations

ORGANISATION_MESSAGES: dict[str, dict[str, str]] = {
    # Refusals of the organisations services (OrganisationError keys).
    "org.kind_unknown": {
        "fr": "Choisissez un type dans la liste.",
        "en": "Choose a type from the list.",
    },
    "org.company_name_required": {
        "fr": "Indiquez la raison sociale.",
        "en": "Enter the company name.",
    },
    "org.siren_invalid": {
        "fr": "Le numéro SIREN doit comporter 9 chiffres valides.",
        "en": "The SIREN number must be 9 valid digits.",
    },
    "org.nic_invalid": {
        "fr": "Le code NIC doit comporter 5 chiffres.",
        "en": "The NIC code must be 5 digits.",
    },
    "org.siret_invalid": {
        "fr": "Le SIRET (SIREN + NIC) n'est pas valide : vérifiez le code NIC.",
        "en": "The SIRET (SIREN + NIC) is not valid: check the NIC code.",
    },
    "org.civility_unknown": {"fr": "Choisissez une civilité.", "en": "Choose a title."},
    "org.street_suffix_unknown": {
        "fr": "Choisissez un suffixe de voie dans la liste.",
        "en": "Choose a street suffix from the list.",
    },
    "org.email_invalid": {
        "fr": "Cette adresse électronique n'est pas valide.",
        "en": "This e-mail address is not valid.",
    },
    "org.too_long": {"fr": "Ce champ est trop long.", "en": "This field is too long."},
    "org.already_member": {
        "fr": "Le compte {identifier} appartient déjà à une organisation.",
        "en": "The account {identifier} already belongs to an organisation.",
    },
    "org.status_unknown": {
        "fr": "Statut inconnu : {status}.",
        "en": "Unknown status: {status}.",
    },
    "org.action_refused": {
        "fr": "Cette action ne s'applique pas à l'organisation dans son état actuel : la page "
        "n'était plus à jour.",
        "en": "This action does not apply to the organisation as it is now: the page was out "
        "of date.",
    },
    "org.quota_negative": {
        "fr": "Le nombre de comptes secondaires ne peut pas être négatif.",
        "en": "The number of secondary accounts cannot be negative.",
    },
    "org.quota_too_large": {
        "fr": "Le nombre de comptes secondaires ne peut pas dépasser {max}.",
        "en": "The number of secondary accounts cannot exceed {max}.",
    },
    "org.quota_below_used": {
        "fr": "Vous avez déjà {used} {used:compte secondaire|comptes secondaires} avec boîte "
        "mail : le nombre souhaité ne peut pas être inférieur.",
        "en": "You already have {used} secondary {used:account|accounts} with a mailbox: the "
        "number wanted cannot be lower.",
    },
    "org.quota_reached": {
        "fr": "Vous avez atteint le nombre de comptes secondaires avec boîte mail souhaités "
        "({quota}). Augmentez-le dans l'onglet « Options » de votre compte principal, ou créez "
        "un compte secondaire sans boîte mail (gratuit).",
        "en": "You have reached the number of secondary accounts with a mailbox you asked for "
        '({quota}). Raise it in your primary account\'s "Options" tab, or create a secondary '
        "account without a mailbox (free).",
    },
    "org.dossier_taken": {
        "fr": "Le numéro de dossier {dossier} est déjà attribué.",
        "en": "The file number {dossier} is already taken.",
    },
    "org.billing_date_invalid": {
        "fr": "La date de facturation {date} n'est pas une date au format AAAA-MM-JJ.",
        "en": "The billing date {date} is not a date in the form YYYY-MM-DD.",
    },
    "org.billing_address_incomplete": {
        "fr": "Indiquez au moins le nom de voie, le code postal et la ville de facturation.",
        "en": "Enter at least the street, postal code and city for billing.",
    },
    "org.not_primary": {
        "fr": "Seul le compte principal peut créer des comptes secondaires.",
        "en": "Only the primary account can create secondary accounts.",
    },
    "org.not_secondary": {
        "fr": "Ce compte n'est pas un compte secondaire.",
        "en": "This account is not a secondary account.",
    },
    "org.secondary_name_invalid": {
        "fr": "Le nom du compte secondaire comporte de 1 à 32 caractères : lettres minuscules "
        "sans accent, chiffres, « - » ou « _ » (ni au début ni à la fin).",
        "en": "The secondary account's name has 1 to 32 characters: lower-case letters without "
        'accents, digits, "-" or "_" (not first or last).',
    },
    "org.secondary_name_taken": {
        "fr": "Le compte {identifier} existe déjà (un nom de compte n'est jamais réattribué).",
        "en": "The account {identifier} already exists (an account name is never reused).",
    },
    "org.service_code_invalid": {
        "fr": "Le code d'une téléprocédure comporte de 1 à 32 lettres, chiffres, « - » ou « _ ».",
        "en": 'A service code has 1 to 32 letters, digits, "-" or "_".',
    },
    "org.service_exists": {
        "fr": "La téléprocédure {code} existe déjà.",
        "en": "The service {code} already exists.",
    },
    "org.service_description_required": {
        "fr": "Décrivez la téléprocédure.",
        "en": "Describe the service.",
    },
    "org.service_client_linked": {
        "fr": "La téléprocédure ouvre déjà l'application {client_id}.",
        "en": "The service already opens the application {client_id}.",
    },
    "org.service_client_not_linked": {
        "fr": "La téléprocédure n'ouvre pas l'application {client_id}.",
        "en": "The service does not open the application {client_id}.",
    },
    "org.service_client_unknown": {
        "fr": "Application inconnue : {client_id}.",
        "en": "Unknown application: {client_id}.",
    },
    "org.service_unknown": {
        "fr": "Téléprocédure inconnue : {code}.",
        "en": "Unknown service: {code}.",
    },
    "org.document_type_unknown": {
        "fr": "Type de document inconnu pour la téléprocédure {code}.",
        "en": "Unknown document type for the service {code}.",
    },
    "org.service_beyond_primary": {
        "fr": "Un compte secondaire ne peut pas avoir plus de droits que son compte principal : "
        "{code}.",
        "en": "A secondary account cannot have more rights than its primary account: {code}.",
    },
    "org.services_not_autonomous": {
        "fr": "Vos téléprocédures sont choisies par votre compte principal.",
        "en": "Your services are chosen by your primary account.",
    },
    "org.not_your_account": {
        "fr": "Ce compte n'est pas l'un de vos comptes secondaires.",
        "en": "This account is not one of your secondary accounts.",
    },
    # Recent sign-in (idp/web/organisation_access.py, _reauth.html).
    "org.reauth_label": {"fr": "Mot de passe actuel", "en": "Current password"},
    "org.reauth_hint": {
        "fr": "Pour cette modification, confirmez votre mot de passe : votre connexion date de "
        "plus de quelques minutes.",
        "en": "To make this change, confirm your password: you signed in more than a few "
        "minutes ago.",
    },
    "org.reauth_needed": {
        "fr": "Saisissez votre mot de passe actuel pour confirmer cette modification.",
        "en": "Enter your current password to confirm this change.",
    },
    # The habilitation refusal page, for an organisation's account.
    "org.advice_self": {
        "fr": "Cette application est ouverte par la téléprocédure {services} : vous pouvez "
        "vous y inscrire dans « Gestion des comptes », onglet « Options ».",
        "en": "This application is opened by the service {services}: you can subscribe to it "
        'in "Account management", "Options" tab.',
    },
    "org.advice_self_link": {
        "fr": "Gérer mes téléprocédures",
        "en": "Manage my services",
    },
    "org.advice_primary": {
        "fr": "Cette application est ouverte par la téléprocédure {services}. Demandez à votre "
        "compte principal {primary} de vous y inscrire.",
        "en": "This application is opened by the service {services}. Ask your primary account "
        "{primary} to subscribe you to it.",
    },
}
