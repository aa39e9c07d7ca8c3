//! The tamper-evident audit trail: events of one tenant form one intact chain however they are
//! written, and tampering behind the host's back is reported at the first broken link.

use siteward_core::audit::chain::Problem;
use siteward_core::audit::{AuditAction, AuditScope};
use siteward_core::ids::{AuditEventId, PartnerId};
use siteward_storage::{ChainReport, Retention, Store, StoreConfig};

use super::{Ids, at, event, partner_with_super_admin};

/// A partner whose chain holds the partner's creation and then `failures` failed logins
/// written by as many concurrent transactions.
async fn partner_chain(store: &Store, failures: u8) -> (PartnerId, String) {
    let mut ids = Ids(0);
    let (partner, _) = partner_with_super_admin(store, &mut ids, "owner@acme.example").await;
    let writers = (0..failures).map(|n| {
        let store = store.clone();
        let mut failed = event(&mut ids, AuditAction::LoginFailed, Some(&partner));
        failed.id = AuditEventId::generate(at(2), [n, 0xAA, 0, 0, 0, 0, 0, 0, 0, 1]);
        tokio::spawn(async move { write_failure(&store, &failed).await })
    });
    for writer in writers.collect::<Vec<_>>() {
        writer.await.unwrap();
    }
    let chain = AuditScope::Partner(partner.clone()).chain_name();
    (partner, chain)
}

async fn write_failure(store: &Store, failed: &super::AuditEvent) {
    store
        .record_events(std::slice::from_ref(failed))
        .await
        .unwrap();
}

async fn verify(store: &Store, chain: &str) -> ChainReport {
    store.verify_audit_chain(chain, None).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_to_one_chain_line_up_into_one_intact_chain() {
    let folder = tempfile::tempdir().unwrap();
    let config = StoreConfig {
        url: format!("surrealkv://{}", folder.path().join("db").display()),
        ..StoreConfig::memory()
    };
    let store = Store::open(&config).await.unwrap();
    let (_, chain) = partner_chain(&store, 24).await;
    let report = verify(&store, &chain).await;
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(
        report.verification.checked, 25,
        "the creation and 24 failures"
    );
    assert_eq!(report.head.seq, 25);
    assert_eq!(
        store.audit_chains(&AuditScope::Platform).await.unwrap(),
        vec![chain],
        "every event here belongs to the partner"
    );
}

#[tokio::test]
async fn tampering_is_reported_at_the_first_broken_link() {
    let cases = [
        (
            "UPDATE audit_event SET request_id = 'forged' WHERE chain = $chain AND seq = 3",
            Some((3, Problem::Altered)),
        ),
        (
            "DELETE audit_event WHERE chain = $chain AND seq = 4",
            Some((4, Problem::Missing)),
        ),
        (
            "DELETE audit_event WHERE chain = $chain AND seq = 6",
            Some((6, Problem::Truncated)),
        ),
        (
            "UPDATE audit_event SET seq = 9 - seq WHERE chain = $chain AND seq IN [4, 5]",
            Some((4, Problem::Unlinked)),
        ),
        (
            "UPDATE audit_event SET chain = NONE, seq = NONE, prev = NONE, hash = NONE \
             WHERE chain = $chain AND seq = 6",
            Some((6, Problem::Truncated)),
        ),
        ("UPDATE audit_event SET request_id = request_id", None),
    ];
    for (sql, expected) in cases {
        let store = Store::open(&StoreConfig::memory()).await.unwrap();
        let (_, chain) = partner_chain(&store, 5).await;
        assert!(verify(&store, &chain).await.is_intact());
        store.tamper_with_chain(&chain, sql).await;
        let report = verify(&store, &chain).await;
        let found = report
            .verification
            .broken
            .as_ref()
            .map(|broken| (broken.seq, broken.problem));
        assert_eq!(found, expected, "after {sql}: {report:?}");
    }
}

/// A partner's chain of six events: its creation at 1 s, then a failed login every ten
/// seconds from 10 s to 50 s (positions 2 to 6).
async fn aging_chain(store: &Store) -> (PartnerId, String) {
    let (partner, chain) = partner_chain(store, 0).await;
    let mut ids = Ids(100);
    for n in 1..=5 {
        let mut failed = event(&mut ids, AuditAction::LoginFailed, Some(&partner));
        failed.at = at(10 * n);
        failed.id = AuditEventId::generate(failed.at, ids.next());
        write_failure(store, &failed).await;
    }
    (partner, chain)
}

const KEY: &[u8] = b"a checkpoint key of at least 32 bytes";

/// Retention keeping what was recorded from 35 s on: the events at positions 1 to 4 go.
async fn retain(store: &Store, partner: &PartnerId, chain: &str) -> Retention {
    let mut ids = Ids(200);
    let applied = event(&mut ids, AuditAction::AuditRetentionApplied, Some(partner));
    store
        .apply_audit_retention(chain, at(35), KEY, at(60), |_| applied)
        .await
        .unwrap()
}

#[tokio::test]
async fn retention_verifies_what_it_drops_and_leaves_a_break_in_what_it_keeps_to_be_found() {
    let broken = |report: &ChainReport| {
        report
            .verification
            .broken
            .as_ref()
            .map(|broken| (broken.seq, broken.problem))
    };
    // Intact: the four old events go behind a checkpoint; the rest and the cut's own event
    // verify from it.
    let store = Store::open(&StoreConfig::memory()).await.unwrap();
    let (partner, chain) = aging_chain(&store).await;
    assert!(matches!(
        retain(&store, &partner, &chain).await,
        Retention::Dropped(4)
    ));
    let report = store.verify_audit_chain(&chain, Some(KEY)).await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.checkpoint.as_ref().map(|c| c.seq), Some(4));
    assert_eq!(report.verification.checked, 3, "positions 5 to 7");
    assert!(matches!(
        retain(&store, &partner, &chain).await,
        Retention::NothingToDrop
    ));

    // An event that would be dropped was altered, or is missing, at the cut itself: nothing
    // is dropped, and the break is still there to find.
    for (sql, expected) in [
        (
            "UPDATE audit_event SET request_id = 'forged' WHERE chain = $chain AND seq = 3",
            (3, Problem::Altered),
        ),
        (
            "DELETE audit_event WHERE chain = $chain AND seq = 4",
            (4, Problem::Missing),
        ),
    ] {
        let store = Store::open(&StoreConfig::memory()).await.unwrap();
        let (partner, chain) = aging_chain(&store).await;
        store.tamper_with_chain(&chain, sql).await;
        let Retention::Refused(report) = retain(&store, &partner, &chain).await else {
            panic!("retention cut a chain whose old part was tampered with ({sql})");
        };
        assert_eq!(broken(&report), Some(expected), "{sql}");
        let report = verify(&store, &chain).await;
        assert_eq!(broken(&report), Some(expected), "after the refusal: {sql}");
        assert_eq!(report.checkpoint, None);
    }

    // An event that is kept was altered: retention reads only what it drops, so it cuts, and
    // the checkpoint it signs leaves the alteration as plain to see as before.
    let store = Store::open(&StoreConfig::memory()).await.unwrap();
    let (partner, chain) = aging_chain(&store).await;
    store
        .tamper_with_chain(
            &chain,
            "UPDATE audit_event SET request_id = 'forged' WHERE chain = $chain AND seq = 6",
        )
        .await;
    assert!(matches!(
        retain(&store, &partner, &chain).await,
        Retention::Dropped(4)
    ));
    let report = store.verify_audit_chain(&chain, Some(KEY)).await.unwrap();
    assert_eq!(broken(&report), Some((6, Problem::Altered)));
}

