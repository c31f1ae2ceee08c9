//! `fokus-server`: serve the central API, import BI exports, publish content, load the demo.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::{Parser, Subcommand};
use fokus_server::import::ImportRules;
use fokus_server::publish::BlobDir;
use fokus_server::redaktion::Workspace;
use fokus_server::{
    app, blob_dir, configure, database_path, import_bytes, load_demo, publish_dir_adopting,
    AppState, ImportSummary, PublishSummary,
};
use fokus_store::Store;

#[derive(Parser)]
#[command(
    name = "fokus-server",
    version,
    about = "Zentraler FOKUS-Server: API, Import, Demodaten"
)]
struct Cli {
    /// Folder for the server's SQLite database and published media.
    #[arg(long, global = true, default_value = "fokus-data")]
    data_dir: PathBuf,
    /// Data protection: values resting on fewer cases (column `fallzahl`) are stored only as
    /// "suppressed" and never leave the server.
    #[arg(long, global = true, env = "FOKUS_MIN_CASES", default_value_t = ImportRules::default().min_cases)]
    min_cases: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (and, with --web-dir, the web build of the UI).
    Serve {
        /// Load the demo dataset first if the database does not have it.
        #[arg(long)]
        demo: bool,
        /// With --demo: also publish this content folder (see `publish`).
        #[arg(long, requires = "demo")]
        content: Option<PathBuf>,
        #[arg(long, default_value = "127.0.0.1")]
        host: std::net::IpAddr,
        /// 0 picks a free port; the chosen address is printed on stdout.
        #[arg(long, default_value_t = 8787)]
        port: u16,
        /// Folder with the built web UI (trunk's dist).
        #[arg(long)]
        web_dir: Option<PathBuf>,
        /// File holding the bearer token that enables `POST /api/v1/admin/import` for the BI
        /// system. Without it the admin API is off.
        #[arg(long, env = "FOKUS_ADMIN_TOKEN_FILE")]
        admin_token_file: Option<PathBuf>,
        /// Behind a caching proxy (docs/nginx-fokus.conf): answer feed requests with news by a
        /// redirect to the immutable page `/api/v1/feed/{since}/{until}/{timeline}`, which the proxy caches.
        #[arg(long, env = "FOKUS_FEED_REDIRECT")]
        feed_redirect: bool,
        /// Open connections at most (each app holds one or two); the open-files limit is raised
        /// to fit, or the cap lowered to what it allows.
        #[arg(long, default_value_t = 4096)]
        max_connections: usize,
        /// Apps listening for new revisions at most; beyond it they get 503 and sync on their
        /// regular interval.
        #[arg(long, default_value_t = fokus_server::MAX_EVENT_LISTENERS)]
        max_event_listeners: usize,
        /// Large answers (full feed pages, snapshots: an app's first sync) sent at once; beyond
        /// it apps are told (503, Retry-After) to come back a few seconds later.
        #[arg(long, default_value_t = fokus_server::capacity::MAX_FULL_SYNCS)]
        max_full_syncs: usize,
    },
    /// Set up (or change) the deployment from a configuration folder: einstellungen.toml,
    /// gebiete.geojson, kennzahlen.csv. One revision; areas no longer listed are retired.
    Init {
        dir: PathBuf,
        /// Check the folder and report what would change, without writing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Import a CSV export (kennzahl;gebiet;jahr;wert) as one new revision.
    Import {
        file: PathBuf,
        /// Check the file and report what would change, without writing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Publish a content folder (Markdown with TOML front matter, plus media) as one revision;
    /// items missing from the folder are withdrawn.
    Publish { dir: PathBuf },
    /// Load the demo dataset (values, demography, finance) and, with --content, its content.
    Demo {
        #[arg(long)]
        content: Option<PathBuf>,
    },
    /// Back the data folder up into a new folder while the server may be running: a consistent
    /// copy of the database and every blob it names. Restore by serving from that folder.
    Backup { out: PathBuf },
    /// Accounts of the Redaktion workspace (`/redaktion` in the web build).
    #[command(subcommand)]
    User(UserCommand),
    /// Write everything published as a zstd-compressed database (what `/api/v1/snapshot`
    /// serves), for apps to ship as their first-start data.
    Snapshot { out: PathBuf },
    /// Write the server's working copy of the content (what is published now, including the
    /// Redaktion's edits) as a content folder OUT, or as an archive when OUT ends in `.tar`;
    /// `publish` takes either folder back.
    ExportContent { out: PathBuf },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account; prints its one-time password, which must be changed at the first
    /// sign-in. The first admin comes from here: `user add --admin NAME`.
    Add {
        /// Sign-in name: lower-case letters, digits, `.`, `-`, `_`.
        name: String,
        /// Shorthand for `--rolle admin`.
        #[arg(long)]
        admin: bool,
        /// admin, redaktion, daten or fachdienst; repeat for several.
        #[arg(long = "rolle", value_parser = parse_role)]
        roles: Vec<fokus_model::redaktion::Role>,
        /// A Fachdienst account's office, as recommendations name it under `zustaendig`.
        #[arg(long = "fachdienst", default_value = "")]
        office: String,
        /// How the workspace names the person (default: the sign-in name).
        #[arg(long = "anzeigename")]
        display_name: Option<String>,
    },
    /// Set a new one-time password (and lift a lockout); ends the account's sessions.
    Reset { name: String },
    /// List the accounts.
    List,
}

fn parse_role(text: &str) -> Result<fokus_model::redaktion::Role, String> {
    fokus_model::redaktion::Role::parse(text).ok_or_else(|| {
        format!("unbekannte Rolle „{text}“: admin, redaktion, daten oder fachdienst")
    })
}

fn user(data_dir: &std::path::Path, command: UserCommand) -> anyhow::Result<()> {
    let workspace = Workspace::open(data_dir)?;
    let by = "Kommandozeile";
    let outcome = match command {
        UserCommand::Add {
            name,
            admin,
            mut roles,
            office,
            display_name,
        } => {
            if admin {
                roles.push(fokus_model::redaktion::Role::Admin);
            }
            let new = fokus_model::redaktion::NewAccount {
                display_name: display_name.unwrap_or_else(|| name.clone()),
                name,
                roles,
                office,
            };
            workspace.add_account_now(&new, by).map(|password| {
                println!(
                    "Konto {} angelegt. Einmalpasswort (bei der ersten Anmeldung zu ändern):",
                    new.name
                );
                println!("{password}");
            })
        }
        UserCommand::Reset { name } => workspace.reset_password_now(&name, by).map(|password| {
            println!("Neues Einmalpasswort für {name} (bei der nächsten Anmeldung zu ändern):");
            println!("{password}");
        }),
        UserCommand::List => {
            for account in workspace.accounts_now()? {
                let roles: Vec<&str> = account.roles.iter().map(|role| role.as_str()).collect();
                println!(
                    "{}\t{}\t{}\t{}{}",
                    account.name,
                    account.display_name,
                    roles.join(","),
                    account.office,
                    if account.locked { "\tgesperrt" } else { "" }
                );
            }
            Ok(())
        }
    };
    if let Err(refusal) = outcome {
        eprintln!("Fehler: {refusal}");
        std::process::exit(2);
    }
    Ok(())
}

fn export_content(data_dir: &std::path::Path, out: &std::path::Path) -> anyhow::Result<()> {
    use fokus_server::redaktion::workfolder;
    let working = workfolder::path(data_dir);
    if workfolder::files(&working)?.is_empty() {
        anyhow::bail!(
            "{} enthält keinen Inhalt; veröffentlicht wird mit `fokus-server publish ORDNER`",
            working.display()
        );
    }
    if out.extension().is_some_and(|extension| extension == "tar") {
        let file = std::fs::File::create_new(out)
            .with_context(|| format!("creating {}", out.display()))?;
        workfolder::export_tar(&working, std::io::BufWriter::new(file))?;
        println!("Inhalt als Archiv in {}", out.display());
    } else {
        let files = workfolder::export_to(&working, out)?;
        println!("Inhalt in {}: {files} Dateien", out.display());
    }
    Ok(())
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

fn open_store(data_dir: &std::path::Path) -> anyhow::Result<Store> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let path = database_path(data_dir);
    let store = Store::open(&path).with_context(|| format!("opening {}", path.display()))?;
    // A new database gets an identity once, so clients can tell it from a rebuilt one.
    store.ensure_instance(&uuid::Uuid::new_v4().to_string())?;
    Ok(store)
}

fn main() {
    if let Err(error) = run() {
        // One clear message for the operator; a backtrace of our own code would only bury it.
        eprintln!("Fehler: {error:#}");
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if let Command::User(command) = cli.command {
        std::fs::create_dir_all(&cli.data_dir)
            .with_context(|| format!("creating {}", cli.data_dir.display()))?;
        return user(&cli.data_dir, command);
    }
    if let Command::ExportContent { out } = &cli.command {
        return export_content(&cli.data_dir, out);
    }
    let mut store = open_store(&cli.data_dir)?;
    match cli.command {
        Command::User(_) | Command::ExportContent { .. } => unreachable!("handled above"),
        Command::Demo { content } => {
            let summary = load_demo(&mut store, now())?;
            println!(
                "Demodaten: {} neu, {} geändert, {} unverändert",
                summary.new, summary.changed, summary.unchanged
            );
            if let Some(dir) = content {
                publish(&mut store, &cli.data_dir, &dir)?;
            }
        }
        Command::Publish { dir } => publish(&mut store, &cli.data_dir, &dir)?,
        Command::Backup { out } => {
            let summary = fokus_server::backup(&store, &cli.data_dir, &out)?;
            println!(
                "Sicherung in {}: Revision {}, {} Dateien",
                out.display(),
                summary.revision,
                summary.blobs
            );
        }
        Command::Init { dir, dry_run } => {
            let deployment = match fokus_server::config::read_dir(&dir) {
                Ok(deployment) => deployment,
                Err(error) => {
                    eprintln!("{error}");
                    std::process::exit(2);
                }
            };
            let (n_areas, n_indicators) = (deployment.areas.len(), deployment.indicators.len());
            let title = deployment.dataset.app_title.clone();
            let outcome = if dry_run {
                "Probelauf, nichts gespeichert".to_owned()
            } else {
                match configure(&mut store, deployment, now())?.revision {
                    Some(revision) => format!("Revision {revision}"),
                    None => "keine Änderung, keine neue Revision".to_owned(),
                }
            };
            println!(
                "Konfiguration {title} aus {}: {n_areas} Gebiete, {n_indicators} Kennzahlen ({outcome})",
                dir.display()
            );
        }
        Command::Snapshot { out } => {
            let database = store
                .path()
                .context("the server's database is not a file")?;
            let built = fokus_server::snapshot::write_file(&database, &out)
                .with_context(|| format!("writing {}", out.display()))?;
            let compressed = std::fs::metadata(&out)?.len();
            println!(
                "Snapshot: Revision {}, {} Bytes Datenbank, {compressed} Bytes komprimiert in {}",
                built.revision,
                built.bytes,
                out.display()
            );
        }
        Command::Import { file, dry_run } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let label = format!(
                "Import {}",
                file.file_name()
                    .map(|name| name.to_string_lossy())
                    .unwrap_or_default()
            );
            let rules = ImportRules {
                min_cases: cli.min_cases,
            };
            match import_bytes(&mut store, &bytes, &label, now(), dry_run, rules)? {
                Ok(ImportSummary {
                    commit: summary,
                    suppressed,
                }) => {
                    let outcome = match (dry_run, summary.revision) {
                        (true, _) => "Probelauf, nichts gespeichert".to_owned(),
                        (false, Some(revision)) => format!("Revision {revision}"),
                        (false, None) => "keine Änderung, keine neue Revision".to_owned(),
                    };
                    println!(
                        "Import {}: {} neu, {} geändert, {} unverändert, {suppressed} wegen kleiner Fallzahl \
                         geheim gehalten ({outcome})",
                        file.display(),
                        summary.new,
                        summary.changed,
                        summary.unchanged
                    );
                }
                Err(error) => {
                    eprintln!("{error}");
                    std::process::exit(2);
                }
            }
        }
        Command::Serve {
            demo,
            content,
            host,
            port,
            web_dir,
            admin_token_file,
            feed_redirect,
            max_connections,
            max_event_listeners,
            max_full_syncs,
        } => {
            if demo {
                load_demo(&mut store, now())?;
            }
            if let Some(dir) = content {
                // The workspace's working copy, once there, holds what staff changed since:
                // the demo goes on from there instead of starting over.
                let working = fokus_server::redaktion::workfolder::path(&cli.data_dir);
                let dir = if working.is_dir() { working } else { dir };
                publish(&mut store, &cli.data_dir, &dir)?;
            }
            let runtime = tokio::runtime::Runtime::new()?;
            let admin_token = admin_token_file.map(|path| read_token(&path)).transpose()?;
            let state = AppState::new(store)?
                .with_import_rules(ImportRules {
                    min_cases: cli.min_cases,
                })
                .with_blobs(BlobDir::new(blob_dir(&cli.data_dir)))
                .with_feed_redirect(feed_redirect)
                .with_max_event_listeners(max_event_listeners)
                .with_max_full_syncs(max_full_syncs)
                .with_redaktion(Workspace::open(&cli.data_dir)?);
            let state = match &admin_token {
                Some(token) => state.with_admin_token(token),
                None => state,
            };
            runtime.block_on(serve(
                state,
                SocketAddr::new(host, port),
                web_dir,
                max_connections,
            ))?;
        }
    }
    Ok(())
}

fn publish(
    store: &mut Store,
    data_dir: &std::path::Path,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    let blobs = BlobDir::new(blob_dir(data_dir));
    match publish_dir_adopting(store, &blobs, dir, data_dir, now())? {
        Ok(PublishSummary {
            commit,
            items,
            media,
            pruned,
        }) => {
            let outcome = match commit.revision {
                Some(revision) => format!("Revision {revision}"),
                None => "keine Änderung, keine neue Revision".to_owned(),
            };
            println!(
                "Veröffentlicht {}: {items} Beiträge, {media} Dateien; {} neu, {} geändert, {} unverändert, {} zurückgezogen, {pruned} Dateien gelöscht ({outcome})",
                dir.display(),
                commit.new,
                commit.changed,
                commit.unchanged,
                commit.deleted
            );
            Ok(())
        }
        Err(error) => {
            eprint!("{error}");
            std::process::exit(2);
        }
    }
}

/// Reads the admin token; a short or empty one is refused rather than silently accepted.
fn read_token(path: &std::path::Path) -> anyhow::Result<String> {
    let token = std::fs::read_to_string(path)
        .with_context(|| format!("reading the admin token from {}", path.display()))?;
    let token = token.trim().to_owned();
    if token.len() < 16 {
        anyhow::bail!(
            "the admin token in {} is shorter than 16 characters",
            path.display()
        );
    }
    Ok(token)
}

async fn serve(
    state: AppState,
    address: SocketAddr,
    web_dir: Option<PathBuf>,
    max_connections: usize,
) -> anyhow::Result<()> {
    tokio::spawn(state.clone().watch_revisions(Duration::from_millis(500)));
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("binding {address}"))?;
    let bound = listener.local_addr()?;
    // Tests and xtask read this line to find the port.
    println!("FOKUS-Server läuft auf http://{bound}");
    tracing::info!(%bound, web = ?web_dir, "serving");
    let router = app(state, web_dir.as_deref());
    let limits = fokus_server::serve::Limits {
        max_connections: fokus_server::serve::raise_open_files(max_connections),
        ..Default::default()
    };
    fokus_server::serve::serve(listener, router, limits, async {
        fokus_server::serve::shutdown_signal().await;
        tracing::info!("shutting down");
    })
    .await;
    Ok(())
}
