"""The accessibility gate: every page of every role, in Chromium, checked by axe-core and measured.

For each demo role (app/a11y.py DEMO_ROLES) one browser context signs in and visits every page the
page list (app/<feature>/pages.py) gives that role, with the demo street loaded. On each page:
- axe-core (vendored in static/vendor/axe-core, loaded from the app's own origin, so the
  `script-src 'self'` policy allows it) finds no violation of WCAG 2.0/2.1/2.2 A and AA, nor of
  its best practices (landmarks, heading order);
- targets: buttons and form controls are at least 44×44 CSS px; in care mode (关怀模式, body
  class `care`) every interactive element is at least 64×64 — links inside running text are exempt,
  as in WCAG 2.5.8;
- in care mode, text contrast meets AAA (axe's `color-contrast-enhanced`: 7:1, 4.5:1 for large text),
  and the words on every button, button-like link and care tile are computed at 24 px or more;
- keyboard focus is visible on every control;
- nothing is wider than the 360 px phone: no sideways scrolling (WCAG 1.4.10 reflow).
"""
from __future__ import annotations

import pytest

from app.a11y import DEMO_ROLES, page_urls
from app.demo.data import DEMO_PASSWORD
from app.demo.services import load_demo
from app.extensions import db, limiter

pytestmark = pytest.mark.browser

AXE = "/static/vendor/axe-core/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# axe's best practices too: one main landmark, all content in landmarks, headings in order, …
GATE_TAGS = [*WCAG_TAGS, "best-practice"]

# What a finger taps, measured as the person meets it: a control inside (or named by) a label is
# tapped through that label, so the larger of the two counts. Running-text links are exempt.
MEASURE_TARGETS = """
([minimum, everything]) => {
  const controls = 'button, input:not([type=hidden]), select, textarea, [role=button], summary, a.button';
  const selector = everything ? controls + ', a[href]' : controls;
  const inRunningText = (el) => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    const block = el.parentElement.closest('p, li, dd, td');
    return block !== null && block.textContent.trim() !== el.textContent.trim();
  };
  const describe = (el) => {
    const name = (el.getAttribute('aria-label') || el.textContent || el.value || el.name || '').trim().slice(0, 40);
    return el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '') + ` "${name}"`;
  };
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.checkVisibility({visibilityProperty: true}) || inRunningText(el)) continue;
    let {width, height, right} = el.getBoundingClientRect();
    if (width === 0 || height === 0 || right < 0) continue;  // not shown (e.g. the skip link until focused)
    for (const label of el.labels || []) {
      const box = label.getBoundingClientRect();
      if (box.width * box.height > width * height) ({width, height} = box);
    }
    if (width < minimum - 0.5 || height < minimum - 0.5) {
      small.push(`${describe(el)} is ${Math.round(width)}×${Math.round(height)}`);
    }
  }
  return small;
}
"""


# Care mode promises 24 px words on everything a finger taps (关怀模式: 大字、大按钮): each text inside a
# button, a button-like link or label, a summary or a care tile, as computed — a rule in rem (16 px)
# under the care body's 24 px is the usual culprit. Small print beside them (a count, a tag) is not a
# control's words; the offenders are named once each.
MEASURE_CARE_TEXT = """
(minimum) => {
  const controls = 'button, a.button, label.button, summary, [role=button], .link-button, a.care-action, ' +
                   'a.care-list-item, input[type=submit], input[type=button]';
  const small = new Map();
  for (const control of document.querySelectorAll(controls)) {
    if (!control.checkVisibility({visibilityProperty: true})) continue;
    const walker = document.createTreeWalker(control, NodeFilter.SHOW_TEXT);
    const texts = control.tagName === 'INPUT' ? [[control, control.value]] : [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) texts.push([node.parentElement, node.textContent]);
    for (const [el, words] of texts) {
      if (!words.trim() || el.closest('.care-count, .tag, .muted') || !el.checkVisibility()) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      const classes = control.className ? '.' + String(control.className).split(' ').join('.') : '';
      const name = control.tagName.toLowerCase() + classes;
      if (size < minimum - 0.5) small.set(`${name} "${words.trim().slice(0, 30)}"`, size);
    }
  }
  return [...small].map(([key, size]) => `${key} is ${Math.round(size * 10) / 10} px`);
}
"""

