"""The texts of the operators' console: its sign-in, second factor and navigation."""

from __future__ import annotations

ADMIN_MESSAGES: dict[str, dict[str, str]] = {
    "admin.console": {"fr": "Console des opérateurs", "en": "Operators' console"},
    "admin.nav": {"fr": "Sections de la console", "en": "Console sections"},
    "admin.signed_in_as": {"fr": "Connecté : {identifier}", "en": "Signed in: {identifier}"},
    "admin.sign_out": {"fr": "Se déconnecter", "en": "Sign out"},
    "admin.signed_out": {
        "fr": "Vous êtes déconnecté de la console.",
        "en": "You are signed out of the console.",
    },
    "admin.continue": {"fr": "Continuer", "en": "Continue"},
    "admin.verify": {"fr": "Vérifier", "en": "Verify"},
    "admin.back_home": {"fr": "Retour à l'accueil de la console", "en": "Back to the console home"},
    "admin.sign_in_title": {
        "fr": "Connexion à la console",
        "en": "Sign in to the console",
    },
    "admin.sign_in_hint": {
        "fr": "Réservé aux agents de l'Assistance et aux administrateurs. Après le mot de passe, "
        "un code de votre application d'authentification vous sera demandé.",
        "en": "For helpdesk agents and administrators only. After the password, you will be "
        "asked for a code from your authenticator app.",
    },
    "admin.password_action": {
        "fr": "Votre mot de passe est temporaire ou a expiré : changez-le d'abord en vous "
        "connectant à votre espace, puis revenez à la console.",
        "en": "Your password is temporary or has expired: change it first by signing in to "
        "your account, then come back to the console.",
    },
    "admin.code_title": {"fr": "Code de vérification", "en": "Verification code"},
    "admin.code_intro": {
        "fr": "Saisissez le code à 6 chiffres affiché par votre application d'authentification.",
        "en": "Type the 6-digit code your authenticator app shows.",
    },
    "admin.code_label": {"fr": "Code à 6 chiffres", "en": "6-digit code"},
    "admin.code_required": {"fr": "Saisissez le code.", "en": "Type the code."},
    "admin.code_wrong": {
        "fr": "Ce code n'est pas valide ou a déjà servi. Attendez le code suivant et réessayez.",
        "en": "This code is not valid or was already used. Wait for the next code and try again.",
    },
    "admin.code_recovery_hint": {
        "fr": "Téléphone perdu ? Saisissez à la place l'un de vos codes de secours "
        "(chacun ne sert qu'une fois), ou demandez à un administrateur de réinitialiser "
        "votre second facteur.",
        "en": "Lost your phone? Type one of your recovery codes instead (each works once), or "
        "ask an administrator to reset your second factor.",
    },
    "admin.factor_stopped": {
        "fr": "Trop de codes erronés ou délai dépassé : reprenez la connexion depuis le début.",
        "en": "Too many wrong codes, or too long: start signing in again.",
    },
    "admin.enrol_title": {
        "fr": "Activer la vérification en deux étapes",
        "en": "Turn on two-step verification",
    },
    "admin.enrol_step_app": {
        "fr": "Installez une application d'authentification (TOTP) sur votre téléphone.",
        "en": "Install an authenticator (TOTP) app on your phone.",
    },
    "admin.enrol_step_scan": {
        "fr": "Dans l'application, ajoutez un compte « {issuer} » en scannant ce code QR.",
        "en": "In the app, add a \u201c{issuer}\u201d account by scanning this QR code.",
    },
    "admin.enrol_qr_label": {
        "fr": "Code QR de la clé de votre application d'authentification",
        "en": "QR code of your authenticator app's key",
    },
    "admin.enrol_step_key": {
        "fr": "Ou saisissez cette clé dans l'application :",
        "en": "Or type this key into the app:",
    },
    "admin.enrol_step_code": {
        "fr": "Saisissez ci-dessous le code que l'application affiche.",
        "en": "Type below the code the app shows.",
    },
    "admin.enrol_submit": {"fr": "Activer", "en": "Turn on"},
    "admin.enrol_once": {
        "fr": "Cette clé n'est affichée qu'ici : si vous quittez la page, une nouvelle clé sera "
        "créée.",
        "en": "This key is shown only here: if you leave the page, a new key will be made.",
    },
    "admin.enrolled": {
        "fr": "La vérification en deux étapes est activée.",
        "en": "Two-step verification is on.",
    },
    "admin.recovery_title": {"fr": "Vos codes de secours", "en": "Your recovery codes"},
    "admin.recovery_intro": {
        "fr": "Chacun de ces codes remplace une fois le code de l'application, si vous perdez "
        "votre téléphone. Imprimez-les ou rangez-les dans un coffre-fort de mots de passe.",
        "en": "Each of these codes stands in once for the app's code, if you lose your phone. "
        "Print them or keep them in a password manager.",
    },
    "admin.recovery_once": {
        "fr": "Ils ne seront plus jamais affichés.",
        "en": "They will never be shown again.",
    },
    "admin.recovery_continue": {
        "fr": "J'ai conservé mes codes, continuer",
        "en": "I have kept my codes, continue",
    },
    "admin.recovery_used_title": {"fr": "Code de secours utilisé", "en": "Recovery code used"},
    "admin.recovery_left": {
        "fr": "Il vous reste {left} {left:code|codes} de secours.",
        "en": "You have {left} recovery {left:code|codes} left.",
    },
    "admin.recovery_used_advice": {
        "fr": "Si vous avez perdu votre téléphone, demandez à un administrateur de réinitialiser "
        "votre second facteur.",
        "en": "If you lost your phone, ask an administrator to reset your second factor.",
    },
    "admin.reauth_title": {"fr": "Confirmez votre identité", "en": "Confirm it is you"},
    "admin.reauth_intro": {
        "fr": "Avant toute modification, la console redemande votre mot de passe et un code "
        "lorsque votre dernière vérification date de plus de quelques minutes ({identifier}).",
        "en": "Before any change, the console asks again for your password and a code when "
        "your last verification is more than a few minutes old ({identifier}).",
    },
    "admin.reauth_wrong": {
        "fr": "Le mot de passe ou le code est incorrect.",
        "en": "The password or the code is wrong.",
    },
    "admin.home_title": {"fr": "Accueil de la console", "en": "Console home"},
    "admin.home_intro": {
        "fr": "Bonjour {identifier}. Vos rôles : {roles}.",
        "en": "Hello {identifier}. Your roles: {roles}.",
    },
    "admin.section_accounts": {"fr": "Comptes", "en": "Accounts"},
    "admin.section_accounts_intro": {
        "fr": "Retrouver un compte, le déverrouiller, envoyer un mot de passe temporaire, gérer "
        "ses habilitations.",
        "en": "Find an account, unlock it, send a temporary password, manage its habilitations.",
    },
    "admin.section_applications": {"fr": "Applications", "en": "Applications"},
    "admin.section_applications_intro": {
        "fr": "Enregistrer les applications clientes, renouveler leur secret, les désactiver.",
        "en": "Register client applications, rotate their secret, disable them.",
    },
    "admin.section_organisations": {
        "fr": "Services et organisations",
        "en": "Services and organisations",
    },
    "admin.section_organisations_intro": {
        "fr": "Le catalogue des téléprocédures et les organisations qui y souscrivent.",
        "en": "The catalogue of services and the organisations subscribing to them.",
    },
    "admin.section_deliveries": {"fr": "Envois", "en": "Deliveries"},
    "admin.section_deliveries_intro": {
        "fr": "Les courriels, SMS et courriers envoyés aux usagers, en attente ou en échec.",
        "en": "The e-mails, SMS and letters to account holders: sent, waiting or failed.",
    },
    "admin.section_journal": {"fr": "Journal", "en": "Journal"},
    "admin.section_journal_intro": {
        "fr": "Le journal d'audit, son export et les connexions du jour.",
        "en": "The audit log, its export and the day's sign-ins.",
    },
    "admin.section_staff": {"fr": "Agents", "en": "Staff"},
    "admin.section_staff_intro": {
        "fr": "Les agents de la console et leurs rôles.",
        "en": "The console's staff and their roles.",
    },
}
