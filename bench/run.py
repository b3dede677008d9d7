"""Load and micro benchmarks of the IdP: one gunicorn worker on core 0, wrk on core 1.

    .venv/bin/python bench/run.py [--seconds 10] [--kinds gthread,sync] [--source DIR]

Sets up a throw-away instance in a temporary folder (TOML config, SQLite, keys, a confidential
first-party client, a user), then for each worker kind starts `gunicorn wsgi:app` with ONE
worker pinned to core 0 and drives each endpoint with wrk pinned to core 1, on loopback:
discovery, JWKS, client_credentials, authorization-code exchange (a pool of codes minted
through the hosted sign-in pages), refresh (rotating tokens), userinfo and introspection.
The same gunicorn settings serve two baselines (a raw WSGI app, a Flask "hello JSON" app),
so that every figure is also given as a ratio to baselines measured in the same run.
Micro-benchmarks: one ID-token signature (RS256, ES256) and one argon2id hash.

Results: bench/results/<timestamp>.json (and latest.json), and a table on stdout.
See bench/README.md for how to read them.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urljoin, urlsplit

import requests

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
LUA_SCRIPT = BENCH_DIR / "lua" / "bench.lua"
RESULTS_DIR = BENCH_DIR / "results"
VENV_BIN = Path(sys.executable).parent

SERVER_CORE = 0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
LOAD_CORE = 1
# Where wrk runs: core 1, or both cores when a comparison loads several workers.
LOAD_CORE_SPEC = str(LOAD_CORE)
REDIRECT_URI = "http://127.0.0.1:9/cb"  # never contacted: the code is read from the Location
USER_IDENTIFIER = "bench"
USER_PASSWORD = "Bench-Password-2026!"
USER_SCOPE = "openid profile email offline_access"
FORM = "Content-Type: application/x-www-form-urlencoded"

# From the issue: one worker on one core.
TARGETS_RPS = {
    "token_client_credentials": 2200,
    "discovery": 3600,
    "jwks": 4700,
    "refresh": 1000,
}
TARGET_RSS_MB = 100

BASELINE_APPS = '''\
"""Baselines served with the same gunicorn settings as the IdP."""

from flask import Flask

BODY = b'{"hello": "world"}'


def raw(environ, start_response):
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]
    )
    return [BODY]


flask_app = Flask(__name__)


@flask_app.get("/")
def hello():
    return {"hello": "world"}
'''


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def save_results(name: str, report: dict[str, Any], at: dt.datetime | None = None) -> Path:
    """Write a script's report to bench/results/<name>-<UTC time>.json (one place for all)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = (at or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    output = RESULTS_DIR / f"{name}-{stamp}.json" if name else RESULTS_DIR / f"{stamp}.json"
    output.write_text(json.dumps(report, indent=2) + "\n")
    return output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for child processes, without the caller's IDP_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDP_")}
    env.update(extra)
    return env


def basic_header(client_id: str, secret: str) -> str:
    raw = f"{client_id}:{secret}".encode()
    return "Authorization: Basic " + base64.b64encode(raw).decode()


# -- the throw-away instance -----------------------------------------------------------------


@dataclass
class Instance:
    base: Path
    port: int
    source: Path
    config: Path
    client_id: str = ""
    client_secret: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = clean_env(IDP_CONFIG=str(self.config))
        if self.source != REPO_DIR:
            env["PYTHONPATH"] = str(self.source)
        return env

    def idp(self, *args: str) -> str:
        """Run the `idp` command (of the source tree under test) against this instance."""
        result = subprocess.run(
            [sys.executable, "-m", "idp", "--config", str(self.config), *args],
            cwd=self.source,
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"idp {' '.join(args[:2])} failed:\n{result.stderr}")
        return result.stdout


# Settings the bench needs, applied only where the source tree under test knows the key (the
# configuration refuses unknown keys, and the bench must also run against older trees).
BENCH_SETTINGS: dict[str, dict[str, str | int]] = {
    # Codes are minted before the exchange run; userinfo uses one long-lived token.
    "tokens": {"authorization_code_ttl_seconds": 600, "access_token_ttl_seconds": 7200},
    # The bench signs in a few browsers to mint codes: no captcha, no rate limit on that.
    "captcha": {"mode": "never"},
    "ratelimit": {"login_per_ip": "100000/minute", "login_per_identifier": "100000/minute"},
}

