//! Keyset pagination shared by every list: `limit` and an opaque `cursor` in, `items` and `next_cursor` out.
//! Cursors encode the last id of a page; ids are UUIDv7, so id order is creation order. Never OFFSET.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::foundation::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// Paging parameters common to every list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, example = 50)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page; omit for the first page.
    pub cursor: Option<String>,
}

/// A validated page request.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: i64,
    /// The id after which (in the list's order) this page starts.
    pub after: Option<String>,
}

impl PageParams {
    pub fn resolve(&self) -> Result<PageRequest, ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::field(
                "limit",
                "out_of_range",
                format!("limit must be between 1 and {MAX_LIMIT}"),
            ));
        }
        // `cursor=` with no value is the first page, as if it were absent.
        let after = self
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(decode_cursor)
            .transpose()?;
        Ok(PageRequest { limit, after })
    }
}

pub fn decode_cursor(cursor: &str) -> Result<String, ApiError> {
    let invalid = || ApiError::BadRequest {
        code: "invalid_cursor",
        detail: "the cursor is not one this API issued; start again without it".into(),
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    text.strip_prefix("k1:")
        .map(str::to_owned)
        .ok_or_else(invalid)
}

pub fn encode_cursor(last_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("k1:{last_id}"))
}

/// One page of a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    /// The records of this page, in the list's order.
    pub items: Vec<T>,
    /// Pass this as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Cuts up to `limit + 1` fetched rows down to one page and returns the cursor of the next page, if the extra row
/// shows that one exists. `position` gives the opaque position of a row in the list's order.
pub fn take_page<R>(
    rows: &mut Vec<R>,
    limit: i64,
    position: impl Fn(&R) -> String,
) -> Option<String> {
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    if has_more {
        rows.last().map(|r| encode_cursor(&position(r)))
    } else {
        None
    }
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` fetched rows: the extra row only tells that another page exists.
    pub fn from_rows<R>(
        mut rows: Vec<R>,
        limit: i64,
        id_of: impl Fn(&R) -> &str,
        view: impl Fn(R) -> T,
    ) -> Self {
        let next_cursor = take_page(&mut rows, limit, |r| id_of(r).to_owned());
        Page {
            items: rows.into_iter().map(view).collect(),
            next_cursor,
        }
    }
}

impl<T> Page<T> {
    /// As [`Page::from_rows`], for views that can fail (a stored value the code no longer understands).
    pub fn try_from_rows<R, E>(
        mut rows: Vec<R>,
        limit: i64,
        id_of: impl Fn(&R) -> &str,
        view: impl Fn(R) -> Result<T, E>,
    ) -> Result<Self, E> {
        let next_cursor = take_page(&mut rows, limit, |r| id_of(r).to_owned());
        Ok(Page {
            items: rows.into_iter().map(view).collect::<Result<_, _>>()?,
            next_cursor,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        let c = encode_cursor("0193-abc");
        let p = PageParams {
            limit: None,
            cursor: Some(c),
        };
        assert_eq!(p.resolve().unwrap().after.as_deref(), Some("0193-abc"));
        let empty = PageParams {
            limit: None,
            cursor: Some(String::new()),
        };
        assert_eq!(
            empty.resolve().unwrap().after,
            None,
            "an empty cursor is the first page"
        );
        for bad in ["???", "aGVsbG8", "azE"] {
            let p = PageParams {
                limit: None,
                cursor: Some(bad.into()),
            };
            assert!(p.resolve().is_err(), "{bad}");
        }
    }

    #[test]
    fn limits_default_and_are_bounded() {
        assert_eq!(PageParams::default().resolve().unwrap().limit, 50);
        for bad in [0, -1, 201] {
            let p = PageParams {
                limit: Some(bad),
                cursor: None,
            };
            assert!(p.resolve().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_page_knows_whether_more_follow() {
        let page = Page::from_rows(vec!["a", "b", "c"], 2, |s| s, |s| s.to_uppercase());
        assert_eq!(page.items, vec!["A", "B"]);
        assert_eq!(page.next_cursor, Some(encode_cursor("b")));
        let page = Page::from_rows(vec!["a", "b"], 2, |s| s, |s| s.to_owned());
        assert_eq!(page.next_cursor, None);
    }
}
