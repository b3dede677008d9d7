"""axe-core audits under the IdP's strict CSP.

The CSP forbids injected `<script>` tags, so axe-core runs through `page.evaluate`, which goes
through the DevTools protocol: the audit sees the page exactly as users get it.
"""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

_RUN = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.join(' '),
      html: n.html,
      failureSummary: n.failureSummary,
    })),
  }));
}"""


def audit(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """The page's serious and critical WCAG 2.1 A/AA violations (empty when clean)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    violations = page.evaluate(_RUN, TAGS)
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    """An assertion message naming each rule, element and failure."""
    return "axe violations:\n" + json.dumps(violations, indent=2, ensure_ascii=False)
