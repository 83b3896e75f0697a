//! `phonghop-bench`: measures phonghop where the hall feels it, each figure beside a baseline
//! measured in the same run (these machines are noisy: compare ratios, not absolute times), and
//! prints one JSON object per figure on standard output.
//!
//! Layout:
//! - [`report`]: the JSON line of one figure, and percentiles.
//! - [`server`]: the real `phonghop-server` (built beside this program) with bench councillors,
//!   a meeting, logins.
//! - [`clients`]: simulated councillors on raw WebSockets.
//! - [`bare`]: the baselines' own servers (a bare tokio-tungstenite broadcast and echo server),
//!   run as a child process of this program.
//! - [`renderers`]: the render scenario's baselines (pdf.js in Node, `mutool draw`), run as child
//!   processes.
//! - [`nginx`]: the download baseline, Debian's nginx as a child process with its own configuration.
//! - [`follower`]: a subscriber keeping the meeting's state from the frames, refusing a gap.
//! - scenarios: [`fanout`], [`vote_storm`], [`kill_storm`], [`faults`], [`render`], [`doc_sync`],
//!   [`province`], [`cold_start`].
//!
//! `--smoke` runs a scenario tiny, to prove it works end to end (`cargo xtask test` does that);
//! its numbers mean nothing.

mod bare;
mod clients;
mod cold_start;
mod doc_sync;
mod fanout;
mod faults;
mod follower;
mod kill_storm;
mod nginx;
mod province;
mod render;
mod renderers;
mod report;
mod server;
mod vote_storm;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "phonghop-bench",
    about = "phonghop's benchmarks, each beside a same-run baseline"
)]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// One change to N subscribers; subscribes per second; memory per connection.
    Fanout(fanout::Options),
    /// N councillors vote at once: cast → ack, and until every client holds the final tally.
    VoteStorm(vote_storm::Options),
    /// kill -9 in the middle of a vote storm, round after round (named and secret polls): every
    /// acknowledged ballot counted once, the tally equal to the ballots, secret polls unlinkable.
    KillStorm(kill_storm::Options),
    /// Two instances on PostgreSQL: one killed in vote storms, subscribers cut off at random,
    /// PostgreSQL restarted: nothing acknowledged lost, every subscriber equal to the database.
    Faults(faults::Options),
    /// A province: meetings at once and a fan-out on two instances (PostgreSQL), beside one
    /// instance (SQLite).
    Province(province::Options),
    /// A document's pages through the app's page server: first page and pages per second.
    Render(render::Options),
    /// Councillors download a meeting's documents, one after another and all at once, beside nginx.
    DocSync(doc_sync::Options),
    /// The server's and the desktop app's starts: until the first answer, the agenda on screen, and their memory.
    ColdStart(cold_start::Options),
    /// The baselines' bare WebSocket server (started by the scenarios themselves).
    #[command(hide = true)]
    BareServer(bare::Options),
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match cli.scenario {
        Scenario::Fanout(options) => runtime.block_on(fanout::run(options)),
        Scenario::VoteStorm(options) => runtime.block_on(vote_storm::run(options)),
        Scenario::KillStorm(options) => runtime.block_on(kill_storm::run(options)),
        Scenario::Faults(options) => runtime.block_on(faults::run(options)),
        Scenario::Province(options) => runtime.block_on(province::run(options)),
        Scenario::Render(options) => runtime.block_on(render::run(options)),
        Scenario::DocSync(options) => runtime.block_on(doc_sync::run(options)),
        Scenario::ColdStart(options) => runtime.block_on(cold_start::run(options)),
        Scenario::BareServer(options) => runtime.block_on(bare::serve(options)),
    }
}
