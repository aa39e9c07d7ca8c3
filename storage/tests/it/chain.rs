//! The tamper-evident audit trail: events of one tenant form one intact chain however they are
//! written, and tampering behind the host's back is reported at the first broken link.

use siteward_core::audit::chain::Problem;
use siteward_core::audit::{AuditAction, AuditScope};
use siteward_core::ids::{AuditEventId, PartnerId};
use siteward_storage::{ChainReport, Store, StoreConfig};

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
