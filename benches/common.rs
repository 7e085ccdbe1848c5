//! Data both benchmarks seed: a registry of persons with realistic Polish surnames and valid PESEL numbers.

use std::time::Instant;

use chrono::NaiveDate;
use diesel::prelude::*;
use reintegra::foundation::db;
use reintegra::resources::persons::model::{PersonRow, ValidPerson};
use reintegra::resources::persons::pesel::Sex;

pub const SURNAMES: [&str; 40] = [
    "Nowak",
    "Kowalski",
    "Wiśniewski",
    "Wójcik",
    "Kowalczyk",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowski",
    "Jankowski",
    "Mazur",
    "Kwiatkowski",
    "Krawczyk",
    "Piotrowski",
    "Grabowski",
    "Nowakowski",
    "Pawłowski",
    "Michalski",
    "Nowicki",
    "Adamczyk",
    "Dudek",
    "Zając",
    "Wieczorek",
    "Jabłoński",
    "Król",
    "Majewski",
    "Olszewski",
    "Jaworski",
    "Wróbel",
    "Malinowski",
    "Pawlak",
    "Witkowski",
    "Walczak",
    "Stępień",
    "Górski",
    "Żółkiewski",
    "Łukasiewicz",
];

pub fn pesel_for(date: NaiveDate, serial: u32) -> String {
    use chrono::Datelike;
    let s = format!(
        "{:02}{:02}{:02}{:04}",
        date.year() % 100,
        date.month(),
        date.day(),
        serial % 10_000
    );
    let w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let sum: u32 = s.bytes().zip(w).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{s}{}", (10 - sum % 10) % 10)
}

pub fn seed(conn: &mut db::Conn, n: usize, institution: &str) -> Vec<(String, String, NaiveDate)> {
    let now = db::now();
    let base = NaiveDate::from_ymd_opt(1940, 1, 1).unwrap();
    let mut samples = Vec::new();
    let mut batch = Vec::with_capacity(1000);
    let started = Instant::now();
    for i in 0..n {
        // Dates of 1940–1999 and serials that keep (date, serial) and so the PESEL unique.
        let date = base + chrono::Days::new((i % 21_900) as u64);
        let serial = (i / 21_900) as u32;
        let last = format!(
            "{}{}",
            SURNAMES[i % SURNAMES.len()],
            if i % 3 == 0 { "" } else { "-Kowalska" }
        );
        let p = ValidPerson {
            first_name: "Jan".into(),
            last_name: last,
            pesel: Some(pesel_for(date, serial)),
            birth_date: date,
            sex: Sex::Male,
            residence_address: None,
            stay_address: None,
            phone: None,
            email: None,
        };
        let row = PersonRow::new(
            uuid::Uuid::now_v7().to_string(),
            p,
            institution.to_owned(),
            now,
        );
        if i % (n / 20).max(1) == 0 {
            samples.push((row.id.clone(), row.pesel.clone().unwrap(), row.birth_date));
        }
        batch.push(row);
        if batch.len() == 1000 || i + 1 == n {
            db::write_tx(conn, |conn| {
                for chunk in batch.chunks(100) {
                    reintegra::per_backend!(&mut *conn, c => diesel::insert_into(reintegra::foundation::db::schema::persons::table)
                        .values(chunk)
                        .execute(c))?;
                }
                Ok(())
            })
            .expect("seed batch");
            batch.clear();
        }
    }
    println!("seeded {n} persons in {:.1?}", started.elapsed());
    samples
}
