//! Who the user is and what they may do: sign-in, sessions, access checks, users, audit log.

pub mod access;
pub mod audit;
pub mod auth;
pub mod invitations;
pub mod two_factor;
pub mod users;
