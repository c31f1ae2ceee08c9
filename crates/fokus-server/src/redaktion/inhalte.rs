//! The content part of the workspace (`/api/v1/redaktion/inhalte`): the Redaktion lists,
//! creates, edits, previews, publishes and withdraws every kind of item, uploads media and
//! exports the content folder. Drafts and each item's history live in the workspace database
//! (`versions.rs`); the front matter travels as form fields and is written back into the file
//! with `toml_edit` (`front_matter.rs`). Publishing writes the file into the working copy and
//! publishes the working copy as one revision through `publish`'s checks, under the store's
//! lock; a refusal puts the old file back, and a file changed since the editor loaded it is
//! never overwritten (409, the editor's text kept as their draft).

mod front_matter;
mod versions;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use axum::extract::{DefaultBodyLimit, Path as UrlPath, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use fokus_model::api::{ApiError, ErrorCode};
use fokus_model::content::{media_type_by_extension, visible_name, ContentKind, MediaType};
use fokus_model::redaktion::inhalte::{
    self as wire, DraftInfo, DraftSave, HistoryAction, HistoryEntry, HistoryVersion, ItemSource,
    ItemState, ItemSummary, MediaUploaded, NewItem, Preview, PreviewRequest, Problem,
    PublishRequest, Published, Source, WithdrawRequest,
};
use fokus_model::redaktion::Role;
use fokus_model::text::echo;
use futures_util::StreamExt;
use serde::Deserialize;

use super::accounts::{self, Refusal, Signed};
use super::{iso_day, params, signed, workfolder, Address, Body, Need, Workspace};
use crate::AppState;

pub use front_matter::{compose, source_of};

/// The largest media file the workspace takes unless configured otherwise
/// ([`Workspace::with_media_limit`]): the apps download media to tablets, and a file beyond
/// this is better linked than shipped.
pub const MEDIA_MAX_BYTES: u64 = 1024 * 1024 * 1024;

/// The content routes, merged into the workspace's.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(wire::ITEMS, get(list))
        .route(wire::SOURCE, get(source))
        .route(wire::CREATE, post(create))
        .route(wire::DRAFT, put(save_draft).delete(discard_draft))
        .route(wire::PREVIEW, post(preview))
        .route(wire::PUBLISH, post(publish))
        .route(wire::WITHDRAW, post(withdraw))
        .route(wire::HISTORY, get(history))
        .route(wire::VERSION, get(version))
        .route(wire::RESTORE, post(restore))
        .route(
            wire::MEDIA,
            // The handler streams the body to disk itself, with the workspace's own limit.
            post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route(wire::EXPORT, get(export))
}

/// Who may edit content.
const EDITORS: [Role; 2] = [Role::Redaktion, Role::Admin];

fn internal(error: impl std::fmt::Debug) -> Refusal {
    Refusal::Internal(format!("{error:?}"))
}

/// The Markdown file of `id` in the working copy, or 404 for an id that names none.
fn file_of(folder: &Path, id: &str) -> Result<PathBuf, Refusal> {
    let plain = id.len() <= 300 && !id.chars().any(fokus_model::content::is_invisible);
    workfolder::item_file(folder, id)
        .filter(|_| plain)
        .ok_or_else(|| Refusal::NotFound(format!("Keinen Inhalt „{}“ gibt es", echo(id))))
}

/// The published file of an item: its text and version, or `None` when there is none.
fn read_current(file: &Path) -> Result<Option<(String, String)>, Refusal> {
    match std::fs::symlink_metadata(file) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(internal(error)),
        Ok(meta) if !meta.is_file() => {
            return Err(Refusal::Unprocessable(format!(
                "{} ist im Arbeitsordner keine gewöhnliche Datei",
                file.display()
            )))
        }
        Ok(_) => {}
    }
    let bytes = std::fs::read(file).map_err(internal)?;
    let version = crate::publish::hex_sha256(&bytes);
    let text = String::from_utf8(bytes)
        .map_err(|_| Refusal::Unprocessable(format!("{} ist kein UTF-8-Text", file.display())))?;
    Ok(Some((text, version)))
}

