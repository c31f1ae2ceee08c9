//! The deterministic demo dataset: real areas and populations of Kreis Pinneberg, the catalogue of
//! 73 real Sozialbericht indicators in nine Handlungsfelder, and generated values (seeded, with
//! trends, population weighting and a few gaps). Labelled as demo data everywhere it is shown.

use fokus_model::{Area, AreaKind, Cell, DatasetInfo, Gap, Indicator, Observation, Polarity};
use fokus_store::Changes;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::areas::{pinneberg_areas, pinneberg_gemeinden};
use crate::demo_statistics::{demo_population, demo_spending};

pub const DEMO_TITLE: &str = "Demodaten – erzeugte Werte, keine amtliche Statistik";
pub const FIRST_DEMO_YEAR: u16 = 2015;
pub const LAST_DEMO_YEAR: u16 = 2025;
const SEED: u64 = 0x000F_0C05_2015;

const BEV: &str = "Bevölkerung und Demografie";
const KJF: &str = "Kinder, Jugend und Familie";
const BIL: &str = "Bildung";
const ARB: &str = "Arbeit und Grundsicherung";
const ALT: &str = "Alter und Pflege";
const TEI: &str = "Teilhabe und Eingliederungshilfe";
const WOH: &str = "Wohnen";
const MIG: &str = "Migration und Integration";
const GES: &str = "Gesundheit";

const BA: &str = "Statistik der Bundesagentur für Arbeit";
const STALA: &str = "Statistisches Amt für Hamburg und Schleswig-Holstein";
const DESTATIS: &str = "Statistisches Bundesamt";
const KJH: &str = "Kinder- und Jugendhilfestatistik; Kreis Pinneberg, Fachdienst Jugend";
const SCHULE: &str = "Schulstatistik Schleswig-Holstein";
const SOZ: &str = "Kreis Pinneberg, Fachdienst Soziales";
const GESUNDHEIT: &str = "Kreis Pinneberg, Fachdienst Gesundheit (Schuleingangsuntersuchung)";

/// One row of the catalogue: the indicator's real metadata, then the demo generator's knobs —
/// the Kreis level in 2015, the relative spread between areas, the yearly change, the Land and
/// Bund levels in 2015, and how much larger towns have of it (`urban_tilt`, social burden > 0).
type Row = (
    &'static str, // id
    &'static str, // name
    &'static str, // short name
    &'static str, // unit
    u8,           // decimals
    Polarity,
    &'static str, // Handlungsfeld
    &'static str, // definition
    &'static str, // numerator (Zähler)
    &'static str, // denominator (Nenner), empty for medians and averages of a whole
    &'static str, // source
    [f64; 6],     // kreis level, spread, trend per year, Land level, Bund level, urban tilt
);

use Polarity::{HigherIsBetter as BETTER, HigherIsWorse as WORSE, Neutral as NEUTRAL};

