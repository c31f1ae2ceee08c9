//! The Redaktion workspace's API (`/api/v1/redaktion`): accounts with roles, sessions in
//! cookies with CSRF tokens, the Beschlusskontrolle as the responsible office keeps it, and
//! the audit log. Its pages are the web build's `/redaktion` routes (`src-ui`), served like the
//! app's. Accounts, sessions and the log live in their own database beside the published one
//! (`db.rs`); content changes are written into the working copy of the content folder and
//! published from there (`workfolder.rs`), so each is one revision through `publish`'s checks.
//! Imports of data are previewed, taken over and taken back in `daten.rs`.

pub mod accounts;
pub mod daten;
pub mod db;
pub mod inhalte;
pub mod workfolder;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::extract::{FromRequestParts, Path as UrlPath, Query, State};
use axum::http::{header, request::Parts, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use fokus_model::api::{ApiError, ErrorCode};
use fokus_model::content::{
    is_invisible, ContentDetails, ContentItem, ContentKind, RecommendationStatus, StatusChange,
};
use fokus_model::redaktion::{
    self as wire, AccountLock, Login, NewAccount, OneTimePassword, PasswordChange, Role,
    StatusUpdate, Task, CSRF_HEADER, SESSION_COOKIE,
};
use serde::Deserialize;

use accounts::{Attempt, Policy, Refusal, Signed};
use db::Db;

use crate::AppState;

/// The workspace: its database, the working copy of the content folder, the clock and the
/// session policy.
#[derive(Clone)]
pub struct Workspace {
    db: Arc<Mutex<Db>>,
    content: PathBuf,
    clock: Arc<dyn Fn() -> i64 + Send + Sync>,
    policy: Policy,
    /// Uploaded files shown as a preview, until taken over or expired (`daten.rs`).
    previews: Arc<Mutex<daten::Previews>>,
    /// The largest media file an upload may bring (`inhalte::MEDIA_MAX_BYTES`).
    media_max: u64,
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Workspace")
            .field("content", &self.content)
            .finish_non_exhaustive()
    }
}

/// Where the workspace database lives inside `--data-dir`.
pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("redaktion.sqlite3")
}

fn system_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

impl Workspace {
    /// The workspace of the data folder `data_dir`.
    pub fn open(data_dir: &Path) -> anyhow::Result<Workspace> {
        Ok(Workspace::with(
            Db::open(&database_path(data_dir))?,
            workfolder::path(data_dir),
        ))
    }

    pub fn with(db: Db, content: PathBuf) -> Workspace {
        Workspace {
            db: Arc::new(Mutex::new(db)),
            content,
            clock: Arc::new(system_now),
            policy: Policy::default(),
            previews: Arc::default(),
            media_max: inhalte::MEDIA_MAX_BYTES,
        }
    }

    /// Replaces the clock (tests of expiry and lockout).
    pub fn with_clock(mut self, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Workspace {
        self.clock = Arc::new(clock);
        self
    }

    pub fn with_policy(mut self, policy: Policy) -> Workspace {
        self.policy = policy;
        self
    }

    /// Caps the size of a media upload (tests, or a server with little disk).
    pub fn with_media_limit(mut self, bytes: u64) -> Workspace {
        self.media_max = bytes;
        self
    }

    pub fn content_folder(&self) -> &Path {
        &self.content
    }

    fn now(&self) -> i64 {
        (self.clock)()
    }

    /// Runs `work` on the database on the blocking pool.
    async fn db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Db) -> Result<T, Refusal> + Send + 'static,
    ) -> Result<T, Refusal> {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || {
            let db = db.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            work(&db)
        })
        .await
        .map_err(|error| Refusal::Internal(error.to_string()))?
    }

    /// Adds an account from the command line (`fokus-server user add`); returns its one-time
    /// password.
    pub fn add_account_now(&self, new: &NewAccount, by: &str) -> Result<String, Refusal> {
        let db = self
            .db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = self.now();
        let password = accounts::add_account(&db, new, now)?;
        accounts::audit(
            &db,
            now,
            by,
            "konto_angelegt",
            &account_detail(new),
            "Kommandozeile",
        );
        Ok(password)
    }

    /// Sets a one-time password from the command line (`fokus-server user reset`).
    pub fn reset_password_now(&self, name: &str, by: &str) -> Result<String, Refusal> {
        let db = self
            .db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let password = accounts::one_time_password();
        let changed = db
            .set_password(name, &accounts::hash_password(&password), true)
            .map_err(accounts::internal)?;
        if !changed {
            return Err(Refusal::NotFound(format!("Kein Konto „{name}“")));
        }
        accounts::audit(
            &db,
            self.now(),
            by,
            "passwort_zurueckgesetzt",
            name,
            "Kommandozeile",
        );
        Ok(password)
    }

    /// Every account (`fokus-server user list`).
    pub fn accounts_now(&self) -> anyhow::Result<Vec<wire::Account>> {
        let db = self
            .db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(db.accounts()?)
    }

    /// A consistent copy of the workspace database at `out` (for `backup`).
    pub fn backup_to(&self, out: &Path) -> anyhow::Result<()> {
        let db = self
            .db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        db.backup_to(out)?;
        Ok(())
    }
}

