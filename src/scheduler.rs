//! Daily channel reminders, the acting half: a loop that sleeps until the next reminder time (or
//! a shutdown signal), asks [`crate::domain::reminders`] what is due, and posts each channel's
//! reminder exactly once.
//!
//! Exactly once, across restarts and several running copies of Baton, comes from the store: each
//! (channel, local date) is claimed before posting and marked sent after. A claim that was never
//! marked sent and is older than [`STALE_AFTER`] (its poster died mid-post) is taken over. A copy
//! that finds a claim taken looks once more after that window, so a claim left by a crashed copy
//! is still posted the same day. Every post is bounded by [`POST_TIMEOUT`], well inside the
//! window, so a live poster is never taken over.
//!
//! Each channel is posted from its own task: a slow or failing channel holds up neither the
//! others nor anything else the process does. A channel Baton cannot post to is logged and
//! skipped; a post that failed after the poster's own retries is released and tried again later
//! that day, with backoff, never on a later date. A post that may have arrived after all (Slack
//! took too long to answer, or answered `fatal_error`) is marked sent and logged, not tried
//! again: a slow Slack would otherwise show the reminder once per retry.

use crate::commands::{handover, has_left, Directory, Reply};
use crate::console::ConsoleHooks;
use crate::domain::ids::{ChannelId, UserId};
use crate::domain::reminders::ReminderSettings;
use crate::domain::reminders::{self, DuePost};
use crate::domain::text;
use crate::store::{ChannelOnCall, Claim, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// How long a claim may stay unmarked before another copy of Baton takes it over.
pub const STALE_AFTER: Duration = Duration::from_secs(5 * 60);
/// The longest one post (or direct message) may take, the poster's own retries included. Must be
/// well under [`STALE_AFTER`], or a slow but live post could be taken over and posted twice.
pub const POST_TIMEOUT: Duration = Duration::from_secs(2 * 60);
// Checked when Baton is built, not left to the comment above.
const _: () = assert!(POST_TIMEOUT.as_secs() * 2 <= STALE_AFTER.as_secs());
/// Waits before trying a failed channel again, in order; then it is given up for the day.
const RETRY_DELAYS: [Duration; 5] = [
    Duration::from_secs(30),
    Duration::from_secs(2 * 60),
    Duration::from_secs(10 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(60 * 60),
];
/// The loop looks at the clock at least this often, so a wall-clock jump (NTP, a suspended
/// machine) is noticed: timers follow the monotonic clock, reminders the wall clock.
const MAX_SLEEP: Duration = Duration::from_secs(15 * 60);
/// How long shutdown waits for posts in flight before abandoning them: within the 10 s a
/// service manager (Docker, systemd's default is longer) gives before SIGKILL.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// How long shutdown gives the reminders it cut off mid-post to be marked sent, all together.
const MARK_AT_SHUTDOWN: Duration = Duration::from_secs(1);
/// How soon to try again when the channels could not be read from the store.
const STORE_RETRY: Duration = Duration::from_secs(60);

/// Where reminders go: Slack in production, the terminal in `baton console`, a recorder in tests.
pub trait Poster: Send + Sync {
    /// Posts a public message in a channel. Retries transient failures itself (Slack's 429 with
    /// `Retry-After`, 5xx with backoff), within [`POST_TIMEOUT`].
    fn post_message(
        &self,
        channel: &ChannelId,
        message: &Reply,
    ) -> impl Future<Output = Result<(), PostError>> + Send;

    /// Sends a direct message to a person, retrying as [`Poster::post_message`] does.
    fn send_dm(
        &self,
        user: &UserId,
        message: &Reply,
    ) -> impl Future<Output = Result<(), PostError>> + Send;
}

/// Why a post did not happen.
#[derive(Debug, thiserror::Error)]
pub enum PostError {
    /// Baton cannot post there (`not_in_channel`, `channel_not_found`, `is_archived`, …): log
    /// and skip; trying again will not help.
    #[error("Baton cannot post there: {0}")]
    Unreachable(String),
    /// A transient failure the poster gave up on after its retries; worth trying later.
    #[error("posting failed: {0}")]
    Failed(String),
    /// The poster gave up, but the post may have arrived all the same (an attempt timed out,
    /// or Slack answered `fatal_error`): not tried again, or a slow Slack would show it once per
    /// retry.
    #[error("Slack may have posted it, or not: {0}")]
    MaybePosted(String),
    /// Slack refused Baton itself (its bot token revoked, a scope missing): no retry by this
    /// process can work, and a Baton restarted with a working token should post it today.
    #[error("Slack refused Baton: {0}")]
    Refused(String),
}

/// What one attempt at a channel's reminder came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Posted by this caller, and marked sent.
    Posted,
    /// Already sent, or being posted by someone else.
    Taken,
    /// The channel cannot be posted to; marked sent so that nobody tries again today.
    Unreachable,
    /// Failed for now; the claim was released so a later attempt may try again today.
    Failed(String),
    /// Slack refused Baton's token or scopes; the claim was released, for a Baton restarted
    /// with a working token.
    Refused,
    /// Slack did not say whether it was posted; marked sent, so that nobody posts it twice.
    MaybePosted,
}

/// The reminders whose delivery was cut off (its task aborted at shutdown) between its claim and
/// its mark or release: perhaps mid-post, so Slack may have posted it. The scheduler marks them
/// sent once it has stopped its tasks, as [`Delivery::MaybePosted`] is, rather than leave a
/// claim that goes stale and is posted again by the next start that day.
#[derive(Debug, Default)]
pub struct CutOff(Mutex<Vec<(ChannelId, NaiveDate)>>);

impl CutOff {
    fn take(&self) -> Vec<(ChannelId, NaiveDate)> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// A claimed reminder not yet marked sent or released: dropped while armed (its task aborted),
/// it is left in [`CutOff`].
struct Claimed<'a> {
    cut_off: &'a CutOff,
    post: Option<(ChannelId, NaiveDate)>,
}

impl Claimed<'_> {
    fn settled(mut self) {
        self.post = None;
    }
}

