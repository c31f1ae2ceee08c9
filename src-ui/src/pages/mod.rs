//! One file per page (the editorial pages share one, as they share their shape).

pub mod content;
pub mod einstellungen;
pub mod gebiet;
pub mod info;
pub mod mappen;
pub mod sozialbericht;
pub mod statistik;
pub mod suche;
pub mod uebersicht;
