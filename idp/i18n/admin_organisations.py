"""The texts of the console's "Services et organisations" pages: the catalogue of services and
the organisations (validation, closing, reopening, quota)."""

from __future__ import annotations

ADMIN_ORGANISATIONS_MESSAGES: dict[str, dict[str, str]] = {
    "admin_orgs.subnav": {"fr": "Pages de la section", "en": "Pages of the section"},
    "admin_orgs.organisations": {"fr": "Organisations", "en": "Organisations"},
    "admin_orgs.catalogue": {"fr": "Catalogue des téléprocédures", "en": "Catalogue of services"},
    # The list of organisations.
    "admin_orgs.search": {"fr": "Rechercher", "en": "Search"},
    "admin_orgs.search_hint": {
        "fr": "N° dossier, raison sociale, identifiant du compte principal ou début du SIRET",
        "en": "Dossier number, company name, primary account identifier or first digits of "
        "the SIRET",
    },
    "admin_orgs.status": {"fr": "Statut", "en": "Status"},
    "admin_orgs.any_status": {"fr": "Tous les statuts", "en": "Any status"},
    "admin_orgs.search_button": {"fr": "Rechercher", "en": "Search"},
    "admin_orgs.clear": {"fr": "Effacer la recherche", "en": "Clear the search"},
    "admin_orgs.found": {
        "fr": "{n} {n:organisation trouvée|organisations trouvées}",
        "en": "{n} {n:organisation|organisations} found",
    },
    "admin_orgs.table_caption": {
        "fr": "Organisations, page {page} sur {pages}",
        "en": "Organisations, page {page} of {pages}",
    },
    "admin_orgs.nothing_found": {
        "fr": "Aucune organisation ne correspond à la recherche.",
        "en": "No organisation matches the search.",
    },
    "admin_orgs.primary": {"fr": "Compte principal", "en": "Primary account"},
    "admin_orgs.mailboxes": {"fr": "Quota et boîtes mail", "en": "Quota and mailboxes"},
    "admin_orgs.mailbox_use": {
        "fr": "{used} {used:boîte mail utilisée|boîtes mail utilisées} sur {quota}",
        "en": "{used} of {quota} {quota:mailbox|mailboxes} used",
    },
    "admin_orgs.created": {"fr": "Création", "en": "Created"},
    # An organisation's page.
    "admin_orgs.organisation_title": {
        "fr": "Organisation n° {dossier}",
        "en": "Organisation no. {dossier}",
    },
    "admin_orgs.state_title": {"fr": "Statut et quota", "en": "Status and quota"},
    "admin_orgs.validate": {"fr": "Valider la demande", "en": "Validate the request"},
    "admin_orgs.reopen": {"fr": "Rouvrir l'organisation", "en": "Reopen the organisation"},
    "admin_orgs.close": {"fr": "Fermer l'organisation…", "en": "Close the organisation…"},
    "admin_orgs.change_quota": {"fr": "Modifier le quota", "en": "Change the quota"},
    "admin_orgs.identity_title": {"fr": "Identité", "en": "Identity"},
    "admin_orgs.corporate_officer": {"fr": "Mandataire social", "en": "Corporate officer"},
    "admin_orgs.name": {"fr": "Nom", "en": "Name"},
    "admin_orgs.address": {"fr": "Adresse", "en": "Address"},
    "admin_orgs.email": {"fr": "Adresse e-mail", "en": "E-mail address"},
    "admin_orgs.phone": {"fr": "Téléphone", "en": "Phone"},
    "admin_orgs.fax": {"fr": "Fax", "en": "Fax"},
    "admin_orgs.contacts": {"fr": "Contacts", "en": "Contacts"},
    "admin_orgs.technical_contact": {"fr": "Contact technique", "en": "Technical contact"},
    "admin_orgs.administrative_contact": {
        "fr": "Contact administratif",
        "en": "Administrative contact",
    },
    "admin_orgs.secondaries_title": {"fr": "Comptes secondaires", "en": "Secondary accounts"},
    "admin_orgs.secondaries_count": {
        "fr": "{n} {n:compte secondaire|comptes secondaires}, par état :",
        "en": "{n} secondary {n:account|accounts}, by state:",
    },
    "admin_orgs.services_title": {"fr": "Téléprocédures souscrites", "en": "Services subscribed"},
    "admin_orgs.no_services": {
        "fr": "L'organisation n'a souscrit à aucune téléprocédure.",
        "en": "The organisation has subscribed to no service.",
    },
    "admin_orgs.back_to_list": {
        "fr": "Retour à la liste des organisations",
        "en": "Back to the list of organisations",
    },
    "admin_orgs.validated": {
        "fr": "La demande de l'organisation n° {dossier} est validée : elle est ouverte.",
        "en": "The request of organisation no. {dossier} is validated: it is open.",
    },
    "admin_orgs.closed": {
        "fr": "L'organisation n° {dossier} est fermée : ses comptes n'ont plus accès à ses "
        "téléprocédures.",
        "en": "Organisation no. {dossier} is closed: its accounts no longer have access to its "
        "services.",
    },
    "admin_orgs.reopened": {
        "fr": "L'organisation n° {dossier} est rouverte.",
        "en": "Organisation no. {dossier} is open again.",
    },
    # Closing.
    "admin_orgs.close_title": {
        "fr": "Fermer l'organisation n° {dossier}",
        "en": "Close organisation no. {dossier}",
    },
    "admin_orgs.close_consequence_title": {
        "fr": "Ce que la fermeture retire",
        "en": "What closing takes away",
    },
    "admin_orgs.close_consequence": {
        "fr": "Ses {n} {n:compte|comptes} (le compte principal et ses comptes secondaires) "
        "perdent aussitôt l'accès à toutes ses téléprocédures : leurs jetons pour ces "
        "applications sont révoqués et les sessions qui les ont obtenus prennent fin. Les "
        "comptes eux-mêmes ne sont pas supprimés ; rouvrir l'organisation leur rend l'accès.",
        "en": "Its {n} {n:account|accounts} (the primary and its secondary accounts) at once "
        "lose access to all its services: their tokens for those applications are revoked "
        "and the sessions that obtained them end. The accounts themselves are not deleted; "
        "reopening the organisation gives the access back.",
    },
    "admin_orgs.close_confirm": {"fr": "Fermer l'organisation", "en": "Close the organisation"},
    "admin_orgs.cancel": {"fr": "Annuler", "en": "Cancel"},
    # The quota.
    "admin_orgs.quota_title": {
        "fr": "Quota de l'organisation n° {dossier}",
        "en": "Quota of organisation no. {dossier}",
    },
    "admin_orgs.quota_section": {
        "fr": "Comptes secondaires avec boîte mail",
        "en": "Secondary accounts with a mailbox",
    },
    "admin_orgs.quota_label": {
        "fr": "Nombre de comptes secondaires souhaités",
        "en": "Number of secondary accounts wanted",
    },
    "admin_orgs.quota_hint": {
        "fr": "Comptes secondaires avec leur propre boîte mail ; ceux sans boîte mail sont "
        "illimités.",
        "en": "Secondary accounts with their own mailbox; those without one are unlimited.",
    },
    "admin_orgs.quota_not_number": {
        "fr": "Saisissez un nombre entier, par exemple 5.",
        "en": "Type a whole number, for instance 5.",
    },
    "admin_orgs.quota_changed": {
        "fr": "Le quota est maintenant de {quota}.",
        "en": "The quota is now {quota}.",
    },
    "admin_orgs.save": {"fr": "Enregistrer", "en": "Save"},
    # The catalogue.
    "admin_orgs.catalogue_caption": {
        "fr": "Les téléprocédures et les applications qu'elles ouvrent",
        "en": "The services and the applications they open",
    },
    "admin_orgs.no_services_yet": {
        "fr": "Aucune téléprocédure pour l'instant.",
        "en": "No service yet.",
    },
    "admin_orgs.code": {"fr": "Code", "en": "Code"},
    "admin_orgs.code_hint": {
        "fr": "Lettres, chiffres, - ou _ (32 au plus), par exemple DPAE.",
        "en": "Letters, digits, - or _ (32 at most), for instance DPAE.",
    },
    "admin_orgs.description": {"fr": "Description", "en": "Description"},
    "admin_orgs.recipients": {"fr": "Destinataires", "en": "Recipients"},
    "admin_orgs.recipients_hint": {"fr": "Par exemple : URSSAF", "en": "For instance: URSSAF"},
    "admin_orgs.document_types": {"fr": "Types de documents", "en": "Document types"},
    "admin_orgs.document_types_hint": {
        "fr": "Un par ligne ; facultatif.",
        "en": "One a line; optional.",
    },
    "admin_orgs.applications": {"fr": "Applications ouvertes", "en": "Applications it opens"},
    "admin_orgs.no_applications": {
        "fr": "Aucune application enregistrée.",
        "en": "No application registered.",
    },
    "admin_orgs.subscribers": {"fr": "Comptes abonnés", "en": "Accounts subscribed"},
    "admin_orgs.add_service": {"fr": "Ajouter une téléprocédure", "en": "Add a service"},
    "admin_orgs.new_service_title": {"fr": "La téléprocédure", "en": "The service"},
    "admin_orgs.service_added": {
        "fr": "La téléprocédure {code} est ajoutée ; ses applications demandent désormais une "
        "habilitation.",
        "en": "The service {code} is added; its applications now require a habilitation.",
    },
    # A service's page.
    "admin_orgs.service_title": {"fr": "Téléprocédure {code}", "en": "Service {code}"},
    "admin_orgs.about_service": {"fr": "Description", "en": "About it"},
    "admin_orgs.apps_caption": {
        "fr": "Les applications que {code} ouvre",
        "en": "The applications {code} opens",
    },
    "admin_orgs.application": {"fr": "Application", "en": "Application"},
    "admin_orgs.client_id": {"fr": "Identifiant client", "en": "Client id"},
    "admin_orgs.action": {"fr": "Action", "en": "Action"},
    "admin_orgs.unlink": {"fr": "Retirer", "en": "Unlink"},
    "admin_orgs.unlink_hint": {
        "fr": "Retirer une application : les comptes abonnés la perdent aussitôt (sauf si une "
        "autre habilitation la leur donne) ; elle demande toujours une habilitation.",
        "en": "Unlinking an application: the subscribed accounts lose it at once (unless "
        "another habilitation gives it to them); it still requires a habilitation.",
    },
    "admin_orgs.no_linked": {
        "fr": "Cette téléprocédure n'ouvre aucune application.",
        "en": "This service opens no application.",
    },
    "admin_orgs.link_label": {"fr": "Application à ajouter", "en": "Application to add"},
    "admin_orgs.link_hint": {
        "fr": "Elle demandera une habilitation : seuls les comptes abonnés y auront accès.",
        "en": "It will require a habilitation: only subscribed accounts will have access.",
    },
    "admin_orgs.link": {"fr": "Ajouter l'application", "en": "Add the application"},
    "admin_orgs.client_linked": {
        "fr": "La téléprocédure {code} ouvre maintenant l'application {client_id}.",
        "en": "The service {code} now opens the application {client_id}.",
    },
    "admin_orgs.client_unlinked": {
        "fr": "La téléprocédure {code} n'ouvre plus l'application {client_id}.",
        "en": "The service {code} no longer opens the application {client_id}.",
    },
    "admin_orgs.remove_service": {
        "fr": "Supprimer la téléprocédure…",
        "en": "Remove the service…",
    },
    "admin_orgs.back_to_catalogue": {"fr": "Retour au catalogue", "en": "Back to the catalogue"},
    # Removing a service.
    "admin_orgs.remove_title": {
        "fr": "Supprimer la téléprocédure {code}",
        "en": "Remove the service {code}",
    },
    "admin_orgs.remove_consequence_title": {
        "fr": "Ce que la suppression retire",
        "en": "What removing takes away",
    },
    "admin_orgs.remove_consequence": {
        "fr": "{n} {n:compte abonné perd|comptes abonnés perdent} aussitôt l'accès aux "
        "applications qu'elle ouvre ({clients}) : leurs jetons sont révoqués et les sessions "
        "qui les ont obtenus prennent fin.",
        "en": "{n} subscribed {n:account loses|accounts lose} at once the access to the "
        "applications it opens ({clients}): their tokens are revoked and the sessions that "
        "obtained them end.",
    },
    "admin_orgs.remove_still_restricted": {
        "fr": "Ces applications demandent toujours une habilitation : la suppression ne les "
        "ouvre à personne.",
        "en": "Those applications still require a habilitation: removing it opens them to nobody.",
    },
    "admin_orgs.remove_confirm": {
        "fr": "Supprimer {code}",
        "en": "Remove {code}",
    },
    "admin_orgs.service_removed": {
        "fr": "La téléprocédure {code} est supprimée.",
        "en": "The service {code} is removed.",
    },
}
