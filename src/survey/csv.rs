//! CSV records on raw bytes, a block at a time (逐块解析): a respondents' file is split at
//! record boundaries into blocks that are parsed independently (across cores natively), each
//! field a slice of its block. Blocks are UTF-8 (GB18030 and UTF-16 are decoded as they are
//! read), their cells compared as bytes.
//!
//! The grammar is the `csv` crate's (RFC 4180, flexible): a field in double quotes may hold
//! delimiters, line ends and `""` for a quote; bytes after a closing quote belong to the field;
//! a record ends at `\n`, `\r\n` or `\r`; empty lines are no records.

/// A field of a record: a range of the block, or of the scratch buffer (a quoted field with
/// escaped quotes, rebuilt).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    start: u32,
    end: u32,
    scratch: bool,
}

impl Field {
    /// The field's bytes.
    pub(crate) fn get<'a>(&self, block: &'a [u8], scratch: &'a [u8]) -> &'a [u8] {
        let (s, e) = (self.start as usize, self.end as usize);
        if self.scratch {
            scratch.get(s..e).unwrap_or_default()
        } else {
            block.get(s..e).unwrap_or_default()
        }
    }
}

/// The records of a block of whole records.
pub(crate) struct Records<'b> {
    buf: &'b [u8],
    pos: usize,
    delim: u8,
    /// Bytes that end an unquoted field: the delimiter, `\r`, `\n`.
    stop: [bool; 256],
    /// A block without quotes: its delimiters and `\n`s, found in one pass. A `\r` is taken
    /// for the end of a `\r\n`; [`Records::plain_ok`] says whether every one was.
    plain: Option<memchr::Memchr2<'b>>,
    /// `\r`s read as the end of a `\r\n` (or of the block).
    crs: usize,
}

impl<'b> Records<'b> {
    pub(crate) fn new(buf: &'b [u8], delim: u8) -> Self {
        let mut r = Self::careful(buf, delim);
        if memchr::memchr(b'"', buf).is_none() {
            r.plain = Some(memchr::memchr2_iter(delim, b'\n', buf));
        }
        r
    }

    /// Records read byte by byte, quotes and lone `\r`s as the `csv` crate reads them.
    pub(crate) fn careful(buf: &'b [u8], delim: u8) -> Self {
        let mut stop = [false; 256];
        stop[usize::from(delim)] = true;
        stop[usize::from(b'\r')] = true;
        stop[usize::from(b'\n')] = true;
        Self {
            buf,
            pos: 0,
            delim,
            stop,
            plain: None,
            crs: 0,
        }
    }

    /// Whether the records read so fast were right: a plain block's every `\r` ended a line
    /// (a lone `\r`, which also ends a record, sends the block to [`Records::careful`]).
    pub(crate) fn plain_ok(&self) -> bool {
        self.plain.is_none() || count_byte(self.buf, b'\r') == self.crs
    }

    /// The next record of a plain block (see `plain`).
    fn next_plain(&mut self, fields: &mut Vec<Field>) -> bool {
        let buf = self.buf;
        let Some(found) = self.plain.as_mut() else {
            return false;
        };
        let field = |start: usize, end: usize| Field {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
            scratch: false,
        };
        loop {
            let start = self.pos;
            match found.next() {
                Some(i) if buf[i] == self.delim => {
                    fields.push(field(start, i));
                    self.pos = i + 1;
                }
                Some(i) => {
                    // A record ends at `\n` or `\r\n`; an empty line is no record.
                    self.pos = i + 1;
                    let end = if i > start && buf[i - 1] == b'\r' {
                        self.crs += 1;
                        i - 1
                    } else {
                        i
                    };
                    if fields.is_empty() && end == start {
                        continue;
                    }
                    fields.push(field(start, end));
                    return true;
                }
                None => {
                    if start >= buf.len() && fields.is_empty() {
                        return false;
                    }
                    let mut end = buf.len().max(start);
                    if end > start && buf[end - 1] == b'\r' {
                        self.crs += 1;
                        end -= 1;
                    }
                    self.pos = buf.len();
                    if fields.is_empty() && end == start {
                        return false;
                    }
                    fields.push(field(start, end));
                    return true;
                }
            }
        }
    }

