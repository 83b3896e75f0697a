//! The record as a PDF: A4, in Vietnamese, typeset with krilla in DejaVu Sans (embedded and
//! subset, with a ToUnicode map, so `pdftotext` gives the text back). Laid out first into pages of
//! lines measured with the font's advances, then drawn.

use std::sync::Arc;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use phonghop_protocol::{BallotForm, Choice, Outcome};
use ttf_parser::Face;

use crate::{
    by_choice, line_count, marked, marks_in_order, marks_named, not_voted, words, RecordError, RecordFacts, RollLine,
};

const REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.0;
const TEXT_SIZE: f32 = 11.0;
const LINE: f32 = 1.45;

/// One thing drawn on a page; places in points from the top-left, text on its baseline.
#[derive(Debug, Clone)]
enum Mark {
    Text {
        x: f32,
        y: f32,
        bold: bool,
        size: f32,
        text: String,
    },
    Rule {
        y: f32,
    },
}

/// Measures text with the fonts' advances and fills pages top to bottom.
struct Layout {
    regular: Face<'static>,
    bold: Face<'static>,
    pages: Vec<Vec<Mark>>,
    /// The next baseline on the last page.
    y: f32,
}

impl Layout {
    fn new() -> Result<Layout, RecordError> {
        let face = |data: &'static [u8]| Face::parse(data, 0).map_err(|error| RecordError::Pdf(error.to_string()));
        Ok(Layout {
            regular: face(REGULAR)?,
            bold: face(BOLD)?,
            pages: vec![Vec::new()],
            y: MARGIN,
        })
    }

    fn width(&self, text: &str, bold: bool, size: f32) -> f32 {
        let face = if bold { &self.bold } else { &self.regular };
        let scale = size / f32::from(face.units_per_em());
        text.chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|glyph| face.glyph_hor_advance(glyph))
                    .map_or(0.0, |advance| f32::from(advance) * scale)
            })
            .sum()
    }

    /// Breaks `text` at spaces into lines no wider than `room`; a word wider than `room` gets a
    /// line of its own, broken between letters.
    fn wrap(&self, text: &str, bold: bool, size: f32, room: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split(' ') {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if self.width(&candidate, bold, size) <= room || line.is_empty() && self.width(word, bold, size) <= room {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                if !line.is_empty() && self.width(&format!("{line}{c}"), bold, size) > room {
                    lines.push(std::mem::take(&mut line));
                }
                line.push(c);
            }
        }
        lines.push(line);
        lines
    }

    /// Moves down by a line of `size`, onto a new page when this one is full.
    fn advance(&mut self, size: f32) -> f32 {
        if self.y + size * LINE > PAGE_HEIGHT - MARGIN {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
        self.y += size * LINE;
        self.y
    }

    fn mark(&mut self, mark: Mark) {
        if let Some(page) = self.pages.last_mut() {
            page.push(mark);
        }
    }

    /// A paragraph from `x`, wrapped to the right margin.
    fn paragraph(&mut self, x: f32, text: &str, bold: bool, size: f32) {
        for line in self.wrap(text, bold, size, PAGE_WIDTH - MARGIN - x) {
            let y = self.advance(size);
            self.mark(Mark::Text {
                x,
                y,
                bold,
                size,
                text: line,
            });
        }
    }

    fn centred(&mut self, text: &str, bold: bool, size: f32) {
        for line in self.wrap(text, bold, size, PAGE_WIDTH - 2.0 * MARGIN) {
            let y = self.advance(size);
            let x = (PAGE_WIDTH - self.width(&line, bold, size)) / 2.0;
            self.mark(Mark::Text {
                x,
                y,
                bold,
                size,
                text: line,
            });
        }
    }

    /// "Label: value", the value wrapped beside the label's column.
    fn field(&mut self, label: &str, value: &str) {
        const VALUE_X: f32 = MARGIN + 150.0;
        let lines = self.wrap(value, false, TEXT_SIZE, PAGE_WIDTH - MARGIN - VALUE_X);
        for (index, line) in lines.into_iter().enumerate() {
            let y = self.advance(TEXT_SIZE);
            if index == 0 {
                self.mark(Mark::Text {
                    x: MARGIN,
                    y,
                    bold: true,
                    size: TEXT_SIZE,
                    text: format!("{label}:"),
                });
            }
            self.mark(Mark::Text {
                x: VALUE_X,
                y,
                bold: false,
                size: TEXT_SIZE,
                text: line,
            });
        }
    }

    /// One row of the counts: what, how many, and its share of all members.
    fn count(&mut self, label: &str, count: u32, share: Option<String>) {
        let y = self.advance(TEXT_SIZE);
        let number = count.to_string();
        let number_x = MARGIN + 260.0 - self.width(&number, true, TEXT_SIZE);
        let cells = [
            (MARGIN + 20.0, false, label.to_owned()),
            (number_x, true, number),
            (MARGIN + 290.0, false, share.unwrap_or_default()),
        ];
        for (x, bold, text) in cells {
            self.mark(Mark::Text {
                x,
                y,
                bold,
                size: TEXT_SIZE,
                text,
            });
        }
    }

    fn gap(&mut self, points: f32) {
        self.y += points;
    }

    fn rule(&mut self) {
        self.gap(6.0);
        let y = self.y;
        self.mark(Mark::Rule { y });
        self.gap(4.0);
    }
}

