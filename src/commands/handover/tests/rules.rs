//! Who may hand over, when a handover takes effect, undo's window, and the messages.

use super::*;

fn u(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

fn state_with(holder: &str, since: &str) -> ChannelState {
    ChannelState {
        current: Some(Handover {
            id: 1,
            channel: crate::domain::ids::ChannelId::parse("ops").unwrap(),
            seq: 1,
            from: None,
            to: Some(u(holder)),
            effective_at: t(since),
            recorded_at: t(since),
            recorded_by: u(holder),
            notes: String::new(),
            undone: None,
        }),
        rota: vec![],
    }
}

fn proposal<'a>(
    caller: &'a UserId,
    is_admin: bool,
    target: &'a UserId,
    effective_at: DateTime<Utc>,
    backdated: bool,
    now: DateTime<Utc>,
) -> Proposal<'a> {
    Proposal {
        caller,
        is_admin,
        target: Some(target),
        effective_at,
        or_later: None,
        backdated,
        now,
        notes: "",
    }
}

#[test]
fn only_an_admin_ends_standby_and_only_while_someone_is_on_call() {
    let state = state_with("ann", "2025-03-03T09:00:00Z");
    let now = t("2025-03-10T09:00:00Z");
    let end = |caller: &UserId, is_admin: bool, state: &ChannelState| {
        decide(
            state,
            &Proposal {
                target: None,
                ..proposal(caller, is_admin, caller, now, false, now)
            },
        )
    };
    // (caller, admin, the refusal)
    let cases = [
        ("cat", true, None),
        // On call, but not an admin: it would leave the channel with nobody to page.
        ("ann", false, Some(Refusal::EndNeedsAdmin)),
        ("bob", false, Some(Refusal::EndNeedsAdmin)),
    ];
    for (caller, admin, refusal) in cases {
        let result = end(&u(caller), admin, &state);
        match refusal {
            None => assert_eq!(result.map(|h| h.to), Ok(None), "{caller}"),
            Some(refusal) => assert_eq!(result, Err(refusal), "{caller}"),
        }
    }
    let nobody = ChannelState {
        current: None,
        rota: vec![],
    };
    assert_eq!(end(&u("cat"), true, &nobody), Err(Refusal::NothingToEnd));
}

#[test]
fn the_holder_the_taker_or_an_admin_may_hand_over_and_nobody_else() {
    let state = state_with("ann", "2025-03-03T09:00:00Z");
    let now = t("2025-03-10T09:00:00Z");
    let cases = [
        ("ann", false, "bob", true),  // the holder hands over
        ("bob", false, "bob", true),  // bob takes the pager
        ("cat", true, "bob", true),   // an admin moves it
        ("cat", false, "bob", false), // a bystander may not
    ];
    for (caller, admin, target, allowed) in cases {
        let result = decide(
            &state,
            &proposal(&u(caller), admin, &u(target), now, false, now),
        );
        let expected = NewHandover {
            from: Some(u("ann")),
            to: Some(u(target)),
            effective_at: now,
            recorded_at: now,
            recorded_by: u(caller),
            notes: String::new(),
        };
        match allowed {
            true => assert_eq!(result, Ok(expected), "{caller} -> {target}"),
            false => assert!(result.is_err(), "{caller} -> {target}"),
        }
    }
    assert_eq!(
        decide(
            &state,
            &proposal(&u("ann"), true, &u("ann"), now, false, now)
        ),
        Err(Refusal::AlreadyOnCall(u("ann")))
    );
    // Starting a rota, a paid one, is for admins.
    let first = decide(
        &ChannelState::default(),
        &proposal(&u("zed"), true, &u("bob"), now, false, now),
    )
    .unwrap();
    assert_eq!(first.from, None);
    for (caller, target) in [("zed", "bob"), ("zed", "zed")] {
        assert_eq!(
            decide(
                &ChannelState::default(),
                &proposal(&u(caller), false, &u(target), now, false, now),
            ),
            Err(Refusal::StartNeedsAdmin),
            "{caller} -> {target}"
        );
    }
}

