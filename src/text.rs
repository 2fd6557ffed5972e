//! Text encodings (文本编码): the four a data file comes in as Excel and WPS save it — UTF-8,
//! UTF-16 (little or big end, with a byte-order mark) and GB18030 (a superset of GBK and
//! GB2312) — and a streaming decoder to UTF-8 for each.
//!
//! Natively the decoder is `encoding_rs`. In WASM it is the host's `TextDecoder`: both
//! implement the WHATWG Encoding Standard, so they give the same text for the same bytes
//! (checked over every GB18030 two-byte code and a sample of four-byte codes by
//! `tests/e2e/api.test.mjs`), and the browser's engine module leaves out `encoding_rs`'s decoders
//! and tables for the thirty encodings kaohe never reads (about 110 KB of the gzipped module).
//!
//! A decoder writes U+FFFD for bytes not valid in the encoding. The readers treat any U+FFFD
//! in decoded text as such a byte, whether the decoder put it there or the file held it: a
//! data cell never means U+FFFD.

use std::io;

/// An encoding kaohe reads text in (文本编码).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// UTF-16, little end first (a byte-order mark `FF FE`).
    Utf16Le,
    /// UTF-16, big end first (a byte-order mark `FE FF`).
    Utf16Be,
    /// GB18030: GBK and GB2312 files read as it.
    Gb18030,
}

impl Charset {
    /// The encoding a byte-order mark at the start of `bytes` names, and the mark's length.
    #[must_use]
    pub fn for_bom(bytes: &[u8]) -> Option<(Self, usize)> {
        match bytes {
            [0xEF, 0xBB, 0xBF, ..] => Some((Self::Utf8, 3)),
            [0xFF, 0xFE, ..] => Some((Self::Utf16Le, 2)),
            [0xFE, 0xFF, ..] => Some((Self::Utf16Be, 2)),
            _ => None,
        }
    }

    /// The name kaohe reports (`UTF-8`, `UTF-16LE`, `UTF-16BE`, `GB18030`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::Utf16Le => "UTF-16LE",
            Self::Utf16Be => "UTF-16BE",
            Self::Gb18030 => "GB18030",
        }
    }

    /// The whole of `bytes` (no byte-order mark) as text, and whether it holds U+FFFD (bytes
    /// not valid in the encoding). Fails only where the host cannot decode the encoding (WASM).
    pub fn decode_whole(self, bytes: &[u8]) -> io::Result<(String, bool)> {
        let text = match self {
            Self::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            _ => {
                let mut out = Vec::new();
                Decoder::new(self)?.decode(bytes, &mut out, true)?;
                String::from_utf8(out).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?
            }
        };
        let replaced = text.contains('\u{FFFD}');
        Ok((text, replaced))
    }
}

/// A streaming decoder to UTF-8: bytes in pieces, a sequence cut between two pieces decoded
/// whole with the second.
pub struct Decoder {
    #[cfg(not(target_arch = "wasm32"))]
    inner: encoding_rs::Decoder,
    #[cfg(target_arch = "wasm32")]
    inner: host::TextDecoder,
}

impl Decoder {
    /// A decoder for `charset` that leaves a byte-order mark in the text (the readers pass over
    /// it themselves).
    pub fn new(charset: Charset) -> io::Result<Self> {
        #[cfg(not(target_arch = "wasm32"))]
        {
            let encoding = match charset {
                Charset::Utf8 => encoding_rs::UTF_8,
                Charset::Utf16Le => encoding_rs::UTF_16LE,
                Charset::Utf16Be => encoding_rs::UTF_16BE,
                Charset::Gb18030 => encoding_rs::GB18030,
            };
            Ok(Self {
                inner: encoding.new_decoder_without_bom_handling(),
            })
        }
        #[cfg(target_arch = "wasm32")]
        {
            host::TextDecoder::open(charset).map(|inner| Self { inner })
        }
    }

    /// Decodes all of `src` and appends the text to `out`; `last`: no bytes follow. Gives
    /// whether the text appended holds U+FFFD.
    pub fn decode(&mut self, src: &[u8], out: &mut Vec<u8>, last: bool) -> io::Result<bool> {
        let from = out.len();
        #[cfg(not(target_arch = "wasm32"))]
        {
            let room = self
                .inner
                .max_utf8_buffer_length(src.len())
                .unwrap_or(src.len().saturating_mul(3).saturating_add(16));
            out.resize(from.saturating_add(room), 0);
            let (_, read, written, _) = self.inner.decode_to_utf8(src, &mut out[from..], last);
            out.truncate(from + written);
            if read < src.len() {
                // Cannot happen with room for the longest text: said rather than lost.
                return Err(io::Error::other("decoder output buffer too small"));
            }
        }
        #[cfg(target_arch = "wasm32")]
        {
            out.extend_from_slice(self.inner.decode(src, last)?.as_bytes());
        }
        Ok(memchr::memmem::find(&out[from..], "\u{FFFD}".as_bytes()).is_some())
    }
}

