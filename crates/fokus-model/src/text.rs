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
