//! Mutation fuzzing on stable Rust, for the inputs that come from outside: a BI export (CSV or
//! JSON) through the importer, a feed page through the client's parser and its checked,
//! transactional apply, a snapshot file through the store's check and restore, a content item's
//! front matter and Markdown through what `publish` does with each file, and an imported
//! Sitzungsmappe (Markdown, or everything as JSON) through what the UI's import does. Each
//! target starts from real seeds (the import corpus, the accepted exports, a demo feed page, a
//! demo snapshot and damaged copies of it, the demo's content folder, the app's own exports of
//! folders) and mutates them at random (bit flips, byte edits, cut and duplicated lines, splices
//! of two seeds, boundary numbers); a panic is a finding. Findings are kept in
//! `crashers/<target>/`, and `cargo test` replays every kept file, so a fixed crash stays fixed.

use std::path::{Path, PathBuf};

use fokus_model::personal::{Folder, FolderItem, Note, Personal};
use fokus_model::FeedPage;
use fokus_server::content_folder::ContentFolder;
use fokus_server::import::{parse_export, ImportRules};
use fokus_server::publish::Known;
use fokus_store::{SnapshotInfo, Store};

/// A fuzz target: a name, its seeds, and what it does with one input.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&Context, &[u8]),
}

/// What the targets share: the demo server (its data and the demo's Markdown content) and
/// what is made from it once.
pub struct Context {
    pub catalog: fokus_model::Catalog,
    pub feed: Vec<u8>,
    /// The demo server, for the values a published item's live figures show.
    pub server: Store,
    /// What publish checks content against, without the store (added per execution).
    pub known: Known<'static>,
    /// The demo's content folder, where the media a fuzzed item names are looked for.
    pub content: ContentFolder,
    /// The demo server's snapshot, as it serves it, made small (see [`small_snapshot`]).
    pub snapshot: Vec<u8>,
    /// Where the snapshot target writes its files.
    scratch: tempfile::TempDir,
}

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The demo's authored content (`assets/demo-content`; its PDFs and video are generated at
/// build time and are not in it).
fn demo_content_dir() -> PathBuf {
    root().join("assets/demo-content")
}

impl Context {
    pub fn new() -> anyhow::Result<Context> {
        let scratch = tempfile::tempdir()?;
        let mut server = Store::open_in_memory()?;
        server.ensure_instance("fokus-fuzz")?;
        fokus_server::load_demo(&mut server, 1)?;
        let catalog = server.catalog()?;
        let mut page = server.feed_since(0)?;
        // A small page keeps each execution fast: a few rows of each kind.
        page.observations.truncate(40);
        page.population.truncate(10);
        page.areas.truncate(12);
        let feed = serde_json::to_vec(&page)?;
        let content = ContentFolder::open(&demo_content_dir())?;
        publish_demo_text(&mut server, &content, scratch.path())?;
        let snapshot = small_snapshot(&server, scratch.path())?;
        let known = Known {
            store: None,
            ..Known::of(&server)?
        };
        Ok(Context {
            catalog,
            feed,
            server,
            known,
            content,
            snapshot,
            scratch,
        })
    }
}

/// Publishes the demo's chapters, recommendations and newsletters (the items without media,
/// which are generated at build time), so the snapshot holds content to check and clean.
fn publish_demo_text(
    server: &mut Store,
    content: &ContentFolder,
    scratch: &Path,
) -> anyhow::Result<()> {
    let folder = scratch.join("inhalte");
    for path in content.list().markdown {
        let named_media = path.starts_with("dokumente") || path.starts_with("video");
        if named_media {
            continue;
        }
        let target = folder.join(&path);
        std::fs::create_dir_all(target.parent().unwrap_or(&folder))?;
        std::fs::write(&target, content.read(&path)?)?;
    }
    let blobs = fokus_server::publish::BlobDir::new(scratch.join("blobs"));
    fokus_server::publish_dir(server, &blobs, &folder, 2)?
        .map_err(|error| anyhow::anyhow!("the demo content was refused: {error}"))?;
    Ok(())
}