fn check_source(source: &Source) -> Result<(), Refusal> {
    if source.body.chars().count() > wire::BODY_MAX_CHARS {
        return Err(Refusal::Invalid(format!(
            "Der Text ist länger als {} Zeichen; bitte auf mehrere Inhalte aufteilen",
            wire::BODY_MAX_CHARS
        )));
    }
    if source.fields.title.chars().count() > 300 || source.fields.summary.chars().count() > 2000 {
        return Err(Refusal::Invalid(
            "Titel (höchstens 300 Zeichen) oder Zusammenfassung (höchstens 2000) ist zu lang"
                .into(),
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
struct ListQuery {
    art: Option<String>,
}

fn kind_order(kind: ContentKind) -> usize {
    ContentKind::ALL
        .iter()
        .position(|known| *known == kind)
        .unwrap_or(usize::MAX)
}

async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<ItemSummary>>, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Read).await?;
    signed.require(&EDITORS)?;
    let query = params(query)?;
    let only = match query.art.as_deref() {
        None => None,
        Some(art) => Some(ContentKind::parse(art).ok_or_else(|| {
            Refusal::Invalid(format!(
                "unbekannte art „{}“; erlaubt: kapitel, empfehlung, newsletter, dokument, video",
                echo(art)
            ))
        })?),
    };
    let published = state
        .read(|store| store.content_list(None))
        .await
        .map_err(internal)?;
    let (drafts, latest) = workspace
        .db(|db| {
            Ok((
                versions::drafts(db, None).map_err(accounts::internal)?,
                versions::latest(db).map_err(accounts::internal)?,
            ))
        })
        .await?;
    let folder = workspace.content.clone();
    let mut items: BTreeMap<String, ItemSummary> = BTreeMap::new();
    let summary = |id: &str, source: &Source, state: ItemState| ItemSummary {
        id: id.to_owned(),
        kind: source.fields.details.kind(),
        title: source.fields.title.clone(),
        date: source.fields.date.clone(),
        state,
        drafts: Vec::new(),
        last_change: None,
    };
    for item in &published {
        items.insert(
            item.id.clone(),
            ItemSummary {
                id: item.id.clone(),
                kind: item.kind(),
                title: item.title.clone(),
                date: item.date.clone(),
                state: ItemState::Veroeffentlicht,
                drafts: Vec::new(),
                last_change: None,
            },
        );
    }
    for (entry, text) in latest {
        let id = entry.id.clone();
        if !items.contains_key(&id) && entry.action == HistoryAction::Zurueckgezogen {
            if let Ok(source) = source_of(&text) {
                items.insert(id.clone(), summary(&id, &source, ItemState::Zurueckgezogen));
            }
        }
        if let Some(item) = items.get_mut(&id) {
            item.last_change = Some(entry);
        }
    }
    // Newest first: the first draft of an unpublished item names it.
    for draft in drafts {
        if !items.contains_key(&draft.id) {
            if let Ok(source) = source_of(&draft.text) {
                items.insert(
                    draft.id.clone(),
                    summary(&draft.id, &source, ItemState::Entwurf),
                );
            }
        }
        if let Some(item) = items.get_mut(&draft.id) {
            let mut info = draft.info;
            info.stale = is_stale(&folder, &draft.id, info.base.as_deref());
            item.drafts.push(info);
        }
    }
    let mut list: Vec<ItemSummary> = items
        .into_values()
        .filter(|item| only.is_none_or(|kind| item.kind == kind))
        .collect();
    list.sort_by(|a, b| (kind_order(a.kind), &a.id).cmp(&(kind_order(b.kind), &b.id)));
    Ok(Json(list))
}

/// Whether the published file of `id` is no longer the version `base` a draft started from.
fn is_stale(folder: &Path, id: &str, base: Option<&str>) -> bool {
    let current = file_of(folder, id)
        .ok()
        .and_then(|file| std::fs::read(file).ok())
        .map(|bytes| crate::publish::hex_sha256(&bytes));
    current.as_deref() != base
}

/// The editor's view of `id` for `signed`.
async fn item_source(
    state: &AppState,
    workspace: &Workspace,
    signed: &Signed,
    id: &str,
) -> Result<ItemSource, Refusal> {
    let file = file_of(&workspace.content, id)?;
    let current = read_current(&file)?;
    let (drafts, history, last_text) = {
        let id = id.to_owned();
        workspace
            .db(move |db| {
                let history = versions::history(db, &id).map_err(accounts::internal)?;
                let last_text = match history.first() {
                    Some(entry) => versions::version(db, entry.seq)
                        .map_err(accounts::internal)?
                        .map(|(_, text)| text),
                    None => None,
                };
                Ok((
                    versions::drafts(db, Some(&id)).map_err(accounts::internal)?,
                    history,
                    last_text,
                ))
            })
            .await?
    };
    let published = match &current {
        Some((text, _)) => Some(source_of(text).map_err(Refusal::Unprocessable)?),
        None => None,
    };
    let version = current.as_ref().map(|(_, version)| version.clone());
    let mut draft = None;
    let mut other_drafts = Vec::new();
    // What kind it is, from whichever text there is.
    let any_text = current
        .as_ref()
        .map(|(text, _)| text.clone())
        .or_else(|| drafts.first().map(|row| row.text.clone()))
        .or(last_text);
    for row in drafts {
        let mut info = row.info;
        info.stale = info.base != version;
        if info.account == signed.account.name {
            let source = source_of(&row.text).map_err(Refusal::Unprocessable)?;
            draft = Some(wire::Draft { source, info });
        } else {
            other_drafts.push(info);
        }
    }
    let withdrawn = history
        .first()
        .is_some_and(|entry| entry.action == HistoryAction::Zurueckgezogen);
    let in_store = {
        let id = id.to_owned();
        state
            .read(move |store| store.content_ids().map(|ids| ids.contains(&id)))
            .await
            .map_err(internal)?
    };
    let state = if in_store || published.is_some() {
        ItemState::Veroeffentlicht
    } else if withdrawn {
        ItemState::Zurueckgezogen
    } else if draft.is_some() || !other_drafts.is_empty() {
        ItemState::Entwurf
    } else {
        return Err(Refusal::NotFound(format!(
            "Keinen Inhalt „{}“ gibt es",
            echo(id)
        )));
    };
    let kind = any_text
        .as_deref()
        .and_then(|text| source_of(text).ok())
        .map(|source| source.fields.details.kind())
        .ok_or_else(|| {
            Refusal::Unprocessable(format!("Die Art von „{}“ ist nicht lesbar", echo(id)))
        })?;
    Ok(ItemSource {
        id: id.to_owned(),
        kind,
        state,
        published,
        version,
        draft,
        other_drafts,
    })
}

async fn source(
    State(state): State<AppState>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<ItemSource>, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Read).await?;
    signed.require(&EDITORS)?;
    Ok(Json(item_source(&state, &workspace, &signed, &id).await?))
}

async fn create(
    State(state): State<AppState>,
    Address(address): Address,
    headers: HeaderMap,
    Body(new): Body<NewItem>,
) -> Result<(StatusCode, Json<ItemSource>), Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Change).await?;
    signed.require(&EDITORS)?;
    let folder = new
        .folder
        .as_deref()
        .map(|folder| folder.trim_matches('/'))
        .filter(|folder| !folder.is_empty())
        .unwrap_or(wire::default_folder(new.kind));
    for part in folder.split('/').chain([new.slug.as_str()]) {
        if !wire::is_id_part(part) {
            return Err(Refusal::Invalid(format!(
                "„{}“ taugt nicht als Teil der Kennung: erlaubt sind a–z, 0–9, - und _ (höchstens 80 Zeichen, vorn ein Buchstabe oder eine Ziffer)",
                echo(part)
            )));
        }
    }
    let id = format!("{folder}/{}", new.slug);
    let file = file_of(&workspace.content, &id)?;
    let in_store = {
        let id = id.clone();
        state
            .read(move |store| store.content_ids().map(|ids| ids.contains(&id)))
            .await
            .map_err(internal)?
    };
    if in_store || file.exists() {
        return Err(Refusal::Conflict(format!(
            "Den Inhalt „{id}“ gibt es schon; bitte ihn bearbeiten oder einen anderen Namen wählen"
        )));
    }
    let now = workspace.now();
    let source = front_matter::template(new.kind, &new.title, &iso_day(now));
    let (text, _) = compose(None, &source);
    {
        let (id, account) = (id.clone(), signed.account.name.clone());
        workspace
            .db(move |db| {
                if let Some(other) = versions::drafts(db, Some(&id))
                    .map_err(accounts::internal)?
                    .first()
                {
                    return Err(Refusal::Conflict(format!(
                        "„{id}“ ist schon als Entwurf von {} angelegt; bitte einen anderen Namen wählen",
                        other.info.display_name
                    )));
                }
                if !versions::history(db, &id).map_err(accounts::internal)?.is_empty() {
                    return Err(Refusal::Conflict(format!(
                        "„{id}“ wurde früher veröffentlicht und zurückgezogen; bitte im Verlauf wiederherstellen oder einen anderen Namen wählen"
                    )));
                }
                versions::save_draft(db, &id, &account, &text, None, now)
                    .map_err(accounts::internal)?;
                accounts::audit(db, now, &account, "inhalt_angelegt", &id, &address);
                Ok(())
            })
            .await?;
    }
    let source = item_source(&state, &workspace, &signed, &id).await?;
    Ok((StatusCode::CREATED, Json(source)))
}

