//! The one HTML policy for editorial content. The server applies it when it publishes Markdown;
//! every app applies it again to what a feed brings, so a hostile server or a proxy in between
//! cannot put script, forms, a `<base>` or a redirect into the app's pages.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

/// Links may leave for the web and for mail, both opened outside the app; nothing else.
const URL_SCHEMES: [&str; 3] = ["https", "http", "mailto"];

/// A relative link may point into the page (`#abschnitt`) or at one of the app's own views
/// (`/gebiet?…`); `//host` (another site without a scheme) is no relative link.
fn own_link(url: &str) -> Option<Cow<'_, str>> {
    let own = url.starts_with('#') || (url.starts_with('/') && !url.starts_with("//"));
    (own && !url.contains('\\')).then_some(Cow::Borrowed(url))
}

static POLICY: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut policy = Builder::default();
    policy
        .url_schemes(HashSet::from(URL_SCHEMES))
        .url_relative(UrlRelative::Custom(Box::new(own_link)))
        .link_rel(Some("noopener noreferrer"))
        // Pictures from elsewhere would tell a third party who reads what; the app's CSP
        // blocks them anyway, and the text reads the same without.
        .rm_tags(["img"])
        // Live figures and values (`fokus_model::directive`): their arguments as data, which
        // the app reads and checks like any other input; nothing runs from them.
        .add_tag_attributes("figure", fokus_model::directive::ATTRIBUTES)
        .add_tag_attributes("a", fokus_model::directive::ATTRIBUTES);
    policy
});

/// Cleans `html` to the allow-list: text structure, tables, links (https, http, mailto, the
/// app's own views); no script, style, form, frame, base, meta or event handler survives.
pub fn sanitize(html: &str) -> String {
    POLICY.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn hostile_markup_is_removed_and_text_stays() {
        let cases = [
            ("<p>Text<script>alert(1)</script></p>", "<p>Text</p>"),
            (r#"<p onclick="alert(1)">Text</p>"#, "<p>Text</p>"),
            (
                r#"<meta http-equiv="refresh" content="0;url=https://evil.example">Text"#,
                "Text",
            ),
            (r#"<base href="https://evil.example/">Text"#, "Text"),
            (
                r#"<form action="https://evil.example"><input name="a">Text</form>"#,
                "Text",
            ),
            (
                r#"<a href="javascript:alert(1)">Link</a>"#,
                r#"<a rel="noopener noreferrer">Link</a>"#,
            ),
            (
                r#"<a href="data:text/html,x">Link</a>"#,
                r#"<a rel="noopener noreferrer">Link</a>"#,
            ),
            (
                r#"<a href="//evil.example/x">Link</a>"#,
                r#"<a rel="noopener noreferrer">Link</a>"#,
            ),
            (
                r#"<a href="fokus://gebiet">Link</a>"#,
                r#"<a rel="noopener noreferrer">Link</a>"#,
            ),
            (
                r#"<iframe src="https://evil.example"></iframe>Text"#,
                "Text",
            ),
            (r#"<img src="https://tracker.example/p.gif">Text"#, "Text"),
            (r#"<svg><script>alert(1)</script></svg>Text"#, "Text"),
            (
                r#"<p style="background:url(javascript:alert(1))">Text</p>"#,
                "<p>Text</p>",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(sanitize(input), expected, "{input}");
        }
    }

    #[test]
    fn ordinary_content_and_own_links_survive() {
        let cases = [
            r#"<p><a href="https://www.kreis-pinneberg.de/" rel="noopener noreferrer">Kreis</a></p>"#,
            r#"<p><a href="mailto:sozialplanung@example.org" rel="noopener noreferrer">Mail</a></p>"#,
            r#"<p><a href="/gebiet?gebiet=010560015" rel="noopener noreferrer">Profil</a></p>"#,
            r##"<p><a href="#methodik" rel="noopener noreferrer">Methodik</a></p>"##,
            "<table><thead><tr><th>A</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>",
            "<ul><li><strong>fett</strong> und <em>kursiv</em></li></ul>",
        ];
        for input in cases {
            assert_eq!(sanitize(input), input, "unchanged");
            assert_eq!(sanitize(&sanitize(input)), sanitize(input), "idempotent");
        }
    }
}
