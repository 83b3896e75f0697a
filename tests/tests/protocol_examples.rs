//! docs/protocol.md is a contract: this test reads its worked example (section 9) and plays every
//! request and frame in it against a real demo server, failing when an answer differs from the
//! document. How the blocks are written is explained at the top of that section.
//!
//! The ErrorCode table of section 7 is checked against the server's enum as well.

use std::collections::HashMap;

use anyhow::{bail, ensure, Context, Result};
use futures_util::{SinkExt, StreamExt};
use phonghop_journeys::{repository_file, within, ServerOptions, TestServer};
use phonghop_protocol::error::IntoEnumIterator;
use phonghop_protocol::ErrorCode;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One line of a walked block (with its continuation lines).
#[derive(Debug, Clone)]
struct Step {
    actor: String,
    direction: Direction,
    text: String,
    /// Where it stands in the document, for failure messages.
    line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// `→`: the actor's client sends.
    Sends,
    /// `←`: the actor's client receives.
    Receives,
    /// `✕`: the actor's WebSocket closes.
    Closes,
}

/// The walked blocks of section 9: fenced blocks without an info string.
fn section_nine_steps(document: &str) -> Result<Vec<Step>> {
    let start = document
        .find("\n## 9. Worked example session")
        .context("docs/protocol.md has no section 9")?;
    let mut steps: Vec<Step> = Vec::new();
    let mut in_block = false;
    let mut walked = false;
    let first_line = document[..start].lines().count() + 1;
    for (offset, line) in document[start..].lines().enumerate() {
        if let Some(info) = line.strip_prefix("```") {
            if in_block {
                in_block = false;
            } else {
                in_block = true;
                walked = info.trim().is_empty();
            }
            continue;
        }
        if !in_block || !walked || line.trim().is_empty() {
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            let last = steps
                .last_mut()
                .context("a continuation line with nothing to continue")?;
            last.text.push(' ');
            last.text.push_str(line.trim());
            continue;
        }
        let (actor, rest) = line.split_once(' ').context("a step is `actor → …`")?;
        let (direction, text) = if let Some(text) = rest.strip_prefix("→ ") {
            (Direction::Sends, text)
        } else if let Some(text) = rest.strip_prefix("← ") {
            (Direction::Receives, text)
        } else if rest.trim() == "✕" {
            (Direction::Closes, "")
        } else {
            bail!("line {}: expected `→`, `←` or `✕` after {actor:?}", first_line + offset);
        };
        steps.push(Step {
            actor: actor.to_owned(),
            direction,
            text: text.trim().to_owned(),
            line: first_line + offset,
        });
    }
    Ok(steps)
}

/// The names in angle brackets and the values they stand for.
#[derive(Default)]
struct Names(HashMap<String, Value>);

fn name_of(value: &Value) -> Option<&str> {
    value
        .as_str()
        .filter(|text| text.starts_with('<') && text.ends_with('>') && text.len() > 2)
}

impl Names {
    /// `expected` from the document against `actual` from the server: equal, with every name
    /// standing for (and, the first time, taking) the value in its place.
    fn check(&mut self, expected: &Value, actual: &Value, path: &str) -> Result<()> {
        if let Some(name) = name_of(expected) {
            return match self.0.get(name) {
                Some(known) => {
                    ensure!(known == actual, "{path}: {name} was {known}, now {actual}");
                    Ok(())
                }
                None => {
                    self.0.insert(name.to_owned(), actual.clone());
                    Ok(())
                }
            };
        }
        match (expected, actual) {
            (Value::Object(expected), Value::Object(actual)) => {
                let mut expected_keys: Vec<&String> = expected.keys().collect();
                let mut actual_keys: Vec<&String> = actual.keys().collect();
                expected_keys.sort();
                actual_keys.sort();
                ensure!(
                    expected_keys == actual_keys,
                    "{path}: the document has the fields {expected_keys:?}, the server sent {actual_keys:?}"
                );
                for (key, value) in expected {
                    self.check(value, &actual[key], &format!("{path}.{key}"))?;
                }
                Ok(())
            }
            (Value::Array(expected), Value::Array(actual)) => {
                ensure!(
                    expected.len() == actual.len(),
                    "{path}: the document has {} elements, the server sent {}",
                    expected.len(),
                    actual.len()
                );
                for (index, (expected, actual)) in expected.iter().zip(actual).enumerate() {
                    self.check(expected, actual, &format!("{path}[{index}]"))?;
                }
                Ok(())
            }
            _ => {
                ensure!(
                    expected == actual,
                    "{path}: the document says {expected}, the server sent {actual}"
                );
                Ok(())
            }
        }
    }

