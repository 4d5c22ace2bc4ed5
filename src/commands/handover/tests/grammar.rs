//! Parsing `/handover` as typed in Slack.

use super::*;

fn id(s: &str) -> MentionRef {
    MentionRef::Id(UserId::parse(s).unwrap())
}

fn typed(date: &str, time: &str) -> Option<TypedTime> {
    Some(TypedTime {
        date: date.into(),
        time: time.into(),
        zone: None,
    })
}

fn typed_in(date: &str, time: &str, zone: &str) -> Option<TypedTime> {
    Some(TypedTime {
        zone: Some(zone.into()),
        ..typed(date, time)?
    })
}

/// The message of the usage error `typed` is refused with; fails the test if it is not refused.
fn usage_message(typed: &str) -> String {
    match parse(typed) {
        Err(CommandError::Usage { message, .. }) => message,
        other => panic!("{typed}: expected a usage error, got {other:?}"),
    }
}

#[test]
fn two_people_joined_by_and_are_refused_where_only_the_first_would_be_paid() {
    for (typed, said) in [
        ("<@U0BOB0001> and <@U0ERIN001>", "`and <@U0ERIN001>`"),
        ("<@U0BOB0001> &amp; <@U0ERIN001>", "`&amp; <@U0ERIN001>`"),
        ("<@U0BOB0001> + @erin split the week", "`+ @erin`"),
        ("<@U0BOB0001> then <@U0ERIN001|erin>", "`then <@U0ERIN001>`"),
        ("<@U0BOB0001> AND @erin", "`AND @erin`"),
        ("<@U0BOB0001> (and @erin)", "`(and @erin`"),
        ("<@U0BOB0001> | @erin", "`| @erin`"),
        ("next and <@U0DAVE001>", "`and <@U0DAVE001>` after `next`"),
    ] {
        let said = match said.contains("after `next`") {
            true => said.to_owned(),
            false => format!("{said} after them"),
        };
        let message = usage_message(typed);
        assert!(
            message.starts_with(&format!(
                "The pager goes to one person, and {said} would be kept as notes."
            )),
            "{typed}: {message}"
        );
    }
    // A second person later in the notes, or after `with`, is notes.
    for typed in [
        "<@U0BOB0001> with <@U0ERIN001> shadowing",
        "<@U0BOB0001> and thanks to <@U0ERIN001>",
        "<@U0BOB0001> \"and <@U0ERIN001>\"",
    ] {
        assert!(parse(typed).is_ok(), "{typed}: {:?}", parse(typed));
    }
}

#[test]
fn notes_that_say_only_when_another_than_now_are_refused_not_recorded_now() {
    // (typed after `/handover`, the words said back)
    let refused = [
        ("<@U0BOB0001> tomorrow", "tomorrow"),
        ("<@U0BOB0001> Tomorrow!", "Tomorrow!"),
        ("<@U0BOB0001> from tomorrow", "from tomorrow"),
        ("<@U0BOB0001> tomorrow at 9", "tomorrow at 9"),
        ("<@U0BOB0001> at 9", "at 9"),
        ("<@U0BOB0001> at 9 tomorrow", "at 9 tomorrow"),
        ("<@U0BOB0001> 5pm", "5pm"),
        ("<@U0BOB0001> 5 pm", "5 pm"),
        ("<@U0BOB0001> 17:00", "17:00"),
        ("<@U0BOB0001> 09:00 monday", "09:00 monday"),
        ("<@U0BOB0001> 1700 monday", "1700 monday"),
        ("<@U0BOB0001> 9am Monday", "9am Monday"),
        ("<@U0BOB0001> next monday", "next monday"),
        ("<@U0BOB0001> next week", "next week"),
        ("<@U0BOB0001> on friday", "on friday"),
        ("<@U0BOB0001> starting monday", "starting monday"),
        ("<@U0BOB0001> last friday", "last friday"),
        ("<@U0BOB0001> as of friday", "as of friday"),
        ("<@U0BOB0001> from 8/11", "from 8/11"),
        ("<@U0BOB0001> the 1st of Dec", "the 1st of Dec"),
        ("<@U0BOB0001> fri", "fri"),
        ("<@U0BOB0001> Nov 20", "Nov 20"),
        ("<@U0BOB0001> on the 20th", "on the 20th"),
        ("<@U0BOB0001> first thing Monday", "first thing Monday"),
        ("<@U0BOB0001> 5pm GMT", "5pm GMT"),
        ("<@U0BOB0001> noon", "noon"),
        // Shorthand, courtesies and Slack's formatting around the words of when.
        ("<@U0BOB0001> tmrw", "tmrw"),
        ("<@U0BOB0001> EOD", "EOD"),
        ("<@U0BOB0001> end of day", "end of day"),
        ("<@U0BOB0001> in an hour", "in an hour"),
        ("<@U0BOB0001> in 2 hours", "in 2 hours"),
        ("<@U0BOB0001> after lunch", "after lunch"),
        ("<@U0BOB0001> 5ish", "5ish"),
        ("<@U0BOB0001> around 5pm", "around 5pm"),
        ("<@U0BOB0001> 17h30", "17h30"),
        ("<@U0BOB0001> tomorrow please", "tomorrow please"),
        ("<@U0BOB0001> tomorrow :pray:", "tomorrow :pray:"),
        ("<@U0BOB0001> tomorrow 🙏", "tomorrow 🙏"),
        ("<@U0BOB0001> *tomorrow*", "*tomorrow*"),
        ("<@U0BOB0001> [tomorrow]", "[tomorrow]"),
        ("<@U0BOB0001> weds", "weds"),
        ("<@U0BOB0001> for tomorrow", "for tomorrow"),
        // Said as an earlier time.
        ("<@U0BOB0001> took over at 9am", "took over at 9am"),
        ("<@U0BOB0001> since this morning", "since this morning"),
        ("<@U0BOB0001> backdate to monday", "backdate to monday"),
        ("<@U0BOB0001> covering from 9am", "covering from 9am"),
        ("<@U0BOB0001> in 30m", "in 30m"),
        ("<@U0BOB0001> 1st Dec", "1st Dec"),
        ("<@U0BOB0001> monday 9", "monday 9"),
        ("<@U0BOB0001> nxt wk", "nxt wk"),
        // After `next` and `end` as after a person.
        ("next monday", "next monday"),
        ("next week", "next week"),
        ("next tmrw", "next tmrw"),
        ("end tomorrow", "tomorrow"),
    ];
    for (typed, said) in refused {
        let message = usage_message(typed);
        assert!(
            message.starts_with(&format!(
                "`{said}` reads as when the pager changes hands, but a handover takes effect \
                     when it is recorded"
            )),
            "{typed}: {message}"
        );
    }
    // Notes that say more than when, say when the shift ends, say now (`tonight`: the night
    // cover takes over), or hold numbers that only look like times, are notes.
    let notes = [
        "<@U0BOB0001> today",
        "<@U0BOB0001> tonight",
        "<@U0BOB0001> from today",
        "<@U0BOB0001> until Friday",
        "<@U0BOB0001> till tomorrow",
        "<@U0BOB0001> by 5pm",
        "<@U0BOB0001> tomorrow's deploy needs watching",
        "<@U0BOB0001> next week is quiet",
        "<@U0BOB0001> this week",
        "<@U0BOB0001> weekend",
        "<@U0BOB0001> this weekend",
        "<@U0BOB0001> friday deploy freeze",
        "<@U0BOB0001> 1700 alerts",
        "<@U0BOB0001> 500",
        "<@U0BOB0001> 2024",
        "<@U0BOB0001> 1234",
        "<@U0BOB0001> 24/7",
        "<@U0BOB0001> 1.5",
        "<@U0BOB0001> 4.2",
        "<@U0BOB0001> 2.3 tonight",
        "<@U0BOB0001> 10/10 week",
        "<@U0BOB0001> 7/10",
        "<@U0BOB0001> 1h",
        "<@U0BOB0001> may",
        "<@U0BOB0001> sun",
        "<@U0BOB0001> at 3 may be flaky",
        "<@U0BOB0001> at 3 alerts",
        // Words of three to five letters ending in `t` are zones only in capitals (`BST`).
        "<@U0BOB0001> out tomorrow",
        "<@U0BOB0001> quiet since tuesday",
        "<@U0BOB0001> \"tomorrow\"",
        // Looking back on a shift that is over, with thanks; a name that ends in "ish".
        "<@U0BOB0001> thanks for covering last night",
        "<@U0BOB0001> sorry about last night",
        "<@U0BOB0001> covering for Satish",
        "<@U0BOB0001> 8/11 please",
        "<@U0BOB0001> 10/10 :)",
        "<@U0BOB0001> 0 today",
        "<@U0BOB0001> 12h",
        "next please",
        "next",
        "end",
    ];
    for typed in notes {
        assert!(parse(typed).is_ok(), "{typed}: {:?}", parse(typed));
    }
}

