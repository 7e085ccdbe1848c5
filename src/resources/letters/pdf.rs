//! Typesetting a [`Letter`] on A4 with krilla: lines broken by the font's own advance widths, pages broken where
//! the text runs out, a footer with the reference and "Strona n z m". Fonts are DejaVu Sans (regular and bold,
//! shipped in `assets/fonts` under the Bitstream Vera licence), embedded as subsets with a ToUnicode map, so every
//! Polish letter prints and the text can be selected, searched and read aloud.

use std::sync::LazyLock;

use chrono::Datelike;

use krilla::Document;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, TextDirection};
use ttf_parser::Face;

use super::layout::{
    Align, BODY, Fonts, LEAD, LEFT, Layout, Op, PAGE_H, PAGE_W, RIGHT, SMALL, TOP,
};

use super::text::place_and_date;
use super::{Block, Letter};
use crate::foundation::error::ApiError;

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

static FONTS: LazyLock<Option<Fonts>> = LazyLock::new(|| {
    Some(Fonts {
        regular: Font::new(REGULAR.into(), 0)?,
        bold: Font::new(BOLD.into(), 0)?,
        regular_face: Face::parse(REGULAR, 0).ok()?,
        bold_face: Face::parse(BOLD, 0).ok()?,
    })
});

fn lay_out(fonts: &Fonts, letter: &Letter) -> Vec<Vec<Op>> {
    let mut l = Layout {
        fonts,
        pages: vec![Vec::new()],
        y: TOP,
    };
    l.text(&letter.issuer.name, BODY + 1.0, true, Align::Left);
    l.text(&letter.issuer.address, SMALL, false, Align::Left);
    l.rule(LEFT, RIGHT);
    l.gap(8.0);
    l.text(
        &place_and_date(&letter.issuer.address, letter.date),
        BODY,
        false,
        Align::Right,
    );
    l.text(
        &format!("Znak sprawy: {}", letter.reference),
        SMALL,
        false,
        Align::Left,
    );
    l.gap(10.0);
    for a in &letter.addressee {
        let lines = l.wrap(a, BODY, true, (RIGHT - LEFT) / 2.0);
        for line in lines {
            l.line(&line, BODY, true, Align::Left, (LEFT + RIGHT) / 2.0, RIGHT);
        }
    }
    l.gap(14.0);
    for b in &letter.blocks {
        match b {
            Block::Heading(h) => {
                l.gap(6.0);
                l.text(h, BODY + 2.0, true, Align::Centre);
                l.gap(4.0);
            }
            Block::Paragraph(p) => {
                for para in p.split("\n") {
                    l.text(para, BODY, false, Align::Left);
                    l.gap(4.0);
                }
            }
            Block::Numbered(items) => {
                for (i, item) in items.iter().enumerate() {
                    let lines = l.wrap(item, BODY, false, RIGHT - LEFT - 18.0);
                    for (j, line) in lines.iter().enumerate() {
                        if j == 0 {
                            l.line(
                                &format!("{}.", i + 1),
                                BODY,
                                false,
                                Align::Left,
                                LEFT,
                                RIGHT,
                            );
                            l.y -= BODY * LEAD;
                        }
                        l.line(line, BODY, false, Align::Left, LEFT + 18.0, RIGHT);
                    }
                }
                l.gap(4.0);
            }
            Block::Table {
                header,
                widths,
                rows,
            } => {
                l.gap(2.0);
                l.rule(LEFT, RIGHT);
                l.table(header, widths, rows);
                l.gap(4.0);
            }
        }
    }
    l.gap(24.0);
    let s = &letter.signatory;
    let half = (LEFT + RIGHT) / 2.0;
    l.room(5.0 * BODY * LEAD);
    let mut sign = vec![(s.name.as_str(), true), (s.position.as_str(), false)];
    if let Some(c) = &s.capacity {
        sign.push((c.as_str(), false));
    }
    for (text, bold) in sign {
        for line in l.wrap(text, BODY, bold, RIGHT - half) {
            l.line(&line, BODY, bold, Align::Centre, half, RIGHT);
        }
    }
    l.line("(podpis)", SMALL, false, Align::Centre, half, RIGHT);
    if !letter.copies.is_empty() {
        l.gap(16.0);
        l.text("Otrzymują:", SMALL, true, Align::Left);
        let copies: Vec<String> = letter
            .copies
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{}. {c}", i + 1))
            .collect();
        for c in copies {
            l.text(&c, SMALL, false, Align::Left);
        }
    }
    l.pages
}

/// The letter as PDF bytes; the same letter always gives the same bytes.
pub fn render(letter: &Letter) -> Result<Vec<u8>, ApiError> {
    let fonts = FONTS
        .as_ref()
        .ok_or_else(|| ApiError::internal("the letter fonts do not parse"))?;
    let pages = lay_out(fonts, letter);
    let count = pages.len();
    let mut doc = Document::new();
    let d = letter.date;
    doc.set_metadata(
        Metadata::new()
            .title(letter.title.clone())
            .authors(vec![letter.issuer.name.clone()])
            .creator("reintegra".to_owned())
            .language("pl".to_owned())
            .document_id(format!("{}/{}", letter.kind, letter.reference))
            .creation_date(
                DateTime::new(d.year() as u16)
                    .month(d.month() as u8)
                    .day(d.day() as u8),
            ),
    );
    for (n, ops) in pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
            .ok_or_else(|| ApiError::internal("A4 is a valid page size"))?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        let footer = format!("{} · Strona {} z {}", letter.reference, n + 1, count);
        let mut all: Vec<&Op> = ops.iter().collect();
        let footer_op = Op::Text {
            x: LEFT,
            y: PAGE_H - 40.0,
            size: SMALL - 1.0,
            bold: false,
            text: footer,
        };
        all.push(&footer_op);
        for op in all {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    bold,
                    text,
                } => {
                    let font = if *bold { &fonts.bold } else { &fonts.regular };
                    surface.draw_text(
                        Point::from_xy(*x, *y),
                        font.clone(),
                        *size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Rule { x1, x2, y } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x1, *y);
                    pb.line_to(*x2, *y);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            width: 0.5,
                            ..Default::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                        surface.set_fill(Some(Default::default()));
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    doc.finish()
        .map_err(|e| ApiError::internal(format!("rendering a letter: {e:?}")))
}
