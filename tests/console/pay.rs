//! Pay through the console and `baton pay-report`, checked against figures computed by hand.

use super::{replies, Workspace};
use std::process::Command;

const CONFIG: &str = r#"
timezone = "Europe/London"
[pay]
currency = "GBP"
weekday = "50.00"
weekend = "75.00"
bank_holiday = "100.00"
extra_holidays = ["2025-03-14"]
"#;

/// March 2025 in two channels, with a backdated handover and an undone one:
///
/// ops: bob from Mon 3 Mar 09:00 (backdated) · carol from Mon 10 09:00, undone five minutes later ·
///      carol from Tue 11 09:00 · bob from Mon 24 09:00 to the end of the month.
/// web: carol from Fri 28 12:00 (backdated) to the end of the month.
const MARCH: [&str; 14] = [
    ":now 2025-03-05 12:00",
    "/handover @bob at 2025-03-03 09:00 started Monday",
    ":now 2025-03-10 09:00",
    "/handover @carol",
    ":now 2025-03-10 09:05",
    "/handover undo",
    ":now 2025-03-11 09:00",
    "/handover @carol",
    ":now 2025-03-24 09:00",
    "/handover @bob",
    ":channel web",
    ":now 2025-03-28 18:00",
    "/handover @carol at 2025-03-28 12:00",
    ":now 2025-04-02 09:00",
];

fn march() -> Workspace {
    march_with(CONFIG)
}

fn march_with(config: &str) -> Workspace {
    let ws = Workspace::with_config(config);
    let out = ws.run(&MARCH);
    assert_eq!(
        out.matches("[public in #").count(),
        6,
        "every step was accepted: {out}"
    );
    ws
}

#[test]
fn the_payroll_csv_matches_the_figures_worked_by_hand() {
    let ws = march();
    // bob, ops: weekdays 0.625 (Mon 3, from 09:00) + 4 + 1 (Mon 10) + 0.375 (Tue 11, to 09:00)
    //   + 0.625 (Mon 24) + 4 + 1 (Mon 31) = 11.625 -> "11.63"; weekends 8-9 and 29-30 (Sun 30 is
    //   the 23-hour clock-change day, a whole day all the same) = 4; 11.625 x 50 + 4 x 75 = 881.25.
    // carol, ops: Tue 11 from 09:00 0.625 + Wed 12, Thu 13 + Mon 17-Fri 21 + Mon 24 to 09:00 0.375
    //   = 8 weekdays; Fri 14 is the company holiday; weekends 15-16, 22-23 = 4;
    //   400 + 100 + 300 = 800.00. The undone handover on Mon 10 counts for nothing.
    // carol, web: Fri 28 from 12:00 0.5 + Mon 31 = 1.5 weekdays, 29-30 = 2 weekend days;
    //   75 + 150 = 225.00.
    let expected = "\
user_id,user_name,channel_id,weekday_days,weekend_days,bank_holiday_days,amount,currency,channel_name
bob,bob,ops,11.63,4.00,0.00,881.25,GBP,ops
carol,carol,ops,8.00,4.00,1.00,800.00,GBP,ops
carol,carol,web,1.50,2.00,0.00,225.00,GBP,web
";
    let out = ws.report(&["--month", "2025-03"]);
    assert_eq!(out, expected);

    let out = ws.report(&["--month", "2025-03", "--channel", "web"]);
    assert_eq!(
        out.lines().skip(1).collect::<Vec<_>>(),
        ["carol,carol,web,1.50,2.00,0.00,225.00,GBP,web"]
    );
}

#[test]
fn a_rate_change_prices_the_months_from_it_and_leaves_earlier_months_as_they_were() {
    // The weekend rate rises to £90 from April: March must still export exactly as above.
    let ws = march_with(&format!(
        "{CONFIG}\n[[pay.rate_change]]\nfrom = \"2025-04\"\nweekend = \"90.00\"\n"
    ));
    let march = ws.report(&["--month", "2025-03"]);
    assert!(
        march.contains("\nbob,bob,ops,11.63,4.00,0.00,881.25,GBP,ops\n"),
        "{march}"
    );
    assert!(
        march.contains("\ncarol,carol,web,1.50,2.00,0.00,225.00,GBP,web\n"),
        "{march}"
    );
    // Nobody hands over after March, so bob (ops) and carol (web) hold all of April: 20
    // weekdays at £50, 8 weekend days at the new £90, Good Friday and Easter Monday at £100:
    // 1,000 + 720 + 200 = £1,920.00 each.
    let april = ws.report(&["--month", "2025-04"]);
    assert_eq!(
        april.lines().skip(1).collect::<Vec<_>>(),
        [
            "bob,bob,ops,20.00,8.00,2.00,1920.00,GBP,ops",
            "carol,carol,web,20.00,8.00,2.00,1920.00,GBP,web"
        ]
    );
    let table = ws.report(&["--month", "2025-04", "--format", "table"]);
    assert!(
        table.contains(
            "Rates per full day on call in April 2025: £50.00 weekday, £90.00 weekend, £100.00 \
             bank holiday. Part days are paid pro rata to the second: amounts come from the exact \
             time on call, and days are shown rounded to two decimals, so days × rate can differ \
             a little from the amount."
        ),
        "{table}"
    );
    // Each engineer's answer names the month's rates, and agrees with the export.
    let out = ws.run(&[
        ":now 2025-05-01 09:00",
        ":as bob",
        "/oncall-pay me 2025-03",
        "/oncall-pay me 2025-04",
    ]);
    let r = replies(&out);
    assert!(r[2].contains("Total: *£881.25*"), "{out}");
    assert!(
        r[2].contains("in March 2025: £50.00 weekday, £75.00 weekend"),
        "{out}"
    );
    assert!(r[3].contains("Total: *£1,920.00*"), "{out}");
    assert!(
        r[3].contains("in April 2025: £50.00 weekday, £90.00 weekend"),
        "{out}"
    );
}

