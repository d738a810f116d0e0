//! [`Guard`]: checks one part's inflated bytes as they come, against the limits
//! of [`super::limits`], without parsing the XML (calamine does that after).
//!
//! It follows just enough of the syntax to know where each `<` begins markup
//! (not inside a quoted attribute, a comment, CDATA or a processing
//! instruction), which tag each is, and, in a worksheet, which row it is in.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::limits::{
    is_shared_strings, is_xml, part_limit, Refused, MAX_CELL_BYTES, MAX_RUN_BYTES,
    MAX_SHARED_STRINGS,
};

/// Where the guard is in the XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Between tags.
    Text,
    /// Just after `<`.
    Open,
    /// Inside a tag, possibly inside a quoted attribute value.
    Tag { quote: Option<u8> },
    /// Just after `<!`.
    Bang,
    /// Just after `<!-`: the second `-` of the opener.
    Dash,
    /// Inside a comment or CDATA: ends at these two bytes then `>`.
    Until([u8; 2]),
    /// Inside `<? ... ?>`.
    Pi,
}

/// What the guard knows of the part's content.
#[derive(Debug)]
enum Content {
    /// A worksheet: the row being read, the tag of the open cell, whether
    /// it is a shared-string cell, and the text of its `<v>` when inside it.
    Sheet {
        row: u64,
        cell: Vec<u8>,
        shared: bool,
        value: Option<Vec<u8>>,
    },
    /// The shared strings: how many so far, and whether `</sst>` has been seen.
    Strings { held: u64, done: bool },
    /// Any other part.
    Other,
}

/// Checks one part's inflated bytes (see the module docs).
#[derive(Debug)]
pub(crate) struct Guard {
    part: String,
    claimed: u64,
    limit: u64,
    xml: bool,
    total: u64,
    /// Bytes since the last `<` seen between tags.
    run: u64,
    /// Offset where the open `<c>` or `<si>` began, if one is open.
    cell_at: Option<u64>,
    mode: Mode,
    /// The last two bytes seen in a comment or CDATA.
    last: [u8; 2],
    /// The bytes of the current tag after its `<`.
    tag: Vec<u8>,
    content: Content,
    /// Strings of the workbook's shared-strings table: published by its
    /// guard, read by the worksheets' guards.
    strings: Arc<AtomicU64>,
}

impl Guard {
    /// A guard for part `name`, whose archive entry claims `claimed` bytes;
    /// `strings` is shared by the guards of one workbook.
    pub(crate) fn new(name: &str, claimed: u64, strings: Arc<AtomicU64>) -> Guard {
        let content = if is_shared_strings(name) {
            Content::Strings {
                held: 0,
                done: false,
            }
        } else if name.contains("worksheets/") {
            Content::Sheet {
                row: 0,
                cell: Vec::new(),
                shared: false,
                value: None,
            }
        } else {
            Content::Other
        };
        Guard {
            part: name.to_string(),
            claimed,
            limit: part_limit(name),
            xml: is_xml(name),
            total: 0,
            run: 0,
            cell_at: None,
            mode: Mode::Text,
            last: [0; 2],
            tag: Vec::new(),
            content,
            strings,
        }
    }

    /// Refuses a part whose archive entry claims more than its limit, before
    /// anything is inflated.
    pub(crate) fn check_claim(&self) -> Result<(), Refused> {
        if self.claimed > self.limit {
            return Err(self.fail(format!(
                "inflates to {} bytes, more than the {} allowed",
                self.claimed, self.limit
            )));
        }
        Ok(())
    }

    fn fail(&self, what: String) -> Refused {
        Refused {
            part: self.part.clone(),
            what,
        }
    }

