//! Shared infrastructure: database, clock, mail and its outbox, background jobs, tokens,
//! throttling, application state.

pub mod clock;
pub mod db;
pub mod jobs;
pub mod mail;
pub mod outbox;
pub mod state;
pub mod throttle;
pub mod tokens;
