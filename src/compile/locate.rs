//! Finding a token again in the script's text (定位): Rhai tells where a declaration's call
//! starts, not where the keys and values inside its map are, so a mistake in the map
//! (`txet:`, `count: "lots"`) is looked up in the text of the call — within its parentheses,
//! outside strings and comments — and reported at its own line and column.

use rhai::Position;

/// What a mistake points at inside a declaration's call.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Token<'a> {
    /// A map key, written before `:` (`txet: "x"` or `"txet": "x"`).
    Key(&'a str),
    /// A text literal with exactly this content (`"lots"`).
    Text(&'a str),
}

/// What a character of the script is part of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Code (keys, operators, brackets, whitespace between them).
    Code,
    /// A string or character literal, its quotes included.
    Literal,
    /// A comment.
    Comment,
}

/// The script's text by character: what each character is part of, where each literal and
/// each line starts.
#[derive(Debug, Clone, Default)]
pub(super) struct Source {
    chars: Vec<char>,
    kinds: Vec<Kind>,
    /// Each literal: the offsets of its opening quote and of its closing quote (or of the end
    /// of the line or text, when it is not closed).
    literals: Vec<(usize, usize)>,
    /// The offset of each line's first character.
    lines: Vec<usize>,
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl Source {
    /// Scans `text` once.
    pub(super) fn new(text: &str) -> Self {
        let chars: Vec<char> = text.chars().collect();
        let len = chars.len();
        let mut kinds = vec![Kind::Code; len];
        let mut literals = Vec::new();
        let mut lines = vec![0];
        lines.extend(
            chars
                .iter()
                .enumerate()
                .filter(|(_, c)| **c == '\n')
                .map(|(i, _)| i + 1),
        );
        let mut i = 0;
        while i < len {
            let c = chars[i];
            let next = chars.get(i + 1).copied();
            if c == '/' && next == Some('/') {
                while i < len && chars[i] != '\n' {
                    kinds[i] = Kind::Comment;
                    i += 1;
                }
            } else if c == '/' && next == Some('*') {
                // Rhai's block comments nest.
                let mut depth = 0usize;
                while i < len {
                    let pair = (chars[i], chars.get(i + 1).copied());
                    if pair == ('/', Some('*')) || pair == ('*', Some('/')) {
                        kinds[i] = Kind::Comment;
                        kinds[i + 1] = Kind::Comment;
                        i += 2;
                        if pair.0 == '/' {
                            depth += 1;
                        } else {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                break;
                            }
                        }
                    } else {
                        kinds[i] = Kind::Comment;
                        i += 1;
                    }
                }
            } else if c == '"' || c == '`' || c == '\'' {
                let start = i;
                kinds[i] = Kind::Literal;
                i += 1;
                while i < len {
                    let d = chars[i];
                    if d == '\\' && c != '`' {
                        kinds[i] = Kind::Literal;
                        if i + 1 < len && chars[i + 1] != '\n' {
                            kinds[i + 1] = Kind::Literal;
                        }
                        i += 2;
                        continue;
                    }
                    if d == '\n' && c != '`' {
                        break;
                    }
                    kinds[i] = Kind::Literal;
                    if d == c {
                        break;
                    }
                    i += 1;
                }
                let end = i.min(len);
                literals.push((start, end));
                i = end + 1;
            } else {
                i += 1;
            }
        }
        Self {
            chars,
            kinds,
            literals,
            lines,
        }
    }

    /// The offset of the character at `pos`, if the text has that line.
    pub(super) fn offset(&self, pos: Position) -> Option<usize> {
        let line = pos.line()?;
        let start = *self.lines.get(line.checked_sub(1)?)?;
        let end = self.lines.get(line).map_or(self.chars.len(), |n| n - 1);
        let at = start + pos.position().unwrap_or(1).saturating_sub(1);
        (at <= end).then_some(at)
    }

