//! Daily channel reminders, the decision half: which local date's reminder is due at an instant,
//! when to look again, and what each channel (and the engineer next in the rota) is told.
//!
//! The reminder of local date D (a configured reminder day) is due from the first real instant
//! at or after D's configured wall time until the end of D, and posted at most four hours late
//! (`LATE_AT_MOST`: a start later than that skips it): 09:00 is 09:00 on clock-change days
//! too, a time skipped when the clocks go forward (01:30 on 2025-03-30 in London) means the end of
//! the gap, and a time repeated when they go back means its first occurrence. A reminder is never
//! posted a day late. Whether it was already posted is the store's business (the scheduler claims
//! each channel and date there); this module only says what is due.
//!
//! "Every working morning": a bank holiday of the pay calendar (with the company's extra days) gets
//! no reminder, unless the config says `on_bank_holidays = true`. When the handover day has no
//! reminder (a bank holiday, or not a reminder day), the handover is said to have been due on the
//! next morning with one, and the heads-up goes out on the last one before the handover day. A
//! shift begun after the last reminder before the handover day is that handover, done early or on
//! the day (see [`HandoverDue`]).

use crate::domain::holidays::HolidayCalendar;
use crate::domain::ids::{ChannelId, UserId};
use crate::domain::month::first_instant_at_or_after;
use crate::domain::rota::{ChannelState, Handover};
use crate::domain::{text, when};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use std::collections::{BTreeSet, HashMap, HashSet};

/// The daily channel reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderSettings {
    /// Local time of day in the configured zone.
    pub time: NaiveTime,
    pub days: BTreeSet<WeekdayKey>,
    /// The day handovers are due: that day's post says so, and the engineer next in the rota is
    /// sent a direct message on the last reminder day before it.
    pub handover_day: Option<Weekday>,
    /// Days with no reminder though their weekday is in `days`: the pay calendar's bank
    /// holidays and the company's extra days; an empty calendar with `on_bank_holidays = true`.
    pub holidays: HolidayCalendar,
}

impl ReminderSettings {
    /// Whether `date` gets a reminder: its weekday is a reminder day and it is not a holiday.
    pub fn posts_on(&self, date: NaiveDate) -> bool {
        self.days.contains(&WeekdayKey::of(date.weekday())) && !self.holidays.is_holiday(date)
    }

    /// The handover day on or before `date` that the first reminder on or after it is `date`'s:
    /// `date` itself on the handover day, or an earlier one when every morning from it to
    /// `date` had no reminder (a bank holiday Monday). `None` otherwise.
    fn handover_day_reminded_on(&self, date: NaiveDate) -> Option<NaiveDate> {
        let handover = self.handover_day?;
        let mut day = date;
        for _ in 0..7 {
            if day.weekday() == handover {
                return Some(day);
            }
            day = day.pred_opt()?;
            if self.posts_on(day) {
                return None;
            }
        }
        None
    }

    /// Whether `date`'s reminder is the last before the next handover day: the heads-up day.
    fn last_before_handover_day(&self, date: NaiveDate) -> bool {
        let Some(handover) = self.handover_day else {
            return false;
        };
        let mut day = date;
        for _ in 0..7 {
            let Some(next) = day.succ_opt() else {
                return false;
            };
            day = next;
            if day.weekday() == handover {
                return true;
            }
            if self.posts_on(day) {
                return false;
            }
        }
        false
    }
}

/// A weekday that sorts Monday first (chrono's `Weekday` is not `Ord`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WeekdayKey(pub u8);

impl WeekdayKey {
    pub fn of(day: Weekday) -> Self {
        Self(day.num_days_from_monday() as u8)
    }
}

/// What to do at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The local date whose reminders are due now, if any.
    pub due: Option<NaiveDate>,
    /// The next instant a reminder becomes due, after `now`. `None` when no day is a reminder day.
    pub next_wake: Option<DateTime<Utc>>,
}

/// One channel's reminder for one local date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuePost {
    pub channel: ChannelId,
    pub date: NaiveDate,
    /// The public message for the channel, in Slack's wire form (mrkdwn, mentions as `<@U…>`).
    pub message: String,
    /// On the last reminder day before the handover day: a direct message to the engineer next
    /// in the rota. It belongs to this post: it is sent once, under the same claim.
    pub dm: Option<DirectMessage>,
}

/// A direct message to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectMessage {
    pub user: UserId,
    /// Private to `user`, in Slack's wire form.
    pub message: String,
}

/// When the reminder of `date` is due: `None` if `date` is not a reminder day, or a holiday.
pub fn reminder_at(settings: &ReminderSettings, tz: Tz, date: NaiveDate) -> Option<DateTime<Utc>> {
    settings
        .posts_on(date)
        .then(|| first_instant_at_or_after(date.and_time(settings.time), tz))
}

/// How late a reminder is still posted by a Baton that was not running at its time: a morning
/// post at lunchtime still helps; at 22:00 it would only ping people.
pub const LATE_AT_MOST: Duration = Duration::hours(4);

/// Decides what is due at `now`. `last_checked` is the previous instant this was asked (`None` at
/// startup): a reminder whose time fell in `(last_checked, now]` is due, and at startup a
/// reminder of today whose time passed at most [`LATE_AT_MOST`] ago (the store knows whether it
/// was posted). Either way only today's reminder, never yesterday's.
pub fn decide(
    settings: &ReminderSettings,
    tz: Tz,
    now: DateTime<Utc>,
    last_checked: Option<DateTime<Utc>>,
) -> Decision {
    let today = now.with_timezone(&tz).date_naive();
    // Yesterday is a candidate only for a zone whose gap pushes yesterday's time past midnight.
    let due = [Some(today), today.pred_opt()]
        .into_iter()
        .flatten()
        .find(|&date| {
            reminder_at(settings, tz, date).is_some_and(|at| {
                at <= now
                    && last_checked.map_or(now - at <= LATE_AT_MOST, |last| at > last)
                    && at.with_timezone(&tz).date_naive() == today
            })
        });
    Decision {
        due,
        next_wake: next_wake(settings, tz, now),
    }
}

