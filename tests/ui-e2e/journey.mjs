// End-to-end journey of the real desktop app: a delegate logs in, sees an agenda item added by the
// secretariat appear live, reads a document rendered by PDFium, votes, watches the tally fill up
// as other delegates vote through the server's HTTP API, sees the chair's closed poll pass, and
// sees a new revision of a document arrive marked, with what changed; a Word file the
// secretariat drops into the server's hot folder shows up as a PDF document; the meeting packet
// comes down with its progress bar over a slow Wi-Fi that drops, and resumes; the chair, logged
// into the same app, opens an election of 2 of 3, votes, closes it and sees who is elected; then
// a short sitting at 200 % text: the secretariat builds an item with a sub-item in the app and
// drops a PDF on it, the chair presents its page 2, the delegate's reader follows and the
// delegate is given the floor, and the hall screen in Chromium shows the speaker and the result.
//
// The caller has already started Xvfb, tauri-driver on 127.0.0.1:4444 and a phonghop server with
// the demo meeting. Environment:
//   PHONGHOP_APP          path of the built app binary
//   PHONGHOP_ADMIN        path of the built phonghop-admin (checks a poll record offline)
//   PHONGHOP_SERVER_URL   e.g. http://127.0.0.1:43125
//   PHONGHOP_SCREENSHOTS  directory for NN-step-name.png
//   PHONGHOP_DELEGATE     a delegate's username (e.g. db003), logged in through the app
//   PHONGHOP_PASSWORD     the password of every demo account
//   PHONGHOP_SECRETARY    the secretariat's username (e.g. db002)
//   PHONGHOP_CHAIR        the chair's username (e.g. db001)
//   PHONGHOP_HOT_FOLDER   the folder the server watches as the secretariat (serve --watch)
//   PHONGHOP_SERVER_PID   the server's process id: the last step kills it, as a dropped network
//                         would take it away, and reads on from the local cache
//   PHONGHOP_VOTERS       optional: comma-separated usernames of other delegates to vote via the
//                         API; by default they are numbered on from PHONGHOP_DELEGATE (db004, ...)
//   PHONGHOP_E2E_TIMEOUT_MS  optional: how long to wait for each expected change (default 30000)
//
// Nothing here sleeps for a fixed time: every wait is for the change it expects, with a timeout.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { startApp as startAppSession } from "./app-session.mjs";
import { HallWifi, largePdf } from "./hall-wifi.mjs";
import { remote } from "webdriverio";

const env = readEnvironment();
const TIMEOUT = Number(process.env.PHONGHOP_E2E_TIMEOUT_MS ?? 30_000);
/** A page is downloaded, hash-checked and rendered by PDFium before it shows: allow more time. */
const PAGE_TIMEOUT = TIMEOUT * 2;
/** A dropped file settles (1.5 s), then LibreOffice converts it (its first start takes seconds). */
const HOT_FOLDER_TIMEOUT = TIMEOUT * 2;
const POLL_TITLE = "Biểu quyết thông qua";
const SECRET_POLL_TITLE = "Bỏ phiếu kín thông qua";
const CANDIDATES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"];

/** The hall's Wi-Fi between the app and the server (the app logs in through it). */
const wifi = new HallWifi(env.server);
/** The hall screen's own link to the server (a TV on the hall's network), cut apart from the app's. */
const hallWifi = new HallWifi(env.server);
/** Chromium showing the hall screen, driven by chromedriver; started in step 8. */
const hall = { browser: null, driver: null };
/** A meeting packet's large document: long enough to watch at the Wi-Fi's slowed speed. */
const LARGE_BYTES = 24 * 1024 * 1024;
const SLOW_WIFI_BYTES_PER_SECOND = 3 * 1024 * 1024;

let screenshotNumber = 0;
let currentStep = "starting the app";

/** A fingerprint as the app shows it: 16 groups of 4 uppercase hex digits. */
function grouped(hex) {
  return hex.replace(/[^0-9a-f]/gi, "").toUpperCase().match(/.{4}/g).join(" ");
}

function readEnvironment() {
  const names = [
    "PHONGHOP_APP",
    "PHONGHOP_SERVER_URL",
    "PHONGHOP_SCREENSHOTS",
    "PHONGHOP_DELEGATE",
    "PHONGHOP_PASSWORD",
    "PHONGHOP_SECRETARY",
    "PHONGHOP_CHAIR",
    "PHONGHOP_SERVER_PID",
    "PHONGHOP_HOT_FOLDER",
    "PHONGHOP_FINGERPRINT",
    "PHONGHOP_IMPOSTOR_URL",
    "PHONGHOP_IMPOSTOR_FINGERPRINT",
  ];
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    console.error(`journey: missing environment variables: ${missing.join(", ")}`);
    process.exit(2);
  }
  return {
    app: process.env.PHONGHOP_APP,
    admin: process.env.PHONGHOP_ADMIN,
    server: process.env.PHONGHOP_SERVER_URL.replace(/\/+$/, ""),
    screenshots: process.env.PHONGHOP_SCREENSHOTS,
    delegate: process.env.PHONGHOP_DELEGATE,
    password: process.env.PHONGHOP_PASSWORD,
    secretary: process.env.PHONGHOP_SECRETARY,
    chair: process.env.PHONGHOP_CHAIR,
    serverPid: Number(process.env.PHONGHOP_SERVER_PID),
    hotFolder: process.env.PHONGHOP_HOT_FOLDER,
    fingerprint: grouped(process.env.PHONGHOP_FINGERPRINT),
    impostor: process.env.PHONGHOP_IMPOSTOR_URL.replace(/\/+$/, ""),
    impostorFingerprint: grouped(process.env.PHONGHOP_IMPOSTOR_FINGERPRINT),
    voters: (process.env.PHONGHOP_VOTERS ?? "")
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean),
  };
}

// ---------------------------------------------------------------------------------------------
// The server's HTTP API, as the secretariat, the chair and other delegates use it.

/** Calls the API; a non-2xx answer becomes an Error carrying the server's ErrorFrame. */
async function api(method, route, { token, body } = {}) {
  const headers = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${env.server}${route}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: reported below with the raw text.
  }
  if (!response.ok) {
    const error = new Error(
      `${method} ${route} answered ${response.status}: ${json?.code ?? ""} ${json?.message_en ?? text}`.trim(),
    );
    error.status = response.status;
    error.code = json?.code;
    error.retryAfterSeconds = Number(response.headers.get("retry-after")) || 0;
    throw error;
  }
  return json;
}

/** Logs in through the API; waits out the login rate limit, which a burst of voters can hit. */
async function apiLogin(username) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const answer = await api("POST", "/api/login", { body: { username, password: env.password } });
      assert.ok(answer?.token, `login of ${username} answered without a token`);
      return answer.token;
    } catch (error) {
      if (error.status !== 429 || attempt >= 8) {
        throw new Error(`API login as ${username} failed: ${error.message}`);
      }
      await delay(Math.max(error.retryAfterSeconds * 1000, 250 * 2 ** attempt));
    }
  }
}

/** Sends the next revision of a document as the secretariat would: a repository PDF, a file name. */
async function uploadRevision(token, meetingId, documentId, pdfPath, fileName) {
  const bytes = await readFile(new URL(pdfPath, import.meta.url));
  const route =
    `/api/meetings/${meetingId}/documents/${documentId}/revisions` +
    `?file_name=${fileName}&upload_id=ui-e2e-${randomUUID()}`;
  const response = await fetch(`${env.server}${route}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/pdf" },
    body: bytes,
  });
  const answer = await response.json();
  assert.equal(response.status, 200, `the revision upload answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

/** Back-off between rate-limited attempts; never used to wait for the UI. */
function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sends one command to a meeting, with a fresh id so it is not taken for a replay. */
function sendCommand(token, meetingId, command) {
  return api("POST", `/api/meetings/${meetingId}/commands`, {
    token,
    body: { id: `ui-e2e-${Date.now()}-${randomUUID()}`, command },
  });
}

// ---------------------------------------------------------------------------------------------
// Reading and driving the app.

const testid = (id) => `[data-testid="${id}"]`;

async function frameSettled(browser) {
  // A screenshot taken right after a DOM change can miss it; two frames later it is painted.
  await browser.executeAsync((done) => {
    requestAnimationFrame(() => requestAnimationFrame(() => done()));
  });
}

async function screenshot(browser, name) {
  await frameSettled(browser);
  screenshotNumber += 1;
  const file = path.join(env.screenshots, `${String(screenshotNumber).padStart(2, "0")}-${name}.png`);
  await browser.saveScreenshot(file);
  return file;
}

/**
 * Opens a document in the reader by its button, from the keyboard. A pointer click here missed now
 * and then on a loaded machine (the button at the screen's edge after the agenda scrolled).
 */
function openInReader(browser, documentId) {
  return press(browser, `${testid("document-open")}[data-document-id="${documentId}"]`);
}

/** Presses a button from the keyboard (scrolled to the middle, focused, Enter): the sticky header
 * or a card that grew above it cannot take the click, and a loaded machine cannot miss it. */
async function press(browser, selector) {
  const button = await browser.$(selector);
  await button.scrollIntoView({ block: "center" });
  await button.waitForEnabled({ timeout: TIMEOUT });
  await browser.execute((element) => element.focus(), button);
  await browser.keys("Enter");
}

/** Selects an agenda item from the keyboard. */
function chooseItem(browser, itemId) {
  return press(browser, `${testid("agenda-item")}[data-item-id="${itemId}"]`);
}

/**
 * Logs the app out and in again as `username`, back on the meeting screen. An account that may
 * create meetings stays on the meeting list: it chooses meeting `meetingId` there.
 */
async function logInAgain(browser, username, meetingId = null) {
  await press(browser, testid("logout"));
  const server = await browser.$(testid("login-server"));
  await server.waitForDisplayed({ timeout: TIMEOUT });
  await server.setValue(env.appServer);
  await browser.$(testid("login-username")).setValue(username);
  await browser.$(testid("login-password")).setValue(env.password);
  await browser.$(testid("login-submit")).click();
  // The meeting screen, the reader it opens by itself to follow a presenter, or the list.
  const landed = await waitFor(browser, "the meeting screen or the meeting list", async () => {
    if (await browser.$(testid("meeting-title")).isDisplayed()) return "meeting";
    if (await browser.$(testid("viewer")).isExisting()) return "meeting";
    // Only an account that may create meetings stays on the list; for others it shows a moment
    // while their one meeting opens.
    if (await browser.$(testid("create-meeting")).isExisting()) return "list";
    return null;
  });
  if (landed === "list") {
    await press(browser, meetingId === null ? testid("meeting-choice") : `${testid("meeting-choice")}[data-meeting-id="${meetingId}"]`);
    await browser.$(testid("meeting-title")).waitForDisplayed({ timeout: TIMEOUT });
  }
}

/** Sets the text size to 200 % (A+ four times from the usual size) and waits for it. */
async function textAt200(browser) {
  await press(browser, testid("text-reset"));
  for (let step = 0; step < 4; step += 1) await press(browser, testid("text-bigger"));
  await waitFor(browser, "text at 200 %", () =>
    browser.execute(() => document.querySelector('[data-testid="text-size"]')?.getAttribute("data-percent") === "200"),
  );
}

/** Elements inside `selector` whose text spills out of their box (a scrolling box is fine). */
function spillingIn(browser, selector) {
  return browser.execute((within) => {
    const root = document.querySelector(within);
    if (!root) return [`nothing matches ${within}`];
    return [...root.querySelectorAll("*")]
      .filter((element) => element.scrollWidth > element.clientWidth + 1 && !["auto", "scroll", "hidden"].includes(getComputedStyle(element).overflowX))
      .map((element) => `${element.tagName}.${element.className}: ${element.textContent.trim().slice(0, 30)}`);
  }, selector);
}

/**
 * Drops a file on an element as a person dragging it from the file manager would: dragenter,
 * dragover and drop carrying a File (the window lets HTML5 drops reach the page).
 */
async function dropFile(browser, selector, fileName, bytes) {
  const dropped = await browser.execute(
    (target, name, base64) => {
      const zone = document.querySelector(target);
      if (!zone) return `nothing matches ${target}`;
      const binary = atob(base64);
      const data = new Uint8Array(binary.length);
      for (let index = 0; index < binary.length; index += 1) data[index] = binary.charCodeAt(index);
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], name, { type: "application/pdf" }));
      zone.scrollIntoView({ block: "center" });
      const box = zone.getBoundingClientRect();
      const at = { clientX: box.left + box.width / 2, clientY: box.top + box.height / 2 };
      for (const type of ["dragenter", "dragover", "drop"]) {
        zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer, ...at }));
      }
      return "dropped";
    },
    selector,
    fileName,
    bytes.toString("base64"),
  );
  assert.equal(dropped, "dropped");
}

/** Brings a poll's card into view, so its screenshot shows the buttons, the tally or the result. */
function showPoll(browser, pollId) {
  return browser.execute((id) => {
    document.querySelector(`[data-testid="poll"][data-poll-id="${id}"]`)?.scrollIntoView({ block: "start" });
  }, pollId);
}

/** Brings a poll's counts to the bottom of the window, the lines of a tall card included. */
function showTally(browser, pollId) {
  return browser.execute((id) => {
    document.querySelector(`[data-testid="poll"][data-poll-id="${id}"] [data-testid="tally"]`)?.scrollIntoView({ block: "end" });
  }, pollId);
}

/**
 * Starts chromedriver and a headless Chromium (Debian's) at `url`: the hall's TV. The server
 * serves the page itself; the browser knows nothing of the app.
 */
