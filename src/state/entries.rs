//! The stored normalised entries (`entries.entry`: LZ4-compressed JSON), read one at a time or
//! as packed bytes for a caller that decodes many of them on every core (the library reads every
//! published entry on a cold run; decoding, not SQLite, is most of that cost).

use rusqlite::{OptionalExtension, params};

use super::{State, StateError};
use crate::model::Entry;

/// A stored entry as its packed bytes, to be decoded with [`unpack_entry`].
#[derive(Debug, Clone)]
pub struct Packed(pub Vec<u8>);

/// Decodes a packed entry; the error says what was wrong with it (see [`State::unreadable`]).
pub fn unpack_entry(packed: &Packed) -> Result<Entry, String> {
    let json = lz4_flex::decompress_size_prepended(&packed.0).map_err(|e| e.to_string())?;
    serde_json::from_slice(&json).map_err(|e| e.to_string())
}

impl State {
    /// Loads the normalised entry of `(source, hash)` (its HTML as stored: see
    /// [`super::Stored`]).
    pub fn entry(&self, source: &str, hash: &str) -> Result<Option<Entry>, StateError> {
        self.packed_entry(source, hash)?
            .map(|p| self.unpack(&p))
            .transpose()
    }

    /// The packed entry of `(source, hash)`, not decoded.
    pub fn packed_entry(&self, source: &str, hash: &str) -> Result<Option<Packed>, StateError> {
        self.conn
            .prepare_cached("SELECT entry FROM entries WHERE source = ?1 AND hash = ?2")
            .and_then(|mut s| s.query_row(params![source, hash], |r| r.get(0)).optional())
            .map(|p| p.map(Packed))
            .map_err(|e| self.err(e))
    }

    /// The error for a stored entry that [`unpack_entry`] could not read.
    pub fn unreadable(&self, msg: &str) -> StateError {
        StateError::Other {
            path: self.path.clone(),
            msg: format!("stored entry unreadable: {msg}"),
        }
    }

    /// Reads a packed entry.
    pub(super) fn unpack(&self, packed: &Packed) -> Result<Entry, StateError> {
        unpack_entry(packed).map_err(|m| self.unreadable(&m))
    }
}
