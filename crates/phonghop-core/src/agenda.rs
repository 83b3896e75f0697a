//! Checks on the agenda's order.

use std::collections::HashSet;

use phonghop_protocol::ItemId;

/// Why a proposed agenda order is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReorderError {
    #[error("the new order names {given} items but the agenda has {expected}")]
    WrongLength { given: usize, expected: usize },
    #[error("item {0} is not on this agenda")]
    UnknownItem(ItemId),
    #[error("item {0} is named twice")]
    Duplicate(ItemId),
}

/// Checks that `new_order` names every item of `current` exactly once.
pub fn check_reorder(current: &[ItemId], new_order: &[ItemId]) -> Result<(), ReorderError> {
    if current.len() != new_order.len() {
        return Err(ReorderError::WrongLength {
            given: new_order.len(),
            expected: current.len(),
        });
    }
    let known: HashSet<ItemId> = current.iter().copied().collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(numbers: &[u32]) -> Vec<ItemId> {
        numbers.iter().copied().map(ItemId).collect()
    }

    #[test]
    fn reorder_must_be_a_permutation() {
        let current = ids(&[1, 2, 3]);
        assert_eq!(check_reorder(&current, &ids(&[3, 1, 2])), Ok(()));
        assert_eq!(
            check_reorder(&current, &ids(&[3, 1])),
            Err(ReorderError::WrongLength { given: 2, expected: 3 })
        );
        assert_eq!(
            check_reorder(&current, &ids(&[3, 1, 9])),
            Err(ReorderError::UnknownItem(ItemId(9)))
        );
        assert_eq!(
            check_reorder(&current, &ids(&[3, 3, 1])),
            Err(ReorderError::Duplicate(ItemId(3)))
        );
    }
}
