//! Letters and decisions issued as PDF when their act is recorded, and kept in the case file as issued.
//!
//! A letter is first a [`Letter`]: plain data in the words of the statute (the letterhead, the date, the
//! addressees, the blocks of text, the signatory), built by a template in [`cis`] or [`dps`] from the act's own
//! data. [`pdf::render`] turns it into an A4 PDF with DejaVu Sans embedded as a subset, the text extractable, and
//! every date in its metadata taken from the letter, never from the clock, so the same letter renders to the same
//! bytes. [`issue::issue`] files the PDF as a case document of kind `letter_…` in the act's own transaction, keeps
//! the letter's data beside it, and records its SHA-256 on the act in the case register.

pub mod cis;
pub mod dps;
pub mod issue;
mod layout;
pub mod pdf;
pub mod text;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The kinds of letter, as document kinds. Uploads may not take them: a letter is only ever issued by its act.
pub const LETTER_KINDS: [&str; 9] = [
    "letter_referral",
    "letter_referral_refusal",
    "letter_admission_list",
    "letter_termination_notice",
    "letter_non_qualification",
    "letter_dps_decision",
    "letter_fee_decision",
    "letter_placement_decision",
    "letter_delay_notice",
];

/// Whether a document kind is a letter (immutable: never withdrawn, never uploaded).
pub fn is_letter(kind: &str) -> bool {
    LETTER_KINDS.contains(&kind)
}

/// The institution a letter comes from, as its record names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Letterhead {
    pub name: String,
    pub address: String,
}

/// Who signs, and in what capacity (on whose authorisation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    pub name: String,
    pub position: String,
    pub capacity: Option<String>,
}

/// A piece of a letter's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Block {
    /// A centred bold line (DECYZJA, ORZEKAM, UZASADNIENIE).
    Heading(String),
    /// Running text; a blank line starts a new paragraph.
    Paragraph(String),
    /// Numbered points.
    Numbered(Vec<String>),
    /// A table with a header row; the widths are fractions of the text width.
    Table {
        header: Vec<String>,
        widths: Vec<u16>,
        rows: Vec<Vec<String>>,
    },
}

/// One letter, all its content; rendering is a pure function of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Letter {
    /// The document kind (`letter_dps_decision`, …).
    pub kind: String,
    /// The document's title in the case file.
    pub title: String,
    pub issuer: Letterhead,
    /// The letter's date (the act's legal date).
    pub date: NaiveDate,
    /// Znak sprawy: the case's reference.
    pub reference: String,
    /// The addressee's lines, top right.
    pub addressee: Vec<String>,
    pub blocks: Vec<Block>,
    pub signatory: Signatory,
    /// "Otrzymują": who gets a copy.
    pub copies: Vec<String>,
}

impl Letter {
    /// The file name it is kept under: ASCII, from its kind and date.
    pub fn filename(&self) -> String {
        format!("{}-{}.pdf", self.kind.replace('_', "-"), self.date)
    }
}
