//! Settings for WebKitGTK that must be made before it starts.

/// Without a GPU render node (a virtual machine, Xvfb, a laptop whose graphics have no DRM
/// driver) WebKitGTK's DMA-BUF renderer composites with Mesa's software GL: measured under Xvfb
/// (`phonghop-bench cold-start`), that cost ~100 MB in the web process and, on a first start,
/// ~1 s compiling shaders, while the older renderer showed the same agenda in ~0.8 s. With a
/// render node WebKit keeps its default. A value set by the person starting the app wins.
pub fn prefer_cheap_rendering_without_gpu() {
    const VARIABLE: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";
    if cfg!(target_os = "linux") && std::env::var_os(VARIABLE).is_none() && !has_render_node() {
        // Called in `main` before any thread exists that could read the environment.
        std::env::set_var(VARIABLE, "1");
    }
}

/// Whether the kernel offers a GPU render node (`/dev/dri/renderD*`).
fn has_render_node() -> bool {
    std::fs::read_dir("/dev/dri")
        .map(|entries| {
            entries
                .flatten()
                .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false)
}
