//! [`LoadBalancer`]: Debian's nginx in front of a province's instances, started with the
//! repository's own example configuration (`installer/load-balancer/phonghop-nginx-stream.conf`),
//! only its addresses changed for the test: what docs/deploy.md tells an operator to install.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use tokio::process::{Child, Command};

/// Where Debian puts nginx, and its stream module.
const NGINX: &str = "/usr/sbin/nginx";
const STREAM_MODULE: &str = "/usr/lib/nginx/modules/ngx_stream_module.so";

/// The example's placeholders: two instances and the address it listens on.
const EXAMPLE_INSTANCES: [&str; 2] = ["server 10.0.0.11:8443", "server 10.0.0.12:8443"];
const EXAMPLE_LISTEN: &str = "listen 8443;";

pub struct LoadBalancer {
    child: Child,
    /// `host:port` the laptops are given.
    pub address: String,
    folder: tempfile::TempDir,
}

impl LoadBalancer {
    /// Starts nginx with the example configuration, its two instances being `instances`
    /// (`host:port` each).
    pub async fn start(instances: [&str; 2]) -> Result<LoadBalancer> {
        ensure!(
            Path::new(NGINX).is_file() && Path::new(STREAM_MODULE).is_file(),
            "nginx and its stream module are not installed (Debian: nginx libnginx-mod-stream; `cargo xtask setup` installs them)"
        );
        let example = std::fs::read_to_string(crate::repository_file(
            "installer/load-balancer/phonghop-nginx-stream.conf",
        ))?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut site = example.clone();
        for (placeholder, instance) in EXAMPLE_INSTANCES.iter().zip(instances) {
            ensure!(
                site.contains(placeholder),
                "the example no longer names `{placeholder}`"
            );
            site = site.replace(placeholder, &format!("server {instance}"));
        }
        ensure!(
            site.contains(EXAMPLE_LISTEN),
            "the example no longer says `{EXAMPLE_LISTEN}`"
        );
        site = site.replace(EXAMPLE_LISTEN, &format!("listen 127.0.0.1:{port};"));
        let folder = tempfile::Builder::new().prefix("phonghop-nginx-").tempdir()?;
        std::fs::write(folder.path().join("phonghop-stream.conf"), site)?;
        // What Debian's nginx.conf and modules-enabled/ hold, reduced to a test's needs, with the
        // example included as the documentation says.
        let main = format!(
            "load_module {STREAM_MODULE};\ndaemon off;\nworker_processes 1;\npid {pid};\nerror_log {log} info;\nevents {{ worker_connections 1024; }}\ninclude {site};\n",
            pid = folder.path().join("nginx.pid").display(),
            log = folder.path().join("error.log").display(),
            site = folder.path().join("phonghop-stream.conf").display(),
        );
        let config = folder.path().join("nginx.conf");
        std::fs::write(&config, main)?;
        let mut child = Command::new(NGINX)
            .arg("-p")
            .arg(folder.path())
            .arg("-c")
            .arg(&config)
            .arg("-e")
            .arg(folder.path().join("error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("starting nginx")?;
        // nginx says nothing when it is ready: it is once it accepts connections.
        let listening = async {
            loop {
                if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                    return Ok(());
                }
                if let Some(status) = child.try_wait()? {
                    let log = std::fs::read_to_string(folder.path().join("error.log")).unwrap_or_default();
                    bail!("nginx stopped ({status}): {}", log.trim());
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        };
        tokio::time::timeout(crate::TIMEOUT, listening)
            .await
            .context("nginx did not listen in time")??;
        Ok(LoadBalancer {
            child,
            address: format!("127.0.0.1:{port}"),
            folder,
        })
    }

    /// nginx's error log, to explain a failing test.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.folder.path().join("error.log")).unwrap_or_default()
    }
}

impl Drop for LoadBalancer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}
