//! The PostgreSQL cluster one test run's suites share: `phonghop-scratch-postgres` (built with the
//! workspace) started once, its URL handed to every suite in `PHONGHOP_TEST_POSTGRES`, each test
//! making a database of its own there; stopped, and its folder removed, when the run ends.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::built_binary;

pub struct SharedPostgres {
    child: Child,
    /// `postgres://phonghop@127.0.0.1:<port>`, without a database.
    pub url: String,
}

impl SharedPostgres {
    pub fn start() -> Result<SharedPostgres> {
        let program = built_binary("phonghop-scratch-postgres")?;
        let mut child = Command::new(&program)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        let mut first = String::new();
        BufReader::new(child.stdout.take().context("its stdout")?).read_line(&mut first)?;
        let Some(url) = first.trim().strip_prefix("PHONGHOP_TEST_POSTGRES ") else {
            let _ = child.kill();
            bail!("phonghop-scratch-postgres did not start a cluster (it said {first:?})");
        };
        eprintln!("PostgreSQL for the tests: {url}");
        Ok(SharedPostgres {
            url: url.to_owned(),
            child,
        })
    }
}

impl Drop for SharedPostgres {
    fn drop(&mut self) {
        // Its standard input closing tells it to stop the cluster and remove its folder.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}
