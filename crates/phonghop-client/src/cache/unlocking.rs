//! Unlocking the cache with a person's password: offline, against their key slot; after a login the
//! server accepted, also making their slot (the first login on a laptop makes the data key). And
//! sealing what a cache kept in plain before it was encrypted, at the first unlock.

use phonghop_protocol::{UserId, UserView};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use ts_rs::TS;

use super::vault::{DataKey, KeySlot};
use super::{sealed_files, DocumentCache};
use crate::error::{ClientError, Result};

/// Whose session the cache keeps: the unlock screen names them and asks for their password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../app-views/")]
pub struct VaultOwner {
    pub server_url: String,
    pub user_id: UserId,
    pub username: String,
    pub full_name: String,
}

/// The index's columns that are sealed, by table (`settings` only for its `session` row).
const SEALED_COLUMNS: [(&str, &str); 5] = [
    ("annotations", "annotation"),
    ("annotation_outbox", "annotation"),
    ("carry_outcomes", "old_annotation"),
    ("saved_mirrors", "mirror"),
    ("document_texts", "pages_json"),
];

impl DocumentCache {
    pub fn is_unlocked(&self) -> bool {
        self.vault.key().is_some()
    }

    /// Forgets the data key and every plain copy: nothing kept can be read until the next unlock.
    pub fn lock(&self) {
        self.vault.lock();
        self.plain.clear();
    }

    /// Unlocks with `password` of the person `user` of `server`, without the server:
    /// [`ClientError::WrongPassword`] unless it opens their key slot.
    pub async fn unlock(&self, server: &str, user: UserId, password: &str) -> Result<()> {
        let (key, bytes) = self
            .open_slot(server, user, password)
            .await?
            .ok_or(ClientError::WrongPassword)?;
        self.vault.set(key, bytes);
        self.seal_unsealed().await
    }

    /// The data key from the person's slot — or, when their slot does not open (the server's
    /// address changed, a slot of an earlier login), from any slot `password` opens: a password
    /// that opens a slot is entitled to what it opens.
    async fn open_slot(
        &self,
        server: &str,
        user: UserId,
        password: &str,
    ) -> Result<Option<(DataKey, zeroize::Zeroizing<[u8; 32]>)>> {
        let rows = sqlx::query(
            "SELECT salt, wrapped FROM key_slots ORDER BY server = ? AND user_id = ? DESC, rowid DESC LIMIT 8",
        )
        .bind(server)
        .bind(i64::from(user.0))
        .fetch_all(&self.index)
        .await?;
        for row in rows {
            let slot = KeySlot {
                salt: row.get("salt"),
                wrapped: row.get("wrapped"),
            };
            if let Some(opened) = unwrap(slot, password).await? {
                return Ok(Some(opened));
            }
        }
        Ok(None)
    }

    /// Unlocks after the server accepted `user`'s `password`, making or renewing their key slot:
    /// their slot opens; or the cache is open already (another person, or their password changed)
    /// and they get a slot of the same key; or there is no key yet, and one is made. A locked
    /// cache whose key no slot of theirs opens is started afresh — unless someone's annotations
    /// wait in it for the server, which [`ClientError::HeldByAnother`] refuses.
    pub async fn unlock_after_login(&self, server: &str, user: &UserView, password: &str) -> Result<()> {
        if let Some((key, bytes)) = self.open_slot(server, user.id, password).await? {
            let known = self.has_slot(server, user.id).await?;
            if !known {
                self.put_slot(server, user, *bytes, password).await?;
            }
            self.vault.set(key, bytes);
            return self.seal_unsealed().await;
        }
        if let Some(open) = self.vault.key() {
            self.put_slot(server, user, *open.bytes, password).await?;
            return self.seal_unsealed().await;
        }
        if self.has_key_slots().await? {
            let holders = self.unsent_holders().await?;
            if !holders.is_empty() {
                return Err(ClientError::HeldByAnother(holders.join(", ")));
            }
            self.wipe().await?;
        }
        let (key, bytes) = DataKey::generate();
        self.put_slot(server, user, *bytes, password).await?;
        self.vault.set(key, bytes);
        self.seal_unsealed().await
    }

    /// Whether anyone ever unlocked this cache (a cache from before encryption has no slot).
    pub async fn has_key_slots(&self) -> Result<bool> {
        let slots: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM key_slots")
            .fetch_one(&self.index)
            .await?;
        Ok(slots > 0)
    }

