//! The Redaktion workspace's wire types and paths: accounts with roles, the session a browser
//! holds, the Beschlusskontrolle as the responsible office sees it, the audit log. Shared by
//! `fokus-server` (which answers) and the UI's `/redaktion` pages (which ask), so both spell a
//! field once. None of it ever travels in the feed: accounts and sessions live in the server's
//! own workspace database, beside the published one.

pub mod daten;
pub mod inhalte;

use serde::{Deserialize, Serialize};

use crate::content::{RecommendationStatus, StatusChange};

/// Every path of the workspace API starts here; the browser pages live under [`PAGES`].
pub const API: &str = "/api/v1/redaktion";
/// The workspace's pages in the web build.
pub const PAGES: &str = "/redaktion";

/// `POST` [`Login`] → [`SessionInfo`] and the session cookie.
pub const LOGIN: &str = "/api/v1/redaktion/anmelden";
/// `POST`: ends the session.
pub const LOGOUT: &str = "/api/v1/redaktion/abmelden";
/// `GET` → [`SessionInfo`] of the cookie's session, or 401.
pub const SESSION: &str = "/api/v1/redaktion/sitzung";
/// `POST` [`PasswordChange`]: the signed-in person changes their own password.
pub const PASSWORD: &str = "/api/v1/redaktion/passwort";
/// `GET` → every [`Account`] (Admin); `POST` [`NewAccount`] → [`OneTimePassword`].
pub const ACCOUNTS: &str = "/api/v1/redaktion/konten";
/// `POST /api/v1/redaktion/konten/{name}/passwort` → a new [`OneTimePassword`] (Admin): the
/// reset, which also lifts a lockout.
pub const ACCOUNT_RESET: &str = "/api/v1/redaktion/konten/{name}/passwort";
/// `POST /api/v1/redaktion/konten/{name}/sperre` [`AccountLock`] (Admin): locks an account
/// (its sessions end) or unlocks it.
pub const ACCOUNT_LOCK: &str = "/api/v1/redaktion/konten/{name}/sperre";
/// `GET` → the [`Task`]s the signed-in person may change: a Fachdienst its office's, the
/// Redaktion and Admins every recommendation.
pub const TASKS: &str = "/api/v1/redaktion/empfehlungen";
/// `POST /api/v1/redaktion/empfehlungen/status/{id}` [`StatusUpdate`] → the changed [`Task`]
/// (one new revision). The id is the recommendation's, slashes included.
pub const TASK_STATUS: &str = "/api/v1/redaktion/empfehlungen/status/{*id}";
/// `GET ?limit=N` → the newest [`AuditEntry`]s (Admin).
pub const AUDIT: &str = "/api/v1/redaktion/protokoll";

/// The request header every change carries: the session's CSRF token.
pub const CSRF_HEADER: &str = "x-fokus-csrf";
/// The session cookie's name. `__Host-` binds it to this host, path `/` and `Secure`.
pub const SESSION_COOKIE: &str = "__Host-fokus-redaktion";

/// The shortest password the workspace accepts (and the longest, which bounds hashing work).
pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 256;
/// The longest note on a status change.
pub const NOTE_MAX_CHARS: usize = 1000;

/// What a person may do in the workspace. A person may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Accounts, the audit log, configuration.
    Admin,
    /// Editorial content, and the status of every recommendation.
    Redaktion,
    /// Imports of indicator values.
    Daten,
    /// The status of the recommendations assigned to its office only.
    Fachdienst,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Redaktion, Role::Daten, Role::Fachdienst];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Redaktion => "redaktion",
            Role::Daten => "daten",
            Role::Fachdienst => "fachdienst",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    pub fn label_de(self) -> &'static str {
        match self {
            Role::Admin => "Administration",
            Role::Redaktion => "Redaktion",
            Role::Daten => "Daten",
            Role::Fachdienst => "Fachdienst",
        }
    }
}

/// An account as the workspace shows it (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Account {
    /// The sign-in name: lower-case letters, digits, `.`, `-`, `_`.
    pub name: String,
    /// How the workspace and the histories name the person.
    pub display_name: String,
    pub roles: Vec<Role>,
    /// A Fachdienst account's office, as recommendations name it under `zustaendig`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub office: String,
    /// Signed in with a one-time password: must choose their own before anything else.
    pub must_change_password: bool,
    /// Locked by an admin.
    pub locked: bool,
    /// Unix seconds until which sign-in is refused after failed attempts; 0 when not.
    pub locked_until: i64,
}

