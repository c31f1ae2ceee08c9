//! Integration tests of the store: server commits, feed, client apply, and the guarantees the
//! sync relies on (all-or-nothing, no backwards revisions).

use fokus_model::content::{ContentDetails, ContentItem};
use fokus_model::population::{PopulationCount, Sex};
use fokus_model::view::Level;
use fokus_model::{
    Area, AreaKind, Cell, DatasetInfo, Gap, Indicator, Observation, ObservationKey, Polarity,
};
use fokus_store::{Changes, Store, StoreError};

fn indicator(id: &str) -> Indicator {
    Indicator {
        id: id.into(),
        name: format!("Kennzahl {id}"),
        short_name: id.into(),
        unit: "%".into(),
        decimals: 1,
        polarity: Polarity::HigherIsWorse,
        handlungsfeld: "Arbeit und Grundsicherung".into(),
        definition: "Test".into(),
        numerator: "Zähler".into(),
        denominator: "Nenner".into(),
        source: "Test".into(),
        headline: false,
        min_cases: None,
        position: 0,
        retired: false,
        synonyms: vec!["Hartz IV".into(), "Bürgergeld".into()],
        notes: "Ab 2023 Bürgergeld".into(),
    }
}

fn area(id: &str, kind: AreaKind) -> Area {
    Area {
        id: id.into(),
        name: format!("Gebiet {id}"),
        kind,
        population: Some(1000),
        parent: None,
        geometry: None,
        retired: false,
    }
}

fn content(id: &str, version: u8) -> ContentItem {
    ContentItem {
        id: id.into(),
        title: format!("Beitrag {id}"),
        date: format!("2025-0{}-01", version % 9 + 1),
        summary: String::new(),
        body_html: format!("<p>Fassung {version}</p>"),
        details: ContentDetails::Newsletter {
            year: 2025,
            quarter: 1,
        },
        media: vec![],
    }
}

fn base_changes() -> Changes {
    let mut observations = Vec::new();
    for (area_idx, area_id) in ["010560002", "010560015", "01056", "01", "DG"]
        .iter()
        .enumerate()
    {
        for year in 2015..=2017 {
            observations.push(Observation::new(
                "sgb2",
                area_id,
                year,
                Cell::Value(area_idx as f64 + f64::from(year - 2015)),
            ));
        }
    }
    observations.push(Observation::new(
        "sgb2",
        "010560015",
        2018,
        Cell::Gap(Gap::Suppressed),
    ));
    Changes {
        dataset: Some(DatasetInfo::titled("Testdaten", true)),
        indicators: vec![indicator("sgb2")],
        areas: vec![
            area("010560002", AreaKind::AmtsfreieGemeinde),
            area("010560015", AreaKind::AmtsfreieGemeinde),
            area("01056", AreaKind::Kreis),
            area("01", AreaKind::Land),
            area("DG", AreaKind::Bund),
        ],
        observations,
        ..Changes::default()
    }
}

#[test]
fn feed_from_zero_reproduces_the_server_state() {
    let mut server = Store::open_in_memory().unwrap();
    let summary = server
        .commit_revision("Demo", 1_700_000_000, &base_changes())
        .unwrap();
    assert_eq!(summary.revision, Some(1), "first commit is revision 1");
    assert_eq!(summary.new, 16, "5 areas x 3 years + 1 suppressed cell");

    let mut client = Store::open_in_memory().unwrap();
    client.apply_feed(&server.feed_since(0).unwrap()).unwrap();
    assert_eq!(
        client.revision().unwrap(),
        1,
        "client reaches the server's revision"
    );
    assert_eq!(
        client.map_view("sgb2", 2016).unwrap(),
        server.map_view("sgb2", 2016).unwrap(),
        "same map"
    );
    assert_eq!(
        client.area_series("sgb2", "010560015").unwrap(),
        server.area_series("sgb2", "010560015").unwrap(),
        "same series"
    );
    assert_eq!(
        client.dataset().unwrap(),
        Some(DatasetInfo::titled("Testdaten", true)),
        "demo flag travels"
    );
}

