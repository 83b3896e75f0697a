// The render benchmark's baseline: pdf.js in Node draws pages of a PDF to a canvas, without
// encoding them, the way a browser viewer would, and prints one JSON line: the first page's latency
// (file read → page drawn) and pages per second drawing the first N pages one after another.
//
// Usage: node render-pdfjs.mjs FILE [--width 1240] [--pages N] [--warm-up OTHER.pdf]
// --warm-up draws a page of another document first, so module loading, pdf.js's in-process
// worker and the JIT are ready, as they are in a viewer that has shown a document before.

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";

import { createCanvas } from "@napi-rs/canvas";
import { getDocument, version } from "pdfjs-dist/legacy/build/pdf.mjs";

const require = createRequire(import.meta.url);
const pdfjsRoot = dirname(require.resolve("pdfjs-dist/package.json"));

function parseArguments(argv) {
  const options = { file: null, width: 1240, pages: Infinity, warmUp: null };
  for (let i = 0; i < argv.length; i += 1) {
    const argument = argv[i];
    if (argument === "--width") options.width = Number(argv[(i += 1)]);
    else if (argument === "--pages") options.pages = Number(argv[(i += 1)]);
    else if (argument === "--warm-up") options.warmUp = argv[(i += 1)];
    else if (options.file === null) options.file = argument;
    else throw new Error(`unexpected argument ${argument}`);
  }
  if (options.file === null) throw new Error("usage: render-pdfjs.mjs FILE [--width PX] [--pages N] [--warm-up FILE]");
  if (!(options.width > 0) || !(options.pages > 0)) throw new Error("--width and --pages must be positive");
  return options;
}

async function open(file) {
  const data = new Uint8Array(await readFile(file));
  return getDocument({
    data,
    // Fonts the PDF names but does not embed (Helvetica…) and CJK maps, from the package itself.
    // Glyphs are drawn as paths (pdf.js's default in Node): `disableFontFace: false` doubles the
    // pages per second here but draws every glyph as an empty box, since Node has no FontFace.
    standardFontDataUrl: join(pdfjsRoot, "standard_fonts") + "/",
    cMapUrl: join(pdfjsRoot, "cmaps") + "/",
    cMapPacked: true,
    verbosity: 0,
  }).promise;
}

/** One canvas reused for every page of the same size, as a viewer reuses its canvas. */
class Surface {
  canvas = null;

  contextFor(width, height) {
    if (this.canvas === null || this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas = createCanvas(width, height);
    }
    return this.canvas.getContext("2d");
  }
}

async function draw(document, pageNumber, width, surface) {
  const page = await document.getPage(pageNumber);
  const unscaled = page.getViewport({ scale: 1 });
  const viewport = page.getViewport({ scale: width / unscaled.width });
  const canvasContext = surface.contextFor(Math.round(viewport.width), Math.round(viewport.height));
  // pdf.js fills the page white itself before drawing.
  await page.render({ canvasContext, viewport }).promise;
  // Frees the page's parsed operators and images, as a viewer does for pages scrolled away.
  page.cleanup();
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const surface = new Surface();
  if (options.warmUp !== null) {
    const other = await open(options.warmUp);
    await draw(other, 1, options.width, surface);
    await other.destroy();
  }

  const opened = performance.now();
  const document = await open(options.file);
  await draw(document, 1, options.width, surface);
  const firstPageMs = performance.now() - opened;

  const pages = Math.min(options.pages, document.numPages);
  const started = performance.now();
  for (let pageNumber = 1; pageNumber <= pages; pageNumber += 1) {
    await draw(document, pageNumber, options.width, surface);
  }
  const seconds = (performance.now() - started) / 1000;
  await document.destroy();

  console.log(
    JSON.stringify({
      renderer: `pdf.js ${version}`,
      width: options.width,
      first_page_ms: Number(firstPageMs.toFixed(3)),
      pages,
      pages_per_second: Number((pages / seconds).toFixed(3)),
    }),
  );
}

main().catch((error) => {
  console.error(`render-pdfjs: ${error?.stack ?? error}`);
  process.exit(1);
});
