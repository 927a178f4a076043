// What the projector and the stage hold loaded around the slide shown (static/js/slides.js). Run: node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";
import { showsSlides, slideUrl, wantedUrls } from "../../static/js/slides.js";

const deck = { talk_id: 7, display: "slides", pages: 3, base: "/e/jdn10/slides/7/abc", ratio: 1.7778 };
const next = { talk_id: 8, display: "slides", pages: 2, base: "/e/jdn10/slides/8/def", ratio: 1.7778 };

test("slideUrl: a page of the deck at a width, none outside it", () => {
  assert.equal(slideUrl(deck, 2), "/e/jdn10/slides/7/abc/1920/2.webp");
  assert.equal(slideUrl(deck, 3, 320), "/e/jdn10/slides/7/abc/320/3.webp");
  assert.equal(slideUrl(deck, 0), null);
  assert.equal(slideUrl(deck, 4), null);
  assert.equal(slideUrl({ ...deck, pages: 0, base: null }, 1), null);
  assert.equal(slideUrl(null, 1), null);
});

test("wantedUrls: the slide shown, the next, the previous and the next talk's first", () => {
  assert.deepEqual(wantedUrls({ current: { ...deck, page: 2 }, next }), [
    "/e/jdn10/slides/7/abc/1920/2.webp", "/e/jdn10/slides/7/abc/1920/3.webp", "/e/jdn10/slides/7/abc/1920/1.webp",
    "/e/jdn10/slides/8/def/1920/1.webp"]);
  assert.deepEqual(wantedUrls({ current: { ...deck, page: 3 }, next: null }), [
    "/e/jdn10/slides/7/abc/1920/3.webp", "/e/jdn10/slides/7/abc/1920/2.webp"]);
  // No deck on stage: still the next talk's first slide, so that it is there when that talk starts.
  assert.deepEqual(wantedUrls({ current: { ...deck, pages: 0, base: null, page: 0 }, next }),
    ["/e/jdn10/slides/8/def/1920/1.webp"]);
  assert.deepEqual(wantedUrls(undefined), []);
});

test("showsSlides: only a deck with pages, shown as slides", () => {
  assert.equal(showsSlides({ current: { ...deck, page: 1 } }), true);
  assert.equal(showsSlides({ current: { ...deck, page: 1, display: "countdown" } }), false);
  assert.equal(showsSlides({ current: { ...deck, page: 1, display: "hdmi" } }), false);
  assert.equal(showsSlides({ current: { ...deck, pages: 0, base: null, page: 0 } }), false);
  assert.equal(showsSlides({ current: null }), false);
});
