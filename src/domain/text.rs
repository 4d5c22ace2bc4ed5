//! Slack text as people type it, turned into typed values.
//!
//! Text reaches the engine in Slack's wire form: `&`, `<`, `>` escaped as `&amp;`, `&lt;`, `&gt;`,
//! and "control sequences" in angle brackets — user mentions `<@U0123ABCD|alice>`, channels
//! `<#C0123|general>`, user groups `<!subteam^S0123|@team>`, broadcasts `<!channel>`, links
//! `<https://…|label>`. Slack clients also send smart quotes and non-breaking spaces; this module
//! accepts them where a person would expect it to.

use super::ids::UserId;
use std::collections::HashMap;

/// Shown between `@` and a broadcast's name so that it reads as typed but can never notify.
pub const WORD_JOINER: char = '\u{2060}';

/// Characters that render as nothing but would glue two words together.
const INVISIBLE: [char; 5] = ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'];

/// Replaces smart quotes with straight ones, drops invisible characters and turns every kind of
/// horizontal white space (tabs, non-breaking spaces) into a plain space. Newlines are kept.
pub fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| !INVISIBLE.contains(c))
        .map(|c| match c {
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => '\'',
            '\n' => '\n',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect()
}

/// Splits off the first word of (normalized) text: `("word", "rest of it")`, both trimmed.
pub fn first_word(text: &str) -> (&str, &str) {
    let text = text.trim();
    match text.find(char::is_whitespace) {
        Some(i) => (&text[..i], text[i..].trim()),
        None => (text, ""),
    }
}

/// White space, or a character that renders as nothing: what separates words.
fn is_gap(c: char) -> bool {
    c.is_whitespace() || INVISIBLE.contains(&c)
}

/// Splits off the first word of text as typed (not normalized): the word, normalized for reading
/// as a command word, and the rest exactly as typed but for the gap before it. What follows the
/// command words (a handover's notes) is then kept as the person wrote it.
pub fn split_word(text: &str) -> (String, &str) {
    let text = text.trim_start_matches(is_gap);
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    (
        normalize(&text[..end]),
        text[end..].trim_start_matches(is_gap),
    )
}

/// `text` with the dashes that look like `-` made `-`: hyphens and en or em dashes that a word
/// processor or a phone puts in (`2025–03`), the minus sign, and the small and full-width
/// hyphen-minus. For reading dates, which look the same either way.
pub fn plain_hyphens(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => '-',
            c => c,
        })
        .collect()
}

