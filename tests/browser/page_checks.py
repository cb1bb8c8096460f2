"""What every page owes its users, checked in the browser: no control hidden under another, no axe violation.

axe-core comes from npm (``scripts/setup`` installs it with the other browser
libraries) and is only ever evaluated by the tests: the pages never serve it.
It is evaluated through the DevTools protocol, which the pages' Content
Security Policy does not govern, so the policy stays as strict as in the hall.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1 (2.2 adds nothing at A/AA that axe tests and these pages could fail differently)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SIZES = [(1366, 768), (1280, 720), (1024, 768)]
CONTROLS = "button, input, select, textarea, a[href], summary, [role=button], [tabindex]:not([tabindex='-1'])"

# For each control that shows: scrolled to the middle of the window, the element
# at its centre is the control itself or inside it. A control that cannot be
# clicked there (under an announcement, a sticky bar, a neighbour) is reported.
_COVERED = """([selector, root]) => {
  const scope = root ? document.querySelector(root) : document;
  const name = (el) => el ? el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
      + (el.textContent ? ' "' + el.textContent.trim().slice(0, 30) + '"' : '') : 'nothing';
  const found = [];
  for (const el of scope.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    // not shown at all: no box, hidden, or inside a closed <details>
    if (!box.width || !box.height || !el.checkVisibility({visibilityProperty: true})) continue;
    el.scrollIntoView({block: 'center', inline: 'center'});
    const now = el.getBoundingClientRect();
    const x = now.left + now.width / 2, y = now.top + now.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (!(hit === el || el.contains(hit))) found.push(name(el) + ' is under ' + name(hit));
  }
  window.scrollTo(0, 0);
  for (const el of document.querySelectorAll('*')) { if (el.scrollTop) el.scrollTop = 0; }
  return found;
}"""


def covered_controls(page, root: str | None = None) -> list[str]:
    """The controls (inside ``root`` when given, e.g. an open modal dialog) that something else covers."""
    return page.evaluate(_COVERED, [CONTROLS, root])


def in_window(page, selector: str) -> bool:
    """Whether the element is wholly inside the window as it is, without scrolling."""
    return page.evaluate("""(selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth;
    }""", selector)


def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed at {AXE}: run scripts/setup (npm ci)")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page, include: str | None = None) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is (or inside ``include``), one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate("""async ([include, tags]) => {
        const found = await axe.run(include ? {include: [include]} : document,
                                    {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        return found.violations.map((v) => `${v.id} (${v.impact}): ${v.help} -- `
            + v.nodes.slice(0, 4).map((n) => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\\s+/g, ' ')).join(' | '));
    }""", [include, AXE_TAGS])
    return result