    /// Checks the next inflated bytes of the part.
    pub(crate) fn check(&mut self, bytes: &[u8]) -> Result<(), Refused> {
        self.total += bytes.len() as u64;
        if self.total > self.limit {
            return Err(self.fail(format!(
                "inflates to more than the {} bytes allowed",
                self.limit
            )));
        }
        if !self.xml {
            return Ok(());
        }
        let start = self.total - bytes.len() as u64;
        let mut i = 0;
        while i < bytes.len() {
            if self.mode == Mode::Text {
                if let Some(used) = self.text_and_tag(bytes, i, start)? {
                    i += used;
                    continue;
                }
            }
            let (used, tag_ended) = self.step(&bytes[i..])?;
            i += used;
            self.run += used as u64;
            self.check_lengths(start + i as u64)?;
            if tag_ended {
                let tag = std::mem::take(&mut self.tag);
                let ended = self.end_tag(&tag, start + i as u64);
                self.tag = tag;
                ended?;
            }
        }
        Ok(())
    }

    /// The common case, taken whole: text up to a `<`, then an element tag
    /// that ends in the same chunk. Returns the bytes used, or `None` (nothing
    /// used) when the text runs past the chunk or the markup is not a plain
    /// tag within it, for [`Guard::step`] to take a byte at a time.
    fn text_and_tag(
        &mut self,
        bytes: &[u8],
        i: usize,
        start: u64,
    ) -> Result<Option<usize>, Refused> {
        let rest = &bytes[i..];
        let Some(lt) = rest.iter().position(|&b| b == b'<') else {
            return Ok(None);
        };
        let tag = &rest[lt + 1..];
        if matches!(tag.first(), None | Some(b'!' | b'?')) {
            return Ok(None);
        }
        let Some(gt) = tag_end(tag) else {
            return Ok(None);
        };
        if let Content::Sheet { value: Some(v), .. } = &mut self.content {
            v.extend_from_slice(&rest[..lt]);
        }
        self.run += lt as u64;
        self.check_lengths(start + (i + lt) as u64)?;
        let used = lt + 1 + gt + 1;
        self.run = gt as u64 + 2;
        self.check_lengths(start + (i + used) as u64)?;
        self.end_tag(&tag[..gt], start + (i + used) as u64)?;
        Ok(Some(used))
    }

    /// Consumes bytes from the start of `rest` (never empty): how many, and
    /// whether they ended a tag.
    fn step(&mut self, rest: &[u8]) -> Result<(usize, bool), Refused> {
        let b = rest[0];
        match self.mode {
            Mode::Text if b == b'<' => {
                self.run = 0;
                self.tag.clear();
                self.mode = Mode::Open;
            }
            Mode::Text => {
                let k = rest.iter().position(|&c| c == b'<').unwrap_or(rest.len());
                if let Content::Sheet { value: Some(v), .. } = &mut self.content {
                    v.extend_from_slice(&rest[..k]);
                }
                return Ok((k, false));
            }
            Mode::Open => {
                self.last = [0, 0];
                self.mode = match b {
                    b'!' => {
                        if let Content::Sheet { value: Some(v), .. } = &mut self.content {
                            v.push(b'!'); // a value is plain text: this makes it not one
                        }
                        Mode::Bang
                    }
                    b'?' => Mode::Pi,
                    _ => {
                        self.tag.push(b);
                        Mode::Tag { quote: None }
                    }
                };
            }
            Mode::Bang => {
                self.mode = match b {
                    b'-' => Mode::Dash,
                    b'[' => Mode::Until(*b"]]"),
                    _ => {
                        return Err(self
                            .fail("declares a document type, which no workbook part has".into()))
                    }
                };
            }
            Mode::Dash => self.mode = Mode::Until(*b"--"),
            Mode::Until(end) => {
                if b == b'>' && self.last == end {
                    self.mode = Mode::Text;
                }
                self.last = [self.last[1], b];
            }
            Mode::Pi => {
                if b == b'>' && self.last[1] == b'?' {
                    self.mode = Mode::Text;
                }
                self.last = [self.last[1], b];
            }
            Mode::Tag { mut quote } => {
                // One pass to the `>` that ends the tag, outside quotes.
                for (k, &c) in rest.iter().enumerate() {
                    match (quote, c) {
                        (None, b'>') => {
                            self.tag.extend_from_slice(&rest[..k]);
                            self.mode = Mode::Text;
                            return Ok((k + 1, true));
                        }
                        (None, b'"' | b'\'') => quote = Some(c),
                        (Some(q), _) if c == q => quote = None,
                        _ => {}
                    }
                }
                self.tag.extend_from_slice(rest);
                self.mode = Mode::Tag { quote };
                return Ok((rest.len(), false));
            }
        }
        Ok((1, false))
    }

