//! The editor's form fields and a content file's TOML front matter, both ways. Writing goes
//! through `toml_edit` on the file as it is, so keys the form does not know, comments and the
//! order of keys survive an edit; only values that changed are replaced.

use fokus_model::content::{ContentKind, RecommendationStatus, StatusChange};
use fokus_model::redaktion::inhalte::{FrontFields, KindFields, Problem, Source};
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, Value};

use crate::publish::split_front_matter as split;

/// The file for `source`, written over `base` (the file as it is, when there is one): its
/// front matter with the form's values, then the Markdown text. Values the form gets wrong in
/// a way TOML cannot hold (a date that is no date) are written as text, so `publish` reports
/// them at their line too, and are returned as problems of their field.
pub fn compose(base: Option<&str>, source: &Source) -> (String, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut document: DocumentMut = base
        .and_then(split)
        .and_then(|(front, _)| front.parse().ok())
        .unwrap_or_default();
    let fields = &source.fields;
    let table = document.as_table_mut();
    set(table, "art", Some(fields.details.kind().as_str().into()));
    set(table, "titel", Some(fields.title.trim().into()));
    set(table, "datum", date(&fields.date, "date", &mut problems));
    set(table, "zusammenfassung", text(&fields.summary));
    let mut keys: Vec<(&str, Option<Value>)> = Vec::new();
    let mut status: &[StatusChange] = &[];
    match &fields.details {
        KindFields::Kapitel {
            year,
            chapter,
            data_stand,
        } => {
            keys.push(("jahr", year.map(|year| i64::from(year).into())));
            keys.push(("kapitel", chapter.map(|chapter| i64::from(chapter).into())));
            let data_stand = data_stand.as_deref().unwrap_or_default();
            keys.push(("datenstand", date(data_stand, "data_stand", &mut problems)));
        }
        KindFields::Empfehlung {
            year,
            handlungsfeld,
            indicators,
            areas,
            office,
            deadline,
            status: entries,
        } => {
            keys.push(("jahr", year.map(|year| i64::from(year).into())));
            keys.push((
                "handlungsfeld",
                text(handlungsfeld.as_deref().unwrap_or_default()),
            ));
            keys.push(("kennzahlen", list(indicators)));
            keys.push(("gebiete", list(areas)));
            keys.push(("zustaendig", text(office.as_deref().unwrap_or_default())));
            let deadline = deadline.as_deref().unwrap_or_default();
            keys.push(("frist", date(deadline, "deadline", &mut problems)));
            status = entries;
        }
        KindFields::Newsletter { year, quarter } => {
            keys.push(("jahr", year.map(|year| i64::from(year).into())));
            keys.push(("quartal", quarter.map(|quarter| i64::from(quarter).into())));
        }
        KindFields::Dokument { category, files } => {
            keys.push(("kategorie", text(category.as_deref().unwrap_or_default())));
            keys.push(("dateien", list(files)));
        }
        KindFields::Video { video, captions } => {
            keys.push(("video", text(video.as_deref().unwrap_or_default())));
            keys.push(("untertitel", text(captions.as_deref().unwrap_or_default())));
        }
    }
    // Every kind's keys: those of another kind go (publish would refuse them).
    for key in KIND_KEYS {
        let value = keys
            .iter_mut()
            .find(|(known, _)| *known == key)
            .and_then(|(_, value)| value.take());
        set(table, key, value);
    }
    set_status(table, status, &mut problems);
    let mut front = document.to_string();
    if !front.ends_with('\n') {
        front.push('\n');
    }
    let mut body = source.body.replace("\r\n", "\n");
    if !body.is_empty() && !body.ends_with('\n') {
        body.push('\n');
    }
    (format!("+++\n{front}+++\n{body}"), problems)
}

/// The keys of the kinds, in the order a new file gets them.
const KIND_KEYS: [&str; 13] = [
    "jahr",
    "kapitel",
    "datenstand",
    "quartal",
    "handlungsfeld",
    "kennzahlen",
    "gebiete",
    "zustaendig",
    "frist",
    "kategorie",
    "dateien",
    "video",
    "untertitel",
];

