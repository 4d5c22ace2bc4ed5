//! The pure core: no I/O, no clock reads, no Slack, no SQL. Everything here is a function of its
//! arguments, so it is tested without waiting and without a database.

pub mod holidays;
pub mod ids;
pub mod money;
pub mod month;
pub mod pay;
