//! The packages checked as an IT officer would use them: `cargo xtask bundle --debug`, then
//! `dpkg -i` of the server's and the app's .deb on this machine (as root), then the installed
//! programs run: the `phonghop` user and its data folder made by the package, the systemd unit
//! valid, accounts imported and the server started exactly as the unit starts it (its
//! `ExecStart` with the settings file, as user `phonghop`) answering HTTPS and refusing plain
//! HTTP; `/usr/bin/phonghop-app --help` naming the libpdfium the package brought, a clear message
//! without a display, and under Xvfb the login screen, the installed server's certificate pinned
//! and a login (`tests/ui-e2e/installed-app.mjs`). Both packages are purged afterwards.
//!
//! Outside systemd (this machine's PID 1 is not systemd) the unit's sandboxing lines are not
//! applied; `systemd-analyze verify` checks the unit itself.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};

use crate::app_env::AppEnvironment;
use crate::demo::DEMO_PASSWORD;
use crate::process::sh_capturing;
use crate::{bundle, target_dir};

/// The installed packages' names (the app's is the product's).
const PACKAGES: [&str; 2] = ["phonghop-server", "phonghop"];

/// Removes both packages, the user and the data the check made, whatever happened.
struct Installed {
    server: Option<Child>,
}

impl Drop for Installed {
    fn drop(&mut self) {
        if let Some(mut server) = self.server.take() {
            // runuser and the server it started: the whole process group.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", server.id())])
                .status();
            let _ = server.wait();
        }
        let _ = Command::new("pkill").args(["-KILL", "-u", "phonghop"]).status();
        let _ = Command::new("dpkg").arg("--purge").args(PACKAGES).status();
        let _ = Command::new("userdel").arg("phonghop").status();
        let _ = std::fs::remove_dir_all("/var/lib/phonghop");
    }
}

/// Runs the checks; how many passed (it stops at the first that fails).
pub fn check(root: &Path) -> Result<u64> {
    let packages = bundle::build(true)?;
    let mut passed = 0u64;
    let mut pass = |what: &str| {
        passed += 1;
        println!("✔ {what}");
    };
    let mut installed = Installed { server: None };
    let output = Command::new("dpkg")
        .arg("-i")
        .arg(&packages.server_deb)
        .arg(&packages.app_deb)
        .output()
        .context("running dpkg -i")?;
    ensure!(
        output.status.success(),
        "dpkg -i failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    pass("dpkg -i installs the server's and the app's .deb");

    let user = text(Command::new("getent").args(["passwd", "phonghop"]))?;
    ensure!(
        user.contains(":/var/lib/phonghop:/usr/sbin/nologin"),
        "the phonghop user: {user:?}"
    );
    let uid = text(Command::new("id").args(["-u", "phonghop"]))?;
    let data = std::fs::metadata("/var/lib/phonghop").context("/var/lib/phonghop")?;
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        ensure!(
            data.uid().to_string() == uid.trim(),
            "/var/lib/phonghop is not phonghop's"
        );
        ensure!(
            data.permissions().mode() & 0o777 == 0o750,
            "/var/lib/phonghop is not 0750"
        );
    }
    pass("the package made the system user phonghop and its data folder /var/lib/phonghop (0750)");

    let unit = "/lib/systemd/system/phonghop-server.service";
    let verified = Command::new("systemd-analyze").args(["verify", unit]).output()?;
    ensure!(
        verified.status.success(),
        "systemd-analyze verify: {}",
        String::from_utf8_lossy(&verified.stderr)
    );
    pass("systemd-analyze verify accepts the unit");

    let csv = std::env::temp_dir().join("phonghop-install-check.csv");
    std::fs::copy(root.join("assets/demo/dai-bieu.csv"), &csv)?;
    let imported = Command::new("runuser")
        .args(["-u", "phonghop", "--", "/usr/bin/phonghop-server", "import-councillors"])
        .args(["--data", "/var/lib/phonghop", "--csv"])
        .arg(&csv)
        .args(["--password", DEMO_PASSWORD])
        .output()?;
    ensure!(
        imported.status.success(),
        "import-councillors: {}",
        String::from_utf8_lossy(&imported.stderr)
    );
    pass("the installed server imports the councillors as user phonghop");

    let port = free_port()?;
    let argv = unit_command(unit, "/etc/phonghop/phonghop-server.conf", &format!("0.0.0.0:{port}"))?;
    let mut serve = Command::new("runuser");
    std::os::unix::process::CommandExt::process_group(&mut serve, 0);
    serve
        .args(["-u", "phonghop", "--"])
        .args(&argv)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = serve.spawn().context("starting the installed server")?;
    let stdout = child.stdout.take().context("the server's output")?;
    installed.server = Some(child);
    let (fingerprint, url) = started(stdout)?;
    ensure!(url == format!("https://0.0.0.0:{port}"), "the server listens at {url}");
    pass("the server starts as its unit says (settings file, user phonghop) and serves HTTPS");

    let health = text(Command::new("curl").args([
        "--silent",
        "--insecure",
        "--max-time",
        "10",
        &format!("https://127.0.0.1:{port}/api/health"),
    ]))?;
    ensure!(health == "ok", "GET /api/health over HTTPS answered {health:?}");
    let plain = Command::new("curl")
        .args([
            "--silent",
            "--max-time",
            "10",
            &format!("http://127.0.0.1:{port}/api/health"),
        ])
        .output()?;
    ensure!(
        !plain.status.success() || plain.stdout.is_empty(),
        "plain HTTP was answered: {}",
        String::from_utf8_lossy(&plain.stdout)
    );
    pass("the installed server answers over TLS on its port, and plain HTTP gets nothing");

    let help = Command::new("/usr/bin/phonghop-app")
        .arg("--help")
        .env_remove("PHONGHOP_PDFIUM")
        .env_remove("DISPLAY")
        .output()?;
    let said = String::from_utf8_lossy(&help.stdout);
    ensure!(
        help.status.success() && said.contains("--server URL"),
        "phonghop-app --help: {said}"
    );
    ensure!(
        said.contains("PDFium: /usr/lib/phonghop-app/libpdfium.so"),
        "the app does not find the libpdfium of its package: {said}"
    );
    pass("phonghop-app --help lists its options and finds the package's libpdfium");

    let headless = Command::new("/usr/bin/phonghop-app")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()?;
    let said = String::from_utf8_lossy(&headless.stderr);
    ensure!(
        headless.status.code() == Some(1) && said.contains("cannot open a display") && !said.contains("panicked"),
        "the installed app without a display: {said}"
    );
    pass("without a display the installed app says so in words");

    let work = target_dir()?.join("installed-app");
    let screenshots = target_dir()?.join("ui-e2e/screenshots");
    std::fs::create_dir_all(&screenshots)?;
    let environment = AppEnvironment::start(&work, None, false)?;
    let (ok, output) = sh_capturing(
        &root.join("tests/ui-e2e"),
        "node",
        &["installed-app.mjs"],
        &[
            ("PHONGHOP_APP", "/usr/bin/phonghop-app"),
            ("PHONGHOP_SERVER_URL", &format!("https://127.0.0.1:{port}")),
            ("PHONGHOP_FINGERPRINT", &fingerprint),
            ("PHONGHOP_USERNAME", "db002"),
            ("PHONGHOP_PASSWORD", DEMO_PASSWORD),
            ("PHONGHOP_SCREENSHOTS", &screenshots.to_string_lossy()),
        ],
    )?;
    drop(environment);
    ensure!(ok, "the installed app under Xvfb (see above)");
    passed += output.lines().filter(|line| line.starts_with('✔')).count() as u64;
    drop(installed);
    Ok(passed)
}

