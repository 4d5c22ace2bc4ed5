//! What the engine answers: a reply that only the caller sees, or one the whole channel sees.
//!
//! Text is Slack mrkdwn: people are `<@U…>` mentions, anything a user typed is already escaped.
//! Adapters render it: the Slack adapter as Block Kit with `text` as the fallback, the console as
//! plain lines (mentions shown as `@name`).

/// Who sees a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Only the person who typed the command (Slack: `ephemeral`).
    Private,
    /// Everyone in the channel (Slack: `in_channel`).
    Public,
}

/// One piece of a reply's layout, independent of Slack's Block Kit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A short bold title (plain text, no mrkdwn).
    Header(String),
    /// A paragraph of mrkdwn.
    Section(String),
    /// Label/value pairs shown in two columns (mrkdwn).
    Fields(Vec<(String, String)>),
    /// Small print under the main content (mrkdwn).
    Context(String),
}

/// The engine's answer to one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub visibility: Visibility,
    /// The whole message as mrkdwn: the notification text and the fallback for clients that do
    /// not show blocks. It always says everything the blocks say.
    pub text: String,
    /// Optional richer layout; empty means "show `text`".
    pub blocks: Vec<Block>,
}

impl Reply {
    pub fn private(text: impl Into<String>) -> Self {
        Self {
            visibility: Visibility::Private,
            text: text.into(),
            blocks: Vec::new(),
        }
    }

    pub fn public(text: impl Into<String>) -> Self {
        Self {
            visibility: Visibility::Public,
            text: text.into(),
            blocks: Vec::new(),
        }
    }

    /// A reply laid out as blocks, whose `text` says the same: each block on its own line(s),
    /// fields as `*label*: value`. Field labels are plain text: both renderings bold them.
    pub fn from_blocks(visibility: Visibility, blocks: Vec<Block>) -> Self {
        let text = blocks
            .iter()
            .map(|block| match block {
                Block::Header(title) => format!("*{title}*"),
                Block::Section(text) | Block::Context(text) => text.clone(),
                Block::Fields(fields) => fields
                    .iter()
                    .map(|(label, value)| format!("*{label}*: {value}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            })
            .collect::<Vec<_>>()
            .join("\n");
        Self {
            visibility,
            text,
            blocks,
        }
    }

    /// These blocks in place of the reply's. The caller makes sure `text` already says
    /// everything they do (Slack's adapter may show `text` alone); else use `from_blocks`.
    pub fn with_blocks(mut self, blocks: Vec<Block>) -> Self {
        self.blocks = blocks;
        self
    }

    pub fn is_private(&self) -> bool {
        self.visibility == Visibility::Private
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fallback_text_of_a_block_reply_says_everything_the_blocks_say() {
        let reply = Reply::from_blocks(
            Visibility::Private,
            vec![
                Block::Header("Pay".into()),
                Block::Section("Total: *£1.00*".into()),
                Block::Fields(vec![
                    ("Weekdays".into(), "1.00 days".into()),
                    ("Weekends".into(), "0.00 days".into()),
                ]),
                Block::Context("rates".into()),
            ],
        );
        assert_eq!(
            reply.text,
            "*Pay*\nTotal: *£1.00*\n*Weekdays*: 1.00 days\n*Weekends*: 0.00 days\nrates"
        );
        assert!(reply.is_private());
    }
}
