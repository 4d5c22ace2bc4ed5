//! `baton console`: a local chat for trying Baton with no Slack workspace, as Hubot's shell
//! adapter and Errbot's text mode do. Each line is a slash command as typed in Slack; replies are
//! printed, marked public or private. It reads piped stdin too, so tests drive it.
//!
//! The console is its own user directory: any name is a person, except `baton` and names ending
//! in `bot` (bots) and names marked with `:deactivate NAME`. The user who started the console is
//! an admin, as are the config's `admins`; `:as NAME` switches to someone who is not.
//!
//! Names of people and channels are folded to lower case wherever they are typed (`@Bob`,
//! `:as BOB`, `--user Alice`, `:channel Ops`, the config's `admins`), as Slack's handles and
//! channel names are: a console where `@Bob` and `bob` were two people, each paid for their own
//! shifts, would teach the wrong lesson about Slack.

use crate::commands::{
    AccountKind, CommandName, Directory, DirectoryError, Engine, EngineSettings, Invocation,
    MentionRef, Person, Reply, Visibility,
};
use crate::domain::ids::{ChannelId, UserId};
use crate::domain::month::YearMonth;
use crate::domain::{text, when};
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader};

pub const HELP: &str = "\
Type slash commands as you would in Slack, e.g. `/handover @bob quiet week` or `/oncall-pay me`.
Console commands:
  :as NAME            act as another person (an admin if it is the starting user or in `admins`)
  :channel NAME       switch channel (each channel has its own rota)
  :now YYYY-MM-DD HH:MM [ZONE]  pretend it is this local time (try a week of handovers; a zone picks the second 01:30 when the clocks go back); `:now` alone resets
  :deactivate NAME    mark a person as deactivated, to see how Baton refuses them
  :remind             run today's channel reminders now and print them
  :help               this help
  :quit               leave (so does Ctrl-D)";

/// The console's user directory.
#[derive(Clone, Default)]
pub struct ConsoleDirectory {
    deactivated: Arc<Mutex<HashSet<String>>>,
}

impl ConsoleDirectory {
    pub fn deactivate(&self, name: &str) {
        if let Ok(mut set) = self.deactivated.lock() {
            set.insert(fold(name));
        }
    }

    fn person(&self, name: &str) -> Option<Person> {
        let name = fold(name);
        let name = name.as_str();
        let id = UserId::parse(name).ok()?;
        let deactivated = self
            .deactivated
            .lock()
            .map(|set| set.contains(name))
            .unwrap_or(false);
        let kind = if name == "baton" || name.ends_with("bot") {
            AccountKind::Bot
        } else if deactivated {
            AccountKind::Deactivated
        } else {
            AccountKind::Person
        };
        Some(Person {
            id,
            name: name.to_owned(),
            kind,
        })
    }
}

impl Directory for ConsoleDirectory {
    async fn lookup(&self, who: &MentionRef) -> Result<Option<Person>, DirectoryError> {
        Ok(match who {
            MentionRef::Id(id) => self.person(id.as_str()),
            MentionRef::Name(name) => self.person(name),
        })
    }
}

/// A person's or channel's console name as typed (`@Bob`, `#Ops`), as the console keeps it:
/// without the sigil, in lower case.
pub fn fold(typed: &str) -> String {
    typed.trim_start_matches(['@', '#']).to_lowercase()
}

/// A console person from a typed name.
pub fn console_user(typed: &str) -> Result<UserId, String> {
    UserId::parse(&fold(typed)).map_err(|e| e.to_string())
}

/// A console channel from a typed name.
pub fn console_channel(typed: &str) -> Result<ChannelId, String> {
    ChannelId::parse(&fold(typed)).map_err(|e| e.to_string())
}

/// Renders a reply for a terminal: `[public in #ops]` or `[private to alice]`, then plain text.
pub fn render(reply: &Reply, user: &UserId, channel: &ChannelId) -> String {
    let label = match reply.visibility {
        Visibility::Public => format!("[public in #{channel}]"),
        Visibility::Private => format!("[private to {user}]"),
    };
    format!("{label} {}\n", text::plain(&reply.text))
}

/// The console session's state.
pub struct Session<S, D> {
    pub engine: Engine<S, D>,
    pub directory: ConsoleDirectory,
    pub user: UserId,
    pub channel: ChannelId,
    /// A pretend clock set with `:now`; `None` is the real clock.
    pub fixed_now: Option<DateTime<Utc>>,
}

/// Hooks for console commands that belong to other features (the reminders).
pub trait ConsoleHooks {
    /// Runs today's reminders now and returns what was posted, for `:remind`.
    fn remind(&self, now: DateTime<Utc>) -> impl std::future::Future<Output = Vec<String>>;
}

impl<S: Store, D: Directory> Session<S, D> {
    fn now(&self) -> DateTime<Utc> {
        self.fixed_now.unwrap_or_else(Utc::now)
    }

    fn settings(&self) -> &EngineSettings {
        self.engine.settings()
    }

