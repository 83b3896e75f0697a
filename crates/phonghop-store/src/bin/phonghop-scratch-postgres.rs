//! `phonghop-scratch-postgres`: a PostgreSQL cluster of its own for a test or benchmark run
//! (`phonghop_store::scratch_postgres`). It prints `PHONGHOP_TEST_POSTGRES <url>` once the
//! cluster accepts connections, keeps it until its standard input closes (the run that started
//! it ended, however), then stops it and removes its folder.

use std::io::Read;

use phonghop_store::scratch_postgres::{ScratchCluster, SHARED_CLUSTER_VARIABLE};

fn main() -> std::process::ExitCode {
    let cluster = match ScratchCluster::start() {
        Ok(cluster) => cluster,
        Err(error) => {
            eprintln!("phonghop-scratch-postgres: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("{SHARED_CLUSTER_VARIABLE} {}", cluster.base_url());
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
    drop(cluster);
    std::process::ExitCode::SUCCESS
}
