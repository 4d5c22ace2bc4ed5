//! Load generator: the in-repo fake Slack in this process, the release `baton run` binary as a
//! separate process on a fresh temp database, N `/handover` then N `/oncall-pay me`, C in flight.
//!
//! ```text
//! cargo run --release --example loadgen -- [--n 400] [--c 50] [--connections 2] [--runs 1]
//!                                            [--bot baton|null|sqlite] [--pay TEXT] [--people 8]
//!                                            [--trace FILE]
//! ```
//!
//! The `baton` binary: `$BATON_BIN` if set; otherwise this runs `cargo build --release --bin
//! baton` first (a no-op when it is fresh) and uses `target/release/baton`. `--bot null` measures
//! examples/nullbot.rs instead, a bot that acks at once and does no work: the floor that the
//! machine, the fake Slack and this generator set by themselves. `--bot sqlite` is the same bot
//! recording each `/handover` as one durable SQLite insert (group commit) before its ack: the
//! floor for any bot that records handovers. `--pay help` sends `/oncall-pay help` instead of
//! `/oncall-pay me`: Baton's whole Slack path (envelope, engine, reply, log line) without reading
//! the store or computing pay. Loopback only; every command waits at most 3 s (Slack's ack
//! limit) and a run at most [`RUN_LIMIT`]. `--trace FILE`
//! writes every acked command as a CSV line (run, phase, command number, when its ack came back
//! counted from the phase's start, ack latency; both in microseconds), to see when in a run the
//! slow ones were.
//!
//! Each `/handover` goes to its own channel (`C0LOAD0000`, `C0LOAD0001`, …): the first handover
//! of a channel is always allowed, so every one of them is a real recorded write. They hand the
//! pager to eight people in turn (`--people`), so with the default 400 each person is on call in
//! 50 channels; each `/oncall-pay me` is asked by one of them and covers all of their channels.

#[path = "../tests/support/fake_slack/mod.rs"]
mod fake_slack;

use fake_slack::{FakeSlack, FakeUser};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Upper bound on one whole run (connect, both phases, shutdown).
const RUN_LIMIT: Duration = Duration::from_secs(120);
const SENDER: &str = "U0LOADGEN1";
/// How many people the pager goes round (`--people`).
static PEOPLE: OnceLock<usize> = OnceLock::new();

fn people() -> usize {
    PEOPLE.get().copied().unwrap_or(8)
}

/// The text of each `/oncall-pay` (`--pay`).
static PAY_TEXT: OnceLock<String> = OnceLock::new();

struct Args {
    n: usize,
    c: usize,
    connections: u32,
    runs: usize,
    bot: Bot,
    trace: Option<PathBuf>,
}

/// The process under load.
#[derive(Clone, Copy, PartialEq)]
enum Bot {
    Baton,
    /// examples/nullbot.rs
    Null,
    /// examples/nullbot.rs with `NULLBOT_STORE=sqlite`: one durable insert per handover.
    NullSqlite,
}

fn usage() -> ! {
    eprintln!(
        "usage: loadgen [--n COMMANDS_PER_PHASE] [--c IN_FLIGHT] [--connections 1..5] [--runs R] [--bot baton|null|sqlite] \
         [--pay TEXT] [--people P] [--trace FILE]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut args = Args {
        n: 400,
        c: 50,
        connections: 2,
        runs: 1,
        bot: Bot::Baton,
        trace: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| usage());
        let number = |v: &str| v.parse::<usize>().unwrap_or_else(|_| usage());
        match flag.as_str() {
            "--n" => args.n = number(&value).clamp(1, 100_000),
            "--c" => args.c = number(&value).clamp(1, 1_000),
            "--connections" => args.connections = number(&value).clamp(1, 5) as u32,
            "--runs" => args.runs = number(&value).clamp(1, 20),
            "--people" => {
                let _ = PEOPLE.set(number(&value).clamp(1, 100_000));
            }
            "--trace" => args.trace = Some(PathBuf::from(value)),
            "--pay" => {
                let _ = PAY_TEXT.set(value);
            }
            "--bot" => {
                args.bot = match value.as_str() {
                    "baton" => Bot::Baton,
                    "null" => Bot::Null,
                    "sqlite" => Bot::NullSqlite,
                    _ => usage(),
                }
            }
            _ => usage(),
        }
    }
    args
}

