"""The OpenID provider: Authlib's authorization server, grants, endpoints, claims and keys."""
