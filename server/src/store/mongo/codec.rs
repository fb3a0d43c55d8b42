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