impl Drop for Claimed<'_> {
    fn drop(&mut self) {
        if let Some(post) = self.post.take() {
            self.cut_off
                .0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(post);
        }
    }
}

/// Claims `post` in the store, posts it (and its direct message), and marks it sent: one attempt,
/// no waiting. `clock` gives the claim and sent times. Cut off between its claim and its mark,
/// it leaves the post in `cut_off`.
pub async fn deliver<S: Store, P: Poster>(
    store: &S,
    poster: &P,
    post: &DuePost,
    claimant: &str,
    clock: &(impl Fn() -> DateTime<Utc> + Sync),
    cut_off: &CutOff,
) -> Result<Delivery, StoreError> {
    let now = clock();
    let stale_before = now - chrono::Duration::from_std(STALE_AFTER).unwrap_or_default();
    let claim = store
        .claim_reminder(&post.channel, post.date, claimant, now, stale_before)
        .await?;
    if claim == Claim::Taken {
        return Ok(Delivery::Taken);
    }
    let claimed = Claimed {
        cut_off,
        post: Some((post.channel.clone(), post.date)),
    };
    let message = Reply::public(post.message.clone());
    let outcome = match bounded(poster.post_message(&post.channel, &message)).await {
        Ok(()) => Delivery::Posted,
        Err(PostError::Unreachable(reason)) => {
            tracing::warn!(
                channel = %post.channel,
                date = %post.date,
                %reason,
                "cannot post the daily reminder in this channel; skipping it (invite Baton to the \
                 channel to get reminders there)"
            );
            Delivery::Unreachable
        }
        Err(PostError::Failed(reason)) => {
            // Surely not posted: settled first, so a stop during the release leaves the claim to
            // go stale and be posted by the next start, never marked sent.
            claimed.settled();
            release(store, post, claimant).await;
            return Ok(Delivery::Failed(reason));
        }
        Err(PostError::MaybePosted(reason)) => {
            // Missing one morning's reminder is the lesser harm: an operator can post it by
            // hand, where a channel shown it a dozen times cannot be mended.
            tracing::error!(
                channel = %post.channel,
                date = %post.date,
                %reason,
                "the daily reminder may not have been posted: Slack did not say whether it was \
                 (an attempt timed out, or it answered fatal_error), and posting it again could \
                 show it twice; not trying again today (check the channel)"
            );
            Delivery::MaybePosted
        }
        Err(PostError::Refused(reason)) => {
            tracing::error!(
                channel = %post.channel,
                date = %post.date,
                %reason,
                "Slack refused Baton's bot token or its permissions: the daily reminder is not \
                 posted. Check SLACK_BOT_TOKEN and the app's scopes (README, Slack setup), then \
                 restart Baton"
            );
            claimed.settled();
            release(store, post, claimant).await;
            return Ok(Delivery::Refused);
        }
    };
    // Marked before the direct message is sent: the message can take as long as its retries
    // (minutes, if Slack is struggling), and a stop or crash meanwhile must not leave the posted
    // reminder claimed but unmarked, to be posted again once the claim went stale.
    mark_sent(store, post, clock).await;
    claimed.settled();
    // The direct message rides on the channel's claim, so it is sent at most once too. It is not
    // retried on its own: that would need a claim of its own.
    if let Some(dm) = &post.dm {
        let message = Reply::private(dm.message.clone());
        if let Err(error) = bounded(poster.send_dm(&dm.user, &message)).await {
            tracing::warn!(channel = %post.channel, user = %dm.user, error = %crate::commands::error_chain(&error), "could not send the heads-up direct message");
        }
    }
    Ok(outcome)
}

