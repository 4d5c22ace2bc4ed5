//! Hand-computed cases for the pay rule. Rates throughout (unless a case says otherwise):
//! weekday £50, weekend £75, bank holiday £100 per full day, calendar england-and-wales.
//! Times are written in London local time (+01:00 in BST, Z in GMT).

use super::*;
use crate::domain::holidays::HolidayCalendar;
use chrono::Weekday;
use chrono_tz::Europe::London;

pub(super) fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub(super) fn user(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn month(s: &str) -> YearMonth {
    s.parse().unwrap()
}

/// A channel's handovers; a person `""` ends standby there (`/handover end`).
pub(super) fn rota(channel: &str, handovers: &[(&str, &str)]) -> ChannelRota {
    ChannelRota {
        channel: ChannelId::parse(channel).unwrap(),
        handovers: handovers
            .iter()
            .map(|&(t, u)| HandoverPoint {
                at: at(t),
                to: (!u.is_empty()).then(|| user(u)),
            })
            .collect(),
    }
}

pub(super) fn rates(weekday: &str, weekend: &str, bank_holiday: &str) -> Rates {
    let gbp = Currency::gbp();
    Rates {
        weekday: Money::parse(weekday, &gbp).unwrap(),
        weekend: Money::parse(weekend, &gbp).unwrap(),
        bank_holiday: Money::parse(bank_holiday, &gbp).unwrap(),
    }
}

pub(super) fn policy() -> PayPolicy {
    PayPolicy {
        rates: Some(rates("50.00", "75.00", "100.00")),
        ..PayPolicy::unconfigured(London)
    }
}

/// Weekend £80 from April 2025; weekday £60 from October 2025, the weekend staying £80.
fn rate_changes() -> Vec<RateChange> {
    vec![
        RateChange {
            from: month("2025-04"),
            rates: rates("50.00", "80.00", "100.00"),
        },
        RateChange {
            from: month("2025-10"),
            rates: rates("60.00", "80.00", "100.00"),
        },
    ]
}

#[test]
fn each_month_is_paid_at_the_latest_rates_from_that_month_or_before() {
    let p = PayPolicy {
        rate_changes: rate_changes(),
        ..policy()
    };
    for (m, weekday, weekend) in [
        ("2000-01", "£50.00", "£75.00"),
        ("2025-03", "£50.00", "£75.00"),
        ("2025-04", "£50.00", "£80.00"),
        ("2025-09", "£50.00", "£80.00"),
        ("2025-10", "£60.00", "£80.00"),
        ("2199-12", "£60.00", "£80.00"),
    ] {
        let r = p.rates_for(month(m)).unwrap();
        assert_eq!(r.weekday.to_string(), weekday, "{m}");
        assert_eq!(r.weekend.to_string(), weekend, "{m}");
        assert_eq!(r.bank_holiday.to_string(), "£100.00", "{m}");
    }
    let no_rates = PayPolicy::unconfigured(London);
    assert_eq!(no_rates.rates_for(month("2025-04")), None);
}

/// Well after every case's month, so each statement is final (not accrued).
const LATER: &str = "2031-01-01T00:00:00Z";

/// Alice's plain week (Monday to Monday, 09:00) then Bob, then Carol from July.
const PLAIN_WEEK: &[(&str, &str)] = &[
    ("2025-06-02T09:00:00+01:00", "alice"),
    ("2025-06-09T09:00:00+01:00", "bob"),
    ("2025-07-07T09:00:00+01:00", "carol"),
];

struct Case {
    name: &'static str,
    policy: PayPolicy,
    rotas: Vec<ChannelRota>,
    month: &'static str,
    /// (engineer, [weekday, weekend, bank holiday] days, total)
    expect: Vec<(&'static str, [&'static str; 3], &'static str)>,
}

fn cases() -> Vec<Case> {
    let with_extra = PayPolicy {
        calendar: policy().calendar.with_extra([date("2025-12-24")]),
        ..policy()
    };
    let friday_weekend = PayPolicy {
        weekend_days: WeekendDays::from_days([Weekday::Fri, Weekday::Sat, Weekday::Sun]),
        ..policy()
    };
    // Weekend £80 from April 2025, then weekday £60 from October (weekend still £80).
    let with_changes = PayPolicy {
        rate_changes: rate_changes(),
        ..policy()
    };
    // Sat 29 Mar (GMT) to Sun 6 Apr 00:00 (BST), across the spring-forward day and the change.
    let across_april = vec![rota(
        "ops",
        &[
            ("2025-03-29T00:00:00Z", "alice"),
            ("2025-04-06T00:00:00+01:00", "bob"),
        ],
    )];
    vec![
        Case {
            name: "a month before the first rate change is paid at the rates before it",
            policy: with_changes.clone(),
            rotas: across_april.clone(),
            month: "2025-03",
            // Sat 29 and Sun 30 (23 hours long, all on call: a whole day) at £75, Mon 31 at
            // £50: 150 + 50 = £200.
            expect: vec![("alice", ["1.00", "2.00", "0.00"], "£200.00")],
        },
        Case {
            name: "the month a rate change starts is paid at the new rates",
            policy: with_changes.clone(),
            rotas: across_april,
            month: "2025-04",
            // Tue 1 to Fri 4 Apr at £50, Sat 5 at the new £80: 200 + 80 = £280.
            expect: vec![("alice", ["4.00", "1.00", "0.00"], "£280.00")],
        },
        Case {
            name: "a later change keeps the rates it leaves out, on the day the clocks go back",
            policy: with_changes,
            rotas: vec![rota(
                "ops",
                &[
                    ("2025-10-24T09:00:00+01:00", "carol"),
                    ("2025-10-27T09:00:00Z", "dave"),
                ],
            )],
            month: "2025-10",
            // Fri 24 from 09:00 (15/24) and Mon 27 to 09:00 (9/24): 1 weekday at the new £60;
            // Sat 25 and Sun 26 (25 hours, all on call: a whole day) at April's £80.
            // 60 + 160 = £220.
            expect: vec![("carol", ["1.00", "2.00", "0.00"], "£220.00")],
        },
        Case {
            name: "march 2024 ends on the 23-hour sunday the clocks go forward",
            policy: policy(),
            rotas: vec![rota(
                "ops",
                &[
                    ("2024-03-30T00:00:00Z", "alice"),
                    ("2024-04-02T00:00:00+01:00", "bob"),
                ],
            )],
            month: "2024-03",
            // Sat 30 and Sun 31 (82,800 s, all on call): 2 weekend days, £150. March ends at
            // 2024-03-31T23:00Z; an end at UTC midnight would add an hour of Easter Monday.
            expect: vec![("alice", ["0.00", "2.00", "0.00"], "£150.00")],
        },
        Case {
            name: "april 2024 starts at midnight BST, an hour before UTC midnight",
            policy: policy(),
            rotas: vec![rota(
                "ops",
                &[
                    ("2024-03-30T00:00:00Z", "alice"),
                    ("2024-04-02T00:00:00+01:00", "bob"),
                ],
            )],
            month: "2024-04",
            // Easter Monday 1 April, all 24 hours of it: 1 bank-holiday day, £100.
            expect: vec![("alice", ["0.00", "0.00", "1.00"], "£100.00")],
        },
        Case {
            name: "october 2027 ends on the 25-hour sunday the clocks go back",
            policy: policy(),
            rotas: vec![rota(
                "ops",
                &[
                    ("2027-10-30T00:00:00+01:00", "carol"),
                    ("2027-11-01T12:00:00Z", "dave"),
                ],
            )],
            month: "2027-10",
            // Sat 30 and Sun 31 (90,000 s, all on call): 2 weekend days, £150. October ends at
            // 2027-11-01T00:00Z, the hour after 23:00Z still being Sunday.
            expect: vec![("carol", ["0.00", "2.00", "0.00"], "£150.00")],
        },
        Case {
            name: "november 2027 starts at midnight GMT after the 25-hour sunday",
            policy: policy(),
            rotas: vec![rota(
                "ops",
                &[
                    ("2027-10-30T00:00:00+01:00", "carol"),
                    ("2027-11-01T12:00:00Z", "dave"),
                ],
            )],
            month: "2027-11",
            // Mon 1 Nov 00:00-12:00 GMT: half a weekday, £25.
            expect: vec![("carol", ["0.50", "0.00", "0.00"], "£25.00")],
        },
        Case {
            name: "nobody is paid between the end of standby and the next handover",
            policy: policy(),
            rotas: vec![rota(
                "ops",
                &[
                    ("2025-06-02T09:00:00+01:00", "alice"),
                    ("2025-06-04T09:00:00+01:00", ""),
                    ("2025-06-06T09:00:00+01:00", "bob"),
                ],
            )],
            month: "2025-06",
            expect: vec![
                // Mon 2 from 09:00 (15/24), Tue 3, Wed 4 to 09:00 (9/24): 2 weekdays, £100.
                ("alice", ["2.00", "0.00", "0.00"], "£100.00"),
                // Fri 6 from 09:00 (15/24), then 9-13, 16-20, 23-27 and Mon 30: 16.625
                // weekdays; 7-8, 14-15, 21-22, 28-29: 8 weekend days. 831.25 + 600 = £1,431.25.
                ("bob", ["16.63", "8.00", "0.00"], "£1,431.25"),
            ],
        },
        Case {
            name: "standby ended for good pays nobody after it, however long ago it was",
            policy: policy(),
            rotas: vec![rota(
                "ops",
                &[
                    ("2025-05-26T09:00:00+01:00", "alice"),
                    ("2025-05-30T17:00:00+01:00", ""),
                ],
            )],
            month: "2025-06",
            expect: vec![("alice", ["0.00", "0.00", "0.00"], "£0.00")],
        },
        Case {
            name: "a plain week",
            policy: policy(),
            rotas: vec![rota("ops", PLAIN_WEEK)],
            month: "2025-06",
            expect: vec![
                // Mon 2 Jun from 09:00 = 15/24, Tue-Fri = 4, Mon 9 Jun to 09:00 = 9/24: 5 weekdays;
                // Sat+Sun = 2 weekend days. 5 × 50 + 2 × 75 = £400.
                ("alice", ["5.00", "2.00", "0.00"], "£400.00"),
                // Mon 9 Jun from 09:00 = 15/24, then 10-30 Jun: 15 weekdays and 6 weekend days
                // (14/15, 21/22, 28/29). 15.625 shows as 15.63 (half up);
                // 15.625 × 50 + 6 × 75 = 781.25 + 450 = £1,231.25.
                ("bob", ["15.63", "6.00", "0.00"], "£1,231.25"),
            ],
        },
        Case {
            name: "a handover at 10:00 on a weekday",
            policy: policy(),
            rotas: vec![rota(
                "ops",
                &[
                    ("2025-05-28T09:00:00+01:00", "alice"),
                    ("2025-06-11T10:00:00+01:00", "bob"),
                    ("2025-07-02T09:00:00+01:00", "carol"),
                ],
            )],
            month: "2025-06",
            expect: vec![
                // Sun 1, Sat/Sun 7-8: 3 weekend days; 2-6 and 9-10 Jun: 7 weekdays; Wed 11 until
                // 10:00 = 10/24. 7 + 5/12 = 7.4166… → 7.42; 7.41666… × 50 + 225 = 595.8333… → £595.83.
                ("alice", ["7.42", "3.00", "0.00"], "£595.83"),
                // Wed 11 from 10:00 = 14/24, 12-30 Jun: 13 weekdays, 6 weekend days.
                // 13.58333… × 50 + 450 = 1,129.1666… → £1,129.17. (Alice + Bob = June's £1,725.)
                ("bob", ["13.58", "6.00", "0.00"], "£1,129.17"),
            ],
        },
        Case {
            name: "a month that starts and ends mid-shift",
            policy: policy(),
            rotas: vec![rota(
                "ops",
                &[
                    ("2024-12-30T09:00:00Z", "alice"),
                    ("2025-02-03T09:00:00Z", "bob"),
                ],
            )],
            month: "2025-01",
            expect: vec![
                // Only January counts: Wed 1 Jan is New Year's Day; 8 weekend days (4/5, 11/12,
                // 18/19, 25/26); 31 - 8 - 1 = 22 weekdays. 1,100 + 600 + 100 = £1,800.
                ("alice", ["22.00", "8.00", "1.00"], "£1,800.00"),
            ],
        },
        Case {
            name: "february in a leap year",
            policy: policy(),
            rotas: vec![rota(
                "ops",
                &[
                    ("2024-01-29T09:00:00Z", "alice"),
                    ("2024-03-04T09:00:00Z", "bob"),
                ],
            )],
            month: "2024-02",
            expect: vec![
                // 29 days from Thu 1 Feb: weekends 3/4, 10/11, 17/18, 24/25 = 8; 21 weekdays.
                // 21 × 50 + 8 × 75 = £1,650.
                ("alice", ["21.00", "8.00", "0.00"], "£1,650.00"),
            ],
        },
        Case {
            name: "the spring-forward sunday has 23 hours",
            policy: policy(),
            rotas: vec![rota(
                "ops",
                &[
                    ("2025-03-29T00:00:00Z", "alice"),      // Sat 00:00 GMT
                    ("2025-03-30T12:00:00+01:00", "bob"),   // Sun 12:00 BST = 11:00 UTC
                    ("2025-03-31T00:00:00+01:00", "carol"), // Mon 00:00 BST
                    ("2025-04-01T00:00:00+01:00", "dave"),
                ],
            )],
            month: "2025-03",
            expect: vec![
                // Sunday runs 00:00 UTC to 23:00 UTC = 82,800 s. Alice: Saturday + 39,600/82,800
                // = 1 + 11/23 = 1.478… days; 75 + 75 × 11/23 = 110.869… → £110.87.
                // (Wrongly over 86,400 s it would be £109.38.)
                ("alice", ["0.00", "1.48", "0.00"], "£110.87"),
                // Bob: 43,200/82,800 = 12/23; 75 × 12/23 = 39.130… → £39.13.
                ("bob", ["0.00", "0.52", "0.00"], "£39.13"),
                ("carol", ["1.00", "0.00", "0.00"], "£50.00"),
            ],
        },
        Case {
            name: "the fall-back sunday has 25 hours",
            policy: policy(),
            rotas: vec![rota(
                "ops",
                &[
                    ("2025-10-25T00:00:00+01:00", "alice"), // Sat 00:00 BST
                    ("2025-10-26T12:00:00Z", "bob"),        // Sun 12:00 GMT
                    ("2025-10-27T00:00:00Z", "carol"),      // Mon 00:00 GMT
                    ("2025-11-01T00:00:00Z", "dave"),
                ],
            )],
            month: "2025-10",
            expect: vec![
                // Sunday runs 23:00 UTC Sat to 00:00 UTC Mon = 90,000 s. Alice: Saturday +
                // 46,800/90,000 = 1.52 days; 75 + 39 = £114.
                ("alice", ["0.00", "1.52", "0.00"], "£114.00"),
                // Bob: 43,200/90,000 = 0.48 days; £36.
                ("bob", ["0.00", "0.48", "0.00"], "£36.00"),
                // Mon 27 to Fri 31: 5 weekdays.
                ("carol", ["5.00", "0.00", "0.00"], "£250.00"),
            ],
        },
        Case {
            name: "good friday and easter monday are bank holidays",
            policy: policy(),
            rotas: vec![rota(
                "ops",
                &[
                    ("2025-04-17T09:00:00+01:00", "alice"),
                    ("2025-04-22T09:00:00+01:00", "bob"),
                ],
            )],
            month: "2025-04",
            expect: vec![
                // Thu 17 from 09:00 (15/24) + Tue 22 to 09:00 (9/24) = 1 weekday; Sat+Sun = 2;
                // Good Friday 18 and Easter Monday 21 = 2. 50 + 150 + 200 = £400.
                ("alice", ["1.00", "2.00", "2.00"], "£400.00"),
            ],
        },
        Case {
            name: "christmas on a sunday is paid as a weekend and its substitute day as a holiday",
            policy: policy(),
            rotas: vec![rota(
                "ops",
                &[
                    ("2022-12-24T00:00:00Z", "alice"),
                    ("2022-12-28T00:00:00Z", "bob"),
                ],
            )],
            month: "2022-12",
            expect: vec![
                // Sat 24 and Sun 25 (GOV.UK lists no holiday on the Sunday) = 2 weekend days;
                // Boxing Day Mon 26 and the Christmas substitute Tue 27 = 2. 150 + 200 = £350.
                ("alice", ["0.00", "2.00", "2.00"], "£350.00"),
            ],
        },
        Case {
            name: "an extra company holiday is paid as a bank holiday",
            policy: with_extra,
            rotas: vec![rota(
                "ops",
                &[
                    ("2025-12-23T00:00:00Z", "alice"),
                    ("2025-12-27T00:00:00Z", "bob"),
                ],
            )],
            month: "2025-12",
            // Tue 23 = weekday; Wed 24 (company day), Thu 25, Fri 26 = 3. 50 + 300 = £350.
            expect: vec![("alice", ["1.00", "0.00", "3.00"], "£350.00")],
        },
        Case {
            name: "without the extra day christmas eve is a weekday",
            policy: policy(),
            rotas: vec![rota(
                "ops",
                &[
                    ("2025-12-23T00:00:00Z", "alice"),
                    ("2025-12-27T00:00:00Z", "bob"),
                ],
            )],
            month: "2025-12",
            expect: vec![("alice", ["2.00", "0.00", "2.00"], "£300.00")],
        },
        Case {
            name: "an engineer with two shifts in one month",
            policy: policy(),
            rotas: vec![rota(
                "ops",
                &[
                    ("2025-06-02T09:00:00+01:00", "alice"),
                    ("2025-06-09T09:00:00+01:00", "bob"),
                    ("2025-06-16T09:00:00+01:00", "alice"),
                    ("2025-06-23T09:00:00+01:00", "bob"),
                    ("2025-07-07T09:00:00+01:00", "carol"),
                ],
            )],
            month: "2025-06",
            // Two plain weeks: 2 × (5 weekdays + 2 weekend days) = £800.
            expect: vec![("alice", ["10.00", "4.00", "0.00"], "£800.00")],
        },
        Case {
            name: "a zero-length shift pays nothing",
            policy: policy(),
            rotas: vec![rota(
                "ops",
                &[
                    ("2025-06-02T09:00:00+01:00", "alice"),
                    ("2025-06-09T09:00:00+01:00", "bob"),
                    ("2025-06-09T09:00:00+01:00", "carol"),
                    ("2025-07-07T09:00:00+01:00", "dave"),
                ],
            )],
            month: "2025-06",
            expect: vec![
                ("bob", ["0.00", "0.00", "0.00"], "£0.00"),
                // Carol has what Bob had in the plain week.
                ("carol", ["15.63", "6.00", "0.00"], "£1,231.25"),
            ],
        },
        Case {
            name: "two channels at once are each paid",
            policy: policy(),
            rotas: vec![
                rota("ops", PLAIN_WEEK),
                rota(
                    "db",
                    &[
                        ("2025-06-04T00:00:00+01:00", "alice"),
                        ("2025-06-06T00:00:00+01:00", "dave"),
                        ("2025-07-01T00:00:00+01:00", "erin"),
                    ],
                ),
            ],
            month: "2025-06",
            // ops: the plain week (£400); db: Wed 4 and Thu 5 (£100).
            expect: vec![("alice", ["7.00", "2.00", "0.00"], "£500.00")],
        },
        Case {
            name: "friday as a weekend day",
            policy: friday_weekend,
            rotas: vec![rota("ops", PLAIN_WEEK)],
            month: "2025-06",
            // Weekdays 15/24 + Tue-Thu + 9/24 = 4; Fri-Sun = 3. 200 + 225 = £425.
            expect: vec![("alice", ["4.00", "3.00", "0.00"], "£425.00")],
        },
    ]
}

#[test]
fn hand_computed_statements_match_the_pay_rule() {
    for case in cases() {
        for (who, days, total) in &case.expect {
            let s = statement(
                &case.policy,
                &case.rotas,
                &user(who),
                month(case.month),
                at(LATER),
            );
            let shown = DayKind::ALL.map(|k| s.overall.shown_days(k).to_string());
            assert_eq!(shown, days.map(String::from), "{}: {who}", case.name);
            assert_eq!(
                s.total.map(|m| m.to_string()).as_deref(),
                Some(*total),
                "{}: {who}",
                case.name
            );
            assert_eq!(s.to_date, None, "{}: the month is over", case.name);
            assert!(s.uncovered_dates.is_empty(), "{}", case.name);
            // The team report gives the same statement for everyone with time on call.
            let team = team(&case.policy, &case.rotas, month(case.month), at(LATER));
            let in_team = team.iter().find(|t| t.user == user(who));
            if s.overall.total_days().is_zero() {
                assert_eq!(in_team, None, "{}: {who}", case.name);
            } else {
                assert_eq!(in_team, Some(&s), "{}: {who}", case.name);
            }
        }
    }
}

#[test]
fn a_month_not_over_is_accrued_to_now_on_both_clock_change_days() {
    // (on call from, now, weekend days shown, total): Saturday from midnight, asked on Sunday.
    let cases = [
        // 30 Mar 2025 runs 00:00Z to 23:00Z (82,800 s): 11 h of it is 0.478…; 1.478… × £75.
        (
            "2025-03-29T00:00:00Z",
            "2025-03-30T11:00:00Z",
            "2025-03",
            "1.48",
            "£110.87",
        ),
        // 26 Oct 2025 runs 2025-10-25T23:00Z to 2025-10-27T00:00Z (90,000 s): 13 h is 0.52.
        (
            "2025-10-25T00:00:00+01:00",
            "2025-10-26T12:00:00Z",
            "2025-10",
            "1.52",
            "£114.00",
        ),
    ];
    for (from, now, m, weekend, total) in cases {
        let rotas = [rota("ops", &[(from, "alice")])];
        let s = statement(&policy(), &rotas, &user("alice"), month(m), at(now));
        assert_eq!(s.to_date, Some(at(now)), "{now}");
        assert_eq!(
            s.overall.shown_days(DayKind::Weekend).to_string(),
            weekend,
            "{now}"
        );
        assert_eq!(
            s.total.map(|t| t.to_string()).as_deref(),
            Some(total),
            "{now}"
        );
    }
}

#[test]
fn the_breakdown_shows_each_channel_and_the_amount_by_kind() {
    let rotas = [
        rota("ops", PLAIN_WEEK),
        rota(
            "db",
            &[
                ("2025-06-04T00:00:00+01:00", "alice"),
                ("2025-06-06T00:00:00+01:00", "dave"),
            ],
        ),
    ];
    let s = statement(
        &policy(),
        &rotas,
        &user("alice"),
        month("2025-06"),
        at(LATER),
    );
    let channels: Vec<_> = s
        .channels
        .iter()
        .map(|c| {
            (
                c.channel.as_str(),
                c.breakdown.days(DayKind::Weekday).to_string(),
                c.breakdown.days(DayKind::Weekend).to_string(),
                c.total.map(|m| m.to_string()),
            )
        })
        .collect();
    assert_eq!(
        channels,
        [
            ("db", "2.00".into(), "0.00".into(), Some("£100.00".into())),
            ("ops", "5.00".into(), "2.00".into(), Some("£400.00".into())),
        ]
    );
    let amounts = DayKind::ALL.map(|k| s.overall.amount(k).map(|m| m.to_string()));
    assert_eq!(
        amounts,
        [
            Some("£350.00".into()),
            Some("£150.00".into()),
            Some("£0.00".into())
        ]
    );
    assert_eq!(s.overall.total_days().to_string(), "9.00");
}

#[test]
fn a_month_not_over_is_accrued_to_now() {
    // Alice on call since May; asked on Wed 11 June at 10:00: the same figures Alice earns when
    // Bob takes over at that moment ("a handover at 10:00 on a weekday").
    let rotas = [rota("ops", &[("2025-05-28T09:00:00+01:00", "alice")])];
    let now = at("2025-06-11T10:00:00+01:00");
    let s = statement(&policy(), &rotas, &user("alice"), month("2025-06"), now);
    assert_eq!(s.to_date, Some(now));
    assert_eq!(s.overall.days(DayKind::Weekday).to_string(), "7.42");
    assert_eq!(s.total.map(|m| m.to_string()).as_deref(), Some("£595.83"));
    // May is over: final, and it ends at the month boundary, not at now.
    let may = statement(&policy(), &rotas, &user("alice"), month("2025-05"), now);
    assert_eq!(may.to_date, None);
    // Wed 28 from 09:00 (15/24) + Thu 29, Fri 30 = 2.625 weekdays; Sat 31 = 1 weekend day.
    assert_eq!(may.overall.days(DayKind::Weekday).to_string(), "2.63");
    assert_eq!(may.total.map(|m| m.to_string()).as_deref(), Some("£206.25"));
}

#[test]
fn a_month_in_the_future_and_an_engineer_with_no_time_give_empty_statements() {
    let rotas = [rota("ops", &[("2025-05-28T09:00:00+01:00", "alice")])];
    let now = at("2025-06-11T10:00:00+01:00");
    for (who, m) in [
        ("alice", "2025-07"),
        ("alice", "2031-01"),
        ("zoe", "2025-06"),
    ] {
        let s = statement(&policy(), &rotas, &user(who), month(m), now);
        assert!(s.channels.is_empty(), "{who} {m}");
        assert!(s.overall.total_days().is_zero(), "{who} {m}");
        assert_eq!(s.total, Some(Money::zero(&Currency::gbp())), "{who} {m}");
        assert_eq!(s.to_date, Some(now), "{who} {m}: not over");
        assert_eq!(s.month, month(m));
    }
    assert!(team(&policy(), &rotas, month("2025-07"), now).is_empty());
    assert!(team(&policy(), &[], month("2025-06"), now).is_empty());
}

#[test]
fn the_team_report_lists_everyone_with_time_sorted_by_user_id() {
    let rotas = [
        rota(
            "ops",
            &[
                ("2025-06-02T09:00:00+01:00", "zoe"),
                ("2025-06-09T09:00:00+01:00", "bob"),
                ("2025-06-09T09:00:00+01:00", "carol"), // Bob's shift is zero-length
            ],
        ),
        rota("db", &[("2025-05-01T00:00:00+01:00", "alice")]),
    ];
    let users: Vec<_> = team(&policy(), &rotas, month("2025-06"), at(LATER))
        .into_iter()
        .map(|s| s.user.to_string())
        .collect();
    assert_eq!(users, ["alice", "carol", "zoe"]);
}

#[test]
fn without_rates_days_are_shown_and_amounts_are_not() {
    let rotas = [rota("ops", PLAIN_WEEK)];
    let s = statement(
        &PayPolicy::unconfigured(London),
        &rotas,
        &user("alice"),
        month("2025-06"),
        at(LATER),
    );
    assert_eq!(s.overall.days(DayKind::Weekday).to_string(), "5.00");
    assert_eq!(s.total, None);
    assert_eq!(s.overall.amount(DayKind::Weekday), None);
    assert_eq!(s.channels[0].total, None);
}

#[test]
fn totals_are_rounded_once_half_up_from_the_exact_sum() {
    // Rate 0.05 a day, 12 hours of Monday 2 June in each of two channels: each channel earns
    // exactly 2.5p. The exact 5p is paid, not 3p + 3p, and the channels' amounts add up to it:
    // 3p + 2p, the tie's extra penny to the first channel.
    let p = PayPolicy {
        rates: Some(rates("0.05", "0.05", "0.05")),
        ..policy()
    };
    let half_day = [
        ("2025-06-02T00:00:00+01:00", "alice"),
        ("2025-06-02T12:00:00+01:00", "bob"),
        ("2025-07-01T00:00:00+01:00", "carol"),
    ];
    let rotas = [rota("a", &half_day), rota("b", &half_day)];
    let s = statement(&p, &rotas, &user("alice"), month("2025-06"), at(LATER));
    let per_channel: Vec<_> = s
        .channels
        .iter()
        .map(|c| c.total.map(|m| m.minor_units()))
        .collect();
    assert_eq!(per_channel, [Some(3), Some(2)]);
    assert_eq!(s.total.map(|m| m.minor_units()), Some(5));
    // One channel alone: 2.5p → 3p; at 0.01 a day, 0.5p → 1p.
    let one = statement(&p, &rotas[..1], &user("alice"), month("2025-06"), at(LATER));
    assert_eq!(one.total.map(|m| m.minor_units()), Some(3));
    let penny = PayPolicy {
        rates: Some(rates("0.01", "0.01", "0.01")),
        ..policy()
    };
    let s = statement(
        &penny,
        &rotas[..1],
        &user("alice"),
        month("2025-06"),
        at(LATER),
    );
    assert_eq!(s.total.map(|m| m.minor_units()), Some(1));
}

#[test]
fn one_channels_statement_is_its_line_of_the_whole_statement_to_the_penny() {
    // The half days of "totals are rounded once": 5p in all, 3p in channel a and 2p in b. Worked
    // out alone, b's 2.5p would round to 3p; cut from the whole statement it is the 2p that the
    // full export pays in b, so one channel's export and the full one agree.
    let p = PayPolicy {
        rates: Some(rates("0.05", "0.05", "0.05")),
        ..policy()
    };
    let half_day = [
        ("2025-06-02T00:00:00+01:00", "alice"),
        ("2025-06-02T12:00:00+01:00", "bob"),
        ("2025-07-01T00:00:00+01:00", "carol"),
    ];
    let rotas = [
        rota("a", &half_day),
        rota("b", &half_day),
        rota("c", &[("2025-06-01T00:00:00+01:00", "bob")]),
    ];
    let s = statement(&p, &rotas, &user("alice"), month("2025-06"), at(LATER));
    for (channel, pence) in [("a", 3), ("b", 2)] {
        let one = s.only_channel(&ChannelId::parse(channel).unwrap()).unwrap();
        let lines: Vec<_> = one.channels.iter().map(|c| c.channel.as_str()).collect();
        assert_eq!(lines, [channel]);
        assert_eq!(one.total.map(|m| m.minor_units()), Some(pence), "{channel}");
        assert_eq!(one.overall, one.channels[0].breakdown, "{channel}");
        assert_eq!(one.overall.days(DayKind::Weekday).to_string(), "0.50");
        assert_eq!(
            (&one.user, one.month, one.to_date),
            (&s.user, s.month, s.to_date)
        );
    }
    // Alice was never on call in c: no line, not a line of zeros.
    assert_eq!(s.only_channel(&ChannelId::parse("c").unwrap()), None);
}

#[test]
fn times_count_to_the_second() {
    // Bob takes over one second after midnight: Alice has exactly 1/86,400 of Monday.
    let rotas = [rota(
        "ops",
        &[
            ("2025-06-02T00:00:00+01:00", "alice"),
            ("2025-06-02T00:00:01+01:00", "bob"),
        ],
    )];
    let s = statement(
        &policy(),
        &rotas,
        &user("alice"),
        month("2025-06"),
        at(LATER),
    );
    assert_eq!(
        s.overall.days(DayKind::Weekday).exact(),
        Fraction::new(1, 86_400).unwrap()
    );
    // Fractions of a second are dropped: a handover at 00:00:01.9 counts from 00:00:01.
    let mut late = rotas.clone();
    late[0].handovers[1].at += chrono::Duration::milliseconds(900);
    let s2 = statement(
        &policy(),
        &late,
        &user("alice"),
        month("2025-06"),
        at(LATER),
    );
    assert_eq!(s2.overall, s.overall);
}

#[test]
fn dates_the_calendar_does_not_cover_are_listed_and_paid_by_the_weekend_rule() {
    // The compiled-in calendar ends in 2028. In January 2030, New Year's Day (a Tuesday) cannot be
    // known: it is paid as a weekday and every date on call is listed for the caller to warn.
    let rotas = [rota(
        "ops",
        &[
            ("2029-12-31T00:00:00Z", "alice"),
            ("2030-02-01T00:00:00Z", "bob"),
        ],
    )];
    let s = statement(
        &policy(),
        &rotas,
        &user("alice"),
        month("2030-01"),
        at(LATER),
    );
    // Weekends 5/6, 12/13, 19/20, 26/27 = 8; 23 weekdays.
    let days = DayKind::ALL.map(|k| s.overall.days(k).to_string());
    assert_eq!(days, ["23.00", "8.00", "0.00"]);
    let all_january: Vec<_> = (1..=31)
        .map(|d| NaiveDate::from_ymd_opt(2030, 1, d).unwrap())
        .collect();
    assert_eq!(s.uncovered_dates, all_january);
    // A configured company day is known whatever the file covers.
    let p = PayPolicy {
        calendar: policy().calendar.with_extra([date("2030-01-01")]),
        ..policy()
    };
    let s = statement(&p, &rotas, &user("alice"), month("2030-01"), at(LATER));
    assert_eq!(s.overall.days(DayKind::BankHoliday).to_string(), "1.00");
    assert_eq!(s.uncovered_dates, all_january[1..]);
    // What a reply or report warns about: the span, across statements.
    assert_eq!(
        super::uncovered_span([&s]),
        Some((date("2030-01-02"), date("2030-01-31")))
    );
    assert_eq!(super::uncovered_span(std::iter::empty()), None);
    // An empty calendar (the fallback) warns about every date rather than guessing quietly.
    let p = PayPolicy {
        calendar: HolidayCalendar::empty(),
        ..policy()
    };
    let s = statement(&p, &rotas, &user("alice"), month("2030-01"), at(LATER));
    assert_eq!(s.uncovered_dates.len(), 31);
}

#[test]
fn a_slice_of_the_history_gives_the_same_statement_as_the_whole_history() {
    // Ten years of weekly handovers between four engineers; June 2025 from the whole history and
    // from just the last handover before June onwards.
    let names = ["alice", "bob", "carol", "dave"];
    let first = at("2016-01-04T09:00:00Z");
    let whole = ChannelRota {
        channel: ChannelId::parse("ops").unwrap(),
        handovers: (0..520)
            .map(|i| HandoverPoint {
                at: first + chrono::Duration::weeks(i),
                to: Some(user(names[i as usize % 4])),
            })
            .collect(),
    };
    let (start, _) = month("2025-06").bounds(London);
    let keep_from = whole.handovers.partition_point(|h| h.at <= start) - 1;
    let slice = ChannelRota {
        channel: whole.channel.clone(),
        handovers: whole.handovers[keep_from..].to_vec(),
    };
    for who in names {
        let a = statement(
            &policy(),
            std::slice::from_ref(&whole),
            &user(who),
            month("2025-06"),
            at(LATER),
        );
        let b = statement(
            &policy(),
            std::slice::from_ref(&slice),
            &user(who),
            month("2025-06"),
            at(LATER),
        );
        assert_eq!(a, b, "{who}");
        assert!(!a.overall.total_days().is_zero(), "{who}");
    }
}

#[test]
fn unconfigured_policy_is_gbp_saturday_and_sunday_and_england_and_wales() {
    let p = PayPolicy::unconfigured(London);
    assert_eq!(p.currency, Currency::gbp());
    assert_eq!(p.rates, None);
    assert_eq!(p.weekend_days, WeekendDays::saturday_and_sunday());
    assert_eq!(p.calendar.division(), "england-and-wales");
    // (date, kind)
    for (d, kind) in [
        ("2025-06-06", DayKind::Weekday), // Friday
        ("2025-06-07", DayKind::Weekend),
        ("2025-06-08", DayKind::Weekend),
        ("2025-08-25", DayKind::BankHoliday), // Summer bank holiday
    ] {
        assert_eq!(p.day_rule(date(d)).kind, kind, "{d}");
        assert!(p.day_rule(date(d)).calendar_known, "{d}");
    }
}

#[test]
fn a_month_starts_at_local_midnight_not_utc_midnight() {
    // 22:00-02:00 UTC across 30 June / 1 July 2025 is 23:00-03:00 BST: one hour of Monday 30 June
    // belongs to June, three hours of Tuesday 1 July to July.
    let rotas = [rota(
        "ops",
        &[
            ("2025-06-30T22:00:00Z", "alice"),
            ("2025-07-01T02:00:00Z", "bob"),
        ],
    )];
    // (month, exact weekday fraction, total: 50 × 1/24 = 2.0833…, 50 × 3/24 = 6.25)
    for (m, hours, total) in [("2025-06", 1, "£2.08"), ("2025-07", 3, "£6.25")] {
        let s = statement(&policy(), &rotas, &user("alice"), month(m), at(LATER));
        assert_eq!(
            s.overall.days(DayKind::Weekday).exact(),
            Fraction::new(hours, 24).unwrap(),
            "{m}"
        );
        assert_eq!(
            s.total.map(|t| t.to_string()).as_deref(),
            Some(total),
            "{m}"
        );
    }
}

#[test]
fn days_by_kind_are_shown_so_that_they_add_up_to_the_total_shown() {
    let third = Days::from_fraction(Fraction::new(1, 3).unwrap());
    // Each third alone shows as 0.33, three of them as 0.99 against a total of 1.00.
    let shown = super::shown_days(&[third, third, third]).map(|d| d.to_string());
    assert_eq!(shown, ["0.34", "0.33", "0.33"]);
    // Whole hundredths are never moved.
    let whole = [
        Days::from_hundredths(4120),
        Days::from_hundredths(1599),
        Days::ZERO,
    ];
    assert_eq!(super::shown_days(&whole), whole);
    // 41.195 and 15.985 days: alone 41.20 and 15.99 (57.19), against 57.18 in all.
    let half_ups = [
        Days::from_fraction(Fraction::new(41_195, 1000).unwrap()),
        Days::from_fraction(Fraction::new(15_985, 1000).unwrap()),
        Days::ZERO,
    ];
    let shown = super::shown_days(&half_ups).map(|d| d.to_string());
    assert_eq!(shown, ["41.20", "15.98", "0.00"]);
}

pub(super) fn shifts(
    policy: &PayPolicy,
    rotas: &[ChannelRota],
    user: &UserId,
    month: YearMonth,
    now: DateTime<Utc>,
) -> Vec<Shift> {
    let (s, shifts) = statement_and_shifts(policy, rotas, user, month, now);
    // The same statement as on its own.
    assert_eq!(s, statement(policy, rotas, user, month, now));
    shifts
}

/// (channel, from, until, ongoing), times as in the cases above.
fn shift_rows(shifts: &[Shift]) -> Vec<(String, DateTime<Utc>, DateTime<Utc>, bool)> {
    shifts
        .iter()
        .map(|s| (s.channel.to_string(), s.from, s.until, s.ongoing))
        .collect()
}

#[test]
fn shifts_are_the_handovers_to_an_engineer_cut_to_the_month_earliest_first() {
    let rotas = [
        rota(
            "C2",
            &[
                ("2025-05-26T09:00:00+01:00", "alice"),
                ("2025-06-03T09:00:00+01:00", "bob"),
                ("2025-06-10T09:00:00+01:00", "alice"),
                // Nobody between: the two are one shift (a handover undone in between, say).
                ("2025-06-12T09:00:00+01:00", "alice"),
                ("2025-06-14T09:00:00+01:00", ""),
                ("2025-06-20T09:00:00+01:00", "bob"),
            ],
        ),
        rota(
            "C1",
            &[
                ("2025-06-03T09:00:00+01:00", "alice"),
                ("2025-06-28T18:00:00+01:00", "alice"),
            ],
        ),
    ];
    let june = shifts(
        &policy(),
        &rotas,
        &user("alice"),
        month("2025-06"),
        at(LATER),
    );
    assert_eq!(
        shift_rows(&june),
        vec![
            // In force when June began: from the month's start, not the handover in May.
            (
                "C2".into(),
                at("2025-06-01T00:00:00+01:00"),
                at("2025-06-03T09:00:00+01:00"),
                false
            ),
            // Same start: by channel id.
            (
                "C1".into(),
                at("2025-06-03T09:00:00+01:00"),
                at("2025-07-01T00:00:00+01:00"),
                false
            ),
            // Ended by `/handover end`, and not taken up again on the 20th (bob's).
            (
                "C2".into(),
                at("2025-06-10T09:00:00+01:00"),
                at("2025-06-14T09:00:00+01:00"),
                false
            ),
        ]
    );
    // The first began in May, which its line says; the others began where they start.
    let began: Vec<DateTime<Utc>> = june.iter().map(|s| s.began).collect();
    assert_eq!(
        began,
        [
            at("2025-05-26T09:00:00+01:00"),
            at("2025-06-03T09:00:00+01:00"),
            at("2025-06-10T09:00:00+01:00"),
        ]
    );
    assert_eq!(
        shifts(&policy(), &rotas, &user("bob"), month("2025-06"), at(LATER)).len(),
        2
    );
    assert!(shifts(
        &policy(),
        &rotas,
        &user("carol"),
        month("2025-06"),
        at(LATER)
    )
    .is_empty());
}

#[test]
fn a_handover_to_someone_else_between_two_to_the_same_engineer_keeps_their_shifts_two() {
    let rotas = [rota(
        "C1",
        &[
            ("2025-06-02T09:00:00+01:00", "alice"),
            // Bob's shift lasts no time (recorded in the same second as the next handover):
            // still a handover between alice's two.
            ("2025-06-09T09:00:00+01:00", "bob"),
            ("2025-06-09T09:00:00+01:00", "alice"),
            ("2025-06-16T09:00:00+01:00", "carol"),
        ],
    )];
    let june = shifts(
        &policy(),
        &rotas,
        &user("alice"),
        month("2025-06"),
        at(LATER),
    );
    assert_eq!(
        shift_rows(&june),
        vec![
            (
                "C1".into(),
                at("2025-06-02T09:00:00+01:00"),
                at("2025-06-09T09:00:00+01:00"),
                false
            ),
            (
                "C1".into(),
                at("2025-06-09T09:00:00+01:00"),
                at("2025-06-16T09:00:00+01:00"),
                false
            ),
        ]
    );
}

#[test]
fn a_shift_in_a_month_not_over_runs_to_now_and_a_month_over_ends_it_at_the_month_end() {
    // Handed over during the hour the clocks go back, and still on call at the second 01:30.
    let rotas = [rota("C1", &[("2026-10-25T01:30:00+01:00", "alice")])];
    let now = at("2026-10-25T01:30:00Z");
    let to_date = shifts(&policy(), &rotas, &user("alice"), month("2026-10"), now);
    assert_eq!(
        shift_rows(&to_date),
        vec![("C1".into(), at("2026-10-25T01:30:00+01:00"), now, true)]
    );
    let over = shifts(
        &policy(),
        &rotas,
        &user("alice"),
        month("2026-10"),
        at("2026-11-02T00:00:00Z"),
    );
    assert_eq!(
        shift_rows(&over),
        vec![(
            "C1".into(),
            at("2026-10-25T01:30:00+01:00"),
            at("2026-11-01T00:00:00Z"),
            false
        )]
    );
    // Ended by a handover this very second: over, not going on "to now".
    let handed_on = [rota(
        "C1",
        &[
            ("2026-10-20T09:00:00+01:00", "alice"),
            ("2026-10-25T01:30:00Z", "bob"),
        ],
    )];
    let just_ended = shifts(&policy(), &handed_on, &user("alice"), month("2026-10"), now);
    assert_eq!(
        shift_rows(&just_ended),
        vec![("C1".into(), at("2026-10-20T09:00:00+01:00"), now, false)]
    );
    // The spring change: a shift across the missing hour ends where the next handover is.
    let spring = [rota(
        "C1",
        &[
            ("2026-03-29T00:30:00Z", "alice"),
            ("2026-03-29T03:30:00+01:00", "bob"),
        ],
    )];
    let march = shifts(
        &policy(),
        &spring,
        &user("alice"),
        month("2026-03"),
        at(LATER),
    );
    assert_eq!(
        shift_rows(&march),
        vec![(
            "C1".into(),
            at("2026-03-29T00:30:00Z"),
            at("2026-03-29T03:30:00+01:00"),
            false
        )]
    );
}

/// In every case above, an engineer's shifts lie inside the month and their seconds are exactly
/// the seconds the statement pays for (`props` checks it over random handovers too).
#[test]
fn the_shifts_add_up_to_the_days_the_statement_pays_in_the_cases_above() {
    for case in cases() {
        for (who, _, _) in &case.expect {
            let u = user(who);
            let m = month(case.month);
            let s = statement(&case.policy, &case.rotas, &u, m, at(LATER));
            let shifts = shifts(&case.policy, &case.rotas, &u, m, at(LATER));
            let (start, end) = m.bounds(case.policy.timezone);
            let seconds: i64 = shifts
                .iter()
                .map(|s| {
                    assert!(start <= s.from && s.until <= end, "{}: {s:?}", case.name);
                    s.until.timestamp() - s.from.timestamp()
                })
                .sum();
            let day_seconds =
                accrue::accrue(&case.policy, &case.rotas, start, end, at(LATER), Some(&u))
                    .get(&u)
                    .map(|p| p.channels.values().map(|t| t.seconds()).sum::<i64>())
                    .unwrap_or(0);
            assert_eq!(seconds, day_seconds, "{} ({who})", case.name);
            assert_eq!(
                shifts.is_empty(),
                s.channels.is_empty(),
                "{} ({who})",
                case.name
            );
        }
    }
}
