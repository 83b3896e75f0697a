// The app as a councillor's laptop gets it: /usr/bin/phonghop-app from the .deb that
// `cargo xtask bundle` made, against the server installed from its own .deb (xtask's
// `installed_packages`). It shows the login screen; the councillor types the server's address,
// compares the certificate's fingerprint with the one the installed server printed, pins it,
// and reaches the meeting list. Screenshots `installed-app-login` and `installed-app-logged-in`.
//
// Environment: PHONGHOP_APP (the installed app), PHONGHOP_SERVER_URL, PHONGHOP_FINGERPRINT (what
// the installed server printed), PHONGHOP_USERNAME, PHONGHOP_PASSWORD, PHONGHOP_SCREENSHOTS.

import assert from "node:assert/strict";
import path from "node:path";
import { startApp } from "./app-session.mjs";

const TIMEOUT = 30_000;
const env = {};
for (const name of ["PHONGHOP_APP", "PHONGHOP_SERVER_URL", "PHONGHOP_FINGERPRINT", "PHONGHOP_USERNAME", "PHONGHOP_PASSWORD", "PHONGHOP_SCREENSHOTS"]) {
  env[name] = process.env[name];
  if (!env[name]) throw new Error(`${name} is not set`);
}
const testid = (id) => `[data-testid="${id}"]`;

async function screenshot(browser, name) {
  // Two animation frames: the last change is painted.
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await browser.saveScreenshot(path.join(env.PHONGHOP_SCREENSHOTS, `${name}.png`));
}

const browser = await startApp(env.PHONGHOP_APP, env.PHONGHOP_SERVER_URL);
try {
  const server = await browser.$(testid("login-server"));
  await server.waitForDisplayed({ timeout: TIMEOUT * 2 });
  await screenshot(browser, "installed-app-login");
  console.log("✔ the installed app shows the login screen");

  await server.setValue(env.PHONGHOP_SERVER_URL);
  await browser.$(testid("login-username")).setValue(env.PHONGHOP_USERNAME);
  await browser.$(testid("login-password")).setValue(env.PHONGHOP_PASSWORD);
  await browser.$(testid("login-submit")).click();
  const shown = await browser.$(testid("pin-fingerprint"));
  await shown.waitForExist({ timeout: TIMEOUT });
  const digits = (text) => text.replace(/[\s:]/g, "").toLowerCase();
  assert.equal(digits(await shown.getAttribute("data-fingerprint")), digits(env.PHONGHOP_FINGERPRINT), "the fingerprint the installed server printed");
  await screenshot(browser, "installed-app-pin-server");
  const confirm = await browser.$(testid("pin-confirm"));
  await browser.execute((element) => element.focus(), confirm);
  await browser.keys("Enter");
  await browser.$(testid("create-meeting")).waitForDisplayed({ timeout: TIMEOUT });
  await screenshot(browser, "installed-app-logged-in");
  console.log("✔ the installed app pins the installed server's certificate and logs in over TLS");
} finally {
  await browser.deleteSession().catch(() => undefined);
}