/// Gives up this claimant's claim on a reminder that was not posted, so a later attempt (or a
/// restarted Baton) may post it today.
async fn release<S: Store>(store: &S, post: &DuePost, claimant: &str) {
    if let Err(error) = store
        .release_reminder(&post.channel, post.date, claimant)
        .await
    {
        // The claim goes stale instead and is taken over after STALE_AFTER.
        tracing::warn!(channel = %post.channel, error = %crate::commands::error_chain(&error), "could not release a reminder claim");
    }
}

/// Marks a posted reminder sent, trying a few times. Never fails the delivery: the post has
/// happened, and posting again because the mark failed would be the double post claims exist to
/// prevent. A mark that never lands leaves a claim that goes stale, which another copy of Baton
/// could take over: logged as an error for that reason.
async fn mark_sent<S: Store>(
    store: &S,
    post: &DuePost,
    clock: &(impl Fn() -> DateTime<Utc> + Sync),
) {
    const ATTEMPTS: u32 = 3;
    for attempt in 1..=ATTEMPTS {
        match store
            .mark_reminder_sent(&post.channel, post.date, clock())
            .await
        {
            Ok(()) => return,
            Err(error) if attempt == ATTEMPTS => {
                tracing::error!(channel = %post.channel, error = %crate::commands::error_chain(&error), "posted the reminder but could not mark it sent; another copy of Baton may post it again");
            }
            Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
        }
    }
}

/// A post bounded by [`POST_TIMEOUT`]. Running out of time cuts off whatever the poster was
/// doing, perhaps a request Slack is carrying out: the post may have arrived.
async fn bounded(post: impl Future<Output = Result<(), PostError>>) -> Result<(), PostError> {
    tokio::time::timeout(POST_TIMEOUT, post)
        .await
        .unwrap_or_else(|_| Err(PostError::MaybePosted("timed out".into())))
}

