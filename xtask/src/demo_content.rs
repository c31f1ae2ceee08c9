//! Builds the demo content folder at build time: the authored Markdown and captions from
//! `assets/demo-content`, plus the media generated here: two PDF documents (pdf-writer) and a
//! short explainer video (ffmpeg, VP8/WebM). The server publishes the result with
//! `fokus-server demo --content target/demo-content`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

use crate::{root, sh, target_dir};

/// Where the built folder goes.
pub fn content_dir() -> PathBuf {
    target_dir().join("demo-content")
}

pub fn build() -> Result<PathBuf> {
    let source = root().join("assets/demo-content");
    let out = content_dir();
    copy_tree(&source, &out)?;
    write_pdf(
        &out.join("dokumente/methodik.pdf"),
        "Methodik des Sozialberichts (Demo)",
        &methodik_lines(),
    )?;
    write_pdf(
        &out.join("dokumente/gebietsgliederung.pdf"),
        "Gebietsgliederung des Kreises Pinneberg",
        &gebiete_lines()?,
    )?;
    let video = out.join("video/erklaervideo.webm");
    // Encoding takes a few seconds; the video only changes when this file does.
    if !video.exists() {
        render_video(&video)?;
    }
    Ok(out)
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

fn methodik_lines() -> Vec<String> {
    [
        "Demodokument: für die Vorführung erstellt, keine Veröffentlichung des Kreises.",
        "",
        "1. Quellen",
        "Die Kennzahlen stammen aus der amtlichen Statistik (Statistisches Amt für Hamburg und",
        "Schleswig-Holstein, Bundesagentur für Arbeit, Statistisches Bundesamt) und aus den",
        "Fachdiensten des Kreises. Jede Kennzahl nennt ihre Quelle, ihren Zähler und ihren Nenner.",
        "",
        "2. Gebiete",
        "Berichtet wird für 18 Gebiete: 5 Ämter und 13 amtsfreie Gemeinden. Zum Vergleich stehen",
        "der Kreis, das Land Schleswig-Holstein und der Bund daneben.",
        "",
        "3. Geheimhaltung",
        "Werte, die auf weniger als drei Fällen beruhen, werden nicht veröffentlicht. In Tabellen",
        "steht dann „x“ (geheim gehalten), bei fehlenden Werten „.“ (keine Daten).",
        "",
        "4. Aktualisierung",
        "Die Werte werden jährlich aus dem BI-System des Kreises übernommen. Jede Übernahme ist",
        "eine Revision; die App lädt nur, was sich geändert hat.",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect()
}

/// The 49 Gemeinden and their Amt, from the bundled Zensus table.
fn gebiete_lines() -> Result<Vec<String>> {
    let table = std::fs::read_to_string(root().join("assets/geo/gemeinden.csv"))
        .context("reading assets/geo/gemeinden.csv")?;
    let mut lines = vec![
        "Gemeinde – Amt bzw. amtsfrei – Einwohner (Zensus 2022)".to_owned(),
        String::new(),
    ];
    for row in table.lines().skip(1) {
        let fields: Vec<&str> = row.splitn(7, ',').collect();
        if let [_, _, name, amt, population, ..] = fields.as_slice() {
            lines.push(format!("{name} – {amt} – {population}"));
        }
    }
    lines.push(String::new());
    lines.push(
        "Quelle: Zensus 2022, Statistische Ämter des Bundes und der Länder; dl-de/by-2-0.".into(),
    );
    Ok(lines)
}

/// Text for a PDF standard font: WinAnsiEncoding covers German (ä ö ü ß „ “ – €).
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|character| match character {
            '€' => 0x80,
            '„' => 0x84,
            '–' => 0x96,
            '“' => 0x93,
            '”' => 0x94,
            character if (character as u32) < 0x80 => character as u8,
            character if (0xA0..=0xFF).contains(&(character as u32)) => character as u8,
            _ => b'?',
        })
        .collect()
}

