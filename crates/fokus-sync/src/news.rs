//! What a feed page brought, in German, by kind: pure, so every wording is tested without IO.

use std::collections::HashSet;

use fokus_model::content::{ContentDetails, ContentItem, ContentKind};
use fokus_model::news::{News, NewsKind};
use fokus_model::{FeedPage, Indicator};

/// The news of a page applied to a cache that knew the content ids `known` before. Nothing for
/// the first sync (everything is new, nothing is news) and for empty pages.
pub fn describe_news(
    page: &FeedPage,
    indicators: &[Indicator],
    known: &HashSet<String>,
) -> Vec<News> {
    if page.since == 0 || page.is_empty() {
        return Vec::new();
    }
    let mut news = Vec::new();
    if let Some(text) = data_news(page, indicators) {
        news.push(News {
            kind: NewsKind::Daten,
            text,
        });
    }
    for kind in ContentKind::ALL {
        let items: Vec<&ContentItem> = page
            .content
            .iter()
            .filter(|item| item.kind() == kind)
            .collect();
        let (new, updated): (Vec<&ContentItem>, Vec<&ContentItem>) = items
            .into_iter()
            .partition(|item| !known.contains(&item.id));
        if let Some(news_item) = content_news(kind, &new, &updated) {
            news.push(news_item);
        }
    }
    news
}

fn data_news(page: &FeedPage, indicators: &[Indicator]) -> Option<String> {
    let mut years: Vec<u16> = page
        .observations
        .iter()
        .map(|observation| observation.key.year)
        .collect();
    years.sort_unstable();
    years.dedup();
    let mut indicator_ids: Vec<&str> = page
        .observations
        .iter()
        .map(|observation| observation.key.indicator.as_str())
        .collect();
    indicator_ids.sort_unstable();
    indicator_ids.dedup();
    let what = match indicator_ids.as_slice() {
        [] if !page.deleted_observations.is_empty() => {
            return Some("Daten im Sozialbericht wurden korrigiert".into())
        }
        [] if !page.indicators.is_empty() || !page.areas.is_empty() => {
            return Some("Sozialbericht aktualisiert".into())
        }
        [] => return None,
        [only] => indicators
            .iter()
            .find(|indicator| indicator.id == *only)
            .map_or_else(
                || format!("Kennzahl {only}"),
                |indicator| indicator.name.clone(),
            ),
        many => format!("{} Kennzahlen", many.len()),
    };
    let when = match years.as_slice() {
        [] => String::new(),
        [year] => format!(" für {year}"),
        [first, .., last] => format!(" für {first}–{last}"),
    };
    Some(format!("Neue Daten im Sozialbericht: {what}{when}"))
}

fn content_news(kind: ContentKind, new: &[&ContentItem], updated: &[&ContentItem]) -> Option<News> {
    let title = |items: &[&ContentItem]| {
        items
            .first()
            .map(|item| item.title.clone())
            .unwrap_or_default()
    };
    let (news_kind, text) = match kind {
        ContentKind::Kapitel => {
            let mut years: Vec<u16> = new
                .iter()
                .chain(updated)
                .filter_map(|item| match item.details {
                    ContentDetails::Kapitel { year, .. } => Some(year),
                    _ => None,
                })
                .collect();
            years.sort_unstable();
            years.dedup();
            let year = years.last()?;
            let text = if new.is_empty() {
                format!("Fokusbericht {year} aktualisiert")
            } else {
                format!("Fokusbericht {year} erschienen")
            };
            (NewsKind::Fokusbericht, text)
        }
        ContentKind::Empfehlung => {
            let text = match (new.len(), updated.len()) {
                (0, 0) => return None,
                (1, 0) => format!("Neue Handlungsempfehlung: {}", title(new)),
                (0, 1) => {
                    let status = match &updated[0].details {
                        ContentDetails::Empfehlung { history, .. } => history
                            .last()
                            .map(|change| format!(" – jetzt {}", change.status.label_de()))
                            .unwrap_or_default(),
                        _ => String::new(),
                    };
                    format!(
                        "Handlungsempfehlung aktualisiert: {}{status}",
                        title(updated)
                    )
                }
                (0, n_updated) => format!("{n_updated} Handlungsempfehlungen aktualisiert"),
                (n_new, _) => format!("{n_new} neue Handlungsempfehlungen"),
            };
            (NewsKind::Empfehlungen, text)
        }
        ContentKind::Newsletter => {
            let text = match new {
                [] => return None,
                [only] => match only.details {
                    ContentDetails::Newsletter { year, quarter } => {
                        format!("Newsletter {quarter}/{year} erschienen")
                    }
                    _ => format!("Newsletter erschienen: {}", only.title),
                },
                many => format!("{} Newsletter erschienen", many.len()),
            };
            (NewsKind::Newsletter, text)
        }
        ContentKind::Dokument => {
            let text = match (new, updated.len()) {
                ([], 0) => return None,
                ([only], _) => format!("Neues Dokument: {}", only.title),
                ([], 1) => format!("Dokument aktualisiert: {}", title(updated)),
                ([], n_updated) => format!("{n_updated} Dokumente aktualisiert"),
                (many, _) => format!("{} neue Dokumente", many.len()),
            };
            (NewsKind::Dokumente, text)
        }
        ContentKind::Video => {
            let text = match new {
                [] => return None,
                [only] => format!("Neues Video: {}", only.title),
                many => format!("{} neue Videos", many.len()),
            };
            (NewsKind::Video, text)
        }
    };
    Some(News {
        kind: news_kind,
        text,
    })
}

