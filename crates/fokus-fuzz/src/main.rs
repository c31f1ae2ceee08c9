//! `cargo xtask fuzz [SECONDS]`: runs every target for SECONDS (default 60) and reports
//! executions and findings; a finding (a panic) is written to `crashers/<target>/` and makes the
//! run fail.

use std::time::{Duration, Instant};

use fokus_fuzz::{crasher_dir, mutate, name_of, seeds, Context, Random, TARGETS};

fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::args()
        .nth(1)
        .map(|text| text.parse())
        .transpose()?
        .unwrap_or(60);
    let seed: u64 = std::env::var("FOKUS_FUZZ_SEED")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |elapsed| elapsed.as_nanos() as u64)
        });
    let context = Context::new()?;
    // Panics are findings, reported below; the default hook would print each one.
    std::panic::set_hook(Box::new(|_| {}));
    let mut findings = 0;
    for target in TARGETS {
        let corpus = seeds(target.name, &context);
        // Each target its own stream from the one seed.
        let target_bits = u64::from_str_radix(&name_of(target.name.as_bytes()), 16)?;
        let mut random = Random::new(seed ^ target_bits);
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut executions = 0u64;
        let mut found = 0;
        while Instant::now() < deadline {
            let input = &corpus[random.below(corpus.len())];
            let other = &corpus[random.below(corpus.len())];
            let mutated = mutate(&mut random, input, other);
            // The context is only read; a panic cannot leave it half changed.
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                (target.run)(&context, &mutated)
            }));
            executions += 1;
            if outcome.is_err() {
                found += 1;
                let dir = crasher_dir(target.name);
                std::fs::create_dir_all(&dir)?;
                let path = dir.join(name_of(&mutated));
                std::fs::write(&path, &mutated)?;
                eprintln!("{}: panic, input kept in {}", target.name, path.display());
            }
        }
        println!(
            "fuzz {}: {executions} executions in {seconds} s, {found} findings (seed {seed})",
            target.name
        );
        findings += found;
    }
    anyhow::ensure!(
        findings == 0,
        "{findings} inputs made a target panic; see crashers/"
    );
    Ok(())
}