fn person(i: usize) -> String {
    format!("U0PERSON{:02}", i % people())
}

impl Bot {
    fn name(self) -> &'static str {
        match self {
            Bot::Baton => "baton",
            Bot::Null | Bot::NullSqlite => "nullbot",
        }
    }
}

/// The binary to measure, built first if need be (a no-op when it is fresh).
fn bot_binary(bot: Bot) -> PathBuf {
    let (kind, name) = match bot {
        Bot::Baton => {
            if let Some(path) = std::env::var_os("BATON_BIN") {
                return PathBuf::from(path);
            }
            ("--bin", "baton")
        }
        Bot::Null | Bot::NullSqlite => ("--example", "nullbot"),
    };
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--quiet", kind, name])
        .current_dir(&manifest)
        .status();
    if !matches!(status, Ok(s) if s.success()) {
        eprintln!("loadgen: `cargo build --release {kind} {name}` failed; set BATON_BIN instead");
        std::process::exit(1);
    }
    let release = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("target"))
        .join("release");
    match bot {
        Bot::Baton => release.join(name),
        Bot::Null | Bot::NullSqlite => release.join("examples").join(name),
    }
}

/// VmRSS and VmHWM of a process, in KiB.
fn memory_kib(pid: u32) -> (u64, u64) {
    let (rss, hwm, _, _) = memory_detail_kib(pid);
    (rss, hwm)
}

/// CPU time a process's threads have used so far: the sum of `/proc/PID/task/*/schedstat`
/// (nanoseconds on the CPU). `/proc/PID/stat` counts in 10 ms ticks, too coarse for a phase
/// that lasts 25 ms. A thread that has exited is no longer counted.
fn cpu_time(pid: u32) -> Duration {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Duration::ZERO;
    };
    let nanos: u64 = tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(nanos)
}

/// VmRSS, VmHWM, RssAnon (heap, stacks) and RssFile (mapped code) of a process, in KiB.
fn memory_detail_kib(pid: u32) -> (u64, u64, u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (
        field("VmRSS:"),
        field("VmHWM:"),
        field("RssAnon:"),
        field("RssFile:"),
    )
}

#[derive(Default, Clone)]
struct Phase {
    latencies: Vec<Duration>,
    /// Per acked command: its number, and when its ack came back from the phase's start.
    answered: Vec<(usize, Duration)>,
    unacked: usize,
    unexpected: usize,
    wall: Duration,
}

impl Phase {
    fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let mut sorted = self.latencies.clone();
        sorted.sort();
        // Nearest rank.
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }

    fn throughput(&self) -> f64 {
        self.latencies.len() as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    fn merge(&self, other: &Phase) -> Phase {
        let mut latencies = self.latencies.clone();
        latencies.extend_from_slice(&other.latencies);
        let mut answered = self.answered.clone();
        answered.extend_from_slice(&other.answered);
        Phase {
            latencies,
            answered,
            unacked: self.unacked + other.unacked,
            unexpected: self.unexpected + other.unexpected,
            wall: self.wall + other.wall,
        }
    }
}

