//! What the user is looking at, as data: the page and its choices (indicator, year, area level,
//! selected areas, tab, classification). One printer and one parser turn it into the path and
//! query of the UI's router and into a `fokus://` link, so a copied link, a bookmark, back and
//! forward, reload and a restart all land on the same view, in the app and in the web build.

use serde::{Deserialize, Serialize};

use crate::AreaKind;

/// Areas a comparison or a time series holds at most.
pub const MAX_AREAS: usize = 5;
/// Class counts the map offers.
pub const MIN_CLASSES: u8 = 3;
pub const MAX_CLASSES: u8 = 7;
pub const DEFAULT_CLASSES: u8 = 5;
/// The scheme the app registers for its links.
pub const SCHEME: &str = "fokus";

/// The tabs of one indicator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Tab {
    #[default]
    Karte,
    Zeitreihe,
    Rangfolge,
    Tabelle,
    Quellen,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Karte,
        Tab::Zeitreihe,
        Tab::Rangfolge,
        Tab::Tabelle,
        Tab::Quellen,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Tab::Karte => "karte",
            Tab::Zeitreihe => "zeitreihe",
            Tab::Rangfolge => "rangfolge",
            Tab::Tabelle => "tabelle",
            Tab::Quellen => "quellen",
        }
    }

    pub fn label_de(self) -> &'static str {
        match self {
            Tab::Karte => "Karte",
            Tab::Zeitreihe => "Zeitreihe",
            Tab::Rangfolge => "Rangfolge",
            Tab::Tabelle => "Tabelle",
            Tab::Quellen => "Quellen",
        }
    }

    fn parse(text: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|tab| tab.slug() == text)
    }
}

/// How map values are grouped into classes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Method {
    /// About as many areas in each class.
    #[default]
    Quantile,
    /// Classes of equal width between the smallest and largest value.
    Equal,
    /// Natural breaks (Jenks): classes as homogeneous as possible.
    Jenks,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::Quantile, Method::Equal, Method::Jenks];

    pub fn slug(self) -> &'static str {
        match self {
            Method::Quantile => "quantile",
            Method::Equal => "gleich",
            Method::Jenks => "jenks",
        }
    }

    pub fn label_de(self) -> &'static str {
        match self {
            Method::Quantile => "Quantile (gleich viele Gebiete je Klasse)",
            Method::Equal => "Gleiche Abstände",
            Method::Jenks => "Natürliche Brüche (Jenks)",
        }
    }

    fn parse(text: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|method| method.slug() == text)
    }
}

/// The reference a diverging map is centred on: "above or below the Land average".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reference {
    /// The deployment's own total (the Kreis of a county).
    Home,
    Land,
    Bund,
}

impl Reference {
    pub const ALL: [Reference; 3] = [Reference::Home, Reference::Land, Reference::Bund];

    pub fn slug(self) -> &'static str {
        match self {
            Reference::Home => "kreis",
            Reference::Land => "land",
            Reference::Bund => "bund",
        }
    }

    fn parse(text: &str) -> Option<Reference> {
        Reference::ALL
            .into_iter()
            .find(|reference| reference.slug() == text)
    }

    /// The kind of area this reference is, given the deployment's home area kind.
    pub fn kind(self, home: AreaKind) -> AreaKind {
        match self {
            Reference::Home => home,
            Reference::Land => AreaKind::Land,
            Reference::Bund => AreaKind::Bund,
        }
    }
}

/// Which areas the map and tables show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The deployment's map areas (Ämter and amtsfreie Gemeinden of a county).
    #[default]
    Map,
    /// Every Gemeinde.
    Gemeinde,
}

impl Level {
    pub fn slug(self) -> &'static str {
        match self {
            Level::Map => "karte",
            Level::Gemeinde => "gemeinde",
        }
    }

    fn parse(text: &str) -> Option<Level> {
        [Level::Map, Level::Gemeinde]
            .into_iter()
            .find(|level| level.slug() == text)
    }
}

/// The Sozialbericht's state: everything a link to it must carry. `None` means "the default"
/// (the headline indicator, its latest year), so an old link keeps working as data grow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ExplorerView {
    pub indicator: Option<String>,
    pub year: Option<u16>,
    pub level: Level,
    /// Selected areas, the first shown in the value card; at most [`MAX_AREAS`].
    pub areas: Vec<String>,
    pub tab: Tab,
    pub method: Method,
    /// Number of classes, [`MIN_CLASSES`]..=[`MAX_CLASSES`].
    pub classes: u8,
    /// A diverging scale around this reference instead of classes.
    pub diverging: Option<Reference>,
}