#[test]
fn a_payroll_cut_off_accrues_to_its_local_time_on_any_day_and_refuses_one_that_is_unclear() {
    let ws = march();
    // Thu 20 Mar 17:00. bob: Mon 3 from 09:00 to Tue 11 09:00 = 6 weekdays and the weekend of
    // 8-9: 300 + 150 = 450.00. carol: Tue 11 from 09:00 (0.625), Wed 12, Thu 13, Mon 17 to Wed 19,
    // Thu 20 to 17:00 (17/24) = 6.333… weekdays, Fri 14 the company holiday, 15-16 a weekend:
    // 316.67 + 100 + 150 = 566.67. web starts after the cut-off.
    let csv = ws.report(&["--month", "2025-03", "--until", "2025-03-20 17:00"]);
    assert_eq!(
        csv.lines().skip(1).collect::<Vec<_>>(),
        [
            "bob,bob,ops,6.00,2.00,0.00,450.00,GBP,ops",
            "carol,carol,ops,6.33,2.00,1.00,566.67,GBP,ops"
        ]
    );
    let table = ws.report(&[
        "--month",
        "2025-03",
        "--until",
        "2025-03-20 17:00",
        "--format",
        "table",
    ]);
    assert!(
        table.starts_with("On-call pay for March 2025 (until Thu 20 Mar, 17:00)\n"),
        "{table}"
    );
    // The same cut-off with am or pm, as people write it, or with ISO 8601's `T`, as
    // `/handover … at` takes it.
    for until in [
        "2025-03-20 5:00 pm",
        "2025-03-20 5pm",
        "2025-03-20 5:00 PM GMT",
        "2025-03-20T17:00",
        "2025-03-20t17:00",
        "2025-03-20T17:00 GMT",
    ] {
        assert_eq!(
            ws.report(&["--month", "2025-03", "--until", until]),
            csv,
            "{until}"
        );
    }
    // 02:30 BST on the 23-hour Sunday is 01:30 UTC: 5,400 s of its 82,800 are on call.
    // carol in web: Fri 28 from 12:00 (0.5 × 50) + Sat 29 + 5400/82800 of Sun 30 at 75 = 104.89.
    let csv = ws.report(&["--month", "2025-03", "--until", "2025-03-30 02:30"]);
    assert!(
        csv.contains("\ncarol,carol,web,0.50,1.07,0.00,104.89,GBP,web\n"),
        "{csv}"
    );
    // After the month, the whole month.
    let csv = ws.report(&["--month", "2025-03", "--until", "2025-10-26 01:30 GMT"]);
    assert!(
        csv.contains("\nbob,bob,ops,11.63,4.00,0.00,881.25,GBP,ops\n"),
        "{csv}"
    );
    // (cut-off, what is wrong with it)
    for (until, expected) in [
        ("2025-03-30 01:30", "does not exist in Europe/London"),
        (
            "2025-10-26 01:30",
            "happens twice in Europe/London, the clocks going back over it: add the zone, `BST` \
             for the first or `GMT` for the second",
        ),
        ("2099-01-01 00:00", "has not come yet"),
        ("2025-02-28 23:59", "is before March 2025 starts"),
        ("tomorrow", "write the cut-off as \"YYYY-MM-DD HH:MM\""),
        (
            "2025-03-20 13:00 pm",
            "with am or pm, give an hour from 1 to 12",
        ),
        ("2025-03-20 17:3", "give the minutes as two digits"),
        ("2025-03-20 5:00 pm GMT extra", "write the cut-off as"),
    ] {
        let config = ws.path().join("baton.toml");
        let stderr = report_fails(
            &ws,
            &ws.db(),
            &[
                "--month",
                "2025-03",
                "--until",
                until,
                "--config",
                config.to_str().unwrap_or_default(),
            ],
        );
        assert!(stderr.contains(expected), "{until}: {stderr}");
    }
}

#[test]
fn the_report_table_totals_each_engineer_and_the_team() {
    let ws = march();
    let out = ws.report(&["--month", "2025-03", "--format", "table"]);
    assert!(out.starts_with("On-call pay for March 2025\n"), "{out}");
    assert!(!out.contains("to date"), "March is over: {out}");
    assert!(out.contains("£881.25"), "{out}");
    assert!(
        out.contains("all channels") && out.contains("£1,025.00"),
        "carol's total: {out}"
    );
    assert!(out.contains("Team total: £1,906.25"), "{out}");

    let path = ws.path().join("march.csv");
    ws.report(&[
        "--month",
        "2025-03",
        "--output",
        path.to_str().unwrap_or_default(),
    ]);
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        written,
        ws.report(&["--month", "2025-03"]),
        "the file is the CSV, whole"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o600), "payroll data is for its owner only");
    }
}

