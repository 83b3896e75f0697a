//! A large document for downloads long enough to cut or measure: a valid one-page PDF that also
//! carries one big unreferenced stream of random bytes. The page is cheap to index; the bytes
//! make a download long, and being random they cannot be compressed along the way.

use rand::{RngCore, SeedableRng};

/// A one-page PDF of `size` bytes and a few hundred more, the same bytes for the same `size`.
pub fn large_pdf(size: usize) -> Vec<u8> {
    let mut pdf = Vec::with_capacity(size + 2048);
    let mut offsets = Vec::new();
    pdf.extend_from_slice(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
    let page_text = b"BT /F1 24 Tf 72 760 Td (Tai lieu lon de do toc do tai) Tj ET";
    let objects: [&[u8]; 4] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ];
    for (index, body) in objects.iter().enumerate() {
        let number = if index == 3 { 5 } else { index + 1 };
        if index == 3 {
            offsets.push(pdf.len());
            write_stream(&mut pdf, 4, page_text);
        }
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let mut filler = vec![0u8; size.saturating_sub(pdf.len())];
    rand::rngs::StdRng::seed_from_u64(size as u64).fill_bytes(&mut filler);
    offsets.push(pdf.len());
    write_stream(&mut pdf, 6, &filler);
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes());
    for offset in &offsets {
        // Each entry is exactly 20 bytes, its end of line included.
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

fn write_stream(pdf: &mut Vec<u8>, number: usize, bytes: &[u8]) {
    pdf.extend_from_slice(format!("{number} 0 obj\n<< /Length {} >>\nstream\n", bytes.len()).as_bytes());
    pdf.extend_from_slice(bytes);
    pdf.extend_from_slice(b"\nendstream\nendobj\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfind(haystack: &[u8], needle: &[u8]) -> usize {
        haystack
            .windows(needle.len())
            .rposition(|window| window == needle)
            .expect("present")
    }

    #[test]
    fn the_cross_reference_table_points_at_each_object() {
        let pdf = large_pdf(100_000);
        assert!((100_000..101_000).contains(&pdf.len()), "{} bytes", pdf.len());
        let xref = rfind(&pdf, b"\nxref\n") + 1;
        let tail = std::str::from_utf8(&pdf[xref..]).expect("the table and trailer are text");
        let startxref: usize = tail.lines().rev().nth(1).unwrap().parse().unwrap();
        assert_eq!(startxref, xref);
        for (index, entry) in tail.lines().skip(3).take(6).enumerate() {
            let offset: usize = entry[..10].parse().unwrap();
            let expected = format!("{} 0 obj", index + 1);
            assert!(
                pdf[offset..].starts_with(expected.as_bytes()),
                "entry {} points at {expected}",
                index + 1
            );
        }
        assert_eq!(large_pdf(100_000), pdf, "the same size gives the same bytes");
    }
}