/// Text already made safe to repeat, as a Slack block quote: each line after `> `.
pub fn block_quote(safe: &str) -> String {
    safe.lines()
        .map(|line| format!("> {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Trims white space and invisible characters from both ends, nothing else.
pub fn trim_gaps(text: &str) -> &str {
    text.trim_matches(is_gap)
}

/// A keyword as typed, without surrounding quotes or trailing punctuation, lower-cased.
pub fn keyword(word: &str) -> String {
    word.trim_matches(|c| matches!(c, '"' | '\''))
        .trim_end_matches([',', '.', ':', ';', '!'])
        .to_lowercase()
}

/// What one word of a command is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// `<@U0123ABCD|alice>` or `<@U0123ABCD>`: a person, by Slack id.
    UserId(UserId),
    /// `@alice`: a person, by name (the console's form; in Slack, text typed without picking
    /// the person from the autocomplete list).
    UserName(String),
    /// `<#C0123|general>`: a channel, not a person.
    Channel,
    /// `<!subteam^S0123|@team>`: a user group, not a person.
    UserGroup,
    /// `<!here>`, `<!channel>`, `<!everyone>`: a broadcast, not a person.
    Broadcast,
    /// Anything else.
    Word(String),
}

/// Classifies one word.
pub fn token(word: &str) -> Token {
    let w = word
        .trim_matches(|c| matches!(c, '"' | '\''))
        .trim_end_matches([',', '.', ':', ';', '!']);
    if let Some(inner) = w.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
        // One mention, not several joined (`<@U1|bob>,<@U2|carol>`): read as the first, the
        // others would be lost without a word.
        if inner.contains(['<', '>']) {
            return Token::Word(word.to_owned());
        }
        let target = inner.split('|').next().unwrap_or_default();
        if let Some(id) = target.strip_prefix('@') {
            if let Ok(id) = UserId::parse(id) {
                return Token::UserId(id);
            }
        } else if target.starts_with('#') {
            return Token::Channel;
        } else if target.starts_with("!subteam^") {
            return Token::UserGroup;
        } else if matches!(target, "!here" | "!channel" | "!everyone") {
            return Token::Broadcast;
        }
        return Token::Word(word.to_owned());
    }
    if w.len() > 1 && w.starts_with('#') {
        // The console's way of naming a channel.
        return Token::Channel;
    }
    if let Some(name) = w.strip_prefix('@') {
        if matches!(name, "here" | "channel" | "everyone") {
            return Token::Broadcast;
        }
        if !name.is_empty() {
            return Token::UserName(name.to_owned());
        }
    }
    // As typed: trimming `;` above would turn an escaped `x>` (`x&gt;`) into `x&gt`.
    Token::Word(word.to_owned())
}

/// Wire-form text that was cut, without a `<…>` sequence or `&…;` entity it cut open at its
/// end: a cut one would show raw markup, or a different mention.
pub fn before_open_markup(head: &str) -> &str {
    let mut head = head;
    if let Some(open) = head.rfind('<') {
        if !head[open..].contains('>') {
            head = &head[..open];
        }
    }
    if let Some(amp) = head.rfind('&') {
        if !head[amp..].contains(';') {
            head = &head[..amp];
        }
    }
    head
}

/// Wire-form text cut to at most `max` characters, with `…` if it was cut, never inside a
/// `<…>` sequence or a `&…;` entity (the cut moves before it). Text that opens with a sequence
/// longer than `max` keeps it whole if it is at most `2 × max` characters, else shows its label
/// (or "(link)"): so the result is at most `2 × max` characters and `…`.
pub fn excerpt(wire: &str, max: usize) -> std::borrow::Cow<'_, str> {
    let Some((cut, _)) = wire.char_indices().nth(max) else {
        return wire.into();
    };
    let mut head = before_open_markup(&wire[..cut]);
    if head.trim().is_empty() {
        // Text that opens with one long link: keep the link whole rather than show nothing, if
        // it is not much longer than `max`; otherwise its label, or a word for it.
        if let Some(end) = wire.find('>').filter(|_| wire.starts_with('<')) {
            let sequence = &wire[..=end];
            if sequence.chars().count() <= 2 * max {
                head = sequence;
            } else {
                return match sequence[1..end].split_once('|') {
                    Some((_, label)) if !label.is_empty() => {
                        format!("{}…", excerpt(label, max).trim_end_matches('…')).into()
                    }
                    _ => "(link)…".into(),
                };
            }
        }
    }
    format!("{}…", head.trim_end()).into()
}

/// The most characters of a word Baton quotes back in an error.
const ECHO_AT_MOST: usize = 40;

/// A word (wire form) as Baton quotes it back in an error: decoded, cut to
/// `ECHO_AT_MOST` characters with `…`, and escaped again. 5,000 characters typed by mistake
/// are not worth repeating in full.
pub fn echo(wire: &str) -> String {
    let typed = decode(wire);
    match typed.char_indices().nth(ECHO_AT_MOST) {
        Some((cut, _)) => format!("{}…", escape(&typed[..cut])),
        None => escape(&typed),
    }
}

/// Escapes text a person typed (raw, as in the console) into Slack's wire form.
pub fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Makes wire-form text safe to repeat in a channel: it reads as typed, person mentions stay
/// mentions, links stay links, but `<!channel>`, `<!here>`, `<!everyone>` and user-group mentions
/// become plain text (`@channel`) that notifies nobody. Stray `&`, `<`, `>` are escaped.
///
/// `@channel`, `@here` and `@everyone` typed as plain words get the same invisible word joiner
/// after the `@` (see `opens_with_broadcast`): Slack does not ping for them in a bot's message
/// today, but a client or a post that links bare names (`link_names`, `parse=full`) would.
pub fn sanitize(wire: &str) -> String {
    sanitize_as(wire, People::Mentioned)
}

