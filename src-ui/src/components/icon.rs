//! Small line icons drawn inline (no icon font, nothing loaded): the menu, search, refresh,
//! settings and close buttons of the compact header and sheets. Always beside a text or an
//! `aria-label`; the icon itself is hidden from screen readers.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconName {
    Menu,
    Search,
    Refresh,
    Settings,
    Close,
}

impl IconName {
    /// Path data on a 24 × 24 grid, stroked.
    fn path(self) -> &'static str {
        match self {
            IconName::Menu => "M4 6h16M4 12h16M4 18h16",
            IconName::Search => "M10.5 4a6.5 6.5 0 1 1 0 13a6.5 6.5 0 1 1 0-13zM15.5 15.5L20 20",
            IconName::Refresh => "M19 12a7 7 0 1 1-2.05-4.95M19 4v4h-4",
            IconName::Settings => "M12 9a3 3 0 1 1 0 6a3 3 0 1 1 0-6zM12 2.5v3M12 18.5v3M2.5 12h3M18.5 12h3M5.3 5.3l2.1 2.1M16.6 16.6l2.1 2.1M5.3 18.7l2.1-2.1M16.6 7.4l2.1-2.1",
            IconName::Close => "M6 6l12 12M18 6L6 18",
        }
    }
}

#[component]
pub fn Icon(name: IconName) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
            <path d=name.path() fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/>
        </svg>
    }
}