fn account_detail(new: &NewAccount) -> String {
    let roles: Vec<&str> = new.roles.iter().map(|role| role.as_str()).collect();
    let mut detail = format!("{} ({})", new.name, roles.join(", "));
    if !new.office.is_empty() {
        detail.push_str(&format!(", {}", new.office));
    }
    detail
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            Refusal::WrongCredentials | Refusal::NoSession => {
                (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized)
            }
            Refusal::Throttled { .. } | Refusal::AddressThrottled { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts)
            }
            Refusal::Locked
            | Refusal::Csrf
            | Refusal::MustChangePassword
            | Refusal::Forbidden(_) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            Refusal::Invalid(_) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            Refusal::Conflict(_) => (StatusCode::CONFLICT, ErrorCode::Conflict),
            Refusal::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            Refusal::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::BadRequest),
            Refusal::TooSlow(_) => (StatusCode::REQUEST_TIMEOUT, ErrorCode::BadRequest),
            Refusal::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::BadRequest),
            Refusal::Internal(detail) => {
                tracing::error!(%detail, "Redaktion");
                (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal)
            }
            Refusal::Off => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::NotConfigured),
        };
        let retry_after = match &self {
            Refusal::Throttled { retry_after, .. }
            | Refusal::AddressThrottled { retry_after, .. } => Some(*retry_after),
            _ => None,
        };
        let message = match &self {
            Refusal::Internal(_) => {
                "Interner Fehler des Servers; bitte später erneut versuchen".to_owned()
            }
            other => other.to_string(),
        };
        let mut response = (status, Json(ApiError::new(code, message))).into_response();
        if let Some(seconds) = retry_after {
            if let Ok(value) = header::HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// The client's address as the server saw it (the connection's peer; behind a proxy on this
/// machine, the last address it forwarded).
pub struct Address(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Address {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Address, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit(',').next())
            .map(|value| value.trim().chars().take(64).collect::<String>());
        let address = match (peer, forwarded) {
            (Some(peer), Some(forwarded)) if peer.is_loopback() && !forwarded.is_empty() => {
                forwarded
            }
            (Some(peer), _) => peer.to_string(),
            (None, _) => "unbekannt".to_owned(),
        };
        Ok(Address(address))
    }
}

fn workspace(state: &AppState) -> Result<Workspace, Refusal> {
    state.redaktion.clone().ok_or(Refusal::Off)
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// What a request may do before choosing its own password.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Reading, allowed with a one-time password too (the session itself).
    Look,
    /// Changing, with the CSRF token; allowed with a one-time password (choosing a password,
    /// signing out).
    ChangeOwn,
    /// Reading the workspace's data.
    Read,
    /// Changing anything else.
    Change,
}

/// The session of the request's cookie, checked for what the request needs.
async fn signed(
    state: &AppState,
    headers: &HeaderMap,
    need: Need,
) -> Result<(Workspace, Signed), Refusal> {
    let workspace = workspace(state)?;
    let token = cookie_token(headers).ok_or(Refusal::NoSession)?;
    let now = workspace.now();
    let policy = workspace.policy;
    let signed = workspace
        .db(move |db| accounts::session(db, &policy, &token, now))
        .await?;
    if matches!(need, Need::ChangeOwn | Need::Change) {
        let given = headers
            .get(CSRF_HEADER)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        if !accounts::csrf_matches(given, &signed.csrf) {
            return Err(Refusal::Csrf);
        }
    }
    if signed.account.must_change_password && matches!(need, Need::Read | Need::Change) {
        return Err(Refusal::MustChangePassword);
    }
    Ok((workspace, signed))
}

