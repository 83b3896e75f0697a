//! Command-line options of the app: `--server URL` pre-fills the login form, `--data-dir DIR`
//! moves the document cache (tests use a fresh one).

use std::path::PathBuf;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LaunchOptions {
    pub server: Option<String>,
    pub username: Option<String>,
    pub data_dir: Option<PathBuf>,
}

impl LaunchOptions {
    pub fn from_args(args: impl IntoIterator<Item = String>) -> LaunchOptions {
        let mut options = LaunchOptions {
            server: std::env::var("PHONGHOP_SERVER_URL").ok(),
            ..LaunchOptions::default()
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--server" => options.server = args.next(),
                "--username" => options.username = args.next(),
                "--data-dir" => options.data_dir = args.next().map(PathBuf::from),
                _ => {}
            }
        }
        options
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_read_from_arguments() {
        let args = ["--server", "http://10.0.0.2:8080", "--data-dir", "/tmp/x", "--unknown"].map(String::from);
        let options = LaunchOptions::from_args(args);
        assert_eq!(options.server.as_deref(), Some("http://10.0.0.2:8080"));
        assert_eq!(options.data_dir, Some(PathBuf::from("/tmp/x")));
    }
}