#[test]
fn delta_carries_only_changes_and_deletions() {
    let mut server = Store::open_in_memory().unwrap();
    server.commit_revision("Demo", 1, &base_changes()).unwrap();
    let mut client = Store::open_in_memory().unwrap();
    client.apply_feed(&server.feed_since(0).unwrap()).unwrap();

    let update = Changes {
        observations: vec![
            Observation::new("sgb2", "01056", 2015, Cell::Value(0.0 + 2.0)), // unchanged: area_idx 2, year 0
            Observation::new("sgb2", "01056", 2016, Cell::Value(99.0)),      // changed
            Observation::new("sgb2", "01056", 2018, Cell::Value(7.5)),       // new
        ],
        deletions: vec![ObservationKey {
            indicator: "sgb2".into(),
            area: "010560015".into(),
            year: 2018,
        }],
        ..Changes::default()
    };
    let summary = server.commit_revision("Import", 2, &update).unwrap();
    assert_eq!(
        (
            summary.new,
            summary.changed,
            summary.unchanged,
            summary.deleted
        ),
        (1, 1, 1, 1),
        "counts per kind"
    );

    let page = server.feed_since(1).unwrap();
    assert_eq!(
        page.observations.len(),
        2,
        "unchanged rows are not sent again"
    );
    assert_eq!(
        page.deleted_observations.len(),
        1,
        "the deletion is announced"
    );
    assert!(
        page.indicators.is_empty() && page.areas.is_empty(),
        "catalogue unchanged"
    );
    client.apply_feed(&page).unwrap();
    let catalog = client.catalog().unwrap();
    assert_eq!(
        catalog.years_of("sgb2"),
        &[2015, 2016, 2017, 2018],
        "the new year is offered for the indicator"
    );
    assert_eq!(
        catalog.years_of("unknown"),
        &[] as &[u16],
        "no years for an unknown indicator"
    );
    let map = client.map_view("sgb2", 2018).unwrap();
    let erased = map
        .areas
        .iter()
        .find(|value| value.area == "010560015")
        .unwrap();
    assert_eq!(erased.cell, None, "the deleted cell is gone on the client");
    assert_eq!(
        client.status().unwrap().observations,
        server.status().unwrap().observations,
        "same row count"
    );
}

#[test]
fn an_import_that_changes_nothing_creates_no_revision() {
    let mut server = Store::open_in_memory().unwrap();
    server.commit_revision("Demo", 1, &base_changes()).unwrap();
    let summary = server.commit_revision("Again", 2, &base_changes()).unwrap();
    assert_eq!(summary.revision, None, "nothing new, nothing to publish");
    assert_eq!(summary.unchanged, 16, "every row was compared");
    assert_eq!(server.revision().unwrap(), 1, "revision stays");
}

#[test]
fn bad_pages_are_refused_and_write_nothing() {
    let mut server = Store::open_in_memory().unwrap();
    server.commit_revision("Demo", 1, &base_changes()).unwrap();
    let full = server.feed_since(0).unwrap();

    let mut client = Store::open_in_memory().unwrap();
    let mut wrong_start = full.clone();
    wrong_start.since = 5;
    assert!(
        matches!(
            client.apply_feed(&wrong_start),
            Err(StoreError::FeedMismatch { local: 0, since: 5 })
        ),
        "gap in history"
    );

    let mut unknown_area = full.clone();
    unknown_area
        .observations
        .push(Observation::new("sgb2", "nowhere", 2016, Cell::Value(1.0)));
    assert!(
        client.apply_feed(&unknown_area).is_err(),
        "foreign key violation aborts the page"
    );
    assert_eq!(
        client.status().unwrap().observations,
        0,
        "nothing of the refused page was written"
    );
    assert_eq!(client.revision().unwrap(), 0, "revision unchanged");

    let mut not_finite = full.clone();
    not_finite.observations[0].cell = Cell::Value(f64::INFINITY);
    assert!(
        matches!(
            client.apply_feed(&not_finite),
            Err(StoreError::InvalidRow(_))
        ),
        "non-finite values refused"
    );

    client.apply_feed(&full).unwrap();
    let mut backwards = server.feed_since(1).unwrap();
    backwards.revision = 0;
    assert!(
        client.apply_feed(&backwards).is_err(),
        "a revision going backwards is refused"
    );
    assert_eq!(client.revision().unwrap(), 1, "still at the good revision");

    let mut foreign = server.feed_since(1).unwrap();
    foreign.instance = "another-server".into();
    foreign.revision = 2;
    foreign
        .observations
        .push(Observation::new("sgb2", "01056", 2016, Cell::Value(5.0)));
    assert!(
        matches!(
            client.apply_feed(&foreign),
            Err(StoreError::OtherInstance { .. })
        ),
        "revisions of another server instance are never applied as a delta"
    );
    assert_eq!(
        client.revision().unwrap(),
        1,
        "still at the good revision after the foreign page"
    );
}

#[test]
fn file_database_survives_reopen_and_refuses_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    {
        let mut store = Store::open(&path).unwrap();
        store.commit_revision("Demo", 1, &base_changes()).unwrap();
        store.set_last_sync(1234).unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.revision().unwrap(), 1, "data persists");
    assert_eq!(store.last_sync().unwrap(), Some(1234), "sync time persists");
    assert!(store.integrity_ok().unwrap(), "integrity check passes");
    drop(store);

    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    assert!(
        matches!(
            Store::open(&path),
            Err(StoreError::SchemaTooNew { found: 99, .. })
        ),
        "a newer schema is refused, not migrated down"
    );
}

/// One change in a generated import: set a cell (value or gap) or delete it.
#[derive(Debug, Clone)]
enum Op {
    Set {
        area_idx: usize,
        year: u16,
        cell: Cell,
    },
    Delete {
        area_idx: usize,
        year: u16,
    },
    /// Publish exactly these content items (id index, version); the rest is withdrawn.
    Publish {
        items: Vec<(usize, u8)>,
    },
    Population {
        area_idx: usize,
        count: u64,
    },
}

const PROP_CONTENT: [&str; 3] = ["newsletter/2025-1", "empfehlungen/wohnen", "bericht/01"];