#[test]
fn a_report_that_cannot_be_written_names_the_file_and_leaves_nothing_behind() {
    let ws = march();
    let folder = ws.path().join("reports");
    std::fs::create_dir(&folder).expect("create a folder");
    // The output is an existing folder: the rename onto it fails after the data was written.
    let err = report_fails(
        &ws,
        &ws.db(),
        &[
            "--month",
            "2025-03",
            "--output",
            folder.to_str().unwrap_or_default(),
        ],
    );
    assert!(
        err.contains(&format!("cannot write {}", folder.display())),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(ws.path())
        .expect("list the workspace")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("partial") || name.starts_with(".baton-report"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    // Into a directory that does not exist: said so, without the temporary file's name.
    let nowhere = ws.path().join("no-such-dir").join("march.csv");
    let err = report_fails(
        &ws,
        &ws.db(),
        &[
            "--month",
            "2025-03",
            "--output",
            nowhere.to_str().unwrap_or_default(),
        ],
    );
    assert!(
        err.contains(&format!(
            "cannot write {}: its directory does not exist",
            nowhere.display()
        )),
        "{err}"
    );
    assert!(!err.contains(".baton-report"), "{err}");
}

/// A symbolic link is written through to its file, and a pipe gets the whole report: neither
/// is replaced by a file of its own (a `latest.csv` link into a shared drive left stale, a
/// process substitution's reader left with nothing, a device replaced when run as root).
#[cfg(unix)]
#[test]
fn a_report_written_to_a_link_or_a_pipe_reaches_what_it_names() {
    let ws = march();
    let csv = ws.report(&["--month", "2025-03"]);
    let shared = ws.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let target = shared.join("payroll.csv");
    std::fs::write(&target, "last month's\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = ws.path().join("latest.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    ws.report(&["--month", "2025-03", "--output", "latest.csv"]);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), csv);
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    // Shared as its owner set it: a file replaced keeps its permissions.
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // A link that loops is refused, and stays a link.
    let (l1, l2) = (ws.path().join("l1.csv"), ws.path().join("l2.csv"));
    std::os::unix::fs::symlink(&l2, &l1).unwrap();
    std::os::unix::fs::symlink(&l1, &l2).unwrap();
    let err = report_fails(&ws, &ws.db(), &["--month", "2025-03", "--output", "l1.csv"]);
    assert!(err.contains("which cannot be followed"), "{err}");
    assert!(l1.symlink_metadata().unwrap().file_type().is_symlink());
    // A link to nothing is refused, and nothing is created.
    let dangling = ws.path().join("dangling.csv");
    std::os::unix::fs::symlink(shared.join("gone.csv"), &dangling).unwrap();
    let err = report_fails(
        &ws,
        &ws.db(),
        &["--month", "2025-03", "--output", "dangling.csv"],
    );
    assert!(
        err.contains("cannot write dangling.csv: it is a symbolic link to "),
        "{err}"
    );
    assert!(err.contains("gone.csv, which does not exist"), "{err}");
    assert!(dangling
        .symlink_metadata()
        .unwrap()
        .file_type()
        .is_symlink());

    let fifo = ws.path().join("to-gpg");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo))
    };
    ws.report(&["--month", "2025-03", "--output", "to-gpg"]);
    // Before waiting on the reader, which waits for ever on a pipe nobody wrote.
    use std::os::unix::fs::FileTypeExt;
    assert!(fifo.symlink_metadata().unwrap().file_type().is_fifo());
    assert_eq!(reader.join().unwrap().unwrap(), csv);

    // `/dev/stdout` (a link to `/proc/self/fd/1`, which names a pipe here, not a file) is written
    // to as it is; and when the shell opened it with `>>`, appended to, not replaced.
    let piped = ws.report(&["--month", "2025-03", "--output", "/dev/stdout"]);
    assert_eq!(piped, csv);
    let log = ws.path().join("log.csv");
    std::fs::write(&log, "earlier\n").unwrap();
    let config = ws.config.as_ref().expect("a config");
    let appended = Command::new("bash")
        .arg("-c")
        .arg("\"$0\" pay-report --month 2025-03 --config \"$1\" --output /dev/stdout >> \"$2\"")
        .arg(env!("CARGO_BIN_EXE_baton"))
        .arg(config)
        .arg(&log)
        .env("DATABASE_URL", ws.db())
        .status()
        .expect("bash");
    assert!(appended.success());
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        format!("earlier\n{csv}")
    );
}

#[test]
fn the_report_table_of_a_month_not_over_says_when_its_figures_are_to() {
    let ws = march();
    // The month as the report reads it, in the config's zone (Europe/London).
    let this_month = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::London)
        .format("%Y-%m")
        .to_string();
    let table = ws.report(&["--month", &this_month, "--format", "table"]);
    let heading = table.lines().next().unwrap_or_default();
    // "On-call pay for November 2026 (to date, Thu 26 Nov, 22:12)": the figures grow by the
    // second, so the heading says as of when.
    assert!(heading.contains(" (to date, "), "{heading}");
    assert!(heading.ends_with(')') && heading.contains(':'), "{heading}");
}

#[test]
fn pay_on_dates_the_holiday_calendar_does_not_cover_is_flagged_in_the_reply_table_and_log() {
    // The built-in calendar covers 2012 to 2028.
    let ws = Workspace::with_config(CONFIG);
    let out = ws.run(&[
        ":now 2011-06-06 09:00",
        "/handover @bob",
        ":now 2011-07-04 09:00",
        ":as bob",
        "/oncall-pay me 2011-06",
    ]);
    let r = replies(&out);
    assert!(
        r[4].contains(
            ":warning: The bank-holiday calendar does not cover 2011-06-06 to 2011-06-30"
        ),
        "{out}"
    );
    let (table, log) = ws.report_and_log(&["--month", "2011-06", "--format", "table"]);
    assert!(
        table
            .contains("Warning: the bank-holiday calendar does not cover 2011-06-06 to 2011-06-30"),
        "{table}"
    );
    // The table says it on stdout; the CSV cannot, so stderr does, whatever RUST_LOG says.
    assert!(!log.contains("does not cover"), "{log}");
    let (csv, told) = ws.report_with_log_filter(&["--month", "2011-06"], Some("error"));
    assert!(
        told.contains("Warning: the bank-holiday calendar does not cover 2011-06-06 to 2011-06-30"),
        "{told}"
    );
    assert!(!csv.contains("does not cover"), "{csv}");
    // Both say what to do about it.
    for said in [&table, &told] {
        assert!(
            said.contains("Point `holidays` under [pay] at a bank-holidays.json (GOV.UK"),
            "{said}"
        );
    }
    // A month it covers says nothing of the kind.
    let (table, log) = ws.report_and_log(&["--month", "2025-06", "--format", "table"]);
    assert!(
        !table.contains("does not cover") && !log.contains("does not cover"),
        "{table}{log}"
    );
}

#[test]
fn last_month_is_the_local_calendars_month_before_now() {
    let ws = march();
    // 00:30 BST on 1 April is still 31 March in UTC: "last month" is March, by local time.
    let out = ws.run(&[
        ":now 2025-04-01 00:30",
        ":as carol",
        "/oncall-pay me last month",
        "/oncall-pay last",
        "/oncall-pay me 2025-03",
    ]);
    let r = replies(&out);
    assert!(
        r[2].starts_with("[private to carol] *Your on-call pay for March 2025*"),
        "{out}"
    );
    assert!(r[2].contains("Total: *£1,025.00*"), "{out}");
    assert_eq!(r[2], r[3], "{out}");
    assert_eq!(r[2], r[4], "{out}");
}

