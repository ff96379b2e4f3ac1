//! Shop settings an admin runs the shop from.

pub mod general;
pub mod keys;
pub mod methods;
pub mod notify_url;