/// The first reminder instant after `now`.
pub fn next_wake(settings: &ReminderSettings, tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let today = now.with_timezone(&tz).date_naive();
    // A week and a day covers every weekday even when today's time has passed; a fortnight
    // covers the holidays too (Christmas to New Year is the longest run of them).
    (0..=15)
        .filter_map(|n| today.checked_add_signed(Duration::days(n)))
        .filter_map(|date| reminder_at(settings, tz, date))
        .find(|&at| at > now)
}

/// Today's local date if it is a reminder day, whatever the time: for running reminders by hand.
pub fn today_if_reminder_day(
    settings: &ReminderSettings,
    tz: Tz,
    now: DateTime<Utc>,
) -> Option<NaiveDate> {
    let today = now.with_timezone(&tz).date_naive();
    reminder_at(settings, tz, today).map(|_| today)
}

/// The reminders of `date` for these channels, each with its state at `now` (the callers read
/// it as of `now` plus the clock skew allowed: see `commands::handover::begun_by`) and the first
/// handover recorded to take effect after that, if any. A channel with nobody on call gets
/// nothing.
pub fn posts<'a>(
    settings: &ReminderSettings,
    tz: Tz,
    date: NaiveDate,
    now: DateTime<Utc>,
    channels: impl IntoIterator<Item = (&'a ChannelId, &'a ChannelState, Option<&'a Handover>)>,
    names: &HashMap<UserId, String>,
    gone: &HashSet<UserId>,
) -> Vec<DuePost> {
    let due = settings.handover_due(tz, date);
    let heads_up = settings.last_before_handover_day(date);
    // The handover day the heads-up names, the first with its weekday after `date`: a bank
    // holiday this time?
    let handover_on_holiday = settings.handover_day.is_some_and(|handover| {
        date.iter_days()
            .skip(1)
            .take(7)
            .find(|d| d.weekday() == handover)
            .is_some_and(|d| settings.holidays.is_holiday(d))
    });
    channels
        .into_iter()
        .filter_map(|(channel, state, coming)| {
            let message = match coming {
                None => channel_message(state, tz, now, date, due, names, gone)?,
                // A handover already recorded (by a clock that was ahead) decides who takes the
                // pager, and when: not the rota's next person, nor the handover day, whose
                // `/handover next` would be refused until then.
                Some(coming) => {
                    let held = ChannelState {
                        current: state.current.clone(),
                        rota: Vec::new(),
                    };
                    channel_message(&held, tz, now, date, None, names, gone)?
                        + "\n"
                        + &coming_handover(coming, tz, now)
                }
            };
            // Nobody to tell: a leaver's account takes no messages.
            let dm = match (heads_up, settings.handover_day, coming) {
                (true, Some(handover), None) => {
                    heads_up_message(channel, state, handover, handover_on_holiday, gone)
                        .filter(|dm| !gone.contains(&dm.user))
                }
                _ => None,
            };
            Some(DuePost {
                channel: channel.clone(),
                date,
                message,
                dm,
            })
        })
        .collect()
}

/// The handover day a reminder speaks for, and the instant after which a shift that began counts
/// as that handover done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandoverDue {
    pub day: NaiveDate,
    /// The last reminder before `day`: a handover after it is the new shift, early or on the
    /// day (Friday afternoon, when Monday is a bank holiday; 08:00 before Monday's 09:00 post).
    /// The local start of `day` when no reminder came in the six days before it.
    pub done_after: DateTime<Utc>,
}

impl ReminderSettings {
    /// The handover `date`'s reminder says is due, if any (see [`HandoverDue`]).
    pub fn handover_due(&self, tz: Tz, date: NaiveDate) -> Option<HandoverDue> {
        let day = self.handover_day_reminded_on(date)?;
        // Within the six days before: the same weekday a week earlier is the last handover
        // day's reminder, and a shift begun after it is that week's, not this one's.
        let done_after = (1..=6)
            .filter_map(|n| day.checked_sub_signed(Duration::days(n)))
            .find_map(|before| reminder_at(self, tz, before))
            .unwrap_or_else(|| first_instant_at_or_after(day.and_time(NaiveTime::MIN), tz));
        Some(HandoverDue { day, done_after })
    }
}

/// What the status, the rota and the reminder say of a handover recorded to take effect later
/// than now, by a clock that was ahead: "@bob takes over on Mon 4 Jan 2027, 09:00 (recorded ahead
/// of now, by @alice)."
pub fn coming_handover(coming: &Handover, tz: Tz, now: DateTime<Utc>) -> String {
    let then = when::short(coming.effective_at, tz, now);
    let what = match &coming.to {
        Some(to) => format!("{} takes over on {then}", to.mention()),
        None => format!("Standby here ends on {then}"),
    };
    format!(
        "{what} (recorded ahead of now, by {}).",
        coming.recorded_by.mention()
    )
}

/// What the status and the reminder say of a person on call whose account is deactivated: a
/// leaver who never handed over is paid standby for every day until someone does.
pub fn holder_left(holder: &UserId) -> String {
    format!(
        "{} has left (their account is deactivated) but still holds the pager, and is paid \
         standby for it until someone takes it over with `/handover @person` or an admin ends it \
         with `/handover end`. To stop their pay when they left, an admin can record `/handover \
         end at YYYY-MM-DD HH:MM` (nobody covered) or `/handover @person at YYYY-MM-DD HH:MM` \
         (someone took over then).",
        holder.mention()
    )
}