/// The server's snapshot with the statistics of one year only (every row of every other table
/// kept), so that an execution takes milliseconds: still a snapshot this build restores.
fn small_snapshot(server: &Store, scratch: &Path) -> anyhow::Result<Vec<u8>> {
    let path = scratch.join("demo.snapshot");
    server.write_snapshot(&path)?;
    let conn = rusqlite::Connection::open(&path)?;
    conn.execute_batch(
        "DELETE FROM observation WHERE year <> 2024;
         DELETE FROM population WHERE year <> 2024;
         DELETE FROM movement WHERE year <> 2024;
         VACUUM;",
    )?;
    drop(conn);
    let bytes = std::fs::read(&path)?;
    std::fs::remove_file(&path)?;
    Ok(bytes)
}

fn import(context: &Context, input: &[u8]) {
    let _ = parse_export(input, &context.catalog, ImportRules::default());
}

fn feed(_context: &Context, input: &[u8]) {
    let Ok(page) = serde_json::from_slice::<FeedPage>(input) else {
        return;
    };
    let mut store = Store::open_in_memory().expect("an in-memory store");
    let before = store.revision().expect("a revision");
    if store.apply_feed(&page).is_err() {
        assert_eq!(
            store.revision().expect("a revision"),
            before,
            "a refused page leaves the cache at its revision"
        );
    }
}

/// A snapshot file as it arrives (after the download's checks of size and checksum, which any
/// server can pass): checked and restored into an empty cache as the bundled data are. Either
/// it is refused and the cache stays empty, or the cache is at the snapshot's revision, sound
/// and readable.
fn snapshot(context: &Context, input: &[u8]) {
    let path = context.scratch.path().join("eingang.snapshot");
    std::fs::write(&path, input).expect("the scratch folder takes the file");
    let Ok(info) = SnapshotInfo::of_file(&path) else {
        return;
    };
    let mut cache = Store::open_in_memory().expect("an in-memory store");
    match cache.restore_snapshot(&path, &info) {
        Ok(applied) => {
            assert_eq!(applied.revision, info.revision, "the announced revision");
            assert_eq!(
                cache.revision().expect("a revision"),
                info.revision,
                "the cache is at the snapshot's revision"
            );
            assert!(
                cache.integrity_ok().expect("an integrity check"),
                "a restored cache is sound"
            );
            cache.catalog().expect("a restored cache reads");
        }
        Err(_) => assert_eq!(
            cache.revision().expect("a revision"),
            0,
            "a refused snapshot leaves the cache empty"
        ),
    }
}

/// A content item's Markdown file with its TOML front matter, read and checked as `publish`
/// reads each file, as if it lay in the demo folder's `video/` (so the captions file it names
/// is found and checked). An accepted item keeps the policy: its HTML is clean.
fn publish(context: &Context, input: &[u8]) {
    let known = Known {
        store: Some(&context.server),
        ..context.known.clone()
    };
    let file = Path::new("video/eingang.md");
    if let Ok(item) = fokus_server::publish::parse_item(&context.content, file, input, &known) {
        assert_eq!(
            fokus_store::html::sanitize(&item.body_html),
            item.body_html,
            "published HTML is already clean"
        );
    }
}

