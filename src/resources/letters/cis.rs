//! The letters of a referral to a CIS and of participation in it (seed 000): the referral and its refusal
//! (I.3), the admission list (II.1), the letter to a participant who did not qualify (II.3) and the notice of
//! early termination to MOPR (II.4). They are letters, not administrative decisions: the social employment act
//! leaves referral to the OPS without the KPA's forms, so they carry the legal basis, the facts and the signatory
//! but no appeal instruction.

use chrono::NaiveDate;

use super::dps::Common;
use super::text::date;
use super::{Block, Letter};

/// Skierowanie do udziału w zajęciach prowadzonych przez CIS.
pub fn referral(
    c: Common,
    person: &str,
    cis: &str,
    received_on: NaiveDate,
    opinion_on: NaiveDate,
) -> Letter {
    let blocks = vec![
        Block::Heading("SKIEROWANIE".to_owned()),
        Block::Heading(
            "do udziału w zajęciach prowadzonych przez Centrum Integracji Społecznej".to_owned(),
        ),
        Block::Paragraph(format!(
            "Na podstawie art. 12 ust. 1 ustawy z dnia 13 czerwca 2003 r. o zatrudnieniu socjalnym {} kieruje \
             osobę: {person} do uczestnictwa w zajęciach prowadzonych przez: {cis}.\n\
             Skierowanie wydano na wniosek z dnia {}, po zaopiniowaniu wniosku przez pracownika socjalnego w dniu {} \
             (opinia pracownika socjalnego, sporządzona po przeprowadzeniu wywiadu środowiskowego, jest przekazywana \
             do Centrum Integracji Społecznej wraz ze skierowaniem).\n\
             Uczestnictwo w zajęciach rozpoczyna się od podpisania indywidualnego programu zatrudnienia socjalnego \
             (art. 13 ustawy), którego pierwszy miesiąc jest okresem próbnym.",
            c.issuer.name,
            date(received_on),
            date(opinion_on)
        )),
    ];
    c.letter(
        "letter_referral",
        "Skierowanie do udziału w zajęciach CIS",
        blocks,
    )
}

/// Odmowa skierowania, z uzasadnieniem.
pub fn refusal(
    c: Common,
    person: &str,
    cis: &str,
    received_on: NaiveDate,
    ground: &str,
    reasons: &str,
) -> Letter {
    let blocks = vec![
        Block::Heading("ODMOWA SKIEROWANIA".to_owned()),
        Block::Heading(
            "do udziału w zajęciach prowadzonych przez Centrum Integracji Społecznej".to_owned(),
        ),
        Block::Paragraph(format!(
            "{} po rozpatrzeniu wniosku z dnia {} o skierowanie osoby: {person} do uczestnictwa w zajęciach \
             prowadzonych przez: {cis}, na podstawie art. 1 i art. 12 ustawy z dnia 13 czerwca 2003 r. \
             o zatrudnieniu socjalnym odmawia skierowania.",
            c.issuer.name,
            date(received_on)
        )),
        Block::Heading("UZASADNIENIE".to_owned()),
        Block::Paragraph(format!("Podstawa odmowy: {ground}.\n{reasons}")),
    ];
    c.letter(
        "letter_referral_refusal",
        "Odmowa skierowania do udziału w zajęciach CIS",
        blocks,
    )
}

/// One person on an admission list.
pub struct Admitted {
    pub name: String,
    pub signed_on: NaiveDate,
    pub start_on: NaiveDate,
    pub proper_period_starts_on: NaiveDate,
}

/// Lista osób przyjętych do uczestnictwa w zajęciach CIS.
pub fn admission_list(c: Common, admitted: &[Admitted]) -> Letter {
    let rows = admitted
        .iter()
        .enumerate()
        .map(|(i, a)| {
            vec![
                (i + 1).to_string(),
                a.name.clone(),
                date(a.signed_on),
                date(a.start_on),
                date(a.proper_period_starts_on),
            ]
        })
        .collect();
    let blocks = vec![
        Block::Heading("LISTA OSÓB PRZYJĘTYCH".to_owned()),
        Block::Heading("do uczestnictwa w zajęciach Centrum Integracji Społecznej".to_owned()),
        Block::Paragraph(format!(
            "{} przekazuje listę osób przyjętych do uczestnictwa w zajęciach, z którymi podpisano indywidualny \
             program zatrudnienia socjalnego (art. 13 ustawy z dnia 13 czerwca 2003 r. o zatrudnieniu socjalnym). \
             Lista jest przekazywana w terminie 5 dni roboczych od podpisania programu.",
            c.issuer.name
        )),
        Block::Table {
            header: vec![
                "Lp.".to_owned(),
                "Imię i nazwisko".to_owned(),
                "Podpisanie IPZS".to_owned(),
                "Początek okresu próbnego".to_owned(),
                "Początek okresu właściwego".to_owned(),
            ],
            widths: vec![6, 30, 21, 21, 22],
            rows,
        },
    ];
    c.letter(
        "letter_admission_list",
        "Lista osób przyjętych do uczestnictwa w zajęciach CIS",
        blocks,
    )
}

/// Informacja dla MOPR o rozwiązaniu IPZS przed terminem.
pub fn termination_notice(
    c: Common,
    person: &str,
    signed_on: NaiveDate,
    planned_end_on: NaiveDate,
    ended_on: NaiveDate,
    reason: &str,
) -> Letter {
    let blocks = vec![
        Block::Heading("INFORMACJA".to_owned()),
        Block::Heading("o zakończeniu uczestnictwa przed terminem".to_owned()),
        Block::Paragraph(format!(
            "{} informuje, że indywidualny program zatrudnienia socjalnego osoby: {person}, podpisany w dniu {}, \
             z planowanym zakończeniem w dniu {}, został rozwiązany przed terminem w dniu {}.\n\
             Przyczyna (art. 13 ustawy z dnia 13 czerwca 2003 r. o zatrudnieniu socjalnym): {reason}\n\
             Z tym dniem ustaje uczestnictwo w zajęciach i obowiązek ubezpieczenia zdrowotnego z tytułu \
             uczestnictwa.",
            c.issuer.name,
            date(signed_on),
            date(planned_end_on),
            date(ended_on)
        )),
    ];
    c.letter(
        "letter_termination_notice",
        "Informacja o rozwiązaniu IPZS przed terminem",
        blocks,
    )
}

/// Pismo do uczestnika niezakwalifikowanego po okresie próbnym (kopia do MOPR).
pub fn non_qualification(
    c: Common,
    person: &str,
    trial_ended_on: NaiveDate,
    ended_on: NaiveDate,
) -> Letter {
    let blocks = vec![
        Block::Heading("INFORMACJA".to_owned()),
        Block::Heading("o niezakwalifikowaniu do dalszego uczestnictwa".to_owned()),
        Block::Paragraph(format!(
            "{} informuje, że osoba: {person} po okresie próbnym indywidualnego programu zatrudnienia socjalnego, \
             zakończonym w dniu {}, nie została zakwalifikowana do uczestnictwa w zajęciach w okresie właściwym. \
             Uczestnictwo w zajęciach kończy się z dniem {}.\n\
             Kopię pisma otrzymuje Miejski Ośrodek Pomocy Rodzinie, który skierował uczestnika.",
            c.issuer.name,
            date(trial_ended_on),
            date(ended_on)
        )),
    ];
    c.letter(
        "letter_non_qualification",
        "Informacja o niezakwalifikowaniu po okresie próbnym",
        blocks,
    )
}