fn session_cookie(token: &str, max_age: i64) -> header::HeaderValue {
    header::HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={max_age}"
    ))
    .expect("a base64url token is a valid header value")
}

/// The workspace's routes, to be merged into the API router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(wire::LOGIN, post(login))
        .route(wire::LOGOUT, post(logout))
        .route(wire::SESSION, get(session))
        .route(wire::PASSWORD, post(change_password))
        .route(wire::ACCOUNTS, get(list_accounts).post(create_account))
        .route(wire::ACCOUNT_RESET, post(reset_password))
        .route(wire::ACCOUNT_LOCK, post(lock_account))
        .route(wire::TASKS, get(tasks))
        .route(wire::TASK_STATUS, post(set_status))
        .route(wire::AUDIT, get(audit_log))
        .merge(daten::routes())
        .merge(inhalte::routes())
        .layer(axum::middleware::from_fn(no_store))
}

/// Nothing of the workspace is cached anywhere: it is personal and changes.
async fn no_store(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut response = next.run(request).await;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// A query string's parameters, or the workspace's 400 naming what is wrong with them. Taken
/// as `Result` by handlers (after the session is checked), so a caller without a session hears
/// 401 whatever the query.
pub fn params<T>(
    query: Result<Query<T>, axum::extract::rejection::QueryRejection>,
) -> Result<T, Refusal> {
    query.map(|Query(params)| params).map_err(|rejection| {
        Refusal::Invalid(fokus_model::text::echo_quoted(&rejection.body_text()))
    })
}

/// A JSON body, or the workspace's 400 naming what is wrong with it.
pub struct Body<T>(T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = Refusal;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Body<T>, Refusal> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(Refusal::Invalid(fokus_model::text::echo_quoted(
                &rejection.body_text(),
            ))),
        }
    }
}

async fn login(
    State(state): State<AppState>,
    Address(address): Address,
    Body(login): Body<Login>,
) -> Result<Response, Refusal> {
    let workspace = workspace(&state)?;
    let now = workspace.now();
    let policy = workspace.policy;
    let name: String = login.name.trim().to_lowercase().chars().take(64).collect();
    if login.password.chars().count() > wire::PASSWORD_MAX_CHARS {
        return Err(Refusal::WrongCredentials);
    }
    let attempt = {
        let (name, address) = (name.clone(), address.clone());
        workspace
            .db(move |db| Ok(accounts::begin_login(db, &policy, &name, &address, now)))
            .await?
    };
    let hash = match attempt {
        Attempt::Check { hash, .. } => hash,
        Attempt::Refused(refusal) => return Err(refusal),
    };
    // The hash is checked outside the lock: it takes a while on purpose.
    let password = login.password;
    let matched = tokio::task::spawn_blocking(move || accounts::verify_password(&password, &hash))
        .await
        .map_err(|error| Refusal::Internal(error.to_string()))?;
    let (token, info) = workspace
        .db(move |db| accounts::finish_login(db, &policy, &name, &address, matched, now))
        .await?;
    let mut response = Json(info).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&token, policy.session_max),
    );
    Ok(response)
}

async fn logout(
    State(state): State<AppState>,
    Address(address): Address,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::ChangeOwn).await?;
    let now = workspace.now();
    workspace
        .db(move |db| {
            db.end_session(&signed.token_hash)
                .map_err(accounts::internal)?;
            accounts::audit(db, now, &signed.account.name, "abmeldung", "", &address);
            Ok(())
        })
        .await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie("", 0));
    Ok(response)
}

