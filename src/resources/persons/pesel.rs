//! PESEL, the Polish national identification number: `YYMMDDZZZXQ`. The century is encoded in the month
//! (1800s +80, 1900s +0, 2000s +20, 2100s +40, 2200s +60), the tenth digit gives the sex (even female, odd male),
//! and `Q` is a check digit over the first ten with weights 1,3,7,9,1,3,7,9,1,3.

use chrono::NaiveDate;

crate::stored_enum! {
    /// Sex as recorded in the registry (and encoded in a PESEL).
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum Sex {
        Female,
        Male,
    }
}

/// What a valid PESEL says about its holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeselInfo {
    pub birth_date: NaiveDate,
    pub sex: Sex,
}

/// Why a PESEL is invalid; each maps to its own field error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeselError {
    /// Not exactly 11 digits.
    Format,
    /// The check digit does not match.
    Checksum,
    /// The encoded date (with the century in the month) does not exist.
    Date,
}

impl PeselError {
    pub fn code(self) -> &'static str {
        match self {
            PeselError::Format => "pesel_format",
            PeselError::Checksum => "pesel_checksum",
            PeselError::Date => "pesel_date",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            PeselError::Format => "a PESEL is exactly 11 digits",
            PeselError::Checksum => "the PESEL check digit does not match",
            PeselError::Date => "the PESEL encodes a date that does not exist",
        }
    }
}

const WEIGHTS: [u32; 10] = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];

/// The check digit of the first ten digits.
pub fn check_digit(first_ten: &[u32]) -> u32 {
    let sum: u32 = first_ten.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    (10 - sum % 10) % 10
}

pub fn parse(pesel: &str) -> Result<PeselInfo, PeselError> {
    if pesel.len() != 11 || !pesel.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PeselError::Format);
    }
    let d: Vec<u32> = pesel.bytes().map(|b| u32::from(b - b'0')).collect();
    if check_digit(&d[..10]) != d[10] {
        return Err(PeselError::Checksum);
    }
    let yy = (d[0] * 10 + d[1]) as i32;
    let mm = d[2] * 10 + d[3];
    let dd = d[4] * 10 + d[5];
    let (century, month) = match mm {
        81..=92 => (1800, mm - 80),
        1..=12 => (1900, mm),
        21..=32 => (2000, mm - 20),
        41..=52 => (2100, mm - 40),
        61..=72 => (2200, mm - 60),
        _ => return Err(PeselError::Date),
    };
    let birth_date = NaiveDate::from_ymd_opt(century + yy, month, dd).ok_or(PeselError::Date)?;
    let sex = if d[9].is_multiple_of(2) {
        Sex::Female
    } else {
        Sex::Male
    };
    Ok(PeselInfo { birth_date, sex })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a valid PESEL for tests: date, a 3-digit serial, sex.
    fn make(date: NaiveDate, serial: u32, sex: Sex) -> String {
        use chrono::Datelike;
        let offset = match date.year() / 100 {
            18 => 80,
            19 => 0,
            20 => 20,
            21 => 40,
            22 => 60,
            _ => panic!("no PESEL for this century"),
        };
        let sex_digit = match sex {
            Sex::Female => 2,
            Sex::Male => 3,
        };
        let s = format!(
            "{:02}{:02}{:02}{:03}{}",
            date.year() % 100,
            date.month() + offset,
            date.day(),
            serial,
            sex_digit
        );
        let digits: Vec<u32> = s.bytes().map(|b| u32::from(b - b'0')).collect();
        format!("{s}{}", check_digit(&digits))
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_reference_examples_are_valid() {
        assert_eq!(
            parse("44051401458"),
            Ok(PeselInfo {
                birth_date: ymd(1944, 5, 14),
                sex: Sex::Male
            })
        );
        assert_eq!(
            parse("75120804355"),
            Ok(PeselInfo {
                birth_date: ymd(1975, 12, 8),
                sex: Sex::Male
            })
        );
    }

    #[test]
    fn every_century_decodes_from_the_month() {
        for (date, sex) in [
            (ymd(1885, 1, 31), Sex::Female),
            (ymd(1999, 12, 31), Sex::Male),
            (ymd(2000, 2, 29), Sex::Female),
            (ymd(2024, 6, 4), Sex::Male),
            (ymd(2101, 3, 1), Sex::Female),
            (ymd(2299, 11, 30), Sex::Male),
        ] {
            let p = make(date, 123, sex);
            assert_eq!(
                parse(&p),
                Ok(PeselInfo {
                    birth_date: date,
                    sex
                }),
                "{p}"
            );
        }
    }

    #[test]
    fn malformed_numbers_are_refused_with_their_reason() {
        for bad in [
            "",
            "4405140145",
            "440514014588",
            "4405140145a",
            " 44051401458",
            "４４051401458",
        ] {
            assert_eq!(parse(bad), Err(PeselError::Format), "{bad:?}");
        }
        assert_eq!(parse("44051401459"), Err(PeselError::Checksum));
        assert_eq!(parse("75120804356"), Err(PeselError::Checksum));
    }

    #[test]
    fn impossible_dates_are_refused_even_with_a_good_checksum() {
        let with_check = |ten: &str| {
            let d: Vec<u32> = ten.bytes().map(|b| u32::from(b - b'0')).collect();
            format!("{ten}{}", check_digit(&d))
        };
        // 30 February 1990, month 13, month 00, day 00, 29 February 2100 (not a leap year), month 93.
        for ten in [
            "9002300123",
            "9013010123",
            "9000010123",
            "9001000123",
            "0042290123",
            "0093010123",
        ] {
            assert_eq!(parse(&with_check(ten)), Err(PeselError::Date), "{ten}");
        }
    }
}
