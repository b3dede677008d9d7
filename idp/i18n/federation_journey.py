"""The texts of the step from our sign-out to the provider's (French first, then English)."""

from __future__ import annotations

FEDERATION_JOURNEY_MESSAGES: dict[str, dict[str, str]] = {
    "federation_journey.leaving_title": {
        "fr": "Déconnexion de {provider}",
        "en": "Signing out of {provider}",
    },
    "federation_journey.leaving_intro": {
        "fr": "Vous êtes déconnecté ici. Vous allez être redirigé vers {provider} "
        "pour vous y déconnecter aussi, puis vers le service que vous quittez.",
        "en": "You are signed out here. You are being taken to {provider} to sign out "
        "there too, then back to the service you are leaving.",
    },
    "federation_journey.leaving_continue": {
        "fr": "Continuer vers {provider}",
        "en": "Continue to {provider}",
    },
}