/// A one-page A4 PDF in Helvetica: a title and lines of text, tagged for assistive technology
/// (BITV 2.0 asks it of a public body's PDFs): the document's language and title, marked content
/// and a structure tree of a heading and one paragraph per line, so a screen reader reads it in
/// order and knows the heading.
fn write_pdf(path: &Path, title: &str, lines: &[String]) -> Result<()> {
    const LEADING: f32 = 12.5;
    if lines.len() as f32 * LEADING > 700.0 {
        bail!("{}: too many lines for one page", path.display());
    }
    let catalog_id = Ref::new(1);
    let page_tree_id = Ref::new(2);
    let page_id = Ref::new(3);
    let font_id = Ref::new(4);
    let bold_id = Ref::new(5);
    let content_id = Ref::new(6);
    let info_id = Ref::new(7);
    let struct_root_id = Ref::new(8);
    let document_id = Ref::new(9);
    let parent_array_id = Ref::new(10);
    let heading_id = Ref::new(11);
    // One paragraph element per line with text; its marked-content id is its place in this list.
    let texts: Vec<&String> = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let paragraph_ids: Vec<Ref> = (0..texts.len())
        .map(|index| Ref::new(12 + index as i32))
        .collect();
    let regular = Name(b"F1");
    let bold = Name(b"F2");
    let mut pdf = Pdf::new();
    {
        let mut catalog = pdf.catalog(catalog_id);
        catalog.pages(page_tree_id);
        catalog.lang(pdf_writer::TextStr("de-DE"));
        catalog.mark_info().marked(true);
        catalog.viewer_preferences().display_doc_title(true);
        catalog.pair(Name(b"StructTreeRoot"), struct_root_id);
    }
    {
        let mut root = pdf
            .indirect(struct_root_id)
            .start::<pdf_writer::writers::StructTreeRoot>();
        root.child(document_id);
        root.parent_tree().nums().insert(0, parent_array_id);
        root.parent_tree_next_key(1);
    }
    pdf.struct_element(document_id)
        .kind(pdf_writer::types::StructRole::Document)
        .parent(struct_root_id)
        .children()
        .items(std::iter::once(heading_id).chain(paragraph_ids.iter().copied()));
    pdf.struct_element(heading_id)
        .kind(pdf_writer::types::StructRole::H1)
        .parent(document_id)
        .page(page_id)
        .children()
        .marked_content_id(0);
    for (index, id) in paragraph_ids.iter().enumerate() {
        pdf.struct_element(*id)
            .kind(pdf_writer::types::StructRole::P)
            .parent(document_id)
            .page(page_id)
            .children()
            .marked_content_id(index as i32 + 1);
    }
    pdf.indirect(parent_array_id)
        .array()
        .items(std::iter::once(heading_id).chain(paragraph_ids.iter().copied()));
    pdf.pages(page_tree_id).kids([page_id]).count(1);
    let mut page = pdf.page(page_id);
    page.media_box(Rect::new(0.0, 0.0, 595.0, 842.0))
        .parent(page_tree_id)
        .contents(content_id)
        .struct_parents(0);
    page.resources()
        .fonts()
        .pair(regular, font_id)
        .pair(bold, bold_id);
    page.finish();
    for (id, base) in [(font_id, "Helvetica"), (bold_id, "Helvetica-Bold")] {
        pdf.type1_font(id)
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.document_info(info_id)
        .title(pdf_writer::TextStr(title))
        .author(pdf_writer::TextStr("FOKUS Demo"));
    let mut content = Content::new();
    content.begin_text();
    content.set_font(bold, 16.0);
    content.next_line(60.0, 780.0);
    content
        .begin_marked_content_with_properties(Name(b"H1"))
        .properties()
        .identify(0);
    content.show(Str(&win_ansi(title)));
    content.end_marked_content();
    content.set_font(regular, 10.0);
    content.set_leading(LEADING);
    content.next_line(0.0, -30.0);
    let mut mcid = 0;
    for line in lines {
        if !line.trim().is_empty() {
            mcid += 1;
            content
                .begin_marked_content_with_properties(Name(b"P"))
                .properties()
                .identify(mcid);
            content.show(Str(&win_ansi(line)));
            content.end_marked_content();
        }
        content.next_line_using_leading();
    }
    content.end_text();
    pdf.stream(content_id, &content.finish());
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, pdf.finish()).with_context(|| format!("writing {}", path.display()))
}

/// Slides of the explainer video: (seconds from, seconds to, text). The captions in
/// `erklaervideo.vtt` say the same in full sentences.
const SLIDES: [(u32, u32, &str); 4] = [
    (0, 4, "FOKUS PI\nDer Sozialbericht\ndes Kreises Pinneberg"),
    (4, 8, "1. Kennzahl wählen"),
    (8, 12, "2. Gebiet antippen"),
    (12, 16, "3. Vergleichen –\nauch ohne Netz"),
];

fn render_video(out: &Path) -> Result<()> {
    let font = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
    if !Path::new(font).exists() {
        bail!("{font} is missing (Debian package fonts-dejavu-core)");
    }
    let scratch = target_dir().join("demo-content-build");
    std::fs::create_dir_all(&scratch)?;
    let mut filters = Vec::new();
    for (index, (from, to, text)) in SLIDES.iter().enumerate() {
        // Text goes through files: drawtext's own escaping of `:` and `'` is easy to get wrong.
        let text_file = scratch.join(format!("slide-{index}.txt"));
        std::fs::write(&text_file, text)?;
        filters.push(format!(
            "drawtext=fontfile={font}:textfile={}:fontsize=40:line_spacing=12:fontcolor=white:\
             x=(w-text_w)/2:y=(h-text_h)/2:enable='between(t,{from},{to})'",
            text_file.display()
        ));
    }
    let label = scratch.join("label.txt");
    std::fs::write(&label, "DEMO")?;
    filters.push(format!(
        "drawtext=fontfile={font}:textfile={}:fontsize=20:fontcolor=white:x=w-text_w-16:y=16",
        label.display()
    ));
    let partial = out.with_extension("partial.webm");
    sh(
        "ffmpeg",
        &[
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=0x0b4f8a:s=640x360:d=16:r=15",
            "-vf",
            &filters.join(","),
            "-c:v",
            "libvpx",
            "-b:v",
            "200k",
            "-threads",
            "1",
            "-an",
            &partial.display().to_string(),
        ],
    )?;
    std::fs::rename(&partial, out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_pdfs_are_tagged_with_language_title_and_structure() {
        let path = std::env::temp_dir().join(format!("fokus-tagged-{}.pdf", std::process::id()));
        let lines = vec![
            "Erste Zeile".to_owned(),
            String::new(),
            "Zweite Zeile".to_owned(),
        ];
        super::write_pdf(&path, "Methodik", &lines).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        let text = String::from_utf8_lossy(&bytes);
        for expected in [
            "/Lang (de-DE)",
            "/Marked true",
            "/DisplayDocTitle true",
            "/StructTreeRoot 8 0 R",
            "/S /Document",
            "/S /H1",
            "/S /P",
            "/StructParents 0",
            "/H1 <<\n  /MCID 0\n>> BDC",
            "/P <<\n  /MCID 2\n>> BDC",
            "/Title (Methodik)",
        ] {
            assert!(
                text.contains(expected),
                "the PDF says {expected:?}:\n{text}"
            );
        }
        assert!(!text.contains("/MCID 3"), "the empty line is no paragraph");
    }
}
