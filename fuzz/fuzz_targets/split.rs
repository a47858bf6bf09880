//! The document splitter against serde_json: cutting the text anywhere changes nothing, and
//! for a text serde_json reads as an array, the splitter finds exactly its elements.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sagemaker_audit::ingest::split::{Event, Scanner, split};
use serde_json::value::RawValue;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, text)) = data.split_first() else {
        return;
    };
    let (scanner, whole) = split(text);
    let cut = usize::from(cut) * text.len() / 256;
    let mut s = Scanner::default();
    let mut events = Vec::new();
    s.feed(&text[..cut], &mut events);
    s.feed(&text[cut..], &mut events);
    s.finish(&mut events);
    assert_eq!(events, whole, "cut at {cut}");
    let mut last_end = 0;
    for e in &whole {
        if let Event::Document(span) = e {
            assert!(span.start >= last_end && span.end > span.start);
            assert!(span.end as usize <= text.len());
            last_end = span.end;
        }
    }
    if let Ok(elements) = serde_json::from_slice::<Vec<&RawValue>>(text) {
        let spans: Vec<&[u8]> = whole
            .iter()
            .map(|e| match e {
                Event::Document(s) => &text[s.start as usize..s.end as usize],
                Event::Broken { message, .. } => panic!("valid array reported broken: {message}"),
            })
            .collect();
        assert_eq!(scanner.documents(), elements.len());
        for (span, element) in spans.iter().zip(&elements) {
            assert_eq!(*span, element.get().as_bytes());
        }
    }
});
