//! One figure of a benchmark as a JSON line: what was measured, phonghop's number, the
//! baseline's number from the same run, and their ratio.

use std::time::Duration;

use serde::Serialize;

/// Which way is better for a figure.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Lower,
    Higher,
}

#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub scenario: &'static str,
    pub what: String,
    pub unit: &'static str,
    pub better: Better,
    pub phonghop: f64,
    pub baseline_name: Option<&'static str>,
    pub baseline: Option<f64>,
    /// phonghop ÷ baseline.
    pub ratio: Option<f64>,
    /// The goal the issue set, in words, when there is one.
    pub goal: Option<&'static str>,
    /// The parameters of the run (clients, rounds, …).
    pub parameters: serde_json::Value,
}

impl Figure {
    pub fn new(
        scenario: &'static str,
        what: impl Into<String>,
        unit: &'static str,
        better: Better,
        phonghop: f64,
    ) -> Figure {
        Figure {
            scenario,
            what: what.into(),
            unit,
            better,
            phonghop,
            baseline_name: None,
            baseline: None,
            ratio: None,
            goal: None,
            parameters: serde_json::Value::Null,
        }
    }

    pub fn beside(mut self, name: &'static str, baseline: f64) -> Figure {
        self.baseline_name = Some(name);
        self.baseline = Some(baseline);
        self.ratio = (baseline != 0.0).then(|| round(self.phonghop / baseline, 3));
        self
    }

    pub fn goal(mut self, goal: &'static str) -> Figure {
        self.goal = Some(goal);
        self
    }

    pub fn with(mut self, parameters: serde_json::Value) -> Figure {
        self.parameters = parameters;
        self
    }

    /// Prints the figure as one JSON line.
    pub fn print(self) {
        let line = serde_json::to_string(&self).expect("figures serialize");
        println!("{line}");
    }
}

pub fn round(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

pub fn millis(duration: Duration) -> f64 {
    round(duration.as_secs_f64() * 1000.0, 3)
}

/// The `p`-th percentile (0–100) of `samples`, nearest rank; zero for none.
pub fn percentile(samples: &[Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Resident memory of a process, in bytes (`VmRSS` of `/proc/PID/status`).
pub fn resident_bytes(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no VmRSS for process {pid}"))?;
    Ok(kib * 1024)
}

/// Lets this process (and the servers it starts) open as many files as the machine allows:
/// thousands of WebSockets each need one.
pub fn raise_open_file_limit() -> anyhow::Result<u64> {
    let (_, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE)?;
    rlimit::setrlimit(rlimit::Resource::NOFILE, hard, hard)?;
    Ok(hard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&samples, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&samples, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&samples, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }
}
