//! `cargo xtask bundle`: the packages an IT officer installs (README "Install on a server",
//! "Install on councillors' laptops"), in `target/installer/`:
//! - the desktop app as .deb and .rpm, built by Tauri's bundler, with libpdfium inside;
//! - the server as a .deb (`server_deb`): the programs in /usr/lib/phonghop-server with
//!   libpdfium, a systemd unit running as the `phonghop` system user, data in /var/lib/phonghop,
//!   commented settings in /etc/phonghop, logs to the journal;
//! - `THIRD-PARTY-LICENSES.md`, what the packages ship and under which licences (also inside
//!   each package), and `SHA256SUMS`.
//!
//! `--debug` packages the debug build as `cargo xtask test` built it (what it installs and
//! checks, without building anything again); a release package is built by `tauri build`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::process::sh;
use crate::{root, setup, target_dir};

/// What `bundle` made.
pub struct Packages {
    pub folder: PathBuf,
    pub app_deb: PathBuf,
    pub app_rpm: PathBuf,
    pub server_deb: PathBuf,
}

const VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn run(args: &[String]) -> Result<()> {
    let debug = args.iter().any(|arg| arg == "--debug");
    setup::all()?;
    if debug {
        crate::demo::build_all()?;
    }
    let packages = build(debug)?;
    println!("packages in {}:", packages.folder.display());
    for package in [&packages.server_deb, &packages.app_deb, &packages.app_rpm] {
        println!("  {}", package.file_name().unwrap_or_default().to_string_lossy());
    }
    println!("  THIRD-PARTY-LICENSES.md, SHA256SUMS");
    Ok(())
}

/// Packages the programs: built here in release mode, or with `debug` the debug build
/// `demo::build_all` already made.
pub fn build(debug: bool) -> Result<Packages> {
    let root = root();
    let profile = if debug { "debug" } else { "release" };
    let folder = target_dir()?.join("installer");
    if folder.exists() {
        std::fs::remove_dir_all(&folder).with_context(|| format!("emptying {}", folder.display()))?;
    }
    std::fs::create_dir_all(&folder)?;

    // A debug package holds the debug build as `demo::build_all` made it (and `cargo xtask test`
    // tested it): building again here would only rebuild the app for a window rebuilt to the
    // same files.
    if !debug {
        sh(&root.join("ui"), "npm", &["run", "build"])?;
        sh(
            &root,
            "cargo",
            &[
                "build",
                "--release",
                "-p",
                "phonghop-server",
                "-p",
                "phonghop-admin",
                "--bins",
            ],
        )?;
    }

    let licences = folder.join("THIRD-PARTY-LICENSES.md");
    std::fs::write(&licences, licence_list(&root)?)?;
    let pdfium = setup::pdfium_library()?;

    let (app_deb, app_rpm) = app_packages(&root, debug, &pdfium, &licences, &folder)?;
    let binaries = target_dir()?.join(profile);
    let server_deb = server_deb(&root, &binaries, &pdfium, &licences, &folder)?;

    let names: Vec<String> = [&server_deb, &app_deb, &app_rpm]
        .iter()
        .map(|path| path.file_name().unwrap_or_default().to_string_lossy().into_owned())
        .chain(["THIRD-PARTY-LICENSES.md".to_owned()])
        .collect();
    let sums = Command::new("sha256sum")
        .args(&names)
        .current_dir(&folder)
        .output()
        .context("running sha256sum")?;
    if !sums.status.success() {
        bail!("sha256sum failed: {}", String::from_utf8_lossy(&sums.stderr));
    }
    std::fs::write(folder.join("SHA256SUMS"), sums.stdout)?;
    Ok(Packages {
        folder,
        app_deb,
        app_rpm,
        server_deb,
    })
}

