//! Storage integration tests on the real embedded engines (`mem://` and `surrealkv://`).

use chrono::{TimeZone, Utc};

use siteward_core::Timestamp;
use siteward_core::account::{Account, AccountStatus};
use siteward_core::audit::{Actor, AuditAction, AuditEvent, AuditFilter, AuditScope, AuditTarget};
use siteward_core::ids::{AccountId, AuditEventId, PartnerId};
use siteward_core::page::PageRequest;
use siteward_core::tenancy::{Partner, PartnerMembership, PartnerRole};
use siteward_core::validate::Email;
use siteward_storage::{Conflict, NewAccount, PersonResolution, StorageError, Store, StoreConfig};

mod chain;

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
            kind: "partner",
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
    store
        .create_partner(&partner, &person, &membership, &[created])
        .await
        .unwrap();
    (partner.id, person.account_id().clone())
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

async fn open_when_released(config: &StoreConfig) -> Store {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        match Store::open(config).await {
            Ok(store) => return store,
            Err(error) if std::time::Instant::now() > deadline => {
                panic!("could not reopen: {error}")
            }
            Err(_) => tokio::task::yield_now().await,
        }
    }
}

#[tokio::test]
async fn migrations_run_once() {
    let store = Store::open(&StoreConfig::memory()).await.unwrap();
    assert!(
        store.migrate().await.unwrap().is_empty(),
        "a second run applies nothing"
    );
}

#[tokio::test]
async fn data_survives_reopening_a_surrealkv_folder() {
    let dir = tempfile::tempdir().unwrap();
    let config = StoreConfig {
        url: format!("surrealkv://{}", dir.path().join("db").display()),
        ..StoreConfig::memory()
    };
    let mut ids = Ids(0);
    let (partner, _) = {
        let store = Store::open(&config).await.unwrap();
        partner_with_super_admin(&store, &mut ids, "owner@acme.example").await
    };
    // The first handle is dropped; the engine releases the folder's lock in the background,
    // so a new handle on the same folder is opened as soon as the lock is free.
    let store = open_when_released(&config).await;
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
        .remove_member(&partner, &owner, &removed)
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
