//! The Web API side in this process: posting with retries, DMs, and the user directory.

use super::support::fake_slack::{ChannelState, FakeSlack, Fault};
use super::{workspace, ALICE, BOB, DAVE_GONE, DEPLOYBOT, OPS};
use baton::commands::{AccountKind, Block, Directory, MentionRef, Reply};
use baton::domain::ids::{ChannelId, UserId};
use baton::slack::{
    DirectorySettings, PostError, RetryPolicy, SlackApp, SlackDirectory, SlackPoster,
    SlackSettings, StartupError,
};
use std::time::{Duration, Instant};

fn settings(slack: &FakeSlack, bot_token: &str) -> SlackSettings {
    let api_url = format!("{}/", slack.api_url());
    let bot_token = bot_token.to_owned();
    SlackSettings::from_vars(|name| match name {
        "SLACK_APP_TOKEN" => Some(slack.app_token().to_owned()),
        "SLACK_BOT_TOKEN" => Some(bot_token.clone()),
        "SLACK_API_URL" => Some(api_url.clone()),
        _ => None,
    })
    .expect("valid settings")
}

fn poster(slack: &FakeSlack) -> SlackPoster {
    SlackPoster::from_settings(&settings(slack, slack.bot_token()))
}

fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        first_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(200),
        total: Duration::from_secs(2),
        attempt_timeout: Duration::from_secs(1),
    }
}

fn ops() -> ChannelId {
    ChannelId::parse(OPS).unwrap()
}

