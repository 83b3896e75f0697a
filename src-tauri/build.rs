//! Generates the Tauri context (config, capabilities, embedded front-end) at build time.
fn main() {
    tauri_build::build()
}
