//! Untrusted text made safe to show: every string this tool prints or renders can come from a
//! hostile file or endpoint.
//!
//! Control characters (which move a terminal's cursor, forge a second line or recolour it) and
//! the Unicode bidirectional controls (which make `exe.txt` read as `txt.exe`, the "Trojan
//! Source" trick) are replaced by a visible escape such as `\u{202e}`, and long text is cut.

use std::borrow::Cow;
use std::fmt::Write;

/// True for characters that must never reach a terminal or a rendered report as themselves.
pub fn is_hidden_control(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // Bidirectional formatting: ALM, LRM, RLM, LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI.
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            // Line and paragraph separators break lines in some viewers.
            | '\u{2028}' | '\u{2029}'
        )
}

/// True when every byte is printable ASCII (space to `~`): the common case, checked sixteen
/// bytes at a time (the compiler vectorises the fold) before anything is decoded.
fn printable_ascii(text: &str) -> bool {
    let plain = |b: &u8| b.wrapping_sub(b' ') < 0x5f;
    let mut blocks = text.as_bytes().chunks_exact(16);
    blocks.all(|block| block.iter().fold(true, |ok, b| ok & plain(b)))
        && blocks.remainder().iter().all(plain)
}

/// True when `text` holds a hidden control. Runs of printable ASCII (space to `~`, the common
/// case) are skipped a byte at a time without decoding; only other bytes start a character.
fn has_hidden_control(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(skip) = bytes[at..]
        .iter()
        .position(|b| b.wrapping_sub(b' ') >= 0x5f)
    {
        at += skip;
        let Some(c) = text[at..].chars().next() else {
            return false;
        };
        if is_hidden_control(c) {
            return true;
        }
        at += c.len_utf8();
    }
    false
}

/// `text` with every hidden control written as `\u{…}`; borrowed when there is none.
pub fn visible(text: &str) -> Cow<'_, str> {
    if printable_ascii(text) || !has_hidden_control(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_hidden_control(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Cuts `text` to at most `max` bytes on a character boundary, saying how much was left out.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!(
        "{}… ({} more bytes not shown)",
        &text[..end],
        text.len() - end
    ))
}

/// One line of at most `max` bytes: hidden controls made visible (so no newline survives),
/// then cut. For text from an API response or a file that ends up in a message.
pub fn one_line(text: &str, max: usize) -> String {
    truncate(&visible(text), max).into_owned()
}

/// Like [`one_line`], but the result, the note on what was cut included, never passes `max`
/// bytes: for formats with hard field limits (Security Hub's).
pub fn one_line_within(text: &str, max: usize) -> String {
    // A text that fits is kept whole.
    let whole = one_line(text, max);
    if whole.len() <= max {
        return whole;
    }
    // Room for the "… (N more bytes not shown)" the cut adds.
    let cut = one_line(text, max.saturating_sub(40));
    if cut.len() <= max {
        return cut;
    }
    let cut = one_line(text, max / 2);
    if cut.len() <= max {
        return cut;
    }
    // A limit too small for the note: cut without one.
    let shown = visible(text);
    let mut end = max.min(shown.len());
    while !shown.is_char_boundary(end) {
        end -= 1;
    }
    shown[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_become_visible() {
        assert_eq!(visible("plain job-1"), "plain job-1");
        assert!(matches!(visible("plain"), Cow::Borrowed(_)));
        assert_eq!(visible("a\nb"), "a\\u{a}b");
        assert_eq!(visible("\x1b[31mred"), "\\u{1b}[31mred");
        assert_eq!(visible("gnp.\u{202e}exe"), "gnp.\\u{202e}exe");
        assert_eq!(visible("x\u{2066}y\u{2069}"), "x\\u{2066}y\\u{2069}");
        assert_eq!(visible("tab\there\r"), "tab\\u{9}here\\u{d}");
        // Ordinary non-ASCII text is left alone.
        assert_eq!(visible("café 東京"), "café 東京");
    }

    #[test]
    fn a_control_in_any_block_position_is_found() {
        // Skipping printable ASCII must not skip a control after it, or after other text.
        for hidden in ["\x00", "\x1f", "\x7f", "\u{85}", "\u{202e}", "\u{2028}"] {
            for at in 0..70 {
                let text = format!("{}é{hidden}{}", "a".repeat(at), "b".repeat(70 - at));
                assert!(has_hidden_control(&text), "{at}");
                let ascii = format!("{}{hidden}{}", "a".repeat(at), "b".repeat(70 - at));
                assert!(
                    !printable_ascii(&ascii) && has_hidden_control(&ascii),
                    "{at}"
                );
                assert!(visible(&text).contains("\\u{"), "{hidden:?} at {at}");
            }
        }
        assert!(!has_hidden_control(&" ~é東".repeat(40)));
    }

    #[test]
    fn truncation_keeps_characters_whole() {
        assert_eq!(truncate("short", 10), "short");
        let cut = truncate("ééééé", 3);
        assert!(cut.starts_with("é…"), "{cut}");
        assert!(cut.contains("8 more bytes"), "{cut}");
        let line = one_line(&"x\n".repeat(1000), 50);
        assert!(!line.contains('\n'));
        assert!(line.len() < 100);
    }

    #[test]
    fn one_line_within_never_passes_its_limit() {
        for max in [10, 45, 256, 512] {
            for text in ["short", &"é".repeat(600), &"x\n".repeat(900)] {
                let line = one_line_within(text, max);
                assert!(line.len() <= max, "{max}: {line}");
                assert!(!line.contains('\n'));
            }
        }
        assert_eq!(one_line_within("short", 512), "short");
        // A text that fits is never cut (it was, when it was within 40 bytes of the limit).
        let fits = "Task sagemaker:createEndpointConfig";
        assert_eq!(one_line_within(fits, 60), fits);
        assert_eq!(one_line_within(fits, fits.len()), fits);
    }
}
