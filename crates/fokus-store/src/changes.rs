//! What changed since a revision (the start page's "Neu seit Ihrem letzten Besuch") and digests
//! of the data behind a note (its "Daten seit Ihrer Notiz aktualisiert"). Digests compare the
//! data themselves, not revisions, so a full resync that rewrites every row with a new revision
//! does not mark unchanged data as changed.

use fokus_model::content::ContentDetails;
use fokus_model::news::{ChangeList, ContentChange, IndicatorChange};
use fokus_model::personal::{Subject, SubjectDigest};
use fokus_model::Revision;
use rusqlite::OptionalExtension;
use sha2::Digest;

use crate::{Result, Store, StoreError};

impl Store {
    /// Values by indicator and year and content items changed after `since`, and the data's
    /// Stand.
    pub fn changes_since(&self, since: Revision) -> Result<ChangeList> {
        let mut indicators: Vec<IndicatorChange> = Vec::new();
        let mut statement = self.conn.prepare_cached(
            "SELECT observation.indicator, observation.year, max(observation.revision)
             FROM observation JOIN indicator ON indicator.id = observation.indicator
             WHERE observation.revision > ?1 AND indicator.retired = 0
             GROUP BY observation.indicator, observation.year
             ORDER BY indicator.position, observation.indicator, observation.year",
        )?;
        let rows = statement.query_map([since], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, u16>(1)?,
                row.get::<_, Revision>(2)?,
            ))
        })?;
        for row in rows {
            let (indicator, year, revision) = row?;
            match indicators.last_mut() {
                Some(last) if last.indicator == indicator => {
                    last.years.push(year);
                    last.revision = last.revision.max(revision);
                }
                _ => indicators.push(IndicatorChange {
                    indicator,
                    years: vec![year],
                    revision,
                }),
            }
        }
        let mut statement = self.conn.prepare_cached(
            "SELECT item, revision FROM content WHERE revision > ?1 ORDER BY date DESC, id",
        )?;
        let content = statement
            .query_map([since], |row| {
                Ok((crate::read::content_of(row)?, row.get::<_, Revision>(1)?))
            })?
            .map(|row| {
                let (item, revision) = row?;
                let status = match &item.details {
                    ContentDetails::Empfehlung { history, .. } => {
                        history.last().map(|change| change.status)
                    }
                    _ => None,
                };
                Ok(ContentChange {
                    kind: item.kind(),
                    id: item.id,
                    title: item.title,
                    date: item.date,
                    revision,
                    status,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let data_stand = self
            .conn
            .query_row(
                "SELECT created_at FROM revision_log WHERE revision =
                   (SELECT max(revision) FROM observation)",
                [],
                |row| row.get(0),
            )
            .optional()?;
        Ok(ChangeList {
            revision: self.revision()?,
            data_stand,
            indicators,
            content,
        })
    }

    /// A digest of the data behind each subject as this database holds them; empty for a
    /// subject it holds nothing of.
    pub fn subject_digests(&self, subjects: &[Subject]) -> Result<Vec<SubjectDigest>> {
        subjects
            .iter()
            .map(|subject| {
                Ok(SubjectDigest {
                    subject: subject.clone(),
                    digest: self.digest_of(subject)?,
                })
            })
            .collect()
    }

    fn digest_of(&self, subject: &Subject) -> Result<String> {
        let mut hasher = sha2::Sha256::new();
        let mut rows = 0_usize;
        match subject {
            Subject::Indicator(id) | Subject::Area(id) => {
                let sql = if matches!(subject, Subject::Indicator(_)) {
                    "SELECT area, year, value, gap, flag FROM observation WHERE indicator = ?1 ORDER BY area, year"
                } else {
                    "SELECT indicator, year, value, gap, flag FROM observation WHERE area = ?1 ORDER BY indicator, year"
                };
                let mut statement = self.conn.prepare_cached(sql)?;
                let mut query = statement.query([id])?;
                while let Some(row) = query.next()? {
                    let key: String = row.get(0)?;
                    let year: i64 = row.get(1)?;
                    let value: Option<f64> = row.get(2)?;
                    let gap: Option<String> = row.get(3)?;
                    let flag: Option<String> = row.get(4)?;
                    // Bits, not a printed number: any change of a value changes the digest.
                    let value = value.map(f64::to_bits);
                    hasher.update(format!("{key}\t{year}\t{value:?}\t{gap:?}\t{flag:?}\n"));
                    rows += 1;
                }
            }
            Subject::Content(id) => {
                let item: Option<String> = self
                    .conn
                    .query_row("SELECT item FROM content WHERE id = ?1", [id], |row| {
                        row.get(0)
                    })
                    .optional()?;
                if let Some(item) = item {
                    hasher.update(item);
                    rows = 1;
                }
            }
        }
        if rows == 0 {
            return Ok(String::new());
        }
        Ok(hasher
            .finalize()
            .iter()
            .take(16)
            .map(|byte| format!("{byte:02x}"))
            .collect())
    }
}

/// The subjects of a `subject_digests` query, from their keys joined by `,`.
pub fn parse_subjects(keys: &str) -> Result<Vec<Subject>> {
    if keys.is_empty() {
        return Err(StoreError::InvalidArgument(
            "keine Angabe; erwartet wird z. B. kennzahl:sgb2_quote".into(),
        ));
    }
    let keys: Vec<&str> = keys.split(',').collect();
    if keys.len() > fokus_model::api::MAX_DIGESTS {
        return Err(StoreError::InvalidArgument(format!(
            "höchstens {} Angaben",
            fokus_model::api::MAX_DIGESTS
        )));
    }
    keys.into_iter()
        .map(|key| {
            Subject::parse(key).ok_or_else(|| {
                StoreError::InvalidArgument(format!(
                    "`{key}` ist keine Angabe der Form kennzahl:ID, gebiet:ID oder inhalt:ID"
                ))
            })
        })
        .collect()
}