async function openHallScreen(url) {
  const port = 9515 + Math.floor(Math.random() * 400);
  hall.driver = spawn("chromedriver", [`--port=${port}`], { stdio: "ignore" });
  hall.browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "warn",
    connectionRetryTimeout: 60_000,
    connectionRetryCount: 5,
    capabilities: {
      browserName: "chrome",
      // The hall's TV opens the server's own page over HTTPS with its self-signed certificate.
      acceptInsecureCerts: true,
      "goog:chromeOptions": {
        binary: "/usr/bin/chromium",
        args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1600,900", "--lang=vi"],
      },
      "wdio:enforceWebDriverClassic": true,
    },
  });
  await hall.browser.url(url);
  return hall.browser;
}

/** What the hall screen shows now, read from its page. */
function readHall(browser) {
  return browser.execute(() => {
    const text = (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? "";
    const poll = document.querySelector('[data-testid="hall-poll"]');
    return {
      connection: document.querySelector("main")?.dataset.connection ?? "",
      title: text("hall-meeting-title"),
      currentItem: text("hall-current-item"),
      speaker: document.querySelector('[data-testid="hall-speaking"] .speaker-name')?.textContent ?? "",
      remaining: Number(document.querySelector('[data-testid="hall-timer"]')?.getAttribute("data-remaining") ?? NaN),
      queue: [...document.querySelectorAll('[data-testid="hall-queue"] li')].map((li) => li.textContent),
      pollId: Number(poll?.dataset.pollId ?? 0),
      pollState: poll?.dataset.pollState ?? "",
      turnout: Number(document.querySelector('[data-testid="hall-turnout"]')?.getAttribute("data-cast") ?? NaN),
      outcome: document.querySelector('[data-testid="hall-outcome"]')?.getAttribute("data-outcome") ?? "",
      bars: [...document.querySelectorAll('[data-testid="hall-bar"]')].map((bar) => Number(bar.getAttribute("data-count"))),
    };
  });
}

/** axe-core's source, injected into the webview (by WebDriver, so the app's CSP does not apply). */
const AXE_SOURCE = readFileSync(new URL("./node_modules/axe-core/axe.min.js", import.meta.url), "utf8");

/**
 * Runs axe-core on the screen as it is now and fails on any serious or critical violation; the
 * lesser ones are printed. `screen` names it in the output.
 */
async function checkAccessibility(browser, screen) {
  if (!(await browser.execute(() => Boolean(window.axe)))) await browser.execute(`${AXE_SOURCE}; return true;`);
  const violations = await browser.executeAsync((done) => {
    window.axe
      .run(document, { resultTypes: ["violations"] })
      .then((result) =>
        done(
          result.violations.map((violation) => ({
            id: violation.id,
            impact: violation.impact,
            help: violation.help,
            nodes: violation.nodes.slice(0, 3).map((node) => node.target.join(" ")),
          })),
        ),
      )
      .catch((error) => done([{ id: "axe-failed", impact: "critical", help: String(error), nodes: [] }]));
  });
  const serious = violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  const lesser = violations.filter((violation) => !serious.includes(violation)).map((violation) => `${violation.id} (${violation.impact})`);
  console.log(`  axe-core on ${screen}: ${serious.length} serious or critical${lesser.length ? `; lesser: ${lesser.join(", ")}` : ""}`);
  assert.deepEqual(serious, [], `axe-core finds serious or critical violations on ${screen}:\n${JSON.stringify(serious, null, 2)}`);
}

/** Waits until `read()` returns something truthy and returns it; `what` names it on timeout. */
async function waitFor(browser, what, read, timeout = TIMEOUT) {
  let last;
  try {
    await browser.waitUntil(
      async () => {
        last = await read();
        return Boolean(last);
      },
      { timeout, interval: 100, timeoutMsg: `timed out after ${timeout} ms waiting for ${what}` },
    );
  } catch (error) {
    const shown = await visibleError(browser);
    throw new Error(shown ? `${error.message}; the app shows: "${shown}"` : error.message);
  }
  return last;
}

/** The text of any error notice on screen, to explain a timeout in the app's own words. */
async function visibleError(browser) {
  try {
    return await browser.execute(() =>
      [...document.querySelectorAll('[role="alert"][data-error-code]')]
        .map((element) => `${element.getAttribute("data-error-code")}: ${element.textContent.trim()}`)
        .join(" | "),
    );
  } catch {
    return "";
  }
}

/** Agenda items as the app shows them, in order. */
function agendaItems(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="agenda-item"]')].map((element) => ({
      id: Number(element.getAttribute("data-item-id")),
      documents: Number(element.getAttribute("data-document-count") ?? 0),
      text: element.textContent.replace(/\s+/g, " ").trim(),
    })),
  );
}

/** The shown page image's state, read in one round trip. */
function pageImage(browser) {
  return browser.execute(() => {
    const image = document.querySelector('[data-testid="page-image"]');
    const indicator = document.querySelector('[data-testid="page-indicator"]');
    if (!image) return null;
    return {
      state: image.getAttribute("data-state"),
      pageIndex: Number(image.getAttribute("data-page-index")),
      requestedWidth: Number(image.getAttribute("data-width")),
      complete: image.complete,
      naturalWidth: image.naturalWidth,
      shownWidth: image.getBoundingClientRect().width,
      indicatorPage: Number(indicator?.getAttribute("data-page")),
      indicatorText: indicator?.textContent.trim() ?? "",
    };
  });
}

/** Waits until page `pageIndex` (0-based) is rendered and shown at `minWidth` or wider. */
async function renderedPage(browser, pageIndex, minWidth = 0) {
  return waitFor(
    browser,
    `page ${pageIndex + 1} rendered at least ${minWidth} px wide`,
    async () => {
      const image = await pageImage(browser);
      if (image?.state === "failed") {
        throw new Error(`the app could not show page ${pageIndex + 1} (phonghop:// image failed to load)`);
      }
      const ready =
        image &&
        image.state === "shown" &&
        image.complete &&
        image.pageIndex === pageIndex &&
        image.naturalWidth > 0 &&
        image.requestedWidth >= minWidth;
      return ready ? image : null;
    },
    PAGE_TIMEOUT,
  );
}

/** One poll's card as the app shows it. */
function pollCard(browser, pollId) {
  return browser.execute((id) => {
    const card = document.querySelector(`[data-testid="poll"][data-poll-id="${id}"]`);
    if (!card) return null;
    const tally = card.querySelector('[data-testid="tally"]');
    const myVote = card.querySelector('[data-testid="my-vote"]');
    const outcome = card.querySelector('[data-testid="poll-outcome"]');
    const number = (name) => Number(tally?.getAttribute(name) ?? Number.NaN);
    return {
      state: card.getAttribute("data-poll-state"),
      canVote: Boolean(card.querySelector('[data-testid="vote-yes"]')),
      myVote: myVote?.getAttribute("data-choice") ?? null,
      outcome: outcome?.getAttribute("data-outcome") ?? null,
      tally: tally
        ? {
            yes: number("data-yes"),
            no: number("data-no"),
            abstain: number("data-abstain"),
            present: number("data-present"),
            members: number("data-members"),
            cast: number("data-cast"),
            turnoutOnly: tally.getAttribute("data-turnout-only") === "true",
            text: tally.textContent.replace(/\s+/g, " ").trim(),
          }
        : null,
    };
  }, pollId);
}

/** The quorum line of the attendance panel: the server's count of who is present. */
function readQuorum(browser) {
  return browser.execute(() => {
    const line = document.querySelector('[data-testid="quorum"]');
    if (!line) return null;
    return {
      present: Number(line.getAttribute("data-present")),
      members: Number(line.getAttribute("data-members")),
      needed: Number(line.getAttribute("data-needed")),
      reached: line.getAttribute("data-reached") === "true",
      text: line.textContent.replace(/\s+/g, " ").trim(),
    };
  });
}

function sameCounts(tally, expected) {
  return tally && tally.yes === expected.yes && tally.no === expected.no && tally.abstain === expected.abstain;
}

// ---------------------------------------------------------------------------------------------
// Who else votes, and how many are needed for the default rule to pass.

/** Usernames of delegates other than those of the journey, numbered on from the app's delegate. */
function otherDelegates(count) {
  if (env.voters.length > 0) return env.voters.slice(0, count);
  const match = /^(.*?)(\d+)$/.exec(env.delegate);
  assert.ok(match, `cannot number voters on from PHONGHOP_DELEGATE=${env.delegate}; set PHONGHOP_VOTERS`);
  const [, prefix, digits] = match;
  const taken = new Set([env.delegate, env.secretary, env.chair]);
  const names = [];
  for (let number = Number(digits) + 1; names.length < count; number += 1) {
    const name = `${prefix}${String(number).padStart(digits.length, "0")}`;
    if (!taken.has(name)) names.push(name);
  }
  return names;
}

/**
 * How many other delegates must vote through the API, with a margin of two: the default rule
 * wants two thirds of the members present and more than half of all members voting yes; the
 * app's delegate has voted yes already, and two of the others vote no and abstain.
 */
function votersNeeded(members) {
  const quorum = Math.ceil((2 * members) / 3);
  const yesNeeded = Math.floor(members / 2) + 1;
  return Math.max(quorum - 1, yesNeeded - 1 + 2) + 2;
}

// ---------------------------------------------------------------------------------------------

async function step(name, body) {
  currentStep = name;
  const started = Date.now();
  await body();
  console.log(`✔ ${name} (${Date.now() - started} ms)`);
}

