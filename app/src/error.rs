//! The one error type that server functions, pages and HTTP routes share.

use crate::domain::FieldErrors;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Some fields need fixing; each message says how.
    #[error("Please correct the highlighted fields.")]
    Validation(FieldErrors),
    #[error("Please sign in.")]
    Unauthenticated,
    #[error("Your role does not allow this. Ask an admin of this shop.")]
    Forbidden,
    #[error("Not found.")]
    NotFound,
    /// The shop's merchant requires two-factor sign-in and this user has not set it up.
    #[error("This shop requires two-factor sign-in. Set it up under My account, then come back.")]
    TwoFactorRequired,
    /// The request clashes with the current state; the message says what to do.
    #[error("{0}")]
    Conflict(String),
    #[error("Too many attempts. Try again in {} minute(s).", .retry_after_secs.div_ceil(60).max(1))]
    TooManyAttempts { retry_after_secs: u64 },
    /// Something failed on our side. Details are in the server log under this request id.
    #[error("Something went wrong on our side. Please try again; if it keeps happening, contact support.")]
    Internal,
    /// The request itself could not be read (malformed or tampered form data). The detail
    /// goes to the log only; people see a message that tells them what to do.
    #[error("The form could not be read. Reload the page and try again.")]
    BadRequest,
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut e = FieldErrors::default();
        e.add(field, message);
        AppError::Validation(e)
    }

    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            AppError::Validation(_) => S::UNPROCESSABLE_ENTITY,
            AppError::BadRequest => S::BAD_REQUEST,
            AppError::Unauthenticated => S::UNAUTHORIZED,
            AppError::Forbidden | AppError::TwoFactorRequired => S::FORBIDDEN,
            AppError::NotFound => S::NOT_FOUND,
            AppError::Conflict(_) => S::CONFLICT,
            AppError::TooManyAttempts { .. } => S::TOO_MANY_REQUESTS,
            AppError::Internal => S::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn field_errors(&self) -> Option<&FieldErrors> {
        match self {
            AppError::Validation(f) => Some(f),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => {
                // On the server this is a request whose form data did not parse: answer 400.
                #[cfg(feature = "ssr")]
                {
                    tracing::warn!(detail = %m, "unreadable request");
                    if let Some(r) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
                    {
                        r.set_status(http::StatusCode::BAD_REQUEST);
                    }
                }
                #[cfg(not(feature = "ssr"))]
                let _ = m;
                AppError::BadRequest
            }
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Conflict(
                "The portal could not be reached. Check your connection and try again.".into(),
            ),
            _ => AppError::Internal,
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
