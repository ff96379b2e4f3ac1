//! Billing: the month's service fees and the VAT correction as statement movements (the
//! billing job), and the usage they are charged for.

pub mod details;
pub mod invoices;
pub mod monthly;
pub mod pdf;
pub mod usage;
pub mod view;