    /// Handles one line; returns what to print, or `None` to quit.
    pub async fn line(&mut self, line: &str, hooks: &impl ConsoleHooks) -> Option<String> {
        let line = line.trim();
        if line.is_empty() {
            return Some(String::new());
        }
        if let Some(rest) = line.strip_prefix(':') {
            return self.console_command(rest, hooks).await;
        }
        let Some(slash) = line.strip_prefix('/') else {
            return Some(
                "[console] Type a slash command such as `/handover @bob` or `/oncall-pay me`, or :help.\n"
                    .into(),
            );
        };
        let (name, rest) = text::first_word(slash);
        let Some(command) = CommandName::parse(name) else {
            return Some(format!(
                "[console] Baton knows /handover and /oncall-pay, not /{name}. Type :help for more.\n"
            ));
        };
        let inv = Invocation {
            user: self.user.clone(),
            channel: self.channel.clone(),
            // The console's channel id is its name.
            channel_name: None,
            command,
            // What a person types in the terminal is raw text; Slack would have escaped it.
            text: text::escape(rest),
            now: self.now(),
            dedup_key: None,
        };
        let reply = self.engine.handle(inv).await;
        Some(render(&reply, &self.user, &self.channel))
    }

    async fn console_command(&mut self, rest: &str, hooks: &impl ConsoleHooks) -> Option<String> {
        let (word, arg) = text::first_word(rest);
        match word {
            "quit" | "q" | "exit" => None,
            "help" | "h" | "?" => Some(format!("{HELP}\n")),
            "as" => Some(match console_user(arg) {
                Ok(user) => {
                    let admin = if self.settings().is_admin(&user) {
                        " (admin)"
                    } else {
                        ""
                    };
                    self.user = user;
                    format!("[console] You are now {}{admin}.\n", self.user)
                }
                Err(e) => format!("[console] Usage: :as NAME ({e})\n"),
            }),
            "channel" => Some(match console_channel(arg) {
                Ok(channel) => {
                    self.channel = channel;
                    format!("[console] You are now in #{}.\n", self.channel)
                }
                Err(e) => format!("[console] Usage: :channel NAME ({e})\n"),
            }),
            "deactivate" => Some(match console_user(arg) {
                Ok(user) => {
                    self.directory.deactivate(user.as_str());
                    format!("[console] {user} is now deactivated.\n")
                }
                Err(e) => format!("[console] Usage: :deactivate NAME ({e})\n"),
            }),
            "now" => Some(if arg.is_empty() {
                self.fixed_now = None;
                "[console] Back to the real clock.\n".to_owned()
            } else {
                let mut words: Vec<&str> = arg.split_whitespace().collect();
                // `2025-03-03T09:30`, as `at` and `--until` take it: the date, then the time.
                let iso = words.first().and_then(|w| when::iso_date_time(w));
                if let Some((date, time)) = &iso {
                    words.splice(..1, [date.as_str(), time.as_str()]);
                }
                let tz = self.settings().timezone;
                let at = match words[..] {
                    [date, time, ref rest @ ..] => when::clock_and_zone(time, rest)
                        .map_err(|e| match e {
                            when::ClockError::TooManyWords => "too many words".to_owned(),
                            when::ClockError::TwelveHour => {
                                "with am or pm, give an hour from 1 to 12".to_owned()
                            }
                        })
                        .and_then(|(time, zone)| {
                            when::parse_local_in_zone(date, &time, zone, tz)
                                .map(|(first, _)| first)
                                .map_err(|e| e.to_string())
                        })
                        .and_then(|at| {
                            // Pay answers and reports cover these years only: a handover
                            // recorded outside them could be paid but never reported.
                            let month = YearMonth::containing(at, tz);
                            YearMonth::new(month.year(), month.month())
                                .map(|_| at)
                                .ok_or_else(|| {
                                    format!(
                                        "{} is outside the years Baton handles (2000 to 2199)",
                                        month.year()
                                    )
                                })
                        }),
                    _ => Err("give the date and the time".to_owned()),
                };
                match at {
                    Ok(at) => {
                        self.fixed_now = Some(at);
                        format!(
                            "[console] It is now {} (pretend: what you record is stored at this \
                             time, so try it on a database of its own).\n",
                            when::full(at, self.settings().timezone)
                        )
                    }
                    Err(e) => format!("[console] Usage: :now YYYY-MM-DD HH:MM [ZONE] ({e})\n"),
                }
            }),
            "remind" => {
                let posts = hooks.remind(self.now()).await;
                Some(if posts.is_empty() {
                    "[console] No reminders are due to be posted (nobody on call, not a reminder day, a bank holiday, or already posted today).\n".to_owned()
                } else {
                    posts.concat()
                })
            }
            other => Some(format!(
                "[console] Unknown console command :{other}. Type :help.\n"
            )),
        }
    }
}

/// Runs the console over stdin/stdout until end of input or `:quit`.
pub async fn run<S: Store, D: Directory>(
    mut session: Session<S, D>,
    hooks: impl ConsoleHooks,
    interactive: bool,
    out: &mut (impl AsyncWrite + Unpin),
) -> std::io::Result<()> {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    if interactive {
        out.write_all(
            format!(
                "Baton console: you are {} in #{}. Type :help for help, :quit to leave.\n",
                session.user, session.channel
            )
            .as_bytes(),
        )
        .await?;
    }
    loop {
        if interactive {
            out.write_all(format!("{}@#{}> ", session.user, session.channel).as_bytes())
                .await?;
            out.flush().await?;
        }
        let Some(line) = lines.next_line().await? else {
            break;
        };
        match session.line(&line, &hooks).await {
            Some(printed) => {
                out.write_all(printed.as_bytes()).await?;
                out.flush().await?;
            }
            None => break,
        }
    }
    Ok(())
}