    /// The first delimiter, `\r` or `\n` at or after `from` (the end of the block if none):
    /// eight bytes at a time, each word tested for the three bytes at once.
    fn to_stop(&self, from: usize) -> usize {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let buf = self.buf;
        let (d, cr, lf) = (
            ONES * u64::from(self.delim),
            ONES * u64::from(b'\r'),
            ONES * u64::from(b'\n'),
        );
        // A byte of `x` that is zero sets its high bit in `zero(x)`; bytes above the first
        // zero byte may be set falsely, so the lowest set bit is always a true one.
        let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
        let mut i = from;
        while i + 8 <= buf.len() {
            let mut w = [0u8; 8];
            w.copy_from_slice(&buf[i..i + 8]);
            let x = u64::from_le_bytes(w);
            let hit = zero(x ^ d) | zero(x ^ cr) | zero(x ^ lf);
            if hit != 0 {
                return i + (hit.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        buf[i..]
            .iter()
            .position(|&b| self.stop[usize::from(b)])
            .map_or(buf.len(), |k| i + k)
    }

    /// Reads the next record's fields into `fields` (quoted fields with escapes rebuilt in
    /// `scratch`); `false` at the end of the block.
    pub(crate) fn next(&mut self, fields: &mut Vec<Field>, scratch: &mut Vec<u8>) -> bool {
        fields.clear();
        scratch.clear();
        if self.plain.is_some() {
            return self.next_plain(fields);
        }
        let buf = self.buf;
        let len = buf.len();
        while self.pos < len && (buf[self.pos] == b'\n' || buf[self.pos] == b'\r') {
            self.pos += 1;
        }
        if self.pos >= len {
            return false;
        }
        let field = |start: usize, end: usize, scratch: bool| Field {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
            scratch,
        };
        // Most lines hold no quote and no lone `\r`: split at the delimiters found by memchr.
        let base = self.pos;
        let rest = &buf[base..];
        let nl = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let mut line = &rest[..nl];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        if memchr::memchr2(b'"', b'\r', line).is_none() {
            let mut start = 0;
            for i in memchr::memchr_iter(self.delim, line) {
                fields.push(field(base + start, base + i, false));
                start = i + 1;
            }
            fields.push(field(base + start, base + line.len(), false));
            self.pos = (base + nl + 1).min(len);
            return true;
        }
        loop {
            let mut pos = self.pos;
            if pos < len && buf[pos] == b'"' {
                pos += 1;
                let start = pos;
                match buf[pos..].iter().position(|&b| b == b'"') {
                    None => {
                        fields.push(field(start, len, false));
                        pos = len;
                    }
                    Some(i) => {
                        let q = pos + i;
                        let clean = q + 1 >= len || self.stop[usize::from(buf[q + 1])];
                        if clean {
                            fields.push(field(start, q, false));
                            pos = q + 1;
                        } else {
                            // `""` inside, or bytes after the closing quote: rebuilt.
                            let s0 = scratch.len();
                            scratch.extend_from_slice(&buf[start..q]);
                            pos = q;
                            loop {
                                if pos + 1 < len && buf[pos + 1] == b'"' {
                                    scratch.push(b'"');
                                    pos += 2;
                                    match buf[pos..].iter().position(|&b| b == b'"') {
                                        None => {
                                            scratch.extend_from_slice(&buf[pos..]);
                                            pos = len;
                                            break;
                                        }
                                        Some(i) => {
                                            scratch.extend_from_slice(&buf[pos..pos + i]);
                                            pos += i;
                                        }
                                    }
                                } else {
                                    pos += 1;
                                    let e = self.to_stop(pos);
                                    scratch.extend_from_slice(&buf[pos..e]);
                                    pos = e;
                                    break;
                                }
                            }
                            fields.push(field(s0, scratch.len(), true));
                        }
                    }
                }
            } else {
                let e = self.to_stop(pos);
                fields.push(field(pos, e, false));
                pos = e;
            }
            if pos >= len {
                self.pos = len;
                return true;
            }
            let b = buf[pos];
            if b == self.delim {
                self.pos = pos + 1;
                continue;
            }
            pos += 1;
            if b == b'\r' && pos < len && buf[pos] == b'\n' {
                pos += 1;
            }
            self.pos = pos;
            return true;
        }
    }
}

/// How many bytes of `buf` are `b`: counted in runs of 255 into one byte per lane, which the
/// compiler turns into wide vector adds.
fn count_byte(buf: &[u8], b: u8) -> usize {
    buf.chunks(255)
        .map(|c| usize::from(c.iter().fold(0u8, |n, &x| n + u8::from(x == b))))
        .sum()
}

/// Where the last whole record of `buf` ends (after its `\n`), `buf` starting at a record's
/// start; `None` when no record ends in it.
pub(crate) fn last_record_end(buf: &[u8], delim: u8) -> Option<usize> {
    if memchr::memchr(b'"', buf).is_none() {
        return memchr::memrchr(b'\n', buf).map(|i| i + 1);
    }
    #[derive(Clone, Copy, PartialEq)]
    enum S {
        Start,
        Unquoted,
        Quoted,
        QuoteSeen,
    }
    let mut s = S::Start;
    let mut last = None;
    for (i, &b) in buf.iter().enumerate() {
        s = match (s, b) {
            (S::Quoted, b'"') => S::QuoteSeen,
            (S::Quoted, _) => S::Quoted,
            (S::QuoteSeen, b'"') | (S::Start, b'"') => S::Quoted,
            (_, b'\n') => {
                last = Some(i + 1);
                S::Start
            }
            (_, b'\r') => S::Start,
            (_, d) if d == delim => S::Start,
            _ => S::Unquoted,
        };
    }
    last
}

/// The delimiter of a file whose first line is `line`: whichever of `,` tab `;` it holds most
/// of (as the unit reader decides).
pub(crate) fn delimiter(line: &[u8]) -> u8 {
    let first = line
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(line, |i| &line[..i]);
    [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| first.iter().filter(|b| *b == d).count())
        .unwrap_or(b',')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record, read as a block is: fast, or again with care when a lone `\r` shows.
    fn all(text: &str) -> Vec<Vec<String>> {
        let buf = text.as_bytes();
        let read = |mut r: Records| {
            let (mut f, mut s) = (Vec::new(), Vec::new());
            let mut out: Vec<Vec<String>> = Vec::new();
            while r.next(&mut f, &mut s) {
                out.push(
                    f.iter()
                        .map(|x| String::from_utf8_lossy(x.get(buf, &s)).into_owned())
                        .collect(),
                );
            }
            (out, r.plain_ok())
        };
        match read(Records::new(buf, b',')) {
            (out, true) => out,
            _ => read(Records::careful(buf, b',')).0,
        }
    }

    #[test]
    fn fields_quotes_and_line_ends_as_the_csv_crate_reads_them() {
        let text = "a,b,c\r\n\n1,\"x,y\",\"say \"\"hi\"\"\"\n2,\"line\nbreak\",\"q\"tail\r3,,\n";
        let got = all(text);
        let mut expected: Vec<Vec<String>> = Vec::new();
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        for r in reader.records() {
            expected.push(
                r.map(|r| r.iter().map(String::from).collect())
                    .unwrap_or_default(),
            );
        }
        assert_eq!(got, expected);
        assert_eq!(got.len(), 4, "{got:?}");
    }

    #[test]
    fn a_block_without_quotes_reads_alike_with_any_line_end() {
        let text = "序号,单位,甲\r\n1,城关镇,安全\r\n\r\n2,,\n3,龙泉镇,不安全\r4,x,y,z\n,,\n5,a,b";
        let mut expected: Vec<Vec<String>> = Vec::new();
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        for r in reader.records() {
            expected.push(
                r.map(|r| r.iter().map(String::from).collect())
                    .unwrap_or_default(),
            );
        }
        assert_eq!(all(text), expected);
        assert_eq!(expected.len(), 7);
        // Words of eight bytes and a tail: hits at every offset.
        let long = "a,bb,ccc,dddd,eeeee,ffffff,ggggggg,hhhhhhhh,i\n".repeat(3);
        assert_eq!(all(&long).len(), 3);
        assert_eq!(all(&long)[2][7], "hhhhhhhh");
    }

    #[test]
    fn blocks_end_after_the_last_whole_record() {
        assert_eq!(last_record_end(b"a,b\n1,2\n3,", b','), Some(8));
        assert_eq!(last_record_end(b"a,\"b\n", b','), None);
        assert_eq!(last_record_end(b"a,\"b\nc\"\nd", b','), Some(8));
        assert_eq!(last_record_end(b"a,\"\"\"\n\"\nx", b','), Some(8));
        assert_eq!(delimiter("序号;单位;甲,乙\n".as_bytes()), b';');
    }
}