async fn session(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<wire::SessionInfo>, Refusal> {
    let (_, signed) = signed(&state, &headers, Need::Look).await?;
    Ok(Json(signed.info()))
}

async fn change_password(
    State(state): State<AppState>,
    Address(address): Address,
    headers: HeaderMap,
    Body(change): Body<PasswordChange>,
) -> Result<Json<wire::SessionInfo>, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::ChangeOwn).await?;
    let name = signed.account.name.clone();
    accounts::check_new_password(&name, &change.new)?;
    if change.new == change.current {
        return Err(Refusal::Invalid(
            "Das neue Passwort muss sich vom bisherigen unterscheiden".into(),
        ));
    }
    let hash = {
        let name = name.clone();
        workspace
            .db(move |db| {
                db.account(&name)
                    .map_err(accounts::internal)?
                    .map(|row| row.password_hash)
                    .ok_or(Refusal::NoSession)
            })
            .await?
    };
    let (current, new) = (change.current, change.new);
    let new_hash = tokio::task::spawn_blocking(move || {
        accounts::verify_password(&current, &hash).then(|| accounts::hash_password(&new))
    })
    .await
    .map_err(|error| Refusal::Internal(error.to_string()))?
    .ok_or_else(|| Refusal::Invalid("Das bisherige Passwort ist falsch".into()))?;
    let now = workspace.now();
    let keep = signed.token_hash.clone();
    workspace
        .db(move |db| {
            db.set_own_password(&name, &new_hash, &keep)
                .map_err(accounts::internal)?;
            accounts::audit(db, now, &name, "passwort_geaendert", "", &address);
            Ok(())
        })
        .await?;
    let mut info = signed.info();
    info.account.must_change_password = false;
    Ok(Json(info))
}

async fn list_accounts(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Vec<wire::Account>>, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Read).await?;
    signed.require(&[Role::Admin])?;
    let list = workspace
        .db(|db| db.accounts().map_err(accounts::internal))
        .await?;
    Ok(Json(list))
}

async fn create_account(
    State(state): State<AppState>,
    Address(address): Address,
    headers: HeaderMap,
    Body(new): Body<NewAccount>,
) -> Result<(StatusCode, Json<OneTimePassword>), Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Change).await?;
    signed.require(&[Role::Admin])?;
    let now = workspace.now();
    let password = workspace
        .db(move |db| {
            let password = accounts::add_account(db, &new, now)?;
            accounts::audit(
                db,
                now,
                &signed.account.name,
                "konto_angelegt",
                &account_detail(&new),
                &address,
            );
            Ok(OneTimePassword {
                name: new.name,
                password,
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(password)))
}

async fn reset_password(
    State(state): State<AppState>,
    Address(address): Address,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
) -> Result<Json<OneTimePassword>, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Change).await?;
    signed.require(&[Role::Admin])?;
    if name == signed.account.name {
        return Err(Refusal::Invalid(
            "Das eigene Passwort bitte unter „Eigenes Passwort ändern“ wechseln".into(),
        ));
    }
    let now = workspace.now();
    let password = accounts::one_time_password();
    let hash = {
        let password = password.clone();
        tokio::task::spawn_blocking(move || accounts::hash_password(&password))
            .await
            .map_err(|error| Refusal::Internal(error.to_string()))?
    };
    workspace
        .db(move |db| {
            if !db
                .set_password(&name, &hash, true)
                .map_err(accounts::internal)?
            {
                return Err(Refusal::NotFound(format!(
                    "Kein Konto „{}“",
                    fokus_model::text::echo(&name)
                )));
            }
            accounts::audit(
                db,
                now,
                &signed.account.name,
                "passwort_zurueckgesetzt",
                &name,
                &address,
            );
            Ok(OneTimePassword { name, password })
        })
        .await
        .map(Json)
}

async fn lock_account(
    State(state): State<AppState>,
    Address(address): Address,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
    Body(lock): Body<AccountLock>,
) -> Result<StatusCode, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Change).await?;
    signed.require(&[Role::Admin])?;
    if name == signed.account.name && lock.locked {
        return Err(Refusal::Invalid(
            "Das eigene Konto kann man nicht sperren".into(),
        ));
    }
    let now = workspace.now();
    workspace
        .db(move |db| {
            if !db
                .set_locked(&name, lock.locked)
                .map_err(accounts::internal)?
            {
                return Err(Refusal::NotFound(format!(
                    "Kein Konto „{}“",
                    fokus_model::text::echo(&name)
                )));
            }
            let action = if lock.locked {
                "konto_gesperrt"
            } else {
                "konto_entsperrt"
            };
            accounts::audit(db, now, &signed.account.name, action, &name, &address);
            Ok(StatusCode::NO_CONTENT)
        })
        .await
}

