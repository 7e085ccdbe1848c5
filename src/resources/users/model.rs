use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::foundation::db::schema::{api_clients, users};
use crate::foundation::error::{ApiError, FieldError};
use crate::identity::password::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use crate::identity::{InstitutionKind, Role, policy};

/// A person's account. The password is never returned.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: String,
    pub institution_id: Option<String>,
    #[schema(example = "anna.kowalska")]
    pub username: String,
    #[schema(example = "Anna Kowalska")]
    pub display_name: Option<String>,
    pub role: Role,
    /// A deactivated account cannot sign in, and its tokens stop working at once.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send as `If-Match` to change the account.
    pub version: i32,
}

/// Creates an account.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "anna.kowalska", "password": "a long passphrase", "role": "social_worker", "display_name": "Anna Kowalska"}))]
pub struct NewUser {
    /// 3 to 64 characters: lower-case letters, digits, `.`, `_`, `-`; unique across the platform.
    #[validate(regex(path = *USERNAME_RE, code = "invalid_username",
        message = "3 to 64 characters: lower-case letters, digits, '.', '_' or '-'"))]
    #[schema(pattern = "^[a-z0-9._-]{3,64}$", min_length = 3, max_length = 64)]
    pub username: String,
    /// At least 12 characters.
    #[validate(length(
        min = 12,
        max = 256,
        code = "password_length",
        message = "the password must be 12 to 256 characters"
    ))]
    #[schema(min_length = 12, max_length = 256, format = Password)]
    pub password: String,
    /// `staff`, `social_worker` (MOPR only), `director` or `admin`.
    pub role: Role,
    #[validate(length(
        min = 1,
        max = 200,
        code = "length",
        message = "display_name must be 1 to 200 characters"
    ))]
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: Option<String>,
    /// Platform admins must name the institution; an institution's admin may omit it (it defaults to, and
    /// must be, their own).
    pub institution_id: Option<String>,
}

static USERNAME_RE: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new("^[a-z0-9._-]{3,64}$").expect("valid regex"));

/// Whether `role` may be held in an institution of `kind`; the 422 names the field.
pub fn check_role(kind: InstitutionKind, role: Role) -> Result<(), ApiError> {
    if policy::role_allowed_in(kind, role) {
        Ok(())
    } else {
        Err(ApiError::Validation(vec![FieldError::new(
            "role",
            "role_not_allowed_in_institution",
            format!(
                "the role {} does not exist in a {}",
                role.as_str(),
                kind.as_str()
            ),
        )]))
    }
}

/// A new password set by an admin.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "nowe długie hasło 2026"}))]
pub struct PasswordReset {
    #[validate(length(
        min = 12,
        max = 256,
        code = "password_length",
        message = "the password must be 12 to 256 characters"
    ))]
    #[schema(min_length = 12, max_length = 256, format = Password)]
    pub password: String,
}

const _: () = assert!(MIN_PASSWORD_CHARS == 12 && MAX_PASSWORD_CHARS == 256);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct UserRow {
    pub id: String,
    pub institution_id: Option<String>,
    pub username: String,
    pub display_name: Option<String>,
    pub password_hash: String,
    pub role: Role,
    pub active: bool,
    pub failed_logins: i32,
    pub last_failed_login_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl UserRow {
    pub fn into_view(self) -> Result<User, ApiError> {
        Ok(User {
            role: self.role,
            id: self.id,
            institution_id: self.institution_id,
            username: self.username,
            display_name: self.display_name,
            active: self.active,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
            version: self.version,
        })
    }
}

/// Partner software's credentials. The secret is shown once, at creation, and stored only as a hash.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApiClientAccount {
    pub id: String,
    pub institution_id: String,
    /// The `client_id` to send to the token endpoint.
    #[schema(example = "rc_0193c7d2a1b07f2e8c1d4b5a6e7f8091")]
    pub client_id: String,
    #[schema(example = "Case system of CIS CISTOR")]
    pub name: String,
    /// The role its tokens carry: `staff`, `social_worker` (MOPR only) or `director`.
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// Send as `If-Match` to deactivate the client.
    pub version: i32,
}

/// A newly created API client, with its secret. Store the secret now: it cannot be shown again.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedApiClient {
    #[serde(flatten)]
    pub client: ApiClientAccount,
    /// The `client_secret` for the token endpoint. Returned only in this response.
    pub client_secret: String,
}

/// Creates an API client.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Case system of CIS CISTOR", "role": "staff"}))]
pub struct NewApiClient {
    #[validate(length(
        min = 1,
        max = 200,
        code = "length",
        message = "name must be 1 to 200 characters"
    ))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// `staff`, `social_worker` (MOPR only) or `director`; API clients cannot be admins.
    pub role: Role,
    /// Platform admins must name the institution; an institution's admin may omit it.
    pub institution_id: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_clients, treat_none_as_default_value = false)]
pub struct ApiClientRow {
    pub id: String,
    pub institution_id: String,
    pub client_id: String,
    pub secret_hash: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub failed_logins: i32,
    pub last_failed_login_at: Option<NaiveDateTime>,
    pub version: i32,
}

impl ApiClientRow {
    pub fn into_view(self) -> Result<ApiClientAccount, ApiError> {
        Ok(ApiClientAccount {
            role: self.role,
            id: self.id,
            institution_id: self.institution_id,
            client_id: self.client_id,
            name: self.name,
            active: self.active,
            created_at: self.created_at.and_utc(),
            version: self.version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(username: &str, password: &str) -> NewUser {
        NewUser {
            username: username.into(),
            password: password.into(),
            role: Role::Staff,
            display_name: None,
            institution_id: None,
        }
    }

    #[test]
    fn usernames_and_passwords_are_checked() {
        assert!(user("anna.k", "twelve chars").validate().is_ok());
        for bad in ["ab", "Anna", "anna k", "żaba", &"a".repeat(65)] {
            assert!(user(bad, "twelve chars").validate().is_err(), "{bad}");
        }
        assert!(user("anna", "eleven char").validate().is_err());
    }

    #[test]
    fn social_worker_is_a_mopr_role() {
        assert!(check_role(InstitutionKind::Mopr, Role::SocialWorker).is_ok());
        assert!(check_role(InstitutionKind::Ngo, Role::SocialWorker).is_err());
        assert!(check_role(InstitutionKind::Cis, Role::PlatformAdmin).is_err());
    }
}
