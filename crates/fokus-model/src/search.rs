//! One search over everything the cache holds: the German folding and stemming both the index
//! and the query go through, the highlighting of a hit, and the wire types of the answer.
//!
//! Text is folded before SQLite's FTS5 sees it (`ä` → `ae`, `ß` → `ss`, lower case), so "Ärzte"
//! and "Aerzte" are the same word. The index keeps whole words; a query word is stemmed (a few
//! German endings cut off) and matched as a prefix, so "Pflegeheim" finds "Pflegeheime" and
//! "Pflegeheimen", and "Kinder" finds "Kindertagesstätte".

use serde::{Deserialize, Serialize};

/// Longest query the search accepts, in characters; longer ones are refused.
pub const MAX_INPUT_CHARS: usize = 400;
/// Characters of a query the search reads; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 200;
/// Words of a query beyond this are ignored.
pub const MAX_TERMS: usize = 8;
/// Hits per kind in one answer.
pub const HITS_PER_KIND: usize = 10;

/// Lower case with umlauts written out and `ß` as `ss`: the one spelling the index and the
/// query share. Other letters keep their accents here; FTS5 removes those.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len() + 8);
    for character in text.chars() {
        match character {
            'ä' | 'Ä' => folded.push_str("ae"),
            'ö' | 'Ö' => folded.push_str("oe"),
            'ü' | 'Ü' => folded.push_str("ue"),
            'ß' | 'ẞ' => folded.push_str("ss"),
            other => folded.extend(other.to_lowercase()),
        }
    }
    folded
}

/// A folded word with a common German ending cut off, so the stem matches the other forms as a
/// prefix. Short words stay whole ("sgb", "kita").
pub fn stem(word: &str) -> &str {
    const ENDINGS: [&str; 7] = ["ern", "en", "er", "es", "e", "n", "s"];
    for ending in ENDINGS {
        if let Some(stem) = word.strip_suffix(ending) {
            if stem.chars().count() >= 4 {
                return stem;
            }
        }
    }
    word
}

/// The stems a query searches for: its folded words (letters and digits), at most
/// [`MAX_TERMS`], without repeats.
pub fn terms(query: &str) -> Vec<String> {
    let folded = fold(&query.chars().take(MAX_QUERY_CHARS).collect::<String>());
    let mut terms: Vec<String> = Vec::new();
    for word in folded
        .split(|character: char| !character.is_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        let stem = stem(word).to_owned();
        if !terms.contains(&stem) {
            terms.push(stem);
        }
        if terms.len() == MAX_TERMS {
            break;
        }
    }
    terms
}

/// A piece of shown text, marked where it matched the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Fragment {
    pub text: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hit: bool,
}

/// Stems at least this long also match inside a word: German joins words, so "Armut" finds
/// "Kinderarmut" and "Pflege" finds "Tagespflege". Shorter ones ("sgb", "kita") would match too
/// much in the middle of words and stay prefixes.
pub const INFIX_MIN_CHARS: usize = 4;

/// Whether a folded stem matches a folded word: at its start, or inside it when long enough.
pub fn stem_matches(folded_word: &str, term: &str) -> bool {
    folded_word.starts_with(term)
        || (term.chars().count() >= INFIX_MIN_CHARS && folded_word.contains(term))
}

/// Whether a word of the text matches one of the stems (letters of other accents ignored the
/// way FTS5 ignores them).
fn word_matches(word: &str, terms: &[String]) -> bool {
    let folded = fold(word);
    terms.iter().any(|term| stem_matches(&folded, term))
}

/// Splits `text` into words and the characters between them, keeping every character.
fn words(text: &str) -> Vec<(&str, bool)> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut in_word = false;
    for (index, character) in text.char_indices() {
        let is_word = character.is_alphanumeric();
        if index > start && is_word != in_word {
            pieces.push((&text[start..index], in_word));
            start = index;
        }
        in_word = is_word;
    }
    if start < text.len() {
        pieces.push((&text[start..], in_word));
    }
    pieces
}

/// The whole of `text` with every matching word marked.
pub fn highlight(text: &str, terms: &[String]) -> Vec<Fragment> {
    let mut fragments: Vec<Fragment> = Vec::new();
    for (piece, is_word) in words(text) {
        let hit = is_word && word_matches(piece, terms);
        match fragments.last_mut() {
            Some(last) if last.hit == hit => last.text.push_str(piece),
            _ => fragments.push(Fragment {
                text: piece.to_owned(),
                hit,
            }),
        }
    }
    fragments
}

