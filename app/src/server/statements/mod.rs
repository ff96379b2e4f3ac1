//! Statements: the shop's account statement per period, its camt.053 file, its CSV and XLSX
//! files (and, to come, the month-close pack).

pub mod camt053;
pub mod sheets;
pub mod statement;
