//! `cargo xtask demo`: builds everything, starts the server with the demo meeting and opens the
//! desktop app; without a display it says so and keeps the server running.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::process::{sh, Service};
use crate::{built_binary, root, setup};

pub const DEMO_PASSWORD: &str = "hop-khong-giay";

/// Builds the front-end, the server, the PDF indexer and the app.
pub fn build_all() -> Result<()> {
    let root = root();
    sh(&root.join("ui"), "npm", &["run", "build"])?;
    sh(
        &root,
        "cargo",
        &["build", "--workspace", "--bins", "--exclude", "xtask"],
    )
}

/// Starts `phonghop-server serve --demo` on `data` and waits for its address.
pub fn start_server(data: &Path, listen: &str) -> Result<(Service, String)> {
    let root = root();
    let mut command = Command::new(built_binary("phonghop-server")?);
    command
        .args(["serve", "--demo", "--listen", listen, "--demo-password", DEMO_PASSWORD])
        .arg("--data")
        .arg(data)
        .arg("--councillors")
        .arg(root.join("assets/demo/dai-bieu.csv"))
        .arg("--demo-documents")
        .arg(root.join("assets/demo"))
        .env("PHONGHOP_PDFIUM", setup::pdfium_library()?)
        .stdout(Stdio::piped());
    let mut server = Service::start("phonghop-server", command)?;
    let stdout = server.child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines
            .next()
            .context("the server stopped before it was listening (see the messages above)")??;
        println!("{line}");
        if let Some(url) = line.strip_prefix("PHONGHOP_LISTENING ") {
            break url.trim().to_owned();
        }
    };
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        lines.for_each(|line| {
            if let Ok(line) = line {
                println!("{line}")
            }
        })
    });
    Ok((server, url))
}

fn has_display() -> bool {
    std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty())
}

pub fn run(args: &[String]) -> Result<()> {
    let listen = args
        .iter()
        .position(|arg| arg == "--listen")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    setup::all()?;
    build_all()?;
    let data = root().join(".phonghop-demo/data");
    let (mut server, url) = start_server(&data, &listen)?;
    println!();
    println!("Máy chủ / server: {url}");
    println!("Đăng nhập / logins: db001 (chủ tọa / chair), db002 (thư ký / secretariat), db003 … db035 (đại biểu / delegates)");
    println!("Mật khẩu / password: {DEMO_PASSWORD}");
    println!("Thư ký dùng dòng lệnh / secretariat CLI, e.g.:");
    let server_binary = built_binary("phonghop-server")?;
    println!("  {} admin --server {url} --username db002 --password {DEMO_PASSWORD} add-item --meeting 1 --title \"Mục mới\"", server_binary.display());
    if !has_display() {
        println!();
        println!(
            "Không có màn hình (DISPLAY chưa đặt): không mở được ứng dụng; máy chủ vẫn chạy. Nhấn Ctrl+C để dừng."
        );
        println!("No display (DISPLAY is not set): the desktop app cannot open; the server keeps running. Press Ctrl+C to stop.");
        let status = server.child.wait()?;
        bail!("the server stopped ({status})");
    }
    let app_data = root().join(".phonghop-demo/app");
    let status = Command::new(built_binary("phonghop-app")?)
        .args(["--server", &url, "--username", "db003", "--data-dir"])
        .arg(&app_data)
        .env("PHONGHOP_PDFIUM", setup::pdfium_library()?)
        .status()
        .context("starting the desktop app")?;
    println!("Ứng dụng đã đóng / the app closed ({status}); máy chủ dừng / stopping the server");
    Ok(())
}
