//! Search keys for names: lower case with diacritics removed, so that "zolkiewski" finds "Żółkiewski".

use unicode_normalization::UnicodeNormalization;

/// Folds a name to its search key: decomposes, drops combining marks, lower-cases, and maps the letters that do
/// not decompose (Polish `ł`, Nordic `ø`, German `ß`, ...).
pub fn search_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        match c {
            'ł' | 'Ł' => out.push('l'),
            'ø' | 'Ø' => out.push('o'),
            'đ' | 'Đ' => out.push('d'),
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The smallest string greater than every string starting with `prefix`, for an index range scan
/// `key >= prefix AND key < upper` that works on both backends and any collation of a byte-ordered column.
pub fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = char::from_u32(last as u32 + 1) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polish_names_fold_to_ascii() {
        assert_eq!(search_key("Żółkiewski"), "zolkiewski");
        assert_eq!(search_key("ŁĄCKA-ŚWIĘTOCHOWSKA"), "lacka-swietochowska");
        assert_eq!(search_key("  Nowak "), "nowak");
        assert_eq!(search_key("Müller"), "muller");
        assert_eq!(search_key("Źdźbło"), "zdzblo");
    }

    #[test]
    fn prefix_bounds_cover_exactly_the_prefix() {
        assert_eq!(prefix_upper_bound("zol").as_deref(), Some("zom"));
        let upper = prefix_upper_bound("kow").unwrap();
        for inside in ["kow", "kowalski", "kowz"] {
            assert!(inside >= "kow" && inside < upper.as_str(), "{inside}");
        }
        for outside in ["kox", "kov", "ko"] {
            assert!(!(outside >= "kow" && outside < upper.as_str()), "{outside}");
        }
    }
}
