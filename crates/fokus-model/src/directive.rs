//! Live figures and values in editorial text. Authors write `::chart{indicator=… areas=…}`,
//! `::map{indicator=… year=…}` or `:wert{indicator=… area=… year=…}` in Markdown; `publish` checks
//! them against the catalogue and writes them as HTML placeholders that carry their arguments in
//! `data-*` attributes and a link to the explorer as fallback text. The app draws them from its
//! cache, so text and data never disagree. Both the writer ([`Directive::html`]) and the readers
//! ([`split_figures`], [`Directive::from_attributes`]) live here, so they cannot drift apart.

use crate::view::{ExplorerView, Tab, View};

/// The `data-*` attributes a placeholder carries; the HTML policy keeps exactly these.
pub const ATTRIBUTES: [&str; 5] = [
    "data-fokus",
    "data-indicator",
    "data-areas",
    "data-area",
    "data-year",
];

/// Areas one chart may show.
pub const MAX_CHART_AREAS: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Directive {
    /// The time series of an indicator: the first area in focus, the others (Land and Bund
    /// among them) beside it.
    Chart {
        indicator: String,
        areas: Vec<String>,
    },
    /// The map of an indicator in a year (the latest when `None`).
    Map {
        indicator: String,
        year: Option<u16>,
    },
    /// One value, inline in a sentence (the latest year when `None`).
    Value {
        indicator: String,
        area: String,
        year: Option<u16>,
    },
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Decodes the entities an HTML writer uses (`&amp;` last, so `&amp;lt;` stays `&lt;`).
pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

impl Directive {
    /// The name authors write (`::chart`, `::map`, `:wert`) and `data-fokus` holds.
    pub fn name(&self) -> &'static str {
        match self {
            Directive::Chart { .. } => "chart",
            Directive::Map { .. } => "map",
            Directive::Value { .. } => "wert",
        }
    }

    pub fn indicator(&self) -> &str {
        match self {
            Directive::Chart { indicator, .. }
            | Directive::Map { indicator, .. }
            | Directive::Value { indicator, .. } => indicator,
        }
    }

    /// The explorer view the figure or value links to.
    pub fn view(&self) -> View {
        let explorer = match self {
            Directive::Chart { indicator, areas } => ExplorerView {
                indicator: Some(indicator.clone()),
                areas: areas.iter().take(1).cloned().collect(),
                tab: Tab::Zeitreihe,
                ..ExplorerView::new()
            },
            Directive::Map { indicator, year } => ExplorerView {
                indicator: Some(indicator.clone()),
                year: *year,
                ..ExplorerView::new()
            },
            Directive::Value {
                indicator,
                area,
                year,
            } => ExplorerView {
                indicator: Some(indicator.clone()),
                year: *year,
                areas: vec![area.clone()],
                ..ExplorerView::new()
            },
        };
        View::Explorer(explorer)
    }

    /// The placeholder: a `<figure>` of its own for charts and maps, an inline link for a
    /// value; `text` is what shows until (or unless) the app draws it.
    pub fn html(&self, text: &str) -> String {
        let mut attributes = format!(
            "data-fokus=\"{}\" data-indicator=\"{}\"",
            self.name(),
            escape(self.indicator())
        );
        match self {
            Directive::Chart { areas, .. } => {
                attributes.push_str(&format!(" data-areas=\"{}\"", escape(&areas.join(","))));
            }
            Directive::Map { year, .. } => {
                if let Some(year) = year {
                    attributes.push_str(&format!(" data-year=\"{year}\""));
                }
            }
            Directive::Value { area, year, .. } => {
                attributes.push_str(&format!(" data-area=\"{}\"", escape(area)));
                if let Some(year) = year {
                    attributes.push_str(&format!(" data-year=\"{year}\""));
                }
            }
        }
        let href = escape(&self.view().path());
        let text = escape(text);
        match self {
            Directive::Value { .. } => format!("<a {attributes} href=\"{href}\">{text}</a>"),
            _ => format!("<figure {attributes}><a href=\"{href}\">{text}</a></figure>"),
        }
    }

    /// Reads a placeholder's attributes back. Anything else, or a placeholder missing what its
    /// kind needs, is `None` and stays plain (already sanitised) HTML.
    pub fn from_attributes(attributes: &[(String, String)]) -> Option<Directive> {
        let get = |name: &str| {
            attributes
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.trim())
                .filter(|value| !value.is_empty())
        };
        let indicator = get("data-indicator")?.to_owned();
        let year = get("data-year").and_then(|year| year.parse().ok());
        match get("data-fokus")? {
            "chart" => Some(Directive::Chart {
                indicator,
                areas: get("data-areas")
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .filter(|area| !area.is_empty())
                    .take(MAX_CHART_AREAS)
                    .map(str::to_owned)
                    .collect(),
            }),
            "map" => Some(Directive::Map { indicator, year }),
            "wert" => Some(Directive::Value {
                indicator,
                area: get("data-area")?.to_owned(),
                year,
            }),
            _ => None,
        }
    }
}