#[test]
fn the_check_before_any_lookup_refuses_as_the_transaction_would() {
    let state = state_with("ann", "2025-03-03T09:00:00Z");
    // A bystander handing the pager to whoever has it hears that, as from the transaction.
    assert_eq!(
        permitted(&state, &u("cat"), false, Some(&u("ann"))),
        Err(Refusal::AlreadyOnCall(u("ann")))
    );
    assert_eq!(
        permitted(&state, &u("cat"), false, Some(&u("bob"))),
        Err(Refusal::NotHolder { holder: u("ann") })
    );
    // Taking the pager, or a target not known yet (a name): the transaction decides.
    assert_eq!(permitted(&state, &u("cat"), false, Some(&u("cat"))), Ok(()));
    assert_eq!(permitted(&state, &u("cat"), false, None), Ok(()));
    assert_eq!(
        permitted(&ChannelState::default(), &u("cat"), false, None),
        Err(Refusal::StartNeedsAdmin)
    );
    assert_eq!(
        permitted(&ChannelState::default(), &u("cat"), true, None),
        Ok(())
    );
}

#[test]
fn a_backdate_to_whoever_is_on_call_before_their_shift_began_is_told_how_to_move_its_start() {
    let since = t("2025-03-04T10:00:00Z");
    let state = state_with("ann", "2025-03-04T10:00:00Z");
    let now = t("2025-03-05T12:00:00Z");
    // (typed time, backdated, refusal)
    let cases = [
        (
            t("2025-03-03T09:00:00Z"),
            true,
            Refusal::AlreadyOnCallSince {
                holder: u("ann"),
                since,
            },
        ),
        // At or after the shift's start, or now: nothing to move.
        (since, true, Refusal::AlreadyOnCall(u("ann"))),
        (
            t("2025-03-05T09:00:00Z"),
            true,
            Refusal::AlreadyOnCall(u("ann")),
        ),
        (now, false, Refusal::AlreadyOnCall(u("ann"))),
    ];
    for (at, backdated, refusal) in cases {
        assert_eq!(
            decide(
                &state,
                &proposal(&u("cat"), true, &u("ann"), at, backdated, now)
            ),
            Err(refusal),
            "{at}"
        );
    }
}

#[test]
fn a_backdated_handover_must_be_later_than_the_latest_one() {
    let state = state_with("ann", "2025-03-03T09:00:00Z");
    let now = t("2025-03-10T09:00:00Z");
    let same = t("2025-03-03T09:00:00Z");
    assert_eq!(
        decide(
            &state,
            &proposal(&u("cat"), true, &u("bob"), same, true, now)
        ),
        Err(Refusal::NotAfterLatest { latest: same })
    );
    let a_minute_later = t("2025-03-03T09:01:00Z");
    assert_eq!(
        decide(
            &state,
            &proposal(&u("cat"), true, &u("bob"), a_minute_later, true, now)
        ),
        Ok(NewHandover {
            from: Some(u("ann")),
            to: Some(u("bob")),
            effective_at: a_minute_later,
            recorded_at: now,
            recorded_by: u("cat"),
            notes: String::new(),
        })
    );
    // Handing over "now" within the same second as the last handover is a zero-length shift.
    let made = decide(
        &state,
        &proposal(&u("ann"), false, &u("bob"), same, false, same),
    )
    .unwrap();
    assert_eq!(made.effective_at, same);
}

#[test]
fn a_handover_now_follows_a_latest_one_a_little_ahead_but_not_one_a_day_ahead() {
    let state = state_with("ann", "2025-03-03T09:00:00Z");
    // Another clock on the same database, a few seconds ahead: a zero-length shift.
    let behind = t("2025-03-03T08:59:30Z");
    let made = decide(
        &state,
        &proposal(&u("ann"), false, &u("bob"), behind, false, behind),
    )
    .unwrap();
    assert_eq!(made.effective_at, t("2025-03-03T09:00:00Z"));
    // Backdated, there is no time between it and now either.
    assert_eq!(
        decide(
            &state,
            &proposal(
                &u("cat"),
                true,
                &u("bob"),
                t("2025-03-02T08:00:00Z"),
                true,
                t("2025-03-02T09:00:00Z")
            ),
        ),
        Err(Refusal::LatestInFuture {
            latest: t("2025-03-03T09:00:00Z")
        })
    );
    // A day ahead: following it would pay ann until tomorrow and bob nothing till then.
    let a_day_behind = t("2025-03-02T09:00:00Z");
    assert_eq!(
        decide(
            &state,
            &proposal(
                &u("ann"),
                true,
                &u("bob"),
                a_day_behind,
                false,
                a_day_behind
            ),
        ),
        Err(Refusal::LatestInFuture {
            latest: t("2025-03-03T09:00:00Z")
        })
    );
}

