//! Whether the app has a screen to open its window on. Without one GTK would panic with a
//! backtrace deep in the windowing library; the person starting the app reads why instead.

/// What the app says, in both languages, when it cannot open a display.
pub const NO_DISPLAY: &str = "phonghop-app: không mở được màn hình — chưa có phiên đồ họa \
(DISPLAY hoặc WAYLAND_DISPLAY chưa đặt, hoặc không kết nối được). Hãy mở ứng dụng trong phiên đồ họa \
của máy, hoặc xem các tùy chọn bằng phonghop-app --help.\n\
phonghop-app: cannot open a display — there is no graphical session (DISPLAY or WAYLAND_DISPLAY \
is not set, or cannot be reached). Start the app from the computer's desktop, or see its options \
with phonghop-app --help.\n";

/// Opens the display (GTK) once, before Tauri does; `false` when there is none to open.
#[cfg(target_os = "linux")]
pub fn available() -> bool {
    gtk::init().is_ok()
}

/// Elsewhere the system's own window server is always there.
#[cfg(not(target_os = "linux"))]
pub fn available() -> bool {
    true
}
