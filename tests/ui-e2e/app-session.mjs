// Starting the desktop app under tauri-driver (listening on 127.0.0.1:4444) for a WebdriverIO
// script: the journey and the UI benchmarks start it the same way.

import { remote } from "webdriverio";

/** A WebDriver session of the app at `app`, launched with `--server server` and `args`. */
export function startApp(app, server, args = []) {
  return remote({
    hostname: "127.0.0.1",
    port: 4444,
    logLevel: "warn",
    connectionRetryTimeout: 120_000,
    connectionRetryCount: 1,
    capabilities: {
      browserName: "wry",
      "tauri:options": { application: app, args: ["--server", server, ...args] },
      "wdio:enforceWebDriverClassic": true,
    },
  });
}
