//! Payment links: making, listing, sending and withdrawing them.

pub mod payment_links;
