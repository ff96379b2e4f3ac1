//! Shared infrastructure: database, clock, mail, tokens, throttling, application state.

pub mod clock;
pub mod db;
pub mod mail;
pub mod state;
pub mod throttle;
pub mod tokens;
