//! A table too wide for the screen scrolls sideways inside its box, and says so: a line above
//! it while columns are hidden, and its right edge fading out until the last column is in view.
//! Keyboard users reach it (it is focusable, WCAG 2.1.1), screen readers hear its name.

use leptos::html::Div;
use leptos::prelude::*;

#[component]
pub fn ScrollTable(
    /// What the table is, for screen readers ("Ampel-Tabelle").
    label: String,
    children: Children,
) -> impl IntoView {
    let container = NodeRef::<Div>::new();
    // Whether columns are out of view to the right, and whether any are to the left.
    let more_right = RwSignal::new(false);
    // `try_`: a frame requested just before the table left the page finds it gone.
    let check = move || {
        if let Some(element) = container.try_get_untracked().flatten() {
            let hidden = element.scroll_width() - element.client_width();
            more_right.try_set(hidden > 1 && element.scroll_left() < hidden - 1);
        }
    };
    // After the first paint (the table's width is known only then), on every resize or turn of
    // the tablet, and while it scrolls.
    Effect::new(move |_| {
        if container.get().is_some() {
            request_animation_frame(check);
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| check());
    on_cleanup(move || resize.remove());
    view! {
        <p class="scroll-hint" aria-hidden="true" hidden=move || !more_right.get() data-testid="scroll-hint">
            "Weitere Spalten: Tabelle seitlich verschieben →"
        </p>
        <div class="table-scroll" class:more-right=move || more_right.get() tabindex="0" role="region"
            aria-label=format!("{label}, seitlich verschiebbar") node_ref=container on:scroll=move |_| check()>
            {children()}
        </div>
    }
}
