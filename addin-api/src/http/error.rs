//! The one place where errors become HTTP answers: a fitting status and the SPEC §12 body
//! `{"error": {"code", "message"}}`. Internal failures are logged with an id and shown to the
//! client as that id only. The match names every variant, so a new one cannot become a 500
//! unnoticed.

use addin_core::api::{CannotSendBody, ErrorBody, ErrorDetail};
use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use rand::RngCore;

use crate::Error;

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::InvalidCode => (StatusCode::UNAUTHORIZED, "invalid-code"),
            Self::InvalidAccessToken(_) => (StatusCode::UNAUTHORIZED, "invalid-access-token"),
            Self::Forbidden { code, .. } => (StatusCode::FORBIDDEN, *code),
            Self::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, *code),
            Self::Unprocessable { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, *code),
            Self::Conflict { code, .. } => (StatusCode::CONFLICT, *code),
            Self::NotFound => (StatusCode::NOT_FOUND, "not-found"),
            Self::NotAvailable => (StatusCode::NOT_FOUND, "not-available"),
            Self::ViewerSessionRequired => (StatusCode::UNAUTHORIZED, "viewer-session-required"),
            Self::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed"),
            Self::PayloadTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large"),
            Self::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "too-many-requests"),
            Self::CannotSendSecure(verdict) => {
                let error = detail("cannot-send-secure", self.to_string());
                let body = CannotSendBody {
                    error,
                    verdict: (**verdict).clone(),
                };
                return (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
            }
            // Not an answer to a caller's request: a bug or an outage if it reaches a handler.
            Self::Unreadable { .. }
            | Self::NoDraft
            | Self::InvalidPolicy { .. }
            | Self::InvalidDraft { .. }
            | Self::InvalidDirectory { .. }
            | Self::DirectoryNotAFile
            | Self::InvalidConfig { .. }
            | Self::DataDir { .. }
            | Self::Unwritable { .. }
            | Self::Store(_)
            | Self::Internal { .. } => return internal(&self),
        };
        let mut response = (
            status,
            Json(ErrorBody {
                error: detail(code, self.to_string()),
            }),
        )
            .into_response();
        if let Self::TooManyRequests { retry_after } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
        }
        if status == StatusCode::UNAUTHORIZED {
            // RFC 6750: tell the client which scheme to use.
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

fn detail(code: &str, message: String) -> ErrorDetail {
    ErrorDetail {
        code: code.to_owned(),
        message,
    }
}

fn internal(error: &Error) -> Response {
    let id = format!("{:016x}", rand::rngs::OsRng.next_u64());
    tracing::error!(error_id = %id, error = %chain(error), "internal error");
    let body = ErrorBody {
        error: detail(
            "internal",
            format!("internal error; quote id {id} to your administrator"),
        ),
    };
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}

/// The error and what caused it, on one line as `anyhow`'s `{:#}` prints it.
fn chain(error: &dyn std::error::Error) -> String {
    let causes = std::iter::successors(error.source(), |cause| cause.source());
    causes.fold(error.to_string(), |chain, cause| {
        format!("{chain}: {cause}")
    })
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    #[tokio::test]
    async fn an_internal_error_is_logged_with_its_cause_and_answered_with_an_id_only() {
        let error = Error::internal_from("cannot write", io::Error::other("disk full"));
        assert_eq!(chain(&error), "internal error: cannot write: disk full");

        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        let body = String::from_utf8_lossy(&body);
        assert!(body.contains("quote id"), "{body}");
        assert!(!body.contains("disk full"), "{body}");
    }

    #[test]
    fn an_internal_error_without_a_cause_is_its_context() {
        assert_eq!(
            chain(&Error::internal("a session does not open")),
            "internal error: a session does not open"
        );
    }
}
