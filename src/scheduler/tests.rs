//! Scheduler tests: paused tokio time over an in-memory store, then a real SQLite file for
//! exactly-once across copies of Baton and the takeover of stale claims.

use super::*;
use crate::console::ConsoleDirectory;
use crate::domain::reminders::WeekdayKey;
use crate::domain::rota::{ChannelState, Handover, NewHandover};
use crate::store::{ChannelOnCall, Recorded, SqliteStore};
use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Europe::London;
use std::collections::{HashMap, HashSet};
use tokio::sync::oneshot;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn user(name: &str) -> UserId {
    UserId::parse(name).unwrap()
}

fn channel(name: &str) -> ChannelId {
    ChannelId::parse(name).unwrap()
}

fn weekdays_at_nine(handover_day: Option<Weekday>) -> ReminderSettings {
    ReminderSettings {
        time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        days: [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ]
        .into_iter()
        .map(WeekdayKey::of)
        .collect(),
        handover_day,
        holidays: crate::domain::holidays::HolidayCalendar::empty(),
    }
}

/// A wall clock that starts at `start` and follows tokio's (paused) time.
fn paused_clock(start: DateTime<Utc>) -> impl Fn() -> DateTime<Utc> + Send + Sync + 'static {
    let origin = tokio::time::Instant::now();
    move || start + chrono::Duration::from_std(origin.elapsed()).unwrap()
}

fn on_call(channel_name: &str, who: &str, rota: &[&str]) -> ChannelOnCall {
    let since = utc("2025-06-02T08:30:00Z");
    ChannelOnCall {
        channel: channel(channel_name),
        state: ChannelState {
            current: Some(Handover {
                id: 1,
                channel: channel(channel_name),
                seq: 1,
                from: None,
                to: Some(user(who)),
                effective_at: since,
                recorded_at: since,
                recorded_by: user(who),
                notes: String::new(),
                undone: None,
            }),
            rota: rota.iter().map(|u| user(u)).collect(),
        },
        ahead: None,
    }
}

#[derive(Debug, Clone)]
struct ClaimRow {
    claimed_at: DateTime<Utc>,
    claimed_by: String,
    sent: bool,
}

/// The reminder half of the store, in memory, with the SQL's claim rule. Anything else the
/// scheduler should never call fails loudly.
#[derive(Clone, Default)]
struct FakeStore {
    channels: Arc<Vec<ChannelOnCall>>,
    claims: Arc<Mutex<HashMap<(ChannelId, NaiveDate), ClaimRow>>>,
    /// How many `mark_reminder_sent` calls fail before they work.
    mark_failures: Arc<Mutex<u32>>,
}

impl FakeStore {
    fn with(channels: Vec<ChannelOnCall>) -> Self {
        Self {
            channels: Arc::new(channels),
            ..Self::default()
        }
    }

    fn claim_as_dead_copy(&self, channel_name: &str, date: &str, at: DateTime<Utc>) {
        self.claims.lock().unwrap().insert(
            (channel(channel_name), date.parse().unwrap()),
            ClaimRow {
                claimed_at: at,
                claimed_by: "a copy that died".to_owned(),
                sent: false,
            },
        );
    }
}

