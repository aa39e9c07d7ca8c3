//! Reading a partner's directory over LDAP (OpenLDAP, Active Directory) with the `ldap3`
//! crate: the LDAP side of [`siteward_app::identity::ProviderTransport`]. Partners' admins
//! name the server, so the host resolves its name itself and dials only an address
//! `[identity] allow_networks` accepts (as for identity providers), then hands the connected
//! socket to `ldap3`, which does StartTLS or `ldaps://` with rustls and the system's roots.
//! People and groups are read with the paged results control (RFC 2696), so a server's size
//! limit does not cut a large directory short.

use std::net::SocketAddr;
use std::time::Duration;

use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::{LdapConnAsync, LdapConnSettings, LdapError, Scope, SearchEntry, StdStream};

use siteward_core::directory::{DirectorySettings, Entry, Group, Listing};
use siteward_core::webhook::AddressPolicy;

use crate::webhooks::refused;

/// Entries asked for per page.
const PAGE_SIZE: i32 = 500;

/// The most people (or groups) one read takes: a directory larger than this is refused
/// rather than held in memory.
const MAX_ENTRIES: usize = 200_000;

/// Which entries are groups, in OpenLDAP's and Active Directory's schemas.
const GROUP_FILTER: &str =
    "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=group))";

/// What an LDAP error means to the person who set the directory up.
fn explain(error: &LdapError) -> String {
    match error {
        LdapError::LdapResult { result } => match result.rc {
            49 => "the directory refused the bind DN or password (invalid credentials)".to_owned(),
            32 => "the base DN does not exist in the directory (no such object)".to_owned(),
            50 => "the bind account may not read there (insufficient access rights)".to_owned(),
            87 => "the directory refused the filter (filter error)".to_owned(),
            4 => "the directory stopped at its size limit and does not page results".to_owned(),
            rc => format!("the directory answered LDAP result {rc}: {}", result.text),
        },
        LdapError::Timeout { .. } => "the directory did not answer in time".to_owned(),
        other => other.to_string(),
    }
}

/// Connects to the directory's address that the policy accepts.
async fn dial(
    policy: &AddressPolicy,
    settings: &DirectorySettings,
    timeout: Duration,
) -> Result<std::net::TcpStream, String> {
    let url = reqwest::Url::parse(&settings.url).map_err(|e| format!("{}: {e}", settings.url))?;
    let host = url
        .host_str()
        .ok_or_else(|| format!("{} names no host", settings.url))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = url
        .port()
        .unwrap_or(if url.scheme() == "ldaps" { 636 } else { 389 });
    let found: Vec<SocketAddr> =
        tokio::time::timeout(timeout, tokio::net::lookup_host((host.as_str(), port)))
            .await
            .map_err(|_| format!("looking up {host} took too long"))?
            .map_err(|e| format!("{host} could not be looked up: {e}"))?
            .collect();
    let mut last = format!("{host} has no address");
    for address in found {
        if let Err(why) = policy.check(address.ip()) {
            last = refused("identity", &host, address.ip(), why);
            continue;
        }
        match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(address)).await {
            Ok(Ok(stream)) => return stream.into_std().map_err(|e| e.to_string()),
            Ok(Err(error)) => last = format!("{address}: {error}"),
            Err(_) => last = format!("{address} did not answer in time"),
        }
    }
    Err(last)
}

