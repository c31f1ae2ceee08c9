//! Beschlusskontrolle: the Handlungsempfehlungen as a list to steer by. Filters that live in
//! the page's address, counts per status, overdue items, and the CSV for a committee's minutes.
//! Pure, so the rules are unit-tested without a browser.

use fokus_model::content::{ContentDetails, ContentItem, RecommendationStatus};
use fokus_model::view::encode;

use crate::csv::Csv;

/// One recommendation as the overview shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    pub id: String,
    pub title: String,
    pub field: String,
    pub year: u16,
    pub office: String,
    /// ISO date.
    pub deadline: Option<String>,
    pub status: RecommendationStatus,
    /// ISO date of the current status.
    pub since: String,
    /// The current status's note.
    pub note: String,
    pub indicators: Vec<String>,
    pub areas: Vec<String>,
}

impl Recommendation {
    pub fn of(item: &ContentItem) -> Option<Recommendation> {
        let ContentDetails::Empfehlung {
            handlungsfeld,
            year,
            history,
            indicators,
            areas,
            office,
            deadline,
        } = &item.details
        else {
            return None;
        };
        let current = history.last();
        Some(Recommendation {
            id: item.id.clone(),
            title: item.title.clone(),
            field: handlungsfeld.clone(),
            year: *year,
            office: office.clone(),
            deadline: deadline.clone(),
            status: current.map_or(RecommendationStatus::Offen, |change| change.status),
            since: current
                .map(|change| change.date.clone())
                .unwrap_or_default(),
            note: current
                .map(|change| change.note.clone())
                .unwrap_or_default(),
            indicators: indicators.clone(),
            areas: areas.clone(),
        })
    }

    /// Past its deadline (`today` as an ISO date) and neither done nor deferred.
    pub fn overdue(&self, today: &str) -> bool {
        matches!(
            self.status,
            RecommendationStatus::Offen | RecommendationStatus::InUmsetzung
        ) && self
            .deadline
            .as_deref()
            .is_some_and(|deadline| deadline < today)
    }
}

/// Which status the list is narrowed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Is(RecommendationStatus),
    Overdue,
}

impl StatusFilter {
    fn slug(self) -> &'static str {
        match self {
            StatusFilter::Is(status) => status.as_str(),
            StatusFilter::Overdue => "ueberfaellig",
        }
    }

    fn parse(text: &str) -> Option<StatusFilter> {
        if text == "ueberfaellig" {
            return Some(StatusFilter::Overdue);
        }
        RecommendationStatus::parse(text).map(StatusFilter::Is)
    }
}

/// The overview's filters, as the page's query: `feld`, `status`, `gebiet`, `jahrgang`, `zu`
/// (an indicator) and `darstellung=tabelle`. Other keys (the explorer beside) are left alone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub field: Option<String>,
    pub status: Option<StatusFilter>,
    pub area: Option<String>,
    pub year: Option<u16>,
    pub indicator: Option<String>,
    /// The Ampel table instead of the cards.
    pub table: bool,
}

/// The query keys the overview owns.
pub const FILTER_KEYS: [&str; 6] = ["feld", "status", "gebiet", "jahrgang", "zu", "darstellung"];

/// `key=value` pairs of a query, decoded.
pub fn pairs(search: &str) -> Vec<(String, String)> {
    fokus_model::view::pairs(search).collect()
}

/// The value of `key` in `search`, if it is there and not empty.
pub fn key_value(search: &str, key: &str) -> Option<String> {
    fokus_model::view::pairs(search)
        .find(|(known, _)| known == key)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

/// `search` with the keys in `owned` replaced by `replacement` (empty values dropped), every
/// other key kept in its place; without the `?`.
pub fn replace_keys(search: &str, owned: &[&str], replacement: &[(&str, String)]) -> String {
    let kept = pairs(search)
        .into_iter()
        .filter(|(key, _)| !owned.contains(&key.as_str()))
        .map(|(key, value)| format!("{}={}", encode(&key), encode(&value)));
    let added = replacement
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| format!("{key}={}", encode(value)));
    added.chain(kept).collect::<Vec<_>>().join("&")
}

impl Filter {
    pub fn parse(search: &str) -> Filter {
        let mut filter = Filter::default();
        for (key, value) in pairs(search) {
            let value = Some(value).filter(|value| !value.is_empty());
            match key.as_str() {
                "feld" => filter.field = value,
                "status" => filter.status = value.as_deref().and_then(StatusFilter::parse),
                "gebiet" => filter.area = value,
                "jahrgang" => filter.year = value.and_then(|year| year.parse().ok()),
                "zu" => filter.indicator = value,
                "darstellung" => filter.table = value.as_deref() == Some("tabelle"),
                _ => {}
            }
        }
        filter
    }

