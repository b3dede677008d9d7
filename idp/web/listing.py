"""A searchable, sortable, paged list's address: its query is kept in the sort links, the page
links and the actions' redirects, and a page number that is not one reads as the first page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import url_for


def list_query(source: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    """The list's arguments found in a query string or a form (empty ones left out)."""
    return {name: source[name] for name in names if source.get(name)}


def list_url(endpoint: str, query: Mapping[str, str], **changes: Any) -> str:
    merged = {**query, **changes}
    return url_for(endpoint, **{k: v for k, v in merged.items() if v not in (None, "")})


def page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) <= 6 else 1
