"""Measurements of what a person sees: glyph sizes, overflow, overlaps, touch targets."""
from __future__ import annotations

from playwright.sync_api import Page

DIGIT_HEIGHT_JS = """(selector) => {
  const el = document.querySelector(selector);
  const s = getComputedStyle(el);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
  const m = ctx.measureText('0123456789');
  return m.actualBoundingBoxAscent + m.actualBoundingBoxDescent;
}"""

# Visible elements sticking out of the viewport (sideways always; downwards too for fixed screens),
# and text cut by its own box.
OVERFLOW_JS = """(vertical) => {
  const bad = [];
  const W = document.documentElement.clientWidth, H = window.innerHeight;
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('[hidden], .sr-only, script, template')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none') continue;
    const name = el.id ? '#' + el.id : el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '');
    if (r.left < -1 || r.right > W + 1 || (vertical && (r.top < -1 || r.bottom > H + 1)))
      bad.push(`${name} [${Math.round(r.left)},${Math.round(r.top)},${Math.round(r.right)},${Math.round(r.bottom)}]`);
    else if (el.children.length === 0 && el.textContent.trim() && s.overflow !== 'visible'
             && (el.scrollWidth > el.clientWidth + 1))
      bad.push(`${name} text cut (${el.scrollWidth} > ${el.clientWidth})`);
  }
  if (document.documentElement.scrollWidth > W + 1) bad.push(`page scrolls sideways (${document.documentElement.scrollWidth} > ${W})`);
  return bad;
}"""

SMALL_TARGETS_JS = """([minimum, skipInline]) => {
  const small = [];
  for (const el of document.querySelectorAll('button, a[href], input, select, textarea, label.toggle')) {
    if (el.closest('[hidden], .sr-only, template')) continue;
    // A link inside a sentence is exempt (WCAG 2.5.8): on pages read on a laptop, only controls count.
    if (skipInline && el.tagName === 'A' && getComputedStyle(el).display === 'inline') continue;
    if (el.matches('input[type=checkbox]') && el.closest('label')) continue;  // the whole label is the target
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.width < minimum - 0.5 || r.height < minimum - 0.5)
      small.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
  }
  return small;
}"""


def digit_height(page: Page, selector: str) -> float:
    """Height in CSS px of the digits as drawn (ink, not the line box)."""
    return page.evaluate(DIGIT_HEIGHT_JS, selector)


def overflowing(page: Page, *, vertical: bool) -> list[str]:
    return page.evaluate(OVERFLOW_JS, vertical)


def small_targets(page: Page, minimum: int = 44, *, skip_inline_links: bool = False) -> list[str]:
    return page.evaluate(SMALL_TARGETS_JS, [minimum, skip_inline_links])


def boxes(page: Page, selectors: list[str]) -> dict[str, dict]:
    return {s: page.locator(s).bounding_box() for s in selectors}


def overlaps(page: Page, selectors: list[str]) -> list[tuple[str, str]]:
    """Pairs of the given (visible) elements whose boxes intersect."""
    found = boxes(page, selectors)
    pairs = []
    for i, a in enumerate(selectors):
        for b in selectors[i + 1:]:
            ra, rb = found[a], found[b]
            if ra and rb and ra["x"] < rb["x"] + rb["width"] - 1 and rb["x"] < ra["x"] + ra["width"] - 1 \
                    and ra["y"] < rb["y"] + rb["height"] - 1 and rb["y"] < ra["y"] + ra["height"] - 1:
                pairs.append((a, b))
    return pairs


LINES_JS = """(el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
}"""


def line_counts(locator) -> list[int]:
    """How many lines of text each matched element takes."""
    return locator.evaluate_all(f"els => els.map({LINES_JS})")


# Words of the matched elements that the browser split over two lines ("CapteurÉcol|e").
BROKEN_WORDS_JS = """(selector) => {
  const broken = [];
  for (const el of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      // A compound word may break after its hyphen ("Hauts-de-/France"), never inside a part.
      for (const match of node.data.matchAll(/[^\\s\\-\u2010]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


def broken_words(page: Page, selector: str) -> list[str]:
    return page.evaluate(BROKEN_WORDS_JS, selector)


def rows_in_view(page: Page, selector: str) -> int:
    """How many of the matched elements are wholly on the first screen."""
    return page.evaluate("""(selector) => [...document.querySelectorAll(selector)]
        .filter((e) => { const r = e.getBoundingClientRect(); return r.height > 0 && r.bottom <= innerHeight; }).length""",
                         selector)


def page_problems(page: Page, name: str) -> list[str]:
    """What an organiser page must not have at any width: sideways overflow, targets under 44 px."""
    problems = []
    found = overflowing(page, vertical=False)
    if found:
        problems.append(f"{name}: overflow {found}")
    small = small_targets(page, skip_inline_links=True)
    if small:
        problems.append(f"{name}: small targets {small}")
    return problems