const PROP_AREAS: [&str; 5] = ["010560002", "010560015", "01056", "01", "DG"];

fn op_strategy() -> impl proptest::strategy::Strategy<Value = Op> {
    use proptest::prelude::*;
    let cell = prop_oneof![
        (0u8..4).prop_map(|value| Cell::Value(f64::from(value))),
        // Flagged values take part in the replay like any other.
        (0u8..4).prop_map(|value| Cell::Flagged {
            value: f64::from(value),
            flag: fokus_model::ValueFlag::Provisional,
        }),
        Just(Cell::Gap(Gap::NoData)),
        Just(Cell::Gap(Gap::Suppressed)),
    ];
    prop_oneof![
        3 => (0..PROP_AREAS.len(), 2015u16..2019, cell).prop_map(|(area_idx, year, cell)| Op::Set { area_idx, year, cell }),
        1 => (0..PROP_AREAS.len(), 2015u16..2019).prop_map(|(area_idx, year)| Op::Delete { area_idx, year }),
        1 => proptest::collection::btree_map(0..PROP_CONTENT.len(), 0u8..3, 0..=PROP_CONTENT.len())
            .prop_map(|items| Op::Publish { items: items.into_iter().collect() }),
        1 => (0..PROP_AREAS.len(), 0u64..3).prop_map(|(area_idx, count)| Op::Population { area_idx, count }),
    ]
}

/// Everything a client can observe, in a canonical order.
fn state_of(store: &Store) -> (u64, fokus_model::FeedPage) {
    let mut page = store.feed_since(0).unwrap();
    page.revisions.clear(); // the log is history, not state
    (store.revision().unwrap(), page)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Applying the feed since any revision to a copy at that revision yields the server's state.
    #[test]
    fn feed_from_any_revision_reproduces_the_server(batches in proptest::collection::vec(proptest::collection::vec(op_strategy(), 0..12), 1..7)) {
        let mut server = Store::open_in_memory().unwrap();
        server.commit_revision("Katalog", 0, &Changes { observations: vec![], ..base_changes() }).unwrap();
        // A copy of the server's full state at each revision, as a client at that revision holds it.
        let mut copies = vec![(server.revision().unwrap(), server.feed_since(0).unwrap())];
        for (batch_idx, batch) in batches.iter().enumerate() {
            let mut changes = Changes::default();
            for op in batch {
                match op {
                    Op::Set { area_idx, year, cell } => {
                        let key = ObservationKey { indicator: "sgb2".into(), area: PROP_AREAS[*area_idx].into(), year: *year };
                        // A batch means "these upserts, then these deletions"; keep the ops' order.
                        changes.deletions.retain(|deleted| *deleted != key);
                        changes.observations.retain(|o: &Observation| o.key != key);
                        changes.observations.push(Observation { key, cell: *cell });
                    }
                    Op::Delete { area_idx, year } => {
                        let key = ObservationKey { indicator: "sgb2".into(), area: PROP_AREAS[*area_idx].into(), year: *year };
                        changes.observations.retain(|o: &Observation| o.key != key);
                        changes.deletions.push(key);
                    }
                    Op::Publish { items } => {
                        changes.content = Some(items.iter().map(|(id_idx, version)| content(PROP_CONTENT[*id_idx], *version)).collect());
                    }
                    Op::Population { area_idx, count } => {
                        changes.population.retain(|row| row.area != PROP_AREAS[*area_idx]);
                        changes.population.push(PopulationCount { area: PROP_AREAS[*area_idx].into(), year: 2020, age_from: 65, sex: Sex::Female, projection: false, count: *count });
                    }
                }
            }
            let summary = server.commit_revision("Import", batch_idx as i64 + 1, &changes).unwrap();
            if summary.revision.is_some() {
                copies.push((server.revision().unwrap(), server.feed_since(0).unwrap()));
            }
        }
        let expected = state_of(&server);
        for (revision, full_page) in &copies {
            let mut client = Store::open_in_memory().unwrap();
            client.apply_feed(full_page).unwrap();
            proptest::prop_assert_eq!(client.revision().unwrap(), *revision, "the copy is at its revision");
            client.apply_feed(&server.feed_since(*revision).unwrap()).unwrap();
            proptest::prop_assert_eq!(state_of(&client), expected.clone(), "from revision {} the feed reaches the server's state", revision);
        }
    }
}

