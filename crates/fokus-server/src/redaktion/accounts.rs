//! Accounts and sessions without HTTP: argon2id password hashes, one-time passwords, sign-in
//! with throttling (per account and per address) and lockout, sessions with an idle and an
//! absolute expiry, CSRF tokens. The handlers in `mod.rs` call these on the blocking pool.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use fokus_model::redaktion::{
    self as wire, Account, AuditEntry, Role, SessionInfo, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS,
};
use sha2::Digest;

use super::db::Db;

/// How long sessions live and how sign-in is throttled.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// A session unused this long ends (seconds).
    pub session_idle: i64,
    /// A session ends this long after sign-in, used or not (a working day).
    pub session_max: i64,
    /// Failed sign-ins in a row after which the account waits [`Policy::lockout`].
    pub account_failures: i64,
    pub lockout: i64,
    /// Failed sign-ins from one address within [`Policy::address_window`] after which that
    /// address is refused until the window passes.
    pub address_failures: i64,
    pub address_window: i64,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            session_idle: 60 * 60,
            session_max: 10 * 60 * 60,
            account_failures: 5,
            lockout: 15 * 60,
            address_failures: 20,
            address_window: 15 * 60,
        }
    }
}

/// Why a request of the workspace is refused.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("Name oder Passwort ist falsch")]
    WrongCredentials,
    #[error("Zu viele Fehlversuche: dieses Konto ist für {minutes} Minuten gesperrt. Die Administration kann das Passwort zurücksetzen.")]
    Throttled { minutes: i64, retry_after: i64 },
    #[error(
        "Zu viele Fehlversuche von diesem Rechner: bitte in {minutes} Minuten erneut versuchen"
    )]
    AddressThrottled { minutes: i64, retry_after: i64 },
    #[error("Dieses Konto ist gesperrt; bitte an die Administration wenden")]
    Locked,
    #[error("Nicht angemeldet oder Sitzung abgelaufen; bitte neu anmelden")]
    NoSession,
    #[error(
        "Sicherheitsmerkmal der Sitzung fehlt oder ist falsch (CSRF); bitte die Seite neu laden"
    )]
    Csrf,
    #[error("Bitte zuerst ein eigenes Passwort wählen")]
    MustChangePassword,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    /// An upload larger than the import limit; nothing was read beyond it.
    #[error("{0}")]
    TooLarge(String),
    /// An upload slower than the server waits for.
    #[error("{0}")]
    TooSlow(String),
    /// Checked and refused as a whole (a publish's problems, a file that cannot be changed).
    #[error("{0}")]
    Unprocessable(String),
    /// The server is not set up for this (no workspace, no media folder).
    #[error("Die Redaktion ist auf diesem Server nicht eingerichtet")]
    Off,
    /// Logged, not shown.
    #[error("interner Fehler: {0}")]
    Internal(String),
}

/// A signed-in request's session.
#[derive(Debug, Clone)]
pub struct Signed {
    pub account: Account,
    pub token_hash: String,
    pub csrf: String,
    pub expires: i64,
}

impl Signed {
    pub fn info(&self) -> SessionInfo {
        SessionInfo {
            account: self.account.clone(),
            csrf: self.csrf.clone(),
            expires: self.expires,
        }
    }

    /// Refuses unless the account holds one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), Refusal> {
        if roles.iter().any(|role| self.account.has(*role)) {
            return Ok(());
        }
        let names: Vec<&str> = roles.iter().map(|role| role.label_de()).collect();
        Err(Refusal::Forbidden(format!(
            "Dafür fehlt die Rolle {} (angemeldet als {})",
            names.join(" oder "),
            self.account.name
        )))
    }
}

/// `n` random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    bytes
}

/// A random token for a cookie or a CSRF header: 32 bytes, base64url.
pub fn token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// How a session token is stored: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A one-time password: 16 characters without look-alikes (about 79 bits), in groups of four.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let bytes = random_bytes::<64>();
    let chars: Vec<char> = bytes
        .iter()
        // 248 = 8 × 31: no bias.
        .filter(|byte| **byte < 248)
        .take(16)
        .map(|byte| ALPHABET[usize::from(*byte) % ALPHABET.len()] as char)
        .collect();
    assert_eq!(chars.len(), 16, "64 random bytes hold 16 usable ones");
    chars
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The argon2id hash (PHC string) of `password` with a fresh salt, with the crate's default
/// parameters (19 MiB, 2 passes: OWASP's recommendation).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes make a salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters")
        .to_string()
}

