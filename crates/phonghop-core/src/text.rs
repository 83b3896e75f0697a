//! What text a person may give the meeting: titles, descriptions and file names.
//!
//! A title must show something: one made only of invisible characters (NUL, zero-width space,
//! bidi marks) would be an empty line on every councillor's screen. Bidi embedding, override and
//! isolate controls (U+202A–U+202E, U+2066–U+2069) are removed from titles and file names: they
//! can make `gpj.exe` read as `exe.jpg` and have no use in Vietnamese text.

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 300;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;
/// Longest file name kept, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 200;
/// The name given to a file whose own name has nothing left after cleaning.
pub const FALLBACK_FILE_NAME: &str = "tai-lieu.pdf";

/// Why a title or description is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("the title has no visible text")]
    Invisible,
    #[error("the title is longer than {MAX_TITLE_CHARS} characters")]
    TitleTooLong,
    #[error("the description is longer than {MAX_DESCRIPTION_CHARS} characters")]
    DescriptionTooLong,
    #[error("the text contains control characters")]
    ControlCharacter,
}

/// Bidi embedding, override and isolate controls.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that take no visible space of their own: whitespace, zero-width and bidi marks,
/// joiners, variation selectors, fillers, tags.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// A reason (a leave, why a poll opens without its quorum): empty, or cleaned like a title.
pub fn reason(text: &str) -> Result<String, TextError> {
    let cleaned: String = text.chars().filter(|c| !is_bidi_control(*c)).collect();
    if cleaned.trim().chars().all(is_invisible) {
        return Ok(String::new());
    }
    title(&cleaned)
}

/// A title as stored: bidi controls removed, surrounding whitespace trimmed. Refused when it has
/// control characters, nothing visible, or more than [`MAX_TITLE_CHARS`] characters.
pub fn title(text: &str) -> Result<String, TextError> {
    let cleaned: String = text.chars().filter(|c| !is_bidi_control(*c)).collect();
    if cleaned.chars().any(char::is_control) {
        return Err(TextError::ControlCharacter);
    }
    let trimmed = cleaned.trim();
    if trimmed.chars().all(is_invisible) {
        return Err(TextError::Invisible);
    }
    if trimmed.chars().count() > MAX_TITLE_CHARS {
        return Err(TextError::TitleTooLong);
    }
    Ok(trimmed.to_owned())
}

/// A description as stored: like a title, but it may be empty and may hold line breaks and tabs.
pub fn description(text: &str) -> Result<String, TextError> {
    let cleaned: String = text.chars().filter(|c| !is_bidi_control(*c)).collect();
    if cleaned
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(TextError::ControlCharacter);
    }
    let trimmed = cleaned.trim();
    if trimmed.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(TextError::DescriptionTooLong);
    }
    Ok(trimmed.to_owned())
}

/// The name a person sees for an uploaded file: no folder part (paths from clients never reach
/// the disk), no control or bidi characters, at most [`MAX_FILE_NAME_CHARS`] characters, and
/// [`FALLBACK_FILE_NAME`] when nothing is left.
pub fn file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .take(MAX_FILE_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.chars().all(is_invisible) || cleaned == "." || cleaned == ".." {
        FALLBACK_FILE_NAME.to_owned()
    } else {
        cleaned.to_owned()
    }
}

/// The title a document gets from its file name when the uploader gives none: the name without
/// its extension (`Tờ trình.pdf` → `Tờ trình`). May be refused by [`title`] (`.pdf` has none).
pub fn title_from_file_name(file_name: &str) -> &str {
    match file_name.rsplit_once('.') {
        Some((stem, extension)) if !extension.is_empty() && extension.len() <= 5 => stem,
        _ => file_name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_must_show_something() {
        let table: &[(&str, Result<&str, TextError>)] = &[
            ("  Khai mạc kỳ họp ", Ok("Khai mạc kỳ họp")),
            ("Tờ trình \u{202E}fdp.exe", Ok("Tờ trình fdp.exe")),
            ("", Err(TextError::Invisible)),
            ("   ", Err(TextError::Invisible)),
            ("\u{200B}\u{200B}", Err(TextError::Invisible)),
            ("\u{200E}\u{200F}\u{2066}", Err(TextError::Invisible)),
            ("\u{FEFF} \u{3000}", Err(TextError::Invisible)),
            ("\0", Err(TextError::ControlCharacter)),
            ("Mục\u{0}một", Err(TextError::ControlCharacter)),
            ("Hai\ndòng", Err(TextError::ControlCharacter)),
        ];
        for (given, expected) in table {
            let expected = expected.clone().map(str::to_owned);
            assert_eq!(title(given), expected, "{given:?}");
        }
        assert_eq!(title(&"ư".repeat(MAX_TITLE_CHARS)).map(|t| t.chars().count()), Ok(300));
        assert_eq!(title(&"ư".repeat(MAX_TITLE_CHARS + 1)), Err(TextError::TitleTooLong));
    }

    #[test]
    fn descriptions_may_be_empty_and_span_lines() {
        assert_eq!(description("  ").as_deref(), Ok(""));
        assert_eq!(description("Dòng 1\nDòng 2\t").as_deref(), Ok("Dòng 1\nDòng 2"));
        assert_eq!(description("a\u{7}b"), Err(TextError::ControlCharacter));
        assert_eq!(
            description(&"a".repeat(MAX_DESCRIPTION_CHARS + 1)),
            Err(TextError::DescriptionTooLong)
        );
    }

    #[test]
    fn file_names_lose_folders_controls_and_bidi_overrides() {
        let table = [
            ("../../etc/passwd", "passwd"),
            ("C:\\Users\\x\\Tờ trình.pdf", "Tờ trình.pdf"),
            ("báo cáo\u{202E}fdp.exe", "báo cáofdp.exe"),
            ("a\u{2067}b\u{2069}.pdf", "ab.pdf"),
            ("tab\there.pdf", "tabhere.pdf"),
            ("..", FALLBACK_FILE_NAME),
            ("", FALLBACK_FILE_NAME),
            ("\u{200B}", FALLBACK_FILE_NAME),
        ];
        for (given, expected) in table {
            assert_eq!(file_name(given), expected, "{given:?}");
        }
        assert_eq!(file_name(&"ă".repeat(500)).chars().count(), MAX_FILE_NAME_CHARS);
    }

    #[test]
    fn a_document_title_comes_from_its_file_name() {
        assert_eq!(title_from_file_name("Tờ trình.pdf"), "Tờ trình");
        assert_eq!(title_from_file_name("bao-cao.2026.docx"), "bao-cao.2026");
        assert_eq!(title_from_file_name("README"), "README");
        assert_eq!(title(title_from_file_name(".pdf")), Err(TextError::Invisible));
    }
}
