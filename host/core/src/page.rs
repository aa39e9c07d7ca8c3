//! Cursor pagination shared by every list: a page size and an opaque cursor that names the
//! last item seen. Ids sort by creation time, so "items after this id" is stable under inserts.

use data_encoding::BASE64URL_NOPAD;

use crate::FieldError;

/// The page size when the request names none.
pub const DEFAULT_LIMIT: u32 = 50;
/// The largest page size accepted.
pub const MAX_LIMIT: u32 = 200;

/// A validated page request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// How many items at most.
    pub limit: u32,
    /// Return items strictly after this key (an id's text).
    pub after: Option<String>,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            after: None,
        }
    }
}

impl PageRequest {
    /// Validates the `limit` and `cursor` query parameters.
    pub fn parse(limit: Option<u32>, cursor: Option<&str>) -> Result<Self, FieldError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(FieldError::new(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let after = cursor.map(decode_cursor).transpose()?;
        Ok(Self { limit, after })
    }

    /// The page of `limit` items after `cursor` (a `next_cursor`), whatever the size: for the
    /// host's own walks through a listing, such as an export, not for a client's request.
    pub fn following(limit: u32, cursor: &str) -> Result<Self, FieldError> {
        Ok(Self {
            limit,
            after: Some(decode_cursor(cursor)?),
        })
    }
}

/// One page of results and the cursor for the next, if there are more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, in id order.
    pub items: Vec<T>,
    /// The cursor to pass for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` items fetched in order: the extra item only
    /// tells that another page exists.
    pub fn from_overfetch(mut items: Vec<T>, limit: u32, key: impl Fn(&T) -> &str) -> Self {
        let limit = limit as usize;
        let next_cursor = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|last| encode_cursor(key(last)))
        } else {
            None
        };
        Self { items, next_cursor }
    }

    /// The same page with each item converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// The form of a cursor, for API documents: the id of the last item of the page before.
pub const CURSOR_PATTERN: &str = crate::ids::ID_PATTERN;

/// The cursor after the item with this key: the key itself (an id), so that a cursor has one
/// documented form. Clients should still treat it as opaque.
pub fn encode_cursor(key: &str) -> String {
    key.to_owned()
}

/// The key a cursor stands for. Earlier versions gave out the key in base64url; those
/// cursors still work.
fn decode_cursor(cursor: &str) -> Result<String, FieldError> {
    let invalid = || FieldError::new("cursor", "is not a cursor this API returned");
    if crate::ids::is_id_text(cursor) {
        return Ok(cursor.to_owned());
    }
    let bytes = BASE64URL_NOPAD
        .decode(cursor.as_bytes())
        .map_err(|_| invalid())?;
    let key = String::from_utf8(bytes).map_err(|_| invalid())?;
    if crate::ids::is_id_text(&key) {
        Ok(key)
    } else {
        Err(invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_bounded() {
        assert_eq!(PageRequest::parse(None, None).unwrap().limit, DEFAULT_LIMIT);
        assert_eq!(
            PageRequest::parse(Some(0), None).unwrap_err().field,
            "limit"
        );
        assert_eq!(
            PageRequest::parse(Some(201), None).unwrap_err().field,
            "limit"
        );
    }

    #[test]
    fn cursors_round_trip_and_forgeries_are_refused() {
        let key = "01HZZZZZZZZZZZZZZZZZZZZZZZ";
        let page = Page::from_overfetch(vec![key, "01J00000000000000000000000"], 1, |k| k);
        let cursor = page.next_cursor.unwrap();
        assert_eq!(
            PageRequest::parse(None, Some(&cursor))
                .unwrap()
                .after
                .as_deref(),
            Some(key)
        );
        assert_eq!(
            PageRequest::parse(None, Some("not a cursor"))
                .unwrap_err()
                .field,
            "cursor"
        );
        // Neither as text nor in the base64url form earlier versions gave out.
        for forged in [
            encode_cursor("'; DROP TABLE account; --"),
            BASE64URL_NOPAD.encode(b"'; DROP TABLE account; --"),
        ] {
            assert_eq!(
                PageRequest::parse(None, Some(&forged)).unwrap_err().field,
                "cursor"
            );
        }
        // A cursor an earlier version gave out still works.
        let earlier = BASE64URL_NOPAD.encode(key.as_bytes());
        assert_eq!(
            PageRequest::parse(None, Some(&earlier))
                .unwrap()
                .after
                .as_deref(),
            Some(key)
        );
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Every cursor the API hands out reads back as the key it was made from.
        #[test]
        fn a_cursor_reads_back_as_its_key(key in any::<u128>()) {
            let id = crate::ids::SiteId::from_key(key);
            let page = PageRequest::parse(Some(10), Some(&encode_cursor(id.as_str())));
            prop_assert_eq!(page.map(|p| p.after), Ok(Some(id.as_str().to_owned())));
        }

        /// Anything else is refused as a cursor, never taken as a key.
        #[test]
        fn only_an_id_is_a_cursor(text in any::<String>(), limit in any::<u32>()) {
            match PageRequest::parse(Some(limit), Some(&text)) {
                Ok(page) => {
                    prop_assert!((1..=MAX_LIMIT).contains(&page.limit));
                    let key = page.after.unwrap();
                    prop_assert!(crate::ids::is_id_text(&key));
                    // The cursor is the key, or the key in the earlier base64url form.
                    prop_assert!(
                        encode_cursor(&key) == text
                            || data_encoding::BASE64URL_NOPAD.encode(key.as_bytes()) == text
                    );
                }
                Err(error) => prop_assert!(error.field == "limit" || error.field == "cursor"),
            }
        }
    }
}
