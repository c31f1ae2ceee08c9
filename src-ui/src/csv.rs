//! The one writer of every CSV the app exports (the explorer's tables, the figures' tables, the
//! Sozialausgaben, the Beschlusskontrolle): what Excel opens as intended, UTF-8 with a BOM, `;`
//! between fields, CRLF between rows, and no field that a spreadsheet could run.
//!
//! The text in an export comes from the server (indicator names, area names, a recommendation's
//! note): a field starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a
//! formula (CSV injection, OWASP). Such a field gets a leading `'`, which Excel shows as text.
//! Numbers as the app writes them (`-1.234,5`, `-0,8 p`, `-2,1 %`) stay numbers.

/// A CSV document being written.
#[derive(Debug)]
pub struct Csv {
    out: String,
}

impl Default for Csv {
    fn default() -> Self {
        Self::new()
    }
}

impl Csv {
    /// An empty document, starting with the BOM Excel needs to read UTF-8.
    pub fn new() -> Self {
        Self {
            out: String::from("\u{feff}"),
        }
    }

    /// One row; every field is made safe ([`field`]).
    pub fn row<S: AsRef<str>>(&mut self, fields: impl IntoIterator<Item = S>) -> &mut Self {
        let mut first = true;
        for text in fields {
            if !first {
                self.out.push(';');
            }
            first = false;
            self.out.push_str(&field(text.as_ref()));
        }
        self.out.push_str("\r\n");
        self
    }

    /// An empty row between the header and the table.
    pub fn blank(&mut self) -> &mut Self {
        self.out.push_str("\r\n");
        self
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// One field: a formula start defused, then quoted when it holds `;`, `"` or a line break.
pub fn field(text: &str) -> String {
    let text = if starts_formula(text) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// Whether a spreadsheet would take `text` as a formula: it starts with `=`, `+`, `-`, `@`, a
/// tab or a CR, and is not a signed number (digits, `.`, `,`, then at most words, `%` and `€`,
/// none of which can call anything).
fn starts_formula(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    match first {
        '=' | '@' | '\t' | '\r' => true,
        '+' | '-' => !signed_number(&text[1..]),
        _ => false,
    }
}

fn signed_number(rest: &str) -> bool {
    rest.starts_with(|c: char| c.is_ascii_digit())
        && rest
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | ',' | '%' | '€'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_defused_wherever_the_text_came_from() {
        for (text, written) in [
            (
                "=HYPERLINK(\"https://example.org\")",
                "\"'=HYPERLINK(\"\"https://example.org\"\")\"",
            ),
            ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "\"'\r=1+1\""),
            ("-", "'-"),
            ("-A1", "'-A1"),
            ("Pinneberg; Stadt", "\"Pinneberg; Stadt\""),
            ("Kreis \"Pinneberg\"", "\"Kreis \"\"Pinneberg\"\"\""),
            ("Elmshorn", "Elmshorn"),
            ("", ""),
        ] {
            assert_eq!(field(text), written, "{text:?}");
        }
    }

    #[test]
    fn numbers_as_the_app_writes_them_stay_numbers() {
        for text in [
            "-1.234,5",
            "-0,8 p",
            "-2,1 %",
            "+3",
            "-12 je 1.000 Einw",
            "-5 €",
        ] {
            assert_eq!(field(text), text);
        }
    }

    #[test]
    fn a_document_has_the_bom_semicolons_and_crlf() {
        let mut csv = Csv::new();
        csv.row(["Kennzahl", "=1+1"]).blank().row(["a", "b;c"]);
        assert_eq!(csv.finish(), "\u{feff}Kennzahl;'=1+1\r\n\r\na;\"b;c\"\r\n");
    }
}
