//! The kinds of institution, the roles inside them, and the two kinds of account a token can stand for.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::stored_enum! {
    /// The kind of a partner institution.
    ///
    /// * `MOPR` — Miejski Ośrodek Pomocy Rodzinie, the municipal social-assistance office (an OPS).
    /// * `CIS` — Centrum Integracji Społecznej, a social integration centre.
    /// * `PCPR` — Powiatowe Centrum Pomocy Rodzinie, the county family-assistance centre.
    /// * `NGO` — a non-governmental organisation (and other art. 12 ust. 2 bodies).
    #[derive(Hash)]
    #[serde(rename_all = "UPPERCASE")]
    #[strum(serialize_all = "UPPERCASE")]
    pub enum InstitutionKind {
        Mopr,
        Cis,
        Pcpr,
        Ngo,
    }
}

impl InstitutionKind {
    pub const ALL: [InstitutionKind; 4] = [Self::Mopr, Self::Cis, Self::Pcpr, Self::Ngo];
}

crate::stored_enum! {
    /// A person's role inside their institution.
    ///
    /// * `staff` — an employee handling cases.
    /// * `social_worker` — pracownik socjalny; exists only in a MOPR; writes opinions after a family interview.
    /// * `director` — the head of the institution (or a deputy); takes the decisions the procedure reserves to them.
    /// * `admin` — manages the user accounts and API clients of their own institution and answers persons' requests for
    ///   access to their data (GDPR art. 15, `GET /api/v1/persons/{id}/disclosure`), and nothing else.
    /// * `platform_admin` — operates the service: creates institutions and their first admins; belongs to no institution.
    #[derive(Hash)]
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum Role {
        Staff,
        SocialWorker,
        Director,
        Admin,
        PlatformAdmin,
    }
}

impl Role {
    pub const ALL: [Role; 5] = [
        Self::Staff,
        Self::SocialWorker,
        Self::Director,
        Self::Admin,
        Self::PlatformAdmin,
    ];
}

/// Which table a token's subject lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalType {
    /// A person signing in with a username and password.
    User,
    /// Partner software signing in with a client id and secret.
    Client,
}
