//! Glue: builds the engine and its adapters from the configuration for each subcommand.

use crate::commands::{Engine, EngineSettings};
use crate::config::Config;
use crate::console::{self, ConsoleDirectory, Session};
use crate::domain::ids::{ChannelId, UserId};
use crate::domain::month::Progress;
use crate::scheduler::ConsoleReminders;
use crate::store::{database_file_at, resolved, OwnFile, SqliteStore};
use anyhow::Context;
use chrono::{DateTime, Utc};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

/// Options every subcommand shares.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// The config file (TOML). Default: ./baton.toml if it exists, else built-in defaults
    /// (which `run` refuses).
    /// A blank `BATON_CONFIG` (as env files often leave it) counts as unset.
    #[arg(long, global = true, env = "BATON_CONFIG", value_name = "FILE", value_parser = clap::builder::ValueParser::os_string())]
    pub config: Option<std::ffi::OsString>,
    /// The SQLite database: a file path or a sqlite: URL. Default: ./baton.db, and
    /// ./baton-console.db for `console`. `run` and `console` create it if missing; `pay-report`
    /// and `backup` only read one that exists.
    #[arg(
        long = "database",
        global = true,
        env = "DATABASE_URL",
        value_name = "URL"
    )]
    pub database: Option<String>,
}

/// The bot's database, unless `--database` or `DATABASE_URL` says otherwise.
pub const BOT_DATABASE: &str = "baton.db";
/// The console's own, unless `--database` or `DATABASE_URL` says otherwise: the console started
/// in the bot's directory must not work on its database by accident. Its `:remind` would claim
/// the day's real reminders (so Slack never got them), a handover at a pretend time later than
/// now would hold up every real one in that channel, and its people would be in the payroll.
pub const CONSOLE_DATABASE: &str = "baton-console.db";

impl Common {
    /// The database asked for, or `default`.
    fn database_or<'a>(&'a self, default: &'a str) -> &'a str {
        self.database.as_deref().unwrap_or(default)
    }
}

/// Where a caveat goes: the log for the bot, which runs as a service; stderr, whatever
/// `RUST_LOG` says, for a command someone typed (`console`, `pay-report`), where it is said to
/// them ([`tell`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caveats {
    Log,
    Tell,
}

impl Caveats {
    fn say(self, caveat: &str) {
        match self {
            Caveats::Log => tracing::warn!("{caveat}"),
            Caveats::Tell => tell(caveat),
        }
    }
}

/// A caveat for the person who typed the command, on stderr whatever `RUST_LOG` says (it is no
/// log line, as the "Config: …" line is not): a report's stdout stays the CSV alone.
fn tell(caveat: &str) {
    eprintln!("Warning: {caveat}");
}

impl Caveats {
    /// Says each of `caveats`, once the database has opened: a database refused is then the only
    /// line, not the last after warnings about a config it never got to use.
    fn say_all(self, caveats: Vec<String>) {
        for caveat in caveats {
            self.say(&caveat);
        }
    }
}

/// The config, and the caveats about it, still to say (see [`Caveats::say_all`]).
fn load_config(common: &Common) -> anyhow::Result<(Config, Vec<String>)> {
    let path = common
        .config
        .as_deref()
        .filter(|p| !p.to_string_lossy().trim().is_empty())
        .map(std::path::Path::new);
    let config = Config::load(path)?;
    let today = chrono::Utc::now()
        .with_timezone(&config.timezone)
        .date_naive();
    let caveats = [
        config.zone_caveat(),
        config.holidays_caveat(),
        config.pay_caveat(),
        config.calendar_caveat(today),
    ]
    .into_iter()
    .flatten()
    .collect();
    Ok((config, caveats))
}

/// The engine's settings from the config, with extra admins (the console user).
pub fn engine_settings(config: &Config, extra_admins: &[UserId]) -> Arc<EngineSettings> {
    let mut admins = config.admins.clone();
    admins.extend(extra_admins.iter().cloned());
    Arc::new(EngineSettings {
        timezone: config.timezone,
        admins,
        pay: config.pay.clone(),
    })
}