#[test]
fn a_weekday_alone_is_a_time_other_than_now_on_any_other_day_but_its_own() {
    use chrono::Weekday::{Mon, Tue};
    // The weekly handover on a Monday, `monday` as its notes: now.
    assert!(parse_on("<@U0BOB0001> monday", Some(Mon)).is_ok());
    assert!(parse_on("<@U0BOB0001> Mon", Some(Mon)).is_ok());
    // As `today` does, today's weekday says which day a time is: still a time other than now.
    for typed in [
        "<@U0BOB0001> 9am Monday",
        "<@U0BOB0001> monday 9",
        "next monday",
    ] {
        assert!(
            matches!(parse_on(typed, Some(Mon)), Err(CommandError::Usage { .. })),
            "{typed}"
        );
    }
    for (typed, today) in [
        ("<@U0BOB0001> monday", Some(Tue)),
        ("<@U0BOB0001> monday", None),
        // A week away, even on a Monday.
        ("<@U0BOB0001> next monday", Some(Mon)),
    ] {
        assert!(
            matches!(parse_on(typed, today), Err(CommandError::Usage { .. })),
            "{typed} on {today:?}"
        );
    }
}

#[test]
fn next_to_a_person_is_refused_where_the_rotas_next_would_be_paid() {
    for typed in [
        "next to <@U0DAVE001>",
        "next → @dave",
        "next -&gt; <@U0DAVE001>",
    ] {
        let message = usage_message(typed);
        assert!(
            message.starts_with("`/handover next` hands the pager to the next person"),
            "{typed}: {message}"
        );
    }
}

#[test]
fn notes_after_end_that_start_with_of_are_refused_rather_than_end_standby() {
    for typed in [
        "end of shift",
        "end of my shift",
        "end of day",
        "END OF WEEK",
        "end shift",
        "end my shift, over to carol",
    ] {
        let message = usage_message(typed);
        assert!(
            message.starts_with("`/handover end` ends standby here, with nobody on call"),
            "{typed}: {message}"
        );
    }
    assert!(parse("end \"of shift\"").is_ok());
}

#[test]
fn a_hints_placeholder_pasted_after_at_is_refused_not_kept_as_notes() {
    for typed in [
        "<@U0BOB0001> at YYYY-MM-DD 9am",
        "<@U0BOB0001> at YYYY-MM-DD HH:MM",
        "next at yyyy-mm-dd 09:00",
    ] {
        let message = usage_message(typed);
        assert!(
            message.starts_with("Fill in the date and time after `at`"),
            "{typed}: {message}"
        );
    }
}

