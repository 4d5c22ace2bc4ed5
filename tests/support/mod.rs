//! Helpers shared by the end-to-end tests: the fake Slack and a running `baton` process.

#![allow(
    dead_code,
    reason = "shared by several test binaries; each uses a part of it"
)]

pub mod baton;
pub mod fake_slack;

/// A `[reminders]` section whose reminder is due the moment Baton starts, whatever the time and
/// day the test runs: every day, bank holidays too, at this minute in London (the default
/// zone). A reminder is posted at most four hours late, so a fixed time would not do.
pub fn reminders_due_now() -> String {
    let minute = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::London)
        .format("%H:%M");
    format!(
        "[reminders]\ntime = \"{minute}\"\non_bank_holidays = true\n\
         days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"]\n"
    )
}
