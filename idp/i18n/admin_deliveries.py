"""The texts of the console's Envois: the outbox of messages to account holders."""

from __future__ import annotations

ADMIN_DELIVERIES_MESSAGES: dict[str, dict[str, str]] = {
    "deliveries.title": {"fr": "Envois aux usagers", "en": "Deliveries to account holders"},
    "deliveries.intro": {
        "fr": "Les courriels, SMS et courriers envoyés aux usagers, du plus récent au plus "
        "ancien. Leur contenu (codes, mots de passe provisoires, liens) n'est jamais affiché. "
        "Un envoi en échec a épuisé ses tentatives : le remettre en file le renvoie.",
        "en": "The e-mails, SMS and letters sent to account holders, newest first. What they "
        "say (codes, temporary passwords, links) is never shown. A failed delivery has used up "
        "its attempts: queueing it again sends it again.",
    },
    "deliveries.filter": {"fr": "Envois par état", "en": "Deliveries by state"},
    "deliveries.all": {"fr": "Tous ({n})", "en": "All ({n})"},
    "deliveries.state_pending_count": {"fr": "En attente ({n})", "en": "Waiting ({n})"},
    "deliveries.state_sent_count": {"fr": "Envoyés ({n})", "en": "Sent ({n})"},
    "deliveries.state_failed_count": {"fr": "En échec ({n})", "en": "Failed ({n})"},
    "deliveries.caption": {
        "fr": "Envois : {n} affichés (les {shown} plus récents au plus)",
        "en": "Deliveries: {n} shown (the {shown} newest at most)",
    },
    "deliveries.col_id": {"fr": "N°", "en": "No."},
    "deliveries.col_created": {"fr": "Créé le", "en": "Created"},
    "deliveries.col_channel": {"fr": "Canal", "en": "Channel"},
    "deliveries.col_recipient": {"fr": "Destinataire", "en": "Recipient"},
    "deliveries.col_message": {"fr": "Message", "en": "Message"},
    "deliveries.col_state": {"fr": "État", "en": "State"},
    "deliveries.col_attempts": {"fr": "Tentatives", "en": "Attempts"},
    "deliveries.col_detail": {"fr": "Détail", "en": "Detail"},
    "deliveries.col_action": {"fr": "Action", "en": "Action"},
    "deliveries.channel_email": {"fr": "Courriel", "en": "E-mail"},
    "deliveries.channel_sms": {"fr": "SMS", "en": "SMS"},
    "deliveries.channel_post": {"fr": "Courrier", "en": "Letter"},
    "deliveries.state_pending": {"fr": "En attente", "en": "Waiting"},
    "deliveries.state_sent": {"fr": "Envoyé", "en": "Sent"},
    "deliveries.state_failed": {"fr": "En échec", "en": "Failed"},
    "deliveries.sent_at": {"fr": "Envoyé le {at}", "en": "Sent {at}"},
    "deliveries.next_attempt": {"fr": "Prochaine tentative : {at}", "en": "Next attempt: {at}"},
    "deliveries.last_error": {"fr": "Dernière erreur : {error}", "en": "Last error: {error}"},
    "deliveries.retry": {"fr": "Remettre en file", "en": "Queue again"},
    "deliveries.retry_one": {
        "fr": "Remettre en file l'envoi n° {id}",
        "en": "Queue delivery no. {id} again",
    },
    "deliveries.retried": {
        "fr": "L'envoi n° {id} est remis en file : il part au prochain passage de l'envoyeur.",
        "en": "Delivery no. {id} is queued again: it goes at the sender's next pass.",
    },
    "deliveries.not_failed": {
        "fr": "L'envoi n° {id} n'est pas en échec (déjà remis en file, ou envoyé) : rien n'a "
        "changé.",
        "en": "Delivery no. {id} has not failed (already queued again, or sent): nothing changed.",
    },
    "deliveries.none": {"fr": "Aucun envoi.", "en": "No deliveries."},
}