    #[inline]
    fn check_lengths(&self, end: u64) -> Result<(), Refused> {
        let over = match self.cell_at {
            Some(at) => end - at > MAX_CELL_BYTES,
            None => self.run > MAX_RUN_BYTES,
        };
        if over {
            return Err(self.too_long(end));
        }
        Ok(())
    }

    #[cold]
    fn too_long(&self, end: u64) -> Refused {
        match self.cell_at {
            Some(at) if end - at > MAX_CELL_BYTES => self.fail(format!(
                "{}a cell or shared string takes more than {MAX_CELL_BYTES} bytes \
                 (a cell holds at most 32,767 characters)",
                self.at_row()
            )),
            _ => self.fail(format!(
                "{}more than {MAX_RUN_BYTES} bytes without markup (a padded or damaged part)",
                self.at_row()
            )),
        }
    }

    /// `row N: ` in a worksheet past its first row, else nothing.
    fn at_row(&self) -> String {
        match &self.content {
            Content::Sheet { row, .. } if *row > 0 => format!("row {row}: "),
            _ => String::new(),
        }
    }

    /// A tag ended at offset `at`: follows cells, rows, values and the table.
    fn end_tag(&mut self, tag: &[u8], at: u64) -> Result<(), Refused> {
        let closing = tag.first() == Some(&b'/');
        let self_closing = tag.last() == Some(&b'/');
        let body = if closing { &tag[1..] } else { tag };
        let end = body
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .unwrap_or(body.len());
        let name = &body[..end];
        let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
        let opens = !closing && !self_closing;
        if local == b"c" || local == b"si" {
            self.cell_at = opens.then_some(at);
        }
        match &mut self.content {
            Content::Strings { held, done } => {
                if local == b"si" && opens && !*done {
                    // Stored, not added: a part read again from its start
                    // (the zip reader may) is counted again from zero.
                    *held += 1;
                    self.strings.store(*held, Ordering::Relaxed);
                    if *held > MAX_SHARED_STRINGS {
                        return Err(self.fail(format!(
                            "holds more than {MAX_SHARED_STRINGS} shared strings; \
                             split the file"
                        )));
                    }
                } else if local == b"sst" && closing {
                    *done = true;
                } else if local == b"sst" {
                    return self.check_string_count(tag);
                }
            }
            Content::Sheet {
                row,
                cell,
                shared,
                value,
            } => {
                if local == b"row" && !closing {
                    *row = attribute(tag, b"r").and_then(number).unwrap_or(*row + 1);
                } else if local == b"c" && !closing {
                    *shared = opens && attribute(tag, b"t") == Some(b"s");
                    cell.clear();
                    if *shared {
                        cell.extend_from_slice(tag);
                    }
                } else if local == b"v" && opens && *shared {
                    *value = Some(Vec::new());
                } else if local == b"v" && closing {
                    if let Some(v) = value.take() {
                        return self.check_index(&v);
                    }
                }
            }
            Content::Other => {}
        }
        Ok(())
    }