#[test]
fn area_profile_lists_every_indicator_beside_kreis_land_and_bund() {
    let mut store = Store::open_in_memory().unwrap();
    let mut changes = base_changes();
    changes.indicators.push(indicator("alq"));
    store.commit_revision("Demo", 1, &changes).unwrap();
    let profile = store.area_profile("010560015", Some(2016)).unwrap();
    let ids: Vec<&str> = profile
        .entries
        .iter()
        .map(|entry| entry.indicator.id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["alq", "sgb2"],
        "every indicator, even one without values"
    );
    let references: Vec<&str> = profile
        .references
        .iter()
        .map(|reference| reference.area.as_str())
        .collect();
    assert_eq!(
        references,
        ["01056", "01", "DG"],
        "the Kreis first, then Land and Bund"
    );
    let sgb2 = &profile.entries[1];
    assert_eq!(
        sgb2.cell_in(2016),
        Some(Cell::Value(2.0)),
        "area index 1 + year offset 1"
    );
    assert_eq!(
        sgb2.cells,
        [
            Some(Cell::Value(1.0)),
            Some(Cell::Value(2.0)),
            Some(Cell::Value(3.0)),
            Some(Cell::Gap(Gap::Suppressed))
        ],
        "every year of the indicator, for the trend line; the suppressed year marked"
    );
    assert_eq!(
        sgb2.references,
        [
            Some(Cell::Value(3.0)),
            Some(Cell::Value(4.0)),
            Some(Cell::Value(5.0))
        ],
        "Kreis, Land and Bund (area indices 2 to 4) in the profile's year"
    );
    assert!(
        profile.entries[0].cells.is_empty(),
        "no value is no value, not zero"
    );
    assert_eq!(
        store.area_profile("010560015", None).unwrap().year,
        2018,
        "without a year: the latest with data"
    );
    assert!(
        matches!(
            store.area_profile("nirgendwo", Some(2016)),
            Err(StoreError::NotFound { .. })
        ),
        "an unknown area is named as such"
    );
}

#[test]
fn synonyms_and_notes_travel_with_the_indicator() {
    let mut server = Store::open_in_memory().unwrap();
    server.commit_revision("Demo", 1, &base_changes()).unwrap();
    let mut client = Store::open_in_memory().unwrap();
    client.apply_feed(&server.feed_since(0).unwrap()).unwrap();
    let indicator = client.indicator("sgb2").unwrap();
    assert_eq!(
        indicator.synonyms,
        ["Hartz IV", "Bürgergeld"],
        "kept apart, in order"
    );
    assert_eq!(
        indicator.notes, "Ab 2023 Bürgergeld",
        "the note on the series"
    );
}

#[test]
fn indicator_table_holds_every_area_and_year_of_the_map_level() {
    let mut store = Store::open_in_memory().unwrap();
    store
        .commit_revision("Demo", 1_700_000_000, &base_changes())
        .unwrap();
    let table = store.indicator_table("sgb2", Level::Map).unwrap();
    assert_eq!(
        table.years,
        [2015, 2016, 2017, 2018],
        "every year the indicator has"
    );
    let areas: Vec<&str> = table.areas.iter().map(|row| row.area.as_str()).collect();
    assert_eq!(
        areas,
        ["010560002", "010560015"],
        "the map's areas (amtsfreie Gemeinden)"
    );
    let references: Vec<&str> = table
        .references
        .iter()
        .map(|row| row.area.as_str())
        .collect();
    assert_eq!(references, ["01056", "01", "DG"], "Kreis, Land, Bund");
    assert_eq!(
        table.areas[1].cells,
        [
            Some(Cell::Value(1.0)),
            Some(Cell::Value(2.0)),
            Some(Cell::Value(3.0)),
            Some(Cell::Gap(Gap::Suppressed))
        ],
        "one cell per year, the suppressed one marked"
    );
    assert_eq!(
        table.areas[0].cell(3),
        None,
        "a year without a delivery is empty"
    );
    assert_eq!(
        table.stand,
        Some(1_700_000_000),
        "the Stand is the import's time"
    );
    let map = store.map_view("sgb2", 2016).unwrap();
    for value in &map.areas {
        let row = table
            .areas
            .iter()
            .find(|row| row.area == value.area)
            .unwrap();
        assert_eq!(
            row.cell(1),
            value.cell,
            "the table and the map agree on {}",
            value.area
        );
    }
    let gemeinden = store.indicator_table("sgb2", Level::Gemeinde).unwrap();
    assert!(gemeinden.areas.is_empty(), "the test data has no Gemeinden");
    assert!(
        matches!(
            store.indicator_table("gibtsnicht", Level::Map),
            Err(StoreError::NotFound { .. })
        ),
        "an unknown indicator is named as such"
    );
}

