//! What the store holds now for given keys, each row with the revision that last wrote it: the
//! server's Redaktion compares an import with it before committing (its preview) and records
//! it so an import can be taken back.

use fokus_model::finance::{BudgetTotal, Spending};
use fokus_model::population::{Movement, PopulationCount};
use fokus_model::{Observation, ObservationKey, Revision};
use rusqlite::{params, OptionalExtension};

use crate::{Result, Store, StoreError};

/// A row as stored, and the revision that last changed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored<T> {
    pub row: T,
    pub revision: Revision,
}

impl Store {
    /// The stored observation of each key, `None` where the store holds none.
    pub fn stored_observations(
        &self,
        keys: &[ObservationKey],
    ) -> Result<Vec<Option<Stored<Observation>>>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT value, gap, flag, revision FROM observation
             WHERE indicator = ?1 AND year = ?2 AND area = ?3",
        )?;
        keys.iter()
            .map(|key| {
                let found = statement
                    .query_row(params![key.indicator, key.year, key.area], |row| {
                        Ok((
                            crate::read::cell_of(row.get(0)?, row.get(1)?, row.get(2)?),
                            row.get::<_, Revision>(3)?,
                        ))
                    })
                    .optional()?;
                match found {
                    Some((Some(cell), revision)) => Ok(Some(Stored {
                        row: Observation {
                            key: key.clone(),
                            cell,
                        },
                        revision,
                    })),
                    Some((None, _)) => Err(StoreError::InvalidRow(format!(
                        "{}/{}/{}: neither value nor gap",
                        key.indicator, key.area, key.year
                    ))),
                    None => Ok(None),
                }
            })
            .collect()
    }

    /// The stored count of each row's area, year, age group and sex.
    pub fn stored_population(
        &self,
        rows: &[PopulationCount],
    ) -> Result<Vec<Option<Stored<PopulationCount>>>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT count, projection, revision FROM population
             WHERE area = ?1 AND year = ?2 AND age_from = ?3 AND sex = ?4",
        )?;
        rows.iter()
            .map(|wanted| {
                Ok(statement
                    .query_row(
                        params![
                            wanted.area,
                            wanted.year,
                            wanted.age_from,
                            wanted.sex.as_str()
                        ],
                        |row| {
                            Ok(Stored {
                                row: PopulationCount {
                                    count: row.get(0)?,
                                    projection: row.get(1)?,
                                    ..wanted.clone()
                                },
                                revision: row.get(2)?,
                            })
                        },
                    )
                    .optional()?)
            })
            .collect()
    }

    /// The stored amount of each row's field and year.
    pub fn stored_spending(&self, rows: &[Spending]) -> Result<Vec<Option<Stored<Spending>>>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT euros, revision FROM spending WHERE field = ?1 AND year = ?2",
        )?;
        rows.iter()
            .map(|wanted| {
                Ok(statement
                    .query_row(params![wanted.field, wanted.year], |row| {
                        Ok(Stored {
                            row: Spending {
                                euros: row.get(0)?,
                                ..wanted.clone()
                            },
                            revision: row.get(1)?,
                        })
                    })
                    .optional()?)
            })
            .collect()
    }

    /// The stored budget of each row's year.
    pub fn stored_budget(&self, rows: &[BudgetTotal]) -> Result<Vec<Option<Stored<BudgetTotal>>>> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT euros, revision FROM budget WHERE year = ?1")?;
        rows.iter()
            .map(|wanted| {
                Ok(statement
                    .query_row([wanted.year], |row| {
                        Ok(Stored {
                            row: BudgetTotal {
                                year: wanted.year,
                                euros: row.get(0)?,
                            },
                            revision: row.get(1)?,
                        })
                    })
                    .optional()?)
            })
            .collect()
    }

    /// The stored births, deaths and moves of each row's area and year.
    pub fn stored_movement(&self, rows: &[Movement]) -> Result<Vec<Option<Stored<Movement>>>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT births, deaths, moved_in, moved_out, revision FROM movement
             WHERE area = ?1 AND year = ?2",
        )?;
        rows.iter()
            .map(|wanted| {
                Ok(statement
                    .query_row(params![wanted.area, wanted.year], |row| {
                        Ok(Stored {
                            row: Movement {
                                area: wanted.area.clone(),
                                year: wanted.year,
                                births: row.get(0)?,
                                deaths: row.get(1)?,
                                moved_in: row.get(2)?,
                                moved_out: row.get(3)?,
                            },
                            revision: row.get(4)?,
                        })
                    })
                    .optional()?)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Changes;

    #[test]
    fn stored_rows_carry_the_revision_that_wrote_them() {
        let mut store = Store::open_in_memory().unwrap();
        let spending = Spending {
            field: "Hilfe zur Pflege".into(),
            year: 2024,
            euros: 10.0,
        };
        let budget = BudgetTotal {
            year: 2024,
            euros: 5.0,
        };
        let changes = Changes {
            spending: vec![spending.clone()],
            budget: vec![budget.clone()],
            ..Changes::default()
        };
        let first = store.commit_revision("a", 1, &changes).unwrap().revision;
        let later = Spending {
            year: 2025,
            ..spending.clone()
        };
        assert_eq!(
            store.stored_spending(&[spending.clone(), later]).unwrap(),
            vec![
                Some(Stored {
                    row: spending.clone(),
                    revision: first.unwrap()
                }),
                None
            ],
            "the stored row with its revision, nothing for an unknown key"
        );
        let changed = Spending {
            euros: 12.0,
            ..spending.clone()
        };
        let second = store
            .commit_revision(
                "b",
                2,
                &Changes {
                    spending: vec![changed.clone()],
                    budget: vec![budget.clone()],
                    ..Changes::default()
                },
            )
            .unwrap()
            .revision;
        assert_eq!(
            store.stored_spending(&[spending]).unwrap()[0],
            Some(Stored {
                row: changed,
                revision: second.unwrap()
            }),
            "a changed row moves to the new revision"
        );
        assert_eq!(
            store.stored_budget(std::slice::from_ref(&budget)).unwrap()[0],
            Some(Stored {
                row: budget,
                revision: first.unwrap()
            }),
            "an unchanged row keeps the revision that wrote it"
        );
    }
}