/// [`sanitize`], but people mentioned are shown by name and notified no more than anyone else:
/// for text Baton repeats every day, like the last handover's notes in a reminder, which would
/// otherwise ping them each morning. The name is the one in `names` (see
/// [`people_mentioned`]), else the mention's label, else their id.
pub fn sanitize_quietly(wire: &str, names: &HashMap<UserId, String>) -> String {
    sanitize_as(wire, People::Named(names))
}

/// The people mentioned in wire-form text (`<@U0123ABCD>`, `<@U0123ABCD|bob>`), once each:
/// the mentions [`sanitize`] keeps, read the same way.
pub fn people_mentioned(wire: &str) -> Vec<UserId> {
    let mut found: Vec<UserId> = Vec::new();
    let mut rest = wire;
    while let Some(open) = rest.find('<') {
        rest = &rest[open..];
        let Some((inner, len)) = control_sequence(rest) else {
            rest = &rest[1..];
            continue;
        };
        let target = inner.split('|').next().unwrap_or_default();
        if let Some(Ok(id)) = target.strip_prefix('@').map(UserId::parse) {
            if !found.contains(&id) {
                found.push(id);
            }
        }
        rest = &rest[len..];
    }
    found
}

/// The `<…>` control sequence `text` opens with, as Slack reads one (no `<` inside): what is
/// between the brackets, and the length of the whole. None if `text` opens with no such thing.
fn control_sequence(text: &str) -> Option<(&str, usize)> {
    let inner = text.strip_prefix('<')?;
    let inner = &inner[..inner.find('>')?];
    (!inner.contains('<')).then_some((inner, inner.len() + 2))
}

/// Whether `text`, which follows the character `before`, opens with a broadcast typed as a
/// word: `@here`, `@channel` or `@everyone`, in any case, followed by no letter or digit, nor
/// by `_` and more of a name (`@here,` and `_@here_` are one, `@heretic` and `@here_team` are
/// not). Not after a letter or digit either: `ops@here.example` is an address, which Slack does
/// not read as a broadcast, and is kept as typed.
fn opens_with_broadcast(before: Option<char>, text: &str) -> bool {
    let in_word = |c: char| c.is_alphanumeric() || c == '_';
    let Some(after_at) = text.strip_prefix('@') else {
        return false;
    };
    // `_` before the `@` opens Slack's italics (`_@here_`); an address has a letter or digit.
    if before.is_some_and(char::is_alphanumeric) {
        return false;
    }
    // After the word, `_` closes italics unless a name goes on (`@here_team`).
    let word_goes_on = |rest: &str| {
        let mut chars = rest.chars();
        match chars.next() {
            Some('_') => chars.next().is_some_and(in_word),
            Some(c) => in_word(c),
            None => false,
        }
    };
    ["here", "channel", "everyone"]
        .into_iter()
        .any(|broadcast| {
            after_at
                .get(..broadcast.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(broadcast))
                && !word_goes_on(&after_at[broadcast.len()..])
        })
}

/// `text` with a [`WORD_JOINER`] after the `@` of each broadcast typed as a word in it.
fn quiet_broadcasts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut before = None;
    for (i, c) in text.char_indices() {
        out.push(c);
        if opens_with_broadcast(before, &text[i..]) {
            out.push(WORD_JOINER);
        }
        before = Some(c);
    }
    out
}

/// How [`sanitize_as`] shows a person mentioned.
#[derive(Clone, Copy)]
enum People<'a> {
    /// As a mention, which notifies them.
    Mentioned,
    /// As `@name` in plain text, by these names where known.
    Named(&'a HashMap<UserId, String>),
}