    /// `search` with this filter's keys written in.
    pub fn apply_to(&self, search: &str) -> String {
        replace_keys(
            search,
            &FILTER_KEYS,
            &[
                ("feld", self.field.clone().unwrap_or_default()),
                (
                    "status",
                    self.status
                        .map(|status| status.slug().to_owned())
                        .unwrap_or_default(),
                ),
                ("gebiet", self.area.clone().unwrap_or_default()),
                (
                    "jahrgang",
                    self.year.map(|year| year.to_string()).unwrap_or_default(),
                ),
                ("zu", self.indicator.clone().unwrap_or_default()),
                (
                    "darstellung",
                    if self.table {
                        "tabelle".to_owned()
                    } else {
                        String::new()
                    },
                ),
            ],
        )
    }

    /// Whether any filter narrows the list (the view choice does not).
    pub fn narrows(&self) -> bool {
        self.field.is_some()
            || self.status.is_some()
            || self.area.is_some()
            || self.year.is_some()
            || self.indicator.is_some()
    }

    pub fn matches(&self, recommendation: &Recommendation, today: &str) -> bool {
        self.field
            .as_ref()
            .is_none_or(|field| &recommendation.field == field)
            && self.status.is_none_or(|status| match status {
                StatusFilter::Is(status) => recommendation.status == status,
                StatusFilter::Overdue => recommendation.overdue(today),
            })
            && self
                .area
                .as_ref()
                .is_none_or(|area| recommendation.areas.contains(area))
            && self.year.is_none_or(|year| recommendation.year == year)
            && self
                .indicator
                .as_ref()
                .is_none_or(|indicator| recommendation.indicators.contains(indicator))
    }
}

/// The order a committee works through them: overdue first, then open, in progress, deferred
/// and done, each by deadline (none last), then by title.
pub fn sort_by_urgency(list: &mut [Recommendation], today: &str) {
    let rank = |status: RecommendationStatus| match status {
        RecommendationStatus::Offen => 0,
        RecommendationStatus::InUmsetzung => 1,
        RecommendationStatus::Zurueckgestellt => 2,
        RecommendationStatus::Umgesetzt => 3,
    };
    list.sort_by(|a, b| {
        (
            !a.overdue(today),
            rank(a.status),
            a.deadline.is_none(),
            &a.deadline,
            &a.title,
        )
            .cmp(&(
                !b.overdue(today),
                rank(b.status),
                b.deadline.is_none(),
                &b.deadline,
                &b.title,
            ))
    });
}

/// How many are in each status (in [`RecommendationStatus::ALL`] order) and how many are overdue.
pub fn counts(list: &[Recommendation], today: &str) -> ([usize; 4], usize) {
    let mut per_status = [0; 4];
    for recommendation in list {
        if let Some(index) = RecommendationStatus::ALL
            .iter()
            .position(|status| *status == recommendation.status)
        {
            per_status[index] += 1;
        }
    }
    let overdue = list.iter().filter(|item| item.overdue(today)).count();
    (per_status, overdue)
}

/// German date from an ISO one (`2026-03-31` → `31.03.2026`).
fn german_date(iso: &str) -> String {
    match iso.split('-').collect::<Vec<_>>()[..] {
        [year, month, day] => format!("{day}.{month}.{year}"),
        _ => iso.to_owned(),
    }
}

/// The overview as CSV for the minutes: UTF-8 with BOM, `;`, one row per recommendation, names
/// instead of ids.
pub fn csv(
    list: &[Recommendation],
    today: &str,
    heading: &str,
    indicator_name: impl Fn(&str) -> String,
    area_name: impl Fn(&str) -> String,
) -> String {
    let mut csv = Csv::new();
    csv.row([heading])
        .row(["Stand der Liste".to_owned(), german_date(today)])
        .blank()
        .row([
            "Empfehlung",
            "Handlungsfeld",
            "Jahr",
            "Zuständig",
            "Frist",
            "Status",
            "Status seit",
            "Überfällig",
            "Notiz",
            "Kennzahlen",
            "Gebiete",
        ]);
    for item in list {
        let fields = [
            item.title.clone(),
            item.field.clone(),
            item.year.to_string(),
            item.office.clone(),
            item.deadline
                .as_deref()
                .map(german_date)
                .unwrap_or_default(),
            item.status.label_de().to_owned(),
            german_date(&item.since),
            if item.overdue(today) { "ja" } else { "nein" }.to_owned(),
            item.note.clone(),
            item.indicators
                .iter()
                .map(|id| indicator_name(id))
                .collect::<Vec<_>>()
                .join(", "),
            item.areas
                .iter()
                .map(|id| area_name(id))
                .collect::<Vec<_>>()
                .join(", "),
        ];
        csv.row(fields);
    }
    csv.finish()
}

