//! The page geometry and line breaking of letters: where each line of text and each rule goes, page by page.

use ttf_parser::Face;

pub(super) struct Fonts {
    pub regular: krilla::text::Font,
    pub bold: krilla::text::Font,
    pub regular_face: Face<'static>,
    pub bold_face: Face<'static>,
}

pub(super) const PAGE_W: f32 = 595.28;
pub(super) const PAGE_H: f32 = 841.89;
pub(super) const LEFT: f32 = 62.0;
pub(super) const RIGHT: f32 = PAGE_W - 62.0;
pub(super) const TOP: f32 = 56.0;
pub(super) const BOTTOM: f32 = PAGE_H - 70.0;
pub(super) const BODY: f32 = 10.0;
pub(super) const SMALL: f32 = 8.5;
pub(super) const LEAD: f32 = 1.4;

pub(super) enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
    },
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Align {
    Left,
    Centre,
    Right,
}

pub(super) struct Layout<'f> {
    pub fonts: &'f Fonts,
    pub pages: Vec<Vec<Op>>,
    pub y: f32,
}

impl<'f> Layout<'f> {
    pub(super) fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let face = if bold {
            &self.fonts.bold_face
        } else {
            &self.fonts.regular_face
        };
        let units: u32 = text
            .chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    .unwrap_or(face.units_per_em() / 2) as u32
            })
            .sum();
        units as f32 * size / f32::from(face.units_per_em())
    }

    /// The lines a text breaks into within `max` points; words longer than a line are cut.
    pub(super) fn wrap(&self, text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for source_line in text.lines() {
            let mut line = String::new();
            for word in source_line.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, bold) <= max {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                let mut rest = word.to_owned();
                while self.width(&rest, size, bold) > max && rest.chars().count() > 1 {
                    let mut cut = String::new();
                    for c in rest.chars() {
                        if self.width(&format!("{cut}{c}"), size, bold) > max && !cut.is_empty() {
                            break;
                        }
                        cut.push(c);
                    }
                    rest = rest[cut.len()..].to_owned();
                    lines.push(cut);
                }
                line = rest;
            }
            lines.push(line);
        }
        lines
    }

    pub(super) fn page(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        self.pages.last_mut().expect("a page was just pushed")
    }

    /// Room for `height` more points, or a new page.
    pub(super) fn room(&mut self, height: f32) {
        if self.y + height > BOTTOM {
            self.pages.push(Vec::new());
            self.y = TOP;
        }
    }

    pub(super) fn line(
        &mut self,
        text: &str,
        size: f32,
        bold: bool,
        align: Align,
        x0: f32,
        x1: f32,
    ) {
        let step = size * LEAD;
        self.room(step);
        self.y += step;
        let w = self.width(text, size, bold);
        let x = match align {
            Align::Left => x0,
            Align::Centre => x0 + ((x1 - x0) - w) / 2.0,
            Align::Right => x1 - w,
        };
        let y = self.y;
        self.page().push(Op::Text {
            x,
            y,
            size,
            bold,
            text: text.to_owned(),
        });
    }

    pub(super) fn text(&mut self, text: &str, size: f32, bold: bool, align: Align) {
        for l in self.wrap(text, size, bold, RIGHT - LEFT) {
            self.line(&l, size, bold, align, LEFT, RIGHT);
        }
    }

    pub(super) fn gap(&mut self, points: f32) {
        self.y += points;
    }

    pub(super) fn rule(&mut self, x1: f32, x2: f32) {
        let y = self.y + 3.0;
        self.page().push(Op::Rule { x1, x2, y });
    }

    pub(super) fn table(&mut self, header: &[String], widths: &[u16], rows: &[Vec<String>]) {
        let total: f32 = widths.iter().map(|w| f32::from(*w)).sum::<f32>().max(1.0);
        let mut edges = vec![LEFT];
        for w in widths {
            let last = *edges.last().unwrap_or(&LEFT);
            edges.push(last + (RIGHT - LEFT) * f32::from(*w) / total);
        }
        let mut all = vec![(header, true)];
        all.extend(rows.iter().map(|r| (r.as_slice(), false)));
        for (cells, bold) in all {
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let w = edges.get(i + 1).unwrap_or(&RIGHT) - edges.get(i).unwrap_or(&LEFT);
                    self.wrap(c, SMALL + 0.5, bold, w - 6.0)
                })
                .collect();
            let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
            self.room(height as f32 * (SMALL + 0.5) * LEAD + 6.0);
            let top = self.y;
            for (i, lines) in wrapped.iter().enumerate() {
                self.y = top;
                let (x0, x1) = (edges[i] + 3.0, edges.get(i + 1).unwrap_or(&RIGHT) - 3.0);
                // Amounts (the last columns) read best right-aligned.
                let align = if i > 0 && lines.iter().all(|l| l.ends_with("zł")) {
                    Align::Right
                } else {
                    Align::Left
                };
                for l in lines {
                    self.line(l, SMALL + 0.5, bold, align, x0, x1);
                }
            }
            self.y = top + height as f32 * (SMALL + 0.5) * LEAD;
            self.rule(LEFT, RIGHT);
            self.gap(4.0);
        }
    }
}
