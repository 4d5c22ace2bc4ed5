//! Renders the engine's [`Reply`] as a Slack message: Block Kit blocks plus the plain `text`
//! fallback, which always says everything the blocks say.
//!
//! Block Kit refuses a whole message when one block is over its limit, so every piece is cut to
//! Slack's documented limits here; the full text still travels in `text`.

use crate::commands::{Block, Reply, Visibility};
use slack_morphism::prelude::*;

/// Slack's documented Block Kit limits (characters).
const HEADER_MAX: usize = 150;
const SECTION_MAX: usize = 3000;
const FIELD_MAX: usize = 2000;
const FIELDS_PER_SECTION: usize = 10;
const CONTEXT_MAX: usize = 3000;
const BLOCKS_MAX: usize = 50;

/// The message body for an ack, `chat.postMessage` or a `response_url` post.
pub fn message_content(reply: &Reply) -> SlackMessageContent {
    let content = SlackMessageContent::new().with_text(reply.text.clone());
    let blocks = blocks(&reply.blocks);
    if blocks.is_empty() {
        content
    } else {
        content.with_blocks(blocks)
    }
}

/// `ephemeral` for private replies, `in_channel` for public ones.
pub fn response_type(reply: &Reply) -> SlackMessageResponseType {
    match reply.visibility {
        Visibility::Private => SlackMessageResponseType::Ephemeral,
        Visibility::Public => SlackMessageResponseType::InChannel,
    }
}

/// The slash-command ack payload.
pub fn command_response(reply: &Reply) -> SlackCommandEventResponse {
    SlackCommandEventResponse::new(message_content(reply)).with_response_type(response_type(reply))
}

fn mrkdwn(text: &str, max: usize) -> SlackBlockText {
    SlackBlockText::MarkDown(SlackBlockMarkDownText::new(truncate(text, max)))
}

fn blocks(layout: &[Block]) -> Vec<SlackBlock> {
    let mut out = Vec::new();
    for block in layout {
        match block {
            Block::Header(title) => out.push(
                SlackHeaderBlock::new(SlackBlockPlainTextOnly::from(truncate(title, HEADER_MAX)))
                    .into(),
            ),
            Block::Section(text) => {
                for piece in pieces(text, SECTION_MAX) {
                    out.push(
                        SlackSectionBlock::new()
                            .with_text(mrkdwn(piece, SECTION_MAX))
                            .into(),
                    );
                }
            }
            Block::Fields(pairs) => {
                for chunk in pairs.chunks(FIELDS_PER_SECTION) {
                    let fields = chunk
                        .iter()
                        .map(|(label, value)| mrkdwn(&format!("*{label}*\n{value}"), FIELD_MAX))
                        .collect();
                    out.push(SlackSectionBlock::new().with_fields(fields).into());
                }
            }
            Block::Context(text) => out.push(
                SlackContextBlock::new(vec![SlackContextBlockElement::MarkDown(
                    SlackBlockMarkDownText::new(truncate(text, CONTEXT_MAX)),
                )])
                .into(),
            ),
        }
    }
    // Past the limit the blocks are dropped rather than the message: `text` says it all.
    if out.len() > BLOCKS_MAX {
        out.clear();
    }
    out
}

/// Splits a section's text at line breaks into pieces of at most `max` characters each, so that
/// a long list (`/oncall-pay team` for a big team, a statement's channels) becomes several
/// sections instead of one cut short. A single line over `max` is a piece of its own, cut later.
/// Blank pieces are left out: Slack refuses a whole message with an empty section.
fn pieces(text: &str, max: usize) -> Vec<&str> {
    let mut out = lines_within(text, max);
    out.retain(|piece| !piece.trim().is_empty());
    out
}

fn lines_within(text: &str, max: usize) -> Vec<&str> {
    if text.chars().count() <= max {
        return vec![text];
    }
    let mut out = Vec::new();
    // The piece being built: its first byte, and its length in characters.
    let (mut start, mut chars) = (0, None::<usize>);
    let mut at = 0;
    for line in text.split('\n') {
        let n = line.chars().count();
        chars = match chars {
            Some(c) if c + 1 + n <= max => Some(c + 1 + n),
            Some(_) => {
                out.push(&text[start..at - 1]);
                start = at;
                Some(n)
            }
            None => Some(n),
        };
        at += line.len() + 1;
    }
    out.push(&text[start..]);
    out
}

