// A corpus of script-injection payloads published as editorial content (issue 13). Each payload
// is its own paragraph, followed by a marker sentence ("Lesbar 7.") that must stay readable
// after the payload was cleaned. The web test (report.test.mjs) and the app test (app.test.mjs)
// publish it and check that nothing runs, nothing navigates and every marker is shown.
// A payload that ran would set `window.__xss` (or its parent's), open a dialog, or navigate.

export const PAYLOADS = [
  '<script>window.__xss=1</script>',
  '<img src=x onerror="window.__xss=2">',
  '<svg onload="window.__xss=3"></svg>',
  '<svg><script>window.__xss=4</script></svg>',
  '<a href="javascript:window.__xss=5">Link fünf</a>',
  '<a href="JaVaScRiPt:window.__xss=6">Link sechs</a>',
  '<a href="java&#x09;script:window.__xss=7">Link sieben</a>',
  '<a href="data:text/html,<script>window.__xss=8</script>">Link acht</a>',
  '<iframe src="javascript:window.__xss=9"></iframe>',
  '<iframe srcdoc="<script>parent.__xss=10</script>"></iframe>',
  '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
  '<base href="https://evil.example/">',
  '<form action="https://evil.example/"><input name="a"><button>Senden</button></form>',
  '<div style="background:url(javascript:window.__xss=14)">Stil vierzehn</div>',
  '<div style="width: expression(window.__xss=15)">Stil fünfzehn</div>',
  '<style>body{background:url("https://evil.example/x.png")}</style>',
  '<link rel="stylesheet" href="https://evil.example/x.css">',
  '<object data="javascript:window.__xss=18"></object>',
  '<embed src="javascript:window.__xss=19">',
  '<details open ontoggle="window.__xss=20">Details zwanzig</details>',
  '<body onload="window.__xss=21">',
  '<input autofocus onfocus="window.__xss=22">',
  '<video><source onerror="window.__xss=23"></video>',
  '<audio src=x onerror="window.__xss=24"></audio>',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=25">',
  '<noscript><p title="</noscript><img src=x onerror=window.__xss=26>"></noscript>',
  '&lt;script&gt;window.__xss=27&lt;/script&gt;',
  '<a href="&#106;avascript:window.__xss=28">Link achtundzwanzig</a>',
  '<a href="vbscript:msgbox(29)">Link neunundzwanzig</a>',
  '[Markdown-Link](javascript:window.__xss=30)',
  '![Bild](https://evil.example/31.png)',
  '<a href="//evil.example/32">Link zweiunddreißig</a>',
  '<a href="https://example.org/" onclick="window.__xss=33">Link dreiunddreißig</a>',
  '<svg><a xlink:href="javascript:window.__xss=34"><text x="0" y="15">SVG-Link</text></a></svg>',
  '<figure data-fokus="chart" data-indicator="<img src=x onerror=window.__xss=35>">Figur fünfunddreißig</figure>',
  '<a data-fokus="wert" data-indicator="sgb2_quote" data-area="&quot;><img src=x onerror=window.__xss=36>" href="/sozialbericht">Wert sechsunddreißig</a>',
  '<figure data-fokus="map" data-indicator="javascript:window.__xss=37">Figur siebenunddreißig</figure>',
  '<template><script>window.__xss=38</script></template>',
  '<button formaction="javascript:window.__xss=39">Knopf neununddreißig</button>',
  '<select onchange="window.__xss=40"><option>Auswahl</option></select>',
  '<textarea onfocus="window.__xss=41" autofocus>Textfeld</textarea>',
  '<marquee onstart="window.__xss=42">Laufschrift</marquee>',
  '<div onmouseover="window.__xss=43">Text dreiundvierzig</div>',
  '"><script>window.__xss=44</script>',
  '<scr<script>ipt>window.__xss=45</script>',
  '<a href="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">Link sechsundvierzig</a>',
  '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
  '<a href="/sozialbericht" data-fokus="wert" data-indicator="x" data-area="y" onclick="window.__xss=48">Wert achtundvierzig</a>',
];

/** The newsletter that carries the corpus, as a Markdown file for `publishContent`. */
export function hostileNewsletter(quarter = 1) {
  const body = PAYLOADS.map((payload, index) => `${payload}\n\nLesbar ${index + 1}.\n`).join('\n');
  return `+++
art = "newsletter"
titel = "Newsletter mit Schadcode-Proben"
datum = 2026-0${quarter + 1}-01
zusammenfassung = "Testausgabe: ${PAYLOADS.length} Einschleusungsversuche, alle unschädlich."
jahr = 2026
quartal = ${quarter}
+++
${body}`;
}

/**
 * Checks the rendered newsletter (`selector`) in the page's own context: the problems found,
 * an empty list when nothing ran and every marker up to `count` is readable. Runs inside the
 * browser: `page.evaluate(inspect, [selector, count])`, or through WebDriver as
 * `return (${inspect})(arguments[0])`.
 */
export function inspect([selector, count]) {
  const root = document.querySelector(selector);
  const problems = [];
  if (!root) return ['the newsletter is not on the page'];
  if (window.__xss !== undefined) problems.push(`a payload ran: window.__xss = ${window.__xss}`);
  const banned = ['script', 'iframe', 'object', 'embed', 'form', 'input', 'button', 'select', 'textarea', 'base', 'meta', 'link', 'style', 'img', 'svg', 'math', 'template'];
  for (const element of root.querySelectorAll('*')) {
    for (const attribute of element.getAttributeNames()) {
      if (attribute.startsWith('on')) problems.push(`event handler kept: ${element.outerHTML.slice(0, 120)}`);
      if (attribute === 'style') problems.push(`style kept: ${element.outerHTML.slice(0, 120)}`);
    }
    const tag = element.tagName.toLowerCase();
    if (banned.includes(tag)) problems.push(`element kept: ${tag}`);
    const href = element.getAttribute('href') ?? element.getAttribute('xlink:href');
    if (href !== null && !/^(https?:|mailto:|#|\/(?!\/))/i.test(href)) problems.push(`link kept: ${href}`);
  }
  const text = root.textContent;
  for (let n = 1; n <= count; n += 1) {
    if (!text.includes(`Lesbar ${n}.`)) problems.push(`marker ${n} not readable`);
  }
  return problems;
}
