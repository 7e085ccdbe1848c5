//! The pure rules of case documents: which kinds each case takes, which file types are accepted (recognised by
//! their first bytes, never by the name or the declared type), and how a filename travels in
//! `Content-Disposition` (RFC 6266 with RFC 5987's `filename*`, so Polish letters survive).

/// The kinds every case takes.
pub const COMMON_KINDS: &[&str] = &["consent", "community_interview", "ipzs_signed", "other"];

/// The DPS checklist codes (`dps_applications::model::checklist`), which a DPS case also takes.
pub const DPS_CHECKLIST_KINDS: &[&str] = &[
    "combatant_certificate",
    "court_order",
    "data_processing_consent",
    "family_interview",
    "fitness_questionnaire",
    "income_documents",
    "medical_certificate",
    "pension_decision",
    "pension_fee_consent",
    "permanent_allowance_decision",
    "permanent_allowance_deduction_consent",
    "permanent_allowance_fee_consent",
    "placement_consent",
    "psychiatrist_certificate",
];

/// Whether a case of this type takes a document of this kind.
pub fn kind_allowed(case_type: &str, kind: &str) -> bool {
    COMMON_KINDS.contains(&kind)
        || (case_type == "dps_application" && DPS_CHECKLIST_KINDS.contains(&kind))
}

/// The accepted file types, as detected.
pub const ACCEPTED: &[&str] = &[
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "image/heic",
];

/// The media type of a file from its first bytes (at least 16 are needed to tell them all apart), or `None` when
/// it is none of the accepted types.
pub fn detect(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some("image/png");
    }
    if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        return Some("image/tiff");
    }
    // HEIF/HEIC: an ISO-BMFF `ftyp` box whose major brand is one of the HEIF image brands.
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        let brand = &head[8..12];
        if [
            b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
        ]
        .iter()
        .any(|b| brand == *b)
        {
            return Some("image/heic");
        }
    }
    None
}

/// `Content-Disposition: attachment` with an ASCII fallback `filename` and the exact name as `filename*`.
pub fn content_disposition(filename: &str) -> String {
    let fallback: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in filename.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// A filename as stored: its last path segment, without control characters, at most 255 characters; `document`
/// when nothing is left.
pub fn clean_filename(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(255).collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() || trimmed == "." || trimmed == ".." {
        "document".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// What a `Range` header asks of a body of `size` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeRequest {
    /// No usable single range: answer the whole body (RFC 9110 lets a server ignore it).
    Whole,
    /// One range, `(first, last)` inclusive.
    Part(u64, u64),
    /// It lies beyond the end (416).
    Unsatisfiable,
}

/// A single byte range of a `Range` header against a body of `size` bytes.
pub fn byte_range(header: &str, size: u64) -> RangeRequest {
    match parse_range(header, size) {
        Ok(Some((first, last))) => RangeRequest::Part(first, last),
        Ok(None) => RangeRequest::Whole,
        Err(()) => RangeRequest::Unsatisfiable,
    }
}

fn parse_range(header: &str, size: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((start, end)) = spec.trim().split_once('-') else {
        return Ok(None);
    };
    let (start, end) = (start.trim(), end.trim());
    let range = if start.is_empty() {
        // The last `end` bytes.
        let Ok(n) = end.parse::<u64>() else {
            return Ok(None);
        };
        if n == 0 || size == 0 {
            return Err(());
        }
        (size.saturating_sub(n), size - 1)
    } else {
        let Ok(first) = start.parse::<u64>() else {
            return Ok(None);
        };
        if first >= size {
            return Err(());
        }
        let last = match end {
            "" => size - 1,
            e => match e.parse::<u64>() {
                Ok(l) if l >= first => l.min(size - 1),
                _ => return Ok(None),
            },
        };
        (first, last)
    };
    Ok(Some(range))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_recognised_by_their_first_bytes() {
        assert_eq!(detect(b"%PDF-1.7\n%\xe2\xe3"), Some("application/pdf"));
        assert_eq!(
            detect(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some("image/jpeg")
        );
        assert_eq!(
            detect(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]),
            Some("image/png")
        );
        assert_eq!(detect(b"II*\0\x08\0\0\0"), Some("image/tiff"));
        assert_eq!(detect(b"\0\0\0\x18ftypheic\0\0\0\0"), Some("image/heic"));
        // An executable or a script named `.pdf` is none of them.
        assert_eq!(detect(b"MZ\x90\0\x03\0\0\0"), None);
        assert_eq!(detect(b"\x7fELF\x02\x01\x01"), None);
        assert_eq!(detect(b"#!/bin/sh\n"), None);
        assert_eq!(detect(b"\0\0\0\x18ftypmp42"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn polish_filenames_survive_in_the_disposition() {
        assert_eq!(
            content_disposition("Zaświadczenie lekarskie.pdf"),
            "attachment; filename=\"Za_wiadczenie lekarskie.pdf\"; \
             filename*=UTF-8''Za%C5%9Bwiadczenie%20lekarskie.pdf"
        );
        assert_eq!(clean_filename("C:\\skany\\zgoda.pdf"), "zgoda.pdf");
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("  \u{7}  "), "document");
    }

    #[test]
    fn single_ranges_are_served_and_others_ignored_or_refused() {
        use RangeRequest::*;
        assert_eq!(byte_range("bytes=0-99", 1000), Part(0, 99));
        assert_eq!(byte_range("bytes=900-", 1000), Part(900, 999));
        assert_eq!(byte_range("bytes=-100", 1000), Part(900, 999));
        assert_eq!(byte_range("bytes=990-2000", 1000), Part(990, 999));
        assert_eq!(byte_range("bytes=1000-", 1000), Unsatisfiable);
        assert_eq!(byte_range("bytes=0-1,5-6", 1000), Whole);
        assert_eq!(byte_range("items=0-1", 1000), Whole);
        assert_eq!(byte_range("bytes=5-1", 1000), Whole);
    }

    #[test]
    fn each_case_type_takes_its_kinds() {
        assert!(kind_allowed("ipzs", "ipzs_signed"));
        assert!(kind_allowed("dps_application", "medical_certificate"));
        assert!(!kind_allowed("referral_application", "medical_certificate"));
        assert!(!kind_allowed("person", "letter_dps_decision"));
    }
}