#[derive(Deserialize)]
struct AuditQuery {
    limit: Option<u32>,
}

async fn audit_log(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<wire::AuditEntry>>, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Read).await?;
    let query = params(query)?;
    signed.require(&[Role::Admin])?;
    let limit = query.limit.unwrap_or(200).clamp(1, 5000);
    let log = workspace
        .db(move |db| db.audit_log(limit).map_err(accounts::internal))
        .await?;
    Ok(Json(log))
}

/// Today's date (UTC) as an ISO date.
pub fn iso_day(unix: i64) -> String {
    // Howard Hinnant's days-to-civil.
    let days = unix.div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A recommendation as the workspace's task; `None` for other kinds.
pub fn task_of(item: &ContentItem, today: &str) -> Option<Task> {
    let ContentDetails::Empfehlung {
        handlungsfeld,
        history,
        office,
        deadline,
        ..
    } = &item.details
    else {
        return None;
    };
    let open = matches!(
        history.last().map(|change| change.status),
        None | Some(RecommendationStatus::Offen | RecommendationStatus::InUmsetzung)
    );
    Some(Task {
        id: item.id.clone(),
        title: item.title.clone(),
        handlungsfeld: handlungsfeld.clone(),
        office: office.clone(),
        deadline: deadline.clone(),
        history: history.clone(),
        overdue: open && deadline.as_deref().is_some_and(|deadline| deadline < today),
    })
}

/// Whether `signed` may change the status of `task`.
fn may_change(signed: &Signed, task: &Task) -> bool {
    signed.account.has(Role::Admin)
        || signed.account.has(Role::Redaktion)
        || (signed.account.has(Role::Fachdienst)
            && wire::is_responsible(&signed.account.office, &task.office))
}

/// The order an office works through them (as the app's Beschlusskontrolle): overdue first,
/// then open, in progress, deferred and done, each by deadline (none last), then by title.
fn sort_tasks(tasks: &mut [Task]) {
    let rank = |task: &Task| match task.status() {
        None | Some(RecommendationStatus::Offen) => 0,
        Some(RecommendationStatus::InUmsetzung) => 1,
        Some(RecommendationStatus::Zurueckgestellt) => 2,
        Some(RecommendationStatus::Umgesetzt) => 3,
    };
    tasks.sort_by(|a, b| {
        (
            !a.overdue,
            rank(a),
            a.deadline.is_none(),
            &a.deadline,
            &a.title,
        )
            .cmp(&(
                !b.overdue,
                rank(b),
                b.deadline.is_none(),
                &b.deadline,
                &b.title,
            ))
    });
}

async fn tasks(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Vec<Task>>, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Read).await?;
    signed.require(&[Role::Fachdienst, Role::Redaktion, Role::Admin])?;
    let today = iso_day(workspace.now());
    let items = state
        .read(|store| store.content_list(Some(ContentKind::Empfehlung)))
        .await
        .map_err(|error| Refusal::Internal(format!("{error:?}")))?;
    let mut list: Vec<Task> = items
        .iter()
        .filter_map(|item| task_of(item, &today))
        .filter(|task| may_change(&signed, task))
        .collect();
    sort_tasks(&mut list);
    Ok(Json(list))
}

/// Checks a status entry before anything is read from disk.
fn check_update(update: &StatusUpdate, today: &str) -> Result<(), Refusal> {
    let valid_date = update.date.len() == 10
        && update
            .date
            .parse::<toml_edit::Datetime>()
            .is_ok_and(|value| {
                value.date.is_some() && value.time.is_none() && value.offset.is_none()
            });
    if !valid_date {
        return Err(Refusal::Invalid(format!(
            "Datum „{}“ ist kein Datum der Form JJJJ-MM-TT",
            fokus_model::text::echo(&update.date)
        )));
    }
    // A day's grace for the server's clock (UTC) against the office's (Europe/Berlin).
    if update.date.as_str() > next_day(today).as_str() {
        return Err(Refusal::Invalid(format!(
            "Datum {} liegt in der Zukunft",
            update.date
        )));
    }
    if update.note.chars().count() > wire::NOTE_MAX_CHARS {
        return Err(Refusal::Invalid(format!(
            "Die Notiz ist länger als {} Zeichen",
            wire::NOTE_MAX_CHARS
        )));
    }
    if update.note.chars().any(|c| c != '\n' && is_invisible(c)) {
        return Err(Refusal::Invalid(
            "Die Notiz enthält Steuerzeichen oder unsichtbare Zeichen".into(),
        ));
    }
    Ok(())
}

