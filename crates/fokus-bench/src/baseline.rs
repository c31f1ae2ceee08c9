//! The physical limits a sync is compared with: a bare rusqlite bulk insert of the same rows in
//! one transaction (no upsert, no revision bookkeeping, no JSON), and zstd level 19 of a minimal
//! binary encoding of the same values.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use fokus_model::{Cell, FeedPage, Gap};

/// Inserts every row of `page` into plain tables of a fresh database file, in one transaction,
/// with the same journal settings as the cache.
pub fn bare_insert(page: &FeedPage, path: &Path) -> anyhow::Result<Duration> {
    let _ = std::fs::remove_file(path);
    let mut conn = rusqlite::Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch(
        "CREATE TABLE indicator (id TEXT PRIMARY KEY, body TEXT) WITHOUT ROWID;
         CREATE TABLE area (id TEXT PRIMARY KEY, body TEXT) WITHOUT ROWID;
         CREATE TABLE observation (indicator TEXT, year INTEGER, area TEXT, value REAL, gap TEXT,
           PRIMARY KEY (indicator, year, area)) WITHOUT ROWID;
         CREATE TABLE population (area TEXT, year INTEGER, age_from INTEGER, sex TEXT, count INTEGER,
           PRIMARY KEY (area, year, age_from, sex)) WITHOUT ROWID;
         CREATE TABLE spending (field TEXT, year INTEGER, euros REAL, PRIMARY KEY (field, year)) WITHOUT ROWID;
         CREATE TABLE content (id TEXT PRIMARY KEY, item TEXT) WITHOUT ROWID;",
    )?;
    let started = Instant::now();
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare("INSERT INTO indicator VALUES (?1, ?2)")?;
        for indicator in &page.indicators {
            insert.execute(rusqlite::params![indicator.id, indicator.name])?;
        }
        let mut insert = tx.prepare("INSERT INTO area VALUES (?1, ?2)")?;
        for area in &page.areas {
            insert.execute(rusqlite::params![area.id, area.name])?;
        }
        let mut insert = tx.prepare("INSERT INTO observation VALUES (?1, ?2, ?3, ?4, ?5)")?;
        for observation in &page.observations {
            // The bare insert keeps no flag: the demo and the synthetic data have none.
            let (value, gap) = match observation.cell {
                Cell::Value(value) | Cell::Flagged { value, .. } => (Some(value), None),
                Cell::Gap(gap) => (None, Some(gap.as_str())),
            };
            let key = &observation.key;
            insert.execute(rusqlite::params![
                key.indicator,
                key.year,
                key.area,
                value,
                gap
            ])?;
        }
        let mut insert = tx.prepare("INSERT INTO population VALUES (?1, ?2, ?3, ?4, ?5)")?;
        for count in &page.population {
            insert.execute(rusqlite::params![
                count.area,
                count.year,
                count.age_from,
                count.sex.as_str(),
                count.count
            ])?;
        }
        let mut insert = tx.prepare("INSERT INTO spending VALUES (?1, ?2, ?3)")?;
        for row in &page.spending {
            insert.execute(rusqlite::params![row.field, row.year, row.euros])?;
        }
        let mut insert = tx.prepare("INSERT INTO content VALUES (?1, ?2)")?;
        for item in &page.content {
            insert.execute(rusqlite::params![item.id, serde_json::to_string(item)?])?;
        }
    }
    tx.commit()?;
    Ok(started.elapsed())
}

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

/// The same information as the feed page, encoded about as tightly as a purpose-built format
/// would: text parts (catalogue, areas, content) as compact JSON, numbers as a column per field
/// (dictionary indices, scaled integers as zig-zag varints). Then zstd at level 19.
pub fn minimal_zstd(page: &FeedPage) -> anyhow::Result<usize> {
    let mut out = Vec::new();
    let text = serde_json::to_vec(&(
        &page.dataset,
        &page.indicators,
        &page.areas,
        &page.content,
        &page.spending,
    ))?;
    varint(&mut out, text.len() as u64);
    out.extend_from_slice(&text);
    let indicator_idx: HashMap<&str, u64> = page
        .indicators
        .iter()
        .enumerate()
        .map(|(idx, indicator)| (indicator.id.as_str(), idx as u64))
        .collect();
    let decimals: HashMap<&str, u8> = page
        .indicators
        .iter()
        .map(|indicator| (indicator.id.as_str(), indicator.decimals))
        .collect();
    let area_idx: HashMap<&str, u64> = page
        .areas
        .iter()
        .enumerate()
        .map(|(idx, area)| (area.id.as_str(), idx as u64))
        .collect();
    varint(&mut out, page.observations.len() as u64);
    // Columns compress better than rows: keys first, then cells.
    for observation in &page.observations {
        varint(
            &mut out,
            indicator_idx
                .get(observation.key.indicator.as_str())
                .copied()
                .unwrap_or(0),
        );
    }
    for observation in &page.observations {
        varint(
            &mut out,
            area_idx
                .get(observation.key.area.as_str())
                .copied()
                .unwrap_or(0),
        );
    }
    for observation in &page.observations {
        out.push((observation.key.year - 2000) as u8);
    }
    for observation in &page.observations {
        let scale = 10f64.powi(i32::from(
            decimals
                .get(observation.key.indicator.as_str())
                .copied()
                .unwrap_or(1),
        ));
        match observation.cell {
            Cell::Value(value) => varint(&mut out, zigzag((value * scale).round() as i64) << 2),
            Cell::Flagged { value, flag } => {
                varint(&mut out, zigzag((value * scale).round() as i64) << 2 | 3);
                out.push(flag as u8);
            }
            Cell::Gap(Gap::NoData) => varint(&mut out, 1),
            Cell::Gap(Gap::Suppressed) => varint(&mut out, 2),
        }
    }
    varint(&mut out, page.population.len() as u64);
    for count in &page.population {
        varint(
            &mut out,
            area_idx.get(count.area.as_str()).copied().unwrap_or(0),
        );
        out.push((count.year - 2000) as u8);
        out.push(
            count.age_from / 5 * 2 + u8::from(count.sex == fokus_model::population::Sex::Male),
        );
    }
    for count in &page.population {
        varint(&mut out, count.count);
    }
    Ok(zstd::bulk::compress(&out, 19)?.len())
}