impl Store for FakeStore {
    async fn channel_state(&self, _: &ChannelId) -> Result<ChannelState, StoreError> {
        unimplemented!("the scheduler reads channels only through channels_on_call")
    }
    async fn channel_at(
        &self,
        _: &ChannelId,
        _: DateTime<Utc>,
    ) -> Result<(ChannelState, Option<crate::domain::rota::Ahead>), StoreError> {
        unimplemented!("the scheduler reads channels only through channels_on_call")
    }
    async fn record_named_handover<F, E>(
        &self,
        _: &ChannelId,
        _: Option<&crate::domain::ids::ChannelName>,
        _: Option<&str>,
        _: F,
    ) -> Result<Result<Recorded, E>, StoreError>
    where
        F: FnOnce(&ChannelState) -> Result<NewHandover, E> + Send,
        E: Send,
    {
        unimplemented!("the scheduler records no handovers")
    }
    async fn undo_latest<F, E>(
        &self,
        _: &ChannelId,
        _: Option<&str>,
        _: F,
    ) -> Result<Result<crate::store::Undone, E>, StoreError>
    where
        F: FnOnce(&ChannelState, Option<&Handover>) -> Result<crate::domain::rota::Undo, E> + Send,
        E: Send,
    {
        unimplemented!("the scheduler undoes nothing")
    }
    async fn rota_set_before(
        &self,
        _: &str,
    ) -> Result<Option<crate::store::RotaBefore>, StoreError> {
        unimplemented!("the scheduler sets no rota")
    }
    async fn set_rota(
        &self,
        _: &ChannelId,
        _: &[UserId],
        _: &UserId,
        _: DateTime<Utc>,
        _: Option<&str>,
    ) -> Result<crate::store::RotaSet, StoreError> {
        unimplemented!("the scheduler sets no rota")
    }
    async fn recorded_with_key(&self, _: &str) -> Result<Option<Handover>, StoreError> {
        unimplemented!("the scheduler records no handovers")
    }
    async fn history(&self, _: &ChannelId, _: u32) -> Result<Vec<Handover>, StoreError> {
        unimplemented!("the scheduler reads no history")
    }
    async fn pay_history(
        &self,
        _: DateTime<Utc>,
        _: DateTime<Utc>,
        _: crate::store::PayScope<'_>,
    ) -> Result<Vec<crate::domain::pay::ChannelRota>, StoreError> {
        unimplemented!("the scheduler computes no pay")
    }
    async fn remember_name(&self, _: &UserId, _: &str, _: DateTime<Utc>) -> Result<(), StoreError> {
        unimplemented!("the scheduler remembers no names")
    }
    async fn names(&self, _: &[UserId]) -> Result<HashMap<UserId, String>, StoreError> {
        unimplemented!("the scheduler looks up no names")
    }
    async fn channels_on_call(&self, _: DateTime<Utc>) -> Result<Vec<ChannelOnCall>, StoreError> {
        Ok(self.channels.to_vec())
    }
    async fn claim_reminder(
        &self,
        channel: &ChannelId,
        date: NaiveDate,
        claimant: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        let mut claims = self.claims.lock().unwrap();
        let key = (channel.clone(), date);
        match claims.get(&key) {
            Some(row) if row.sent || row.claimed_at >= stale_before => Ok(Claim::Taken),
            _ => {
                claims.insert(
                    key,
                    ClaimRow {
                        claimed_at: now,
                        claimed_by: claimant.to_owned(),
                        sent: false,
                    },
                );
                Ok(Claim::Claimed)
            }
        }
    }
    async fn mark_reminder_sent(
        &self,
        channel: &ChannelId,
        date: NaiveDate,
        _: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut failures = self.mark_failures.lock().unwrap();
        if *failures > 0 {
            *failures -= 1;
            return Err(StoreError::Corrupt("disk I/O error".into()));
        }
        if let Some(row) = self
            .claims
            .lock()
            .unwrap()
            .get_mut(&(channel.clone(), date))
        {
            row.sent = true;
        }
        Ok(())
    }
    async fn release_reminder(
        &self,
        channel: &ChannelId,
        date: NaiveDate,
        claimant: &str,
    ) -> Result<(), StoreError> {
        let mut claims = self.claims.lock().unwrap();
        if claims
            .get(&(channel.clone(), date))
            .is_some_and(|r| !r.sent && r.claimed_by == claimant)
        {
            claims.remove(&(channel.clone(), date));
        }
        Ok(())
    }
}

/// Records what was posted, as "post CHANNEL" / "dm USER" lines. Channels can be made
/// unreachable, or to fail a number of times first.
#[derive(Clone, Default)]
struct RecordingPoster {
    log: Arc<Mutex<Vec<String>>>,
    messages: Arc<Mutex<Vec<String>>>,
    unreachable: Arc<HashSet<ChannelId>>,
    /// Channels where Slack refuses Baton's token.
    token_refused: Arc<HashSet<ChannelId>>,
    failures_left: Arc<Mutex<HashMap<ChannelId, u32>>>,
    /// Channels where Slack posts the message but Baton never hears so (a slow Slack).
    posted_unheard: Arc<HashSet<ChannelId>>,
    /// Channels where Slack posts the message and the answer never comes (Baton stops first).
    posted_hanging: Arc<HashSet<ChannelId>>,
    /// How long each post takes, to widen races.
    latency: Duration,
    /// How long each direct message takes.
    dm_latency: Duration,
}

