//! One file per page.

pub mod sozialbericht;