/// Sends `n` commands, `c` at a time; `command(i)` gives (user, channel, command, text) and
/// `expect(i, ack)` says whether the reply is the right kind.
async fn phase(
    slack: &Arc<FakeSlack>,
    n: usize,
    c: usize,
    command: fn(usize) -> (String, String, &'static str, String),
    expect: fn(usize, &fake_slack::Ack) -> bool,
) -> Phase {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..c.min(n))
        .map(|_| {
            let slack = slack.clone();
            let next = next.clone();
            tokio::spawn(async move {
                let mut out = Phase::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return out;
                    }
                    let (user, channel, name, text) = command(i);
                    match slack.slash_command(&user, &channel, name, &text).await {
                        Ok(ack) => {
                            if !expect(i, &ack) {
                                out.unexpected += 1;
                            }
                            out.latencies.push(ack.latency);
                            out.answered.push((i, started.elapsed()));
                        }
                        Err(_) => out.unacked += 1,
                    }
                }
            })
        })
        .collect();
    let mut total = Phase::default();
    for worker in workers {
        if let Ok(part) = worker.await {
            total = total.merge(&part);
        }
    }
    total.wall = started.elapsed();
    total
}

fn handover(i: usize) -> (String, String, &'static str, String) {
    let to = person(i);
    (
        SENDER.to_owned(),
        format!("C0LOAD{i:04}"),
        "/handover",
        format!("<@{to}|{}> load test {i}", to.to_lowercase()),
    )
}

fn handover_ok(i: usize, ack: &fake_slack::Ack) -> bool {
    ack.response_type() == "in_channel" && ack.text().contains(&format!("<@{}>", person(i)))
}

fn pay(i: usize) -> (String, String, &'static str, String) {
    (
        person(i),
        format!("C0LOAD{i:04}"),
        "/oncall-pay",
        PAY_TEXT.get().map_or("me", String::as_str).to_owned(),
    )
}

fn pay_ok(_: usize, ack: &fake_slack::Ack) -> bool {
    ack.is_private() && !ack.text().contains("Sorry")
}