#[test]
fn last_month_after_a_month_that_ends_on_a_clock_change_day_is_that_month() {
    let ws = Workspace::with_config(CONFIG);
    // (now, the month `last` means): each just after a month whose last day was a change day.
    for (now, month) in [
        ("2024-04-01 00:30", "March 2024"),
        ("2021-11-01 00:30", "October 2021"),
    ] {
        let out = ws.run(&[&format!(":now {now}"), "/oncall-pay last"]);
        let r = replies(&out);
        assert!(
            r[1].starts_with(&format!(
                "[private to alice] *Your on-call pay for {month}*"
            )),
            "{now}: {out}"
        );
    }
}

#[test]
fn oncall_pay_me_answers_privately_with_the_same_figures_as_payroll() {
    let ws = march();
    let out = ws.run(&[
        ":now 2025-04-02 09:00",
        ":as carol",
        "/oncall-pay me 2025-03",
        "/oncall-pay @bob 2025-03",
    ]);
    let r = replies(&out);
    let mine = &r[2];
    assert!(
        mine.starts_with("[private to carol] *Your on-call pay for March 2025*"),
        "{out}"
    );
    assert!(
        mine.contains(
            "Total: *£1,025.00* for 16.50 days on call across 2 channels (each channel's rota \
             counted in full)"
        ),
        "{out}"
    );
    assert!(mine.contains("*Weekdays*: 9.50 days — £475.00"), "{out}");
    assert!(mine.contains("*Weekends*: 6.00 days — £450.00"), "{out}");
    assert!(
        mine.contains("*Bank holidays*: 1.00 days — £100.00"),
        "{out}"
    );
    assert!(
        mine.contains("#ops: £800.00") && mine.contains("#web: £225.00"),
        "{out}"
    );
    // Each channel's days by kind, named.
    assert!(
        mine.contains("• #ops: £800.00 (8.00 weekday, 4.00 weekend, 1.00 bank holiday days)"),
        "{out}"
    );
    assert!(
        r[3].starts_with("[private to carol] Pay is private"),
        "{out}"
    );
}

#[test]
fn anyone_may_ask_for_their_own_pay_by_mention() {
    let ws = march();
    let out = ws.run(&[
        ":now 2025-04-02 09:00",
        ":as carol",
        "/oncall-pay me 2025-03",
        "/oncall-pay @carol 2025-03",
    ]);
    let r = replies(&out);
    let (mine, by_mention) = (&r[2], &r[3]);
    assert!(mine.contains("Total: *£1,025.00*"), "{out}");
    // The same figures, under a title with her name rather than "Your".
    assert_eq!(
        mine.split_once('\n').map(|(_, rest)| rest),
        by_mention.split_once('\n').map(|(_, rest)| rest),
        "{out}"
    );
}

#[test]
fn this_months_pay_is_accrued_to_now_and_says_so() {
    let ws = Workspace::with_config(CONFIG);
    let out = ws.run(&[
        ":now 2025-03-03 10:00",
        "/handover @bob",
        ":now 2025-03-05 22:00",
        ":as bob",
        "/oncall-pay",
    ]);
    // Mon 3 from 10:00 (14/24) + Tue 4 + Wed 5 to 22:00 (22/24) = 2.5 days x £50.
    assert!(
        out.contains("*Your on-call pay for March 2025 (to date, Wed 5 Mar, 22:00)*"),
        "{out}"
    );
    assert!(
        out.contains("Total: *£125.00* for 2.50 days on call"),
        "{out}"
    );
}

#[test]
fn a_pay_answer_lists_the_shifts_it_is_paid_for_so_they_can_be_checked() {
    let ws = Workspace::with_config(CONFIG);
    let out = ws.run(&[
        ":now 2026-09-28 09:00",
        "/handover @bob",
        ":now 2026-10-08 09:00",
        "/handover @carol",
        ":now 2026-10-20 10:00",
        "/handover @bob",
        // In the hour the clocks go back: its times are shown with their zone.
        ":now 2026-10-25 01:15 BST",
        "/handover @dave",
        ":now 2026-10-25 01:30 GMT",
        ":as bob",
        "/oncall-pay me",
        ":as dave",
        "/oncall-pay me",
        ":now 2026-11-02 09:00",
        "/oncall-pay me 2026-10",
    ]);
    let pay: Vec<String> = replies(&out)
        .into_iter()
        .filter(|r| r.starts_with("[private to"))
        .collect();
    let [bob, dave, dave_over] = pay.as_slice() else {
        panic!("{out}");
    };
    assert!(
        bob.contains(
            "*Shifts*\n\
             • #ops: the start of October 2026 (on call since Mon 28 Sep, 09:00) to Thu 8 Oct, \
             09:00\n\
             • #ops: Tue 20 Oct, 10:00 to Sun 25 Oct, 01:15 BST\n"
        ),
        "{out}"
    );
    assert!(
        dave.contains("*Shifts*\n• #ops: Sun 25 Oct, 01:15 BST to now\n"),
        "{out}"
    );
    assert!(
        dave_over.contains("*Shifts*\n• #ops: Sun 25 Oct, 01:15 BST to the end of October 2026\n"),
        "{out}"
    );
}

