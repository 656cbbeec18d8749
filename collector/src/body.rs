//! Request body decoding for `/v1/batch`: `Content-Encoding: gzip` is decompressed under the same
//! size limit as the body on the wire, so a small gzip bomb cannot expand into gigabytes in memory.

use std::io::Read;

use flate2::read::MultiGzDecoder;

use crate::validate::Rejection;

/// Decodes `raw` according to its Content-Encoding, refusing more than `limit` decoded bytes (413).
/// Unknown encodings get 415; corrupt gzip gets 400.
pub fn decode(
    raw: Vec<u8>,
    content_encoding: Option<&str>,
    limit: usize,
) -> Result<Vec<u8>, Rejection> {
    let encoding = content_encoding
        .map(|e| e.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match encoding.as_str() {
        "" | "identity" => Ok(raw),
        "gzip" | "x-gzip" => gunzip(&raw, limit),
        other => Err(Rejection {
            status: 415,
            message: format!(
                "unsupported Content-Encoding: {} (gzip and identity are accepted)",
                crate::http::printable(other)
            ),
        }),
    }
}

fn gunzip(raw: &[u8], limit: usize) -> Result<Vec<u8>, Rejection> {
    let mut out = Vec::new();
    // Read one byte past the limit: that is how "too large" is told apart from "exactly the limit".
    MultiGzDecoder::new(raw)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| Rejection {
            status: 400,
            message: format!("body is not valid gzip: {e}"),
        })?;
    if out.len() > limit {
        return Err(Rejection {
            status: 413,
            message: format!("body larger than {limit} bytes after decompression"),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn gzip_within_and_beyond_the_limit() {
        assert_eq!(decode(gz(b"hello"), Some("gzip"), 5).unwrap(), b"hello");
        assert_eq!(
            decode(gz(b"hello"), Some("gzip"), 4).unwrap_err().status,
            413
        );
        assert_eq!(
            decode(b"nope".to_vec(), Some("gzip"), 100)
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(
            decode(b"x".to_vec(), Some("br"), 100).unwrap_err().status,
            415
        );
        assert_eq!(decode(b"x".to_vec(), Some("identity"), 100).unwrap(), b"x");
        assert_eq!(decode(b"x".to_vec(), None, 100).unwrap(), b"x");
    }
}
