"""Prometheus metrics: what happens, counted by kind, never by whom.

Labels take a few known values only (a route rule, a status, an outcome, a channel, a
template name): never a path, an identifier, an address or a client, so that the number of
series stays small whatever the traffic (a scan of random URLs adds none).

With several worker processes, prometheus-client keeps each process's values in files under
`PROMETHEUS_MULTIPROC_DIR` (set, to an empty folder, before the server starts) and a scrape
adds them up (`exposition`). Its limits shape what is here: no gauge that a process computes
for itself, and no custom collector in the workers. Values that every process shares, such
as the depth of the delivery queue in the database, are read at scrape time by the callbacks
of `ScrapeGauges` instead.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

log = logging.getLogger(__name__)

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Any other method (a scanner's invention) is counted as "other".
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

HTTP_REQUESTS = Counter(
    "idp_http_requests",
    "HTTP requests answered, by method, route rule and status.",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "idp_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route rule.",
    ["method", "route"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SIGN_INS = Counter(
    "idp_sign_ins", "Password sign-in attempts, by outcome (success, ...).", ["outcome"]
)
LOCKS = Counter("idp_locks", "Locks set on an identifier after too many wrong passwords.")
CAPTCHA_FAILURES = Counter("idp_captcha_failures", "Wrong captcha answers at sign-in.")
MESSAGES_SENT = Counter(
    "idp_messages_sent",
    "E-mails, SMS and letters handed to their transport, by channel and template "
    "(codes are templates such as recovery_code).",
    ["channel", "template"],
)
DELIVERY_FAILURES = Counter(
    "idp_delivery_failures", "Delivery attempts that failed, by channel.", ["channel"]
)
TOKENS_ISSUED = Counter(
    "idp_tokens_issued", "Token responses issued, by grant type.", ["grant_type"]
)

# The request metrics' children by label values: a dict lookup is cheaper than `labels()`
# on every request. Bounded like the labels themselves.
_request_children: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}


def observe_request(method: str, route: str, status: str, seconds: float) -> None:
    """Count one answered request (`route` is a rule of the URL map, never a raw path)."""
    key = (method if method in METHODS else "other", route, status)
    children = _request_children.get(key)
    if children is None:
        children = (HTTP_REQUESTS.labels(*key), HTTP_DURATION.labels(*key[:2]))
        _request_children[key] = children
    children[0].inc()
    children[1].observe(seconds)


def sign_in(outcome: str) -> None:
    SIGN_INS.labels(outcome).inc()


def message_sent(channel: str, template: str) -> None:
    MESSAGES_SENT.labels(channel, template).inc()


def delivery_failed(channel: str) -> None:
    DELIVERY_FAILURES.labels(channel).inc()


def token_issued(grant_type: str) -> None:
    TOKENS_ISSUED.labels(grant_type).inc()


# What a gauge callback returns: one value, or one value per label value.
Reading = float | Mapping[str, float]


class ScrapeGauges:
    """Gauges read when /metrics is scraped, from what all processes share (the database):
    the same answer whichever worker is scraped, and nothing kept per process.

    Register a callback once per app, e.g. the delivery outbox's depth per channel:
    `gauges.register("idp_deliveries_queued", "Messages waiting", outbox.depth, "channel")`.
    Callbacks run in the scrape's app context; one that fails is left out of that scrape.
    """

    def __init__(self) -> None:
        self._gauges: dict[str, tuple[str, str | None, Callable[[], Reading]]] = {}

    def register(
        self, name: str, documentation: str, read: Callable[[], Reading], label: str | None = None
    ) -> None:
        self._gauges[name] = (documentation, label, read)

    def collect(self) -> Iterator[Metric]:
        for name, (documentation, label, read) in self._gauges.items():
            try:
                value = read()
            except Exception:  # a scrape must answer with what it has
                log.exception("gauge %s could not be read", name)
                continue
            if isinstance(value, Mapping):
                family = GaugeMetricFamily(name, documentation, labels=[label or "kind"])
                for label_value, number in sorted(value.items()):
                    family.add_metric([label_value], number)
            else:
                family = GaugeMetricFamily(name, documentation, value=value)
            yield family


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROCESS_ENV))


def exposition(gauges: ScrapeGauges) -> bytes:
    """The metrics in Prometheus' text format: this process's, or every worker's added up."""
    registry = CollectorRegistry()
    registry.register(MultiProcessCollector(None) if multiprocess() else REGISTRY)
    registry.register(gauges)
    return generate_latest(registry)