#[test]
fn changes_and_digests_tell_what_changed_since_a_note() {
    use fokus_model::personal::Subject;
    let mut server = Store::open_in_memory().unwrap();
    server
        .commit_revision("Demo", 1_700_000_000, &base_changes())
        .unwrap();
    let mut client = Store::open_in_memory().unwrap();
    client.apply_feed(&server.feed_since(0).unwrap()).unwrap();
    let subjects = [
        Subject::Indicator("sgb2".into()),
        Subject::Area("01056".into()),
        Subject::Area("010560002".into()),
        Subject::Content("fehlt".into()),
    ];
    let before = client.subject_digests(&subjects).unwrap();
    assert!(
        before[..3].iter().all(|digest| digest.digest.len() == 32),
        "data present: a digest each"
    );
    assert_eq!(before[3].digest, "", "nothing held: an empty digest");

    let all = client.changes_since(0).unwrap();
    assert_eq!(all.revision, 1);
    assert_eq!(
        all.data_stand,
        Some(1_700_000_000),
        "the Stand is the revision's time"
    );
    assert_eq!(all.indicators.len(), 1);
    assert_eq!(
        all.indicators[0].years,
        [2015, 2016, 2017, 2018],
        "every year, once"
    );
    assert!(
        client.changes_since(1).unwrap().indicators.is_empty(),
        "nothing after the current revision"
    );

    let update = Changes {
        observations: vec![Observation::new("sgb2", "01056", 2016, Cell::Value(99.0))],
        content: Some(vec![content("newsletter/2025-1", 1)]),
        ..Changes::default()
    };
    server
        .commit_revision("Import", 1_700_100_000, &update)
        .unwrap();
    client.apply_feed(&server.feed_since(1).unwrap()).unwrap();
    let since_note = client.changes_since(1).unwrap();
    assert_eq!(since_note.indicators.len(), 1);
    assert_eq!(
        (
            since_note.indicators[0].years.as_slice(),
            since_note.indicators[0].revision
        ),
        (&[2016_u16][..], 2),
        "only the changed year, at the new revision"
    );
    assert_eq!(since_note.content.len(), 1, "the new newsletter");
    assert_eq!(since_note.content[0].title, "Beitrag newsletter/2025-1");
    assert_eq!(since_note.data_stand, Some(1_700_100_000));

    let after = client.subject_digests(&subjects).unwrap();
    assert_ne!(after[0], before[0], "the indicator's values changed");
    assert_ne!(after[1], before[1], "the Kreis's values changed");
    assert_eq!(after[2], before[2], "another area's values did not");

    // A full resync rewrites every row at the new revision; the digests see the same data.
    let mut fresh = Store::open_in_memory().unwrap();
    fresh.apply_feed(&server.feed_since(0).unwrap()).unwrap();
    assert_eq!(
        fresh.subject_digests(&subjects).unwrap(),
        after,
        "digests depend on the data, not on revisions"
    );
    assert!(
        fokus_store::parse_subjects("kennzahl:a,gebiet:b,inhalt:c/d").is_ok()
            && ["passwort:x", "", "kennzahl:a,", "kennzahl:a:b", "gebiet:"]
                .iter()
                .all(|keys| fokus_store::parse_subjects(keys).is_err()),
        "subject keys are checked"
    );
}

#[test]
fn search_finds_folded_stemmed_words_in_the_transaction_that_brought_them() {
    use fokus_model::search::HitKind;
    let mut server = Store::open_in_memory().unwrap();
    let mut changes = base_changes();
    changes.content = Some(vec![ContentItem {
        title: "Mehr Plätze für Pflegeheime".into(),
        body_html: "<p>Die Ärzte &amp; Träger der <em>Tagespflege</em> in Uetersen.</p>".into(),
        ..content("newsletter/2025-1", 1)
    }]);
    server
        .commit_revision("Demo", 1_700_000_000, &changes)
        .unwrap();
    let mut client = Store::open_in_memory().unwrap();
    assert!(client.search("Pflegeheim").unwrap().groups.is_empty());
    client.apply_feed(&server.feed_since(0).unwrap()).unwrap();

    for store in [&server, &client] {
        let found = store.search("Pflegeheim").unwrap();
        assert_eq!(found.groups.len(), 1, "{found:?}");
        assert_eq!(found.groups[0].kind, HitKind::Newsletter);
        let hit = &found.groups[0].hits[0];
        assert_eq!(hit.id, "newsletter/2025-1");
        assert!(
            hit.title
                .iter()
                .any(|part| part.hit && part.text == "Pflegeheime"),
            "the match is marked in the title: {:?}",
            hit.title
        );
        for (query, kind) in [
            ("aerzte", HitKind::Newsletter),
            ("ÄRZTEN", HitKind::Newsletter),
            ("tagespfl", HitKind::Newsletter),
            ("buergergeld", HitKind::Kennzahl),
            ("Hartz", HitKind::Kennzahl),
            ("Gebiet 010560002", HitKind::Gebiet),
        ] {
            let found = store.search(query).unwrap();
            assert!(
                found.groups.iter().any(|group| group.kind == kind),
                "{query} finds a {kind:?}: {found:?}"
            );
        }
        assert!(
            store.search("Gebiet 01").unwrap().groups[0]
                .hits
                .iter()
                .all(|hit| hit.id != "01" && hit.id != "DG"),
            "Land and Bund are references, not places to open"
        );
        assert!(
            store.search("Pflegeheim Uetersen").unwrap().groups.len() == 1,
            "all words"
        );
        assert!(
            store
                .search("Pflegeheim Elmshorn")
                .unwrap()
                .groups
                .is_empty(),
            "all words must match"
        );
        assert!(
            matches!(
                store.search(&"a".repeat(401)),
                Err(StoreError::InvalidArgument(_))
            ),
            "an overlong query is refused, as the API describes"
        );
        assert!(
            store.search(&"ä".repeat(400)).is_ok(),
            "400 characters, not bytes"
        );
        for hostile in ["\"", "*", "NEAR(", "a OR", "^x", "-", "", "   "] {
            assert!(
                store.search(hostile).is_ok(),
                "{hostile:?} is no FTS syntax error"
            );
        }
    }

    // Withdrawn content leaves the index in the same revision.
    let withdraw = Changes {
        content: Some(vec![content("newsletter/2025-2", 1)]),
        ..Changes::default()
    };
    server
        .commit_revision("Neu", 1_700_000_100, &withdraw)
        .unwrap();
    client.apply_feed(&server.feed_since(1).unwrap()).unwrap();
    assert!(client.search("Pflegeheim").unwrap().groups.is_empty());
    assert_eq!(
        client.search("Fassung").unwrap().groups[0].hits[0].id,
        "newsletter/2025-2"
    );
}

