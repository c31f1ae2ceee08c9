//! German numbers for what people read, shared by the app and the server (a live value's
//! fallback text is written at publish time the way the app writes it).

/// `1234.5` with 1 decimal → `1.234,5`.
pub fn number(value: f64, decimals: u8) -> String {
    let fixed = format!("{:.*}", usize::from(decimals), value.abs());
    let (whole, fraction) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let mut grouped = String::new();
    for (digit_idx, digit) in whole.chars().enumerate() {
        if digit_idx > 0 && (whole.len() - digit_idx) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    let sign = if value < 0.0 && fixed.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{fraction}")
    }
}

/// A number with its unit: `6,8 %`, `12,3 je 1.000`.
pub fn with_unit(number: &str, unit: &str) -> String {
    if unit.is_empty() {
        number.to_owned()
    } else {
        format!("{number} {unit}")
    }
}

/// How much of a value from outside (a field of an import, a query parameter, a path) an error
/// message repeats: enough to find it, never megabytes back to whoever sent it.
pub const ECHO_CHARS: usize = 80;

/// `text` cut to `max_chars` characters, the cut marked with `…`.
pub fn shorten(text: &str, max_chars: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max_chars) {
        None => std::borrow::Cow::Borrowed(text),
        Some((end, _)) => std::borrow::Cow::Owned(format!("{}…", &text[..end])),
    }
}

/// A value from outside as an error message repeats it: at most [`ECHO_CHARS`] characters.
pub fn echo(value: &str) -> std::borrow::Cow<'_, str> {
    shorten(value, ECHO_CHARS)
}

/// An error text that quotes what it choked on in backticks (serde's, axum's, the store's
/// "`id` gibt es nicht"): each quoted part cut by [`echo`], the whole to a few lines, so the
/// words around the value (what was expected) survive.
pub fn echo_quoted(text: &str) -> String {
    let parts: Vec<std::borrow::Cow<'_, str>> = text
        .split('`')
        .enumerate()
        .map(|(part_idx, part)| {
            if part_idx % 2 == 1 {
                echo(part)
            } else {
                std::borrow::Cow::Borrowed(part)
            }
        })
        .collect();
    shorten(&parts.join("`"), 4 * ECHO_CHARS).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_and_the_cut_is_marked() {
        for (text, max_chars, expected, why) in [
            ("kurz", 80, "kurz", "shorter than the cap: as it is"),
            ("abcdef", 6, "abcdef", "exactly the cap: as it is"),
            ("abcdefg", 6, "abcdef…", "one more: cut and marked"),
            ("ääääää", 3, "äää…", "cut at characters, not bytes"),
            ("", 0, "", "nothing stays nothing"),
        ] {
            assert_eq!(shorten(text, max_chars), expected, "{why}");
        }
        let long = "x".repeat(1_000_000);
        let quoted = echo_quoted(&format!("Cannot parse `{long}` to a `u64`"));
        assert!(
            quoted.starts_with("Cannot parse `xxx") && quoted.ends_with("…` to a `u64`"),
            "the value is cut, the words around it stay: {quoted}"
        );
        assert!(
            echo_quoted(&format!("no quotes {long}")).chars().count() <= 4 * ECHO_CHARS + 1,
            "text without quotes is bounded as a whole"
        );
        assert_eq!(
            echo(&long).chars().count(),
            ECHO_CHARS + 1,
            "a megabyte comes back as 80 characters and the mark"
        );
    }
}
