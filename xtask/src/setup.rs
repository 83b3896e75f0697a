//! Installs what the project needs and the machine lacks: Debian packages (as root; otherwise
//! the exact apt-get line is printed), PDFium from the pinned pypdfium2 wheel on PyPI, the npm
//! packages of ui/, tests/ui-e2e/ and the render benchmark's pdf.js baseline, tauri-driver, and
//! cargo-deny (the dependency tree's licences, bans and sources, checked offline).
//! The download benchmark's baseline ([`bench_packages`]: nginx) only for `cargo xtask bench`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::process::{on_path, sh};
use crate::{root, target_dir};

/// Debian packages: Tauri's build set, WebDriver under Xvfb, fonts with full Vietnamese
/// coverage, what the tests use to look at PDFs and screens, `mutool` (mupdf-tools), a
/// baseline of the render benchmark, and LibreOffice without its GUI, which the server runs to
/// convert Office uploads to PDF.
const DEBIAN_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "file",
    "libwebkit2gtk-4.1-dev",
    "libxdo-dev",
    "libssl-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "webkit2gtk-driver",
    // The hall screen's page is tested in Debian's Chromium through chromedriver.
    "chromium",
    "chromium-driver",
    "xvfb",
    "dbus",
    "fonts-noto-core",
    "fonts-dejavu-core",
    "poppler-utils",
    "mupdf-tools",
    "python3-pip",
    "libreoffice-writer-nogui",
    "libreoffice-calc-nogui",
    "libreoffice-impress-nogui",
    // Checking the installed packages (`installed.rs`): systemd-analyze, curl. (dpkg-deb comes
    // with dpkg; Tauri's .rpm bundler needs no rpm tools.)
    "systemd",
    "curl",
    // The PostgreSQL store's tests start their own cluster from its binaries
    // (/usr/lib/postgresql/<version>/bin: initdb, postgres); no service of the machine is used.
    "postgresql",
    // docs/deploy.md's load balancer in front of several instances, which a journey starts with
    // the repository's example configuration (`installer/load-balancer/`).
    "nginx",
    "libnginx-mod-stream",
];

/// Baselines the benchmarks measure phonghop against: nginx serving the same documents
/// (`doc-sync`). Bare WebKitGTK (`MiniBrowser`, for `cold-start`) comes with libwebkit2gtk above.
const BENCH_DEBIAN_PACKAGES: &[&str] = &["nginx"];

/// PDFium build 8149 comes inside this wheel (PLATFORM.md); pinned by version and hash.
const PYPDFIUM2_VERSION: &str = "5.15.2";
const PYPDFIUM2_WHEEL_SHA256: &str = "dc31aea5b0fb9fefc9b537a65f4113980b2c40798445736a7e6565bc85161e37";

pub fn all() -> Result<()> {
    debian_packages()?;
    pdfium()?;
    npm_packages()?;
    tauri_driver()?;
    cargo_deny()?;
    Ok(())
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| out.stdout.trim_ascii() == b"0")
        .unwrap_or(false)
}

pub fn debian_packages() -> Result<()> {
    install_debian(DEBIAN_PACKAGES)
}

/// The benchmarks' baselines. A benchmark without its baseline still runs and says so, so a
/// machine where they cannot be installed only gets a warning.
pub fn bench_packages() -> Result<()> {
    if let Err(error) = install_debian(BENCH_DEBIAN_PACKAGES) {
        eprintln!("the benchmarks' baselines are missing: {error:#}; they will print absolute numbers only");
    }
    Ok(())
}