#[test]
fn search_finds_compounds_areas_with_indicators_one_hit_a_place_and_the_report_year() {
    use fokus_model::search::HitKind;
    let mut store = Store::open_in_memory().unwrap();
    let mut changes = base_changes();
    let named = |id: &str, name: &str, kind: AreaKind, parent: Option<&str>| Area {
        name: name.into(),
        parent: parent.map(str::to_owned),
        ..area(id, kind)
    };
    changes.areas.extend([
        named(
            "010560015015",
            "Gebiet 010560015",
            AreaKind::Gemeinde,
            Some("010560015"),
        ),
        named("010565616", "Elmshorn-Land", AreaKind::Amt, None),
    ]);
    let mut armut = indicator("kinderarmut");
    armut.name = "Kinderarmut".into();
    changes.indicators.push(armut);
    changes.content = Some(vec![ContentItem {
        title: "Schwerpunkt Altersarmut".into(),
        body_html: "<p>Mehr Pflege zu Hause.</p>".into(),
        details: ContentDetails::Kapitel {
            year: 2024,
            chapter: 2,
            data_stand: None,
        },
        ..content("fokusbericht/2024/02-armut", 1)
    }]);
    store
        .commit_revision("Demo", 1_700_000_000, &changes)
        .unwrap();

    let found = store.search("Armut").unwrap();
    let ids: Vec<&str> = found
        .groups
        .iter()
        .flat_map(|group| group.hits.iter().map(|hit| hit.id.as_str()))
        .collect();
    assert_eq!(
        ids,
        ["kinderarmut", "fokusbericht/2024/02-armut"],
        "a word inside compounds (Kinderarmut, Altersarmut) is found"
    );
    let chapter = &found.groups.last().unwrap().hits[0];
    assert_eq!(
        chapter.year,
        Some(2024),
        "a chapter hit knows its report's year"
    );

    let places = store.search("Gebiet 010560015").unwrap();
    let gebiet = places
        .groups
        .iter()
        .find(|group| group.kind == HitKind::Gebiet)
        .unwrap();
    assert_eq!(
        gebiet
            .hits
            .iter()
            .map(|hit| hit.id.as_str())
            .collect::<Vec<_>>(),
        ["010560015"],
        "the Gemeinde of an amtsfreie Gemeinde is the same place: one hit, the map area's"
    );

    let for_area = store.search("Elmshorn-Land Kinderarmut").unwrap();
    assert_eq!(
        for_area.area.as_ref().map(|area| area.id.as_str()),
        Some("010565616"),
        "the area named beside other words: {for_area:?}"
    );
    let indicators = &for_area.groups[0];
    assert_eq!(indicators.kind, HitKind::Kennzahl);
    assert_eq!(
        indicators.hits[0].id, "kinderarmut",
        "the indicator for the rest"
    );
    assert!(
        for_area
            .groups
            .iter()
            .any(|group| group.kind == HitKind::Gebiet && group.hits[0].id == "010565616"),
        "and the area itself"
    );
    assert_eq!(
        store.search("Elmshorn-Land").unwrap().area,
        None,
        "an area alone is an area hit, not a filter"
    );
}

#[test]
fn a_database_from_before_the_index_is_indexed_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    {
        let mut store = Store::open(&path).unwrap();
        store
            .commit_revision("Demo", 1_700_000_000, &base_changes())
            .unwrap();
    }
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("DELETE FROM search; DELETE FROM meta WHERE key = 'search_index';")
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert!(!store.search("Hartz").unwrap().groups.is_empty());
}

