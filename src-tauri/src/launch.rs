//! Command-line options of the app: `--server URL` pre-fills the login form, `--data-dir DIR`
//! moves the document cache (tests use a fresh one), `--auto-login` logs in without the form
//! (tests and benchmarks), `--keep-documents-days` how long an unused meeting's documents stay.
//! `--help` prints [`USAGE`].

use std::path::PathBuf;

/// What `phonghop-app --help` prints.
pub const USAGE: &str = "\
Phòng họp không giấy / paperless meeting room — the councillor's app

Usage: phonghop-app [OPTIONS]

Options:
  --server URL      pre-fills the server address of the login form (a province's server of
                    several instances: their addresses, separated by spaces)
                    (default: the environment variable PHONGHOP_SERVER_URL)
  --username NAME   pre-fills the username
  --data-dir DIR    keeps the document cache in DIR instead of the app's data folder
  --reconfirm-after MINUTES
                    asks for the password again before a secret ballot once the app has been
                    left untouched this long (default 5; 0 asks before every secret ballot)
  --keep-documents-days DAYS
                    removes at start the documents of every meeting not opened or synced for
                    DAYS days (default 30; 0 keeps them until removed by hand)
  --auto-login      logs in at start as --username on --server, with the password in the
                    environment variable PHONGHOP_PASSWORD (never on the command line, where
                    every process could read it), and opens the meeting if there is only one;
                    for tests and benchmarks. A refused login shows the login form and why.
  -h, --help        prints this help

Standard output: the first time the agenda is on screen the app prints one line,
  PHONGHOP_AGENDA_VISIBLE <milliseconds since the app started>
";

/// Minutes untouched after which a secret ballot asks for the password again, by default.
pub const DEFAULT_RECONFIRM_AFTER_MINUTES: u32 = 5;

/// Days after which a meeting neither opened nor synced leaves the laptop, by default.
pub const DEFAULT_KEEP_DOCUMENTS_DAYS: u32 = 30;

/// The environment variable holding the password for `--auto-login`.
pub const PASSWORD_VARIABLE: &str = "PHONGHOP_PASSWORD";

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LaunchOptions {
    pub server: Option<String>,
    pub username: Option<String>,
    pub data_dir: Option<PathBuf>,
    /// Minutes untouched after which a secret ballot asks for the password again.
    pub reconfirm_after_minutes: u32,
    /// Days a meeting neither opened nor synced keeps its documents on the laptop; 0: forever.
    pub keep_documents_days: u32,
    /// Given only when `--auto-login` came with everything a login needs.
    pub auto_login: Option<AutoLogin>,
}

/// Who logs in by themselves at start, and where.
#[derive(Clone, PartialEq)]
pub struct AutoLogin {
    pub server: String,
    pub username: String,
    pub password: String,
}

/// The password stays out of logs and panics.
impl std::fmt::Debug for AutoLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AutoLogin")
            .field("server", &self.server)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub enum Launch {
    Run(LaunchOptions),
    Help,
}

