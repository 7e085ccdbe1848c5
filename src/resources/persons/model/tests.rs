use super::*;
use crate::foundation::error::ApiError;
use crate::resources::persons::pesel::Sex;
use chrono::NaiveDate;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn new(pesel: Option<&str>, birth: Option<&str>, sex: Option<Sex>) -> NewPerson {
    NewPerson {
        first_name: "Jan".into(),
        last_name: "Kowalski".into(),
        pesel: pesel.map(str::to_owned),
        birth_date: birth.map(|b| b.parse().unwrap()),
        sex,
        residence_address: None,
        stay_address: None,
        phone: None,
        email: None,
    }
}

fn codes(e: ApiError) -> Vec<(String, String)> {
    match e {
        ApiError::Validation(list) => list.into_iter().map(|f| (f.field, f.code)).collect(),
        other => panic!("not a validation error: {other:?}"),
    }
}

#[test]
fn birth_date_and_sex_are_filled_from_the_pesel() {
    let v = new(Some("44051401458"), None, None)
        .validate(today())
        .unwrap();
    assert_eq!(v.birth_date.to_string(), "1944-05-14");
    assert_eq!(v.sex, Sex::Male);
}

#[test]
fn given_birth_date_and_sex_must_agree_with_the_pesel() {
    let e = new(Some("44051401458"), Some("1944-05-15"), Some(Sex::Female))
        .validate(today())
        .unwrap_err();
    assert_eq!(
        codes(e),
        vec![
            ("birth_date".into(), "pesel_birth_date_mismatch".into()),
            ("sex".into(), "pesel_sex_mismatch".into())
        ]
    );
}

#[test]
fn without_a_pesel_birth_date_and_sex_are_required() {
    let e = new(None, None, None).validate(today()).unwrap_err();
    assert_eq!(
        codes(e),
        vec![
            ("birth_date".into(), "required".into()),
            ("sex".into(), "required".into())
        ]
    );
    assert!(
        new(None, Some("1990-01-01"), Some(Sex::Female))
            .validate(today())
            .is_ok()
    );
    let e = new(None, Some("2030-01-01"), Some(Sex::Female))
        .validate(today())
        .unwrap_err();
    assert_eq!(codes(e), vec![("birth_date".into(), "in_future".into())]);
}

#[test]
fn addresses_need_a_polish_postal_code() {
    let mut p = new(Some("44051401458"), None, None);
    p.residence_address = Some(Address {
        street: Some("ul. Szeroka".into()),
        building: "12".into(),
        flat: None,
        postal_code: "87100".into(),
        city: "Toruń".into(),
    });
    let e = p.validate(today()).unwrap_err();
    assert_eq!(
        codes(e),
        vec![(
            "residence_address.postal_code".into(),
            "postal_code_format".into()
        )]
    );
}

#[test]
fn a_patch_changes_only_what_it_names_and_reports_it() {
    let current = new(Some("44051401458"), None, None)
        .validate(today())
        .unwrap();
    let patch = PersonPatch {
        phone: Some(Some("+48 600 100 200".into())),
        ..Default::default()
    };
    let (next, changed) = patch.apply(&current, today()).unwrap();
    assert_eq!(changed, vec!["phone"]);
    assert_eq!(next.birth_date, current.birth_date);
    let clear = PersonPatch {
        phone: Some(None),
        ..Default::default()
    };
    let (cleared, changed) = clear.apply(&next, today()).unwrap();
    assert_eq!(cleared.phone, None);
    assert_eq!(changed, vec!["phone"]);
}

#[test]
fn a_new_pesel_brings_its_birth_date_and_sex() {
    let current = new(Some("44051401458"), None, None)
        .validate(today())
        .unwrap();
    let patch = PersonPatch {
        pesel: Some(Some("75120804355".into())),
        ..Default::default()
    };
    let (next, changed) = patch.apply(&current, today()).unwrap();
    assert_eq!(next.birth_date.to_string(), "1975-12-08");
    assert_eq!(changed, vec!["pesel", "birth_date"]);
}
