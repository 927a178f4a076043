// The talks' slides on the projector, the stage view and the console: images rendered once at upload
// (pitchday/services/slides.py), addressed by the PDF's hash and cached for ever by the browser.
// The state says which deck and which slide (state.slides); this module only builds URLs, keeps the
// images it may need next loaded, and shows one of them.

export const PROJECTOR_WIDTH = 1920;
export const THUMB_WIDTH = 320;
const RETRY_MS = 2000;

/** The URL of `page` (from 1) of `deck` (state.slides.current or .next) at `width`, or null. */
export function slideUrl(deck, page, width = PROJECTOR_WIDTH) {
  if (!deck || !deck.base || page < 1 || page > deck.pages) return null;
  return `${deck.base}/${width}/${page}.webp`;
}

/** Whether the talk on stage is shown as its slides (it has a deck and its display says so). */
export function showsSlides(slides) {
  const deck = slides?.current;
  return Boolean(deck && deck.pages > 0 && deck.display === "slides");
}

/** What to hold loaded around the slide shown: it, the next and the previous, and the next talk's first. */
export function wantedUrls(slides, width = PROJECTOR_WIDTH) {
  const deck = slides?.current;
  const page = deck?.page ?? 0;
  return [slideUrl(deck, page, width), slideUrl(deck, page + 1, width), slideUrl(deck, page - 1, width),
    slideUrl(slides?.next, 1, width)].filter(Boolean);
}

/**
 * A stack of <img> in `container`, one per URL wanted, all loaded, one shown. A Wi-Fi drop never blanks
 * the screen: the image shown only changes once the next one has loaded (else the last one stays), and
 * the ones around it are already in the page (and in the browser's cache) before they are asked for.
 */
export class SlideStack {
  constructor(container, { alt = "" } = {}) {
    this.container = container;
    this.alt = alt;
    this.images = new Map(); // url -> <img>
    this.shown = null;
  }

  image(url) {
    let img = this.images.get(url);
    if (!img) {
      img = new Image();
      img.decoding = "async";
      img.alt = "";
      img.className = "slide-image";
      img.hidden = true;  // until display() shows it
      img.dataset.url = url;
      img.addEventListener("error", () => (img.dataset.failed = "true"), { once: true });
      img.src = url;
      this.container.append(img);
      this.images.set(url, img);
    }
    return img;
  }

  /** Show `url` (null: none) and keep `keep` loaded; images no longer wanted are let go. */
  show(url, keep = []) {
    this.keep = keep;
    const wanted = new Set([url, ...keep].filter(Boolean));
    for (const wantedUrl of wanted) this.image(wantedUrl);
    for (const [other, img] of this.images) {
      if (!wanted.has(other) && other !== this.shown) {
        img.remove();
        this.images.delete(other);
      }
    }
    if (url === null) return this.display(null);
    let img = this.images.get(url);
    if (img.dataset.failed) {  // preloaded while the network was down: load it again now that it is wanted
      img.remove();
      this.images.delete(url);
      img = this.image(url);
    }
    if (img.complete && img.naturalWidth > 0) this.display(url);
    else {
      this.pending = url;
      const settle = () => {
        if (this.pending !== url) return;
        if (img.naturalWidth > 0) return this.display(url);
        // It failed (the network is down): the slide before stays on screen, and this one is tried again.
        setTimeout(() => {
          if (this.pending !== url) return;
          img.remove();
          this.images.delete(url);
          this.show(url, this.keep);
        }, RETRY_MS);
      };
      img.addEventListener("load", settle, { once: true });
      img.addEventListener("error", settle, { once: true });
    }
  }

  display(url) {
    this.pending = null;
    for (const [other, img] of this.images) {
      const on = other === url;
      img.hidden = !on;
      img.alt = on ? this.alt : "";
    }
    // The slide left behind may now go, unless it is still wanted nearby.
    this.shown = url;
    this.container.dataset.shown = url ?? "";
  }
}

/**
 * The console's slides panel: the slide the projector shows, its number, and a strip of thumbnails (buttons
 * with data-slide-page, sent as slide_goto by the console). The previous / next buttons are ordinary
 * data-command buttons, enabled by the domain's allowed commands like the others.
 */
export function renderDeckPanel(panel, slides, labels) {
  const deck = slides?.current;
  const has = Boolean(deck && deck.pages > 0);
  panel.hidden = !has;
  if (!has) return;
  const strip = panel.querySelector("[data-slide-strip]");
  if (strip.dataset.base !== deck.base) {
    strip.dataset.base = deck.base;
    const items = [];
    for (let page = 1; page <= deck.pages; page++) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "slide-thumb";
      button.dataset.slidePage = String(page);
      button.setAttribute("aria-label", labels.slide.replace("{page}", page).replace("{pages}", deck.pages));
      const img = document.createElement("img");
      img.src = slideUrl(deck, page, THUMB_WIDTH);
      img.alt = "";
      img.loading = page <= 12 ? "eager" : "lazy";
      img.decoding = "async";
      const number = document.createElement("span");
      number.textContent = String(page);
      button.append(img, number);
      item.append(button);
      items.push(item);
    }
    strip.replaceChildren(...items);
  }
  for (const button of strip.querySelectorAll("[data-slide-page]")) {
    const on = Number(button.dataset.slidePage) === deck.page;
    if (on) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
    if (on && panel.dataset.page !== String(deck.page)) button.scrollIntoView?.({ block: "nearest", inline: "nearest" });
  }
  panel.dataset.page = String(deck.page);
  const shown = panel.querySelector("[data-slide-shown]");
  const url = slideUrl(deck, deck.page, THUMB_WIDTH);
  if (shown.getAttribute("src") !== url) shown.src = url;
  shown.alt = labels.slide.replace("{page}", deck.page).replace("{pages}", deck.pages);
  const position = panel.querySelector("[data-slide-position]");
  const text = `${deck.page} / ${deck.pages}` + (deck.display === "slides" ? "" : ` · ${labels.display[deck.display] ?? ""}`);
  if (position.textContent !== text) position.textContent = text;
}