async function journey(firstBrowser) {
  let browser = firstBrowser;
  const state = {};
  /** API sessions of the delegates who vote besides the app's, logged in once. */
  const tokens = new Map();

  await step("1. delegate logs in and sees the meeting", async () => {
    const server = await browser.$(testid("login-server"));
    await server.waitForDisplayed({ timeout: TIMEOUT * 2 });
    await checkAccessibility(browser, "the login screen");
    await server.setValue(env.appServer);
    await browser.$(testid("login-username")).setValue(env.delegate);
    await browser.$(testid("login-password")).setValue(env.password);
    await browser.$(testid("login-submit")).click();

    // The first connection to this HTTPS server: the app shows the certificate's fingerprint to
    // compare with the one the server printed (the secretariat's), and trusts it only when told.
    const shownFingerprint = await waitFor(browser, "the server's fingerprint to compare", async () => {
      const shown = await browser.$(testid("pin-fingerprint"));
      return (await shown.isExisting()) ? await shown.getAttribute("data-fingerprint") : null;
    });
    assert.equal(shownFingerprint, env.fingerprint, "the app shows the fingerprint the server printed");
    await screenshot(browser, "pin-server");
    await checkAccessibility(browser, "the server's fingerprint to compare");
    await press(browser, testid("pin-confirm"));

    const outcome = await waitFor(browser, "the meeting to open (or a login error)", async () => {
      if (await browser.$(testid("meeting-title")).isDisplayed()) return "meeting";
      const error = await browser.$(testid("login-error"));
      if (await error.isExisting()) return `login error: ${await error.getText()}`;
      return null;
    });
    assert.equal(outcome, "meeting", `the app did not open the meeting: ${outcome}`);

    const title = await browser.$(testid("meeting-title"));
    state.meetingTitle = (await title.getText()).trim();
    state.appMeetingId = Number(await title.getAttribute("data-meeting-id")) || null;
    const items = await waitFor(browser, "at least one agenda item", async () => {
      const shown = await agendaItems(browser);
      return shown.length > 0 ? shown : null;
    });
    console.log(`  meeting "${state.meetingTitle}" with ${items.length} agenda items`);
    await screenshot(browser, "logged-in");
    await checkAccessibility(browser, "the meeting screen");
  });

  await step("2. an agenda item added by the secretariat appears live", async () => {
    state.secretaryToken = await apiLogin(env.secretary);
    const { meetings } = await api("GET", "/api/meetings", { token: state.secretaryToken });
    assert.ok(Array.isArray(meetings) && meetings.length > 0, "the secretariat has no meetings");
    const shown = meetings.find((meeting) => meeting.id === state.appMeetingId);
    state.meetingId = (shown ?? meetings[0]).id;

    // A marker on the page proves afterwards that the webview was not reloaded.
    await browser.execute(() => {
      window.__phonghopJourneyMarker = true;
    });
    const title = `Mục mới từ API ${new Date().toISOString()}`;
    await sendCommand(state.secretaryToken, state.meetingId, {
      kind: "add_agenda_item",
      title,
      description: "Nội dung do thư ký thêm trong lúc họp (kiểm thử tự động)",
    });
    await waitFor(browser, `agenda item "${title}"`, async () =>
      (await agendaItems(browser)).some((item) => item.text.includes(title)),
    );
    assert.equal(
      await browser.execute(() => window.__phonghopJourneyMarker === true),
      true,
      "the page was reloaded to show the new item",
    );
    await screenshot(browser, "agenda-item-added");
  });

  await step("3. a Word file dropped into the hot folder appears as a PDF document", async () => {
    const snapshot = await api("GET", `/api/meetings/${state.meetingId}/snapshot`, { token: state.secretaryToken });
    const item = snapshot.state.items.find((candidate) => candidate.documents.length === 0);
    assert.ok(item, "the demo meeting has no agenda item without documents");
    const folder = path.join(env.hotFolder, String(state.meetingId), `${item.id} - ${item.title}`);
    await mkdir(folder, { recursive: true });
    await copyFile(new URL("../../tests/data/giay-moi-hop.docx", import.meta.url), path.join(folder, "giay-moi-hop.docx"));

    await chooseItem(browser, item.id);
    const documentId = await waitFor(
      browser,
      "the Word file to appear as a document of its item",
      () =>
        browser.execute((itemId) => {
          const heading = document.querySelector('[data-testid="item-title"]');
          if (Number(heading?.getAttribute("data-item-id")) !== itemId) return null;
          const button = document.querySelector('[data-testid="document-open"]');
          return button ? Number(button.getAttribute("data-document-id")) : null;
        }, item.id),
      HOT_FOLDER_TIMEOUT,
    );
    const converted = await browser.execute(
      (id) => document.querySelector(`[data-testid="document"][data-document-id="${id}"]`)?.textContent ?? "",
      documentId,
    );
    assert.match(converted, /giay-moi-hop\.docx/, `the document does not say it was converted: ${converted}`);
    await screenshot(browser, "hot-folder-word-document");
    await openInReader(browser, documentId);
    await browser.$(testid("viewer")).waitForDisplayed({ timeout: TIMEOUT });
    const page = await renderedPage(browser, 0);
    console.log(`  the Word file's PDF, page 1 rendered ${page.naturalWidth} px wide`);
    await screenshot(browser, "hot-folder-word-document-page-1");
    await browser.$(testid("viewer-close")).click();
    await browser.$(testid("viewer")).waitForExist({ reverse: true, timeout: TIMEOUT });
  });

  await step("4. the meeting packet comes down with its progress bar, and resumes after the Wi-Fi drops", async () => {
    const secretary = state.secretaryToken ?? (await apiLogin(env.secretary));
    const snapshot = await api("GET", `/api/meetings/${state.meetingId}/snapshot`, { token: secretary });
    const item = snapshot.state.items.find((candidate) => candidate.documents.length > 0);
    wifi.throttle(SLOW_WIFI_BYTES_PER_SECOND);
    const route =
      `/api/meetings/${state.meetingId}/items/${item.id}/documents` +
      `?file_name=phu-luc-so-lieu.pdf&title=${encodeURIComponent("Phụ lục số liệu")}&upload_id=ui-e2e-${randomUUID()}`;
    const response = await fetch(`${env.server}${route}`, {
      method: "POST",
      headers: { authorization: `Bearer ${secretary}`, "content-type": "application/pdf" },
      body: largePdf(LARGE_BYTES, "Phu luc so lieu"),
    });
    const answer = await response.json();
    assert.equal(response.status, 200, `the upload answered ${response.status}: ${JSON.stringify(answer)}`);
    const large = answer.document;

    const packet = () =>
      browser.execute(() => {
        const bar = document.querySelector('[data-testid="packet"]');
        if (!bar) return null;
        return {
          state: bar.getAttribute("data-state"),
          bytesDone: Number(bar.getAttribute("data-bytes-done")),
          bytesTotal: Number(bar.getAttribute("data-bytes-total")),
          filesDone: Number(bar.getAttribute("data-files-done")),
          filesTotal: Number(bar.getAttribute("data-files-total")),
          text: bar.textContent.trim(),
          bar: bar.querySelector("progress") !== null,
        };
      });
    const midway = await waitFor(browser, "the packet's bar part of the way through the large document", async () => {
      const shown = await packet();
      // Some megabytes of the large document in, most of it still to come.
      const ofLarge = shown ? shown.bytesDone - (shown.bytesTotal - LARGE_BYTES) : 0;
      return shown?.state === "downloading" && ofLarge > 2 * 1024 * 1024 && ofLarge < LARGE_BYTES / 2 ? shown : null;
    });
    assert.ok(midway.bar, "no progress bar while downloading");
    console.log(`  packet: ${midway.text}`);
    await screenshot(browser, "packet-downloading");

    // The Wi-Fi drops: the app says the rest follows when the network is back, and keeps what came.
    wifi.cut();
    const packetIn = async (wanted) => {
      const shown = await packet();
      return shown?.state === wanted ? shown : null;
    };
    const paused = await waitFor(browser, "the packet to wait for the server", () => packetIn("waiting_for_server"));
    assert.ok(paused.bytesDone >= midway.bytesDone, `the bytes that arrived were lost: ${JSON.stringify(paused)}`);
    console.log(`  cut: ${paused.text}`);
    await screenshot(browser, "packet-waiting-for-network");

    wifi.restore();
    const resumed = await waitFor(browser, "the packet to go on from where it stopped", () => packetIn("downloading"));
    assert.ok(resumed.bytesDone >= paused.bytesDone, `the packet started again from ${resumed.bytesDone} bytes`);
    wifi.throttle(null);
    const complete = await waitFor(
      browser,
      "every document of the meeting on the laptop",
      () => packetIn("complete"),
      PAGE_TIMEOUT,
    );
    assert.equal(complete.filesDone, complete.filesTotal);
    console.log(`  complete: ${complete.text}`);
    await chooseItem(browser, item.id);
    await waitFor(browser, "the large document marked on this laptop", () =>
      browser.execute(
        (id) =>
          document.querySelector(`[data-testid="document"][data-document-id="${id}"] [data-testid="available-offline"]`) !==
          null,
        large.id,
      ),
    );
    await screenshot(browser, "packet-complete");
    await checkAccessibility(browser, "the meeting screen with the packet downloaded");
  });

  await step("5. a document page is rendered, paged and zoomed", async () => {
    // Paging needs a document of two pages or more: look through the items that have documents.
    const items = (await agendaItems(browser)).filter((item) => item.documents > 0);
    assert.ok(items.length > 0, "no agenda item of the demo meeting has a document");
    let chosen = null;
    for (const item of items) {
      state.itemId = item.id;
      await chooseItem(browser, state.itemId);
      await waitFor(browser, `item ${state.itemId} to be selected`, async () => {
        const heading = await browser.$(testid("item-title"));
        return (await heading.isExisting()) && Number(await heading.getAttribute("data-item-id")) === state.itemId;
      });
      const buttons = await browser.execute(() =>
        [...document.querySelectorAll('[data-testid="document-open"]')].map((element) => ({
          id: Number(element.getAttribute("data-document-id")),
          pages: Number(element.getAttribute("data-page-count")),
        })),
      );
      assert.ok(buttons.length > 0, `item ${state.itemId} shows no document button`);
      chosen = buttons.find((button) => button.pages >= 2) ?? null;
      if (chosen) break;
    }
    assert.ok(chosen, "no document of the demo meeting has two pages or more; paging needs two");
    state.documentId = chosen.id;
    state.documentItemId = state.itemId;
    await openInReader(browser, chosen.id);
    await browser.$(testid("viewer")).waitForDisplayed({ timeout: TIMEOUT });

    const first = await renderedPage(browser, 0);
    assert.equal(first.indicatorPage, 1, `the indicator shows "${first.indicatorText}" on the first page`);
    assert.match(first.indicatorText, new RegExp(`\\b1\\s*/\\s*${chosen.pages}\\b`));
    console.log(`  page 1 rendered ${first.naturalWidth} px wide; indicator "${first.indicatorText}"`);
    await screenshot(browser, "document-page-1");
    await checkAccessibility(browser, "the reader");

    await press(browser, testid("page-next"));
    const second = await renderedPage(browser, 1);
    assert.equal(second.indicatorPage, 2, `the indicator shows "${second.indicatorText}" after "next"`);
    assert.notEqual(second.indicatorText, first.indicatorText, "the page indicator did not change");
    assert.match(second.indicatorText, new RegExp(`\\b2\\s*/\\s*${chosen.pages}\\b`));
    await screenshot(browser, "document-page-2");

    await browser.$(testid("zoom-in")).click();
    const zoomed = await renderedPage(browser, 1, second.requestedWidth + 1);
    assert.ok(
      zoomed.shownWidth > second.shownWidth,
      `zoom in did not widen the page (${second.shownWidth} px → ${zoomed.shownWidth} px)`,
    );
    assert.ok(
      zoomed.naturalWidth > second.naturalWidth,
      `zoom in did not render a wider image (${second.naturalWidth} px → ${zoomed.naturalWidth} px)`,
    );
    console.log(`  zoomed from ${second.shownWidth} px to ${zoomed.shownWidth} px`);
    await screenshot(browser, "document-zoomed");

    // The council office sees that this delegate opened the document.
    const receipts = await api("GET", `/api/meetings/${state.meetingId}/receipts`, { token: state.secretaryToken });
    const opened = receipts.documents
      .find((document) => document.document_id === chosen.id)
      ?.members.find((member) => member.user.username === env.delegate);
    assert.ok(opened?.opened_at, `the office does not see that ${env.delegate} opened it: ${JSON.stringify(opened)}`);
  });

  await step("6. the chair opens a poll, the delegate votes, the tally fills live", async () => {
    await browser.$(testid("viewer-close")).click();
    await browser.$(testid("viewer")).waitForExist({ reverse: true, timeout: TIMEOUT });
    const pollsBefore = await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="poll"]')].map((element) =>
        Number(element.getAttribute("data-poll-id")),
      ),
    );

    // Opening the app is not checking in: the councillor presses the button, the others check
    // in through the API, and the quorum line (the server's count) says when a vote may open.
    await press(browser, testid("check-in"));
    await waitFor(browser, "the app to say I am checked in", () => browser.$(testid("checked-in")).isExisting());
    const before = await waitFor(browser, "the quorum line", () => readQuorum(browser));
    assert.equal(before.reached, false, `one councillor is not the quorum: ${before.text}`);
    state.voters = otherDelegates(votersNeeded(before.members));
    await inBatches(
      state.voters.map((voter) => () => commandVia(voter, { kind: "check_in" })),
      3,
    );
    const quorum = await waitFor(browser, "the quorum reached", async () => {
      const shown = await readQuorum(browser);
      return shown?.reached ? shown : null;
    });
    assert.match(quorum.text, /đủ số để biểu quyết/, quorum.text);
    console.log(`  ${quorum.text}`);
    await browser.execute(() => document.querySelector('[data-testid="attendance"]')?.scrollIntoView({ block: "start" }));
    await screenshot(browser, "checked-in-quorum-reached");

    state.chairToken = await apiLogin(env.chair);
    await sendCommand(state.chairToken, state.meetingId, {
      kind: "open_poll",
      item_id: state.itemId,
      title: POLL_TITLE,
      preset: "resolution",
    });
    state.pollId = await waitFor(browser, "the new poll with vote buttons", () =>
      browser.execute((known) => {
        const fresh = [...document.querySelectorAll('[data-testid="poll"][data-poll-state="open"]')]
          .filter((card) => card.querySelector('[data-testid="vote-yes"]'))
          .map((card) => Number(card.getAttribute("data-poll-id")))
          .filter((id) => !known.includes(id));
        return fresh.length > 0 ? Math.max(...fresh) : null;
      }, pollsBefore),
    );
    console.log(`  poll ${state.pollId} is open`);
    await showPoll(browser, state.pollId);
    // The card names the rule the chair chose and where in law it comes from.
    const rule = await browser.$(`${testid("poll")}[data-poll-id="${state.pollId}"] ${testid("poll-rule")}`).getText();
    assert.match(rule, /Thông qua nghị quyết:/, rule);
    assert.match(rule, /Quá nửa tổng số đại biểu/, rule);
    assert.match(rule, /Căn cứ: Luật Tổ chức chính quyền địa phương 2025/, rule);
    await screenshot(browser, "poll-open");

    const card = `${testid("poll")}[data-poll-id="${state.pollId}"]`;
    await browser.$(`${card} ${testid("vote-yes")}`).click();
    const voted = await waitFor(browser, "my vote to be shown", async () => {
      const shown = await pollCard(browser, state.pollId);
      return shown?.myVote ? shown : null;
    });
    assert.equal(voted.myVote, "yes", `the app shows my vote as ${voted.myVote}`);
    assert.equal(voted.canVote, false, "the vote buttons are still shown after voting");
    const afterMyVote = await waitFor(browser, "my vote in the tally", async () => {
      const shown = await pollCard(browser, state.pollId);
      return shown?.tally && shown.tally.yes >= 1 ? shown.tally : null;
    });
    await showPoll(browser, state.pollId);
    await screenshot(browser, "voted");

    const members = afterMyVote.members;
    const voters = state.voters;
    const choices = voters.map((_, index) => (index === 0 ? "no" : index === 1 ? "abstain" : "yes"));
    const expected = {
      yes: afterMyVote.yes + choices.filter((choice) => choice === "yes").length,
      no: afterMyVote.no + choices.filter((choice) => choice === "no").length,
      abstain: afterMyVote.abstain + choices.filter((choice) => choice === "abstain").length,
    };
    console.log(`  ${members} members; ${voters.length} more delegates vote (${voters[0]}…${voters.at(-1)})`);

    // The first ballot alone must reach the app, proving the tally is live and not only final.
    await castVia(voters[0], choices[0]);
    await waitFor(browser, "the tally to count the first API ballot", async () => {
      const shown = await pollCard(browser, state.pollId);
      return shown?.tally && shown.tally.no === afterMyVote.no + 1;
    });

    const rest = voters.slice(1).map((voter, index) => () => castVia(voter, choices[index + 1]));
    await inBatches(rest, 3);
    const final = await waitFor(browser, `the tally ${JSON.stringify(expected)}`, async () => {
      const shown = await pollCard(browser, state.pollId);
      return sameCounts(shown?.tally, expected) ? shown.tally : null;
    });
    console.log(`  tally: ${final.text}`);
    // The chart's threshold comes from the Rust side's exact rule: more than half of all members.
    const needed = await browser.execute(
      (id) => document.querySelector(`[data-testid="poll"][data-poll-id="${id}"] [data-testid="yes-needed"]`)?.getAttribute("data-needed"),
      state.pollId,
    );
    assert.equal(Number(needed), Math.floor(members / 2) + 1, `yes needed of ${members}: ${needed}`);
    await showPoll(browser, state.pollId);
    await screenshot(browser, "tally-live");
  });

  await step("7. the chair closes the poll and the app shows it passed", async () => {
    await sendCommand(state.chairToken, state.meetingId, { kind: "close_poll", poll_id: state.pollId });
    const closed = await waitFor(browser, "the poll outcome", async () => {
      const shown = await pollCard(browser, state.pollId);
      return shown?.outcome ? shown : null;
    });
    assert.equal(
      closed.outcome,
      "passed",
      `the poll ended "${closed.outcome}" with ${closed.tally?.text ?? "no tally"}`,
    );
    assert.equal(closed.state, "closed");
    // Everyone in the meeting is told the result at the top of the screen.
    const banner = await waitFor(browser, "the result banner", () =>
      browser.execute(() => {
        const shown = document.querySelector('[data-testid="result-banner"]');
        return shown ? { outcome: shown.getAttribute("data-outcome"), text: shown.textContent } : null;
      }),
    );
    assert.equal(banner.outcome, "passed", banner.text);
    assert.match(banner.text, /Thông qua/, banner.text);
    await showPoll(browser, state.pollId);
    await screenshot(browser, "poll-passed");

    // The signed record (biên bản), saved from the app, read by poppler and checked offline by
    // the secretariat's command line against the key the server shows.
    await press(browser, `${testid("poll")}[data-poll-id="${state.pollId}"] ${testid("record-pdf")}`);
    const saved = await waitFor(browser, "the record saved", () =>
      browser.execute(() => document.querySelector('[data-testid="record-saved"]')?.textContent ?? null),
    );
    const file = saved.slice(saved.indexOf("/"), saved.indexOf(".pdf") + 4);
    const text = execFileSync("pdftotext", ["-layout", "-enc", "UTF-8", file, "-"], { encoding: "utf8" });
    for (const expected of ["BIÊN BẢN KẾT QUẢ BIỂU QUYẾT", POLL_TITLE, "KẾT QUẢ: THÔNG QUA", "Luật Tổ chức chính quyền địa phương"]) {
      assert.ok(text.includes(expected), `the record lacks "${expected}":\n${text}`);
    }
    const verified = execFileSync(env.admin, ["--server", env.server, "verify", "--fetch-key", "--file", file], {
      encoding: "utf8",
    });
    assert.match(verified, /Biên bản hợp lệ/, verified);
    console.log(`  record ${path.basename(file)}: ${verified.split("\n")[0]}`);
    await browser.execute(() =>
      document.querySelector('[data-testid="record-saved"]')?.scrollIntoView({ block: "center" }),
    );
    await screenshot(browser, "poll-record-saved");
  });

  await step("8. the chair sets the item under discussion; the delegate asks for the floor, is given it with a countdown, and ends their speech", async () => {
    state.chairToken = state.chairToken ?? (await apiLogin(env.chair));
    await sendCommand(state.chairToken, state.meetingId, { kind: "set_current_item", item_id: state.itemId });
    await waitFor(browser, "the item under discussion marked in the agenda", () =>
      browser.$(`${testid("agenda-item")}[data-item-id="${state.itemId}"][data-current="true"] ${testid("current-badge")}`).isExisting(),
    );
    // The hall's TV opens the meeting with a read-only code, in Chromium, through its own link.
    const link = await api("POST", `/api/meetings/${state.meetingId}/hall-link`, { token: state.chairToken, body: {} });
    const hallBrowser = await openHallScreen(`${await hallWifi.start()}${link.path}`);
    const itemTitle = await browser.$(`${testid("agenda-item")}[data-item-id="${state.itemId}"]`).getText();
    await waitFor(hallBrowser, "the hall screen live with the item under discussion", async () => {
      const shown = await readHall(hallBrowser);
      // The hall numbers the item as the agenda does ("3. Dự thảo …").
      const numbered = /^(\d+(?:\.\d+)?)\. (.+)$/.exec(shown.currentItem);
      return shown.connection === "live" && shown.title === state.meetingTitle && numbered !== null && itemTitle.includes(numbered[2]);
    });
    await press(browser, testid("request-to-speak"));
    const place = await waitFor(browser, "my place in the queue", () =>
      browser.execute(() => document.querySelector('[data-testid="my-floor-status"][data-state="waiting"]')?.getAttribute("data-place") ?? null),
    );
    assert.equal(place, "1", "the first to ask waits first");
    await commandVia(state.voters[0], { kind: "request_to_speak", item_id: state.itemId });
    const queue = await waitFor(browser, "two in the queue", () =>
      browser.execute(() => {
        const ids = [...document.querySelectorAll('[data-testid="queued-speaker"]')].map((row) => Number(row.getAttribute("data-user-id")));
        return ids.length === 2 ? ids : null;
      }),
    );
    const me = queue[0];
    await sendCommand(state.chairToken, state.meetingId, { kind: "grant_floor", user_id: me, seconds: 180 });
    const turn = await waitFor(browser, "the notice that it is my turn, and the countdown", () =>
      browser.execute((id) => {
        const notice = document.querySelector(`[data-testid="your-turn"][data-user-id="${id}"]`);
        const countdown = document.querySelector(`[data-testid="speaking-now"][data-user-id="${id}"] [data-testid="speech-countdown"]`);
        return notice && countdown ? { notice: notice.textContent, remaining: Number(countdown.getAttribute("data-remaining")) } : null;
      }, me),
    );
    assert.match(turn.notice, /Mời bạn phát biểu/, turn.notice);
    assert.ok(turn.remaining > 150 && turn.remaining <= 180, `three minutes counting down: ${turn.remaining}`);
    await browser.execute(() => document.querySelector('[data-testid="floor"]')?.scrollIntoView({ block: "start" }));
    await screenshot(browser, "floor-your-turn-countdown");
    const onHall = await waitFor(hallBrowser, "the speaker, the timer and the queue on the hall screen", async () => {
      const shown = await readHall(hallBrowser);
      return shown.speaker && shown.queue.length === 1 ? shown : null;
    });
    assert.ok(onHall.remaining > 150 && onHall.remaining <= 180, `the hall counts down too: ${onHall.remaining}`);
    console.log(`  hall screen: ${onHall.speaker} speaking, ${onHall.remaining} s left; waiting: ${onHall.queue.join(", ")}`);
    await screenshot(hallBrowser, "hall-screen-speaker-timer-queue");
    // The TV's Wi-Fi drops: the page says so and comes back by itself.
    hallWifi.cut();
    await waitFor(hallBrowser, "the hall screen to notice the drop", async () => (await readHall(hallBrowser)).connection === "reconnecting");
    hallWifi.restore();
    await waitFor(hallBrowser, "the hall screen back live", async () => (await readHall(hallBrowser)).connection === "live");
    await checkAccessibility(browser, "the meeting screen while the delegate has the floor");
    await press(browser, `${testid("floor")} ${testid("end-speech")}`);
    await waitFor(browser, "the speech ended", async () => !(await browser.$(testid("speaking-now")).isExisting()));
    await commandVia(state.voters[0], { kind: "withdraw_speech_request" });

    // A written opinion on the item, from the app; the secretariat reads it with the name.
    const opinion = "Đề nghị bổ sung thời hạn thực hiện vào Điều 3.";
    const field = await browser.$(testid("opinion-text"));
    await field.scrollIntoView({ block: "center" });
    await field.setValue(opinion);
    await press(browser, testid("opinion-send"));
    await waitFor(browser, "the opinion sent", () => browser.$(testid("opinion-sent")).isExisting());
    const secretaryToken = await apiLogin(env.secretary);
    const { opinions } = await api("GET", `/api/meetings/${state.meetingId}/opinions`, { token: secretaryToken });
    const received = opinions.find((kept) => kept.text === opinion);
    assert.ok(received, `the secretariat has no opinion "${opinion}": ${JSON.stringify(opinions)}`);
    assert.equal(received.item_id, state.itemId);
    console.log(`  opinion from ${received.user.full_name} on item ${received.item_id}`);
    await waitFor(browser, "the queue empty", async () => !(await browser.$(testid("queued-speaker")).isExisting()));
  });

  await step("9. the chair presents page 3 of a document: the delegate's reader follows it, steps out, and steps back in with one click", async () => {
    const readerAt = () =>
      browser.execute(() => {
        const bar = document.querySelector('[data-testid="presenting-bar"]');
        const image = document.querySelector('[data-testid="page-image"]');
        return {
          following: bar?.getAttribute("data-following") ?? null,
          presented: bar ? Number(bar.getAttribute("data-page-index")) : null,
          page: image ? Number(image.getAttribute("data-page-index")) : null,
        };
      });
    const present = (page) =>
      sendCommand(state.chairToken, state.meetingId, { kind: "present_page", document_id: state.documentId, page });
    await present(2);
    const followed = await waitFor(browser, "the reader opened at the presented page", async () => {
      const shown = await readerAt();
      return shown.following === "true" && shown.page === 2 ? shown : null;
    });
    assert.equal(followed.presented, 2);
    await renderedPage(browser, 2);
    await screenshot(browser, "presenter-page-followed");
    await press(browser, testid("step-out"));
    await present(3);
    await waitFor(browser, "the presenter moving on while the delegate reads on their own", async () => {
      const shown = await readerAt();
      return shown.following === "false" && shown.presented === 3 && shown.page === 2;
    });
    await press(browser, testid("follow-presenter"));
    await waitFor(browser, "one click back to the presenter's page", async () => {
      const shown = await readerAt();
      return shown.following === "true" && shown.page === 3;
    });
    await sendCommand(state.chairToken, state.meetingId, { kind: "stop_presenting" });
    const after = await waitFor(browser, "the presentation over, the reader where it was", async () => {
      const shown = await readerAt();
      return shown.following === null ? shown : null;
    });
    assert.equal(after.page, 3, "the reader stays on the page it was at");
    await browser.$(testid("viewer-close")).click();
    await browser.$(testid("viewer")).waitForExist({ reverse: true, timeout: TIMEOUT });
  });

  await step("10. the chair opens a secret poll: only the turnout shows until the close, then the counts, the banner and a record that names no one; a poll opened by mistake is cancelled", async () => {
    state.chairToken = await apiLogin(env.chair);
    await sendCommand(state.chairToken, state.meetingId, {
      kind: "open_poll",
      item_id: state.itemId,
      title: SECRET_POLL_TITLE,
      preset: "resolution",
      secrecy: "secret",
    });
    const secretId = await waitFor(browser, "the secret poll with vote buttons", () =>
      browser.execute(() => {
        const card = [...document.querySelectorAll('[data-testid="poll"][data-secrecy="secret"][data-poll-state="open"]')].find(
          (shown) => shown.querySelector('[data-testid="vote-yes"]'),
        );
        return card ? Number(card.getAttribute("data-poll-id")) : null;
      }),
    );
    const card = `${testid("poll")}[data-poll-id="${secretId}"]`;
    const badge = await browser.$(`${card} ${testid("poll-secret")}`).getText();
    assert.match(badge, /Bỏ phiếu kín/, badge);
    await press(browser, `${card} ${testid("vote-no")}`);
    // Before a secret ballot the app asks for the password again (here always: a laptop left
    // open cannot vote). A wrong one sends nothing; the right one sends the ballot once.
    await browser.$(testid("reconfirm-dialog")).waitForDisplayed({ timeout: TIMEOUT });
    await checkAccessibility(browser, "the password asked again before a secret ballot");
    await browser.$(testid("reconfirm-password")).setValue("khong-phai-mat-khau");
    await press(browser, testid("reconfirm-submit"));
    await browser.$(testid("reconfirm-error")).waitForDisplayed({ timeout: TIMEOUT });
    assert.match(await browser.$(testid("reconfirm-error")).getText(), /Mật khẩu không đúng/);
    await screenshot(browser, "secret-ballot-password-asked-again");
    assert.equal((await pollCard(browser, secretId)).myVote, null, "a wrong password sends no ballot");
    await browser.$(testid("reconfirm-password")).setValue(env.password);
    await press(browser, testid("reconfirm-submit"));
    await browser.$(testid("reconfirm-dialog")).waitForExist({ reverse: true, timeout: TIMEOUT });
    const voted = await waitFor(browser, "the secret ballot recorded", async () => {
      const shown = await pollCard(browser, secretId);
      return shown?.myVote ? shown : null;
    });
    assert.equal(voted.myVote, "secret", "the app says I voted, not what");
    const myVoteText = await browser.$(`${card} ${testid("my-vote")}`).getText();
    assert.match(myVoteText, /Bạn đã bỏ phiếu kín/, myVoteText);
    assert.doesNotMatch(myVoteText, /Không tán thành/, "the secret choice is not shown");

    const voters = state.voters;
    const choices = voters.map((_, index) => (index === 0 ? "abstain" : "yes"));
    await inBatches(
      voters.map((voter, index) => () => castVia(voter, choices[index], secretId)),
      3,
    );
    const everyone = voters.length + 1;
    const turnout = await waitFor(browser, `the turnout ${everyone}`, async () => {
      const shown = await pollCard(browser, secretId);
      return shown?.tally?.cast === everyone ? shown.tally : null;
    });
    assert.equal(turnout.turnoutOnly, true, "an open secret poll shows only the turnout");
    assert.deepEqual([turnout.yes, turnout.no, turnout.abstain], [0, 0, 0], turnout.text);
    assert.match(turnout.text, new RegExp(`Đã bỏ phiếu: ${everyone} / ${turnout.members}`), turnout.text);
    console.log(`  secret poll ${secretId}: ${turnout.text}`);
    await showPoll(browser, secretId);
    await screenshot(browser, "secret-poll-turnout-only");
    const hallTurnout = await waitFor(hall.browser, "the turnout on the hall screen", async () => {
      const shown = await readHall(hall.browser);
      return shown.pollId === secretId && shown.turnout === everyone ? shown : null;
    });
    assert.deepEqual(hallTurnout.bars, [], "the hall shows no count while the poll is open");
    await checkAccessibility(browser, "a delegate's open secret poll");

    await sendCommand(state.chairToken, state.meetingId, { kind: "close_poll", poll_id: secretId });
    const closed = await waitFor(browser, "the secret poll's counts", async () => {
      const shown = await pollCard(browser, secretId);
      return shown?.outcome ? shown : null;
    });
    const expected = {
      yes: choices.filter((choice) => choice === "yes").length,
      no: 1,
      abstain: choices.filter((choice) => choice === "abstain").length,
    };
    assert.ok(sameCounts(closed.tally, expected), `${closed.tally.text} is not ${JSON.stringify(expected)}`);
    assert.equal(closed.tally.turnoutOnly, false, "the close shows the counts");
    assert.equal(closed.outcome, "passed", closed.tally.text);
    const banner = await waitFor(browser, "the secret poll's result banner", () =>
      browser.execute((title) => {
        const shown = document.querySelector('[data-testid="result-banner"]');
        return shown && shown.textContent.includes(title) ? { outcome: shown.getAttribute("data-outcome"), text: shown.textContent } : null;
      }, SECRET_POLL_TITLE),
    );
    assert.equal(banner.outcome, "passed", banner.text);
    await showPoll(browser, secretId);
    await screenshot(browser, "secret-poll-result-and-chart");
    const hallResult = await waitFor(hall.browser, "the result and its chart on the hall screen", async () => {
      const shown = await readHall(hall.browser);
      return shown.pollId === secretId && shown.outcome ? shown : null;
    });
    assert.equal(hallResult.outcome, "passed");
    assert.deepEqual(hallResult.bars, [expected.yes, expected.no, expected.abstain], JSON.stringify(hallResult));
    await screenshot(hall.browser, "hall-screen-result-chart");

    await press(browser, `${card} ${testid("record-pdf")}`);
    const saved = await waitFor(browser, "the secret poll's record saved", () =>
      browser.execute(
        (selector) => document.querySelector(selector)?.textContent ?? null,
        `${card} [data-testid="record-saved"]`,
      ),
    );
    const file = saved.slice(saved.indexOf("/"), saved.indexOf(".pdf") + 4);
    const text = execFileSync("pdftotext", ["-layout", "-enc", "UTF-8", file, "-"], { encoding: "utf8" });
    for (const expected of ["BIÊN BẢN KẾT QUẢ BIỂU QUYẾT", SECRET_POLL_TITLE, "Bỏ phiếu kín", "KẾT QUẢ: THÔNG QUA"]) {
      assert.ok(text.includes(expected), `the record lacks "${expected}":\n${text}`);
    }
    assert.ok(!text.includes("Danh sách đại biểu"), `a secret poll's record names no one:\n${text}`);
    const verified = execFileSync(env.admin, ["--server", env.server, "verify", "--fetch-key", "--file", file], {
      encoding: "utf8",
    });
    assert.match(verified, /Biên bản hợp lệ/, verified);
    console.log(`  secret record ${path.basename(file)}: ${verified.split("\n")[0]}`);

    // A poll opened by mistake is cancelled: every app says so and why; it has no result.
    await sendCommand(state.chairToken, state.meetingId, {
      kind: "open_poll",
      item_id: state.itemId,
      title: "Biểu quyết mở nhầm",
    });
    const mistaken = await waitFor(browser, "the mistaken poll", () =>
      browser.execute(() => {
        const open = document.querySelector('[data-testid="poll"][data-poll-state="open"]');
        return open ? Number(open.getAttribute("data-poll-id")) : null;
      }),
    );
    await sendCommand(state.chairToken, state.meetingId, {
      kind: "cancel_poll",
      poll_id: mistaken,
      reason: "Mở nhầm nội dung",
    });
    const cancelled = await waitFor(browser, "the cancelled poll's notice and banner", () =>
      browser.execute((id) => {
        const notice = document.querySelector(`[data-testid="poll"][data-poll-id="${id}"] [data-testid="poll-cancelled"]`);
        const banner = document.querySelector(`[data-testid="result-banner"][data-poll-id="${id}"]`);
        return notice && banner ? { notice: notice.textContent, banner: banner.getAttribute("data-outcome") } : null;
      }, mistaken),
    );
    assert.match(cancelled.notice, /đã bị hủy.*Mở nhầm nội dung/, cancelled.notice);
    assert.equal(cancelled.banner, "cancelled");

    // At 200 % text (A+ four times) the header scrolls away instead of covering the window, and
    // no word of the poll card spills out of its box.
    for (let step = 0; step < 4; step += 1) await press(browser, testid("text-bigger"));
    const large = await waitFor(browser, "text at 200 %", () =>
      browser.execute(() => {
        const size = document.querySelector('[data-testid="text-size"]');
        return size?.getAttribute("data-percent") === "200" ? true : null;
      }),
    );
    assert.ok(large);
    await showPoll(browser, secretId);
    const layout = await browser.execute((id) => {
      const card = document.querySelector(`[data-testid="poll"][data-poll-id="${id}"]`);
      const header = document.querySelector(".top");
      const spilling = [...card.querySelectorAll("*")]
        .filter((element) => element.scrollWidth > element.clientWidth + 1 && getComputedStyle(element).overflowX !== "auto")
        .map((element) => `${element.tagName}.${element.className}: ${element.textContent.trim().slice(0, 30)}`);
      return {
        header: header ? getComputedStyle(header).position : null,
        cardTop: card.getBoundingClientRect().top,
        spilling,
      };
    }, secretId);
    assert.equal(layout.header, "static", "at 200 % the header scrolls away");
    assert.ok(layout.cardTop >= 0, `the poll card's top is on screen: ${layout.cardTop}`);
    assert.deepEqual(layout.spilling, [], "nothing spills out of the poll card at 200 %");
    await screenshot(browser, "text-200-percent-poll");
    await checkAccessibility(browser, "the meeting screen at 200 % text");
    // The same at 200 % in high contrast: black on white, thick focus rings, still no violation.
    await press(browser, testid("contrast-toggle"));
    await waitFor(browser, "the high-contrast theme", () =>
      browser.execute(() => document.documentElement.getAttribute("data-contrast") === "high"),
    );
    await showPoll(browser, secretId);
    await screenshot(browser, "high-contrast-200-percent-poll");
    await checkAccessibility(browser, "the meeting screen at 200 % text in high contrast");
    await press(browser, testid("contrast-toggle"));
    await press(browser, testid("text-reset"));
  });

  await step("11. a new revision of a document arrives, marked, with what changed", async () => {
    const secretary = state.secretaryToken ?? (await apiLogin(env.secretary));
    // The demo's draft resolution is already in its second revision; the secretariat sends a third.
    const snapshot = await api("GET", `/api/meetings/${state.meetingId}/snapshot`, { token: secretary });
    const draft = snapshot.state.items.flatMap((item) => item.documents).find((document) => document.revision >= 2);
    assert.ok(draft, "the demo meeting has no document with a second revision");
    state.draftId = draft.id;
    state.draftItemId = draft.item_id;
    const answer = await uploadRevision(
      secretary,
      state.meetingId,
      draft.id,
      "../../assets/demo/du-thao-nghi-quyet-v1.pdf",
      "du-thao-nghi-quyet-v3.pdf",
    );
    const revision = draft.revision + 1;
    assert.equal(answer.document.revision, revision);

    await chooseItem(browser, draft.item_id);
    const shown = await waitFor(browser, `revision ${revision} marked new, with its changes`, () =>
      browser.execute(
        (documentId, itemId, expected) => {
          const card = document.querySelector(`[data-testid="document"][data-document-id="${documentId}"]`);
          if (!card || Number(card.getAttribute("data-revision")) !== expected) return null;
          return {
            marked: card.querySelector('[data-testid="new-revision"]') !== null,
            itemMarked:
              document.querySelector(
                `[data-testid="agenda-item"][data-item-id="${itemId}"] [data-testid="item-new-revision"]`,
              ) !== null,
            passages: [...card.querySelectorAll('[data-testid="changed-passage"]')].map((passage) => [
              passage.getAttribute("data-change"),
              passage.getAttribute("data-section"),
            ]),
          };
        },
        draft.id,
        draft.item_id,
        revision,
      ),
    );
    assert.ok(shown.marked, "the document is not marked as a new revision");
    assert.ok(shown.itemMarked, "its agenda item is not marked");
    // Revision 3 is the first draft again: Điều 4 is gone and Điều 1 is back as it was.
    assert.ok(
      shown.passages.some(([change, section]) => change === "removed" && section === "Điều 4"),
      `the changes shown are ${JSON.stringify(shown.passages)}`,
    );
    assert.ok(shown.passages.some(([change, section]) => change === "changed" && section === "Điều 1"));
    console.log(`  revision ${revision} shown with changes ${JSON.stringify(shown.passages)}`);
    // The meeting's bar stays on top while the page scrolls: the document is brought to the middle.
    const bringIntoView = (documentId) =>
      browser.execute((id) => {
        document
          .querySelector(`[data-testid="document-open"][data-document-id="${id}"]`)
          ?.scrollIntoView({ block: "center" });
      }, documentId);
    await bringIntoView(draft.id);
    await screenshot(browser, "new-revision-with-changes");
    await checkAccessibility(browser, "a new revision with what changed");

    // Reading it is what makes it no longer new.
    await bringIntoView(draft.id);
    await openInReader(browser, draft.id);
    await browser.$(testid("viewer")).waitForDisplayed({ timeout: TIMEOUT });
    await renderedPage(browser, 0);
    await browser.$(testid("viewer-close")).click();
    await waitFor(browser, "the new-revision mark to go once the document was read", () =>
      browser.execute(
        (documentId) =>
          document.querySelector(
            `[data-testid="document"][data-document-id="${documentId}"] [data-testid="new-revision"]`,
          ) === null,
        draft.id,
      ),
    );
  });

  await step("12. the delegate highlights a sentence, draws a stroke and writes a note; they stay, reach the server and export as a real annotated PDF", async () => {
    await chooseItem(browser, state.documentItemId);
    await openInReader(browser, state.documentId);
    await browser.$(testid("viewer")).waitForDisplayed({ timeout: TIMEOUT });
    await renderedPage(browser, 0);
    await browser.$(testid("annotate-toggle")).click();
    await browser.$(testid("annotation-toolbar")).waitForDisplayed({ timeout: TIMEOUT });
    const layer = await browser.$(testid("text-layer"));
    await layer.waitForExist({ timeout: TIMEOUT });

    // Highlight: drag across the first run of text with the highlighter tool, as a mouse would.
    await browser.$(testid("tool-highlight")).click();
    const run = await browser.$(`${testid("text-layer")} [data-run="1"]`);
    await run.scrollIntoView({ block: "center" });
    const box = await browser.execute(
      () => document.querySelector('[data-testid="text-layer"] [data-run="1"]').getBoundingClientRect().toJSON(),
    );
    await browser
      .action("pointer", { parameters: { pointerType: "mouse" } })
      .move({ x: Math.round(box.left + 2), y: Math.round(box.top + box.height / 2) })
      .down()
      .move({ x: Math.round(box.right - 2), y: Math.round(box.top + box.height / 2), duration: 200 })
      .up()
      .perform();
    const highlighted = await waitFor(browser, "the highlight on the page", () =>
      browser.execute(() => document.querySelectorAll('[data-testid="annotation"][data-kind="highlight"]').length),
    );
    assert.equal(highlighted, 1);
    await screenshot(browser, "annotation-highlight");

    // A pen stroke across the middle of the page.
    await browser.$(testid("tool-pen")).click();
    // The whole toolbar, the pen's width included, stands in one row at 1280 px.
    const wrapped = await browser.execute(() => {
      const buttons = [...document.querySelectorAll('[data-testid="annotation-toolbar"] button')].map((button) =>
        button.getBoundingClientRect(),
      );
      return { below: buttons.filter((box) => box.top >= buttons[0].bottom).length, width: window.innerWidth };
    });
    assert.equal(wrapped.below, 0, `${wrapped.below} buttons of the annotation toolbar wrap below its first row at ${wrapped.width} px`);
    const page = await browser.execute(() =>
      document.querySelector('[data-testid="annotation-layer"]').getBoundingClientRect().toJSON(),
    );
    // Inside the part of the page on screen, between the toolbars and the pager.
    const area = await browser.execute(() =>
      document.querySelector('[data-testid="page-image"]').closest(".page-area").getBoundingClientRect().toJSON(),
    );
    const visibleTop = Math.max(page.top, area.top);
    const y = Math.round(visibleTop + Math.min(150, (Math.min(page.bottom, area.bottom) - visibleTop) / 2));
    await browser
      .action("pointer", { parameters: { pointerType: "pen" } })
      .move({ x: Math.round(page.left + page.width * 0.2), y })
      .down()
      .move({ x: Math.round(page.left + page.width * 0.4), y: y + 30, duration: 150 })
      .move({ x: Math.round(page.left + page.width * 0.6), y: y - 20, duration: 150 })
      .up()
      .perform();
    await waitFor(browser, "the stroke on the page", () =>
      browser.execute(() => (document.querySelector('[data-testid="annotation-layer"]')?.getAttribute("data-kinds") ?? "").split(",").filter(Boolean).filter((kind) => kind === "ink").length === 1),
    );

    // A sticky note with Vietnamese words.
    await browser.$(testid("tool-note")).click();
    await browser
      .action("pointer", { parameters: { pointerType: "mouse" } })
      .move({ x: Math.round(Math.min(page.right, area.right) - 120), y: Math.round(Math.max(page.top, area.top) + 60) })
      .down()
      .up()
      .perform();
    await browser.$(testid("annotation-text")).setValue("Hỏi thêm về kinh phí thực hiện");
    await browser.$(testid("annotation-text-save")).click();
    await waitFor(browser, "the note on the page", () =>
      browser.execute(() => document.querySelectorAll('[data-testid="note"]').length === 1),
    );
    await browser.$(testid("tool-select")).click();
    await browser.$(testid("annotation-list-toggle")).click();
    await waitFor(browser, "three annotations listed", () =>
      browser.execute(() => document.querySelectorAll('[data-testid="annotation-entry"]').length === 3),
    );
    await screenshot(browser, "annotations-stroke-note-list");
    await checkAccessibility(browser, "the reader with the annotation tools and list");

    // Closed and opened again, they are read back from the laptop.
    await browser.$(testid("viewer-close")).click();
    await browser.$(testid("viewer")).waitForExist({ reverse: true, timeout: TIMEOUT });
    await openInReader(browser, state.documentId);
    await renderedPage(browser, 0);
    const kinds = await waitFor(browser, "the annotations after reopening", () =>
      browser.execute(() => {
        const kinds = (document.querySelector('[data-testid="annotation-layer"]')?.getAttribute("data-kinds") ?? "").split(",").filter(Boolean).filter((kind) => kind !== "note");
        const notes = document.querySelectorAll('[data-testid="note"]').length;
        return kinds.length === 2 && notes === 1 ? kinds : null;
      }),
    );
    assert.deepEqual(kinds, ["highlight", "ink"]);

    // The server has them, as the delegate's own (another laptop of theirs would get them).
    const token = await apiLogin(env.delegate);
    const synced = await waitFor(browser, "the annotations on the server", async () => {
      const answer = await api("POST", `/api/meetings/${state.meetingId}/annotations/sync`, {
        token,
        body: { since: 0, changes: [] },
      });
      const kept = answer.annotations.filter((view) => view.annotation && !view.annotation.deleted);
      return kept.length === 3 ? kept.map((view) => view.annotation.body.kind).sort() : null;
    });
    assert.deepEqual(synced, ["highlight", "ink", "note"]);
    console.log(`  annotations on the laptop and the server: ${synced.join(", ")}`);

    // "My annotated copy", read back by a second reader (mupdf): real PDF annotations.
    if (!(await browser.$(testid("annotation-toolbar")).isExisting())) await browser.$(testid("annotate-toggle")).click();
    await browser.$(testid("annotation-more")).click();
    await browser.$(testid("export-annotated")).click();
    const saved = await waitFor(browser, "the annotated copy saved", () =>
      browser.execute(() => document.querySelector('[data-testid="exported"]')?.textContent ?? null),
    );
    const file = saved.slice(saved.indexOf("/"));
    const script = path.join(env.screenshots, "list-annotations.js");
    await writeFile(
      script,
      `var doc = new PDFDocument(scriptArgs[0]);
       var page = doc.loadPage(0);
       print(JSON.stringify(page.getAnnotations().map(function (a) { return [a.getType(), a.getContents()]; })));`,
    );
    const listed = JSON.parse(execFileSync("mutool", ["run", script, file], { encoding: "utf8" }));
    const types = listed.map(([type]) => type).sort();
    assert.deepEqual(types, ["Highlight", "Ink", "Stamp", "Text"], `mupdf reads ${JSON.stringify(listed)}`);
    // The watermark: whose copy and when, on every page.
    const watermark = listed.find(([type]) => type === "Stamp")?.[1] ?? "";
    assert.match(watermark, new RegExp(`^Bản của .+ \\(${env.delegate}\\) · tạo lúc \\d\\d:\\d\\d:\\d\\d ngày \\d\\d/\\d\\d/\\d{4}`), watermark);
    assert.ok(
      listed.some(([type, contents]) => type === "Text" && contents === "Hỏi thêm về kinh phí thực hiện"),
      `the note's words: ${JSON.stringify(listed)}`,
    );
    console.log(`  annotated copy ${path.basename(file)}: mupdf reads ${types.join(", ")}`);
    await browser.$(testid("viewer-close")).click();
    await browser.$(testid("viewer")).waitForExist({ reverse: true, timeout: TIMEOUT });
  });

  await step("13. a new revision arrives: the delegate's highlights are carried onto it or listed", async () => {
    await chooseItem(browser, state.draftItemId);
    await openInReader(browser, state.draftId);
    await renderedPage(browser, 0);
    if (!(await browser.$(testid("annotation-toolbar")).isExisting())) await browser.$(testid("annotate-toggle")).click();
    await browser.$(testid("tool-highlight")).click();
    await browser.$(testid("text-layer")).waitForExist({ timeout: TIMEOUT });
    // Two lines of the draft: one the next draft keeps, one it rewrites (the date in Điều 1).
    const lines = await browser.execute(() => {
      const runs = [...document.querySelectorAll('[data-testid="text-layer"] [data-run]')];
      const kept = runs.find((run) => run.textContent.includes("Điều 2"));
      const changed = runs.find((run) => run.textContent.includes("2027"));
      return [kept, changed].map((run) => run?.getAttribute("data-run") ?? null);
    });
    assert.ok(lines.every((line) => line !== null), `the draft's lines: ${JSON.stringify(lines)}`);
    for (const line of lines) {
      const run = await browser.$(`${testid("text-layer")} [data-run="${line}"]`);
      await run.scrollIntoView({ block: "center" });
      const box = await browser.execute(
        (index) =>
          document.querySelector(`[data-testid="text-layer"] [data-run="${index}"]`).getBoundingClientRect().toJSON(),
        line,
      );
      await browser
        .action("pointer", { parameters: { pointerType: "mouse" } })
        .move({ x: Math.round(box.left + 2), y: Math.round(box.top + box.height / 2) })
        .down()
        .move({ x: Math.round(Math.min(box.right, box.left + 400) - 2), y: Math.round(box.top + box.height / 2), duration: 200 })
        .up()
        .perform();
    }
    await waitFor(browser, "two highlights on the draft", () =>
      browser.execute(() => document.querySelectorAll('[data-testid="annotation"][data-kind="highlight"]').length === 2),
    );
    await screenshot(browser, "draft-highlighted-before-revision");
    await browser.$(testid("viewer-close")).click();
    await browser.$(testid("viewer")).waitForExist({ reverse: true, timeout: TIMEOUT });

    // The secretariat sends the next draft; the app carries the highlights over by their words.
    const secretary = state.secretaryToken ?? (await apiLogin(env.secretary));
    const answer = await uploadRevision(
      secretary,
      state.meetingId,
      state.draftId,
      "../../assets/demo/du-thao-nghi-quyet-v2.pdf",
      "du-thao-nghi-quyet-v4.pdf",
    );
    const revision = answer.document.revision;
    await waitFor(browser, `revision ${revision} in the app`, () =>
      browser.execute(
        (id, wanted) =>
          Number(document.querySelector(`[data-testid="document"][data-document-id="${id}"]`)?.getAttribute("data-revision")) ===
          wanted,
        state.draftId,
        revision,
      ),
    );
    const outcome = await waitFor(
      browser,
      "the highlights carried onto the new revision or listed",
      async () => {
        if (!(await browser.$(testid("viewer")).isExisting())) await openInReader(browser, state.draftId);
        await renderedPage(browser, 0);
        const counts = await browser.execute(() => ({
          placed: document.querySelectorAll('[data-testid="annotation"][data-kind="highlight"]').length,
          listed: Number(document.querySelector('[data-testid="unplaced-annotations"]')?.getAttribute("data-count") ?? 0),
        }));
        if (counts.placed + counts.listed === 2) return counts;
        await browser.$(testid("viewer-close")).click();
        await browser.$(testid("viewer")).waitForExist({ reverse: true, timeout: TIMEOUT });
        return null;
      },
      PAGE_TIMEOUT,
    );
    console.log(`  revision ${revision}: ${outcome.placed} highlights carried, ${outcome.listed} listed`);
    assert.ok(outcome.placed >= 1, "the highlight on the unchanged article was not carried");
    if (outcome.listed > 0) {
      // Each listed one has its old page beside it, drawn from the laptop's copy of that revision.
      await waitFor(browser, "the old page beside the listed annotation", () =>
        browser.execute(() => {
          const image = document.querySelector('[data-testid="unplaced-old-page"] img');
          return image !== null && image.complete && image.naturalWidth > 0;
        }),
      );
    }
    await screenshot(browser, "annotations-carried-onto-new-revision");
    await browser.$(testid("viewer-close")).click();
    await browser.$(testid("viewer")).waitForExist({ reverse: true, timeout: TIMEOUT });
  });

  await step("14. the chair, in the app, opens an election of 2 of 3 with the resolution preset, ticks two candidates, sees each candidate's bar fill live, closes it and sees who is elected", async () => {
    if (await browser.$(testid("viewer")).isExisting()) {
      await browser.$(testid("viewer-close")).click();
      await browser.$(testid("viewer")).waitForExist({ reverse: true, timeout: TIMEOUT });
    }
    await logInAgain(browser, env.chair);
    await chooseItem(browser, state.itemId);
    const before = await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="poll"]')].map((card) => Number(card.getAttribute("data-poll-id"))),
    );
    // A radio button is chosen with Space, not Enter.
    await browser.$(testid("ballot-kind-election")).scrollIntoView({ block: "center" });
    await browser.execute((element) => element.focus(), await browser.$(testid("ballot-kind-election")));
    await browser.keys(" ");
    // One candidate per line, typed as the chair would: a name, Enter, the next name.
    const lines = await browser.$(testid("ballot-lines"));
    await lines.scrollIntoView({ block: "center" });
    await lines.setValue(CANDIDATES[0]);
    for (const name of CANDIDATES.slice(1)) {
      await browser.keys("Enter");
      await lines.addValue(name);
    }
    const seats = await browser.$(testid("ballot-count"));
    await seats.scrollIntoView({ block: "center" });
    await seats.setValue("2");
    const lineCount = await browser.$(testid("ballot-line-count")).getText();
    assert.match(lineCount, /3/, lineCount);
    const preset = await browser.$(testid("poll-preset")).getValue();
    assert.equal(preset, "resolution", "the council sitting's default preset is chosen");
    await press(browser, testid("open-poll"));
    const electionId = await waitFor(browser, "the election's ballot", () =>
      browser.execute((known) => {
        const card = [...document.querySelectorAll('[data-testid="poll"][data-poll-state="open"]')].find(
          (shown) => !known.includes(Number(shown.getAttribute("data-poll-id"))) && shown.querySelector('[data-testid="marks-ballot"]'),
        );
        return card ? Number(card.getAttribute("data-poll-id")) : null;
      }, before),
    );
    const card = `${testid("poll")}[data-poll-id="${electionId}"]`;
    const tick = (line) => `${card} ${testid("ballot-line")}[data-line="${line}"]`;
    await browser.$(tick(0)).click();
    await browser.$(tick(1)).click();
    assert.equal(await browser.$(tick(2)).isEnabled(), false, "a third candidate cannot be ticked with two seats");
    await press(browser, `${card} ${testid("send-ballot")}`);
    await waitFor(browser, "the chair's ballot recorded", () => browser.$(`${card} ${testid("my-vote")}[data-choice="marks"]`).isExisting());

    // The others vote through the API: six for An and Cường, the rest for An and Bình.
    const ballots = state.voters.map((_, index) => (index < 6 ? [1, 0, 1] : [1, 1, 0]));
    await inBatches(
      state.voters.map((voter, index) => () => commandVia(voter, { kind: "cast_marks", poll_id: electionId, marks: ballots[index] })),
      3,
    );
    const everyone = state.voters.length + 1;
    const expected = [everyone, everyone - 6, 6];
    const live = await waitFor(browser, `each candidate's count (${expected.join(", ")})`, () =>
      browser.execute((selector, wanted) => {
        const lines = [...document.querySelectorAll(`${selector} [data-testid="tally-line"]`)].map((line) =>
          Number(line.getAttribute("data-counts").split(",")[1]),
        );
        return lines.join(",") === wanted.join(",") ? lines : null;
      }, card, expected),
    );
    console.log(`  election ${electionId}: chosen ${live.join(", ")} of ${everyone} ballots`);
    await showTally(browser, electionId);
    await screenshot(browser, "election-live-per-candidate");
    await checkAccessibility(browser, "the chair's screen with an open election");

    await press(browser, `${card} ${testid("close-poll")}`);
    const outcomes = await waitFor(browser, "each candidate's result", () =>
      browser.execute((selector) => {
        const lines = [...document.querySelectorAll(`${selector} [data-testid="tally-line"]`)];
        const shown = lines.map((line) => ({
          outcome: line.getAttribute("data-outcome"),
          text: line.querySelector('[data-testid="line-outcome"]')?.textContent?.trim() ?? "",
        }));
        return shown.length === 3 && shown.every((line) => line.outcome) ? shown : null;
      }, card),
    );
    assert.deepEqual(
      outcomes.map((line) => line.outcome),
      ["reached", "reached", "not_reached"],
      JSON.stringify(outcomes),
    );
    assert.match(outcomes[0].text, /Trúng cử/, outcomes[0].text);
    assert.match(outcomes[2].text, /Không trúng cử/, outcomes[2].text);
    const banner = await waitFor(browser, "the election's result banner", () =>
      browser.execute(
        (id) => document.querySelector(`[data-testid="result-banner"][data-poll-id="${id}"]`)?.textContent ?? null,
        electionId,
      ),
    );
    assert.match(banner, /Trúng cử: Nguyễn Văn An, Trần Thị Bình/, banner);
    await showTally(browser, electionId);
    await screenshot(browser, "election-result-per-candidate");

    await press(browser, `${card} ${testid("record-pdf")}`);
    const saved = await waitFor(browser, "the election's record saved", () =>
      browser.execute((selector) => document.querySelector(selector)?.textContent ?? null, `${card} [data-testid="record-saved"]`),
    );
    const file = saved.slice(saved.indexOf("/"), saved.indexOf(".pdf") + 4);
    const text = execFileSync("pdftotext", ["-layout", "-enc", "UTF-8", file, "-"], { encoding: "utf8" });
    for (const name of CANDIDATES) assert.ok(text.includes(name), `the record lacks ${name}:\n${text}`);
    assert.ok(text.includes("2 NGƯỜI TRÚNG CỬ"), `the record lacks its result:\n${text}`);

    await logInAgain(browser, env.delegate);
  });

  await step("15. a short sitting at 200 % text: the secretariat builds an item with a sub-item in the app, drops a PDF on the sub-item and publishes; the chair makes it current and presents page 2; the delegate's reader follows, asks for the floor and is given it with a countdown; the hall screen shows the speaker, then a result", async () => {
    if (await browser.$(testid("viewer")).isExisting()) {
      await browser.$(testid("viewer-close")).click();
      await browser.$(testid("viewer")).waitForExist({ reverse: true, timeout: TIMEOUT });
    }
    // The secretariat, in the app, at 200 %: the meeting list first (it may create meetings).
    await press(browser, testid("logout"));
    await browser.$(testid("login-server")).waitForDisplayed({ timeout: TIMEOUT });
    await browser.$(testid("login-server")).setValue(env.appServer);
    await browser.$(testid("login-username")).setValue(env.secretary);
    await browser.$(testid("login-password")).setValue(env.password);
    await browser.$(testid("login-submit")).click();
    await browser.$(testid("create-meeting")).waitForDisplayed({ timeout: TIMEOUT });
    await checkAccessibility(browser, "the secretariat's meeting list");
    await press(browser, `${testid("meeting-choice")}[data-meeting-id="${state.appMeetingId}"]`);
    await browser.$(testid("meeting-title")).waitForDisplayed({ timeout: TIMEOUT });
    await textAt200(browser);
    // The members panel and the hall screen's code, opened, at 200 %.
    await press(browser, testid("members-toggle"));
    await waitFor(browser, "the members listed", () => browser.$(`${testid("member-row")}[data-username="${env.delegate}"]`).isExisting());
    await press(browser, testid("hall-screen-toggle"));
    await press(browser, testid("hall-screen-create"));
    const hallCode = await waitFor(browser, "a hall screen code made in the app", async () => {
      const code = await browser.$(testid("hall-screen-code"));
      return (await code.isExisting()) ? (await code.getText()).replace(/\s+/g, "") : null;
    });
    assert.match(hallCode, /^[A-Z2-9]{4}-?[A-Z2-9]{4}-?[A-Z2-9]{4}$/, hallCode);
    await browser.execute(() => document.querySelector('[data-testid="members-panel"]')?.scrollIntoView({ block: "start" }));
    await screenshot(browser, "members-panel-200-percent");
    assert.deepEqual(await spillingIn(browser, testid("members-panel")), [], "nothing spills out of the members panel at 200 %");
    // The audit trail: the hall code just made is its newest entry, by the secretariat, from an
    // address; the item added in step 2 is there too; the CSV goes to Downloads.
    await press(browser, testid("audit-toggle"));
    const newest = await waitFor(browser, "the audit trail listed, newest first", async () => {
      const row = await browser.$(testid("audit-row"));
      return (await row.isExisting()) ? { action: await row.getAttribute("data-action"), text: await row.getText() } : null;
    });
    assert.equal(newest.action, "hall_link_created", newest.text);
    assert.match(newest.text, new RegExp(env.secretary), newest.text);
    assert.ok(await browser.$(`${testid("audit-row")}[data-action="agenda_item_added"]`).isExisting(), "the item added in step 2 is in the trail");
    await browser.execute(() => document.querySelector('[data-testid="audit-panel"]')?.scrollIntoView({ block: "start" }));
    await screenshot(browser, "audit-panel-200-percent");
    assert.deepEqual(await spillingIn(browser, testid("audit-panel")), [], "nothing spills out of the audit panel at 200 %");
    await press(browser, testid("audit-export"));
    const exported = await waitFor(browser, "the audit trail saved as CSV", async () => {
      const saved = await browser.$(testid("audit-exported"));
      return (await saved.isExisting()) ? await saved.getText() : null;
    });
    assert.match(exported, /\.csv/, exported);
    // The members' laptops: this app's laptop, named at its logins, last used by the secretariat
    // logged in now (the delegate and the chair logged in on it before), and usable.
    await press(browser, testid("devices-toggle"));
    const laptops = await waitFor(browser, "the members' laptops listed", () =>
      browser.execute(() => {
        const rows = [...document.querySelectorAll('[data-testid="device-row"]')];
        return rows.length > 0 ? rows.map((row) => ({ revoked: row.getAttribute("data-revoked"), text: row.textContent })) : null;
      }),
    );
    assert.ok(laptops.some((row) => row.revoked === "false" && row.text.includes(`(${env.secretary})`)), JSON.stringify(laptops));
    assert.deepEqual(await spillingIn(browser, testid("devices-panel")), [], "nothing spills out of the laptops panel at 200 %");
    await checkAccessibility(browser, "the members panel, the hall screen's code, the audit trail and the laptops at 200 % text");
    await press(browser, testid("devices-toggle"));
    await press(browser, testid("audit-toggle"));
    await press(browser, testid("members-toggle"));
    await press(browser, testid("hall-screen-toggle"));
    await press(browser, testid("open-agenda-builder"));
    await browser.$(testid("agenda-builder")).waitForDisplayed({ timeout: TIMEOUT });
    const builderItem = (title) =>
      browser.execute((wanted) => {
        const row = [...document.querySelectorAll('[data-testid="builder-item"]')].find((shown) =>
          shown.querySelector('[data-testid="builder-item-title"]')?.textContent?.trim() === wanted || shown.textContent.includes(wanted),
        );
        return row ? { id: Number(row.getAttribute("data-item-id")), number: row.getAttribute("data-number") } : null;
      }, title);
    const addItem = async (title, parentId) => {
      const field = await browser.$(testid("builder-add-title"));
      await field.scrollIntoView({ block: "center" });
      await field.setValue(title);
      if (parentId !== null) await browser.$(testid("builder-add-parent")).selectByAttribute("value", String(parentId));
      await press(browser, testid("builder-add-submit"));
      return waitFor(browser, `the item "${title}" in the builder`, () => builderItem(title));
    };
    const parent = await addItem("Chất vấn và trả lời chất vấn", null);
    const child = await addItem("Chất vấn về kinh tế - xã hội", parent.id);
    assert.equal(child.number, `${parent.number}.1`, `the sub-item is numbered under its item: ${JSON.stringify({ parent, child })}`);
    // A PDF dropped on the sub-item, with its progress until it is a document of the item.
    const pdfName = "bao-cao-kinh-te-xa-hoi.pdf";
    const pdf = await readFile(new URL(`../../assets/demo/${pdfName}`, import.meta.url));
    await dropFile(browser, `[data-drop-item="${child.id}"]`, pdfName, pdf);
    const upload = `[data-upload-file="${pdfName}"]`;
    const uploaded = await waitFor(
      browser,
      "the dropped PDF sent and read",
      () =>
        browser.execute((selector) => {
          const row = document.querySelector(selector);
          const state = row?.getAttribute("data-state");
          if (state === "failed") return `failed: ${row.textContent.trim()}`;
          return state === "done" ? "done" : null;
        }, upload),
      PAGE_TIMEOUT,
    );
    assert.equal(uploaded, "done");
    await screenshot(browser, "builder-sub-item-pdf-dropped-200-percent");
    assert.deepEqual(await spillingIn(browser, testid("agenda-builder")), [], "nothing spills out of the builder at 200 %");
    await checkAccessibility(browser, "the agenda builder at 200 % text");
    await press(browser, testid("publish-agenda"));
    await browser.$(testid("agenda-published")).waitForDisplayed({ timeout: TIMEOUT });
    const snapshot = await api("GET", `/api/meetings/${state.meetingId}/snapshot`, { token: state.secretaryToken });
    const subItem = snapshot.state.items.find((item) => item.id === child.id);
    assert.equal(subItem.parent, parent.id, "the server keeps it as a sub-item");
    assert.equal(snapshot.state.agenda_published, true);
    const sittingDocument = subItem.documents[0];
    assert.ok(sittingDocument && sittingDocument.page_count > 2, JSON.stringify(subItem));

    // The chair, in the app: the sub-item under discussion, page 2 presented.
    await logInAgain(browser, env.chair, state.appMeetingId);
    await chooseItem(browser, child.id);
    await press(browser, testid("set-current-item"));
    await waitFor(browser, "the sub-item under discussion", () =>
      browser.$(`${testid("agenda-item")}[data-item-id="${child.id}"][data-current="true"]`).isExisting(),
    );
    await openInReader(browser, sittingDocument.id);
    await renderedPage(browser, 0);
    await press(browser, testid("page-next"));
    await renderedPage(browser, 1);
    await press(browser, testid("present-page"));
    await waitFor(browser, "page 2 presented", async () => {
      const presented = await api("GET", `/api/meetings/${state.meetingId}/snapshot`, { token: state.chairToken });
      return presented.state.presenting?.document_id === sittingDocument.id && presented.state.presenting.page === 1;
    });
    await browser.$(testid("viewer-close")).click();
    await browser.$(testid("viewer")).waitForExist({ reverse: true, timeout: TIMEOUT });

    // The delegate, in the app at 200 %: the reader follows to page 2; they ask for the floor.
    await logInAgain(browser, env.delegate, state.appMeetingId);
    const following = await waitFor(
      browser,
      "the delegate's reader at the presented page 2",
      () =>
        browser.execute((documentId) => {
          const bar = document.querySelector('[data-testid="presenting-bar"]');
          const image = document.querySelector('[data-testid="page-image"]');
          return bar?.getAttribute("data-following") === "true" &&
            Number(image?.getAttribute("data-page-index")) === 1 &&
            Number(document.querySelector('[data-testid="viewer"]')?.getAttribute("data-document-id") ?? documentId) === documentId
            ? true
            : null;
        }, sittingDocument.id),
      PAGE_TIMEOUT,
    );
    assert.ok(following);
    await renderedPage(browser, 1);
    await screenshot(browser, "delegate-follows-presented-page-200-percent");
    await checkAccessibility(browser, "the reader following the presenter at 200 % text");
    await sendCommand(state.chairToken, state.meetingId, { kind: "stop_presenting" });
    await waitFor(browser, "the presentation over", async () => !(await browser.$(testid("presenting-bar")).isExisting()));
    await browser.$(testid("viewer-close")).click();
    await browser.$(testid("viewer")).waitForExist({ reverse: true, timeout: TIMEOUT });
    await press(browser, testid("request-to-speak"));
    const me = await waitFor(browser, "the delegate waiting to speak", () =>
      browser.execute(() => {
        const status = document.querySelector('[data-testid="my-floor-status"][data-state="waiting"]');
        const row = document.querySelector('[data-testid="queued-speaker"]');
        return status && row ? Number(row.getAttribute("data-user-id")) : null;
      }),
    );
    await sendCommand(state.chairToken, state.meetingId, { kind: "grant_floor", user_id: me, seconds: 120 });
    const countdown = await waitFor(browser, "the delegate's countdown", () =>
      browser.execute((id) => {
        const shown = document.querySelector(`[data-testid="speaking-now"][data-user-id="${id}"] [data-testid="speech-countdown"]`);
        return shown ? Number(shown.getAttribute("data-remaining")) : null;
      }, me),
    );
    assert.ok(countdown > 90 && countdown <= 120, `two minutes counting down: ${countdown}`);
    await browser.execute(() => document.querySelector('[data-testid="floor"]')?.scrollIntoView({ block: "start" }));
    await screenshot(browser, "delegate-has-the-floor-200-percent");
    assert.deepEqual(await spillingIn(browser, testid("floor")), [], "nothing spills out of the speaking panel at 200 %");
    await checkAccessibility(browser, "the meeting screen with the floor at 200 % text");

    // The hall's TV: the sub-item, the speaker; then a poll on the sub-item and its result.
    const onHall = await waitFor(hall.browser, "the sub-item and the speaker on the hall screen", async () => {
      const shown = await readHall(hall.browser);
      return shown.currentItem.includes("Chất vấn về kinh tế - xã hội") && shown.speaker ? shown : null;
    });
    assert.match(onHall.currentItem, new RegExp(`^${child.number.replace(".", "\\.")}\\. `), onHall.currentItem);
    await screenshot(hall.browser, "hall-screen-sub-item-speaker");
    await press(browser, `${testid("floor")} ${testid("end-speech")}`);
    await sendCommand(state.chairToken, state.meetingId, {
      kind: "open_poll",
      item_id: child.id,
      title: "Biểu quyết kết luận chất vấn",
      preset: "resolution",
    });
    await chooseItem(browser, child.id);
    const sittingPoll = await waitFor(browser, "the sitting's poll", () =>
      browser.execute(() => {
        const card = [...document.querySelectorAll('[data-testid="poll"][data-poll-state="open"]')].pop();
        return card ? Number(card.getAttribute("data-poll-id")) : null;
      }),
    );
    await press(browser, `[data-testid="poll"][data-poll-id="${sittingPoll}"] [data-testid="vote-yes"]`);
    await inBatches(
      state.voters.map((voter) => () => castVia(voter, "yes", sittingPoll)),
      3,
    );
    await sendCommand(state.chairToken, state.meetingId, { kind: "close_poll", poll_id: sittingPoll });
    const result = await waitFor(hall.browser, "the sitting's result on the hall screen", async () => {
      const shown = await readHall(hall.browser);
      return shown.pollId === sittingPoll && shown.outcome ? shown : null;
    });
    assert.equal(result.outcome, "passed", JSON.stringify(result));
    await screenshot(hall.browser, "hall-screen-sitting-result");
    await showPoll(browser, sittingPoll);
    await screenshot(browser, "sitting-result-200-percent");
    await checkAccessibility(browser, "the sitting's result at 200 % text");
    await press(browser, testid("text-reset"));
  });

  await step("16. someone on the hall's Wi-Fi puts another server in the server's place: the app refuses its certificate, says so and sends nothing", async () => {
    wifi.redirect(env.impostor);
    await press(browser, testid("logout"));
    const server = await browser.$(testid("login-server"));
    await server.waitForDisplayed({ timeout: TIMEOUT });
    await server.setValue(env.appServer);
    await browser.$(testid("login-username")).setValue(env.delegate);
    await browser.$(testid("login-password")).setValue(env.password);
    await browser.$(testid("login-submit")).click();
    const warning = await browser.$(testid("certificate-warning"));
    await warning.waitForDisplayed({ timeout: TIMEOUT });
    assert.equal(await browser.$(testid("certificate-pinned")).getAttribute("data-fingerprint"), env.fingerprint);
    assert.equal(await browser.$(testid("certificate-presented")).getAttribute("data-fingerprint"), env.impostorFingerprint);
    assert.match(await warning.getText(), /CẢNH BÁO/, "the warning is in Vietnamese");
    await screenshot(browser, "certificate-changed");
    await checkAccessibility(browser, "the warning of a changed certificate");
    await press(browser, testid("certificate-close"));
    // The handshake failed before the login was sent: the password never left the laptop.
    assert.equal(await browser.$(testid("meeting-title")).isExisting(), false, "nothing opened on the impostor");

    // The real server back in its place: the same pin logs in as before.
    wifi.redirect(env.server);
    await browser.$(testid("login-submit")).click();
    await browser.$(testid("meeting-title")).waitForDisplayed({ timeout: TIMEOUT });
  });

  await step("17. the server goes away: the app says so, documents stay readable, searchable and marked", async () => {
    process.kill(env.serverPid, "SIGKILL");
    await waitFor(browser, "the app to show it lost the server", async () => {
      const status = await browser.$(testid("connection-status"));
      return (await status.isExisting()) && (await status.getAttribute("data-connection")) !== "online";
    });
    await screenshot(browser, "server-gone");
    await checkAccessibility(browser, "the meeting screen offline");

    await chooseItem(browser, state.documentItemId);
    await openInReader(browser, state.documentId);
    await browser.$(testid("viewer")).waitForDisplayed({ timeout: TIMEOUT });
    const first = await renderedPage(browser, 0);
    await press(browser, testid("page-next"));
    await renderedPage(browser, 1);
    await press(browser, testid("page-next"));
    const third = await renderedPage(browser, 2);
    // A width never asked for before: this page can only come from PDFium on the cached file.
    await browser.$(testid("zoom-in")).click();
    await browser.$(testid("zoom-in")).click();
    const zoomed = await renderedPage(browser, 2, third.requestedWidth + 1);
    assert.ok(zoomed.naturalWidth > first.naturalWidth, "the offline page was not rendered at the new width");
    console.log(`  offline: page 3 rendered ${zoomed.naturalWidth} px wide from the local cache`);
    await screenshot(browser, "offline-page-3");

    // Searching without accents still works: the laptop searches the text it keeps. The words
    // are those of a page of the report read above, whose PDF is on the laptop.
    await browser.$(testid("viewer-close")).click();
    await browser.$(testid("viewer")).waitForExist({ reverse: true, timeout: TIMEOUT });
    await browser.$(testid("search-input")).setValue("linh vuc kinh te so");
    await browser.$(testid("search-submit")).click();
    const found = await waitFor(browser, "offline search results", () =>
      browser.execute(() => {
        const results = document.querySelector('[data-testid="search-results"]');
        if (!results) return null;
        return {
          offline: results.getAttribute("data-offline"),
          count: Number(results.getAttribute("data-count")),
          marks: [...results.querySelectorAll('[data-testid="search-mark"]')].map((mark) => mark.textContent),
          first: Number(results.querySelector('[data-testid="search-hit"]')?.getAttribute("data-page") ?? -1),
        };
      }),
    );
    assert.equal(found.offline, "true", "the search did not say it ran on the laptop");
    assert.ok(found.count > 0, "the offline search found nothing");
    assert.ok(
      found.marks.some((mark) => mark.toLowerCase() === "lĩnh vực kinh tế số"),
      `the marked words are ${JSON.stringify(found.marks)}`,
    );
    console.log(`  offline search: ${found.count} pages, marked ${JSON.stringify(found.marks.slice(0, 3))}`);
    await screenshot(browser, "offline-search");
    await browser.$(testid("search-hit")).click();
    await browser.$(testid("viewer")).waitForDisplayed({ timeout: TIMEOUT });
    const hitPage = await renderedPage(browser, found.first);
    assert.equal(hitPage.indicatorPage, found.first + 1, "the reader did not open at the hit's page");
    // The words are marked where they stand on the page, in the text layer PDFium's characters
    // give; that layer's text can be selected and copied.
    const onPage = await waitFor(browser, "the hit marked on the page", () =>
      browser.execute(() => {
        const marks = [...document.querySelectorAll('[data-testid="search-highlight"]')];
        const layer = document.querySelector('[data-testid="text-layer"]');
        if (marks.length === 0 || !layer) return null;
        const box = marks[0].getBoundingClientRect();
        const page = document.querySelector('[data-testid="page-image"]').getBoundingClientRect();
        const selection = window.getSelection();
        const range = document.createRange();
        range.selectNodeContents(layer);
        selection.removeAllRanges();
        selection.addRange(range);
        const selected = selection.toString();
        selection.removeAllRanges();
        return {
          marked: marks.map((mark) => mark.textContent).join(" "),
          onThePage: box.width > 0 && box.left >= page.left && box.right <= page.right + 1 && box.top >= page.top,
          selected,
        };
      }),
    );
    assert.match(onPage.marked.toLowerCase(), /lĩnh vực/, `marked on the page: ${onPage.marked}`);
    assert.ok(onPage.onThePage, "the mark is not on the page image");
    assert.match(onPage.selected, /kinh tế số/, "the page's text cannot be selected");
    console.log(`  marked on page ${found.first + 1}: ${JSON.stringify(onPage.marked)}`);
    await screenshot(browser, "offline-search-hit-highlighted");
  });


  await step("18. the app is killed mid-stroke and started again without the server: it asks for the password (what the laptop keeps is encrypted), and the annotations are there", async () => {
    if (await browser.$(testid("viewer")).isExisting()) {
      await browser.$(testid("viewer-close")).click();
      await browser.$(testid("viewer")).waitForExist({ reverse: true, timeout: TIMEOUT });
    }
    await chooseItem(browser, state.documentItemId);
    await openInReader(browser, state.documentId);
    await renderedPage(browser, 0);
    if (!(await browser.$(testid("annotation-toolbar")).isExisting())) await browser.$(testid("annotate-toggle")).click();
    await browser.$(testid("tool-pen")).click();
    const page = await browser.execute(() =>
      document.querySelector('[data-testid="annotation-layer"]').getBoundingClientRect().toJSON(),
    );
    const area = await browser.execute(() =>
      document.querySelector('[data-testid="page-image"]').closest(".page-area").getBoundingClientRect().toJSON(),
    );
    // Across the middle of the part of the page on screen (the toolbars above take what they need).
    const top = Math.max(page.top, area.top);
    const y = Math.round(top + (Math.min(page.bottom, area.bottom) - top) / 2);
    const x = Math.round(page.left + 200);
    // Pen down, drawing for a while — and the app dies before the pen is lifted.
    await browser
      .action("pointer", { parameters: { pointerType: "pen" } })
      .move({ x, y })
      .down()
      .move({ x: x + 150, y: y + 40, duration: 700 })
      .move({ x: x + 300, y, duration: 700 })
      .perform(true);
    // The pen is still down: the stroke drawn so far is already kept on the laptop (it is saved
    // while drawn), which the reader's own list shows.
    await waitFor(browser, "the stroke kept while it is drawn", () =>
      browser.execute(
        () =>
          (document.querySelector('[data-testid="annotation-layer"]')?.getAttribute("data-kinds") ?? "")
            .split(",")
            .filter((kind) => kind === "ink").length === 2,
      ),
    );
    const pids = execFileSync("pgrep", ["-x", "phonghop-app"], { encoding: "utf8" }).trim().split(/\s+/);
    for (const pid of pids) process.kill(Number(pid), "SIGKILL");
    console.log(`  killed the app (pid ${pids.join(", ")}) in the middle of a stroke`);
    await browser.deleteSession().catch(() => undefined);

    app.browser = browser = await startApp();
    // The documents and notes on the laptop are encrypted under the councillor's password: the
    // app asks for it, with no server, before it shows anything of the meeting.
    await browser.$(testid("unlock-screen")).waitForDisplayed({ timeout: TIMEOUT * 2 });
    assert.equal(await browser.$(testid("meeting-title")).isExisting(), false, "the meeting shows before the password");
    await checkAccessibility(browser, "the unlock screen");
    await screenshot(browser, "restarted-unlock-asked");
    await browser.$(testid("unlock-password")).setValue("khong-phai-mat-khau");
    await browser.$(testid("unlock-submit")).click();
    const refused = await browser.$(testid("unlock-error"));
    await refused.waitForDisplayed({ timeout: TIMEOUT });
    assert.equal(await refused.getAttribute("data-error-code"), "wrong_password", "a wrong password opens nothing");
    await browser.$(testid("unlock-password")).setValue(env.password);
    await browser.$(testid("unlock-submit")).click();
    await browser.$(testid("meeting-title")).waitForDisplayed({ timeout: TIMEOUT * 2 });
    const connection = await browser.$(testid("connection-status")).getAttribute("data-connection");
    assert.notEqual(connection, "online", "the server is gone, yet the app says it is online");
    await chooseItem(browser, state.documentItemId);
    await openInReader(browser, state.documentId);
    await renderedPage(browser, 0);
    const kept = await waitFor(browser, "the annotations after the restart", () =>
      browser.execute(() => {
        const kinds = (document.querySelector('[data-testid="annotation-layer"]')?.getAttribute("data-kinds") ?? "").split(",").filter(Boolean).filter((kind) => kind !== "note");
        const notes = document.querySelectorAll('[data-testid="note"]').length;
        return kinds.length >= 3 ? { kinds, notes } : null;
      }),
    );
    assert.deepEqual(kept.kinds, ["highlight", "ink", "ink"], "the highlight, the stroke and the stroke cut short");
    assert.equal(kept.notes, 1);
    console.log(`  after the restart, offline: ${kept.kinds.join(", ")} and ${kept.notes} note`);
    await screenshot(browser, "restarted-offline-annotations-kept");
  });

  /** One more delegate sends a command through the API, logged in once. */
  async function commandVia(username, command) {
    const token = tokens.get(username) ?? (await apiLogin(username));
    tokens.set(username, token);
    try {
      await sendCommand(token, state.meetingId, command);
    } catch (error) {
      throw new Error(`${username} could not ${command.kind}: ${error.message}`);
    }
  }

  /** One more delegate votes through the API, in the journey's poll unless told. */
  function castVia(username, choice, pollId = state.pollId) {
    return commandVia(username, { kind: "cast_ballot", poll_id: pollId, choice });
  }
}

