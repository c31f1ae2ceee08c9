//! Reusable pieces of the UI.

pub mod choropleth;
pub mod series_chart;
pub mod sync_bar;
