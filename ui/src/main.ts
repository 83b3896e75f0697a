// Entry point of the webview: mounts the app shell. No inline script exists (strict CSP).
import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
// Puts back the remembered high contrast before the first screen is drawn.
import "./lib/text/contrast.svelte";

const target = document.getElementById("app");
if (!target) {
  throw new Error("index.html has no #app element");
}

export default mount(App, { target });
