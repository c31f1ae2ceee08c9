//! The data the benchmarks run on: the demo (1×) as the server publishes it, and synthetic
//! Schleswig-Holstein-sized (10×, 1,100 Gemeinden) and Germany-sized (100×, 11,000 Gemeinden)
//! datasets with the demo's 73 indicators, 11 years and the three references.

use std::path::Path;

use fokus_model::{Area, AreaKind, Cell, DatasetInfo, FeedPage, Observation};
use fokus_store::Store;

/// Builds the server database of the demo with its content, as `fokus-server demo --content`.
pub fn demo_server(
    path: &Path,
    blobs: &fokus_server::publish::BlobDir,
    content: &Path,
) -> anyhow::Result<Store> {
    let mut store = Store::open(path)?;
    store.ensure_instance("bench-demo")?;
    fokus_server::load_demo(&mut store, 1_700_000_000)?;
    if let Err(error) = fokus_server::publish_dir(&mut store, blobs, content, 1_700_000_001)? {
        anyhow::bail!("{error}");
    }
    Ok(store)
}

/// A cheap deterministic pseudo-random number in [0, 1) from a counter.
fn noise(seed: u64) -> f64 {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// Fills an empty store with `n_areas` synthetic map areas (plus Kreis, Land, Bund) × the demo's
/// indicators × 2015–2025, in pages of bounded size (memory stays flat at 100×).
pub fn synthetic(store: &mut Store, n_areas: usize, instance: &str) -> anyhow::Result<u64> {
    let indicators = fokus_server::demo::demo_deployment().indicators;
    let mut areas: Vec<Area> = (0..n_areas)
        .map(|area_idx| Area {
            id: format!("01{:07}", area_idx),
            name: format!("Gemeinde {area_idx}"),
            kind: AreaKind::AmtsfreieGemeinde,
            population: Some(1_000 + (noise(area_idx as u64) * 50_000.0) as u64),
            parent: None,
            geometry: None,
            retired: false,
        })
        .collect();
    for (id, name, kind) in [
        ("01056", "Kreis", AreaKind::Kreis),
        ("01", "Land", AreaKind::Land),
        ("DG", "Bund", AreaKind::Bund),
    ] {
        areas.push(Area {
            id: id.into(),
            name: name.into(),
            kind,
            population: None,
            parent: None,
            geometry: None,
            retired: false,
        });
    }
    let mut revision = 0;
    let mut page = FeedPage {
        format: fokus_model::FEED_FORMAT,
        instance: instance.to_owned(),
        since: 0,
        revision: 1,
        dataset: Some(DatasetInfo::titled("Synthetische Benchmarkdaten", true)),
        indicators: indicators.clone(),
        areas: areas.clone(),
        ..FeedPage::default()
    };
    // About 400,000 values per page.
    let areas_per_page = (400_000 / (indicators.len() * 11)).max(1);
    let mut counter = 0u64;
    for chunk in areas.chunks(areas_per_page) {
        for indicator in &indicators {
            for year in 2015..=2025u16 {
                for area in chunk {
                    counter += 1;
                    let value = (noise(counter) * 1000.0).round() / 10.0;
                    page.observations.push(Observation::new(
                        &indicator.id,
                        &area.id,
                        year,
                        Cell::Value(value),
                    ));
                }
            }
        }
        store.apply_feed(&page)?;
        revision = page.revision;
        page = FeedPage {
            instance: instance.to_owned(),
            since: revision,
            revision: revision + 1,
            ..FeedPage::default()
        };
    }
    Ok(revision)
}

/// A BI export with a new year (2026) for every indicator and every reporting area.
pub fn new_year_csv(store: &Store) -> anyhow::Result<String> {
    let catalog = store.catalog()?;
    let mut csv = String::from("kennzahl;gebiet;jahr;wert\n");
    let mut counter = 0u64;
    for indicator in &catalog.indicators {
        for area in catalog
            .areas
            .iter()
            .filter(|area| area.kind != AreaKind::Gemeinde)
        {
            counter += 1;
            let value = (noise(counter ^ 0xBEEF) * 500.0).round() / 10.0;
            csv.push_str(&format!(
                "{};{};2026;{}\n",
                indicator.id,
                area.id,
                format!("{value:.1}").replace('.', ",")
            ));
        }
    }
    Ok(csv)
}
