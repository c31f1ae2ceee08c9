//! The messages between the web build's page and its store worker (`crates/fokus-worker`), as
//! JSON text over `postMessage`. The worker is a host like the Tauri shell: it answers the same
//! reads from the same store, so the calls mirror the shell's commands. `A` is a read's
//! arguments and `V` a reply's value, each as the side at hand holds JSON (the worker
//! `serde_json::Value`, the page its typed arguments and a browser value).

use serde::{Deserialize, Serialize};

use crate::api::ApiError;
use crate::ipc::AppEvent;
use crate::personal::Personal;
use crate::Revision;

/// What the page asks of the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum WorkerCall<A> {
    /// One read of `fokus_store::reads`, as the shell's `read` command.
    Read {
        name: String,
        args: A,
    },
    SyncStatus,
    /// Sync now; answers the state after it. `known` is a revision the page heard of (the
    /// server's event stream): a worker already at or beyond it skips the request.
    SyncRun {
        known: Option<Revision>,
    },
    PersonalGet,
    PersonalSave {
        personal: Personal,
    },
    /// What the store takes on this device (the database; the page adds the browser's estimate).
    StorageGet,
    /// Empties the data (not the person's notes) and syncs anew.
    CacheClear,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerRequest<A> {
    pub id: u32,
    #[serde(flatten)]
    pub call: WorkerCall<A>,
}

/// What the worker sends the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WorkerMessage<V> {
    /// The store is open at `revision` (0: empty, a first sync is needed before it can answer).
    Ready {
        revision: Revision,
    },
    /// The store could not be opened here (no OPFS, open in another tab, …); the page stays online.
    Failed {
        reason: String,
    },
    Reply {
        id: u32,
        result: Result<V, ApiError>,
    },
    Event {
        event: AppEvent,
    },
}

/// The worker's storage report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerStorage {
    pub data_bytes: u64,
    pub personal_bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_as_json_text() {
        let request = WorkerRequest {
            id: 7,
            call: WorkerCall::Read {
                name: "catalog_get".into(),
                args: serde_json::json!({}),
            },
        };
        let text = serde_json::to_string(&request).unwrap();
        assert_eq!(
            text,
            r#"{"id":7,"call":"read","name":"catalog_get","args":{}}"#
        );
        assert_eq!(
            serde_json::from_str::<WorkerRequest<serde_json::Value>>(&text).unwrap(),
            request
        );
        let reply: WorkerMessage<serde_json::Value> = WorkerMessage::Reply {
            id: 7,
            result: Err(ApiError::new(crate::api::ErrorCode::NotFound, "fehlt")),
        };
        let text = serde_json::to_string(&reply).unwrap();
        assert_eq!(
            serde_json::from_str::<WorkerMessage<serde_json::Value>>(&text).unwrap(),
            reply
        );
    }
}
