//! The letters of a DPS placement (seed 003): the decision granting or refusing placement, the fee decision, the
//! placement decision and the art. 36 notice. A decision carries what KPA art. 107 §1 requires: the authority, the
//! date, the parties, the legal basis, the ruling, the justification in fact and in law, the appeal instruction
//! (the SKO, through the authority, 14 days from delivery, the waiver of art. 127a) and the signatory with their
//! capacity.

use chrono::NaiveDate;

use super::text::{appeal_instruction, date, money};
use super::{Block, Letter, Letterhead, Signatory};

/// What every letter of a case shares.
pub struct Common {
    pub issuer: Letterhead,
    pub date: NaiveDate,
    pub reference: String,
    pub addressee: Vec<String>,
    pub signatory: Signatory,
    /// Parties and others who get the letter, besides the case file.
    pub copies: Vec<String>,
    /// The appeal body in the genitive (`Samorządowego Kolegium Odwoławczego w Toruniu`).
    pub appeal_body: String,
}

impl Common {
    pub(super) fn letter(self, kind: &str, title: &str, blocks: Vec<Block>) -> Letter {
        let mut copies = self.copies;
        copies.push("a/a".to_owned());
        Letter {
            kind: kind.to_owned(),
            title: title.to_owned(),
            issuer: self.issuer,
            date: self.date,
            reference: self.reference,
            addressee: self.addressee,
            blocks,
            signatory: self.signatory,
            copies,
        }
    }

    fn decision_tail(&self, justification: String) -> Vec<Block> {
        vec![
            Block::Heading("UZASADNIENIE".to_owned()),
            Block::Paragraph(justification),
            Block::Heading("POUCZENIE".to_owned()),
            Block::Paragraph(appeal_instruction(&self.appeal_body, &self.issuer.name)),
        ]
    }
}

/// The DPS decision: what was decided and why.
pub struct PlacementRuling {
    pub person: String,
    pub granted: bool,
    /// The kind of home, as in "dom pomocy społecznej dla …".
    pub dps_type: String,
    pub preferred_home: Option<String>,
    pub received_on: NaiveDate,
    pub legal_basis: String,
    pub reasons: String,
}

/// Decyzja o umieszczeniu (lub odmowie umieszczenia) w domu pomocy społecznej.
pub fn dps_decision(c: Common, r: PlacementRuling) -> Letter {
    let ruling = if r.granted {
        format!(
            "umieścić w domu pomocy społecznej dla {}{} osobę: {}.",
            r.dps_type,
            r.preferred_home
                .as_deref()
                .map(|h| format!(" (dom wskazany we wniosku: {h})"))
                .unwrap_or_default(),
            r.person,
        )
    } else {
        format!(
            "odmówić umieszczenia w domu pomocy społecznej dla {} osoby: {}.",
            r.dps_type, r.person
        )
    };
    let mut blocks = vec![
        Block::Heading("DECYZJA".to_owned()),
        Block::Paragraph(format!(
            "Na podstawie {} oraz art. 104 Kodeksu postępowania administracyjnego, po rozpatrzeniu wniosku \
             z dnia {} w sprawie umieszczenia w domu pomocy społecznej osoby: {}, {} jako organ właściwy",
            r.legal_basis,
            date(r.received_on),
            r.person,
            c.issuer.name
        )),
        Block::Heading("orzeka".to_owned()),
        Block::Paragraph(ruling),
    ];
    let law = "Zgodnie z art. 54 ust. 1 ustawy z dnia 12 marca 2004 r. o pomocy społecznej osobie wymagającej \
               całodobowej opieki z powodu wieku, choroby lub niepełnosprawności, niemogącej samodzielnie \
               funkcjonować w codziennym życiu, której nie można zapewnić niezbędnej pomocy w formie usług \
               opiekuńczych, przysługuje prawo do umieszczenia w domu pomocy społecznej.";
    blocks.extend(c.decision_tail(format!(
        "Wniosek z dnia {} wszczął postępowanie (art. 61 § 3 k.p.a.). Sprawę rozpatrzono na podstawie zebranych \
         dokumentów i opinii Zespołu Kwalifikującego.\n{}\n{}",
        date(r.received_on),
        r.reasons,
        law
    )));
    c.letter(
        "letter_dps_decision",
        if r.granted {
            "Decyzja o umieszczeniu w domu pomocy społecznej"
        } else {
            "Decyzja o odmowie umieszczenia w domu pomocy społecznej"
        },
        blocks,
    )
}

