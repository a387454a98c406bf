"""axe-core (npm, bench/node) run in a Playwright page: the accessibility check shared by the
browser tests (tests/e2e/test_accessibility.py) and the front-end benchmark (bench/frontend.py).

    from devtools.a11y import axe_violations
    page.goto(url)
    problems = axe_violations(page)      # [] when the page is clean
    print(axe_report(problems))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "bench" / "node" / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0/2.1 A and AA plus axe's best practices: what the issue asks of every page.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def axe_source() -> str:
    if not AXE_JS.is_file():
        raise FileNotFoundError(f"{AXE_JS} is missing: run `make node-deps`")
    return AXE_JS.read_text()


def axe_violations(page: Any, *, source: str | None = None) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (injected once per document), each with its
    rule id, impact, help text and the offending nodes' selectors and HTML."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=source or axe_source())
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 300), summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )
    return list(result)


def axe_report(violations: list[dict[str, Any]], *, limit: int = 5) -> str:
    """The violations in words, a few nodes each: what a failing test prints."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:limit]:
            lines.append(f"    {node['target']}: {node['html']}")
            if node.get("summary"):
                lines.append("      " + node["summary"].replace("\n", "\n      "))
    return "\n".join(lines)
