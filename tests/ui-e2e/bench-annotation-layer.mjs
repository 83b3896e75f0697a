// Benchmark: a page with many ink strokes still turns and zooms like a page without any, because
// annotations are an SVG layer over the page image, never re-rendered by PDFium. In the real app
// (under Xvfb, through tauri-driver), the delegate's reader gets N strokes on one page; page turns
// onto it and zoom steps on it are timed inside the webview — from the click to the frame after
// the page image and its annotation layer are shown — beside the same on a page of the same
// document with no annotations, in the same run. One JSON line per figure, like phonghop-bench.
//
// Environment: PHONGHOP_APP, PHONGHOP_SERVER_URL, PHONGHOP_DELEGATE, PHONGHOP_PASSWORD;
// PHONGHOP_BENCH_STROKES (default 500), PHONGHOP_BENCH_ROUNDS (default 15).

import { startApp } from "./app-session.mjs";

const STROKES = Number(process.env.PHONGHOP_BENCH_STROKES ?? 500);
const ROUNDS = Number(process.env.PHONGHOP_BENCH_ROUNDS ?? 15);
const TIMEOUT = 60_000;
const testid = (id) => `[data-testid="${id}"]`;
/** The page (0-based) given the strokes, and one without any. */
const STROKED = 1;
const PLAIN = 3;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function figure(what, unit, phonghop, baselineName, baseline, parameters) {
  const round = (value, digits) => Math.round(value * 10 ** digits) / 10 ** digits;
  console.log(
    JSON.stringify({
      scenario: "annotation-layer",
      what,
      unit,
      better: "lower",
      phonghop: round(phonghop, 2),
      baseline_name: baselineName,
      baseline: round(baseline, 2),
      ratio: round(phonghop / baseline, 3),
      goal: "a page with 500 ink strokes turns and zooms about as fast as one without",
      parameters,
      note: null,
    }),
  );
}

/** Times, in the webview, an action until the page `page` is shown at its new state with `count` annotations drawn. */
function timed(browser, action, page, count) {
  return browser.executeAsync(
    (action, page, count, done) => {
      const started = performance.now();
      const image = () => document.querySelector('[data-testid="page-image"]');
      const widthBefore = Number(image()?.getAttribute("data-width"));
      if (action === "zoom-in" || action === "zoom-out") {
        document.querySelector(`[data-testid="${action}"]`).click();
      } else {
        const jump = document.querySelector('[data-testid="page-jump"]');
        jump.value = String(page + 1);
        jump.dispatchEvent(new Event("change", { bubbles: true }));
      }
      const ready = () => {
        const shown = image();
        const layer = document.querySelector('[data-testid="annotation-layer"]');
        const zoomed = action.startsWith("zoom") ? Number(shown?.getAttribute("data-width")) !== widthBefore : true;
        return (
          shown &&
          zoomed &&
          Number(shown.getAttribute("data-page-index")) === page &&
          shown.getAttribute("data-state") === "shown" &&
          layer &&
          Number(layer.getAttribute("data-count")) === count
        );
      };
      const poll = () => {
        if (ready()) requestAnimationFrame(() => done(performance.now() - started));
        else requestAnimationFrame(poll);
      };
      requestAnimationFrame(poll);
    },
    action,
    page,
    count,
  );
}