#[tokio::test]
async fn a_post_that_is_rate_limited_twice_arrives_once_after_the_wait() {
    let slack = workspace().await;
    slack.fail_next(
        "chat.postMessage",
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        2,
    );
    let started = Instant::now();
    poster(&slack)
        .post_message(&ops(), &Reply::public("Reminder: <@U0BOB00001> is on call"))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let posted = slack.posted_messages();
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0].channel, OPS);
    assert_eq!(posted[0].text, "Reminder: <@U0BOB00001> is on call");
    assert_eq!(slack.calls_to("chat.postMessage").len(), 3);
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff_then_given_up_within_the_budget() {
    let slack = workspace().await;
    slack.fail_next("chat.postMessage", Fault::Status(500), 1000);
    let started = Instant::now();
    let err = poster(&slack)
        .with_policy(fast_policy())
        .post_message(&ops(), &Reply::public("x"))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    // Waits of 20, 40, 80, 160, then 200 ms: it keeps trying until the next attempt could not
    // start inside the 2 s budget, and no longer.
    let PostError::GaveUp {
        attempts,
        maybe_done,
        ..
    } = err
    else {
        panic!("{err:?}");
    };
    assert!(attempts >= 8, "{attempts} attempts");
    // Slack answered every one: nothing was posted, so a later try may post it.
    assert!(!maybe_done);
    // Doubling allows at most 13 attempts in the budget (the 13th starts 1.9 s in, after waits
    // totalling 20 + 40 + 80 + 160 + 8 × 200 ms); a wait that did not grow would allow about 100.
    assert!(
        attempts <= 13,
        "{attempts} attempts: the wait does not grow"
    );
    let calls = slack.calls_to("chat.postMessage");
    assert_eq!(calls.len() as u32, attempts);
    // Each wait is at least the backoff, doubling from 20 ms up to 200 ms. Lower bounds only: a
    // loaded machine makes the gaps longer, never shorter.
    for (k, pair) in calls.windows(2).enumerate() {
        let gap = pair[1].at.duration_since(pair[0].at);
        let backoff = Duration::from_millis((20u64 << k.min(8)).min(200));
        assert!(
            gap >= backoff,
            "wait {k} was {gap:?}, less than the backoff {backoff:?}"
        );
    }
    // Every attempt starts inside the budget; the last one's own request may end after it.
    let last_start = calls[calls.len() - 1].at.duration_since(started);
    assert!(last_start < Duration::from_secs(2), "{last_start:?}");
    // It gives up once that attempt is answered: the budget and one request, not a retry more.
    assert!(
        elapsed >= Duration::from_millis(1500) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
    assert!(slack.posted_messages().is_empty());
}

/// A post that timed out may have been carried out (there is no idempotency key), so a slow
/// Slack gets one retry, not one per attempt in the budget: a message shows at most twice.
#[tokio::test]
async fn a_post_that_times_out_is_retried_once_then_given_up() {
    let slack = workspace().await;
    slack.fail_next(
        "chat.postMessage",
        Fault::Delay(Duration::from_millis(600)),
        10,
    );
    let started = Instant::now();
    let err = poster(&slack)
        .with_policy(RetryPolicy {
            attempt_timeout: Duration::from_millis(200),
            total: Duration::from_secs(10),
            ..fast_policy()
        })
        .post_message(&ops(), &Reply::public("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PostError::GaveUp {
                attempts: 2,
                maybe_done: true,
                ..
            }
        ),
        "{err:?}"
    );
    // Two 200 ms attempts and one short backoff, well inside the 10 s budget.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// Slack's `fatal_error` "may have succeeded in part": as a time-out, one retry only.
#[tokio::test]
async fn a_post_slack_answers_with_fatal_error_is_retried_once_then_given_up() {
    let slack = workspace().await;
    slack.fail_next(
        "chat.postMessage",
        Fault::SlackError("fatal_error".into()),
        10,
    );
    let err = poster(&slack)
        .with_policy(fast_policy())
        .post_message(&ops(), &Reply::public("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PostError::GaveUp {
                attempts: 2,
                maybe_done: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(slack.calls_to("chat.postMessage").len(), 2);
}

#[tokio::test]
async fn a_retry_after_past_the_budget_gives_up_at_once_rather_than_asking_early() {
    let slack = workspace().await;
    slack.fail_next(
        "chat.postMessage",
        Fault::RateLimited {
            retry_after_secs: 5,
        },
        1,
    );
    let started = Instant::now();
    let err = poster(&slack)
        .with_policy(fast_policy())
        .post_message(&ops(), &Reply::public("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, PostError::GaveUp { attempts: 1, .. }),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(slack.calls_to("chat.postMessage").len(), 1);
}

#[tokio::test]
async fn an_absurd_retry_after_gives_up_at_once_rather_than_overflowing() {
    // The longest `Retry-After` a header can carry: added to the time already spent (over a
    // second, after a first 429), it overflowed a `Duration` and panicked the posting task.
    let slack = workspace().await;
    for retry_after_secs in [1, u64::MAX] {
        slack.fail_next(
            "chat.postMessage",
            Fault::RateLimited { retry_after_secs },
            1,
        );
    }
    let err = poster(&slack)
        .with_policy(fast_policy())
        .post_message(&ops(), &Reply::public("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, PostError::GaveUp { attempts: 2, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_passing_server_error_is_retried_and_the_message_arrives_once() {
    let slack = workspace().await;
    slack.fail_next("chat.postMessage", Fault::Status(503), 1);
    poster(&slack)
        .with_policy(fast_policy())
        .post_message(&ops(), &Reply::public("x"))
        .await
        .unwrap();
    assert_eq!(slack.posted_messages().len(), 1);
}

#[tokio::test]
async fn an_archived_or_unjoined_channel_is_undeliverable_and_not_retried() {
    let slack = workspace().await;
    for (channel, state, code) in [
        ("C0ARCHIVED", ChannelState::Archived, "is_archived"),
        ("C0NOTJOIND", ChannelState::NotInChannel, "not_in_channel"),
        ("C0DELETED1", ChannelState::NotFound, "channel_not_found"),
    ] {
        slack.set_channel(channel, state);
        let err = poster(&slack)
            .post_message(&ChannelId::parse(channel).unwrap(), &Reply::public("x"))
            .await
            .unwrap_err();
        assert!(err.is_undeliverable(), "{err:?}");
        assert!(err.to_string().contains(code), "{err}");
    }
    assert_eq!(slack.calls_to("chat.postMessage").len(), 3);
}

#[tokio::test]
async fn a_dm_opens_the_conversation_then_posts_with_blocks() {
    let slack = workspace().await;
    let reply = Reply::private("You are on call from 10:00")
        .with_blocks(vec![Block::Header("On call".into())]);
    poster(&slack)
        .send_dm(&UserId::parse(BOB).unwrap(), &reply)
        .await
        .unwrap();
    assert_eq!(slack.calls_to("conversations.open").len(), 1);
    let posted = slack.posted_messages();
    assert_eq!(posted[0].channel, "D0BOB00001");
    assert_eq!(posted[0].text, "You are on call from 10:00");
    assert_eq!(posted[0].blocks[0]["type"], "header");
}

#[tokio::test]
async fn startup_names_the_rejected_token() {
    let slack = workspace().await;
    let err = SlackApp::connect(settings(&slack, "xoxb-not-a-real-one"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StartupError::Rejected { var: "SLACK_BOT_TOKEN", ref code, .. } if code == "invalid_auth"),
        "{err:?}"
    );
}

/// The fake workspace, and the directory of a Baton connected to it.
async fn directory_on_workspace() -> (FakeSlack, SlackDirectory) {
    let slack = workspace().await;
    let app = SlackApp::connect(settings(&slack, slack.bot_token()))
        .await
        .unwrap();
    let directory = app.directory();
    (slack, directory)
}

async fn lookup(directory: &impl Directory, id: &str) -> Option<AccountKind> {
    let who = MentionRef::Id(UserId::parse(id).unwrap());
    directory.lookup(&who).await.unwrap().map(|p| p.kind)
}

#[tokio::test]
async fn the_directory_tells_people_bots_deactivated_and_unknown_users_apart() {
    // The fake Slack stops when dropped: keep it for the whole test.
    let (_slack, directory) = directory_on_workspace().await;
    assert_eq!(lookup(&directory, ALICE).await, Some(AccountKind::Person));
    assert_eq!(lookup(&directory, DEPLOYBOT).await, Some(AccountKind::Bot));
    assert_eq!(
        lookup(&directory, DAVE_GONE).await,
        Some(AccountKind::Deactivated)
    );
    assert_eq!(lookup(&directory, "U0NOBODY01").await, None);
    let by_name = directory
        .lookup(&MentionRef::Name("alice".into()))
        .await
        .unwrap();
    assert_eq!(by_name, None);
    let person = directory
        .lookup(&MentionRef::Id(UserId::parse(ALICE).unwrap()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(person.name, "alice");
}

#[tokio::test]
async fn the_directory_caches_answers() {
    let (slack, directory) = directory_on_workspace().await;
    for _ in 0..3 {
        assert_eq!(lookup(&directory, BOB).await, Some(AccountKind::Person));
        assert_eq!(lookup(&directory, "U0NOBODY01").await, None);
    }
    assert_eq!(slack.calls_to("users.info").len(), 2);
}

#[tokio::test]
async fn lookups_of_one_person_at_once_share_one_users_info_call() {
    let (slack, directory) = directory_on_workspace().await;
    // Slow enough that every lookup below starts before the first call is answered.
    slack.fail_next("users.info", Fault::Delay(Duration::from_millis(200)), 1);
    let lookups = (0..20).map(|i| lookup(&directory, if i % 2 == 0 { ALICE } else { BOB }));
    let kinds = futures_util::future::join_all(lookups).await;
    assert_eq!(kinds, vec![Some(AccountKind::Person); 20]);
    assert_eq!(slack.calls_to("users.info").len(), 2, "one call per person");
    // Filed once answered: later lookups are served from the cache.
    assert_eq!(lookup(&directory, ALICE).await, Some(AccountKind::Person));
    assert_eq!(slack.calls_to("users.info").len(), 2);
}

#[tokio::test]
async fn lookups_sharing_a_failed_call_all_fail_and_the_failure_is_not_kept() {
    let (slack, directory) = directory_on_workspace().await;
    slack.fail_next("users.info", Fault::Status(500), 1);
    let who = MentionRef::Id(UserId::parse(BOB).unwrap());
    let answers = futures_util::future::join_all((0..5).map(|_| directory.lookup(&who))).await;
    assert!(answers.iter().all(Result::is_err), "{answers:?}");
    assert_eq!(slack.calls_to("users.info").len(), 1);
    assert_eq!(lookup(&directory, BOB).await, Some(AccountKind::Person));
    assert_eq!(slack.calls_to("users.info").len(), 2);
}

#[tokio::test]
async fn a_slow_directory_fails_fast_and_is_not_cached() {
    let (slack, directory) = directory_on_workspace().await;
    let directory = directory.with_settings(DirectorySettings {
        timeout: Duration::from_millis(200),
        ..DirectorySettings::default()
    });
    slack.fail_next("users.info", Fault::Delay(Duration::from_secs(2)), 1);
    let started = Instant::now();
    let who = MentionRef::Id(UserId::parse(BOB).unwrap());
    assert!(directory.lookup(&who).await.is_err());
    assert!(started.elapsed() < Duration::from_secs(1));
    slack.fail_next(
        "users.info",
        Fault::RateLimited {
            retry_after_secs: 5,
        },
        1,
    );
    assert!(directory.lookup(&who).await.is_err());
    assert_eq!(lookup(&directory, BOB).await, Some(AccountKind::Person));
}
