//! The editorial pages: Fokusbericht, Handlungsempfehlungen, newsletters, documents and the
//! explainer video. All read published content from the backend (the cache in the app); the HTML
//! bodies were rendered from Markdown and sanitised on the server.

use fokus_model::api::{ApiError, ContentQuery};
use fokus_model::content::{
    ContentDetails, ContentItem, ContentKind, MediaKey, MediaRef, MediaRole,
};
use fokus_model::ipc::ContentList;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::use_app;
use crate::backend::Backend;
use crate::components::merken::Merken;
use crate::format;
use crate::pages::sozialbericht::{Explorer, BESIDE_KEY};
use crate::pages::uebersicht::content_path;
use fokus_model::personal::Subject;

/// The published items of one kind, reloaded whenever new data arrives.
fn content_of(kind: ContentKind) -> LocalResource<Result<Vec<ContentItem>, ApiError>> {
    let app = use_app();
    let backend = app.backend;
    let data_version = app.data_version;
    LocalResource::new(move || {
        data_version.track();
        async move {
            backend
                .call::<ContentList>(ContentQuery { kind: Some(kind) })
                .await
        }
    })
}

/// Loading, error and empty states around a list of items. Once the items are drawn, a
/// `#section` in the address (a link from the start page, the Merkliste or a Sitzungsmappe)
/// scrolls to its item and puts the focus on it.
fn with_items(
    resource: LocalResource<Result<Vec<ContentItem>, ApiError>>,
    empty: &'static str,
    render: impl Fn(Vec<ContentItem>) -> AnyView + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    Effect::new(move |scrolled_to: Option<String>| {
        let target = location.hash.get();
        let loaded = resource.with(|items| matches!(items, Some(Ok(_))));
        if loaded && scrolled_to.as_deref() != Some(target.as_str()) {
            let id = target.trim_start_matches('#').to_owned();
            request_animation_frame(move || scroll_to(&id));
            return target;
        }
        scrolled_to.unwrap_or_default()
    });
    move || match resource.get() {
        None => view! { <p class="loading">"Lade …"</p> }.into_any(),
        Some(Err(error)) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
        Some(Ok(items)) if items.is_empty() => {
            view! { <p class="notice" data-testid="content-empty">{empty}</p> }.into_any()
        }
        Some(Ok(items)) => render(items),
    }
}

/// Scrolls the element with `id` into view and focuses it.
fn scroll_to(id: &str) {
    use wasm_bindgen::JsCast;
    if id.is_empty() {
        return;
    }
    let element = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        element.scroll_into_view();
        let _ = element.focus();
    }
}

fn body(item: &ContentItem) -> impl IntoView {
    view! { <div class="prose" inner_html=item.body_html.clone()></div> }
}

/// A text page with the explorer beside it (split view, from 1024 px): "Karte daneben" opens it,
/// "Schließen" closes it; what it shows lives in the page's address like any explorer view.
#[component]
fn Beside(children: Children) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let navigate = leptos_router::hooks::use_navigate();
    let open = Memo::new(move |_| location.search.get().contains(&format!("{BESIDE_KEY}=")));
    let toggle = move |_| {
        let path = location.pathname.get_untracked();
        let target = if open.get_untracked() {
            path
        } else {
            format!("{path}?{BESIDE_KEY}=karte")
        };
        navigate(
            &target,
            leptos_router::NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    };
    view! {
        <p class="split-toggle">
            <button class="button secondary" aria-pressed=move || open.get().to_string() on:click=toggle data-testid="split-toggle">
                {move || if open.get() { "Karte daneben schließen" } else { "Karte daneben" }}
            </button>
        </p>
        <div class="split" class:split-open=move || open.get()>
            <div class="split-text">{children()}</div>
            <Show when=move || open.get()>
                <aside class="split-side card" aria-label="Sozialbericht daneben" data-testid="split-side">
                    <Explorer beside=true/>
                </aside>
            </Show>
        </div>
    }
}

