//! Helpers shared by the end-to-end tests: the fake Slack and a running `baton` process.

#![allow(
    dead_code,
    reason = "shared by several test binaries; each uses a part of it"
)]

pub mod baton;
pub mod fake_slack;