struct Run {
    idle_anon_kib: u64,
    idle_file_kib: u64,
    /// Time inside Baton per command, from its own log (`elapsed_us`), microseconds.
    handled_us: Vec<u64>,
    connect: Duration,
    all_connected: Duration,
    idle_kib: u64,
    peak_kib: u64,
    after_kib: u64,
    cpu_under_load: Duration,
    /// Of which during the `/handover` phase, and during the `/oncall-pay` phase.
    cpu_handovers: Duration,
    cpu_pays: Duration,
    /// This process's: the fake Slack and the load generator.
    own_cpu_under_load: Duration,
    handovers: Phase,
    pays: Phase,
    /// `users.info` calls the bot made during the load.
    users_info: usize,
    exit: String,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

async fn run_once(binary: &PathBuf, args: &Args) -> Result<Run, String> {
    let slack = Arc::new(FakeSlack::start().await);
    slack.add_user(FakeUser::person(SENDER, "loadgen"));
    for i in 0..people() {
        let id = person(i);
        slack.add_user(FakeUser::person(&id, &id.to_lowercase()));
    }
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let db = dir.path().join("baton.db");
    // Read from the working directory: the sender of the handovers is an admin, since only an
    // admin starts a channel's rota and each /handover here starts one. (`/oncall-pay me` is
    // asked by the people handed the pager, who are not admins.)
    std::fs::write(
        dir.path().join("baton.toml"),
        format!("admins = [\"{SENDER}\"]\n"),
    )
    .map_err(|e| format!("config: {e}"))?;
    let log = std::fs::File::create(dir.path().join("baton.log"))
        .map_err(|e| format!("log file: {e}"))?;
    let mut cmd = Command::new(binary);
    cmd.arg("run")
        .current_dir(dir.path())
        .env_remove("BATON_CONFIG")
        .env("DATABASE_URL", &db)
        .env("SLACK_APP_TOKEN", slack.app_token())
        .env("SLACK_BOT_TOKEN", slack.bot_token())
        .env("SLACK_API_URL", slack.api_url())
        .env("SLACK_CONNECTIONS", args.connections.to_string())
        .env(
            "NULLBOT_STORE",
            if args.bot == Bot::NullSqlite {
                "sqlite"
            } else {
                ""
            },
        )
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log));
    let spawned = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let mut child = Killed(child);
    let pid = child.0.id();
    let log_text = || std::fs::read_to_string(dir.path().join("baton.log")).unwrap_or_default();
    slack
        .wait_for_connections(args.connections as usize, Duration::from_secs(10))
        .await
        .map_err(|e| format!("{e}; baton's log:\n{}", log_text()))?;
    let all_connected = spawned.elapsed();
    let connect = slack
        .first_socket_at()
        .map(|at| at.duration_since(spawned))
        .unwrap_or(all_connected);
    // Let startup's transient allocations settle before calling the process idle.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (idle_kib, _, anon_kib, file_kib) = memory_detail_kib(pid);
    let cpu_before = cpu_time(pid);
    let own_before = cpu_time(std::process::id());
    let handovers = phase(&slack, args.n, args.c, handover, handover_ok).await;
    let cpu_handovers = cpu_time(pid).saturating_sub(cpu_before);
    let pays = phase(&slack, args.n, args.c, pay, pay_ok).await;
    let cpu_pays = cpu_time(pid).saturating_sub(cpu_before + cpu_handovers);
    let users_info = slack.calls_to("users.info").len();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (after_kib, peak_kib) = memory_kib(pid);
    let cpu_under_load = cpu_time(pid).saturating_sub(cpu_before);
    let own_cpu_under_load = cpu_time(std::process::id()).saturating_sub(own_before);
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        match child.0.try_wait() {
            Ok(Some(status)) => break status.to_string(),
            _ if Instant::now() > deadline => break "did not exit within 10 s".to_owned(),
            _ => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    };
    let handled_us = log_text()
        .lines()
        .filter(|l| l.contains("slash command"))
        .filter_map(|l| l.split("elapsed_us=").nth(1))
        .filter_map(|rest| rest.split_whitespace().next()?.parse().ok())
        .collect();
    Ok(Run {
        idle_anon_kib: anon_kib,
        idle_file_kib: file_kib,
        handled_us,
        connect,
        all_connected,
        idle_kib,
        peak_kib,
        after_kib,
        cpu_under_load,
        cpu_handovers,
        cpu_pays,
        own_cpu_under_load,
        handovers,
        pays,
        users_info,
        exit,
    })
}

/// Kills the child if the run is abandoned.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn print_phase(name: &str, p: &Phase) {
    println!(
        "  {name:<12} p50 {:>7.3} ms  p99 {:>7.3} ms  max {:>7.3} ms  {:>7.0}/s  unacked {}  unexpected {}",
        ms(p.percentile(50.0)),
        ms(p.percentile(99.0)),
        ms(p.percentile(100.0)),
        p.throughput(),
        p.unacked,
        p.unexpected
    );
}