#[cfg(test)]
mod tests {
    use fokus_model::content::{RecommendationStatus, StatusChange};
    use fokus_model::{Cell, Observation, Polarity};

    use super::*;

    fn page(since: u64, rows: &[(&str, u16)], content: Vec<ContentItem>) -> FeedPage {
        FeedPage {
            format: fokus_model::FEED_FORMAT,
            since,
            revision: since + 1,
            observations: rows
                .iter()
                .map(|(indicator, year)| {
                    Observation::new(indicator, "01056", *year, Cell::Value(1.0))
                })
                .collect(),
            content,
            ..FeedPage::default()
        }
    }

    fn item(id: &str, details: ContentDetails) -> ContentItem {
        ContentItem {
            id: id.into(),
            title: format!("Titel {id}"),
            date: "2025-12-15".into(),
            summary: String::new(),
            body_html: String::new(),
            details,
            media: vec![],
        }
    }

    fn empfehlung(id: &str, status: RecommendationStatus) -> ContentItem {
        item(
            id,
            ContentDetails::Empfehlung {
                handlungsfeld: "Wohnen".into(),
                year: 2025,
                history: vec![StatusChange {
                    date: "2025-01-01".into(),
                    status,
                    note: String::new(),
                }],
                indicators: vec![],
                areas: vec![],
                office: String::new(),
                deadline: None,
            },
        )
    }

    #[test]
    fn news_texts() {
        let indicators = vec![Indicator {
            id: "sgb2_quote".into(),
            name: "SGB-II-Quote".into(),
            short_name: "SGB II".into(),
            unit: "%".into(),
            decimals: 1,
            polarity: Polarity::HigherIsWorse,
            handlungsfeld: "Arbeit".into(),
            definition: String::new(),
            numerator: String::new(),
            denominator: String::new(),
            source: String::new(),
            headline: true,
            min_cases: None,
            position: 0,
            retired: false,
            synonyms: Vec::new(),
            notes: String::new(),
        }];
        let known: HashSet<String> = ["empfehlungen/alt".to_owned()].into();
        let newsletter = |quarter| {
            item(
                &format!("newsletter/2025-{quarter}"),
                ContentDetails::Newsletter {
                    year: 2025,
                    quarter,
                },
            )
        };
        let cases: Vec<(FeedPage, Vec<&str>, &str)> = vec![
            (
                page(0, &[("sgb2_quote", 2025)], vec![newsletter(4)]),
                vec![],
                "the first sync is no news",
            ),
            (page(3, &[], vec![]), vec![], "an empty page is no news"),
            (
                page(3, &[("sgb2_quote", 2026), ("sgb2_quote", 2026)], vec![]),
                vec!["Neue Daten im Sozialbericht: SGB-II-Quote für 2026"],
                "one indicator by name",
            ),
            (
                page(3, &[("a", 2026), ("b", 2026), ("c", 2026)], vec![]),
                vec!["Neue Daten im Sozialbericht: 3 Kennzahlen für 2026"],
                "several counted",
            ),
            (
                page(3, &[("a", 2024), ("b", 2026)], vec![]),
                vec!["Neue Daten im Sozialbericht: 2 Kennzahlen für 2024–2026"],
                "a year range",
            ),
            (
                page(3, &[], vec![newsletter(4)]),
                vec!["Newsletter 4/2025 erschienen"],
                "a newsletter by its number",
            ),
            (
                page(3, &[], vec![newsletter(3), newsletter(4)]),
                vec!["2 Newsletter erschienen"],
                "several newsletters counted",
            ),
            (
                page(
                    3,
                    &[],
                    vec![
                        empfehlung("empfehlungen/a", RecommendationStatus::Offen),
                        empfehlung("empfehlungen/b", RecommendationStatus::Offen),
                        empfehlung("empfehlungen/c", RecommendationStatus::Offen),
                    ],
                ),
                vec!["3 neue Handlungsempfehlungen"],
                "new recommendations counted",
            ),
            (
                page(
                    3,
                    &[],
                    vec![empfehlung(
                        "empfehlungen/alt",
                        RecommendationStatus::Umgesetzt,
                    )],
                ),
                vec!["Handlungsempfehlung aktualisiert: Titel empfehlungen/alt – jetzt umgesetzt"],
                "a known recommendation's new status",
            ),
            (
                page(
                    3,
                    &[],
                    vec![item(
                        "fokusbericht/2025/01",
                        ContentDetails::Kapitel {
                            year: 2025,
                            chapter: 1,
                            data_stand: None,
                        },
                    )],
                ),
                vec!["Fokusbericht 2025 erschienen"],
                "a new report",
            ),
            (
                page(
                    3,
                    &[("sgb2_quote", 2026)],
                    vec![
                        item("video/film", ContentDetails::Video),
                        item(
                            "dokumente/m",
                            ContentDetails::Dokument {
                                category: "Grundlagen".into(),
                            },
                        ),
                    ],
                ),
                vec![
                    "Neue Daten im Sozialbericht: SGB-II-Quote für 2026",
                    "Neues Dokument: Titel dokumente/m",
                    "Neues Video: Titel video/film",
                ],
                "several kinds at once, data first",
            ),
        ];
        for (input, expected, why) in cases {
            let texts: Vec<String> = describe_news(&input, &indicators, &known)
                .into_iter()
                .map(|news| news.text)
                .collect();
            assert_eq!(texts, expected, "{why}");
        }
    }
}
