//! Checks on agenda changes that do not need the database.

use std::collections::HashSet;

/// Why a proposed agenda order is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReorderError {
    #[error("the new order names {given} items but the agenda has {expected}")]
    WrongLength { given: usize, expected: usize },
    #[error("item {0} is not on this agenda")]
    UnknownItem(u32),
    #[error("item {0} is named twice")]
    Duplicate(u32),
}

/// Checks that `new_order` names every item of `current` exactly once.
pub fn check_reorder(current: &[u32], new_order: &[u32]) -> Result<(), ReorderError> {
    if current.len() != new_order.len() {
        return Err(ReorderError::WrongLength {
            given: new_order.len(),
            expected: current.len(),
        });
    }
    let known: HashSet<u32> = current.iter().copied().collect();
    let mut seen = HashSet::new();
    for &id in new_order {
        if !known.contains(&id) {
            return Err(ReorderError::UnknownItem(id));
        }
        if !seen.insert(id) {
            return Err(ReorderError::Duplicate(id));
        }
    }
    Ok(())
}

/// A title is acceptable when it has visible text and is not absurdly long.
pub fn check_title(title: &str) -> Result<&str, &'static str> {
    let trimmed = title.trim();
    if trimmed.is_empty() {
        return Err("the title is empty");
    }
    if trimmed.chars().count() > 500 {
        return Err("the title is longer than 500 characters");
    }
    Ok(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reorder_must_be_a_permutation() {
        assert_eq!(check_reorder(&[1, 2, 3], &[3, 1, 2]), Ok(()));
        assert_eq!(
            check_reorder(&[1, 2, 3], &[3, 1]),
            Err(ReorderError::WrongLength { given: 2, expected: 3 })
        );
        assert_eq!(check_reorder(&[1, 2, 3], &[3, 1, 9]), Err(ReorderError::UnknownItem(9)));
        assert_eq!(check_reorder(&[1, 2, 3], &[3, 3, 1]), Err(ReorderError::Duplicate(3)));
    }

    #[test]
    fn blank_titles_are_refused() {
        assert!(check_title("   ").is_err());
        assert_eq!(check_title("  Khai mạc kỳ họp "), Ok("Khai mạc kỳ họp"));
    }
}