#[test]
fn a_latest_handover_recorded_ahead_of_now_is_the_refusal_whoever_asks_and_whatever_for() {
    // Bob's shift is recorded from tomorrow: he is not on call yet, and nobody else can be.
    let state = state_with("bob", "2025-03-04T09:00:00Z");
    let now = t("2025-03-03T09:00:00Z");
    let ahead = Err(Refusal::LatestInFuture {
        latest: t("2025-03-04T09:00:00Z"),
    });
    // (caller, admin, target): without the clock check first, these were "bob is already on
    // call" and "only bob (on call now)".
    for (caller, is_admin, target) in [
        ("cat", true, "bob"),
        ("dan", false, "bob"),
        ("dan", false, "eve"),
    ] {
        let (caller, target) = (u(caller), u(target));
        let p = proposal(&caller, is_admin, &target, now, false, now);
        assert_eq!(decide(&state, &p), ahead, "{caller} to {target}");
    }
    let dan = u("dan");
    let end = Proposal {
        target: None,
        ..proposal(&dan, false, &dan, now, false, now)
    };
    assert_eq!(decide(&state, &end), ahead, "ending standby");
}

#[test]
fn the_months_already_over_that_a_change_reaches_are_named_by_the_local_calendar() {
    let tz = chrono_tz::Europe::London;
    // (change from, now, months named)
    let cases = [
        ("2025-06-10T09:00:00Z", "2025-06-20T09:00:00Z", None),
        (
            "2025-05-10T09:00:00Z",
            "2025-06-20T09:00:00Z",
            Some("May 2025"),
        ),
        (
            "2025-01-20T09:00:00Z",
            "2025-09-01T09:00:00Z",
            Some("January 2025 to August 2025"),
        ),
        // 23:30 UTC on 31 March is 00:30 BST on 1 April: April, not March.
        ("2025-03-31T23:30:00Z", "2025-04-02T09:00:00Z", None),
        // The last, repeated hour of October's 25-hour Sunday is still October...
        (
            "2025-10-26T01:30:00Z",
            "2025-11-01T00:30:00Z",
            Some("October 2025"),
        ),
        // ...and a now at 23:30 UTC on 31 October is still October in London (GMT).
        ("2025-10-26T01:30:00Z", "2025-10-31T23:30:00Z", None),
        // March 2024 ends on the 23-hour Sunday: 23:00 UTC is already April.
        (
            "2024-03-31T22:30:00Z",
            "2024-03-31T23:00:00Z",
            Some("March 2024"),
        ),
    ];
    for (from, now, months) in cases {
        assert_eq!(
            ended_months_from(t(from), t(now), tz).as_deref(),
            months,
            "{from} {now}"
        );
    }
}

#[test]
fn the_undo_window_is_fifteen_minutes_of_real_time_across_clock_changes() {
    // (recorded, undo asked, allowed)
    let cases = [
        ("2025-03-03T09:00:00Z", "2025-03-03T09:15:00Z", true),
        ("2025-03-03T09:00:00Z", "2025-03-03T09:15:01Z", false),
        // 00:55 GMT to 02:05 BST on the day the clocks go forward: 10 minutes.
        ("2025-03-30T00:55:00Z", "2025-03-30T01:05:00Z", true),
        ("2025-03-30T00:55:00Z", "2025-03-30T01:11:00Z", false),
        // 01:55 BST to 01:05 GMT on the day they go back: 10 minutes, not minus 50.
        ("2025-10-26T00:55:00Z", "2025-10-26T01:05:00Z", true),
        ("2025-10-26T00:55:00Z", "2025-10-26T01:11:00Z", false),
    ];
    for (recorded, now, allowed) in cases {
        assert_eq!(
            within_undo_window(t(recorded), t(now)),
            allowed,
            "{recorded} {now}"
        );
    }
}

