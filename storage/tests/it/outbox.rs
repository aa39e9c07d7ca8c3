//! The outbox deals each round out between tenants: one partner's flood waits behind itself.

use siteward_storage::{NewInvitation, Store, StoreConfig};

use super::idempotency::invitation_sent_at;
use super::{Ids, at, partner_with_super_admin};

#[tokio::test]
async fn a_round_is_shared_between_tenants_so_a_flood_does_not_hold_back_the_others() {
    let store = Store::open(&StoreConfig::memory()).await.unwrap();
    let ids = &mut Ids(0);
    let (acme, acme_owner) = partner_with_super_admin(&store, ids, "owner@acme.example").await;
    let (globex, globex_owner) =
        partner_with_super_admin(&store, ids, "owner@globex.example").await;
    // Acme's forty emails are all older than Globex's one.
    let flood: Vec<NewInvitation> = (0..40)
        .map(|n| invitation_sent_at(ids, &acme, &acme_owner, &format!("t{n}@acme.example"), 10))
        .collect();
    store
        .create_invitations(&flood, &[], &[], None)
        .await
        .unwrap();
    let one = invitation_sent_at(ids, &globex, &globex_owner, "t@globex.example", 20);
    store
        .create_invitations(&[one], &[], &[], None)
        .await
        .unwrap();

    let now = at(30);
    let round = store
        .claim_due_messages(now, now + chrono::Duration::minutes(5), 10)
        .await
        .unwrap();
    let of = |partner: &siteward_core::ids::PartnerId,
              round: &[siteward_storage::OutboxMessage]| {
        round
            .iter()
            .filter(|m| m.partner_id.as_ref() == Some(partner))
            .count()
    };
    assert_eq!(round.len(), 10, "a round is as large as asked");
    assert_eq!(
        of(&globex, &round),
        1,
        "Globex's email goes out in the first round"
    );
    assert_eq!(of(&acme, &round), 9, "Acme's fill the rest of it");

    // Alone now, Acme has every round to itself; nothing is claimed twice.
    let next = store
        .claim_due_messages(now, now + chrono::Duration::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(of(&acme, &next), 10);
    assert!(next.iter().all(|m| round.iter().all(|r| r.id != m.id)));
}