/// An imported file as the UI's "Datei einlesen" takes it: text (the browser decodes a file
/// as UTF-8 with replacement characters), JSON for everything or else a Sitzungsmappe in
/// Markdown, merged into a person's data that already hold a folder and a note. An imported
/// folder exported again reads back the same.
fn mappe(_context: &Context, input: &[u8]) {
    let text = String::from_utf8_lossy(input);
    let mut personal = Personal::default();
    personal
        .add_folder(sample_folder())
        .expect("one folder fits");
    personal.save_note(sample_note()).expect("one note fits");
    if text.trim_start().starts_with('{') {
        // The UI parses with the browser's JSON and serde-wasm-bindgen; serde_json reads the
        // same documents.
        let Ok(imported) = serde_json::from_str::<Personal>(&text) else {
            return;
        };
        let Ok(imported) = imported.checked() else {
            return;
        };
        if personal.merge(imported).is_ok() {
            let mut ids: Vec<&str> = personal
                .folders
                .iter()
                .map(|folder| folder.id.as_str())
                .collect();
            ids.sort_unstable();
            let n_folders = ids.len();
            ids.dedup();
            assert_eq!(ids.len(), n_folders, "every folder keeps an id of its own");
            personal
                .clone()
                .checked()
                .expect("merged data pass the check again");
        }
        return;
    }
    let Ok(folder) = Folder::from_markdown(&text) else {
        return;
    };
    let Ok(id) = personal.add_folder(folder) else {
        return;
    };
    let stored = &personal.folders[personal.folder_index(&id).expect("the folder added")];
    let mut again = Folder::from_markdown(&stored.to_markdown())
        .expect("the export of an imported folder reads back");
    again.id.clone_from(&stored.id);
    assert_eq!(
        &again, stored,
        "export and import again give the same folder"
    );
}

/// The folder of the app's own Markdown export the seeds start from (the one the council test
/// gathers in the browser).
fn sample_folder() -> Folder {
    let mut folder = Folder::new("Sozialausschuss 12. März", "Sozialausschuss", "2026-03-12");
    for (path, title, note) in [
        (
            "/gebiet?gebiet=010560015&jahr=2024",
            "Gebietsprofil Elmshorn 2024",
            "",
        ),
        (
            "/fokusbericht#fokusbericht-2025-02-sozialausgaben",
            "Fokusbericht 2025: Sozialausgaben",
            "",
        ),
        (
            "/sozialbericht?kennzahl=sgb2_quote&jahr=2026",
            "SGB-II-Quote 2026, Karte",
            "# Frage\nWarum steigt die Quote?\n\\ mit Rückstrich\n<b>kein HTML</b>",
        ),
    ] {
        folder.add(FolderItem {
            path: path.into(),
            title: title.into(),
            note: note.into(),
        });
    }
    folder
}

fn sample_note() -> Note {
    Note {
        path: "/sozialbericht?kennzahl=sgb2_quote&jahr=2024".into(),
        title: "SGB-II-Quote 2024, Karte".into(),
        text: "Uetersen liegt über dem Kreis.".into(),
        subject: Some(fokus_model::personal::Subject::Indicator(
            "sgb2_quote".into(),
        )),
        digest: "ab12".into(),
        revision: 5,
        saved_at: 1_767_000_000,
    }
}

pub const TARGETS: &[Target] = &[
    Target {
        name: "import",
        run: import,
    },
    Target {
        name: "feed",
        run: feed,
    },
    Target {
        name: "snapshot",
        run: snapshot,
    },
    Target {
        name: "publish",
        run: publish,
    },
    Target {
        name: "mappe",
        run: mappe,
    },
];