/// A passage of `text` around its first match, about `width` words long, with "…" where it was
/// cut; the beginning of the text when nothing in it matched.
pub fn snippet(text: &str, terms: &[String], width: usize) -> Vec<Fragment> {
    let pieces = words(text);
    let word_positions: Vec<usize> = pieces
        .iter()
        .enumerate()
        .filter(|(_, (_, is_word))| *is_word)
        .map(|(index, _)| index)
        .collect();
    let first_hit = word_positions
        .iter()
        .position(|&index| word_matches(pieces[index].0, terms))
        .unwrap_or(0);
    let first_word = first_hit.saturating_sub(width / 3);
    let last_word = (first_word + width).min(word_positions.len());
    if word_positions.is_empty() {
        return Vec::new();
    }
    let from = word_positions[first_word];
    let to = word_positions[last_word.saturating_sub(1).max(first_word)];
    let mut passage = String::new();
    if first_word > 0 {
        passage.push_str("… ");
    }
    for (piece, _) in &pieces[from..=to] {
        passage.push_str(piece);
    }
    if last_word < word_positions.len() {
        passage.push_str(" …");
    }
    highlight(&passage, terms)
}

/// What a hit is, in the order the results show the groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    Kennzahl,
    Gebiet,
    Kapitel,
    Empfehlung,
    Newsletter,
    Dokument,
    Video,
}

impl HitKind {
    pub const ALL: [HitKind; 7] = [
        HitKind::Kennzahl,
        HitKind::Gebiet,
        HitKind::Kapitel,
        HitKind::Empfehlung,
        HitKind::Newsletter,
        HitKind::Dokument,
        HitKind::Video,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HitKind::Kennzahl => "kennzahl",
            HitKind::Gebiet => "gebiet",
            HitKind::Kapitel => "kapitel",
            HitKind::Empfehlung => "empfehlung",
            HitKind::Newsletter => "newsletter",
            HitKind::Dokument => "dokument",
            HitKind::Video => "video",
        }
    }

    pub fn parse(text: &str) -> Option<HitKind> {
        HitKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// The group's heading.
    pub fn label_de(self) -> &'static str {
        match self {
            HitKind::Kennzahl => "Kennzahlen",
            HitKind::Gebiet => "Gebiete",
            HitKind::Kapitel => "Fokusbericht",
            HitKind::Empfehlung => "Handlungsempfehlungen",
            HitKind::Newsletter => "Newsletter",
            HitKind::Dokument => "Dokumente",
            HitKind::Video => "Video",
        }
    }

    pub fn of_content(kind: crate::content::ContentKind) -> HitKind {
        use crate::content::ContentKind;
        match kind {
            ContentKind::Kapitel => HitKind::Kapitel,
            ContentKind::Empfehlung => HitKind::Empfehlung,
            ContentKind::Newsletter => HitKind::Newsletter,
            ContentKind::Dokument => HitKind::Dokument,
            ContentKind::Video => HitKind::Video,
        }
    }
}

/// One found item: an indicator, an area or a content item, with the matches marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Hit {
    /// The indicator's, area's or content item's id.
    pub id: String,
    pub title: Vec<Fragment>,
    /// A passage of its text around the first match.
    pub snippet: Vec<Fragment>,
    /// The report year of a Fokusbericht chapter, so the hit opens that year's report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<u16>,
}

/// The hits of one kind, best first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HitGroup {
    pub kind: HitKind,
    /// How many of this kind matched; `hits` holds at most [`HITS_PER_KIND`].
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// The answer to a search: groups in [`HitKind`] order, only those with hits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SearchResults {
    /// The stems searched for, after folding.
    pub terms: Vec<String>,
    pub groups: Vec<HitGroup>,
    /// An area the query named beside other words ("Elmshorn SGB-II"): the indicator hits are
    /// for this area, and open its view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<AreaRef>,
}

/// An area by id, name and level, as a search names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AreaRef {
    pub id: String,
    pub name: String,
    pub kind: crate::AreaKind,
}

/// Where in `query_terms` the words of an area's name stand, one after another: the stems of
/// the name (as [`terms`] makes them) in that order. Returns the remaining terms when the area
/// is found and something else was asked for too.
pub fn without_area(query_terms: &[String], area_name: &str) -> Option<Vec<String>> {
    let name_terms = terms(area_name);
    if name_terms.is_empty() || name_terms.len() >= query_terms.len() {
        return None;
    }
    let start = query_terms
        .windows(name_terms.len())
        .position(|window| window == name_terms.as_slice())?;
    let mut rest = query_terms.to_vec();
    rest.drain(start..start + name_terms.len());
    Some(rest)
}