impl RecordingPoster {
    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    fn sorted_log(&self) -> Vec<String> {
        let mut log = self.log();
        log.sort();
        log
    }
}

impl Poster for RecordingPoster {
    async fn post_message(&self, channel: &ChannelId, message: &Reply) -> Result<(), PostError> {
        tokio::time::sleep(self.latency).await;
        if self.unreachable.contains(channel) {
            return Err(PostError::Unreachable("not_in_channel".into()));
        }
        if self.token_refused.contains(channel) {
            return Err(PostError::Refused("token_revoked".into()));
        }
        if let Some(left) = self.failures_left.lock().unwrap().get_mut(channel) {
            if *left > 0 {
                *left -= 1;
                return Err(PostError::Failed("HTTP 503".into()));
            }
        }
        self.log.lock().unwrap().push(format!("post {channel}"));
        self.messages.lock().unwrap().push(message.text.clone());
        if self.posted_unheard.contains(channel) {
            return Err(PostError::MaybePosted("timed out".into()));
        }
        if self.posted_hanging.contains(channel) {
            std::future::pending::<()>().await;
        }
        Ok(())
    }

    async fn send_dm(&self, user: &UserId, message: &Reply) -> Result<(), PostError> {
        tokio::time::sleep(self.dm_latency).await;
        self.log.lock().unwrap().push(format!("dm {user}"));
        self.messages.lock().unwrap().push(message.text.clone());
        Ok(())
    }
}

/// A running scheduler and the means to stop it.
struct Running {
    stop: oneshot::Sender<()>,
    handle: tokio::task::JoinHandle<()>,
}

impl Running {
    async fn stop(self) {
        let _ = self.stop.send(());
        self.handle.await.unwrap();
    }
}

fn start<S: Store + 'static, P: Poster + 'static>(
    store: S,
    poster: P,
    settings: ReminderSettings,
    clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static,
) -> Running {
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(run_scheduler(
        store,
        poster,
        ConsoleDirectory::default(),
        settings,
        London,
        clock,
        async {
            let _ = stopped.await;
        },
    ));
    Running { stop, handle }
}

async fn wait(seconds: u64) {
    tokio::time::sleep(Duration::from_secs(seconds)).await;
}

fn three_channels() -> FakeStore {
    // `quiet` has nobody on call, so the store does not list it.
    FakeStore::with(vec![
        on_call("ops", "ann", &["ann", "bob"]),
        on_call("web", "dan", &[]),
    ])
}