pub(crate) fn body(
    facts: &RecordFacts,
    outcome: Outcome,
    csv_sha256: &str,
    key_fingerprint: &str,
) -> Result<Vec<u8>, RecordError> {
    let poll = &facts.poll;
    let tally = &poll.tally;
    let mut layout = Layout::new()?;
    layout.centred(&facts.meeting.title, true, 12.0);
    layout.gap(10.0);
    layout.centred("BIÊN BẢN KẾT QUẢ BIỂU QUYẾT", true, 16.0);
    layout.rule();

    if !facts.meeting.location.is_empty() {
        layout.field("Địa điểm", &facts.meeting.location);
    }
    if !facts.meeting.starts_at.is_empty() {
        layout.field("Thời gian kỳ họp", &facts.meeting.starts_at);
    }
    layout.field("Nội dung", &facts.item_title);
    layout.field("Biểu quyết", &format!("{} (số {})", poll.title, poll.id.0));
    layout.field("Hình thức", words::secrecy(poll.secrecy).0);
    if poll.ballot != BallotForm::Motion {
        layout.field("Loại phiếu", &words::form(&poll.ballot));
    }
    let basis = poll.basis.as_ref();
    let rule = match basis.map(|basis| basis.name.as_str()) {
        Some(name) if !name.is_empty() => format!("{name}: {}", words::rule(&poll.rule)),
        _ => format!("Quy tắc do chủ tọa đặt: {}", words::rule(&poll.rule)),
    };
    layout.field("Quy tắc", &rule);
    if let Some(source) = basis.and_then(|basis| basis.source.as_ref()) {
        let article = source.article.as_deref().unwrap_or("chưa ghi điều, khoản");
        layout.field("Căn cứ", &format!("{}, {article}", source.law));
    }
    if let Some(reason) = &poll.quorum_override {
        layout.field(
            "Số có mặt",
            &format!("chưa đủ; chủ tọa vẫn mở biểu quyết, lý do: {reason}"),
        );
    }
    layout.field("Mở biểu quyết", &words::time(facts.opened_at));
    layout.field("Kết thúc", &words::time(facts.closed_at));
    layout.rule();

    layout.count("Tổng số đại biểu", tally.members, None);
    layout.count(
        "Có mặt",
        tally.present,
        Some(words::share(tally.present, tally.members)),
    );
    let not_voted_count = tally.members - tally.cast().min(tally.members);
    if poll.ballot == BallotForm::Motion {
        for choice in [Choice::Yes, Choice::No, Choice::Abstain] {
            let count = tally.count(choice);
            layout.count(
                words::choice(Some(choice)),
                count,
                Some(words::share(count, tally.members)),
            );
        }
        layout.count(words::choice(None), not_voted_count, None);
    } else {
        layout.count(
            "Số phiếu biểu quyết",
            tally.cast(),
            Some(words::share(tally.cast(), tally.members)),
        );
        layout.count(words::choice(None), not_voted_count, None);
        lines(&mut layout, facts, outcome);
    }
    layout.gap(8.0);
    layout.centred(
        &format!(
            "KẾT QUẢ: {}",
            words::poll_outcome(&poll.ballot, &poll.rule, outcome, &poll.line_outcomes)
        ),
        true,
        14.0,
    );

    if !facts.roll.is_empty() {
        layout.rule();
        layout.paragraph(MARGIN, "Danh sách đại biểu theo lựa chọn", true, 12.0);
        if poll.ballot == BallotForm::Motion {
            for (choice, members) in by_choice(&facts.roll) {
                layout.gap(4.0);
                layout.paragraph(
                    MARGIN,
                    &format!("{} ({}):", words::choice(choice), members.len()),
                    true,
                    TEXT_SIZE,
                );
                names(&mut layout, MARGIN + 20.0, &members);
            }
        } else {
            names_by_line(&mut layout, facts);
        }
    }

    layout.rule();
    let small = 9.0;
    layout.paragraph(MARGIN, "Mã kiểm tra dữ liệu (SHA-256 của bản CSV):", false, small);
    layout.paragraph(MARGIN, csv_sha256, false, small);
    layout.paragraph(
        MARGIN,
        &format!("Khoá ký của máy chủ: {key_fingerprint}. Tệp này mang chữ ký số Ed25519 của máy chủ ở cuối tệp; kiểm tra bằng lệnh: phonghop-admin verify --file <tệp>"),
        false,
        small,
    );

    draw(facts, &layout.pages)
}

