//! How many large answers — feed pages and snapshots, every app's first sync — the server sends
//! at once. Each takes a slot from its first byte until all but the last few kilobytes of it
//! are in the socket (its body is handed to hyper in small frames, and hyper buffers little,
//! `serve::WRITE_BUFFER_BYTES`): a client that reads slowly holds its slot while the rest of
//! its answer waits in this process. What the kernel's socket buffers take is sent already as
//! far as the slots go, so an answer that fits in them (on loopback, a few hundred KB) frees
//! its slot almost at once. Beyond the cap a request is answered at once with 503, a
//! `Retry-After` and the API's `{ code, message }`: the apps admitted share the uplink and the
//! memory with fewer others and finish sooner, the rest come back a few seconds later, spread
//! over [`RETRY_AFTER_SPREAD`] seconds so they do not return together. Small answers (a delta
//! of a few revisions, a 304) never take a slot.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Bytes;
use axum::response::Response;
use hyper::body::{Frame, SizeHint};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Large answers sent at once unless told otherwise (`serve --max-full-syncs`).
pub const MAX_FULL_SYNCS: usize = 256;

/// An answer up to this size is sent without a slot: it costs less than the refusal would.
pub const SMALL_ANSWER_BYTES: usize = 64 * 1024;

/// A refused client is told to come back after at least this many seconds …
pub const RETRY_AFTER_SECS: u64 = 5;

/// … plus up to this many more, in turn, so a crowd refused together comes back spread out.
pub const RETRY_AFTER_SPREAD: u64 = 10;

/// The largest frame an answer in a slot hands to hyper at once.
const FRAME_BYTES: usize = 16 * 1024;

/// The slots for large answers.
#[derive(Debug, Clone)]
pub struct SyncSlots {
    slots: Arc<Semaphore>,
    refused: Arc<AtomicU64>,
}

/// A large answer was refused; come back after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub retry_after_secs: u64,
}

/// One answer's slot, given back when dropped.
#[derive(Debug)]
pub struct Slot {
    _permit: OwnedSemaphorePermit,
}

impl SyncSlots {
    pub fn new(max: usize) -> SyncSlots {
        SyncSlots {
            slots: Arc::new(Semaphore::new(max)),
            refused: Arc::default(),
        }
    }

    /// A slot for one large answer, or how long the client is to wait.
    pub fn take(&self) -> Result<Slot, Refused> {
        Arc::clone(&self.slots)
            .try_acquire_owned()
            .map(|permit| Slot { _permit: permit })
            .map_err(|_| {
                let turn = self.refused.fetch_add(1, Ordering::Relaxed);
                Refused {
                    retry_after_secs: RETRY_AFTER_SECS + turn % (RETRY_AFTER_SPREAD + 1),
                }
            })
    }

    /// Slots free now (for tests and logs).
    pub fn available(&self) -> usize {
        self.slots.available_permits()
    }
}

impl Default for SyncSlots {
    fn default() -> SyncSlots {
        SyncSlots::new(MAX_FULL_SYNCS)
    }
}

impl Slot {
    /// `response` with its body handed out in small frames, holding this slot until the body
    /// ends or is dropped.
    pub fn hold(self, response: Response) -> Response {
        response.map(|body| {
            axum::body::Body::new(InSlot {
                body,
                rest: Bytes::new(),
                slot: Some(self),
            })
        })
    }
}

/// A body in a slot: frames cut to [`FRAME_BYTES`] (a whole feed page is one frame, which hyper
/// would take at once), the slot given back after the last.
struct InSlot {
    body: axum::body::Body,
    /// What is left of the inner body's current frame.
    rest: Bytes,
    slot: Option<Slot>,
}

impl InSlot {
    fn next_piece(&mut self) -> Frame<Bytes> {
        let length = self.rest.len().min(FRAME_BYTES);
        Frame::data(self.rest.split_to(length))
    }
}

impl hyper::body::Body for InSlot {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if !self.rest.is_empty() {
            return Poll::Ready(Some(Ok(self.next_piece())));
        }
        match Pin::new(&mut self.body).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                Ok(data) => {
                    self.rest = data;
                    Poll::Ready(Some(Ok(self.next_piece())))
                }
                Err(frame) => Poll::Ready(Some(Ok(frame))),
            },
            Poll::Ready(None) => {
                self.slot = None;
                Poll::Ready(None)
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.rest.is_empty() && self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let inner = self.body.size_hint();
        let rest = self.rest.len() as u64;
        let mut hint = SizeHint::new();
        hint.set_lower(inner.lower() + rest);
        if let Some(upper) = inner.upper() {
            hint.set_upper(upper + rest);
        }
        hint
    }
}

#[cfg(test)]
mod tests {
    use super::{SyncSlots, RETRY_AFTER_SECS, RETRY_AFTER_SPREAD};
    use axum::response::IntoResponse;
    use http_body_util::BodyExt;

    #[test]
    fn refusals_beyond_the_slots_name_spread_retry_times() {
        let slots = SyncSlots::new(2);
        let held = [slots.take().unwrap(), slots.take().unwrap()];
        let waits: Vec<u64> = (0..30)
            .map(|_| slots.take().unwrap_err().retry_after_secs)
            .collect();
        assert!(
            waits.iter().all(
                |wait| (RETRY_AFTER_SECS..=RETRY_AFTER_SECS + RETRY_AFTER_SPREAD).contains(wait)
            ),
            "every wait is within the announced range: {waits:?}"
        );
        assert_eq!(
            waits
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len() as u64,
            RETRY_AFTER_SPREAD + 1,
            "a crowd refused together is told different times"
        );
        drop(held);
        assert_eq!(slots.available(), 2, "slots come back with their answers");
    }

    #[tokio::test]
    async fn an_answer_in_a_slot_is_sent_whole_in_small_frames_and_gives_the_slot_back() {
        let slots = SyncSlots::new(1);
        let page: Vec<u8> = (0..200_000u32).map(|index| (index % 251) as u8).collect();
        let response = slots.take().unwrap().hold(page.clone().into_response());
        assert_eq!(
            slots.available(),
            0,
            "the slot is held while the body is unsent"
        );
        let mut body = response.into_body();
        assert_eq!(
            axum::body::HttpBody::size_hint(&body).exact(),
            Some(page.len() as u64),
            "the length is still announced"
        );
        let mut received = Vec::new();
        let mut frames = 0;
        while let Some(frame) = body.frame().await {
            let data = frame.unwrap().into_data().unwrap();
            assert!(data.len() <= super::FRAME_BYTES, "frames are small");
            received.extend_from_slice(&data);
            frames += 1;
        }
        assert_eq!(received, page, "the body arrives unchanged");
        assert!(frames > 1, "the page was cut into frames");
        assert_eq!(slots.available(), 1, "the slot is free once the body ended");
    }
}
