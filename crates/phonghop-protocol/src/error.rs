//! The closed set of error codes the server sends, each with a plain Vietnamese and English text.
//!
//! Clients decide on the code, never on the message; the messages are for people. Tests iterate
//! every code with [`ErrorCode::iter`] (strum's `IntoEnumIterator`), never a re-typed list.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use strum::IntoEnumIterator;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS, strum::EnumIter)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// The frame is not valid JSON, or not a JSON object.
    MalformedFrame,
    /// The frame's `v` is missing or not [`crate::PROTOCOL_VERSION`].
    UnsupportedVersion,
    /// The frame's `type` is not one this server knows.
    UnknownMessageType,
    /// The frame has a known type but its fields are wrong.
    InvalidMessage,
    /// The frame is larger than [`crate::MAX_FRAME_BYTES`].
    FrameTooLarge,
    /// Username or password is wrong.
    WrongCredentials,
    /// No session token, or one the server does not know.
    Unauthenticated,
    /// The session token has expired; log in again.
    TokenExpired,
    /// The secretariat revoked this laptop: its sessions are over and it may not log in; the
    /// app removes the meetings' documents and annotations it keeps.
    DeviceRevoked,
    /// The user's role does not allow this.
    Forbidden,
    /// No such meeting, item, document, poll or blob (or not visible to this user).
    NotFound,
    /// A command for a meeting the connection has not subscribed to.
    NotSubscribed,
    /// The command's fields are not acceptable (empty title, unknown item order, …).
    InvalidCommand,
    /// This person has already voted in this poll.
    AlreadyVoted,
    /// The poll is closed; no more ballots.
    PollClosed,
    /// The poll is still open; its result record is made when it closes.
    PollOpen,
    /// The poll was cancelled: it has no outcome and no record.
    PollCancelled,
    /// Fewer voting members are present than the meeting's quorum: a poll opens only when the
    /// chair gives a reason (`quorum_override`).
    NoQuorum,
    /// Only members of the body vote; the secretariat does not.
    NotAVoter,
    /// The upload is not a readable PDF (or an Office file that could not be converted).
    InvalidDocument,
    /// The PDF or Office file is password-protected.
    EncryptedDocument,
    /// An Office file (Word, Excel, …) and no converter to PDF on the server.
    OfficeConversionUnavailable,
    /// An Office file LibreOffice could not convert: damaged, truncated, or too slow to convert.
    OfficeConversionFailed,
    /// A new revision of a document arrived while this one was being taken in; send it again.
    RevisionConflict,
    /// The upload is larger than the server accepts.
    DocumentTooLarge,
    /// Reading the PDF needs more memory than the server gives its PDF reader: too large or too
    /// complex a document (huge images, content that inflates to gigabytes).
    DocumentTooComplex,
    /// Too many attempts; wait a moment.
    RateLimited,
    /// The server has too much to do right now (for example logins); try again in a moment.
    ServerBusy,
    /// The server's disk is full: the upload was not stored (nothing of it was kept).
    StorageFull,
    /// The server cannot reach its database right now (PostgreSQL restarting, the network to it
    /// cut); send the request again in a moment, a command with the same id.
    Unavailable,
    /// The HTTP method is not one this path answers (`GET` where `POST` is expected).
    MethodNotAllowed,
    /// Something went wrong on the server; it has been logged.
    Internal,
}