#[test]
fn a_latest_handover_ahead_of_now_is_judged_in_real_time_on_the_day_the_clocks_go_back() {
    // The latest took effect at 01:30 GMT (the second 01:30); now is 01:40 BST, the first
    // 01:40, which reads later on the wall but is 50 minutes earlier: refused.
    let state = state_with("ann", "2025-10-26T01:30:00Z");
    let now = t("2025-10-26T00:40:00Z");
    assert_eq!(
        decide(
            &state,
            &proposal(&u("ann"), false, &u("bob"), now, false, now)
        ),
        Err(Refusal::LatestInFuture {
            latest: t("2025-10-26T01:30:00Z")
        })
    );
    // Thirty seconds behind it: another clock, a zero-length shift.
    let now = t("2025-10-26T01:29:30Z");
    let made = decide(
        &state,
        &proposal(&u("ann"), false, &u("bob"), now, false, now),
    )
    .unwrap();
    assert_eq!(made.effective_at, t("2025-10-26T01:30:00Z"));
    assert_eq!((made.to, made.from), (Some(u("bob")), Some(u("ann"))));
}

#[test]
fn the_history_title_counts_its_handovers_in_words_that_agree() {
    let one = state_with("ann", "2025-03-03T09:00:00Z").current.unwrap();
    let mut two = vec![one.clone(), one];
    two[0].id = 2;
    let tz = chrono_tz::Europe::London;
    assert!(history(&two[..1], tz).starts_with("*The latest handover here*\n"));
    assert!(history(&two, tz).starts_with("*The last 2 handovers here, newest first*\n"));
    assert_eq!(
        history(&[], tz),
        "No handovers have been recorded in this channel yet."
    );
}

#[test]
fn every_refused_handover_says_that_nothing_changed() {
    let at = t("2025-03-03T09:00:00Z");
    let inv = Invocation {
        user: u("ann"),
        channel: crate::domain::ids::ChannelId::parse("ops").unwrap(),
        channel_name: None,
        command: crate::commands::CommandName::Handover,
        text: String::new(),
        now: at,
        dedup_key: None,
    };
    let refusals = [
        Refusal::AlreadyOnCall(u("bob")),
        Refusal::AlreadyOnCallSince {
            holder: u("bob"),
            since: at,
        },
        Refusal::NotHolder { holder: u("bob") },
        Refusal::StartNeedsAdmin,
        Refusal::NothingToEnd,
        Refusal::EndNeedsAdmin,
        Refusal::NotAfterLatest { latest: at },
        Refusal::LatestInFuture { latest: at },
        Refusal::RotaMoved,
    ];
    for refusal in refusals {
        // No `_` arm: a new kind of refusal does not compile until it is in the list above.
        match refusal {
            Refusal::AlreadyOnCall(_)
            | Refusal::AlreadyOnCallSince { .. }
            | Refusal::NotHolder { .. }
            | Refusal::StartNeedsAdmin
            | Refusal::NothingToEnd
            | Refusal::EndNeedsAdmin
            | Refusal::NotAfterLatest { .. }
            | Refusal::LatestInFuture { .. }
            | Refusal::RotaMoved => {}
        }
        let said = refused(refusal.clone(), &inv, chrono_tz::Europe::London).to_string();
        assert!(said.ends_with(" Nothing changed."), "{refusal:?}: {said}");
    }
}

#[test]
fn the_status_says_who_handed_over_only_when_they_recorded_it() {
    let inv = Invocation {
        user: u("erin"),
        channel: crate::domain::ids::ChannelId::parse("ops").unwrap(),
        channel_name: None,
        command: crate::commands::CommandName::Handover,
        text: String::new(),
        now: t("2026-11-09T12:00:00Z"),
        dedup_key: None,
    };
    // (recorded by, the status)
    for (by, said) in [
        (
            "carol",
            "<@erin> is on call here since Mon 9 Nov, 10:00, handed over by <@carol>.",
        ),
        (
            "erin",
            "<@erin> is on call here since Mon 9 Nov, 10:00, taking over from <@carol>.",
        ),
        (
            "alice",
            "<@erin> is on call here since Mon 9 Nov, 10:00, taking over from <@carol> (recorded by \
             <@alice>).",
        ),
    ] {
        let mut state = state_with("erin", "2026-11-09T10:00:00Z");
        if let Some(h) = state.current.as_mut() {
            h.from = Some(u("carol"));
            h.recorded_by = u(by);
        }
        assert_eq!(
            holder_now(&state, &inv, chrono_tz::Europe::London),
            said,
            "{by}"
        );
    }
    // The first shift here, after nobody: nobody handed over.
    let first = state_with("erin", "2026-11-09T10:00:00Z");
    assert_eq!(
        holder_now(&first, &inv, chrono_tz::Europe::London),
        "<@erin> is on call here since Mon 9 Nov, 10:00."
    );
}