fn next_day(iso: &str) -> String {
    let parse =
        |range: std::ops::Range<usize>| iso.get(range).and_then(|part| part.parse::<i64>().ok());
    match (parse(0..4), parse(5..7), parse(8..10)) {
        (Some(year), Some(month), Some(day)) => {
            // Days from civil (the inverse of `iso_day`), one added.
            let year = if month <= 2 { year - 1 } else { year };
            let era = year.div_euclid(400);
            let year_of_era = year - era * 400;
            let month_index = if month > 2 { month - 3 } else { month + 9 };
            let day_of_year = (153 * month_index + 2) / 5 + day - 1;
            let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
            let days = era * 146_097 + day_of_era - 719_468;
            iso_day((days + 1) * 86_400)
        }
        _ => iso.to_owned(),
    }
}

async fn set_status(
    State(state): State<AppState>,
    Address(address): Address,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
    Body(update): Body<StatusUpdate>,
) -> Result<Json<Task>, Refusal> {
    let (workspace, signed) = signed(&state, &headers, Need::Change).await?;
    signed.require(&[Role::Fachdienst, Role::Redaktion, Role::Admin])?;
    let now = workspace.now();
    let today = iso_day(now);
    check_update(&update, &today)?;
    let folder = workspace.content.clone();
    let blobs = state.blobs.clone().ok_or(Refusal::Off)?;
    let actor = signed.account.clone();
    let outcome = state
        .write(move |store| {
            Ok(change_status(
                store, &blobs, &folder, &signed, &id, update, &today, now,
            ))
        })
        .await
        .map_err(|error| Refusal::Internal(format!("{error:?}")))?;
    let (task, revision, detail, (old, new)) = outcome?;
    state.revision.send_replace(revision);
    workspace
        .db(move |db| {
            accounts::audit(db, now, &actor.name, "status", &detail, &address);
            // The item's history shows the status change like any edit.
            inhalte::record_edit(db, &task.id, now, &actor.name, revision, &old, &new)?;
            Ok(Json(task))
        })
        .await
}