/// A name for this copy of Baton in the claims it makes, for anyone reading the database.
fn claimant(now: DateTime<Utc>) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "baton-{}-{}-{}",
        std::process::id(),
        now.timestamp(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

struct Shared<S, P, D, C> {
    store: S,
    poster: P,
    directory: D,
    tz: Tz,
    clock: C,
    claimant: String,
    cut_off: CutOff,
}

/// Runs the daily reminders until `shutdown` completes: posts what is due at startup (today's
/// reminder if its time has passed, by at most four hours (`LATE_AT_MOST`), and nobody posted
/// it), then sleeps until each next reminder
/// time. `clock` is the wall clock (`Utc::now` in production; tests pass a fake that follows
/// tokio's paused time). Spawn it as its own task next to the Slack listener:
///
/// ```ignore
/// tokio::spawn(run_scheduler(store, poster, directory, settings, config.timezone, Utc::now, shutdown));
/// ```
///
/// On shutdown, posts in flight get a few seconds to finish; a post cut off after its claim is
/// marked sent (Slack may have posted it), not posted again by the next start that day.
pub async fn run_scheduler<S, P, D, C>(
    store: S,
    poster: P,
    directory: D,
    settings: ReminderSettings,
    tz: Tz,
    clock: C,
    shutdown: impl Future<Output = ()>,
) where
    S: Store + 'static,
    P: Poster + 'static,
    D: Directory + 'static,
    C: Fn() -> DateTime<Utc> + Send + Sync + 'static,
{
    let shared = Arc::new(Shared {
        claimant: claimant(clock()),
        cut_off: CutOff::default(),
        store,
        poster,
        directory,
        tz,
        clock,
    });
    let (stop, stopped) = watch::channel(());
    let mut tasks = JoinSet::new();
    let mut last_checked = None;
    tokio::pin!(shutdown);
    tracing::info!(claimant = %shared.claimant, time = %settings.time, "reminders scheduled");
    loop {
        let now = (shared.clock)();
        let decision = reminders::decide(&settings, tz, now, last_checked);
        let mut sleep = decision
            .next_wake
            .map_or(MAX_SLEEP, |at| (at - now).to_std().unwrap_or_default())
            .min(MAX_SLEEP);
        last_checked = Some(now);
        if let Some(date) = decision.due {
            match shared.store.channels_on_call(handover::begun_by(now)).await {
                Ok(channels) => {
                    let posts = due_posts(
                        &shared.store,
                        &shared.directory,
                        &settings,
                        tz,
                        date,
                        now,
                        &channels,
                    )
                    .await;
                    tracing::info!(%date, channels = posts.len(), "daily reminders due");
                    for post in posts {
                        tasks.spawn(remind_channel(shared.clone(), post, stopped.clone()));
                    }
                }
                Err(error) => {
                    tracing::error!(error = %crate::commands::error_chain(&error), %date, "cannot read the channels for today's reminders; trying again shortly");
                    // Keep the reminder due: look again soon as if this check never happened.
                    last_checked = None;
                    sleep = sleep.min(STORE_RETRY);
                }
            }
        }
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(sleep) => {}
            Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                if let Err(error) = joined {
                    tracing::error!(error = %crate::commands::error_chain(&error), "a reminder task failed");
                }
            }
        }
    }
    // Wake tasks waiting to retry so they end; give posts in flight a moment to finish.
    drop(stop);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!("reminder posts still in flight at shutdown were abandoned");
        tasks.shutdown().await;
    }
    // Each one cut off after its claim may have been posted: marked sent, as a post Slack did not
    // answer is, rather than posted again by the next start today. One try each, all within one
    // bound: the database is closed next.
    let cut_off = shared.cut_off.take();
    for (channel, date) in &cut_off {
        tracing::error!(
            %channel,
            %date,
            "stopped while posting the daily reminder, which may not have been posted: not trying \
             again today (check the channel)"
        );
    }
    let shared = &shared;
    let marks = cut_off.iter().map(|(channel, date)| async move {
        let marked = shared
            .store
            .mark_reminder_sent(channel, *date, (shared.clock)())
            .await;
        if let Err(error) = marked {
            tracing::error!(%channel, %date, error = %crate::commands::error_chain(&error), "could not mark it sent; the next start may post it again");
        }
    });
    if tokio::time::timeout(MARK_AT_SHUTDOWN, futures_util::future::join_all(marks))
        .await
        .is_err()
    {
        tracing::error!(
            "could not mark the reminders cut off sent in time; the next start may post them again"
        );
    }
}

