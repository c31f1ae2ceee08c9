//! The year of a view: a list for a direct pick, and a slider with play that steps through the
//! years (once, stopping at the last; slower for people who asked for reduced motion). The
//! slider moves over the years that exist, so gaps (a projection in five-year steps) are no
//! stops.

use leptos::prelude::*;

/// A year as lists, tables and axes name it: `2030 (Prognose)` for a projection.
pub fn year_label(year: u16, projected: &[u16]) -> String {
    if projected.contains(&year) {
        format!("{year} (Prognose)")
    } else {
        year.to_string()
    }
}

/// Which part of the year controls to draw: all of them (the statistics pages), the list with
/// the play button (the explorer's compact bar), or the slider alone (its "Einstellen").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum YearPart {
    #[default]
    Full,
    Pick,
    Slider,
}

#[component]
pub fn YearControls(
    /// Ascending.
    years: Vec<u16>,
    current: Signal<Option<u16>>,
    on_year: Callback<u16>,
    /// Years to name as a projection ("2030 (Prognose)").
    #[prop(optional)]
    projected: Vec<u16>,
    #[prop(optional)] part: YearPart,
) -> impl IntoView {
    let playing = RwSignal::new(false);
    let first = years.first().copied().unwrap_or_default();
    let last = years.last().copied().unwrap_or_default();
    let projected = StoredValue::new(projected);
    let label = move |year: u16| projected.with_value(|projected| year_label(year, projected));
    let options = years
        .iter()
        .rev()
        .map(|year| {
            let year = *year;
            let is_current = move || current.get() == Some(year);
            view! { <option value=year selected=is_current>{label(year)}</option> }
        })
        .collect_view();
    let years = StoredValue::new(years);
    let index_of = move |year: Option<u16>| {
        years.with_value(|years| {
            year.and_then(|year| years.iter().position(|known| *known == year))
                .unwrap_or(years.len().saturating_sub(1))
        })
    };
    let play = move |_| {
        if playing.get_untracked() {
            playing.set(false);
            return;
        }
        playing.set(true);
        let start = current
            .get_untracked()
            .filter(|year| *year != last)
            .unwrap_or(first);
        let years = years.get_value();
        leptos::task::spawn_local(async move {
            for year in years.into_iter().filter(|year| *year >= start) {
                if !playing.get_untracked() {
                    return;
                }
                on_year.run(year);
                sleep_ms(if reduced_motion() { 1500 } else { 900 }).await;
            }
            playing.set(false);
        });
    };
    let n_years = years.with_value(Vec::len);
    let play_button = move || {
        view! {
            <button class="button secondary play" data-testid="year-play" on:click=play
                aria-label=move || if playing.get() { "Anhalten" } else { "Jahre abspielen" }>
                {move || if playing.get() { "❚❚" } else { "▶" }}
            </button>
        }
    };
    let select = view! {
        <label class="field field-year">
            <span>"Jahr"</span>
            <select class="year" data-testid="year-select" on:change=move |event| {
                if let Ok(year) = event_target_value(&event).parse() { on_year.run(year) }
            }>
                {options}
            </select>
        </label>
    };
    let slider = move |with_play: bool| {
        view! {
            <div class="field year-slider">
                <label for="year-slider">{move || format!("Zeitleiste: {}", current.get().map(label).unwrap_or_default())}</label>
                <div class="slider-row">
                    {with_play.then(play_button)}
                    <input id="year-slider" type="range" data-testid="year-slider"
                        min="0" max=n_years.saturating_sub(1) step="1"
                        prop:value=move || index_of(current.get()).to_string()
                        aria-valuetext=move || current.get().map(label).unwrap_or_default()
                        on:change=move |event| {
                            let year = event_target_value(&event)
                                .parse::<usize>()
                                .ok()
                                .and_then(|idx| years.with_value(|years| years.get(idx).copied()));
                            if let Some(year) = year { on_year.run(year) }
                        }/>
                </div>
            </div>
        }
    };
    match part {
        YearPart::Full => view! { {select}{slider(true)} }.into_any(),
        YearPart::Pick => view! { <div class="year-pick">{select}{play_button()}</div> }.into_any(),
        YearPart::Slider => slider(false).into_any(),
    }
}

fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|window| {
            window
                .match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|query| query.matches())
}

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
