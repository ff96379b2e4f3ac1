//! Statements: the shop's account statement per period, its camt.053 file (and, to come, its
//! XLSX and CSV files and the month-close pack).

pub mod camt053;
pub mod sheets;
pub mod statement;