#[test]
fn projections_and_movement_travel_to_the_app_with_their_stand() {
    let mut server = Store::open_in_memory().unwrap();
    server
        .commit_revision("Katalog", 1_700_000_000, &base_changes())
        .unwrap();
    let count = |year: u16, count: u64, projection: bool| PopulationCount {
        area: "01056".into(),
        year,
        age_from: 65,
        sex: Sex::Female,
        count,
        projection,
    };
    let movement = fokus_model::population::Movement {
        area: "01056".into(),
        year: 2025,
        births: 2790,
        deaths: 3650,
        moved_in: 21400,
        moved_out: 19900,
    };
    server
        .commit_revision(
            "Bevölkerung",
            1_750_000_000,
            &Changes {
                population: vec![count(2025, 100, false), count(2040, 140, true)],
                movement: vec![movement.clone()],
                ..Changes::default()
            },
        )
        .unwrap();
    let refused = server.commit_revision(
        "Zählung aus der Zukunft",
        1_760_000_000,
        &Changes {
            population: vec![count(2040, 1, false)],
            ..Changes::default()
        },
    );
    assert!(
        refused.is_err(),
        "a count may not reach a projection's years"
    );
    let mut client = Store::open_in_memory().unwrap();
    client.apply_feed(&server.feed_since(0).unwrap()).unwrap();
    let structure = client.age_structure("01056").unwrap();
    assert_eq!(structure.years, [2025, 2040]);
    assert_eq!(structure.projected, [2040], "the projection stays marked");
    assert_eq!(structure.movement, std::slice::from_ref(&movement));
    assert_eq!(structure.stand, Some(1_750_000_000));
    assert_eq!(
        client.population_pyramid("01056", None).unwrap().year,
        2025,
        "without a year, the latest count rather than the projection"
    );
    let pyramid = client.population_pyramid("01056", Some(2040)).unwrap();
    assert_eq!(pyramid.projected, [2040]);
    assert_eq!(pyramid.groups, [(65, 140, 0)]);
    // A correction of the movement alone travels as a delta.
    let corrected = fokus_model::population::Movement {
        births: 2800,
        ..movement
    };
    server
        .commit_revision(
            "Berichtigung",
            1_800_000_000,
            &Changes {
                movement: vec![corrected.clone()],
                ..Changes::default()
            },
        )
        .unwrap();
    let delta = server.feed_since(client.revision().unwrap()).unwrap();
    assert_eq!(delta.movement, std::slice::from_ref(&corrected));
    assert!(delta.population.is_empty());
    client.apply_feed(&delta).unwrap();
    let structure = client.age_structure("01056").unwrap();
    assert_eq!(structure.movement, [corrected]);
    assert_eq!(
        structure.stand,
        Some(1_800_000_000),
        "the newest of both tables"
    );
}

/// A server with two revisions, a withdrawn content item and a deleted value, as snapshots see it.
fn server_with_history() -> Store {
    let mut server = Store::open_in_memory().unwrap();
    server.ensure_instance("server-eins").unwrap();
    server
        .commit_revision(
            "Katalog",
            1_700_000_000,
            &Changes {
                content: Some(vec![content("a", 1), content("b", 1)]),
                population: vec![PopulationCount {
                    area: "01056".into(),
                    year: 2020,
                    age_from: 65,
                    sex: Sex::Female,
                    count: 10,
                    projection: false,
                }],
                ..base_changes()
            },
        )
        .unwrap();
    let mut hostile = content("a", 2);
    hostile.body_html = "<p>Fassung 2</p><script>alert(1)</script>".into();
    server
        .commit_revision(
            "Korrektur",
            1_700_000_100,
            &Changes {
                observations: vec![Observation::new("sgb2", "01056", 2016, Cell::Value(9.5))],
                deletions: vec![ObservationKey {
                    indicator: "sgb2".into(),
                    area: "DG".into(),
                    year: 2015,
                }],
                content: Some(vec![hostile]),
                ..Changes::default()
            },
        )
        .unwrap();
    server
}

fn snapshot_of(
    server: &Store,
    dir: &std::path::Path,
) -> (std::path::PathBuf, fokus_store::SnapshotInfo) {
    let path = dir.join(format!("snapshot-{}.sqlite3", server.revision().unwrap()));
    let info = server.write_snapshot(&path).unwrap();
    (path, info)
}

#[test]
fn a_snapshot_gives_what_a_full_sync_gives_and_keeps_the_cache_settings() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_with_history();
    let (path, info) = snapshot_of(&server, dir.path());
    assert_eq!(info.revision, 2);
    assert_eq!(info.instance, server.instance().unwrap());

    let mut by_feed = Store::open(&dir.path().join("feed.sqlite3")).unwrap();
    by_feed.apply_feed(&server.feed_since(0).unwrap()).unwrap();
    let mut by_snapshot = Store::open(&dir.path().join("snapshot.sqlite3")).unwrap();
    by_snapshot
        .set_app_setting("server", "https://fokus.example")
        .unwrap();
    by_snapshot.set_last_sync(42).unwrap();
    let summary = by_snapshot.restore_snapshot(&path, &info).unwrap();
    assert_eq!((summary.revision, summary.observations), (2, 15));
    assert_eq!(state_of(&by_snapshot), state_of(&by_feed), "the same data");
    assert_eq!(
        by_snapshot.app_setting("server").unwrap().as_deref(),
        Some("https://fokus.example"),
        "the cache's own settings stay"
    );
    assert_eq!(by_snapshot.last_sync().unwrap(), Some(42));
    let article = by_snapshot.content_item("a").unwrap();
    assert!(
        !article.body_html.contains("script"),
        "content is cleaned by the client's policy: {}",
        article.body_html
    );
    assert_eq!(
        by_snapshot.search("Fassung").unwrap(),
        by_feed.search("Fassung").unwrap(),
        "the search index is built by the client"
    );

    // Deltas go on from the snapshot's revision.
    let mut server = server;
    server
        .commit_revision(
            "Nachtrag",
            1_700_000_200,
            &Changes {
                observations: vec![Observation::new("sgb2", "01", 2017, Cell::Value(1.25))],
                ..Changes::default()
            },
        )
        .unwrap();
    let delta = server.feed_since(2).unwrap();
    by_feed.apply_feed(&delta).unwrap();
    by_snapshot.apply_feed(&delta).unwrap();
    assert_eq!(state_of(&by_snapshot), state_of(&by_feed));
    assert_eq!(by_snapshot.revision().unwrap(), 3);
}