fn write_trace(out: &mut impl Write, r: usize, run: &Run) {
    for (name, phase) in [("handover", &run.handovers), ("oncall-pay", &run.pays)] {
        for ((i, at), latency) in phase.answered.iter().zip(&phase.latencies) {
            let _ = writeln!(
                out,
                "{r},{name},{i},{},{}",
                at.as_micros(),
                latency.as_micros()
            );
        }
    }
    let _ = out.flush();
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    let binary = bot_binary(args.bot);
    println!(
        "loadgen: {} /handover then {} /oncall-pay {}, {} in flight, {} Socket Mode connections, {}",
        args.n,
        args.n,
        PAY_TEXT.get().map_or("me", String::as_str),
        args.c,
        args.connections,
        binary.display()
    );
    let mut trace = args.trace.as_ref().map(|path| {
        let mut file = std::fs::File::create(path).unwrap_or_else(|e| {
            eprintln!("loadgen: cannot write {}: {e}", path.display());
            std::process::exit(1)
        });
        let _ = writeln!(file, "run,phase,command,answered_at_us,latency_us");
        std::io::BufWriter::new(file)
    });
    let mut runs = Vec::new();
    for r in 1..=args.runs {
        let run = match tokio::time::timeout(RUN_LIMIT, run_once(&binary, &args)).await {
            Ok(Ok(run)) => run,
            Ok(Err(e)) => {
                eprintln!("loadgen: run {r} failed: {e}");
                std::process::exit(1);
            }
            Err(_) => {
                eprintln!("loadgen: run {r} took longer than {RUN_LIMIT:?}");
                std::process::exit(1);
            }
        };
        let all = run.handovers.merge(&run.pays);
        println!(
            "run {r}: connected {:.1} ms after start (all {} in {:.1} ms); RSS idle {:.1} MiB \
             ({:.1} anon + {:.1} file), peak {:.1} MiB, after load {:.1} MiB; exit: {}",
            ms(run.connect),
            args.connections,
            ms(run.all_connected),
            mib(run.idle_kib),
            mib(run.idle_anon_kib),
            mib(run.idle_file_kib),
            mib(run.peak_kib),
            mib(run.after_kib),
            run.exit
        );
        print_phase("/handover", &run.handovers);
        print_phase("/oncall-pay", &run.pays);
        print_phase("all", &all);
        let mut handled = run.handled_us.clone();
        handled.sort_unstable();
        if !handled.is_empty() {
            let at = |p: usize| handled[(handled.len() * p / 100).min(handled.len() - 1)];
            println!(
                "  inside Baton (its log's elapsed_us, {} commands): p50 {} us, p99 {} us, max {} us",
                handled.len(),
                at(50),
                at(99),
                handled[handled.len() - 1]
            );
        }
        let commands = (run.handovers.latencies.len() + run.pays.latencies.len()).max(1);
        let per_command = |d: Duration| d.as_secs_f64() * 1e6 / commands as f64;
        println!(
            "  CPU time under load: {} {:.0} ms ({:.0} us per command); fake Slack and \
             load generator {:.0} ms ({:.0} us per command)",
            args.bot.name(),
            ms(run.cpu_under_load),
            per_command(run.cpu_under_load),
            ms(run.own_cpu_under_load),
            per_command(run.own_cpu_under_load),
        );
        println!("  users.info calls: {}", run.users_info);
        let per = |d: Duration, p: &Phase| d.as_secs_f64() * 1e6 / p.latencies.len().max(1) as f64;
        println!(
            "  {}'s CPU per command: /handover {:.0} us, /oncall-pay {:.0} us",
            args.bot.name(),
            per(run.cpu_handovers, &run.handovers),
            per(run.cpu_pays, &run.pays),
        );
        if let Some(trace) = &mut trace {
            write_trace(trace, r, &run);
        }
        runs.push(run);
    }
    if runs.len() > 1 {
        let all: Vec<Phase> = runs.iter().map(|r| r.handovers.merge(&r.pays)).collect();
        let med = |f: &dyn Fn(usize) -> f64| median((0..runs.len()).map(f).collect());
        println!(
            "median of {} runs: connect {:.1} ms; ack p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms; \
             {:.0} commands/s; unacked {}; RSS idle {:.1} MiB, peak {:.1} MiB",
            runs.len(),
            med(&|i| ms(runs[i].connect)),
            med(&|i| ms(all[i].percentile(50.0))),
            med(&|i| ms(all[i].percentile(99.0))),
            med(&|i| ms(all[i].percentile(100.0))),
            med(&|i| all[i].throughput()),
            all.iter().map(|p| p.unacked).sum::<usize>(),
            med(&|i| mib(runs[i].idle_kib)),
            med(&|i| mib(runs[i].peak_kib)),
        );
    }
    let failed = runs
        .iter()
        .any(|r| r.handovers.unacked + r.pays.unacked > 0);
    if failed {
        std::process::exit(1);
    }
}
