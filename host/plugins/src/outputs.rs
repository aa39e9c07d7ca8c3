//! What the host accepts from a plugin beyond its size: texts that end up in email headers and
//! HTTP headers must be headers, and a policy's reason stays a sentence.

/// The longest subject a renderer or hook may write: one header line as RFC 5322 allows it
/// (998 characters), less room for the field name.
pub const MAX_SUBJECT_CHARS: usize = 900;

/// The longest reason a policy's decision carries; longer ones are cut (with `…`).
pub const MAX_REASON_CHARS: usize = 500;

/// An email subject: one line, no control characters, at most [`MAX_SUBJECT_CHARS`].
pub fn check_subject(subject: &str) -> Result<(), String> {
    if let Some(bad) = subject.chars().find(|c| c.is_control()) {
        return Err(format!(
            "the subject contains the control character U+{:04X}",
            u32::from(bad)
        ));
    }
    let length = subject.chars().count();
    if length > MAX_SUBJECT_CHARS {
        return Err(format!(
            "the subject is {length} characters; at most {MAX_SUBJECT_CHARS}"
        ));
    }
    Ok(())
}

/// A media type for `Content-Type` (RFC 9110): `type/subtype` and `; name=value` parameters,
/// tokens or quoted strings, nothing else.
pub fn check_media_type(text: &str) -> Result<(), String> {
    let refused = || format!("{text:?} is not a media type like `text/csv; charset=utf-8`");
    let mut parts = text.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    let (kind, subtype) = essence.split_once('/').ok_or_else(refused)?;
    if !is_token(kind) || !is_token(subtype) {
        return Err(refused());
    }
    for parameter in parts {
        let (name, value) = parameter.trim().split_once('=').ok_or_else(refused)?;
        let quoted = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .is_some_and(|inner| {
                inner
                    .chars()
                    .all(|c| c == '\t' || ((' '..='~').contains(&c) && c != '"' && c != '\\'))
            });
        if !is_token(name) || !(is_token(value) || quoted) {
            return Err(refused());
        }
    }
    Ok(())
}

/// An RFC 9110 token: visible ASCII except separators.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// A policy's reason as people read it: control characters become spaces, and a reason longer
/// than [`MAX_REASON_CHARS`] is cut.
pub fn tidy_reason(reason: String) -> String {
    let clean = |c: char| if c.is_control() { ' ' } else { c };
    if reason.chars().count() <= MAX_REASON_CHARS && !reason.chars().any(char::is_control) {
        return reason;
    }
    let mut tidy: String = reason
        .chars()
        .take(MAX_REASON_CHARS - 1)
        .map(clean)
        .collect();
    if reason.chars().count() > MAX_REASON_CHARS {
        tidy.push('…');
    } else if let Some(last) = reason.chars().nth(MAX_REASON_CHARS - 1) {
        tidy.push(clean(last));
    }
    tidy
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_is_one_line_of_a_sensible_length() {
        assert!(check_subject("Owner invites you to join acme Installers").is_ok());
        assert!(check_subject("Two\r\nBcc: everyone@example.com").is_err());
        assert!(check_subject("tab\there").is_err());
        assert!(check_subject(&"x".repeat(MAX_SUBJECT_CHARS)).is_ok());
        let long = check_subject(&"é".repeat(MAX_SUBJECT_CHARS + 1)).unwrap_err();
        assert!(long.contains("901 characters"), "{long}");
    }

    #[test]
    fn only_media_types_pass_as_content_types() {
        for good in [
            "text/csv",
            "text/csv; charset=utf-8",
            "application/x-ndjson",
            "application/json;charset=\"utf-8\"",
            "application/vnd.siteward+json; version=1",
        ] {
            assert!(check_media_type(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "text",
            "text/plain\r\nSet-Cookie: a=b",
            "text/ plain",
            "text/plain; charset",
            "text/plain; charset=\"a\nb\"",
            "tëxt/plain",
        ] {
            assert!(check_media_type(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_reason_is_kept_readable_and_short() {
        assert_eq!(tidy_reason("Not our domain".to_owned()), "Not our domain");
        assert_eq!(tidy_reason("two\nlines".to_owned()), "two lines");
        let cut = tidy_reason("y".repeat(65_000));
        assert_eq!(cut.chars().count(), MAX_REASON_CHARS);
        assert!(cut.ends_with('…'));
        let exact = "z".repeat(MAX_REASON_CHARS);
        assert_eq!(tidy_reason(exact.clone()), exact);
    }
}