impl LaunchOptions {
    /// Reads the arguments (without the program name) and the environment through `variable`.
    /// Unknown arguments are ignored: the platform may add its own.
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        variable: impl Fn(&str) -> Option<String>,
    ) -> Result<Launch, String> {
        let mut options = LaunchOptions {
            server: variable("PHONGHOP_SERVER_URL"),
            reconfirm_after_minutes: DEFAULT_RECONFIRM_AFTER_MINUTES,
            keep_documents_days: DEFAULT_KEEP_DOCUMENTS_DAYS,
            ..LaunchOptions::default()
        };
        let mut auto_login = false;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--server" => options.server = args.next(),
                "--username" => options.username = args.next(),
                "--data-dir" => options.data_dir = args.next().map(PathBuf::from),
                "--auto-login" => auto_login = true,
                "--reconfirm-after" => {
                    let given = args.next().unwrap_or_default();
                    options.reconfirm_after_minutes = given
                        .parse()
                        .map_err(|_| format!("--reconfirm-after takes whole minutes, not {given:?}"))?;
                }
                "--keep-documents-days" => {
                    let given = args.next().unwrap_or_default();
                    options.keep_documents_days = given
                        .parse()
                        .map_err(|_| format!("--keep-documents-days takes whole days, not {given:?}"))?;
                }
                "-h" | "--help" => return Ok(Launch::Help),
                _ => {}
            }
        }
        if auto_login {
            let (Some(server), Some(username), Some(password)) = (
                options.server.clone(),
                options.username.clone(),
                variable(PASSWORD_VARIABLE),
            ) else {
                return Err(format!(
                    "--auto-login needs --server, --username and the password in {PASSWORD_VARIABLE}"
                ));
            };
            options.auto_login = Some(AutoLogin {
                server,
                username,
                password,
            });
        }
        Ok(Launch::Run(options))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str], variables: &[(&str, &str)]) -> Result<Launch, String> {
        let variables: Vec<(String, String)> = variables
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        LaunchOptions::parse(args.iter().map(|arg| arg.to_string()), |name| {
            variables
                .iter()
                .find(|(variable, _)| variable == name)
                .map(|(_, value)| value.clone())
        })
    }

    #[test]
    fn options_are_read_from_arguments() {
        let options = parse(
            &["--server", "http://10.0.0.2:8080", "--data-dir", "/tmp/x", "--unknown"],
            &[],
        );
        let Ok(Launch::Run(options)) = options else {
            panic!("options run the app: {options:?}")
        };
        assert_eq!(options.server.as_deref(), Some("http://10.0.0.2:8080"));
        assert_eq!(options.data_dir, Some(PathBuf::from("/tmp/x")));
        assert_eq!(options.auto_login, None);
        assert_eq!(options.reconfirm_after_minutes, DEFAULT_RECONFIRM_AFTER_MINUTES);
    }

    #[test]
    fn reconfirm_after_takes_whole_minutes() {
        let Ok(Launch::Run(options)) = parse(&["--reconfirm-after", "0"], &[]) else {
            panic!("a number of minutes runs the app")
        };
        assert_eq!(options.reconfirm_after_minutes, 0);
        assert!(parse(&["--reconfirm-after", "soon"], &[]).is_err());
    }

    #[test]
    fn keep_documents_days_takes_whole_days() {
        let Ok(Launch::Run(options)) = parse(&["--keep-documents-days", "7"], &[]) else {
            panic!("a number of days runs the app")
        };
        assert_eq!(options.keep_documents_days, 7);
        let Ok(Launch::Run(default)) = parse(&[], &[]) else {
            panic!("no options run the app")
        };
        assert_eq!(default.keep_documents_days, DEFAULT_KEEP_DOCUMENTS_DAYS);
        assert!(parse(&["--keep-documents-days", "-1"], &[]).is_err());
    }

    #[test]
    fn auto_login_takes_the_password_from_the_environment_only() {
        let launch = parse(
            &["--server", "http://s:8080", "--username", "db003", "--auto-login"],
            &[(PASSWORD_VARIABLE, "hop-khong-giay")],
        );
        let Ok(Launch::Run(options)) = launch else {
            panic!("options run the app: {launch:?}")
        };
        assert_eq!(
            options.auto_login,
            Some(AutoLogin {
                server: "http://s:8080".into(),
                username: "db003".into(),
                password: "hop-khong-giay".into(),
            })
        );
        assert!(
            !format!("{options:?}").contains("hop-khong-giay"),
            "the password is never printed"
        );
    }

    #[test]
    fn auto_login_without_what_it_needs_is_refused() {
        let no_password = parse(&["--server", "http://s", "--username", "db003", "--auto-login"], &[]);
        assert!(no_password.is_err_and(|error| error.contains(PASSWORD_VARIABLE)));
        let no_username = parse(&["--server", "http://s", "--auto-login"], &[(PASSWORD_VARIABLE, "p")]);
        assert!(no_username.is_err());
        let from_environment = parse(
            &["--username", "db003", "--auto-login"],
            &[("PHONGHOP_SERVER_URL", "http://s"), (PASSWORD_VARIABLE, "p")],
        );
        assert!(matches!(
            from_environment,
            Ok(Launch::Run(LaunchOptions {
                auto_login: Some(_),
                ..
            }))
        ));
    }

    #[test]
    fn help_wins_over_everything_else() {
        assert_eq!(parse(&["--server", "http://s", "--help"], &[]), Ok(Launch::Help));
        assert_eq!(parse(&["-h", "--auto-login"], &[]), Ok(Launch::Help));
    }
}