    async fn has_slot(&self, server: &str, user: UserId) -> Result<bool> {
        let row = sqlx::query("SELECT 1 FROM key_slots WHERE server = ? AND user_id = ?")
            .bind(server)
            .bind(i64::from(user.0))
            .fetch_optional(&self.index)
            .await?;
        Ok(row.is_some())
    }

    async fn put_slot(&self, server: &str, user: &UserView, key: [u8; 32], password: &str) -> Result<()> {
        let key = zeroize::Zeroizing::new(key);
        let password = zeroize::Zeroizing::new(password.to_owned());
        let slot = tokio::task::spawn_blocking(move || KeySlot::wrap(&key, &password))
            .await
            .map_err(|error| ClientError::Io(std::io::Error::other(error)))?;
        sqlx::query(
            "INSERT OR REPLACE INTO key_slots (server, user_id, full_name, salt, wrapped) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(server)
        .bind(i64::from(user.id.0))
        .bind(&user.full_name)
        .bind(slot.salt)
        .bind(slot.wrapped)
        .execute(&self.index)
        .await?;
        Ok(())
    }

    /// Who has annotations here the server has not taken yet.
    async fn unsent_holders(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT COALESCE(k.full_name, o.server || ' #' || o.user_id)
             FROM annotation_outbox o
             LEFT JOIN key_slots k ON k.server = o.server AND k.user_id = o.user_id
             ORDER BY 1",
        )
        .fetch_all(&self.index)
        .await?)
    }

    /// Seals what was kept in plain before the cache was encrypted: the index's columns and the
    /// PDFs (each checked against its SHA-256 first; one that does not match is dropped).
    async fn seal_unsealed(&self) -> Result<()> {
        let key = self.key()?;
        for (table, column) in SEALED_COLUMNS
            .iter()
            .map(|(table, column)| (*table, *column))
            .chain([("settings", "value")])
        {
            let only_session = if table == "settings" {
                "AND name = 'session'"
            } else {
                ""
            };
            let rows = sqlx::query(&format!(
                "SELECT rowid, {column} AS value FROM {table} WHERE typeof({column}) = 'text' {only_session}"
            ))
            .fetch_all(&self.index)
            .await?;
            for row in rows {
                let plain: &[u8] = row.get("value");
                sqlx::query(&format!("UPDATE {table} SET {column} = ? WHERE rowid = ?"))
                    .bind(key.key.seal(plain))
                    .bind(row.get::<i64, _>("rowid"))
                    .execute(&self.index)
                    .await?;
            }
        }
        for sha256 in self.verified().await? {
            let unsealed = self.unsealed_path_of(&sha256);
            let Ok(plain) = tokio::fs::read(&unsealed).await else {
                continue;
            };
            let sealed = self.path_of(&sha256);
            let matches = {
                use sha2::Digest;
                phonghop_protocol::Sha256::from_digest(&sha2::Sha256::digest(&plain).into()) == sha256
            };
            if matches {
                let key = key.clone();
                let to = sealed.clone();
                tokio::task::spawn_blocking(move || sealed_files::seal_whole(&plain, &key, &to))
                    .await
                    .map_err(|error| ClientError::Io(std::io::Error::other(error)))??;
                sqlx::query("UPDATE cached_documents SET size = ? WHERE sha256 = ?")
                    .bind(tokio::fs::metadata(&sealed).await?.len() as i64)
                    .bind(sha256.as_str())
                    .execute(&self.index)
                    .await?;
            } else {
                sqlx::query("DELETE FROM cached_documents WHERE sha256 = ?")
                    .bind(sha256.as_str())
                    .execute(&self.index)
                    .await?;
            }
            tokio::fs::remove_file(&unsealed).await?;
        }
        Ok(())
    }
}

/// The data key in `slot`, if `password` opens it (Argon2 runs off the async threads).
async fn unwrap(slot: KeySlot, password: &str) -> Result<Option<(DataKey, zeroize::Zeroizing<[u8; 32]>)>> {
    let password = zeroize::Zeroizing::new(password.to_owned());
    tokio::task::spawn_blocking(move || slot.unwrap(&password))
        .await
        .map_err(|error| ClientError::Io(std::io::Error::other(error)))
}

#[cfg(test)]
mod tests {
    use phonghop_protocol::{Annotation, AnnotationBody, AnnotationId, DocumentId, MeetingId, PagePoint};

