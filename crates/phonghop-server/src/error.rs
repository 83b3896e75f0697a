//! One error type for the HTTP API and the WebSocket: it decides the status, what the client sees
//! and what is only logged (internal causes never leave the server).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use phonghop_core::Refusal;
use phonghop_protocol::{ErrorCode, ErrorFrame};
use phonghop_store::StoreError;

#[derive(Debug, Clone)]
pub struct ApiError(pub ErrorFrame);

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> ApiError {
        ApiError(ErrorFrame::new(code, detail))
    }

    pub fn code(&self) -> ErrorCode {
        self.0.code
    }
}

impl From<ErrorFrame> for ApiError {
    fn from(frame: ErrorFrame) -> Self {
        ApiError(frame)
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        if refusal.code == ErrorCode::Internal {
            tracing::error!(%refusal, "a rule of the meeting could not be applied");
            return ApiError::new(ErrorCode::Internal, "");
        }
        ApiError(refusal.into())
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        let code = match &error {
            StoreError::NotFound(_) => ErrorCode::NotFound,
            StoreError::Duplicate(_) => ErrorCode::InvalidCommand,
            StoreError::Conflict => ErrorCode::ServerBusy,
            StoreError::Database(_) if error.is_unavailable() => {
                tracing::warn!(%error, "the database cannot be reached");
                return ApiError::new(ErrorCode::Unavailable, "");
            }
            StoreError::Refused(_)
            | StoreError::Corrupt(_)
            | StoreError::BallotKey(_)
            | StoreError::OldSchema(_)
            | StoreError::Database(_)
            | StoreError::Migration(_) => {
                tracing::error!(%error, "store failure");
                return ApiError::new(ErrorCode::Internal, "");
            }
        };
        ApiError::new(code, error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Whether an I/O error means the disk (or the account's quota) has no room left.
pub fn is_disk_full(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::StorageFull || error.kind() == std::io::ErrorKind::QuotaExceeded
}