/// A view of the app that a link can name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum View {
    Explorer(ExplorerView),
    /// One area with every indicator (Gebietsprofil).
    Profile {
        area: String,
        year: Option<u16>,
    },
    /// Two to five areas side by side, optionally one Handlungsfeld.
    Compare {
        areas: Vec<String>,
        field: Option<String>,
        year: Option<u16>,
    },
}

pub const EXPLORER_PATH: &str = "/sozialbericht";
/// Where the explorer lived before the start page took `/`: links of that time (`/?kennzahl=…`)
/// still open the explorer.
const OLD_EXPLORER_PATH: &str = "/";
pub const PROFILE_PATH: &str = "/gebiet";
pub const COMPARE_PATH: &str = "/vergleich";

impl ExplorerView {
    pub fn new() -> ExplorerView {
        ExplorerView {
            classes: DEFAULT_CLASSES,
            ..ExplorerView::default()
        }
    }

    /// The query string (without `?`), defaults left out, keys in a fixed order.
    pub fn query(&self) -> String {
        let mut query = Query::default();
        query.push_opt("kennzahl", self.indicator.as_deref());
        query.push_opt("jahr", self.year.map(|year| year.to_string()).as_deref());
        if self.level != Level::Map {
            query.push("ebene", self.level.slug());
        }
        if !self.areas.is_empty() {
            query.push("gebiete", &self.areas.join(","));
        }
        if self.tab != Tab::Karte {
            query.push("ansicht", self.tab.slug());
        }
        if self.method != Method::Quantile {
            query.push("klassen", self.method.slug());
        }
        if self.classes != DEFAULT_CLASSES {
            query.push("anzahl", &self.classes.to_string());
        }
        if let Some(reference) = self.diverging {
            query.push("bezug", reference.slug());
        }
        query.0
    }

    /// Reads a query string (with or without `?`). Unknown keys and values that are not valid
    /// fall back to the default, so a hand-edited or old link still opens something sensible.
    pub fn parse(query: &str) -> ExplorerView {
        let mut view = ExplorerView::new();
        for (key, value) in pairs(query) {
            match key.as_str() {
                "kennzahl" => view.indicator = id(&value),
                "jahr" => view.year = value.parse().ok(),
                "ebene" => view.level = Level::parse(&value).unwrap_or_default(),
                "gebiete" => view.areas = area_list(&value),
                "ansicht" => view.tab = Tab::parse(&value).unwrap_or_default(),
                "klassen" => view.method = Method::parse(&value).unwrap_or_default(),
                "anzahl" => {
                    view.classes = value
                        .parse()
                        .ok()
                        .filter(|classes| (MIN_CLASSES..=MAX_CLASSES).contains(classes))
                        .unwrap_or(DEFAULT_CLASSES)
                }
                "bezug" => view.diverging = Reference::parse(&value),
                _ => {}
            }
        }
        view
    }
}

impl View {
    /// The router path with query, e.g. `/gebiet?gebiet=01056&jahr=2024`.
    pub fn path(&self) -> String {
        let (path, query) = self.parts();
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }

    fn parts(&self) -> (&'static str, String) {
        match self {
            View::Explorer(explorer) => (EXPLORER_PATH, explorer.query()),
            View::Profile { area, year } => {
                let mut query = Query::default();
                query.push("gebiet", area);
                query.push_opt("jahr", year.map(|year| year.to_string()).as_deref());
                (PROFILE_PATH, query.0)
            }
            View::Compare { areas, field, year } => {
                let mut query = Query::default();
                query.push("gebiete", &areas.join(","));
                query.push_opt("feld", field.as_deref());
                query.push_opt("jahr", year.map(|year| year.to_string()).as_deref());
                (COMPARE_PATH, query.0)
            }
        }
    }

    /// Reads a router path with query; `None` for a path that is no such view.
    pub fn parse(path_and_query: &str) -> Option<View> {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        let path = match path.trim_end_matches('/') {
            "" => OLD_EXPLORER_PATH,
            other => other,
        };
        match path {
            EXPLORER_PATH => Some(View::Explorer(ExplorerView::parse(query))),
            // The bare `/` is the start page, not a view.
            OLD_EXPLORER_PATH if query.is_empty() => None,
            OLD_EXPLORER_PATH => Some(View::Explorer(ExplorerView::parse(query))),
            PROFILE_PATH => {
                let mut area = None;
                let mut year = None;
                for (key, value) in pairs(query) {
                    match key.as_str() {
                        "gebiet" => area = id(&value),
                        "jahr" => year = value.parse().ok(),
                        _ => {}
                    }
                }
                Some(View::Profile { area: area?, year })
            }
            COMPARE_PATH => {
                let mut areas = Vec::new();
                let mut field = None;
                let mut year = None;
                for (key, value) in pairs(query) {
                    match key.as_str() {
                        "gebiete" => areas = area_list(&value),
                        "feld" => field = Some(value).filter(|field| !field.is_empty()),
                        "jahr" => year = value.parse().ok(),
                        _ => {}
                    }
                }
                Some(View::Compare { areas, field, year })
            }
            _ => None,
        }
    }