async fn save_draft(
    State(state): State<AppState>,
    Address(address): Address,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
    Body(save): Body<DraftSave>,
) -> Result<Json<DraftInfo>, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Change).await?;
    signed.require(&EDITORS)?;
    check_source(&save.source)?;
    let file = file_of(&workspace.content, &id)?;
    let current = read_current(&file)?;
    let (text, _) = compose(
        current.as_ref().map(|(text, _)| text.as_str()),
        &save.source,
    );
    let now = workspace.now();
    let account = signed.account.clone();
    let stale = current.map(|(_, version)| version) != save.version;
    workspace
        .db(move |db| {
            versions::save_draft(db, &id, &account.name, &text, save.version.as_deref(), now)
                .map_err(accounts::internal)?;
            accounts::audit(db, now, &account.name, "inhalt_entwurf", &id, &address);
            Ok(Json(DraftInfo {
                account: account.name,
                display_name: account.display_name,
                saved: now,
                base: save.version,
                stale,
            }))
        })
        .await
}

async fn discard_draft(
    State(state): State<AppState>,
    Address(address): Address,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Result<StatusCode, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Change).await?;
    signed.require(&EDITORS)?;
    let now = workspace.now();
    workspace
        .db(move |db| {
            let name = &signed.account.name;
            if !versions::discard_draft(db, &id, name).map_err(accounts::internal)? {
                return Err(Refusal::NotFound(format!(
                    "Sie haben keinen Entwurf von „{}“",
                    echo(&id)
                )));
            }
            accounts::audit(db, now, name, "inhalt_entwurf_verworfen", &id, &address);
            Ok(StatusCode::NO_CONTENT)
        })
        .await
}

/// The file line the body of `text` starts on (as publish counts).
fn first_body_line(text: &str) -> usize {
    match crate::publish::split_front_matter(text) {
        Some((_, body)) => text[..text.len() - body.len()].lines().count() + 1,
        None => 1,
    }
}

/// The form field a problem at file line `line` belongs to: the key on that line of the front
/// matter (a key inside a `[[status]]` entry is the status'), or for a problem of the whole
/// front matter (line 1) the first key the message names.
fn field_at(text: &str, line: Option<usize>, body_starts: usize, message: &str) -> Option<String> {
    let in_front = line.is_some_and(|line| line >= 2 && line < body_starts);
    if in_front {
        let line = line.unwrap_or_default();
        let mut in_status = false;
        let mut found = None;
        for (index, row) in text.lines().enumerate().take(line).skip(1) {
            let row = row.trim();
            if row.starts_with("[[status]]") {
                in_status = true;
            }
            if index + 1 == line {
                let key = row.split('=').next().unwrap_or_default().trim();
                found = if in_status {
                    Some("status")
                } else {
                    wire::field_of_key(key)
                };
            }
        }
        return found.map(str::to_owned);
    }
    if line.is_some_and(|line| line >= body_starts) {
        return None;
    }
    if message.contains("[[status]]") {
        return Some("status".to_owned());
    }
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .find_map(wire::field_of_key)
        .map(str::to_owned)
}