/// Appends a status entry to a recommendation's file in the working copy and publishes the
/// working copy as one revision; a refused publish puts the file back. Runs under the store's
/// lock, so two changes of the same item are ordered and the second sees the first.
#[allow(clippy::too_many_arguments)]
fn change_status(
    store: &mut fokus_store::Store,
    blobs: &crate::publish::BlobDir,
    folder: &Path,
    signed: &Signed,
    id: &str,
    update: StatusUpdate,
    today: &str,
    now: i64,
) -> Result<(Task, u64, String, (String, String)), Refusal> {
    let items = store
        .content_list(Some(ContentKind::Empfehlung))
        .map_err(|error| Refusal::Internal(error.to_string()))?;
    let task = items
        .iter()
        .find(|item| item.id == id)
        .and_then(|item| task_of(item, today))
        .ok_or_else(|| {
            Refusal::NotFound(format!(
                "Keine Empfehlung „{}“",
                fokus_model::text::echo(id)
            ))
        })?;
    if !may_change(signed, &task) {
        return Err(Refusal::Forbidden(format!(
            "„{}“ ist {} zugeordnet, nicht {}",
            task.title,
            if task.office.is_empty() {
                "keinem Fachdienst"
            } else {
                &task.office
            },
            signed.account.office
        )));
    }
    if update.seen != task.history.len() {
        let last = task.history.last().map_or_else(String::new, |change| {
            format!(
                ": jetzt „{}“ seit {}",
                change.status.label_de(),
                change.date
            )
        });
        return Err(Refusal::Conflict(format!(
            "Der Stand wurde inzwischen geändert{last}. Bitte die Seite neu laden; Ihre Eingabe ist nicht gespeichert."
        )));
    }
    if let Some(last) = task.history.last() {
        if update.date < last.date {
            return Err(Refusal::Invalid(format!(
                "Datum {} liegt vor dem letzten Stand ({})",
                update.date, last.date
            )));
        }
    }
    let file = workfolder::item_file(folder, id)
        .ok_or_else(|| Refusal::NotFound("Keine solche Empfehlung".into()))?;
    let old = std::fs::read(&file).map_err(|_| {
        Refusal::Unprocessable(format!(
            "Die Datei der Empfehlung fehlt im Arbeitsordner des Servers ({}.md); bitte den Inhalt einmal mit `fokus-server publish` veröffentlichen",
            id
        ))
    })?;
    let text = String::from_utf8(old.clone())
        .map_err(|_| Refusal::Unprocessable(format!("{id}.md ist kein UTF-8-Text")))?;
    let change = StatusChange {
        date: update.date.clone(),
        status: update.status,
        note: update.note.trim().to_owned(),
    };
    let new = workfolder::with_status(&text, &format!("{id}.md"), &change)
        .map_err(|error| Refusal::Unprocessable(error.to_string()))?;
    workfolder::replace_file(&file, new.as_bytes())
        .map_err(|error| Refusal::Internal(error.to_string()))?;
    let label = format!(
        "Stand „{}“: {} ({})",
        task.title,
        change.status.label_de(),
        signed.account.display_name
    );
    let published = crate::publish_dir_labelled(store, blobs, folder, &label, now);
    let summary = match published {
        Ok(Ok(summary)) => summary,
        refused => {
            // Put the file back: the working copy stays what is published.
            if let Err(error) = workfolder::replace_file(&file, &old) {
                tracing::error!(%error, file = %file.display(), "restoring a working copy file");
            }
            return Err(match refused {
                Ok(Err(problems)) => Refusal::Unprocessable(problems.to_string()),
                Err(error) => Refusal::Internal(format!("{error:#}")),
                Ok(Ok(_)) => unreachable!(),
            });
        }
    };
    let revision = summary
        .commit
        .revision
        .ok_or_else(|| Refusal::Internal("a status change committed no revision".into()))?;
    let item = store
        .content_list(Some(ContentKind::Empfehlung))
        .map_err(|error| Refusal::Internal(error.to_string()))?
        .into_iter()
        .find(|item| item.id == id)
        .ok_or_else(|| Refusal::Internal("the recommendation vanished".into()))?;
    let task =
        task_of(&item, today).ok_or_else(|| Refusal::Internal("not a recommendation".into()))?;
    let detail = format!("{id}: {} ({})", change.status.as_str(), change.date);
    Ok((task, revision, detail, (text, new)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_civil_dates() {
        assert_eq!(iso_day(0), "1970-01-01");
        assert_eq!(iso_day(951_782_400), "2000-02-29");
        assert_eq!(iso_day(1_796_428_800), "2026-12-05");
        assert_eq!(next_day("2026-12-31"), "2027-01-01");
        assert_eq!(next_day("2024-02-28"), "2024-02-29");
        assert_eq!(next_day("2025-02-28"), "2025-03-01");
    }

    #[test]
    fn status_updates_are_checked() {
        let update = |date: &str, note: &str| StatusUpdate {
            date: date.into(),
            status: RecommendationStatus::InUmsetzung,
            note: note.into(),
            seen: 0,
        };
        let today = "2026-12-05";
        assert!(check_update(&update("2026-12-05", "ok\nzweite Zeile"), today).is_ok());
        assert!(check_update(&update("2026-12-06", ""), today).is_ok());
        assert!(check_update(&update("2026-12-08", ""), today).is_err());
        assert!(check_update(&update("2026-13-01", ""), today).is_err());
        assert!(check_update(&update("2026-12-05T10:00:00", ""), today).is_err());
        assert!(check_update(&update("gestern", ""), today).is_err());
        assert!(check_update(&update("2026-12-01", "a\u{202e}b"), today).is_err());
        assert!(check_update(&update("2026-12-01", &"x".repeat(1001)), today).is_err());
    }
}
