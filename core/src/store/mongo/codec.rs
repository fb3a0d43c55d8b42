//! Our types to and from BSON, as a machine reads them: exact prices and money become `Int64`
//! nano-units (10⁻⁹), not decimal strings (see `robofleet_api::money` and `docs/store.md`).
//! bson 2.15 deprecates `human_readable` in favour of a wrapper that can only force it on;
//! the option still does what we need, so the deprecation is allowed here.
#![allow(deprecated)]

use mongodb::bson::de::DeserializerOptions;
use mongodb::bson::ser::SerializerOptions;
use mongodb::bson::{Bson, Document};
use serde::de::DeserializeOwned;
use serde::Serialize;

fn ser() -> SerializerOptions {
    SerializerOptions::builder().human_readable(false).build()
}

fn de() -> DeserializerOptions {
    DeserializerOptions::builder().human_readable(false).build()
}

pub fn to_document<T: Serialize>(v: &T) -> mongodb::bson::ser::Result<Document> {
    mongodb::bson::to_document_with_options(v, ser())
}

pub fn to_bson<T: Serialize>(v: &T) -> mongodb::bson::ser::Result<Bson> {
    mongodb::bson::to_bson_with_options(v, ser())
}

pub fn from_document<T: DeserializeOwned>(d: Document) -> mongodb::bson::de::Result<T> {
    mongodb::bson::from_document_with_options(d, de())
}

/// Decode a BSON document's bytes as `T`, as the store reads what the database holds.
/// (Through `RawDocument`, which checks the length prefix against the bytes: reading from a
/// reader would first allocate whatever length the prefix claims.)
pub fn decode_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let raw = mongodb::bson::RawDocument::from_bytes(bytes).map_err(|e| e.to_string())?;
    let doc = Document::try_from(raw).map_err(|e| e.to_string())?;
    from_document(doc).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the store_readers fuzz target: a document whose length prefix claims far
    /// more than the bytes hold is refused as it is read, with nothing allocated for it.
    #[test]
    fn a_document_claiming_more_than_its_bytes_is_refused() {
        let mut bytes = i32::MAX.to_le_bytes().to_vec();
        bytes.extend_from_slice(&[0x10, b'x', 0, 1, 0, 0, 0, 0]);
        let e = decode_bytes::<crate::store::AuditEntry>(&bytes).unwrap_err();
        assert!(!e.is_empty());
        let entry = crate::store::AuditEntry {
            ts_ns: 1,
            server: "s".into(),
            who: "w".into(),
            role: "admin".into(),
            cmd: "stop".into(),
            request: "{}".into(),
            result: "ok".into(),
            message: String::new(),
        };
        let mut good = Vec::new();
        to_document(&entry).unwrap().to_writer(&mut good).unwrap();
        assert_eq!(decode_bytes::<crate::store::AuditEntry>(&good), Ok(entry));
    }
}