fn text(value: &str) -> Option<Value> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.into())
}

fn list(values: &[String]) -> Option<Value> {
    let values: Vec<&str> = values
        .iter()
        .map(|value| value.trim())
        .filter(|value| !value.is_empty())
        .collect();
    (!values.is_empty()).then(|| Value::Array(values.into_iter().collect()))
}

/// An ISO date as a TOML date; anything else as text, with a problem for `field`.
fn date(value: &str, field: &str, problems: &mut Vec<Problem>) -> Option<Value> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse::<toml_edit::Datetime>() {
        Ok(parsed) if parsed.date.is_some() && parsed.time.is_none() && value.len() == 10 => {
            Some(parsed.into())
        }
        _ => {
            problems.push(Problem {
                line: None,
                body_line: None,
                field: Some(field.to_owned()),
                message: format!(
                    "„{}“ ist kein Datum der Form JJJJ-MM-TT",
                    fokus_model::text::echo(value)
                ),
            });
            Some(value.into())
        }
    }
}

/// A value as it compares: what it holds, not how it is written.
fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => format!("{:?}", text.value()),
        Value::Array(values) => {
            let parts: Vec<String> = values.iter().map(plain).collect();
            format!("[{}]", parts.join(","))
        }
        other => {
            let mut other = other.clone();
            other.decor_mut().clear();
            other.to_string()
        }
    }
}

/// Sets `key` to `value` (removes it for `None`), keeping its place and its comments; a value
/// that holds the same is left as written.
fn set(table: &mut Table, key: &str, value: Option<Value>) {
    let Some(mut value) = value else {
        table.remove(key);
        return;
    };
    if let Some(Item::Value(old)) = table.get(key) {
        if plain(old) == plain(&value) {
            return;
        }
        *value.decor_mut() = old.decor().clone();
    }
    table.insert(key, Item::Value(value));
}