    use super::*;
    use crate::cache::tests::{councillor, unlocked};
    use crate::cache::{AnnotationScope, SavedSession};

    const SERVER: &str = "http://hall";
    const NOTE: &str = "Hỏi thêm về kinh phí xây trường";

    fn scope() -> AnnotationScope<'static> {
        AnnotationScope {
            server: SERVER,
            user: councillor().id,
            meeting: MeetingId(1),
        }
    }

    fn note() -> Annotation {
        Annotation {
            id: AnnotationId::parse("ghi-chu").expect("an id"),
            document_id: DocumentId(3),
            revision: 1,
            page: 0,
            color: "#ffd400".into(),
            body: AnnotationBody::Note {
                at: PagePoint { x: 0.5, y: 0.5 },
                text: NOTE.into(),
                near: None,
            },
            deleted: false,
            changed_at: 1,
            device: "laptop".into(),
            shared: false,
            carried_from: None,
        }
    }

    fn session() -> SavedSession {
        SavedSession {
            server: SERVER.into(),
            token: "token-that-logs-in-as-the-councillor".into(),
            expires_at: 0,
            user: councillor(),
            is_admin: false,
            meeting: None,
            pin: None,
        }
    }

    /// Every byte the cache keeps on the disk, the index and its write-ahead log included.
    fn disk_bytes(root: &std::path::Path) -> Vec<u8> {
        let mut all = Vec::new();
        for entry in walk(root) {
            all.extend(std::fs::read(entry).unwrap_or_default());
        }
        all
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).expect("a folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
        files
    }

    fn contains(haystack: &[u8], needle: &str) -> bool {
        haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
    }

    #[tokio::test]
    async fn what_a_councillor_keeps_is_unreadable_on_the_disk_and_opens_again_only_with_their_password() {
        let dir = tempfile::tempdir().expect("a folder");
        {
            let cache = unlocked(dir.path()).await;
            assert!(cache.save_own_annotation(scope(), &note()).await.expect("kept"));
            cache
                .keep_text(
                    &phonghop_protocol::Sha256::parse(&"a".repeat(64)).expect("a hash"),
                    &["Điều 1. Phê duyệt dự toán".into()],
                )
                .await
                .expect("kept");
            cache.save_session(&session()).await.expect("kept");
            cache.index.close().await;
        }
        let disk = disk_bytes(dir.path());
        assert!(!contains(&disk, NOTE), "the note is on the disk in plain");
        assert!(
            !contains(&disk, "Phê duyệt dự toán"),
            "the page text is on the disk in plain"
        );
        assert!(
            !contains(&disk, "token-that-logs-in"),
            "the session token is on the disk in plain"
        );

        // The app started again, without the server.
        let cache = DocumentCache::open(dir.path()).await.expect("the cache");
        assert!(matches!(cache.saved_session().await, Err(ClientError::Locked)));
        assert!(matches!(
            cache.annotations_of(scope(), DocumentId(3)).await,
            Err(ClientError::Locked)
        ));
        let owner = cache.vault_owner().await.expect("read").expect("an owner");
        assert_eq!(owner.full_name, "Nguyễn Thị Bảy");
        assert!(matches!(
            cache.unlock(&owner.server_url, owner.user_id, "bay").await,
            Err(ClientError::WrongPassword)
        ));
        cache
            .unlock(&owner.server_url, owner.user_id, "bảy")
            .await
            .expect("unlocked");
        assert_eq!(cache.saved_session().await.expect("read"), Some(session()));
        let kept = cache.annotations_of(scope(), DocumentId(3)).await.expect("read");
        assert_eq!(kept.iter().map(|kept| &kept.annotation).collect::<Vec<_>>(), [&note()]);
        assert_eq!(cache.annotation_outbox(scope(), 10).await.expect("read"), [note()]);
        cache.annotations_sent(scope(), &[note()]).await.expect("sent");
        assert!(cache.annotation_outbox(scope(), 10).await.expect("read").is_empty());

        cache.lock();
        assert!(matches!(cache.saved_session().await, Err(ClientError::Locked)));
    }

    #[tokio::test]
    async fn a_cache_kept_before_encryption_is_sealed_at_the_first_login() {
        let dir = tempfile::tempdir().expect("a folder");
        let pdf = b"%PDF-1.7 Du thao nghi quyet ve ngan sach".to_vec();
        let sha256 = {
            use sha2::Digest;
            phonghop_protocol::Sha256::from_digest(&sha2::Sha256::digest(&pdf).into())
        };
        {
            // As an earlier version left it: JSON in plain, the PDF as `<sha256>.pdf`.
            let cache = DocumentCache::open(dir.path()).await.expect("the cache");
            sqlx::query(
                "INSERT INTO annotation_outbox (server, user_id, meeting_id, id, annotation) VALUES (?, 7, 1, 'ghi-chu', ?)",
            )
            .bind(SERVER)
            .bind(serde_json::to_string(&note()).expect("json"))
            .execute(&cache.index)
            .await
            .expect("kept");
            sqlx::query("INSERT INTO settings (name, value) VALUES ('session', ?)")
                .bind(serde_json::to_string(&session()).expect("json"))
                .execute(&cache.index)
                .await
                .expect("kept");
            std::fs::write(cache.unsealed_path_of(&sha256), &pdf).expect("written");
            sqlx::query("INSERT INTO cached_documents (sha256, size, verified_at) VALUES (?, ?, 0)")
                .bind(sha256.as_str())
                .bind(pdf.len() as i64)
                .execute(&cache.index)
                .await
                .expect("indexed");
            assert!(!cache.has_key_slots().await.expect("read"));
            assert_eq!(
                cache.annotation_outbox(scope(), 10).await.expect("plain reads"),
                [note()]
            );
        }
        let cache = unlocked(dir.path()).await;
        assert!(!cache.unsealed_path_of(&sha256).exists(), "the plain PDF is gone");
        let copy = cache.cached(&sha256).await.expect("read").expect("still cached");
        assert_eq!(std::fs::read(copy).expect("the copy"), pdf);
        assert_eq!(cache.annotation_outbox(scope(), 10).await.expect("read"), [note()]);
        cache.lock();
        assert!(matches!(
            cache.annotation_outbox(scope(), 10).await,
            Err(ClientError::Locked)
        ));
        assert!(matches!(cache.saved_session().await, Err(ClientError::Locked)));
        cache.index.close().await;
        assert!(!contains(&disk_bytes(dir.path()), NOTE));
        assert!(!contains(&disk_bytes(dir.path()), "Du thao nghi quyet"));
    }

    #[tokio::test]
    async fn another_person_on_a_locked_laptop_starts_afresh_unless_notes_wait_there_for_the_server() {
        let dir = tempfile::tempdir().expect("a folder");
        let other = UserView {
            id: UserId(9),
            username: "db009".into(),
            full_name: "Trần Văn Chín".into(),
            position: String::new(),
        };
        let cache = unlocked(dir.path()).await;
        cache.save_own_annotation(scope(), &note()).await.expect("kept");
        cache.lock();
        let refused = cache.unlock_after_login(SERVER, &other, "chín").await;
        assert!(
            matches!(&refused, Err(ClientError::HeldByAnother(holders)) if holders == "Nguyễn Thị Bảy"),
            "{refused:?}"
        );
        // Once the notes reached the server, the laptop starts afresh for the other person.
        cache.unlock(SERVER, councillor().id, "bảy").await.expect("unlocked");
        cache.annotations_sent(scope(), &[note()]).await.expect("sent");
        cache.lock();
        cache.unlock_after_login(SERVER, &other, "chín").await.expect("afresh");
        assert!(cache
            .annotations_of(scope(), DocumentId(3))
            .await
            .expect("read")
            .is_empty());
        assert!(matches!(
            cache.unlock(SERVER, councillor().id, "bảy").await,
            Err(ClientError::WrongPassword)
        ));

        // The server moved to another address: the same password still opens the laptop.
        cache.lock();
        cache
            .unlock_after_login("http://10.0.0.9:8080", &other, "chín")
            .await
            .expect("the same person at the server's new address");
        cache.lock();
        cache
            .unlock("http://10.0.0.9:8080", other.id, "chín")
            .await
            .expect("their slot there");

        // While it is open, a second person logging in gets a slot of the same key.
        cache
            .unlock_after_login(SERVER, &councillor(), "bảy mới")
            .await
            .expect("added");
        cache.lock();
        cache
            .unlock(SERVER, councillor().id, "bảy mới")
            .await
            .expect("their new password");
        cache.lock();
        cache.unlock(SERVER, other.id, "chín").await.expect("and the other's");
    }
}