/// One payer of a fee decision.
pub struct Payer {
    pub who: String,
    pub basis: String,
    pub monthly: i64,
}

/// The figures of a fee decision (amounts in grosze).
pub struct FeeRuling {
    pub person: String,
    pub care_home: String,
    pub applies_from: NaiveDate,
    pub average_cost: i64,
    pub cost_applies_from: NaiveDate,
    pub resident_income: i64,
    pub resident_limit: i64,
    pub criterion_single: i64,
    pub criterion_family: i64,
    pub criterion_applies_from: NaiveDate,
    pub payers: Vec<Payer>,
}

/// Decyzja ustalająca opłatę za pobyt w domu pomocy społecznej (art. 59 ust. 1, art. 61 u.p.s.).
pub fn fee_decision(c: Common, f: FeeRuling) -> Letter {
    let total: i64 = f.payers.iter().map(|p| p.monthly).sum();
    let mut rows: Vec<Vec<String>> = f
        .payers
        .iter()
        .map(|p| vec![p.who.clone(), p.basis.clone(), money(p.monthly)])
        .collect();
    rows.push(vec![
        "Razem".to_owned(),
        "średni miesięczny koszt utrzymania".to_owned(),
        money(total),
    ]);
    let mut blocks = vec![
        Block::Heading("DECYZJA".to_owned()),
        Block::Paragraph(format!(
            "Na podstawie art. 59 ust. 1, art. 60 i art. 61 ust. 1, 2 i 2a ustawy z dnia 12 marca 2004 r. o pomocy \
             społecznej oraz art. 104 Kodeksu postępowania administracyjnego {} jako organ właściwy",
            c.issuer.name
        )),
        Block::Heading("orzeka".to_owned()),
        Block::Paragraph(format!(
            "ustalić od dnia {} opłatę za pobyt osoby: {} w domu: {}, w wysokości średniego miesięcznego kosztu utrzymania \
             mieszkańca {}, wnoszoną przez zobowiązanych w następujących kwotach miesięcznie:",
            date(f.applies_from),
            f.person,
            f.care_home,
            money(f.average_cost)
        )),
        Block::Table {
            header: vec![
                "Zobowiązany".to_owned(),
                "Podstawa".to_owned(),
                "Kwota miesięcznie".to_owned(),
            ],
            widths: vec![38, 40, 22],
            rows,
        },
    ];
    blocks.extend(c.decision_tail(format!(
        "Średni miesięczny koszt utrzymania mieszkańca w domu: {} wynosi {} (ogłoszony na okres od dnia {}). \
         Mieszkaniec wnosi opłatę w wysokości nie wyższej niż 70% swojego dochodu (art. 61 ust. 1 pkt 1 ustawy): \
         przy dochodzie {} jest to {}.\n\
         Małżonek, zstępni przed wstępnymi wnoszą opłatę zgodnie z umową, jeżeli dochód osoby samotnie \
         gospodarującej przekracza 300% kryterium dochodowego, a w rodzinie 300% kryterium na osobę, przy czym \
         kwota dochodu pozostająca po wniesieniu opłaty nie może być niższa od tych kwot (art. 61 ust. 2 pkt 2). \
         Kryterium dochodowe obowiązujące od dnia {} wynosi {} dla osoby samotnie gospodarującej i {} na osobę \
         w rodzinie (300%: {} i {}).\n\
         Gmina wnosi opłatę w wysokości różnicy między średnim kosztem utrzymania a opłatami wnoszonymi przez \
         mieszkańca i pozostałe osoby (art. 61 ust. 2 pkt 3).",
        f.care_home,
        money(f.average_cost),
        date(f.cost_applies_from),
        money(f.resident_income),
        money(f.resident_limit),
        date(f.criterion_applies_from),
        money(f.criterion_single),
        money(f.criterion_family),
        money(3 * f.criterion_single),
        money(3 * f.criterion_family),
    )));
    c.letter(
        "letter_fee_decision",
        "Decyzja ustalająca opłatę za pobyt w domu pomocy społecznej",
        blocks,
    )
}

