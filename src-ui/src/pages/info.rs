//! "Über die App" (version, data Stand, licences, contact) and the "Erklärung zur
//! Barrierefreiheit" that BITV 2.0 § 7 asks of a public body's apps.

use fokus_model::api::ChangesQuery;
use fokus_model::ipc::ChangesSince;
use leptos::prelude::*;

use crate::app::use_app;
use crate::format;

/// The app's version, from the workspace.
const VERSION: &str = env!("CARGO_PKG_VERSION");

fn contact_line() -> impl IntoView {
    let app = use_app();
    move || {
        let contact = app
            .dataset
            .get()
            .map(|dataset| dataset.contact)
            .filter(|contact| !contact.is_empty());
        match contact {
            Some(contact) => view! { <p data-testid="contact">{contact}</p> }.into_any(),
            None => view! { <p data-testid="contact">"Bitte wenden Sie sich an die Sozialplanung Ihres Kreises."</p> }.into_any(),
        }
    }
}

#[component]
pub fn UeberPage() -> impl IntoView {
    let app = use_app();
    let backend = app.backend;
    let changes = LocalResource::new(move || {
        app.data_version.track();
        async move {
            backend
                .call::<ChangesSince>(ChangesQuery {
                    since: u64::MAX >> 1,
                })
                .await
        }
    });
    let stand = move || {
        let changes = changes.get()?.ok()?;
        Some(format!(
            "Datenstand: {} (Revision {})",
            changes
                .data_stand
                .map_or_else(|| "noch keine Daten".to_owned(), format::date),
            changes.revision
        ))
    };
    let dataset = move || {
        app.dataset.get().map(|dataset| {
            let demo = dataset
                .demo
                .then_some(" – Demodaten, keine amtliche Statistik");
            format!("{}{}", dataset.title, demo.unwrap_or_default())
        })
    };
    view! {
        <h1 class="page-title">"Über die App"</h1>
        <section class="card prose">
            <p><strong>"FOKUS"</strong>{format!(" – Version {VERSION}")}</p>
            <p>{dataset}</p>
            <p data-testid="about-stand">{stand}</p>
            <p>"Die App zeigt den Sozialbericht, den Fokusbericht, die Handlungsempfehlungen und weitere Unterlagen der Sozialplanung. Sie hält alles auf diesem Gerät vor und funktioniert ohne Netz; neue Daten holt sie vom Server des Kreises. Es werden keine Daten an Dritte übertragen, es gibt keine Analyse- oder Werbedienste. Notizen und Sitzungsmappen bleiben auf diesem Gerät."</p>
            <h2>"Kontakt und Rückmeldungen"</h2>
            {contact_line()}
            <h2>"Lizenzen"</h2>
            <ul data-testid="licences">
                <li>"Diese App: European Union Public Licence 1.2 (EUPL-1.2)."</li>
                <li>"Diagramme: Apache ECharts, Apache License 2.0, © The Apache Software Foundation."</li>
                <li>"Schrift: Atkinson Hyperlegible, SIL Open Font License 1.1, © Braille Institute of America."</li>
                <li>
                    "Karten: "
                    {move || app.dataset.get().map(|dataset| dataset.geodata_attribution).filter(|text| !text.is_empty()).unwrap_or_else(|| "© GeoBasis-DE / BKG (Daten verändert), dl-de/by-2-0".into())}
                    " – Datenlizenz Deutschland – Namensnennung – Version 2.0 ("
                    <a href="https://www.govdata.de/dl-de/by-2-0">"www.govdata.de/dl-de/by-2-0"</a>
                    ")."
                </li>
                {move || app.dataset.get().map(|dataset| dataset.population_attribution).filter(|text| !text.is_empty()).map(|text| view! { <li>{format!("Bevölkerung: {text}.")}</li> })}
            </ul>
        </section>
    }
}

#[component]
pub fn BarrierefreiheitPage() -> impl IntoView {
    view! {
        <h1 class="page-title">"Erklärung zur Barrierefreiheit"</h1>
        <section class="card prose">
            <p>"Die Sozialplanung ist bemüht, diese App im Einklang mit der Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) und der europäischen Norm EN 301 549 (entspricht WCAG 2.1, Stufe AA) barrierefrei zugänglich zu machen."</p>
            <h2>"Stand der Vereinbarkeit"</h2>
            <p>"Die App ist mit den Anforderungen "<strong>"teilweise vereinbar"</strong>". Bei jeder Änderung prüft ein automatischer Test alle Seiten mit axe-core auf Verstöße gegen WCAG 2.1 A und AA, im hellen und im dunklen Erscheinungsbild, am Desktop und in beiden Tablet-Lagen; er findet derzeit keine. Eine Prüfung durch Menschen mit Assistenztechnik steht noch aus."</p>
            <h2>"Was die App bietet"</h2>
            <ul>
                <li>"Bedienung vollständig mit der Tastatur; ein sichtbarer Fokus; „Zum Inhalt springen“; nach einem Seitenwechsel steht der Fokus auf der Überschrift."</li>
                <li>"Jede Karte und jedes Diagramm auch als Tabelle; Farben nie als einziges Merkmal (Muster für geheim gehaltene Werte, Text bei Ampeln und Änderungen)."</li>
                <li>"Helles und dunkles Erscheinungsbild, Textgröße bis 200 % (Einstellungen), die Schriftgröße des Systems wird übernommen; keine Animationen."</li>
                <li>"Das Erklärvideo hat Untertitel und daneben eine Abschrift zum Lesen."</li>
            </ul>
            <h2>"Nicht barrierefreie Inhalte"</h2>
            <ul>
                <li>"Die Karte lässt sich mit der Tastatur bedienen, Bildschirmleser erhalten ihre Werte aber vollständiger über die Tabelle."</li>
                <li>"Die PDF-Dateien der Demodaten sind getaggt (Titel, Sprache, Überschrift und Absätze), aber nicht nach PDF/UA geprüft; die Seite „Dokumente“ beschreibt jede Datei zusätzlich mit Titel, Zusammenfassung, Art und Größe. PDF-Dateien, die ein Kreis selbst veröffentlicht, prüft die App nicht."</li>
            </ul>
            <h2>"Barrieren melden: Kontakt"</h2>
            <p>"Sind Ihnen Mängel beim barrierefreien Zugang aufgefallen? Schreiben Sie uns:"</p>
            {contact_line()}
            <h2>"Schlichtungsverfahren"</h2>
            <p>"Wenn auch nach Ihrer Rückmeldung keine zufriedenstellende Lösung gefunden wurde, können Sie sich an die Schlichtungsstelle nach § 16 BGG beim Beauftragten der Bundesregierung für die Belange von Menschen mit Behinderungen wenden oder an die für Ihr Land zuständige Durchsetzungs- und Ombudsstelle (in Schleswig-Holstein: die Beschwerdestelle für barrierefreie Informationstechnik bei der Landesbeauftragten für Menschen mit Behinderung)."</p>
        </section>
    }
}
