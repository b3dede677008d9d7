"""The texts of the hosted pages, French first (the product's language), then English."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # Layout
    "layout.skip": {"fr": "Aller au contenu", "en": "Skip to content"},
    "layout.language": {"fr": "Langue", "en": "Language"},
    "layout.support_title": {"fr": "Pour vous guider…", "en": "Need help?"},
    "layout.support": {"fr": "Contactez l'Assistance", "en": "Contact support"},
    "layout.support_phone": {"fr": "Téléphone : {phone}", "en": "Phone: {phone}"},
    "layout.support_email": {"fr": "Courriel : {email}", "en": "E-mail: {email}"},
    "layout.support_hours": {"fr": "{hours}", "en": "{hours}"},
    "layout.home": {"fr": "Aller à l'accueil", "en": "Go to the home page"},
    # Sign-in
    "login.title": {"fr": "Se connecter", "en": "Sign in"},
    "login.intro": {
        "fr": "Connectez-vous pour accéder à {client}.",
        "en": "Sign in to continue to {client}.",
    },
    "login.identifier": {"fr": "Identifiant", "en": "Identifier"},
    "login.password": {"fr": "Mot de passe", "en": "Password"},
    "login.submit": {"fr": "Se connecter", "en": "Sign in"},
    "login.required": {"fr": "Ce champ est exigé.", "en": "This field is required."},
    "login.invalid_credentials": {
        "fr": "Le couple identifiant / mot de passe est incorrect.",
        "en": "The identifier / password pair is incorrect.",
    },
    "login.error_summary": {
        "fr": "La connexion n'a pas abouti :",
        "en": "You could not be signed in:",
    },
    "login.request_expired": {
        "fr": "Votre demande de connexion a expiré. Retournez sur l'application pour recommencer.",
        "en": "Your sign-in request has expired. Go back to the application to start again.",
    },
    # Habilitation
    "habilitation.title": {"fr": "Accès refusé", "en": "Access denied"},
    "habilitation.refused": {
        "fr": "Vous n'avez pas les autorisations requises pour vous connecter sur cette "
        "application.",
        "en": "You do not have the authorisation required to sign in to this application.",
    },
    "habilitation.contact": {
        "fr": "Contactez l'Assistance pour vérifier et rétablir votre habilitation à {client}.",
        "en": "Contact support to check and restore your authorisation for {client}.",
    },
    "habilitation.back": {"fr": "Retour à l'application", "en": "Back to the application"},
    # Consent
    "consent.title": {"fr": "Autoriser l'accès à vos informations", "en": "Allow access"},
    "consent.intro": {
        "fr": "L'application {client} demande à accéder aux informations suivantes :",
        "en": "The application {client} asks to access the following information:",
    },
    "consent.scope.openid": {
        "fr": "Vous identifier de manière sûre",
        "en": "Identify you securely",
    },
    "consent.scope.profile": {
        "fr": "Vos nom et prénom",
        "en": "Your first and last name",
    },
    "consent.scope.email": {"fr": "Votre adresse électronique", "en": "Your e-mail address"},
    "consent.scope.phone": {"fr": "Votre numéro de téléphone", "en": "Your phone number"},
    "consent.scope.address": {"fr": "Votre adresse postale", "en": "Your postal address"},
    "consent.scope.offline_access": {
        "fr": "Garder l'accès à ces informations lorsque vous n'êtes pas connecté",
        "en": "Keep access to this information when you are not signed in",
    },
    "consent.remembered": {
        "fr": "Votre choix sera retenu pour vos prochaines connexions.",
        "en": "Your choice will be remembered for your next sign-ins.",
    },
    "consent.approve": {"fr": "Autoriser", "en": "Allow"},
    "consent.deny": {"fr": "Refuser", "en": "Deny"},
    # Sign-out
    "logout.title": {"fr": "Déconnexion", "en": "Sign out"},
    "logout.confirm": {
        "fr": "Voulez-vous vous déconnecter ?",
        "en": "Do you want to sign out?",
    },
    "logout.confirm_client": {
        "fr": "L'application {client} demande votre déconnexion.",
        "en": "The application {client} asks to sign you out.",
    },
    "logout.submit": {"fr": "Se déconnecter", "en": "Sign out"},
    "logout.cancel": {"fr": "Rester connecté", "en": "Stay signed in"},
    "logout.done": {"fr": "Vous êtes déconnecté.", "en": "You are signed out."},
    # Home
    "home.title": {"fr": "Accueil", "en": "Home"},
    "home.signed_in": {
        "fr": "Vous êtes connecté avec l'identifiant {identifier}.",
        "en": "You are signed in as {identifier}.",
    },
    "home.signed_out": {"fr": "Vous n'êtes pas connecté.", "en": "You are not signed in."},
    # Errors
    "error.title": {"fr": "Une erreur est survenue", "en": "Something went wrong"},
    "error.authorization": {
        "fr": "La demande de connexion transmise par l'application n'est pas valide. "
        "Retournez sur l'application et réessayez ; si le problème persiste, contactez "
        "l'Assistance.",
        "en": "The sign-in request sent by the application is not valid. Go back to the "
        "application and try again; if the problem persists, contact support.",
    },
    "error.technical_detail": {
        "fr": "Détail technique : {detail}",
        "en": "Technical detail: {detail}",
    },
    "error.bad_request": {
        "fr": "La demande n'a pas pu être traitée.",
        "en": "The request could not be processed.",
    },
    "error.csrf": {
        "fr": "Le formulaire a expiré ou n'a pas pu être vérifié. Merci de recommencer.",
        "en": "The form has expired or could not be verified. Please try again.",
    },
    "error.not_found": {"fr": "Cette page n'existe pas.", "en": "This page does not exist."},
    "error.method_not_allowed": {
        "fr": "Cette action n'est pas permise sur cette page.",
        "en": "This action is not allowed on this page.",
    },
    "error.too_many_requests": {
        "fr": "Trop de tentatives. Par mesure de sécurité, vous devez patienter {minutes} min "
        "avant une nouvelle tentative.",
        "en": "Too many attempts. For your security, please wait {minutes} min before trying "
        "again.",
    },
    "error.internal": {
        "fr": "Le service rencontre un problème technique. Merci de réessayer plus tard.",
        "en": "The service has a technical problem. Please try again later.",
    },
}
