"""The wrap-up palette of static/css/base.css, read from the file: contrast and how far apart its stages are.

Contrast is WCAG 2.1's ratio of relative luminances, (L1 + 0.05) / (L2 + 0.05), against the
screen's own background (``--screen-paper``): at least 4.5:1, the AA level for text, for every
stage's colour and for both ends of the overtime pulse. "Clearly different" is measured as the
CIE76 colour difference ΔE*ab in CIELAB (D65): about 2.3 is just noticeable, above 10 two colours
read as different at a glance; the stages must be at least 25 apart (the console's last-minute
and 30-second colours were 13.8 apart, with a contrast of 1.03 between them).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

BASE_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "base.css"
SCREENS = {"console": ":root", "projector": "body.projector", "stage": "body.stage"}
STAGES = ("--wrap-minute", "--wrap-30s", "--wrap-over")
AA_TEXT = 4.5
CLEARLY_DIFFERENT = 25


def custom_properties(screen: str) -> dict[str, str]:
    """The custom properties a screen's body sees: :root's, then the rules naming its body class."""
    css = re.sub(r"/\*.*?\*/", "", BASE_CSS.read_text(encoding="utf-8"), flags=re.S)
    seen: dict[str, str] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        names = {s.strip() for s in selectors.split(",")}
        if ":root" in names or SCREENS[screen] in names:
            seen.update({k: v.strip() for k, v in re.findall(r"(--[\w-]+)\s*:\s*([^;]+)", body)})
    return seen


def colour(properties: dict[str, str], name: str) -> str:
    value = properties[name]
    while (reference := re.fullmatch(r"var\((--[\w-]+)\)", value)) is not None:
        value = properties[reference.group(1)]
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", value), f"{name} is {value!r}: write it as #rrggbb"
    return value


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(hex_colour: str) -> list[float]:
    return [_linear(int(hex_colour[i:i + 2], 16)) for i in (1, 3, 5)]


def luminance(hex_colour: str) -> float:
    r, g, b = _rgb(hex_colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    darker, lighter = sorted((luminance(a), luminance(b)))
    return (lighter + 0.05) / (darker + 0.05)


def lab(hex_colour: str) -> tuple[float, float, float]:
    r, g, b = _rgb(hex_colour)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(a: str, b: str) -> float:
    return sum((p - q) ** 2 for p, q in zip(lab(a), lab(b))) ** 0.5


def test_the_measures_match_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert delta_e("#000000", "#ffffff") == pytest.approx(100, abs=0.01)
    assert lab("#ff0000") == pytest.approx((53.24, 80.09, 67.20), abs=0.05)


@pytest.mark.parametrize("screen", SCREENS)
def test_every_wrap_up_colour_keeps_its_contrast_on_its_screen(screen):
    properties = custom_properties(screen)
    paper = colour(properties, "--screen-paper")
    names = [*STAGES, "--wrap-paused", *(["--wrap-over-pulse"] if screen != "console" else [])]

    ratios = {name: round(contrast(colour(properties, name), paper), 2) for name in names}

    assert {name: ratio for name, ratio in ratios.items() if ratio < AA_TEXT} == {}, ratios


@pytest.mark.parametrize("screen", ["projector", "stage"])
def test_the_overtime_pulse_is_visible_and_never_fades(screen):
    """The projector pulses between the two reds (projector.css), not to a transparency that would fade the figure."""
    properties = custom_properties(screen)

    assert delta_e(colour(properties, "--wrap-over"), colour(properties, "--wrap-over-pulse")) >= CLEARLY_DIFFERENT
    projector_css = (BASE_CSS.parent / "projector.css").read_text(encoding="utf-8")
    keyframes = re.search(r"@keyframes overtime \{(.*?)\}\s*\}", projector_css, flags=re.S).group(1)
    assert "opacity" not in keyframes and "var(--wrap-over-pulse)" in keyframes


@pytest.mark.parametrize("screen", SCREENS)
def test_the_wrap_up_stages_differ_clearly_from_each_other(screen):
    properties = custom_properties(screen)
    shades = [colour(properties, name) for name in STAGES]

    distances = {f"{STAGES[i]}/{STAGES[j]}": round(delta_e(shades[i], shades[j]), 1)
                 for i in range(len(STAGES)) for j in range(i + 1, len(STAGES))}

    assert {pair: d for pair, d in distances.items() if d < CLEARLY_DIFFERENT} == {}, distances
