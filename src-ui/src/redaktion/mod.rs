//! The Redaktion workspace (`/redaktion`): the pages the Sozialplanung's staff and the
//! Fachdienste use in a browser to keep FOKUS current. Mounted instead of the app when the page
//! is opened under `/redaktion` (no store worker, no offline copy: it works on the server's
//! data, online). Same stylesheet and components as the app; the server's API is
//! `/api/v1/redaktion` (`fokus_model::redaktion`).

mod client;
mod daten;
mod pages;

use fokus_model::redaktion::{self as wire, Role, SessionInfo};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::path;

pub use daten::DatenPage;
pub use pages::*;

/// Whether the page was opened as the workspace.
pub fn is_workspace_path(path: &str) -> bool {
    path == wire::PAGES || path.starts_with(&format!("{}/", wire::PAGES))
}

/// The signed-in person, shared by every page of the workspace.
#[derive(Clone, Copy)]
pub struct Session {
    /// `None` until the server answered; then `Some(None)` when nobody is signed in.
    pub info: RwSignal<Option<Option<SessionInfo>>>,
}

impl Session {
    pub fn csrf(&self) -> String {
        self.info
            .get_untracked()
            .flatten()
            .map(|info| info.csrf)
            .unwrap_or_default()
    }

    pub fn has(&self, role: Role) -> bool {
        self.info
            .get()
            .flatten()
            .is_some_and(|info| info.account.has(role))
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Paths of the workspace's pages.
pub mod routes {
    pub const START: &str = "/redaktion";
    pub const LOGIN: &str = "/redaktion/anmelden";
    pub const PASSWORD: &str = "/redaktion/passwort";
    pub const TASKS: &str = "/redaktion/empfehlungen";
    pub const ACCOUNTS: &str = "/redaktion/konten";
    pub const AUDIT: &str = "/redaktion/protokoll";
    pub const DATA: &str = "/redaktion/daten";
}

/// Follows the system's dark mode (the workspace has no settings page of its own).
fn apply_theme() {
    let dark = web_sys::window()
        .and_then(|window| {
            window
                .match_media("(prefers-color-scheme: dark)")
                .ok()
                .flatten()
        })
        .is_some_and(|query| query.matches());
    if let Some(root) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
    {
        let _ = root.set_attribute("data-theme", if dark { "dark" } else { "light" });
        let _ = root.set_attribute("lang", "de");
    }
    if let Some(document) = web_sys::window().and_then(|window| window.document()) {
        document.set_title("FOKUS Redaktion");
    }
}

#[component]
pub fn Workspace() -> impl IntoView {
    apply_theme();
    let session = Session {
        info: RwSignal::new(None),
    };
    provide_context(session);
    spawn_local(async move {
        let info = client::get::<SessionInfo>(wire::SESSION).await.ok();
        session.info.set(Some(info));
    });
    view! {
        <Router>
            <a class="skip-link" href="#main">"Zum Inhalt springen"</a>
            <header class="topbar redaktion-bar">
                <div class="brand">
                    <img src="/fokus-icon.svg" alt="" width="40" height="40"/>
                    <div>
                        <p class="brand-name">"FOKUS Redaktion"</p>
                        <p class="brand-sub">{move || session.info.get().flatten().map(|info| format!("Angemeldet: {}", info.account.display_name)).unwrap_or_default()}</p>
                    </div>
                </div>
                <div class="header-tools">
                    <Show when=move || session.info.get().flatten().is_some()>
                        <SignOut/>
                    </Show>
                </div>
            </header>
            <Show when=move || session.info.get().flatten().is_some_and(|info| !info.account.must_change_password)>
                <WorkspaceNav/>
            </Show>
            <main id="main" tabindex="-1" class="redaktion">
                <Guard/>
                <Routes fallback=|| view! { <p class="notice">"Diese Seite gibt es nicht."</p> }>
                    <Route path=path!("/redaktion") view=StartPage/>
                    <Route path=path!("/redaktion/anmelden") view=LoginPage/>
                    <Route path=path!("/redaktion/passwort") view=PasswordPage/>
                    <Route path=path!("/redaktion/empfehlungen") view=TasksPage/>
                    <Route path=path!("/redaktion/konten") view=AccountsPage/>
                    <Route path=path!("/redaktion/protokoll") view=AuditPage/>
                    <Route path=path!("/redaktion/daten") view=DatenPage/>
                </Routes>
            </main>
            <footer class="footer">
                <ul class="footer-links">
                    <li><a href="/" data-testid="redaktion-zur-app">"Zur App"</a></li>
                    <li><a href="/barrierefreiheit">"Erklärung zur Barrierefreiheit"</a></li>
                </ul>
            </footer>
        </Router>
    }
}

/// Sends a visitor who is not signed in to the sign-in page, and a person with a one-time
/// password to choosing their own.
#[component]
fn Guard() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        let Some(info) = session.info.get() else {
            return;
        };
        let path = location.pathname.get();
        match info {
            None if path != routes::LOGIN => navigate(routes::LOGIN, Default::default()),
            Some(info) if info.account.must_change_password && path != routes::PASSWORD => {
                navigate(routes::PASSWORD, Default::default());
            }
            Some(_) if path == routes::LOGIN => navigate(routes::START, Default::default()),
            _ => {}
        }
    });
}

#[component]
fn WorkspaceNav() -> impl IntoView {
    let session = use_session();
    let entries = move || {
        let mut entries = vec![(routes::START, "Übersicht", "nav-start")];
        if session.has(Role::Fachdienst) || session.has(Role::Redaktion) || session.has(Role::Admin)
        {
            entries.push((routes::TASKS, "Beschlusskontrolle", "nav-empfehlungen"));
        }
        if session.has(Role::Daten) || session.has(Role::Admin) {
            entries.push((routes::DATA, "Daten", "nav-daten"));
        }
        if session.has(Role::Admin) {
            entries.push((routes::ACCOUNTS, "Konten", "nav-konten"));
            entries.push((routes::AUDIT, "Protokoll", "nav-protokoll"));
        }
        entries
            .into_iter()
            .map(|(href, label, id)| view! { <li><A href=href exact=true attr:data-testid=id>{label}</A></li> })
            .collect_view()
    };
    view! {
        <nav class="redaktion-nav" aria-label="Redaktion">
            <ul>{entries}</ul>
        </nav>
    }
}

#[component]
fn SignOut() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let sign_out = move |_| {
        let csrf = session.csrf();
        let navigate = navigate.clone();
        spawn_local(async move {
            let _ = client::send::<(), ()>("POST", wire::LOGOUT, None, &csrf).await;
            session.info.set(Some(None));
            navigate(routes::LOGIN, Default::default());
        });
    };
    view! {
        <button type="button" class="button" data-testid="abmelden" on:click=sign_out>"Abmelden"</button>
    }
}
