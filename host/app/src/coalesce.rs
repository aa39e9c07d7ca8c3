//! One read answers every caller that asked before it started.
//!
//! On shared storage every request asks the database for the permission change log's revision
//! before it is answered: a network round trip each. [`Coalesced`] lets one read in flight
//! serve all the callers waiting for it. A caller that arrives while a read is in flight waits
//! for the *next* read, never the current one: the current one started before the caller
//! arrived and may miss a commit the caller must see (a change made through another host just
//! before this request). So each caller gets a value read after it asked — what a read of its
//! own would have given it — and under load the reads go one after another, each serving
//! everyone who arrived during the one before.
//!
//! The reads run in a task of their own: a caller whose future is dropped (the client went
//! away) leaves nobody else waiting.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;

/// A read that can be made again: what [`Coalesced`] runs.
pub(crate) type Read<T> =
    Box<dyn Fn() -> Pin<Box<dyn Future<Output = Result<T, String>> + Send>> + Send + Sync>;

/// A value read on demand, one read at a time, each read serving every caller that asked
/// before it started.
pub(crate) struct Coalesced<T> {
    read: Read<T>,
    reads: Mutex<Reads>,
    answers: watch::Sender<Answer<T>>,
    /// Reads made so far.
    made: AtomicU64,
}

impl<T> std::fmt::Debug for Coalesced<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coalesced")
            .field("made", &self.made.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Reads are numbered from 1 in the order they start.
#[derive(Debug, Default)]
struct Reads {
    /// The number of the newest read started.
    started: u64,
    /// The number of the read the latest caller waits for.
    wanted: u64,
    /// Whether a read is in flight.
    reading: bool,
}

/// The newest read's number and what it found.
#[derive(Debug, Clone)]
struct Answer<T> {
    read: u64,
    value: Result<T, String>,
}

impl<T: Clone + Send + Sync + 'static> Coalesced<T> {
    /// Values that `read` reads.
    pub(crate) fn new(read: Read<T>) -> Arc<Self> {
        let (answers, _) = watch::channel(Answer {
            read: 0,
            value: Err("not read yet".to_owned()),
        });
        Arc::new(Self {
            read,
            reads: Mutex::new(Reads::default()),
            answers,
            made: AtomicU64::new(0),
        })
    }

    /// The value, read after this call began (by a read this call started, or that started
    /// while it waited).
    pub(crate) async fn get(self: &Arc<Self>) -> Result<T, String> {
        let mut answers = self.answers.subscribe();
        let ticket = {
            let mut reads = self.reads.lock().unwrap_or_else(PoisonError::into_inner);
            // The read in flight (if any) started before this call: the next one serves it.
            let ticket = reads.started + 1;
            reads.wanted = ticket;
            if !reads.reading {
                reads.reading = true;
                reads.started = ticket;
                tokio::spawn(Arc::clone(self).reading());
            }
            ticket
        };
        let answer = answers
            .wait_for(|answer| answer.read >= ticket)
            .await
            .map_err(|_| "the host is shutting down".to_owned())?;
        answer.value.clone()
    }

    /// Reads made so far (for `/metrics` and tests).
    pub(crate) fn reads_made(&self) -> u64 {
        self.made.load(Ordering::Relaxed)
    }

    /// Makes reads while callers wait for one: the task [`Coalesced::get`] starts.
    async fn reading(self: Arc<Self>) {
        loop {
            let read = self
                .reads
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .started;
            self.made.fetch_add(1, Ordering::Relaxed);
            // In a task of its own, so that a read that panics is an answer, not a hang.
            let value = match tokio::spawn((self.read)()).await {
                Ok(value) => value,
                Err(ended) => Err(format!("the read ended abnormally: {ended}")),
            };
            self.answers.send_replace(Answer { read, value });
            let mut reads = self.reads.lock().unwrap_or_else(PoisonError::into_inner);
            if reads.wanted > read {
                reads.started = read + 1;
            } else {
                reads.reading = false;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use tokio::sync::Semaphore;
    use tokio::task::JoinHandle;

    use super::{Coalesced, Read};

    /// A source whose reads each wait for a permit, and answer how many reads came before.
    fn gated(permits: Arc<Semaphore>) -> Read<u64> {
        let count = Arc::new(AtomicU64::new(0));
        Box::new(move || {
            let (permits, count) = (Arc::clone(&permits), Arc::clone(&count));
            Box::pin(async move {
                let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                permits.acquire().await.map_err(|e| e.to_string())?.forget();
                Ok(n)
            })
        })
    }

    /// A caller of `source` in a task of its own.
    fn caller(source: &Arc<Coalesced<u64>>) -> JoinHandle<Result<u64, String>> {
        let source = Arc::clone(source);
        tokio::spawn(async move { source.get().await })
    }

    /// Returns once `source` has started its first read.
    async fn first_read_started(source: &Coalesced<u64>) {
        while source.reads_made() < 1 {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn callers_that_arrive_during_a_read_share_the_next_one_and_never_the_current_one() {
        let permits = Arc::new(Semaphore::new(0));
        let source = Coalesced::new(gated(Arc::clone(&permits)));

        // The first caller starts read 1, which waits.
        let first = caller(&source);
        first_read_started(&source).await;
        // Fifty callers arrive while read 1 is in flight.
        let later: Vec<_> = (0..50).map(|_| caller(&source)).collect();
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            source.reads_made(),
            1,
            "nobody reads beside the read in flight"
        );

        permits.add_permits(2);
        assert_eq!(first.await.unwrap(), Ok(1));
        for caller in later {
            // Read 1 started before they asked: they are answered by read 2, made once for all.
            assert_eq!(caller.await.unwrap(), Ok(2));
        }
        assert_eq!(source.reads_made(), 2);

        // With nobody waiting the reading stops; the next caller starts a read of its own.
        permits.add_permits(1);
        assert_eq!(source.get().await, Ok(3));
        assert_eq!(source.reads_made(), 3);
    }

    #[tokio::test]
    async fn a_caller_that_goes_away_leaves_nobody_waiting() {
        let permits = Arc::new(Semaphore::new(0));
        let source = Coalesced::new(gated(Arc::clone(&permits)));
        let gone = caller(&source);
        first_read_started(&source).await;
        let waiting = caller(&source);
        tokio::task::yield_now().await;
        gone.abort();
        permits.add_permits(2);
        assert_eq!(waiting.await.unwrap(), Ok(2));
    }

    #[tokio::test]
    async fn a_read_that_panics_answers_its_callers_with_an_error() {
        let source: Arc<Coalesced<u64>> =
            Coalesced::new(Box::new(|| Box::pin(async { panic!("boom") })));
        let answer = source.get().await;
        assert!(answer.is_err_and(|e| e.contains("abnormally")));
    }
}
