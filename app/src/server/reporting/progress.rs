//! How far each running download is, for the page that started it. The browser saves the
//! file itself (to disk, through its own download), so the page cannot count what arrives:
//! it names the download with a random token, and asks here meanwhile
//! (`GET /shops/{shop}/exports/progress?token=…`).
//!
//! Trackers live in this server's memory, keyed by user and token, and are forgotten an
//! hour after they start. With several instances behind a balancer, a question may reach an
//! instance that does not run the download: it answers `unknown`, and the page says the
//! download continues in the browser.

use crate::model::download::{DownloadProgress, DownloadState};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

/// How long a tracker is kept after it starts.
const KEEP_MS: i64 = 60 * 60 * 1000;
/// Trackers kept at most; a download beyond it runs untracked.
const MAX_TRACKERS: usize = 10_000;

#[derive(Default)]
pub struct Registry {
    trackers: Mutex<HashMap<(i64, String), Arc<Tracker>>>,
}

struct Tracker {
    started_ms: i64,
    rows: AtomicU64,
    bytes: AtomicU64,
    /// −1 while unknown.
    total: AtomicI64,
    state: AtomicU8,
    message: Mutex<Option<String>>,
}

const WORKING: u8 = 0;
const SENDING: u8 = 1;
const DONE: u8 = 2;
const FAILED: u8 = 3;

/// A download's tracker, or nothing when the download named no token: every call is cheap
/// and does nothing then.
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<Tracker>>);

/// A token as the page makes them: 16 to 64 letters, digits, `-` or `_`.
pub fn valid_token(token: &str) -> bool {
    (16..=64).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Registry {
    /// Starts tracking the user's download named `token` (nothing when the token is empty
    /// or malformed).
    pub fn start(&self, user_id: i64, token: &str, now_ms: i64) -> Progress {
        if !valid_token(token) {
            return Progress(None);
        }
        let Ok(mut map) = self.trackers.lock() else {
            return Progress(None);
        };
        map.retain(|_, t| now_ms - t.started_ms < KEEP_MS);
        if map.len() >= MAX_TRACKERS {
            return Progress(None);
        }
        let t = Arc::new(Tracker {
            started_ms: now_ms,
            rows: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            total: AtomicI64::new(-1),
            state: AtomicU8::new(WORKING),
            message: Mutex::new(None),
        });
        map.insert((user_id, token.to_string()), t.clone());
        Progress(Some(t))
    }

    /// Where the user's download named `token` is.
    pub fn get(&self, user_id: i64, token: &str) -> DownloadProgress {
        let t = self
            .trackers
            .lock()
            .ok()
            .and_then(|m| m.get(&(user_id, token.to_string())).cloned());
        let Some(t) = t else {
            return DownloadProgress::unknown();
        };
        let total = t.total.load(Ordering::Relaxed);
        DownloadProgress {
            state: match t.state.load(Ordering::Relaxed) {
                WORKING => DownloadState::Working,
                SENDING => DownloadState::Sending,
                DONE => DownloadState::Done,
                _ => DownloadState::Failed,
            },
            rows: t.rows.load(Ordering::Relaxed),
            total: u64::try_from(total).ok(),
            bytes: t.bytes.load(Ordering::Relaxed),
            message: t.message.lock().ok().and_then(|m| m.clone()),
        }
    }
}

impl Progress {
    /// `n` more rows written.
    pub fn rows(&self, n: u64) {
        if let Some(t) = &self.0 {
            t.rows.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// The rows the file will hold, when known before writing; restarts the count (the
    /// month-close pack makes several files in turn, each with its `step`).
    pub fn expect(&self, total: Option<u64>) {
        if let Some(t) = &self.0 {
            t.rows.store(0, Ordering::Relaxed);
            t.total.store(
                total.and_then(|n| i64::try_from(n).ok()).unwrap_or(-1),
                Ordering::Relaxed,
            );
        }
    }

    /// What is being made now, for the page to show.
    pub fn step(&self, text: &str) {
        if let Some(t) = &self.0 {
            if let Ok(mut m) = t.message.lock() {
                *m = Some(text.to_string());
            }
        }
    }

    pub fn sent(&self, n: u64) {
        if let Some(t) = &self.0 {
            t.bytes.fetch_add(n, Ordering::Relaxed);
            let _ =
                t.state
                    .compare_exchange(WORKING, SENDING, Ordering::Relaxed, Ordering::Relaxed);
        }
    }

    pub fn done(&self) {
        if let Some(t) = &self.0 {
            t.state.store(DONE, Ordering::Relaxed);
        }
    }

    pub fn failed(&self, why: &str) {
        if let Some(t) = &self.0 {
            t.state.store(FAILED, Ordering::Relaxed);
            if let Ok(mut m) = t.message.lock() {
                *m = Some(why.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_download_is_tracked_for_its_user_only_and_forgotten_later() {
        let r = Registry::default();
        let token = "abcdefghijklmnop";
        let p = r.start(7, token, 1_000);
        p.expect(Some(10));
        p.rows(4);
        let seen = r.get(7, token);
        assert_eq!(
            (seen.state, seen.rows, seen.total),
            (DownloadState::Working, 4, Some(10))
        );
        assert_eq!(r.get(8, token).state, DownloadState::Unknown);
        p.sent(100);
        assert_eq!(r.get(7, token).state, DownloadState::Sending);
        p.done();
        assert_eq!(r.get(7, token).state, DownloadState::Done);
        r.start(7, "qrstuvwxyz012345", 1_000 + KEEP_MS);
        assert_eq!(r.get(7, token).state, DownloadState::Unknown);
    }

    #[test]
    fn malformed_tokens_are_not_tracked() {
        let r = Registry::default();
        for bad in ["", "short", "has space in it!!", &"x".repeat(65)] {
            r.start(1, bad, 0).rows(1);
            assert_eq!(r.get(1, bad).state, DownloadState::Unknown);
        }
    }
}