    /// The 1-based line and column of the character at `offset`.
    pub(super) fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.lines.partition_point(|&s| s <= offset).max(1);
        (line, offset - self.lines[line - 1] + 1)
    }

    /// The character at `offset`, if it is code (not in a literal or a comment).
    pub(super) fn code_char(&self, offset: usize) -> Option<char> {
        (self.kinds.get(offset) == Some(&Kind::Code)).then(|| self.chars[offset])
    }

    /// The character at `offset`.
    pub(super) fn char_at(&self, offset: usize) -> Option<char> {
        self.chars.get(offset).copied()
    }

    /// The offset of the last character before `offset` on the same line that is code and not
    /// whitespace.
    pub(super) fn code_before(&self, offset: usize) -> Option<usize> {
        let mut i = offset.min(self.chars.len());
        while i > 0 {
            i -= 1;
            match self.chars[i] {
                '\n' => return None,
                c if c.is_whitespace() && c != '\u{3000}' => {}
                _ if self.kinds[i] == Kind::Code => return Some(i),
                _ => return None,
            }
        }
        None
    }

    /// The characters from `offset` to the end of its line, with their offsets.
    pub(super) fn rest_of_line(&self, offset: usize) -> impl Iterator<Item = (usize, char)> + '_ {
        self.chars
            .iter()
            .copied()
            .enumerate()
            .skip(offset)
            .take_while(|(_, c)| *c != '\n')
    }

    /// The full-width quote inside the last literal before `offset` on its line, when the
    /// literal runs on past it into what looks like code: `"甲”, type: "` began as `"甲”`, and
    /// its closing quote was typed full-width.
    pub(super) fn stray_quote_before(&self, offset: usize) -> Option<usize> {
        let (line, _) = self.line_col(offset.min(self.chars.len().saturating_sub(1)));
        let line_start = self.lines[line - 1];
        let last = self.literals.partition_point(|(_, e)| *e < offset);
        let (s, e) = *self.literals[..last].last()?;
        if s < line_start || self.chars[s] != '"' {
            return None;
        }
        let content = &self.chars[s + 1..e.min(self.chars.len())];
        let q = content.iter().rposition(|c| matches!(c, '”' | '“'))?;
        let rest = &content[q + 1..];
        (rest.iter().all(char::is_ascii) && rest.iter().any(|c| matches!(c, ',' | ':' | '}' | ')')))
            .then_some(s + 1 + q)
    }

    /// Where `token` is written in the call of `function` at `pos`: its line and column, or
    /// `None` when the call is not there or does not spell the token out (a map built in a
    /// variable, a name computed in a loop).
    pub(super) fn find(
        &self,
        pos: Position,
        functions: &[&str],
        token: Token,
    ) -> Option<(usize, usize)> {
        let (from, to) = self.call_extent(pos, functions)?;
        let at = match token {
            Token::Key(k) => self.find_key(from, to, k),
            Token::Text(t) => self.find_literal(from, to, t),
        }?;
        Some(self.line_col(at))
    }

    /// The call at `pos` of one of `functions`: from its `(` to just after its `)`.
    fn call_extent(&self, pos: Position, functions: &[&str]) -> Option<(usize, usize)> {
        let start = self.offset(pos)?;
        let mut i = start;
        while i < self.chars.len() && is_ident(self.chars[i]) && self.kinds[i] == Kind::Code {
            i += 1;
        }
        let name: String = self.chars[start..i].iter().collect();
        if !functions.contains(&name.as_str()) {
            return None;
        }
        while self.chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        if self.code_char(i) != Some('(') {
            return None;
        }
        let mut depth = 0usize;
        for j in i..self.chars.len() {
            if self.kinds[j] != Kind::Code {
                continue;
            }
            match self.chars[j] {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some((i, j + 1));
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Whether a lone `:` (not `::`) follows `at`, after whitespace.
    fn colon_after(&self, mut at: usize, to: usize) -> bool {
        while at < to && self.chars[at].is_whitespace() {
            at += 1;
        }
        at < to && self.code_char(at) == Some(':') && self.chars.get(at + 1) != Some(&':')
    }

    /// The offset of `key:` (or `"key":`) between `from` and `to`.
    fn find_key(&self, from: usize, to: usize, key: &str) -> Option<usize> {
        let k: Vec<char> = key.chars().collect();
        let n = k.len();
        let bare = (from..to).find(|&i| {
            self.kinds[i] == Kind::Code
                && self.chars.get(i..i + n) == Some(&k[..])
                && (i == 0 || !is_ident(self.chars[i - 1]))
                && !self.chars.get(i + n).is_some_and(|c| is_ident(*c))
                && self.colon_after(i + n, to)
        });
        let quoted = self.literals_between(from, to).find_map(|(s, e)| {
            (self.chars[s] == '"' && self.chars.get(s + 1..e) == Some(&k[..]))
                .then_some(s)
                .filter(|_| self.colon_after(e + 1, to))
        });
        match (bare, quoted) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The offset of the text literal `"text"` between `from` and `to`.
    fn find_literal(&self, from: usize, to: usize, text: &str) -> Option<usize> {
        let t: Vec<char> = text.chars().collect();
        self.literals_between(from, to).find_map(|(s, e)| {
            (self.chars[s] != '\'' && self.chars.get(s + 1..e) == Some(&t[..])).then_some(s)
        })
    }

    /// The literals that start between `from` and `to`.
    fn literals_between(
        &self,
        from: usize,
        to: usize,
    ) -> impl Iterator<Item = (usize, usize)> + '_ {
        let first = self.literals.partition_point(|(s, _)| *s < from);
        self.literals[first..]
            .iter()
            .copied()
            .take_while(move |(s, _)| *s < to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: &[&str] = &["indicator", "field"];

    fn at(src: &str, line: u16, col: u16, token: Token) -> Option<(usize, usize)> {
        Source::new(src).find(Position::new(line, col), F, token)
    }

    #[test]
    fn a_key_and_a_text_are_found_inside_the_call() {
        let src = "field(\"a\", #{});\n  indicator(\"b\", #{\n    label: \"txet: lots\", // txet: here\n    /* txet: */ max: 5,\n    zero: \"lots\", \"txet\" : 1,\n    txet: \"x\"\n  });\nindicator(\"c\", #{ txet: 1 });";
        assert_eq!(at(src, 2, 3, Token::Key("txet")), Some((5, 19)));
        assert_eq!(at(src, 2, 3, Token::Text("lots")), Some((5, 11)));
        assert_eq!(at(src, 2, 3, Token::Key("max")), Some((4, 17)));
        assert_eq!(at(src, 2, 3, Token::Key("nope")), None);
        // Not a declaration's call there: nothing is guessed.
        assert_eq!(at(src, 2, 1, Token::Key("txet")), None);
        assert_eq!(at(src, 1, 1, Token::Key("txet")), None);
    }

    #[test]
    fn chinese_text_counts_one_column_per_character() {
        let src = "indicator(\"甲\", #{ label: \"失控\", txet: 1 });";
        assert_eq!(at(src, 1, 1, Token::Key("txet")), Some((1, 32)));
        assert_eq!(at(src, 1, 1, Token::Text("失控")), Some((1, 26)));
    }

    #[test]
    fn an_unclosed_call_or_a_position_past_the_text_finds_nothing() {
        assert_eq!(
            at("indicator(\"a\", #{ txet: 1 }", 1, 1, Token::Key("txet")),
            None
        );
        assert_eq!(at("indicator()", 3, 1, Token::Key("x")), None);
        assert_eq!(at("indicator()", 1, 40, Token::Key("x")), None);
    }

    #[test]
    fn code_before_skips_spaces_but_not_literals() {
        let s = Source::new("a ，  b\n\"，\" c");
        assert_eq!(s.code_before(5), Some(2));
        assert_eq!(s.code_char(2), Some('，'));
        assert_eq!(s.code_before(11), None);
        assert_eq!(s.code_char(8), None);
    }
}
