//! Identifiers as their own types, so a poll id is never passed where an item id belongs and a
//! SHA-256 is checked once, where it enters, instead of at every use.
//!
//! On the wire every id is a plain JSON number and a SHA-256 a plain string.

use std::fmt;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

macro_rules! number_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        // serde writes a newtype struct as its one field: a plain number on the wire.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize, TS)]
        #[ts(export)]
        pub struct $name(pub u32);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<u32> for $name {
            fn from(value: u32) -> Self {
                $name(value)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.parse().map($name)
            }
        }
    };
}

number_id!(
    /// An account, server-wide.
    UserId
);
number_id!(
    /// A meeting, server-wide.
    MeetingId
);
number_id!(
    /// An agenda item, numbered from 1 within its meeting.
    ItemId
);
number_id!(
    /// A document, numbered from 1 within its meeting.
    DocumentId
);
number_id!(
    /// A poll, numbered from 1 within its meeting.
    PollId
);

/// The lower-case hex SHA-256 of a document's bytes: the name of its blob. Only 64 characters
/// of `0-9a-f` make one, so a value of this type is always safe as a file name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, TS)]
#[ts(export, type = "string")]
pub struct Sha256(String);

impl Serialize for Sha256 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Sha256 {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Sha256::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Why a text is not a SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotASha256;

impl fmt::Display for NotASha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a SHA-256 is 64 lower-case hex characters")
    }
}

impl std::error::Error for NotASha256 {}

impl Sha256 {
    pub fn parse(text: &str) -> Result<Sha256, NotASha256> {
        let hex = text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if hex {
            Ok(Sha256(text.to_owned()))
        } else {
            Err(NotASha256)
        }
    }

    /// The hash of a digest's 32 bytes.
    pub fn from_digest(bytes: &[u8; 32]) -> Sha256 {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let text = bytes
            .iter()
            .flat_map(|byte| [HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 0xf)]])
            .map(char::from)
            .collect();
        Sha256(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lower_case_hex_of_64_characters_is_a_sha256() {
        assert!(Sha256::parse(&"a1".repeat(32)).is_ok());
        assert!(Sha256::parse(&"A1".repeat(32)).is_err());
        assert!(Sha256::parse("../../etc/passwd").is_err());
        assert!(Sha256::parse(&"a1".repeat(31)).is_err());
        let bytes: [u8; 32] = std::array::from_fn(|i| i as u8 * 7);
        let hash = Sha256::from_digest(&bytes);
        assert_eq!(&hash.as_str()[..6], "00070e");
        assert_eq!(Sha256::parse(hash.as_str()), Ok(hash));
    }

    #[test]
    fn ids_are_plain_numbers_and_hashes_plain_strings_on_the_wire() {
        assert_eq!(serde_json::to_string(&PollId(7)).unwrap(), "7");
        assert_eq!(serde_json::from_str::<ItemId>("12").unwrap(), ItemId(12));
        let text = format!("\"{}\"", "0f".repeat(32));
        let hash: Sha256 = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_string(&hash).unwrap(), text);
        assert!(serde_json::from_str::<Sha256>("\"nope\"").is_err());
    }
}
