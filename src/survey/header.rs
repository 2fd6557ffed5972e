//! Finding the declared columns among a respondents' file's headers (表头匹配). Survey tools
//! head each question's column with its number and its whole text
//! (`3、您觉得您所在的镇（街道）治安状况如何？`), with punctuation in full or half width and
//! sometimes a type tag (`(单选题)`); a rule author writes the question's text, its leading
//! words, or its number.

use super::model::Column;

/// Folds a text for comparing: full-width ASCII to half-width (`（` → `(`, `３` → `3`),
/// whitespace (the ideographic space too) removed, ASCII letters in lower case.
pub(crate) fn fold(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let c = match c {
                '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
                other => other,
            };
            (!c.is_whitespace() && c != '\u{feff}').then(|| c.to_ascii_lowercase())
        })
        .collect()
}

/// A header as read for matching: the question's number, if it carries one, and its text
/// without the numbering, trailing punctuation and a trailing type tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parsed {
    /// `3` for `3、…`, `Q3.…`, `第3题…`, `(3)…`.
    pub number: Option<u32>,
    /// The folded text.
    pub text: String,
}

/// Separators after a question's number.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        '、' | '.' | ':' | ')' | '-' | '_' | '，' | ',' | '．' | '】' | ']'
    )
}

/// Reads a header (or a rule's header text) for matching.
pub(crate) fn parse(header: &str) -> Parsed {
    let folded = fold(header);
    let (number, rest) = numbering(&folded);
    let mut text = rest.trim_start_matches(is_separator).to_string();
    // Trailing punctuation and type tags, repeatedly: `…如何？（单选题）` → `…如何`.
    loop {
        let before = text.len();
        text = text
            .trim_end_matches(['?', ':', '。', '.', '*', '!'])
            .to_string();
        if let Some(open) = text.rfind(['(', '[', '【']) {
            let tag = &text[open..];
            let closed = tag.ends_with([')', ']', '】']);
            let kind = ["单选", "多选", "题", "必答", "必填", "填空", "量表"]
                .iter()
                .any(|t| tag.contains(t));
            if closed && kind && open > 0 {
                text.truncate(open);
            }
        }
        if text.len() == before {
            break;
        }
    }
    Parsed { number, text }
}

/// The question's number at the start of a folded header, and the text after it.
fn numbering(s: &str) -> (Option<u32>, &str) {
    let digits = |t: &str| -> Option<(u32, usize)> {
        let n = t.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > 4 {
            return None;
        }
        t[..n].parse().ok().map(|v| (v, n))
    };
    // `q3…`, `Q3、…`
    if let Some(rest) = s.strip_prefix('q') {
        if let Some((v, n)) = digits(rest) {
            return (Some(v), &rest[n..]);
        }
    }
    // `第3题…`
    if let Some(rest) = s.strip_prefix('第') {
        if let Some((v, n)) = digits(rest) {
            if let Some(after) = rest[n..].strip_prefix('题') {
                return (Some(v), after);
            }
        }
    }
    // `(3)…`
    if let Some(rest) = s.strip_prefix('(') {
        if let Some((v, n)) = digits(rest) {
            if let Some(after) = rest[n..].strip_prefix(')') {
                return (Some(v), after);
            }
        }
    }
    // `3、…`, `3.…`: a number needs a separator after it, so that a header such as
    // `2024年…` keeps its text.
    if let Some((v, n)) = digits(s) {
        if s[n..].starts_with(is_separator) {
            return (Some(v), &s[n..]);
        }
    }
    (None, s)
}

/// How well a header matches a declared column; better matches compare greater.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Fit {
    /// By the question's number alone.
    Number,
    /// The header starts with the declared words.
    Leading,
    /// The header's text is the declared text.
    Exact,
}

/// A declared column, read once for matching.
#[derive(Debug, Clone)]
pub(crate) struct Wanted {
    texts: Vec<String>,
    number: Option<u32>,
}

impl Wanted {
    pub(crate) fn new(c: &Column) -> Self {
        let texts = std::iter::once(&c.header)
            .chain(&c.aliases)
            .map(|h| parse(h).text)
            .filter(|t| !t.is_empty())
            .collect();
        Self {
            texts,
            number: c.number,
        }
    }

    /// How well `header` fits, if at all.
    pub(crate) fn fit(&self, header: &Parsed) -> Option<Fit> {
        if header.text.is_empty() && header.number.is_none() {
            return None;
        }
        if self.texts.contains(&header.text) {
            return Some(Fit::Exact);
        }
        if self
            .texts
            .iter()
            .any(|t| header.text.starts_with(t.as_str()))
        {
            return Some(Fit::Leading);
        }
        (self.number.is_some() && self.number == header.number).then_some(Fit::Number)
    }

    /// The first declared text, for messages.
    pub(crate) fn first_text(&self) -> &str {
        self.texts.first().map_or("", String::as_str)
    }
}

/// The columns (0-based) of `headers` that fit `wanted` best; empty when none fits.
pub(crate) fn best_columns(wanted: &Wanted, headers: &[Parsed]) -> Vec<usize> {
    let fits: Vec<Option<Fit>> = headers.iter().map(|h| wanted.fit(h)).collect();
    let Some(best) = fits.iter().flatten().max().copied() else {
        return Vec::new();
    };
    fits.iter()
        .enumerate()
        .filter(|(_, f)| **f == Some(best))
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(header: &str, number: Option<u32>) -> Wanted {
        Wanted::new(&Column {
            header: header.into(),
            aliases: Vec::new(),
            number,
        })
    }

    #[test]
    fn numbering_punctuation_and_tags_are_set_aside() {
        let p = parse("3、您觉得您所在的镇（街道）治安状况如何？");
        assert_eq!(p.number, Some(3));
        assert_eq!(p.text, "您觉得您所在的镇(街道)治安状况如何");
        assert_eq!(
            parse("Q12. 您对公安工作满意吗?(单选题)").text,
            "您对公安工作满意吗"
        );
        assert_eq!(parse("Q12. 您对公安工作满意吗?(单选题)").number, Some(12));
        assert_eq!(parse("第５题：满意度").number, Some(5));
        assert_eq!(parse("（4）知晓率").number, Some(4));
        assert_eq!(parse("2024年满意度").number, None);
        assert_eq!(parse(" 序号 ").text, "序号");
    }

    #[test]
    fn exact_beats_leading_words_beats_the_number() {
        let headers: Vec<Parsed> = [
            "序号",
            "1、您所在的镇（街道）",
            "3、您觉得您所在的镇（街道）治安状况如何？",
            "4、您觉得您所在的镇（街道）治安状况比去年如何？",
        ]
        .iter()
        .map(|h| parse(h))
        .collect();
        assert_eq!(best_columns(&column("序号", None), &headers), vec![0]);
        assert_eq!(
            best_columns(
                &column("您觉得您所在的镇（街道）治安状况如何", None),
                &headers
            ),
            vec![2]
        );
        // Leading words that two questions share: both fit, which the reader reports.
        assert_eq!(
            best_columns(&column("您觉得您所在的镇", None), &headers),
            vec![2, 3]
        );
        assert_eq!(
            best_columns(&column("治安状况", Some(3)), &headers),
            vec![2]
        );
        assert!(best_columns(&column("满意度", Some(9)), &headers).is_empty());
    }
}