    /// The app's link: `fokus://sozialbericht?…`, `fokus://gebiet?…`, `fokus://vergleich?…`.
    pub fn deep_link(&self) -> String {
        let (path, query) = self.parts();
        let host = path.trim_start_matches('/');
        if query.is_empty() {
            format!("{SCHEME}://{host}")
        } else {
            format!("{SCHEME}://{host}?{query}")
        }
    }

    /// Reads an app link (also the web build's full URL, from its path on).
    pub fn from_link(link: &str) -> Option<View> {
        if let Some(rest) = link.strip_prefix(&format!("{SCHEME}://")) {
            let (host, query) = rest.split_once('?').unwrap_or((rest, ""));
            let path = format!("/{}", host.trim_end_matches('/'));
            return View::parse(&format!("{path}?{query}"));
        }
        let after_scheme = link.split_once("://").map_or(link, |(_, rest)| rest);
        let path = after_scheme
            .find('/')
            .map_or("/", |start| &after_scheme[start..]);
        View::parse(path)
    }
}

/// The router path a `fokus://` link opens: a view (parsed and printed anew, so only what the
/// parser understands gets through) or a page by its name (`fokus://mappen`).
pub fn link_path(link: &str) -> Option<String> {
    let rest = link.strip_prefix(&format!("{SCHEME}://"))?;
    if let Some(view) = View::from_link(link) {
        return Some(view.path());
    }
    let page = format!("/{}", rest.trim_end_matches('/'));
    crate::news::Page::from_path(&page).map(|page| page.path().to_owned())
}

/// The router path of a `fokus://` link or of a router path handed over from a second start,
/// printed anew; `None` for anything the app cannot open.
pub fn open_path(text: &str) -> Option<String> {
    if text.starts_with('/') {
        if let Some(view) = View::parse(text) {
            return Some(view.path());
        }
        return crate::news::Page::from_path(text).map(|page| page.path().to_owned());
    }
    link_path(text)
}

/// Ids in links: Regionalschlüssel and indicator ids are letters, digits, `_`, `-` and `.`;
/// anything else is not an id.
fn id(text: &str) -> Option<String> {
    let valid = !text.is_empty()
        && text.len() <= 64
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    valid.then(|| text.to_owned())
}

fn area_list(text: &str) -> Vec<String> {
    let mut areas: Vec<String> = Vec::new();
    for area in text.split(',').filter_map(id) {
        if !areas.contains(&area) && areas.len() < MAX_AREAS {
            areas.push(area);
        }
    }
    areas
}

/// A query string being built; values are percent-encoded.
#[derive(Default)]
struct Query(String);

impl Query {
    fn push(&mut self, key: &str, value: &str) {
        if !self.0.is_empty() {
            self.0.push('&');
        }
        self.0.push_str(key);
        self.0.push('=');
        self.0.push_str(&encode(value));
    }

    fn push_opt(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.push(key, value);
        }
    }
}