/// Each line of a ballot of a form other than a motion: its name, the count of each mark with
/// its share of all members and, when the poll counted, how it came out.
fn lines(layout: &mut Layout, facts: &RecordFacts, outcome: Outcome) {
    let poll = &facts.poll;
    let form = &poll.ballot;
    for (line, name) in form.lines().iter().enumerate() {
        layout.gap(6.0);
        layout.paragraph(MARGIN, &format!("{}. {name}", line + 1), true, TEXT_SIZE);
        for mark in marks_in_order(form) {
            let count = line_count(&poll.tally, line, mark);
            layout.count(
                words::mark(form, mark).0,
                count,
                Some(words::share(count, poll.tally.members)),
            );
        }
        if let Some(line_outcome) = poll.line_outcomes.get(line) {
            layout.paragraph(
                MARGIN + 20.0,
                &format!("Kết quả: {}", words::line_outcome(form, &poll.rule, *line_outcome)),
                true,
                TEXT_SIZE,
            );
        }
    }
    if outcome == Outcome::NoQuorum {
        layout.gap(6.0);
        layout.paragraph(
            MARGIN,
            &format!(
                "Không đủ số đại biểu có mặt theo quy tắc: không xét kết quả từng {}.",
                words::lines_noun(form)
            ),
            false,
            TEXT_SIZE,
        );
    }
}

/// A named poll of a form other than a motion: under each line the members by what they marked
/// on it, then those who did not vote.
fn names_by_line(layout: &mut Layout, facts: &RecordFacts) {
    let form = &facts.poll.ballot;
    for (line, name) in form.lines().iter().enumerate() {
        layout.gap(4.0);
        layout.paragraph(MARGIN, &format!("{}. {name}", line + 1), true, TEXT_SIZE);
        for mark in marks_named(form) {
            let members = marked(&facts.roll, line, mark);
            layout.paragraph(
                MARGIN + 20.0,
                &format!("{} ({}):", words::mark(form, mark).0, members.len()),
                true,
                TEXT_SIZE,
            );
            names(layout, MARGIN + 40.0, &members);
        }
    }
    let members = not_voted(&facts.roll);
    layout.gap(4.0);
    layout.paragraph(
        MARGIN,
        &format!("{} ({}):", words::choice(None), members.len()),
        true,
        TEXT_SIZE,
    );
    names(layout, MARGIN + 20.0, &members);
}

/// Members one to a line from `x`, with their position where they have one; "Không có" for none.
fn names(layout: &mut Layout, x: f32, members: &[&RollLine]) {
    if members.is_empty() {
        layout.paragraph(x, "Không có", false, TEXT_SIZE);
    }
    for member in members {
        let name = if member.position.is_empty() {
            member.full_name.clone()
        } else {
            format!("{} — {}", member.full_name, member.position)
        };
        layout.paragraph(x, &name, false, TEXT_SIZE);
    }
}

fn draw(facts: &RecordFacts, pages: &[Vec<Mark>]) -> Result<Vec<u8>, RecordError> {
    let font = |data: &'static [u8]| {
        Font::new(Arc::new(data.to_vec()).into(), 0)
            .ok_or_else(|| RecordError::Pdf("the bundled font cannot be read".into()))
    };
    let (regular, bold) = (font(REGULAR)?, font(BOLD)?);
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("Biên bản kết quả biểu quyết — {}", facts.poll.title))
            .language("vi".into())
            .creator("phonghop".into()),
    );
    let settings =
        || PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or_else(|| RecordError::Pdf("page size".into()));
    for marks in pages {
        let mut page = document.start_page_with(settings()?);
        let mut surface = page.surface();
        for mark in marks {
            match mark {
                Mark::Text {
                    x,
                    y,
                    bold: is_bold,
                    size,
                    text,
                } => {
                    let font = if *is_bold { bold.clone() } else { regular.clone() };
                    surface.draw_text(Point::from_xy(*x, *y), font, *size, text, false, TextDirection::Auto);
                }
                Mark::Rule { y } => {
                    let mut path = PathBuilder::new();
                    path.move_to(MARGIN, *y);
                    path.line_to(PAGE_WIDTH - MARGIN, *y);
                    if let Some(path) = path.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(120, 120, 120).into(),
                            width: 0.6,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                        surface.set_fill(Some(krilla::paint::Fill::default()));
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|error| RecordError::Pdf(format!("{error:?}")))
}
