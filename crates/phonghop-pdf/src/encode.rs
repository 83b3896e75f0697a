//! Turning a rendered page (PDFium's BGRA bitmap) into the PNG the webview shows, fast.
//!
//! PNG, because WebKitGTK's `<img>` shows it and it stays small for the cache and the copy to the
//! webview (an uncompressed BMP would need no encoding but is 8.7 MB a page at 1240 px). Almost
//! every page of a council document is black text on white, so a page whose pixels are all grey
//! is written as 8-bit greyscale: a third of the bytes to filter and compress, ~250 KB instead of
//! ~700 KB, and the same pixels on screen. A page with colour is written as RGB.
//!
//! Each row is converted, filtered and handed to fdeflate (the png crate's fastest level, built for
//! filtered image rows) as the bitmap is read, and the PNG chunks are written around the
//! compressed stream here. Counted with callgrind on the 460-page report at 1240 px: the png crate
//! fed a separately converted greyscale image took ~19.5 M instructions a page, this ~14 M (10 M of
//! it fdeflate), because no intermediate image is zero-filled, written and read again, and white
//! stretches are recognised 16 pixels at a time.

use std::io;

use crate::error::PdfError;

/// A rendered page: PDFium's BGRA bytes (four per pixel, rows packed, top row first).
pub(crate) struct Bitmap {
    pub pixels: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
/// PNG colour types.
const GREY: u8 = 0;
const RGB: u8 = 2;
/// PNG's `Up` row filter, for every row: a white row under a white row filters to zeros, which
/// fdeflate encodes as runs. Adaptive filtering made files ~10 % smaller and encoding ~30 % slower.
const FILTER_UP: u8 = 2;

/// Encodes `bitmap` as PNG: greyscale when every pixel is grey, RGB otherwise. `rows` is the
/// caller's reusable buffer for two rows of samples, so no page allocates them.
pub(crate) fn encode_png(bitmap: &Bitmap, rows: &mut Vec<u8>) -> Result<Vec<u8>, PdfError> {
    let (width, height) = (bitmap.width as usize, bitmap.height as usize);
    if width == 0 || height == 0 || bitmap.pixels.len() != width * height * 4 {
        return Err(PdfError::Render(format!(
            "a {width}x{height} bitmap cannot hold {} bytes",
            bitmap.pixels.len()
        )));
    }
    let failed = |error: io::Error| PdfError::Render(format!("PNG encoding failed: {error}"));
    // Written as grey until a coloured pixel turns up; a page with colour is then written again as
    // RGB, which costs a coloured page one partial grey pass and a grey page nothing.
    match write_png(bitmap, GREY, rows).map_err(failed)? {
        Some(png) => Ok(png),
        None => write_png(bitmap, RGB, rows)
            .map_err(failed)?
            .ok_or_else(|| PdfError::Render("an RGB page cannot fail to be RGB".to_owned())),
    }
}

/// The whole PNG in `colour` type, or `None` if `colour` is [`GREY`] and a pixel is not.
fn write_png(bitmap: &Bitmap, colour: u8, rows: &mut Vec<u8>) -> io::Result<Option<Vec<u8>>> {
    let width = bitmap.width as usize;
    let samples = if colour == GREY { width } else { width * 3 };
    let mut png = Vec::with_capacity(samples * bitmap.height as usize / 8);
    png.extend_from_slice(&SIGNATURE);
    let mut header = [0; 13];
    header[..4].copy_from_slice(&bitmap.width.to_be_bytes());
    header[4..8].copy_from_slice(&bitmap.height.to_be_bytes());
    // Bit depth 8, the colour type, deflate, standard filters, no interlacing.
    header[8..].copy_from_slice(&[8, colour, 0, 0, 0]);
    write_chunk(&mut png, b"IHDR", &header);

    // One IDAT chunk, compressed in place after its header; its length and CRC follow once known.
    let idat = png.len();
    png.extend_from_slice(&[0, 0, 0, 0]);
    png.extend_from_slice(b"IDAT");
    let mut compressor = fdeflate::Compressor::new(png)?;
    // The filtered row handed to fdeflate (its filter byte, then the samples) and the row above
    // it unfiltered. Zeros above the first row, as PNG's `Up` filter defines.
    rows.clear();
    rows.resize(1 + 2 * samples, 0);
    let (filtered, above) = rows.split_at_mut(1 + samples);
    filtered[0] = FILTER_UP;
    for pixels in bitmap.pixels.chunks_exact(width * 4) {
        let row = &mut filtered[1..];
        if colour == GREY {
            if !grey_row(pixels, row) {
                return Ok(None);
            }
        } else {
            rgb_row(pixels, row);
        }
        filter_up(row, above);
        compressor.write_data(filtered)?;
    }
    let mut png = compressor.finish()?;

    let length = u32::try_from(png.len() - idat - 8)
        .map_err(|_| io::Error::other("the compressed page does not fit one PNG chunk"))?;
    png[idat..idat + 4].copy_from_slice(&length.to_be_bytes());
    let crc = crc32fast::hash(&png[idat + 4..]);
    png.extend_from_slice(&crc.to_be_bytes());
    write_chunk(&mut png, b"IEND", &[]);
    Ok(Some(png))
}

fn write_chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    // Chunk data here is at most the 13-byte header.
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = png.len();
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let crc = crc32fast::hash(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
}

/// Pixels looked at together by [`grey_row`]: 64 bytes, compared in a few vector instructions.
const BLOCK: usize = 16;

/// Writes the grey value of each BGRA pixel and tells whether every pixel was grey. Most of a text
/// page is white, so a block of white pixels is recognised as a whole and written as white: ~0.5
/// instructions a pixel instead of ~3 ([`grey_pixels`]).
fn grey_row(pixels: &[u8], out: &mut [u8]) -> bool {
    let (blocks, rest) = pixels.as_chunks::<{ 4 * BLOCK }>();
    let (out_blocks, out_rest) = out.as_chunks_mut::<BLOCK>();
    let mut grey = true;
    for (block, out) in blocks.iter().zip(out_blocks.iter_mut()) {
        if all_white(block) {
            *out = [0xFF; BLOCK];
        } else {
            grey &= grey_pixels(block, out);
        }
    }
    grey & grey_pixels(rest, out_rest)
}

/// Whether every byte of `block` is 0xFF: an AND over `u64`s, not a slice comparison, which
/// compiles to a call to `bcmp` for each block.
fn all_white(block: &[u8; 4 * BLOCK]) -> bool {
    let (words, _) = block.as_chunks::<8>();
    words.iter().fold(u64::MAX, |all, word| all & u64::from_le_bytes(*word)) == u64::MAX
}

/// Writes the grey value (the green channel) of each BGRA pixel and tells whether every pixel was
/// grey (blue = green = red). Whole pixels as `u32`s and no branches, so the compiler vectorises
/// it; the `Up` filter is a second, plain pass ([`filter_up`]), which callgrind counted at half
/// the instructions of doing both in this loop.
fn grey_pixels(pixels: &[u8], out: &mut [u8]) -> bool {
    let (pixels, _) = pixels.as_chunks::<4>();
    let mut colour = 0u32;
    for (pixel, out) in pixels.iter().zip(out.iter_mut()) {
        let value = u32::from_le_bytes(*pixel);
        // Byte 0 holds blue ^ green, byte 1 green ^ red: both zero for a grey pixel.
        colour |= (value ^ (value >> 8)) & 0xFFFF;
        *out = (value >> 8) as u8;
    }
    colour == 0
}

/// Writes each BGRA pixel as red, green, blue.
fn rgb_row(pixels: &[u8], out: &mut [u8]) {
    let (pixels, _) = pixels.as_chunks::<4>();
    let (out, _) = out.as_chunks_mut::<3>();
    for (pixel, out) in pixels.iter().zip(out.iter_mut()) {
        *out = [pixel[2], pixel[1], pixel[0]];
    }
}

/// PNG's `Up` filter: each sample minus the one above it. `above` then holds this row, unfiltered.
fn filter_up(row: &mut [u8], above: &mut [u8]) {
    for (sample, up) in row.iter_mut().zip(above.iter_mut()) {
        let value = *sample;
        *sample = value.wrapping_sub(*up);
        *up = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(png: &[u8]) -> (png::OutputInfo, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(png))
            .read_info()
            .expect("a PNG header");
        let mut pixels = vec![0; reader.output_buffer_size().expect("a sane size")];
        let info = reader
            .next_frame(&mut pixels)
            .expect("a frame whose CRCs and checksum hold");
        pixels.truncate(info.buffer_size());
        (info, pixels)
    }

    fn bitmap(width: u32, height: u32, pixel: impl Fn(u32, u32) -> [u8; 4]) -> Bitmap {
        let mut pixels = Vec::new();
        for y in 0..height {
            for x in 0..width {
                pixels.extend_from_slice(&pixel(x, y));
            }
        }
        Bitmap { pixels, width, height }
    }

    #[test]
    fn grey_page_becomes_a_greyscale_png_with_the_same_pixels() {
        let page = bitmap(37, 23, |x, y| {
            let level = (x * 30 + y * 7) as u8;
            [level, level, level, 255]
        });
        let (info, pixels) = decode(&encode_png(&page, &mut Vec::new()).unwrap());
        assert_eq!(
            (info.width, info.height, info.color_type),
            (37, 23, png::ColorType::Grayscale)
        );
        let expected: Vec<u8> = page.pixels.chunks(4).map(|pixel| pixel[1]).collect();
        assert_eq!(pixels, expected);
    }

    #[test]
    fn one_coloured_pixel_keeps_the_page_in_rgb_order() {
        // PDFium writes blue, green, red, alpha; the PNG must say red, green, blue.
        let page = bitmap(9, 7, |x, y| {
            if (x, y) == (8, 6) {
                [10, 20, 30, 255]
            } else {
                let level = (x * y * 11) as u8;
                [level, level, level, 255]
            }
        });
        let (info, pixels) = decode(&encode_png(&page, &mut Vec::new()).unwrap());
        assert_eq!(info.color_type, png::ColorType::Rgb);
        let expected: Vec<u8> = page
            .pixels
            .chunks(4)
            .flat_map(|pixel| [pixel[2], pixel[1], pixel[0]])
            .collect();
        assert_eq!(pixels, expected);
        assert_eq!(&pixels[pixels.len() - 3..], &[30, 20, 10]);
    }

    #[test]
    fn white_blocks_grey_text_and_a_ragged_row_end_all_come_out_right() {
        // 53 pixels a row: three whole blocks of 16 and five more; white except a grey stroke
        // crossing the blocks and the last pixels.
        let page = bitmap(53, 9, |x, y| {
            if x == y * 5 || x > 50 {
                [40, 40, 40, 255]
            } else {
                [255; 4]
            }
        });
        let (info, pixels) = decode(&encode_png(&page, &mut Vec::new()).unwrap());
        assert_eq!(info.color_type, png::ColorType::Grayscale);
        let expected: Vec<u8> = page.pixels.chunks(4).map(|pixel| pixel[1]).collect();
        assert_eq!(pixels, expected);
        // A coloured pixel in the ragged end, and one inside an otherwise white block.
        for spot in [(52, 8), (20, 3)] {
            let page = bitmap(53, 9, |x, y| if (x, y) == spot { [255, 255, 0, 255] } else { [255; 4] });
            let (info, _) = decode(&encode_png(&page, &mut Vec::new()).unwrap());
            assert_eq!(info.color_type, png::ColorType::Rgb, "colour at {spot:?} missed");
        }
    }

    #[test]
    fn a_white_page_compresses_to_almost_nothing() {
        let page = bitmap(1240, 1754, |_, _| [255; 4]);
        let png = encode_png(&page, &mut Vec::new()).unwrap();
        assert!(png.len() < 20_000, "{} bytes", png.len());
        let (info, pixels) = decode(&png);
        assert_eq!(info.color_type, png::ColorType::Grayscale);
        assert!(pixels.iter().all(|&level| level == 255));
    }

    #[test]
    fn the_row_buffers_are_reused_across_pages_of_either_kind() {
        let mut row = Vec::new();
        let colour = bitmap(6, 6, |x, _| [x as u8, 0, 200, 255]);
        let grey = bitmap(6, 6, |_, _| [90, 90, 90, 255]);
        for page in [&colour, &grey, &colour] {
            let (_, pixels) = decode(&encode_png(page, &mut row).unwrap());
            assert!(!pixels.is_empty());
        }
        let (_, pixels) = decode(&encode_png(&grey, &mut row).unwrap());
        assert_eq!(pixels, vec![90; 36]);
    }

    #[test]
    fn a_bitmap_of_the_wrong_size_is_a_render_error() {
        let page = Bitmap {
            pixels: vec![255; 10],
            width: 2,
            height: 2,
        };
        assert!(matches!(encode_png(&page, &mut Vec::new()), Err(PdfError::Render(_))));
    }
}