/// `baton console` options.
#[derive(Debug, Clone, clap::Args)]
pub struct ConsoleArgs {
    /// Who you are (an admin for this session).
    #[arg(long, default_value = "alice", value_parser = console::console_user)]
    pub user: UserId,
    /// The channel you type in.
    #[arg(long, default_value = "ops", value_parser = console::console_channel)]
    pub channel: ChannelId,
}

/// A report's `--channel` as typed, without a leading `#`: a Slack channel id as given
/// (`C0123ABCD`; a console's channel is its lower-case name), never folded as the console's
/// names are, or a channel's name, found in the database ([`crate::report::find_channel`]).
fn parse_channel(raw: &str) -> Result<String, String> {
    match raw.trim().trim_start_matches('#') {
        "" => Err("give a channel's id (C0123ABCD) or its name".to_owned()),
        typed => Ok(typed.to_owned()),
    }
}

/// Whether the database came from `DATABASE_URL` rather than `--database`.
fn database_from_env(common: &Common) -> bool {
    let typed = std::env::args_os().any(|a| {
        let a = a.to_string_lossy();
        a == "--database" || a.starts_with("--database=")
    });
    !typed && common.database.is_some()
}

/// `baton console`.
pub async fn run_console(common: &Common, args: ConsoleArgs) -> anyhow::Result<()> {
    let (config, caveats) = load_config(common)?;
    let database = common.database_or(CONSOLE_DATABASE);
    // Refused first: a warning about a database that then does not open is noise before the
    // error that matters.
    let store = SqliteStore::open(database).await?;
    Caveats::Tell.say_all(caveats);
    if database_from_env(common) {
        // An operator's shell often has the bot's DATABASE_URL exported: the console would
        // then work on the bot's database, the accident its own default exists to prevent.
        tell(&format!(
            "the console is on DATABASE_URL's database ({database}): if that is the bot's, its \
             handovers and :remind are real (pass --database to choose another)"
        ));
    }
    let directory = ConsoleDirectory::default();
    // The console's names are folded to lower case (see `console`), so are its admins.
    let mut admins: Vec<UserId> = config
        .admins
        .iter()
        .filter_map(|a| console::console_user(a.as_str()).ok())
        .collect();
    admins.push(args.user.clone());
    let config = Config {
        admins: Default::default(),
        ..config
    };
    let settings = engine_settings(&config, &admins);
    let reminders = ConsoleReminders {
        store: store.clone(),
        directory: directory.clone(),
        settings: config.reminders.clone(),
        tz: config.timezone,
    };
    let session = Session {
        engine: Engine::new(store.clone(), directory.clone(), settings),
        directory,
        user: args.user,
        channel: args.channel,
        fixed_now: None,
    };
    let interactive = std::io::stdin().is_terminal();
    let mut out = tokio::io::stdout();
    let result = console::run(session, reminders, interactive, &mut out)
        .await
        .context("console input/output failed");
    store.close().await;
    result
}

/// `baton pay-report` options.
#[derive(Debug, Clone, clap::Args)]
pub struct PayReportArgs {
    /// The month: YYYY-MM, or `last` or `this` (`last month`), by the config's time zone, as
    /// `/oncall-pay` takes them (a month not yet over is reported to date).
    #[arg(long, value_parser = parse_month)]
    pub month: crate::domain::month::MonthAsked,
    /// csv for payroll (one row per engineer per channel), table for people.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: crate::report::Format,
    /// Only this channel's rota: its id (C0123ABCD) or its name (ops-data), as Slack last gave
    /// it with a handover.
    #[arg(long, value_parser = parse_channel)]
    pub channel: Option<String>,
    /// Write to this file instead of standard output (`-` is standard output). Never the
    /// database, the config or its bank-holiday file.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// A payroll cut-off: pay accrued up to this local time ("YYYY-MM-DD HH:MM", a zone after
    /// it in the hour the clocks go back), not up to now. The handovers are as recorded now.
    #[arg(long, value_name = "\"YYYY-MM-DD HH:MM\"")]
    pub until: Option<String>,
}