#[test]
fn a_csv_warns_when_its_figures_are_to_date_to_a_cut_off_or_for_nobody() {
    let ws = march();
    // pay-report reads the real clock. (Within a second of a month's end this could read the
    // next month; the check below is then for the wrong one.)
    let this_month = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::London)
        .format("%Y-%m")
        .to_string();
    let (_, log) = ws.report_and_log(&["--month", &this_month]);
    assert!(log.contains("this month is not over"), "{log}");
    let (csv, log) = ws.report_and_log(&["--month", "2199-12"]);
    assert!(log.contains("December 2199 has not started"), "{log}");
    // Nobody is on call in a month not started in any database: not a hint to check which.
    assert!(!log.contains("nobody was on call"), "{log}");
    let (_, log) = ws.report_and_log(&["--month", "2199-12", "--channel", "C0NOBODY1"]);
    assert!(!log.contains("nobody was on call"), "{log}");
    assert!(csv.starts_with("user_id,"), "{csv}");
    let (csv, log) = ws.report_and_log(&["--month", "2025-03"]);
    assert!(
        !log.contains("not over") && !log.contains("not started"),
        "{log}"
    );
    assert!(!log.contains("nobody was on call"), "{log}");
    assert!(csv.starts_with("user_id,"), "{csv}");
    // Once saved, a cut-off CSV looks like a whole month: the log says it is not.
    let (_, cut_off) = ws.report_and_log(&["--month", "2025-03", "--until", "2025-03-20 17:00"]);
    assert!(
        cut_off.contains("accrued to the --until cut-off, not the whole month"),
        "{cut_off}"
    );
    // A month over with nobody on call, most likely another database than the bot's.
    let (empty, nobody) = ws.report_and_log(&["--month", "2025-01"]);
    assert_eq!(empty.lines().count(), 1, "{empty}");
    assert!(
        nobody.contains("nobody was on call in this month in this database"),
        "{nobody}"
    );
    // The CSV holds no rates: the log says which config, and which rates, it was paid by.
    let config = std::fs::canonicalize(ws.config.as_ref().expect("a config")).unwrap();
    assert!(
        log.contains(&format!(
            "Month: March 2025. Config: {}. Rates per full day on call in March 2025: £50.00 \
             weekday, £75.00 weekend, £100.00 bank holiday.",
            config.display()
        )),
        "{log}"
    );
}

#[test]
fn a_report_of_a_month_not_over_gives_the_until_that_exports_the_same_figures_again() {
    // Bob and Carol have been on call since March 2025: this month accrues to now.
    let ws = march();
    let this_month = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::London)
        .format("%Y-%m")
        .to_string();
    let (csv, log) = ws.report_and_log(&["--month", &this_month]);
    assert!(csv.lines().count() > 1, "{csv}");
    let until = log
        .split("pass --until \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no --until in: {log}"));
    let (again, _) = ws.report_and_log(&["--month", &this_month, "--until", until]);
    assert_eq!(again, csv, "--until {until}");
    let name = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::London)
        .format("%B %Y")
        .to_string();
    assert!(log.starts_with(&format!("Month: {name}. ")), "{log}");
}

#[test]
fn a_report_of_a_month_over_warns_when_its_handovers_were_changed_after_it_ended() {
    let ws = Workspace::with_config(CONFIG);
    let out = ws.run(&[
        ":now 2026-09-28 09:00",
        ":channel web",
        "/handover @erin",
        ":channel ops",
        "/handover @bob",
        ":now 2026-10-20 09:00",
        "/handover @carol",
        ":now 2026-11-01 00:00",
        "/handover @dave",
    ]);
    assert_eq!(out.matches("[public in #").count(), 4, "{out}");
    // Handed over as the month ended: no change to October.
    let (before, log) = ws.report_and_log(&["--month", "2026-10"]);
    assert!(!log.contains("after October 2026 ended"), "{log}");
    assert!(log.starts_with("Month: October 2026. Config: "), "{log}");
    // On 2 November an admin records that Dave took over on 25 October, not on the 1st.
    let out = ws.run(&[
        ":now 2026-11-02 10:00",
        "/handover undo @dave",
        ":now 2026-11-02 10:05",
        "/handover @dave at 2026-10-25 12:00",
    ]);
    assert_eq!(out.matches("[public in #ops]").count(), 2, "{out}");
    let (after, log) = ws.report_and_log(&["--month", "2026-10"]);
    assert_ne!(after, before);
    // The undo changed nothing in October (Dave's shift from the 1st was November's); the
    // backdate did.
    let warning = "Warning: a handover in #ops was recorded or undone after October 2026 ended";
    assert!(
        log.contains(&format!(
            "{warning}, the latest at 2026-11-02 10:05 GMT by alice (`/handover history` there \
             lists them): an export of October 2026 made before then may differ from this one."
        )),
        "{log}"
    );
    // Undone as well, the backdate is still one handover changed, the latest change the undo.
    ws.run(&[":now 2026-11-02 10:07", "/handover undo @dave"]);
    let (_, log) = ws.report_and_log(&["--month", "2026-10"]);
    assert!(
        log.contains(&format!("{warning}, the latest at 2026-11-02 10:07 GMT")),
        "{log}"
    );
    // Not said of a channel whose handovers did not change, nor of September.
    let (_, log) = ws.report_and_log(&["--month", "2026-10", "--channel", "web"]);
    assert!(!log.contains("ended, the latest"), "{log}");
    let (_, log) = ws.report_and_log(&["--month", "2026-09", "--format", "table"]);
    assert!(!log.contains("ended, the latest"), "{log}");
}

#[test]
fn a_reports_caveats_are_told_on_stderr_even_when_rust_log_shows_only_errors() {
    let ws = march();
    let this_month = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::London)
        .format("%Y-%m")
        .to_string();
    // (arguments, what stderr must say)
    let cases: [(&[&str], &str); 4] = [
        (
            &["--month", &this_month],
            "Warning: this month is not over: the CSV's figures are accrued to now",
        ),
        (
            &["--month", "2025-03", "--until", "2025-03-20 17:00"],
            "Warning: the CSV's figures are accrued to the --until cut-off, not the whole month: \
             to 2025-03-20 17:00 GMT",
        ),
        (
            &["--month", "2025-01"],
            "Warning: nobody was on call in this month in this database (",
        ),
        (
            &["--month", "2025-01", "--channel", "C0NOBODY1"],
            "Warning: nobody was on call in this channel (C0NOBODY1) in January 2025",
        ),
    ];
    for (args, told) in cases {
        let (csv, stderr) = ws.report_with_log_filter(args, Some("error"));
        assert!(stderr.contains(told), "{args:?}: {stderr}");
        // stdout is the CSV alone.
        assert!(csv.starts_with("user_id,"), "{args:?}: {csv}");
        assert!(!csv.contains("Warning"), "{args:?}: {csv}");
    }
    // A config's caveat, too, and the console's on DATABASE_URL.
    let gmt = Workspace::with_config("timezone = \"GMT\"\n");
    gmt.run(&[":now 2025-03-03 09:00", "/handover @bob"]);
    let (_, stderr) =
        gmt.report_with_log_filter(&["--month", "2025-03", "--format", "table"], Some("error"));
    assert!(
        stderr.contains("Warning: timezone `GMT` never changes its clocks"),
        "{stderr}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_baton"))
        .arg("console")
        .env("DATABASE_URL", gmt.db())
        .env("RUST_LOG", "error")
        .env_remove("BATON_CONFIG")
        .current_dir(gmt.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run baton console");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Warning: the console is on DATABASE_URL's database"),
        "{stderr}"
    );
}