#[tokio::test]
async fn an_event_written_around_the_chain_is_counted_as_unchained() {
    let store = Store::open(&StoreConfig::memory()).await.unwrap();
    let (partner, chain) = partner_chain(&store, 2).await;
    store
        .surreal()
        .query(
            "CREATE audit_event:forged SET at = time::now(), actor_kind = 'system', \
             partner_id = $partner, action = 'assignment.unlocked', target_kind = 'assignment', \
             target_id = 'x', changes = []",
        )
        .bind(("partner", partner.to_string()))
        .await
        .and_then(|r| r.check())
        .unwrap();
    let report = verify(&store, &chain).await;
    assert_eq!(report.verification.broken, None, "the chain itself holds");
    assert_eq!(report.unchained, 1);
    assert!(!report.is_intact());
}

#[tokio::test]
async fn a_feed_moves_once_from_where_it_was_read() {
    use siteward_storage::{Conflict, StorageError};

    let store = Store::open(&StoreConfig::memory()).await.unwrap();
    let (_, chain) = partner_chain(&store, 3).await;
    let heads = store.chain_heads().await.unwrap();
    store.start_feed("hook/test", &heads).await.unwrap();
    assert!(
        matches!(
            store.start_feed("hook/test", &heads).await,
            Err(StorageError::Conflict(Conflict::Concurrent))
        ),
        "a consumer starts once"
    );
    let cursors = store.feed_cursors("hook/test").await.unwrap();
    assert!(cursors.started);
    assert_eq!(
        cursors.chains[&chain], 4,
        "started at the head: nothing replayed"
    );

    let events = store.chain_events(&chain, 4, 10).await.unwrap();
    assert!(events.is_empty(), "nothing new in this chain yet");
    let all = store.chain_events(&chain, 0, 10).await.unwrap();
    assert_eq!(
        all.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );

    // Two hosts read the cursor at 4; the first to move it wins, the other writes nothing.
    store
        .advance_feed(
            "hook/test",
            &chain,
            Some(4),
            4,
            &siteward_storage::FeedOutput::default(),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .advance_feed(
                "hook/test",
                &chain,
                Some(2),
                4,
                &siteward_storage::FeedOutput::default()
            )
            .await,
        Err(StorageError::Conflict(Conflict::Concurrent))
    ));
    // A chain the consumer has never seen starts from nothing.
    store
        .advance_feed(
            "hook/test",
            "site/new",
            None,
            7,
            &siteward_storage::FeedOutput::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        store.feed_cursors("hook/test").await.unwrap().chains["site/new"],
        7
    );
}
