//! Reusable pieces of the UI.

pub mod chart;
pub mod choropleth;
pub mod figure;
pub mod icon;
pub mod live;
pub mod merken;
pub mod scroll_table;
pub mod series_chart;
pub mod share;
pub mod sync_bar;
pub mod year_controls;
