//! Validation of the free-text inputs every endpoint shares: emails, names, passwords,
//! languages, links and colours.

use crate::FieldError;

/// The longest email address accepted (RFC 5321's path limit).
pub const MAX_EMAIL_LEN: usize = 254;
/// The longest display name accepted, in characters.
pub const MAX_NAME_LEN: usize = 200;
/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_LEN: usize = 12;
/// The longest password accepted, in bytes; bounds the work of hashing it.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// An email address, trimmed and lower-cased so that one person has one account.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parses and normalises an address. The check is deliberately the practical one: one `@`,
    /// a non-empty local part without spaces, and a domain of dot-separated labels.
    pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        let invalid =
            |why: &str| FieldError::new(field, format!("is not a valid email address ({why})"));
        if text.is_empty() {
            return Err(FieldError::new(field, "must not be empty"));
        }
        if text.len() > MAX_EMAIL_LEN {
            return Err(invalid("longer than 254 characters"));
        }
        let Some((local, domain)) = text.rsplit_once('@') else {
            return Err(invalid("no @"));
        };
        if local.is_empty() || local.len() > 64 {
            return Err(invalid("the part before @ must be 1 to 64 characters"));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) || local.contains('@') {
            return Err(invalid("spaces, control characters or a second @"));
        }
        let labels_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !labels_ok {
            return Err(invalid("the domain must be like example.com"));
        }
        Ok(Self(text.to_lowercase()))
    }

    /// Wraps an address that storage returned; storage only holds normalised addresses.
    pub fn from_trusted(text: String) -> Self {
        Self(text)
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A display name: trimmed, 1 to 200 characters, no control characters.
pub fn name(field: &str, text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if text.chars().count() > MAX_NAME_LEN {
        return Err(FieldError::new(
            field,
            format!("must be at most {MAX_NAME_LEN} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(text.to_owned())
}

/// A new password: long enough to resist guessing, short enough to hash cheaply.
pub fn new_password(field: &str, password: &str) -> Result<(), FieldError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(FieldError::new(
            field,
            format!("must be at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    if password.len() > MAX_PASSWORD_LEN {
        return Err(FieldError::new(
            field,
            format!("must be at most {MAX_PASSWORD_LEN} bytes"),
        ));
    }
    Ok(())
}

/// The language invitation emails are written in when nobody chose one.
pub const DEFAULT_LOCALE: &str = "en";

/// A language tag in BCP 47's shape (`en`, `de-AT`, `zh-Hant-TW`): letters and digits in
/// subtags of 1 to 8 joined by `-`, the first 2 or 3 letters. Normalised: `_` becomes `-`,
/// the language lower case. Which languages a renderer writes is the renderer's business.
pub fn locale(field: &str, text: &str) -> Result<String, FieldError> {
    let text = text.trim().replace('_', "-");
    let invalid = || {
        FieldError::new(
            field,
            "is not a language tag (for example `en`, `ko`, `de-AT`)",
        )
    };
    let mut subtags = text.split('-');
    let language = subtags.next().ok_or_else(invalid)?;
    if !(2..=3).contains(&language.len()) || !language.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(invalid());
    }
    let rest: Vec<&str> = subtags.collect();
    if text.len() > 35
        || rest
            .iter()
            .any(|s| s.is_empty() || s.len() > 8 || !s.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        return Err(invalid());
    }
    let mut tag = language.to_ascii_lowercase();
    for subtag in rest {
        tag.push('-');
        tag.push_str(subtag);
    }
    Ok(tag)
}

/// An `https` URL of at most 2,000 characters without spaces or quotes.
pub fn https_url(field: &str, text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    let ok = text.len() > "https://".len()
        && text.len() <= 2_000
        && text
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        && !text.contains(|c: char| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>')
        });
    if ok {
        Ok(text.to_owned())
    } else {
        Err(FieldError::new(
            field,
            "must be an https:// URL of at most 2,000 characters",
        ))
    }
}

/// A colour written `#rrggbb`, normalised to lower case.
pub fn hex_colour(field: &str, text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    let ok = text.len() == 7
        && text.starts_with('#')
        && text[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok {
        Ok(text.to_ascii_lowercase())
    } else {
        Err(FieldError::new(
            field,
            "must be a colour written #rrggbb, for example #1f6feb",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        let email = Email::parse("email", "  Ana.Silva@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ana.silva@example.com");
    }

    #[test]
    fn bad_emails_name_the_field() {
        for bad in [
            "",
            "no-at",
            "@example.com",
            "a@b",
            "a b@example.com",
            "a@-x.com",
            "a@x..com",
            "a\u{7}@x.com",
        ] {
            let error = Email::parse("email", bad).unwrap_err();
            assert_eq!(error.field, "email", "{bad:?}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("name", "  Acme  ").unwrap(), "Acme");
        assert!(name("name", "   ").is_err());
        assert!(name("name", &"x".repeat(201)).is_err());
        assert!(name("name", "tab\there").is_err());
        assert_eq!(name("name", "지사 서울").unwrap(), "지사 서울");
    }

    #[test]
    fn passwords_have_bounds() {
        assert!(new_password("password", "short").is_err());
        assert!(new_password("password", "correct horse battery").is_ok());
        assert!(new_password("password", &"x".repeat(2000)).is_err());
    }

    #[test]
    fn language_tags_links_and_colours() {
        assert_eq!(locale("locale", " de_AT ").unwrap(), "de-AT");
        assert_eq!(locale("locale", "KO").unwrap(), "ko");
        for bad in ["", "k", "korean", "ko-", "ko--KR", "ko-KR-!", "12"] {
            assert!(locale("locale", bad).is_err(), "{bad}");
        }
        assert!(https_url("u", "https://acme.example/logo.png").is_ok());
        for bad in [
            "http://acme.example",
            "https://",
            "https://a b",
            "javascript:x",
            "https://\"<",
        ] {
            assert!(https_url("u", bad).is_err(), "{bad}");
        }
        assert_eq!(hex_colour("c", "#0A7D4F").unwrap(), "#0a7d4f");
        for bad in ["0a7d4f", "#0a7d4", "#0a7d4g", "red"] {
            assert!(hex_colour("c", bad).is_err(), "{bad}");
        }
    }
}