/// Plain text of sanitised HTML (as content bodies are stored): tags dropped, block ends as
/// spaces, the entities a sanitiser writes decoded.
pub fn html_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for character in html.chars() {
        match character {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(character),
            _ => {}
        }
    }
    crate::directive::unescape(&text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(fragments: &[Fragment]) -> String {
        fragments
            .iter()
            .map(|fragment| {
                if fragment.hit {
                    format!("[{}]", fragment.text)
                } else {
                    fragment.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn umlauts_and_sharp_s_fold_to_their_spelled_out_forms() {
        assert_eq!(fold("Ärzte"), fold("Aerzte"));
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("ÖFFENTLICH Übergänge"), "oeffentlich uebergaenge");
    }

    #[test]
    fn stems_match_other_forms_as_prefixes() {
        for (query, text) in [
            ("Pflegeheim", "Pflegeheime"),
            ("Pflegeheime", "Pflegeheimen"),
            ("Kinder", "Kindertagesstätte"),
            ("Alleinerziehende", "Alleinerziehenden"),
            ("Ärzte", "Aerzten"),
        ] {
            let terms = terms(query);
            assert!(
                fold(text).starts_with(&terms[0]),
                "{query} ({terms:?}) finds {text}"
            );
        }
        assert_eq!(terms("SGB II"), ["sgb", "ii"], "short words stay whole");
        assert_eq!(terms("Kita, Kita!"), ["kita"], "no repeats");
        assert!(terms(" \t<>\"*").is_empty(), "no words, no terms");
        assert_eq!(terms("a b c d e f g h i j k").len(), MAX_TERMS);
    }

    #[test]
    fn matches_are_marked_and_every_character_is_kept() {
        let terms = terms("pflegeheim");
        let text = "Zwei Pflegeheime, ein Pflegeheim-Neubau; keine Pflege.";
        let fragments = highlight(text, &terms);
        assert_eq!(
            marked(&fragments),
            "Zwei [Pflegeheime], ein [Pflegeheim]-Neubau; keine Pflege."
        );
        let joined: String = fragments
            .iter()
            .map(|fragment| fragment.text.as_str())
            .collect();
        assert_eq!(joined, text);
    }

    #[test]
    fn a_snippet_shows_the_passage_around_the_first_match() {
        let text = (1..=50)
            .map(|n| format!("wort{n}"))
            .chain(["Tagespflege".to_owned()])
            .chain((51..=100).map(|n| format!("wort{n}")))
            .collect::<Vec<_>>()
            .join(" ");
        let shown = marked(&snippet(&text, &terms("tagespflege"), 12));
        assert!(shown.starts_with("… "), "{shown}");
        assert!(shown.ends_with(" …"), "{shown}");
        assert!(shown.contains("[Tagespflege]"), "{shown}");
        assert_eq!(marked(&snippet("kurz", &terms("nichts"), 12)), "kurz");
        assert!(snippet("", &terms("x"), 12).is_empty());
    }

    #[test]
    fn html_becomes_readable_text() {
        assert_eq!(
            html_text("<h2>Pflege</h2><p>Mehr &amp; bessere <em>Plätze</em>&lt;3</p>"),
            "Pflege Mehr & bessere Plätze <3"
        );
    }

    #[test]
    fn long_stems_match_inside_compounds_short_ones_only_at_the_start() {
        let armut = terms("Armut");
        let marked: Vec<String> = highlight("Kinderarmut und Altersarmut, nicht Arm", &armut)
            .into_iter()
            .filter(|fragment| fragment.hit)
            .map(|fragment| fragment.text)
            .collect();
        assert_eq!(
            marked,
            ["Kinderarmut", "Altersarmut"],
            "the compounds are marked whole"
        );
        assert!(stem_matches("sgbii", "sgb"), "a short stem as a prefix");
        assert!(!stem_matches("asgb", "sgb"), "but not inside a word");
    }

    #[test]
    fn highlights_keep_the_spaces_around_them() {
        let text: String = highlight("Pflege durch Angehörige", &terms("Pflege"))
            .into_iter()
            .map(|fragment| fragment.text)
            .collect();
        assert_eq!(
            text, "Pflege durch Angehörige",
            "nothing between the fragments is lost"
        );
    }

    #[test]
    fn an_area_named_beside_other_words_is_taken_out_of_the_query() {
        let cases: [(&str, &str, Option<&[&str]>); 5] = [
            ("Elmshorn SGB-II", "Elmshorn", Some(&["sgb", "ii"])),
            (
                "SGB II Elmshorn-Land",
                "Elmshorn-Land",
                Some(&["sgb", "ii"]),
            ),
            ("Elmshorn", "Elmshorn", None),
            ("Elmshorn-Land Pflege", "Elmshorn", Some(&["land", "pfleg"])),
            ("Pflege Wedel", "Elmshorn", None),
        ];
        for (query, area, rest) in cases {
            let expected = rest.map(|rest| {
                rest.iter()
                    .map(|term| (*term).to_owned())
                    .collect::<Vec<_>>()
            });
            assert_eq!(
                without_area(&terms(query), area),
                expected,
                "{query} with {area}"
            );
        }
    }
}