impl ErrorCode {
    pub fn message_vi(self) -> &'static str {
        match self {
            ErrorCode::MalformedFrame => "Dữ liệu gửi lên không đúng định dạng JSON",
            ErrorCode::UnsupportedVersion => "Phiên bản giao thức không được hỗ trợ, hãy cập nhật ứng dụng",
            ErrorCode::UnknownMessageType => "Loại thông điệp không được hỗ trợ",
            ErrorCode::InvalidMessage => "Thông điệp thiếu hoặc sai trường dữ liệu",
            ErrorCode::FrameTooLarge => "Thông điệp quá lớn",
            ErrorCode::WrongCredentials => "Tên đăng nhập hoặc mật khẩu không đúng",
            ErrorCode::Unauthenticated => "Bạn chưa đăng nhập",
            ErrorCode::TokenExpired => "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại",
            ErrorCode::DeviceRevoked => {
                "Máy tính này đã bị thu hồi quyền vào phòng họp; tài liệu của kỳ họp trên máy được xoá. Hãy liên hệ thư ký kỳ họp"
            }
            ErrorCode::Forbidden => "Bạn không có quyền thực hiện thao tác này",
            ErrorCode::NotFound => "Không tìm thấy nội dung yêu cầu",
            ErrorCode::NotSubscribed => "Chưa tham gia cuộc họp này",
            ErrorCode::InvalidCommand => "Yêu cầu không hợp lệ",
            ErrorCode::AlreadyVoted => "Đại biểu đã biểu quyết nội dung này",
            ErrorCode::PollClosed => "Biểu quyết đã kết thúc",
            ErrorCode::PollOpen => "Biểu quyết chưa kết thúc nên chưa có biên bản kết quả",
            ErrorCode::PollCancelled => "Biểu quyết đã bị hủy nên không có kết quả và biên bản",
            ErrorCode::NoQuorum => {
                "Chưa đủ số đại biểu có mặt để biểu quyết; chủ tọa có thể vẫn mở và ghi rõ lý do"
            }
            ErrorCode::NotAVoter => "Chỉ đại biểu mới được biểu quyết",
            ErrorCode::InvalidDocument => "Tệp không phải là tài liệu PDF đọc được",
            ErrorCode::EncryptedDocument => "Tài liệu được đặt mật khẩu, hãy gửi bản không mật khẩu",
            ErrorCode::OfficeConversionUnavailable => {
                "Tệp Word/Excel cần chuyển sang PDF nhưng máy chủ chưa cài LibreOffice; hãy gửi bản PDF"
            }
            ErrorCode::RevisionConflict => {
                "Một bản sửa khác của tài liệu vừa được gửi lên cùng lúc; hãy gửi lại bản này"
            }
            ErrorCode::OfficeConversionFailed => {
                "Không chuyển được tệp Office sang PDF: tệp bị hỏng hoặc không đọc được; hãy lưu lại tệp rồi gửi lại"
            }
            ErrorCode::DocumentTooLarge => "Tệp tải lên quá lớn",
            ErrorCode::DocumentTooComplex => {
                "Tài liệu quá lớn hoặc quá phức tạp, máy chủ không đọc được; hãy xuất lại PDF với hình ảnh nhẹ hơn hoặc chia nhỏ tài liệu"
            }
            ErrorCode::RateLimited => "Thao tác quá nhiều lần, vui lòng chờ một lát",
            ErrorCode::ServerBusy => "Máy chủ đang bận, vui lòng thử lại sau giây lát",
            ErrorCode::StorageFull => {
                "Máy chủ đã hết chỗ lưu trữ nên chưa lưu được tài liệu; hãy báo quản trị viên giải phóng dung lượng rồi gửi lại"
            }
            ErrorCode::Unavailable => "Máy chủ tạm thời không kết nối được cơ sở dữ liệu, vui lòng thử lại sau giây lát",
            ErrorCode::MethodNotAllowed => "Phương thức HTTP không được hỗ trợ cho địa chỉ này",
            ErrorCode::Internal => "Lỗi máy chủ, vui lòng thử lại",
        }
    }

    pub fn message_en(self) -> &'static str {
        match self {
            ErrorCode::MalformedFrame => "The message is not valid JSON",
            ErrorCode::UnsupportedVersion => "Unsupported protocol version, please update the app",
            ErrorCode::UnknownMessageType => "Unknown message type",
            ErrorCode::InvalidMessage => "The message has missing or wrong fields",
            ErrorCode::FrameTooLarge => "The message is too large",
            ErrorCode::WrongCredentials => "Wrong username or password",
            ErrorCode::Unauthenticated => "You are not logged in",
            ErrorCode::TokenExpired => "Your session has expired, please log in again",
            ErrorCode::DeviceRevoked => {
                "This computer's access to the meeting room was revoked; the meetings' documents on it are removed. Contact the meeting's secretariat"
            }
            ErrorCode::Forbidden => "You are not allowed to do this",
            ErrorCode::NotFound => "Not found",
            ErrorCode::NotSubscribed => "Not subscribed to this meeting",
            ErrorCode::InvalidCommand => "The request is not valid",
            ErrorCode::AlreadyVoted => "You have already voted in this poll",
            ErrorCode::PollClosed => "The poll is closed",
            ErrorCode::PollOpen => "The poll is still open, so it has no result record yet",
            ErrorCode::PollCancelled => "The poll was cancelled, so it has no result and no record",
            ErrorCode::NoQuorum => {
                "Not enough members are present to vote; the chair may still open it, giving a reason"
            }
            ErrorCode::NotAVoter => "Only members of the council vote",
            ErrorCode::InvalidDocument => "The file is not a readable PDF document",
            ErrorCode::EncryptedDocument => "The document is password-protected; please send it without a password",
            ErrorCode::OfficeConversionUnavailable => {
                "Office files must be converted to PDF, but LibreOffice is not installed on the server; please send a PDF"
            }
            ErrorCode::RevisionConflict => {
                "Another revision of the document arrived at the same time; please send this one again"
            }
            ErrorCode::OfficeConversionFailed => {
                "The Office file could not be converted to PDF: it is damaged or unreadable; please save it again and resend it"
            }
            ErrorCode::DocumentTooLarge => "The upload is too large",
            ErrorCode::DocumentTooComplex => {
                "The document is too large or too complex for the server to read; please export the PDF again with lighter images or split it"
            }
            ErrorCode::RateLimited => "Too many attempts, please wait a moment",
            ErrorCode::ServerBusy => "The server is busy, please try again in a moment",
            ErrorCode::StorageFull => {
                "The server's disk is full, so the document was not stored; ask the administrator to free space, then send it again"
            }
            ErrorCode::Unavailable => "The server cannot reach its database for a moment, please try again shortly",
            ErrorCode::MethodNotAllowed => "This HTTP method is not supported at this address",
            ErrorCode::Internal => "Server error, please try again",
        }
    }

    /// The HTTP status this code is sent with on the HTTP API.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::WrongCredentials
            | ErrorCode::Unauthenticated
            | ErrorCode::TokenExpired
            | ErrorCode::DeviceRevoked => 401,
            ErrorCode::Forbidden | ErrorCode::NotAVoter => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::AlreadyVoted
            | ErrorCode::PollClosed
            | ErrorCode::PollOpen
            | ErrorCode::NoQuorum
            | ErrorCode::PollCancelled
            | ErrorCode::RevisionConflict => 409,
            ErrorCode::DocumentTooLarge | ErrorCode::FrameTooLarge => 413,
            ErrorCode::InvalidDocument
            | ErrorCode::DocumentTooComplex
            | ErrorCode::EncryptedDocument
            | ErrorCode::OfficeConversionUnavailable
            | ErrorCode::OfficeConversionFailed => 422,
            ErrorCode::RateLimited => 429,
            ErrorCode::ServerBusy | ErrorCode::Unavailable => 503,
            ErrorCode::StorageFull => 507,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Internal => 500,
            _ => 400,
        }
    }
}

/// An error as sent to a client: on the WebSocket inside [`crate::ServerMessage::Error`], on HTTP
/// as the JSON body of a non-2xx answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ErrorFrame {
    pub code: ErrorCode,
    pub message_vi: String,
    pub message_en: String,
    /// A technical detail for logs and support (which field, which limit); may be empty.
    pub detail: String,
}

impl ErrorFrame {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            message_vi: code.message_vi().to_owned(),
            message_en: code.message_en().to_owned(),
            detail: detail.into(),
        }
    }
}

impl std::fmt::Display for ErrorFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message_en)?;
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for ErrorFrame {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_has_both_messages_and_a_status() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::iter() {
            assert!(!code.message_vi().is_empty() && !code.message_en().is_empty());
            assert_ne!(code.message_vi(), code.message_en(), "{code:?} is not translated");
            assert!((400..600).contains(&code.http_status()), "{code:?}");
            assert!(seen.insert(code.message_en()), "{code:?} shares its English text");
        }
        assert!(seen.len() >= 23);
    }
}