impl Account {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// `POST` [`LOGIN`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Login {
    pub name: String,
    pub password: String,
}

/// The signed-in person and what the browser needs for changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SessionInfo {
    pub account: Account,
    /// Sent back in [`CSRF_HEADER`] with every change.
    pub csrf: String,
    /// Unix seconds at which the session ends even while in use.
    pub expires: i64,
}

/// `POST` [`PASSWORD`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

/// `POST` [`ACCOUNTS`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewAccount {
    pub name: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    #[serde(default)]
    pub office: String,
}

/// A password shown once: to the admin who created or reset the account, to hand over. The
/// person must choose their own at the first sign-in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OneTimePassword {
    pub name: String,
    pub password: String,
}

/// `POST` [`ACCOUNT_LOCK`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccountLock {
    pub locked: bool,
}

/// A recommendation as the office responsible works on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Task {
    /// The recommendation's content id, e.g. `empfehlungen/pflege-tagespflege`.
    pub id: String,
    pub title: String,
    pub handlungsfeld: String,
    pub office: String,
    /// ISO date (Frist), if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    /// Oldest first; the last entry is the current status.
    pub history: Vec<StatusChange>,
    /// Past its deadline and neither done nor deferred.
    pub overdue: bool,
}

impl Task {
    pub fn status(&self) -> Option<RecommendationStatus> {
        self.history.last().map(|change| change.status)
    }
}

/// `POST` [`TASK_STATUS`]: a new status entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StatusUpdate {
    /// ISO date of the change; not before the last entry, not in the future.
    pub date: String,
    pub status: RecommendationStatus,
    #[serde(default)]
    pub note: String,
    /// How many entries the history had when the person started: if someone else changed it
    /// since, the server answers 409 with the current task and writes nothing.
    pub seen: usize,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AuditEntry {
    /// Unix seconds.
    pub time: i64,
    /// The account acting, or the name tried at a failed sign-in.
    pub account: String,
    /// What happened: `anmeldung`, `anmeldung_fehlgeschlagen`, `status`, `konto_angelegt`, …
    pub action: String,
    pub detail: String,
    /// The client's address as the server saw it.
    pub from: String,
}

/// Whether `name` is a valid sign-in name: 1 to 64 of `a-z`, `0-9`, `.`, `-`, `_`, starting
/// with a letter or digit.
pub fn is_account_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.bytes().all(|byte| {
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || b".-_".contains(&byte)
        })
        && name
            .bytes()
            .next()
            .is_some_and(|byte| byte.is_ascii_alphanumeric())
}

/// The offices a recommendation's `zustaendig` names: its comma-separated parts, trimmed.
pub fn offices(zustaendig: &str) -> impl Iterator<Item = &str> {
    zustaendig
        .split([',', ';'])
        .map(str::trim)
        .filter(|office| !office.is_empty())
}

/// Whether an account of `office` is responsible for a recommendation assigned to
/// `zustaendig` (one of its offices, compared without regard to case).
pub fn is_responsible(office: &str, zustaendig: &str) -> bool {
    let office = office.trim().to_lowercase();
    !office.is_empty() && offices(zustaendig).any(|named| named.to_lowercase() == office)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names_are_plain() {
        assert!(is_account_name("m.mueller"));
        assert!(is_account_name("fd-soziales_2"));
        assert!(!is_account_name(""));
        assert!(!is_account_name(".admin"));
        assert!(!is_account_name("Admin"));
        assert!(!is_account_name("müller"));
        assert!(!is_account_name("a b"));
        assert!(!is_account_name(&"a".repeat(65)));
    }

    #[test]
    fn an_office_is_responsible_for_what_names_it() {
        let zustaendig = "Fachdienst Soziales, Pflegestützpunkt";
        assert!(is_responsible("Fachdienst Soziales", zustaendig));
        assert!(is_responsible("PFLEGESTÜTZPUNKT", zustaendig));
        assert!(!is_responsible("Fachdienst", zustaendig));
        assert!(!is_responsible("", zustaendig));
        assert!(!is_responsible("Fachdienst Jugend", zustaendig));
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