/// Percent-encodes all but unreserved characters (RFC 3986) and `,`, which separates lists.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Decodes percent-encoding and `+` as space; invalid escapes are kept as written.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while idx < bytes.len() {
        match bytes[idx] {
            b'+' => out.push(b' '),
            b'%' if idx + 2 < bytes.len() => {
                match (hex_digit(bytes[idx + 1]), hex_digit(bytes[idx + 2])) {
                    (Some(high), Some(low)) => {
                        out.push(high * 16 + low);
                        idx += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        idx += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_digit(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|digit| u8::try_from(digit).ok())
}

/// The key–value pairs of a query string (`?a=1&b=x%20y`), decoded.
pub fn pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ids() -> impl Strategy<Value = String> {
        "[A-Za-z0-9_.-]{1,20}"
    }

    fn explorer() -> impl Strategy<Value = ExplorerView> {
        (
            proptest::option::of(ids()),
            proptest::option::of(1990u16..2100),
            prop_oneof![Just(Level::Map), Just(Level::Gemeinde)],
            proptest::collection::btree_set(ids(), 0..=MAX_AREAS),
            proptest::sample::select(Tab::ALL.to_vec()),
            proptest::sample::select(Method::ALL.to_vec()),
            MIN_CLASSES..=MAX_CLASSES,
            proptest::option::of(proptest::sample::select(Reference::ALL.to_vec())),
        )
            .prop_map(
                |(indicator, year, level, areas, tab, method, classes, diverging)| ExplorerView {
                    indicator,
                    year,
                    level,
                    areas: areas.into_iter().collect(),
                    tab,
                    method,
                    classes,
                    diverging,
                },
            )
    }

    fn views() -> impl Strategy<Value = View> {
        prop_oneof![
            explorer().prop_map(View::Explorer),
            (ids(), proptest::option::of(1990u16..2100))
                .prop_map(|(area, year)| View::Profile { area, year }),
            (
                proptest::collection::btree_set(ids(), 0..=MAX_AREAS),
                proptest::option::of(".{1,30}"),
                proptest::option::of(1990u16..2100),
            )
                .prop_map(|(areas, field, year)| View::Compare {
                    areas: areas.into_iter().collect(),
                    field,
                    year,
                }),
        ]
    }

    proptest! {
        #[test]
        fn every_view_survives_its_path_and_its_link(view in views()) {
            prop_assert_eq!(View::parse(&view.path()), Some(view.clone()), "router path");
            prop_assert_eq!(View::from_link(&view.deep_link()), Some(view.clone()), "fokus:// link");
            let web = format!("https://fokus.kreis-example.de{}", view.path());
            prop_assert_eq!(View::from_link(&web), Some(view), "web link");
        }

        #[test]
        fn any_text_decodes_to_what_was_encoded(text in ".*") {
            prop_assert_eq!(decode(&encode(&text)), text);
        }

        #[test]
        fn any_query_parses_without_panicking(query in ".*") {
            let view = ExplorerView::parse(&query);
            prop_assert!(view.areas.len() <= MAX_AREAS);
            prop_assert!((MIN_CLASSES..=MAX_CLASSES).contains(&view.classes));
        }
    }

    #[test]
    fn links_read_as_people_write_them() {
        let cases: &[(&str, View, &str)] = &[
            (
                "/sozialbericht",
                View::Explorer(ExplorerView::new()),
                "the bare page is the default view",
            ),
            (
                "/?kennzahl=sgb2_quote&jahr=2024&ansicht=tabelle",
                View::Explorer(ExplorerView {
                    indicator: Some("sgb2_quote".into()),
                    year: Some(2024),
                    tab: Tab::Tabelle,
                    ..ExplorerView::new()
                }),
                "a link from before the start page took `/` still opens the explorer",
            ),
            (
                "/?anzahl=12&klassen=bunt&jahr=letztes&gebiete=01056,01056,a%20b",
                View::Explorer(ExplorerView {
                    areas: vec!["01056".into()],
                    ..ExplorerView::new()
                }),
                "invalid values fall back to defaults, duplicates and non-ids are dropped",
            ),
            (
                "/vergleich?gebiete=010560015,010560039&feld=Arbeit%20und%20Einkommen",
                View::Compare {
                    areas: vec!["010560015".into(), "010560039".into()],
                    field: Some("Arbeit und Einkommen".into()),
                    year: None,
                },
                "a comparison of one Handlungsfeld",
            ),
        ];
        for (path, view, why) in cases {
            assert_eq!(View::parse(path).as_ref(), Some(view), "{why}");
        }
        assert_eq!(View::parse("/gebiet"), None, "a profile needs its area");
        assert_eq!(View::parse("/"), None, "the bare root is the start page");
        assert_eq!(
            open_path("/sozialbericht?kennzahl=x&unbekannt=1").as_deref(),
            Some("/sozialbericht?kennzahl=x"),
            "a handed-over path is printed anew"
        );
        assert_eq!(open_path("fokus://mappen").as_deref(), Some("/mappen"));
        assert_eq!(open_path("/etc/passwd"), None, "only the app's pages");
        assert_eq!(
            View::from_link("fokus://sozialbericht?kennzahl=sgb2_quote"),
            View::parse("/sozialbericht?kennzahl=sgb2_quote"),
            "the app link's host is the page"
        );
        assert_eq!(
            View::parse("/demografie"),
            None,
            "not a view of this module"
        );
        assert_eq!(
            View::Profile {
                area: "01056".into(),
                year: Some(2024)
            }
            .deep_link(),
            "fokus://gebiet?gebiet=01056&jahr=2024",
            "the app link names the page as its host"
        );
    }
}
