// Vite builds the webview bundle into ui/dist, which the Tauri app embeds as `frontendDist`.
// Vitest reads the same file, so logic tests compile `.svelte.ts` modules exactly like the app.
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [svelte()],
  // Component tests mount real components in a simulated DOM, which needs Svelte's client build.
  resolve: process.env.VITEST ? { conditions: ["browser"] } : undefined,
  // The dev server port is the one a Tauri `devUrl` would point at; the app itself embeds dist/.
  server: { port: 1420, strictPort: true },
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.40+ (Debian 12) and WebView2 both understand ES2022.
    target: "es2022",
    // Every asset becomes a file: the CSP allows no `data:` URLs.
    assetsInlineLimit: 0,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