/// Whether `password` matches the PHC string `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash no password matches, verified for names without an account so that a sign-in takes
/// as long whether the name exists or not.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&token()))
}

/// Checks a password the person chose.
pub fn check_new_password(name: &str, password: &str) -> Result<(), Refusal> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(Refusal::Invalid(format!(
            "Das Passwort ist zu kurz: mindestens {PASSWORD_MIN_CHARS} Zeichen"
        )));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(Refusal::Invalid(format!(
            "Das Passwort ist zu lang: höchstens {PASSWORD_MAX_CHARS} Zeichen"
        )));
    }
    if password.to_lowercase().contains(name) {
        return Err(Refusal::Invalid(
            "Das Passwort darf den Anmeldenamen nicht enthalten".into(),
        ));
    }
    Ok(())
}

/// Checks an account an admin (or the command line) creates.
pub fn check_new_account(account: &wire::NewAccount) -> Result<(), Refusal> {
    if !wire::is_account_name(&account.name) {
        return Err(Refusal::Invalid(
            "Anmeldename: 1 bis 64 Kleinbuchstaben, Ziffern, Punkt, Binde- oder Unterstrich, beginnend mit Buchstabe oder Ziffer".into(),
        ));
    }
    let display = account.display_name.trim();
    if display.is_empty() || display.chars().count() > 100 {
        return Err(Refusal::Invalid("Anzeigename: 1 bis 100 Zeichen".into()));
    }
    if account
        .display_name
        .chars()
        .chain(account.office.chars())
        .any(|c| c.is_control() || fokus_model::content::is_invisible(c))
    {
        return Err(Refusal::Invalid(
            "Anzeigename und Fachdienst dürfen keine Steuerzeichen enthalten".into(),
        ));
    }
    if account.roles.is_empty() {
        return Err(Refusal::Invalid("Mindestens eine Rolle angeben".into()));
    }
    if account.roles.contains(&Role::Fachdienst) && account.office.trim().is_empty() {
        return Err(Refusal::Invalid(
            "Ein Fachdienst-Konto braucht den Namen seines Fachdienstes, wie er unter `zustaendig` steht".into(),
        ));
    }
    Ok(())
}

/// Adds an account with a one-time password; returns that password.
pub fn add_account(db: &Db, new: &wire::NewAccount, now: i64) -> Result<String, Refusal> {
    check_new_account(new)?;
    let password = one_time_password();
    let mut roles = new.roles.clone();
    roles.sort();
    roles.dedup();
    let account = Account {
        name: new.name.clone(),
        display_name: new.display_name.trim().to_owned(),
        roles,
        office: new.office.trim().to_owned(),
        must_change_password: true,
        locked: false,
        locked_until: 0,
    };
    let added = db
        .add_account(&account, &hash_password(&password), now)
        .map_err(internal)?;
    if !added {
        return Err(Refusal::Conflict(format!(
            "Ein Konto „{}“ gibt es schon",
            new.name
        )));
    }
    Ok(password)
}

/// A database error where none is expected: the handler turns it into a 500.
pub fn internal(error: rusqlite::Error) -> Refusal {
    Refusal::Internal(format!("Redaktion database: {error}"))
}

/// What a sign-in attempt found before the password is checked.
pub enum Attempt {
    /// Check the password against this hash.
    Check {
        hash: String,
        exists: bool,
    },
    Refused(Refusal),
}

/// The first step of a sign-in, under the database lock: the address's and the account's
/// throttles, then the hash to check (a dummy one for an unknown name).
pub fn begin_login(db: &Db, policy: &Policy, name: &str, address: &str, now: i64) -> Attempt {
    let since = now - policy.address_window;
    match db.address_failures(address, since) {
        Ok(failures) if failures >= policy.address_failures => {
            return Attempt::Refused(Refusal::AddressThrottled {
                minutes: (policy.address_window + 59) / 60,
                retry_after: policy.address_window,
            })
        }
        Ok(_) => {}
        Err(error) => return Attempt::Refused(internal(error)),
    }
    match db.account(name) {
        Ok(Some(row)) if row.account.locked_until > now => {
            let wait = row.account.locked_until - now;
            Attempt::Refused(Refusal::Throttled {
                minutes: (wait + 59) / 60,
                retry_after: wait,
            })
        }
        Ok(Some(row)) => Attempt::Check {
            hash: row.password_hash,
            exists: true,
        },
        Ok(None) => Attempt::Check {
            hash: dummy_hash().to_owned(),
            exists: false,
        },
        Err(error) => Attempt::Refused(internal(error)),
    }
}

