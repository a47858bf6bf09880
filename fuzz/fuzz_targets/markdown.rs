//! Escaping for reports and terminals: whatever the text, the Markdown escape leaves no
//! character that GitHub's Markdown would act on, and no hidden control survives either escape.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sagemaker_audit::render::template::escape_markdown;
use sagemaker_audit::text::{is_hidden_control, visible};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    assert!(!visible(text).chars().any(is_hidden_control));
    let md = escape_markdown(text);
    assert!(!md.chars().any(is_hidden_control), "{md:?}");
    assert!(!md.contains('\n') && !md.contains('<') && !md.contains('>'));
    let chars: Vec<char> = md.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            // An entity the escaper wrote (`&lt;`, `&#8288;`): skip to its end.
            '&' => {
                let end = chars[i..]
                    .iter()
                    .position(|&c| c == ';')
                    .expect("entity ends");
                assert!(end <= 8, "{md:?}");
                i += end + 1;
            }
            c @ ('`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' | '(' | ')' | '{' | '}'
            | ':') => {
                panic!("unescaped {c:?} at {i} in {md:?}")
            }
            _ => i += 1,
        }
    }
    assert!(!md.to_ascii_lowercase().contains("www."), "{md:?}");
});