fn sanitize_as(wire: &str, people: People<'_>) -> String {
    let mut out = String::with_capacity(wire.len());
    let mut rest = wire;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            if let Some((inner, len)) = control_sequence(rest) {
                out.push_str(&sanitize_sequence(inner, people));
                rest = &rest[len..];
                continue;
            }
            out.push_str("&lt;");
        } else if c == '&' {
            let entity = ["&amp;", "&lt;", "&gt;"]
                .into_iter()
                .find(|e| rest.starts_with(e));
            match entity {
                Some(e) => {
                    out.push_str(e);
                    rest = &rest[e.len()..];
                    continue;
                }
                None => out.push_str("&amp;"),
            }
        } else if c == '>' {
            out.push_str("&gt;");
        } else {
            let before = out.chars().next_back();
            out.push(c);
            if opens_with_broadcast(before, rest) {
                out.push(WORD_JOINER);
            }
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// One `<…>` control sequence (without the brackets), made safe.
fn sanitize_sequence(inner: &str, people: People<'_>) -> String {
    let (target, label) = match inner.split_once('|') {
        Some((t, l)) => (t, Some(l)),
        None => (inner, None),
    };
    if let Some(id) = target.strip_prefix('@') {
        if let Ok(user) = UserId::parse(id) {
            return match people {
                People::Mentioned => format!("<@{id}>"),
                People::Named(names) => {
                    let name = match names.get(&user) {
                        Some(known) => known.as_str(),
                        None => label.unwrap_or(id).trim_start_matches('@'),
                    };
                    format!("@{WORD_JOINER}{}", quiet_broadcasts(&escape(&decode(name))))
                }
            };
        }
    }
    if let Some(id) = target.strip_prefix('#') {
        if super::ids::ChannelId::parse(id).is_ok() {
            return format!("<#{id}>");
        }
    }
    if let Some(special) = target.strip_prefix('!') {
        // Broadcasts, user groups and dates: show their label as plain text, never the command.
        // A word joiner (invisible) after the `@` keeps even a client that links bare names
        // (`link_names`, `parse=full`) from turning the text back into a broadcast.
        let shown = match (special, label) {
            ("here" | "channel" | "everyone", _) => format!("@{WORD_JOINER}{special}"),
            (_, Some(l)) if special.starts_with("subteam^") => {
                format!("@{WORD_JOINER}{}", l.trim_start_matches('@'))
            }
            (_, _) if special.starts_with("subteam^") => format!("@{WORD_JOINER}group"),
            (_, Some(l)) => l.to_owned(),
            (_, None) => special.to_owned(),
        };
        return quiet_broadcasts(&escape(&decode(&shown)));
    }
    let is_link = ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| target.starts_with(scheme));
    if is_link && !target.contains(char::is_whitespace) {
        return match label {
            Some(l) => format!("<{target}|{}>", sanitize(l)),
            None => format!("<{target}>"),
        };
    }
    // Not a control sequence Slack knows: show the brackets as typed.
    format!("&lt;{}&gt;", sanitize(inner))
}