/// The last step of a sign-in, under the lock again: records the outcome, and on success opens
/// a session. Returns the session's cookie token and what the browser is told.
pub fn finish_login(
    db: &Db,
    policy: &Policy,
    name: &str,
    address: &str,
    matched: bool,
    now: i64,
) -> Result<(String, SessionInfo), Refusal> {
    let row = if matched {
        db.account(name).map_err(internal)?
    } else {
        None
    };
    let Some(row) = row else {
        db.address_failed(address, now, now - policy.address_window)
            .map_err(internal)?;
        if let Some(row) = db.account(name).map_err(internal)? {
            let locked_until = if row.failures + 1 >= policy.account_failures {
                now + policy.lockout
            } else {
                0
            };
            db.account_failed(name, locked_until).map_err(internal)?;
        }
        audit(db, now, name, "anmeldung_fehlgeschlagen", "", address);
        return Err(Refusal::WrongCredentials);
    };
    if row.account.locked {
        audit(db, now, name, "anmeldung_gesperrt", "", address);
        return Err(Refusal::Locked);
    }
    db.account_succeeded(name).map_err(internal)?;
    let token = token();
    let csrf = self::token();
    let expires = now + policy.session_max;
    db.add_session(&token_hash(&token), name, &csrf, now, expires)
        .map_err(internal)?;
    audit(db, now, name, "anmeldung", "", address);
    let mut account = row.account;
    account.locked_until = 0;
    Ok((
        token,
        SessionInfo {
            account,
            csrf,
            expires,
        },
    ))
}

/// The session of the cookie's `token`, if it is alive; refreshes its idle time.
pub fn session(db: &Db, policy: &Policy, token: &str, now: i64) -> Result<Signed, Refusal> {
    let hash = token_hash(token);
    let row = db
        .session(&hash)
        .map_err(internal)?
        .ok_or(Refusal::NoSession)?;
    if row.expires <= now || row.last_seen + policy.session_idle <= now {
        db.end_session(&hash).map_err(internal)?;
        return Err(Refusal::NoSession);
    }
    let account = db
        .account(&row.account)
        .map_err(internal)?
        .ok_or(Refusal::NoSession)?;
    if account.account.locked {
        db.end_session(&hash).map_err(internal)?;
        return Err(Refusal::Locked);
    }
    // One write a minute at most.
    if now - row.last_seen >= 60 {
        db.touch_session(&hash, now).map_err(internal)?;
    }
    Ok(Signed {
        account: account.account,
        token_hash: hash,
        csrf: row.csrf,
        expires: row.expires,
    })
}

/// Whether `given` is the session's CSRF token (compared in constant time).
pub fn csrf_matches(given: &str, expected: &str) -> bool {
    crate::same_secret(given.as_bytes(), expected.as_bytes())
}