/// Posts one channel's reminder, trying again after failures while it is still its date.
#[tracing::instrument(skip_all, fields(channel = %post.channel, date = %post.date))]
async fn remind_channel<S: Store, P: Poster, D, C: Fn() -> DateTime<Utc> + Send + Sync>(
    shared: Arc<Shared<S, P, D, C>>,
    post: DuePost,
    mut stopped: watch::Receiver<()>,
) {
    let mut failures = 0;
    let mut rechecked = false;
    loop {
        let today = (shared.clock)().with_timezone(&shared.tz).date_naive();
        if today != post.date {
            tracing::error!("the daily reminder was never posted and its date is over");
            return;
        }
        let wait = match deliver(
            &shared.store,
            &shared.poster,
            &post,
            &shared.claimant,
            &shared.clock,
            &shared.cut_off,
        )
        .await
        {
            Ok(Delivery::Posted) => {
                tracing::info!("daily reminder posted");
                return;
            }
            // Said by `deliver`: the channel cannot take posts (at WARN), Slack refused
            // Baton's token (at ERROR; retrying with the same token cannot help), or Slack may
            // have posted it (at ERROR; posting again could show it twice).
            Ok(Delivery::Unreachable | Delivery::Refused | Delivery::MaybePosted) => return,
            Ok(Delivery::Taken) if !rechecked => {
                // Posted already, or someone is posting it; if they died, their claim goes
                // stale and is ours to take over after the window.
                rechecked = true;
                STALE_AFTER + Duration::from_secs(30)
            }
            Ok(Delivery::Taken) => {
                // Said, so a reminder that never appears in Slack can be traced: a console on
                // this database, or another Baton, claimed it.
                tracing::info!(
                    "the daily reminder was already posted, or is being posted, from this \
                     database (by this Baton before a restart, another Baton, or a console's \
                     :remind); not posting it again"
                );
                return;
            }
            Ok(Delivery::Failed(reason)) => {
                let Some(&wait) = RETRY_DELAYS.get(failures) else {
                    tracing::error!(%reason, "gave up on today's reminder after repeated failures");
                    return;
                };
                tracing::warn!(%reason, retry_in = ?wait, "the daily reminder failed; trying again later");
                failures += 1;
                wait
            }
            Err(error) => {
                let Some(&wait) = RETRY_DELAYS.get(failures) else {
                    tracing::error!(error = %crate::commands::error_chain(&error), "gave up on today's reminder: the store keeps failing");
                    return;
                };
                tracing::warn!(error = %crate::commands::error_chain(&error), retry_in = ?wait, "store error while posting the daily reminder; trying again later");
                failures += 1;
                wait
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stopped.changed() => return,
        }
    }
}

/// The reminders of `date` (at `now`) for `channels`: what the scheduler posts when they are due,
/// and the console's `:remind` at once. Reads what the messages name: the people the notes
/// mention, and whether the person next in each rota has left.
async fn due_posts<S: Store, D: Directory>(
    store: &S,
    directory: &D,
    settings: &ReminderSettings,
    tz: Tz,
    date: NaiveDate,
    now: DateTime<Utc>,
    channels: &[ChannelOnCall],
) -> Vec<DuePost> {
    let names = names_in_notes(store, channels).await;
    let gone = who_left(directory, channels).await;
    reminders::posts(
        settings,
        tz,
        date,
        now,
        channels
            .iter()
            .map(|c| (&c.channel, &c.state, c.ahead.as_ref().map(|a| &a.coming))),
        &names,
        &gone,
    )
}

/// The stored names of the people the channels' last notes mention, which the reminders show
/// instead of mentioning them again. Without them (the store failing) the reminders still go,
/// naming people by what the mention itself says.
async fn names_in_notes<S: Store>(
    store: &S,
    channels: &[ChannelOnCall],
) -> std::collections::HashMap<UserId, String> {
    let mut people: Vec<UserId> = Vec::new();
    for c in channels {
        if let Some(h) = &c.state.current {
            for id in text::people_mentioned(&h.notes) {
                if !people.contains(&id) {
                    people.push(id);
                }
            }
        }
    }
    if people.is_empty() {
        return std::collections::HashMap::new();
    }
    store.names(&people).await.unwrap_or_else(|error| {
        tracing::warn!(error = %crate::commands::error_chain(&error), "cannot read the names of people the notes mention");
        std::collections::HashMap::new()
    })
}

/// The people on call, or next in a channel's rota, whose accounts are deactivated: the reminder
/// says they have left (a holder who left is still paid), and sends them no heads-up. One
/// lookup per person, cached by the directory; the first that fails ends the asking, and counts
/// them and everyone not yet asked as present, as the reminder said before it knew.
async fn who_left<D: Directory>(directory: &D, channels: &[ChannelOnCall]) -> HashSet<UserId> {
    let mut gone = HashSet::new();
    let mut asked = HashSet::new();
    let mut named: Vec<&UserId> = Vec::new();
    for c in channels {
        named.extend(c.state.current.as_ref().and_then(|h| h.to.as_ref()));
        named.extend(c.state.next_in_rota());
    }
    for next in named {
        if !asked.insert(next.clone()) {
            continue;
        }
        match has_left(directory, next).await {
            Ok(true) => {
                gone.insert(next.clone());
            }
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(%error, "cannot check whether the people on call and next in the rotas are still here");
                break;
            }
        }
    }
    gone
}