/// Reads the people and groups the settings describe.
pub(crate) async fn read(
    policy: &AddressPolicy,
    settings: &DirectorySettings,
    timeout: Duration,
) -> Result<Listing, String> {
    let stream = dial(policy, settings, timeout).await?;
    let connection = LdapConnSettings::new()
        .set_conn_timeout(timeout)
        .set_starttls(settings.starttls)
        .set_std_stream(StdStream::Tcp(stream));
    let (conn, mut ldap) = LdapConnAsync::with_settings(connection, &settings.url)
        .await
        .map_err(|e| explain(&e))?;
    ldap3::drive!(conn);
    ldap.with_timeout(timeout)
        .simple_bind(
            &settings.bind_dn,
            settings.bind_password.as_deref().unwrap_or_default(),
        )
        .await
        .and_then(ldap3::LdapResult::success)
        .map_err(|e| explain(&e))?;
    let attributes = vec![
        settings.email_attribute.as_str(),
        settings.name_attribute.as_str(),
    ];
    let first = |entry: &SearchEntry, attribute: &str| {
        entry
            .attrs
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(attribute))
            .and_then(|(_, values)| values.first().cloned())
    };
    let people = search(&mut ldap, settings, &settings.filter, attributes, timeout)
        .await?
        .into_iter()
        .map(|entry| Entry {
            email: first(&entry, &settings.email_attribute),
            name: first(&entry, &settings.name_attribute),
            dn: entry.dn,
        })
        .collect();
    let entries = search(
        &mut ldap,
        settings,
        GROUP_FILTER,
        vec!["member", "uniqueMember"],
        timeout,
    )
    .await?;
    let mut groups = Vec::with_capacity(entries.len());
    for entry in entries {
        let mut members = Vec::new();
        let mut next = None;
        for (name, values) in entry.attrs {
            if name.eq_ignore_ascii_case("member") || name.eq_ignore_ascii_case("uniqueMember") {
                members.extend(values);
            } else if let Some(range) = member_range(&name) {
                members.extend(values);
                next = range;
            }
        }
        // Active Directory gives a large group's members a range at a time
        // (`member;range=0-1499`): the rest are asked for until the last range (`…-*`).
        while let Some(start) = next.take() {
            let attribute = format!("member;range={start}-*");
            let (found, _) = ldap
                .with_timeout(timeout)
                .search(
                    &entry.dn,
                    Scope::Base,
                    "(objectClass=*)",
                    vec![attribute.as_str()],
                )
                .await
                .and_then(ldap3::SearchResult::success)
                .map_err(|e| explain(&e))?;
            for (name, values) in found
                .into_iter()
                .flat_map(|e| SearchEntry::construct(e).attrs)
            {
                if let Some(range) = member_range(&name) {
                    members.extend(values);
                    next = range;
                }
            }
        }
        groups.push(Group {
            members,
            dn: entry.dn,
        });
    }
    // The read is done; a failed unbind changes nothing of it.
    let _ = ldap.unbind().await;
    Ok(Listing { people, groups })
}

/// Whether `attribute` is a range of a group's members as Active Directory gives them
/// (`member;range=<first>-<last>`), and where the next range starts: `Some(None)` for the
/// last range (`<first>-*`).
fn member_range(attribute: &str) -> Option<Option<u64>> {
    let (name, range) = attribute.split_once(';')?;
    let range = range
        .strip_prefix("range=")
        .or_else(|| range.strip_prefix("Range="))?;
    if !name.eq_ignore_ascii_case("member") {
        return None;
    }
    let (_, last) = range.split_once('-')?;
    if last == "*" {
        return Some(None);
    }
    last.parse::<u64>().ok().map(|last| Some(last + 1))
}

/// Every entry under the base that `filter` finds, page by page.
async fn search(
    ldap: &mut ldap3::Ldap,
    settings: &DirectorySettings,
    filter: &str,
    attributes: Vec<&str>,
    timeout: Duration,
) -> Result<Vec<SearchEntry>, String> {
    let adapters: Vec<Box<dyn Adapter<_, _>>> = vec![
        Box::new(EntriesOnly::new()),
        Box::new(PagedResults::new(PAGE_SIZE)),
    ];
    let mut stream = ldap
        .with_timeout(timeout)
        .streaming_search_with(
            adapters,
            &settings.base_dn,
            Scope::Subtree,
            filter,
            attributes,
        )
        .await
        .map_err(|e| explain(&e))?;
    let mut entries = Vec::new();
    while let Some(entry) = stream.next().await.map_err(|e| explain(&e))? {
        if entries.len() == MAX_ENTRIES {
            return Err(format!(
                "the directory lists more than {MAX_ENTRIES} entries under the base; narrow the base DN or the filter"
            ));
        }
        entries.push(SearchEntry::construct(entry));
    }
    stream.finish().await.success().map_err(|e| explain(&e))?;
    Ok(entries)
}

/// Syncs the partners' directories whose automatic sync is due, each round `interval` apart,
/// until `stop`. Several hosts may run it: each due directory is taken by one.
pub async fn run_directory_sync(
    state: crate::state::AppState,
    interval: Duration,
    stop: tokio_util::sync::CancellationToken,
) {
    loop {
        match state.sync_due_directories().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(directories = n, "synced partners' directories"),
            Err(error) => tracing::error!(%error, "the directory sync round failed"),
        }
        if crate::stopped(&stop, interval).await {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::member_range;

    #[test]
    fn active_directorys_member_ranges_say_where_the_next_one_starts() {
        assert_eq!(member_range("member;range=0-1499"), Some(Some(1500)));
        assert_eq!(member_range("member;range=1500-*"), Some(None));
        assert_eq!(member_range("Member;Range=3000-4499"), Some(Some(4500)));
        assert_eq!(member_range("member"), None);
        assert_eq!(member_range("uniqueMember;range=0-1"), None);
        assert_eq!(member_range("member;binary"), None);
    }
}