/// Writes one audit line; a failure to write it is logged, not fatal to what happened.
pub fn audit(db: &Db, time: i64, account: &str, action: &str, detail: &str, from: &str) {
    let entry = AuditEntry {
        time,
        account: account.chars().take(80).collect(),
        action: action.to_owned(),
        detail: detail.to_owned(),
        from: from.to_owned(),
    };
    if let Err(error) = db.audit(&entry) {
        tracing::error!(%error, action, "writing the audit log");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin(db: &Db) -> String {
        add_account(
            db,
            &wire::NewAccount {
                name: "admin".into(),
                display_name: "Admin".into(),
                roles: vec![Role::Admin],
                office: String::new(),
            },
            0,
        )
        .unwrap()
    }

    fn login(
        db: &Db,
        policy: &Policy,
        password: &str,
        address: &str,
        now: i64,
    ) -> Result<(String, SessionInfo), Refusal> {
        match begin_login(db, policy, "admin", address, now) {
            Attempt::Check { hash, .. } => {
                let matched = verify_password(password, &hash);
                finish_login(db, policy, "admin", address, matched, now)
            }
            Attempt::Refused(refusal) => Err(refusal),
        }
    }

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let one = hash_password("richtig-langes-passwort");
        let two = hash_password("richtig-langes-passwort");
        assert!(one.starts_with("$argon2id$"));
        assert_ne!(one, two);
        assert!(verify_password("richtig-langes-passwort", &one));
        assert!(!verify_password("falsch", &one));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn one_time_passwords_are_long_and_differ() {
        let one = one_time_password();
        assert_eq!(one.len(), 19);
        assert_eq!(one.matches('-').count(), 3);
        assert_ne!(one, one_time_password());
        assert!(check_new_password("admin", &one).is_ok());
    }

    #[test]
    fn five_wrong_passwords_lock_the_account_for_a_while() {
        let db = Db::in_memory().unwrap();
        let policy = Policy::default();
        let password = admin(&db);
        for attempt in 0..5 {
            let refused = login(&db, &policy, "falsch", "a", 100 + attempt).unwrap_err();
            assert!(matches!(refused, Refusal::WrongCredentials), "{refused}");
        }
        // Even the right password waits now, and is not checked.
        let refused = login(&db, &policy, &password, "b", 200).unwrap_err();
        assert!(matches!(refused, Refusal::Throttled { .. }), "{refused}");
        let after = 104 + policy.lockout + 1;
        assert!(login(&db, &policy, &password, "b", after).is_ok());
    }

    #[test]
    fn one_address_trying_many_names_is_refused() {
        let db = Db::in_memory().unwrap();
        let policy = Policy::default();
        let password = admin(&db);
        for attempt in 0..policy.address_failures {
            let name = format!("nobody{attempt}");
            let Attempt::Check { hash, exists } = begin_login(&db, &policy, &name, "a", 10) else {
                panic!("refused too early");
            };
            assert!(!exists);
            let matched = verify_password("x", &hash);
            assert!(finish_login(&db, &policy, &name, "a", matched, 10).is_err());
        }
        let refused = login(&db, &policy, &password, "a", 11).unwrap_err();
        assert!(
            matches!(refused, Refusal::AddressThrottled { .. }),
            "{refused}"
        );
        assert!(login(&db, &policy, &password, "other", 11).is_ok());
        assert!(login(&db, &policy, &password, "a", 10 + policy.address_window + 1).is_ok());
    }

    #[test]
    fn sessions_end_when_idle_or_old_and_a_lock_ends_them() {
        let db = Db::in_memory().unwrap();
        let policy = Policy::default();
        let password = admin(&db);
        let (token, info) = login(&db, &policy, &password, "a", 1000).unwrap();
        assert!(info.account.must_change_password);
        let signed = session(&db, &policy, &token, 1000 + policy.session_idle - 1).unwrap();
        assert_eq!(signed.csrf, info.csrf);
        assert!(matches!(
            session(&db, &policy, &token, 1000 + 2 * policy.session_idle),
            Err(Refusal::NoSession)
        ));
        let (token, _) = login(&db, &policy, &password, "a", 5000).unwrap();
        let mut now = 5000;
        while now < 5000 + policy.session_max - 60 {
            now += policy.session_idle / 2;
            let _ = session(&db, &policy, &token, now);
        }
        assert!(matches!(
            session(&db, &policy, &token, 5000 + policy.session_max),
            Err(Refusal::NoSession)
        ));
        let (token, _) = login(&db, &policy, &password, "a", 90_000).unwrap();
        db.set_locked("admin", true).unwrap();
        assert!(session(&db, &policy, &token, 90_001).is_err());
        assert!(matches!(
            login(&db, &policy, &password, "a", 90_002),
            Err(Refusal::Locked)
        ));
        assert!(session(&db, &policy, "made-up", 90_003).is_err());
    }

    #[test]
    fn the_database_keeps_no_token() {
        let db = Db::in_memory().unwrap();
        let policy = Policy::default();
        let password = admin(&db);
        let (token, _) = login(&db, &policy, &password, "a", 1).unwrap();
        assert!(db.session(&token).unwrap().is_none());
        assert!(db.session(&token_hash(&token)).unwrap().is_some());
    }

    #[test]
    fn new_accounts_are_checked() {
        let db = Db::in_memory().unwrap();
        let mut new = wire::NewAccount {
            name: "fd".into(),
            display_name: "FD Soziales".into(),
            roles: vec![Role::Fachdienst],
            office: String::new(),
        };
        assert!(add_account(&db, &new, 0).is_err());
        new.office = "Fachdienst Soziales".into();
        assert!(add_account(&db, &new, 0).is_ok());
        assert!(matches!(
            add_account(&db, &new, 0),
            Err(Refusal::Conflict(_))
        ));
        new.name = "Fd".into();
        assert!(add_account(&db, &new, 0).is_err());
        new.name = "fd2".into();
        new.display_name = "a\u{202e}b".into();
        assert!(add_account(&db, &new, 0).is_err());
    }

    #[test]
    fn passwords_are_checked() {
        assert!(check_new_password("anna", "kurz").is_err());
        assert!(check_new_password("anna", "anna-und-noch-mehr").is_err());
        assert!(check_new_password("anna", &"x".repeat(257)).is_err());
        assert!(check_new_password("anna", "Lange Sätze sind gute Passwörter").is_ok());
    }
}