#[tokio::test(start_paused = true)]
async fn the_scheduler_posts_at_the_reminder_time_once_per_channel_and_again_the_next_day() {
    let store = three_channels();
    let poster = RecordingPoster::default();
    // Monday 2 June 2025, 08:59 BST.
    let running = start(
        store,
        poster.clone(),
        weekdays_at_nine(None),
        paused_clock(utc("2025-06-02T07:59:00Z")),
    );
    wait(59).await;
    assert!(poster.log().is_empty(), "nothing before 09:00");
    wait(2).await;
    assert_eq!(poster.sorted_log(), ["post ops", "post web"]);
    wait(6 * 3600).await;
    assert_eq!(poster.log().len(), 2, "once a day");
    wait(18 * 3600).await;
    assert_eq!(
        poster.sorted_log(),
        ["post ops", "post ops", "post web", "post web"],
        "Tuesday's reminders"
    );
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_restart_after_the_time_posts_at_once_and_another_start_that_day_posts_nothing() {
    let store = three_channels();
    let poster = RecordingPoster::default();
    let first = start(
        store.clone(),
        poster.clone(),
        weekdays_at_nine(None),
        paused_clock(utc("2025-06-02T10:00:00Z")),
    );
    wait(1).await;
    assert_eq!(poster.sorted_log(), ["post ops", "post web"]);
    first.stop().await;

    let second = start(
        store,
        poster.clone(),
        weekdays_at_nine(None),
        paused_clock(utc("2025-06-02T10:05:00Z")),
    );
    // Past the stale window, when it looks again.
    wait(20 * 60).await;
    assert_eq!(poster.log().len(), 2, "{:?}", poster.log());
    second.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_restart_the_next_day_does_not_post_yesterdays_reminder() {
    let poster = RecordingPoster::default();
    // Tuesday 00:30 BST: Monday's reminder was missed; Tuesday's is at 09:00.
    let running = start(
        three_channels(),
        poster.clone(),
        weekdays_at_nine(None),
        paused_clock(utc("2025-06-02T23:30:00Z")),
    );
    wait(8 * 3600).await;
    assert!(poster.log().is_empty(), "{:?}", poster.log());
    wait(3600).await;
    assert_eq!(poster.sorted_log(), ["post ops", "post web"]);
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_channel_baton_cannot_post_to_is_skipped_and_the_others_still_get_theirs() {
    let store = three_channels();
    let poster = RecordingPoster {
        unreachable: Arc::new([channel("web")].into()),
        ..RecordingPoster::default()
    };
    let running = start(
        store.clone(),
        poster.clone(),
        weekdays_at_nine(None),
        paused_clock(utc("2025-06-02T10:00:00Z")),
    );
    wait(3 * 3600).await;
    assert_eq!(poster.log(), ["post ops"]);
    let claims = store.claims.lock().unwrap().clone();
    assert!(
        claims.values().all(|row| row.sent),
        "both settled: {claims:?}"
    );
    drop(claims);
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_reminder_slack_refuses_baton_is_not_retried_but_left_for_a_baton_with_a_working_token() {
    let store = three_channels();
    let poster = RecordingPoster {
        token_refused: Arc::new([channel("web")].into()),
        ..RecordingPoster::default()
    };
    let running = start(
        store.clone(),
        poster.clone(),
        weekdays_at_nine(None),
        paused_clock(utc("2025-06-02T10:00:00Z")),
    );
    wait(3 * 3600).await;
    running.stop().await;
    assert_eq!(poster.log(), ["post ops"]);
    // Unclaimed, unlike a channel Baton cannot post to: a restart with a new token posts it.
    let claims = store.claims.lock().unwrap().clone();
    assert!(
        !claims.keys().any(|(c, _)| *c == channel("web")),
        "{claims:?}"
    );
    let fixed = RecordingPoster::default();
    let running = start(
        store.clone(),
        fixed.clone(),
        weekdays_at_nine(None),
        // Within the four hours a late reminder is still posted.
        paused_clock(utc("2025-06-02T11:00:00Z")),
    );
    wait(3600).await;
    running.stop().await;
    assert_eq!(fixed.log(), ["post web"]);
}

#[tokio::test(start_paused = true)]
async fn a_failed_post_is_retried_later_that_day_without_holding_up_other_channels() {
    let poster = RecordingPoster {
        failures_left: Arc::new(Mutex::new([(channel("ops"), 2)].into())),
        // A slow channel must not delay the others either.
        latency: Duration::from_secs(1),
        ..RecordingPoster::default()
    };
    let running = start(
        three_channels(),
        poster.clone(),
        weekdays_at_nine(None),
        paused_clock(utc("2025-06-02T10:00:00Z")),
    );
    wait(2).await;
    assert_eq!(poster.log(), ["post web"]);
    // Two failures: retried after 30 s, then after 2 min more.
    wait(30 + 120 + 5).await;
    assert_eq!(poster.sorted_log(), ["post ops", "post web"]);
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_post_slack_may_have_made_is_marked_sent_and_never_posted_again() {
    let store = three_channels();
    let poster = RecordingPoster {
        posted_unheard: Arc::new([channel("ops")].into()),
        ..RecordingPoster::default()
    };
    let running = start(
        store.clone(),
        poster.clone(),
        weekdays_at_nine(None),
        paused_clock(utc("2025-06-02T10:00:00Z")),
    );
    // Past every retry a failed post would get (30 s to 60 min) and a stale claim's window.
    wait(3 * 3600).await;
    running.stop().await;
    assert_eq!(poster.sorted_log(), ["post ops", "post web"]);
    let claims = store.claims.lock().unwrap().clone();
    let ops = claims
        .iter()
        .find(|((c, _), _)| *c == channel("ops"))
        .map(|(_, claim)| claim.sent);
    assert_eq!(ops, Some(true), "{claims:?}");
    // Nor does a restart that day post it.
    let restarted = RecordingPoster::default();
    let running = start(
        store,
        restarted.clone(),
        weekdays_at_nine(None),
        paused_clock(utc("2025-06-02T11:00:00Z")),
    );
    wait(3600).await;
    running.stop().await;
    assert_eq!(restarted.log(), Vec::<String>::new());
}

#[tokio::test(start_paused = true)]
async fn a_claim_left_by_a_crashed_copy_is_taken_over_once_it_is_stale() {
    let store = three_channels();
    store.claim_as_dead_copy("ops", "2025-06-02", utc("2025-06-02T09:59:00Z"));
    let poster = RecordingPoster::default();
    let running = start(
        store,
        poster.clone(),
        weekdays_at_nine(None),
        paused_clock(utc("2025-06-02T10:00:00Z")),
    );
    wait(1).await;
    assert_eq!(poster.log(), ["post web"]);
    wait(6 * 60).await;
    assert_eq!(poster.log(), ["post web", "post ops"]);
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_post_whose_sent_mark_fails_is_never_posted_again_by_the_same_copy() {
    for failures in [2, 100] {
        let store = FakeStore::with(vec![on_call("ops", "ann", &[])]);
        *store.mark_failures.lock().unwrap() = failures;
        let poster = RecordingPoster::default();
        let running = start(
            store.clone(),
            poster.clone(),
            weekdays_at_nine(None),
            paused_clock(utc("2025-06-02T10:00:00Z")),
        );
        wait(3 * 3600).await;
        assert_eq!(poster.log(), ["post ops"], "{failures} failed marks");
        let sent = store.claims.lock().unwrap().values().all(|row| row.sent);
        assert_eq!(sent, failures == 2, "{failures} failed marks");
        running.stop().await;
    }
}

#[tokio::test(start_paused = true)]
async fn the_engineer_next_in_the_rota_is_told_on_the_friday_before_a_monday_handover() {
    let poster = RecordingPoster::default();
    // Friday 6 June 2025, 10:00 BST.
    let running = start(
        three_channels(),
        poster.clone(),
        weekdays_at_nine(Some(Weekday::Mon)),
        paused_clock(utc("2025-06-06T09:00:00Z")),
    );
    wait(1).await;
    assert_eq!(poster.sorted_log(), ["dm bob", "post ops", "post web"]);
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_stop_while_the_heads_up_message_is_slow_does_not_post_the_reminder_again() {
    let store = three_channels();
    let slow_dm = RecordingPoster {
        dm_latency: Duration::from_secs(60),
        ..RecordingPoster::default()
    };
    // Friday 6 June 2025, 10:00 BST: the reminders, and a heads-up to bob that Slack is slow to take.
    let running = start(
        store.clone(),
        slow_dm.clone(),
        weekdays_at_nine(Some(Weekday::Mon)),
        paused_clock(utc("2025-06-06T09:00:00Z")),
    );
    wait(1).await;
    assert_eq!(slow_dm.sorted_log(), ["post ops", "post web"]);
    running.stop().await;
    // Restarted after the claim would have gone stale: the channel has had its reminder.
    let poster = RecordingPoster::default();
    let running = start(
        store,
        poster.clone(),
        weekdays_at_nine(Some(Weekday::Mon)),
        paused_clock(utc("2025-06-06T09:30:00Z")),
    );
    wait(1).await;
    assert_eq!(poster.log(), Vec::<String>::new());
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_stop_while_slack_has_not_answered_a_post_does_not_post_the_reminder_again() {
    let store = three_channels();
    let hanging = RecordingPoster {
        posted_hanging: Arc::new([channel("ops")].into()),
        ..RecordingPoster::default()
    };
    // Monday 2 June 2025, 10:00 BST: Slack posts #ops's reminder but has not answered when
    // Baton stops, and stopping gives up waiting for it.
    let running = start(
        store.clone(),
        hanging.clone(),
        weekdays_at_nine(None),
        paused_clock(utc("2025-06-02T09:00:00Z")),
    );
    wait(1).await;
    assert_eq!(hanging.sorted_log(), ["post ops", "post web"]);
    running.stop().await;
    // Restarted after the claim would have gone stale: #ops has had its reminder.
    let poster = RecordingPoster::default();
    let running = start(
        store,
        poster.clone(),
        weekdays_at_nine(None),
        paused_clock(utc("2025-06-02T09:30:00Z")),
    );
    wait(1).await;
    assert_eq!(poster.log(), Vec::<String>::new());
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn shutdown_ends_the_scheduler_even_with_retries_pending() {
    let poster = RecordingPoster {
        failures_left: Arc::new(Mutex::new([(channel("ops"), 100)].into())),
        ..RecordingPoster::default()
    };
    let running = start(
        three_channels(),
        poster.clone(),
        weekdays_at_nine(None),
        paused_clock(utc("2025-06-02T10:00:00Z")),
    );
    wait(1).await;
    let started = tokio::time::Instant::now();
    running.stop().await;
    assert!(started.elapsed() < SHUTDOWN_GRACE, "stopped at once");
}

// --- On a real SQLite file ---------------------------------------------------------------

/// A database file with channels `c0`…`c{n-1}`, each with `ann` on call and `bob` next.
async fn seeded_database(dir: &tempfile::TempDir, channels: usize) -> String {
    let path = dir.path().join("baton.db").display().to_string();
    let store = SqliteStore::open(&path).await.unwrap();
    let since = utc("2025-06-02T08:30:00Z");
    for n in 0..channels {
        let c = channel(&format!("c{n}"));
        store
            .record_handover(&c, None, move |_| {
                Ok::<_, ()>(NewHandover {
                    from: None,
                    to: Some(user("ann")),
                    effective_at: since,
                    recorded_at: since,
                    recorded_by: user("ann"),
                    notes: "all quiet".into(),
                })
            })
            .await
            .unwrap()
            .unwrap();
        store
            .set_rota(&c, &[user("ann"), user("bob")], &user("ann"), since, None)
            .await
            .unwrap();
    }
    store.close().await;
    path
}

#[tokio::test]
async fn two_schedulers_on_one_database_post_each_channel_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = seeded_database(&dir, 6).await;
    let poster = RecordingPoster {
        latency: Duration::from_millis(20),
        ..RecordingPoster::default()
    };
    // Two copies of Baton, each with its own connection pool, both starting after 09:00.
    let now = utc("2025-06-02T10:00:00Z");
    let copies = [
        start(
            SqliteStore::open(&path).await.unwrap(),
            poster.clone(),
            weekdays_at_nine(None),
            move || now,
        ),
        start(
            SqliteStore::open(&path).await.unwrap(),
            poster.clone(),
            weekdays_at_nine(None),
            move || now,
        ),
    ];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while poster.log().len() < 6 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Stopped, each copy has finished what it had begun: a double post would be in the log.
    for copy in copies {
        copy.stop().await;
    }
    let expected: Vec<String> = (0..6).map(|n| format!("post c{n}")).collect();
    assert_eq!(poster.sorted_log(), expected);
}

#[tokio::test]
async fn a_stale_claim_in_the_database_is_taken_over_and_a_fresh_one_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let path = seeded_database(&dir, 2).await;
    let store = SqliteStore::open(&path).await.unwrap();
    let settings = weekdays_at_nine(None);
    let now = utc("2025-06-02T10:00:00Z");
    let date: NaiveDate = "2025-06-02".parse().unwrap();
    let minutes = |m: i64| chrono::Duration::minutes(m);
    // A copy that died ten minutes ago holds c0; one that is still posting holds c1.
    for (c, at) in [("c0", now - minutes(10)), ("c1", now - minutes(1))] {
        let claim = store
            .claim_reminder(&channel(c), date, "other", at, at - minutes(5))
            .await
            .unwrap();
        assert_eq!(claim, Claim::Claimed);
    }
    let poster = RecordingPoster::default();
    let cases = [
        (now, [Delivery::Posted, Delivery::Taken]),
        // c1's claim is now six minutes old and was never marked sent.
        (now + minutes(5), [Delivery::Taken, Delivery::Posted]),
        (now + minutes(30), [Delivery::Taken, Delivery::Taken]),
    ];
    for (at, expected) in cases {
        let outcomes = remind_now(
            &store,
            &poster,
            &ConsoleDirectory::default(),
            &settings,
            London,
            at,
        )
        .await
        .unwrap();
        let expected: Vec<_> = ["c0", "c1"]
            .map(channel)
            .into_iter()
            .zip(expected)
            .collect();
        assert_eq!(outcomes, expected, "at {at}");
    }
    assert_eq!(poster.log(), ["post c0", "post c1"]);
    store.close().await;
}

#[tokio::test]
async fn the_console_runs_todays_reminders_once_and_prints_them_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let path = seeded_database(&dir, 1).await;
    let store = SqliteStore::open(&path).await.unwrap();
    let hooks = ConsoleReminders {
        store: store.clone(),
        directory: ConsoleDirectory::default(),
        settings: Some(weekdays_at_nine(Some(Weekday::Mon))),
        tz: London,
    };
    // Friday 6 June, 07:00 BST: before the reminder time, which `:remind` ignores.
    let friday = utc("2025-06-06T06:00:00Z");
    let printed = hooks.remind(friday).await;
    assert_eq!(
        printed,
        [
            "[public in #c0] @ann is on call here, since Mon 2 Jun, 09:30. Next in the rota: \
             @bob.\nNotes from the last handover:\n> all quiet\n",
            "[direct message to bob] Heads-up: your on-call turn in #c0 starts on Monday, when \
             @ann hands the pager to you.\n",
        ]
    );
    assert!(
        hooks.remind(friday).await.is_empty(),
        "already posted today"
    );
    let saturday = utc("2025-06-07T10:00:00Z");
    assert!(
        hooks.remind(saturday).await.is_empty(),
        "not a reminder day"
    );
    let off = ConsoleReminders {
        settings: None,
        ..hooks
    };
    assert!(off.remind(friday).await[0].starts_with("[console] Reminders are off"));
    store.close().await;
}

/// Every day at `time` (HH:MM), with no handover day.
fn every_day_at(time: &str) -> ReminderSettings {
    ReminderSettings {
        time: NaiveTime::parse_from_str(time, "%H:%M").unwrap(),
        days: [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]
        .into_iter()
        .map(WeekdayKey::of)
        .collect(),
        ..weekdays_at_nine(None)
    }
}

/// Reminders of #ops: each one's local date, and when it was posted (RFC 3339).
type Posts = &'static [(&'static str, &'static str)];

/// The reminders of #ops marked sent: each one's local date, and the instant (to the second)
/// its claim was taken, just before it was posted.
fn posted_in_ops(store: &FakeStore) -> Vec<(String, DateTime<Utc>)> {
    let mut posted: Vec<_> = store
        .claims
        .lock()
        .unwrap()
        .iter()
        .filter(|((channel_id, _), row)| *channel_id == channel("ops") && row.sent)
        .map(|((_, date), row)| {
            let second = DateTime::from_timestamp(row.claimed_at.timestamp(), 0).unwrap();
            (date.to_string(), second)
        })
        .collect();
    posted.sort();
    posted
}

#[tokio::test(start_paused = true)]
async fn over_each_clock_change_the_scheduler_posts_once_a_day_at_the_local_time() {
    // Europe/London in 2026: forward on Sunday 29 March (01:00 GMT to 02:00 BST), back on
    // Sunday 25 October (02:00 BST to 01:00 GMT). Three days from the Saturday before.
    // (what, reminder time, start, [(local date, posted at)])
    let cases: [(&str, &str, &str, Posts); 4] = [
        (
            "09:00 across the clocks going forward: 09:00 GMT, then 09:00 BST",
            "09:00",
            "2026-03-28T00:00:00Z",
            &[
                ("2026-03-28", "2026-03-28T09:00:00Z"),
                ("2026-03-29", "2026-03-29T08:00:00Z"),
                ("2026-03-30", "2026-03-30T08:00:00Z"),
            ],
        ),
        (
            "09:00 across the clocks going back: 09:00 BST, then 09:00 GMT",
            "09:00",
            "2026-10-24T00:00:00Z",
            &[
                ("2026-10-24", "2026-10-24T08:00:00Z"),
                ("2026-10-25", "2026-10-25T09:00:00Z"),
                ("2026-10-26", "2026-10-26T09:00:00Z"),
            ],
        ),
        (
            "01:30, skipped on the Sunday: posted at 02:00 BST, the end of the gap",
            "01:30",
            "2026-03-28T00:00:00Z",
            &[
                ("2026-03-28", "2026-03-28T01:30:00Z"),
                ("2026-03-29", "2026-03-29T01:00:00Z"),
                ("2026-03-30", "2026-03-30T00:30:00Z"),
            ],
        ),
        (
            "01:30, repeated on the Sunday: posted once, at 01:30 BST, the first",
            "01:30",
            "2026-10-24T00:00:00Z",
            &[
                ("2026-10-24", "2026-10-24T00:30:00Z"),
                ("2026-10-25", "2026-10-25T00:30:00Z"),
                ("2026-10-26", "2026-10-26T01:30:00Z"),
            ],
        ),
    ];
    for (what, time, from, expected) in cases {
        let store = three_channels();
        let poster = RecordingPoster::default();
        let running = start(
            store.clone(),
            poster.clone(),
            every_day_at(time),
            paused_clock(utc(from)),
        );
        wait(3 * 24 * 3600).await;
        running.stop().await;
        let expected: Vec<_> = expected
            .iter()
            .map(|(date, at)| (date.to_string(), utc(at)))
            .collect();
        assert_eq!(posted_in_ops(&store), expected, "{what}");
        assert_eq!(poster.log().len(), 6, "{what}: once a day in each channel");
    }
}

#[tokio::test(start_paused = true)]
async fn a_reminder_still_failing_at_local_midnight_on_a_clock_change_day_is_not_posted_a_day_late()
{
    // A 23:30 reminder whose post fails is tried again after 30 s, 2 min, 10 min and 30 min:
    // the fifth try comes 42½ minutes after the first, on the next local date. On 29 March 2026
    // that date begins at 23:00 UTC, an hour before UTC's; on 25 October 2026 the 23:30 is GMT,
    // an hour later than the 23:30 BST the day began in.
    // (what, start, failures, [(local date, posted at)] in #ops)
    let cases: [(&str, &str, u32, Posts); 4] = [
        (
            "forward: after three failures the fourth try, at 23:42:30 BST, posts it",
            "2026-03-29T22:00:00Z",
            3,
            &[("2026-03-29", "2026-03-29T22:42:30Z")],
        ),
        (
            "forward: after four the fifth would be at 00:12:30 BST on Monday: given up",
            "2026-03-29T22:00:00Z",
            4,
            &[],
        ),
        (
            "back: after three failures the fourth try, at 23:42:30 GMT, posts it",
            "2026-10-25T22:00:00Z",
            3,
            &[("2026-10-25", "2026-10-25T23:42:30Z")],
        ),
        (
            "back: after four the fifth would be at 00:12:30 GMT on Monday: given up",
            "2026-10-25T22:00:00Z",
            4,
            &[],
        ),
    ];
    for (what, from, failures, expected) in cases {
        let store = three_channels();
        let poster = RecordingPoster {
            failures_left: Arc::new(Mutex::new([(channel("ops"), failures)].into())),
            ..RecordingPoster::default()
        };
        let running = start(
            store.clone(),
            poster.clone(),
            every_day_at("23:30"),
            paused_clock(utc(from)),
        );
        // Past every retry, and short of Monday's 23:30.
        wait(4 * 3600).await;
        running.stop().await;
        let expected: Vec<_> = expected
            .iter()
            .map(|(date, at)| (date.to_string(), utc(at)))
            .collect();
        assert_eq!(posted_in_ops(&store), expected, "{what}");
    }
}