/// What publish would make of `source` as the item `id`: the HTML, the problems, the file.
fn preview_of(
    folder: &Path,
    id: &str,
    base: Option<&str>,
    source: &Source,
    known: &crate::publish::Known<'_>,
) -> Result<Preview, Refusal> {
    let (text, compose_problems) = compose(base, source);
    let file = format!("{id}.md");
    let body_starts = first_body_line(&text);
    std::fs::create_dir_all(folder).map_err(internal)?;
    let handle = crate::content_folder::ContentFolder::open(folder).map_err(internal)?;
    let parsed = crate::publish::parse_item(&handle, Path::new(&file), text.as_bytes(), known);
    let body = crate::publish::split_front_matter(&text).map_or("", |(_, body)| body);
    let (marked, body_problems) = crate::publish::render_preview(&file, body, body_starts, known);
    let (html, mut found) = match parsed {
        Ok(item) => (item.body_html, Vec::new()),
        Err(problems) => (marked, problems),
    };
    for problem in body_problems {
        if !found.contains(&problem) {
            found.push(problem);
        }
    }
    let mut problems = compose_problems;
    for problem in found {
        let field = field_at(&text, problem.line, body_starts, &problem.reason);
        // A field the form already reported (a date that is none) once, in the form's words.
        if field.is_some() && problems.iter().any(|known| known.field == field) {
            continue;
        }
        problems.push(Problem {
            line: problem.line,
            body_line: problem
                .line
                .filter(|line| *line >= body_starts)
                .map(|line| line - body_starts + 1),
            field,
            message: problem.reason,
        });
    }
    problems.sort_by_key(|problem| problem.line.unwrap_or(0));
    Ok(Preview {
        html,
        problems,
        text,
    })
}

async fn preview(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(request): Body<PreviewRequest>,
) -> Result<Json<Preview>, Refusal> {
    // Writes nothing: a read, like GET, so no CSRF token is needed.
    let (workspace, signed) = signed(&state, &headers, Need::Read).await?;
    signed.require(&EDITORS)?;
    check_source(&request.source)?;
    let file = file_of(&workspace.content, &request.id)?;
    let base = read_current(&file)?.map(|(text, _)| text);
    let folder = workspace.content.clone();
    let preview = state
        .read(move |store| {
            let known = crate::publish::Known::of(store)?;
            Ok(preview_of(
                &folder,
                &request.id,
                base.as_deref(),
                &request.source,
                &known,
            ))
        })
        .await
        .map_err(internal)??;
    Ok(Json(preview))
}

/// Why a change under the store's lock did not happen.
enum Held {
    /// The file is no longer the version the editor loaded.
    Stale {
        current: Option<String>,
    },
    /// The form or publish refused it (the message says why).
    Refused(String),
    Other(Refusal),
}

impl From<Refusal> for Held {
    fn from(refusal: Refusal) -> Held {
        Held::Other(refusal)
    }
}

/// What a publish under the lock did.
struct Done {
    revision: Option<u64>,
    old: Option<String>,
    text: Option<String>,
}

/// Refuses to publish from a working copy without Markdown while the store has content: it
/// would withdraw everything published from elsewhere.
fn check_working_copy(store: &fokus_store::Store, folder: &Path) -> Result<(), Refusal> {
    let has_markdown = crate::content_folder::ContentFolder::open(folder)
        .map(|handle| !handle.list().markdown.is_empty())
        .unwrap_or(false);
    let has_content = !store.content_ids().map_err(internal)?.is_empty();
    if has_content && !has_markdown {
        return Err(Refusal::Unprocessable(
            "Der Arbeitsordner des Servers ist leer; bitte den Inhalt einmal mit `fokus-server publish ORDNER` veröffentlichen, dann lässt er sich hier bearbeiten".into(),
        ));
    }
    std::fs::create_dir_all(folder).map_err(internal)?;
    Ok(())
}

/// One file of the working copy changed: what it was and what it becomes (`None`: absent).
struct FileChange<'a> {
    file: &'a Path,
    old: Option<&'a str>,
    new: Option<&'a str>,
}