#[test]
fn the_grammar_reads_every_form_as_typed_in_slack() {
    let cases: Vec<(&str, Command)> = vec![
        ("", Command::Status),
        ("  ", Command::Status),
        ("help", Command::Help),
        ("HELP", Command::Help),
        ("-h", Command::Help),
        ("--help", Command::Help),
        (
            "<@U0BOB0001|bob>",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: String::new(),
            },
        ),
        (
            "<@U0BOB0001> quiet week, see runbook",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "quiet week, see runbook".into(),
            },
        ),
        (
            "\u{201C}<@U0BOB0001>\u{201D}\u{00A0}\u{201C}quiet week\u{201D}",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "quiet week".into(),
            },
        ),
        (
            "@bob hi",
            Command::To {
                target: MentionRef::Name("bob".into()),
                at: None,
                notes: "hi".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2025-03-03 09:30 forgot on Monday",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2025-03-03", "09:30"),
                notes: "forgot on Monday".into(),
            },
        ),
        (
            // A phone's en dashes, and ISO 8601's `T`: the date and time as typed.
            "<@U0BOB0001> at 2025\u{2013}03\u{2013}03 09:30 forgot",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2025\u{2013}03\u{2013}03", "09:30"),
                notes: "forgot".into(),
            },
        ),
        (
            // Split by shape only, so that the engine says what is wrong with an impossible
            // one (no hour 24) and keeps the notes out of it.
            "<@U0BOB0001> at 2025-03-06T24:00 db failover",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2025-03-06", "24:00"),
                notes: "db failover".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2025-03-03T09:30 forgot",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2025-03-03", "09:30"),
                notes: "forgot".into(),
            },
        ),
        (
            // In quotes, notes may start with a mention; after a word, they may hold one.
            "<@U0BOB0001> \"<@U0CAR0001> helped\"",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "<@U0CAR0001> helped".into(),
            },
        ),
        (
            // After a backdated time too.
            "<@U0BOB0001> at 2025-03-03 09:30 \"<@U0CAR0001> knows the db\"",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2025-03-03", "09:30"),
                notes: "<@U0CAR0001> knows the db".into(),
            },
        ),
        (
            "next at 2025-03-03 09:30 \"undo\"",
            Command::Next {
                at: typed("2025-03-03", "09:30"),
                notes: "undo".into(),
            },
        ),
        (
            "<@U0BOB0001> thanks <@U0CAR0001>, end of sprint",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "thanks <@U0CAR0001>, end of sprint".into(),
            },
        ),
        (
            "<@U0BOB0001> end of sprint",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "end of sprint".into(),
            },
        ),
        (
            "<@U0BOB0001> at last, a quiet week",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "at last, a quiet week".into(),
            },
        ),
        (
            // Notes exactly as typed: curly quotes, a tab, a developer emoji (man, zero-width
            // joiner, laptop); only the gap before them goes.
            "<@U0BOB0001>\u{00A0}deploy \u{201C}v2\u{201D}\tdone \u{1F468}\u{200D}\u{1F4BB}",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "deploy \u{201C}v2\u{201D}\tdone \u{1F468}\u{200D}\u{1F4BB}".into(),
            },
        ),
        (
            "next \u{201C}quiet week\u{201D}",
            Command::Next {
                at: None,
                notes: "quiet week".into(),
            },
        ),
        (
            "<@U0BOB0001> at 3 alerts still open",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "at 3 alerts still open".into(),
            },
        ),
        (
            "<@U0BOB0001> at 3/3 09:30",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("3/3", "09:30"),
                notes: String::new(),
            },
        ),
        // Dates in other shapes are read as dates (and refused with the format later),
        // never recorded now with the date as notes.
        (
            "<@U0BOB0001> at 3 March 09:30",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("3", "March"),
                notes: "09:30".into(),
            },
        ),
        // A date with the month's name, however placed, is read as a try at a date (and
        // refused with the format when the handover is made), not taken as notes.
        (
            "<@U0BOB0001> at 20 Nov 2026 17:30",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("20", "Nov"),
                notes: "2026 17:30".into(),
            },
        ),
        (
            "<@U0BOB0001> at Nov 20 17:30",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("Nov", "20"),
                notes: "17:30".into(),
            },
        ),
        (
            "<@U0BOB0001> at 3rd March 09:30",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("3rd", "March"),
                notes: "09:30".into(),
            },
        ),
        (
            "<@U0BOB0001> at 20250303 0930",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("20250303", "0930"),
                notes: String::new(),
            },
        ),
        // A zone after the time is its zone, read against the configured one later; a word
        // that is not one starts the notes.
        (
            "<@U0BOB0001> at 2025-10-26 01:30 GMT rebooted",
            Command::To {
                target: id("U0BOB0001"),
                at: typed_in("2025-10-26", "01:30", "GMT"),
                notes: "rebooted".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2025-10-26 01:30 (GMT), rebooted",
            Command::To {
                target: id("U0BOB0001"),
                at: typed_in("2025-10-26", "01:30", "GMT"),
                notes: "rebooted".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2025-10-26 01:30 GMT! rebooted",
            Command::To {
                target: id("U0BOB0001"),
                at: typed_in("2025-10-26", "01:30", "GMT"),
                notes: "rebooted".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2025-10-26 01:30 [GMT] rebooted",
            Command::To {
                target: id("U0BOB0001"),
                at: typed_in("2025-10-26", "01:30", "GMT"),
                notes: "rebooted".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2025-10-26 01:30 \"GMT\" rebooted",
            Command::To {
                target: id("U0BOB0001"),
                at: typed_in("2025-10-26", "01:30", "GMT"),
                notes: "rebooted".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2025-10-26 01:30 GMT: rebooted",
            Command::To {
                target: id("U0BOB0001"),
                at: typed_in("2025-10-26", "01:30", "GMT"),
                notes: "rebooted".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2025-10-26 01:30 +01:00",
            Command::To {
                target: id("U0BOB0001"),
                at: typed_in("2025-10-26", "01:30", "+01:00"),
                notes: String::new(),
            },
        ),
        (
            "<@U0BOB0001> at 2025-10-26 01:30 DB failover done",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2025-10-26", "01:30"),
                notes: "DB failover done".into(),
            },
        ),
        // Notes that start with a number but no time are notes.
        (
            "<@U0BOB0001> 3-4 pages overnight",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "3-4 pages overnight".into(),
            },
        ),
        (
            "<@U0BOB0001> 09:30 standup moved, on 2/3 days",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "09:30 standup moved, on 2/3 days".into(),
            },
        ),
        (
            "<@U0BOB0001> on 1.5 hours sleep",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "on 1.5 hours sleep".into(),
            },
        ),
        (
            "<@U0BOB0001> from 3/4 replicas down",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "from 3/4 replicas down".into(),
            },
        ),
        (
            "<@U0BOB0001> since 4.2 deploy, disk alerts noisy",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "since 4.2 deploy, disk alerts noisy".into(),
            },
        ),
        (
            "<@U0BOB0001> from 10.0.0.5 alerts",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "from 10.0.0.5 alerts".into(),
            },
        ),
        (
            "<@U0BOB0001> today 1.5 hours of pages",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "today 1.5 hours of pages".into(),
            },
        ),
        (
            "<@U0BOB0001> 555-123-4567 vendor hotline",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "555-123-4567 vendor hotline".into(),
            },
        ),
        (
            "<@U0BOB0001> since the outage, on call twice",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "since the outage, on call twice".into(),
            },
        ),
        (
            "next",
            Command::Next {
                at: None,
                notes: String::new(),
            },
        ),
        (
            "next all quiet",
            Command::Next {
                at: None,
                notes: "all quiet".into(),
            },
        ),
        (
            "next at 2025-06-09 09:00 forgot this morning",
            Command::Next {
                at: typed("2025-06-09", "09:00"),
                notes: "forgot this morning".into(),
            },
        ),
        (
            "next at last, a quiet week",
            Command::Next {
                at: None,
                notes: "at last, a quiet week".into(),
            },
        ),
        ("undo", Command::Undo(UndoOf::Latest)),
        ("undo <@U1>", Command::Undo(UndoOf::Person(id("U1")))),
        ("Undo <@U1|bob>.", Command::Undo(UndoOf::Person(id("U1")))),
        ("undo end", Command::Undo(UndoOf::End)),
        (
            "end",
            Command::End {
                at: None,
                notes: String::new(),
            },
        ),
        (
            "end rota retired, see #ops-new",
            Command::End {
                at: None,
                notes: "rota retired, see #ops-new".into(),
            },
        ),
        (
            "END at 2025-03-03 09:30 left the team",
            Command::End {
                at: Some(TypedTime {
                    date: "2025-03-03".into(),
                    time: "09:30".into(),
                    zone: None,
                }),
                notes: "left the team".into(),
            },
        ),
        ("rota", Command::ShowRota),
        ("rota <@U1> <@U2>", Command::Rota(vec![id("U1"), id("U2")])),
        (
            "rota <@U1> → <@U2> -&gt; <@U3>",
            Command::Rota(vec![id("U1"), id("U2"), id("U3")]),
        ),
        (
            "rota *<@U1>* (on call) → <@U2> → <@U3>",
            Command::Rota(vec![id("U1"), id("U2"), id("U3")]),
        ),
        (
            "rota @dev_ *@ann* @_bo_",
            Command::Rota(vec![
                MentionRef::Name("dev_".into()),
                MentionRef::Name("ann".into()),
                MentionRef::Name("_bo_".into()),
            ]),
        ),
        // Mentions typed without spaces between them are each a member.
        (
            "rota <@U0BOB0001|bob>,<@U0CAR0001|carol>,<@U0DAV0001|dave>",
            Command::Rota(vec![id("U0BOB0001"), id("U0CAR0001"), id("U0DAV0001")]),
        ),
        (
            "rota <@U0BOB0001>-&gt;<@U0CAR0001>",
            Command::Rota(vec![id("U0BOB0001"), id("U0CAR0001")]),
        ),
        (
            "rota <@U0BOB0001>\u{2192}<@U0CAR0001>",
            Command::Rota(vec![id("U0BOB0001"), id("U0CAR0001")]),
        ),
        ("history", Command::History(10)),
        ("history 3", Command::History(3)),
        ("history 500", Command::History(500)),
        (
            "<@U0BOB0001> at 2026-11-20 5:30 pm",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-20", "17:30"),
                notes: "".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2026-11-20 5:30pm rebooted",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-20", "17:30"),
                notes: "rebooted".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2026-11-20 5:30 PM, rebooted",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-20", "17:30"),
                notes: "rebooted".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2026-11-20 9.15 a.m. quiet",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-20", "09:15"),
                notes: "quiet".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2026-11-20 12 am",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-20", "00:00"),
                notes: "".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2026-11-20 12pm",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-20", "12:00"),
                notes: "".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2026-11-20 7p.m.",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-20", "19:00"),
                notes: "".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2026-11-20T05:30 pm",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-20", "17:30"),
                notes: "".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2025-10-26 1:30 am GMT",
            Command::To {
                target: id("U0BOB0001"),
                at: typed_in("2025-10-26", "01:30", "GMT"),
                notes: "".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2025-10-26 01:45 bst",
            Command::To {
                target: id("U0BOB0001"),
                at: typed_in("2025-10-26", "01:45", "bst"),
                notes: "".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2025-10-26 01:30 GMT+0 rebooted",
            Command::To {
                target: id("U0BOB0001"),
                at: typed_in("2025-10-26", "01:30", "GMT+0"),
                notes: "rebooted".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2025-10-26 01:30 +0",
            Command::To {
                target: id("U0BOB0001"),
                at: typed_in("2025-10-26", "01:30", "+0"),
                notes: "".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2025-10-26 01:30 west dc down",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2025-10-26", "01:30"),
                notes: "west dc down".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2025-10-26 01:30 spam filter",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2025-10-26", "01:30"),
                notes: "spam filter".into(),
            },
        ),
        (
            "<@U0BOB0001> at Monday's retro",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "at Monday's retro".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2026-11-20 5:30 pm.",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-20", "17:30"),
                notes: "".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2026-11-20 5:30 PM. Quiet week",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-20", "17:30"),
                notes: "Quiet week".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2026-11-20 5:30 (pm)",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-20", "17:30"),
                notes: "".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2026-11-20 5:30pm.",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-20", "17:30"),
                notes: "".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2026-11-20 5 pm\u{2026}",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-20", "17:00"),
                notes: "".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2026-11-20 17:30, rebooted",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-20", "17:30"),
                notes: "rebooted".into(),
            },
        ),
        (
            "<@U0BOB0001> last week was quiet",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "last week was quiet".into(),
            },
        ),
        (
            "<@U0BOB0001> this is fine",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "this is fine".into(),
            },
        ),
        (
            "<@U0BOB0001> 3 may be flaky, see runbook",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "3 may be flaky, see runbook".into(),
            },
        ),
        (
            "<@U0BOB0001> at 3 may be flaky",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "at 3 may be flaky".into(),
            },
        ),
        (
            "<@U0BOB0001> since monday the disk alerts are noisy",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "since monday the disk alerts are noisy".into(),
            },
        ),
        (
            "<@U0BOB0001> the fix should have been in by Monday 17:00",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "the fix should have been in by Monday 17:00".into(),
            },
        ),
        (
            "<@U0BOB0001> on call 09:30 to 17:30 only",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "on call 09:30 to 17:30 only".into(),
            },
        ),
        (
            "<@U0BOB0001> on call since the outage, 3 pages",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "on call since the outage, 3 pages".into(),
            },
        ),
        (
            "<@U0BOB0001> since Monday, 3 pages",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "since Monday, 3 pages".into(),
            },
        ),
        (
            "<@U0BOB0001> until Friday",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "until Friday".into(),
            },
        ),
        (
            "<@U0BOB0001> from today",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "from today".into(),
            },
        ),
        (
            "<@U0BOB0001> on Monday the db failed over",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "on Monday the db failed over".into(),
            },
        ),
        (
            "<@U0BOB0001> till tomorrow",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "till tomorrow".into(),
            },
        ),
        (
            "<@U0BOB0001> db failover test on staging should have been on Monday but slipped",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "db failover test on staging should have been on Monday but slipped".into(),
            },
        ),
        (
            "<@U0BOB0001> nightly backup should have been at 02:00, didn't run",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "nightly backup should have been at 02:00, didn't run".into(),
            },
        ),
        (
            "<@U0BOB0001> should have been fixed by friday",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "should have been fixed by friday".into(),
            },
        ),
        (
            "<@U0BOB0001> last night 3 pages",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "last night 3 pages".into(),
            },
        ),
        (
            "<@U0BOB0001> at least 2 pages",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "at least 2 pages".into(),
            },
        ),
        (
            "<@U0BOB0001> march madness 5 alerts",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "march madness 5 alerts".into(),
            },
        ),
        (
            "<@U0BOB0001> at 9am standup moved",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "at 9am standup moved".into(),
            },
        ),
        (
            "<@U0BOB0001> at 3am the disk filled",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "at 3am the disk filled".into(),
            },
        ),
        (
            "<@U0BOB0001> at 03:10 the primary failed over, see INC-123",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "at 03:10 the primary failed over, see INC-123".into(),
            },
        ),
        (
            "<@U0BOB0001> at noon we rolled back v2.3.1",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "at noon we rolled back v2.3.1".into(),
            },
        ),
        (
            "<@U0BOB0001> at 5 pm the queue backed up",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "at 5 pm the queue backed up".into(),
            },
        ),
        (
            "<@U0BOB0001> Sat 2am page was a false alarm",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "Sat 2am page was a false alarm".into(),
            },
        ),
        (
            "<@U0BOB0001> last night 11pm disk alert on db-2, cleared",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "last night 11pm disk alert on db-2, cleared".into(),
            },
        ),
        (
            "<@U0BOB0001> this morning 6am cert renewed, all good",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "this morning 6am cert renewed, all good".into(),
            },
        ),
        (
            "<@U0BOB0001> tomorrow 09:00 change freeze starts",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "tomorrow 09:00 change freeze starts".into(),
            },
        ),
        (
            "<@U0BOB0001> 20 Nov 17:30 release went fine",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "20 Nov 17:30 release went fine".into(),
            },
        ),
        (
            "<@U0BOB0001> until 2026-12-01 use the old runbook",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "until 2026-12-01 use the old runbook".into(),
            },
        ),
        (
            "<@U0BOB0001> \"at 9am standup\" was cancelled",
            Command::To {
                target: id("U0BOB0001"),
                at: None,
                notes: "\"at 9am standup\" was cancelled".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2026-11-19 9:30 pm-ish, 2 pages",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-19", "21:30"),
                notes: "2 pages".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2026-11-19 9:30 _pm_",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-19", "21:30"),
                notes: "".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2026-11-19 9:30 pm/quiet",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-19", "21:30"),
                notes: "".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2026-11-19 09:30 pm2 restarted",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-19", "09:30"),
                notes: "pm2 restarted".into(),
            },
        ),
        (
            "<@U0BOB0001> at 2026-11-19 21:30 tonight",
            Command::To {
                target: id("U0BOB0001"),
                at: typed("2026-11-19", "21:30"),
                notes: "tonight".into(),
            },
        ),
        (
            "next at 2026-11-20 6:00 pm",
            Command::Next {
                at: typed("2026-11-20", "18:00"),
                notes: String::new(),
            },
        ),
        (
            "end at 2026-11-20 6 pm",
            Command::End {
                at: typed("2026-11-20", "18:00"),
                notes: String::new(),
            },
        ),
    ];
    for (typed, expected) in cases {
        assert_eq!(parse(typed).unwrap(), expected, "{typed:?}");
    }
}

