//! The access report as a PDF to hand to the person, set like the service's letters.

use super::model::Disclosure;
use crate::foundation::error::ApiError;
use crate::resources::letters::text::date;
use crate::resources::letters::{Block, Letter, Letterhead, Signatory};

fn table(header: &[&str], widths: &[u16], rows: Vec<Vec<String>>) -> Block {
    Block::Table {
        header: header.iter().map(|h| (*h).to_owned()).collect(),
        widths: widths.to_vec(),
        rows,
    }
}

/// Renders the report.
pub fn render(d: &Disclosure) -> Result<Vec<u8>, ApiError> {
    let p = &d.person;
    let today = d.generated_at.date_naive();
    let mut blocks = vec![
        Block::Heading("INFORMACJA O PRZETWARZANIU DANYCH OSOBOWYCH".to_owned()),
        Block::Heading("(art. 15 RODO)".to_owned()),
        Block::Paragraph(format!(
            "Administrator danych: {}, {}. Informacja dotyczy osoby: {} {}{}, ur. {}; stan na dzień {}.",
            d.controller.name,
            d.controller.address,
            p.first_name,
            p.last_name,
            p.pesel
                .as_deref()
                .map(|x| format!(", PESEL {x}"))
                .unwrap_or_default(),
            date(p.birth_date),
            date(today),
        )),
        Block::Heading("Cele i podstawy prawne przetwarzania".to_owned()),
        table(
            &["Cel", "Podstawa prawna"],
            &[45, 55],
            d.purposes
                .iter()
                .map(|x| vec![x.purpose.clone(), x.legal_basis.clone()])
                .collect(),
        ),
        Block::Heading("Sprawy".to_owned()),
    ];
    if d.cases.is_empty() {
        blocks.push(Block::Paragraph(
            "Brak spraw z udziałem administratora.".to_owned(),
        ));
    } else {
        blocks.push(table(
            &["Rodzaj", "Identyfikator", "Stan", "Od"],
            &[22, 42, 18, 18],
            d.cases
                .iter()
                .map(|c| {
                    vec![
                        c.case_type.clone(),
                        c.case_id.clone(),
                        c.status.clone(),
                        c.started_on.to_string(),
                    ]
                })
                .collect(),
        ));
    }
    blocks.push(Block::Heading("Dokumenty".to_owned()));
    if d.documents.is_empty() {
        blocks.push(Block::Paragraph("Brak dokumentów.".to_owned()));
    } else {
        blocks.push(table(
            &["Tytuł", "Rodzaj", "Data wpływu", "SHA-256"],
            &[36, 22, 14, 28],
            d.documents
                .iter()
                .map(|x| {
                    vec![
                        x.title.clone(),
                        x.kind.clone(),
                        x.received_on.to_string(),
                        x.sha256.chars().take(16).collect::<String>() + "…",
                    ]
                })
                .collect(),
        ));
    }
    blocks.push(Block::Heading("Odbiorcy danych".to_owned()));
    if d.recipients.is_empty() {
        blocks.push(Block::Paragraph(
            "Dane nie zostały udostępnione innym instytucjom.".to_owned(),
        ));
    } else {
        blocks.push(table(
            &["Instytucja", "Podstawa udostępnienia", "Od"],
            &[50, 30, 20],
            d.recipients
                .iter()
                .map(|r| {
                    vec![
                        format!("{} ({})", r.institution_name, r.institution_kind),
                        r.reason.clone(),
                        r.since.date_naive().to_string(),
                    ]
                })
                .collect(),
        ));
    }
    blocks.push(Block::Heading("Okres przechowywania".to_owned()));
    blocks.push(Block::Paragraph(d.retention.clone()));
    blocks.push(Block::Heading(
        "Dostęp do danych (dziennik zdarzeń)".to_owned(),
    ));
    for g in &d.accesses {
        blocks.push(Block::Paragraph(format!(
            "{}: odczyty {}, zmiany {}.",
            g.institution_name.as_deref().unwrap_or("Operator systemu"),
            g.reads,
            g.changes
        )));
        blocks.push(table(
            &["Kiedy (UTC)", "Kto (rola)", "Czynność", "Zasób"],
            &[22, 34, 16, 28],
            g.entries
                .iter()
                .map(|a| {
                    vec![
                        a.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                        format!("{} ({})", a.actor_id, a.role.as_deref().unwrap_or("-")),
                        format!(
                            "{} ({})",
                            if a.access == "read" {
                                "odczyt"
                            } else {
                                "zmiana"
                            },
                            a.action
                        ),
                        format!("{} {}", a.resource_type, a.resource_id),
                    ]
                })
                .collect(),
        ));
    }
    if d.accesses_truncated {
        blocks.push(Block::Paragraph(
            "Wykaz obejmuje 10 000 najstarszych zdarzeń; pełny wykaz jest dostępny w dzienniku zdarzeń.".to_owned(),
        ));
    }
    let letter = Letter {
        kind: "disclosure".to_owned(),
        title: "Informacja o przetwarzaniu danych osobowych (art. 15 RODO)".to_owned(),
        issuer: Letterhead {
            name: d.controller.name.clone(),
            address: d.controller.address.clone(),
        },
        date: today,
        reference: format!("RODO-{}", p.id),
        addressee: vec![format!("{} {}", p.first_name, p.last_name)],
        blocks,
        signatory: Signatory {
            name: d.controller.name.clone(),
            position: "Administrator danych".to_owned(),
            capacity: None,
        },
        copies: Vec::new(),
    };
    crate::resources::letters::pdf::render(&letter)
}