/// Writes the change (removes the file, for `new` `None`) and publishes the working copy as
/// one revision labelled `label`; a refusal puts the old file back.
fn write_and_publish(
    store: &mut fokus_store::Store,
    blobs: &crate::publish::BlobDir,
    folder: &Path,
    change: FileChange<'_>,
    label: &str,
    now: i64,
) -> Result<Option<u64>, Held> {
    let FileChange { file, old, new } = change;
    let mut created: Vec<PathBuf> = Vec::new();
    match new {
        Some(text) => {
            let mut missing = file.parent();
            while let Some(dir) = missing.filter(|dir| !dir.exists() && dir.starts_with(folder)) {
                created.push(dir.to_owned());
                missing = dir.parent();
            }
            if let Some(dir) = file.parent() {
                std::fs::create_dir_all(dir).map_err(internal)?;
            }
            workfolder::replace_file(file, text.as_bytes()).map_err(internal)?;
        }
        None => std::fs::remove_file(file).map_err(internal)?,
    }
    let put_back = || {
        let restored = match old {
            Some(text) => workfolder::replace_file(file, text.as_bytes()),
            None => std::fs::remove_file(file),
        };
        if let Err(error) = restored {
            tracing::error!(%error, file = %file.display(), "restoring a working copy file");
        }
        for dir in &created {
            let _ = std::fs::remove_dir(dir);
        }
    };
    match crate::publish_dir_labelled(store, blobs, folder, label, now) {
        Ok(Ok(summary)) => Ok(summary.commit.revision),
        Ok(Err(problems)) => {
            put_back();
            Err(Held::Refused(problems.to_string()))
        }
        Err(error) => {
            put_back();
            Err(Held::Other(Refusal::Internal(format!("{error:#}"))))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn publish_locked(
    store: &mut fokus_store::Store,
    blobs: &crate::publish::BlobDir,
    folder: &Path,
    file: &Path,
    source: &Source,
    version: Option<&str>,
    who: &str,
    now: i64,
) -> Result<Done, Held> {
    check_working_copy(store, folder)?;
    let current = read_current(file)?;
    let current_version = current.as_ref().map(|(_, version)| version.as_str());
    if current_version != version {
        return Err(Held::Stale {
            current: current_version.map(str::to_owned),
        });
    }
    let old = current.map(|(text, _)| text);
    let (text, problems) = compose(old.as_deref(), source);
    if !problems.is_empty() {
        let messages: Vec<&str> = problems
            .iter()
            .map(|problem| problem.message.as_str())
            .collect();
        return Err(Held::Refused(messages.join("; ")));
    }
    if old.as_deref() == Some(text.as_str()) {
        return Ok(Done {
            revision: None,
            old,
            text: Some(text),
        });
    }
    let label = format!(
        "Redaktion: „{}“ veröffentlicht ({who})",
        source.fields.title.trim()
    );
    let change = FileChange {
        file,
        old: old.as_deref(),
        new: Some(&text),
    };
    let revision = write_and_publish(store, blobs, folder, change, &label, now)?;
    Ok(Done {
        revision,
        old,
        text: Some(text),
    })
}

/// The 409 for a file that changed since `seen`: who changed it last, as far as the
/// workspace knows.
fn stale_message(history: &[HistoryEntry], current: Option<&str>, kept: bool) -> String {
    let by = match history.first() {
        Some(entry)
            if Some(entry.version.as_str()) == current
                || entry.action == HistoryAction::Zurueckgezogen =>
        {
            let what = match entry.action {
                HistoryAction::Zurueckgezogen => "zurückgezogen",
                _ => "geändert",
            };
            format!(
                "{what} von {} am {}",
                entry.display_name,
                iso_day(entry.time)
            )
        }
        _ => "außerhalb des Arbeitsbereichs geändert (Veröffentlichung eines Inhaltsordners)"
            .to_owned(),
    };
    let kept = if kept {
        " Ihr Text ist nicht verloren: er ist als Ihr Entwurf gespeichert."
    } else {
        ""
    };
    format!(
        "Der Inhalt wurde inzwischen {by}; nichts wurde überschrieben.{kept} Bitte die Seite neu laden und die Änderungen zusammenführen."
    )
}

/// Adds a published edit of `id` (the file `old` became `new` in `revision`) to its history;
/// the first edit the workspace makes also keeps the text before it.
pub(super) fn record_edit(
    db: &super::db::Db,
    id: &str,
    now: i64,
    account: &str,
    revision: u64,
    old: &str,
    new: &str,
) -> Result<(), Refusal> {
    let history = versions::history(db, id).map_err(accounts::internal)?;
    if history.is_empty() && !old.is_empty() {
        versions::add_version(
            db,
            id,
            now,
            "",
            HistoryAction::Ausgangsstand,
            None,
            old,
            "Stand vor der ersten Änderung im Arbeitsbereich",
        )
        .map_err(accounts::internal)?;
    }
    let changes = front_matter::changes((!old.is_empty()).then_some(old), new);
    versions::add_version(
        db,
        id,
        now,
        account,
        HistoryAction::Veroeffentlicht,
        Some(revision),
        new,
        &changes,
    )
    .map_err(accounts::internal)?;
    Ok(())
}

async fn publish(
    State(state): State<AppState>,
    Address(address): Address,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
    Body(request): Body<PublishRequest>,
) -> Result<Json<Published>, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Change).await?;
    signed.require(&EDITORS)?;
    check_source(&request.source)?;
    let file = file_of(&workspace.content, &id)?;
    let blobs = state.blobs.clone().ok_or(Refusal::Off)?;
    let now = workspace.now();
    let outcome = {
        let (folder, file, source, version) = (
            workspace.content.clone(),
            file.clone(),
            request.source.clone(),
            request.version.clone(),
        );
        let who = signed.account.display_name.clone();
        state
            .write(move |store| {
                Ok(publish_locked(
                    store,
                    &blobs,
                    &folder,
                    &file,
                    &source,
                    version.as_deref(),
                    &who,
                    now,
                ))
            })
            .await
            .map_err(internal)?
    };
    let account = signed.account.name.clone();
    match outcome {
        Ok(done) => {
            if let Some(revision) = done.revision {
                state.revision.send_replace(revision);
            }
            let text = done.text.unwrap_or_default();
            let version = crate::publish::hex_sha256(text.as_bytes());
            let revision = done.revision;
            {
                let id = id.clone();
                workspace
                    .db(move |db| {
                        if let Some(revision) = revision {
                            let old = done.old.as_deref().unwrap_or_default();
                            record_edit(db, &id, now, &account, revision, old, &text)?;
                        }
                        versions::discard_draft(db, &id, &account).map_err(accounts::internal)?;
                        let detail = match revision {
                            Some(revision) => format!("{id} (Revision {revision})"),
                            None => format!("{id} (unverändert)"),
                        };
                        accounts::audit(
                            db,
                            now,
                            &account,
                            "inhalt_veroeffentlicht",
                            &detail,
                            &address,
                        );
                        Ok(())
                    })
                    .await?;
            }
            Ok(Json(Published {
                id,
                revision,
                version: Some(version),
            }))
        }
        Err(held) => {
            // Nothing was written to the published content; the editor's text is kept.
            let (base, source) = (request.version.clone(), request.source);
            let current_text = read_current(&file)?.map(|(text, _)| text);
            let (text, _) = compose(current_text.as_deref(), &source);
            let id_for_db = id.clone();
            let history = workspace
                .db(move |db| {
                    versions::save_draft(db, &id_for_db, &account, &text, base.as_deref(), now)
                        .map_err(accounts::internal)?;
                    let detail = format!("{id_for_db} (abgelehnt, als Entwurf gespeichert)");
                    accounts::audit(
                        db,
                        now,
                        &account,
                        "inhalt_veroeffentlichen_abgelehnt",
                        &detail,
                        &address,
                    );
                    versions::history(db, &id_for_db).map_err(accounts::internal)
                })
                .await?;
            Err(match held {
                Held::Stale { current } => {
                    Refusal::Conflict(stale_message(&history, current.as_deref(), true))
                }
                Held::Refused(message) => Refusal::Unprocessable(format!(
                    "{}\nIhr Text ist als Entwurf gespeichert.",
                    message.trim_end()
                )),
                Held::Other(refusal) => refusal,
            })
        }
    }
}

async fn withdraw(
    State(state): State<AppState>,
    Address(address): Address,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
    Body(request): Body<WithdrawRequest>,
) -> Result<Json<Published>, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Change).await?;
    signed.require(&EDITORS)?;
    let file = file_of(&workspace.content, &id)?;
    let blobs = state.blobs.clone().ok_or(Refusal::Off)?;
    let now = workspace.now();
    let outcome = {
        let (folder, file, id) = (workspace.content.clone(), file.clone(), id.clone());
        let who = signed.account.display_name.clone();
        state
            .write(move |store| {
                Ok((|| {
                    check_working_copy(store, &folder)?;
                    let Some((old, version)) = read_current(&file)? else {
                        return Err(Held::Other(Refusal::NotFound(format!(
                            "„{}“ ist nicht veröffentlicht",
                            echo(&id)
                        ))));
                    };
                    if version != request.version {
                        return Err(Held::Stale {
                            current: Some(version),
                        });
                    }
                    let title = source_of(&old)
                        .map(|source| source.fields.title)
                        .unwrap_or_else(|_| id.clone());
                    let label = format!("Redaktion: „{title}“ zurückgezogen ({who})");
                    let change = FileChange {
                        file: &file,
                        old: Some(&old),
                        new: None,
                    };
                    let revision = write_and_publish(store, &blobs, &folder, change, &label, now)?;
                    Ok(Done {
                        revision,
                        old: Some(old),
                        text: None,
                    })
                })())
            })
            .await
            .map_err(internal)?
    };
    let account = signed.account.name.clone();
    match outcome {
        Ok(done) => {
            if let Some(revision) = done.revision {
                state.revision.send_replace(revision);
            }
            let revision = done.revision;
            let id_for_db = id.clone();
            workspace
                .db(move |db| {
                    let old = done.old.unwrap_or_default();
                    versions::add_version(
                        db,
                        &id_for_db,
                        now,
                        &account,
                        HistoryAction::Zurueckgezogen,
                        revision,
                        &old,
                        "zurückgezogen",
                    )
                    .map_err(accounts::internal)?;
                    let detail = format!("{id_for_db} (Revision {})", revision.unwrap_or_default());
                    accounts::audit(
                        db,
                        now,
                        &account,
                        "inhalt_zurueckgezogen",
                        &detail,
                        &address,
                    );
                    Ok(())
                })
                .await?;
            Ok(Json(Published {
                id,
                revision,
                version: None,
            }))
        }
        Err(Held::Stale { current }) => {
            let history = workspace
                .db(move |db| versions::history(db, &id).map_err(accounts::internal))
                .await?;
            Err(Refusal::Conflict(stale_message(
                &history,
                current.as_deref(),
                false,
            )))
        }
        Err(Held::Refused(message)) => Err(Refusal::Unprocessable(message)),
        Err(Held::Other(refusal)) => Err(refusal),
    }
}

