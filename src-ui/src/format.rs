//! German number and date formatting for what people read.

use fokus_model::{Cell, Gap};

pub use fokus_model::text::{number, with_unit};

/// A cell with its unit and the statistical office's note, or the reason it is empty.
pub fn cell(cell: Option<Cell>, decimals: u8, unit: &str) -> String {
    match cell {
        Some(Cell::Value(value)) => with_unit(&number(value, decimals), unit),
        Some(Cell::Flagged { value, flag }) => format!(
            "{} ({})",
            with_unit(&number(value, decimals), unit),
            flag.label_de()
        ),
        Some(Cell::Gap(gap)) => gap.label_de().to_owned(),
        None => Gap::NoData.label_de().to_owned(),
    }
}

/// A cell in a table whose unit is named once per row or column: the number with its flag's
/// letter, or in one word why it is empty.
pub fn bare(cell: Option<Cell>, decimals: u8) -> String {
    match cell {
        Some(Cell::Value(value)) => number(value, decimals),
        Some(Cell::Flagged { value, flag }) => {
            format!("{} {}", number(value, decimals), flag.letter())
        }
        Some(Cell::Gap(Gap::Suppressed)) => "geheim".to_owned(),
        Some(Cell::Gap(Gap::NoData)) | None => "–".to_owned(),
    }
}

/// Unix seconds → `25.11.2026, 14:05` in the device's time zone.
pub fn date_time(unix_seconds: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        unix_seconds as f64 * 1000.0,
    ));
    format!(
        "{:02}.{:02}.{}, {:02}:{:02}",
        date.get_date(),
        date.get_month() + 1,
        date.get_full_year(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// A moment for the compact header: `20:18` when it was today, `03.12.` otherwise.
pub fn date_time_short(unix_seconds: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        unix_seconds as f64 * 1000.0,
    ));
    let today = js_sys::Date::new_0();
    if date.to_date_string() == today.to_date_string() {
        format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
    } else {
        format!("{:02}.{:02}.", date.get_date(), date.get_month() + 1)
    }
}

/// Unix seconds → `25.11.2026` in the device's time zone.
pub fn date(unix_seconds: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        unix_seconds as f64 * 1000.0,
    ));
    format!(
        "{:02}.{:02}.{}",
        date.get_date(),
        date.get_month() + 1,
        date.get_full_year()
    )
}

/// ISO date `2025-12-15` → `15.12.2025`; anything else unchanged.
pub fn iso_date(iso: &str) -> String {
    match iso.split('-').collect::<Vec<_>>().as_slice() {
        [year, month, day] => format!("{day}.{month}.{year}"),
        _ => iso.to_owned(),
    }
}

/// A file size as people read it: `5 KB`, `1,2 MB`.
pub fn bytes(size: u64) -> String {
    const KB: f64 = 1_000.0;
    const MB: f64 = 1_000_000.0;
    let size = size as f64;
    if size < KB {
        format!("{} Bytes", size as u64)
    } else if size < MB {
        format!("{} KB", number((size / KB).round(), 0))
    } else {
        format!("{} MB", number(size / MB, 1))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_and_sizes() {
        assert_eq!(
            super::iso_date("2025-12-15"),
            "15.12.2025",
            "German date order"
        );
        assert_eq!(super::bytes(512), "512 Bytes", "small files in bytes");
        assert_eq!(super::bytes(77_485), "77 KB", "kilobytes rounded");
        assert_eq!(
            super::bytes(2_121_058),
            "2,1 MB",
            "megabytes with a decimal comma"
        );
    }

    #[test]
    fn cells_say_what_they_are() {
        use fokus_model::{Cell, Gap, ValueFlag};
        let cases = [
            (Some(Cell::Value(7.4)), "7,4 %"),
            (
                Some(Cell::Flagged {
                    value: 7.4,
                    flag: ValueFlag::Provisional,
                }),
                "7,4 % (vorläufig)",
            ),
            (
                Some(Cell::Gap(Gap::Suppressed)),
                "geheim gehalten (Datenschutz)",
            ),
            (None, "keine Daten"),
        ];
        for (input, expected) in cases {
            assert_eq!(super::cell(input, 1, "%"), expected, "{input:?}");
        }
    }

    #[test]
    fn german_numbers() {
        let cases = [
            (1234.5, 1, "1.234,5"),
            (7.0, 1, "7,0"),
            (-0.04, 1, "0,0"),
            (1_000_000.0, 0, "1.000.000"),
            (-12.25, 2, "-12,25"),
        ];
        for (value, decimals, expected) in cases {
            assert_eq!(
                super::number(value, decimals),
                expected,
                "{value} with {decimals} decimals"
            );
        }
    }
}
