//! The macros every store uses: SQL per backend, fixed-size batch inserts, enums stored as text.

/// Runs `$body` with `$c` bound to the inner connection of the right backend. The one place where SQL is allowed to
/// differ per backend (upserts, row locks, pragmas) goes through this macro.
///
/// The hottest queries (the account check, the one-row lookups of reads, the audit writer's) run through it too,
/// with the same SQL on both: diesel's `MultiConnection` renders a query's whole SQL text in each of its passes
/// (the cache key, the cache check, the binds) even when the statement is cached, which was about a tenth of the
/// CPU of a one-row read. On the inner connection a cached statement is found by its type and no SQL is built.
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::foundation::db::connection::DbConnection::Postgresql($c) => $body,
            $crate::foundation::db::connection::DbConnection::Sqlite($c) => $body,
        }
    };
    ($conn:expr, pg $pc:ident => $pg:expr, sqlite $sc:ident => $sq:expr) => {
        match $conn {
            $crate::foundation::db::connection::DbConnection::Postgresql($pc) => $pg,
            $crate::foundation::db::connection::DbConnection::Sqlite($sc) => $sq,
        }
    };
}

/// Runs `$body` with `$rows` rebound to a fixed-size array when the slice holds one to four rows, else to the slice.
/// diesel prepares a multi-row `INSERT` from a slice anew at every use (its SQL grows with the row count, so it is
/// never cached; PostgreSQL's log shows it as an `<unnamed>` statement), while an array's is one cached statement
/// per size. The hot writes insert a few rows at a time (a new case's access grants and obligations), so each
/// keeps its single round trip and is parsed and planned once per connection.
#[macro_export]
macro_rules! exact_rows {
    ($rows:ident => $body:expr) => {
        match $rows.len() {
            1 => {
                let $rows: &[_; 1] = $rows.try_into().expect("one row");
                $body
            }
            2 => {
                let $rows: &[_; 2] = $rows.try_into().expect("two rows");
                $body
            }
            3 => {
                let $rows: &[_; 3] = $rows.try_into().expect("three rows");
                $body
            }
            4 => {
                let $rows: &[_; 4] = $rows.try_into().expect("four rows");
                $body
            }
            _ => $body,
        }
    };
}

/// Declares an enum stored as TEXT and sent in the API under the same names, so rows hold typed states. Write the
/// enum as usual with its `serde` and `strum` `rename_all`/`serialize_all` (they must agree, a test checks it);
/// the macro adds the derives (serde, utoipa, strum, diesel) and `as_str`, `parse` and the `ToSql`/`FromSql` impls
/// for every backend. The names are the ones in the migrations' CHECK constraints; an unknown stored name fails
/// the read (a 500, never a guess).
#[macro_export]
macro_rules! stored_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($body:tt)* }) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            strum::EnumString, strum::IntoStaticStr, strum::EnumIter, diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $(#[$meta])*
        $vis enum $name { $($body)* }

        impl $name {
            /// The stored and serialised name.
            pub fn as_str(self) -> &'static str {
                self.into()
            }
            pub fn parse(s: &str) -> Option<Self> {
                s.parse().ok()
            }
        }
        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.as_str(), out)
            }
        }
        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let name = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, DB>>::from_sql(bytes)?;
                Self::parse(&name)
                    .ok_or_else(|| format!("unknown {} {name:?}", stringify!($name)).into())
            }
        }
    };
}
