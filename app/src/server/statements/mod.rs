//! Statements: the shop's account statement per period (and, to come, its camt.053, XLSX and
//! CSV files and the month-close pack).

pub mod statement;
