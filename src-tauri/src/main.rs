//! Entry point of the desktop app; everything is in the library so tests can run it too.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    phonghop_app::run();
}