/// Cuts `text` to at most `max` characters, ending with `…`, never inside a `<…>` mention or
/// link or an `&…;` entity (a cut one would show raw markup, or a different mention).
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let end = text
        .char_indices()
        .nth(max.saturating_sub(1))
        .map_or(text.len(), |(i, _)| i);
    let mut cut = crate::domain::text::before_open_markup(&text[..end]).to_owned();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn json_of(reply: &Reply) -> Value {
        serde_json::to_value(command_response(reply)).unwrap()
    }

    #[test]
    fn a_private_text_reply_is_ephemeral_with_text_only() {
        let v = json_of(&Reply::private("Usage: `/handover @next`"));
        assert_eq!(
            v,
            json!({"text": "Usage: `/handover @next`", "response_type": "ephemeral"})
        );
    }

    #[test]
    fn each_block_kind_becomes_its_block_kit_block() {
        let reply = Reply::public("<@U1> handed over to <@U2>").with_blocks(vec![
            Block::Header("Handover".into()),
            Block::Section("<@U1> → <@U2>".into()),
            Block::Fields(vec![
                ("From".into(), "<@U1>".into()),
                ("To".into(), "<@U2>".into()),
            ]),
            Block::Context("Recorded 10:02".into()),
        ]);
        let v = json_of(&reply);
        assert_eq!(v["response_type"], "in_channel");
        assert_eq!(v["text"], "<@U1> handed over to <@U2>");
        assert_eq!(
            v["blocks"],
            json!([
                {"type": "header", "text": {"type": "plain_text", "text": "Handover"}},
                {"type": "section", "text": {"type": "mrkdwn", "text": "<@U1> → <@U2>"}},
                {"type": "section", "fields": [
                    {"type": "mrkdwn", "text": "*From*\n<@U1>"},
                    {"type": "mrkdwn", "text": "*To*\n<@U2>"}
                ]},
                {"type": "context", "elements": [{"type": "mrkdwn", "text": "Recorded 10:02"}]}
            ])
        );
    }

    #[test]
    fn more_than_ten_fields_are_split_over_sections() {
        let pairs = (0..23)
            .map(|i| (format!("k{i}"), format!("v{i}")))
            .collect();
        let v = json_of(&Reply::private("x").with_blocks(vec![Block::Fields(pairs)]));
        let sizes: Vec<usize> = v["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["fields"].as_array().unwrap().len())
            .collect();
        assert_eq!(sizes, vec![10, 10, 3]);
    }

    #[test]
    fn long_text_is_cut_to_the_limit_but_never_inside_markup() {
        let long = format!("{}<@U0123ABCD> &amp; more", "a".repeat(2990));
        let cut = truncate(&long, SECTION_MAX);
        assert!(cut.chars().count() <= SECTION_MAX);
        assert!(cut.ends_with('…'));
        assert!(!cut.contains("<@U0"), "{cut}");
        assert_eq!(truncate("short", 10), "short");
        let entity = format!("{}&amp;", "b".repeat(8));
        assert_eq!(truncate(&entity, 11), format!("{}…", "b".repeat(8)));
    }

    #[test]
    fn a_long_section_is_split_at_line_breaks_into_sections_within_the_limit() {
        // 80 engineers at ~80 characters a line: 6,500 characters, over twice the limit.
        let lines: Vec<String> = (0..80)
            .map(|i| {
                format!("• <@U{i:08}>: *£1,234.56* (4.42 weekday, 2.00 weekend, 0.00 bank holiday)")
            })
            .collect();
        let text = format!("*Team on-call pay for March 2025*\n{}", lines.join("\n"));
        let v = json_of(&Reply::private("x").with_blocks(vec![Block::Section(text.clone())]));
        let sections: Vec<&str> = v["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["text"]["text"].as_str().unwrap())
            .collect();
        assert!(sections.len() >= 3, "{}", sections.len());
        for s in &sections {
            assert!(s.chars().count() <= SECTION_MAX, "{}", s.chars().count());
        }
        // Nothing cut, nothing lost: the pieces are the text, split between lines.
        assert_eq!(sections.join("\n"), text);
        assert_eq!(pieces("a\nb", 10), ["a\nb"]);
        assert_eq!(pieces("aaaa\nbbbb\ncc", 9), ["aaaa\nbbbb", "cc"]);
        assert_eq!(pieces("aaaaaaaaaaaa\nb", 9), ["aaaaaaaaaaaa", "b"]);
        assert_eq!(pieces("\n\naaaaaaaaa", 9), ["aaaaaaaaa"]);
        assert_eq!(
            pieces("aaaaaaaaa\n\nbbbbbbbbb", 9),
            ["aaaaaaaaa", "bbbbbbbbb"]
        );
    }

    #[test]
    fn too_many_blocks_fall_back_to_text() {
        let layout = (0..60).map(|i| Block::Section(i.to_string())).collect();
        let v = json_of(&Reply::public("all of it").with_blocks(layout));
        assert_eq!(v["text"], "all of it");
        assert!(v.get("blocks").is_none(), "{v}");
    }
}
