//! `/handover`'s tests: the grammar, the rules for who may hand over and when, and the engine
//! on a real store.

use super::messages::*;
use super::parse::*;
use super::record::*;
use super::undo::*;
use super::*;
use crate::domain::rota::{ChannelState, Handover, NewHandover};
use chrono::{DateTime, Utc};

mod grammar;
mod redelivery;
mod rules;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}
