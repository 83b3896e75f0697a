//! Several server instances on one PostgreSQL database: what the others change, brought to this
//! one. The store says what changed ([`phonghop_store::Change`], from PostgreSQL's notifications);
//! here each change goes where this instance keeps something of it — a meeting to the writer,
//! which publishes its new events to the subscribers here; a revoked laptop to the session cache
//! and the open sockets; revoked hall-screen codes to the hall screens. SQLite has one instance
//! and says nothing.

use phonghop_store::Change;

use crate::app::App;
use crate::writer::Elsewhere;

/// Follows the other instances' changes for as long as the store reports them.
pub fn follow_other_instances(app: &App) {
    let Some(mut changes) = app.store.follow_changes() else {
        return;
    };
    let app = app.clone();
    tokio::spawn(async move {
        while let Some(change) = changes.recv().await {
            bring_here(&app, change);
        }
    });
}

fn bring_here(app: &App, change: Change) {
    match change {
        Change::Meeting { meeting, version, .. } => app.writer.changed_elsewhere(Elsewhere::Meeting(meeting, version)),
        Change::DeviceRevoked(device) => {
            app.sessions.forget_device(&device);
            // An error only means no socket is open here.
            let _ = app.device_revocations.send(device.into());
        }
        Change::HallLinksRevoked(meeting) => {
            let _ = app.hall_revocations.send(meeting);
        }
        Change::Missed => {
            tracing::info!("word of the other instances' changes was lost for a while; reading everything afresh");
            app.writer.changed_elsewhere(Elsewhere::Anything);
            // Sessions are read from the store again, so one of a laptop revoked meanwhile ends.
            app.sessions.forget_all();
            // Each hall screen here checks that its code still holds.
            for meeting in app.hub.meetings() {
                let _ = app.hall_revocations.send(meeting);
            }
        }
    }
}