/// The seeds of a target: files from the repository's own corpora.
pub fn seeds(target: &str, context: &Context) -> Vec<Vec<u8>> {
    let root = root();
    let mut seeds = Vec::new();
    match target {
        "import" => {
            for dir in [
                "crates/fokus-server/tests/import-corpus",
                "crates/fokus-server/tests/import-accepted",
                "assets/examples/schleswig-holstein",
            ] {
                let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                    continue;
                };
                let mut files: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
                files.sort();
                for path in files {
                    let keep = path
                        .extension()
                        .is_some_and(|ext| ext == "csv" || ext == "json");
                    if keep {
                        if let Ok(bytes) = std::fs::read(&path) {
                            seeds.push(bytes);
                        }
                    }
                }
            }
        }
        "snapshot" => {
            let good = &context.snapshot;
            let page = 4096;
            let mut damaged = |change: &dyn Fn(&mut Vec<u8>)| {
                let mut bytes = good.clone();
                change(&mut bytes);
                seeds.push(bytes);
            };
            damaged(&|_| {});
            // Cut off as a broken download would be, in the middle and after the header.
            damaged(&|bytes| bytes.truncate(bytes.len() / 2));
            damaged(&|bytes| bytes.truncate(100));
            // Another page size, UTF-16 text: what the download's header check refuses.
            damaged(&|bytes| bytes[16..18].copy_from_slice(&8192u16.to_be_bytes()));
            damaged(&|bytes| bytes[56..60].copy_from_slice(&2u32.to_be_bytes()));
            // A page of the schema and one of the data zeroed.
            damaged(&|bytes| bytes[page..2 * page].fill(0));
            damaged(&|bytes| {
                let middle = bytes.len() / page / 2 * page;
                bytes[middle..middle + page].fill(0);
            });
        }
        "publish" => {
            for path in context.content.list().markdown {
                if let Ok(bytes) = context.content.read(&path) {
                    seeds.push(bytes);
                }
            }
        }
        "mappe" => {
            let mut other = Folder::new("Jugendhilfeausschuss", "", "");
            other.add(FolderItem {
                path: "/statistik/bevoelkerung?gebiet=01056".into(),
                title: "Bevölkerung Kreis Pinneberg".into(),
                note: "Zeile eins\n\nZeile drei".into(),
            });
            seeds.push(sample_folder().to_markdown().into_bytes());
            seeds.push(other.to_markdown().into_bytes());
            let everything = Personal {
                notes: vec![sample_note()],
                folders: vec![sample_folder(), other],
                ..Personal::default()
            };
            seeds.push(serde_json::to_vec_pretty(&everything).expect("JSON"));
            // Files the import refuses, from the browser test and the model's tests.
            for refused in [
                "# Sitzungsmappe: X\n\n## 1. Böse\n\n<javascript:alert(1)>\n",
                "# Sitzungsmappe: A\n\n## 1. Böse\n\n<fokus://../../etc/passwd>\n",
                "# Sitzungsmappe: A\n- Datum: 12.03.2026\n",
                "# Sitzungsmappe: A\n# Sitzungsmappe: B\n",
            ] {
                seeds.push(refused.as_bytes().to_vec());
            }
        }
        _ => seeds.push(context.feed.clone()),
    }
    seeds
}

/// A small, seedable random source (xorshift64*): reproducible runs without a dependency.
pub struct Random(u64);

impl Random {
    pub fn new(seed: u64) -> Random {
        Random(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            0
        } else {
            (self.next_u64() % bound as u64) as usize
        }
    }
}

/// Interesting replacements: separators, markers, quotes, numbers at the edges.
const TOKENS: &[&[u8]] = &[
    b";",
    b",",
    b"\t",
    b"\n",
    b"\r\n",
    b"\"",
    b".",
    b"..",
    b"x",
    b"-",
    b"(",
    b")",
    b"p",
    b"1.234",
    b"7.125",
    b"7,4",
    b"-0",
    b"1e308",
    b"NaN",
    b"inf",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"null",
    b"[]",
    b"{}",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\0",
    b"\xC3\x28",
    b"fallzahl",
    b"kennzahl;gebiet;jahr;wert",
    b"\"revision\":",
    b"\"since\":",
    b"99999999999",
    b"2015",
    b"2031",
    b"\xE2\x80\xAE",
];

