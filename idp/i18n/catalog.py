"""The texts of the hosted pages, French first (the product's language), then English."""

from __future__ import annotations

from idp.i18n.admin import ADMIN_MESSAGES
from idp.i18n.admin_accounts import ADMIN_ACCOUNTS_MESSAGES
from idp.i18n.admin_applications import ADMIN_APPLICATIONS_MESSAGES
from idp.i18n.admin_deliveries import ADMIN_DELIVERIES_MESSAGES
from idp.i18n.admin_journal import ADMIN_JOURNAL_MESSAGES
from idp.i18n.admin_organisations import ADMIN_ORGANISATIONS_MESSAGES
from idp.i18n.admin_staff import ADMIN_STAFF_MESSAGES
from idp.i18n.federation import FEDERATION_MESSAGES
from idp.i18n.federation_journey import FEDERATION_JOURNEY_MESSAGES
from idp.i18n.organisation_pages import ORGANISATION_PAGE_MESSAGES
from idp.i18n.organisation_rules import ORGANISATION_RULES_MESSAGES
from idp.i18n.organisation_tabs import ORGANISATION_TABS_MESSAGES
from idp.i18n.organisations import ORGANISATION_MESSAGES

MESSAGES: dict[str, dict[str, str]] = {
    # Layout
    "layout.skip": {"fr": "Aller au contenu", "en": "Skip to content"},
    "layout.language": {"fr": "Langue", "en": "Language"},
    "layout.support_title": {"fr": "Pour vous guider…", "en": "Need help?"},
    "layout.support": {"fr": "Contactez l'Assistance", "en": "Contact support"},
    "layout.manual": {"fr": "Consultez le Manuel utilisateur", "en": "Read the user manual"},
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
    # The same field under `[login] identifier = "email"` and `"either"`.
    "login.identifier_email": {"fr": "Adresse électronique", "en": "E-mail address"},
    "login.identifier_either": {
        "fr": "Identifiant ou adresse électronique",
        "en": "Identifier or e-mail address",
    },
    "login.password": {"fr": "Mot de passe", "en": "Password"},
    "login.submit": {"fr": "Se connecter", "en": "Sign in"},
    "login.required": {"fr": "Ce champ est exigé.", "en": "This field is required."},
    "login.invalid_credentials": {
        "fr": "Le couple identifiant / mot de passe est incorrect.",
        "en": "The identifier / password pair is incorrect.",
    },
    "login.tries_left": {
        "fr": "Il vous reste {left} {left:essai|essais} avant le verrouillage temporaire du "
        "compte.",
        "en": "You have {left} {left:try|tries} left before the account is locked for a while.",
    },
    "login.password_not_checked": {
        "fr": "Votre mot de passe n'a pas été vérifié et cet essai n'est pas décompté : "
        "saisissez de nouveau votre mot de passe, puis la réponse à la nouvelle vérification.",
        "en": "Your password was not checked and this try does not count: type your password "
        "again, then the answer to the new check.",
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
    # The way back to the application a hosted path started from
    "journey.continue": {"fr": "Continuer vers {client}", "en": "Continue to {client}"},
    "journey.expired": {
        "fr": "Votre demande de connexion à {client} a expiré : retournez sur {client} et "
        "reconnectez-vous.",
        "en": "Your sign-in request from {client} has expired: go back to {client} and sign in "
        "again.",
    },
    "journey.previous": {"fr": "‹ Précédent", "en": "‹ Previous"},
    "journey.nav_label": {"fr": "Navigation entre les étapes", "en": "Step navigation"},
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
    "error.forbidden": {
        "fr": "Vous n'avez pas accès à cette page.",
        "en": "You do not have access to this page.",
    },
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
    "error.unavailable": {
        "fr": "Le service est momentanément indisponible. Merci de réessayer dans quelques "
        "secondes ({seconds} s).",
        "en": "The service is briefly unavailable. Please try again in a few seconds "
        "({seconds} s).",
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
            "{days} {days:jour|jours}. Choisissez-en un nouveau pour continuer.",
            "en": "Your password has expired: for security it must be changed every {days} "
            "{days:day|days}. Choose a new one to continue.",
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
        "password.policy.pin-6": {
            "fr": "Le mot de passe doit compter exactement 6 chiffres, sans lettre ni espace.",
            "en": "The password must be exactly 6 digits, with no letter and no space.",
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

MESSAGES.update(
    {
        # New passwords (gauge, rules per policy)
        "password.show": {"fr": "Afficher", "en": "Show"},
        "password.hide": {"fr": "Masquer", "en": "Hide"},
        "password.gauge_empty": {
            "fr": "Force du mot de passe : à saisir",
            "en": "Password strength: type a password",
        },
        "password.gauge_label": {
            "fr": "Force du mot de passe : {strength}",
            "en": "Password strength: {strength}",
        },
        "password.rules_cnil-2022-case2": {
            "fr": "Votre mot de passe doit contenir au moins {min} caractères en combinant au "
            "moins 3 types parmi minuscules, majuscules, chiffres et caractères spéciaux (ou "
            "être plus long). Une jauge indique sa force : « faible » est refusé.",
            "en": "Your password must have at least {min} characters mixing at least 3 kinds "
            "among lower case, upper case, digits and special characters (or be longer). A "
            "gauge shows its strength: “weak” is refused.",
        },
        "password.rules_cnil-2022-case1": {
            "fr": "Votre mot de passe doit contenir 12 caractères des 4 types (minuscules, "
            "majuscules, chiffres, caractères spéciaux), 14 caractères de 3 types, ou être une "
            "phrase d'au moins 7 mots. « faible » est refusé.",
            "en": "Your password must have 12 characters of all 4 kinds (lower case, upper "
            "case, digits, special characters), 14 characters of 3 kinds, or be a phrase of at "
            "least 7 words. “weak” is refused.",
        },
        "password.rules_msa": {
            "fr": "Votre mot de passe doit contenir un minimum de {min} caractères en combinant "
            "des chiffres, des majuscules, des minuscules et des caractères spéciaux.",
            "en": "Your password must have at least {min} characters combining digits, upper "
            "case, lower case and special characters.",
        },
        "password.rules_nist-800-63b": {
            "fr": "Votre mot de passe doit contenir au moins {min} caractères : une phrase de "
            "plusieurs mots est facile à retenir et difficile à deviner. « faible » est refusé.",
            "en": "Your password must have at least {min} characters: a phrase of several "
            "words is easy to remember and hard to guess. “weak” is refused.",
        },
        "password.rules_pin-6": {
            "fr": "Votre mot de passe est composé de 6 chiffres. Évitez les suites (123456), "
            "les chiffres répétés (111111) et les codes courants : ils sont refusés.",
            "en": "Your password is made of 6 digits. Avoid runs (123456), repeated digits "
            "(111111) and common codes: they are refused.",
        },
        "password.rules_no_spaces_or_accents": {
            "fr": "Il ne doit contenir ni espace ni caractère accentué (é, è, à, ç…).",
            "en": "It must contain no space and no accented character (é, è, à, ç…).",
        },
        # Contact details
        "contacts.confirm_title": {
            "fr": "Confirmation de vos coordonnées",
            "en": "Confirm your contact details",
        },
        "contacts.edit_title": {"fr": "Modifier mes coordonnées", "en": "Edit my contact details"},
        "contacts.confirm_intro": {
            "fr": "Pour utiliser {service}, vous devez confirmer vos coordonnées.",
            "en": "To use {service}, you must confirm your contact details.",
        },
        "contacts.email": {"fr": "Votre adresse email", "en": "Your e-mail address"},
        "contacts.email_hint": {
            "fr": "Un code de confirmation sera envoyé à cette adresse si elle est nouvelle.",
            "en": "A confirmation code will be sent to this address if it is new.",
        },
        "contacts.email_hint_optional": {
            "fr": "Facultatif si vous n'avez pas d'adresse email. Un code de confirmation sera "
            "envoyé à cette adresse si elle est nouvelle.",
            "en": "Optional if you have no e-mail address. A confirmation code will be sent to "
            "this address if it is new.",
        },
        "contacts.email_routed": {
            "fr": "Ce compte secondaire n'a pas de boîte mail : les messages qui vous sont "
            "destinés sont envoyés au responsable de votre compte principal {primary}. Pour "
            "les recevoir à votre propre adresse, demandez-lui de vous attribuer une boîte mail.",
            "en": "This secondary account has no mailbox: the messages meant for you are sent "
            "to the responsible of your primary account {primary}. To receive them at your own "
            "address, ask it to give you a mailbox.",
        },
        "contacts.email_by_primary": {
            "fr": "Seul votre compte principal peut attribuer une boîte mail à ce compte "
            "secondaire.",
            "en": "Only your primary account can give this secondary account a mailbox.",
        },
        "contacts.mobile": {
            "fr": "Votre numéro de téléphone portable",
            "en": "Your mobile phone number",
        },
        "contacts.landline": {"fr": "Votre numéro de téléphone fixe", "en": "Your landline number"},
        "contacts.fax": {"fr": "Votre numéro de fax", "en": "Your fax number"},
        "contacts.optional": {"fr": "Facultatif.", "en": "Optional."},
        "contacts.optional_phone": {
            "fr": "Facultatif. Exemple : 06 12 34 56 78.",
            "en": "Optional. Example: +33 6 12 34 56 78.",
        },
        "contacts.fix_errors": {
            "fr": "Certaines coordonnées ne sont pas valides : corrigez les champs signalés.",
            "en": "Some details are not valid: correct the fields marked.",
        },
        "contacts.email_required": {
            "fr": "Saisissez votre adresse email : elle est nécessaire pour confirmer vos "
            "coordonnées. Si vous n'en avez pas, contactez l'Assistance.",
            "en": "Enter your e-mail address: it is needed to confirm your contact details. If "
            "you have none, contact support.",
        },
        "contacts.email_invalid": {
            "fr": "Cette adresse électronique n'est pas valide.",
            "en": "This e-mail address is not valid.",
        },
        "contacts.phone_invalid": {
            "fr": "Ce numéro de téléphone n'est pas valide.",
            "en": "This phone number is not valid.",
        },
        "contacts.mobile_not_mobile": {
            "fr": "Ce numéro n'est pas celui d'un téléphone portable.",
            "en": "This is not a mobile phone number.",
        },
        "contacts.confirm_submit": {
            "fr": "Je confirme mes coordonnées",
            "en": "I confirm my details",
        },
        "contacts.save": {"fr": "Enregistrer", "en": "Save"},
        "contacts.verify_title": {
            "fr": "Confirmation de votre adresse email",
            "en": "Confirm your e-mail address",
        },
        "contacts.code_sent_to": {
            "fr": "Un code de confirmation vous a été envoyé à l'adresse",
            "en": "A confirmation code has been sent to",
        },
        "contacts.code_label": {
            "fr": "Saisir le code de confirmation",
            "en": "Type the confirmation code",
        },
        "contacts.code_hint": {"fr": "{digits} chiffres.", "en": "{digits} digits."},
        "contacts.code_submit": {"fr": "Valider", "en": "Confirm"},
        "contacts.code_resend": {"fr": "Renvoyer un nouveau code", "en": "Send a new code"},
        "contacts.change_address": {"fr": "Modifier l'adresse", "en": "Change the address"},
        "contacts.code_resent": {
            "fr": "Un nouveau code vous a été envoyé.",
            "en": "A new code has been sent.",
        },
        "contacts.code_wait": {
            "fr": "Un code vient d'être envoyé : vous pourrez en demander un nouveau dans "
            "{seconds} {seconds:seconde|secondes}.",
            "en": "A code was just sent: you can ask for a new one in {seconds} "
            "{seconds:second|seconds}.",
        },
        "contacts.code_wrong": {
            "fr": "Le code saisi est incorrect. Il vous reste {left} {left:essai|essais}.",
            "en": "The code is not correct. You have {left} {left:try|tries} left.",
        },
        "contacts.code_exhausted": {
            "fr": "Vous avez épuisé les essais autorisés. Vous pourrez demander un nouveau code "
            "dans {minutes} {minutes:minute|minutes} au plus.",
            "en": "You have used all the tries allowed. You can ask for a new code within "
            "{minutes} {minutes:minute|minutes}.",
        },
        "contacts.code_expired": {
            "fr": "Ce code a expiré : demandez un nouveau code.",
            "en": "This code has expired: ask for a new one.",
        },
        "contacts.verified_title": {"fr": "Confirmation", "en": "Confirmation"},
        "contacts.verified": {
            "fr": "Votre adresse email a été vérifiée.",
            "en": "Your e-mail address has been verified.",
        },
        "contacts.continue": {"fr": "Continuer", "en": "Continue"},
        # Account
        "account.title": {"fr": "Mon compte", "en": "My account"},
        "account.identity": {"fr": "Identité", "en": "Identity"},
        "account.name": {"fr": "Nom", "en": "Name"},
        "account.contacts": {"fr": "Coordonnées", "en": "Contact details"},
        "account.verified": {"fr": "vérifiée", "en": "verified"},
        "account.edit_contacts": {
            "fr": "Modifier mes coordonnées",
            "en": "Edit my contact details",
        },
        "account.email_and_password": {"fr": "Email & mot de passe", "en": "E-mail & password"},
        "account.change_email": {
            "fr": "Modifier mon adresse email",
            "en": "Change my e-mail address",
        },
        "account.change_password": {"fr": "Modifier mon mot de passe", "en": "Change my password"},
        "account.back": {"fr": "Retour à mon compte", "en": "Back to my account"},
        "account.current_password": {"fr": "Mot de passe actuel", "en": "Current password"},
        "account.current_password_wrong": {
            "fr": "Le mot de passe actuel est incorrect.",
            "en": "The current password is not correct.",
        },
        "account.current_password_locked": {
            "fr": "Trop d'essais erronés : le mot de passe ne peut pas être vérifié pour le "
            "moment. Réessayez plus tard, ou utilisez « J'ai oublié mon mot de passe ».",
            "en": "Too many wrong tries: the password cannot be checked for now. Try again "
            "later, or use “I forgot my password”.",
        },
        "account.save_password": {"fr": "Modifier le mot de passe", "en": "Change the password"},
        "account.password_done_title": {"fr": "Confirmation", "en": "Confirmation"},
        "account.password_done": {
            "fr": "Votre mot de passe a bien été modifié.",
            "en": "Your password has been changed.",
        },
        "account.password_done_next": {
            "fr": "Vous pourrez l'utiliser lors de votre prochaine connexion.",
            "en": "You will use it the next time you sign in.",
        },
        "account.current_email": {"fr": "Adresse actuelle :", "en": "Current address:"},
        "account.email_change_intro": {
            "fr": "Un code de confirmation sera envoyé à la nouvelle adresse ; elle remplacera "
            "l'actuelle une fois le code saisi.",
            "en": "A confirmation code will be sent to the new address; it replaces the current "
            "one once the code is typed.",
        },
        "account.new_email": {"fr": "Nouvelle adresse email", "en": "New e-mail address"},
        "account.send_code": {"fr": "Recevoir le code", "en": "Send me the code"},
        "account.email_unchanged": {
            "fr": "C'est déjà l'adresse de votre compte.",
            "en": "This is already your account's address.",
        },
        "account.link": {"fr": "Mon compte", "en": "My account"},
        # Invitation
        "invitation.title": {"fr": "Activation de votre compte", "en": "Activate your account"},
        "invitation.intro": {
            "fr": "Bienvenue. Votre identifiant de connexion est {identifier}. Créez votre mot "
            "de passe, puis choisissez une question secrète : elle vous permettra de le "
            "réinitialiser seul en cas d'oubli.",
            "en": "Welcome. Your sign-in identifier is {identifier}. Create your password, then "
            "choose a secret question: it lets you reset the password on your own if you "
            "forget it.",
        },
        "invitation.password_heading": {"fr": "Votre mot de passe", "en": "Your password"},
        "invitation.secret_heading": {
            "fr": "Votre question secrète",
            "en": "Your secret question",
        },
        "invitation.secret_hint": {
            "fr": "La réponse ne tient compte ni des majuscules ni des accents.",
            "en": "The answer ignores capitals and accents.",
        },
        "invitation.question": {"fr": "Question secrète", "en": "Secret question"},
        "invitation.question_choose": {"fr": "Choisissez une question", "en": "Choose a question"},
        "invitation.answer": {"fr": "Réponse secrète", "en": "Secret answer"},
        "invitation.submit": {"fr": "Activer mon compte", "en": "Activate my account"},
        "invitation.question_required": {
            "fr": "Choisissez une question secrète.",
            "en": "Choose a secret question.",
        },
        "invitation.answer_required": {
            "fr": "Saisissez la réponse à la question secrète.",
            "en": "Type the answer to the secret question.",
        },
        "invitation.answer_too_short": {
            "fr": "La réponse secrète doit contenir au moins 2 lettres ou chiffres.",
            "en": "The secret answer must have at least 2 letters or digits.",
        },
        "invitation.unusable_title": {"fr": "Lien inutilisable", "en": "Link unusable"},
        "invitation.expired": {
            "fr": "Ce lien d'activation a expiré : par sécurité, il n'est valable que quelques "
            "jours.",
            "en": "This activation link has expired: for security it is valid only a few days.",
        },
        "invitation.used": {
            "fr": "Ce lien d'activation a déjà été utilisé : votre compte est activé.",
            "en": "This activation link has already been used: your account is active.",
        },
        "invitation.invalid": {
            "fr": "Ce lien d'activation n'est pas valide. Vérifiez qu'il a été copié en entier.",
            "en": "This activation link is not valid. Check that it was copied whole.",
        },
        "invitation.next_steps": {"fr": "Que faire ?", "en": "What now?"},
        "invitation.sign_in": {"fr": "Se connecter", "en": "Sign in"},
        "invitation.ask_again": {
            "fr": "Si vous ne pouvez pas vous connecter, contactez l'Assistance pour recevoir "
            "un nouveau lien :",
            "en": "If you cannot sign in, contact support to receive a new link:",
        },
        "secret.question.first_pet": {
            "fr": "Quel était le nom de votre premier animal de compagnie ?",
            "en": "What was the name of your first pet?",
        },
        "secret.question.birth_town": {
            "fr": "Dans quelle ville êtes-vous né(e) ?",
            "en": "In which town were you born?",
        },
        "secret.question.grandmother": {
            "fr": "Quel est le prénom de votre grand-mère maternelle ?",
            "en": "What is your maternal grandmother's first name?",
        },
        "secret.question.primary_school": {
            "fr": "Quel était le nom de votre école primaire ?",
            "en": "What was the name of your primary school?",
        },
        "secret.question.first_car": {
            "fr": "Quelle était la marque de votre première voiture ?",
            "en": "What was the make of your first car?",
        },
    }
)

# Message delivery and the development outbox pages.
MESSAGES.update(
    {
        "notify.delivery_failed": {
            "fr": "Le message n'a pas pu être envoyé. Réessayez dans quelques minutes ; si le "
            "problème persiste, contactez l'Assistance.",
            "en": "The message could not be sent. Try again in a few minutes; if the problem "
            "persists, contact support.",
        },
        "dev.outbox.title": {"fr": "Messages envoyés", "en": "Sent messages"},
        "dev.outbox.intro": {
            "fr": "Page de développement : les messages envoyés par le fournisseur d'identité, "
            "du plus récent au plus ancien. Elle n'existe pas en production.",
            "en": "Development page: the messages the identity provider sent, newest first. "
            "It does not exist in production.",
        },
        "dev.channel.email": {"fr": "Courriels", "en": "E-mails"},
        "dev.outbox.smtp": {
            "fr": "Les courriels sont remis à un serveur SMTP : ils ne sont pas conservés ici.",
            "en": "E-mails are handed to an SMTP relay: they are not kept here.",
        },
        "dev.outbox.caption": {
            "fr": "Courriels envoyés, du plus récent au plus ancien",
            "en": "E-mails sent, newest first",
        },
        "dev.outbox.empty": {"fr": "Aucun message pour l'instant.", "en": "No message yet."},
        "dev.outbox.truncated": {
            "fr": "Seuls les {count} messages les plus récents sont affichés.",
            "en": "Only the {count} newest messages are shown.",
        },
        "dev.outbox.no_subject": {"fr": "(sans objet)", "en": "(no subject)"},
        "dev.column.date": {"fr": "Date", "en": "Date"},
        "dev.column.to": {"fr": "Destinataire", "en": "To"},
        "dev.column.subject": {"fr": "Objet", "en": "Subject"},
        "dev.email.back": {"fr": "Retour aux messages envoyés", "en": "Back to sent messages"},
        "dev.email.headers": {"fr": "En-têtes", "en": "Headers"},
        "dev.email.raw": {
            "fr": "Voir le message brut (format .eml)",
            "en": "View the raw message (.eml format)",
        },
        "dev.email.text": {"fr": "Version texte", "en": "Text version"},
        "dev.email.text_hint": {
            "fr": "Les liens sont cliquables : suivez par exemple le lien d'une invitation.",
            "en": "Links can be followed: an invitation link, for instance.",
        },
        "dev.email.html": {"fr": "Version HTML", "en": "HTML version"},
        "dev.email.html_hint": {
            "fr": "Affichée isolée de cette page, sans script ni mise en forme.",
            "en": "Shown isolated from this page, without scripts or styling.",
        },
        "dev.email.html_frame": {
            "fr": "Version HTML du message « {subject} »",
            "en": "HTML version of the message “{subject}”",
        },
        "dev.email.missing": {"fr": "Absente de ce message.", "en": "Not in this message."},
        "dev.channel.sms": {"fr": "SMS", "en": "Text messages (SMS)"},
        "dev.outbox.sms_http": {
            "fr": "Les SMS sont remis au prestataire configuré : ils ne sont pas conservés ici.",
            "en": "Text messages are handed to the configured provider: they are not kept here.",
        },
        "dev.caption.sms": {
            "fr": "SMS envoyés, du plus récent au plus ancien",
            "en": "Text messages sent, newest first",
        },
        "dev.column.text": {"fr": "Texte", "en": "Text"},
        "dev.sms.title": {"fr": "SMS au {to}", "en": "Text message to {to}"},
        "dev.sms.text": {"fr": "Texte", "en": "Text"},
        "dev.sms.segments": {
            "fr": "{length} caractères, soit {count} SMS {count:facturé|facturés}.",
            "en": "{length} characters: {count} SMS billed.",
        },
        "dev.sms.fields": {"fr": "Enregistrement", "en": "Record"},
        "dev.channel.letter": {"fr": "Courriers", "en": "Letters"},
        "dev.outbox.letters_hint": {
            "fr": "Chaque courrier s'ouvre en PDF, tel qu'il sera imprimé ; "
            "« idp letters export » les remet au service d'impression.",
            "en": "Each letter opens as a PDF, as it will be printed; "
            "“idp letters export” hands them to the print room.",
        },
        "dev.caption.letter": {
            "fr": "Courriers, du plus récent au plus ancien",
            "en": "Letters, newest first",
        },
        "dev.letter.status.pending": {"fr": "à imprimer", "en": "to print"},
        "dev.letter.status.exported": {"fr": "remis à l'impression", "en": "sent to printing"},
        "dev.letter.status.sent": {"fr": "posté", "en": "posted"},
    }
)

MESSAGES["home.dev_outbox"] = {
    "fr": "Développement : lire les messages envoyés (boîte d'envoi)",
    "en": "Development: read the messages sent (outbox)",
}

MESSAGES.update(
    {
        "login.forgot_password": {
            "fr": "J'ai oublié mon mot de passe",
            "en": "I forgot my password",
        },
        "login.where_identifier": {
            "fr": "Où trouver mon identifiant ?",
            "en": "Where do I find my identifier?",
        },
        # Self-registration ("S'inscrire")
        "login.register_title": {"fr": "S'inscrire", "en": "Register"},
        "login.register_intro": {
            "fr": "Vous n'avez pas encore de compte ? Inscrivez-vous rapidement dès maintenant.",
            "en": "No account yet? Register now, it only takes a moment.",
        },
        "registration.title": {"fr": "S'inscrire", "en": "Register"},
        "registration.intro": {
            "fr": "Pour créer votre compte, indiquez votre adresse e-mail : nous y enverrons un "
            "code de confirmation. Tous les champs sont obligatoires.",
            "en": "To create your account, give your e-mail address: we will send a "
            "confirmation code there. All fields are required.",
        },
        "registration.identifier": {"fr": "Identifiant souhaité", "en": "Identifier you want"},
        "registration.identifier_hint": {
            "fr": "De 3 à 64 caractères : lettres sans accent, chiffres, point, tiret ou tiret "
            "bas, sans espace.",
            "en": "3 to 64 characters: letters without accents, digits, dot, hyphen or "
            "underscore, no spaces.",
        },
        "registration.identifier_invalid": {
            "fr": "Cet identifiant ne respecte pas les règles ci-dessus.",
            "en": "This identifier does not follow the rules above.",
        },
        "registration.identifier_taken": {
            "fr": "Cet identifiant est déjà utilisé : choisissez-en un autre.",
            "en": "This identifier is already in use: choose another one.",
        },
        "registration.identifier_reserved": {
            "fr": "Cet identifiant a la forme d'un compte secondaire d'une organisation : "
            "choisissez-en un autre.",
            "en": "This identifier has the form of an organisation's secondary account: "
            "choose another one.",
        },
        "registration.email": {"fr": "Adresse e-mail", "en": "E-mail address"},
        "registration.email_hint": {
            "fr": "Format attendu : nom@domaine.fr",
            "en": "Expected format: name@domain.org",
        },
        "registration.email_invalid": {
            "fr": "Saisissez une adresse e-mail au format nom@domaine.fr.",
            "en": "Type an e-mail address such as name@domain.org.",
        },
        "registration.correct_fields": {
            "fr": "Le formulaire contient des erreurs : corrigez les champs signalés.",
            "en": "The form has errors: correct the fields marked.",
        },
        "registration.code_title": {
            "fr": "Confirmation de votre adresse e-mail",
            "en": "Confirm your e-mail address",
        },
        "registration.code_sent": {
            "fr": "Si l'adresse {address} peut être utilisée, vous allez recevoir un code de "
            "confirmation à {digits} chiffres, valable {minutes} minutes. Si elle est déjà "
            "utilisée par un compte, vous recevrez à la place un message indiquant comment "
            "retrouver l'accès à ce compte.",
            "en": "If the address {address} can be used, you will receive a {digits}-digit "
            "confirmation code, valid for {minutes} minutes. If an account already uses it, "
            "you will receive instead a message saying how to get back into that account.",
        },
        "registration.no_code": {
            "fr": "Rien reçu au bout de quelques minutes ? Vérifiez vos courriers indésirables, ou",
            "en": "Nothing after a few minutes? Check your spam folder, or",
        },
        "registration.start_again": {
            "fr": "recommencez avec une autre adresse",
            "en": "start again with another address",
        },
        "registration.code_wrong": {
            "fr": "Le code saisi est incorrect. Il vous reste {left} essais.",
            "en": "The code is not correct. You have {left} tries left.",
        },
        "registration.code_wrong_one": {
            "fr": "Le code saisi est incorrect. Il vous reste 1 essai.",
            "en": "The code is not correct. You have 1 try left.",
        },
        "registration.code_expired": {
            "fr": "Ce code a expiré : recommencez l'inscription pour en recevoir un nouveau.",
            "en": "This code has expired: start the registration again to receive a new one.",
        },
        "registration.code_exhausted": {
            "fr": "Vous avez épuisé les essais autorisés. Recommencez l'inscription pour recevoir "
            "un nouveau code.",
            "en": "You have used all the tries allowed. Start the registration again to "
            "receive a new code.",
        },
        "registration.password_title": {
            "fr": "Création de votre mot de passe",
            "en": "Create your password",
        },
        "registration.address_proven": {
            "fr": "Votre adresse e-mail est confirmée. Il ne reste qu'à choisir votre mot de "
            "passe.",
            "en": "Your e-mail address is confirmed. All that is left is to choose your password.",
        },
        "registration.address_in_use": {
            "fr": "Un compte utilise déjà cette adresse e-mail. Si c'est le vôtre, retrouvez "
            "l'accès avec « J'ai oublié mon mot de passe ».",
            "en": "An account already uses this e-mail address. If it is yours, get back in "
            "with “I forgot my password”.",
        },
        "registration.create": {"fr": "Créer mon compte", "en": "Create my account"},
        "registration.done_title": {"fr": "Votre compte est créé", "en": "Your account is ready"},
        "registration.done": {
            "fr": "Votre inscription est terminée.",
            "en": "Your registration is complete.",
        },
        "registration.your_identifier": {
            "fr": "Votre identifiant de connexion :",
            "en": "Your sign-in identifier:",
        },
        "registration.identifier_sent": {
            "fr": "Notez-le : il vous sera demandé à chaque connexion. Nous vous l'avons aussi "
            "envoyé par e-mail.",
            "en": "Write it down: you will need it each time you sign in. We have also sent it "
            "to you by e-mail.",
        },
        "registration.keep_identifier": {
            "fr": "Notez-le : il vous sera demandé à chaque connexion.",
            "en": "Write it down: you will need it each time you sign in.",
        },
        # Forgotten password
        "recovery.identify_title": {
            "fr": "Vérification de votre identité",
            "en": "Checking your identity",
        },
        "recovery.identify_intro": {
            "fr": "Par sécurité, nous devons vérifier votre identité.",
            "en": "For security, we need to check your identity.",
        },
        "recovery.where_identifier": {
            "fr": "Où trouver mon identifiant ?",
            "en": "Where do I find my identifier?",
        },
        "recovery.have_letter_code": {
            "fr": "J'ai reçu un code de sécurité par courrier",
            "en": "I received a security code by post",
        },
        "recovery.next": {"fr": "Suivant", "en": "Next"},
        "recovery.abandon": {"fr": "Abandonner", "en": "Give up"},
        "recovery.title": {"fr": "Demande d'un nouveau mot de passe", "en": "New password request"},
        "recovery.channel_question": {
            "fr": "Comment désirez-vous recevoir votre mot de passe temporaire ?",
            "en": "How do you want to receive your temporary password?",
        },
        "recovery.by_email": {"fr": "par e-mail", "en": "by e-mail"},
        "recovery.by_sms": {"fr": "par SMS", "en": "by text message"},
        # True for every account, and for unknown identifiers: the code goes to the other
        # channel when the account has no address on the chosen one.
        "recovery.code_sent_email": {
            "fr": "Si votre identifiant correspond à un compte joignable, un code de "
            "confirmation vous a été envoyé par e-mail, ou par SMS si aucune adresse "
            "électronique n'est connue pour ce compte.",
            "en": "If your identifier matches an account we can reach, a confirmation code has "
            "been sent to you by e-mail, or by text message if no e-mail address is known for "
            "that account.",
        },
        "recovery.code_sent_sms": {
            "fr": "Si votre identifiant correspond à un compte joignable, un code de "
            "confirmation vous a été envoyé par SMS, ou par e-mail si aucun numéro de mobile "
            "n'est connu pour ce compte.",
            "en": "If your identifier matches an account we can reach, a confirmation code has "
            "been sent to you by text message, or by e-mail if no mobile number is known for "
            "that account.",
        },
        "recovery.code_wait": {
            "fr": "Par mesure de sécurité, vous devez patienter {minutes} min avant une nouvelle "
            "tentative.",
            "en": "For security, you must wait {minutes} min before trying again.",
        },
        # MSA, after a right code: only the person who proved the channel reads it.
        "recovery.temporary_sent_email": {
            "fr": "Un mot de passe temporaire vous a été envoyé par e-mail. Vous pourrez le "
            "modifier après vous être connecté.",
            "en": "A temporary password has been sent to you by e-mail. You can change it once "
            "signed in.",
        },
        "recovery.temporary_sent_sms": {
            "fr": "Un mot de passe temporaire vous a été envoyé par SMS. Vous pourrez le "
            "modifier après vous être connecté.",
            "en": "A temporary password has been sent to you by text message. You can change it "
            "once signed in.",
        },
        "recovery.code_resent": {
            "fr": "Un nouveau code vous a été envoyé.",
            "en": "A new code has been sent.",
        },
        "recovery.code_exhausted": {
            "fr": "Vous avez épuisé les essais autorisés. Recommencez la procédure plus tard ou "
            "contactez l'Assistance.",
            "en": "You have used all the tries allowed. Start again later or contact support.",
        },
        "recovery.fact_intro": {
            "fr": "Pour vérifier votre identité, répondez à la question suivante sur les "
            "informations que nous détenons.",
            "en": "To check your identity, answer the following question about the "
            "information we hold.",
        },
        "recovery.fact.carte_vitale": {
            "fr": "Numéro de série de votre carte Vitale",
            "en": "Serial number of your Carte Vitale",
        },
        "recovery.fact.prestation": {
            "fr": "Montant d'une prestation perçue au cours des 6 derniers mois",
            "en": "Amount of a benefit received in the last 6 months",
        },
        "recovery.fact.facture_cotisations": {
            "fr": "Montant d'une facture de cotisations payée au cours des 12 derniers mois",
            "en": "Amount of a contributions invoice paid in the last 12 months",
        },
        "recovery.fact.cotisations_salaires": {
            "fr": "Montant des cotisations sur salaires payées au cours des 12 derniers mois",
            "en": "Amount of contributions on salaries paid in the last 12 months",
        },
        "recovery.fact_hint.carte_vitale": {
            "fr": "Au dos de la carte, sous le code-barres.",
            "en": "On the back of the card, under the bar code.",
        },
        "recovery.fact_hint.prestation": {
            "fr": "En euros, par exemple : 87,25",
            "en": "In euros, for instance: 87.25",
        },
        "recovery.fact_hint.facture_cotisations": {
            "fr": "En euros, par exemple : 1 250,00",
            "en": "In euros, for instance: 1,250.00",
        },
        "recovery.fact_hint.cotisations_salaires": {
            "fr": "En euros, par exemple : 3 480,15",
            "en": "In euros, for instance: 3,480.15",
        },
        "recovery.done_title": {"fr": "Procédure terminée", "en": "Procedure complete"},
        "recovery.done": {
            "fr": "Procédure terminée, merci de vérifier votre boîte aux lettres.",
            "en": "Procedure complete, please check your mailbox.",
        },
        "recovery.done_next": {
            "fr": "Si votre demande a pu être vérifiée, vous recevez un message (courriel, SMS "
            "ou courrier) qui vous permet de vous connecter. Un mot de passe temporaire devra "
            "être personnalisé à la connexion suivante.",
            "en": "If your request could be checked, you receive a message (e-mail, text or "
            "letter) that lets you sign in. A temporary password must be personalised at the "
            "next sign-in.",
        },
        "recovery.nothing_received": {
            "fr": "Vous ne recevez rien ?",
            "en": "Nothing arrived?",
        },
        "recovery.check_spam": {
            "fr": "Vérifiez vos courriers indésirables (spams).",
            "en": "Check your junk mail (spam).",
        },
        "recovery.maybe_wrong": {
            "fr": "L'identifiant ou une réponse saisie est peut-être erroné : recommencez la "
            "procédure.",
            "en": "The identifier or an answer may have been wrong: start again.",
        },
        "recovery.no_secrets": {
            "fr": "Si l'ensemble des secrets n'est pas renseigné pour votre compte, merci de "
            "contacter le service assistance au {phone}.",
            "en": "If no secret is recorded for your account, please contact support on {phone}.",
        },
        # BonusEco, word for word.
        "recovery.secrets_missing": {
            "fr": "L'ensemble des secrets (question/réponse secrètes) n'étant pas renseigné "
            "pour votre compte utilisateur, merci de bien vouloir contacter le service "
            "assistance de {phone}",
            "en": "As the secrets (secret question and answer) are not all set for your user "
            "account, please contact the support service on {phone}",
        },
        "recovery.to_sign_in": {"fr": "Aller à la connexion", "en": "Go to sign-in"},
        "recovery.letter_title": {
            "fr": "Code de sécurité reçu par courrier",
            "en": "Security code received by post",
        },
        "recovery.letter_intro": {
            "fr": "Saisissez votre identifiant et le code de sécurité à usage unique indiqué "
            "dans le courrier, puis créez votre nouveau mot de passe.",
            "en": "Type your identifier and the single-use security code from the letter, then "
            "create your new password.",
        },
        "recovery.letter_code": {"fr": "Code de sécurité", "en": "Security code"},
        "recovery.letter_code_wrong": {
            "fr": "L'identifiant ou le code de sécurité est incorrect, ou le code a expiré.",
            "en": "The identifier or the security code is wrong, or the code has expired.",
        },
        "recovery.new_password_title": {
            "fr": "Création de votre nouveau mot de passe",
            "en": "Create your new password",
        },
        "recovery.save_password": {"fr": "Enregistrer", "en": "Save"},
        "recovery.link_expired": {
            "fr": "Ce lien éphémère a expiré. Recommencez la procédure « J'ai oublié mon mot de "
            "passe ».",
            "en": "This short-lived link has expired. Start “I forgot my password” again.",
        },
        "recovery.link_used": {
            "fr": "Ce lien a déjà servi : votre mot de passe a été modifié depuis.",
            "en": "This link has already been used: your password has changed since.",
        },
        "recovery.link_invalid": {
            "fr": "Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier.",
            "en": "This link is not valid. Check that it was copied whole.",
        },
        "recovery.link_step_gone": {
            "fr": "Ce lien a expiré ou a déjà servi. Pour obtenir un nouveau mot de passe, "
            "recommencez la procédure « J'ai oublié mon mot de passe ».",
            "en": "This link has expired or has already been used. To get a new password, start "
            "“I forgot my password” again.",
        },
        "recovery.link_valid": {"fr": "Ce lien est valide.", "en": "This link is valid."},
        "recovery.start_again": {"fr": "Recommencer", "en": "Start again"},
        # Forgotten identifier
        "recovery.identifier_title": {"fr": "Obtenir son identifiant", "en": "Get my identifier"},
        "recovery.identifier_intro": {
            "fr": "Renseignez votre numéro de Sécurité sociale, votre date de naissance et votre "
            "code postal.",
            "en": "Give your social security number, your birth date and your postal code.",
        },
        "recovery.nir": {"fr": "Numéro de Sécurité sociale", "en": "Social security number"},
        "recovery.nir_hint": {
            "fr": "15 chiffres, clé comprise, par exemple : 1 84 09 76 451 089 95",
            "en": "15 digits, key included, for instance: 1 84 09 76 451 089 95",
        },
        "recovery.nir_invalid": {
            "fr": "Ce numéro de Sécurité sociale n'est pas valide : vérifiez-le, clé comprise.",
            "en": "This social security number is not valid: check it, key included.",
        },
        "recovery.birth_date": {"fr": "Date de naissance", "en": "Birth date"},
        "recovery.postal_code": {"fr": "Code postal", "en": "Postal code"},
        "recovery.identifier_sent": {
            "fr": "Un e-mail contenant votre identifiant vous a été envoyé sur {address}",
            "en": "An e-mail with your identifier has been sent to {address}",
        },
        "recovery.iban_intro": {
            "fr": "Pour afficher votre identifiant, renseignez les 6 derniers caractères de "
            "l'IBAN du compte sur lequel vous recevez vos prestations.",
            "en": "To show your identifier, give the last 6 characters of the IBAN of the "
            "account your benefits are paid to.",
        },
        "recovery.iban_tail": {
            "fr": "6 derniers caractères de votre IBAN",
            "en": "Last 6 characters of your IBAN",
        },
        "recovery.iban_hint": {"fr": "Par exemple : 061243", "en": "For instance: 061243"},
        "recovery.iban_wrong": {
            "fr": "Les informations saisies ne permettent pas de retrouver votre identifiant. "
            "Il vous reste {left} {left:essai|essais}.",
            "en": "The details given do not find your identifier. {left} {left:try|tries} left.",
        },
        "recovery.identifier_is": {
            "fr": "Votre identifiant de connexion est :",
            "en": "Your sign-in identifier is:",
        },
    }
)
MESSAGES.update(ORGANISATION_MESSAGES)
MESSAGES.update(ORGANISATION_TABS_MESSAGES)
MESSAGES.update(ORGANISATION_PAGE_MESSAGES)
MESSAGES.update(ORGANISATION_RULES_MESSAGES)
MESSAGES.update(FEDERATION_MESSAGES)
MESSAGES.update(FEDERATION_JOURNEY_MESSAGES)
MESSAGES.update(ADMIN_MESSAGES)
MESSAGES.update(ADMIN_STAFF_MESSAGES)
MESSAGES.update(ADMIN_JOURNAL_MESSAGES)
MESSAGES.update(ADMIN_DELIVERIES_MESSAGES)
MESSAGES.update(ADMIN_APPLICATIONS_MESSAGES)
MESSAGES.update(ADMIN_ORGANISATIONS_MESSAGES)
MESSAGES.update(ADMIN_ACCOUNTS_MESSAGES)