#[test]
fn bad_input_is_refused_with_a_reason_and_the_usage() {
    let cases = [
        (
            "frobnicate",
            "I don't understand `frobnicate`. Start with the person",
        ),
        (
            "histroy",
            "I don't understand `histroy`. Did you mean `/handover history`?",
        ),
        ("Nxet", "Did you mean `/handover next`?"),
        ("rots", "Did you mean `/handover rota`?"),
        (
            "Rosa",
            "Did you mean `/handover rota`? To hand over, start with the person",
        ),
        ("Mo", "I don't understand `Mo`. Start with the person"),
        ("quiet week <@U0BOB0001>", "I don't understand `quiet`"),
        ("<#C0123|general>", "That is a channel"),
        ("<!subteam^S0123|@oncall>", "That is a user group"),
        ("<!channel>", "are not people"),
        ("<@U0BOB0001> at", "After `at`"),
        ("<@U0BOB0001> at 2025-03-03", "After `at`"),
        // Not taken as notes and recorded now: a date with a phone's en dashes is a date.
        ("<@U0BOB0001> at 2025\u{2013}03\u{2013}03", "After `at`"),
        ("<@U0BOB0001> at 09:30", "After `at`"),
        ("history 0", "not a number of handovers"),
        ("history -3", "not a number of handovers"),
        ("history lots", "not a number of handovers"),
        (
            "undo everything",
            "After `/handover undo` type either nothing, or the person",
        ),
        // A second person, or a command word, is not notes: no handover nobody meant.
        (
            "<@U0BOB0001> <@U0CAR0001> <@U0DAV0001>",
            "The pager goes to one person, and <@U0CAR0001> after them would be kept as notes. \
             To set the rota order, type `/handover rota @a @b @c`",
        ),
        (
            "@bob @carol",
            "The pager goes to one person, and @carol after",
        ),
        (
            "next <@U0DAV0001>",
            "To hand it to <@U0DAV0001>, type `/handover <@U0DAV0001>`",
        ),
        // `to @tom` after the person: Tom meant, or "from Bob to Tom"; not notes.
        (
            "<@U0BOB0001> to <@U0TOM0001> thanks",
            "The pager goes to the person first after `/handover`, and `to <@U0TOM0001>` after \
             them would be kept as notes. To hand it to <@U0TOM0001>, type `/handover \
             <@U0TOM0001>`",
        ),
        ("@bob → @tom", "To hand it to @tom, type `/handover @tom`"),
        // `yesterday` as the whole of the notes: a time, not a note.
        ("<@U0BOB0001> yesterday", "`yesterday`"),
        ("end <@U0DAV0001>", "`/handover end` ends standby"),
        (
            "<@U0CAR0001> undo",
            "`undo` after the person would be kept as notes",
        ),
        ("next undo", "`undo` after `next` would be kept as notes"),
        (
            "<@U0CAR0001> at 2025-03-03 09:30 <@U0DAV0001>",
            "The pager goes to one person",
        ),
        ("rota <@U1> <#C1>", "That is a channel"),
        // Several people joined into one word are not the first of them.
        (
            "<@U0BOB0001|bob>,<@U0CAR0001|carol>",
            "The pager goes to one person, and these are several",
        ),
        (
            "<@U0CAR0001|carol>/<@U0DAV0001|dave> quiet week",
            "these are several",
        ),
        (
            "<@U0BOB0001> <@U0CAR0001|carol>,<@U0DAV0001|dave> thanks",
            "The pager goes to one person, and <@U0CAR0001> <@U0DAV0001> after them",
        ),
        // Quoted back as typed: Slack escapes `<` and `>`, and the `;` is part of `&gt;`.
        ("x&gt;", "I don't understand `x&gt;`"),
        ("&lt;@bob&gt;", "I don't understand `&lt;@bob&gt;`"),
        ("rota <@U1> hmm&gt;", "`hmm&gt;` is not a mention."),
        ("rota →", "Give the people in order after `rota`"),
        ("rota , (on call)", "Give the people in order after `rota`"),
        // A time without `at` would be recorded now with the time as notes.
        (
            "<@U1> since 2025-03-03 09:30",
            "`since 2025-03-03 09:30` looks like a time",
        ),
        ("<@U1> from 3/3 09:30 quiet", "`from 3/3 09:30` looks like"),
        ("<@U1> on 2025-03-03", "`on 2025-03-03` looks like"),
        ("<@U1> 2025-03-03 09:30", "`2025-03-03 09:30` looks like"),
        ("<@U1> 2025-03-03", "`2025-03-03` looks like"),
        ("<@U1> 3.3 9.30", "`3.3 9.30` looks like"),
        (
            "<@U1> yesterday at 09:00",
            "`yesterday at 09:00` looks like",
        ),
        ("<@U1> Yesterday 9am", "`Yesterday 9am` looks like"),
        (
            "next since 2025-06-09 09:00",
            "`since 2025-06-09 09:00` looks",
        ),
        ("<@U1> since 9am", "`since 9am` looks like a time"),
        ("<@U1> from 14:00, quiet", "`from 14:00,` looks like a time"),
        (
            "<@U1> since yesterday 09:00",
            "`since yesterday 09:00` looks",
        ),
        ("<@U1> since Monday 09:30", "`since Monday 09:30` looks"),
        ("<@U1> Yesterday, 9am", "`Yesterday, 9am` looks like a time"),
        (
            "<@U1> 2025-03-03T09:30",
            "`2025-03-03T09:30` looks like a time",
        ),
        (
            "<@U1> 2025\u{2013}03\u{2013}03 09:30",
            "`2025-03-03 09:30` looks",
        ),
        ("<@U1> on 3/3/25", "`on 3/3/25` looks like a time"),
        // With `at`, a day word is still not a date: kept as notes, the handover would be now.
        (
            "<@U1> at yesterday 09:00",
            "write the date in full: `at YYYY-MM-DD HH:MM`, e.g. `at 2025-03-03 09:30`; Baton \
             does not read `yesterday 09:00` as a date",
        ),
        ("<@U1> at Monday at 9:30", "does not read `Monday at 9:30`"),
        ("<@U1> at today 9am", "does not read `today 9am`"),
        ("next at yesterday 17:00", "does not read `yesterday 17:00`"),
        (
            "end at tonight 22:00 quiet",
            "does not read `tonight 22:00`",
        ),
        // am and pm are read, not dropped into the notes: twelve hours would move.
        (
            "<@U1> at 2026-11-20 13:00 pm",
            "`13:00 pm` is not a time: with am or pm, give an hour from 1 to 12",
        ),
        ("<@U1> at 2026-11-20 0:30am", "`0:30am` is not a time"),
        ("<@U1> at 2026-11-20 5:3 pm", "`5:3 pm` is not a time"),
        // A time of day after `at` without its date: kept as notes, the handover would be now.
        ("<@U1> at 9am", "`9am` alone would be kept as notes"),
        (
            "<@U1> at 3:10am failover",
            "`3:10am` alone would be kept as notes",
        ),
        (
            "<@U1> at 09:30 quiet",
            "`09:30` alone would be kept as notes",
        ),
        (
            "<@U1> at 17:30 on 2026-11-20",
            "`17:30` alone would be kept as notes",
        ),
        ("<@U1> at 5pm, 20 Nov", "`5pm` alone would be kept as notes"),
        (
            "<@U1> at 2026-11-19 9:30 eve",
            "`9:30 eve` could be morning or evening",
        ),
        ("<@U1> at 5 pm", "`5 pm` alone would be kept"),
        ("<@U1> at 5:30pm.", "`5:30pm` alone would be kept"),
        ("<@U1> at noon", "`noon` alone would be kept"),
        ("end at 5pm", "give the date as well as the time"),
        // Time phrases without `at`.
        ("<@U1> tomorrow 09:00", "`tomorrow 09:00` looks like a time"),
        ("<@U1> from mon 9am", "`from mon 9am` looks like a time"),
        ("<@U1> fri 9am", "`fri 9am` looks like a time"),
        ("<@U1> at tues 9am", "does not read `tues 9am`"),
        (
            "<@U1> as of 2026-11-20 09:30",
            "`as of 2026-11-20 09:30` looks like a time",
        ),
        (
            "<@U1> effective 2026-11-20 09:30",
            "`effective 2026-11-20 09:30` looks",
        ),
        ("<@U1> starting monday 9am", "`starting monday 9am` looks"),
        (
            "<@U1> this morning 09:30",
            "`this morning 09:30` looks like a time",
        ),
        (
            "<@U1> last night 11pm",
            "`last night 11pm` looks like a time",
        ),
        (
            "<@U1> earlier today at 17:30",
            "`earlier today at 17:30` looks like a time",
        ),
        ("<@U1> 20 Nov 17:30", "`20 Nov 17:30` looks like a time"),
        (
            "<@U1> Nov 20 2026 5pm",
            "`Nov 20 2026 5pm` looks like a time",
        ),
        (
            "<@U1> on 20/11 at 17:30",
            "`on 20/11 at 17:30` looks like a time",
        ),
        (
            "<@U1> yesterday morning 09:30",
            "`yesterday morning 09:30` looks like a time",
        ),
        (
            "<@U1> friday night 11pm",
            "`friday night 11pm` looks like a time",
        ),
        ("<@U1> since 9 am", "`since 9 am` looks like a time"),
        ("<@U1> since 5p.m.", "looks like a time"),
        (
            "<@U1> yesterday 5 pm, forgot",
            "`yesterday 5 pm,` looks like a time",
        ),
        (
            "<@U1> earlier this morning 09:30",
            "`earlier this morning 09:30` looks",
        ),
        (
            "<@U1> at yesterday morning 9am",
            "does not read `yesterday morning 9am`",
        ),
        ("<@U1> as of 9am", "`as of 9am` looks like a time"),
        // A twelve-hour time that does not say which half of the day.
        (
            "<@U1> at 2026-11-19 9:30 tonight",
            "`9:30 tonight` could be morning or evening",
        ),
        (
            "<@U1> at 2026-11-19 9:30 in the evening, 2 pages",
            "`9:30 in the evening` could be",
        ),
        (
            "<@U1> at 2026-11-19 9:30 this evening",
            "`9:30 this evening`",
        ),
        // A command's word after the person.
        (
            "<@U1> help",
            "`help` after the person would be kept as notes. Commands start with their word: \
             `/handover help`.",
        ),
        ("<@U1> ?", "`/handover help`"),
        ("next undo", "`undo` after `next` would be kept as notes"),
        // A day after `since` or `from`, with nothing after it, and the start a handover should
        // have had, later in the notes.
        ("<@U1> since Monday", "`since Monday` looks like a time"),
        (
            "<@U1> on call since Monday 09:00",
            "`on call since Monday 09:00` looks like a time",
        ),
        (
            "<@U1> on call from yesterday",
            "`on call from yesterday` looks",
        ),
        (
            "<@U1> from yesterday.",
            "`from yesterday.` looks like a time",
        ),
        (
            "<@U1> should have been yesterday 18:00",
            "`should have been yesterday 18:00` looks like a time",
        ),
        (
            "<@U1> forgot yesterday, should have been from Monday 09:00",
            "`should have been from Monday 09:00` looks like a time",
        ),
        (
            "<@U1> sorry, should\u{2019}ve been at 9am",
            "`should've been at 9am` looks like a time",
        ),
        (
            "<@U1> should have been on call since Monday 09:00",
            "`should have been on call since Monday 09…` looks like a time",
        ),
    ];
    for (typed, expected) in cases {
        match parse(typed) {
            Err(CommandError::Usage { message, usage }) => {
                assert!(message.contains(expected), "{typed}: {message}");
                // Said once, last, as every refusal says it.
                assert!(
                    message.ends_with(". Nothing changed."),
                    "{typed}: {message}"
                );
                assert_eq!(message.matches("Nothing changed").count(), 1, "{message}");
                assert_eq!(usage, USAGE);
            }
            other => panic!("{typed}: expected a usage error, got {other:?}"),
        }
    }
}

