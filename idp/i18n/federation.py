"""The texts of the sign-in through an upstream provider (FranceConnect) and its links."""

from __future__ import annotations

FEDERATION_MESSAGES: dict[str, dict[str, str]] = {
    # The sign-in page's blocks.
    "federation.fc_title": {
        "fr": "Se connecter avec FranceConnect (uniquement pour les particuliers)",
        "en": "Sign in with FranceConnect (individuals only)",
    },
    "federation.fc_login": {"fr": "S’identifier avec", "en": "Sign in with"},
    "federation.fc_what": {
        "fr": "Qu’est-ce que FranceConnect ?",
        "en": "What is FranceConnect?",
    },
    "federation.fc_what_new_window": {
        "fr": "Qu’est-ce que FranceConnect ? - nouvelle fenêtre",
        "en": "What is FranceConnect? - new window",
    },
    "federation.other_title": {
        "fr": "Se connecter avec {provider}",
        "en": "Sign in with {provider}",
    },
    "federation.other_button": {
        "fr": "S’identifier avec {provider}",
        "en": "Sign in with {provider}",
    },
    # "Associer votre compte".
    "federation.link_title": {"fr": "Associer votre compte", "en": "Link your account"},
    "federation.link_intro": {
        "fr": "Vous êtes identifié par {provider}, mais aucun compte n’y est encore associé.",
        "en": "{provider} has identified you, but no account is linked to it yet.",
    },
    "federation.link_sign_in": {
        "fr": "Connectez-vous une fois avec votre identifiant et votre mot de passe "
        "pour associer votre compte à {provider}.",
        "en": "Sign in once with your identifier and password to link your account to {provider}.",
    },
    "federation.password_title": {"fr": "J’ai déjà un compte", "en": "I already have an account"},
    "federation.password_intro": {
        "fr": "Connectez-vous une fois avec votre identifiant et votre mot de passe : "
        "votre compte sera associé.",
        "en": "Sign in once with your identifier and password: your account will be linked.",
    },
    "federation.password_submit": {
        "fr": "Me connecter pour associer mon compte",
        "en": "Sign in to link my account",
    },
    "federation.pivot_title": {"fr": "Votre compte a été trouvé", "en": "Your account was found"},
    "federation.pivot_intro": {
        "fr": "L’identité transmise par {provider} correspond au compte {identifier}.",
        "en": "The identity {provider} sent matches the account {identifier}.",
    },
    "federation.pivot_submit": {"fr": "Associer ce compte", "en": "Link this account"},
    "federation.create_title": {"fr": "Je n’ai pas de compte", "en": "I have no account"},
    "federation.create_intro": {
        "fr": "Un compte sera créé avec l’identité transmise par {provider}.",
        "en": "An account will be created with the identity {provider} sent.",
    },
    "federation.create_submit": {"fr": "Créer mon compte", "en": "Create my account"},
    # Failures.
    "federation.refused_title": {
        "fr": "La connexion n’a pas abouti",
        "en": "The sign-in did not succeed",
    },
    "federation.local_sign_in": {
        "fr": "Se connecter avec son identifiant et son mot de passe",
        "en": "Sign in with an identifier and password",
    },
    "federation.access_denied": {
        "fr": "Vous avez annulé la connexion. Vous pouvez vous connecter autrement.",
        "en": "You cancelled the sign-in. You can sign in another way.",
    },
    "federation.login_required": {
        "fr": "Le fournisseur d’identité demande à vous reconnecter. Recommencez.",
        "en": "The identity provider asks you to sign in again. Try again.",
    },
    "federation.provider_error": {
        "fr": "Le fournisseur d’identité a répondu par une erreur. Réessayez plus tard.",
        "en": "The identity provider answered with an error. Try again later.",
    },
    "federation.timeout": {
        "fr": "Le fournisseur d’identité ne répond pas. Réessayez plus tard.",
        "en": "The identity provider does not answer. Try again later.",
    },
    "federation.state": {
        "fr": "Cette réponse ne correspond à aucune connexion commencée dans ce navigateur.",
        "en": "This answer matches no sign-in started in this browser.",
    },
    "federation.replayed": {
        "fr": "Cette connexion a déjà été traitée ou a expiré. Recommencez.",
        "en": "This sign-in was already handled or has expired. Start again.",
    },
    "federation.invalid_response": {
        "fr": "La réponse ne vient pas du fournisseur d’identité attendu.",
        "en": "The answer does not come from the expected identity provider.",
    },
    "federation.invalid_token": {
        "fr": "L’identité transmise n’a pas pu être vérifiée.",
        "en": "The identity sent could not be verified.",
    },
    "federation.acr_too_low": {
        "fr": "Le niveau de sécurité de cette connexion est insuffisant pour ce service.",
        "en": "This sign-in's level of assurance is too low for this service.",
    },
    "federation.category_refused": {
        "fr": "Ce mode de connexion n’est pas ouvert à votre type de compte.",
        "en": "This way of signing in is not open to your kind of account.",
    },
    "federation.link_expired": {
        "fr": "Le délai pour associer votre compte est dépassé. Recommencez la connexion.",
        "en": "The time to link your account has run out. Start the sign-in again.",
    },
    "federation.already_linked": {
        "fr": "Cette identité est déjà associée à un compte. Recommencez la connexion.",
        "en": "This identity is already linked to an account. Start the sign-in again.",
    },
    "federation.no_match": {
        "fr": "Aucun compte ne correspond exactement à cette identité.",
        "en": "No account matches this identity exactly.",
    },
    "federation.pivot_incomplete": {
        "fr": "L’identité transmise est incomplète : le compte ne peut pas être créé.",
        "en": "The identity sent is incomplete: the account cannot be created.",
    },
    # "Mon compte".
    "federation.links_title": {"fr": "Comptes associés", "en": "Linked accounts"},
    "federation.linked": {"fr": "Associé à {provider}", "en": "Linked to {provider}"},
    "federation.unlink": {"fr": "Délier", "en": "Unlink"},
    "federation.unlink_label": {"fr": "Délier {provider}", "en": "Unlink {provider}"},
    "federation.unlink_refused_title": {
        "fr": "Le lien n’a pas été supprimé",
        "en": "The link was not removed",
    },
    "federation.unlink_last": {
        "fr": "C’est le seul moyen d’accéder à votre compte : choisissez d’abord un mot de passe.",
        "en": "It is the only way into your account: choose a password first.",
    },
    "federation.unlink_unknown": {
        "fr": "Ce lien n’existe pas ou plus.",
        "en": "This link does not exist any more.",
    },
    "federation.back_to_account": {"fr": "Retour à Mon compte", "en": "Back to My account"},
}