/** Runs the tasks `size` at a time, so logins (argon2 on the server) overlap a little. */
async function inBatches(tasks, size) {
  for (let start = 0; start < tasks.length; start += size) {
    await Promise.all(tasks.slice(start, start + size).map((task) => task()));
  }
}

/**
 * Starts the app under tauri-driver (the same data folder every time: tauri-driver's environment),
 * asking for the password again before every secret ballot (`--reconfirm-after 0`).
 */
function startApp() {
  return startAppSession(env.app, env.appServer, ["--reconfirm-after", "0"]);
}

/** The app as the journey drives it now (a step kills it and starts it again). */
const app = { browser: null };

async function main() {
  await mkdir(env.screenshots, { recursive: true });
  env.appServer = await wifi.start();
  app.browser = await startApp();
  try {
    await journey(app.browser);
    console.log("journey passed");
  } catch (error) {
    const browser = app.browser;
    try {
      const file = await screenshot(browser, "failure");
      console.error(`  screenshot of the failure: ${file}`);
    } catch {
      // The session may already be gone; the original error matters more.
    }
    throw error;
  } finally {
    await app.browser.deleteSession().catch((error) => console.error(`deleteSession failed: ${error.message}`));
    await hall.browser?.deleteSession().catch(() => undefined);
    hall.driver?.kill();
    hallWifi.close();
    wifi.close();
  }
}

// Exit explicitly: a lingering socket of the WebDriver client must not keep the run alive.
main().then(
  () => process.exit(0),
  (error) => {
    console.error(`✘ journey failed at step "${currentStep}": ${error?.message ?? error}`);
    process.exit(1);
  },
);