/// The host's `TextDecoder` (WHATWG Encoding Standard), through wasm-bindgen.
#[cfg(target_arch = "wasm32")]
mod host {
    use super::Charset;
    use std::io;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_name = TextDecoder)]
        type JsTextDecoder;
        #[wasm_bindgen(constructor, js_class = "TextDecoder", catch)]
        fn new(label: &str, options: &JsValue) -> Result<JsTextDecoder, JsValue>;
        #[wasm_bindgen(method, js_class = "TextDecoder", js_name = decode, catch)]
        fn decode_with(
            this: &JsTextDecoder,
            input: &[u8],
            options: &JsValue,
        ) -> Result<String, JsValue>;
    }

    /// A host decoder, with the options object of a piece that more pieces follow.
    pub(super) struct TextDecoder {
        decoder: JsTextDecoder,
        stream: JsValue,
        end: JsValue,
    }

    fn options(key: &str, on: bool) -> JsValue {
        let o = js_sys::Object::new();
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(key), &JsValue::from_bool(on));
        o.into()
    }

    fn failed(charset: Charset, e: &JsValue) -> io::Error {
        let why = e.as_string().unwrap_or_else(|| format!("{e:?}"));
        io::Error::other(format!(
            "此浏览器不能解码 {0}（{why}）：请把文件另存为 UTF-8 再打开 / this browser cannot decode {0}: save the file as UTF-8",
            charset.name()
        ))
    }

    impl TextDecoder {
        pub(super) fn open(charset: Charset) -> io::Result<Self> {
            let label = match charset {
                Charset::Utf8 => "utf-8",
                Charset::Utf16Le => "utf-16le",
                Charset::Utf16Be => "utf-16be",
                Charset::Gb18030 => "gb18030",
            };
            // `ignoreBOM`: a byte-order mark stays in the text, as natively.
            let decoder = JsTextDecoder::new(label, &options("ignoreBOM", true))
                .map_err(|e| failed(charset, &e))?;
            Ok(Self {
                decoder,
                stream: options("stream", true),
                end: options("stream", false),
            })
        }

        pub(super) fn decode(&mut self, src: &[u8], last: bool) -> io::Result<String> {
            let options = if last { &self.end } else { &self.stream };
            self.decoder
                .decode_with(src, options)
                .map_err(|e| io::Error::other(format!("{e:?}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_marks_name_their_encoding() {
        assert_eq!(Charset::for_bom(b"\xEF\xBB\xBFa"), Some((Charset::Utf8, 3)));
        assert_eq!(
            Charset::for_bom(b"\xFF\xFEa\0"),
            Some((Charset::Utf16Le, 2))
        );
        assert_eq!(
            Charset::for_bom(b"\xFE\xFF\0a"),
            Some((Charset::Utf16Be, 2))
        );
        assert_eq!(Charset::for_bom(b"\xEF\xBB"), None);
        assert_eq!(Charset::for_bom(b"abc"), None);
    }

    #[test]
    fn a_gbk_character_cut_between_pieces_decodes_whole() -> io::Result<()> {
        // 城关镇 in GBK: B3C7 B9D8 D5F2, cut inside the second character.
        let bytes = b"\xB3\xC7\xB9\xD8\xD5\xF2";
        let mut d = Decoder::new(Charset::Gb18030)?;
        let mut out = Vec::new();
        assert!(!d.decode(&bytes[..3], &mut out, false)?);
        assert!(!d.decode(&bytes[3..], &mut out, true)?);
        assert_eq!(String::from_utf8_lossy(&out), "城关镇");
        Ok(())
    }

    #[test]
    fn bad_bytes_and_a_cut_end_become_replacement_characters() -> io::Result<()> {
        let (text, replaced) = Charset::Gb18030.decode_whole(b"a\xFFb\xB3")?;
        assert_eq!(text, "a\u{FFFD}b\u{FFFD}");
        assert!(replaced);
        let (text, replaced) = Charset::Utf8.decode_whole(b"ok\xE5\x9F")?;
        assert_eq!(text, "ok\u{FFFD}");
        assert!(replaced);
        let (text, replaced) = Charset::Utf16Le.decode_whole(b"a\0b\0")?;
        assert_eq!((text.as_str(), replaced), ("ab", false));
        Ok(())
    }
}