#[test]
fn a_rota_of_more_people_than_a_team_has_is_refused_before_anyone_is_looked_up() {
    let rota = |n: usize| {
        let people: Vec<String> = (0..n).map(|i| format!("<@U{i:08}>")).collect();
        format!("rota {}", people.join(" "))
    };
    assert!(
        matches!(parse(&rota(MOST_IN_A_ROTA)), Ok(Command::Rota(m)) if m.len() == MOST_IN_A_ROTA)
    );
    match parse(&rota(MOST_IN_A_ROTA + 1)) {
        Err(CommandError::Usage { message, .. }) => assert!(
            message.contains(&format!(
                "at most {MOST_IN_A_ROTA} people (this lists {})",
                MOST_IN_A_ROTA + 1
            )),
            "{message}"
        ),
        other => panic!("expected a usage error, got {other:?}"),
    }
}

proptest::proptest! {
    #[test]
    fn notes_in_quotes_are_always_notes(
        start in proptest::prop_oneof![
            proptest::strategy::Just("at 2025-03-03 09:30 "),
            proptest::strategy::Just("since 2025-03-03 09:30 "),
            proptest::strategy::Just("2025-03-03 "),
            proptest::strategy::Just("yesterday 9am "),
            proptest::strategy::Just(""),
        ],
        tail in "[a-zA-Z0-9][a-zA-Z0-9 :./+-]{0,30}[a-zA-Z0-9]",
    ) {
        let notes = format!("{start}{tail}");
        for typed in [format!("<@U1> \"{notes}\""), format!("next \u{201C}{notes}\u{201D}")] {
            let parsed = parse(&typed);
            let (at, kept) = match parsed {
                Ok(Command::To { at, notes, .. } | Command::Next { at, notes }) => (at, notes),
                other => panic!("{typed:?}: {other:?}"),
            };
            proptest::prop_assert_eq!(at, None, "{:?}", typed);
            proptest::prop_assert_eq!(kept.as_str(), notes.as_str(), "{:?}", typed);
        }
    }
}

