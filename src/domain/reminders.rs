//! Daily channel reminders, the decision half: which local date's reminder is due at an instant,
//! when to look again, and what each channel (and the engineer next in the rota) is told.
//!
//! The reminder of local date D (a configured reminder day) is due from the first real instant
//! at or after D's configured wall time until the end of D: 09:00 is 09:00 on clock-change days
//! too, a time skipped when the clocks go forward (01:30 on 2025-03-30 in London) means the end of
//! the gap, and a time repeated when they go back means its first occurrence. A reminder is never
//! posted a day late. Whether it was already posted is the store's business (the scheduler claims
//! each channel and date there); this module only says what is due.

use crate::commands::Reply;
use crate::config::{ReminderSettings, WeekdayKey};
use crate::domain::ids::{ChannelId, UserId};
use crate::domain::month::first_instant_at_or_after;
use crate::domain::rota::ChannelState;
use crate::domain::{text, when};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use std::collections::HashMap;

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
    /// The public message for the channel.
    pub message: Reply,
    /// On the last reminder day before the handover day: a direct message to the engineer next
    /// in the rota. It belongs to this post: it is sent once, under the same claim.
    pub dm: Option<DirectMessage>,
}

/// A direct message to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectMessage {
    pub user: UserId,
    pub message: Reply,
}

/// When the reminder of `date` is due: `None` if `date` is not a reminder day.
pub fn reminder_at(settings: &ReminderSettings, tz: Tz, date: NaiveDate) -> Option<DateTime<Utc>> {
    settings
        .days
        .contains(&WeekdayKey::of(date.weekday()))
        .then(|| first_instant_at_or_after(date.and_time(settings.time), tz))
}

/// Decides what is due at `now`. `last_checked` is the previous instant this was asked (`None` at
/// startup): a reminder whose time fell in `(last_checked, now]` is due, and at startup any
/// reminder of today whose time has passed is due (the store knows whether it was posted). Either
/// way only today's reminder, never yesterday's.
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
                    && last_checked.is_none_or(|last| at > last)
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
    // A week and a day covers every weekday even when today's time has passed.
    (0..=8)
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

/// The reminder day on which the next engineer is told their turn starts: the last reminder day
/// in the six days before the handover day. `None` without a handover day or such a day.
pub fn heads_up_day(settings: &ReminderSettings) -> Option<Weekday> {
    let handover = settings.handover_day?;
    let mut day = handover;
    for _ in 0..6 {
        day = day.pred();
        if settings.days.contains(&WeekdayKey::of(day)) {
            return Some(day);
        }
    }
    None
}