/// `--until`'s time: a local time in `tz`, at or before `now`, one of the two in the hour the
/// clocks go back only with a zone to say which (a cut-off that could be either is refused).
fn parse_until(text: &str, tz: chrono_tz::Tz, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    use crate::domain::when::{clock_and_zone, ClockError};
    let mut words: Vec<&str> = text.split_whitespace().collect();
    // `2025-03-20T17:00`, as `/handover … at` takes it: the date and the time, split.
    let iso = words
        .first()
        .and_then(|first| crate::domain::when::iso_date_time(first));
    if let Some((date, time)) = &iso {
        words.splice(..1, [date.as_str(), time.as_str()]);
    }
    let usage = || {
        anyhow::anyhow!(
            "--until `{text}`: write the cut-off as \"YYYY-MM-DD HH:MM\" (or YYYY-MM-DDTHH:MM), \
             a local time, e.g. --until \"2025-03-20 17:00\""
        )
    };
    let [date, time, ref rest @ ..] = words[..] else {
        return Err(usage());
    };
    let (time, zone) = clock_and_zone(time, rest).map_err(|e| match e {
        ClockError::TooManyWords => usage(),
        ClockError::TwelveHour => anyhow::anyhow!(
            "--until `{text}`: with am or pm, give an hour from 1 to 12, e.g. \"2025-03-20 5:00 \
             pm\" (or 17:00)"
        ),
    })?;
    let time = time.as_str();
    let (first, second) = crate::domain::when::parse_local_in_zone(date, time, zone, tz)
        .map_err(|e| anyhow::anyhow!("--until: {e}"))?;
    if let Some(second) = second {
        anyhow::bail!(
            "--until: {date} {time} happens twice in {tz}, the clocks going back over it: add \
             the zone, `{}` for the first or `{}` for the second",
            first.with_timezone(&tz).format("%Z"),
            second.with_timezone(&tz).format("%Z")
        );
    }
    if first > now {
        anyhow::bail!("--until: {date} {time} has not come yet; a report accrues to now at most");
    }
    Ok(first)
}

/// `--month`, with the words `/oncall-pay` takes ([`MonthAsked::parse_words`]); a month's name
/// (`feb`, `March 2026`) is not one, and is told how to write it.
///
/// [`MonthAsked::parse_words`]: crate::domain::month::MonthAsked::parse_words
fn parse_month(raw: &str) -> Result<crate::domain::month::MonthAsked, String> {
    use crate::domain::month::{how_to_write, MonthAsked, MonthError, YearMonth};
    MonthAsked::parse_words(raw).map_err(|e| match e {
        MonthError::Format(typed) => {
            // A month's name, by the UTC calendar: the config and its zone are not read yet,
            // and for a hint the day either side of midnight makes no odds.
            let mut words = typed.split_whitespace();
            let this_month = Some(YearMonth::containing(Utc::now(), chrono_tz::UTC));
            let how = how_to_write(
                words.next().unwrap_or_default(),
                words.next().unwrap_or_default(),
                this_month,
            )
            .unwrap_or_else(|| "write months as YYYY-MM, e.g. 2026-03".to_owned());
            format!(
                "`{typed}` is not a month: {how}, or `last` for the month before this one \
                 (`this` for this one)"
            )
        }
        other => other.to_string(),
    })
}

