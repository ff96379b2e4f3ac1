//! Shop settings an admin runs the shop from.

pub mod general;
pub mod notify_url;
