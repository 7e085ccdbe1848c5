//! The Polish of letters: dates, amounts, places, and the parts every administrative decision repeats.

use chrono::{Datelike, NaiveDate};

const MONTHS: [&str; 12] = [
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
];

/// `6 grudnia 2026 r.`
pub fn date(d: NaiveDate) -> String {
    format!(
        "{} {} {} r.",
        d.day(),
        MONTHS[d.month0() as usize],
        d.year()
    )
}

/// Grosze as `1 234,56 zł`.
pub fn money(grosze: i64) -> String {
    let sign = if grosze < 0 { "-" } else { "" };
    let g = grosze.unsigned_abs();
    let zl = (g / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in zl.chars().enumerate() {
        if i > 0 && (zl.len() - i).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped},{:02} zł", g % 100)
}

/// The town of an address: what follows its postal code (`ul. Konopnickiej 7, 87-100 Toruń` → `Toruń`).
pub fn place(address: &str) -> Option<String> {
    let bytes: Vec<char> = address.chars().collect();
    if bytes.len() < 6 {
        return None;
    }
    for i in 0..=bytes.len() - 6 {
        let code = &bytes[i..i + 6];
        let is_code = code[..2].iter().all(char::is_ascii_digit)
            && code[2] == '-'
            && code[3..].iter().all(char::is_ascii_digit);
        if is_code
            && (i == 0 || !bytes[i - 1].is_ascii_digit())
            && !bytes.get(i + 6).is_some_and(char::is_ascii_digit)
        {
            let rest: String = bytes[i + 6..].iter().collect();
            let town = rest.split(',').next().unwrap_or_default().trim();
            if !town.is_empty() {
                return Some(town.to_owned());
            }
        }
    }
    None
}

/// `Toruń, 6 grudnia 2026 r.` (the date alone when the address names no town).
pub fn place_and_date(address: &str, d: NaiveDate) -> String {
    match place(address) {
        Some(p) => format!("{p}, {}", date(d)),
        None => date(d),
    }
}

/// The appeal instruction of a decision (pouczenie, KPA art. 107 §1 pkt 7, art. 127–129 and 127a).
pub fn appeal_instruction(appeal_body: &str, authority: &str) -> String {
    format!(
        "Od niniejszej decyzji przysługuje stronie odwołanie do {appeal_body} za pośrednictwem {authority}, \
         w terminie 14 dni od dnia jej doręczenia (art. 127 § 1 i 2 oraz art. 129 § 1 i 2 Kodeksu postępowania \
         administracyjnego).\n\
         W trakcie biegu terminu do wniesienia odwołania strona może zrzec się prawa do wniesienia odwołania wobec \
         organu, który wydał decyzję (art. 127a § 1 k.p.a.). Z dniem doręczenia organowi oświadczenia o zrzeczeniu \
         się prawa do wniesienia odwołania przez ostatnią ze stron postępowania decyzja staje się ostateczna i \
         prawomocna (art. 127a § 2 k.p.a.)."
    )
}

/// A signatory's capacity when they sign on the executive's authorisation (art. 110 ust. 8 u.p.s.).
pub fn on_authorisation(place: Option<&str>) -> String {
    match place {
        Some(p) => format!("z upoważnienia organu wykonawczego gminy {p}"),
        None => "z upoważnienia organu wykonawczego gminy".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_in_the_genitive() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        assert_eq!(date(d), "6 grudnia 2026 r.");
        let d = NaiveDate::from_ymd_opt(2027, 9, 30).unwrap();
        assert_eq!(date(d), "30 września 2027 r.");
    }

    #[test]
    fn amounts_group_thousands() {
        assert_eq!(money(0), "0,00 zł");
        assert_eq!(money(5), "0,05 zł");
        assert_eq!(money(123_456), "1 234,56 zł");
        assert_eq!(money(100_000_000), "1 000 000,00 zł");
        assert_eq!(money(-250), "-2,50 zł");
    }

    #[test]
    fn the_town_follows_the_postal_code() {
        assert_eq!(
            place("ul. Konopnickiej 7, 87-100 Toruń").as_deref(),
            Some("Toruń")
        );
        assert_eq!(
            place("87-100 Toruń, ul. Szeroka 1").as_deref(),
            Some("Toruń")
        );
        assert_eq!(place("ul. Długa 5"), None);
        assert_eq!(place("tel. 123-456789"), None);
    }
}
