//! Shared infrastructure: database, clock, mail and its outbox, background jobs, tokens,
//! throttling. It knows no capability (a test in `app/tests/layers.rs` checks it).

pub mod clock;
pub mod db;
pub mod jobs;
pub mod mail;
pub mod outbox;
pub mod throttle;
pub mod tokens;