/// Decodes Slack's three entities back to the characters typed.
pub fn decode(wire: &str) -> String {
    wire.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Renders safe mrkdwn as plain text for a terminal or a file: `<@alice>` → `@alice`,
/// `<#ops>` → `#ops`, `<https://x|label>` → `label (https://x)`, entities decoded.
pub fn plain(mrkdwn: &str) -> String {
    let mut out = String::with_capacity(mrkdwn.len());
    let mut rest = mrkdwn;
    while let Some(start) = rest.find('<') {
        out.push_str(&decode(&rest[..start]));
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else {
            out.push_str(&decode(&rest[start..]));
            rest = "";
            break;
        };
        let inner = &after[..end];
        let (target, label) = match inner.split_once('|') {
            Some((t, l)) => (t, Some(l)),
            None => (inner, None),
        };
        let shown = if let Some(id) = target.strip_prefix('@') {
            format!("@{}", label.unwrap_or(id))
        } else if let Some(id) = target.strip_prefix('#') {
            format!("#{}", label.unwrap_or(id))
        } else if let Some(l) = label {
            format!("{} ({target})", decode(l))
        } else {
            decode(target)
        };
        out.push_str(&shown);
        rest = &after[end + 1..];
    }
    out.push_str(&decode(rest));
    out
}

/// A name made safe to print: each control character (Unicode's Cc: ESC, which starts a
/// terminal's escape sequences, tab, line breaks, and the C1 range with its one-byte CSI)
/// becomes U+FFFD `�`. Names come from Slack profiles, which their owners write, and are printed
/// in `pay-report`'s table on a terminal and in the CSV payroll opens: `ESC [2J` in a name must
/// not clear the screen or recolour the amounts, nor a line break start a row of its own.
/// Replaced rather than dropped, so that a name that held one shows it did.
///
/// So do Unicode's bidirectional embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069): a name holding U+202E (right-to-left override) reverses the rest of its line
/// where it is shown, the amount beside it included ("Trojan Source", CVE-2021-42574). Names
/// written right to left need none of them; the invisible marks (U+200E, U+200F), which only
/// steer their neighbours, stay.
pub fn printable_name(name: &str) -> std::borrow::Cow<'_, str> {
    let unprintable =
        |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !name.contains(unprintable) {
        return name.into();
    }
    name.chars()
        .map(|c| match unprintable(c) {
            true => char::REPLACEMENT_CHARACTER,
            false => c,
        })
        .collect::<String>()
        .into()
}

