"""Configuration: TOML, then IDP_<SECTION>_<KEY> variables, then explicit overrides; all checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from idp.config import ConfigError, load_settings, resolve_secret

SECRET = "a-real-random-value-" + "z" * 32


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "idp.toml"
    path.write_text(text)
    return path


def test_defaults_without_a_file(tmp_path):
    settings = load_settings(None, environ={})
    assert settings.issuer == "http://127.0.0.1:5000"
    assert settings.tokens.authorization_code_ttl_seconds == 60
    assert settings.database_url.startswith("sqlite:///")


def test_file_values_and_relative_paths(tmp_path):
    path = _toml(
        tmp_path,
        '[server]\nissuer = "https://idp.example/"\n'
        f'secret_key = "{SECRET}"\nhash_key = "{SECRET}"\n'
        '[keys]\ndir = "signing"\n[tokens]\naccess_token_ttl_seconds = 300\n',
    )
    settings = load_settings(path, environ={})
    assert settings.issuer == "https://idp.example"  # trailing slash dropped
    assert settings.is_https
    assert settings.tokens.access_token_ttl_seconds == 300
    assert settings.path(settings.keys.dir) == tmp_path / "signing"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[server]\nisuer = "http://x"\n', "isuer"),
        ("[tokens]\naccess_token_ttl = 5\n", "access_token_ttl"),
        ("[sever]\n", "sever"),
    ],
)
def test_misspelt_key_or_section_is_an_error(tmp_path, text, named):
    with pytest.raises(ConfigError, match=named):
        load_settings(_toml(tmp_path, text), environ={})


def test_wrong_type_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match=r"\[tokens\] access_token_ttl_seconds"):
        load_settings(_toml(tmp_path, '[tokens]\naccess_token_ttl_seconds = "soon"\n'), environ={})


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nowhere.toml", environ={})


def test_invalid_toml_is_an_error(tmp_path):
    with pytest.raises(ConfigError):
        load_settings(_toml(tmp_path, "[server\n"), environ={})


def test_environment_overrides_the_file(tmp_path):
    path = _toml(tmp_path, "[tokens]\naccess_token_ttl_seconds = 300\n")
    environ = {
        "IDP_TOKENS_ACCESS_TOKEN_TTL_SECONDS": "120",
        "IDP_SERVER_ISSUER": "http://localhost:8000",
        "IDP_DATABASE_ECHO": "true",
    }
    settings = load_settings(path, environ=environ)
    assert settings.tokens.access_token_ttl_seconds == 120
    assert settings.issuer == "http://localhost:8000"
    assert settings.database.echo is True


def test_idp_config_variable_names_the_file(tmp_path):
    path = _toml(tmp_path, "[tokens]\nid_token_ttl_seconds = 42\n")
    assert load_settings(None, environ={"IDP_CONFIG": str(path)}).tokens.id_token_ttl_seconds == 42


def test_explicit_overrides_win_over_the_environment(tmp_path):
    settings = load_settings(
        None,
        overrides={"tokens": {"access_token_ttl_seconds": 30}},
        environ={"IDP_TOKENS_ACCESS_TOKEN_TTL_SECONDS": "120"},
    )
    assert settings.tokens.access_token_ttl_seconds == 30


@pytest.mark.parametrize("name", ["IDP_TOKENS_ACCESS_TTL", "IDP_NOPE_KEY", "IDP_SERVER_ISSUERR"])
def test_misspelt_environment_variable_is_an_error(name):
    with pytest.raises(ConfigError):
        load_settings(None, environ={name: "1"})


def test_test_variables_are_not_configuration():
    settings = load_settings(None, environ={"IDP_TEST_DATABASE_URL": "postgresql://x"})
    assert not settings.database.url


def test_bad_boolean_in_environment_is_an_error():
    with pytest.raises(ConfigError, match="true or false"):
        load_settings(None, environ={"IDP_DATABASE_ECHO": "maybe"})


@pytest.mark.parametrize("placeholder", ["change-me", "changeme", "secret", "dev"])
@pytest.mark.parametrize("name", ["secret_key", "hash_key"])
def test_placeholder_secret_refused_on_an_https_issuer(placeholder, name):
    server = {"issuer": "https://idp.example", "secret_key": SECRET, "hash_key": SECRET}
    server[name] = placeholder
    with pytest.raises(ConfigError, match=name):
        load_settings(None, overrides={"server": server}, environ={})


def test_placeholder_secret_allowed_on_http_for_development():
    settings = load_settings(
        None, overrides={"server": {"secret_key": "dev", "hash_key": "dev"}}, environ={}
    )
    assert settings.server.secret_key == "dev"


def test_empty_secret_is_generated_once_and_kept(tmp_path):
    settings = load_settings(
        None, overrides={"server": {"instance_dir": str(tmp_path)}}, environ={}
    )
    first = resolve_secret(settings, "secret_key")
    assert len(first) >= 32
    assert resolve_secret(settings, "secret_key") == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("section", "values", "message"),
    [
        ("server", {"issuer": "idp.example"}, "issuer"),
        ("server", {"issuer": "https://idp.example/?x=1"}, "query"),
        ("keys", {"default_alg": "HS256"}, "default_alg"),
        ("keys", {"rsa_bits": 1024}, "rsa_bits"),
        ("database", {"ping_after_idle_seconds": -1}, "ping_after_idle_seconds must not be"),
        ("tokens", {"access_token_ttl_seconds": 0}, "positive"),
        ("tokens", {"authorization_code_ttl_seconds": 601}, "at most 600"),
        ("ratelimit", {"recovery_per_nir": "10/fortnight"}, "recovery_per_nir must be a limit"),
        ("ratelimit", {"login_per_ip": "many"}, "login_per_ip must be a limit"),
        ("recovery", {"identifier_alert_nirs": 0}, "identifier_alert_nirs and .* positive"),
        ("recovery", {"identifier_alert_minutes": -1}, "identifier_alert_minutes must be"),
        ("deliveries", {"max_attempts": 0}, r"\[deliveries\] .*must be positive"),
        ("deliveries", {"poll_seconds": 0}, r"\[deliveries\] .*must be positive"),
        ("deliveries", {"backoff_max_seconds": 10}, "at least backoff_seconds"),
        ("deliveries", {"purge_minutes": -1}, "purge_minutes 0 or more"),
    ],
)
def test_unsafe_values_are_refused(section, values, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(None, overrides={section: values}, environ={})


def test_development_pages_refused_on_https():
    server = {
        "issuer": "https://idp.example",
        "secret_key": SECRET,
        "hash_key": SECRET,
        "development": True,
    }
    with pytest.raises(ConfigError, match="development"):
        load_settings(None, overrides={"server": server}, environ={})


HTTPS_SERVER = {"issuer": "https://idp.example", "secret_key": SECRET, "hash_key": SECRET}


def test_memory_rate_limits_refused_with_several_workers_on_https():
    """Each worker would count alone: `workers` times the sign-in attempts allowed."""
    with pytest.raises(
        ConfigError, match=r'"memory://" with \[server\] workers = 2.*not be shared'
    ):
        load_settings(None, overrides={"server": {**HTTPS_SERVER, "workers": 2}}, environ={})
    # The same through the variable `idp serve --production --workers 2` exports to workers.
    with pytest.raises(ConfigError, match="memory://"):
        load_settings(None, overrides={"server": HTTPS_SERVER}, environ={"IDP_SERVER_WORKERS": "2"})


@pytest.mark.parametrize(
    ("server", "ratelimit"),
    [
        ({**HTTPS_SERVER, "workers": 2}, {"storage_uri": "redis://127.0.0.1:6379"}),
        ({**HTTPS_SERVER, "workers": 1}, {}),
        ({"workers": 4}, {}),  # http: development on this machine
    ],
)
def test_memory_rate_limits_allowed_with_one_worker_or_on_http(server, ratelimit):
    settings = load_settings(None, overrides={"server": server, "ratelimit": ratelimit}, environ={})
    assert settings.server.workers == server["workers"]


@pytest.mark.parametrize("name", ["workers", "threads"])
def test_workers_and_threads_are_at_least_one(name):
    with pytest.raises(ConfigError, match="workers and threads must be at least 1"):
        load_settings(None, overrides={"server": {name: 0}}, environ={})


def _hosts(issuer: str, **server: object) -> tuple[str, ...]:
    return load_settings(None, {"server": {"issuer": issuer, **server}}, environ={}).trusted_hosts


def test_trusted_hosts_are_the_issuers_and_the_configured_ones():
    assert _hosts("https://connexion.example.fr") == ("connexion.example.fr",)
    assert _hosts(
        "https://Connexion.example.fr:8443", trusted_hosts="idp.internal .example.fr"
    ) == (
        "connexion.example.fr",
        "idp.internal",
        ".example.fr",
    )


def test_loopback_names_are_trusted_on_this_machine_or_in_development():
    assert _hosts("http://127.0.0.1:5000") == ("127.0.0.1", "localhost")
    assert _hosts("http://idp.test", development=True) == ("idp.test", "127.0.0.1", "localhost")


@pytest.mark.parametrize(
    "server",
    [
        {"trusted_hosts": "a" * 64 + ".example.fr"},
        {"trusted_hosts": "évil.example"},
        {"trusted_hosts": "idp.example.fr:443"},
        {"trusted_hosts": "a..b"},
        {"issuer": "https://" + "a" * 64 + ".example.fr"},
    ],
)
def test_a_host_that_cannot_be_a_host_header_is_refused(server):
    with pytest.raises(ConfigError, match="not a host name"):
        load_settings(None, {"server": server}, environ={})


@pytest.mark.parametrize("url", ["javascript:alert(1)", "//elsewhere.example/m.pdf", "m.pdf"])
def test_manual_url_is_a_web_address_or_a_path_of_this_site(tmp_path, url):
    with pytest.raises(ConfigError, match=r"\[branding\] manual_url"):
        load_settings(_toml(tmp_path, f'[branding]\nmanual_url = "{url}"\n'), environ={})
    for good in ("https://example.org/manuel.pdf", "/static/manuel.pdf", ""):
        path = _toml(tmp_path, f'[branding]\nmanual_url = "{good}"\n')
        assert load_settings(path, environ={}).branding.manual_url == good