/// Decyzja o umieszczeniu w konkretnym domu, wydana gdy zwolniło się miejsce (the placement decision).
pub fn placement_decision(
    c: Common,
    person: &str,
    care_home: &str,
    admission_on: NaiveDate,
    entered_on: NaiveDate,
    out_of_order_reason: Option<&str>,
) -> Letter {
    let mut blocks = vec![
        Block::Heading("DECYZJA".to_owned()),
        Block::Paragraph(format!(
            "Na podstawie art. 59 ust. 1 i art. 54 ust. 1 ustawy z dnia 12 marca 2004 r. o pomocy społecznej oraz \
             art. 104 Kodeksu postępowania administracyjnego {} jako organ właściwy",
            c.issuer.name
        )),
        Block::Heading("orzeka".to_owned()),
        Block::Paragraph(format!(
            "umieścić z dniem {} w domu: {care_home} osobę: {person}.",
            date(admission_on)
        )),
    ];
    let order = match out_of_order_reason {
        Some(r) => format!("Miejsce przydzielono poza kolejnością listy oczekujących: {r}."),
        None => "Miejsce przydzielono według kolejności listy oczekujących.".to_owned(),
    };
    blocks.extend(c.decision_tail(format!(
        "Osoba została wpisana na listę oczekujących na umieszczenie w dniu {} na podstawie ostatecznej decyzji \
         o skierowaniu do domu pomocy społecznej. W domu zwolniło się miejsce. {order}",
        date(entered_on)
    )));
    c.letter(
        "letter_placement_decision",
        "Decyzja o umieszczeniu w domu pomocy społecznej",
        blocks,
    )
}

/// Zawiadomienie o niezałatwieniu sprawy w terminie (KPA art. 36).
pub fn delay_notice(
    c: Common,
    person: &str,
    received_on: NaiveDate,
    reason: &str,
    new_due_on: NaiveDate,
) -> Letter {
    let blocks = vec![
        Block::Heading("ZAWIADOMIENIE".to_owned()),
        Block::Paragraph(format!(
            "Na podstawie art. 36 § 1 Kodeksu postępowania administracyjnego zawiadamiam, że sprawa z wniosku \
             z dnia {} o umieszczenie w domu pomocy społecznej osoby: {person} nie zostanie załatwiona w terminie.\n\
             Przyczyna zwłoki: {reason}\n\
             Nowy termin załatwienia sprawy: {}.",
            date(received_on),
            date(new_due_on)
        )),
        Block::Heading("POUCZENIE".to_owned()),
        Block::Paragraph(format!(
            "Stronie przysługuje prawo do wniesienia ponaglenia, jeżeli sprawa nie zostanie załatwiona w terminie \
             (art. 37 § 1 k.p.a.). Ponaglenie wnosi się do {} za pośrednictwem {} (art. 37 § 3 k.p.a.); \
             ponaglenie zawiera uzasadnienie.",
            c.appeal_body, c.issuer.name
        )),
    ];
    c.letter(
        "letter_delay_notice",
        "Zawiadomienie o niezałatwieniu sprawy w terminie",
        blocks,
    )
}