# Keyboard focus must be visible (WCAG 2.4.7): after one Tab (keyboard modality, so programmatic
# focus matches :focus-visible too), focus each control and look for an outline (≥ 2 px) or a box
# shadow on it, its label, its parent or the next sibling (custom radio tiles draw it on the tile).
FOCUS_SHOWN = """
() => {
  const selector = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), ' +
                   'textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
  const shows = (el) => {
    if (!el) return false;
    const style = getComputedStyle(el);
    return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
  };
  const unseen = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    el.focus();
    if (document.activeElement !== el) continue;
    if (![el, ...(el.labels || []), el.parentElement, el.nextElementSibling].some(shows)) {
      unseen.push(el.tagName.toLowerCase() + ' "' + (el.textContent || el.value || el.name || '').trim().slice(0, 40) + '"');
    }
  }
  return unseen;
}
"""


# Reflow (WCAG 1.4.10): on a 360 px phone nothing may push the page wider than the screen, or every
# line has to be scrolled sideways to read. The widest elements are named so the culprit is found.
TOO_WIDE = """
() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5 && el.checkVisibility())
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} reaches ` +
                 `${Math.round(el.getBoundingClientRect().right)} px`);
}
"""


@pytest.fixture
def demo_street(app):
    """The demo street every page is checked with (`flask demo`)."""
    load_demo(db.session)
    db.session.commit()


# Only the violations come back, as short lines (the full result is megabytes on a long page).
RUN_AXE = """
(options) => axe.run(document, options).then((result) => result.violations.flatMap((v) => v.nodes.map((node) =>
  `${v.id} at ${node.target.join(' ')}: ${v.help} (${node.failureSummary.split('\\n').pop().trim()})`)))
"""


def axe(page, options: dict) -> list[str]:
    """Run axe-core on the page with these options; one line per failing node: rule, selector, what to do."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE)
    return page.evaluate(RUN_AXE, {**options, "resultTypes": ["violations"]})


def problems_on(page, care: bool) -> list[str]:
    """Everything the gate finds on the page as it is now (care: the page is in care mode)."""
    options = {"runOnly": {"type": "tag", "values": GATE_TAGS}}
    if care:
        options["rules"] = {"color-contrast-enhanced": {"enabled": True}}  # AAA contrast, on top of the tags
    found = axe(page, options)
    found += [f"target size: {line}" for line in page.evaluate(MEASURE_TARGETS, [64 if care else 44, care])]
    found += [f"wider than the screen: {line}" for line in page.evaluate(TOO_WIDE)]
    if care:
        found += [f"words under 24 px on a control in care mode: {line}" for line in page.evaluate(MEASURE_CARE_TEXT, 24)]
    page.keyboard.press("Tab")
    return found + [f"no visible keyboard focus: {line}" for line in page.evaluate(FOCUS_SHOWN)]


def audit(app, browser, live, role: str) -> list[str]:
    """Sign in as `role` in a fresh browser profile and check every page listed for it; the problems found."""
    pages = page_urls(app, db.session, role)
    if not pages:
        return [f"no page is listed for {role!r}"]
    context = browser.new_context(base_url=live.url, locale="zh-CN", viewport={"width": 360, "height": 740},
                                  timezone_id="Asia/Shanghai", service_workers="block")
    context.set_default_timeout(30_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error on {page.url}: {exc}"))
    try:
        if DEMO_ROLES[role]:
            limiter.reset()  # nine sign-ins from one address in a minute are over the test limit
            page.goto("/auth/login")
            page.get_by_label("手机号").fill(DEMO_ROLES[role])
            page.get_by_label("密码").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_url("**/")
        for listed, url in pages:
            response = page.goto(url)
            if response is None or response.status != 200:
                problems.append(f"{url} ({listed.endpoint}): answered {response and response.status}, not 200")
                continue
            care = page.evaluate("() => document.body.classList.contains('care')")
            problems += [f"{url} ({listed.endpoint}): {line}" for line in problems_on(page, care)]
    finally:
        context.close()
    return problems


def test_every_page_of_every_role_passes_axe_targets_and_focus(app, browser, live, demo_street):
    """One test, so the demo street is loaded once; one browser profile per role."""
    found = {role: audit(app, browser, live, role) for role in sorted(DEMO_ROLES)}
    report = [f"as {role} ({len(lines)}):\n  " + "\n  ".join(lines) for role, lines in found.items() if lines]
    assert not report, "accessibility problems:\n" + "\n".join(report)