    /// Refuses an `sst` tag whose `uniqueCount` is more strings than the part's
    /// claimed size can hold (each takes at least `<si></si>`, 9 bytes).
    fn check_string_count(&self, tag: &[u8]) -> Result<(), Refused> {
        let Some(count) = attribute(tag, b"uniqueCount") else {
            return Ok(());
        };
        let most = (self.claimed / 9).min(MAX_SHARED_STRINGS);
        match number(count) {
            Some(n) if n <= most => Ok(()),
            Some(n) => Err(self.fail(format!(
                "claims {n} shared strings, more than its {} bytes can hold or than \
                 {MAX_SHARED_STRINGS}",
                self.claimed
            ))),
            None => {
                Err(self.fail("its count of shared strings (uniqueCount) is not a number".into()))
            }
        }
    }

    /// Refuses a shared-string cell whose index is not a plain number or is
    /// past the end of the table.
    fn check_index(&self, value: &[u8]) -> Result<(), Refused> {
        let Content::Sheet { row, cell, .. } = &self.content else {
            return Ok(());
        };
        if value.is_empty() {
            return Ok(());
        }
        let cell = attribute(cell, b"r")
            .map(|r| format!("cell {}: ", String::from_utf8_lossy(r)))
            .unwrap_or_default();
        let held = self.strings.load(Ordering::Relaxed);
        match number(value) {
            Some(i) if i < held => Ok(()),
            Some(i) => Err(self.fail(format!(
                "row {row}: {cell}refers to shared string {i}, but the table holds {held} \
                 (numbered from 0)"
            ))),
            None => Err(self.fail(format!(
                "row {row}: {cell}a shared-string index that is not a number ({})",
                String::from_utf8_lossy(&value[..value.len().min(24)])
            ))),
        }
    }
}

/// Where the tag that `bytes` starts (just after its `<`) ends: the offset
/// of its `>` outside quoted values, if it is in `bytes`.
fn tag_end(bytes: &[u8]) -> Option<usize> {
    let gt = bytes.iter().position(|&b| b == b'>')?;
    let head = &bytes[..gt];
    let doubles = head.iter().filter(|&&b| b == b'"').count();
    if doubles % 2 == 0 && !head.contains(&b'\'') {
        return Some(gt);
    }
    // Quotes of both kinds, or a `>` inside a value: follow them.
    let mut quote = None;
    for (k, &c) in bytes.iter().enumerate() {
        match (quote, c) {
            (None, b'>') => return Some(k),
            (None, b'"' | b'\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            _ => {}
        }
    }
    None
}

/// Plain decimal digits as a number (`u64::MAX` when too large to hold).
fn number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        std::str::from_utf8(digits)
            .ok()?
            .parse::<u64>()
            .unwrap_or(u64::MAX),
    )
}