/// A piece of a content body: HTML, or a live figure where a placeholder stood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyPart {
    Html(String),
    Figure(Directive),
}

/// The attributes of an opening tag (`<figure a="b" c='d'>`), values unescaped.
pub fn attributes(tag: &str) -> Vec<(String, String)> {
    let inner = tag
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim_end_matches('/');
    let mut rest = inner
        .split_once(char::is_whitespace)
        .map_or("", |(_, rest)| rest);
    let mut found = Vec::new();
    loop {
        rest = rest.trim_start();
        let name_end = rest
            .find(|character: char| character == '=' || character.is_whitespace())
            .unwrap_or(rest.len());
        if name_end == 0 {
            break;
        }
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start();
        let Some(after) = rest.strip_prefix('=') else {
            found.push((name, String::new()));
            continue;
        };
        let after = after.trim_start();
        let (value, remainder) = match after.chars().next() {
            Some(quote @ ('"' | '\'')) => {
                let body = &after[1..];
                let end = body.find(quote).unwrap_or(body.len());
                (&body[..end], body.get(end + 1..).unwrap_or(""))
            }
            _ => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        found.push((name, unescape(value)));
        rest = remainder;
    }
    found
}

/// Splits a sanitised body at its figure placeholders, so the app can draw each figure where it
/// stood. Text without placeholders comes back as one HTML part.
pub fn split_figures(html: &str) -> Vec<BodyPart> {
    let mut parts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<figure") {
        let Some(tag_end) = rest[start..].find('>').map(|end| start + end + 1) else {
            break;
        };
        let close = rest[tag_end..]
            .find("</figure>")
            .map_or(rest.len(), |end| tag_end + end + "</figure>".len());
        let directive = Directive::from_attributes(&attributes(&rest[start..tag_end]))
            .filter(|directive| !matches!(directive, Directive::Value { .. }));
        match directive {
            Some(directive) => {
                if start > 0 {
                    parts.push(BodyPart::Html(rest[..start].to_owned()));
                }
                parts.push(BodyPart::Figure(directive));
                rest = &rest[close..];
            }
            None => {
                // Not a placeholder: keep it as HTML and look further on.
                let (head, tail) = rest.split_at(close);
                match parts.last_mut() {
                    Some(BodyPart::Html(previous)) => previous.push_str(head),
                    _ => parts.push(BodyPart::Html(head.to_owned())),
                }
                rest = tail;
            }
        }
    }
    if !rest.is_empty() {
        match parts.last_mut() {
            Some(BodyPart::Html(previous)) => previous.push_str(rest),
            _ => parts.push(BodyPart::Html(rest.to_owned())),
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Directive {
        Directive::Chart {
            indicator: "sgb2_quote".into(),
            areas: vec!["01056".into(), "01".into(), "DG".into()],
        }
    }

    #[test]
    fn placeholders_are_read_back_as_written() {
        let value = Directive::Value {
            indicator: "sgb2_quote".into(),
            area: "01056".into(),
            year: Some(2024),
        };
        let map = Directive::Map {
            indicator: "kinderarmut".into(),
            year: None,
        };
        for directive in [chart(), map, value] {
            let html = directive.html("Text mit \"Zeichen\" & <Klammern>");
            let tag_end = html.find('>').unwrap() + 1;
            assert_eq!(
                Directive::from_attributes(&attributes(&html[..tag_end])),
                Some(directive.clone()),
                "{html}"
            );
        }
    }

    #[test]
    fn a_body_splits_at_its_figures_only() {
        let figure = chart().html("Diagramm");
        let html = format!("<p>Vorher</p>{figure}<figure><img></figure><p>Nachher</p>");
        let parts = split_figures(&html);
        assert_eq!(
            parts,
            [
                BodyPart::Html("<p>Vorher</p>".into()),
                BodyPart::Figure(chart()),
                BodyPart::Html("<figure><img></figure><p>Nachher</p>".into()),
            ]
        );
        assert_eq!(
            split_figures("<p>nur Text</p>"),
            [BodyPart::Html("<p>nur Text</p>".into())]
        );
        // A hostile or broken placeholder is plain HTML, never a figure.
        for broken in [
            "<figure data-fokus=\"chart\">ohne Kennzahl</figure>",
            "<figure data-fokus=\"script\" data-indicator=\"x\">x</figure>",
            "<figure data-fokus=\"chart\" data-indicator=\"x\"",
        ] {
            assert!(
                split_figures(broken)
                    .iter()
                    .all(|part| matches!(part, BodyPart::Html(_))),
                "{broken}"
            );
        }
    }

    #[test]
    fn attributes_are_parsed_with_any_quoting() {
        assert_eq!(
            attributes("<figure a=\"1\" b='2 3' c=4 d>"),
            [
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "2 3".to_owned()),
                ("c".to_owned(), "4".to_owned()),
                ("d".to_owned(), String::new()),
            ]
        );
    }
}
