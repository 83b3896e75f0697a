//! The app started where there is no screen (a server's console, an SSH session, a service):
//! it says so in Vietnamese and English and exits, without a GTK panic; `--help` needs no screen.

use std::process::Command;

fn app_without_display(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_phonghop-app"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("the app binary runs")
}

#[test]
fn without_a_display_the_app_says_so_in_words_and_exits() {
    let output = app_without_display(&[]);
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(said.contains("không mở được màn hình"), "{said}");
    assert!(said.contains("cannot open a display"), "{said}");
    assert!(!said.contains("panicked"), "{said}");
}

#[test]
fn help_needs_no_display() {
    let output = app_without_display(&["--help"]);
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(help.contains("--server URL") && help.contains("--auto-login"), "{help}");
    assert!(
        help.contains("PDFium: /") && help.contains("libpdfium"),
        "where the renderer comes from: {help}"
    );
}