/// The public reminder of `date`: who is on call and since when (and if they are in `gone`, whose
/// accounts are deactivated, that they have left but are still paid standby), the handover being
/// due (`due`, unless the shift began after its `done_after`), who is next (and if they are in
/// `gone`, that they have left), and the last handover's notes, naming the people they mention
/// by `names` where known. `None` with nobody on call.
pub fn channel_message(
    state: &ChannelState,
    tz: Tz,
    now: DateTime<Utc>,
    date: NaiveDate,
    due: Option<HandoverDue>,
    names: &HashMap<UserId, String>,
    gone: &HashSet<UserId>,
) -> Option<String> {
    let current = state.current.as_ref()?;
    // After `/handover end`, nobody: no post.
    let holder = current.to.as_ref()?;
    let who = holder.mention();
    let next = state.next_in_rota();
    let mut text = format!(
        "{who} is on call here, since {}.",
        when::short(current.effective_at, tz, now)
    );
    if gone.contains(holder) {
        text.push(' ');
        text.push_str(&holder_left(holder));
    }
    let due = due
        .filter(|due| current.effective_at <= due.done_after)
        .map(|due| match due.day == date {
            true => "is due today".to_owned(),
            false => format!("was due on {}", day_name(due.day.weekday())),
        });
    let left = next.filter(|n| gone.contains(*n)).map(|n| {
        format!(
            "{}, next in the rota, has left (their account is deactivated): an admin can take \
             them out with `/handover rota @a @b …`",
            n.mention()
        )
    });
    // A holder who has left cannot hand over: the reminder speaks to whoever takes over.
    let holder_gone = gone.contains(holder);
    let anyone = "the person taking over can take the pager with `/handover @person`, naming \
                  themself";
    match (due, next, left) {
        (Some(due), _, Some(left)) if holder_gone => {
            text.push_str(&format!("\nThe handover {due}: {anyone}. {left}."))
        }
        (Some(due), _, Some(left)) => text.push_str(&format!(
            "\nThe handover {due}: {who}, hand the pager on with `/handover @person`. {left}."
        )),
        (Some(due), Some(next), None) if holder_gone => text.push_str(&format!(
            "\nThe handover {due}: {}, take the pager from {who} with `/handover next`.",
            next.mention()
        )),
        (Some(due), Some(next), None) => text.push_str(&format!(
            "\nThe handover {due}: {who}, hand the pager to {} with `/handover next`.",
            next.mention()
        )),
        (Some(due), None, _) if holder_gone => {
            text.push_str(&format!("\nThe handover {due}: {anyone}."))
        }
        (Some(due), None, _) => text.push_str(&format!(
            "\nThe handover {due}: {who}, hand the pager on with `/handover @person`."
        )),
        (None, _, Some(left)) => text.push_str(&format!(" {left}.")),
        (None, Some(next), None) => {
            text.push_str(&format!(" Next in the rota: {}.", next.mention()))
        }
        (None, None, _) => {}
    }
    // Repeated every reminder day: people named in the notes were notified by the handover
    // itself and are not pinged again each morning.
    let notes = text::sanitize_quietly(&current.notes, names);
    if !notes.trim().is_empty() {
        text.push_str("\nNotes from the last handover:\n");
        text.push_str(&text::block_quote(&notes));
    }
    Some(text)
}

/// The direct message to the engineer next in the rota that their turn starts on `handover`
/// (`on_holiday`: a bank holiday this time, when no reminder is posted). If whoever holds the
/// pager has left (is in `gone`), they will not hand it over: the engineer takes it.
fn heads_up_message(
    channel: &ChannelId,
    state: &ChannelState,
    handover: Weekday,
    on_holiday: bool,
    gone: &HashSet<UserId>,
) -> Option<DirectMessage> {
    let current = state.on_call()?;
    let next = state.next_in_rota()?;
    let how = match gone.contains(current) {
        true => format!(
            ". {} has left (their account is deactivated), so take the pager then with \
             `/handover next`",
            current.mention()
        ),
        false => format!(", when {} hands the pager to you", current.mention()),
    };
    Some(DirectMessage {
        user: next.clone(),
        message: format!(
            "Heads-up: your on-call turn in {} starts on {}{}{how}.",
            channel.link(),
            day_name(handover),
            if on_holiday { " (a bank holiday)" } else { "" },
        ),
    })
}

fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rota::Handover;
    use chrono::NaiveTime;
    use chrono_tz::Africa::Cairo;
    use chrono_tz::Europe::London;

    const WEEKDAYS: &[Weekday] = &[
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];
    const EVERY_DAY: &[Weekday] = &[
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    fn settings(time: &str, days: &[Weekday], handover_day: Option<Weekday>) -> ReminderSettings {
        ReminderSettings {
            time: NaiveTime::parse_from_str(time, "%H:%M").unwrap(),
            days: days.iter().copied().map(WeekdayKey::of).collect(),
            handover_day,
            holidays: HolidayCalendar::empty(),
        }
    }

    /// Weekdays at nine, handing over on Mondays, with these bank holidays.
    fn with_holidays(holidays: &[&str]) -> ReminderSettings {
        ReminderSettings {
            holidays: HolidayCalendar::empty().with_extra(holidays.iter().map(|d| date(d))),
            ..settings("09:00", WEEKDAYS, Some(Weekday::Mon))
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn user(name: &str) -> UserId {
        UserId::parse(name).unwrap()
    }

    fn state(on_call: Option<&str>, since: &str, notes: &str, rota: &[&str]) -> ChannelState {
        ChannelState {
            current: on_call.map(|to| Handover {
                id: 1,
                channel: ChannelId::parse("ops").unwrap(),
                seq: 1,
                from: None,
                to: Some(user(to)),
                effective_at: utc(since),
                recorded_at: utc(since),
                recorded_by: user(to),
                notes: notes.to_owned(),
                undone: None,
            }),
            rota: rota.iter().map(|u| user(u)).collect(),
        }
    }

    #[test]
    fn a_reminder_is_due_from_its_local_time_until_the_end_of_that_date_and_never_later() {
        // (what, time, days, last checked, now, due, next wake)
        type Case = (
            &'static str,
            &'static str,
            &'static [Weekday],
            Option<&'static str>,
            &'static str,
            Option<&'static str>,
            Option<&'static str>,
        );
        let cases: [Case; 19] = [
            (
                "a second before 09:00 on spring-forward day: wake at 09:00 BST",
                "09:00",
                EVERY_DAY,
                None,
                "2025-03-30T07:59:59Z",
                None,
                Some("2025-03-30T08:00:00Z"),
            ),
            (
                "09:00 BST on spring-forward day is due",
                "09:00",
                EVERY_DAY,
                Some("2025-03-30T07:59:59Z"),
                "2025-03-30T08:00:00Z",
                Some("2025-03-30"),
                Some("2025-03-31T08:00:00Z"),
            ),
            (
                "09:00 GMT on fall-back day, not an hour early",
                "09:00",
                EVERY_DAY,
                Some("2025-10-26T07:59:00Z"),
                "2025-10-26T08:30:00Z",
                None,
                Some("2025-10-26T09:00:00Z"),
            ),
            (
                "09:00 GMT on fall-back day is due",
                "09:00",
                EVERY_DAY,
                Some("2025-10-26T08:30:00Z"),
                "2025-10-26T09:00:00Z",
                Some("2025-10-26"),
                Some("2025-10-27T09:00:00Z"),
            ),
            (
                "a skipped 01:30 on spring-forward day waits for the end of the gap",
                "01:30",
                EVERY_DAY,
                None,
                "2025-03-30T00:59:00Z",
                None,
                Some("2025-03-30T01:00:00Z"),
            ),
            (
                "a skipped 01:30 on spring-forward day is due at 02:00 BST",
                "01:30",
                EVERY_DAY,
                Some("2025-03-30T00:59:00Z"),
                "2025-03-30T01:00:00Z",
                Some("2025-03-30"),
                Some("2025-03-31T00:30:00Z"),
            ),
            (
                "a repeated 01:30 on fall-back day is due at its first occurrence",
                "01:30",
                EVERY_DAY,
                Some("2025-10-26T00:00:00Z"),
                "2025-10-26T00:30:00Z",
                Some("2025-10-26"),
                Some("2025-10-27T01:30:00Z"),
            ),
            (
                "a repeated 01:30 on fall-back day is not due again at its second occurrence",
                "01:30",
                EVERY_DAY,
                Some("2025-10-26T00:30:00Z"),
                "2025-10-26T01:30:00Z",
                None,
                Some("2025-10-27T01:30:00Z"),
            ),
            (
                "a restart after the time on the same date makes it due",
                "09:00",
                WEEKDAYS,
                None,
                "2025-06-02T10:00:00Z",
                Some("2025-06-02"),
                Some("2025-06-03T08:00:00Z"),
            ),
            (
                "a restart four hours after the time still makes it due",
                "09:00",
                WEEKDAYS,
                None,
                "2025-06-02T12:00:00Z",
                Some("2025-06-02"),
                Some("2025-06-03T08:00:00Z"),
            ),
            (
                "a restart later than that does not: a morning post at night only pings people",
                "09:00",
                WEEKDAYS,
                None,
                "2025-06-02T12:00:01Z",
                None,
                Some("2025-06-03T08:00:00Z"),
            ),
            (
                "nor one just before midnight",
                "09:00",
                WEEKDAYS,
                None,
                "2025-06-02T22:59:59Z",
                None,
                Some("2025-06-03T08:00:00Z"),
            ),
            (
                "a restart the next day after midnight does not post yesterday's",
                "09:00",
                WEEKDAYS,
                None,
                "2025-06-02T23:00:00Z",
                None,
                Some("2025-06-03T08:00:00Z"),
            ),
            (
                "a restart the next day after its time posts that day's only",
                "09:00",
                WEEKDAYS,
                None,
                "2025-06-03T12:00:00Z",
                Some("2025-06-03"),
                Some("2025-06-04T08:00:00Z"),
            ),
            (
                "a wake-up a day late (a suspended machine) posts today's only",
                "09:00",
                WEEKDAYS,
                Some("2025-06-02T07:00:00Z"),
                "2025-06-03T07:30:00Z",
                None,
                Some("2025-06-03T08:00:00Z"),
            ),
            (
                "a reminder already checked today is not due again",
                "09:00",
                WEEKDAYS,
                Some("2025-06-02T08:00:00Z"),
                "2025-06-02T09:00:00Z",
                None,
                Some("2025-06-03T08:00:00Z"),
            ),
            (
                "Saturday is not a reminder day: wake on Monday",
                "09:00",
                WEEKDAYS,
                None,
                "2025-06-07T10:00:00Z",
                None,
                Some("2025-06-09T08:00:00Z"),
            ),
            (
                "Friday after the time: next is Monday",
                "09:00",
                WEEKDAYS,
                Some("2025-06-06T07:00:00Z"),
                "2025-06-06T08:00:00Z",
                Some("2025-06-06"),
                Some("2025-06-09T08:00:00Z"),
            ),
            (
                "a weekly reminder already past this week wakes a week on",
                "09:00",
                &[Weekday::Mon],
                None,
                "2025-06-02T08:00:01Z",
                Some("2025-06-02"),
                Some("2025-06-09T08:00:00Z"),
            ),
        ];
        for (what, time, days, last, now, due, wake) in cases {
            let decision = decide(&settings(time, days, None), London, utc(now), last.map(utc));
            assert_eq!(
                decision,
                Decision {
                    due: due.map(date),
                    next_wake: wake.map(utc),
                },
                "{what}"
            );
        }
    }

    #[test]
    fn the_first_weekday_reminder_after_each_clock_change_is_at_its_time_in_the_new_offset() {
        // Europe/London in 2026: the clocks go forward on Sunday 29 March (01:00 GMT to 02:00
        // BST) and back on Sunday 25 October (02:00 BST to 01:00 GMT). Both are Sundays, so a
        // weekday rota meets the change on the Friday before and the Monday after. In Cairo they
        // change on weekdays: forward at midnight starting Friday 24 April (00:00 EET to 01:00
        // EEST), back at the end of Thursday 29 October (24:00 EEST to 23:00 EET).
        // (what, zone, time, last checked, now, due, next wake)
        type Case = (
            &'static str,
            Tz,
            &'static str,
            Option<&'static str>,
            &'static str,
            Option<&'static str>,
            Option<&'static str>,
        );
        let cases: [Case; 9] = [
            (
                "London, the Friday before the clocks go forward: Monday's 09:00 is BST",
                London,
                "09:00",
                Some("2026-03-27T08:59:59Z"),
                "2026-03-27T09:00:00Z",
                Some("2026-03-27"),
                Some("2026-03-30T08:00:00Z"),
            ),
            (
                "London, 09:00 BST on the Sunday they go forward: no weekday post",
                London,
                "09:00",
                None,
                "2026-03-29T08:00:00Z",
                None,
                Some("2026-03-30T08:00:00Z"),
            ),
            (
                "London, the Friday before the clocks go back: Monday's 09:00 is GMT",
                London,
                "09:00",
                Some("2026-10-23T07:59:59Z"),
                "2026-10-23T08:00:00Z",
                Some("2026-10-23"),
                Some("2026-10-26T09:00:00Z"),
            ),
            (
                "London, 09:00 GMT on the Sunday they go back: no weekday post",
                London,
                "09:00",
                None,
                "2026-10-25T09:00:00Z",
                None,
                Some("2026-10-26T09:00:00Z"),
            ),
            (
                "London, the Monday after they go back: not due at 08:00 UTC, 08:00 GMT",
                London,
                "09:00",
                Some("2026-10-26T07:59:00Z"),
                "2026-10-26T08:00:00Z",
                None,
                Some("2026-10-26T09:00:00Z"),
            ),
            (
                "Cairo, a 00:30 the clocks skip on a Friday waits for the end of the gap",
                Cairo,
                "00:30",
                Some("2026-04-22T22:30:00Z"),
                "2026-04-23T21:59:59Z",
                None,
                Some("2026-04-23T22:00:00Z"),
            ),
            (
                "Cairo, it is due at 01:00 EEST, and Monday's at 00:30 EEST",
                Cairo,
                "00:30",
                Some("2026-04-23T21:59:59Z"),
                "2026-04-23T22:00:00Z",
                Some("2026-04-24"),
                Some("2026-04-26T21:30:00Z"),
            ),
            (
                "Cairo, a 23:30 repeated on a Thursday is due at its first occurrence",
                Cairo,
                "23:30",
                Some("2026-10-28T21:30:00Z"),
                "2026-10-29T20:30:00Z",
                Some("2026-10-29"),
                Some("2026-10-30T21:30:00Z"),
            ),
            (
                "Cairo, and not again at its second, an hour later",
                Cairo,
                "23:30",
                Some("2026-10-29T20:30:00Z"),
                "2026-10-29T21:30:00Z",
                None,
                Some("2026-10-30T21:30:00Z"),
            ),
        ];
        for (what, tz, time, last, now, due, wake) in cases {
            let decision = decide(&settings(time, WEEKDAYS, None), tz, utc(now), last.map(utc));
            assert_eq!(
                decision,
                Decision {
                    due: due.map(date),
                    next_wake: wake.map(utc),
                },
                "{what}"
            );
        }
    }

    #[test]
    fn a_start_on_either_clock_change_day_posts_up_to_four_hours_of_real_time_late_and_no_later() {
        // (what, time, now, due): Baton was not running at the time; it starts at `now`.
        let cases = [
            // 09:00 BST is 08:00 UTC on 29 March 2026.
            (
                "09:00 BST, four hours later",
                "09:00",
                "2026-03-29T12:00:00Z",
                true,
            ),
            (
                "09:00 BST, a second more",
                "09:00",
                "2026-03-29T12:00:01Z",
                false,
            ),
            // A skipped 01:30 is due at 02:00 BST (01:00 UTC): four hours from then, though by
            // the clock on the wall 06:00 is four and a half after 01:30.
            (
                "01:30 skipped, four hours after the gap",
                "01:30",
                "2026-03-29T05:00:00Z",
                true,
            ),
            (
                "01:30 skipped, a second more",
                "01:30",
                "2026-03-29T05:00:01Z",
                false,
            ),
            // 09:00 GMT is 09:00 UTC on 25 October 2026.
            (
                "09:00 GMT, four hours later",
                "09:00",
                "2026-10-25T13:00:00Z",
                true,
            ),
            (
                "09:00 GMT, a second more",
                "09:00",
                "2026-10-25T13:00:01Z",
                false,
            ),
            // A repeated 01:30 is due at its first occurrence, 01:30 BST (00:30 UTC): four hours
            // on is 04:30 GMT, though by the clock on the wall that is only three after 01:30.
            (
                "01:30 repeated, four hours after the first",
                "01:30",
                "2026-10-25T04:30:00Z",
                true,
            ),
            (
                "01:30 repeated, a second more",
                "01:30",
                "2026-10-25T04:30:01Z",
                false,
            ),
        ];
        for (what, time, now, due) in cases {
            let decision = decide(&settings(time, EVERY_DAY, None), London, utc(now), None);
            assert_eq!(decision.due.is_some(), due, "{what}");
        }
    }

    #[test]
    fn no_reminder_days_means_nothing_is_ever_due() {
        let s = settings("09:00", &[], None);
        let d = decide(&s, London, utc("2025-06-02T10:00:00Z"), None);
        assert_eq!((d.due, d.next_wake), (None, None));
    }

    #[test]
    fn running_by_hand_uses_today_on_reminder_days_whatever_the_time() {
        let s = settings("09:00", WEEKDAYS, None);
        let cases = [
            ("2025-06-02T05:00:00Z", Some("2025-06-02")),
            ("2025-06-02T22:30:00Z", Some("2025-06-02")),
            ("2025-06-07T10:00:00Z", None),
        ];
        for (now, today) in cases {
            assert_eq!(
                today_if_reminder_day(&s, London, utc(now)),
                today.map(date),
                "{now}"
            );
        }
    }

    #[test]
    fn the_heads_up_goes_out_on_the_last_reminder_morning_before_the_handover_day() {
        // 2025-06-06 is a Friday, 2025-06-03 a Tuesday, 2025-06-09 a Monday.
        let good_friday = with_holidays(&["2025-04-18", "2025-04-21"]);
        let cases: [(&str, ReminderSettings, &str, bool); 8] = [
            (
                "Monday handovers: Friday",
                settings("09:00", WEEKDAYS, Some(Weekday::Mon)),
                "2025-06-06",
                true,
            ),
            (
                "Monday handovers: not Thursday",
                settings("09:00", WEEKDAYS, Some(Weekday::Mon)),
                "2025-06-05",
                false,
            ),
            (
                "Wednesday handovers: Tuesday",
                settings("09:00", WEEKDAYS, Some(Weekday::Wed)),
                "2025-06-03",
                true,
            ),
            (
                "Sunday handovers: Friday",
                settings("09:00", WEEKDAYS, Some(Weekday::Sun)),
                "2025-06-06",
                true,
            ),
            (
                "only Mondays: the Monday before",
                settings("09:00", &[Weekday::Mon], Some(Weekday::Mon)),
                "2025-06-02",
                true,
            ),
            (
                "no handover day: never",
                settings("09:00", WEEKDAYS, None),
                "2025-06-06",
                false,
            ),
            (
                "Good Friday off: Thursday",
                good_friday.clone(),
                "2025-04-17",
                true,
            ),
            (
                "Good Friday off: not Wednesday",
                good_friday,
                "2025-04-16",
                false,
            ),
        ];
        for (what, settings, on, heads_up) in cases {
            assert_eq!(
                settings.last_before_handover_day(date(on)),
                heads_up,
                "{what}"
            );
        }
    }

    #[test]
    fn bank_holidays_get_no_reminder_and_the_next_morning_is_woken_for() {
        let s = with_holidays(&["2025-05-26"]);
        assert_eq!(reminder_at(&s, London, date("2025-05-26")), None);
        let d = decide(&s, London, utc("2025-05-26T08:30:00Z"), None);
        assert_eq!(d.due, None);
        assert_eq!(d.next_wake, Some(utc("2025-05-27T08:00:00Z")));
        // Christmas to New Year: Thursday 25 and Friday 26 December, the weekend, and Thursday
        // 1 January off; Monday 29 December is the next morning.
        let christmas = with_holidays(&["2025-12-25", "2025-12-26", "2026-01-01"]);
        let d = decide(&christmas, London, utc("2025-12-24T10:00:00Z"), None);
        assert_eq!(d.next_wake, Some(utc("2025-12-29T09:00:00Z")));
        assert_eq!(
            today_if_reminder_day(&christmas, London, utc("2025-12-25T10:00:00Z")),
            None
        );
    }

    #[test]
    fn the_handover_is_due_on_the_handover_day_or_the_first_morning_after_it_if_it_was_a_holiday() {
        // (what, bank holidays, reminder date, the handover day it speaks for)
        let cases: [(&str, &[&str], &str, Option<&str>); 5] = [
            ("a Monday", &[], "2025-06-09", Some("2025-06-09")),
            ("a Tuesday", &[], "2025-06-10", None),
            (
                "the Tuesday after a bank holiday Monday",
                &["2025-05-26"],
                "2025-05-27",
                Some("2025-05-26"),
            ),
            (
                "the Wednesday after it",
                &["2025-05-26"],
                "2025-05-28",
                None,
            ),
            (
                "the Tuesday after Easter Monday, Good Friday off too",
                &["2025-04-18", "2025-04-21"],
                "2025-04-22",
                Some("2025-04-21"),
            ),
        ];
        for (what, holidays, on, speaks_for) in cases {
            assert_eq!(
                with_holidays(holidays).handover_day_reminded_on(date(on)),
                speaks_for.map(date),
                "{what}"
            );
        }
    }

    #[test]
    fn the_post_mentions_who_is_on_call_since_when_who_is_next_and_the_notes() {
        let s = state(
            Some("ann"),
            "2025-06-02T09:02:00Z",
            "disk on db1 at 80%\nping <!channel> if it fills, or <@U0CAT0001|cat>",
            &["ann", "bob"],
        );
        let reply = channel_message(
            &s,
            London,
            utc("2025-06-03T08:00:00Z"),
            date("2025-06-03"),
            None,
            &HashMap::new(),
            &HashSet::new(),
        )
        .unwrap();
        // Cat was notified by the handover; the daily reminder names her without a ping.
        assert_eq!(
            reply,
            "<@ann> is on call here, since Mon 2 Jun, 10:02. Next in the rota: <@bob>.\n\
             Notes from the last handover:\n\
             > disk on db1 at 80%\n\
             > ping @\u{2060}channel if it fills, or @\u{2060}cat"
        );
        // With her stored name, that is what the reminder shows.
        let names = HashMap::from([(UserId::parse("U0CAT0001").unwrap(), "Cat Jones".to_owned())]);
        let reply = channel_message(
            &s,
            London,
            utc("2025-06-03T08:00:00Z"),
            date("2025-06-03"),
            None,
            &names,
            &HashSet::new(),
        )
        .unwrap();
        assert!(reply.ends_with("or @\u{2060}Cat Jones"), "{}", reply);
    }

    #[test]
    fn the_post_leaves_out_what_is_not_known() {
        let s = state(Some("ann"), "2024-12-30T09:00:00Z", "  ", &[]);
        let reply = channel_message(
            &s,
            London,
            utc("2025-01-06T09:00:00Z"),
            date("2025-01-06"),
            None,
            &HashMap::new(),
            &HashSet::new(),
        )
        .unwrap();
        assert_eq!(
            reply,
            "<@ann> is on call here, since Mon 30 Dec 2024, 09:00."
        );
    }

    #[test]
    fn on_the_handover_day_the_post_says_the_handover_is_due_unless_it_was_done() {
        // Monday 9 June; the last reminder before it, Friday 6 June at 09:00 BST.
        let monday = Some(HandoverDue {
            day: date("2025-06-09"),
            done_after: utc("2025-06-06T08:00:00Z"),
        });
        let post = |state: &ChannelState, on: &str, now: &str, handover_day| {
            channel_message(
                state,
                London,
                utc(now),
                date(on),
                handover_day,
                &HashMap::new(),
                &HashSet::new(),
            )
            .unwrap()
        };
        let with_rota = state(Some("ann"), "2025-06-02T08:00:00Z", "", &["ann", "bob"]);
        assert_eq!(
            post(&with_rota, "2025-06-09", "2025-06-09T08:00:00Z", monday),
            "<@ann> is on call here, since Mon 2 Jun, 09:00.\n\
             The handover is due today: <@ann>, hand the pager to <@bob> with `/handover next`."
        );
        let without = state(Some("ann"), "2025-06-02T08:00:00Z", "", &[]);
        let text = post(&without, "2025-06-09", "2025-06-09T08:00:00Z", monday);
        assert!(
            text.ends_with(
                "The handover is due today: <@ann>, hand the pager on with `/handover @person`."
            ),
            "{text}"
        );
        // Bob took over at 08:00, before the 09:00 reminder: his week has begun, nothing is due.
        let done = state(Some("bob"), "2025-06-09T07:00:00Z", "", &["ann", "bob"]);
        assert_eq!(
            post(&done, "2025-06-09", "2025-06-09T08:00:00Z", monday),
            "<@bob> is on call here, since Mon 9 Jun, 08:00. Next in the rota: <@ann>."
        );
        // The Monday was a bank holiday: Tuesday's post says when it was due.
        let text = post(&with_rota, "2025-06-10", "2025-06-10T08:00:00Z", monday);
        assert!(
            text.contains("\nThe handover was due on Monday: <@ann>, hand the pager to <@bob>"),
            "{text}"
        );
        // Handed over early, on the Friday afternoon after its reminder, because Monday was a
        // bank holiday: done, not due.
        let early = state(Some("bob"), "2025-06-06T16:00:00Z", "", &["ann", "bob"]);
        assert_eq!(
            post(&early, "2025-06-10", "2025-06-10T08:00:00Z", monday),
            "<@bob> is on call here, since Fri 6 Jun, 17:00. Next in the rota: <@ann>."
        );
    }

    #[test]
    fn a_handover_counts_as_done_after_the_last_reminder_before_its_day() {
        // (what, bank holidays, reminder date, handover day, done after)
        let cases: [(&str, &[&str], &str, &str, &str); 5] = [
            (
                "a Monday: Friday's reminder",
                &[],
                "2025-06-09",
                "2025-06-09",
                "2025-06-06T08:00:00Z",
            ),
            (
                "the Tuesday after Easter Monday: Thursday's, Good Friday being off too",
                &["2025-04-18", "2025-04-21"],
                "2025-04-22",
                "2025-04-21",
                "2025-04-17T08:00:00Z",
            ),
            // In winter, 09:00 in London is 09:00 UTC.
            (
                "a Monday in January",
                &[],
                "2025-01-13",
                "2025-01-13",
                "2025-01-10T09:00:00Z",
            ),
            // Friday's reminder keeps Friday's offset, whatever the Sunday between did.
            (
                "the Monday after the clocks go forward: 09:00 GMT on the Friday before",
                &[],
                "2026-03-30",
                "2026-03-30",
                "2026-03-27T09:00:00Z",
            ),
            (
                "the Monday after the clocks go back: 09:00 BST on the Friday before",
                &[],
                "2026-10-26",
                "2026-10-26",
                "2026-10-23T08:00:00Z",
            ),
        ];
        for (what, holidays, on, day, after) in cases {
            assert_eq!(
                with_holidays(holidays).handover_due(London, date(on)),
                Some(HandoverDue {
                    day: date(day),
                    done_after: utc(after)
                }),
                "{what}"
            );
        }
        // Reminders only on Mondays: none in the six days before (last Monday's was the last
        // handover day's), so from the start of the day.
        let mondays = settings("09:00", &[Weekday::Mon], Some(Weekday::Mon));
        assert_eq!(
            mondays
                .handover_due(London, date("2025-06-09"))
                .map(|d| d.done_after),
            Some(utc("2025-06-08T23:00:00Z"))
        );
        // Handovers and reminders on Sundays only: from local midnight of each clock-change
        // Sunday, 00:00 GMT in March and 00:00 BST in October.
        let sundays = settings("09:00", &[Weekday::Sun], Some(Weekday::Sun));
        for (sunday, midnight) in [
            ("2026-03-29", "2026-03-29T00:00:00Z"),
            ("2026-10-25", "2026-10-24T23:00:00Z"),
        ] {
            assert_eq!(
                sundays
                    .handover_due(London, date(sunday))
                    .map(|d| d.done_after),
                Some(utc(midnight)),
                "{sunday}"
            );
        }
    }

    #[test]
    fn each_channel_with_someone_on_call_gets_one_post_and_an_empty_one_gets_nothing() {
        let s = settings("09:00", WEEKDAYS, Some(Weekday::Mon));
        let ops = ChannelId::parse("ops").unwrap();
        let web = ChannelId::parse("web").unwrap();
        let quiet = ChannelId::parse("quiet").unwrap();
        let states = [
            (
                ops.clone(),
                state(Some("ann"), "2025-06-02T08:00:00Z", "", &["ann", "bob"]),
            ),
            (
                quiet.clone(),
                state(None, "2025-06-02T08:00:00Z", "", &["cat"]),
            ),
            (
                web.clone(),
                state(Some("dan"), "2025-06-02T08:00:00Z", "", &[]),
            ),
        ];
        let channels = || states.iter().map(|(c, s)| (c, s, None));
        let now = utc("2025-06-04T08:00:00Z");
        let posts_on = |day: &str, gone: &HashSet<UserId>| {
            posts(
                &s,
                London,
                date(day),
                now,
                channels(),
                &HashMap::new(),
                gone,
            )
        };

        // A Wednesday: posts, no direct messages.
        let wednesday = posts_on("2025-06-04", &HashSet::new());
        let posted: Vec<_> = wednesday.iter().map(|p| p.channel.clone()).collect();
        assert_eq!(posted, [ops.clone(), web.clone()]);
        assert!(wednesday
            .iter()
            .all(|p| p.dm.is_none() && p.date == date("2025-06-04")));

        // The Friday before a Monday handover: bob, next after ann, is told; web has no rota.
        let friday = posts_on("2025-06-06", &HashSet::new());
        assert_eq!(friday.len(), 2);
        let dm = friday[0].dm.as_ref().unwrap();
        assert_eq!(dm.user, user("bob"));
        assert_eq!(
            dm.message,
            "Heads-up: your on-call turn in <#ops> starts on Monday, when <@ann> hands the pager \
             to you."
        );
        assert!(friday[1].dm.is_none());
        // With that Monday a bank holiday (no reminder then), the heads-up says so.
        let friday = posts(
            &with_holidays(&["2025-06-09"]),
            London,
            date("2025-06-06"),
            now,
            channels(),
            &HashMap::new(),
            &HashSet::new(),
        );
        assert_eq!(
            friday[0].dm.as_ref().map(|dm| dm.message.as_str()),
            Some(
                "Heads-up: your on-call turn in <#ops> starts on Monday (a bank holiday), when \
                 <@ann> hands the pager to you."
            )
        );

        // Monday, the handover day: the posts say so.
        let monday = posts_on("2025-06-09", &HashSet::new());
        assert!(monday
            .iter()
            .all(|p| p.message.contains("The handover is due today") && p.dm.is_none()));

        // Bob has left (his account is deactivated): no heads-up to him, and the posts say so,
        // with how to hand over instead.
        let gone = HashSet::from([user("bob")]);
        let friday = posts_on("2025-06-06", &gone);
        assert!(friday[0].dm.is_none());
        assert_eq!(
            friday[0].message,
            "<@ann> is on call here, since Mon 2 Jun, 09:00. <@bob>, next in the rota, has left \
             (their account is deactivated): an admin can take them out with `/handover rota @a \
             @b …`."
        );
        let monday = posts_on("2025-06-09", &gone);
        assert!(
            monday[0].message.contains(
                "The handover is due today: <@ann>, hand the pager on with `/handover @person`. \
                 <@bob>, next in the rota, has left"
            ),
            "{}",
            monday[0].message
        );

        // Ann, on call, has left without handing over: she is still paid, and the post says so,
        // with how to stop it.
        let ann_gone = HashSet::from([user("ann")]);
        let friday = posts_on("2025-06-06", &ann_gone);
        assert!(
            friday[0].message.starts_with(
                "<@ann> is on call here, since Mon 2 Jun, 09:00. <@ann> has left (their account \
                 is deactivated) but still holds the pager, and is paid standby for it until \
                 someone takes it over with `/handover @person` or an admin ends it with \
                 `/handover end`. To stop their pay when they left, an admin can record `/handover \
                 end at YYYY-MM-DD HH:MM` (nobody covered) or `/handover @person at YYYY-MM-DD \
                 HH:MM` (someone took over then). Next in the rota: <@bob>."
            ),
            "{}",
            friday[0].message
        );
        // She cannot hand over: bob is told to take the pager, in the heads-up and on the day;
        // with nobody next (web), whoever takes over is.
        assert_eq!(
            friday[0].dm.as_ref().map(|dm| dm.message.as_str()),
            Some(
                "Heads-up: your on-call turn in <#ops> starts on Monday. <@ann> has left (their \
                 account is deactivated), so take the pager then with `/handover next`."
            )
        );
        let monday = posts_on("2025-06-09", &HashSet::from([user("ann"), user("dan")]));
        assert!(
            monday[0].message.ends_with(
                "\nThe handover is due today: <@bob>, take the pager from <@ann> with \
                 `/handover next`."
            ),
            "{}",
            monday[0].message
        );
        assert!(
            monday[1].message.ends_with(
                "\nThe handover is due today: the person taking over can take the pager with \
                 `/handover @person`, naming themself."
            ),
            "{}",
            monday[1].message
        );
        // And with bob gone too, nobody is named to take it.
        let monday = posts_on("2025-06-09", &HashSet::from([user("ann"), user("bob")]));
        assert!(
            monday[0].message.contains(
                "\nThe handover is due today: the person taking over can take the pager with \
                 `/handover @person`, naming themself. <@bob>, next in the rota, has left"
            ),
            "{}",
            monday[0].message
        );
    }

    #[test]
    fn a_handover_recorded_ahead_of_now_is_said_with_who_recorded_it_instead_of_the_rotas_next() {
        let ops = ChannelId::parse("ops").unwrap();
        let s = state(Some("ann"), "2025-06-02T08:00:00Z", "", &["ann", "bob"]);
        // Monday 9 June, the handover day: cat's clock was 30 seconds ahead.
        let now = utc("2025-06-09T08:00:00Z");
        let ahead = |to: Option<&str>| Handover {
            id: 2,
            channel: ops.clone(),
            seq: 2,
            from: Some(user("ann")),
            to: to.map(user),
            effective_at: utc("2025-06-09T08:00:30Z"),
            recorded_at: utc("2025-06-09T08:00:30Z"),
            recorded_by: user("cat"),
            notes: String::new(),
            undone: None,
        };
        for (to, said) in [
            (
                Some("dan"),
                "<@dan> takes over on Mon 9 Jun, 09:00 (recorded ahead of now, by <@cat>).",
            ),
            (
                None,
                "Standby here ends on Mon 9 Jun, 09:00 (recorded ahead of now, by <@cat>).",
            ),
        ] {
            assert_eq!(coming_handover(&ahead(to), London, now), said);
        }
        let coming = ahead(Some("dan"));
        let monday = posts(
            &settings("09:00", WEEKDAYS, Some(Weekday::Mon)),
            London,
            date("2025-06-09"),
            now,
            [(&ops, &s, Some(&coming))],
            &HashMap::new(),
            &HashSet::new(),
        );
        assert_eq!(
            monday[0].message,
            "<@ann> is on call here, since Mon 2 Jun, 09:00.\n\
             <@dan> takes over on Mon 9 Jun, 09:00 (recorded ahead of now, by <@cat>)."
        );
    }
}
