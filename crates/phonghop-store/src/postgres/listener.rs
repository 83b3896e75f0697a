//! The instances' notifications: [`notify`] inside the transaction that makes a change, and
//! [`follow`], the task that listens for them and hands each [`Change`] to the server.
//!
//! A notification sent while this instance's listening connection is down is lost for good
//! (PostgreSQL keeps none), so after making the connection again the task says
//! [`Change::Missed`]: the server reads afresh what it holds. It says so only once it is
//! listening again, so nothing committed after that read can slip by unnoticed.

use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool};
use sqlx::PgConnection;
use tokio::sync::mpsc;

use crate::changes::{Change, CHANNEL};
use crate::Result;

/// Changes waiting for the server beyond this make the listener wait (the server coalesces them).
const WAITING: usize = 4096;
/// Between attempts to listen again while the database cannot be reached.
const RETRY: Duration = Duration::from_millis(250);

/// Tells every instance listening about `change` once the transaction of `connection` commits
/// (PostgreSQL sends notifications at commit, in commit order, and drops them on a rollback).
pub(super) async fn notify(connection: &mut PgConnection, change: &Change) -> Result<()> {
    if let Some(payload) = change.payload() {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(payload)
            .execute(connection)
            .await?;
    }
    Ok(())
}

/// Starts the task that listens on `pool`'s database until the receiver is dropped or the pool
/// is closed.
pub(super) fn follow(pool: PgPool) -> mpsc::Receiver<Change> {
    let (sender, changes) = mpsc::channel(WAITING);
    tokio::spawn(listen(pool, sender));
    changes
}

async fn listen(pool: PgPool, changes: mpsc::Sender<Change>) {
    let mut first = true;
    loop {
        let mut listener = match listening(&pool).await {
            Ok(listener) => listener,
            Err(error) => {
                if pool.is_closed() || changes.is_closed() {
                    return;
                }
                tracing::warn!(%error, "cannot listen for the other instances' changes; trying again");
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        if !std::mem::take(&mut first) && changes.send(Change::Missed).await.is_err() {
            return;
        }
        loop {
            let change = match listener.try_recv().await {
                Ok(Some(notification)) => match Change::parse(notification.payload()) {
                    Some(change) => change,
                    None => {
                        tracing::debug!(payload = notification.payload(), "a notification of unknown kind");
                        continue;
                    }
                },
                // The connection was lost and made again (notifications in between are gone).
                Ok(None) => Change::Missed,
                Err(error) => {
                    if !pool.is_closed() {
                        tracing::warn!(%error, "lost the connection listening for the other instances' changes");
                    }
                    break;
                }
            };
            if changes.send(change).await.is_err() {
                return;
            }
        }
        if pool.is_closed() {
            return;
        }
    }
}

/// A connection of its own (taken out of the pool for good) listening on [`CHANNEL`].
async fn listening(pool: &PgPool) -> Result<PgListener> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}