async fn history(
    State(state): State<AppState>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<Vec<HistoryEntry>>, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Read).await?;
    signed.require(&EDITORS)?;
    file_of(&workspace.content, &id)?;
    let entries = workspace
        .db(move |db| versions::history(db, &id).map_err(accounts::internal))
        .await?;
    Ok(Json(entries))
}

async fn version(
    State(state): State<AppState>,
    headers: HeaderMap,
    seq: Result<UrlPath<i64>, axum::extract::rejection::PathRejection>,
) -> Result<Json<HistoryVersion>, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Read).await?;
    let UrlPath(seq) = seq.map_err(|_| Refusal::Invalid("Die Fassung ist keine Zahl".into()))?;
    signed.require(&EDITORS)?;
    let found = workspace
        .db(move |db| versions::version(db, seq).map_err(accounts::internal))
        .await?;
    let (entry, text) = found.ok_or_else(|| Refusal::NotFound(format!("Keine Fassung {seq}")))?;
    Ok(Json(HistoryVersion { entry, text }))
}

async fn restore(
    State(state): State<AppState>,
    Address(address): Address,
    headers: HeaderMap,
    seq: Result<UrlPath<i64>, axum::extract::rejection::PathRejection>,
) -> Result<Json<ItemSource>, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Change).await?;
    let UrlPath(seq) = seq.map_err(|_| Refusal::Invalid("Die Fassung ist keine Zahl".into()))?;
    signed.require(&EDITORS)?;
    let found = workspace
        .db(move |db| versions::version(db, seq).map_err(accounts::internal))
        .await?;
    let (entry, text) = found.ok_or_else(|| Refusal::NotFound(format!("Keine Fassung {seq}")))?;
    let file = file_of(&workspace.content, &entry.id)?;
    let base = read_current(&file)?.map(|(_, version)| version);
    let now = workspace.now();
    {
        let (id, account) = (entry.id.clone(), signed.account.name.clone());
        workspace
            .db(move |db| {
                versions::save_draft(db, &id, &account, &text, base.as_deref(), now)
                    .map_err(accounts::internal)?;
                let detail = format!("{id} (Fassung {seq} als Entwurf)");
                accounts::audit(
                    db,
                    now,
                    &account,
                    "inhalt_wiederhergestellt",
                    &detail,
                    &address,
                );
                Ok(())
            })
            .await?;
    }
    Ok(Json(
        item_source(&state, &workspace, &signed, &entry.id).await?,
    ))
}