    /// A value the client sends, with every name replaced by what it stands for.
    fn fill(&self, value: &Value) -> Result<Value> {
        if let Some(name) = name_of(value) {
            return self
                .0
                .get(name)
                .cloned()
                .with_context(|| format!("{name} is used before it is known"));
        }
        Ok(match value {
            Value::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(key, value)| Ok((key.clone(), self.fill(value)?)))
                    .collect::<Result<_>>()?,
            ),
            Value::Array(values) => Value::Array(values.iter().map(|value| self.fill(value)).collect::<Result<_>>()?),
            other => other.clone(),
        })
    }
}

/// The server's frames to one client, read one at a time.
async fn next_frame(socket: &mut Socket) -> Result<Value> {
    loop {
        let message = within("a frame from the server", socket.next())
            .await?
            .context("the server closed the WebSocket")??;
        if let Message::Text(text) = message {
            return serde_json::from_str(text.as_str()).context("the server sent a frame that is not JSON");
        }
    }
}

fn is_tally(frame: &Value) -> bool {
    frame.get("type").and_then(Value::as_str) == Some("tally")
}

struct Walk {
    server: TestServer,
    http: reqwest::Client,
    sockets: HashMap<String, Socket>,
    names: Names,
    /// The answer of the last HTTP request, for the `←` line that follows it.
    answered: Option<(u16, Option<Value>)>,
}

impl Walk {
    async fn socket(&mut self, actor: &str) -> Result<&mut Socket> {
        if !self.sockets.contains_key(actor) {
            let url = format!("ws{}/ws", self.server.url().trim_start_matches("http"));
            let (socket, _) = within(
                "the WebSocket handshake",
                tokio_tungstenite::connect_async(url.as_str()),
            )
            .await??;
            self.sockets.insert(actor.to_owned(), socket);
        }
        Ok(self.sockets.get_mut(actor).expect("just opened"))
    }

    async fn send(&mut self, step: &Step) -> Result<()> {
        if step.text.starts_with('{') {
            let frame = self.names.fill(&serde_json::from_str(&step.text)?)?;
            let socket = self.socket(&step.actor).await?;
            return socket
                .send(Message::text(frame.to_string()))
                .await
                .context("sending a frame");
        }
        let mut parts = step.text.splitn(3, ' ');
        let method = parts.next().unwrap_or_default();
        let path = parts.next().context("an HTTP step names a path")?;
        let body = parts.next().map(serde_json::from_str::<Value>).transpose()?;
        let url = format!("{}{path}", self.server.url());
        let mut request = match method {
            "GET" => self.http.get(url),
            "POST" => self.http.post(url),
            other => bail!("unknown method {other}"),
        };
        if let Some(token) = self
            .names
            .0
            .get(&format!("<{} token>", step.actor))
            .and_then(Value::as_str)
        {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&self.names.fill(&body)?);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        let body = if bytes.is_empty() {
            None
        } else {
            Some(serde_json::from_slice(&bytes)?)
        };
        self.answered = Some((status, body));
        Ok(())
    }

