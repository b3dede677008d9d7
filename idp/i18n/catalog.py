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
        "fr": "« {client} » demande à accéder aux informations suivantes :",
        "en": "“{client}” asks to access the following information:",
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
        "fr": "« {client} » demande votre déconnexion.",
        "en": "“{client}” asks to sign you out.",
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

MESSAGES.update(
    {
        # Sign-in defences
        "login.locked": {
            "fr": "Le compte a été verrouillé suite à un trop grand nombre d'échecs de connexion "
            "avec cet identifiant utilisateur. Vous pourrez réessayer dans {minutes} min, ou "
            "réinitialiser votre mot de passe avec « J'ai oublié mon mot de passe ».",
            "en": "The account has been locked after too many failed sign-ins with this "
            "identifier. You can try again in {minutes} min, or reset your password with "
            "“I forgot my password”.",
        },
        "login.disabled": {
            "fr": "Ce compte a été désactivé. Contactez l'Assistance pour le réactiver.",
            "en": "This account has been disabled. Contact support to reactivate it.",
        },
        "captcha.legend": {
            "fr": "Vérification : je ne suis pas un robot",
            "en": "Check: I am not a robot",
        },
        "captcha.image_label": {
            "fr": "Je saisis le contenu de l'image aléatoire",
            "en": "Type the characters shown in the image",
        },
        "captcha.image_alt": {
            "fr": "Image contenant {length} caractères (lettres majuscules et chiffres) à "
            "recopier. Si vous ne pouvez pas la lire, choisissez « Écouter les caractères ».",
            "en": "Image showing {length} characters (capital letters and digits) to type. If "
            "you cannot read it, choose “Listen to the characters”.",
        },
        "captcha.arithmetic_label": {
            "fr": "Combien font {question} ? (réponse en chiffres)",
            "en": "What is {question}? (answer in digits)",
        },
        "captcha.new": {"fr": "Nouvelle image", "en": "New image"},
        "captcha.listen": {"fr": "Écouter les caractères", "en": "Listen to the characters"},
        "captcha.audio_label": {
            "fr": "Caractères à recopier, lus à voix haute (en anglais)",
            "en": "Characters to type, read aloud",
        },
        "captcha.renewed": {
            "fr": "Une nouvelle image a été chargée.",
            "en": "A new image has been loaded.",
        },
        "captcha.wrong": {
            "fr": "Les caractères saisis ne correspondent pas à l'image. Une nouvelle image vous "
            "est proposée.",
            "en": "The characters you typed do not match the image. Here is a new one.",
        },
        "captcha.required": {
            "fr": "Par mesure de sécurité, recopiez aussi les caractères de l'image.",
            "en": "For your security, also type the characters of the image.",
        },
        # Passwords
        "password.change_title": {
            "fr": "Changement de votre mot de passe",
            "en": "Change your password",
        },
        "password.temporary": {
            "fr": "Votre mot de passe est temporaire. Vous devez le personnaliser.",
            "en": "Your password is temporary. You must choose your own.",
        },
        "password.expired": {
            "fr": "Votre mot de passe a expiré : par sécurité, il doit être changé tous les "
            "{days} jours. Choisissez-en un nouveau pour continuer.",
            "en": "Your password has expired: for security it must be changed every {days} "
            "days. Choose a new one to continue.",
        },
        "password.rules": {
            "fr": "Votre mot de passe doit contenir au moins 8 caractères. Évitez votre nom, "
            "votre identifiant et les mots de passe courants : une phrase de plusieurs mots est "
            "facile à retenir et difficile à deviner.",
            "en": "Your password must have at least 8 characters. Avoid your name, your "
            "identifier and common passwords: a phrase of several words is easy to remember "
            "and hard to guess.",
        },
        "password.new": {"fr": "Votre nouveau mot de passe", "en": "Your new password"},
        "password.confirmation": {"fr": "Confirmer le mot de passe", "en": "Confirm the password"},
        "password.submit": {"fr": "Suivant", "en": "Next"},
        "password.abandon": {"fr": "Abandonner", "en": "Give up"},
        "password.too_short": {
            "fr": "Le mot de passe doit contenir au moins {min} caractères.",
            "en": "The password must have at least {min} characters.",
        },
        "password.too_long": {
            "fr": "Le mot de passe ne doit pas dépasser {max} caractères.",
            "en": "The password must not exceed {max} characters.",
        },
        "password.spaces_or_accents": {
            "fr": "Le mot de passe ne doit contenir ni espace ni caractère accentué.",
            "en": "The password must contain no space and no accented character.",
        },
        "password.policy.cnil-2022-case2": {
            "fr": "Le mot de passe doit mélanger au moins 3 types de caractères parmi "
            "minuscules, majuscules, chiffres et caractères spéciaux, ou être plus long.",
            "en": "The password must mix at least 3 kinds of characters among lower case, "
            "upper case, digits and special characters, or be longer.",
        },
        "password.policy.cnil-2022-case1": {
            "fr": "Le mot de passe doit compter 12 caractères des 4 types (minuscules, "
            "majuscules, chiffres, caractères spéciaux), 14 caractères de 3 types, ou être une "
            "phrase d'au moins 7 mots.",
            "en": "The password must have 12 characters of all 4 kinds (lower case, upper case, "
            "digits, special characters), 14 characters of 3 kinds, or be a phrase of at "
            "least 7 words.",
        },
        "password.policy.msa": {
            "fr": "Le mot de passe doit combiner des chiffres, des majuscules, des minuscules et "
            "des caractères spéciaux.",
            "en": "The password must combine digits, upper case, lower case and special "
            "characters.",
        },
        "password.policy.nist-800-63b": {
            "fr": "Le mot de passe ne respecte pas la règle de longueur.",
            "en": "The password does not meet the length rule.",
        },
        "password.reused": {
            "fr": "Ce mot de passe a déjà été utilisé récemment : choisissez-en un autre.",
            "en": "This password was used recently: choose another one.",
        },
        "password.too_weak": {
            "fr": "Ce mot de passe est trop faible : il serait facile à deviner.",
            "en": "This password is too weak: it would be easy to guess.",
        },
        "password.mismatch": {
            "fr": "Les deux saisies du mot de passe sont différentes.",
            "en": "The two passwords you typed are different.",
        },
        "password.same_as_current": {
            "fr": "Le nouveau mot de passe doit être différent de l'actuel.",
            "en": "The new password must differ from the current one.",
        },
        "password.strength.weak": {"fr": "faible", "en": "weak"},
        "password.strength.medium": {"fr": "moyen", "en": "medium"},
        "password.strength.strong": {"fr": "fort", "en": "strong"},
    }
)