/// `baton pay-report`.
pub async fn run_pay_report(common: &Common, args: PayReportArgs) -> anyhow::Result<()> {
    use crate::report;
    use crate::store::{PayScope, ReadOnlyStore};
    let (config, caveats) = load_config(common)?;
    // `last` and `this` by the local calendar, as `/oncall-pay` reads them (not by a cut-off).
    let month = args
        .month
        .resolve(Utc::now(), config.timezone)
        .context("--month last: the month before this one is outside the years Baton handles")?;
    if args.format == report::Format::Csv && config.source.is_none() {
        // Most likely run from another directory than the bot's: say which file was missing,
        // not that the rates it would have held are.
        let looked_for = std::env::current_dir().map_or_else(
            |_| PathBuf::from("baton.toml"),
            |dir| dir.join("baton.toml"),
        );
        anyhow::bail!(
            "no config file: found no {}, and a payroll CSV needs the pay rates in it. Pass \
             --config FILE (or set BATON_CONFIG) to name the bot's config, or run the report in \
             its directory (`--format table` shows days on call without one)",
            looked_for.display()
        );
    }
    if args.format == report::Format::Csv && config.pay.rates.is_none() {
        // A payroll import could read the blank amounts as zero pay.
        anyhow::bail!(
            "a payroll CSV needs pay rates: set weekday, weekend and bank_holiday under [pay] in \
             the config (`--format table` shows days on call without them)"
        );
    }
    let now = match &args.until {
        Some(text) => {
            let until = parse_until(text, config.timezone, Utc::now())?;
            // A cut-off before the month starts would print a payroll with nobody in it.
            let (start, _) = month.bounds(config.timezone);
            if until < start {
                anyhow::bail!(
                    "--until {text} is before {} starts: give a cut-off inside the month, or \
                     after it for the whole month",
                    month.long_name()
                );
            }
            until
        }
        // To the minute, as `--until` takes it: the warning below gives the `--until` that
        // exports the same figures again, or another channel's that add up with these.
        None => {
            let now = Utc::now();
            DateTime::from_timestamp(now.timestamp().div_euclid(60) * 60, 0).unwrap_or(now)
        }
    };
    let store = ReadOnlyStore::open(common.database_or(BOT_DATABASE)).await?;
    let output = args.output.as_deref().filter(|p| p.as_os_str() != "-");
    if let Some(output) = output {
        refuse_overwriting(output, store.file(), &config)?;
    }
    // Which config, and which rates, the figures come from: a stale copy of the config gives
    // a different payroll with nothing in the CSV to show it.
    eprintln!(
        "Month: {}. Config: {}. {}",
        month.long_name(),
        config.source.as_ref().map_or_else(
            || "none, built-in defaults".to_owned(),
            |p| std::fs::canonicalize(p)
                .unwrap_or_else(|_| p.clone())
                .display()
                .to_string()
        ),
        crate::commands::oncall_pay::rates_note(&config.pay, month)
    );
    // Then every warning, after it.
    Caveats::Tell.say_all(caveats);
    let (start, end) = month.bounds(config.timezone);
    // Every channel, even for one: a channel's amount is its share of each engineer's total
    // (rounded once, split by largest remainder), so that per-channel exports add up to what is
    // paid. Worked out for one channel alone, it would be rounded on its own.
    let rotas = store.pay_history(start, end, PayScope::All).await?;
    let mut names = report::Names {
        channels: store.channel_names().await?,
        ..report::Names::default()
    };
    let channel = match &args.channel {
        Some(typed) => Some(
            report::find_channel(typed, rotas.iter().map(|r| &r.channel), &names)
                .map_err(anyhow::Error::msg)?,
        ),
        None => None,
    };
    let mut statements = crate::domain::pay::team(&config.pay, &rotas, month, now);
    // Where the month is, seen from the cut-off: every warning below turns on it.
    let progress = month.progress(config.pay.timezone, now);
    if let Some(channel) = &channel {
        statements = statements
            .iter()
            .filter_map(|s| s.only_channel(channel))
            .collect();
        // A month not started has nobody on call anywhere yet: said below, not blamed on
        // the channel.
        if statements.is_empty() && progress != Progress::NotStarted {
            tell(&format!(
                "nobody was on call in this channel ({channel}) in {}: check the channel's id \
                 or name",
                month.long_name()
            ));
        }
    }
    let users: Vec<UserId> = statements.iter().map(|s| s.user.clone()).collect();
    names.people = store.names(&users).await?;
    // The table says so itself; the CSV cannot.
    if let (Some(warning), report::Format::Csv) =
        (report::uncovered_warning(&statements), args.format)
    {
        tell(&warning);
    }
    if args.format == report::Format::Csv {
        // The table says "to date" itself; the CSV's header is fixed, so stderr says it.
        match progress {
            Progress::NotStarted => tell(&format!(
                "{} has not started: the CSV has no figures yet",
                month.long_name()
            )),
            // Once saved, a cut-off CSV looks like a whole month.
            Progress::ToDate if args.until.is_some() => tell(&format!(
                "the CSV's figures are accrued to the --until cut-off, not the whole month: to {}",
                crate::domain::when::full(now, config.timezone)
            )),
            Progress::ToDate => tell(&format!(
                "this month is not over: the CSV's figures are accrued to now, {}, and will \
                 grow. To export these same figures again, or another channel's to add up with \
                 them, pass --until \"{}\"",
                crate::domain::when::full(now, config.timezone),
                until_arg(now, config.timezone)
            )),
            Progress::Over => {}
        }
        // Said for one channel above. For the whole team, the likeliest cause is another Baton
        // database than the bot's (the console's, a test copy): a header alone is no payroll.
        // Not for a month not started, which has nobody on call in any database.
        if statements.is_empty() && channel.is_none() && progress != Progress::NotStarted {
            tell(&format!(
                "nobody was on call in this month in this database ({}): check that it is the \
                 bot's",
                store.file().display()
            ));
        }
    }
    // A month over whose handovers changed since (a backdate, an undo): an export made before
    // then may differ from this one, and nothing in the figures would show it.
    if progress == Progress::Over {
        if let Some(late) = store.changed_after(end, channel.as_ref()).await? {
            let by = store.names(std::slice::from_ref(&late.latest_by)).await?;
            tell(&late_changes_warning(
                &late,
                month,
                config.timezone,
                &by,
                &names,
            ));
        }
    }
    let text = match args.format {
        report::Format::Csv => {
            report::csv(&statements, &config.pay, &names).context("cannot write the CSV")?
        }
        report::Format::Table => report::table(
            &statements,
            &config.pay,
            &names,
            month,
            now,
            args.until.is_some(),
            channel.as_ref(),
        ),
    };
    match output {
        Some(path) => write_whole(path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(text.as_bytes())
                .context("cannot write to standard output")?;
        }
    }
    Ok(())
}