/// The reminders of `date` for these channels. A channel with nobody on call gets nothing.
pub fn posts<'a>(
    settings: &ReminderSettings,
    tz: Tz,
    date: NaiveDate,
    now: DateTime<Utc>,
    channels: impl IntoIterator<Item = (&'a ChannelId, &'a ChannelState)>,
    names: &HashMap<UserId, String>,
) -> Vec<DuePost> {
    let weekday = date.weekday();
    let handover_today = settings.handover_day == Some(weekday);
    let heads_up = heads_up_day(settings) == Some(weekday);
    channels
        .into_iter()
        .filter_map(|(channel, state)| {
            let message = channel_message(state, tz, now, handover_today, names)?;
            let dm = match (heads_up, settings.handover_day) {
                (true, Some(handover)) => heads_up_message(channel, state, handover),
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

/// The public reminder: who is on call and since when, the handover being due if it is the
/// handover day, who is next, and the last handover's notes, naming the people they mention by
/// `names` where known. `None` with nobody on call.
pub fn channel_message(
    state: &ChannelState,
    tz: Tz,
    now: DateTime<Utc>,
    handover_today: bool,
    names: &HashMap<UserId, String>,
) -> Option<Reply> {
    let current = state.current.as_ref()?;
    // After `/handover end`, nobody: no post.
    let who = current.to.as_ref()?.mention();
    let next = state.next_in_rota();
    let mut text = format!(
        "{who} is on call here, since {}.",
        when::short(current.effective_at, tz, now)
    );
    if handover_today {
        match next {
            Some(next) => text.push_str(&format!(
                "\nThe handover is due today: {who}, hand the pager to {} with `/handover next`.",
                next.mention()
            )),
            None => text.push_str(&format!(
                "\nThe handover is due today: {who}, hand the pager on with `/handover @person`."
            )),
        }
    } else if let Some(next) = next {
        text.push_str(&format!(" Next in the rota: {}.", next.mention()));
    }
    // Repeated every reminder day: people named in the notes were notified by the handover
    // itself and are not pinged again each morning.
    let notes = text::sanitize_quietly(&current.notes, names);
    if !notes.trim().is_empty() {
        text.push_str("\nNotes from the last handover:");
        for line in notes.lines() {
            text.push_str(&format!("\n> {line}"));
        }
    }
    Some(Reply::public(text))
}

/// The direct message to the engineer next in the rota that their turn starts on `handover`.
fn heads_up_message(
    channel: &ChannelId,
    state: &ChannelState,
    handover: Weekday,
) -> Option<DirectMessage> {
    let current = state.on_call()?;
    let next = state.next_in_rota()?;
    Some(DirectMessage {
        user: next.clone(),
        message: Reply::private(format!(
            "Heads-up: your on-call turn in {} starts on {}, when {} hands the pager to you.",
            channel.link(),
            day_name(handover),
            current.mention()
        )),
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
        let cases: [Case; 17] = [
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
                "a restart just before midnight still makes it due",
                "09:00",
                WEEKDAYS,
                None,
                "2025-06-02T22:59:59Z",
                Some("2025-06-02"),
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
    fn the_heads_up_goes_out_on_the_last_reminder_day_before_the_handover_day() {
        let cases: [(&[Weekday], Option<Weekday>, Option<Weekday>); 5] = [
            (WEEKDAYS, Some(Weekday::Mon), Some(Weekday::Fri)),
            (WEEKDAYS, Some(Weekday::Wed), Some(Weekday::Tue)),
            (WEEKDAYS, Some(Weekday::Sun), Some(Weekday::Fri)),
            (&[Weekday::Mon], Some(Weekday::Mon), None),
            (WEEKDAYS, None, None),
        ];
        for (days, handover, heads_up) in cases {
            assert_eq!(
                heads_up_day(&settings("09:00", days, handover)),
                heads_up,
                "{handover:?}"
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
            false,
            &HashMap::new(),
        )
        .unwrap();
        assert!(!reply.is_private());
        // Cat was notified by the handover; the daily reminder names her without a ping.
        assert_eq!(
            reply.text,
            "<@ann> is on call here, since Mon 2 Jun, 10:02. Next in the rota: <@bob>.\n\
             Notes from the last handover:\n\
             > disk on db1 at 80%\n\
             > ping @\u{2060}channel if it fills, or @\u{2060}cat"
        );
        // With her stored name, that is what the reminder shows.
        let names = HashMap::from([(UserId::parse("U0CAT0001").unwrap(), "Cat Jones".to_owned())]);
        let reply =
            channel_message(&s, London, utc("2025-06-03T08:00:00Z"), false, &names).unwrap();
        assert!(
            reply.text.ends_with("or @\u{2060}Cat Jones"),
            "{}",
            reply.text
        );
    }

    #[test]
    fn the_post_leaves_out_what_is_not_known() {
        let s = state(Some("ann"), "2024-12-30T09:00:00Z", "  ", &[]);
        let reply = channel_message(
            &s,
            London,
            utc("2025-01-06T09:00:00Z"),
            false,
            &HashMap::new(),
        )
        .unwrap();
        assert_eq!(
            reply.text,
            "<@ann> is on call here, since Mon 30 Dec 2024, 09:00."
        );
    }

    #[test]
    fn on_the_handover_day_the_post_says_the_handover_is_due_today() {
        let with_rota = state(Some("ann"), "2025-06-02T08:00:00Z", "", &["ann", "bob"]);
        let reply = channel_message(
            &with_rota,
            London,
            utc("2025-06-09T08:00:00Z"),
            true,
            &HashMap::new(),
        )
        .unwrap();
        assert_eq!(
            reply.text,
            "<@ann> is on call here, since Mon 2 Jun, 09:00.\n\
             The handover is due today: <@ann>, hand the pager to <@bob> with `/handover next`."
        );
        let without = state(Some("ann"), "2025-06-02T08:00:00Z", "", &[]);
        let reply = channel_message(
            &without,
            London,
            utc("2025-06-09T08:00:00Z"),
            true,
            &HashMap::new(),
        )
        .unwrap();
        assert!(
            reply
                .text
                .ends_with("hand the pager on with `/handover @person`."),
            "{}",
            reply.text
        );
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
        let channels = || states.iter().map(|(c, s)| (c, s));
        let now = utc("2025-06-04T08:00:00Z");

        // A Wednesday: posts, no direct messages.
        let wednesday = posts(
            &s,
            London,
            date("2025-06-04"),
            now,
            channels(),
            &HashMap::new(),
        );
        let posted: Vec<_> = wednesday.iter().map(|p| p.channel.clone()).collect();
        assert_eq!(posted, [ops.clone(), web.clone()]);
        assert!(wednesday
            .iter()
            .all(|p| p.dm.is_none() && p.date == date("2025-06-04")));

        // The Friday before a Monday handover: bob, next after ann, is told; web has no rota.
        let friday = posts(
            &s,
            London,
            date("2025-06-06"),
            now,
            channels(),
            &HashMap::new(),
        );
        assert_eq!(friday.len(), 2);
        let dm = friday[0].dm.as_ref().unwrap();
        assert_eq!(dm.user, user("bob"));
        assert!(dm.message.is_private());
        assert_eq!(
            dm.message.text,
            "Heads-up: your on-call turn in <#ops> starts on Monday, when <@ann> hands the pager \
             to you."
        );
        assert!(friday[1].dm.is_none());

        // Monday, the handover day: the posts say so.
        let monday = posts(
            &s,
            London,
            date("2025-06-09"),
            now,
            channels(),
            &HashMap::new(),
        );
        assert!(monday
            .iter()
            .all(|p| p.message.text.contains("The handover is due today") && p.dm.is_none()));
    }
}