#[derive(Deserialize)]
struct UploadQuery {
    item: String,
    name: String,
}

/// A refusal of an upload too large for the workspace: 413.
fn too_large(limit: u64) -> Response {
    let message = format!(
        "Die Datei ist größer als {}; nichts wurde gespeichert. Bitte eine kleinere Fassung hochladen (Video z. B. mit geringerer Auflösung).",
        human_bytes(limit)
    );
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        Json(ApiError::new(ErrorCode::BadRequest, message)),
    )
        .into_response()
}

fn human_bytes(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= 1024 * MIB && bytes.is_multiple_of(1024 * MIB) {
        format!("{} GiB", bytes / (1024 * MIB))
    } else if bytes >= MIB {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} Bytes")
    }
}

/// Whether the first bytes of a file are what its type says: a type is trusted by its content,
/// not its name, so a page with script named `bericht.pdf` is refused. Office files are ZIP
/// archives; CSV and WebVTT are text.
pub fn sniff(kind: &MediaType, head: &[u8]) -> Result<(), String> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    let text_like = || {
        let text = String::from_utf8_lossy(head).to_ascii_lowercase();
        let text = text.trim_start_matches('\u{feff}').trim_start();
        !head.contains(&0)
            && !text.starts_with('<')
            && ![
                "<script",
                "<html",
                "<!doctype",
                "<iframe",
                "<svg",
                "javascript:",
            ]
            .iter()
            .any(|marker| text.contains(marker))
    };
    let fits = match kind.mime {
        "application/pdf" => starts(b"%PDF-"),
        "video/webm" => starts(&[0x1a, 0x45, 0xdf, 0xa3]),
        "video/mp4" => head.get(4..8) == Some(b"ftyp"),
        "text/vtt" => (starts(b"WEBVTT") || starts("\u{feff}WEBVTT".as_bytes())) && text_like(),
        "text/csv" => text_like(),
        "image/png" => starts(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => starts(&[0xff, 0xd8, 0xff]),
        mime if mime.starts_with("application/vnd.") => starts(b"PK\x03\x04"),
        _ => false,
    };
    if fits {
        Ok(())
    } else {
        Err(format!(
            "Der Inhalt der Datei ist kein {}, auch wenn der Name auf .{} endet; nichts wurde gespeichert",
            kind_label(kind),
            kind.extension()
        ))
    }
}

fn kind_label(kind: &MediaType) -> &'static str {
    match kind.mime {
        "application/pdf" => "PDF",
        "video/webm" => "WebM-Video",
        "video/mp4" => "MP4-Video",
        "text/vtt" => "WebVTT-Untertitel",
        "text/csv" => "CSV-Text",
        "image/png" => "PNG-Bild",
        "image/jpeg" => "JPEG-Bild",
        _ => "Office-Dokument",
    }
}

/// How many bytes of a file decide its type.
const SNIFF_BYTES: usize = 1024;

async fn upload(
    State(state): State<AppState>,
    Address(address): Address,
    headers: HeaderMap,
    Query(query): Query<UploadQuery>,
    request: axum::extract::Request,
) -> Response {
    match upload_checked(state, address, headers, query, request).await {
        Ok(answer) => answer,
        Err(answer) => answer,
    }
}

