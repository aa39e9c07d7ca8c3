//! Paging as a caller asks for it, checked after the caller is authorized.

use siteward_core::FieldError;
use siteward_core::page::PageRequest;

/// `limit` (1 to 200, default 50) and `cursor` (the `next_cursor` of the page before), as given.
#[derive(Debug, Clone, Copy, Default)]
pub struct Paging<'a> {
    /// Items per page.
    pub limit: Option<u32>,
    /// Where the page starts.
    pub cursor: Option<&'a str>,
}

impl Paging<'_> {
    /// The page asked for, or the field that is wrong.
    pub fn parse(self) -> Result<PageRequest, FieldError> {
        PageRequest::parse(self.limit, self.cursor)
    }
}
