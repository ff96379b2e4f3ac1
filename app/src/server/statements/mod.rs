//! Statements: the shop's account statement per period, its camt.053 file, its CSV and XLSX
//! files, and the month-close pack that bundles them for the accountant.

pub mod camt053;
pub mod pack;
pub mod sheets;
pub mod statement;