KNOWN_SETTINGS = """
import dataclasses, json
from idp.config import SECTIONS
print(json.dumps({s: [f.name for f in dataclasses.fields(c)] for s, c in SECTIONS.items()}))
"""


def toml_value(value: str | int) -> str:
    return json.dumps(value) if isinstance(value, str) else str(value)


def write_config(config: Path, port: int, source: Path, database_url: str | None = None) -> None:
    known = json.loads(
        subprocess.run(
            [sys.executable, "-c", KNOWN_SETTINGS],
            cwd=source,
            env=clean_env(PYTHONPATH=str(source)),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    sections: dict[str, dict[str, str | int]] = {
        "server": {
            "issuer": f"http://127.0.0.1:{port}",
            "secret_key": secrets.token_urlsafe(32),
            "hash_key": secrets.token_urlsafe(32),
            "instance_dir": "instance",
        },
        "keys": {"dir": "keys"},
    }
    if database_url:
        sections["database"] = {"url": database_url}
    for section, values in BENCH_SETTINGS.items():
        for key, value in values.items():
            if key in known.get(section, ()):
                sections.setdefault(section, {})[key] = value
    config.write_text(toml_text(sections))


def toml_text(sections: dict[str, dict[str, Any]]) -> str:
    """Settings by section as a TOML file's text (strings and integers only)."""
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {toml_value(value)}" for key, value in values.items()]
        lines.append("")
    return "\n".join(lines)


def reset_postgres(url: str) -> None:
    """Empty a scratch PostgreSQL database, for `idp init` to create afresh."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_instance(
    base: Path, source: Path, id_token_alg: str | None = None, database_url: str | None = None
) -> Instance:
    """A configured and initialised instance: SQLite in its folder, or `database_url` (an
    empty database)."""
    port = free_port()
    config = base / "idp.toml"
    write_config(config, port, source, database_url)
    instance = Instance(base=base, port=port, source=source, config=config)
    instance.idp("init")
    created = json.loads(
        instance.idp(
            "clients",
            "add",
            "--name",
            "Bench client",
            "--redirect-uri",
            REDIRECT_URI,
            "--first-party",
            "--grant-type",
            "authorization_code",
            "--grant-type",
            "refresh_token",
            "--grant-type",
            "client_credentials",
            *(("--id-token-alg", id_token_alg) if id_token_alg else ()),
            "--json",
        )
    )
    instance.client_id = created["client_id"]
    instance.client_secret = created["client_secret"]
    instance.idp(
        "users",
        "add",
        "--identifier",
        USER_IDENTIFIER,
        "--email",
        "bench@example.org",
        "--password",
        USER_PASSWORD,
        "--contacts-verified",  # past its first connection: the bench measures the protocol
        "--json",
    )
    return instance


# -- gunicorn --------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    kind: str
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pid(self) -> int:
        master = self.process.pid
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == master:
                    children.append(int(stat.parent.name))
        if len(children) != 1:
            raise RuntimeError(f"expected one gunicorn worker under {master}, found {children}")
        return children[0]

    def cpu_seconds(self) -> tuple[float, float]:
        """User and system CPU time of the worker (all its threads) so far."""
        fields = Path(f"/proc/{self.worker_pid()}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) / CLOCK_TICKS, int(fields[12]) / CLOCK_TICKS

    def measure(self, url: str, **kwargs: Any) -> dict[str, Any]:
        """wrk against this server, with the worker's CPU time per request."""
        probe_before = speed_probe()
        user_before, system_before = self.cpu_seconds()
        result = wrk(url, **kwargs)
        user_after, system_after = self.cpu_seconds()
        result["probe_ms"] = round((probe_before + speed_probe()) / 2, 3)
        user, system = user_after - user_before, system_after - system_before
        cpu = user + system
        served = result["requests"]
        result["worker_cpu_us_per_request"] = round(cpu / served * 1e6, 1) if served else None
        result["worker_system_cpu_share"] = round(system / cpu, 2) if cpu else None
        # Share of core 0 the worker used while loaded: near 1.0 means it was CPU-bound and
        # had the core to itself; much lower means waits (locks, I/O) or a busy machine.
        result["worker_core_share"] = (
            round(cpu / result["seconds"], 2) if result["seconds"] else None
        )
        return result

    def memory(self) -> dict[str, float]:
        """Resident memory of the worker (and of the master), in MiB."""
        values: dict[str, float] = {}
        for who, pid in (("worker", self.worker_pid()), ("master", self.process.pid)):
            status = Path(f"/proc/{pid}/status").read_text()
            for key in ("VmRSS", "VmHWM"):
                match = re.search(rf"^{key}:\s+(\d+) kB", status, re.M)
                if match:
                    values[f"{who}_{key.lower()}_mb"] = round(int(match.group(1)) / 1024, 1)
        return values


def gunicorn_command(app: str, port: int, kind: str, threads: int) -> list[str]:
    command = [
        "taskset",
        "-c",
        str(SERVER_CORE),
        str(VENV_BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--log-level",
        "warning",
    ]
    if kind == "gthread":
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    else:
        command += ["--worker-class", "sync"]
    return [*command, app]


@contextlib.contextmanager
def gunicorn(
    app: str,
    *,
    port: int,
    kind: str,
    threads: int,
    cwd: Path,
    env: dict[str, str],
    log_path: Path,
    ready_path: str = "/",
) -> Iterator[Server]:
    """Start gunicorn in its own process group; always stop it (and only it) on the way out."""
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(
            gunicorn_command(app, port, kind, threads),
            cwd=cwd,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process=process, port=port, kind=kind, log_path=log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({process.returncode}); see {log_path}")
            with contextlib.suppress(requests.RequestException):
                requests.get(server.url + ready_path, timeout=2)
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer; see {log_path}")
            time.sleep(0.1)
        yield server
    finally:
        stop_process_group(process)


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def _probe_work() -> int:
    total = 0
    for i in range(20_000):
        item = {"n": i, "s": str(i)}
        total += len(item["s"]) + (hash(item["s"]) & 7)
    return total


def speed_probe() -> float:
    """CPU milliseconds of a fixed pure-Python workload on the server's core, while it is idle.

    The machine's speed of the moment: a busy host (another guest on the SMT sibling, ...) makes
    the same work take more CPU time, for the probe as for the worker. Measured before and
    after each run, it lets CPU times taken minutes apart be compared (see `normalise`).
    """
    with on_core(SERVER_CORE):
        times = []
        for _ in range(5):
            start = time.thread_time()
            _probe_work()
            times.append(time.thread_time() - start)
    return min(times) * 1e3


# -- wrk -------------------------------------------------------------------------------------


def wrk(
    url: str,
    *,
    seconds: float,
    connections: int,
    headers: tuple[str, ...] = (),
    args: tuple[str, ...] = (),
) -> dict[str, Any]:
    command = [
        "taskset",
        "-c",
        LOAD_CORE_SPEC,
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--script",
        str(LUA_SCRIPT),
    ]
    for header in headers:
        command += ["--header", header]
    command += [url, "--", *args]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 120, check=False
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    raw = json.loads(line[len("WRKJSON ") :])
    return summarise(raw)


def summarise(raw: dict[str, Any]) -> dict[str, Any]:
    """Requests/s over the whole run, or over the active part when a pool ran out first."""
    socket_errors = sum(raw["socket_errors"].values())
    if raw["exhausted"]:
        seconds = raw["active_us"] / 1e6
        completed = raw["ok"] + raw["non2xx"] + raw["bad_body"]
    else:
        seconds = raw["duration_us"] / 1e6
        completed = raw["requests"]
    rps = completed / seconds if seconds else 0.0
    latency = raw["latency_us"]
    return {
        "rps": round(rps, 1),
        "requests": completed,
        "seconds": round(seconds, 2),
        "p50_ms": round(latency["p50"] / 1000, 2),
        "p90_ms": round(latency["p90"] / 1000, 2),
        "p99_ms": round(latency["p99"] / 1000, 2),
        "mean_ms": round(latency["mean"] / 1000, 2),
        "max_ms": round(latency["max"] / 1000, 2),
        "non2xx": raw["non2xx"],
        "bad_body": raw["bad_body"],
        "socket_errors": raw["socket_errors"],
        "errors": raw["non2xx"] + raw["bad_body"] + socket_errors,
        "pool_exhausted": bool(raw["exhausted"]),
        "first_error": raw["first_error"] or None,
    }


# -- the front channel: minting codes and tokens ---------------------------------------------


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class Browser:
    """A requests.Session that signs in once, then collects a code per authorization request."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.http = requests.Session()

    def _authorize_url(self) -> tuple[str, str, str]:
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(12)
        params = {
            "response_type": "code",
            "client_id": self.instance.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": USER_SCOPE,
            "state": state,
            "nonce": secrets.token_urlsafe(12),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        return f"{self.instance.url}/authorize?{urlencode(params)}", verifier, state

    def _code_from(self, response: requests.Response, state: str) -> str:
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location.startswith(REDIRECT_URI):
            raise RuntimeError(f"no code: {response.status_code} {location or response.text[:300]}")
        params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        if params.get("state") != state or params.get("iss") != self.instance.url:
            raise RuntimeError(f"bad authorization response: {params}")
        return params["code"]

    def sign_in(self) -> tuple[str, str]:
        """Authorize, fill the sign-in form (with its csrf_token), and follow to the code."""
        url, verifier, state = self._authorize_url()
        response = self.http.get(url, allow_redirects=False)
        for _ in range(6):
            location = response.headers.get("Location", "")
            if response.status_code == 302 and location.startswith(REDIRECT_URI):
                return self._code_from(response, state), verifier
            if response.status_code not in (302, 303):
                raise RuntimeError(
                    f"the sign-in stopped at {response.url} ({response.status_code}): a"
                    " first-connection step the bench does not know?"
                )
            target = urljoin(self.instance.url, location)
            if urlsplit(target).path == "/login":
                page = self.http.get(target)
                match = CSRF.search(page.text)
                if page.status_code != 200 or match is None:
                    raise RuntimeError(f"no sign-in form at {target}: {page.status_code}")
                response = self.http.post(
                    target,
                    data={
                        "csrf_token": match.group(1) or match.group(2),
                        "identifier": USER_IDENTIFIER,
                        "password": USER_PASSWORD,
                    },
                    allow_redirects=False,
                )
            else:
                response = self.http.get(target, allow_redirects=False)
        raise RuntimeError("the sign-in did not lead back to the client")

    def code(self) -> tuple[str, str]:
        """One more code for the signed-in browser (first-party client: no consent page)."""
        url, verifier, state = self._authorize_url()
        return self._code_from(self.http.get(url, allow_redirects=False), state), verifier


def exchange_body(code: str, verifier: str) -> str:
    return (
        f"grant_type=authorization_code&code={code}"
        f"&redirect_uri={quote(REDIRECT_URI, safe='')}&code_verifier={verifier}"
    )


def mint_codes(instance: Instance, count: int, browsers: int = 4) -> list[str]:
    """`count` exchange request bodies, from codes obtained through the front channel."""
    per_browser = [count // browsers + (1 if i < count % browsers else 0) for i in range(browsers)]

    def run(n: int) -> list[str]:
        browser = Browser(instance)
        bodies = [exchange_body(*browser.sign_in())] if n else []
        bodies += [exchange_body(*browser.code()) for _ in range(n - 1)]
        return bodies

    with ThreadPoolExecutor(browsers) as pool:
        return [body for chunk in pool.map(run, per_browser) for body in chunk]


def exchange(instance: Instance, body: str) -> dict[str, Any]:
    response = requests.post(
        f"{instance.url}/token",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=(instance.client_id, instance.client_secret),
        timeout=30,
    )
    if response.status_code != 200:
        raise RuntimeError(f"code exchange failed: {response.status_code} {response.text}")
    return response.json()


# -- micro-benchmarks ------------------------------------------------------------------------


def time_per_call(
    func: Any, *, number: int, repeat: int = 5, clock: Callable[[], float] = time.thread_time
) -> float:
    """Mean CPU seconds per call in the fastest of `repeat` rounds (noise only adds time)."""
    rounds = []
    for _ in range(repeat):
        start = clock()
        for _ in range(number):
            func()
        rounds.append((clock() - start) / number)
    return min(rounds)


@contextlib.contextmanager
def on_core(core: int) -> Iterator[None]:
    previous = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {core})
    try:
        yield
    finally:
        os.sched_setaffinity(0, previous)


def micro_benchmarks(instance: Instance) -> dict[str, Any]:
    """ID-token signatures as idp/oidc/id_token.py makes them, and one argon2id hash."""
    from joserfc import jwt

    from idp.config import load_settings
    from idp.oidc.keys import KeyStore
    from idp.services.passwords import PasswordHashing

    settings = load_settings(instance.config, environ={})
    keys = KeyStore(
        settings.path(settings.keys.dir),
        grace_seconds=settings.longest_token_ttl_seconds,
        rsa_bits=settings.keys.rsa_bits,
    )
    now = int(time.time())
    claims = {
        "iss": instance.url,
        "sub": secrets.token_urlsafe(16),
        "aud": instance.client_id,
        "exp": now + 600,
        "iat": now,
        "auth_time": now,
        "nonce": secrets.token_urlsafe(12),
        "acr": "eidas1",
        "amr": ["pwd"],
        "sid": secrets.token_urlsafe(24),
        "at_hash": secrets.token_urlsafe(16),
    }
    results: dict[str, Any] = {"core": SERVER_CORE}
    with on_core(SERVER_CORE):
        for alg, number in (("RS256", 200), ("ES256", 1000)):
            signing = keys.signing_key(alg)
            header = {"alg": alg, "kid": signing.kid, "typ": "JWT"}

            def sign(header: dict[str, str] = header, signing: Any = signing) -> str:
                return jwt.encode(header, claims, signing.key, algorithms=[header["alg"]])

            sign()
            seconds = time_per_call(sign, number=number)
            results[f"id_token_{alg.lower()}_us"] = round(seconds * 1e6, 1)
        hashing = PasswordHashing(settings.password)
        seconds = time_per_call(lambda: hashing.hash(USER_PASSWORD), number=1, repeat=7)
        results["argon2id_hash_ms"] = round(seconds * 1e3, 1)
        results["argon2id_params"] = {
            "time_cost": settings.password.argon2_time_cost,
            "memory_kib": settings.password.argon2_memory_kib,
            "parallelism": settings.password.argon2_parallelism,
        }
    return results


# -- the runs --------------------------------------------------------------------------------


@dataclass
class Options:
    seconds: float
    connections: int
    threads: int
    kinds: list[str]
    warmup: float
    codes: int
    source: Path
    micro: bool
    scenarios: list[str] = field(default_factory=list)
    id_token_alg: str | None = None


IDP_SCENARIOS = (
    "discovery",
    "jwks",
    "token_client_credentials",
    "userinfo",
    "introspection",
    "token_authorization_code",
    "refresh",
)


def run_baselines(base: Path, kind: str, options: Options) -> dict[str, Any]:
    (base / "baseline_apps.py").write_text(BASELINE_APPS)
    results: dict[str, Any] = {}
    for name, app in (("baseline_raw_wsgi", "raw"), ("baseline_flask", "flask_app")):
        port = free_port()
        with gunicorn(
            f"baseline_apps:{app}",
            port=port,
            kind=kind,
            threads=options.threads,
            cwd=base,
            env=clean_env(),
            log_path=base / f"gunicorn-{name}-{kind}.log",
        ) as server:
            url = server.url + "/"
            if options.warmup:
                wrk(url, seconds=options.warmup, connections=options.connections)
            log(f"{kind}: {name}")
            results[name] = server.measure(
                url,
                seconds=options.seconds,
                connections=options.connections,
                args=("expect=hello",),
            )
            results[name]["memory"] = server.memory()
    return results


def run_idp(instance: Instance, kind: str, options: Options) -> dict[str, Any]:
    results: dict[str, Any] = {}
    basic = basic_header(instance.client_id, instance.client_secret)
    wanted = [s for s in IDP_SCENARIOS if not options.scenarios or s in options.scenarios]
    with gunicorn(
        "wsgi:app",
        port=instance.port,
        kind=kind,
        threads=options.threads,
        cwd=instance.source,
        env=instance.env(),
        log_path=instance.base / f"gunicorn-idp-{kind}.log",
        ready_path="/jwks.json",
    ) as server:
        memory_before = server.memory()
        base_url = server.url

        def load(
            name: str, path: str, *, headers: tuple[str, ...] = (), args: tuple[str, ...] = ()
        ):
            if name not in wanted:
                return
            if options.warmup and not any(a.startswith(("pool=", "chain=")) for a in args):
                wrk(
                    base_url + path,
                    seconds=options.warmup,
                    connections=options.connections,
                    headers=headers,
                    args=args,
                )
            log(f"{kind}: {name}")
            results[name] = server.measure(
                base_url + path,
                seconds=options.seconds,
                connections=options.connections,
                headers=headers,
                args=args,
            )
            if results[name]["errors"]:
                log(f"  {results[name]['errors']} errors, first: {results[name]['first_error']}")

        # A signed-in user and long-lived tokens for userinfo, introspection and refresh.
        needs_user = {"userinfo", "introspection", "refresh", "token_authorization_code"}
        seeds: list[dict[str, Any]] = []
        if needs_user & set(wanted):
            seed_bodies = mint_codes(instance, 2 * options.connections + 1, browsers=2)
            seeds = [exchange(instance, body) for body in seed_bodies]
        load("discovery", "/.well-known/openid-configuration", args=("expect=issuer",))
        load("jwks", "/jwks.json", args=("expect=keys",))
        load(
            "token_client_credentials",
            "/token",
            headers=(basic, FORM),
            args=("method=POST", "body=grant_type=client_credentials", "expect=access_token"),
        )
        if seeds:
            access_token = seeds[0]["access_token"]
            load(
                "userinfo",
                "/userinfo",
                headers=(f"Authorization: Bearer {access_token}",),
                args=("expect=sub",),
            )
            load(
                "introspection",
                "/introspect",
                headers=(basic, FORM),
                args=("method=POST", f"body=token={access_token}", 'expect="active": true'),
            )
        if "token_authorization_code" in wanted:
            log(f"{kind}: minting {options.codes} codes through the sign-in pages")
            started = time.monotonic()
            bodies = mint_codes(instance, options.codes)
            minted_in = time.monotonic() - started
            pool = instance.base / f"codes-{kind}.txt"
            pool.write_text("\n".join(bodies) + "\n")
            load(
                "token_authorization_code",
                "/token",
                headers=(basic, FORM),
                args=(f"pool={pool}", "expect=id_token"),
            )
            results["token_authorization_code"]["pool"] = len(bodies)
            results["token_authorization_code"]["minting_codes_per_s"] = round(
                len(bodies) / minted_in, 1
            )
        if seeds and "refresh" in wanted:
            chain = instance.base / f"refresh-{kind}.txt"
            chain.write_text("\n".join(s["refresh_token"] for s in seeds[1:]) + "\n")
            load(
                "refresh",
                "/token",
                headers=(basic, FORM),
                args=(f"chain={chain}", "expect=refresh_token"),
            )
        memory_after = server.memory()
    results["memory"] = {"before_load": memory_before, "after_load": memory_after}
    return results


def add_ratios(kind_results: dict[str, Any]) -> None:
    raw = kind_results["baselines"]["baseline_raw_wsgi"]["rps"]
    flask = kind_results["baselines"]["baseline_flask"]["rps"]
    for name, result in kind_results["idp"].items():
        if name == "memory":
            continue
        result["server_us_per_request"] = round(1e6 / result["rps"], 1) if result["rps"] else None
        result["ratio_to_raw_wsgi"] = round(result["rps"] / raw, 3) if raw else None
        result["ratio_to_flask"] = round(result["rps"] / flask, 3) if flask else None
        target = TARGETS_RPS.get(name)
        if target:
            result["target_rps"] = target
            result["meets_target"] = result["rps"] >= target


def normalise(report: dict[str, Any]) -> None:
    """CPU us/request scaled to the fastest probe of the run (the machine at its quietest)."""
    results = [
        r
        for kind in report["kinds"].values()
        for group in (kind["baselines"], kind["idp"])
        for name, r in group.items()
        if name != "memory" and r.get("probe_ms")
    ]
    if not results:
        return
    fastest = min(r["probe_ms"] for r in results)
    report["probe_fastest_ms"] = fastest
    for r in results:
        if r.get("worker_cpu_us_per_request"):
            r["slowdown"] = round(r["probe_ms"] / fastest, 2)
            r["normalised_cpu_us_per_request"] = round(
                r["worker_cpu_us_per_request"] * fastest / r["probe_ms"], 1
            )


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    versions = {}
    for package in ("Flask", "Werkzeug", "Authlib", "SQLAlchemy", "gunicorn", "joserfc"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": versions,
        "wrk": (wrk_version.stdout or wrk_version.stderr).splitlines()[0:1],
    }


def source_revision(source: Path) -> str:
    result = subprocess.run(
        ["git", "-C", str(source), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or "unknown"


# -- report ----------------------------------------------------------------------------------


def table(report: dict[str, Any]) -> str:
    lines = []
    micro = report.get("micro")
    for kind, kind_results in report["kinds"].items():
        lines.append("")
        lines.append(
            f"gunicorn {kind} (1 worker on core {SERVER_CORE}"
            + (f", {report['options']['threads']} threads" if kind == "gthread" else "")
            + f"), wrk 1 thread x {report['options']['connections']} connections on core "
            + f"{LOAD_CORE}"
        )
        header = (
            f"{'scenario':<25}{'req/s':>7}{'p50 ms':>8}{'p99 ms':>8}{'errors':>7}"
            f"{'cpu us':>9}{'norm':>9}{'slow':>6}{'core':>6}{'x raw':>7}{'x flask':>8}"
            f"{'target':>7}  status"
        )
        lines.append(header)
        lines.append("-" * len(header))
        rows = list(kind_results["baselines"].items()) + [
            (k, v) for k, v in kind_results["idp"].items() if k != "memory"
        ]
        for name, r in rows:
            target = r.get("target_rps")
            status = ""
            if target:
                status = "ok" if r["meets_target"] else f"MISS ({r['rps'] / target:.0%})"
            if r.get("pool_exhausted"):
                status += f" [pool of {r.get('pool')} used up in {r['seconds']} s]"
            cpu = r.get("worker_cpu_us_per_request")
            share = r.get("worker_core_share")
            lines.append(
                f"{name:<25}{r['rps']:>7.0f}{r['p50_ms']:>8.2f}{r['p99_ms']:>8.2f}"
                f"{r['errors']:>7}{cpu if cpu is not None else '':>9}"
                f"{r.get('normalised_cpu_us_per_request', ''):>9}{r.get('slowdown', ''):>6}"
                f"{share if share is not None else '':>6}"
                f"{r.get('ratio_to_raw_wsgi', ''):>7}{r.get('ratio_to_flask', ''):>8}"
                f"{target or '':>7}  {status.strip()}"
            )
        memory = kind_results["idp"].get("memory", {}).get("after_load", {})
        if memory:
            rss = memory.get("worker_vmrss_mb")
            verdict = "ok" if rss is not None and rss <= TARGET_RSS_MB else "MISS"
            lines.append(
                f"worker RSS after load: {rss} MiB (peak {memory.get('worker_vmhwm_mb')} MiB, "
                f"target <= {TARGET_RSS_MB}: {verdict}); before load: "
                f"{kind_results['idp']['memory']['before_load'].get('worker_vmrss_mb')} MiB; "
                f"Flask baseline worker: "
                f"{kind_results['baselines']['baseline_flask']['memory'].get('worker_vmrss_mb')}"
                " MiB"
            )
    if report.get("comparison"):
        lines.append("")
        lines.append(report["comparison"])
    if report.get("busy_warnings"):
        lines.append("")
        lines.append(
            "The machine was busy during some runs (another process on core 0, or a slow host):"
            " compare ratios and `norm`, and run again for absolute figures:"
        )
        lines += [f"  {w}" for w in report["busy_warnings"]]
    if micro:
        lines.append("")
        lines.append(
            f"micro (core {micro['core']}): ID token RS256 {micro['id_token_rs256_us']} us, "
            f"ES256 {micro['id_token_es256_us']} us per signature; argon2id hash "
            f"{micro['argon2id_hash_ms']} ms ({micro['argon2id_params']})"
        )
    return "\n".join(lines)


def busy_warnings(report: dict[str, Any]) -> list[str]:
    """Runs during which the server's core was shared or the host slow: figures unreliable."""
    warnings = []
    for kind, kind_results in report["kinds"].items():
        for group in (kind_results["baselines"], kind_results["idp"]):
            for name, r in group.items():
                if name == "memory":
                    continue
                share, slow = r.get("worker_core_share"), r.get("slowdown")
                # sync waits for each client's FIN, so its core share is lower by nature.
                floor = 0.6 if kind == "sync" else 0.85
                if (share is not None and share < floor) or (slow is not None and slow > 1.25):
                    warnings.append(f"{kind} {name}: core share {share}, slowdown {slow}")
    return warnings


def compare_kinds(report: dict[str, Any]) -> str | None:
    kinds = report["kinds"]
    if not {"gthread", "sync"} <= set(kinds):
        return None
    ratios = []
    for name, r in kinds["gthread"]["idp"].items():
        other = kinds["sync"]["idp"].get(name)
        if name != "memory" and other and other.get("rps") and r.get("rps"):
            ratios.append(r["rps"] / other["rps"])
    if not ratios:
        return None
    geo = statistics.geometric_mean(ratios)
    better = "gthread" if geo >= 1 else "sync"
    return (
        f"gthread / sync throughput, geometric mean over the IdP scenarios: {geo:.2f} "
        f"-> {better} is better here"
    )


def parse_args(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="per scenario (default 10)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--threads", type=int, default=4, help="gthread threads (default 4)")
    parser.add_argument("--kinds", default="gthread,sync", help="worker classes to compare")
    parser.add_argument("--warmup", type=float, default=1, help="seconds of warm-up per scenario")
    parser.add_argument(
        "--codes",
        type=int,
        default=0,
        help="authorization codes to mint per worker kind (default: 400 per second of run)",
    )
    parser.add_argument(
        "--source",
        type=Path,
        default=REPO_DIR,
        help="source tree to serve (default: this repository; a scratch copy to try a change)",
    )
    parser.add_argument("--no-micro", action="store_true", help="skip the micro-benchmarks")
    parser.add_argument(
        "--id-token-alg",
        choices=("RS256", "ES256"),
        help="ID-token algorithm of the bench client (default: the server's [keys] default_alg)",
    )
    parser.add_argument(
        "--scenarios", default="", help=f"comma-separated subset of {','.join(IDP_SCENARIOS)}"
    )
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    if not kinds or set(kinds) - {"gthread", "sync"}:
        parser.error("--kinds takes gthread and/or sync")
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    if set(scenarios) - set(IDP_SCENARIOS):
        parser.error(f"unknown scenario(s): {set(scenarios) - set(IDP_SCENARIOS)}")
    return Options(
        seconds=args.seconds,
        connections=args.connections,
        threads=args.threads,
        kinds=kinds,
        warmup=args.warmup,
        codes=args.codes or int(400 * args.seconds),
        source=args.source.resolve(),
        micro=not args.no_micro,
        scenarios=scenarios,
        id_token_alg=args.id_token_alg,
    )


def check_machine() -> None:
    if len(os.sched_getaffinity(0)) < 2 or (os.cpu_count() or 1) < 2:
        raise SystemExit("needs 2 cores: the server runs on core 0, wrk on core 1")
    for tool in ("wrk", "taskset"):
        if subprocess.run(["which", tool], capture_output=True, check=False).returncode:
            raise SystemExit(f"{tool} is not installed")


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    check_machine()
    # SIGTERM unwinds like Ctrl-C, so the finally blocks stop gunicorn.
    signal.signal(signal.SIGTERM, _interrupt)
    # This process (and the minting threads) stays off the server's core.
    os.sched_setaffinity(0, {LOAD_CORE})
    if options.source != REPO_DIR:
        # The micro-benchmarks import the tree under test, not the installed one.
        sys.path.insert(0, str(options.source))
    started = dt.datetime.now(dt.UTC)
    report: dict[str, Any] = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "source": str(options.source),
        "revision": source_revision(options.source),
        "options": {
            "seconds": options.seconds,
            "connections": options.connections,
            "threads": options.threads,
            "warmup": options.warmup,
            "codes": options.codes,
            "id_token_alg": options.id_token_alg or "server default",
            "server_core": SERVER_CORE,
            "load_core": LOAD_CORE,
        },
        "targets": {"rps": TARGETS_RPS, "worker_rss_mb": TARGET_RSS_MB},
        "kinds": {},
    }
    with tempfile.TemporaryDirectory(prefix="idp-bench-") as tmp:
        base = Path(tmp)
        log(f"instance in {base} (source {options.source})")
        instance = make_instance(base, options.source, options.id_token_alg)
        if options.micro:
            log("micro-benchmarks (ID-token signatures, argon2id)")
            report["micro"] = micro_benchmarks(instance)
        for kind in options.kinds:
            kind_results = {
                "baselines": run_baselines(base, kind, options),
                "idp": run_idp(instance, kind, options),
            }
            add_ratios(kind_results)
            report["kinds"][kind] = kind_results
    normalise(report)
    report["comparison"] = compare_kinds(report)
    report["busy_warnings"] = busy_warnings(report)
    output = save_results("", report, started)
    (RESULTS_DIR / "latest.json").write_text(output.read_text())
    print(table(report))
    print(f"\nresults: {output}")
    errors = sum(
        r["errors"]
        for k in report["kinds"].values()
        for group in (k["baselines"], k["idp"])
        for name, r in group.items()
        if name != "memory"
    )
    if errors:
        log(f"{errors} failed requests: see first_error in {output}")
    return 1 if errors else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