#[test]
fn the_report_takes_last_and_this_for_a_month_as_oncall_pay_does() {
    let ws = march();
    let now = chrono::Utc::now().with_timezone(&chrono_tz::Europe::London);
    let this_month = now.format("%Y-%m").to_string();
    let first = chrono::NaiveDate::parse_from_str(&format!("{this_month}-01"), "%Y-%m-%d")
        .expect("the first of this month");
    let last_month = (first - chrono::Duration::days(1))
        .format("%Y-%m")
        .to_string();
    // (as typed, the same month as YYYY-MM). Within a second of a month's end this could read
    // the next month for one and not the other.
    for (typed, month) in [
        ("last", &last_month),
        ("last month", &last_month),
        ("Last", &last_month),
        ("this", &this_month),
    ] {
        let table = |m: &str| {
            let out = ws.report(&["--month", m, "--format", "table"]);
            out.lines().next().unwrap_or_default().to_owned()
        };
        let (asked, given) = (table(typed), table(month));
        // "On-call pay for March 2026": the same month, whatever its "to date" time says.
        let heading = |h: &str| h.split(" (").next().unwrap_or_default().to_owned();
        assert_eq!(heading(&asked), heading(&given), "{typed}");
        assert_eq!(
            ws.report(&["--month", typed]).lines().count(),
            ws.report(&["--month", month]).lines().count(),
            "{typed}"
        );
    }
}

#[test]
fn a_month_still_to_come_is_not_started_yet_not_to_date() {
    let ws = march();
    let out = ws.run(&[":now 2025-03-05 22:00", "/oncall-pay me 2030-01"]);
    assert!(
        out.contains("*Your on-call pay for January 2030 (not started yet)*"),
        "{out}"
    );
    assert!(!out.contains("to date"), "{out}");
    let table = ws.report(&["--month", "2199-12", "--format", "table"]);
    assert!(
        table.starts_with("On-call pay for December 2199 (not started yet)"),
        "{table}"
    );
    assert!(!table.contains("Nobody was on call"), "{table}");
    assert!(table.contains("This month has not started yet."), "{table}");
    // A cut-off before anyone's first handover: nobody before it, which is not the month.
    let table = ws.report(&[
        "--month",
        "2025-03",
        "--until",
        "2025-03-02 09:00",
        "--format",
        "table",
    ]);
    assert!(
        table.contains("Nobody was on call in this month before the cut-off."),
        "{table}"
    );
}

#[test]
fn without_rates_pay_shows_days_and_says_rates_are_not_configured() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2025-03-03 12:00",
        "/handover @bob",
        ":now 2025-03-04 00:00",
        "/oncall-pay @bob",
    ]);
    assert!(out.contains("0.50 days on call"), "{out}");
    assert!(out.contains("Pay rates are not configured"), "{out}");
    assert!(!out.contains('£'), "{out}");
}

#[test]
fn only_admins_see_the_team() {
    let ws = march();
    let out = ws.run(&[
        ":now 2025-04-02 09:00",
        "/oncall-pay team 2025-03",
        ":as bob",
        "/oncall-pay team 2025-03",
    ]);
    let r = replies(&out);
    assert!(
        r[1].contains("• @bob: *£881.25* (11.63 weekday, 4.00 weekend, 0.00 bank holiday days)\n"),
        "{out}"
    );
    // Carol was on call in ops and web: said, as her own statement says it.
    assert!(
        r[1].contains(
            "• @carol: *£1,025.00* (9.50 weekday, 6.00 weekend, 1.00 bank holiday days, across 2 \
             channels, each counted in full)\n"
        ),
        "{out}"
    );
    assert!(r[1].contains("Team total: *£1,906.25*"), "{out}");
    assert!(
        r[3].starts_with("[private to bob] Only an admin can see the whole team's pay"),
        "{out}"
    );
}