/// The value of attribute `name` in the bytes of a tag (its name, then its
/// attributes), read one attribute after the other so that a quoted value is
/// never taken for an attribute; `None` when absent or malformed.
fn attribute<'t>(tag: &'t [u8], name: &[u8]) -> Option<&'t [u8]> {
    let skip_space = |mut i: usize| {
        while tag.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    let mut i = tag.iter().position(u8::is_ascii_whitespace)?;
    loop {
        let start = skip_space(i);
        let end = start
            + tag[start..]
                .iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'=')?;
        let equals = skip_space(end);
        if tag.get(equals) != Some(&b'=') {
            return None;
        }
        let open = skip_space(equals + 1);
        let quote = *tag.get(open).filter(|q| matches!(q, b'"' | b'\''))?;
        let value = &tag[open + 1..];
        let value = &value[..value.iter().position(|&b| b == quote)?];
        if &tag[start..end] == name {
            return Some(value);
        }
        i = open + 1 + value.len() + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHEET: &str = "xl/worksheets/sheet1.xml";

    /// Feeds `bytes` to a fresh guard of part `name` in chunks of `chunk` bytes.
    fn feed(name: &str, bytes: &[u8], chunk: usize, strings: u64) -> Result<(), Refused> {
        let mut guard = Guard::new(name, bytes.len() as u64, Arc::new(strings.into()));
        guard.check_claim()?;
        bytes.chunks(chunk).try_for_each(|c| guard.check(c))
    }

    /// Every chunking of `bytes` gives the same verdict.
    fn verdict(name: &str, bytes: &[u8], strings: u64) -> Result<(), String> {
        let whole = feed(name, bytes, bytes.len().max(1), strings).map_err(|e| e.to_string());
        for chunk in [1, 2, 3, 7, 64] {
            let split = feed(name, bytes, chunk, strings).map_err(|e| e.to_string());
            assert_eq!(split, whole, "chunks of {chunk}");
        }
        whole
    }

    fn sheet(rows: &str) -> Vec<u8> {
        format!(
            "<?xml version=\"1.0\"?>\n<worksheet xmlns=\"x\"><sheetData>{rows}</sheetData></worksheet>"
        )
        .into_bytes()
    }

    #[test]
    fn an_ordinary_sheet_passes() {
        let xml = sheet(
            "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"inlineStr\">\
             <is><t>a &lt; b</t></is></c></row><!-- a < comment --><row r=\"2\">\
             <c r=\"A2\" t=\"s\" s='3'><v>1</v></c><c r=\"B2\"/><c r=\"C2\"><v>5</v></c></row>",
        );
        assert_eq!(verdict(SHEET, &xml, 2), Ok(()));
    }

    #[test]
    fn a_shared_string_index_past_the_table_or_not_a_number_names_the_row() {
        let past = sheet("<row r=\"7\"><c r=\"B7\" t=\"s\"><v>2</v></c></row>");
        let error = verdict(SHEET, &past, 2).unwrap_err();
        assert!(
            error.contains("row 7: cell B7: refers to shared string 2, but the table holds 2"),
            "{error}"
        );
        for bad in ["-1", " 1", "1e0", "<![CDATA[1]]>"] {
            let xml = sheet(&format!(
                "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>{bad}</v></c></row>"
            ));
            let error = verdict(SHEET, &xml, 5).unwrap_err();
            assert!(
                error.contains("row 3: cell A3: a shared-string index that is not a number"),
                "{bad}: {error}"
            );
        }
        // Not a shared-string cell: its value is not an index.
        let number = sheet("<row><c><v>-1</v></c></row>");
        assert_eq!(verdict(SHEET, &number, 0), Ok(()));
    }

    #[test]
    fn rows_without_numbers_are_counted() {
        let xml = sheet("<row><c/></row><row><c t=\"s\"><v>9</v></c></row>");
        let error = verdict(SHEET, &xml, 1).unwrap_err();
        assert!(
            error.contains("row 2: refers to shared string 9"),
            "{error}"
        );
    }

    #[test]
    fn a_huge_cell_or_run_is_refused_within_its_limit() {
        let big = "x".repeat(MAX_CELL_BYTES as usize);
        let cell = sheet(&format!(
            "<row r=\"4\"><c r=\"Q4\" t=\"inlineStr\"><is><t>{big}</t></is></c></row>"
        ));
        let error = feed(SHEET, &cell, 4096, 0).unwrap_err().to_string();
        assert!(
            error.contains("row 4: a cell or shared string takes more than"),
            "{error}"
        );
        // A cell built of many small pieces is still one cell.
        let pieces = "<r><t>ab</t></r>".repeat(MAX_CELL_BYTES as usize / 10);
        let rich = format!("<sst><si>{pieces}</si></sst>");
        let error = feed("xl/sharedStrings.xml", rich.as_bytes(), 4096, 0).unwrap_err();
        assert!(
            error.to_string().contains("a cell or shared string"),
            "{error}"
        );
        let padding = " ".repeat(MAX_RUN_BYTES as usize + 1);
        let padded = sheet(&format!("<row r=\"1\"/>{padding}"));
        let error = feed(SHEET, &padded, 4096, 0).unwrap_err().to_string();
        assert!(
            error.contains("row 1: more than 262144 bytes without markup"),
            "{error}"
        );
        // `<` inside a quoted value, a comment or CDATA does not end the run.
        for (open, close) in [
            ("<row r=\"", "\"/>"),
            ("<!--", "-->"),
            ("<![CDATA[", "]]>"),
            ("<?pi ", "?>"),
        ] {
            let hidden = "<a".repeat(MAX_RUN_BYTES as usize / 2 + 1);
            let xml = sheet(&format!("{open}{hidden}{close}"));
            assert!(feed(SHEET, &xml, 4096, 0).is_err(), "{open}");
        }
        // A comment that looks closed at once (`<!--->`) is not.
        let hidden = "<a".repeat(MAX_RUN_BYTES as usize / 2 + 1);
        let xml = sheet(&format!("<!--->{hidden}-->"));
        assert!(feed(SHEET, &xml, 4096, 0).is_err());
    }

    #[test]
    fn attributes_are_read_one_after_the_other() {
        assert_eq!(attribute(b"c r=\"A1\" t='s'", b"t"), Some(&b"s"[..]));
        assert_eq!(attribute(b"c r = \"A1\"", b"r"), Some(&b"A1"[..]));
        // A value that looks like an attribute is not one.
        assert_eq!(attribute(b"c x=\" t='n'\" t=\"s\"", b"t"), Some(&b"s"[..]));
        assert_eq!(attribute(b"c x=\" t='s'\"", b"t"), None);
        assert_eq!(attribute(b"c/", b"t"), None);
        assert_eq!(attribute(b"c", b"t"), None);
    }

    #[test]
    fn a_document_type_is_refused() {
        let xml = b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><x/>";
        let error = verdict(SHEET, xml, 0).unwrap_err();
        assert!(error.contains("declares a document type"), "{error}");
    }

    #[test]
    fn a_shared_strings_table_claiming_more_than_it_can_hold_is_refused() {
        let name = "xl/sharedStrings.xml";
        let honest = b"<sst xmlns=\"x\" count=\"2\" uniqueCount=\"2\"><si><t>a</t></si><si><t>b</t></si></sst>";
        let strings = Arc::new(AtomicU64::new(0));
        let mut guard = Guard::new(name, honest.len() as u64, strings.clone());
        guard.check(honest).unwrap();
        assert_eq!(strings.load(Ordering::Relaxed), 2);
        let lying =
            b"<x:sst xmlns:x=\"x\" uniqueCount=\"4000000000\"><x:si><x:t>a</x:t></x:si></x:sst>";
        let error = verdict(name, lying, 0).unwrap_err();
        assert!(
            error.contains("claims 4000000000 shared strings"),
            "{error}"
        );
        let nonsense = b"<sst uniqueCount='-5'></sst>";
        assert!(verdict(name, nonsense, 0)
            .unwrap_err()
            .contains("not a number"));
    }

    #[test]
    fn strings_after_the_table_ends_are_not_counted() {
        let strings = Arc::new(AtomicU64::new(0));
        let xml = b"<sst><si><t>a</t></si></sst><si><t>b</t></si><si/>";
        let mut guard = Guard::new("xl/sharedStrings.xml", xml.len() as u64, strings.clone());
        guard.check(xml).unwrap();
        assert_eq!(strings.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn parts_past_their_limit_are_refused() {
        let guard = Guard::new(SHEET, (1 << 30) + 1, Arc::default());
        let error = guard.check_claim().unwrap_err().to_string();
        assert!(
            error.contains("part xl/worksheets/sheet1.xml: inflates to 1073741825 bytes"),
            "{error}"
        );
        let mut styles = Guard::new("xl/styles.xml", 10, Arc::default());
        let block = vec![b' '; 1 << 20];
        let error = (0..=64).try_for_each(|_| styles.check(&block)).unwrap_err();
        assert!(error.to_string().contains("more than"), "{error}");
        // Parts that are not XML are only measured.
        let mut image = Guard::new("xl/media/image1.png", 10, Arc::default());
        image.check(&[b'<'; 300_000]).unwrap();
    }
}