#[component]
pub fn FokusberichtPage() -> impl IntoView {
    let chapters = content_of(ContentKind::Kapitel);
    let render = |mut items: Vec<ContentItem>| {
        let key = |item: &ContentItem| match item.details {
            ContentDetails::Kapitel { year, chapter } => (std::cmp::Reverse(year), chapter),
            _ => (std::cmp::Reverse(0), 0),
        };
        items.sort_by_key(key);
        let latest_year = items.first().map(|item| key(item).0 .0).unwrap_or_default();
        let toc = items
            .iter()
            .map(|item| {
                let anchor = format!("#{}", anchor_of(&item.id));
                view! { <li><a href=anchor>{item.title.clone()}</a></li> }
            })
            .collect_view();
        let chapters = items
            .iter()
            .map(|item| {
                let number = match item.details {
                    ContentDetails::Kapitel { chapter, .. } => format!("Kapitel {chapter}"),
                    _ => String::new(),
                };
                view! {
                    <article class="card chapter" id=anchor_of(&item.id) tabindex="-1" data-testid="chapter">
                        <div class="card-head">
                            <p class="eyebrow">{number}</p>
                            <Merken path=content_path(item.kind(), &item.id) title=format!("Fokusbericht: {}", item.title)
                                subject=Some(Subject::Content(item.id.clone()))/>
                        </div>
                        <h2>{item.title.clone()}</h2>
                        <p class="lead">{item.summary.clone()}</p>
                        {body(item)}
                    </article>
                }
            })
            .collect_view();
        view! {
            <h1 class="page-title">{format!("Fokusbericht {latest_year}")}</h1>
            <p class="hint">"Wofür die Sozialausgaben eingesetzt werden – jährlich von der Sozialplanung."</p>
            <nav class="card toc" aria-label="Kapitel">
                <h2>"Inhalt"</h2>
                <ol>{toc}</ol>
            </nav>
            {chapters}
        }
        .into_any()
    };
    view! {
        <Beside>{with_items(chapters, "Noch kein Fokusbericht veröffentlicht.", render)}</Beside>
    }
}

/// An HTML id from a content id (`fokusbericht/2025/01-einleitung` → `fokusbericht-2025-01-einleitung`).
pub fn anchor_of(id: &str) -> String {
    id.replace(['/', '.'], "-")
}

