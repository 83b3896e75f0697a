//! PDFs written byte by byte for tests, so a test holds the exact oddity it is about (a page box
//! PDFium cannot draw, an image too large to decode) instead of a binary from elsewhere. Shared by
//! this crate's tests and the server journeys (`#[path]`), which send the same files over HTTP.

/// A PDF of one page tree: each page is a `/Type /Page` dictionary's inner entries (without
/// `/Type` and `/Parent`) and a content stream; `others` are further objects, numbered after the
/// pages and their contents. The cross-reference table is exact, so PDFium reads the file as
/// written, with no repair.
pub struct HandmadePdf {
    objects: Vec<Vec<u8>>,
    pages: Vec<usize>,
}

impl HandmadePdf {
    pub fn new() -> HandmadePdf {
        HandmadePdf {
            // The catalogue and the page tree; the tree is filled in by `bytes`.
            objects: vec![b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(), Vec::new()],
            pages: Vec::new(),
        }
    }

    /// Adds an object (its body between `obj` and `endobj`) and returns its number.
    pub fn object(&mut self, body: &[u8]) -> usize {
        self.objects.push(body.to_vec());
        self.objects.len()
    }

    /// Adds a stream object with `dictionary` entries (without `/Length`) and returns its number.
    pub fn stream(&mut self, dictionary: &str, data: &[u8]) -> usize {
        let mut body = format!("<< {dictionary} /Length {} >>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        self.object(&body)
    }

    /// Adds a page with `entries` (e.g. `/MediaBox [0 0 595 842]`) drawing `content`.
    pub fn page(&mut self, entries: &str, content: &str) -> &mut HandmadePdf {
        let contents = self.stream("", content.as_bytes());
        self.page_with_contents(entries, contents)
    }

    /// Adds a page with `entries` whose content stream is object `contents`.
    pub fn page_with_contents(&mut self, entries: &str, contents: usize) -> &mut HandmadePdf {
        let page =
            self.object(format!("<< /Type /Page /Parent 2 0 R {entries} /Contents {contents} 0 R >>").as_bytes());
        self.kid(page)
    }

    /// Lists object `number` as the next kid of the page tree, whatever it is (for broken trees).
    pub fn kid(&mut self, number: usize) -> &mut HandmadePdf {
        self.pages.push(number);
        self
    }

    /// Adds an A4 page writing `text` in Helvetica.
    pub fn text_page(&mut self, text: &str) -> &mut HandmadePdf {
        let font = self.object(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        self.page(
            &format!("/MediaBox [0 0 595 842] /Resources << /Font << /F1 {font} 0 R >> >>"),
            &format!("BT /F1 18 Tf 72 760 Td ({text}) Tj ET"),
        )
    }

    pub fn bytes(&self) -> Vec<u8> {
        let kids: Vec<String> = self.pages.iter().map(|page| format!("{page} 0 R")).collect();
        let mut objects = self.objects.clone();
        objects[1] = format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), kids.len()).into_bytes();
        let mut pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::with_capacity(objects.len());
        for (index, body) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n", index + 1).as_bytes());
            pdf.extend_from_slice(body);
            pdf.extend_from_slice(b"\nendobj\n");
        }
        let xref = pdf.len();
        pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for offset in offsets {
            // Each entry is exactly 20 bytes, its end of line included.
            pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        pdf
    }
}

/// Three A4 pages, "Trang 1" to "Trang 3"; the second's crop box lies outside its media box, which
/// PDFium loads (and reads the text of) as a page of 0 x 0 points that it will not draw.
pub fn with_a_page_pdfium_cannot_draw() -> Vec<u8> {
    let mut pdf = HandmadePdf::new();
    pdf.text_page("Trang 1");
    let font = pdf.object(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    pdf.page(
        &format!("/MediaBox [0 0 595 842] /CropBox [1000 1000 1100 1100] /Resources << /Font << /F1 {font} 0 R >> >>"),
        "BT /F1 18 Tf 72 760 Td (Trang 2) Tj ET",
    );
    pdf.text_page("Trang 3");
    pdf.bytes()
}

/// Two A4 pages: "Trang 1", then one whose content stream inflates to `mib` MiB of zero bytes
/// (which PDFium reads whole when it loads the page) from about `mib` / 160 MiB of file.
pub fn with_a_page_inflating_to(mib: usize) -> Vec<u8> {
    let mut pdf = HandmadePdf::new();
    pdf.text_page("Trang 1");
    let contents = pdf.stream("/Filter /FlateDecode", &deflated_zeros((mib << 20) / 258));
    pdf.page_with_contents("/MediaBox [0 0 595 842]", contents);
    pdf.bytes()
}

/// A zlib stream that inflates to `1 + 258 * matches` zero bytes, about 160 times its own size:
/// one literal zero, then `matches` copies of the longest match (258 bytes at distance 1), in one
/// block of deflate's fixed Huffman code. Written by hand because compressing the zeros
/// themselves would mean holding them all.
pub fn deflated_zeros(matches: usize) -> Vec<u8> {
    let mut bits = BitWriter::default();
    bits.lsb_first(1, 1); // the last block
    bits.lsb_first(1, 2); // fixed Huffman codes
    bits.code(0b0011_0000, 8); // literal 0
    for _ in 0..matches {
        bits.code(0b1100_0101, 8); // length 258 (symbol 285)
        bits.code(0, 5); // distance 1
    }
    bits.code(0, 7); // end of block (symbol 256)
    let length = 1 + 258 * matches as u64;
    let adler = ((length % 65_521) << 16) | 1;
    let mut zlib = vec![0x78, 0x01];
    zlib.extend_from_slice(&bits.finish());
    zlib.extend_from_slice(&(adler as u32).to_be_bytes());
    zlib
}

/// Deflate's bit order: values least significant bit first, Huffman codes most significant first.
#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    used: u32,
}

impl BitWriter {
    fn lsb_first(&mut self, value: u32, count: u32) {
        for bit in 0..count {
            self.push((value >> bit) & 1);
        }
    }

    fn code(&mut self, code: u32, count: u32) {
        for bit in (0..count).rev() {
            self.push((code >> bit) & 1);
        }
    }

    fn push(&mut self, bit: u32) {
        if self.used.is_multiple_of(8) {
            self.bytes.push(0);
        }
        if let Some(last) = self.bytes.last_mut() {
            *last |= (bit as u8) << (self.used % 8);
        }
        self.used += 1;
    }

    fn finish(self) -> Vec<u8> {
        self.bytes
    }
}
