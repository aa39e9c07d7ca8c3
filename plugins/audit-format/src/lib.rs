//! What the first-party audit exporters share: reading the host's times, their settings, and
//! one-line summaries of field changes. Each exporter is a component of its own; this is a
//! plain library they link.

use siteward_guest_sdk::exporter::{AuditEvent, PluginError};

/// A setting's value, if the operator gave a non-empty one.
pub fn setting<'a>(config: &'a [(String, String)], name: &str) -> Option<&'a str> {
    config
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// Whether a boolean setting is on (`true`, `yes`, `1`), with its default when absent.
pub fn flag(config: &[(String, String)], name: &str, default: bool) -> bool {
    setting(config, name).map_or(default, |v| {
        matches!(v.to_ascii_lowercase().as_str(), "true" | "yes" | "1")
    })
}

/// A plugin error.
pub fn error(code: &str, message: impl Into<String>) -> PluginError {
    PluginError {
        code: code.to_owned(),
        message: message.into(),
    }
}

/// Milliseconds since 1970 of the RFC 3339 UTC time the host sends
/// (`2026-11-29T10:00:00.123456789Z`).
pub fn epoch_millis(at: &str) -> Option<i64> {
    let b = at.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| at.get(r)?.parse::<i64>().ok();
    let (year, month, day) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (hour, minute, second) = (n(11..13)?, n(14..16)?, n(17..19)?);
    let rest = at.get(19..)?;
    let (fraction, zone) = match rest.strip_prefix('.') {
        Some(f) => {
            let digits = f.find(|c: char| !c.is_ascii_digit()).unwrap_or(f.len());
            (&f[..digits], &f[digits..])
        }
        None => ("", rest),
    };
    if zone != "Z" || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let millis = format!("{fraction:0<3}")[..3].parse::<i64>().ok()?;
    let days = days_from_civil(year, month, day);
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The changes of an event on one line: `level: devices_only -> full_excluding_users; locked: true`.
pub fn changes_summary(event: &AuditEvent) -> String {
    event
        .changes
        .iter()
        .map(|c| match (&c.before, &c.after) {
            (Some(before), Some(after)) => format!("{}: {before} -> {after}", c.field),
            (None, Some(after)) => format!("{}: {after}", c.field),
            (Some(before), None) => format!("{}: {before} -> (none)", c.field),
            (None, None) => c.field.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A JSON object written field by field (the exporters' output is flat enough that a writer
/// beats pulling a serializer into every component).
#[derive(Debug, Default)]
pub struct JsonObject {
    text: String,
}

impl JsonObject {
    /// An empty object.
    pub fn new() -> Self {
        Self::default()
    }

    fn key(&mut self, key: &str) {
        self.text.push(if self.text.is_empty() { '{' } else { ',' });
        json_string(&mut self.text, key);
        self.text.push(':');
    }

    /// A string field.
    pub fn str(mut self, key: &str, value: &str) -> Self {
        self.key(key);
        json_string(&mut self.text, value);
        self
    }

    /// A string field, or `null`.
    pub fn opt(mut self, key: &str, value: Option<&str>) -> Self {
        self.key(key);
        match value {
            Some(value) => json_string(&mut self.text, value),
            None => self.text.push_str("null"),
        }
        self
    }

    /// A string field only when there is a value.
    pub fn some(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.str(key, value),
            None => self,
        }
    }

    /// A number field.
    pub fn num(mut self, key: &str, value: i64) -> Self {
        self.key(key);
        self.text.push_str(&value.to_string());
        self
    }

    /// A field whose value is already JSON (an object or an array).
    pub fn raw(mut self, key: &str, json: &str) -> Self {
        self.key(key);
        self.text.push_str(json);
        self
    }

    /// The object's text.
    pub fn finish(mut self) -> String {
        if self.text.is_empty() {
            self.text.push('{');
        }
        self.text.push('}');
        self.text
    }
}

/// A JSON array of already-written values.
pub fn json_array(values: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", values.into_iter().collect::<Vec<_>>().join(","))
}

/// Writes `value` as a JSON string.
pub fn json_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The field changes of an event as a JSON array of `{field, before, after}`.
pub fn changes_json(event: &AuditEvent) -> String {
    json_array(event.changes.iter().map(|c| {
        JsonObject::new()
            .str("field", &c.field)
            .opt("before", c.before.as_deref())
            .opt("after", c.after.as_deref())
            .finish()
    }))
}