#[test]
fn bad_report_arguments_fail_with_a_clear_message() {
    let ws = Workspace::new();
    for (args, expected) in [
        (vec!["--month", "2025-13"], "has no month 13"),
        (vec!["--month", "March"], "is not a month"),
        // A month's name is told how to write it (in the latest such month: the year varies).
        (
            vec!["--month", "feb"],
            "`feb` is not a month: write February 20",
        ),
        (
            vec!["--month", "March 2026"],
            "`March 2026` is not a month: write March 2026 as `2026-03`, or `last`",
        ),
        (
            vec!["--month", "next"],
            "`next` is not a month: write months as YYYY-MM, e.g. 2026-03, or `last`",
        ),
        (
            vec!["--month", "2025-03", "--format", "pdf"],
            "invalid value 'pdf'",
        ),
        (vec![], "--month"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_baton"))
            .arg("pay-report")
            .args(&args)
            .env("DATABASE_URL", ws.db())
            .current_dir(ws.path())
            .output()
            .expect("run baton");
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

/// Runs `baton pay-report` expecting it to fail; returns its stderr.
fn report_fails(ws: &Workspace, db: &std::path::Path, args: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton"));
    cmd.arg("pay-report")
        .args(args)
        .env("DATABASE_URL", db)
        .current_dir(ws.path());
    let out = cmd.output().expect("run baton pay-report");
    assert!(!out.status.success(), "{args:?} succeeded");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_report_reads_only_baton_databases_and_never_changes_the_file_it_reads() {
    let ws = march();
    let read = |p: &std::path::Path| std::fs::read(p).unwrap_or_default();
    // A report on Baton's own database leaves the file as it was.
    let before = read(&ws.db());
    ws.report(&["--month", "2025-03"]);
    assert!(read(&ws.db()) == before, "the report changed the database");

    let copy = |name: &str, change: &str| {
        let path = ws.path().join(name);
        std::fs::copy(ws.db(), &path).unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(change).unwrap();
        drop(conn);
        path
    };
    let other = ws.path().join("invoices.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount TEXT);")
        .unwrap();
    drop(conn);
    let empty = ws.path().join("empty.db");
    std::fs::write(&empty, "").unwrap();
    // As the Baton before the latest migration left it: without that migration's column and
    // index (keep this in step with the newest file in migrations/) and without its record.
    let older = copy(
        "older.db",
        "DROP INDEX audit_log_by_dedup_key; ALTER TABLE audit_log DROP COLUMN dedup_key; \
         DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations);",
    );
    let newer = copy(
        "newer.db",
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from the future', 1, x'00', 0);",
    );
    // (database, what the report says)
    for (db, expected) in [
        (&other, "is not a Baton database"),
        (&empty, "is not a Baton database"),
        (&older, "was last opened by an older Baton"),
        (
            &newer,
            "was written by a newer Baton (it has migration 99990101000000",
        ),
    ] {
        let before = read(db);
        let stderr = report_fails(&ws, db, &["--month", "2025-03"]);
        assert!(stderr.contains(expected), "{}: {stderr}", db.display());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            read(db) == before,
            "{}: the report changed it",
            db.display()
        );
    }
    // The older one's advice works: the console named on it updates it, then the report reads.
    let (_, stderr, ok) = ws.session(&["--database", older.to_str().unwrap()], &[":quit"]);
    assert!(ok, "{stderr}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["pay-report", "--month", "2025-03", "--database"])
        .arg(&older)
        .arg("--config")
        .arg(ws.config.as_ref().expect("config"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn one_channels_export_gives_each_engineer_the_same_amounts_as_the_full_one() {
    // Bob holds three channels for 8 hours each: £3.33⅓ in each, £10.00 paid. Each channel's
    // amount is its share of that total, whether the export is for every channel or for one.
    let ws = Workspace::with_config(
        "timezone = \"Europe/London\"\n[pay]\ncurrency = \"GBP\"\n\
         weekday = \"10.00\"\nweekend = \"10.00\"\nbank_holiday = \"10.00\"\n",
    );
    ws.run(&[
        ":now 2025-06-02 08:00",
        "/handover @bob",
        ":channel db",
        "/handover @bob",
        ":channel web",
        "/handover @bob",
        ":now 2025-06-02 16:00",
        "/handover @carol",
        ":channel db",
        "/handover @carol",
        ":channel ops",
        "/handover @carol",
    ]);
    let rows = |csv: &str| -> Vec<Vec<String>> {
        csv.lines()
            .skip(1)
            .map(|l| l.split(',').map(str::to_owned).collect())
            .collect()
    };
    let full = rows(&ws.report(&["--month", "2025-06"]));
    let pence = |amount: &str| amount.replace('.', "").parse::<i64>().unwrap();
    let bob_total: i64 = full
        .iter()
        .filter(|r| r[0] == "bob")
        .map(|r| pence(&r[6]))
        .sum();
    assert_eq!(bob_total, 1000, "{full:?}");
    assert_eq!(full.len(), 6, "{full:?}");
    let mut by_channel = Vec::new();
    for channel in ["db", "ops", "web"] {
        by_channel.extend(rows(&ws.report(&[
            "--month",
            "2025-06",
            "--channel",
            channel,
        ])));
    }
    by_channel.sort();
    let mut full_sorted = full.clone();
    full_sorted.sort();
    assert_eq!(by_channel, full_sorted);
}

#[test]
fn a_report_on_one_slack_channel_takes_its_id_as_slack_writes_it_or_its_name() {
    // The console's channels are lower-case names; a Slack channel id is capitals and digits,
    // and `--channel` must not fold it as the console folds what is typed there.
    let ws = march();
    // As Baton in Slack leaves it: handovers under the channel's id, and the name Slack gave
    // the channel with them (`channel_name`) beside it.
    let renamed = Command::new("python3")
        .arg("-c")
        .arg(
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); \
             c.execute(\"update handovers set channel_id='C0OPS0001' where channel_id='ops'\"); \
             c.execute(\"insert into channels values ('C0OPS0001', 'data-platform', 0)\"); \
             c.commit()",
        )
        .arg(ws.db())
        .status()
        .expect("python3 changes the database");
    assert!(renamed.success());
    let csv = ws.report(&["--month", "2025-03", "--channel", "C0OPS0001"]);
    assert!(csv.contains(",C0OPS0001,"), "{csv}");
    assert!(
        csv.lines()
            .skip(1)
            .all(|l| l.ends_with(",GBP,data-platform")),
        "{csv}"
    );
    assert!(csv.lines().count() > 1, "{csv}");
    // Payroll knows the channel by its name: `--channel` takes that too, with or without `#`.
    for name in ["data-platform", "#data-platform"] {
        assert_eq!(ws.report(&["--month", "2025-03", "--channel", name]), csv);
    }
    // The full export names every channel it can, and the table shows the name.
    let full = ws.report(&["--month", "2025-03"]);
    // A channel with no stored name is named by its id (here a console name).
    assert!(
        full.contains("\ncarol,carol,web,1.50,2.00,0.00,225.00,GBP,web\n"),
        "{full}"
    );
    let table = ws.report(&["--month", "2025-03", "--format", "table"]);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("bob ") && l.contains(" #data-platform ")),
        "{table}"
    );
}

#[test]
fn a_report_on_one_channel_nobody_held_warns_to_check_the_id() {
    let ws = march();
    let (csv, log) = ws.report_and_log(&["--month", "2025-03", "--channel", "C0NOSUCH1"]);
    assert_eq!(csv.lines().count(), 1, "{csv}");
    assert!(log.contains("nobody was on call in this channel"), "{log}");
    // The table says so itself, and names the channel it covers.
    let table = ws.report(&[
        "--month",
        "2025-03",
        "--channel",
        "C0NOSUCH1",
        "--format",
        "table",
    ]);
    assert!(
        table.starts_with("On-call pay in channel C0NOSUCH1 for March 2025\n"),
        "{table}"
    );
    assert!(
        table.contains(
            "Nobody was on call in channel C0NOSUCH1 in this month: check the channel (a Slack \
             channel id is capitals and digits"
        ),
        "{table}"
    );
    let table = ws.report(&[
        "--month",
        "2025-03",
        "--channel",
        "web",
        "--format",
        "table",
    ]);
    assert!(
        table.starts_with("On-call pay in channel web for March 2025\n"),
        "{table}"
    );
    assert!(table.contains("Total for channel web: £225.00"), "{table}");
}

#[test]
fn a_report_on_a_database_that_does_not_exist_fails_and_creates_none() {
    let ws = Workspace::with_config(CONFIG);
    let missing = ws.path().join("typo.db");
    let stderr = report_fails(&ws, &missing, &["--month", "2025-03"]);
    assert!(stderr.contains("there is no database at"), "{stderr}");
    assert!(stderr.contains("typo.db"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(!missing.exists());
}

#[test]
fn a_payroll_csv_without_rates_is_refused_and_the_table_shows_days() {
    let ws = Workspace::with_config("timezone = \"Europe/London\"\n");
    ws.run(&[":now 2025-03-03 12:00", "/handover @bob"]);
    let stderr = report_fails(
        &ws,
        &ws.db(),
        &["--month", "2025-03", "--config", "baton.toml"],
    );
    assert!(stderr.contains("a payroll CSV needs pay rates"), "{stderr}");
    let table = ws.report(&["--month", "2025-03", "--format", "table"]);
    assert!(table.contains("bob"), "{table}");
}

#[test]
fn a_payroll_csv_with_no_config_file_says_which_file_was_looked_for_and_to_pass_config() {
    let ws = Workspace::new();
    ws.run(&[":now 2025-03-03 12:00", "/handover @bob"]);
    let stderr = report_fails(&ws, &ws.db(), &["--month", "2025-03"]);
    let looked_for = std::fs::canonicalize(ws.path()).unwrap().join("baton.toml");
    assert!(
        stderr.contains(&format!(
            "no config file: found no {}",
            looked_for.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("--config FILE"), "{stderr}");
    assert!(!stderr.contains("needs pay rates"), "{stderr}");
}

#[test]
fn a_report_refuses_to_write_over_the_database_the_config_or_its_holidays() {
    let ws = march();
    let config = ws.path().join("baton.toml");
    let read = |p: &std::path::Path| std::fs::read(p).unwrap_or_default();
    let (db_before, config_before) = (read(&ws.db()), read(&config));
    let db = ws.db();
    let wal = std::path::PathBuf::from(format!("{}-wal", db.display()));
    // The same files by other names too: through `..`, and relative to where it runs.
    let around = ws
        .path()
        .join("reports")
        .join("..")
        .join(db.file_name().unwrap());
    std::fs::create_dir(ws.path().join("reports")).unwrap();
    for (output, what) in [
        (db.clone(), "is the database"),
        (around, "is the database"),
        (wal, "is the database's own file"),
        (config.clone(), "is the config"),
        ("baton.toml".into(), "is the config"),
    ] {
        let err = report_fails(
            &ws,
            &db,
            &[
                "--config",
                config.to_str().unwrap_or_default(),
                "--month",
                "2025-03",
                "--output",
                output.to_str().unwrap_or_default(),
            ],
        );
        assert!(
            err.contains(&format!("--output {} {what}", output.display())),
            "{err}"
        );
        assert!(err.contains("the report only reads it"), "{err}");
    }
    // Nor through a symlink to the database, whose -wal SQLite keeps beside the file it
    // points to, not beside the link.
    #[cfg(unix)]
    {
        let link = ws.path().join("link.db");
        std::os::unix::fs::symlink(&db, &link).unwrap();
        let err = report_fails(
            &ws,
            &link,
            &["--month", "2025-03", "--output", "baton.db-wal"],
        );
        assert!(
            err.contains("--output baton.db-wal is the database's own file"),
            "{err}"
        );
    }
    assert!(read(&ws.db()) == db_before, "the database is untouched");
    assert_eq!(read(&config), config_before, "the config is untouched");
    // Nor over the bank-holiday file the config names, found beside the config.
    let holidays = ws.path().join("holidays.json");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/bank-holidays.json"),
        &holidays,
    )
    .unwrap();
    let with_file = ws.path().join("with-file.toml");
    std::fs::write(
        &with_file,
        CONFIG.replace("[pay]\n", "[pay]\nholidays = \"holidays.json\"\n"),
    )
    .unwrap();
    let holidays_before = read(&holidays);
    let err = report_fails(
        &ws,
        &db,
        &[
            "--config",
            with_file.to_str().unwrap_or_default(),
            "--month",
            "2025-03",
            "--output",
            "holidays.json",
        ],
    );
    assert!(
        err.contains("--output holidays.json is the config's bank-holiday file"),
        "{err}"
    );
    assert_eq!(
        read(&holidays),
        holidays_before,
        "the holidays are untouched"
    );
    // `-` is standard output, not a file called `-`.
    let out = ws.report(&["--month", "2025-03", "--output", "-"]);
    assert!(out.starts_with("user_id,user_name,"), "{out}");
    assert!(!ws.path().join("-").exists());
}

#[test]
fn a_log_filter_warning_is_said_even_when_the_filter_would_hide_it() {
    let ws = march();
    // Baton's errors only: the warning about `warning` is not an error, yet is said.
    let (_, stderr) =
        ws.report_with_log_filter(&["--month", "2025-03"], Some("baton=error,warning"));
    assert!(
        stderr.contains("RUST_LOG `baton=error,warning`: `warning` is not a level"),
        "{stderr}"
    );
}
