//! Storage integration tests on the real embedded engines (`mem://` and `surrealkv://`).

use chrono::{TimeZone, Utc};

use siteward_core::Timestamp;
use siteward_core::account::{Account, AccountStatus};
use siteward_core::account::{LockoutPolicy, LoginThrottle};
use siteward_core::audit::{
    Actor, AuditAction, AuditEvent, AuditFilter, AuditScope, AuditTarget, TargetKind,
};
use siteward_core::ids::{AccountId, AuditEventId, PartnerId};
use siteward_core::page::PageRequest;
use siteward_core::tenancy::{Partner, PartnerMembership, PartnerRole};
use siteward_core::validate::Email;
use siteward_storage::{
    Conflict, MemberAccess, NewAccount, PersonResolution, StorageError, Store, StoreConfig,
};

mod chain;
mod idempotency;
mod outbox;

fn at(seconds: i64) -> Timestamp {
    Utc.timestamp_opt(1_800_000_000 + seconds, 0).unwrap()
}

/// Ids from a counter: deterministic, distinct, ordered.
struct Ids(u8);

impl Ids {
    fn next(&mut self) -> [u8; 10] {
        self.0 += 1;
        [self.0; 10]
    }
}

fn new_account(ids: &mut Ids, email: &str) -> NewAccount {
    NewAccount {
        account: Account {
            id: AccountId::generate(at(0), ids.next()),
            email: Email::parse("email", email).unwrap(),
            name: "Someone".to_owned(),
            status: AccountStatus::Active,
            is_operator: false,
            totp_enabled: false,
            locale: None,
            created_at: at(0),
        },
        password_hash: "$argon2id$not-checked-here".to_owned(),
    }
}

fn event(ids: &mut Ids, action: AuditAction, partner: Option<&PartnerId>) -> AuditEvent {
    AuditEvent {
        id: AuditEventId::generate(at(1), ids.next()),
        at: at(1),
        actor: Actor::System,
        partner_id: partner.cloned(),
        site_id: None,
        action,
        target: AuditTarget {
            kind: TargetKind::Partner,
            id: "x".to_owned(),
        },
        changes: vec![],
        request_id: None,
    }
}

/// Creates a partner whose Super Admin is a new account; returns both ids.
async fn partner_with_super_admin(
    store: &Store,
    ids: &mut Ids,
    email: &str,
) -> (PartnerId, AccountId) {
    let (partner, account, created) = try_partner_with_super_admin(store, ids, email).await;
    created.unwrap();
    (partner, account)
}

/// Creates a partner whose Super Admin is a new account with `email`; the partner's and the
/// account's ids, and whether storage took it.
async fn try_partner_with_super_admin(
    store: &Store,
    ids: &mut Ids,
    email: &str,
) -> (PartnerId, AccountId, Result<(), StorageError>) {
    let partner = Partner {
        id: PartnerId::generate(at(0), ids.next()),
        name: "Acme Installers".to_owned(),
        invitation_ttl_hours: 168,
        branding: Default::default(),
        locale: "en".to_owned(),
        created_at: at(0),
    };
    let person = PersonResolution::New(new_account(ids, email));
    let membership = PartnerMembership::new(
        partner.id.clone(),
        person.account_id().clone(),
        PartnerRole::SuperAdmin,
        at(0),
    );
    let created = event(ids, AuditAction::PartnerCreated, Some(&partner.id));
    let result = store
        .create_partner(&partner, &person, &membership, &[created])
        .await;
    (partner.id, person.account_id().clone(), result)
}

async fn audit_count(store: &Store) -> usize {
    store
        .audit_events(
            &AuditScope::Platform,
            &AuditFilter::default(),
            &PageRequest {
                limit: 200,
                after: None,
            },
        )
        .await
        .unwrap()
        .items
        .len()
}

