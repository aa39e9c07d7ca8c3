//! What storage promises for retried writes and open invitations: the answer under an
//! idempotency key is written in the same transaction as the change, a second write under the
//! key writes nothing, and an address with an open invitation refuses the whole batch.

use siteward_core::audit::{AuditAction, AuditScope};
use siteward_core::ids::{InvitationId, OutboxMessageId, PartnerId};
use siteward_core::invitation::{Invitation, InvitationStatus, InvitationTarget};
use siteward_core::page::PageRequest;
use siteward_core::tenancy::PartnerRole;
use siteward_core::validate::Email;
use siteward_storage::{
    Conflict, IdempotencyRecord, InvitationScope, NewInvitation, OutboxMessage, StorageError,
    Store, StoreConfig,
};

use super::{Ids, at, audit_count, event, partner_with_super_admin};

/// A Pending invitation of `email` to `partner`, with its email.
fn invitation(
    ids: &mut Ids,
    partner: &PartnerId,
    inviter: &super::AccountId,
    email: &str,
) -> NewInvitation {
    invitation_sent_at(ids, partner, inviter, email, 2)
}

/// [`invitation`], its email due `seconds` into the test's time.
pub(super) fn invitation_sent_at(
    ids: &mut Ids,
    partner: &PartnerId,
    inviter: &super::AccountId,
    email: &str,
    seconds: i64,
) -> NewInvitation {
    let id = InvitationId::generate(at(2), ids.next());
    let invitation = Invitation {
        token_hash: format!("hash-of-{id}"),
        id,
        partner_id: partner.clone(),
        target: InvitationTarget::Partner {
            role: PartnerRole::Technician,
        },
        email: Email::parse("email", email).unwrap(),
        invited_by: inviter.clone(),
        status: InvitationStatus::Pending,
        expires_at: at(3_600),
        created_at: at(2),
        sent_at: at(2),
        resend_count: 0,
        locale: "en".to_owned(),
        privileges: None,
        departments: Vec::new(),
        accepted: None,
        approval_reason: None,
        denial_reason: None,
    };
    let message = OutboxMessage::pending(
        OutboxMessageId::generate(at(2), ids.next()),
        "siteward.test",
        Some(partner.clone()),
        Some(invitation.id.clone()),
        email.to_owned(),
        "You are invited".to_owned(),
        None,
        Some("Join us".to_owned()),
        at(seconds),
    );
    NewInvitation {
        invitation,
        message: Some(message),
        grants: Vec::new(),
    }
}

fn answer(key: &str, body: &str) -> IdempotencyRecord {
    IdempotencyRecord {
        key: key.to_owned(),
        fingerprint: "fingerprint".to_owned(),
        status: 201,
        body: body.to_owned(),
        created_at: at(2),
    }
}

async fn invitations_of(store: &Store, partner: &PartnerId) -> Vec<Invitation> {
    let page = PageRequest {
        limit: 200,
        after: None,
    };
    store
        .invitations(InvitationScope::Partner(partner), None, at(2), &page)
        .await
        .unwrap()
        .items
}

async fn outbox_size(store: &Store, partner: &PartnerId) -> usize {
    let page = PageRequest {
        limit: 200,
        after: None,
    };
    store
        .outbox_messages(partner, None, &page)
        .await
        .unwrap()
        .items
        .len()
}

