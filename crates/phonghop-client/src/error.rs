//! The client's error: the server's own error frames, or why the server could not be reached.

use phonghop_protocol::{ErrorCode, ErrorFrame};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error code.
    #[error("{0}")]
    Server(ErrorFrame),
    /// No answer: the network is down or the address is wrong.
    #[error("the server cannot be reached: {0}")]
    Unreachable(String),
    /// The server said something this client does not understand.
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),
    /// A downloaded document is not the one the meeting names.
    #[error("the document's SHA-256 is {actual}, not {expected}")]
    HashMismatch { expected: String, actual: String },
    /// The document is not in the cache and the server cannot be reached.
    #[error("the document is not downloaded yet and the server cannot be reached")]
    NotCached,
    /// The documents of the meeting open in the app cannot be removed from the laptop.
    #[error("the meeting is open; its documents stay on the laptop")]
    MeetingOpen,
    /// No one is logged in on this seat.
    #[error("not logged in")]
    NotLoggedIn,
    /// The sync task has stopped.
    #[error("the meeting connection has stopped")]
    Stopped,
    /// An `https://` server whose certificate this laptop has not pinned yet: its fingerprint
    /// must be compared and pinned first (`tls::probe`).
    #[error("the server's certificate is not pinned on this laptop yet")]
    NotPinned,
    /// The server showed another certificate than the one pinned: someone may be in between.
    /// Nothing of the request was sent.
    #[error("{0}")]
    CertificateChanged(crate::tls::PinMismatch),
    /// What the laptop keeps is encrypted and not unlocked yet: the person's password opens it.
    #[error("the documents and notes kept on this laptop are locked")]
    Locked,
    /// The password typed does not open what the laptop keeps.
    #[error("the password does not unlock this laptop's documents")]
    WrongPassword,
    /// The laptop keeps annotations not sent yet, sealed under a key this person's password does
    /// not open (named: whose they are).
    #[error("this laptop keeps notes of {0} not sent yet, locked with their password")]
    HeldByAnother(String),
    #[error("local storage: {0}")]
    Io(#[from] std::io::Error),
    #[error("local database: {0}")]
    Database(#[from] sqlx::Error),
}

impl ClientError {
    /// The server's error code, when this is one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Server(frame) => Some(frame.code),
            _ => None,
        }
    }
}

impl From<reqwest::Error> for ClientError {
    fn from(error: reqwest::Error) -> Self {
        if let Some(mismatch) = crate::tls::pin_mismatch_in(&error) {
            ClientError::CertificateChanged(mismatch)
        } else if error.is_decode() {
            ClientError::Protocol(error.to_string())
        } else {
            ClientError::Unreachable(error.to_string())
        }
    }
}

pub type Result<T, E = ClientError> = std::result::Result<T, E>;

/// An error as a person sees it: a stable code for the UI to decide on, and plain messages in
/// Vietnamese and English. Server codes are passed through; the rest are the client's own.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UserFacingError {
    pub code: String,
    pub message_vi: String,
    pub message_en: String,
    pub detail: String,
}

impl From<&ClientError> for UserFacingError {
    fn from(error: &ClientError) -> Self {
        let (code, vi, en) = match error {
            ClientError::Server(frame) => {
                let code = serde_json::to_value(frame.code)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                return UserFacingError {
                    code,
                    message_vi: frame.message_vi.clone(),
                    message_en: frame.message_en.clone(),
                    detail: frame.detail.clone(),
                };
            }
            ClientError::Unreachable(_) => (
                "server_unreachable",
                "Không kết nối được máy chủ phòng họp. Hãy kiểm tra địa chỉ máy chủ và mạng",
                "Cannot reach the meeting server. Check the server address and the network",
            ),
            ClientError::NotCached => (
                "document_unavailable",
                "Tài liệu chưa được tải về máy và hiện không kết nối được máy chủ",
                "The document is not on this computer yet and the server cannot be reached",
            ),
            ClientError::HashMismatch { .. } => (
                "document_unavailable",
                "Tài liệu tải về bị lỗi, vui lòng thử lại",
                "The downloaded document is damaged, please try again",
            ),
            ClientError::MeetingOpen => (
                "meeting_open",
                "Không thể xoá tài liệu của cuộc họp đang mở",
                "The documents of the meeting that is open cannot be removed",
            ),
            ClientError::NotLoggedIn => ("not_logged_in", "Bạn chưa đăng nhập", "You are not logged in"),
            ClientError::Stopped => (
                "offline",
                "Mất kết nối với cuộc họp",
                "The connection to the meeting has stopped",
            ),
            ClientError::NotPinned => (
                "certificate_not_pinned",
                "Máy tính này chưa biết máy chủ này. Hãy so dấu vân tay chứng chỉ với mã thư ký kỳ họp cung cấp trước khi kết nối",
                "This computer does not know this server yet. Compare the certificate's fingerprint with the one the meeting's secretariat gives before connecting",
            ),
            ClientError::CertificateChanged(_) => (
                "certificate_changed",
                "CẢNH BÁO: chứng chỉ của máy chủ đã thay đổi — có thể có kẻ mạo danh máy chủ. Thông tin đăng nhập chưa được gửi đi. Hãy báo ngay cho thư ký kỳ họp",
                "WARNING: the server's certificate has changed — someone may be impersonating the server. Your login was not sent. Tell the meeting's secretariat at once",
            ),
            ClientError::Locked => (
                "locked",
                "Tài liệu và ghi chú trên máy này đã được khoá. Hãy nhập mật khẩu để mở",
                "The documents and notes on this laptop are locked. Enter your password to open them",
            ),
            ClientError::WrongPassword => ("wrong_password", "Mật khẩu không đúng", "The password is not right"),
            ClientError::HeldByAnother(holders) => {
                return UserFacingError {
                    code: "laptop_held".to_owned(),
                    message_vi: format!(
                        "Máy tính này đang giữ ghi chú chưa gửi của {holders}, được khoá bằng mật khẩu của người đó (hoặc mật khẩu cũ). Hãy mở khoá bằng mật khẩu đó một lần để ghi chú được gửi đi, rồi đăng nhập lại"
                    ),
                    message_en: format!(
                        "This laptop keeps notes of {holders} not sent yet, locked with that person's password (or an earlier one). Unlock with that password once so the notes are sent, then log in again"
                    ),
                    detail: error.to_string(),
                }
            }
            ClientError::Protocol(_) | ClientError::Io(_) | ClientError::Database(_) => (
                "internal",
                "Đã có lỗi trong ứng dụng, vui lòng thử lại",
                "Something went wrong in the app, please try again",
            ),
        };
        UserFacingError {
            code: code.to_owned(),
            message_vi: vi.to_owned(),
            message_en: en.to_owned(),
            detail: error.to_string(),
        }
    }
}
