"""The texts of the console's Journal: the audit trail, its filters, export and chart."""

from __future__ import annotations

ADMIN_JOURNAL_MESSAGES: dict[str, dict[str, str]] = {
    "journal.title": {"fr": "Journal d'audit", "en": "Audit journal"},
    "journal.intro": {
        "fr": "Les événements de sécurité, du plus récent au plus ancien. Les heures sont "
        "celles de Paris.",
        "en": "Security events, newest first. Times are Paris times.",
    },
    "journal.filters": {"fr": "Filtrer le journal", "en": "Filter the journal"},
    "journal.filter_since": {"fr": "Du (jour inclus)", "en": "From (day included)"},
    "journal.filter_until": {"fr": "Au (jour inclus)", "en": "To (day included)"},
    "journal.filter_event": {"fr": "Événement", "en": "Event"},
    "journal.filter_outcome": {"fr": "Résultat", "en": "Outcome"},
    "journal.filter_account": {"fr": "Identifiant du compte", "en": "Account identifier"},
    "journal.filter_client_id": {
        "fr": "Application (client_id)",
        "en": "Application (client_id)",
    },
    "journal.filter_ip": {"fr": "Adresse IP", "en": "IP address"},
    "journal.filter_staff": {
        "fr": "Agent ayant agi (identifiant)",
        "en": "Acting staff member (identifier)",
    },
    "journal.any": {"fr": "Tous", "en": "Any"},
    "journal.apply": {"fr": "Filtrer", "en": "Filter"},
    "journal.clear": {"fr": "Effacer les filtres", "en": "Clear the filters"},
    "journal.fix_filters": {
        "fr": "Certains filtres ne peuvent pas être appliqués : corrigez les champs signalés.",
        "en": "Some filters cannot be applied: correct the fields shown.",
    },
    "journal.date_invalid": {
        "fr": "Saisissez une date au format JJ/MM/AAAA.",
        "en": "Type a date as DD/MM/YYYY.",
    },
    "journal.range_reversed": {
        "fr": "Cette date doit être postérieure ou égale à la date de début.",
        "en": "This date must be on or after the start date.",
    },
    "journal.too_long": {
        "fr": "128 caractères au plus.",
        "en": "128 characters at most.",
    },
    "journal.ip_invalid": {
        "fr": "Saisissez une adresse IPv4 ou IPv6 complète, par exemple 192.0.2.10.",
        "en": "Type a full IPv4 or IPv6 address, for instance 192.0.2.10.",
    },
    "journal.no_such_account": {
        "fr": "Aucun compte ne porte cet identifiant.",
        "en": "No account has this identifier.",
    },
    "journal.events_title": {"fr": "Événements", "en": "Events"},
    "journal.found": {
        "fr": "{n} {n:événement trouvé|événements trouvés}.",
        "en": "{n} {n:event|events} found.",
    },
    "journal.export": {
        "fr": "Exporter ces événements (CSV)",
        "en": "Export these events (CSV)",
    },
    "journal.caption": {
        "fr": "Événements du journal, page {page} sur {pages}",
        "en": "Journal events, page {page} of {pages}",
    },
    "journal.col_time": {"fr": "Date et heure", "en": "Date and time"},
    "journal.col_event": {"fr": "Événement", "en": "Event"},
    "journal.col_outcome": {"fr": "Résultat", "en": "Outcome"},
    "journal.col_account": {"fr": "Compte", "en": "Account"},
    "journal.col_client": {"fr": "Application", "en": "Application"},
    "journal.col_ip": {"fr": "Adresse IP", "en": "IP address"},
    "journal.col_by": {"fr": "Agent", "en": "Staff member"},
    "journal.col_detail": {"fr": "Détail", "en": "Detail"},
    "journal.col_day": {"fr": "Jour", "en": "Day"},
    "journal.unknown_account": {"fr": "compte inconnu", "en": "unknown account"},
    "journal.pages": {"fr": "Pages du journal", "en": "Journal pages"},
    "journal.previous": {"fr": "Page précédente", "en": "Previous page"},
    "journal.next": {"fr": "Page suivante", "en": "Next page"},
    "journal.page_of": {"fr": "Page {page} sur {pages}", "en": "Page {page} of {pages}"},
    "journal.chart_title": {
        "fr": "Connexions, échecs et verrouillages par jour",
        "en": "Sign-ins, failures and locks by day",
    },
    "journal.chart_intro": {
        "fr": "Du {first} au {last}, pour le compte, l'application et l'adresse IP filtrés.",
        "en": "From {first} to {last}, for the account, application and IP address filtered.",
    },
    "journal.chart_desc": {
        "fr": "Histogramme du {first} au {last} : {sign_ins} connexions réussies, "
        "{failures} échecs, {locks} verrouillages. Le tableau qui suit donne les nombres "
        "de chaque jour.",
        "en": "Bar chart from {first} to {last}: {sign_ins} successful sign-ins, "
        "{failures} failures, {locks} locks. The table below gives each day's numbers.",
    },
    "journal.series_sign_ins": {"fr": "Connexions réussies", "en": "Successful sign-ins"},
    "journal.series_failures": {
        "fr": "Échecs (mot de passe ou code)",
        "en": "Failures (password or code)",
    },
    "journal.series_locks": {"fr": "Verrouillages", "en": "Locks"},
    "journal.counts_caption": {
        "fr": "Nombres par jour, du plus récent au plus ancien",
        "en": "Numbers by day, newest first",
    },
}
