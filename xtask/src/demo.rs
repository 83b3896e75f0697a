//! `cargo xtask demo`: builds everything, starts the server with the demo meeting and opens the
//! desktop app; without a display it says so and keeps the server running.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
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

/// Starts `phonghop-server serve --demo` on `data` and waits for its address; with `watch`, the
/// secretariat's hot folder there too.
/// A demo server started by [`start_server`]: its process, `http(s)://host:port`, and the
/// fingerprint (hex) of its certificate when it serves TLS.
pub struct StartedServer {
    pub service: Service,
    pub url: String,
    pub fingerprint: Option<String>,
}

/// Starts the demo server on `listen` (`tls`: HTTPS even on loopback; any other address always
/// is) and waits until it listens.
pub fn start_server(data: &Path, listen: &str, watch: Option<&Path>, tls: bool) -> Result<StartedServer> {
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
    if let Some(folder) = watch {
        command.arg("--watch").arg(folder).args(["--watch-as", "db002"]);
    }
    if tls {
        command.arg("--tls");
    }
    let mut server = Service::start("phonghop-server", command)?;
    let stdout = server.child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut fingerprint = None;
    let url = loop {
        let line = lines
            .next()
            .context("the server stopped before it was listening (see the messages above)")??;
        println!("{line}");
        if let Some(hex) = line.strip_prefix("PHONGHOP_FINGERPRINT ") {
            fingerprint = Some(hex.trim().to_owned());
        }
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
    Ok(StartedServer {
        service: server,
        url,
        fingerprint,
    })
}

fn has_display() -> bool {
    std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty())
}

/// What `cargo xtask demo` takes.
struct Options {
    /// `--listen ADDR`, the server's address; `127.0.0.1:0` lets the system pick a port.
    listen: String,
    /// `--data DIR`, the server's data folder.
    data: PathBuf,
    /// `--no-build` skips set-up and build: for `cargo xtask test`, which has done both.
    build: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options> {
        let mut options = Options {
            listen: "127.0.0.1:8080".to_owned(),
            data: root().join(".phonghop-demo/data"),
            build: true,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--listen" => options.listen = args.next().context("--listen needs an address")?.clone(),
                "--data" => options.data = args.next().context("--data needs a folder")?.into(),
                "--no-build" => options.build = false,
                other => bail!("demo takes --listen ADDR, --data DIR and --no-build, not {other}"),
            }
        }
        Ok(options)
    }
}

pub fn run(args: &[String]) -> Result<()> {
    let options = Options::parse(args)?;
    if options.build {
        setup::all()?;
        build_all()?;
    }
    let hot_folder = options.data.join("thu-muc-tai-lieu");
    let StartedServer {
        service: mut server,
        url,
        fingerprint,
    } = start_server(&options.data, &options.listen, Some(&hot_folder), false)?;
    // Reached from other computers, the server serves TLS: the app pins this fingerprint.
    let url = url.replace("://0.0.0.0:", "://127.0.0.1:");
    println!();
    println!("Máy chủ / server: {url}");
    println!("Đăng nhập / logins: db001 (chủ tọa / chair), db002 (thư ký / secretariat), db003 … db035 (đại biểu / delegates)");
    println!("Mật khẩu / password: {DEMO_PASSWORD}");
    if let Some(fingerprint) = &fingerprint {
        println!("Dấu vân tay chứng chỉ / certificate fingerprint (the app asks to compare it): {fingerprint}");
    }
    println!("Thư ký dùng dòng lệnh / secretariat CLI, e.g.:");
    let admin = built_binary("phonghop-admin")?;
    println!(
        "  {} --server {url} --username db002 --password {DEMO_PASSWORD} add-item --meeting 1 --title \"Mục mới\"",
        admin.display()
    );
    println!("Thư mục tài liệu / hot folder (as db002): {}", hot_folder.display());
    println!("  e.g. a Word file into …/1/3/ becomes a document of item 3 of meeting 1 (README: Hot folder)");
    if !has_display() {
        println!();
        println!(
            "Không có màn hình (DISPLAY chưa đặt): không mở được ứng dụng; máy chủ vẫn chạy. Nhấn Ctrl+C để dừng."
        );
        println!("No display (DISPLAY is not set): the desktop app cannot open; the server keeps running. Press Ctrl+C to stop.");
        let status = server.child.wait()?;
        bail!("the server stopped ({status})");
    }
    // A service like the server, so Ctrl+C or a closed terminal stops the app too.
    let mut app = Command::new(built_binary("phonghop-app")?);
    app.args(["--server", &url, "--username", "db003", "--data-dir"])
        .arg(root().join(".phonghop-demo/app"))
        .env("PHONGHOP_PDFIUM", setup::pdfium_library()?);
    let mut app = Service::start("the desktop app", app)?;
    let status = app.child.wait().context("waiting for the desktop app")?;
    println!("Ứng dụng đã đóng / the app closed ({status}); máy chủ dừng / stopping the server");
    Ok(())
}