fn install_debian(packages: &[&str]) -> Result<()> {
    let missing: Vec<&str> = packages.iter().copied().filter(|package| !installed(package)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let line = format!("apt-get install -y {}", missing.join(" "));
    if !is_root() {
        eprintln!("These Debian packages are missing. Install them as root, then run this again:");
        eprintln!("  sudo apt-get update && sudo {line}");
        bail!("missing Debian packages: {}", missing.join(" "));
    }
    let root = root();
    sh(&root, "apt-get", &["update", "-q"])?;
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend(&missing);
    eprintln!("$ DEBIAN_FRONTEND=noninteractive apt-get {}", args.join(" "));
    let status = Command::new("apt-get")
        .args(&args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()?;
    if !status.success() {
        bail!("{line} failed");
    }
    Ok(())
}

/// Where libpdfium.so lives: `pdfium/` in cargo's target folder, where phonghop-pdf's binaries
/// and tests look beside themselves (`<target>/debug/../pdfium`). xtask still passes it to what
/// it starts as `PHONGHOP_PDFIUM`.
pub fn pdfium_library() -> Result<PathBuf> {
    Ok(target_dir()?.join("pdfium/libpdfium.so"))
}

pub fn pdfium() -> Result<()> {
    let library = pdfium_library()?;
    if library.is_file() {
        return Ok(());
    }
    let folder = library.parent().expect("library has a folder").to_owned();
    let wheels = folder.join("wheel");
    std::fs::create_dir_all(&wheels)?;
    let requirement = format!("pypdfium2=={PYPDFIUM2_VERSION}");
    let requirements = wheels.join("requirements.txt");
    std::fs::write(
        &requirements,
        format!("{requirement} --hash=sha256:{PYPDFIUM2_WHEEL_SHA256}\n"),
    )?;
    let wheels_arg = wheels.to_string_lossy().into_owned();
    let requirements_arg = requirements.to_string_lossy().into_owned();
    sh(
        &root(),
        "python3",
        &[
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "--platform",
            "manylinux_2_17_x86_64",
            "--require-hashes",
            "-r",
            &requirements_arg,
            "-d",
            &wheels_arg,
        ],
    )
    .context("downloading the pypdfium2 wheel from PyPI")?;
    let wheel = std::fs::read_dir(&wheels)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|path| path.extension().is_some_and(|ext| ext == "whl"))
        .context("pip downloaded no wheel")?;
    extract_library(&wheel, &library)?;
    eprintln!("PDFium: {}", library.display());
    Ok(())
}

/// Takes `pypdfium2_raw/libpdfium.so` out of the wheel (a zip) with Python's zipfile, which is
/// on every machine that has pip.
fn extract_library(wheel: &Path, library: &Path) -> Result<()> {
    let script = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nopen(sys.argv[2] + '.part', 'wb').write(z.read('pypdfium2_raw/libpdfium.so'))\n";
    let part = format!("{}", library.display());
    sh(&root(), "python3", &["-c", script, &wheel.to_string_lossy(), &part])?;
    std::fs::rename(format!("{part}.part"), library)?;
    Ok(())
}

fn npm_ci(dir: &Path) -> Result<()> {
    let lock = dir.join("package-lock.json");
    let installed_lock = dir.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&installed_lock)) {
        (Ok(lock), Ok(installed)) => installed.modified()? >= lock.modified()?,
        _ => false,
    };
    if !fresh {
        sh(dir, "npm", &["ci", "--no-audit", "--no-fund"])?;
    }
    Ok(())
}

pub fn npm_packages() -> Result<()> {
    npm_ci(&root().join("ui"))?;
    npm_ci(&root().join("tests/ui-e2e"))?;
    npm_ci(&root().join("crates/phonghop-bench/js"))
}

/// tauri-driver 2 (the registry also has 3.0 alphas, which go with Tauri 3).
pub fn tauri_driver_path() -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"));
    cargo_home.join("bin/tauri-driver")
}

/// cargo-deny, pinned: `cargo deny check licenses bans sources` needs no network (the advisory
/// database, which would, cannot be fetched here and is not checked).
const CARGO_DENY_VERSION: &str = "0.20.2";

pub fn cargo_deny_path() -> PathBuf {
    tauri_driver_path().with_file_name("cargo-deny")
}

pub fn cargo_deny() -> Result<()> {
    if cargo_deny_path().is_file() {
        return Ok(());
    }
    sh(
        &root(),
        "cargo",
        &["install", "cargo-deny", "--locked", "--version", CARGO_DENY_VERSION],
    )
}

pub fn tauri_driver() -> Result<()> {
    if tauri_driver_path().is_file() || on_path("tauri-driver") {
        return Ok(());
    }
    sh(
        &root(),
        "cargo",
        &["install", "tauri-driver", "--locked", "--version", "^2"],
    )
}