async function main() {
  const browser = await startApp(process.env.PHONGHOP_APP, process.env.PHONGHOP_SERVER_URL);
  try {
    await browser.$(testid("login-server")).waitForDisplayed({ timeout: TIMEOUT });
    await browser.$(testid("login-username")).setValue(process.env.PHONGHOP_DELEGATE);
    await browser.$(testid("login-password")).setValue(process.env.PHONGHOP_PASSWORD);
    await browser.$(testid("login-submit")).click();
    await browser.$(testid("meeting-title")).waitForDisplayed({ timeout: TIMEOUT });

    // The longest document of the meeting: the 460-page report.
    const target = await browser.waitUntil(
      () =>
        browser.execute(() => {
          const items = [...document.querySelectorAll('[data-testid="agenda-item"]')];
          return items.length > 0 ? items.map((item) => item.getAttribute("data-item-id")) : null;
        }),
      { timeout: TIMEOUT },
    );
    let documentId = null;
    for (const itemId of target) {
      await browser.$(`${testid("agenda-item")}[data-item-id="${itemId}"]`).click();
      documentId = await browser.execute(() => {
        const long = [...document.querySelectorAll('[data-testid="document-open"]')].find(
          (button) => Number(button.getAttribute("data-page-count")) > 100,
        );
        return long ? Number(long.getAttribute("data-document-id")) : null;
      });
      if (documentId) break;
    }
    if (!documentId) throw new Error("no long document in the meeting");
    const open = async () => {
      const button = await browser.$(`${testid("document-open")}[data-document-id="${documentId}"]`);
      await button.scrollIntoView({ block: "center" });
      await button.click();
      await browser.waitUntil(
        () => browser.execute(() => document.querySelector('[data-testid="page-image"]')?.getAttribute("data-state") === "shown"),
        { timeout: TIMEOUT },
      );
    };
    await open();
    await browser.setTimeout({ script: 300_000 });

    // N strokes of 40 points each on one page, saved through the app like drawn ones.
    const revision = await browser.execute(
      (id) =>
        Number(document.querySelector(`[data-testid="document"][data-document-id="${id}"]`).getAttribute("data-revision")),
      documentId,
    );
    await browser.executeAsync(
      (documentId, revision, page, strokes, done) => {
        const invoke = window.__TAURI_INTERNALS__.invoke;
        const make = [];
        for (let index = 0; index < strokes; index += 1) {
          const points = [];
          let x = 0.1 + ((index * 37) % 80) / 100;
          let y = 0.05 + ((index * 53) % 90) / 100;
          for (let step = 0; step < 40; step += 1) {
            x = Math.min(0.98, Math.max(0.02, x + Math.sin(index + step) * 0.004));
            y = Math.min(0.98, Math.max(0.02, y + Math.cos(index * 3 + step) * 0.004));
            points.push({ x, y });
          }
          const annotation = {
            id: `bench-${index}`,
            document_id: documentId,
            revision,
            page,
            color: "#1e64c8",
            body: { kind: "ink", strokes: [points], width: 0.003, highlighter: false, near: null },
            shared: false,
            deleted: false,
            changed_at: 0,
            device: "",
            carried_from: null,
          };
          make.push(annotation);
        }
        // One after another, as a councillor draws them.
        make
          .reduce((previous, annotation) => previous.then(() => invoke("save_annotation", { annotation })), Promise.resolve())
          .then(() => done(true), (error) => done(String(error)));
      },
      documentId,
      revision,
      STROKED,
      STROKES,
    );
    // Reopened, the reader reads them; each page is shown once before timing (its image cached).
    await browser.$(testid("viewer-close")).click();
    await open();
    await browser.$(testid("annotate-toggle")).click();
    // The first showing of each page at this width paints its strokes: timed apart.
    const firstStroked = await timed(browser, "page", STROKED, STROKES);
    const firstPlain = await timed(browser, "page", PLAIN, 0);

    const turns = { stroked: [], plain: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      turns.stroked.push(await timed(browser, "page", STROKED, STROKES));
      turns.plain.push(await timed(browser, "page", PLAIN, 0));
    }
    const zooms = { stroked: [], plain: [] };
    for (const [page, count, into] of [
      [STROKED, STROKES, zooms.stroked],
      [PLAIN, 0, zooms.plain],
    ]) {
      await timed(browser, "page", page, count);
      for (let round = 0; round < ROUNDS; round += 1) {
        into.push(await timed(browser, "zoom-in", page, count));
        into.push(await timed(browser, "zoom-out", page, count));
      }
    }
    const parameters = { strokes: STROKES, points_per_stroke: 40, rounds: ROUNDS };
    figure(
      `first showing of a page with ${STROKES} ink strokes, every stroke painted (one run)`,
      "ms",
      firstStroked,
      "the first showing of a page without annotations",
      firstPlain,
      parameters,
    );
    await timed(browser, "page", STROKED, STROKES);
    console.error(
      "canvas draw ms:",
      await browser.execute(() => document.querySelector('[data-testid="ink-layer"]')?.dataset.drawMs),
    );
    figure(
      `page turn back onto a page with ${STROKES} ink strokes (median)`,
      "ms",
      median(turns.stroked),
      "the same turn onto a page of the document without annotations",
      median(turns.plain),
      parameters,
    );
    figure(
      `zoom step on a page with ${STROKES} ink strokes: image and strokes shown at the new size (median)`,
      "ms",
      median(zooms.stroked),
      "the same zoom step on a page without annotations",
      median(zooms.plain),
      parameters,
    );
  } finally {
    await browser.deleteSession().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`annotation-layer benchmark failed: ${error?.message ?? error}`);
    process.exit(1);
  },
);