/// `--until` as it is typed for `instant`, a whole minute: "2026-11-27 17:40", with the zone in
/// the hour the clocks go back over, where the time alone is two.
fn until_arg(instant: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    use chrono::TimeZone;
    let local = instant.with_timezone(&tz);
    let plain = local.format("%Y-%m-%d %H:%M").to_string();
    match tz.from_local_datetime(&local.naive_local()) {
        chrono::LocalResult::Ambiguous(..) => format!("{plain} {}", local.format("%Z")),
        _ => plain,
    }
}

/// Said of a month over whose handovers were changed after it ended (see
/// [`crate::store::ReadOnlyStore::changed_after`]): how many, in which channels, and who changed
/// them last and when, by `people`'s names where known.
fn late_changes_warning(
    late: &crate::store::LateChanges,
    month: crate::domain::month::YearMonth,
    tz: chrono_tz::Tz,
    people: &std::collections::HashMap<UserId, String>,
    names: &crate::report::Names,
) -> String {
    // Printable, as the report's names are: anyone may write an escape sequence into theirs.
    let by = crate::domain::text::printable_name(
        people
            .get(&late.latest_by)
            .map_or(late.latest_by.as_str(), String::as_str),
    );
    let (changes, were) = match late.count {
        1 => ("a handover".to_owned(), "was"),
        n => (format!("{n} handovers"), "were"),
    };
    let channels: Vec<String> = late
        .channels
        .iter()
        .map(|c| format!("#{}", names.channel(c)))
        .collect();
    format!(
        "{changes} in {} {were} recorded or undone after {month} ended, the latest at {} by {by} \
         (`/handover history` there lists them): an export of {month} made before then may \
         differ from this one. Compare them and settle any difference",
        channels.join(", "),
        crate::domain::when::full(late.latest_at, tz),
        month = month.long_name(),
    )
}

/// Refuses an `--output` that is the database (or its `-wal`, `-shm` or `-journal` file), the
/// config or its bank-holiday file: the report would replace it with CSV, losing every
/// handover, or the settings.
fn refuse_overwriting(
    output: &std::path::Path,
    database: &std::path::Path,
    config: &Config,
) -> anyhow::Result<()> {
    let refuse = |what: &str| {
        anyhow::bail!(
            "--output {} is {what}: the report only reads it. Write the report to another file",
            output.display()
        )
    };
    match database_file_at(database, output) {
        Some(OwnFile::Database) => return refuse("the database"),
        Some(OwnFile::Beside) => {
            return refuse("the database's own file (its -wal, -shm or -journal)")
        }
        None => {}
    }
    let Some(target) = resolved(output) else {
        return Ok(());
    };
    let settings = [
        ("the config", config.source.as_deref()),
        (
            "the config's bank-holiday file",
            config.holidays_file.as_deref(),
        ),
    ];
    for (what, path) in settings {
        let Some(path) = path else { continue };
        if resolved(path).is_some_and(|p| p == target) {
            return refuse(&format!("{what} ({})", path.display()));
        }
    }
    Ok(())
}

