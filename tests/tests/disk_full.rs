//! The server's disk fills up while the secretariat uploads: the blob folder is a small tmpfs
//! mounted under the running server. An upload that does not fit is refused with `storage_full`
//! in both languages; nothing of it is kept (no document, no file left behind); the server goes
//! on serving, and an upload that fits is taken in. Mounting needs root, which `cargo xtask test`
//! has (it installs packages); run unprivileged, the journey says it cannot mount and stops.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use anyhow::{bail, ensure, Context, Result};
use phonghop_client::error::ClientError;
use phonghop_journeys::large_pdf::large_pdf;
use phonghop_journeys::{new_item, vietnamese_document, TestServer};
use phonghop_protocol::ErrorCode;

/// A tmpfs of `size` mounted at a folder, unmounted when dropped.
struct SmallDisk {
    at: PathBuf,
}

impl SmallDisk {
    fn mount(at: &Path, size: &str) -> Result<SmallDisk> {
        let status = Process::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .status()
            .context("running mount")?;
        ensure!(status.success(), "mount -t tmpfs on {}: {status}", at.display());
        Ok(SmallDisk { at: at.to_owned() })
    }

    /// Bytes used on it now.
    fn used(&self) -> Result<u64> {
        let output = Process::new("df")
            .args(["--output=used", "-B1"])
            .arg(&self.at)
            .output()?;
        let text = String::from_utf8(output.stdout)?;
        text.lines()
            .nth(1)
            .context("df's answer")?
            .trim()
            .parse()
            .context("df's number")
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Process::new("umount").arg("-l").arg(&self.at).status();
    }
}

fn files_in(folder: &Path) -> Result<Vec<String>> {
    Ok(std::fs::read_dir(folder)?
        .map(|entry| entry.map(|entry| entry.file_name().to_string_lossy().into_owned()))
        .collect::<std::io::Result<_>>()?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_the_disk_has_no_room_for_is_refused_and_the_server_goes_on() -> Result<()> {
    if std::fs::metadata("/proc/self")?.uid() != 0 {
        eprintln!("disk-full journey: mounting a small disk needs root; not run");
        return Ok(());
    }
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let item = new_item(&secretariat, meeting, "Báo cáo kinh tế - xã hội").await?;

    // The blob folder becomes a 4 MiB disk under the running server.
    let blobs = server.data_dir().join("blobs");
    let disk = SmallDisk::mount(&blobs, "4m")?;
    std::fs::create_dir(blobs.join("incoming"))?;
    let fits = std::fs::read(vietnamese_document("to-trinh-phong-hop-khong-giay.pdf"))?;
    secretariat
        .upload(meeting, item, "to-trinh.pdf", "Tờ trình", fits)
        .await
        .context("an upload that fits")?;
    let used_before = disk.used()?;
    let documents_before = secretariat.snapshot(meeting).await?.state.items[0].documents.len();

    // Six MiB do not fit.
    let refused = secretariat
        .upload(meeting, item, "bao-cao-lon.pdf", "Báo cáo lớn", large_pdf(6 << 20))
        .await;
    let frame = match refused {
        Err(ClientError::Server(frame)) => frame,
        other => bail!("expected the server to refuse the upload, got {other:?}"),
    };
    assert_eq!(frame.code, ErrorCode::StorageFull, "{frame:?}");
    ensure!(
        frame.message_vi.contains("hết chỗ lưu trữ") && frame.message_en.contains("disk is full"),
        "{frame:?}"
    );
    // Nothing of it kept: no document, no file left in the folder, the disk as it was.
    let state = secretariat.snapshot(meeting).await?.state;
    assert_eq!(
        state.items[0].documents.len(),
        documents_before,
        "no half-stored document"
    );
    assert_eq!(
        files_in(&blobs.join("incoming"))?,
        Vec::<String>::new(),
        "no incoming file left"
    );
    assert_eq!(disk.used()?, used_before, "the refused upload took no room");

    // The server goes on: a change, and another upload that fits.
    let other = std::fs::read(vietnamese_document("du-thao-nghi-quyet-v1.pdf"))?;
    let taken = secretariat
        .upload(meeting, item, "du-thao.pdf", "Dự thảo Nghị quyết", other)
        .await
        .context("an upload that fits, after the refused one")?;
    assert_eq!(taken.document.title, "Dự thảo Nghị quyết");
    new_item(&secretariat, meeting, "Bế mạc").await?;
    drop(disk);
    Ok(())
}
