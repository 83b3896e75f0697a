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
    /// Why a figure stands alone or what it leaves out, when it needs saying.
    pub note: Option<String>,
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
            note: None,
        }
    }

    pub fn beside(mut self, name: &'static str, baseline: f64) -> Figure {
        self.baseline_name = Some(name);
        self.baseline = Some(baseline);
        self.ratio = (baseline != 0.0).then(|| round(self.phonghop / baseline, 3));
        self
    }

    /// Sets the baseline when there is one; otherwise the figure says why it stands alone.
    pub fn beside_or(self, name: &'static str, baseline: Result<f64, &str>) -> Figure {
        match baseline {
            Ok(baseline) => self.beside(name, baseline),
            Err(missing) => self.note(format!("no baseline: {missing}")),
        }
    }

    pub fn note(mut self, note: impl Into<String>) -> Figure {
        self.note = Some(note.into());
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

/// Resident memory of a process and every process below it (a WebKit app's web and network
/// processes), summed: shared pages are counted once per process.
pub fn tree_resident_bytes(pid: u32) -> anyhow::Result<u64> {
    let mut total = resident_bytes(pid)?;
    for child in descendants(pid) {
        // A child may end between listing and reading.
        total += resident_bytes(child).unwrap_or(0);
    }
    Ok(total)
}

/// Proportional memory (`Pss` of `/proc/PID/smaps_rollup`) of a process and its descendants:
/// each shared page divided among the processes sharing it.
pub fn tree_proportional_bytes(pid: u32) -> anyhow::Result<u64> {
    let pss = |pid: u32| -> anyhow::Result<u64> {
        let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))?;
        let kib: u64 = rollup
            .lines()
            .find_map(|line| line.strip_prefix("Pss:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| anyhow::anyhow!("no Pss for process {pid}"))?;
        Ok(kib * 1024)
    };
    let mut total = pss(pid)?;
    for child in descendants(pid) {
        total += pss(child).unwrap_or(0);
    }
    Ok(total)
}

/// Every process below `pid`, from the parent ids in `/proc/*/stat`.
fn descendants(pid: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(child) = entry.file_name().to_str().and_then(|name| name.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The command name in parentheses may hold spaces; the parent id is the second field after it.
        let parent = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|field| field.parse::<u32>().ok());
        if let Some(parent) = parent {
            parents.push((child, parent));
        }
    }
    let mut found = vec![pid];
    let mut next = 0;
    while next < found.len() {
        let parent = found[next];
        found.extend(parents.iter().filter(|(_, p)| *p == parent).map(|(child, _)| *child));
        next += 1;
    }
    found.remove(0);
    found
}

/// Decimal megabytes per second.
pub fn megabytes_per_second(bytes: u64, took: Duration) -> f64 {
    round(bytes as f64 / 1e6 / took.as_secs_f64(), 1)
}

/// The median of `samples` (the lower middle for an even count).
pub fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len().saturating_sub(1) / 2).copied().unwrap_or(0.0)
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

    #[test]
    fn the_median_is_the_lower_middle() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.0);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn this_process_has_no_descendants_until_it_starts_one() {
        let own = std::process::id();
        assert!(!descendants(own).contains(&own));
        // `cat` lives until its input closes.
        let mut child = std::process::Command::new("cat")
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let found = descendants(own).contains(&child.id());
        drop(child.stdin.take());
        child.wait().unwrap();
        assert!(found, "the child is found below this process");
    }
}