#[test]
fn notes_over_two_thousand_typed_characters_are_refused() {
    let at_limit = format!("<@U1> {}", "x".repeat(MAX_NOTES));
    assert!(parse(&at_limit).is_ok());
    let over = format!("<@U1> {}", "x".repeat(MAX_NOTES + 1));
    assert!(matches!(parse(&over), Err(CommandError::Usage { .. })));
    // Entities count as the one character the person typed.
    let ampersands = format!("<@U1> {}", "&amp;".repeat(MAX_NOTES));
    assert!(parse(&ampersands).is_ok());
}

#[test]
fn a_name_typed_without_its_at_sign_is_answered_with_the_mention_to_type() {
    // (typed, said)
    let cases = [
        (
            "bob",
            "I don't understand `bob`. Start with the person you hand over to. If `bob` is a \
             person, mention them: `/handover @bob`.",
        ),
        // The words after the name stay in the command to type: without them, a backdate
        // pasted as offered would be recorded now.
        (
            "Bob.Smith quiet week",
            "If `Bob.Smith` is a person, mention them: `/handover @Bob.Smith quiet week`.",
        ),
        (
            "nkechi at 2026-09-28 09:00 fixing",
            "mention them: `/handover @nkechi at 2026-09-28 09:00 fixing`.",
        ),
        (
            "nkechi at 2026-09-28 09:00 db failover done, see the runbook &amp; the alerts",
            "mention them: `/handover @nkechi at 2026-09-28 09:00 db failover done, see the \
             runbook &amp; the alerts`.",
        ),
        // Not to be quoted back as typed (markup, which would show as its code; a line break,
        // which ends the quote): said to follow.
        (
            "bob thanks <@U0ANN0001>",
            "mention them: `/handover @bob …` (then the rest as you typed it).",
        ),
        (
            "bob quiet\nweek",
            "mention them: `/handover @bob …` (then the rest as you typed it).",
        ),
        // Words before the mention that say "hand over to", or a time: the person goes first,
        // the time after them with `at`, then the rest.
        (
            "to <@U0TOM0001>",
            "I don't understand `to`. Start with the person you hand over to: \
             `/handover <@U0TOM0001>`.",
        ),
        (
            "give @tom the db is slow",
            "I don't understand `give`. Start with the person you hand over to: `/handover @tom \
             the db is slow`.",
        ),
        (
            "pass the pager to @tom",
            "Start with the person you hand over to: `/handover @tom`.",
        ),
        (
            "now @carol",
            "I don't understand `now`. Start with the person you hand over to: `/handover \
             @carol`.",
        ),
        (
            "at 2026-11-20 09:00 @bob quiet",
            "I don't understand `at`. Start with the person you hand over to: `/handover @bob at \
             2026-11-20 09:00 quiet` (admins).",
        ),
        (
            "2026-11-20 09:00 <@U0BOB0001>",
            "Start with the person you hand over to: `/handover <@U0BOB0001> at 2026-11-20 09:00` \
             (admins).",
        ),
        // A time in other words: where the person and the time go, not a command that would
        // record the handover now.
        (
            "yesterday @bob",
            "I don't understand `yesterday`. Start with the person you hand over to, then the \
             notes: `/handover @bob …`; an earlier time goes after the person, as `at YYYY-MM-DD \
             HH:MM` (admins).",
        ),
        // A name without its `@` before a mention may be the person: answered as one.
        (
            "nkechi thanks @bob",
            "If `nkechi` is a person, mention them: `/handover @nkechi thanks @bob`.",
        ),
        // Markup in what looks like a date is not repeated as part of a command.
        (
            "2025-03-0<!here> <@U0BOB0001>",
            "I don't understand `2025-03-0&lt;!here&gt;`. Start with the person you hand over \
             to. Nothing changed.",
        ),
        // Every word of the time moves after the person: a zone, `pm`, a month's name; and
        // `next` is a person here too.
        (
            "at 2026-10-25 01:30 GMT @bob",
            "`/handover @bob at 2026-10-25 01:30 GMT` (admins).",
        ),
        // A time without its date: offered with the date to fill in, which `at` needs.
        (
            "at 5:30 pm @bob",
            "`/handover @bob at YYYY-MM-DD 5:30 pm` (admins).",
        ),
        ("9am @bob", "`/handover @bob at YYYY-MM-DD 9am` (admins)."),
        (
            "at 20 Nov 09:00 @bob",
            "`/handover @bob at 20 Nov 09:00` (admins).",
        ),
        (
            "at 2026-11-20 09:00 next",
            "`/handover next at 2026-11-20 09:00` (admins).",
        ),
        (
            "to next",
            "Start with the person you hand over to: `/handover next`.",
        ),
        // A name without its `@` after "to": offered as a mention, never `@to`.
        (
            "to bob",
            "I don't understand `to`. Start with the person you hand over to. If `bob` is a \
             person, mention them: `/handover @bob`.",
        ),
        // Words that are never a person are never offered as one.
        (
            "at 2026-11-20 09:00",
            "I don't understand `at`. Start with the person you hand over to: type @ and pick \
             them. An earlier time goes after them, as `at YYYY-MM-DD HH:MM` (admins).",
        ),
        // A slip for a keyword, with a mention after it, is still the keyword, and the command
        // offered keeps what follows: quoted when it can be, else said to follow.
        ("roat @bob @ann", "Did you mean `/handover rota @bob @ann`?"),
        (
            "udno <@U0BOB0001>",
            "Did you mean `/handover undo …` (then the rest as you typed it)?",
        ),
        // The start of one keyword alone is that keyword.
        ("hist 5", "Did you mean `/handover history 5`?"),
        ("HIST", "Did you mean `/handover history`?"),
        // `me` is for `/oncall-pay`: here the pager goes to a person named with a mention.
        (
            "me",
            "I don't understand `me`. Start with the person you hand over to, as a mention: \
             type @ and pick them (to take the pager yourself, pick yourself).",
        ),
        (
            "ME tonight",
            "I don't understand `ME`. Start with the person",
        ),
        // Not shaped like a name: no mention to suggest.
        (
            "x&gt;",
            "I don't understand `x&gt;`. Start with the person you hand over to.",
        ),
        // A question about who is on call: answered by `/handover`, never offered as `@who`.
        (
            "who",
            "I don't understand `who`. To see who is on call here and who is next, type \
             `/handover` alone.",
        ),
        ("whos next?", "To see who is on call here and who is next"),
        ("Status?", "To see who is on call here and who is next"),
    ];
    for (typed, said) in cases {
        match parse(typed) {
            Err(CommandError::Usage { message, .. }) => {
                assert!(message.contains(said), "{typed}: {message}")
            }
            other => panic!("{typed}: expected a usage error, got {other:?}"),
        }
    }
    // A word after the person is notes, as before, and keywords are keywords.
    for typed in ["<@U0BOB0001> bob", "next bob", "end bob", "history"] {
        assert!(parse(typed).is_ok(), "{typed}");
    }
}

#[test]
fn only_a_try_at_a_time_after_at_is_taken_for_the_admins_form() {
    use super::super::parse::gives_a_time;
    // (typed, a try at `at DATE TIME`)
    let cases = [
        ("<@U1> at 02:00", true),
        ("<@U1> at", true),
        ("next at 2026-11-26", true),
        ("end at yesterday 9am", true),
        ("<@U1> at 3/3 09:30 forgot", true),
        ("<@U1> at least 3 pages overnight", false),
        ("<@U1> at 3am the disk filled", false),
        ("<@U1> \"at 02:00\"", false),
        ("<@U1> quiet at 02:00", false),
        ("history at 02:00", false),
        ("<#C0123|ops> at 02:00", false),
    ];
    for (typed, meant) in cases {
        assert_eq!(gives_a_time(typed), meant, "{typed}");
    }
}