/// Writes the report to `path`. A regular file (or a new one) is written whole or not at all:
/// `bytes` go to a new file beside it, renamed over it, so a reader never sees half a file, and
/// a write that fails leaves nothing behind (the temporary file is removed when it is dropped).
/// A new file is readable by its owner only (it is payroll data); a file replaced keeps its
/// permissions, as the shell's `>` would.
///
/// A symbolic link is written through, to the file it names (a `latest.csv` that points into a
/// shared drive must update that file, not become a file of its own); one that cannot be
/// followed (it names nothing, or loops) is refused. A pipe or a device, and any path under
/// `/dev/` or `/proc/` (`>(gpg -e …)` is `/dev/fd/63`; `/dev/stdout` may be a file opened with
/// `>>`), is written to as it is, appending: renaming a file over it would leave its reader with
/// nothing, replace the file the shell opened, or, for root, replace the device.
fn write_whole(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::{Error, ErrorKind, Write};
    let stream = path.starts_with("/dev") || path.starts_with("/proc");
    let target = std::fs::metadata(path);
    match &target {
        Ok(meta) if meta.is_dir() => {
            return Err(Error::new(ErrorKind::IsADirectory, "it is a directory"))
        }
        Ok(meta) if stream || !meta.is_file() => {
            let mut special = std::fs::OpenOptions::new().append(true).open(path)?;
            return special.write_all(bytes).and_then(|()| special.flush());
        }
        Err(e) if path.symlink_metadata().is_ok_and(|m| m.is_symlink()) => {
            let to =
                std::fs::read_link(path).map_or_else(|_| "?".into(), |t| t.display().to_string());
            return Err(Error::new(
                e.kind(),
                match e.kind() {
                    ErrorKind::NotFound => {
                        format!("it is a symbolic link to {to}, which does not exist")
                    }
                    _ => format!("it is a symbolic link to {to}, which cannot be followed: {e}"),
                },
            ));
        }
        _ => {}
    }
    // Through any symbolic links, to the file itself.
    let path = match &target {
        Ok(_) => std::fs::canonicalize(path)?,
        Err(_) => path.to_path_buf(),
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => std::path::Path::new("."),
    };
    // The temporary file's name means nothing to whoever asked for `path`: the error says why,
    // and the caller names `path`.
    let mut file = tempfile::Builder::new()
        .prefix(".baton-report-")
        .tempfile_in(dir)
        .map_err(|e| {
            let why = match e.kind() {
                ErrorKind::NotFound => "its directory does not exist".to_owned(),
                ErrorKind::PermissionDenied => {
                    "this user may not write to its directory".to_owned()
                }
                kind => kind.to_string(),
            };
            Error::new(e.kind(), why)
        })?;
    if let Ok(meta) = &target {
        file.as_file().set_permissions(meta.permissions())?;
    }
    // Through the `File`: `NamedTempFile`'s own writes add its temporary name to their errors.
    file.as_file_mut().write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(&path).map_err(|e| e.error)?;
    Ok(())
}