#[test]
fn a_bad_snapshot_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_with_history();
    let cache_path = dir.path().join("cache.sqlite3");
    let mut cache = Store::open(&cache_path).unwrap();
    cache
        .set_app_setting("server", "https://fokus.example")
        .unwrap();
    let before = state_of(&cache);

    let damage = |name: &str, sql: &str| -> std::path::PathBuf {
        std::fs::create_dir_all(dir.path().join(name)).unwrap();
        let (path, _) = snapshot_of(&server, &dir.path().join(name));
        if !sql.is_empty() {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(&format!("PRAGMA foreign_keys = OFF; {sql}"))
                .unwrap();
        }
        path
    };
    let info = fokus_store::SnapshotInfo {
        instance: server.instance().unwrap(),
        revision: 2,
        fingerprint: server.fingerprint_of(2).unwrap().unwrap(),
    };
    let garbage = dir.path().join("garbage.sqlite3");
    std::fs::write(&garbage, b"<html>Wartungsarbeiten</html>".repeat(200)).unwrap();
    let cases: Vec<(std::path::PathBuf, fokus_store::SnapshotInfo, &str)> = vec![
        (garbage, info.clone(), "not a database"),
        (
            damage("year", "UPDATE observation SET year = 1800 WHERE area = '01' AND year = 2016"),
            info.clone(),
            "year out of range",
        ),
        (
            damage("text", "UPDATE observation SET value = 'viel' WHERE area = '01'"),
            info.clone(),
            "finite number",
        ),
        (
            damage("gap", "UPDATE observation SET gap = 'egal' WHERE gap IS NOT NULL"),
            info.clone(),
            "unknown marker",
        ),
        (
            damage("age", "UPDATE population SET age_from = 3"),
            info.clone(),
            "age group",
        ),
        (
            damage(
                "trigger",
                "CREATE TRIGGER t AFTER INSERT ON meta BEGIN DELETE FROM observation; END;",
            ),
            info.clone(),
            "tables differ",
        ),
        (
            damage("orphan", "INSERT INTO observation (indicator, year, area, value, revision) VALUES ('sgb2', 2016, 'nirgends', 1.0, 2)"),
            info.clone(),
            "unknown indicators or areas",
        ),
        (
            damage("orphan-count", "UPDATE population SET area = 'nirgends'"),
            info.clone(),
            "rows of unknown areas",
        ),
        (
            damage("tombstone", "INSERT INTO tombstone VALUES ('sgb2', 2015, 'DG', 2)"),
            info.clone(),
            "tombstones",
        ),
        (
            damage("content", "UPDATE content SET item = '{\"id\": 1}'"),
            info.clone(),
            "unreadable",
        ),
        (
            {
                // An index whose entries disagree with the rows of its table (the rows changed
                // while SQLite thought the index held none of them): every page is sound and
                // the counts agree, so `quick_check` passes, but the app would read other rows
                // through the index than through the table, and a later write there finds the
                // database corrupt. Found by the fuzzer (`crashers/snapshot`).
                let path = damage("index", "");
                let edit = |sql: &str| {
                    rusqlite::Connection::open(&path)
                        .unwrap()
                        .execute_batch(sql)
                        .unwrap()
                };
                edit("PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = sql || ' WHERE 0' WHERE name = 'observation_by_revision'");
                edit("UPDATE observation SET revision = 3 - revision WHERE area = '01'");
                edit("PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = substr(sql, 1, length(sql) - 8) WHERE name = 'observation_by_revision'");
                path
            },
            info.clone(),
            "missing from index observation_by_revision",
        ),
        (
            damage("revision", ""),
            fokus_store::SnapshotInfo {
                revision: 3,
                ..info.clone()
            },
            "announced were 3",
        ),
        (
            damage("instance", ""),
            fokus_store::SnapshotInfo {
                instance: "ein-anderer-server".into(),
                ..info.clone()
            },
            "ein-anderer-server",
        ),
        (
            damage("fingerprint", ""),
            fokus_store::SnapshotInfo {
                fingerprint: "0".repeat(64),
                ..info.clone()
            },
            "another timeline",
        ),
    ];
    for (path, expected, says) in cases {
        let error = cache.restore_snapshot(&path, &expected).expect_err(says);
        assert!(
            error.to_string().contains(says),
            "{}: {error}",
            path.display()
        );
        assert_eq!(state_of(&cache), before, "{says}: nothing changed");
        assert_eq!(
            cache.app_setting("server").unwrap().as_deref(),
            Some("https://fokus.example")
        );
    }
    // The same file, undamaged, is taken.
    std::fs::create_dir_all(dir.path().join("good")).unwrap();
    let (path, info) = snapshot_of(&server, &dir.path().join("good"));
    cache.restore_snapshot(&path, &info).unwrap();
    assert_eq!(cache.revision().unwrap(), 2);
    drop(cache);
    assert!(Store::open(&cache_path).unwrap().integrity_ok().unwrap());
}