/// A command's standard output, which must succeed.
fn text(command: &mut Command) -> Result<String> {
    let output = command.output().with_context(|| format!("running {command:?}"))?;
    if !output.status.success() {
        bail!("{command:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// The unit's `ExecStart` as systemd would run it: `${NAME}` and `$NAME` from the settings file,
/// with `PHONGHOP_LISTEN` set to `listen` (a free port here).
fn unit_command(unit: &str, settings: &str, listen: &str) -> Result<Vec<String>> {
    let unit = std::fs::read_to_string(unit)?;
    ensure!(
        unit.lines().any(|line| line == format!("EnvironmentFile={settings}")),
        "the unit does not read {settings}"
    );
    let exec = unit
        .lines()
        .find_map(|line| line.strip_prefix("ExecStart="))
        .context("the unit has no ExecStart")?;
    let mut values = std::collections::HashMap::new();
    for line in std::fs::read_to_string(settings)?.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if let Some((name, value)) = line.split_once('=') {
            values.insert(name.trim().to_owned(), value.trim().to_owned());
        }
    }
    ensure!(
        values.contains_key("PHONGHOP_LISTEN"),
        "the settings name no PHONGHOP_LISTEN"
    );
    values.insert("PHONGHOP_LISTEN".into(), listen.to_owned());
    let mut argv = Vec::new();
    for word in exec.split_whitespace() {
        let name = word
            .trim_start_matches('$')
            .trim_start_matches('{')
            .trim_end_matches('}');
        if word.starts_with("${") {
            argv.push(values.get(name).cloned().unwrap_or_default());
        } else if word.starts_with('$') {
            // `$NAME` splits into words, an empty value into none.
            argv.extend(
                values
                    .get(name)
                    .into_iter()
                    .flat_map(|value| value.split_whitespace().map(str::to_owned)),
            );
        } else {
            argv.push(word.to_owned());
        }
    }
    Ok(argv)
}

/// Reads the starting server's output for its fingerprint and address (in a thread, up to 60 s).
fn started(stdout: std::process::ChildStdout) -> Result<(String, String)> {
    let (tell, told) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut fingerprint = None;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(hex) = line.strip_prefix("PHONGHOP_FINGERPRINT ") {
                fingerprint = Some(hex.trim().to_owned());
            }
            if let Some(url) = line.strip_prefix("PHONGHOP_LISTENING ") {
                let _ = tell.send((fingerprint.clone().unwrap_or_default(), url.trim().to_owned()));
            }
        }
    });
    let (fingerprint, url) = told
        .recv_timeout(Duration::from_secs(60))
        .context("the installed server did not say it listens within 60 s")?;
    ensure!(fingerprint.len() == 64, "no fingerprint printed before listening");
    Ok((fingerprint, url))
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