/// `baton run`: the Slack bot, until SIGINT or SIGTERM.
pub async fn run_slack(common: &Common) -> anyhow::Result<()> {
    let shutdown = shutdown_signal();
    // The config first, then the tokens: neither needs a database, and a team lead writes the
    // config before the Slack app (and its tokens) exists, so it can be checked on its own.
    let (config, caveats) = load_config(common)?;
    // Defaults are for trying Baton; a bot without a config has no admins (so no rota can
    // start), no rates and no reminders, and is most likely one started in the wrong directory
    // or with its config not mounted, about to create an empty database there.
    if config.source.is_none() {
        anyhow::bail!(
            "no config file: `baton run` needs one (its admins, rates and reminders). Copy \
             baton.example.toml to baton.toml in the directory Baton runs in, or pass --config \
             FILE (or set BATON_CONFIG)"
        );
    }
    // Before the store: a refused config leaves no database behind. (Tokens are only tried
    // with Slack once the store is open, beside connecting; one Slack refuses closes it.)
    check_slack_admins(&config)?;
    // `[slack] connections` from the config, unless SLACK_CONNECTIONS says otherwise.
    let slack = crate::slack::SlackSettings::from_vars_or(
        |name| std::env::var(name).ok(),
        config.slack.connections,
    )?;
    let store = SqliteStore::open(common.database_or(BOT_DATABASE)).await?;
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        timezone = %config.timezone,
        config = %config
            .source
            .as_ref()
            .map_or_else(|| "none (defaults)".to_owned(), |p| p.display().to_string()),
        database = %store.file().display(),
        admins = config.admins.len(),
        "starting"
    );
    Caveats::Log.say_all(caveats);
    if config.admins.is_empty() {
        tracing::warn!(
            "no admins in the config: nobody can start a rota, set a rota order, backdate or see \
             the team's pay; add Slack member ids to `admins`"
        );
    }
    let settings = engine_settings(&config, &[]);
    // Pay's index is read beside connecting, so the first `/oncall-pay` after a start does not
    // wait for it. Should that fail, the first pay question reads it (and reports the failure).
    let warming = store.clone();
    tokio::spawn(async move {
        if let Err(e) = warming.warm_pay_index().await {
            tracing::warn!(
                error = %crate::commands::error_chain(&e),
                "could not read pay's index ahead"
            );
        }
    });
    crate::slack::run(slack, settings, store, config.reminders.clone(), shutdown).await
}

/// In Slack an admin is a member id (`U0123ABCD`, or `W…` on Enterprise Grid); the config also
/// accepts the console's names, which in Slack would match nobody and leave Baton without an
/// admin, silently.
fn check_slack_admins(config: &Config) -> anyhow::Result<()> {
    /// The id in `baton.example.toml`, which a copied config may still hold.
    const EXAMPLE_ADMIN: &str = "U0123ABCD";
    if let Some(bad) = config.admins.iter().find(|a| !a.is_slack_shaped()) {
        anyhow::bail!(
            "admins: `{bad}` is not a Slack member id: use ids like \"U04B2C3D4E5\" (in Slack, \
             a person's profile > ⋮ > Copy member ID)"
        );
    }
    if config.admins.iter().any(|a| a.as_str() == EXAMPLE_ADMIN) {
        anyhow::bail!(
            "admins: `{EXAMPLE_ADMIN}` is baton.example.toml's placeholder: put your admins' \
             Slack member ids there (in Slack, a person's profile > ⋮ > Copy member ID)"
        );
    }
    Ok(())
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed when this is called, not when the
/// future is first polled: a stop that comes while Baton is still connecting (which can take
/// minutes while Slack rate-limits it) is then a clean stop, not death by signal.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    use tokio::signal::unix::{signal, SignalKind};
    let term = signal(SignalKind::terminate());
    let int = signal(SignalKind::interrupt());
    async move {
        match (term, int) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
                // A second signal while stopping (Ctrl-C again, a supervisor's second TERM)
                // stops at once: committed handovers are safe in the WAL, and anything still
                // in hand was never confirmed to anyone.
                tokio::spawn(async move {
                    // 128 + the signal's number, as a shell reports a process it killed.
                    let code = tokio::select! {
                        _ = int.recv() => 130,
                        _ = term.recv() => 143,
                    };
                    tracing::warn!("a second stop signal: stopping at once");
                    std::process::exit(code);
                });
            }
            (Ok(mut one), Err(_)) | (Err(_), Ok(mut one)) => {
                one.recv().await;
            }
            (Err(_), Err(_)) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
}

/// `baton backup` options.
#[derive(Debug, Clone, clap::Args)]
pub struct BackupArgs {
    /// The copy to write: a new file (an existing one is never overwritten).
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
}

/// `baton backup`: a consistent copy of the database in one file, taken while Baton runs. It
/// opens the database as the reports do, read-only, so it never changes it.
pub async fn run_backup(common: &Common, args: BackupArgs) -> anyhow::Result<()> {
    let database = common.database_or(BOT_DATABASE);
    let handovers = crate::store::back_up(database, &args.to).await?;
    let plural = if handovers == 1 { "" } else { "s" };
    eprintln!(
        "Backed up {database} to {} ({handovers} handover{plural}). To restore: stop Baton, \
         delete the database's -wal and -shm files, copy the backup over the database, start \
         Baton.",
        args.to.display()
    );
    Ok(())
}