/// Runs today's reminders now, whatever the time of day (on a reminder day), through the same
/// claim-then-post path as the scheduler: each channel is posted at most once per date, however
/// it is run. Returns what happened to each post; failures are not retried.
pub async fn remind_now<S: Store, P: Poster, D: Directory>(
    store: &S,
    poster: &P,
    directory: &D,
    settings: &ReminderSettings,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<Vec<(ChannelId, Delivery)>, StoreError> {
    let Some(date) = reminders::today_if_reminder_day(settings, tz, now) else {
        return Ok(Vec::new());
    };
    // As the status judges it: a handover recorded up to the allowed clock skew ahead (another
    // clock on the database) has begun; one further ahead is named as coming.
    let channels = store.channels_on_call(handover::begun_by(now)).await?;
    let posts = due_posts(store, directory, settings, tz, date, now, &channels).await;
    let claimant = claimant(now);
    // Nothing here is aborted part-way: run to the end, each delivery settles its claim.
    let cut_off = CutOff::default();
    let mut outcomes = Vec::with_capacity(posts.len());
    for post in posts {
        let delivery = deliver(store, poster, &post, &claimant, &|| now, &cut_off).await?;
        outcomes.push((post.channel, delivery));
    }
    Ok(outcomes)
}

/// A poster for `baton console`: keeps each message as a printable line.
#[derive(Debug, Default)]
pub struct ConsolePoster {
    lines: Mutex<Vec<String>>,
}

impl ConsolePoster {
    /// The lines posted so far, emptying the list.
    pub fn take(&self) -> Vec<String> {
        self.lines
            .lock()
            .map(|mut lines| std::mem::take(&mut *lines))
            .unwrap_or_default()
    }

    fn push(&self, line: String) {
        if let Ok(mut lines) = self.lines.lock() {
            lines.push(line);
        }
    }
}

impl Poster for ConsolePoster {
    async fn post_message(&self, channel: &ChannelId, message: &Reply) -> Result<(), PostError> {
        self.push(format!(
            "[public in #{channel}] {}\n",
            text::plain(&message.text)
        ));
        Ok(())
    }

    async fn send_dm(&self, user: &UserId, message: &Reply) -> Result<(), PostError> {
        self.push(format!(
            "[direct message to {user}] {}\n",
            text::plain(&message.text)
        ));
        Ok(())
    }
}

/// The console's `:remind`: today's reminders, now, claimed like the scheduler claims them.
pub struct ConsoleReminders<S> {
    pub store: S,
    /// The session's directory, so that a person `:deactivate`d has left here too.
    pub directory: crate::console::ConsoleDirectory,
    /// `None` when the config has no `[reminders]` (or they are disabled).
    pub settings: Option<ReminderSettings>,
    pub tz: Tz,
}

impl<S: Store> ConsoleHooks for ConsoleReminders<S> {
    async fn remind(&self, now: DateTime<Utc>) -> Vec<String> {
        let Some(settings) = &self.settings else {
            return vec![
                "[console] Reminders are off: add a [reminders] section to the config file, or set `enabled = true` in it, to turn them on.\n"
                    .to_owned(),
            ];
        };
        let poster = ConsolePoster::default();
        match remind_now(
            &self.store,
            &poster,
            &self.directory,
            settings,
            self.tz,
            now,
        )
        .await
        {
            Ok(_) => poster.take(),
            Err(error) => {
                tracing::error!(error = %crate::commands::error_chain(&error), "console reminders failed");
                let mut lines = poster.take();
                lines.push(format!("[console] Reminders stopped: {error}\n"));
                lines
            }
        }
    }
}

#[cfg(test)]
mod tests;