#[rustfmt::skip]
const CATALOGUE: [Row; 73] = [
    ("bevoelkerungsentwicklung", "Bevölkerungsentwicklung seit 2015", "Bev.-Entw.", "%", 1, NEUTRAL, BEV, "Veränderung der Einwohnerzahl gegenüber dem 31.12.2015", "Einwohner am 31.12. des Jahres minus Einwohner am 31.12.2015", "Einwohner am 31.12.2015", STALA, [0.0, 0.5, 0.45, 0.0, 0.0, 0.0]),
    ("anteil_unter_18", "Anteil Kinder und Jugendlicher", "unter 18", "%", 1, NEUTRAL, BEV, "Einwohner unter 18 Jahren in Prozent aller Einwohner", "Einwohner unter 18 Jahren", "Einwohner", STALA, [16.6, 0.08, 0.05, 16.1, 16.3, -0.1]),
    ("anteil_65_plus", "Anteil Älterer", "65+", "%", 1, NEUTRAL, BEV, "Einwohner ab 65 Jahren in Prozent aller Einwohner", "Einwohner ab 65 Jahren", "Einwohner", STALA, [21.8, 0.12, 0.3, 23.0, 21.1, -0.1]),
    ("anteil_80_plus", "Anteil Hochaltriger", "80+", "%", 1, NEUTRAL, BEV, "Einwohner ab 80 Jahren in Prozent aller Einwohner", "Einwohner ab 80 Jahren", "Einwohner", STALA, [6.4, 0.15, 0.12, 6.9, 6.5, -0.1]),
    ("altenquotient", "Altenquotient", "Altenquotient", "je 100", 1, NEUTRAL, BEV, "Personen ab 65 Jahren je 100 Personen von 20 bis unter 65 Jahren", "Personen ab 65 Jahren", "Personen von 20 bis unter 65 Jahren", STALA, [35.5, 0.12, 0.55, 39.0, 35.8, -0.05]),
    ("jugendquotient", "Jugendquotient", "Jugendquotient", "je 100", 1, NEUTRAL, BEV, "Personen unter 20 Jahren je 100 Personen von 20 bis unter 65 Jahren", "Personen unter 20 Jahren", "Personen von 20 bis unter 65 Jahren", STALA, [33.0, 0.08, 0.12, 31.6, 31.0, 0.0]),
    ("wanderungssaldo", "Wanderungssaldo", "Wanderung", "je 1.000", 1, NEUTRAL, BEV, "Zuzüge minus Fortzüge je 1.000 Einwohner", "Zuzüge minus Fortzüge", "Einwohner", STALA, [6.5, 0.6, -0.3, 5.8, 4.9, 0.1]),
    ("geburtenrate", "Geburtenrate", "Geburten", "je 1.000", 1, NEUTRAL, BEV, "Lebendgeborene je 1.000 Einwohner", "Lebendgeborene", "Einwohner", STALA, [9.0, 0.12, -0.05, 8.6, 9.1, 0.05]),
    ("durchschnittsalter", "Durchschnittsalter", "Ø Alter", "Jahre", 1, NEUTRAL, BEV, "Arithmetisches Mittel des Alters aller Einwohner", "Summe der Lebensalter aller Einwohner", "Einwohner", STALA, [44.6, 0.04, 0.1, 45.9, 44.4, -0.02]),
    ("sgb2_quote_u15", "SGB-II-Quote unter 15 Jahren", "SGB II u. 15", "%", 1, WORSE, KJF, "Anteil der nicht erwerbsfähigen Leistungsberechtigten unter 15 Jahren an allen Kindern unter 15 Jahren", "Nicht erwerbsfähige Leistungsberechtigte unter 15 Jahren", "Einwohner unter 15 Jahren", BA, [11.8, 0.4, -0.15, 14.2, 13.1, 0.3]),
    ("betreuungsquote_u3", "Betreuungsquote unter 3 Jahren", "Betreuung u. 3", "%", 1, BETTER, KJF, "Anteil der Kinder unter 3 Jahren in Kindertageseinrichtungen oder Kindertagespflege", "Kinder unter 3 Jahren in Kindertageseinrichtungen oder Kindertagespflege", "Kinder unter 3 Jahren", KJH, [30.0, 0.18, 1.1, 33.0, 33.5, 0.0]),
    ("betreuungsquote_3_6", "Betreuungsquote 3 bis unter 6 Jahren", "Betreuung 3–6", "%", 1, BETTER, KJF, "Anteil der Kinder von 3 bis unter 6 Jahren in Kindertageseinrichtungen oder Kindertagespflege", "Kinder von 3 bis unter 6 Jahren in Kindertageseinrichtungen oder Kindertagespflege", "Kinder von 3 bis unter 6 Jahren", KJH, [90.5, 0.03, 0.2, 91.0, 91.8, 0.0]),
    ("hilfen_zur_erziehung", "Hilfen zur Erziehung", "HzE", "je 1.000", 1, WORSE, KJF, "Laufende Hilfen zur Erziehung (§§ 27–35 SGB VIII) je 1.000 Einwohner unter 21 Jahren", "Laufende Hilfen zur Erziehung (§§ 27–35 SGB VIII)", "Einwohner unter 21 Jahren", KJH, [31.0, 0.3, 0.4, 34.5, 32.0, 0.25]),
    ("inobhutnahmen", "Inobhutnahmen", "Inobhutnahmen", "je 10.000", 1, WORSE, KJF, "Vorläufige Schutzmaßnahmen (§ 42 SGB VIII) je 10.000 Einwohner unter 18 Jahren", "Vorläufige Schutzmaßnahmen (§ 42 SGB VIII)", "Einwohner unter 18 Jahren", KJH, [22.0, 0.4, 0.3, 25.0, 23.5, 0.3]),
    ("eingliederungshilfe_35a", "Eingliederungshilfe für seelisch behinderte junge Menschen", "§ 35a", "je 1.000", 1, NEUTRAL, KJF, "Laufende Hilfen nach § 35a SGB VIII je 1.000 Einwohner unter 21 Jahren", "Laufende Hilfen nach § 35a SGB VIII", "Einwohner unter 21 Jahren", KJH, [8.0, 0.3, 0.35, 7.2, 7.6, 0.1]),
    ("alleinerziehende_bg", "Alleinerziehende in der Grundsicherung", "Alleinerz. SGB II", "%", 1, WORSE, KJF, "Alleinerziehenden-Bedarfsgemeinschaften in Prozent aller Bedarfsgemeinschaften mit Kindern", "Bedarfsgemeinschaften von Alleinerziehenden", "Bedarfsgemeinschaften mit Kindern", BA, [48.0, 0.12, -0.2, 50.5, 49.0, 0.1]),
    ("bildung_teilhabe", "Leistungen für Bildung und Teilhabe", "BuT", "%", 1, NEUTRAL, KJF, "Kinder und Jugendliche mit Leistungen für Bildung und Teilhabe in Prozent der leistungsberechtigten Kinder", "Kinder und Jugendliche mit Leistungen für Bildung und Teilhabe", "Leistungsberechtigte Kinder und Jugendliche", SOZ, [42.0, 0.2, 1.0, 40.0, 38.0, 0.05]),
    ("familien_mit_kindern", "Haushalte mit Kindern", "mit Kindern", "%", 1, NEUTRAL, KJF, "Haushalte mit minderjährigen Kindern in Prozent aller Haushalte", "Haushalte mit minderjährigen Kindern", "Haushalte", STALA, [19.5, 0.1, -0.1, 18.4, 19.0, -0.05]),
    ("ohne_abschluss", "Schulabgänger ohne ersten Schulabschluss", "ohne Abschluss", "%", 1, WORSE, BIL, "Abgängerinnen und Abgänger allgemeinbildender Schulen ohne ersten allgemeinbildenden Schulabschluss in Prozent aller Abgänger", "Abgängerinnen und Abgänger ohne ersten allgemeinbildenden Schulabschluss", "Abgängerinnen und Abgänger allgemeinbildender Schulen", SCHULE, [6.8, 0.35, 0.1, 8.4, 6.9, 0.3]),
    ("hochschulreife", "Schulabgänger mit Hochschulreife", "Abitur", "%", 1, BETTER, BIL, "Abgängerinnen und Abgänger mit allgemeiner Hochschulreife in Prozent aller Abgänger", "Abgängerinnen und Abgänger mit allgemeiner Hochschulreife", "Abgängerinnen und Abgänger allgemeinbildender Schulen", SCHULE, [36.0, 0.2, 0.3, 33.0, 34.5, -0.05]),
    ("uebergang_gymnasium", "Übergangsquote auf das Gymnasium", "Übergang Gym.", "%", 1, NEUTRAL, BIL, "Übergänge von der Grundschule auf ein Gymnasium in Prozent aller Übergänge", "Übergänge von der Grundschule auf ein Gymnasium", "Übergänge von der Grundschule", SCHULE, [44.0, 0.2, 0.2, 40.0, 43.0, -0.05]),
    ("foerderschulquote", "Förderschulbesuchsquote", "Förderschule", "%", 1, WORSE, BIL, "Schülerinnen und Schüler an Förderzentren in Prozent aller Schüler der Klassen 1 bis 10", "Schülerinnen und Schüler an Förderzentren", "Schülerinnen und Schüler der Klassen 1 bis 10", SCHULE, [2.4, 0.3, -0.03, 2.6, 4.2, 0.1]),
    ("inklusionsquote", "Inklusionsquote", "Inklusion", "%", 1, BETTER, BIL, "Schülerinnen und Schüler mit sonderpädagogischem Förderbedarf an Regelschulen in Prozent aller mit Förderbedarf", "Schülerinnen und Schüler mit sonderpädagogischem Förderbedarf an Regelschulen", "Schülerinnen und Schüler mit sonderpädagogischem Förderbedarf", SCHULE, [68.0, 0.08, 0.6, 66.0, 44.0, 0.0]),
    ("sprachfoerderbedarf", "Sprachförderbedarf bei der Einschulung", "Sprachförderung", "%", 1, WORSE, BIL, "Kinder mit Sprachförderbedarf in Prozent der untersuchten Einschulungskinder", "Einschulungskinder mit Sprachförderbedarf", "Untersuchte Einschulungskinder", GESUNDHEIT, [21.0, 0.3, 0.5, 23.0, 22.0, 0.3]),
    ("ausbildungsabbrueche", "Vorzeitig gelöste Ausbildungsverträge", "Vertragslösungen", "%", 1, WORSE, BIL, "Vorzeitig gelöste Ausbildungsverträge in Prozent der begonnenen", "Vorzeitig gelöste Ausbildungsverträge", "Begonnene Ausbildungsverträge", "Bundesinstitut für Berufsbildung", [26.0, 0.15, 0.3, 29.0, 27.5, 0.1]),
    ("ganztagsquote", "Ganztagsbetreuung im Grundschulalter", "Ganztag", "%", 1, BETTER, BIL, "Grundschulkinder in Ganztagsangeboten oder Horten in Prozent aller Grundschulkinder", "Grundschulkinder in Ganztagsangeboten oder Horten", "Grundschulkinder", SCHULE, [38.0, 0.25, 1.5, 35.0, 49.0, 0.05]),
    ("sgb2_quote", "SGB-II-Quote", "SGB II", "%", 1, WORSE, ARB, "Anteil der Personen in Bedarfsgemeinschaften nach SGB II an der Bevölkerung unter der Regelaltersgrenze", "Personen in Bedarfsgemeinschaften nach SGB II", "Einwohner unter der Regelaltersgrenze", BA, [7.6, 0.35, -0.12, 9.1, 8.4, 0.25]),
    ("arbeitslosenquote", "Arbeitslosenquote", "Arbeitslose", "%", 1, WORSE, ARB, "Arbeitslose in Prozent aller zivilen Erwerbspersonen", "Arbeitslose", "Zivile Erwerbspersonen", BA, [5.4, 0.3, -0.08, 6.3, 6.4, 0.2]),
    ("arbeitslosenquote_u25", "Arbeitslosenquote unter 25 Jahren", "Arbeitslose u. 25", "%", 1, WORSE, ARB, "Arbeitslose unter 25 Jahren in Prozent der zivilen Erwerbspersonen dieses Alters", "Arbeitslose unter 25 Jahren", "Zivile Erwerbspersonen unter 25 Jahren", BA, [4.6, 0.3, -0.05, 5.6, 5.3, 0.2]),
    ("langzeitarbeitslose", "Anteil Langzeitarbeitsloser", "Langzeit-AL", "%", 1, WORSE, ARB, "Arbeitslose, die ein Jahr und länger arbeitslos sind, in Prozent aller Arbeitslosen", "Arbeitslose, die ein Jahr und länger arbeitslos sind", "Arbeitslose", BA, [33.0, 0.15, 0.2, 35.5, 35.0, 0.1]),
    ("elb_quote", "Quote der erwerbsfähigen Leistungsberechtigten", "ELB-Quote", "%", 1, WORSE, ARB, "Erwerbsfähige Leistungsberechtigte (SGB II) in Prozent der Bevölkerung von 15 Jahren bis zur Regelaltersgrenze", "Erwerbsfähige Leistungsberechtigte (SGB II)", "Bevölkerung von 15 Jahren bis zur Regelaltersgrenze", BA, [6.2, 0.35, -0.1, 7.6, 7.0, 0.25]),
    ("aufstocker", "Erwerbstätige Leistungsberechtigte", "Aufstocker", "%", 1, WORSE, ARB, "Erwerbstätige erwerbsfähige Leistungsberechtigte in Prozent aller erwerbsfähigen Leistungsberechtigten", "Erwerbstätige erwerbsfähige Leistungsberechtigte (SGB II)", "Erwerbsfähige Leistungsberechtigte (SGB II)", BA, [27.0, 0.15, -0.4, 26.0, 25.5, 0.05]),
    ("beschaeftigungsquote", "Beschäftigungsquote", "Beschäftigung", "%", 1, BETTER, ARB, "Sozialversicherungspflichtig Beschäftigte am Wohnort in Prozent der Einwohner von 15 bis unter 65 Jahren", "Sozialversicherungspflichtig Beschäftigte am Wohnort", "Einwohner von 15 bis unter 65 Jahren", BA, [59.0, 0.06, 0.55, 57.5, 59.5, -0.05]),
    ("beschaeftigungsquote_frauen", "Beschäftigungsquote der Frauen", "Beschäftigung Frauen", "%", 1, BETTER, ARB, "Sozialversicherungspflichtig beschäftigte Frauen am Wohnort in Prozent der Frauen von 15 bis unter 65 Jahren", "Sozialversicherungspflichtig beschäftigte Frauen am Wohnort", "Frauen von 15 bis unter 65 Jahren", BA, [56.0, 0.07, 0.7, 55.0, 56.5, -0.05]),
    ("minijob_quote", "Ausschließlich geringfügig Beschäftigte", "Minijobs", "je 100", 1, WORSE, ARB, "Ausschließlich geringfügig entlohnte Beschäftigte am Wohnort je 100 Einwohner von 15 bis unter 65 Jahren", "Ausschließlich geringfügig entlohnte Beschäftigte am Wohnort", "Einwohner von 15 bis unter 65 Jahren", BA, [7.8, 0.15, -0.12, 8.3, 7.9, 0.0]),
    ("grundsicherung_erwerbsminderung", "Grundsicherung bei Erwerbsminderung", "Grusi EM", "je 1.000", 1, WORSE, ARB, "Empfänger von Grundsicherung bei dauerhafter voller Erwerbsminderung (SGB XII) je 1.000 Einwohner von 18 bis unter 65 Jahren", "Empfänger von Grundsicherung bei dauerhafter voller Erwerbsminderung (SGB XII)", "Einwohner von 18 bis unter 65 Jahren", SOZ, [6.5, 0.3, 0.1, 7.8, 7.1, 0.2]),
    ("grundsicherung_alter", "Grundsicherung im Alter", "Grusi Alter", "je 1.000", 1, WORSE, ALT, "Empfängerinnen und Empfänger von Grundsicherung im Alter (SGB XII, 4. Kapitel) je 1.000 Einwohner ab 65 Jahren", "Empfängerinnen und Empfänger von Grundsicherung im Alter (SGB XII, 4. Kapitel)", "Einwohner ab 65 Jahren", STALA, [27.0, 0.35, 0.7, 31.5, 34.0, 0.2]),
    ("pflegebeduerftige", "Pflegebedürftige", "Pflegebedürftige", "je 1.000", 1, NEUTRAL, ALT, "Pflegebedürftige nach SGB XI je 1.000 Einwohner", "Pflegebedürftige nach SGB XI", "Einwohner", STALA, [38.0, 0.15, 3.0, 42.0, 47.0, 0.0]),
    ("pflegequote_80", "Pflegequote der Hochaltrigen", "Pflegequote 80+", "%", 1, NEUTRAL, ALT, "Pflegebedürftige ab 80 Jahren in Prozent der Einwohner ab 80 Jahren", "Pflegebedürftige ab 80 Jahren", "Einwohner ab 80 Jahren", STALA, [32.0, 0.1, 1.3, 34.0, 37.0, 0.0]),
    ("ambulant_versorgt", "Ambulant Versorgte", "ambulant", "%", 1, BETTER, ALT, "Pflegebedürftige, die von ambulanten Diensten versorgt werden, in Prozent aller Pflegebedürftigen", "Pflegebedürftige, die von ambulanten Diensten versorgt werden", "Pflegebedürftige", STALA, [22.0, 0.15, 0.2, 21.0, 21.5, 0.0]),
    ("pflegegeld_quote", "Pflege durch Angehörige", "Pflegegeld", "%", 1, NEUTRAL, ALT, "Pflegebedürftige, die ausschließlich Pflegegeld beziehen, in Prozent aller Pflegebedürftigen", "Pflegebedürftige, die ausschließlich Pflegegeld beziehen", "Pflegebedürftige", STALA, [50.0, 0.08, 0.9, 51.0, 53.0, 0.0]),
    ("stationaere_plaetze", "Plätze in der Dauerpflege", "Pflegeplätze", "je 1.000", 1, NEUTRAL, ALT, "Verfügbare Plätze in vollstationärer Dauerpflege je 1.000 Einwohner ab 65 Jahren", "Verfügbare Plätze in vollstationärer Dauerpflege", "Einwohner ab 65 Jahren", STALA, [45.0, 0.35, -0.5, 48.0, 41.0, 0.1]),
    ("tagespflege_plaetze", "Plätze in der Tagespflege", "Tagespflege", "je 1.000", 1, BETTER, ALT, "Plätze in teilstationärer Tagespflege je 1.000 Einwohner ab 65 Jahren", "Plätze in teilstationärer Tagespflege", "Einwohner ab 65 Jahren", STALA, [4.0, 0.45, 0.35, 4.4, 5.0, 0.0]),
    ("hilfe_zur_pflege", "Hilfe zur Pflege", "HzP", "je 1.000", 1, WORSE, ALT, "Empfänger von Hilfe zur Pflege (SGB XII, 7. Kapitel) je 1.000 Einwohner ab 65 Jahren", "Empfänger von Hilfe zur Pflege (SGB XII, 7. Kapitel)", "Einwohner ab 65 Jahren", SOZ, [13.0, 0.3, 0.25, 14.5, 16.0, 0.15]),
    ("alleinlebende_65", "Alleinlebende Ältere", "allein 65+", "%", 1, WORSE, ALT, "Einwohner ab 65 Jahren in Einpersonenhaushalten in Prozent aller Einwohner ab 65 Jahren", "Einwohner ab 65 Jahren in Einpersonenhaushalten", "Einwohner ab 65 Jahren", STALA, [33.0, 0.15, 0.15, 35.0, 34.0, 0.15]),
    ("schwerbehindertenquote", "Schwerbehindertenquote", "Schwerbehinderte", "%", 1, NEUTRAL, TEI, "Schwerbehinderte Menschen in Prozent aller Einwohner", "Schwerbehinderte Menschen", "Einwohner", STALA, [9.6, 0.12, 0.05, 10.2, 9.4, 0.05]),
    ("eingliederungshilfe", "Leistungsberechtigte der Eingliederungshilfe", "EGH", "je 1.000", 1, NEUTRAL, TEI, "Leistungsberechtigte der Eingliederungshilfe (SGB IX, Teil 2) je 1.000 Einwohner", "Leistungsberechtigte der Eingliederungshilfe (SGB IX, Teil 2)", "Einwohner", SOZ, [9.5, 0.25, 0.2, 10.5, 9.8, 0.15]),
    ("werkstatt_beschaeftigte", "Beschäftigte in Werkstätten", "WfbM", "je 1.000", 1, NEUTRAL, TEI, "Beschäftigte in Werkstätten für behinderte Menschen je 1.000 Einwohner von 18 bis unter 65 Jahren", "Beschäftigte in Werkstätten für behinderte Menschen", "Einwohner von 18 bis unter 65 Jahren", SOZ, [5.6, 0.3, 0.02, 6.3, 5.9, 0.05]),
    ("ambulantisierungsquote", "Ambulant unterstütztes Wohnen", "ambulantes Wohnen", "%", 1, BETTER, TEI, "Leistungsberechtigte im ambulant unterstützten Wohnen in Prozent aller Leistungsberechtigten mit Wohnleistungen", "Leistungsberechtigte im ambulant unterstützten Wohnen", "Leistungsberechtigte mit Wohnleistungen", SOZ, [58.0, 0.12, 1.0, 60.0, 55.0, 0.05]),
    ("persoenliches_budget", "Persönliches Budget", "Pers. Budget", "%", 1, BETTER, TEI, "Leistungen der Eingliederungshilfe als Persönliches Budget in Prozent aller Leistungen", "Leistungen der Eingliederungshilfe als Persönliches Budget", "Leistungen der Eingliederungshilfe", SOZ, [3.2, 0.5, 0.15, 3.0, 2.5, 0.0]),
    ("arbeitslosenquote_schwerbehinderte", "Arbeitslosenquote Schwerbehinderter", "AL Schwerbeh.", "%", 1, WORSE, TEI, "Arbeitslose schwerbehinderte Menschen in Prozent der schwerbehinderten Erwerbspersonen", "Arbeitslose schwerbehinderte Menschen", "Schwerbehinderte Erwerbspersonen", BA, [10.5, 0.3, -0.15, 11.8, 11.0, 0.15]),
    ("schulbegleitung", "Schulbegleitungen", "Schulbegleitung", "je 1.000", 1, NEUTRAL, TEI, "Schülerinnen und Schüler mit Schulbegleitung je 1.000 Schüler", "Schülerinnen und Schüler mit Schulbegleitung", "Schülerinnen und Schüler", SOZ, [12.0, 0.4, 1.0, 11.0, 10.5, 0.05]),
    ("fruehfoerderung", "Frühförderung", "Frühförderung", "je 1.000", 1, NEUTRAL, TEI, "Kinder in Frühförderung je 1.000 Kinder unter 7 Jahren", "Kinder in Frühförderung", "Kinder unter 7 Jahren", SOZ, [28.0, 0.3, 0.8, 26.0, 27.0, 0.05]),
    ("wohngeldhaushalte", "Wohngeldhaushalte", "Wohngeld", "je 1.000", 1, WORSE, WOH, "Haushalte mit Wohngeld je 1.000 Haushalte", "Haushalte mit Wohngeld", "Haushalte", STALA, [13.0, 0.35, 0.9, 15.0, 14.5, 0.2]),
    ("kosten_der_unterkunft", "Kosten der Unterkunft je Bedarfsgemeinschaft", "KdU", "€ im Monat", 0, WORSE, WOH, "Anerkannte laufende Kosten der Unterkunft und Heizung je Bedarfsgemeinschaft und Monat", "Anerkannte laufende Kosten der Unterkunft und Heizung im Monat", "Bedarfsgemeinschaften", BA, [520.0, 0.08, 14.0, 470.0, 480.0, 0.05]),
    ("angebotsmiete", "Angebotsmiete", "Miete", "€ je m²", 2, WORSE, WOH, "Mittlere Nettokaltmiete in Wohnungsinseraten je Quadratmeter", "Median der Nettokaltmiete je m² in Wohnungsinseraten", "", "Kreis Pinneberg, Wohnungsmarktbeobachtung", [8.6, 0.08, 0.3, 7.6, 8.1, 0.05]),
    ("sozialwohnungen", "Geförderte Mietwohnungen", "Sozialwohnungen", "je 1.000", 1, BETTER, WOH, "Mietpreis- und belegungsgebundene Wohnungen je 1.000 Einwohner", "Mietpreis- und belegungsgebundene Wohnungen", "Einwohner", "Investitionsbank Schleswig-Holstein", [13.0, 0.5, -0.3, 16.5, 13.0, 0.3]),
    ("wohnungslose", "Untergebrachte wohnungslose Personen", "Wohnungslose", "je 10.000", 1, WORSE, WOH, "Von Kommunen untergebrachte wohnungslose Personen je 10.000 Einwohner", "Von Kommunen untergebrachte wohnungslose Personen", "Einwohner", SOZ, [18.0, 0.5, 1.0, 21.0, 45.0, 0.4]),
    ("wohnflaeche", "Wohnfläche je Einwohner", "Wohnfläche", "m²", 1, NEUTRAL, WOH, "Wohnfläche in Wohngebäuden je Einwohner", "Wohnfläche in Wohngebäuden (m²)", "Einwohner", STALA, [46.0, 0.08, 0.15, 48.0, 47.5, -0.1]),
    ("baufertigstellungen", "Fertiggestellte Wohnungen", "Neubau", "je 1.000", 1, BETTER, WOH, "Fertiggestellte Wohnungen in Wohn- und Nichtwohngebäuden je 1.000 Einwohner", "Fertiggestellte Wohnungen in Wohn- und Nichtwohngebäuden", "Einwohner", STALA, [3.4, 0.45, -0.05, 3.3, 3.4, 0.0]),
    ("einpersonenhaushalte", "Einpersonenhaushalte", "1-Pers.-HH", "%", 1, NEUTRAL, WOH, "Einpersonenhaushalte in Prozent aller Haushalte", "Einpersonenhaushalte", "Haushalte", STALA, [37.0, 0.15, 0.25, 39.5, 41.0, 0.2]),
    ("auslaenderanteil", "Anteil ausländischer Einwohner", "Ausländeranteil", "%", 1, NEUTRAL, MIG, "Einwohner ohne deutsche Staatsangehörigkeit in Prozent aller Einwohner", "Einwohner ohne deutsche Staatsangehörigkeit", "Einwohner", STALA, [10.0, 0.35, 0.45, 9.0, 12.5, 0.35]),
    ("schutzsuchende", "Schutzsuchende", "Schutzsuchende", "je 1.000", 1, NEUTRAL, MIG, "Schutzsuchende nach dem Ausländerzentralregister je 1.000 Einwohner", "Schutzsuchende nach dem Ausländerzentralregister", "Einwohner", DESTATIS, [17.0, 0.3, 1.5, 18.5, 22.0, 0.2]),
    ("sgb2_quote_auslaender", "SGB-II-Quote ausländischer Einwohner", "SGB II Ausländer", "%", 1, WORSE, MIG, "Ausländische Personen in Bedarfsgemeinschaften in Prozent der ausländischen Bevölkerung unter der Regelaltersgrenze", "Ausländische Personen in Bedarfsgemeinschaften nach SGB II", "Ausländische Einwohner unter der Regelaltersgrenze", BA, [19.0, 0.3, 0.2, 22.0, 20.0, 0.15]),
    ("beschaeftigungsquote_auslaender", "Beschäftigungsquote ausländischer Einwohner", "Beschäftigung Ausländer", "%", 1, BETTER, MIG, "Sozialversicherungspflichtig beschäftigte Ausländer am Wohnort in Prozent der Ausländer von 15 bis unter 65 Jahren", "Sozialversicherungspflichtig beschäftigte Ausländer am Wohnort", "Ausländer von 15 bis unter 65 Jahren", BA, [44.0, 0.12, 0.6, 41.0, 45.0, 0.0]),
    ("einbuergerungen", "Einbürgerungen", "Einbürgerungen", "je 1.000", 1, BETTER, MIG, "Einbürgerungen je 1.000 ausländische Einwohner mit mindestens 10 Jahren Aufenthalt", "Einbürgerungen", "Ausländische Einwohner mit mindestens 10 Jahren Aufenthalt", DESTATIS, [23.0, 0.35, 1.2, 22.0, 21.0, 0.0]),
    ("asylbewerberleistungen", "Empfänger von Asylbewerberleistungen", "AsylbLG", "je 1.000", 1, NEUTRAL, MIG, "Empfängerinnen und Empfänger von Regelleistungen nach dem Asylbewerberleistungsgesetz je 1.000 Einwohner", "Empfängerinnen und Empfänger von Regelleistungen nach dem Asylbewerberleistungsgesetz", "Einwohner", SOZ, [4.5, 0.4, 0.1, 5.0, 5.5, 0.2]),
    ("lebenserwartung", "Lebenserwartung bei Geburt", "Lebenserwartung", "Jahre", 1, BETTER, GES, "Durchschnittliche Lebenserwartung Neugeborener (Dreijahresmittel)", "Durchschnittliche Lebenserwartung Neugeborener (Sterbetafel, Dreijahresmittel)", "", STALA, [81.0, 0.01, 0.05, 80.6, 80.8, -0.01]),
    ("uebergewicht_einschulung", "Übergewichtige Kinder bei der Einschulung", "Übergewicht", "%", 1, WORSE, GES, "Einschulungskinder mit Übergewicht oder Adipositas in Prozent der untersuchten Kinder", "Einschulungskinder mit Übergewicht oder Adipositas", "Untersuchte Einschulungskinder", GESUNDHEIT, [10.0, 0.3, 0.1, 11.0, 11.5, 0.2]),
    ("masern_impfquote", "Masern-Impfquote bei der Einschulung", "Masern-Impfung", "%", 1, BETTER, GES, "Einschulungskinder mit zwei Masernimpfungen in Prozent der Kinder mit vorgelegtem Impfpass", "Einschulungskinder mit zwei Masernimpfungen", "Einschulungskinder mit vorgelegtem Impfpass", GESUNDHEIT, [93.0, 0.03, 0.2, 92.5, 93.0, 0.0]),
    ("einwohner_je_hausarzt", "Einwohner je Hausärztin oder Hausarzt", "Einw. je Hausarzt", "Einwohner", 0, WORSE, GES, "Einwohner je an der hausärztlichen Versorgung teilnehmender Ärztin oder teilnehmendem Arzt", "Einwohner", "An der hausärztlichen Versorgung teilnehmende Ärztinnen und Ärzte", "Kassenärztliche Vereinigung Schleswig-Holstein", [1500.0, 0.25, 12.0, 1420.0, 1450.0, -0.1]),
    ("vorzeitige_sterblichkeit", "Vorzeitige Sterblichkeit", "vorz. Sterblichkeit", "je 100.000", 0, WORSE, GES, "Gestorbene unter 70 Jahren je 100.000 Einwohner unter 70 Jahren", "Gestorbene unter 70 Jahren", "Einwohner unter 70 Jahren", STALA, [205.0, 0.12, -1.5, 225.0, 220.0, 0.1]),
    ("u9_teilnahme", "Teilnahme an der U9", "U9", "%", 1, BETTER, GES, "Einschulungskinder mit dokumentierter Früherkennungsuntersuchung U9 in Prozent der Kinder mit vorgelegtem Vorsorgeheft", "Einschulungskinder mit dokumentierter U9", "Einschulungskinder mit vorgelegtem Vorsorgeheft", GESUNDHEIT, [91.0, 0.04, 0.15, 90.0, 90.5, -0.02]),
];

