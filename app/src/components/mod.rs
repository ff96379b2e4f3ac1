//! Reusable UI pieces. No SQL and no business rules here: components call server functions.

pub mod badge;
pub mod copy;
pub mod download;
pub mod form;
pub mod refused;
pub mod requests;
pub mod shell;
