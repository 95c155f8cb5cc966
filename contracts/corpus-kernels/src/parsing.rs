//! Parsing with regular expressions: `regex-automata`'s meta engine (the engine behind
//! the `regex` crate: a parser, an NFA compiler, a lazy DFA, a PikeVM, a backtracker
//! and a one-pass DFA, picked per search), with Unicode classes.

use alloc::string::String;
use core::fmt::Write as _;

use regex_automata::meta::Regex;

use crate::Rng;

/// The patterns: captures with names, Unicode-aware `\w` and `\b`, a case-insensitive
/// alternation, Unicode scripts, and a literal-heavy one.
const PATTERNS: &[&str] = &[
    r"(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{2}:\d{2}:\d{2})",
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    r"(?i)\b(get|post|put|delete)\s+(/[^\s?]*)(\?\S*)?",
    r"\p{Greek}+|\p{Cyrillic}+|\p{Han}+",
    r"status=(?:4\d\d|5\d\d)\b",
    r#""user_agent":"([^"]*)""#,
];

const USERS: &[&str] = &["alice", "bob.smith", "ζωή", "иван", "李雷", "eve+test", "mallory"];
const DOMAINS: &[&str] = &["example.org", "mail.example.com", "пример.рф", "test-domain.io"];
const PATHS: &[&str] = &["/api/v1/items", "/login", "/static/app.js", "/api/v2/orders/", "/"];
const METHODS: &[&str] = &["GET", "post", "Put", "DELETE", "PATCH"];
const AGENTS: &[&str] = &["curl/8.5", "Mozilla/5.0 (X11; Linux x86_64)", "Δοκιμή/1.0", "bot"];

/// `n` lines of a web server's log.
pub fn log_lines(n: u32) -> String {
    let mut rng = Rng::new(n, 10);
    let mut log = String::new();
    for _ in 0..n {
        let _ = writeln!(
            log,
            "2024-{:02}-{:02}{}{:02}:{:02}:{:02} {}@{} {} {}{}?id={} status={} bytes={} {{\"user_agent\":\"{}\"}}",
            1 + rng.below(12),
            1 + rng.below(28),
            if rng.below(2) == 0 { 'T' } else { ' ' },
            rng.below(24),
            rng.below(60),
            rng.below(60),
            rng.pick(USERS),
            rng.pick(DOMAINS),
            rng.pick(METHODS),
            rng.pick(PATHS),
            rng.below(1000),
            rng.below(10_000),
            [200, 201, 204, 301, 404, 500, 503][rng.below(7) as usize],
            rng.below(100_000),
            rng.pick(AGENTS),
        );
    }
    log
}

/// Compiles the patterns and searches `n` log lines with each: every match, and every
/// group of every match for the patterns with groups. The checksum covers the matches'
/// and groups' positions.
pub fn regex(n: u32) -> u64 {
    let log = log_lines(n);
    let mut sum = 0u64;
    for (index, pattern) in PATTERNS.iter().enumerate() {
        let Ok(regex) = Regex::new(pattern) else { panic!("a pattern does not compile") };
        let mut add = |value: usize| sum = sum.rotate_left(5) ^ (value as u64).wrapping_mul(index as u64 + 1);
        if regex.captures_len() > 1 {
            for captures in regex.captures_iter(log.as_str()) {
                for group in 0..captures.group_len() {
                    if let Some(span) = captures.get_group(group) {
                        add(span.start);
                        add(span.end);
                    }
                }
            }
        } else {
            for found in regex.find_iter(log.as_str()) {
                add(found.start());
                add(found.end());
            }
        }
        add(usize::from(regex.is_match("no match here")));
    }
    sum
}