/// How one demo indicator behaves; see [`Row`].
struct Profile {
    indicator: Indicator,
    kreis_level: f64,
    spread: f64,
    trend: f64,
    land_level: f64,
    bund_level: f64,
    urban_tilt: f64,
}

fn profiles() -> Vec<Profile> {
    CATALOGUE
        .iter()
        .map(
            |&(
                id,
                name,
                short_name,
                unit,
                decimals,
                polarity,
                field,
                definition,
                numerator,
                denominator,
                source,
                knobs,
            )| {
                let [kreis_level, spread, trend, land_level, bund_level, urban_tilt] = knobs;
                Profile {
                    indicator: Indicator {
                        id: id.into(),
                        name: name.into(),
                        short_name: short_name.into(),
                        unit: unit.into(),
                        decimals,
                        polarity,
                        handlungsfeld: field.into(),
                        definition: definition.into(),
                        numerator: numerator.into(),
                        denominator: denominator.into(),
                        source: source.into(),
                    },
                    kreis_level,
                    spread,
                    trend,
                    land_level,
                    bund_level,
                    urban_tilt,
                }
            },
        )
        .collect()
}

/// A uniform number in [0, 1).
fn unit_interval(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// A number in [-1, 1).
fn symmetric(rng: &mut ChaCha8Rng) -> f64 {
    unit_interval(rng) * 2.0 - 1.0
}

fn round_to(value: f64, decimals: u8) -> f64 {
    let scale = 10f64.powi(i32::from(decimals));
    (value * scale).round() / scale
}

/// Builds the whole demo dataset. Same output on every machine and every run.
pub fn demo_changes() -> Changes {
    let areas = pinneberg_areas();
    let map_areas: Vec<&Area> = areas
        .iter()
        .filter(|area| area.kind.is_map_area())
        .collect();
    let total_population: f64 = map_areas
        .iter()
        .filter_map(|area| area.population)
        .sum::<u64>() as f64;
    let mean_population = total_population / map_areas.len() as f64;
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut observations = Vec::new();
    let profiles = profiles();

    for profile in &profiles {
        let indicator = &profile.indicator;
        let round = |value: f64| round_to(value, indicator.decimals);
        // Indicators near zero (changes, balances) spread in absolute terms, the rest relative.
        let is_balance = profile.kreis_level.abs() < 1.0;
        let area_factors: Vec<f64> = map_areas
            .iter()
            .map(|area| {
                let size = (area.population.unwrap_or(1) as f64 / mean_population).ln();
                (1.0 + profile.spread * symmetric(&mut rng) + profile.urban_tilt * size * 0.5)
                    .max(0.2)
            })
            .collect();
        for year in FIRST_DEMO_YEAR..=LAST_DEMO_YEAR {
            let elapsed = f64::from(year - FIRST_DEMO_YEAR);
            // The pandemic years lift labour-market burdens a little, as in the real series.
            let shock = if indicator.handlungsfeld == ARB && (2020..=2021).contains(&year) {
                1.04
            } else {
                1.0
            };
            let kreis_trend = (profile.kreis_level + profile.trend * elapsed) * shock;
            let mut weighted_sum = 0.0;
            let mut weight = 0.0;
            for (area, factor) in map_areas.iter().zip(&area_factors) {
                let noise = 0.02 * symmetric(&mut rng);
                let value = if is_balance {
                    round(kreis_trend + (factor - 1.0) * 4.0 + noise * 10.0)
                } else {
                    round(kreis_trend * factor * (1.0 + noise))
                };
                let population = area.population.unwrap_or(0) as f64;
                weighted_sum += value * population;
                weight += population;
                let cell =
                    demo_gap(&indicator.id, area, year).map_or(Cell::Value(value), Cell::Gap);
                observations.push(Observation::new(&indicator.id, &area.id, year, cell));
            }
            let kreis = round(weighted_sum / weight);
            let land_noise = 1.0 + 0.01 * symmetric(&mut rng);
            let bund_noise = 1.0 + 0.01 * symmetric(&mut rng);
            let land =
                round((profile.land_level + profile.trend * elapsed * 0.9) * shock * land_noise);
            let bund =
                round((profile.bund_level + profile.trend * elapsed * 0.8) * shock * bund_noise);
            for (area_id, value) in [("01056", kreis), ("01", land), ("DG", bund)] {
                let cell = if indicator.id == "betreuungsquote_u3"
                    && year == FIRST_DEMO_YEAR
                    && area_id == "01056"
                {
                    Cell::Gap(Gap::NoData)
                } else {
                    Cell::Value(value)
                };
                observations.push(Observation::new(&indicator.id, area_id, year, cell));
            }
        }
    }
    let population = demo_population(&areas);
    let mut all_areas = areas;
    all_areas.extend(pinneberg_gemeinden());
    Changes {
        dataset: Some(DatasetInfo {
            title: DEMO_TITLE.into(),
            demo: true,
        }),
        indicators: profiles
            .into_iter()
            .map(|profile| profile.indicator)
            .collect(),
        areas: all_areas,
        observations,
        deletions: Vec::new(),
        population,
        spending: demo_spending(),
        content: None,
    }
}

/// Indicators counted in small numbers of people: suppressed for tiny Helgoland.
const SMALL_COUNTS: [&str; 4] = [
    "sgb2_quote_u15",
    "inobhutnahmen",
    "wohnungslose",
    "eingliederungshilfe_35a",
];

/// Gaps the demo shows on purpose: tiny Helgoland's small-count indicators are suppressed (too
/// few cases), and the first year of the childcare statistic is missing for the Ämter and the
/// Kreis.
fn demo_gap(indicator_id: &str, area: &Area, year: u16) -> Option<Gap> {
    let is_tiny = area.population.is_some_and(|population| population < 2_000);
    if is_tiny && SMALL_COUNTS.contains(&indicator_id) {
        return Some(Gap::Suppressed);
    }
    if indicator_id == "betreuungsquote_u3" && year == FIRST_DEMO_YEAR && area.kind == AreaKind::Amt
    {
        return Some(Gap::NoData);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_is_deterministic_and_complete() {
        let first = demo_changes();
        let second = demo_changes();
        assert_eq!(
            first.observations, second.observations,
            "seeded: the same on every run"
        );
        assert_eq!(
            first.indicators.len(),
            73,
            "the Sozialbericht's 73 indicators"
        );
        assert_eq!(
            first.areas.len(),
            70,
            "18 map areas + Kreis, Land, Bund + 49 Gemeinden"
        );
        assert_eq!(
            first.observations.len(),
            16_863,
            "73 indicators x 11 years x 21 areas"
        );
        let gaps = first
            .observations
            .iter()
            .filter(|o| matches!(o.cell, Cell::Gap(_)))
            .count();
        assert!(
            gaps > 0 && gaps < first.observations.len() / 100,
            "a few gaps, not many: {gaps}"
        );
    }

    #[test]
    fn catalogue_is_well_formed() {
        let indicators = demo_changes().indicators;
        let mut ids: Vec<&str> = indicators
            .iter()
            .map(|indicator| indicator.id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 73, "ids are unique");
        let mut fields: Vec<&str> = indicators
            .iter()
            .map(|indicator| indicator.handlungsfeld.as_str())
            .collect();
        fields.sort_unstable();
        fields.dedup();
        assert_eq!(fields.len(), 9, "nine Handlungsfelder: {fields:?}");
        for indicator in &indicators {
            assert!(
                !indicator.name.is_empty()
                    && !indicator.definition.is_empty()
                    && !indicator.source.is_empty(),
                "{} is fully described",
                indicator.id
            );
        }
    }

    #[test]
    fn values_are_plausible() {
        let demo = demo_changes();
        for observation in &demo.observations {
            let Cell::Value(value) = observation.cell else {
                continue;
            };
            let indicator = demo
                .indicators
                .iter()
                .find(|indicator| indicator.id == observation.key.indicator)
                .unwrap();
            if indicator.unit == "%" && indicator.id != "bevoelkerungsentwicklung" {
                assert!(
                    (0.0..=100.0).contains(&value),
                    "{} {} {}: {value} is a share",
                    indicator.id,
                    observation.key.area,
                    observation.key.year
                );
            }
            if indicator.id != "bevoelkerungsentwicklung" && indicator.id != "wanderungssaldo" {
                assert!(value >= 0.0, "{} cannot be negative: {value}", indicator.id);
            }
        }
    }
}
