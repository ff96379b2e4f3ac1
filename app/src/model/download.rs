//! How far a download is: what the page that started it reads while the browser saves the
//! file (see `components::download`).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DownloadState {
    /// The server is writing the file.
    Working,
    /// The file is being sent.
    Sending,
    Done,
    Failed,
    /// This server knows nothing of the download (another instance serves it, or it ended
    /// long ago).
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DownloadProgress {
    pub state: DownloadState,
    /// Rows (movements, payments) written so far, of `total` when known.
    pub rows: u64,
    pub total: Option<u64>,
    /// Bytes sent so far.
    pub bytes: u64,
    /// What is being made now (the month-close pack has several files), or why it failed.
    pub message: Option<String>,
}

impl DownloadProgress {
    pub fn unknown() -> DownloadProgress {
        DownloadProgress {
            state: DownloadState::Unknown,
            rows: 0,
            total: None,
            bytes: 0,
            message: None,
        }
    }
}