/// One random mutation of `input` (sometimes spliced with `other`).
pub fn mutate(random: &mut Random, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut bytes = input.to_vec();
    let rounds = 1 + random.below(4);
    for _ in 0..rounds {
        let at = random.below(bytes.len() + 1);
        match random.below(8) {
            0 if !bytes.is_empty() => {
                let index = random.below(bytes.len());
                bytes[index] ^= 1 << random.below(8);
            }
            1 if !bytes.is_empty() => {
                let index = random.below(bytes.len());
                bytes[index] = random.next_u64() as u8;
            }
            2 => {
                let token = TOKENS[random.below(TOKENS.len())];
                bytes.splice(at..at, token.iter().copied());
            }
            3 if !bytes.is_empty() => {
                let end = (at + 1 + random.below(16)).min(bytes.len());
                let start = at.min(end);
                bytes.drain(start..end);
            }
            4 => {
                // Duplicate a line.
                let lines: Vec<&[u8]> = input.split(|byte| *byte == b'\n').collect();
                let line = lines[random.below(lines.len())].to_vec();
                bytes.splice(at..at, line.into_iter().chain([b'\n']));
            }
            5 if !other.is_empty() => {
                let from = random.below(other.len());
                let len = random.below(other.len() - from + 1).min(256);
                bytes.splice(at..at, other[from..from + len].iter().copied());
            }
            6 => {
                // Replace a number with an edge value.
                let token =
                    [&b"0"[..], b"-1", b"65535", b"4294967296", b"1.5", b"1e-320"][random.below(6)];
                if let Some(position) = bytes[at.min(bytes.len())..]
                    .iter()
                    .position(u8::is_ascii_digit)
                {
                    let start = at + position;
                    let end = bytes[start..]
                        .iter()
                        .position(|byte| !byte.is_ascii_digit())
                        .map_or(bytes.len(), |offset| start + offset);
                    bytes.splice(start..end, token.iter().copied());
                }
            }
            _ => bytes.truncate(at),
        }
    }
    bytes
}

/// Where a target's findings are kept.
pub fn crasher_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crashers")
        .join(target)
}

/// A short name for a finding, by content.
pub fn name_of(input: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(input)
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kept finding runs without a panic now, and every seed too.
    #[test]
    fn kept_findings_and_seeds_do_not_panic() {
        let context = Context::new().unwrap();
        if let Ok(entries) = std::fs::read_dir(crasher_dir("")) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                assert!(
                    TARGETS.iter().any(|target| target.name == name),
                    "crashers/{name} belongs to a target, so its findings are replayed"
                );
            }
        }
        for target in TARGETS {
            let mut inputs = seeds(target.name, &context);
            assert!(!inputs.is_empty(), "{} has seeds", target.name);
            if let Ok(entries) = std::fs::read_dir(crasher_dir(target.name)) {
                for entry in entries.flatten() {
                    inputs.push(std::fs::read(entry.path()).unwrap());
                }
            }
            for input in &inputs {
                (target.run)(&context, input);
            }
        }
    }

    #[test]
    fn mutations_are_reproducible_by_seed() {
        let input = b"kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2026;7,4\n";
        let run = |seed| {
            let mut random = Random::new(seed);
            (0..50)
                .map(|_| mutate(&mut random, input, input))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7), "the same seed, the same inputs");
        assert_ne!(run(7), run(8), "another seed, other inputs");
    }

    /// The seeds reach the checks past the first refusal: the snapshot restores, the demo's
    /// items publish, the folder's export imports.
    #[test]
    fn the_real_seeds_are_accepted() {
        let context = Context::new().unwrap();
        let path = context.scratch.path().join("seed.snapshot");
        std::fs::write(&path, &context.snapshot).unwrap();
        let info = SnapshotInfo::of_file(&path).unwrap();
        let mut cache = Store::open_in_memory().unwrap();
        let applied = cache.restore_snapshot(&path, &info).unwrap();
        assert!(applied.observations > 100, "values to check: {applied:?}");
        assert!(
            context.snapshot.len() < 4 << 20,
            "small enough for fast executions: {} bytes",
            context.snapshot.len()
        );
        let known = Known {
            store: Some(&context.server),
            ..context.known.clone()
        };
        let mut accepted = 0;
        for path in context.content.list().markdown {
            let bytes = context.content.read(&path).unwrap();
            accepted += usize::from(
                fokus_server::publish::parse_item(&context.content, &path, &bytes, &known).is_ok(),
            );
        }
        assert!(
            accepted >= 12,
            "the demo's text items publish as they are: {accepted}"
        );
        let mappe = seeds("mappe", &context);
        assert_eq!(
            Folder::from_markdown(std::str::from_utf8(&mappe[0]).unwrap())
                .unwrap()
                .items,
            sample_folder().items,
            "the folder's export imports"
        );
        let everything: Personal = serde_json::from_slice(&mappe[2]).unwrap();
        assert_eq!(
            everything.checked().unwrap().folders.len(),
            2,
            "the backup of everything imports"
        );
    }
}