    /// Checks a run of `←` lines of one actor. An HTTP answer is the last request's; frames are
    /// read in order, except that `tally` frames may come anywhere in the run.
    async fn receive(&mut self, run: &[Step]) -> Result<()> {
        let first = &run[0];
        if first.text.starts_with(|c: char| c.is_ascii_digit()) {
            let (status, body) = self.answered.take().context("an HTTP answer without a request")?;
            let (expected_status, expected_body) = first.text.split_once(' ').unwrap_or((&first.text, ""));
            ensure!(
                status.to_string() == expected_status,
                "HTTP {status}, the document says {expected_status}"
            );
            if !expected_body.is_empty() {
                let actual = body.context("the answer has no body")?;
                self.names
                    .check(&serde_json::from_str(expected_body)?, &actual, "body")?;
            }
            return Ok(());
        }
        let expected: Vec<Value> = run
            .iter()
            .map(|step| serde_json::from_str(&step.text).with_context(|| format!("line {}", step.line)))
            .collect::<Result<_>>()?;
        let mut in_order: std::collections::VecDeque<&Value> =
            expected.iter().filter(|frame| !is_tally(frame)).collect();
        let mut tallies: Vec<&Value> = expected.iter().filter(|frame| is_tally(frame)).collect();
        while !in_order.is_empty() || !tallies.is_empty() {
            let frame = next_frame(self.socket(&first.actor).await?).await?;
            if is_tally(&frame) {
                let position = tallies
                    .iter()
                    .position(|expected| Names::default().check(expected, &frame, "tally").is_ok())
                    .with_context(|| format!("an unexpected tally {frame}"))?;
                let expected = tallies.remove(position);
                self.names.check(expected, &frame, "tally")?;
            } else {
                let expected = in_order
                    .pop_front()
                    .with_context(|| format!("an unexpected frame {frame}"))?;
                self.names.check(expected, &frame, "frame")?;
            }
        }
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worked_example_of_the_protocol_document_is_what_the_server_does() -> Result<()> {
    let document = std::fs::read_to_string(repository_file("docs/protocol.md"))?;
    let steps = section_nine_steps(&document)?;
    ensure!(steps.len() > 40, "only {} steps in section 9", steps.len());
    let mut walk = Walk {
        server: TestServer::start_with(ServerOptions::demo()).await?,
        http: reqwest::Client::new(),
        sockets: HashMap::new(),
        names: Names::default(),
        answered: None,
    };
    let mut index = 0;
    while index < steps.len() {
        let step = &steps[index];
        let outcome = match step.direction {
            Direction::Sends => {
                index += 1;
                walk.send(step).await
            }
            Direction::Closes => {
                index += 1;
                match walk.sockets.remove(&step.actor) {
                    Some(mut socket) => socket.close(None).await.context("closing the WebSocket"),
                    None => Err(anyhow::anyhow!("{} has no WebSocket to close", step.actor)),
                }
            }
            Direction::Receives => {
                let run_end = steps[index..]
                    .iter()
                    .position(|next| next.direction != Direction::Receives || next.actor != step.actor)
                    .map_or(steps.len(), |length| index + length);
                let run = steps[index..run_end].to_vec();
                index = run_end;
                walk.receive(&run).await
            }
        };
        outcome.with_context(|| format!("docs/protocol.md line {}: {} {}", step.line, step.actor, step.text))?;
    }
    // Nothing the document leaves out is waiting on any connection.
    for (actor, socket) in &mut walk.sockets {
        socket.send(Message::text(r#"{"v":1,"type":"ping"}"#)).await?;
        let frame = next_frame(socket).await?;
        ensure!(
            frame["type"] == "pong",
            "{actor} received a frame the document does not show: {frame}"
        );
    }
    Ok(())
}

/// Section 7 lists every error code with its HTTP status and both messages, as the server sends
/// them.
#[test]
fn the_error_code_table_lists_every_code_as_the_server_sends_it() -> Result<()> {
    let document = std::fs::read_to_string(repository_file("docs/protocol.md"))?;
    let start = document.find("\n## 7. Error codes").context("no section 7")?;
    let end = document.find("\n## 8.").context("no section 8")?;
    let rows: HashMap<String, Vec<String>> = document[start..end]
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            let cells: Vec<String> = line.split('|').map(|cell| cell.trim().to_owned()).collect();
            (cells[1].trim_matches('`').to_owned(), cells)
        })
        .collect();
    for code in ErrorCode::iter() {
        let name = serde_json::to_value(code)?.as_str().unwrap_or_default().to_owned();
        let row = rows
            .get(&name)
            .with_context(|| format!("section 7 has no row for {name}"))?;
        ensure!(
            row[2] == code.http_status().to_string(),
            "{name}: status {} in the document",
            row[2]
        );
        ensure!(row[3] == code.message_vi(), "{name}: the Vietnamese message differs");
        ensure!(row[4] == code.message_en(), "{name}: the English message differs");
    }
    Ok(())
}
