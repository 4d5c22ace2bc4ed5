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
    use chrono::Timelike;
    let london = || chrono::Utc::now().with_timezone(&chrono_tz::Europe::London);
    // 23:59 written now could be tomorrow's by the time Baton starts: wait for the new day.
    while (london().hour(), london().minute()) == (23, 59) {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let minute = london().format("%H:%M");
    format!(
        "[reminders]\ntime = \"{minute}\"\non_bank_holidays = true\n\
         days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"]\n"
    )
}