/// Today as an ISO date, from the device's clock.
pub fn today() -> String {
    let date = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(status: RecommendationStatus, deadline: Option<&str>) -> Recommendation {
        Recommendation {
            id: "empfehlungen/a".into(),
            title: "=HYPERLINK(\"x\")".into(),
            field: "Alter und Pflege".into(),
            year: 2025,
            office: "Fachdienst Soziales".into(),
            deadline: deadline.map(str::to_owned),
            status,
            since: "2025-10-14".into(),
            note: "Notiz; mit Semikolon".into(),
            indicators: vec!["pflege".into()],
            areas: vec!["01056".into()],
        }
    }

    #[test]
    fn only_open_work_past_its_deadline_is_overdue() {
        let today = "2026-11-27";
        assert!(item(RecommendationStatus::Offen, Some("2026-07-31")).overdue(today));
        assert!(item(RecommendationStatus::InUmsetzung, Some("2026-11-26")).overdue(today));
        assert!(
            !item(RecommendationStatus::InUmsetzung, Some("2026-11-27")).overdue(today),
            "due today is not late"
        );
        assert!(!item(RecommendationStatus::Umgesetzt, Some("2020-01-01")).overdue(today));
        assert!(!item(RecommendationStatus::Zurueckgestellt, Some("2020-01-01")).overdue(today));
        assert!(
            !item(RecommendationStatus::Offen, None).overdue(today),
            "no deadline, never late"
        );
    }

    #[test]
    fn filters_round_trip_through_the_address_and_keep_other_keys() {
        let filter = Filter {
            field: Some("Kinder, Jugend und Familie".into()),
            status: Some(StatusFilter::Overdue),
            area: Some("01056".into()),
            year: Some(2025),
            indicator: Some("sgb2_quote".into()),
            table: true,
        };
        let search = filter.apply_to("kennzahl=x&daneben=karte&status=offen");
        assert_eq!(Filter::parse(&search), filter);
        assert!(
            search.contains("kennzahl=x") && search.contains("daneben=karte"),
            "{search}"
        );
        assert_eq!(
            Filter::default().apply_to("status=offen&daneben=karte"),
            "daneben=karte"
        );
        assert_eq!(
            Filter::parse("status=quatsch&jahrgang=abc"),
            Filter::default(),
            "bad values are ignored"
        );
    }

    #[test]
    fn filters_narrow_and_counts_add_up() {
        let today = "2026-11-27";
        let list = vec![
            item(RecommendationStatus::Offen, Some("2026-07-31")),
            item(RecommendationStatus::Umgesetzt, None),
            Recommendation {
                field: "Wohnen".into(),
                areas: vec![],
                ..item(RecommendationStatus::InUmsetzung, Some("2027-01-01"))
            },
        ];
        let (per_status, overdue) = counts(&list, today);
        assert_eq!(per_status, [1, 1, 1, 0]);
        assert_eq!(overdue, 1);
        let wohnen = Filter {
            field: Some("Wohnen".into()),
            ..Filter::default()
        };
        assert_eq!(list.iter().filter(|r| wohnen.matches(r, today)).count(), 1);
        let late = Filter {
            status: Some(StatusFilter::Overdue),
            ..Filter::default()
        };
        assert_eq!(list.iter().filter(|r| late.matches(r, today)).count(), 1);
        let area = Filter {
            area: Some("01056".into()),
            ..Filter::default()
        };
        assert_eq!(list.iter().filter(|r| area.matches(r, today)).count(), 2);
        let indicator = Filter {
            indicator: Some("pflege".into()),
            year: Some(2024),
            ..Filter::default()
        };
        assert_eq!(
            list.iter().filter(|r| indicator.matches(r, today)).count(),
            0
        );
    }

    #[test]
    fn overdue_work_comes_first_then_open_work_by_deadline() {
        let today = "2026-11-27";
        let titled = |title: &str, status, deadline: Option<&str>| Recommendation {
            title: title.into(),
            ..item(status, deadline)
        };
        let mut list = vec![
            titled("done", RecommendationStatus::Umgesetzt, Some("2020-01-01")),
            titled(
                "open later",
                RecommendationStatus::Offen,
                Some("2027-06-30"),
            ),
            titled("open, no deadline", RecommendationStatus::Offen, None),
            titled(
                "late",
                RecommendationStatus::InUmsetzung,
                Some("2026-01-01"),
            ),
            titled(
                "open sooner",
                RecommendationStatus::Offen,
                Some("2027-01-31"),
            ),
            titled("deferred", RecommendationStatus::Zurueckgestellt, None),
        ];
        sort_by_urgency(&mut list, today);
        let order: Vec<&str> = list.iter().map(|item| item.title.as_str()).collect();
        assert_eq!(
            order,
            [
                "late",
                "open sooner",
                "open later",
                "open, no deadline",
                "deferred",
                "done"
            ]
        );
    }

    #[test]
    fn the_csv_opens_in_excel_without_formulas() {
        let list = vec![item(RecommendationStatus::Offen, Some("2026-07-31"))];
        let csv = csv(
            &list,
            "2026-11-27",
            "Handlungsempfehlungen",
            |id| format!("K {id}"),
            |id| format!("G {id}"),
        );
        assert!(csv.starts_with('\u{feff}'));
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[1], "Stand der Liste;27.11.2026");
        assert!(lines[3].starts_with("Empfehlung;Handlungsfeld;"));
        assert_eq!(
            lines[4],
            "\"'=HYPERLINK(\"\"x\"\")\";Alter und Pflege;2025;Fachdienst Soziales;31.07.2026;offen;14.10.2025;ja;\"Notiz; mit Semikolon\";K pflege;G 01056"
        );
    }
}