#[component]
pub fn EmpfehlungenPage() -> impl IntoView {
    let recommendations = content_of(ContentKind::Empfehlung);
    let render = |items: Vec<ContentItem>| {
        let cards = items
            .into_iter()
            .map(|item| {
                let ContentDetails::Empfehlung { handlungsfeld, year, history } = item.details.clone() else {
                    return ().into_any();
                };
                let current = history.last().map(|change| change.status);
                let status_class = format!(
                    "status status-{}",
                    current.map_or("offen", |status| status.as_str())
                );
                let status_label = current.map_or("offen", |status| status.label_de());
                let steps = history
                    .iter()
                    .map(|change| {
                        view! {
                            <li>
                                <strong>{format::iso_date(&change.date)}": "</strong>
                                {change.status.label_de()}
                                {(!change.note.is_empty()).then(|| format!(" – {}", change.note))}
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <article class="card recommendation" id=anchor_of(&item.id) tabindex="-1" data-testid="recommendation">
                        <div class="card-head">
                            <p class="eyebrow">{format!("{handlungsfeld} · {year}")}</p>
                            <Merken path=content_path(item.kind(), &item.id) title=format!("Empfehlung: {}", item.title)
                                subject=Some(Subject::Content(item.id.clone()))/>
                        </div>
                        <h2>{item.title.clone()}</h2>
                        <p><span class=status_class data-testid="recommendation-status">{status_label}</span></p>
                        <p class="lead">{item.summary.clone()}</p>
                        {body(&item)}
                        <details class="table-details">
                            <summary>"Verlauf"</summary>
                            <ol class="history">{steps}</ol>
                        </details>
                    </article>
                }
                .into_any()
            })
            .collect_view();
        view! { <div class="cards">{cards}</div> }.into_any()
    };
    view! {
        <h1 class="page-title">"Handlungsempfehlungen"</h1>
        <p class="hint">"Von den Fokusgruppen erarbeitet, mit ihrem aktuellen Stand."</p>
        <Beside>{with_items(recommendations, "Noch keine Handlungsempfehlungen veröffentlicht.", render)}</Beside>
    }
}

#[component]
pub fn NewsletterPage() -> impl IntoView {
    let issues = content_of(ContentKind::Newsletter);
    let render = |items: Vec<ContentItem>| {
        let list = items
            .into_iter()
            .enumerate()
            .map(|(index, item)| {
                view! {
                    <article class="card newsletter" id=anchor_of(&item.id) tabindex="-1" data-testid="newsletter">
                        <details open=index == 0>
                            <summary>
                                <span class="newsletter-title">{item.title.clone()}</span>
                                <span class="date">{format::iso_date(&item.date)}</span>
                            </summary>
                            <p class="lead">{item.summary.clone()}</p>
                            {body(&item)}
                        </details>
                    </article>
                }
            })
            .collect_view();
        view! { <div class="cards">{list}</div> }.into_any()
    };
    view! {
        <h1 class="page-title">"Newsletter"</h1>
        <p class="hint">"Vierteljährlich: was es Neues aus der Sozialplanung gibt."</p>
        {with_items(issues, "Noch kein Newsletter erschienen.", render)}
    }
}

/// A document's file: a button that opens it (app) or a download link (browser).
#[component]
fn FileButton(key: MediaKey, media: MediaRef) -> impl IntoView {
    let app = use_app();
    let problem = RwSignal::new(None::<String>);
    // Type and size before opening: "Methodik.pdf öffnen (PDF, 5 KB)".
    let kind = fokus_model::content::media_type(&media.mime)
        .map(|known| format!("{}, ", known.extension().to_uppercase()))
        .unwrap_or_default();
    let label = format!(
        "{} öffnen ({kind}{})",
        media.name,
        format::bytes(media.size)
    );
    match app.backend {
        Backend::Web => {
            let href = fokus_model::api::blob_path(&media.sha256);
            view! {
                <a class="button secondary" href=href download=media.name.clone() data-testid="document-file">{label}</a>
            }
            .into_any()
        }
        Backend::Tauri => {
            let open = move |_| {
                let key = key.clone();
                spawn_local(async move {
                    problem.set(
                        app.backend
                            .document_open(&key)
                            .await
                            .err()
                            .map(|error| error.message),
                    );
                });
            };
            view! {
                <button class="button secondary" on:click=open data-testid="document-file">{label}</button>
                {move || problem.get().map(|problem| view! { <p class="error" role="alert">{problem}</p> })}
            }
            .into_any()
        }
    }
}

#[component]
pub fn DokumentePage() -> impl IntoView {
    let documents = content_of(ContentKind::Dokument);
    let render = |items: Vec<ContentItem>| {
        let list = items
            .into_iter()
            .map(|item| {
                let category = match &item.details {
                    ContentDetails::Dokument { category } => category.clone(),
                    _ => String::new(),
                };
                let files = item
                    .media
                    .iter()
                    .filter(|media| media.role == MediaRole::File)
                    .map(|media| view! { <FileButton key=item.media_key(media) media=media.clone()/> })
                    .collect_view();
                view! {
                    <article class="card document" id=anchor_of(&item.id) tabindex="-1" data-testid="document">
                        <p class="eyebrow">{format!("{category} · {}", format::iso_date(&item.date))}</p>
                        <h2>{item.title.clone()}</h2>
                        <p class="lead">{item.summary.clone()}</p>
                        {body(&item)}
                        <div class="files">{files}</div>
                    </article>
                }
            })
            .collect_view();
        view! { <div class="cards">{list}</div> }.into_any()
    };
    view! {
        <h1 class="page-title">"Dokumente"</h1>
        <p class="hint">"Grundlagen und Hintergründe zum Sozialbericht."</p>
        {with_items(documents, "Noch keine Dokumente veröffentlicht.", render)}
    }
}

/// One video with its captions. The video file loads only when someone asks for it (unless the
/// settings fetch videos in advance); captions are always there.
#[component]
fn VideoPlayer(item: ContentItem) -> impl IntoView {
    let app = use_app();
    let video = item
        .media
        .iter()
        .find(|media| media.role == MediaRole::Video)
        .map(|media| (item.media_key(media), media.name.clone(), media.size));
    let captions = item
        .media
        .iter()
        .find(|media| media.role == MediaRole::Captions)
        .map(|media| (item.media_key(media), media.name.clone()));
    // The transcript comes from the captions file, which the sync keeps with the documents.
    let transcript_of = captions.clone();
    let sources = RwSignal::new(None::<(String, Option<String>)>);
    let problem = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let size = video.as_ref().map_or(0, |(_, _, size)| *size);
    let load = move |_| {
        let (Some(video), captions) = (video.clone(), captions.clone()) else {
            return;
        };
        loading.set(true);
        spawn_local(async move {
            let (video, video_name, _) = video;
            let video_url = app.backend.playable_url(&video, &video_name).await;
            let captions_url = match &captions {
                Some((captions, name)) => app.backend.playable_url(captions, name).await.ok(),
                None => None,
            };
            match video_url {
                Ok(url) => sources.set(Some((url, captions_url))),
                Err(error) => problem.set(Some(error.message)),
            }
            loading.set(false);
        });
    };
    let transcript = LocalResource::new(move || {
        let captions = transcript_of.clone();
        async move {
            let (key, _) = captions?;
            let url = app.backend.media_url(&key).await.ok()?;
            let text = crate::backend::fetch_text(&url).await.ok()?;
            Some(fokus_model::content::parse_webvtt(&text))
        }
    });
    let transcript_view = move || {
        let cues = transcript.get().flatten()?;
        let rows = cues
            .into_iter()
            .map(|cue| {
                let seconds = cue.start.round() as u64;
                let time = format!("{}:{:02}", seconds / 60, seconds % 60);
                view! { <li><span class="time">{time}</span>" "{cue.text}</li> }
            })
            .collect_view();
        Some(view! {
            <section class="transcript" aria-labelledby="abschrift" data-testid="transcript">
                <h3 id="abschrift">"Abschrift"</h3>
                <ol class="transcript-list">{rows}</ol>
            </section>
        })
    };
    view! {
        <article class="card video" data-testid="video">
            <h2>{item.title.clone()}</h2>
            <p class="lead">{item.summary.clone()}</p>
            <div class="video-layout">
            <div class="video-main">
            {move || match sources.get() {
                Some((video_url, captions_url)) => view! {
                    <video class="player" controls=true preload="metadata" data-testid="video-player" on:loadedmetadata=show_captions>
                        <source src=video_url/>
                        {captions_url.map(|url| view! {
                            <track kind="captions" src=url srclang="de" label="Deutsch" default=true/>
                        })}
                        "Ihr Gerät kann dieses Video nicht abspielen."
                    </video>
                }
                .into_any(),
                None => view! {
                    <button class="button secondary" on:click=load.clone() disabled=move || loading.get() data-testid="video-load">
                        {format!("Video anzeigen ({}, mit Untertiteln)", format::bytes(size))}
                    </button>
                }
                .into_any(),
            }}
            {move || problem.get().map(|problem| view! { <p class="error" role="alert">{problem}</p> })}
            </div>
            {transcript_view}
            </div>
            {body(&item)}
        </article>
    }
}

/// Switches the captions on. Chromium honours `<track default>`, WebKitGTK leaves tracks
/// added after the video element disabled; captions are not optional here (BITV 2.0).
fn show_captions(event: leptos::ev::Event) {
    use wasm_bindgen::JsCast;
    let Some(video) = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::HtmlMediaElement>().ok())
    else {
        return;
    };
    let Some(tracks) = video.text_tracks() else {
        return;
    };
    for index in 0..tracks.length() {
        if let Some(track) = tracks.get(index) {
            track.set_mode(web_sys::TextTrackMode::Showing);
        }
    }
}

#[component]
pub fn VideoPage() -> impl IntoView {
    let videos = content_of(ContentKind::Video);
    let render = |items: Vec<ContentItem>| {
        items
            .into_iter()
            .map(|item| view! { <VideoPlayer item=item/> })
            .collect_view()
            .into_any()
    };
    view! {
        <h1 class="page-title">"Erklärvideo"</h1>
        {with_items(videos, "Noch kein Video veröffentlicht.", render)}
    }
}