/// Strips one pair of matching quotes around a whole text (`"quiet week"` → `quiet week`), straight
/// or curly as Slack clients send them.
pub fn unquote(text: &str) -> &str {
    const PAIRS: [(char, char); 8] = [
        ('"', '"'),
        ('\'', '\''),
        ('\u{201C}', '\u{201D}'),
        ('\u{2018}', '\u{2019}'),
        // German and similar: low-high pairs.
        ('\u{201E}', '\u{201C}'),
        ('\u{201A}', '\u{2018}'),
        ('\u{00AB}', '\u{00BB}'),
        ('\u{00BB}', '\u{00AB}'),
    ];
    for (open, close) in PAIRS {
        if let Some(inner) = text.strip_prefix(open).and_then(|t| t.strip_suffix(close)) {
            if !inner.contains([open, close]) {
                return trim_gaps(inner);
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uid(s: &str) -> UserId {
        UserId::parse(s).unwrap()
    }

    #[test]
    fn words_are_classified_as_people_channels_groups_and_broadcasts() {
        let cases = [
            ("<@U0BOB0001|bob>", Token::UserId(uid("U0BOB0001"))),
            ("<@U0BOB0001>", Token::UserId(uid("U0BOB0001"))),
            ("<@W0GRID001|ann>", Token::UserId(uid("W0GRID001"))),
            ("\"<@U0BOB0001>\"", Token::UserId(uid("U0BOB0001"))),
            ("<@U0BOB0001>,", Token::UserId(uid("U0BOB0001"))),
            ("@bob", Token::UserName("bob".into())),
            ("<#C0123|general>", Token::Channel),
            ("#ops", Token::Channel),
            ("<!subteam^S0123|@oncall>", Token::UserGroup),
            ("<!channel>", Token::Broadcast),
            ("<!here|here>", Token::Broadcast),
            ("@here", Token::Broadcast),
            ("help", Token::Word("help".into())),
            // A bare `@` or `#` names nobody and no channel.
            ("@", Token::Word("@".into())),
            ("#", Token::Word("#".into())),
            ("#,", Token::Word("#,".into())),
            // A word is kept as typed, entities and all: `x>` arrives as `x&gt;`.
            ("x&gt;", Token::Word("x&gt;".into())),
            ("&lt;@bob&gt;", Token::Word("&lt;@bob&gt;".into())),
            ("<foo>,", Token::Word("<foo>,".into())),
        ];
        for (typed, expected) in cases {
            assert_eq!(token(typed), expected, "{typed}");
        }
    }

    #[test]
    fn an_excerpt_is_cut_between_sequences_never_inside_one() {
        assert_eq!(excerpt("short", 10), "short");
        assert_eq!(excerpt("abcdefghijk", 10), "abcdefghij…");
        assert_eq!(excerpt("see <@U0BOB0001|bob> now", 10), "see…");
        assert_eq!(excerpt("a &amp; b &lt; c", 8), "a &amp;…");
        assert_eq!(excerpt("a &amp; b &lt; c", 12), "a &amp; b…");
        let link = format!("<https://wiki/{}|runbook> disk alert", "p".repeat(300));
        assert_eq!(
            excerpt(&link, 200),
            format!("<https://wiki/{}|runbook>…", "p".repeat(300))
        );
        assert_eq!(
            excerpt(&"é".repeat(300), 200),
            format!("{}…", "é".repeat(200))
        );
        // A link too long to keep whole shows its label, or a word for it.
        let long = format!("<https://grafana/d/x?{}|dash> disk full", "q".repeat(900));
        assert_eq!(excerpt(&long, 200), "dash…");
        let bare = format!("<https://grafana/d/x?{}> disk full", "q".repeat(900));
        assert_eq!(excerpt(&bare, 200), "(link)…");
        // An empty label is no label: not a bare `…`.
        let unlabelled = format!("<https://grafana/d/x?{}|> disk full", "q".repeat(900));
        assert_eq!(excerpt(&unlabelled, 200), "(link)…");
        for text in [link, long, bare, unlabelled] {
            assert!(excerpt(&text, 200).chars().count() <= 401, "{text}");
        }
    }

    #[test]
    fn quietly_sanitized_text_names_people_without_mentioning_them() {
        let wire = "ask <@U0BOB0001|bob> or <@U0ANN0001>, not <!here> &lt;3";
        let none = HashMap::new();
        assert_eq!(
            sanitize_quietly(wire, &none),
            format!(
                "ask @{WORD_JOINER}bob or @{WORD_JOINER}U0ANN0001, not @{WORD_JOINER}here &lt;3"
            )
        );
        // A stored name wins over the label, which Slack may fill with an old username.
        let names = HashMap::from([
            (uid("U0ANN0001"), "Ann <Lee>".to_owned()),
            (uid("U0BOB0001"), "Bob Smith".to_owned()),
        ]);
        assert_eq!(
            sanitize_quietly(wire, &names),
            format!(
                "ask @{WORD_JOINER}Bob Smith or @{WORD_JOINER}Ann &lt;Lee&gt;, not \
                 @{WORD_JOINER}here &lt;3"
            )
        );
        assert_eq!(
            sanitize(wire),
            format!("ask <@U0BOB0001> or <@U0ANN0001>, not @{WORD_JOINER}here &lt;3")
        );
        // A label cannot smuggle markup in.
        assert_eq!(
            sanitize_quietly("<@U0BOB0001|<!channel>>", &none),
            format!("&lt;@U0BOB0001|@{WORD_JOINER}channel&gt;")
        );
        assert_eq!(
            people_mentioned("<@U0BOB0001|bob>, <@U0ANN0001> and <@U0BOB0001>, not <@> or <@U0CUT"),
            [uid("U0BOB0001"), uid("U0ANN0001")]
        );
        // The same mentions `sanitize` keeps, however odd the text.
        for wire in [
            "<@U0AAA0001 <@U0BBB0001>",
            "<@U0CCC0001|a|b> <<@U0DDD0001>> <@U0EEE0001|a<b>",
            "&lt;@U0FFF0001&gt; <@U0GGG0001",
        ] {
            let kept: Vec<UserId> = sanitize(wire)
                .split("<@")
                .skip(1)
                .filter_map(|s| s.split('>').next())
                .map(uid)
                .collect();
            assert_eq!(people_mentioned(wire), kept, "{wire}");
        }
    }

    #[test]
    fn a_word_quoted_back_reads_as_typed_and_is_cut_at_forty_characters() {
        assert_eq!(echo("x&gt;"), "x&gt;");
        assert_eq!(echo("&lt;@bob&gt;"), "&lt;@bob&gt;");
        assert_eq!(echo(&"é".repeat(40)), "é".repeat(40));
        assert_eq!(echo(&"é".repeat(41)), format!("{}…", "é".repeat(40)));
        // Cut before escaping, so an entity is never cut in half.
        let long = format!("{}&lt;&lt;", "x".repeat(39));
        assert_eq!(echo(&long), format!("{}&lt;…", "x".repeat(39)));
    }

    #[test]
    fn smart_quotes_and_odd_spaces_are_read_as_people_type_them() {
        let typed = "\u{201C}me\u{201D}\u{00A0}\u{200B}2025-03\t";
        let text = normalize(typed);
        let (first, rest) = first_word(&text);
        assert_eq!(keyword(first), "me");
        assert_eq!(rest, "2025-03");
        assert_eq!(normalize("line one\nline\u{202F}two"), "line one\nline two");
        assert_eq!(unquote("\"quiet week\""), "quiet week");
        assert_eq!(unquote("\u{201C}quiet week\u{201D}"), "quiet week");
        assert_eq!(unquote("\u{201E}ruhige Woche\u{201C}"), "ruhige Woche");
        assert_eq!(unquote("\u{00AB}semaine calme\u{00BB}"), "semaine calme");
        assert_eq!(unquote("it's 'fine'"), "it's 'fine'");
    }

    #[test]
    fn the_rest_after_a_command_word_is_kept_exactly_as_typed() {
        // (typed, first word normalized, rest as typed)
        let cases = [
            ("next all quiet", "next", "all quiet"),
            (
                "\u{201C}next\u{201D}\u{00A0}\u{200B}tab\there",
                "\"next\"",
                "tab\there",
            ),
            // A developer emoji (man, zero-width joiner, laptop) and curly quotes survive.
            (
                "next \u{1F468}\u{200D}\u{1F4BB} \u{2018}deploys\u{2019}",
                "next",
                "\u{1F468}\u{200D}\u{1F4BB} \u{2018}deploys\u{2019}",
            ),
            ("  next  ", "next", ""),
            ("", "", ""),
        ];
        for (typed, word, rest) in cases {
            assert_eq!(split_word(typed), (word.to_owned(), rest), "{typed:?}");
        }
    }

    #[test]
    fn broadcasts_and_group_mentions_never_survive_sanitizing() {
        let cases = [
            ("<!channel> db is down", "@\u{2060}channel db is down"),
            (
                "ping <!here|here> and <!everyone>",
                "ping @\u{2060}here and @\u{2060}everyone",
            ),
            ("<!subteam^S0123|@dba> knows", "@\u{2060}dba knows"),
            ("<!subteam^S0123>", "@\u{2060}group"),
            ("thanks <@U0BOB0001|bob>", "thanks <@U0BOB0001>"),
            ("see <#C0123|general>", "see <#C0123>"),
            (
                "runbook <https://x.example/rb|the runbook>",
                "runbook <https://x.example/rb|the runbook>",
            ),
            (
                "a &lt; b &amp;&amp; c &gt; d",
                "a &lt; b &amp;&amp; c &gt; d",
            ),
            ("stray & < > here", "stray &amp; &lt; &gt; here"),
            ("<not a thing>", "&lt;not a thing&gt;"),
            // Only a link is kept as a sequence, and only without white space in it.
            ("<ftp://x.example/f|file>", "&lt;ftp://x.example/f|file&gt;"),
            (
                "<https://x.example/a b|docs>",
                "&lt;https://x.example/a b|docs&gt;",
            ),
            ("<!date^1392734382^{date}|Feb 18>", "Feb 18"),
        ];
        for (wire, safe) in cases {
            assert_eq!(sanitize(wire), safe, "{wire}");
        }
    }

    #[test]
    fn broadcasts_typed_as_plain_words_never_survive_sanitizing() {
        let j = WORD_JOINER;
        // (wire form, made safe)
        let cases = [
            (
                "@channel db is down".to_owned(),
                format!("@{j}channel db is down"),
            ),
            (
                "ping @here, @Everyone and @CHANNEL.".to_owned(),
                format!("ping @{j}here, @{j}Everyone and @{j}CHANNEL."),
            ),
            ("(@here)".to_owned(), format!("(@{j}here)")),
            // In Slack's italics, bold and strike.
            (
                "_@here_ *@channel* ~@everyone~".to_owned(),
                format!("_@{j}here_ *@{j}channel* ~@{j}everyone~"),
            ),
            ("&lt;@here&gt;".to_owned(), format!("&lt;@{j}here&gt;")),
            ("@here-team".to_owned(), format!("@{j}here-team")),
            (
                "<https://x.example/@here|ask @here>".to_owned(),
                format!("<https://x.example/@here|ask @{j}here>"),
            ),
            (
                "<!date^1392734382^{date}|@here>".to_owned(),
                format!("@{j}here"),
            ),
            (format!("already @{j}here"), format!("already @{j}here")),
            // Addresses and longer names are not broadcasts.
            (
                "mail ops@here.example".to_owned(),
                "mail ops@here.example".to_owned(),
            ),
            (
                "@heretic @channels @here_team @ here".to_owned(),
                "@heretic @channels @here_team @ here".to_owned(),
            ),
        ];
        for (wire, safe) in cases {
            assert_eq!(sanitize(&wire), safe, "{wire}");
        }
        // A stored name is repeated in the reminder, and is text anyone can set.
        let names = HashMap::from([(uid("U0BOB0001"), "Bob @here".to_owned())]);
        assert_eq!(
            sanitize_quietly("ask <@U0BOB0001> or @here", &names),
            format!("ask @{j}Bob @{j}here or @{j}here")
        );
    }

    #[test]
    fn raw_text_escapes_to_wire_form_and_renders_back_as_typed() {
        let typed = "a < b & <!channel> @bob";
        let wire = escape(typed);
        assert_eq!(wire, "a &lt; b &amp; &lt;!channel&gt; @bob");
        assert_eq!(sanitize(&wire), wire);
        assert_eq!(plain(&sanitize(&wire)), typed);
    }

    #[test]
    fn a_name_is_printed_with_each_control_character_replaced() {
        // (name in Slack, as printed)
        let cases = [
            ("Alice Smith", "Alice Smith"),
            ("Zoë \u{1F3D6}", "Zoë \u{1F3D6}"),
            (
                "\u{1b}[31mMallory\u{1b}[0m",
                "\u{FFFD}[31mMallory\u{FFFD}[0m",
            ),
            (
                "Mallory\u{1b}]0;owned\u{7}",
                "Mallory\u{FFFD}]0;owned\u{FFFD}",
            ),
            ("two\nlines\r", "two\u{FFFD}lines\u{FFFD}"),
            ("tab\there", "tab\u{FFFD}here"),
            // C1's CSI, which some terminals read as `ESC [`.
            ("\u{9b}2J", "\u{FFFD}2J"),
            // A right-to-left override would turn "£50.00" after it into "00.05£".
            ("Eve\u{202E}lin", "Eve\u{FFFD}lin"),
            ("\u{2066}x\u{2069}", "\u{FFFD}x\u{FFFD}"),
            (
                "\u{202A}\u{202B}\u{202C}\u{202D}",
                "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}",
            ),
            // Right-to-left names, and the marks that only steer their neighbours, are names.
            (
                "\u{5D3}\u{5E0}\u{5D4} \u{200F}",
                "\u{5D3}\u{5E0}\u{5D4} \u{200F}",
            ),
        ];
        for (name, printed) in cases {
            assert_eq!(printable_name(name), printed, "{name:?}");
        }
    }

    #[test]
    fn plain_rendering_shows_mentions_links_and_entities_readably() {
        assert_eq!(plain("<@alice> to <@bob|Bob>"), "@alice to @Bob");
        assert_eq!(
            plain("in <#ops>: <https://x|docs> &amp; more"),
            "in #ops: docs (https://x) & more"
        );
        assert_eq!(plain("broken <@alice"), "broken <@alice");
    }
}