#[tokio::test]
async fn migrations_run_once() {
    let store = Store::open(&StoreConfig::memory()).await.unwrap();
    assert!(
        store.migrate().await.unwrap().is_empty(),
        "a second run applies nothing"
    );
    assert!(store.pending_migrations().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_dry_run_lists_what_would_be_applied_and_changes_nothing() {
    let store = Store::connect(&StoreConfig::memory()).await.unwrap();
    let pending = store.pending_migrations().await.unwrap();
    assert_eq!(pending, siteward_storage::MIGRATIONS.to_vec());
    assert_eq!(
        store.pending_migrations().await.unwrap().len(),
        pending.len(),
        "asking applied nothing"
    );
    let applied = store.migrate().await.unwrap();
    assert_eq!(applied.len(), pending.len());
    assert!(store.pending_migrations().await.unwrap().is_empty());
}

#[tokio::test]
async fn data_survives_reopening_a_surrealkv_folder() {
    let dir = tempfile::tempdir().unwrap();
    let config = StoreConfig {
        url: format!("surrealkv://{}", dir.path().join("db").display()),
        ..StoreConfig::memory()
    };
    let mut ids = Ids(0);
    let store = Store::open(&config).await.unwrap();
    let (partner, _) = partner_with_super_admin(&store, &mut ids, "owner@acme.example").await;
    // The database stays open while any handle on it does; it is closed (its folder's lock
    // let go) once the last one is dropped, and opens again at once.
    let clone = store.clone();
    let closed = store.closed();
    drop(store);
    assert!(
        !clone
            .closed()
            .wait(std::time::Duration::from_millis(200))
            .await,
        "a clone still holds it open"
    );
    drop(clone);
    assert!(closed.wait(std::time::Duration::from_secs(20)).await);
    let store = Store::open(&config).await.unwrap();
    assert_eq!(
        store.partner(&partner).await.unwrap().name,
        "Acme Installers"
    );
    assert_eq!(audit_count(&store).await, 1);
}

#[tokio::test]
async fn a_taken_email_is_a_conflict_and_nothing_is_half_written() {
    let store = Store::open(&StoreConfig::memory()).await.unwrap();
    let mut ids = Ids(0);
    partner_with_super_admin(&store, &mut ids, "owner@acme.example").await;
    let partner = Partner {
        id: PartnerId::generate(at(0), ids.next()),
        name: "Second".to_owned(),
        invitation_ttl_hours: 168,
        branding: Default::default(),
        locale: "en".to_owned(),
        created_at: at(0),
    };
    let person = PersonResolution::New(new_account(&mut ids, "owner@acme.example"));
    let membership = PartnerMembership::new(
        partner.id.clone(),
        person.account_id().clone(),
        PartnerRole::SuperAdmin,
        at(0),
    );
    let created = event(&mut ids, AuditAction::PartnerCreated, Some(&partner.id));
    let error = store
        .create_partner(&partner, &person, &membership, &[created])
        .await
        .unwrap_err();
    assert!(
        matches!(error, StorageError::Conflict(Conflict::EmailTaken)),
        "{error:?}"
    );
    assert!(matches!(
        store.partner(&partner.id).await,
        Err(StorageError::NotFound)
    ));
    assert_eq!(
        audit_count(&store).await,
        1,
        "the failed transaction wrote no audit event"
    );
}

#[tokio::test]
async fn a_second_membership_is_a_conflict() {
    let store = Store::open(&StoreConfig::memory()).await.unwrap();
    let mut ids = Ids(0);
    let (partner, owner) = partner_with_super_admin(&store, &mut ids, "owner@acme.example").await;
    let membership = PartnerMembership::new(
        partner.clone(),
        owner.clone(),
        PartnerRole::Technician,
        at(2),
    );
    let added = event(&mut ids, AuditAction::MemberAdded, Some(&partner));
    let error = store
        .add_member(&membership, &PersonResolution::Existing(owner), &[added])
        .await
        .unwrap_err();
    assert!(
        matches!(error, StorageError::Conflict(Conflict::AlreadyMember)),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_last_super_admin_cannot_be_demoted_or_removed() {
    let store = Store::open(&StoreConfig::memory()).await.unwrap();
    let mut ids = Ids(0);
    let (partner, owner) = partner_with_super_admin(&store, &mut ids, "owner@acme.example").await;
    let mut demoted = store.member(&partner, &owner).await.unwrap().membership;
    demoted.role = PartnerRole::Admin;
    let updated = event(&mut ids, AuditAction::MemberUpdated, Some(&partner));
    let error = store.update_member(&demoted, &updated).await.unwrap_err();
    assert!(
        matches!(error, StorageError::Conflict(Conflict::LastSuperAdmin)),
        "{error:?}"
    );
    let removed = event(&mut ids, AuditAction::MemberRemoved, Some(&partner));
    let error = store
        .remove_member(
            &partner,
            &owner,
            &MemberAccess::default(),
            std::slice::from_ref(&removed),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, StorageError::Conflict(Conflict::LastSuperAdmin)),
        "{error:?}"
    );

    // With a second Super Admin the first may step down.
    let second = PersonResolution::New(new_account(&mut ids, "second@acme.example"));
    let membership = PartnerMembership::new(
        partner.clone(),
        second.account_id().clone(),
        PartnerRole::SuperAdmin,
        at(2),
    );
    let added = event(&mut ids, AuditAction::MemberAdded, Some(&partner));
    store
        .add_member(&membership, &second, &[added])
        .await
        .unwrap();
    let updated = event(&mut ids, AuditAction::MemberUpdated, Some(&partner));
    store.update_member(&demoted, &updated).await.unwrap();
    assert_eq!(
        store
            .member(&partner, &owner)
            .await
            .unwrap()
            .membership
            .role,
        PartnerRole::Admin
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_login_claims_never_overwrite_each_other() {
    let store = Store::open(&StoreConfig::memory()).await.unwrap();
    let policy = LockoutPolicy::default();
    let email = Email::parse("email", "someone@example.com").unwrap();
    let claims: Vec<_> = (0..40)
        .map(|_| {
            let (store, email) = (store.clone(), email.clone());
            tokio::spawn(async move {
                store
                    .claim_login_attempt(&email, |t: LoginThrottle| t.claim(at(1), policy))
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut granted = 0;
    for claim in claims {
        granted += usize::from(claim.await.unwrap().is_ok());
    }
    // Exactly the limit: none lost to an overwrite, none past the lockout.
    assert_eq!(granted, policy.max_failures as usize);

    // Another address is not affected, and the lockout ends on time.
    let other = Email::parse("email", "other@example.com").unwrap();
    let claim = |email: Email, now: Timestamp| {
        let store = store.clone();
        async move {
            store
                .claim_login_attempt(&email, |t: LoginThrottle| t.claim(now, policy))
                .await
                .unwrap()
        }
    };
    assert!(claim(other, at(1)).await.is_ok());
    assert!(claim(email.clone(), at(1)).await.is_err());
    assert!(claim(email, at(1) + policy.lockout).await.is_ok());
}

#[tokio::test]
async fn a_member_is_removed_only_with_everything_read_for_them() {
    let store = Store::open(&StoreConfig::memory()).await.unwrap();
    let mut ids = Ids(0);
    let (partner, owner) = partner_with_super_admin(&store, &mut ids, "owner@acme.example").await;
    let tech = PersonResolution::New(new_account(&mut ids, "tech@acme.example"));
    let membership = PartnerMembership::new(
        partner.clone(),
        tech.account_id().clone(),
        PartnerRole::Technician,
        at(2),
    );
    let added = event(&mut ids, AuditAction::MemberAdded, Some(&partner));
    store
        .add_member(&membership, &tech, &[added])
        .await
        .unwrap();
    let tech = tech.account_id().clone();
    assert_eq!(
        store.member_access(&partner, &tech).await.unwrap(),
        MemberAccess::default()
    );

    // Removing with a reading that claims more than is there is refused, nothing written.
    let wrong = MemberAccess {
        departments: vec![siteward_core::ids::DepartmentId::from_trusted(
            "dep".to_owned(),
        )],
        ..MemberAccess::default()
    };
    let removed = event(&mut ids, AuditAction::MemberRemoved, Some(&partner));
    let error = store
        .remove_member(&partner, &tech, &wrong, std::slice::from_ref(&removed))
        .await
        .unwrap_err();
    assert!(
        matches!(error, StorageError::Conflict(Conflict::Concurrent)),
        "{error:?}"
    );
    assert!(store.member(&partner, &tech).await.is_ok());

    store
        .remove_member(&partner, &tech, &MemberAccess::default(), &[removed])
        .await
        .unwrap();
    assert!(matches!(
        store.member(&partner, &tech).await,
        Err(StorageError::NotFound)
    ));
    assert!(store.member(&partner, &owner).await.is_ok());
}

#[tokio::test]
async fn an_address_that_looks_like_an_existing_one_is_taken() {
    let store = Store::open(&StoreConfig::memory()).await.unwrap();
    let mut ids = Ids(0);
    partner_with_super_admin(&store, &mut ids, "ace@acme.example").await;
    // All Cyrillic, so a valid address of its own, and the same skeleton as `ace@`.
    for look_alike in ["\u{430}\u{441}\u{435}@acme.example", "ACE@acme.example"] {
        let (_, _, created) = try_partner_with_super_admin(&store, &mut ids, look_alike).await;
        let error = created.unwrap_err();
        assert!(
            matches!(error, StorageError::Conflict(Conflict::EmailTaken)),
            "{look_alike}: {error:?}"
        );
    }
}

#[tokio::test]
async fn pages_follow_cursors_to_the_end() {
    let store = Store::open(&StoreConfig::memory()).await.unwrap();
    let mut ids = Ids(0);
    for n in 0..5 {
        partner_with_super_admin(&store, &mut ids, &format!("owner{n}@acme.example")).await;
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .partners(
                &PageRequest::parse(Some(2), cursor.as_deref()).unwrap(),
                None,
            )
            .await
            .unwrap();
        seen.extend(page.items.into_iter().map(|p| p.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "in id order, no repeats");
    assert_eq!(seen.len(), 5);
}

#[tokio::test]
async fn accounts_made_before_the_login_throttle_and_skeletons_survive_the_upgrade() {
    // A database as the version before migration 0013 left it: accounts with the old
    // failure counters, two of them with addresses a person could mistake for each other.
    let store = store_before("0013_login_throttle").await;
    for (key, email) in [
        ("01AAAAAAAAAAAAAAAAAAAAAAAA", "ace@acme.example"),
        (
            "01BBBBBBBBBBBBBBBBBBBBBBBB",
            "\u{430}\u{441}\u{435}@acme.example",
        ),
        ("01CCCCCCCCCCCCCCCCCCCCCCCC", "corn@acme.example"),
    ] {
        store
            .surreal()
            .query(
                "CREATE type::record('account', $key) SET email = $email, name = 'Someone', \
                 password_hash = 'x', status = 'active', is_operator = false, failed_logins = 3, \
                 locked_until = time::now(), created_at = time::now()",
            )
            .bind(("key", key.to_owned()))
            .bind(("email", email.to_owned()))
            .await
            .and_then(|r| r.check())
            .unwrap();
    }

    let applied = store.migrate().await.unwrap();
    assert!(applied.contains(&"0013_login_throttle"), "{applied:?}");
    assert!(
        applied.contains(&"0014_account_email_skeleton"),
        "{applied:?}"
    );
    // Both accounts read as before, without the old counters.
    for email in ["ace@acme.example", "\u{430}\u{441}\u{435}@acme.example"] {
        let email = Email::parse("email", email).unwrap();
        let (account, _) = store.account_by_email(&email).await.unwrap().unwrap();
        assert_eq!(account.email, email);
    }
    // Their skeletons were computed: `com@` looks like `corn@` (`rn` and `m`), so it is taken.
    let mut ids = Ids(9);
    let (_, _, created) = try_partner_with_super_admin(&store, &mut ids, "com@acme.example").await;
    assert!(
        matches!(created, Err(StorageError::Conflict(Conflict::EmailTaken))),
        "{created:?}"
    );
}

#[tokio::test]
async fn audit_events_page_newest_first_as_well_as_oldest_first() {
    let store = Store::open(&StoreConfig::memory()).await.unwrap();
    let mut ids = Ids(0);
    let mut accounts = Vec::new();
    for n in 0..5 {
        let (_, account) =
            partner_with_super_admin(&store, &mut ids, &format!("owner{n}@example.com")).await;
        accounts.push(account);
    }
    let read = async |newest_first: bool| {
        let filter = AuditFilter {
            newest_first,
            ..AuditFilter::default()
        };
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .audit_events(
                    &AuditScope::Platform,
                    &filter,
                    &PageRequest { limit: 2, after },
                )
                .await
                .unwrap();
            assert!(page.items.len() <= 2);
            seen.extend(page.items.into_iter().map(|e| e.id));
            match page.next_cursor {
                Some(cursor) => after = Some(cursor),
                None => return seen,
            }
        }
    };
    let oldest_first = read(false).await;
    let mut newest_first = read(true).await;
    assert_eq!(oldest_first.len(), 5);
    assert!(oldest_first.is_sorted());
    newest_first.reverse();
    assert_eq!(
        newest_first, oldest_first,
        "the same events, the other way round"
    );

    // Accounts by id: those that exist, in any order.
    let missing = AccountId::generate(at(0), [0xee; 10]);
    let mut found: Vec<AccountId> = store
        .accounts(&[accounts[3].clone(), missing, accounts[1].clone()])
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    found.sort();
    assert_eq!(found, vec![accounts[1].clone(), accounts[3].clone()]);
}

#[tokio::test]
async fn existing_access_gets_its_last_activity_from_the_audit_log_on_upgrade() {
    // A database as the version before migration 0024 left it: one technician's access, the
    // technician's two events at the site, and an admin's later one.
    let store = store_before("0024_last_activity").await;
    store
        .surreal()
        .query(
            "CREATE site_assignment:a SET site_id = 'site1', account_id = 'tech1', \
             partner_id = 'p1', level = 'devices_only', locked = true, set_by = 'owner1', \
             created_at = d'2026-01-01T00:00:00Z', updated_at = d'2026-01-01T00:00:00Z';
             CREATE site_assignment:b SET site_id = 'site1', account_id = 'tech2', \
             partner_id = 'p1', level = 'devices_only', locked = true, set_by = 'owner1', \
             created_at = d'2026-01-01T00:00:00Z', updated_at = d'2026-01-01T00:00:00Z';
             FOR $event IN [
                 ['tech1', d'2026-01-02T00:00:00Z'],
                 ['tech1', d'2026-01-05T00:00:00Z'],
                 ['admin1', d'2026-01-09T00:00:00Z'],
             ] {
                 CREATE audit_event SET at = $event[1], actor_kind = 'account', \
                 actor_id = $event[0], partner_id = 'p1', site_id = 'site1', \
                 action = 'invitation.accepted', target_kind = 'invitation', target_id = 'i1', \
                 changes = [];
             };",
        )
        .await
        .and_then(|r| r.check())
        .unwrap();

    let applied = store.migrate().await.unwrap();
    assert!(applied.contains(&"0024_last_activity"), "{applied:?}");
    let mut read = store
        .surreal()
        .query(
            "SELECT VALUE [account_id, last_activity_at] FROM site_assignment ORDER BY account_id",
        )
        .await
        .unwrap();
    let rows: Vec<(String, Option<chrono::DateTime<chrono::Utc>>)> = read.take(0).unwrap();
    assert_eq!(
        rows,
        [
            (
                "tech1".to_owned(),
                Some("2026-01-05T00:00:00Z".parse().unwrap())
            ),
            ("tech2".to_owned(), None),
        ]
    );
}

#[tokio::test]
async fn existing_access_remembers_a_first_unlock_on_upgrade() {
    // Before migration 0027: access unlocked now; access locked again after a site admin had
    // unlocked it; access never unlocked.
    let store = store_before("0027_first_unlock").await;
    store
        .surreal()
        .query(
            "FOR $a IN [['a', 'tech1', false], ['b', 'tech2', true], ['c', 'tech3', true]] {
                 CREATE type::record('site_assignment', $a[0]) SET site_id = 'site1',
                 account_id = $a[1], partner_id = 'p1', level = 'devices_only', locked = $a[2],
                 set_by = 'admin1', created_at = d'2026-01-01T00:00:00Z',
                 updated_at = d'2026-01-03T00:00:00Z';
             };
             CREATE audit_event SET at = d'2026-01-02T00:00:00Z', actor_kind = 'account',
                 actor_id = 'admin1', partner_id = 'p1', site_id = 'site1',
                 action = 'assignment.unlocked', target_kind = 'site_assignment',
                 target_id = 'tech2', changes = [];",
        )
        .await
        .and_then(|r| r.check())
        .unwrap();

    let applied = store.migrate().await.unwrap();
    assert!(applied.contains(&"0027_first_unlock"), "{applied:?}");
    let mut read = store
        .surreal()
        .query(
            "SELECT VALUE [account_id, first_unlocked_at] FROM site_assignment ORDER BY account_id",
        )
        .await
        .unwrap();
    let rows: Vec<(String, Option<chrono::DateTime<chrono::Utc>>)> = read.take(0).unwrap();
    let day = |d: &str| Some(d.parse().unwrap());
    assert_eq!(
        rows,
        [
            ("tech1".to_owned(), day("2026-01-03T00:00:00Z")),
            ("tech2".to_owned(), day("2026-01-02T00:00:00Z")),
            ("tech3".to_owned(), None),
        ]
    );
}

/// A database as the version before `migration` left it.
async fn store_before(migration: &str) -> Store {
    let store = Store::connect(&StoreConfig::memory()).await.unwrap();
    for (name, sql) in siteward_storage::MIGRATIONS
        .iter()
        .take_while(|(name, _)| *name != migration)
    {
        store
            .surreal()
            .query(*sql)
            .query("CREATE type::record('migration', $name) SET applied_at = time::now()")
            .bind(("name", name.to_string()))
            .await
            .and_then(|r| r.check())
            .unwrap();
    }
    store
}
