//! Demo data for trying the service (`serve --demo`): four institutions of Toruń and one user per demo role, all
//! with the password [`DEMO_PASSWORD`]. Nothing here runs without `--demo`.

use diesel::prelude::*;

use crate::foundation::db;
use crate::foundation::db::schema::{institutions, users};
use crate::foundation::error::ApiError;
use crate::identity::{InstitutionKind, Role, password};
use crate::resources::care_homes::model::{CareHomeRow, CostRow};
use crate::resources::institutions::model::InstitutionRow;
use crate::resources::users::model::UserRow;

pub const DEMO_PASSWORD: &str = "reintegra-demo";

/// The demo's care home: two places, elderly and chronically somatically ill residents, 6,200.00 zł a month from
/// 2026-01-01, placed by the demo MOPR.
pub const DEMO_CARE_HOME: &str = "Dom Pomocy Społecznej w Toruniu (demo)";

/// (key, kind, name, address, area)
const INSTITUTIONS: [(&str, InstitutionKind, &str, &str, Option<&str>); 4] = [
    (
        "mopr",
        InstitutionKind::Mopr,
        "Miejski Ośrodek Pomocy Rodzinie w Toruniu",
        "ul. Łazienna 18, 87-100 Toruń",
        Some("Gmina Miasta Toruń"),
    ),
    (
        "cis",
        InstitutionKind::Cis,
        "Centrum Integracji Społecznej CISTOR",
        "ul. Szosa Chełmińska 220, 87-100 Toruń",
        None,
    ),
    (
        "pcpr",
        InstitutionKind::Pcpr,
        "Powiatowe Centrum Pomocy Rodzinie w Toruniu",
        "ul. Towarowa 4-6, 87-100 Toruń",
        None,
    ),
    (
        "ngo",
        InstitutionKind::Ngo,
        "Stowarzyszenie Na Rzecz Wychodzenia z Bezdomności (demo)",
        "ul. Przykładowa 1, 87-100 Toruń",
        None,
    ),
];

/// (username, institution key or "" for the platform, role)
pub const USERS: [(&str, &str, Role); 9] = [
    ("mopr-admin", "mopr", Role::Admin),
    ("mopr-director", "mopr", Role::Director),
    ("mopr-worker", "mopr", Role::SocialWorker),
    ("mopr-staff", "mopr", Role::Staff),
    ("cis-director", "cis", Role::Director),
    ("cis-staff", "cis", Role::Staff),
    ("pcpr-staff", "pcpr", Role::Staff),
    ("ngo-staff", "ngo", Role::Staff),
    ("platform-admin", "", Role::PlatformAdmin),
];

/// Seeds the demo data unless it is already there; returns whether it seeded.
pub fn seed(conn: &mut db::Conn) -> Result<bool, ApiError> {
    let seeded = |conn: &mut db::DbConnection| -> Result<bool, ApiError> {
        Ok(users::table
            .filter(users::username.eq("mopr-admin"))
            .count()
            .get_result::<i64>(conn)?
            > 0)
    };
    if seeded(conn)? {
        return Ok(false);
    }
    // One hash for all demo accounts: they share a published password, and hashing nine times would slow every
    // test that starts a demo server.
    let hash = password::hash(DEMO_PASSWORD)?;
    let now = crate::foundation::db::now();
    db::write_tx(conn, |conn| {
        // Two `--demo` nodes started at once on an empty database: the second waits here for the first's seeding
        // to commit, then finds it done.
        db::take_setup_lock(conn)?;
        if seeded(conn)? {
            return Ok(false);
        }
        let mut ids = Vec::new();
        for (key, kind, name, address, area) in INSTITUTIONS {
            let id = uuid::Uuid::now_v7().to_string();
            diesel::insert_into(institutions::table)
                .values(&InstitutionRow {
                    id: id.clone(),
                    kind,
                    name: name.to_owned(),
                    address: address.to_owned(),
                    area: area.map(str::to_owned),
                    created_at: now,
                })
                .execute(conn)?;
            ids.push((key, id));
        }
        // One care home of the city, placed by MOPR, with a published cost, so a DPS case can be walked from the
        // application to a fee decision and a placement.
        let mopr = ids
            .iter()
            .find(|(k, _)| *k == "mopr")
            .map(|(_, id)| id.clone());
        if let Some(mopr) = mopr {
            let home = CareHomeRow {
                id: uuid::Uuid::now_v7().to_string(),
                name: DEMO_CARE_HOME.to_owned(),
                address: "ul. Przykładowa 2, 87-100 Toruń".to_owned(),
                dps_types: r#"["elderly","chronically_somatically_ill"]"#.to_owned(),
                places: 2,
                occupied: 0,
                operator: "Gmina Miasta Toruń".to_owned(),
                placing_institution_id: mopr,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            crate::resources::care_homes::store::insert(conn, &home)?;
            crate::resources::care_homes::store::insert_cost(
                conn,
                &CostRow {
                    care_home_id: home.id.clone(),
                    applies_from: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("a real date"),
                    monthly_cost: 620_000,
                    recorded_by: "demo".to_owned(),
                    created_at: now,
                },
            )?;
        }
        for (username, key, role) in USERS {
            let institution_id = ids
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, id)| id.clone());
            diesel::insert_into(users::table)
                .values(&UserRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    institution_id,
                    username: username.to_owned(),
                    display_name: Some(format!("Demo {username}")),
                    password_hash: hash.clone(),
                    role,
                    active: true,
                    failed_logins: 0,
                    last_failed_login_at: None,
                    created_at: now,
                    updated_at: now,
                    version: 1,
                })
                .execute(conn)?;
        }
        Ok(true)
    })
}

/// The start-up banner of demo mode.
pub fn banner() -> String {
    let mut s = String::from(
        "DEMO MODE: demo institutions and users exist with a published password; never use --demo with real data.\n",
    );
    s.push_str(&format!(
        "  password for every demo user: {DEMO_PASSWORD}\n"
    ));
    for (username, key, role) in USERS {
        let inst = if key.is_empty() { "platform" } else { key };
        s.push_str(&format!("  {username:<15} {inst:<9} {}\n", role.as_str()));
    }
    s
}

/// Creates a platform admin (the `create-admin` command): the only way the first one comes to exist.
pub fn create_platform_admin(
    conn: &mut db::Conn,
    username: &str,
    pass: &str,
) -> Result<String, ApiError> {
    if pass.chars().count() < password::MIN_PASSWORD_CHARS {
        return Err(ApiError::field(
            "password",
            "password_length",
            format!("at least {} characters", password::MIN_PASSWORD_CHARS),
        ));
    }
    let now = crate::foundation::db::now();
    let row = UserRow {
        id: uuid::Uuid::now_v7().to_string(),
        institution_id: None,
        username: username.to_owned(),
        display_name: None,
        password_hash: password::hash(pass)?,
        role: Role::PlatformAdmin,
        active: true,
        failed_logins: 0,
        last_failed_login_at: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    db::write_tx(conn, |conn| {
        crate::resources::users::store::insert_user(conn, &row)
    })?;
    Ok(row.id)
}