#[tokio::test]
async fn an_answer_is_stored_with_its_change_and_its_key_writes_once() {
    let store = Store::open(&StoreConfig::memory()).await.unwrap();
    let ids = &mut Ids(0);
    let (partner, owner) = partner_with_super_admin(&store, ids, "owner@acme.example").await;
    let before = audit_count(&store).await;

    let first = invitation(ids, &partner, &owner, "one@acme.example");
    let created = event(ids, AuditAction::InvitationCreated, Some(&partner));
    let key = answer("owner/retry-1", r#"{"first":true}"#);
    store
        .create_invitations(&[first], &[], &[created], Some(&key))
        .await
        .unwrap();
    assert_eq!(
        store.idempotent_response("owner/retry-1").await.unwrap(),
        Some(key.clone()),
        "the answer is there once the change is"
    );

    // The same key again, with another change: refused as a whole.
    let second = invitation(ids, &partner, &owner, "two@acme.example");
    let created = event(ids, AuditAction::InvitationCreated, Some(&partner));
    let again = answer("owner/retry-1", r#"{"first":false}"#);
    let refused = store
        .create_invitations(&[second], &[], &[created], Some(&again))
        .await;
    assert!(
        matches!(
            refused,
            Err(StorageError::Conflict(Conflict::IdempotencyKeyInUse))
        ),
        "{refused:?}"
    );
    let invited: Vec<String> = invitations_of(&store, &partner)
        .await
        .iter()
        .map(|i| i.email.to_string())
        .collect();
    assert_eq!(
        invited,
        ["one@acme.example"],
        "nothing of the refused write"
    );
    assert_eq!(outbox_size(&store, &partner).await, 1);
    assert_eq!(audit_count(&store).await, before + 1);
    assert_eq!(
        store.idempotent_response("owner/retry-1").await.unwrap(),
        Some(key),
        "the first answer stays"
    );
    assert_eq!(
        store.idempotent_response("owner/other").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn an_open_invitation_refuses_the_whole_batch_and_its_key() {
    let store = Store::open(&StoreConfig::memory()).await.unwrap();
    let ids = &mut Ids(0);
    let (partner, owner) = partner_with_super_admin(&store, ids, "owner@acme.example").await;
    let open = invitation(ids, &partner, &owner, "taken@acme.example");
    store
        .create_invitations(&[open], &[], &[], None)
        .await
        .unwrap();
    let before = audit_count(&store).await;

    let batch = [
        invitation(ids, &partner, &owner, "fresh@acme.example"),
        invitation(ids, &partner, &owner, "taken@acme.example"),
    ];
    let events = [
        event(ids, AuditAction::InvitationCreated, Some(&partner)),
        event(ids, AuditAction::InvitationCreated, Some(&partner)),
    ];
    let key = answer("owner/batch", "{}");
    let refused = store
        .create_invitations(&batch, &[], &events, Some(&key))
        .await;
    assert!(
        matches!(
            refused,
            Err(StorageError::Conflict(Conflict::AlreadyInvited))
        ),
        "{refused:?}"
    );
    assert_eq!(
        invitations_of(&store, &partner).await.len(),
        1,
        "only the open one"
    );
    assert_eq!(outbox_size(&store, &partner).await, 1);
    assert_eq!(audit_count(&store).await, before);
    assert_eq!(
        store.idempotent_response("owner/batch").await.unwrap(),
        None,
        "no answer without its change"
    );

    // Expiring the open one in the same write frees its address for the new invitation.
    let old = invitations_of(&store, &partner).await.remove(0);
    let expired = event(ids, AuditAction::InvitationExpired, Some(&partner));
    store
        .create_invitations(&batch[1..], &[(old.clone(), expired)], &[], None)
        .await
        .unwrap();
    let statuses: Vec<(String, InvitationStatus)> = invitations_of(&store, &partner)
        .await
        .into_iter()
        .map(|i| (i.email.to_string(), i.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("taken@acme.example".to_owned(), InvitationStatus::Expired),
            ("taken@acme.example".to_owned(), InvitationStatus::Pending),
        ]
    );
    let events = store
        .audit_events(
            &AuditScope::Partner(partner),
            &Default::default(),
            &PageRequest {
                limit: 200,
                after: None,
            },
        )
        .await
        .unwrap();
    assert!(
        events
            .items
            .iter()
            .any(|e| e.action == AuditAction::InvitationExpired),
        "the expiry is audited with it"
    );
}
