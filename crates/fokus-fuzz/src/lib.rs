//! Mutation fuzzing on stable Rust, for the inputs that come from outside: a BI export (CSV or
//! JSON) through the importer, and a feed page through the client's parser and its checked,
//! transactional apply. Each target starts from real seeds (the import corpus, the accepted
//! exports, a demo feed page) and mutates them at random (bit flips, byte edits, cut and
//! duplicated lines, splices of two seeds, boundary numbers); a panic is a finding. Findings are
//! kept in `crashers/<target>/`, and `cargo test` replays every kept file, so a fixed crash
//! stays fixed.

use std::path::{Path, PathBuf};

use fokus_model::FeedPage;
use fokus_server::import::{parse_export, ImportRules};
use fokus_store::Store;

/// A fuzz target: a name, its seeds, and what it does with one input.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&Context, &[u8]),
}

/// What the targets share: the demo catalogue and a store at the demo's state.
pub struct Context {
    pub catalog: fokus_model::Catalog,
    pub feed: Vec<u8>,
}

impl Context {
    pub fn new() -> anyhow::Result<Context> {
        let mut store = Store::open_in_memory()?;
        fokus_server::load_demo(&mut store, 1)?;
        let catalog = store.catalog()?;
        let mut page = store.feed_since(0)?;
        // A small page keeps each execution fast: a few rows of each kind.
        page.observations.truncate(40);
        page.population.truncate(10);
        page.areas.truncate(12);
        let feed = serde_json::to_vec(&page)?;
        Ok(Context { catalog, feed })
    }
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

pub const TARGETS: &[Target] = &[
    Target {
        name: "import",
        run: import,
    },
    Target {
        name: "feed",
        run: feed,
    },
];

/// The seeds of a target: files from the repository's own corpora.
pub fn seeds(target: &str, context: &Context) -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
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
}
