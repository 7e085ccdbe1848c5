//! Rendering time per letter: each template's letter typeset to PDF (layout, font subsetting, compression) one
//! call at a time in the release build, and the size of what it gives. Issuing a letter adds this to its act's
//! transaction, plus writing the PDF's rows.
//!
//! Run: `cargo bench --bench letters`. `BENCH_LETTERS=N` renders each letter N times (200 by default).

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use reintegra::resources::letters::cis::{self, Admitted};
use reintegra::resources::letters::dps::{self, Common, FeeRuling, Payer, PlacementRuling};
use reintegra::resources::letters::{Letter, Letterhead, Signatory, pdf};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
}

fn common() -> Common {
    Common {
        issuer: Letterhead {
            name: "Miejski Ośrodek Pomocy Rodzinie w Toruniu".into(),
            address: "ul. Łazienna 18, 87-100 Toruń".into(),
        },
        date: day("2026-12-04"),
        reference: "DPS-0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b".into(),
        addressee: vec![
            "Pani Helena Żółkiewska".into(),
            "ul. Szeroka 12/4".into(),
            "87-100 Toruń".into(),
        ],
        signatory: Signatory {
            name: "Anna Dyrektorska".into(),
            position: "Zastępca Dyrektora".into(),
            capacity: Some("z upoważnienia organu wykonawczego gminy Toruń".into()),
        },
        copies: vec!["Strona: Helena Żółkiewska".into()],
        appeal_body: "Samorządowego Kolegium Odwoławczego w Toruniu".into(),
    }
}

fn letters() -> Vec<Letter> {
    let reasons = "Wnioskodawczyni po udarze wymaga całodobowej opieki; usługi opiekuńcze w miejscu zamieszkania \
                   nie zapewniają niezbędnej pomocy. ";
    vec![
        dps::dps_decision(
            common(),
            PlacementRuling {
                person: "Helena Żółkiewska".into(),
                granted: true,
                dps_type: "osób w podeszłym wieku".into(),
                preferred_home: Some("DPS Toruń, ul. Żółkiewskiego".into()),
                received_on: day("2026-11-02"),
                legal_basis: "art. 54 ust. 1 i art. 59 ust. 1 ustawy o pomocy społecznej".into(),
                reasons: reasons.repeat(4),
            },
        ),
        dps::fee_decision(
            common(),
            FeeRuling {
                person: "Helena Żółkiewska".into(),
                care_home: "Dom Pomocy Społecznej w Toruniu, ul. Żółkiewskiego 30".into(),
                applies_from: day("2026-12-01"),
                average_cost: 620_000,
                cost_applies_from: day("2026-01-01"),
                resident_income: 280_000,
                resident_limit: 196_000,
                criterion_single: 101_000,
                criterion_family: 82_300,
                criterion_applies_from: day("2025-01-01"),
                payers: vec![
                    Payer {
                        who: "Mieszkaniec".into(),
                        basis: "70% dochodu".into(),
                        monthly: 196_000,
                    },
                    Payer {
                        who: "Anna Żółkiewska (zstępny)".into(),
                        basis: "umowa".into(),
                        monthly: 50_000,
                    },
                    Payer {
                        who: "Gmina".into(),
                        basis: "różnica".into(),
                        monthly: 374_000,
                    },
                ],
            },
        ),
        dps::placement_decision(
            common(),
            "Helena Żółkiewska",
            "DPS w Toruniu",
            day("2026-12-10"),
            day("2026-10-01"),
            None,
        ),
        dps::delay_notice(
            common(),
            "Helena Żółkiewska",
            day("2026-11-02"),
            "Oczekiwanie na opinię psychiatry.",
            day("2027-01-15"),
        ),
        cis::referral(
            common(),
            "Jan Kowalski",
            "Centrum Integracji Społecznej w Toruniu",
            day("2026-11-02"),
            day("2026-11-10"),
        ),
        cis::admission_list(
            common(),
            &(0..30)
                .map(|i| Admitted {
                    name: format!("Uczestnik Numer {i}"),
                    signed_on: day("2026-11-20"),
                    start_on: day("2026-11-23"),
                    proper_period_starts_on: day("2026-12-23"),
                })
                .collect::<Vec<_>>(),
        ),
        cis::termination_notice(
            common(),
            "Jan Kowalski",
            day("2026-09-01"),
            day("2027-03-01"),
            day("2026-11-30"),
            "rezygnacja uczestnika.",
        ),
    ]
}

fn main() {
    let n: usize = std::env::var("BENCH_LETTERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    // The fonts load once per process.
    let _ = pdf::render(&letters()[0]).expect("renders");
    println!("| letter | bytes | mean | p50 | p99 |");
    println!("|---|---|---|---|---|");
    for letter in letters() {
        let mut times: Vec<Duration> = Vec::with_capacity(n);
        let mut size = 0;
        let mut out = Vec::new();
        for _ in 0..n {
            let t = Instant::now();
            out = pdf::render(&letter).expect("renders");
            times.push(t.elapsed());
            size = out.len();
        }
        assert!(
            out == pdf::render(&letter).expect("renders"),
            "rendering is deterministic"
        );
        times.sort();
        let mean = times.iter().sum::<Duration>() / n as u32;
        let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
        println!(
            "| {} | {} | {} | {} | {} |",
            letter.kind,
            size,
            ms(mean),
            ms(times[n / 2]),
            ms(times[(n * 99 / 100).min(n - 1)])
        );
    }
}