/// The app's .deb and .rpm from Tauri's bundler (the CLI from the UI's npm packages), with
/// libpdfium and the licence list added to both.
fn app_packages(root: &Path, debug: bool, pdfium: &Path, licences: &Path, out: &Path) -> Result<(PathBuf, PathBuf)> {
    let files = serde_json::json!({
        "/usr/lib/phonghop-app/libpdfium.so": pdfium,
        "/usr/share/doc/phonghop-app/THIRD-PARTY-LICENSES.md": licences,
    });
    let config = serde_json::json!({
        "bundle": { "linux": { "deb": { "files": files }, "rpm": { "files": files } } }
    })
    .to_string();
    let tauri = root.join("ui/node_modules/.bin/tauri");
    // A release package is built by Tauri as it builds for production; a debug one bundles the
    // debug app already built (and tested) as it is.
    let task = if debug { "bundle" } else { "build" };
    let mut args = vec![task, "--bundles", "deb", "rpm", "--config", config.as_str()];
    if debug {
        args.push("--debug");
    }
    sh(&root.join("src-tauri"), &tauri.to_string_lossy(), &args)?;
    let bundles = target_dir()?
        .join(if debug { "debug" } else { "release" })
        .join("bundle");
    let deb = out.join(format!("phonghop-app_{VERSION}_amd64.deb"));
    let rpm = out.join(format!("phonghop-app-{VERSION}-1.x86_64.rpm"));
    // Tauri names the packages after the product ("phonghop"); the files say what they hold.
    std::fs::copy(bundles.join(format!("deb/phonghop_{VERSION}_amd64.deb")), &deb).context("the app's .deb")?;
    std::fs::copy(bundles.join(format!("rpm/phonghop-{VERSION}-1.x86_64.rpm")), &rpm).context("the app's .rpm")?;
    Ok((deb, rpm))
}

/// The server's .deb, staged from `installer/server/` and the built programs, made with dpkg-deb.
fn server_deb(root: &Path, binaries: &Path, pdfium: &Path, licences: &Path, out: &Path) -> Result<PathBuf> {
    let stage = target_dir()?.join("installer-stage/phonghop-server");
    if stage.exists() {
        std::fs::remove_dir_all(&stage)?;
    }
    let templates = root.join("installer/server");
    let programs = stage.join("usr/lib/phonghop-server");
    std::fs::create_dir_all(&programs)?;
    for program in ["phonghop-server", "phonghop-index-pdf"] {
        install(&binaries.join(program), &programs.join(program), 0o755)?;
    }
    install(pdfium, &programs.join("libpdfium.so"), 0o644)?;
    std::fs::create_dir_all(stage.join("usr/bin"))?;
    install(
        &binaries.join("phonghop-admin"),
        &stage.join("usr/bin/phonghop-admin"),
        0o755,
    )?;
    // /proc/self/exe resolves the link, so the server finds its indexer and libpdfium beside it.
    std::os::unix::fs::symlink(
        "../lib/phonghop-server/phonghop-server",
        stage.join("usr/bin/phonghop-server"),
    )?;
    install(
        &templates.join("phonghop-server.service"),
        &stage.join("lib/systemd/system/phonghop-server.service"),
        0o644,
    )?;
    install(
        &templates.join("phonghop-server.conf"),
        &stage.join("etc/phonghop/phonghop-server.conf"),
        0o644,
    )?;
    let docs = stage.join("usr/share/doc/phonghop-server");
    install(licences, &docs.join("THIRD-PARTY-LICENSES.md"), 0o644)?;
    install(&templates.join("README"), &docs.join("README"), 0o644)?;
    let control = stage.join("DEBIAN");
    for script in ["postinst", "prerm", "postrm"] {
        install(&templates.join(script), &control.join(script), 0o755)?;
    }
    install(&templates.join("conffiles"), &control.join("conffiles"), 0o644)?;
    let installed_kib = folder_size(&stage)? / 1024;
    let template = std::fs::read_to_string(templates.join("control"))?;
    std::fs::write(
        control.join("control"),
        template
            .replace("@VERSION@", VERSION)
            .replace("@INSTALLED_SIZE@", &installed_kib.to_string()),
    )?;
    let deb = out.join(format!("phonghop-server_{VERSION}_amd64.deb"));
    sh(
        root,
        "dpkg-deb",
        &[
            "--root-owner-group",
            "--build",
            &stage.to_string_lossy(),
            &deb.to_string_lossy(),
        ],
    )?;
    Ok(deb)
}