/// The `[[status]]` entries: changed in place where there are some already (their comments
/// stay), added or removed at the end.
fn set_status(table: &mut Table, status: &[StatusChange], problems: &mut Vec<Problem>) {
    if status.is_empty() {
        table.remove("status");
        return;
    }
    if !matches!(table.get("status"), Some(Item::ArrayOfTables(_))) {
        table.insert("status", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    let Some(Item::ArrayOfTables(list)) = table.get_mut("status") else {
        return;
    };
    for (index, change) in status.iter().enumerate() {
        if index >= list.len() {
            list.push(Table::new());
        }
        let Some(entry) = list.get_mut(index) else {
            continue;
        };
        set(entry, "datum", date(&change.date, "status", problems));
        set(entry, "stand", Some(change.status.as_str().into()));
        set(entry, "notiz", text(&change.note));
    }
    while list.len() > status.len() {
        list.remove(list.len() - 1);
    }
}

/// The form fields and Markdown text of a content file.
pub fn source_of(text: &str) -> Result<Source, String> {
    let (front, body) =
        split(text).ok_or("Kopfbereich fehlt: die Datei muss mit einer Zeile `+++` beginnen")?;
    let document: DocumentMut = front.parse().map_err(|error: toml_edit::TomlError| {
        format!("Kopfbereich ungültig: {}", error.message())
    })?;
    let string = |key: &str| document.get(key).and_then(Item::as_str).map(str::to_owned);
    let number = |key: &str| document.get(key).and_then(Item::as_integer);
    let day = |key: &str| {
        document
            .get(key)
            .and_then(Item::as_datetime)
            .map(ToString::to_string)
    };
    let strings = |key: &str| -> Vec<String> {
        document
            .get(key)
            .and_then(Item::as_array)
            .map(|values| {
                values
                    .iter()
                    .filter_map(|value| value.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let art = string("art").unwrap_or_default();
    let kind = ContentKind::parse(&art)
        .ok_or_else(|| format!("unbekannte art „{}“", fokus_model::text::echo(&art)))?;
    let year = number("jahr").and_then(|year| u16::try_from(year).ok());
    let details = match kind {
        ContentKind::Kapitel => KindFields::Kapitel {
            year,
            chapter: number("kapitel").and_then(|chapter| u16::try_from(chapter).ok()),
            data_stand: day("datenstand"),
        },
        ContentKind::Empfehlung => KindFields::Empfehlung {
            year,
            handlungsfeld: string("handlungsfeld"),
            indicators: strings("kennzahlen"),
            areas: strings("gebiete"),
            office: string("zustaendig"),
            deadline: day("frist"),
            status: document
                .get("status")
                .and_then(Item::as_array_of_tables)
                .map(|entries| {
                    entries
                        .iter()
                        .map(|entry| StatusChange {
                            date: entry
                                .get("datum")
                                .and_then(Item::as_datetime)
                                .map(ToString::to_string)
                                .unwrap_or_default(),
                            status: entry
                                .get("stand")
                                .and_then(Item::as_str)
                                .and_then(RecommendationStatus::parse)
                                .unwrap_or(RecommendationStatus::Offen),
                            note: entry
                                .get("notiz")
                                .and_then(Item::as_str)
                                .unwrap_or_default()
                                .to_owned(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        },
        ContentKind::Newsletter => KindFields::Newsletter {
            year,
            quarter: number("quartal").and_then(|quarter| u8::try_from(quarter).ok()),
        },
        ContentKind::Dokument => KindFields::Dokument {
            category: string("kategorie"),
            files: strings("dateien"),
        },
        ContentKind::Video => KindFields::Video {
            video: string("video"),
            captions: string("untertitel"),
        },
    };
    Ok(Source {
        fields: FrontFields {
            title: string("titel").unwrap_or_default(),
            date: day("datum").unwrap_or_default(),
            summary: string("zusammenfassung").unwrap_or_default(),
            details,
        },
        body: body.to_owned(),
    })
}

/// A new item's first source: its title, today's date and the current year where the kind
/// has one.
pub fn template(kind: ContentKind, title: &str, today: &str) -> Source {
    let year = today.get(..4).and_then(|year| year.parse().ok());
    let mut details = KindFields::empty(kind);
    match &mut details {
        KindFields::Kapitel { year: slot, .. }
        | KindFields::Empfehlung { year: slot, .. }
        | KindFields::Newsletter { year: slot, .. } => *slot = year,
        KindFields::Dokument { .. } | KindFields::Video { .. } => {}
    }
    Source {
        fields: FrontFields {
            title: title.trim().to_owned(),
            date: today.to_owned(),
            summary: String::new(),
            details,
        },
        body: String::new(),
    }
}

/// What changed from `old` to `new` (two files), for the history: the front matter's keys
/// that differ, and how many lines of the text.
pub fn changes(old: Option<&str>, new: &str) -> String {
    let Some(old) = old else {
        return "neu".to_owned();
    };
    let parts = |text: &str| -> (toml::Table, String) {
        let (front, body) = split(text).unwrap_or(("", text));
        (toml::from_str(front).unwrap_or_default(), body.to_owned())
    };
    let (old_front, old_body) = parts(old);
    let (new_front, new_body) = parts(new);
    let mut keys: Vec<&str> = old_front
        .keys()
        .chain(new_front.keys())
        .map(String::as_str)
        .filter(|key| old_front.get(*key) != new_front.get(*key))
        .collect();
    keys.sort_by_key(|key| {
        fokus_model::redaktion::inhalte::FIELD_KEYS
            .iter()
            .position(|(_, toml_key)| toml_key == key)
            .unwrap_or(usize::MAX)
    });
    keys.dedup();
    let mut summary = keys.join(", ");
    let lines = changed_lines(&old_body, &new_body);
    if lines > 0 {
        if !summary.is_empty() {
            summary.push_str("; ");
        }
        summary.push_str(&format!(
            "Text: {lines} Zeile{}",
            if lines == 1 { "" } else { "n" }
        ));
    }
    if summary.is_empty() {
        summary.push_str("keine Änderung");
    }
    summary
}

/// Lines between the first and the last that differ, counted in the longer text.
fn changed_lines(old: &str, new: &str) -> usize {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    (old.len() - prefix - suffix).max(new.len() - prefix - suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECOMMENDATION: &str = "+++\nart = \"empfehlung\" # the kind\ntitel = \"T\"\ndatum = 2025-10-14\n# who decides\nzustaendig = \"Fachdienst Soziales\"\njahr = 2024\nkennzahlen = [\"a\", \"b\"]\n\n[[status]]\ndatum = 2024-04-02 # first\nstand = \"offen\"\nnotiz = \"beschlossen\"\n+++\nText.\n";

    #[test]
    fn a_file_round_trips_unchanged() {
        let source = source_of(RECOMMENDATION).unwrap();
        assert_eq!(source.fields.title, "T");
        let KindFields::Empfehlung {
            status,
            indicators,
            office,
            ..
        } = &source.fields.details
        else {
            panic!("{source:?}")
        };
        assert_eq!(indicators, &["a", "b"]);
        assert_eq!(office.as_deref(), Some("Fachdienst Soziales"));
        assert_eq!(status[0].date, "2024-04-02");
        let (text, problems) = compose(Some(RECOMMENDATION), &source);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(text, RECOMMENDATION, "nothing changed, nothing rewritten");
    }

    #[test]
    fn an_edit_keeps_comments_order_and_other_keys() {
        let mut source = source_of(RECOMMENDATION).unwrap();
        source.fields.title = "Neuer \"Titel\"".into();
        if let KindFields::Empfehlung {
            status, deadline, ..
        } = &mut source.fields.details
        {
            status.push(StatusChange {
                date: "2026-12-05".into(),
                status: RecommendationStatus::InUmsetzung,
                note: "läuft".into(),
            });
            *deadline = Some("2026-06-30".into());
        }
        source.body = "Neuer Text".into();
        let (text, problems) = compose(Some(RECOMMENDATION), &source);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(text.starts_with("+++\nart = \"empfehlung\" # the kind\ntitel = 'Neuer \"Titel\"'\ndatum = 2025-10-14\n# who decides\nzustaendig"), "{text}");
        assert!(text.contains("datum = 2024-04-02 # first"), "{text}");
        assert!(text.contains("frist = 2026-06-30"), "{text}");
        assert!(text.ends_with("+++\nNeuer Text\n"), "{text}");
        let again = source_of(&text).unwrap();
        assert_eq!(
            again,
            Source {
                body: "Neuer Text\n".into(),
                ..source
            }
        );
        assert_eq!(
            changes(Some(RECOMMENDATION), &text),
            "titel, frist, status; Text: 1 Zeile"
        );
    }

    #[test]
    fn a_change_of_kind_drops_the_old_kind_keys() {
        let mut source = source_of(RECOMMENDATION).unwrap();
        source.fields.details = KindFields::Newsletter {
            year: Some(2026),
            quarter: Some(1),
        };
        let (text, _) = compose(Some(RECOMMENDATION), &source);
        for gone in ["zustaendig", "kennzahlen", "[[status]]"] {
            assert!(!text.contains(gone), "{gone} in {text}");
        }
        assert!(text.contains("quartal = 1"), "{text}");
    }

    #[test]
    fn bad_dates_are_problems_of_their_field_and_written_as_text() {
        let mut source = template(ContentKind::Kapitel, "Neu", "2026-12-05");
        source.fields.date = "5.12.2026".into();
        let (text, problems) = compose(None, &source);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field.as_deref(), Some("date"));
        assert!(text.contains("datum = \"5.12.2026\""), "{text}");
        assert!(text.contains("jahr = 2026"), "{text}");
    }
}