async fn upload_checked(
    state: AppState,
    address: String,
    headers: HeaderMap,
    query: UploadQuery,
    request: axum::extract::Request,
) -> Result<Response, Response> {
    let refused = |refusal: Refusal| refusal.into_response();
    let (workspace, signed) = signed(&state, &headers, Need::Change)
        .await
        .map_err(refused)?;
    signed.require(&EDITORS).map_err(refused)?;
    let limit = workspace.media_max;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    // Before a byte is read: a 2 GB upload is answered at once.
    if declared.is_some_and(|length| length > limit) {
        return Err(too_large(limit));
    }
    let item_file = file_of(&workspace.content, &query.item).map_err(refused)?;
    let name = query.name.trim();
    let plain_name = visible_name(name) == name
        && !name.is_empty()
        && name.chars().count() <= 120
        && !name.starts_with('.')
        && !name.contains(['/', '\\', ':']);
    if !plain_name {
        return Err(refused(Refusal::Invalid(format!(
            "„{}“ taugt nicht als Dateiname: ohne Pfad, Steuerzeichen und führenden Punkt, höchstens 120 Zeichen",
            echo(name)
        ))));
    }
    let extension = name.rsplit_once('.').map_or("", |(_, extension)| extension);
    let Some(kind) = media_type_by_extension(extension) else {
        return Err(refused(Refusal::Unprocessable(format!(
            "„{}“: Dateityp nicht erlaubt; erlaubt: {}",
            echo(name),
            fokus_model::content::allowed_extensions()
        ))));
    };
    let dir = item_file
        .parent()
        .map(Path::to_owned)
        .unwrap_or_else(|| workspace.content.clone());
    std::fs::create_dir_all(&dir).map_err(|error| refused(internal(error)))?;
    let target = dir.join(name);
    let mut temporary = tempfile::Builder::new()
        .prefix(".hochladen-")
        .tempfile_in(&dir)
        .map_err(|error| refused(internal(error)))?;
    let mut stream = request.into_body().into_data_stream();
    let mut size: u64 = 0;
    let mut head: Vec<u8> = Vec::with_capacity(SNIFF_BYTES);
    let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| {
            refused(Refusal::Invalid(
                "Die Datei kam nicht vollständig an; bitte erneut hochladen".into(),
            ))
        })?;
        size += chunk.len() as u64;
        if size > limit {
            return Err(too_large(limit));
        }
        if head.len() < SNIFF_BYTES {
            let take = (SNIFF_BYTES - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
        }
        sha2::Digest::update(&mut hasher, &chunk);
        std::io::Write::write_all(&mut temporary, &chunk)
            .map_err(|error| refused(internal(error)))?;
    }
    if size == 0 {
        return Err(refused(Refusal::Invalid("Die Datei ist leer".into())));
    }
    sniff(kind, &head).map_err(|reason| refused(Refusal::Unprocessable(reason)))?;
    let sha256: String = sha2::Digest::finalize(hasher)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let relative = target
        .strip_prefix(&workspace.content)
        .unwrap_or(&target)
        .to_string_lossy()
        .replace('\\', "/");
    match std::fs::read(&target) {
        Ok(existing) if crate::publish::hex_sha256(&existing) == sha256 => {}
        Ok(_) => {
            return Err(refused(Refusal::Conflict(format!(
                "Eine andere Datei „{}“ gibt es dort schon; bitte einen anderen Namen wählen (eine veröffentlichte Datei wird nicht ersetzt)",
                echo(name)
            ))))
        }
        Err(_) => {
            temporary
                .as_file()
                .sync_all()
                .map_err(|error| refused(internal(error)))?;
            temporary
                .persist_noclobber(&target)
                .map_err(|error| refused(internal(error.error)))?;
        }
    }
    let now = workspace.now();
    {
        let (account, detail) = (
            signed.account.name.clone(),
            format!("{relative} ({size} Bytes, {})", kind.mime),
        );
        workspace
            .db(move |db| {
                accounts::audit(db, now, &account, "medium_hochgeladen", &detail, &address);
                Ok(())
            })
            .await
            .map_err(refused)?;
    }
    Ok((
        StatusCode::CREATED,
        Json(MediaUploaded {
            name: name.to_owned(),
            path: relative,
            mime: kind.mime.to_owned(),
            sha256,
            size,
        }),
    )
        .into_response())
}

async fn export(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Read).await?;
    signed.require(&EDITORS)?;
    let folder = workspace.content.clone();
    let file = tokio::task::spawn_blocking(move || -> anyhow::Result<std::fs::File> {
        let mut file = tempfile::tempfile()?;
        workfolder::export_tar(&folder, &mut file)?;
        std::io::Seek::rewind(&mut file)?;
        Ok(file)
    })
    .await
    .map_err(internal)?
    .map_err(|error| Refusal::Internal(format!("{error:#}")))?;
    let file = tokio::fs::File::from_std(file);
    let stream = futures_util::stream::unfold(file, |mut file| async move {
        let mut buffer = vec![0u8; 64 * 1024];
        match tokio::io::AsyncReadExt::read(&mut file, &mut buffer).await {
            Ok(0) => None,
            Ok(read) => {
                buffer.truncate(read);
                Some((
                    Ok::<_, std::io::Error>(axum::body::Bytes::from(buffer)),
                    file,
                ))
            }
            Err(error) => Some((Err(error), file)),
        }
    });
    let name = format!("inhalt-{}.tar", iso_day(workspace.now()));
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-tar".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        // Fused: the compression layer may poll again after the end, which `unfold` forbids.
        axum::body::Body::from_stream(futures_util::StreamExt::fuse(stream)),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_a_media_type_not_the_name() {
        let pdf = media_type_by_extension("pdf").unwrap();
        assert!(sniff(pdf, b"%PDF-1.7\n...").is_ok());
        let refused = sniff(pdf, b"<html><script>alert(1)</script>").unwrap_err();
        assert!(refused.contains("kein PDF"), "{refused}");
        let csv = media_type_by_extension("csv").unwrap();
        assert!(sniff(csv, "kennzahl;gebiet\nquote;kreis\n".as_bytes()).is_ok());
        assert!(sniff(csv, b"  <script>alert(1)</script>").is_err());
        assert!(sniff(csv, b"a;b\n\0\0").is_err());
        let vtt = media_type_by_extension("vtt").unwrap();
        assert!(sniff(vtt, b"WEBVTT\n\n00:00.000 --> 00:01.000\nHallo").is_ok());
        assert!(sniff(media_type_by_extension("docx").unwrap(), b"PK\x03\x04rest").is_ok());
        assert!(sniff(media_type_by_extension("png").unwrap(), b"GIF89a").is_err());
        assert!(sniff(
            media_type_by_extension("mp4").unwrap(),
            b"\0\0\0\x18ftypmp42"
        )
        .is_ok());
    }

    #[test]
    fn problems_are_placed_at_their_field() {
        let text = "+++\nart = \"empfehlung\"\ntitel = \"T\"\njahr = 2024\n\n[[status]]\ndatum = 2024-01-01\nstand = \"x\"\n+++\nText\n";
        let body = first_body_line(text);
        assert_eq!(body, 10);
        assert_eq!(field_at(text, Some(4), body, "").as_deref(), Some("year"));
        assert_eq!(field_at(text, Some(8), body, "").as_deref(), Some("status"));
        assert_eq!(field_at(text, Some(10), body, "`jahr`").as_deref(), None);
        assert_eq!(
            field_at(text, Some(1), body, "`handlungsfeld` fehlt").as_deref(),
            Some("handlungsfeld")
        );
        assert_eq!(human_bytes(1024 * 1024 * 1024), "1 GiB");
        assert_eq!(human_bytes(5 * 1024 * 1024), "5 MiB");
    }
}