/// Copies `from` to `to` (making its folder) with `mode`.
fn install(from: &Path, to: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if let Some(folder) = to.parent() {
        std::fs::create_dir_all(folder)?;
    }
    std::fs::copy(from, to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(mode))?;
    Ok(())
}

fn folder_size(folder: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            total += folder_size(&entry.path())?;
        } else if kind.is_file() {
            total += entry.metadata()?.len();
        }
    }
    Ok(total)
}

/// What the packages ship and its licences: the Rust crates compiled into the app and the
/// server (`cargo tree`, normal dependencies), the JavaScript bundled into the app's window, and
/// PDFium.
fn licence_list(root: &Path) -> Result<String> {
    let mut crates: BTreeMap<String, String> = BTreeMap::new();
    for package in ["phonghop-app", "phonghop-server", "phonghop-admin"] {
        let tree = Command::new("cargo")
            .args([
                "tree",
                "--offline",
                "-e",
                "normal",
                "--prefix",
                "none",
                "--format",
                "{p}|{l}",
                "-p",
                package,
            ])
            .current_dir(root)
            .output()
            .context("running cargo tree")?;
        if !tree.status.success() {
            bail!(
                "cargo tree -p {package} failed: {}",
                String::from_utf8_lossy(&tree.stderr)
            );
        }
        for line in String::from_utf8_lossy(&tree.stdout).lines() {
            let Some((name, licence)) = line.trim_end_matches(" (*)").split_once('|') else {
                continue;
            };
            // The project's own crates ("… (/path)") are not third-party.
            if name.contains(" (/") || name.starts_with("phonghop") {
                continue;
            }
            let licence = if licence.trim().is_empty() {
                "see the crate"
            } else {
                licence.trim()
            };
            crates.insert(name.trim().to_owned(), licence.to_owned());
        }
    }
    let mut scripts: BTreeMap<String, String> = BTreeMap::new();
    let ui = root.join("ui");
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(ui.join("package.json"))?)?;
    // Svelte's runtime is compiled into the window's script along with the app's dependencies.
    let mut pending: Vec<String> = manifest["dependencies"]
        .as_object()
        .map(|deps| deps.keys().cloned().collect())
        .unwrap_or_default();
    pending.push("svelte".to_owned());
    while let Some(name) = pending.pop() {
        let path = ui.join("node_modules").join(&name).join("package.json");
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let package: serde_json::Value = serde_json::from_slice(&bytes)?;
        let key = format!("{name} v{}", package["version"].as_str().unwrap_or("?"));
        if scripts.contains_key(&key) {
            continue;
        }
        scripts.insert(key, package["license"].as_str().unwrap_or("see the package").to_owned());
        if let Some(deps) = package["dependencies"].as_object() {
            pending.extend(deps.keys().cloned());
        }
    }
    let mut text = String::from(
        "# Third-party software in the phonghop packages\n\n\
         Made by `cargo xtask bundle` from the dependency tree it packaged. Each licence's full text\n\
         is in the crate or package it names (crates.io, npm).\n\n\
         ## PDFium (in both packages: `libpdfium.so`)\n\n\
         PDFium build 8149, from the pypdfium2 5.15.2 wheel on PyPI: BSD-3-Clause (PDFium) and\n\
         Apache-2.0 (pypdfium2's build), with the permissive licences of the libraries built into it\n\
         (FreeType: FTL; libjpeg-turbo: IJG and BSD-3-Clause; libpng: libpng; zlib: Zlib; OpenJPEG:\n\
         BSD-2-Clause; Little CMS: MIT; ICU: Unicode).\n\n",
    );
    text.push_str(&format!(
        "## Rust crates ({})\n\n| Crate | Licence |\n|---|---|\n",
        crates.len()
    ));
    for (name, licence) in &crates {
        text.push_str(&format!("| {name} | {licence} |\n"));
    }
    text.push_str(&format!(
        "\n## JavaScript in the app's window ({})\n\n| Package | Licence |\n|---|---|\n",
        scripts.len()
    ));
    for (name, licence) in &scripts {
        text.push_str(&format!("| {name} | {licence} |\n"));
    }
    Ok(text)
}
